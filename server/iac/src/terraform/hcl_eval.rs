//! Evaluating Terraform expressions as far as the configuration knows them.
//!
//! A [`Value`] is what an expression is known to be: strings are
//! [`Pattern`]s whose unknown parts stand for anything Terraform learns only
//! at plan or apply time. Evaluation never fails: what is not understood is
//! [`Value::Unknown`]. Depth is bounded and locals / resource attributes are
//! guarded against cycles, so no configuration hangs or overflows the stack.

use super::tf_names::{self, Env};
use crate::model::{Part, Pattern, ResourceRef};
use hcl_edit::expr::{BinaryOperator, Expression, FuncCall, ObjectKey, Traversal, TraversalOperator, UnaryOperator};
use hcl_edit::structure::Block;
use hcl_edit::template::Element;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};

const MAX_DEPTH: u32 = 64;
/// Bytes of strings plus elements of collections in one value.
const MAX_SIZE: usize = 1 << 20;

/// What an expression is known to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A string (numbers too, as Terraform converts them); the resource it
    /// is an attribute of, when it is exactly one resource's attribute.
    Str(Pattern, Option<ResourceRef>),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Unknown,
}

impl Value {
    pub fn literal(s: impl Into<String>) -> Value {
        Value::Str(Pattern::literal(s), None)
    }
    /// The value as a string pattern: non-strings are not known as strings.
    pub fn pattern(&self) -> Pattern {
        match self {
            Value::Str(p, _) if p.0.is_empty() => Pattern::literal(""),
            Value::Str(p, _) => p.clone(),
            Value::Bool(b) => Pattern::literal(b.to_string()),
            _ => Pattern::unknown(),
        }
    }
    pub fn exact(&self) -> Option<String> {
        match self {
            Value::Str(p, _) => p.as_exact(),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    pub fn origin(&self) -> Option<&ResourceRef> {
        match self {
            Value::Str(_, origin) => origin.as_ref(),
            _ => None,
        }
    }
    fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Str(..) => match self.exact().as_deref() {
                Some("true") => Some(true),
                Some("false") => Some(false),
                _ => None,
            },
            _ => None,
        }
    }
    fn as_index(&self) -> Option<usize> {
        self.exact()?.parse().ok()
    }
    /// Whether the value is larger than `budget` (string bytes plus elements); stops counting early.
    fn size_exceeds(&self, budget: usize) -> bool {
        fn walk(v: &Value, left: &mut usize) -> bool {
            let cost = match v {
                Value::Str(p, _) => p.0.iter().map(|part| if let Part::Literal(s) = part { s.len() } else { 1 }).sum(),
                Value::List(items) => items.len(),
                Value::Map(m) => m.keys().map(|k| k.len() + 1).sum(),
                _ => 1,
            };
            if cost > *left {
                return true;
            }
            *left -= cost;
            match v {
                Value::List(items) => items.iter().any(|x| walk(x, left)),
                Value::Map(m) => m.values().any(|x| walk(x, left)),
                _ => false,
            }
        }
        let mut left = budget;
        walk(self, &mut left)
    }
    fn without_origin(self) -> Value {
        match self {
            Value::Str(p, _) => Value::Str(p, None),
            v => v,
        }
    }
}

/// The narrowest single pattern covering both: equal patterns stay; else
/// the common literal prefix, an unknown part, and the common literal suffix.
pub fn join_patterns(a: &Pattern, b: &Pattern) -> Pattern {
    if a == b {
        return a.clone();
    }
    let lead = |p: &Pattern| match p.0.first() {
        Some(Part::Literal(s)) => s.clone(),
        _ => String::new(),
    };
    let trail = |p: &Pattern| match p.0.last() {
        Some(Part::Literal(s)) => s.clone(),
        _ => String::new(),
    };
    let (la, lb) = (lead(a), lead(b));
    let prefix: String = la.chars().zip(lb.chars()).take_while(|(x, y)| x == y).map(|(x, _)| x).collect();
    let (ta, tb) = (trail(a), trail(b));
    let mut suffix: Vec<char> = ta.chars().rev().zip(tb.chars().rev()).take_while(|(x, y)| x == y).map(|(x, _)| x).collect();
    // A literal pattern's prefix and suffix must not overlap.
    let room = |p: &Pattern| match p.as_exact() {
        Some(s) => s.chars().count().saturating_sub(prefix.chars().count()),
        None => usize::MAX,
    };
    suffix.truncate(room(a).min(room(b)));
    let mut out = Pattern::default();
    out.push(Part::Literal(prefix));
    out.push(Part::Unknown);
    out.push(Part::Literal(suffix.into_iter().rev().collect()));
    out
}

