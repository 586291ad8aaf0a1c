//! `iamlens check --policy FILE...`: IAM policy documents read from files —
//! a policy document, a JSON list of them, or the `{"Policies": [{"Policy":
//! {...}}, ...]}` envelope `generate-policies` (and the peer) print — with the
//! line each statement starts on, so findings about a grant point at it.

use iamlens_engine::evaluator::{PolicyDocument, PolicySet, RolePolicies};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The documents of the files, in order, and where their statements are.
#[derive(Debug, Clone, Default)]
pub struct PolicyFiles {
    pub policies: RolePolicies,
    /// Per document (same order as `policies.policies.identity`): its file
    /// and the one-based line of each statement.
    pub sources: Vec<DocumentSource>,
}

#[derive(Debug, Clone)]
pub struct DocumentSource {
    pub file: PathBuf,
    pub statement_lines: Vec<u32>,
}

impl PolicyFiles {
    /// The file and line of a statement of the document named `policy`.
    pub fn locate(&self, policy: &str, index: usize) -> Option<(&Path, u32)> {
        let at = self.policies.policies.identity.iter().position(|d| d.name == policy)?;
        let source = self.sources.get(at)?;
        Some((source.file.as_path(), source.statement_lines.get(index).copied().unwrap_or(1)))
    }
}

/// Read every file; the error names the file and what to pass instead.
pub fn read(files: &[PathBuf]) -> Result<PolicyFiles, String> {
    let mut out = PolicyFiles::default();
    let mut set = PolicySet::default();
    for file in files {
        if file.is_dir() {
            return Err(format!("--policy {}: is a directory; pass one policy JSON file to each --policy", file.display()));
        }
        let text = std::fs::read_to_string(file).map_err(|e| format!("--policy {}: cannot read it ({e})", file.display()))?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            format!("--policy {}: not valid JSON (line {}, column {}: {e}); pass an IAM policy document", file.display(), e.line(), e.column())
        })?;
        let documents = documents(&value).ok_or_else(|| {
            format!(
                "--policy {}: not an IAM policy document (an object with a Statement), a list of them, or a {{\"Policies\": [...]}} envelope",
                file.display()
            )
        })?;
        let several = documents.len() > 1;
        for (i, (path, doc)) in documents.into_iter().enumerate() {
            let name = if several { format!("{} (policy {})", file.display(), i + 1) } else { file.display().to_string() };
            let parsed = PolicyDocument::from_value(&name, doc).map_err(|e| format!("--policy {}", e.to_string().trim_start_matches("policy ")))?;
            let statement_lines = statement_lines(&text, &path, parsed.statements.len());
            out.sources.push(DocumentSource { file: file.clone(), statement_lines });
            set.identity.push(parsed);
        }
    }
    out.policies = RolePolicies { role_name: String::new(), role_arn: String::new(), policies: set };
    Ok(out)
}

/// A step into a JSON value: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// The documents a file holds, each with its path from the root.
fn documents(value: &Value) -> Option<Vec<(Vec<Step>, &Value)>> {
    match value {
        Value::Object(obj) if obj.contains_key("Statement") => Some(vec![(Vec::new(), value)]),
        Value::Object(obj) => {
            let list = obj.get("Policies")?.as_array()?;
            let mut out = Vec::new();
            for (i, item) in list.iter().enumerate() {
                let mut path = vec![Step::Key("Policies".into()), Step::Index(i)];
                let doc = match item.get("Policy") {
                    Some(doc) => {
                        path.push(Step::Key("Policy".into()));
                        doc
                    }
                    None => item,
                };
                out.push((path, doc));
            }
            (!out.is_empty()).then_some(out)
        }
        Value::Array(items) if !items.is_empty() => Some(items.iter().enumerate().map(|(i, d)| (vec![Step::Index(i)], d)).collect()),
        _ => None,
    }
}

/// The line of each statement of the document at `path` (`n` statements; a
/// single statement object counts as the first). Line 1 for any it cannot find.
fn statement_lines(text: &str, path: &[Step], n: usize) -> Vec<u32> {
    let mut statement = path.to_vec();
    statement.push(Step::Key("Statement".into()));
    let list = Scanner::new(text).find(&statement);
    (0..n)
        .map(|i| {
            let mut item = statement.clone();
            item.push(Step::Index(i));
            let at = Scanner::new(text).find(&item).or(if i == 0 { list } else { None });
            at.map_or(1, |offset| line_of(text, offset))
        })
        .collect()
}

