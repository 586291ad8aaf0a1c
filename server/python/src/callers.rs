//! Parameters bound from the calls of their function: a helper handed a
//! client (`describe(boto3.client("rds"), "x")`, `Store(table, sqs)`) calls
//! that client's service. Call sites in this file are read here, each
//! argument as its caller sees it (module bindings, else the calling
//! function's locals); other modules' call sites arrive through the project
//! index as [`ArgFact`]s, which [`Analyzer::arg_facts_of_file`] computes
//! when a module is indexed. Above `walker`; used by its parameter binding.

use super::analyzer::{Analyzer, Eval};
use super::imports;
use super::project_view::ArgFact;
use super::scope::{DefInfo, Env, Frame, FrameKind};
use super::symbols::{Svc, Sym};
use super::syntax::{named_children, text, CallArgs, FieldExt};
use super::walker::Mode;
use iamlens_engine::model::Confidence;
use std::collections::HashMap;
use std::rc::Rc;
use tree_sitter::Node;

/// What callers call a definition by: its name (a module-level function, or
/// a class whose `__init__` it is), or `Class.method` (a static or class
/// method, whose calls are read from other modules only).
pub(super) enum Callee<'a> {
    Name(&'a str),
    Method(String),
}

/// A function's local bindings at the end of its body.
pub type Locals<'a> = Rc<HashMap<&'a str, Sym>>;

