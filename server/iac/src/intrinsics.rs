//! CloudFormation intrinsic functions → [`Pattern`]s.
//!
//! Both branches of every `Fn::If` are taken (a condition may hold in some
//! deployment); parameters take their default unless the person overrides
//! them; whatever cannot be known (`Fn::ImportValue`, `Fn::GetAZs`, an
//! unknown region) is [`Part::Unknown`]. Never narrower than the truth.

use crate::model::{IacWarning, Location, Part, Pattern};
use crate::names::{generated_name, type_info, Env, Returns};
use crate::yaml::{Node, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

/// Intrinsic functions nested deeper than this are not followed.
const MAX_EVAL_DEPTH: usize = 64;

/// One declared resource.
#[derive(Debug, Clone)]
pub struct Decl {
    pub id: String,
    pub resource_type: String,
    pub line: usize,
    pub properties: Node,
    pub metadata: Option<Node>,
}

impl Decl {
    pub fn prop(&self, key: &str) -> Option<&Node> {
        self.properties.get(key)
    }
}

/// What the evaluator needs of a template.
#[derive(Debug, Default)]
pub struct Template {
    pub file: PathBuf,
    pub parameters: BTreeMap<String, Val>,
    pub mappings: Option<Node>,
    pub resources: Vec<Decl>,
    index: HashMap<String, usize>,
}

impl Template {
    pub fn new(file: PathBuf) -> Template {
        Template { file, ..Template::default() }
    }
    pub fn add(&mut self, decl: Decl) {
        self.index.insert(decl.id.clone(), self.resources.len());
        self.resources.push(decl);
    }
    /// The template less one resource.
    pub fn without(mut self, id: &str) -> Template {
        self.resources.retain(|d| d.id != id);
        self.index = self.resources.iter().enumerate().map(|(i, d)| (d.id.clone(), i)).collect();
        self
    }
    pub fn resource(&self, id: &str) -> Option<&Decl> {
        self.index.get(id).map(|&i| &self.resources[i])
    }
}

/// A value as far as the template knows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(Pattern),
    List(Vec<Val>),
    /// `AWS::NoValue`: the property is absent.
    NoValue,
    /// Not known, not even whether it is a string or a list.
    Unknown,
}

impl Val {
    pub fn pattern(&self) -> Pattern {
        match self {
            Val::Str(p) => p.clone(),
            _ => Pattern::unknown(),
        }
    }
}

/// The narrowest single pattern covering both: identical patterns stay exact,
/// others keep their common literal prefix and suffix around an unknown.
pub fn merge_patterns(a: &Pattern, b: &Pattern) -> Pattern {
    if a == b {
        return a.clone();
    }
    let chars = |p: &Pattern| -> Vec<Option<char>> {
        p.0.iter()
            .flat_map(|part| match part {
                Part::Literal(s) => s.chars().map(Some).collect::<Vec<_>>(),
                Part::Unknown => vec![None],
            })
            .collect()
    };
    let (x, y) = (chars(a), chars(b));
    let limit = x.len().min(y.len());
    let prefix = x.iter().zip(&y).take_while(|(p, q)| p.is_some() && p == q).count();
    let suffix = x.iter().rev().zip(y.iter().rev()).take(limit - prefix).take_while(|(p, q)| p.is_some() && p == q).count();
    let text = |s: &[Option<char>]| s.iter().flatten().collect::<String>();
    let mut out = Pattern::default();
    out.push(Part::Literal(text(&x[..prefix])));
    out.push(Part::Unknown);
    out.push(Part::Literal(text(&x[x.len() - suffix..])));
    out
}

fn merge_vals(a: Val, b: Val) -> Val {
    match (a, b) {
        (Val::Str(a), Val::Str(b)) => Val::Str(merge_patterns(&a, &b)),
        (Val::List(a), Val::List(b)) if a.len() == b.len() => Val::List(a.into_iter().zip(b).map(|(a, b)| merge_vals(a, b)).collect()),
        (Val::NoValue, Val::NoValue) => Val::NoValue,
        (Val::Str(_), _) | (_, Val::Str(_)) => Val::Str(Pattern::unknown()),
        _ => Val::Unknown,
    }
}

