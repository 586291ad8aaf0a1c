//! What `iamlens check` prints: `--format text` (people), `json` (scripts),
//! `sarif` (SARIF 2.1.0 for code scanning: missing permissions at the call,
//! excess grants at the policy file's statement) and `github` (workflow
//! annotations for plain CI logs).

use super::check::MODELLED_FILES;
use super::policy_files::PolicyFiles;
use super::CheckFormat;
use iamlens_engine::drift::Drift;
use iamlens_engine::evaluator::{ExcessGrant, RolePolicies};
use iamlens_engine::role_check::MODELLED;
use serde_json::{json, Value};
use std::path::Path;

/// Where the granted policies came from.
pub enum Granted {
    Role(RolePolicies),
    Files(PolicyFiles),
}

impl Granted {
    /// `role arn:aws:iam::...:role/app` or `policy policy.json, extra.json`.
    fn label(&self) -> String {
        match self {
            Granted::Role(role) => format!("role {}", role.role_arn),
            Granted::Files(files) => {
                let mut names: Vec<String> = Vec::new();
                for source in &files.sources {
                    let name = source.file.display().to_string();
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
                format!("policy {}", names.join(", "))
            }
        }
    }

    fn models(&self) -> &'static str {
        match self {
            Granted::Role(_) => MODELLED,
            Granted::Files(_) => MODELLED_FILES,
        }
    }

    /// The policy file and line of an excess grant's statement (none for a live role).
    fn locate(&self, grant: &ExcessGrant) -> Option<(&Path, u32)> {
        match self {
            Granted::Role(_) => None,
            Granted::Files(files) => files.locate(&grant.statement.policy, grant.statement.index),
        }
    }
}

pub fn render(format: CheckFormat, drift: &Drift, granted: &Granted) -> String {
    match format {
        CheckFormat::Text => text(drift, granted),
        CheckFormat::Json => format!("{}\n", serde_json::to_string_pretty(&as_json(drift, granted)).unwrap_or_default()),
        CheckFormat::Sarif => format!("{}\n", serde_json::to_string_pretty(&sarif(drift, granted)).unwrap_or_default()),
        CheckFormat::Github => github(drift, granted),
    }
}