/// The narrowest value covering both.
pub fn join_values(a: Value, b: Value) -> Value {
    if a == b {
        return a;
    }
    match (&a, &b) {
        (Value::Str(..) | Value::Bool(_), Value::Str(..) | Value::Bool(_)) => {
            let origin = if a.origin() == b.origin() { a.origin().cloned() } else { None };
            Value::Str(join_patterns(&a.pattern(), &b.pattern()), origin)
        }
        (Value::Null, v) | (v, Value::Null) if matches!(v, Value::Str(..)) => Value::Str(join_patterns(&Pattern::literal(""), &v.pattern()), None),
        _ => Value::Unknown,
    }
}

/// The iteration a resource instance is evaluated in.
#[derive(Debug, Clone, Default)]
pub struct Iter {
    pub count_index: Option<Value>,
    pub each_key: Option<Value>,
    pub each_value: Option<Value>,
}

impl Iter {
    pub fn unknown() -> Iter {
        Iter { count_index: Some(Value::Unknown), each_key: Some(Value::Unknown), each_value: Some(Value::Unknown) }
    }
}

/// One instance of a resource, module call or data source.
#[derive(Debug, Clone)]
pub struct Instance {
    /// `""`, `[0]`, `["blue"]`, or `[*]` when the keys are not known.
    pub suffix: String,
    pub iter: Iter,
}

/// Everything an expression of one module may name.
pub struct Scope<'a> {
    /// `path.module`, relative to the root module (`.` for the root).
    pub path_module: String,
    /// `module.orders.` inside a child module, `""` in the root.
    pub prefix: String,
    pub variables: BTreeMap<String, Value>,
    pub locals: HashMap<String, &'a Expression>,
    pub resources: HashMap<(String, String), &'a Block>,
    pub data: HashMap<(String, String), &'a Block>,
    /// `module "x"` calls of the registry lambda module, whose outputs are known.
    pub lambda_modules: HashMap<String, &'a Block>,
    /// The outputs of local modules already read, by call name.
    pub module_outputs: RefCell<HashMap<String, Value>>,
    pub env: Env,
    active: RefCell<HashSet<String>>,
    cache: RefCell<HashMap<String, Value>>,
}