/// Evaluates intrinsic functions against one template.
pub struct Eval<'t> {
    pub template: &'t Template,
    pub env: Env,
    names: HashMap<String, Pattern>,
    resolving: Vec<String>,
    /// Resources whose names refer to themselves through others.
    cyclic: HashSet<String>,
    pub warnings: Vec<IacWarning>,
    /// What is being evaluated (`OrdersFunction's TABLE_NAME`), for warnings.
    pub subject: Option<String>,
}

/// Logical ids of the declared resources a value came from.
pub type Origins = BTreeSet<String>;

const KNOWN_UNKNOWABLE: &[&str] = &[
    "Fn::ImportValue",
    "Fn::GetAZs",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::Equals",
    "Fn::Not",
    "Fn::And",
    "Fn::Or",
    "Condition",
    "Fn::Length",
    "Fn::ToJsonString",
    "Fn::GetStackOutput",
];

impl<'t> Eval<'t> {
    pub fn new(template: &'t Template, env: Env) -> Eval<'t> {
        Eval { template, env, names: HashMap::new(), resolving: Vec::new(), cyclic: HashSet::new(), warnings: Vec::new(), subject: None }
    }

    pub fn warn(&mut self, line: usize, message: String) {
        let at = Location { file: self.template.file.clone(), line };
        let message = match &self.subject {
            Some(subject) => format!("{message} ({subject})"),
            None => message,
        };
        if !self.warnings.iter().any(|w| w.at == at && w.message == message) {
            self.warnings.push(IacWarning { at, message });
        }
    }

    /// The value of `node`, recording the resources it names in `origins`.
    pub fn eval(&mut self, node: &Node, origins: &mut Origins) -> Val {
        self.eval_at(node, origins, 0)
    }

    fn eval_at(&mut self, node: &Node, origins: &mut Origins, depth: usize) -> Val {
        if depth > MAX_EVAL_DEPTH {
            self.warn(node.line, format!("intrinsic functions nested deeper than {MAX_EVAL_DEPTH} levels are not read"));
            return Val::Unknown;
        }
        match &node.value {
            Value::Null => Val::Unknown,
            Value::Str(s) => Val::Str(Pattern::literal(s.clone())),
            Value::Pat(p) => Val::Str(p.clone()),
            Value::Seq(items) => Val::List(items.iter().map(|n| self.eval_at(n, origins, depth + 1)).collect()),
            Value::Map(entries) => {
                if entries.len() != 1 {
                    return Val::Unknown;
                }
                let (name, arg) = (&entries[0].key, &entries[0].value);
                if name == "Ref" || name == "Condition" || name.starts_with("Fn::") {
                    self.intrinsic(name, arg, node.line, origins, depth + 1)
                } else {
                    Val::Unknown
                }
            }
        }
    }

    fn string(&mut self, node: &Node, origins: &mut Origins, depth: usize) -> Pattern {
        self.eval_at(node, origins, depth).pattern()
    }

    fn list(&mut self, node: &Node, origins: &mut Origins, depth: usize) -> Option<Vec<Val>> {
        match self.eval_at(node, origins, depth) {
            Val::List(items) => Some(items),
            _ => None,
        }
    }

    fn intrinsic(&mut self, name: &str, arg: &Node, line: usize, origins: &mut Origins, depth: usize) -> Val {
        match name {
            "Ref" => match arg.as_str() {
                Some(target) => self.reference(target, line, origins),
                None => self.malformed(line, "Ref"),
            },
            "Fn::GetAtt" => {
                let (id, attribute) = match &arg.value {
                    Value::Str(s) => match s.split_once('.') {
                        Some((id, attribute)) => (id.to_string(), Some(attribute.to_string())),
                        None => return self.malformed(line, "Fn::GetAtt"),
                    },
                    Value::Seq(items) if items.len() == 2 => {
                        let attribute = self.string(&items[1], origins, depth).as_exact();
                        match items[0].as_str() {
                            Some(id) => (id.to_string(), attribute),
                            None => return self.malformed(line, "Fn::GetAtt"),
                        }
                    }
                    _ => return self.malformed(line, "Fn::GetAtt"),
                };
                self.get_att(&id, attribute.as_deref(), line, origins)
            }
            "Fn::Sub" => {
                let (text, vars) = match &arg.value {
                    Value::Seq(items) if items.len() == 2 => (&items[0], Some(&items[1])),
                    Value::Seq(_) => return self.malformed(line, "Fn::Sub"),
                    _ => (arg, None),
                };
                let mut bound = HashMap::new();
                if let Some(vars) = vars {
                    for entry in vars.entries() {
                        let value = self.string(&entry.value, origins, depth);
                        bound.insert(entry.key.clone(), value);
                    }
                }
                let template = match &text.value {
                    Value::Str(s) => Pattern::literal(s.clone()),
                    Value::Pat(p) => p.clone(),
                    _ => return self.malformed(line, "Fn::Sub"),
                };
                let mut out = Pattern::default();
                for part in template.0 {
                    match part {
                        Part::Literal(s) => {
                            let p = self.substitute(&s, &bound, line, origins);
                            out.extend(p);
                        }
                        Part::Unknown => out.push(Part::Unknown),
                    }
                }
                Val::Str(out)
            }
            "Fn::Join" => {
                let items = arg.items();
                if items.len() != 2 {
                    return self.malformed(line, "Fn::Join");
                }
                let delimiter = self.string(&items[0], origins, depth);
                let Some(values) = self.list(&items[1], origins, depth) else { return Val::Str(Pattern::unknown()) };
                let mut out = Pattern::default();
                let mut first = true;
                for value in values {
                    if value == Val::NoValue {
                        continue;
                    }
                    if !first {
                        out.extend(delimiter.clone());
                    }
                    first = false;
                    out.extend(value.pattern());
                }
                Val::Str(out)
            }
            "Fn::Select" => {
                let items = arg.items();
                if items.len() != 2 {
                    return self.malformed(line, "Fn::Select");
                }
                let index = self.string(&items[0], origins, depth).as_exact().and_then(|s| s.trim().parse::<usize>().ok());
                let values = self.list(&items[1], origins, depth);
                match (index, values) {
                    (Some(i), Some(values)) => match values.into_iter().nth(i) {
                        Some(v) => v,
                        None => {
                            self.warn(line, format!("Fn::Select: index {i} is past the end of the list"));
                            Val::Unknown
                        }
                    },
                    _ => Val::Unknown,
                }
            }
            "Fn::Split" => {
                let items = arg.items();
                if items.len() != 2 {
                    return self.malformed(line, "Fn::Split");
                }
                let delimiter = self.string(&items[0], origins, depth).as_exact();
                let source = self.string(&items[1], origins, depth).as_exact();
                match (delimiter, source) {
                    (Some(d), Some(s)) if !d.is_empty() => Val::List(s.split(d.as_str()).map(|p| Val::Str(Pattern::literal(p))).collect()),
                    _ => Val::Unknown,
                }
            }
            "Fn::If" => {
                let items = arg.items();
                if items.len() != 3 {
                    return self.malformed(line, "Fn::If");
                }
                let a = self.eval_at(&items[1], origins, depth);
                let b = self.eval_at(&items[2], origins, depth);
                merge_vals(a, b)
            }
            "Fn::FindInMap" => {
                let items = arg.items();
                if items.len() < 3 {
                    return self.malformed(line, "Fn::FindInMap");
                }
                let keys: Vec<Option<String>> = items[..3].iter().map(|n| self.string(n, origins, depth).as_exact()).collect();
                let Some(mappings) = self.template.mappings.clone() else {
                    self.warn(line, "Fn::FindInMap: the template has no Mappings".into());
                    return Val::Unknown;
                };
                self.find_in_map(&mappings, &keys, line, origins, depth)
            }
            _ if KNOWN_UNKNOWABLE.contains(&name) => Val::Unknown,
            "Fn::Transform" => {
                let macro_name = arg.get("Name").and_then(Node::as_str).unwrap_or("a macro");
                self.warn(line, format!("!Transform ({macro_name}) is not applied; its value is unknown"));
                Val::Unknown
            }
            _ => {
                let short = name.strip_prefix("Fn::").unwrap_or(name);
                self.warn(line, format!("!{short} ({name}) is not an intrinsic function iamlens reads; its value is unknown"));
                Val::Unknown
            }
        }
    }

    fn malformed(&mut self, line: usize, name: &str) -> Val {
        self.warn(line, format!("{name} is malformed; its value is unknown"));
        Val::Unknown
    }

    /// Every candidate of the mapping when a key is not known.
    fn find_in_map(&mut self, mappings: &Node, keys: &[Option<String>], line: usize, origins: &mut Origins, depth: usize) -> Val {
        let mut level: Vec<&Node> = vec![mappings];
        for key in keys {
            let mut next = Vec::new();
            for node in level {
                match key {
                    Some(k) => next.extend(node.get(k)),
                    None => next.extend(node.entries().iter().map(|e| &e.value)),
                }
            }
            level = next;
        }
        let mut result: Option<Val> = None;
        for node in level {
            let v = self.eval_at(node, origins, depth);
            result = Some(match result {
                None => v,
                Some(prev) => merge_vals(prev, v),
            });
        }
        result.unwrap_or_else(|| {
            if keys.iter().all(Option::is_some) {
                self.warn(line, "Fn::FindInMap: the Mappings have no such entry".into());
            }
            Val::Unknown
        })
    }

    /// `${Name}`, `${Res.Attr}`, `${!Literal}` in a `Fn::Sub` string.
    fn substitute(&mut self, text: &str, bound: &HashMap<String, Pattern>, line: usize, origins: &mut Origins) -> Pattern {
        let mut out = Pattern::default();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push(Part::Literal(rest[..start].to_string()));
            let after = &rest[start + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                out.push(Part::Literal("${".into()));
                rest = literal;
                continue;
            }
            let Some(end) = after.find('}') else {
                out.push(Part::Literal(rest[start..].to_string()));
                rest = "";
                break;
            };
            let name = after[..end].trim();
            rest = &after[end + 1..];
            if let Some(value) = bound.get(name) {
                out.extend(value.clone());
            } else if name.starts_with("AWS::") || !name.contains('.') {
                out.extend(self.reference(name, line, origins).pattern());
            } else {
                let (id, attribute) = name.split_once('.').unwrap_or((name, ""));
                out.extend(self.get_att(id, Some(attribute), line, origins).pattern());
            }
        }
        out.push(Part::Literal(rest.to_string()));
        out
    }