/// Each call's verdict with its actions' decisions, then each excess grant
/// at the file and line `locate` finds for it: the text both `check` sources print.
pub(crate) fn push_verdicts(out: &mut String, drift: &Drift, locate: impl Fn(&ExcessGrant) -> Option<(std::path::PathBuf, u32)>) {
    for c in &drift.calls {
        out.push_str(&format!("{}:{}:{}: {} {}\n", c.file, c.line, c.column, c.verdict, c.call));
        for a in &c.actions {
            for r in &a.resources {
                out.push_str(&format!("    {} {} on {}: {}\n", r.decision.verdict(), a.action, r.resource, r.decision));
            }
        }
    }
    for grant in &drift.excess {
        match locate(grant) {
            Some((file, line)) => out.push_str(&format!("{}:{line}: excess: {}\n", file.display(), grant.summary())),
            None => out.push_str(&format!("excess: {}\n", grant.summary())),
        }
    }
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn text(drift: &Drift, granted: &Granted) -> String {
    let mut out = String::new();
    push_verdicts(&mut out, drift, |grant| granted.locate(grant).map(|(file, line)| (file.to_path_buf(), line)));
    let s = &drift.summary;
    out.push_str(&format!("{}: {} call(s) allowed, {} denied, {} depend on run-time values\n", granted.label(), s.allowed, s.denied, s.depends));
    out.push_str(&format!(
        "{}, {} beyond what the calls read need\n",
        plural(s.missing, "missing permission", "missing permissions"),
        plural(s.excess, "statement grants", "statements grant")
    ));
    if !drift.allowed.is_empty() {
        out.push_str(&format!("(granted for reasons the code does not show, never excess: {})\n", drift.allowed.join(", ")));
    }
    out.push_str(&format!("({})\n", drift.excess_is_relative));
    out.push_str(&format!("(iamlens {})\n", granted.models()));
    out
}

/// The drift as JSON: the role or policy files first, then what was found;
/// each excess grant carries its policy file and line when it has one.
fn as_json(drift: &Drift, granted: &Granted) -> Value {
    let mut out = serde_json::Map::new();
    match granted {
        Granted::Role(role) => {
            out.insert("Role".into(), json!(role.role_arn));
        }
        Granted::Files(files) => {
            let names: Vec<String> = files.sources.iter().map(|s| s.file.display().to_string()).collect();
            let mut unique: Vec<String> = Vec::new();
            for name in names {
                if !unique.contains(&name) {
                    unique.push(name);
                }
            }
            out.insert("PolicyFiles".into(), json!(unique));
        }
    }
    out.insert("Models".into(), json!(granted.models()));
    let Value::Object(body) = serde_json::to_value(drift).unwrap_or(Value::Null) else { return Value::Object(out) };
    for (key, mut value) in body {
        if key == "Excess" {
            if let Value::Array(items) = &mut value {
                for (item, grant) in items.iter_mut().zip(&drift.excess) {
                    if let (Some((file, line)), Value::Object(obj)) = (granted.locate(grant), item) {
                        obj.insert("File".into(), json!(file.display().to_string()));
                        obj.insert("Line".into(), json!(line));
                    }
                }
            }
        }
        out.insert(key, value);
    }
    Value::Object(out)
}

pub(crate) const MISSING_RULE: &str = "iamlens/missing-permission";
pub(crate) const EXCESS_RULE: &str = "iamlens/excess-grant";

/// SARIF 2.1.0: one run, two rules; missing permissions are errors at the
/// call, excess grants warnings at the statement (no location for a live role).
fn sarif(drift: &Drift, granted: &Granted) -> Value {
    let mut results: Vec<Value> = Vec::new();
    for m in &drift.missing {
        results.push(json!({
            "ruleId": MISSING_RULE,
            "ruleIndex": 0,
            "level": "error",
            "message": {"text": format!("{} needs {} on {}, which the {} does not allow: {}", m.call, m.action, m.resource, granted.label(), m.decision)},
            "locations": [location(Path::new(&m.file), m.line, Some(char_column(&m.file, m.line, m.column)))],
            "properties": {"action": m.action, "resource": m.resource},
        }));
    }
    for grant in &drift.excess {
        let mut result = json!({
            "ruleId": EXCESS_RULE,
            "ruleIndex": 1,
            "level": "warning",
            "message": {"text": format!("{} ({})", grant.summary(), drift.excess_is_relative)},
            "properties": {
                "grantedActions": grant.granted_actions,
                "grantedResources": grant.granted_resources,
                "neededActions": grant.needed_actions,
                "neededResources": grant.needed_resources,
            },
        });
        if let Some((file, line)) = granted.locate(grant) {
            result["locations"] = json!([location(file, line, None)]);
        }
        results.push(result);
    }
    sarif_log(results, drift.excess_is_relative)
}

/// The SARIF log of one run with the two rules and `results`.
pub(crate) fn sarif_log(results: Vec<Value>, excess_is_relative: &str) -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "iamlens",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": [
                    {
                        "id": MISSING_RULE,
                        "name": "MissingPermission",
                        "shortDescription": {"text": "A call the granted policies do not allow"},
                        "fullDescription": {"text": "The code makes an AWS call that needs an IAM action on a resource the granted policies do not allow; it fails at run time with AccessDenied."},
                        "help": {"text": "Grant the action on the resource (iamlens generate-policies prints the least-privilege policy), or remove the Deny that matches it."},
                        "defaultConfiguration": {"level": "error"},
                    },
                    {
                        "id": EXCESS_RULE,
                        "name": "ExcessGrant",
                        "shortDescription": {"text": "A grant no call read needs"},
                        "fullDescription": {"text": format!("The policy grants actions or resources beyond what the calls read need. {excess_is_relative}.")},
                        "help": {"text": "Narrow the statement to the actions and resources shown, or record the grant with --allow or .iamlens.toml [check] allow."},
                        "defaultConfiguration": {"level": "warning"},
                    },
                ],
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

pub(crate) fn location(file: &Path, line: u32, column: Option<u32>) -> Value {
    let mut region = json!({"startLine": line.max(1)});
    if let Some(column) = column {
        region["startColumn"] = json!(column.max(1));
    }
    // A relative URI is relative to the source root; an absolute one (a file
    // outside the current directory) stands alone.
    let uri = uri(file);
    let artifact = if uri.starts_with("file://") { json!({"uri": uri}) } else { json!({"uri": uri, "uriBaseId": "%SRCROOT%"}) };
    json!({"physicalLocation": {"artifactLocation": artifact, "region": region}})
}