/// Names bound by imports of non-SDK modules: name → (module, member).
pub type ImportedNames<'a> = HashMap<&'a str, (String, Option<&'a str>)>;

impl<'a> Analyzer<'a> {
    /// A parameter of a module-level function, or of a module-level class's
    /// `__init__`, from what its calls pass (in this file and in the modules
    /// that import it), or of its static and class methods (from the modules
    /// that import the class): the one client, resource, instance of a class of this
    /// file or dict of clients they agree on; a client of each service when
    /// they pass clients of several. A caller passing anything else AWS-like
    /// leaves it unknown. The result depends on other definitions' text, so it
    /// is never reused.
    pub(super) fn param_from_callers(&self, def: Node<'a>, index: usize, name: &str) -> Option<Sym> {
        let (callee, position) = self.callee_of(def, index)?;
        let body = def.field("body")?;
        if !mentions_word(text(body, self.src), name) {
            return None;
        }
        let mut found = SingleService::default();
        let (callee, same_file) = match &callee {
            Callee::Name(name) => (*name, true),
            Callee::Method(qualified) => (qualified.as_str(), false),
        };
        if same_file && (self.imports_sdk || self.project_uses_sdk) {
            // A constructor is also called as `cls(...)` in the class's own classmethods.
            let class = (position != index).then(|| def.parent().and_then(|b| b.parent())).flatten();
            let by_cls = class.map(|c| self.calls_named(def, "cls").into_iter().filter(move |call| c.byte_range().contains(&call.start_byte())));
            for call in self.calls_named(def, callee).into_iter().chain(by_cls.into_iter().flatten()) {
                let args = CallArgs::of(call);
                let Some(arg) = args.get(position, name, self.src) else { continue };
                found.add(self.caller_arg(call, arg))?;
            }
        }
        if let Some(module) = self.module {
            for fact in self.index.arg_facts(module, callee) {
                if fact.binds(position, name) {
                    found.add(fact.sym)?;
                }
            }
        }
        let sym = found.agreed()?;
        self.order_sensitive.set(true);
        Some(sym.with_confidence_at_most(Confidence::Medium))
    }

    /// The name callers call `def` by and the argument position of its
    /// parameter `index`: a module-level function, or `__init__` of a
    /// module-level class (called by the class's name, without `self`).
    fn callee_of(&self, def: Node<'a>, index: usize) -> Option<(Callee<'a>, usize)> {
        let parent = def.parent()?;
        let holder = if parent.kind() == "decorated_definition" { parent.parent()? } else { parent };
        if holder.kind() == "module" {
            return Some((Callee::Name(text(def.field("name")?, self.src)), index));
        }
        if holder.kind() != "block" {
            return None;
        }
        let class = holder.parent().filter(|c| c.kind() == "class_definition")?;
        let outer = class.parent()?;
        let outer = if outer.kind() == "decorated_definition" { outer.parent()? } else { outer };
        if outer.kind() != "module" {
            return None;
        }
        let class_name = text(class.field("name")?, self.src);
        let method = text(def.field("name")?, self.src);
        if method == "__init__" {
            return (index > 0).then(|| (Callee::Name(class_name), index - 1));
        }
        // `Class.method(...)` of a static or class method: other modules' calls are indexed so.
        let info = self.def_info.borrow().get(&def.start_byte()).copied()?;
        let position = if info.is_static {
            index
        } else if info.is_classmethod {
            index.checked_sub(1)?
        } else {
            return None;
        };
        Some((Callee::Method(format!("{class_name}.{method}")), position))
    }

    /// An argument as the caller sees it: through module bindings, else
    /// through the locals of the function the call is in.
    fn caller_arg(&self, call: Node<'a>, arg: Node<'a>) -> Sym {
        let sym = self.eval(arg, &Env::module());
        if sym != Sym::Unknown {
            return sym;
        }
        let Some(locals) = enclosing_function(call).and_then(|def| self.function_locals(def)) else { return sym };
        let mut env = Env::module();
        let mut frame = Frame::new(FrameKind::Function);
        frame.vars = (*locals).clone();
        env.frames.push(frame);
        self.eval(arg, &env)
    }

    /// What a function's names are bound to when its body has run (a
    /// non-emitting walk, memoised; `None` while being computed).
    fn function_locals(&self, def: Node<'a>) -> Option<Locals<'a>> {
        let key = def.start_byte();
        if let Some(memo) = self.fn_locals.borrow().get(&key) {
            if memo.is_none() {
                self.order_sensitive.set(true);
            }
            return memo.clone();
        }
        self.fn_locals.borrow_mut().insert(key, None);
        let _guard = self.enter()?;
        self.ensure_def_info(def);
        let mut env = Env::module();
        let mut frame = Frame::new(FrameKind::Function);
        self.bind_params(def, &mut frame, &env, false);
        env.frames.push(frame);
        if let Some(body) = def.field("body") {
            self.walk_block(body, &mut env, &mut Mode::default(), &mut Vec::new());
        }
        let locals = Rc::new(env.frames.pop().map(|f| f.vars).unwrap_or_default());
        self.fn_locals.borrow_mut().insert(key, Some(locals.clone()));
        Some(locals)
    }

    /// The class-level fields of a class without `__init__` (a dataclass, a
    /// NamedTuple) that some construction in this file sets (`Settings(table=...)`,
    /// `cls(...)` in its classmethods), with the one value every construction
    /// gives it (the default counts for constructions that leave it out);
    /// `Unknown` when they differ.
    pub(super) fn fields_set_by_constructors(&self, class: Node<'a>) -> Vec<(String, Sym)> {
        let (Some(name), Some(body)) = (class.field("name"), class.field("body")) else { return Vec::new() };
        let fields: Vec<(&'a str, Option<Node<'a>>)> = named_children(body)
            .filter(|s| s.kind() == "expression_statement")
            .filter_map(|s| s.named_child(0).filter(|a| a.kind() == "assignment" && a.field("type").is_some()))
            .filter_map(|a| a.field("left").filter(|l| l.kind() == "identifier").map(|l| (text(l, self.src), a.field("right"))))
            .collect();
        if fields.is_empty() {
            return Vec::new();
        }
        let by_cls = self.calls_named(class, "cls").into_iter().filter(|c| class.byte_range().contains(&c.start_byte()));
        let constructions: Vec<Node<'a>> = self.calls_named(class, text(name, self.src)).into_iter().chain(by_cls).collect();
        let mut out = Vec::new();
        for (index, (field, default)) in fields.iter().enumerate() {
            let mut values: Vec<Sym> = Vec::new();
            let mut set_somewhere = false;
            for call in &constructions {
                let args = CallArgs::of(*call);
                let value = match args.get(index, field, self.src) {
                    Some(arg) => {
                        set_somewhere = true;
                        self.caller_arg(*call, arg)
                    }
                    None => match default {
                        Some(d) => self.eval(*d, &Env::module()),
                        None => Sym::Unknown,
                    },
                };
                if !values.contains(&value) {
                    values.push(value);
                }
            }
            if set_somewhere {
                let agreed = if values.len() == 1 { values.pop().unwrap_or(Sym::Unknown) } else { Sym::Unknown };
                out.push((field.to_string(), agreed));
            }
        }
        if !out.is_empty() {
            self.order_sensitive.set(true);
        }
        out
    }

    /// Where `def` is defined (a method's class, its decorators), when the
    /// walk has not met it yet: its `self` must be bound like the walk binds it.
    fn ensure_def_info(&self, def: Node<'a>) {
        if self.def_info.borrow().contains_key(&def.start_byte()) {
            return;
        }
        let decorated = def.parent().filter(|p| p.kind() == "decorated_definition");
        let holder = decorated.unwrap_or(def).parent();
        let class = holder.filter(|b| b.kind() == "block").and_then(|b| b.parent()).filter(|c| c.kind() == "class_definition");
        let info = DefInfo::from_decorated(decorated, self.src, class.map(|c| c.start_byte()));
        self.def_info.borrow_mut().insert(def.start_byte(), info);
    }

    /// The calls of the file whose callee is the plain name `function`.
    /// Found from a scan of the text for `name(` (one pass, no tree walk: this
    /// runs on every analysis of a file whose functions take parameters), each
    /// place then checked in the tree.
    fn calls_named(&self, any: Node<'a>, function: &str) -> Vec<Node<'a>> {
        if self.call_sites.borrow().is_none() {
            *self.call_sites.borrow_mut() = Some(names_before_parens(self.src));
        }
        let places = self.call_sites.borrow().as_ref().and_then(|s| s.get(function).cloned()).unwrap_or_default();
        if places.is_empty() {
            return Vec::new();
        }
        let mut root = any;
        while let Some(parent) = root.parent() {
            root = parent;
        }
        places
            .into_iter()
            .filter_map(|at| {
                let name = root.named_descendant_for_byte_range(at, at + function.len()).filter(|n| n.kind() == "identifier")?;
                let call = name.parent().filter(|p| p.kind() == "call")?;
                (call.field("function") == Some(name)).then_some(call)
            })
            .collect()
    }

    /// Names the file's imports bind to other, non-SDK modules (computed once).
    pub(super) fn imported_names(&self, any: Node<'a>) -> Rc<ImportedNames<'a>> {
        if let Some(names) = self.imported.borrow().as_ref() {
            return names.clone();
        }
        let mut root = any;
        while let Some(parent) = root.parent() {
            root = parent;
        }
        let names = Rc::new(imported_callables(root, self.src));
        *self.imported.borrow_mut() = Some(names.clone());
        names
    }

    /// The clients and resources this file hands to functions and classes it
    /// imports from other (non-SDK) modules, for the project index. Needs the
    /// module prepass to have run.
    pub fn arg_facts_of_file(&self, root: Node<'a>) -> Vec<ArgFact> {
        let imported = self.imported_names(root);
        if imported.is_empty() {
            return Vec::new();
        }
        let mut facts = Vec::new();
        let builds_clients = self.src.contains("boto");
        // The calls whose callee starts with an imported name, found in the
        // text (`describe(`, `reporting.describe(`) and checked in the tree.
        let calls = dotted_names_before_parens(self.src).into_iter().filter(|(start, _)| {
            let root_name = self.src[*start..].split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default();
            imported.contains_key(root_name)
        });
        for (start, end) in calls {
            let Some(callee) = root.named_descendant_for_byte_range(start, end).filter(|n| n.start_byte() == start && n.end_byte() == end) else {
                continue;
            };
            let Some(node) = callee.parent().filter(|p| p.kind() == "call" && p.field("function") == Some(callee)) else { continue };
            let Some((module, function)) = callee_import(callee, self.src, &imported) else { continue };
            let args = CallArgs::of(node);
            let positional = args.positional.iter().enumerate().map(|(i, a)| (Some(i), None, *a));
            let keywords = args.keywords.iter().map(|(n, v)| (None, Some(text(*n, self.src).to_string()), *v));
            for (position, keyword, arg) in positional.chain(keywords) {
                // Only a file that mentions the SDK builds clients itself.
                let sym = if builds_clients { self.caller_arg(node, arg) } else { Sym::Unknown };
                let fact = |sym, from| ArgFact { module: module.clone(), function: function.clone(), position, keyword: keyword.clone(), sym, from };
                if service_of(&sym).is_some() {
                    facts.push(fact(sym.outside_its_file(), None));
                } else if let Some((from_module, Some(member))) = (arg.kind() == "identifier").then(|| imported.get(text(arg, self.src))).flatten() {
                    // Known only once the module it comes from is indexed.
                    facts.push(fact(Sym::Unknown, Some((from_module.clone(), member.to_string()))));
                }
            }
        }
        facts.sort_by(|a, b| (&a.module, &a.function, a.position, &a.keyword).cmp(&(&b.module, &b.function, b.position, &b.keyword)));
        facts
    }
}

/// Byte ranges of the dotted names followed by `(` (`describe`, `reporting.describe`).
fn dotted_names_before_parens(src: &str) -> Vec<(usize, usize)> {
    let bytes = src.as_bytes();
    let part = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'.';
    src.match_indices('(')
        .filter_map(|(at, _)| {
            let start = bytes[..at].iter().rposition(|b| !part(*b)).map_or(0, |p| p + 1);
            (start < at && !bytes[start].is_ascii_digit() && bytes[start] != b'.').then_some((start, at))
        })
        .collect()
}

/// Where each plain name is followed by `(` (`describe(`, not `x.describe(`).
fn names_before_parens(src: &str) -> HashMap<&str, Vec<usize>> {
    let bytes = src.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out: HashMap<&str, Vec<usize>> = HashMap::new();
    for (at, _) in src.match_indices('(') {
        let start = bytes[..at].iter().rposition(|b| !ident(*b)).map_or(0, |p| p + 1);
        if start == at || bytes[start].is_ascii_digit() || (start > 0 && bytes[start - 1] == b'.') {
            continue;
        }
        out.entry(&src[start..at]).or_default().push(start);
    }
    out
}

/// What the arguments passed for one parameter agree on: one service's
/// client (or resource); a client of one of several services when callers
/// pass clients of each; an instance of one class of this file (which may
/// hold clients: `S3File(name, mode, self)` from the storage class);
/// `None` from `add` when a caller passes something else AWS-like.
#[derive(Default)]
struct SingleService {
    sym: Option<Sym>,
    services: std::collections::BTreeSet<String>,
    disagree: bool,
    /// The class every instance passed is of; `Err` when they differ.
    instances: Option<Result<usize, ()>>,
    /// The dict of clients every caller passes; `Err` when they differ.
    dicts: Option<Result<Sym, ()>>,
}

impl SingleService {
    fn add(&mut self, sym: Sym) -> Option<()> {
        if let Sym::Dict(_) = sym {
            self.dicts = match self.dicts.take() {
                None => Some(Ok(sym)),
                Some(Ok(before)) if before == sym => Some(Ok(before)),
                _ => Some(Err(())),
            };
            return Some(());
        }
        if let Sym::Instance(class) | Sym::SelfOf(class) = sym {
            self.instances = match self.instances {
                None => Some(Ok(class)),
                Some(Ok(before)) if before == class => Some(Ok(class)),
                _ => Some(Err(())),
            };
            return Some(());
        }
        let Some(this) = service_of(&sym) else {
            // Not a client: fine, unless it is something else AWS-like.
            return (!sym.is_aws()).then_some(());
        };
        self.services.insert(this.clone());
        match &self.sym {
            Some(before) if service_of(before).as_deref() != Some(this.as_str()) => self.disagree = true,
            Some(_) => {}
            None => self.sym = Some(sym),
        }
        Some(())
    }

    /// Clients of several services: a client of one of them, whose calls go
    /// to each. Mixed with resources: some client, resolved by method name or
    /// named in a warning.
    fn agreed(self) -> Option<Sym> {
        let Some(sym) = self.sym else {
            return match (self.instances, self.dicts) {
                (Some(Ok(class)), None) => Some(Sym::Instance(class)),
                (None, Some(Ok(dict))) => Some(dict),
                _ => None,
            };
        };
        if self.instances.is_some() || self.dicts.is_some() {
            return None;
        }
        if !self.disagree {
            return Some(sym);
        }
        let service =
            if self.services.iter().any(|s| s.starts_with("resource:")) { Svc::Dynamic } else { Svc::OneOf(self.services.into_iter().collect()) };
        Some(Sym::Client { service, confidence: Confidence::Medium, region: None })
    }
}

/// `rds` for an RDS client, `resource:dynamodb` for a DynamoDB resource.
fn service_of(sym: &Sym) -> Option<String> {
    match sym {
        Sym::Client { service: Svc::Known(svc), .. } => Some(svc.clone()),
        Sym::Resource(r) => Some(format!("resource:{}", r.service)),
        _ => None,
    }
}

fn mentions_word(haystack: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    haystack
        .match_indices(word)
        .any(|(at, _)| !haystack[..at].chars().next_back().is_some_and(ident) && !haystack[at + word.len()..].chars().next().is_some_and(ident))
}

/// The innermost function definition around `node`.
fn enclosing_function(node: Node) -> Option<Node> {
    let mut at = node.parent();
    while let Some(n) = at {
        if n.kind() == "function_definition" {
            return Some(n);
        }
        at = n.parent();
    }
    None
}

/// Names the file's imports bind to other, non-SDK modules: `g` of
/// `from m import f as g` → (`m`, `f`); `n` of `import m as n` → (`m`, none).
fn imported_callables<'s>(root: Node, src: &'s str) -> HashMap<&'s str, (String, Option<&'s str>)> {
    let mut out = HashMap::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "import_statement" | "import_from_statement" if !imports::imports_sdk(node, src) => {
                for b in imports::bindings(node, src) {
                    out.insert(b.name, (b.module.clone(), b.member));
                }
            }
            "module" | "block" | "if_statement" | "else_clause" | "try_statement" | "function_definition" | "decorated_definition" => {
                stack.extend(named_children(node))
            }
            _ => {}
        }
    }
    out
}