    /// `Ref target`: a pseudo parameter, a parameter or a resource.
    pub fn reference(&mut self, target: &str, line: usize, origins: &mut Origins) -> Val {
        let env = &self.env;
        let pseudo = match target {
            "AWS::Region" => Some(env.region()),
            "AWS::AccountId" => Some(env.account()),
            "AWS::StackName" => Some(env.stack_name.as_deref().map(Pattern::literal).unwrap_or_else(Pattern::unknown)),
            "AWS::Partition" => Some(Pattern::literal(env.partition())),
            "AWS::URLSuffix" => Some(Pattern::literal(env.url_suffix())),
            "AWS::StackId" | "AWS::NotificationARNs" => Some(Pattern::unknown()),
            "AWS::NoValue" => return Val::NoValue,
            _ => None,
        };
        if let Some(p) = pseudo {
            return Val::Str(p);
        }
        if let Some(value) = self.template.parameters.get(target) {
            return value.clone();
        }
        let Some(decl) = self.template.resource(target) else {
            self.warn(line, format!("Ref to {target}, which the template does not declare; its value is unknown"));
            return Val::Unknown;
        };
        origins.insert(target.to_string());
        let Some(info) = type_info(&decl.resource_type) else { return Val::Str(Pattern::unknown()) };
        let name = self.physical_name(target);
        Val::Str(self.returns(target, info.reference, &name))
    }