/// The one-based column in characters (SARIF's `unicodeCodePoints`, GitHub's
/// `col`) of a one-based column in UTF-8 bytes, read from the file; the
/// byte column when the file cannot be read.
pub(crate) fn char_column(file: &str, line: u32, byte_column: u32) -> u32 {
    let Ok(text) = std::fs::read_to_string(file) else { return byte_column };
    let Some(source) = text.lines().nth(line.saturating_sub(1) as usize) else { return byte_column };
    let bytes = (byte_column.saturating_sub(1) as usize).min(source.len());
    match source.get(..bytes) {
        Some(prefix) => prefix.chars().count() as u32 + 1,
        None => byte_column,
    }
}

/// A path as a SARIF URI reference: relative to the current directory (the
/// repository root in CI) when it is under it, `/`-separated, percent-encoded.
fn uri(file: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let relative = match (file.is_absolute(), &cwd) {
        (true, Some(cwd)) => file.strip_prefix(cwd).unwrap_or(file),
        _ => file,
    };
    let relative = relative.strip_prefix(".").unwrap_or(relative);
    let text: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let joined = if relative.is_absolute() { format!("/{}", text[1..].join("/")) } else { text.join("/") };
    let mut out = if relative.is_absolute() { "file://".to_string() } else { String::new() };
    for b in joined.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// GitHub workflow commands: `::error file=F,line=L,col=C,title=T::message`
/// for missing permissions, `::warning` for excess grants, then the summary.
fn github(drift: &Drift, granted: &Granted) -> String {
    let mut out = String::new();
    for m in &drift.missing {
        let column = char_column(&m.file, m.line, m.column);
        out.push_str(&annotation("error", Some((Path::new(&m.file), m.line, Some(column))), &format!("iamlens: missing {}", m.action), &m.summary()));
    }
    for grant in &drift.excess {
        let at = granted.locate(grant).map(|(file, line)| (file, line, None));
        out.push_str(&annotation("warning", at, "iamlens: excess grant", &format!("{}\n{}", grant.summary(), drift.excess_is_relative)));
    }
    let s = &drift.summary;
    out.push_str(&format!(
        "{}: {}, {} beyond what the calls read need\n",
        granted.label(),
        plural(s.missing, "missing permission", "missing permissions"),
        plural(s.excess, "statement grants", "statements grant")
    ));
    out
}

pub(crate) fn annotation(level: &str, at: Option<(&Path, u32, Option<u32>)>, title: &str, message: &str) -> String {
    let mut props: Vec<String> = Vec::new();
    if let Some((file, line, column)) = at {
        props.push(format!("file={}", property(&file.display().to_string())));
        props.push(format!("line={line}"));
        if let Some(column) = column {
            props.push(format!("col={column}"));
        }
    }
    props.push(format!("title={}", property(title)));
    format!("::{level} {}::{}\n", props.join(","), data(message))
}

/// Escaping of a workflow command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escaping of a workflow command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_what_github_reads_as_syntax() {
        let line = annotation("error", Some((Path::new("src/a,b.py"), 3, Some(5))), "iamlens: missing s3:GetObject", "100%\nnext");
        assert_eq!(line, "::error file=src/a%2Cb.py,line=3,col=5,title=iamlens%3A missing s3%3AGetObject::100%25%0Anext\n");
        assert_eq!(annotation("warning", None, "t", "m"), "::warning title=t::m\n");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let file = std::env::temp_dir().join(format!("iamlens-column-{}.py", std::process::id()));
        std::fs::write(&file, "x = 1\nname = \"é\"; s3.get_object()\n").unwrap();
        let path = file.display().to_string();
        // `s3` starts at byte 13 (one-based 14) but character 12 (one-based 13).
        assert_eq!(char_column(&path, 2, 14), 13);
        assert_eq!(char_column(&path, 1, 3), 3);
        assert_eq!(char_column("/no/such/file.py", 2, 14), 14);
        std::fs::remove_file(file).unwrap();
    }

    #[test]
    fn uris_are_relative_forward_slashed_and_encoded() {
        assert_eq!(uri(Path::new("./src/my app.py")), "src/my%20app.py");
        assert_eq!(uri(Path::new("/nowhere-near/x#1.json")), "file:///nowhere-near/x%231.json");
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(uri(&cwd.join("a").join("b.py")), "a/b.py");
    }
}