impl<'a> Scope<'a> {
    pub fn new(path_module: String, prefix: String, env: Env) -> Scope<'a> {
        Scope {
            path_module,
            prefix,
            variables: BTreeMap::new(),
            locals: HashMap::new(),
            resources: HashMap::new(),
            data: HashMap::new(),
            lambda_modules: HashMap::new(),
            module_outputs: RefCell::default(),
            env,
            active: RefCell::default(),
            cache: RefCell::default(),
        }
    }

    /// An expression with no references: a default, a `.tfvars` value.
    pub fn constant(e: &Expression) -> Value {
        Scope::new(".".into(), String::new(), Env::new(None, None)).eval(e, &Iter::default(), 0)
    }

    pub fn eval(&self, e: &Expression, it: &Iter, depth: u32) -> Value {
        let v = self.eval_inner(e, it, depth);
        // Values that double at each step (`"${local.a}${local.a}"`) would exhaust memory.
        if v.size_exceeds(MAX_SIZE) {
            Value::Unknown
        } else {
            v
        }
    }

    fn eval_inner(&self, e: &Expression, it: &Iter, depth: u32) -> Value {
        if depth > MAX_DEPTH {
            return Value::Unknown;
        }
        let d = depth + 1;
        match e {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(n) => Value::literal(n.value().to_string()),
            Expression::String(s) => Value::literal(s.value().clone()),
            Expression::Array(items) => Value::List(items.iter().map(|x| self.eval(x, it, d)).collect()),
            Expression::Object(obj) => {
                let mut out = BTreeMap::new();
                for (k, v) in obj.iter() {
                    let key = match k {
                        ObjectKey::Ident(id) => id.as_str().to_string(),
                        ObjectKey::Expression(k) => match self.eval(k, it, d).exact() {
                            Some(k) => k,
                            None => return Value::Unknown,
                        },
                    };
                    out.insert(key, self.eval(v.expr(), it, d));
                }
                Value::Map(out)
            }
            Expression::StringTemplate(t) => self.template(t.iter(), it, d),
            Expression::HeredocTemplate(h) => {
                let mut h = (**h).clone();
                if h.indent().is_some() {
                    h.dedent();
                }
                self.template(h.template.iter(), it, d)
            }
            Expression::Parenthesis(p) => self.eval(p.inner(), it, d),
            Expression::Variable(_) => Value::Unknown,
            Expression::Conditional(c) => match self.eval(&c.cond_expr, it, d).as_bool() {
                Some(true) => self.eval(&c.true_expr, it, d),
                Some(false) => self.eval(&c.false_expr, it, d),
                None => join_values(self.eval(&c.true_expr, it, d), self.eval(&c.false_expr, it, d)),
            },
            Expression::FuncCall(f) => self.func(f, it, d),
            Expression::Traversal(t) => self.traversal(t, it, d),
            Expression::UnaryOp(op) => match (op.operator.value(), self.eval(&op.expr, it, d).as_bool()) {
                (UnaryOperator::Not, Some(b)) => Value::Bool(!b),
                _ => Value::Unknown,
            },
            Expression::BinaryOp(op) => {
                let l = self.eval(&op.lhs_expr, it, d);
                let r = self.eval(&op.rhs_expr, it, d);
                match op.operator.value() {
                    BinaryOperator::Eq | BinaryOperator::NotEq => {
                        let eq = match (&l, &r) {
                            (Value::Null, Value::Null) => Some(true),
                            // Terraform compares types too (`"true" == true` is false), and a
                            // string here may be a `-var` for a bool variable: not known.
                            (Value::Bool(_), Value::Str(..)) | (Value::Str(..), Value::Bool(_)) => None,
                            (Value::Null, v) | (v, Value::Null) if v.exact().is_some() => Some(false),
                            _ => match (l.exact(), r.exact()) {
                                (Some(a), Some(b)) => Some(a == b),
                                _ => None,
                            },
                        };
                        match eq {
                            Some(eq) => Value::Bool(eq == (*op.operator.value() == BinaryOperator::Eq)),
                            None => Value::Unknown,
                        }
                    }
                    BinaryOperator::And => match (l.as_bool(), r.as_bool()) {
                        (Some(false), _) | (_, Some(false)) => Value::Bool(false),
                        (Some(true), Some(true)) => Value::Bool(true),
                        _ => Value::Unknown,
                    },
                    BinaryOperator::Or => match (l.as_bool(), r.as_bool()) {
                        (Some(true), _) | (_, Some(true)) => Value::Bool(true),
                        (Some(false), Some(false)) => Value::Bool(false),
                        _ => Value::Unknown,
                    },
                    BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Mul => {
                        match (l.exact().and_then(|x| x.parse::<i64>().ok()), r.exact().and_then(|x| x.parse::<i64>().ok())) {
                            (Some(a), Some(b)) => {
                                let v = match op.operator.value() {
                                    BinaryOperator::Plus => a.checked_add(b),
                                    BinaryOperator::Minus => a.checked_sub(b),
                                    _ => a.checked_mul(b),
                                };
                                v.map(|v| Value::literal(v.to_string())).unwrap_or(Value::Unknown)
                            }
                            _ => Value::Unknown,
                        }
                    }
                    _ => Value::Unknown,
                }
            }
            Expression::ForExpr(_) => Value::Unknown,
        }
    }

    fn template<'t>(&self, elements: impl Iterator<Item = &'t Element>, it: &Iter, depth: u32) -> Value {
        let elements: Vec<&Element> = elements.collect();
        if let [Element::Interpolation(i)] = elements.as_slice() {
            // `"${x}"` is `x`, unconverted, as in Terraform.
            return self.eval(&i.expr, it, depth);
        }
        let mut out = Pattern::default();
        for element in elements {
            match element {
                Element::Literal(s) => out.push(Part::Literal(s.value().clone())),
                Element::Interpolation(i) => out.extend(self.eval(&i.expr, it, depth).pattern()),
                Element::Directive(_) => out.push(Part::Unknown),
            }
        }
        Value::Str(out, None)
    }

    fn traversal(&self, t: &Traversal, it: &Iter, depth: u32) -> Value {
        let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
        let Expression::Variable(root) = &t.expr else {
            let v = self.eval(&t.expr, it, depth);
            return self.apply(v, &ops, it, depth);
        };
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.as_str()),
            _ => None,
        };
        let (value, used) = match (root.as_str(), attr(0)) {
            ("var", Some(name)) => (self.variables.get(name).cloned().unwrap_or(Value::Unknown), 1),
            ("local", Some(name)) => (self.local(name, depth), 1),
            ("path", Some("module")) => (Value::literal(self.path_module.clone()), 1),
            ("path", Some("root" | "cwd")) => (Value::literal("."), 1),
            ("count", Some("index")) => (it.count_index.clone().unwrap_or(Value::Unknown), 1),
            ("each", Some("key")) => (it.each_key.clone().unwrap_or(Value::Unknown), 1),
            ("each", Some("value")) => (it.each_value.clone().unwrap_or(Value::Unknown), 1),
            ("data", Some(ty)) => match attr(1) {
                Some(name) => return self.resource_attr(true, ty, name, &ops[2..], it, depth),
                None => return Value::Unknown,
            },
            ("module", Some(name)) => match (self.lambda_modules.get(name), attr(1)) {
                (Some(call), Some(output)) => (self.lambda_module_output(name, call, output, depth), 2),
                (Some(_), _) => return Value::Unknown,
                (None, _) => (self.module_outputs.borrow().get(name).cloned().unwrap_or(Value::Unknown), 1),
            },
            (ty, Some(name)) if self.resources.contains_key(&(ty.to_string(), name.to_string())) => {
                return self.resource_attr(false, ty, name, &ops[1..], it, depth);
            }
            _ => return Value::Unknown,
        };
        self.apply(value, &ops[used..], it, depth)
    }

    /// `value.attr`, `value[key]`, ...
    fn apply(&self, mut value: Value, ops: &[&TraversalOperator], it: &Iter, depth: u32) -> Value {
        for op in ops {
            value = match (op, value) {
                (TraversalOperator::GetAttr(a), Value::Map(mut m)) => m.remove(a.as_str()).unwrap_or(Value::Unknown),
                (TraversalOperator::Index(e), v) => match (v, self.eval(e, it, depth + 1)) {
                    (Value::Map(mut m), k) => k.exact().and_then(|k| m.remove(&k)).unwrap_or(Value::Unknown),
                    (Value::List(mut l), k) => match k.as_index() {
                        Some(i) if i < l.len() => l.swap_remove(i),
                        _ => Value::Unknown,
                    },
                    _ => Value::Unknown,
                },
                (TraversalOperator::LegacyIndex(i), Value::List(mut l)) if (*i.value() as usize) < l.len() => l.swap_remove(*i.value() as usize),
                _ => Value::Unknown,
            };
        }
        value
    }

    /// `module.notifier.lambda_function_name` / `lambda_function_arn` of `terraform-aws-modules/lambda/aws`.
    fn lambda_module_output(&self, name: &str, call: &Block, output: &str, depth: u32) -> Value {
        let attr = match output {
            "lambda_function_name" => "function_name",
            "lambda_function_arn" => "arn",
            _ => return Value::Unknown,
        };
        let args = |arg: &str| self.arg(call, arg, &Iter::default(), depth);
        match tf_names::attribute("aws_lambda_function", attr, &args, &self.env_of(call), false) {
            Value::Str(p, _) => Value::Str(
                p,
                Some(ResourceRef {
                    id: format!("{}module.{name}.aws_lambda_function.this[0]", self.prefix),
                    resource_type: "aws_lambda_function".into(),
                }),
            ),
            _ => Value::Unknown,
        }
    }

    /// Forget what was evaluated: new knowledge (a module's outputs) arrived.
    pub fn clear_cache(&self) {
        self.cache.borrow_mut().clear();
    }

    fn local(&self, name: &str, depth: u32) -> Value {
        let key = format!("local.{name}");
        if let Some(v) = self.cache.borrow().get(&key) {
            return v.clone();
        }
        let Some(e) = self.locals.get(name) else { return Value::Unknown };
        if !self.active.borrow_mut().insert(key.clone()) {
            return Value::Unknown; // a cycle
        }
        let v = self.eval(e, &Iter::default(), depth);
        self.active.borrow_mut().remove(&key);
        self.cache.borrow_mut().insert(key, v.clone());
        v
    }

    /// The instances of a block with `count` or `for_each`, as far as known.
    pub fn instances(&self, block: &Block, depth: u32) -> Vec<Instance> {
        if let Some(count) = block.body.get_attribute("count") {
            return match self.eval(&count.value, &Iter::default(), depth).as_index() {
                Some(n) if n <= 64 => (0..n)
                    .map(|i| Instance {
                        suffix: format!("[{i}]"),
                        iter: Iter { count_index: Some(Value::literal(i.to_string())), ..Iter::default() },
                    })
                    .collect(),
                _ => vec![Instance { suffix: "[*]".into(), iter: Iter::unknown() }],
            };
        }
        if let Some(for_each) = block.body.get_attribute("for_each") {
            let pairs: Option<Vec<(String, Value)>> = match self.eval(&for_each.value, &Iter::default(), depth) {
                Value::Map(m) if !m.contains_key(MORE_KEYS) => Some(m.into_iter().collect()),
                Value::List(l) => l.into_iter().map(|v| v.exact().map(|k| (k.clone(), Value::literal(k)))).collect(),
                _ => None,
            };
            return match pairs {
                Some(pairs) if pairs.len() <= 64 => pairs
                    .into_iter()
                    .map(|(k, v)| Instance {
                        suffix: format!("[{}]", serde_json::Value::String(k.clone())),
                        iter: Iter { each_key: Some(Value::literal(k)), each_value: Some(v), count_index: None },
                    })
                    .collect(),
                _ => vec![Instance { suffix: "[*]".into(), iter: Iter::unknown() }],
            };
        }
        vec![Instance { suffix: String::new(), iter: Iter::default() }]
    }

    /// The instance `block[key]` names.
    fn instance_for(&self, block: &Block, key: &Value, depth: u32) -> Instance {
        let unknown = Instance { suffix: "[*]".into(), iter: Iter::unknown() };
        if block.body.has_attribute("count") {
            return match key.as_index() {
                Some(i) => Instance { suffix: format!("[{i}]"), iter: Iter { count_index: Some(Value::literal(i.to_string())), ..Iter::default() } },
                None => unknown,
            };
        }
        let Some(k) = key.exact() else { return unknown };
        let value =
            self.instances(block, depth).into_iter().find(|i| i.iter.each_key.as_ref().and_then(|v| v.exact()).as_deref() == Some(k.as_str()));
        let each_value = value.and_then(|i| i.iter.each_value).unwrap_or(Value::Unknown);
        Instance {
            suffix: format!("[{}]", serde_json::Value::String(k.clone())),
            iter: Iter { each_key: Some(Value::literal(k)), each_value: Some(each_value), count_index: None },
        }
    }

    /// An argument of a block, evaluated in one of its instances.
    pub fn arg(&self, block: &Block, name: &str, it: &Iter, depth: u32) -> Option<Value> {
        block.body.get_attribute(name).map(|a| self.eval(&a.value, it, depth + 1))
    }

    /// The partition, region and account a resource lives in.
    pub fn env_of(&self, block: &Block) -> Env {
        // AWS provider v6: a resource's own `region` argument.
        if let Some(region) = block.body.get_attribute("region") {
            return match self.eval(&region.value, &Iter::default(), 0).exact() {
                Some(r) => self.env.with_region(&r),
                None => self.env.without_region(),
            };
        }
        if block.body.has_attribute("provider") || block.body.has_attribute("providers") {
            self.env.without_region()
        } else {
            self.env.clone()
        }
    }

    /// `aws_sqs_queue.jobs.url`, `data.aws_region.current.name`, with the
    /// operators after the resource name.
    fn resource_attr(&self, data: bool, ty: &str, name: &str, ops: &[&TraversalOperator], it: &Iter, depth: u32) -> Value {
        let key = (ty.to_string(), name.to_string());
        let Some(block) = (if data { self.data.get(&key) } else { self.resources.get(&key) }).copied() else {
            return Value::Unknown;
        };
        let repeated = block.body.has_attribute("count") || block.body.has_attribute("for_each");
        let (instance, ops) = if repeated {
            let key = match ops.first() {
                Some(TraversalOperator::Index(e)) => self.eval(e, it, depth + 1),
                Some(TraversalOperator::LegacyIndex(i)) => Value::literal(i.value().to_string()),
                _ => return Value::Unknown, // the whole list or map of instances
            };
            (self.instance_for(block, &key, depth), &ops[1..])
        } else {
            (Instance { suffix: String::new(), iter: Iter::default() }, ops)
        };
        let Some(TraversalOperator::GetAttr(attr)) = ops.first() else { return Value::Unknown };
        let address = format!("{}{}{ty}.{name}{}", self.prefix, if data { "data." } else { "" }, instance.suffix);
        let cache_key = format!("{address}.{}", attr.as_str());
        let cached = self.cache.borrow().get(&cache_key).cloned();
        let value = match cached {
            Some(v) => v,
            None => {
                if !self.active.borrow_mut().insert(cache_key.clone()) {
                    return Value::Unknown; // a cycle
                }
                let v = self.attribute_of(data, ty, block, attr.as_str(), &instance.iter, depth);
                self.active.borrow_mut().remove(&cache_key);
                let v = match v {
                    Value::Str(p, _) if !ty.starts_with("archive") && ty != "aws_region" && ty != "aws_caller_identity" && ty != "aws_partition" => {
                        let id = if instance.suffix == "[*]" { address.trim_end_matches("[*]").to_string() } else { address.clone() };
                        Value::Str(p, Some(ResourceRef { id, resource_type: ty.to_string() }))
                    }
                    v => v.without_origin(),
                };
                self.cache.borrow_mut().insert(cache_key, v.clone());
                v
            }
        };
        self.apply(value, &ops[1..], it, depth)
    }

    fn attribute_of(&self, data: bool, ty: &str, block: &Block, attr: &str, it: &Iter, depth: u32) -> Value {
        let env = self.env_of(block);
        if data {
            match (ty, attr) {
                // `data "aws_region" "x" { name = "us-east-1" }` names its region (`region` since v6).
                ("aws_region", "name" | "id" | "region") => {
                    return ["region", "name"].iter().find_map(|a| self.arg(block, a, it, depth)).unwrap_or(Value::Str(env.region, None));
                }
                ("aws_caller_identity", "account_id" | "id") => return Value::Str(env.account, None),
                ("aws_partition", "partition" | "id") => return Value::Str(env.partition, None),
                ("archive_file", "output_path") => return self.arg(block, attr, it, depth).unwrap_or(Value::Unknown),
                _ if tf_names::type_info(ty).is_none() => return Value::Unknown,
                _ => {}
            }
        }
        let args = |arg: &str| self.arg(block, arg, it, depth);
        tf_names::attribute(ty, attr, &args, &env, data)
    }

    fn func(&self, f: &FuncCall, it: &Iter, depth: u32) -> Value {
        if f.name.is_namespaced() {
            return Value::Unknown;
        }
        let args: Vec<Value> = f.args.iter().map(|a| self.eval(a, it, depth)).collect();
        if f.args.expand_final() {
            return Value::Unknown;
        }
        call(f.name.name.as_str(), args)
    }
}