    /// `Fn::GetAtt id.attribute`.
    pub fn get_att(&mut self, id: &str, attribute: Option<&str>, line: usize, origins: &mut Origins) -> Val {
        let Some(decl) = self.template.resource(id) else {
            self.warn(line, format!("Fn::GetAtt of {id}, which the template does not declare; its value is unknown"));
            return Val::Unknown;
        };
        origins.insert(id.to_string());
        let info = type_info(&decl.resource_type);
        match (info, attribute.and_then(|a| info.and_then(|i| i.attribute(a)))) {
            (Some(_), Some(returns)) => {
                let name = if matches!(returns, Returns::Unknown) { Pattern::unknown() } else { self.physical_name(id) };
                Val::Str(self.returns(id, returns, &name))
            }
            _ => Val::Str(Pattern::unknown()),
        }
    }

    /// What `Ref` or an attribute of resource `id` returns.
    fn returns(&mut self, id: &str, returns: Returns, name: &Pattern) -> Pattern {
        let Some(decl) = self.template.resource(id) else { return Pattern::unknown() };
        let Some(info) = type_info(&decl.resource_type) else { return Pattern::unknown() };
        match returns {
            Returns::Arn => self.arn(id).unwrap_or_else(Pattern::unknown),
            other => info.returns(other, &self.env, name),
        }
    }

