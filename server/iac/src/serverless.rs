//! Serverless Framework `serverless.yml`: the service, the provider's
//! defaults, each function (its handler relative to the file's directory, its
//! runtime and environment merged over the provider's) and the
//! CloudFormation `resources:` section, read by the CloudFormation reader
//! with the stack name `<service>-<stage>`.
//!
//! Variables: `${self:path}` (anywhere in the document), `${opt:stage}`,
//! `${opt:region}`, `${sls:stage}`, `${env:X}`, `${aws:region}`,
//! `${aws:accountId}`, fallbacks after a comma (`${opt:stage, 'dev'}`) and
//! nested variables. Values known only at deploy time (`${ssm:...}`,
//! `${cf:...}`, `${file(...)}`, `${s3:...}`, `${param:...}`) are unknown.

use crate::cfn::{self, normalise};
use crate::intrinsics::{Decl, Eval};
use crate::model::{Code, Context, Deployment, Framework, Function, IacWarning, Location, Part, Pattern};
use crate::names::Env;
use crate::yaml::{self, Entry, Node, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// Variables nested or referring to each other deeper than this are unknown.
const MAX_VARIABLE_DEPTH: usize = 24;
/// The region Serverless deploys to when none is given.
const DEFAULT_REGION: &str = "us-east-1";

pub fn read(path: &Path, text: &str, ctx: &Context) -> Deployment {
    let mut out = Deployment { templates: vec![path.to_path_buf()], ..Deployment::default() };
    let raw = match yaml::parse(text) {
        Ok(root) => root,
        Err(e) => {
            out.warnings.push(IacWarning {
                at: Location { file: path.to_path_buf(), line: e.line },
                message: format!("serverless.yml is not valid YAML ({}); nothing in it is read", e.message),
            });
            return out;
        }
    };
    let mut resolver = Resolver { root: &raw, ctx, file: path, warnings: Vec::new(), resolved: 0 };
    let root = resolver.node(&raw, 0);
    let mut warnings = std::mem::take(&mut resolver.warnings);

    let service = root.get("service").and_then(|s| s.as_str().or_else(|| s.get("name").and_then(Node::as_str))).map(str::to_string);
    let provider = root.get("provider");
    let stage = resolver.stage_at(0);
    // `--region`, else `provider.region` (unknown when it is not plain text), else the default.
    let region = match (&ctx.region, provider.and_then(|p| p.get("region"))) {
        (Some(region), _) => Some(region.clone()),
        (None, Some(node)) => node.as_str().map(str::to_string),
        (None, None) => Some(DEFAULT_REGION.to_string()),
    };
    let stack_name = match provider.and_then(|p| p.get("stackName")) {
        Some(name) => name.as_str().map(str::to_string),
        None => service.as_ref().and_then(|s| stage.as_ref().map(|st| format!("{s}-{st}"))),
    };

    // The CloudFormation part: `resources:` (a mapping, or a list of them) and
    // one AWS::Lambda::Function per function, as Serverless generates them.
    let resources = merged_resources(root.get("resources"));
    let (mut template, mut template_warnings) = cfn::template(path, &resources, &Context::default());
    warnings.append(&mut template_warnings);
    let functions = root.get("functions").map(Node::entries).unwrap_or_default();
    if let Some(f) = root.entry("functions").filter(|f| !f.value.is_map() && !f.value.is_null()) {
        warnings.push(IacWarning {
            at: Location { file: path.to_path_buf(), line: f.line },
            message: "functions is not a plain mapping (a ${file(...)}?); no function is read".into(),
        });
    }
    for entry in functions {
        let name = match entry.value.get("name") {
            Some(n) => n.clone(),
            None => Node { line: entry.line, value: generated_function_name(service.as_deref(), stage.as_deref(), &entry.key) },
        };
        template.add(Decl {
            id: format!("{}LambdaFunction", normalised_name(&entry.key)),
            resource_type: "AWS::Lambda::Function".into(),
            line: entry.line,
            properties: Node { line: entry.line, value: Value::Map(vec![Entry { key: "FunctionName".into(), line: entry.line, value: name }]) },
            metadata: None,
        });
    }
    template.implicit =
        ["IamRoleLambdaExecution", "ServerlessDeploymentBucket", "ApiGatewayRestApi", "HttpApi"].iter().map(|s| s.to_string()).collect();
    for entry in functions {
        template.implicit.insert(format!("{}LogGroup", normalised_name(&entry.key)));
    }
    let env = Env { stack_name, region, account: ctx.account.clone() };
    let mut eval = Eval::new(&template, env);

    let dir = normalise(path.parent().unwrap_or(Path::new(".")));
    let mut provider_env = provider.and_then(|p| p.get("environment"));
    if let Some(env) = provider_env.filter(|e| !e.is_plain_map() && !e.is_null()) {
        eval.warn(
            env.line,
            "the provider's environment is not a plain mapping; the functions' environments fall back to the code's own values".into(),
        );
        provider_env = None;
    }
    let provider_runtime = provider.and_then(|p| p.get("runtime")).and_then(Node::as_str);
    let provider_artifact = provider.and_then(|p| p.path(&["package", "artifact"])).is_some();
    let provider_role = provider.and_then(|p| p.path(&["iam", "role"]).or_else(|| p.get("role")));
    for entry in functions {
        let f = &entry.value;
        let code = if f.get("image").is_some() {
            Code::Unknown { reason: "a container image".into() }
        } else if f.path(&["package", "artifact"]).is_some() || (provider_artifact && f.get("package").is_none()) {
            Code::Unknown { reason: "a packaged artifact".into() }
        } else {
            Code::Directory { path: dir.clone() }
        };
        let mut environment = BTreeMap::new();
        for variables in [provider_env, f.get("environment")].into_iter().flatten() {
            if !variables.is_plain_map() {
                if !variables.is_null() {
                    eval.warn(
                        variables.line,
                        format!("the environment of {} is not a plain mapping; it falls back to the code's own values", entry.key),
                    );
                }
                continue;
            }
            for var in variables.entries() {
                eval.subject = Some(format!("{}'s environment variable {}", entry.key, var.key));
                let binding = cfn::binding(&mut eval, &var.value);
                eval.subject = None;
                match binding {
                    Some(b) => environment.insert(var.key.clone(), b),
                    None => environment.remove(&var.key),
                };
            }
        }
        let role = match f.get("role").or(provider_role) {
            // `iam.role.statements`: the role Serverless generates.
            Some(r) if r.is_map() && r.get("statements").is_some() || r.is_map() && r.get("name").is_some() => None,
            Some(r) => Some(role_name(&mut eval, r)),
            None => None,
        };
        out.functions.push(Function {
            id: entry.key.clone(),
            framework: Framework::Serverless,
            declared_at: Location { file: path.to_path_buf(), line: entry.line },
            code,
            handler: f.get("handler").map(display),
            runtime: f.get("runtime").and_then(Node::as_str).or(provider_runtime).map(str::to_string),
            environment,
            role,
        });
    }
    out.resources = cfn::resources(&mut eval);
    let before = eval.warnings.len();
    out.declared = crate::policies::serverless(&mut eval, &root, &out.functions);
    eval.warnings.truncate(before);
    warnings.append(&mut eval.warnings);
    warnings.sort_by_key(|w| w.at.line);
    out.warnings = warnings;
    out
}

fn display(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => s.clone(),
        Value::Pat(p) => p.display(),
        _ => "*".into(),
    }
}