/// A Terraform built-in function on known arguments.
fn call(name: &str, mut args: Vec<Value>) -> Value {
    let exact = |v: &Value| v.exact();
    let map_literals = |v: &Value, f: &dyn Fn(&str) -> String| match v {
        Value::Str(p, _) => Value::Str(
            Pattern(
                p.0.iter()
                    .map(|part| match part {
                        Part::Literal(s) => Part::Literal(f(s)),
                        Part::Unknown => Part::Unknown,
                    })
                    .collect(),
            ),
            None,
        ),
        _ => Value::Unknown,
    };
    match (name, args.as_slice()) {
        ("lower", [v]) => map_literals(v, &|s| s.to_lowercase()),
        ("upper", [v]) => map_literals(v, &|s| s.to_uppercase()),
        ("tostring", [v @ (Value::Str(..) | Value::Bool(_))]) => Value::Str(v.pattern(), v.origin().cloned()),
        ("trimspace", [v]) => exact(v).map(|s| Value::literal(s.trim())).unwrap_or(Value::Unknown),
        ("trimprefix", [s, p]) => match (exact(s), exact(p)) {
            (Some(s), Some(p)) => Value::literal(s.strip_prefix(p.as_str()).unwrap_or(&s)),
            _ => Value::Unknown,
        },
        ("trimsuffix", [s, p]) => match (exact(s), exact(p)) {
            (Some(s), Some(p)) => Value::literal(s.strip_suffix(p.as_str()).unwrap_or(&s)),
            _ => Value::Unknown,
        },
        ("replace", [s, sub, rep]) => match (exact(s), exact(sub), exact(rep)) {
            (Some(s), Some(sub), Some(rep)) if !(sub.is_empty() || sub.len() > 1 && sub.starts_with('/') && sub.ends_with('/')) => {
                Value::literal(s.replace(&sub, &rep))
            }
            _ => Value::Unknown,
        },
        ("format", [fmt, rest @ ..]) => exact(fmt).map(|f| format(&f, rest)).unwrap_or(Value::Unknown),
        ("join", [sep, Value::List(items)]) => match exact(sep) {
            Some(sep) => {
                let mut out = Pattern::default();
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(Part::Literal(sep.clone()));
                    }
                    out.extend(item.pattern());
                }
                Value::Str(out, None)
            }
            None => Value::Unknown,
        },
        ("toset", [Value::List(items)]) => {
            let mut items = items.clone();
            if items.iter().all(|v| v.exact().is_some()) {
                items.sort_by_key(|v| v.exact());
                items.dedup_by_key(|v| v.exact());
                Value::List(items)
            } else {
                Value::Unknown // the order of a set of unknowns is not known
            }
        }
        ("concat", lists) => {
            let mut out = Vec::new();
            for l in lists {
                match l {
                    Value::List(items) => out.extend(items.iter().cloned()),
                    _ => return Value::Unknown,
                }
            }
            Value::List(out)
        }
        ("merge", maps) => {
            // Keys after the last unknown argument are sure; earlier ones may be overridden.
            let mut out = BTreeMap::new();
            for m in maps {
                match m {
                    Value::Map(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
                    Value::Null => {}
                    _ => {
                        for v in out.values_mut() {
                            *v = Value::Unknown;
                        }
                        out.insert(MORE_KEYS.to_string(), Value::Unknown);
                    }
                }
            }
            Value::Map(out)
        }
        ("lookup", [Value::Map(m), k, rest @ ..]) if rest.len() <= 1 => match exact(k) {
            Some(k) => m.get(&k).cloned().or_else(|| rest.first().cloned()).unwrap_or(Value::Unknown),
            None => Value::Unknown,
        },
        ("coalesce", _) => {
            args.retain(|v| !matches!(v, Value::Null) && v.exact().as_deref() != Some(""));
            match args.first() {
                Some(first) if first.exact().is_some() => first.clone(),
                _ => args.into_iter().reduce(join_values).unwrap_or(Value::Unknown),
            }
        }
        ("try", _) => match args.first() {
            Some(first) if first.exact().is_some() => first.clone(),
            _ => args.into_iter().reduce(join_values).unwrap_or(Value::Unknown),
        },
        _ => Value::Unknown,
    }
}

/// A map key meaning "and keys that are not known": `merge(var.extra, {...})`.
pub const MORE_KEYS: &str = "\u{0}more";

/// `format` with `%s`, `%d`, `%v` and `%%`; other verbs are not known.
fn format(fmt: &str, args: &[Value]) -> Value {
    let mut out = Pattern::default();
    let mut args = args.iter();
    let mut chars = fmt.chars().peekable();
    let mut lit = String::new();
    while let Some(c) = chars.next() {
        if c != '%' {
            lit.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => lit.push('%'),
            Some('s' | 'd' | 'v') => {
                out.push(Part::Literal(std::mem::take(&mut lit)));
                match args.next() {
                    Some(v) => out.extend(v.pattern()),
                    None => return Value::Unknown,
                }
            }
            _ => return Value::Unknown,
        }
    }
    out.push(Part::Literal(lit));
    Value::Str(out, None)
}