    /// The ARN of resource `id`, when its type has one.
    pub fn arn(&mut self, id: &str) -> Option<Pattern> {
        let decl = self.template.resource(id)?;
        let info = type_info(&decl.resource_type)?;
        let arn = info.arn?;
        let name = self.physical_name(id);
        if decl.resource_type == "AWS::IAM::Role" {
            // `Path: /service/` → `role/service/<name>`.
            if let Some(path) = decl.prop("Path").cloned() {
                let mut with_path = match self.eval(&path, &mut Origins::new()).pattern().as_exact() {
                    Some(p) => Pattern::literal(p.trim_start_matches('/')),
                    None => Pattern::unknown(),
                };
                with_path.extend(name);
                return Some(arn(&self.env, &with_path));
            }
        }
        Some(arn(&self.env, &name))
    }

    /// The physical name of resource `id` (explicit or generated); unknown for
    /// types without one.
    pub fn physical_name(&mut self, id: &str) -> Pattern {
        if let Some(name) = self.names.get(id) {
            return name.clone();
        }
        let Some(decl) = self.template.resource(id) else { return Pattern::unknown() };
        let Some(info) = type_info(&decl.resource_type) else { return Pattern::unknown() };
        if let Some(start) = self.resolving.iter().position(|r| r == id) {
            let mut chain = self.resolving[start..].to_vec();
            self.cyclic.extend(chain.iter().cloned());
            chain.push(id.to_string());
            let line = decl.line;
            self.warn(line, format!("cyclic reference {}; their names are unknown", chain.join(" → ")));
            return Pattern::unknown();
        }
        let name = match info.name_property.and_then(|p| decl.prop(p)) {
            Some(node) => {
                let node = node.clone();
                self.resolving.push(id.to_string());
                let value = self.eval(&node, &mut Origins::new());
                self.resolving.pop();
                match value {
                    _ if self.cyclic.contains(id) => Pattern::unknown(),
                    Val::NoValue => self.generated(id),
                    other => other.pattern(),
                }
            }
            None if info.name_property.is_some() => self.generated(id),
            None => Pattern::unknown(),
        };
        self.names.insert(id.to_string(), name.clone());
        name
    }

    fn generated(&mut self, id: &str) -> Pattern {
        let Some(decl) = self.template.resource(id) else { return Pattern::unknown() };
        let Some(info) = type_info(&decl.resource_type) else { return Pattern::unknown() };
        let fifo = match decl.resource_type.as_str() {
            "AWS::SQS::Queue" => decl.prop("FifoQueue"),
            "AWS::SNS::Topic" => decl.prop("FifoTopic"),
            _ => None,
        };
        // `.fifo` is known when the flag is plainly true; an intrinsic flag may
        // still add it, and it counts against the name's length limit.
        let (suffix, reserve) = match fifo {
            Some(flag) if flag.is_true() => (".fifo", 0),
            Some(flag) if flag.as_str().is_some() || flag.is_null() => ("", 0),
            Some(_) => ("", ".fifo".len()),
            None => ("", 0),
        };
        generated_name(info.generated, &self.env, id, suffix, reserve)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(parts: &[Option<&str>]) -> Pattern {
        Pattern(parts.iter().map(|p| p.map(|s| Part::Literal(s.into())).unwrap_or(Part::Unknown)).collect())
    }

    #[test]
    fn merging_keeps_common_prefix_and_suffix() {
        assert_eq!(merge_patterns(&p(&[Some("orders-prod")]), &p(&[Some("orders-dev")])).display(), "orders-*");
        assert_eq!(merge_patterns(&p(&[Some("a-x-z")]), &p(&[Some("a-y-z")])).display(), "a-*-z");
        assert_eq!(merge_patterns(&p(&[Some("ab")]), &p(&[Some("abab")])).display(), "ab*");
        assert_eq!(merge_patterns(&p(&[Some("same")]), &p(&[Some("same")])).display(), "same");
        assert_eq!(merge_patterns(&p(&[Some("x"), None]), &p(&[Some("xy")])).display(), "x*");
        assert_eq!(merge_patterns(&p(&[None, Some("-t")]), &p(&[Some("q-t")])).display(), "*-t");
    }
}