/// A role by name (a logical id of `resources:`), ARN or intrinsic.
fn role_name(eval: &mut Eval, node: &Node) -> String {
    match node.as_str() {
        Some(name) if eval.template.resource(name).is_some() => name.to_string(),
        _ => cfn::role(eval, node),
    }
}

/// `<service>-<stage>-<key>`.
fn generated_function_name(service: Option<&str>, stage: Option<&str>, key: &str) -> Value {
    let mut p = Pattern::default();
    for part in [service, stage] {
        match part {
            Some(s) => p.push(Part::Literal(s.to_string())),
            None => p.push(Part::Unknown),
        }
        p.push(Part::Literal("-".into()));
    }
    p.push(Part::Literal(key.to_string()));
    match p.as_exact() {
        Some(s) => Value::Str(s),
        None => Value::Pat(p),
    }
}

/// Serverless's logical-id form of a function key: `create-order` →
/// `CreateDashorder`, `create_order` → `CreateUnderscoreorder`.
fn normalised_name(key: &str) -> String {
    let replaced = key.replace('-', "Dash").replace('_', "Underscore");
    let mut chars = replaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `resources:` as one CloudFormation fragment.
fn merged_resources(node: Option<&Node>) -> Node {
    let mut sections: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    let fragments: Vec<&Node> = match node {
        Some(n) if n.is_map() => vec![n],
        Some(n) => n.items().iter().collect(),
        None => vec![],
    };
    for fragment in fragments {
        for section in fragment.entries() {
            sections.entry(section.key.clone()).or_default().extend(section.value.entries().iter().cloned());
        }
    }
    let entries = sections.into_iter().map(|(key, entries)| Entry { key, line: 1, value: Node { line: 1, value: Value::Map(entries) } }).collect();
    Node { line: 1, value: Value::Map(entries) }
}

struct Resolver<'a> {
    root: &'a Node,
    ctx: &'a Context,
    file: &'a Path,
    warnings: Vec<IacWarning>,
    /// Variables resolved so far: a document whose references multiply is cut short.
    resolved: usize,
}