/// The (module, function) a callee names through the file's imports:
/// `describe` of `from app.db import describe`, `db.describe` of
/// `import app.db as db`, `app.db.describe` of `import app.db`.
fn callee_import(callee: Node, src: &str, imported: &HashMap<&str, (String, Option<&str>)>) -> Option<(String, String)> {
    match callee.kind() {
        "identifier" => match imported.get(text(callee, src))? {
            (module, Some(member)) => Some((module.clone(), member.to_string())),
            (_, None) => None,
        },
        "attribute" => {
            let path = text(callee, src);
            let (object, function) = path.rsplit_once('.')?;
            let (head, rest) = object.split_once('.').map_or((object, None), |(h, r)| (h, Some(r)));
            if !object.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') {
                return None;
            }
            let module = match (imported.get(head)?, rest) {
                ((module, None), None) => module.clone(),
                ((module, Some(member)), None) => format!("{}.{member}", module.trim_end_matches('.')),
                ((module, None), Some(rest)) => format!("{}.{rest}", module.split('.').next().unwrap_or(module)),
                ((module, Some(member)), Some(rest)) => format!("{}.{member}.{rest}", module.trim_end_matches('.')),
            };
            Some((module, function.to_string()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::names_before_parens;

    #[test]
    fn plain_names_before_parentheses_are_found_and_attribute_calls_are_not() {
        let src = "def describe(c):\n    x.describe(1)\n    describe (2)\n    describe(boto3.client('rds'))\n    f = (1, 2)\n    print(3)\n";
        let found = names_before_parens(src);
        let at = |name: &str| found.get(name).cloned().unwrap_or_default();
        assert_eq!(at("describe"), [src.find("describe(").unwrap(), src.rfind("describe(boto3").unwrap()]);
        assert_eq!(at("client"), Vec::<usize>::new(), "`boto3.client(` is an attribute call");
        assert_eq!(at("print").len(), 1);
        assert!(!found.contains_key(""));
    }
}