fn line_of(text: &str, offset: usize) -> u32 {
    text[..offset.min(text.len())].bytes().filter(|b| *b == b'\n').count() as u32 + 1
}

/// Just enough of a JSON reader to find where a value starts; the text is
/// known to be valid JSON (serde_json read it first).
struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner { bytes: text.as_bytes(), pos: 0 }
    }

    /// The byte offset where the value at `path` starts.
    fn find(mut self, path: &[Step]) -> Option<usize> {
        self.space();
        for step in path {
            match (step, self.bytes.get(self.pos)?) {
                (Step::Key(key), b'{') => {
                    self.pos += 1;
                    loop {
                        self.space();
                        if self.bytes.get(self.pos)? == &b'}' {
                            return None;
                        }
                        let name = self.string()?;
                        self.space();
                        self.pos += 1; // ':'
                        self.space();
                        if &name == key {
                            break;
                        }
                        self.skip()?;
                        self.space();
                        if self.bytes.get(self.pos)? == &b',' {
                            self.pos += 1;
                        }
                    }
                }
                (Step::Index(index), b'[') => {
                    self.pos += 1;
                    for _ in 0..*index {
                        self.space();
                        if self.bytes.get(self.pos)? == &b']' {
                            return None;
                        }
                        self.skip()?;
                        self.space();
                        if self.bytes.get(self.pos)? == &b',' {
                            self.pos += 1;
                        }
                    }
                    self.space();
                    if self.bytes.get(self.pos)? == &b']' {
                        return None;
                    }
                }
                _ => return None,
            }
        }
        Some(self.pos)
    }

    fn space(&mut self) {
        while self.bytes.get(self.pos).is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    /// A string at the cursor, unescaped well enough to compare keys.
    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        self.skip_string()?;
        serde_json::from_slice(&self.bytes[start..self.pos]).ok()
    }

    fn skip_string(&mut self) -> Option<()> {
        self.pos += 1;
        loop {
            match self.bytes.get(self.pos)? {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Skip the value at the cursor.
    fn skip(&mut self) -> Option<()> {
        match self.bytes.get(self.pos)? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.bytes.get(self.pos)? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
            _ => {
                while self.bytes.get(self.pos).is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace()) {
                    self.pos += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &str) -> Vec<Vec<u32>> {
        let value: Value = serde_json::from_str(text).unwrap();
        documents(&value)
            .unwrap()
            .into_iter()
            .map(|(path, doc)| statement_lines(text, &path, doc["Statement"].as_array().map_or(1, Vec::len)))
            .collect()
    }

    #[test]
    fn statements_are_found_in_documents_lists_and_envelopes() {
        let doc = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"a:b\", \"Resource\": \"*\"},\n\n    {\n      \"Sid\": \"x\"\n    }\n  ]\n}\n";
        assert_eq!(lines_of(doc), vec![vec![4, 6]]);
        let single = "{\"Version\": \"2012-10-17\",\n \"Statement\":\n  {\"Effect\": \"Allow\"}}";
        assert_eq!(lines_of(single), vec![vec![3]]);
        let envelope = "{\"Policies\": [\n {\"Policy\": {\"Statement\": [\n  {\"Sid\": \"a]}\\\"\"}]}, \"PolicyType\": \"Identity\"},\n {\"Policy\": {\"Id\": {\"Statement\": 1},\n  \"Statement\": [{}, \n {}]}}]}";
        assert_eq!(lines_of(envelope), vec![vec![3], vec![5, 6]]);
        let list = "[\n{\"Statement\": [{}]},\n{\"Statement\": [{},{}]}]";
        assert_eq!(lines_of(list), vec![vec![2], vec![3, 3]]);
    }

    #[test]
    fn other_json_is_not_a_policy() {
        for text in ["{}", "[]", "3", "{\"Policies\": []}", "{\"Policies\": 1}"] {
            assert!(documents(&serde_json::from_str(text).unwrap()).is_none(), "{text}");
        }
    }
}