/// Variables one document may resolve.
const MAX_RESOLUTIONS: usize = 100_000;

/// Sources resolved only at deploy time: their value is unknown, whatever the fallback.
const DEPLOY_TIME: &[&str] = &["ssm", "cf", "s3", "file", "param", "secretsmanager", "git"];

impl Resolver<'_> {
    fn warn(&mut self, line: usize, message: String) {
        if !self.warnings.iter().any(|w| w.at.line == line && w.message == message) {
            self.warnings.push(IacWarning { at: Location { file: self.file.to_path_buf(), line }, message });
        }
    }

    fn node(&mut self, node: &Node, depth: usize) -> Node {
        let value = match &node.value {
            Value::Str(s) if s.contains("${") => return self.string(s, node.line, depth),
            Value::Seq(items) => Value::Seq(items.iter().map(|n| self.node(n, depth)).collect()),
            Value::Map(entries) => {
                Value::Map(entries.iter().map(|e| Entry { key: e.key.clone(), line: e.line, value: self.node(&e.value, depth) }).collect())
            }
            other => other.clone(),
        };
        Node { line: node.line, value }
    }

    /// A string with variables: one whole variable keeps its value (a mapping,
    /// a list); variables inside text make a pattern.
    fn string(&mut self, text: &str, line: usize, depth: usize) -> Node {
        if depth > MAX_VARIABLE_DEPTH {
            self.warn(line, format!("variables nested or referring to each other deeper than {MAX_VARIABLE_DEPTH} levels are not resolved"));
            return Node { line, value: Value::Pat(Pattern::unknown()) };
        }
        let pieces = split_variables(text);
        if let [Piece::Variable(inner)] = pieces.as_slice() {
            if is_variable(inner) {
                return self.variable(inner, line, depth);
            }
        }
        let mut out = Pattern::default();
        for piece in pieces {
            match piece {
                Piece::Text(t) => out.push(Part::Literal(t)),
                Piece::Variable(inner) if !is_variable(&inner) => {
                    // `${AWS::Region}`, `${Param}`: CloudFormation's, kept for `Fn::Sub`.
                    match self.string(&inner, line, depth + 1).as_str() {
                        Some(reference) => out.push(Part::Literal(format!("${{{reference}}}"))),
                        // `${${self:x}}`: what it names is not known, nor its value.
                        None => out.push(Part::Unknown),
                    }
                }
                Piece::Variable(inner) => {
                    let value = self.variable(&inner, line, depth);
                    out.extend(pattern_of(&value));
                }
            }
        }
        let value = match out.as_exact() {
            Some(s) => Value::Str(s),
            None => Value::Pat(out),
        };
        Node { line, value }
    }

    /// The inside of `${...}`: a source, then fallbacks after commas.
    fn variable(&mut self, inner: &str, line: usize, depth: usize) -> Node {
        self.resolved += 1;
        if self.resolved > MAX_RESOLUTIONS {
            self.warn(line, format!("more than {MAX_RESOLUTIONS} variables to resolve; the rest are unknown"));
            return unknown(line);
        }
        // Nested variables first: `${self:custom.tables.${sls:stage}}`.
        let inner = if inner.contains("${") {
            match self.string(inner, line, depth + 1).as_str() {
                Some(s) => s.to_string(),
                None => return unknown(line),
            }
        } else {
            inner.to_string()
        };
        for candidate in split_top_level(&inner, ',') {
            let candidate = candidate.trim();
            if let Some(quoted) = unquote(candidate) {
                return self.string(quoted, line, depth + 1);
            }
            if candidate.parse::<f64>().is_ok() || candidate == "true" || candidate == "false" {
                return Node { line, value: Value::Str(candidate.to_string()) };
            }
            let (source, rest) = match candidate.find([':', '(']) {
                Some(i) => (&candidate[..i], &candidate[i + 1..]),
                None => {
                    self.warn(line, format!("${{{candidate}}} is not a variable iamlens reads; its value is unknown"));
                    return unknown(line);
                }
            };
            let found = match source {
                "self" => self.self_reference(rest, line, depth),
                "opt" => match rest {
                    "stage" => self.ctx.stage.clone().map(|s| Node { line, value: Value::Str(s) }),
                    "region" => self.ctx.region.clone().map(|s| Node { line, value: Value::Str(s) }),
                    _ => None,
                },
                "sls" => match rest {
                    "stage" => Some(match self.stage_at(depth) {
                        Some(s) => Node { line, value: Value::Str(s) },
                        None => unknown(line),
                    }),
                    _ => Some(unknown(line)),
                },
                "aws" => Some(match rest {
                    "region" => self.region_at(line, depth),
                    "accountId" => self.ctx.account.clone().map(|a| Node { line, value: Value::Str(a) }).unwrap_or_else(|| unknown(line)),
                    _ => unknown(line),
                }),
                // The person's environment at deploy time is not known: the fallback, if any.
                "env" => None,
                s if DEPLOY_TIME.contains(&s) => Some(unknown(line)),
                s => {
                    self.warn(line, format!("${{{s}:...}} is not a variable source iamlens reads; its value is unknown"));
                    Some(unknown(line))
                }
            };
            if let Some(node) = found {
                return node;
            }
        }
        unknown(line)
    }

    /// `--stage`, else `provider.stage`, else `dev`.
    fn stage_at(&mut self, depth: usize) -> Option<String> {
        if let Some(stage) = &self.ctx.stage {
            return Some(stage.clone());
        }
        match self.root.path(&["provider", "stage"]).cloned() {
            None => Some("dev".into()),
            Some(node) => self.node(&node, depth + 1).as_str().map(str::to_string),
        }
    }

    fn region_at(&mut self, line: usize, depth: usize) -> Node {
        if let Some(region) = &self.ctx.region {
            return Node { line, value: Value::Str(region.clone()) };
        }
        match self.root.path(&["provider", "region"]).cloned() {
            None => Node { line, value: Value::Str(DEFAULT_REGION.into()) },
            Some(node) => self.node(&node, depth + 1),
        }
    }

    /// `self:custom.tableName`: the node at the path, resolved.
    fn self_reference(&mut self, path: &str, line: usize, depth: usize) -> Option<Node> {
        // The framework fills these in when the file does not.
        match path {
            "provider.stage" if self.root.path(&["provider", "stage"]).is_none() => {
                return self.stage_at(depth).map(|s| Node { line, value: Value::Str(s) });
            }
            "provider.region" if self.root.path(&["provider", "region"]).is_none() => return Some(self.region_at(line, depth)),
            _ => {}
        }
        let mut node = self.root;
        for key in path.split('.').filter(|k| !k.is_empty()) {
            node = match &node.value {
                Value::Seq(items) => items.get(key.parse::<usize>().ok()?)?,
                _ => node.get(key)?,
            };
        }
        let node = node.clone();
        Some(Node { line, ..self.node(&node, depth + 1) })
    }
}

fn unknown(line: usize) -> Node {
    Node { line, value: Value::Pat(Pattern::unknown()) }
}

fn pattern_of(node: &Node) -> Pattern {
    match &node.value {
        Value::Str(s) => Pattern::literal(s.clone()),
        Value::Pat(p) => p.clone(),
        _ => Pattern::unknown(),
    }
}

fn unquote(s: &str) -> Option<&str> {
    let s = s.trim();
    if s.len() >= 2 && ((s.starts_with('\'') && s.ends_with('\'')) || (s.starts_with('"') && s.ends_with('"'))) {
        Some(&s[1..s.len() - 1])
    } else {
        None
    }
}

/// A Serverless variable (`self:`, `opt:`, `file(`, ...) rather than a
/// CloudFormation `Fn::Sub` reference (`AWS::Region`, `Param`, `Res.Arn`).
fn is_variable(inner: &str) -> bool {
    let inner = inner.trim_start();
    let end = inner.find([':', '(']).unwrap_or(inner.len());
    let source = &inner[..end];
    end < inner.len() && !source.is_empty() && source.chars().all(|c| c.is_ascii_alphanumeric()) && !inner[end..].starts_with("::")
}

enum Piece {
    Text(String),
    Variable(String),
}

/// Text and the insides of the outermost `${...}`, nesting respected.
fn split_variables(text: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let bytes = text.as_bytes();
    let (mut i, mut start) = (0, 0);
    while i + 1 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            let mut depth = 0;
            let mut j = i;
            let mut end = None;
            while j < bytes.len() {
                if bytes[j] == b'$' && j + 1 < bytes.len() && bytes[j + 1] == b'{' {
                    depth += 1;
                    j += 2;
                    continue;
                }
                if bytes[j] == b'}' {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(j);
                        break;
                    }
                }
                j += 1;
            }
            let Some(end) = end else { break };
            if start < i {
                pieces.push(Piece::Text(text[start..i].to_string()));
            }
            pieces.push(Piece::Variable(text[i + 2..end].to_string()));
            i = end + 1;
            start = i;
        } else {
            i += 1;
        }
    }
    if start < text.len() {
        pieces.push(Piece::Text(text[start..].to_string()));
    }
    pieces
}

/// Split at `sep` outside quotes, parentheses and `${...}`.
fn split_top_level(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '{' | '(') => depth += 1,
            (None, '}' | ')') => depth -= 1,
            (None, c) if c == sep && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitting() {
        assert_eq!(split_top_level("opt:stage, 'a,b', self:x", ','), vec!["opt:stage", " 'a,b'", " self:x"]);
        let pieces = split_variables("a-${self:x.${opt:stage}}-b");
        assert!(
            matches!(pieces.as_slice(), [Piece::Text(a), Piece::Variable(v), Piece::Text(b)] if a == "a-" && v == "self:x.${opt:stage}" && b == "-b")
        );
        assert!(is_variable("self:custom.x"));
        assert!(is_variable("file(./env.yml)"));
        assert!(!is_variable("AWS::Region"));
        assert!(!is_variable("Table.Arn"));
        assert_eq!(normalised_name("create-order_v2"), "CreateDashorderUnderscorev2");
    }
}
