//! Cross-file facts: what each module of the project exports that matters for
//! AWS calls (module-level clients and resources, client factories,
//! constants, and names it re-exports from other project modules). Above the
//! analyzer and the walker, which compute a module's exports; provides the
//! `ProjectView` the analysis of each file reads.

use std::collections::HashMap;
use std::path::Path;

use super::analyzer::{Analyzer, DefinitionFacts};
use super::document::PythonDocument;
use super::imports;
use super::module_names::ModuleNames;
use super::project_view::{ArgFact, ProjectView};
use super::scope::{DefInfo, Env};
use super::symbols::{HelperSig, Svc, Sym};
use super::syntax::{named_children, text, FieldExt};
use super::walker::Mode;
use iamlens_engine::catalog::{self, Catalog};
use iamlens_engine::front_end::AnalysisOptions;

#[derive(Debug, Clone, PartialEq)]
enum Export {
    Sym(Sym),
    /// `from .clients import s3`: resolved when looked up, so indexing order does not matter.
    Alias {
        module: String,
        name: String,
    },
}

/// Facts of every indexed module, by dotted module name (`app.aws`).
#[derive(Debug, Default, Clone)]
pub struct ProjectIndex {
    modules: HashMap<String, HashMap<String, Export>>,
    /// Changes with every update (0: never updated, so empty); a document's
    /// cached analysis is reused only against the same generation.
    generation: u64,
    /// Modules that export an AWS client, resource or factory; computed on
    /// first use and forgotten with every change, so deciding whether a file
    /// is AWS code costs no scan of the whole project per import.
    aws_modules: std::sync::OnceLock<ModuleNames>,
    /// Every module name by its runs of components; rebuilt after a change.
    names: std::sync::OnceLock<ModuleNames>,
    /// Clients and resources each module passes to other modules' functions.
    arg_facts: HashMap<String, Vec<ArgFact>>,
    /// Modules that import an AWS SDK.
    sdk_users: std::collections::BTreeSet<String>,
    /// The same facts by callee (module, function), re-exports followed;
    /// computed on first use and forgotten with every change.
    facts_by_callee: std::sync::OnceLock<HashMap<(String, String), Vec<ArgFact>>>,
}

/// Source of [`ProjectIndex::generation`] values, unique in the process.
static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl ProjectIndex {
    pub fn new() -> Self {
        ProjectIndex::default()
    }

    /// Index (or re-index) the module at `module_path` (a file path such as
    /// `app/aws.py`, or a dotted name such as `app.aws`).
    pub fn update_file(&mut self, module_path: &Path, doc: &PythonDocument) {
        self.update_file_with(module_path, doc, catalog::embedded());
    }

    /// [`update_file`](Self::update_file) against a given catalog.
    pub fn update_file_with(&mut self, module_path: &Path, doc: &PythonDocument, catalog: &dyn Catalog) {
        self.insert_module(module_path, ModuleExports::of_with(doc, catalog));
    }

    /// Index a module whose exports were computed with [`ModuleExports::of`]
    /// (on any thread: only this insert needs the index).
    pub fn insert_module(&mut self, module_path: &Path, exports: ModuleExports) {
        let name = module_name(module_path);
        // Saving a file usually leaves its exports as they were: keep the
        // generation then, so open documents keep their reusable analyses.
        let facts_before = self.arg_facts.get(&name).map_or(&[][..], Vec::as_slice);
        let unchanged = self.modules.get(&name) == Some(&exports.names)
            && facts_before == exports.arg_facts.as_slice()
            && self.sdk_users.contains(&name) == exports.uses_sdk;
        if unchanged {
            return;
        }
        if exports.uses_sdk {
            self.sdk_users.insert(name.clone());
        } else {
            self.sdk_users.remove(&name);
        }
        if exports.arg_facts.is_empty() {
            self.arg_facts.remove(&name);
        } else {
            self.arg_facts.insert(name.clone(), exports.arg_facts);
        }
        self.modules.insert(name, exports.names);
        self.bump_generation();
    }

    fn bump_generation(&mut self) {
        self.aws_modules = std::sync::OnceLock::new();
        self.names = std::sync::OnceLock::new();
        self.facts_by_callee = std::sync::OnceLock::new();
        self.generation = GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Identifies the index's content: equal generations, equal content.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Forget a module (file deleted or closed).
    pub fn remove_file(&mut self, module_path: &Path) {
        let name = module_name(module_path);
        let had_facts = self.arg_facts.remove(&name).is_some() | self.sdk_users.remove(&name);
        if self.modules.remove(&name).is_some() || had_facts {
            self.bump_generation();
        }
    }

    pub fn len(&self) -> usize {
        self.modules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    /// Whether `module` (dotted, possibly relative `.clients`) names an indexed module.
    pub fn has_module(&self, module: &str) -> bool {
        self.resolve_module(module).is_some()
    }

    /// The indexed module a dotted name refers to: exact, else the one module
    /// whose name ends with it (files are indexed by path, imports name packages).
    fn resolve_module(&self, module: &str) -> Option<&str> {
        let m = module.trim_start_matches('.');
        if m.is_empty() {
            return None;
        }
        if let Some((k, _)) = self.modules.get_key_value(m) {
            return Some(k.as_str());
        }
        match self.names().ending_with(m) {
            [one] => Some(one.as_str()),
            _ => None,
        }
    }

    fn names(&self) -> &ModuleNames {
        self.names.get_or_init(|| ModuleNames::new(self.modules.keys()))
    }

    /// See [`ProjectView::absolute_module`].
    pub fn absolute_module(&self, module: &str, importer: Option<&str>) -> Option<&str> {
        let dots = module.len() - module.trim_start_matches('.').len();
        if let (Some(importer), true) = (importer, dots > 0) {
            // `from .db import x` in `app/api/handler.py` is `app.api.db`, `..db`
            // is `app.db`; in the package `app/api/__init__.py` (`app.api`) `.db`
            // is `app.api.db`. Tried as a package first: a module `m` and a
            // package `m/` cannot both exist.
            let parts: Vec<&str> = importer.split('.').collect();
            let rest = &module[dots..];
            for keep in [parts.len() + 1 - dots, parts.len().saturating_sub(dots)] {
                if keep > parts.len() || (keep == 0 && rest.is_empty()) {
                    continue;
                }
                let base = parts[..keep].iter().copied().chain((!rest.is_empty()).then_some(rest)).collect::<Vec<_>>().join(".");
                if let Some((k, _)) = self.modules.get_key_value(base.as_str()) {
                    return Some(k.as_str());
                }
            }
        }
        let m = module.trim_start_matches('.');
        if m.is_empty() {
            return None;
        }
        if let Some((k, _)) = self.modules.get_key_value(m) {
            return Some(k.as_str());
        }
        let found: Vec<&String> = self.names().ending_with(m).iter().collect();
        match (found.as_slice(), importer) {
            ([one], _) => Some(one.as_str()),
            ([], _) | (_, None) => None,
            (many, Some(importer)) => {
                let shared = |k: &str| k.split('.').zip(importer.split('.')).take_while(|(a, b)| a == b).count();
                let best = many.iter().map(|k| shared(k)).max().unwrap_or(0);
                let mut nearest = many.iter().filter(|k| shared(k) == best);
                let first = nearest.next()?;
                nearest.next().is_none().then_some(first.as_str())
            }
        }
    }

    /// Whether `package` has indexed modules below it (`app` of `app/aws.py`),
    /// even when the package itself (`app/__init__.py`) is not indexed.
    pub fn has_package(&self, package: &str) -> bool {
        let p = package.trim_start_matches('.');
        if p.is_empty() {
            return false;
        }
        self.names().has_package(p)
    }

    /// The indexed module `name` of `package` (`app` + `aws` → `app.aws`).
    fn submodule(&self, package: &str, name: &str) -> Option<String> {
        self.resolve_module(&format!("{}.{name}", package.trim_start_matches('.'))).map(str::to_string)
    }

    /// Whether `module` (or a module below it: `import app` then `app.aws.s3`)
    /// exports an AWS client, resource or factory.
    pub fn exports_aws_under(&self, module: &str) -> bool {
        let m = module.trim_start_matches('.');
        if m.is_empty() {
            return false;
        }
        let aws_modules = self.aws_modules.get_or_init(|| {
            let names: Vec<&String> = self
                .modules
                .iter()
                .filter(|(name, exports)| exports.keys().any(|export| self.export_is_aws(name, export)))
                .map(|(name, _)| name)
                .collect();
            ModuleNames::new(names.into_iter())
        });
        // `m` itself, a package above such a module, or one of its own runs.
        aws_modules.has_run(m)
    }

    fn export_is_aws(&self, module: &str, name: &str) -> bool {
        match self.modules.get(module).and_then(|e| e.get(name)) {
            Some(Export::Sym(s)) => s.is_aws() && !matches!(s, Sym::Module(_)),
            Some(Export::Alias { .. }) => self.lookup(module, name, catalog::embedded()).is_some_and(|s| s.is_aws() && !matches!(s, Sym::Module(_))),
            None => false,
        }
    }

    /// Arguments other modules pass to `function` of `module`, by callee.
    fn facts_by_callee(&self) -> &HashMap<(String, String), Vec<ArgFact>> {
        self.facts_by_callee.get_or_init(|| {
            let mut by_callee: HashMap<(String, String), Vec<ArgFact>> = HashMap::new();
            let mut callers: Vec<&String> = self.arg_facts.keys().collect();
            callers.sort();
            for caller in callers {
                for fact in &self.arg_facts[caller] {
                    let callee = match self.absolute_module(&fact.module, Some(caller)) {
                        Some(module) => self.defining_module(module, &fact.function),
                        // `Class.method(...)` with `Class` imported from a module: a static or class method.
                        None => fact.module.rsplit_once('.').and_then(|(module, class)| {
                            let module = self.absolute_module(module, Some(caller))?;
                            let (defined_in, class) = self.defining_module(module, class)?;
                            Some((defined_in, format!("{class}.{}", fact.function)))
                        }),
                    };
                    let Some(callee) = callee else { continue };
                    let mut fact = fact.clone();
                    if let Some((from, name)) = fact.from.take() {
                        // `describe(s3)` with `s3` imported from another module: what it exports.
                        let Some(from) = self.absolute_module(&from, Some(caller)) else { continue };
                        match self.lookup(from, &name, catalog::embedded()) {
                            Some(sym @ (Sym::Client { service: Svc::Known(_), .. } | Sym::Resource(_))) => fact.sym = sym,
                            _ => continue,
                        }
                    }
                    by_callee.entry(callee).or_default().push(fact);
                }
            }
            by_callee
        })
    }

    /// The module that defines `name` as seen from `module`, re-exports
    /// followed: (indexed module name, name there).
    fn defining_module(&self, module: &str, name: &str) -> Option<(String, String)> {
        let (mut module, mut name) = (self.resolve_module(module)?.to_string(), name.to_string());
        for _ in 0..8 {
            match self.modules.get(&module)?.get(&name) {
                Some(Export::Alias { module: m, name: n }) => {
                    module = self.absolute_module(m, Some(&module))?.to_string();
                    name = n.clone();
                }
                _ => return Some((module, name)),
            }
        }
        None
    }

    /// What `name` is in `module`, following re-exports.
    pub(crate) fn lookup(&self, module: &str, name: &str, _catalog: &dyn Catalog) -> Option<Sym> {
        let (mut module, mut name) = (module.to_string(), name.to_string());
        for _ in 0..8 {
            let Some(key) = self.resolve_module(&module) else {
                // A package that is not indexed itself: its submodules are.
                return self.submodule(&module, &name).map(Sym::Module);
            };
            match self.modules.get(key)?.get(&name) {
                Some(Export::Sym(s)) => return Some(s.clone()),
                Some(Export::Alias { module: m, name: n }) => {
                    module = self.absolute_module(m, Some(key)).map_or_else(|| m.clone(), str::to_string);
                    name = n.clone();
                }
                None => return self.submodule(key, &name).map(Sym::Module),
            }
        }
        None
    }
}

/// The analysis of a file reads the index through this view.
impl ProjectView for ProjectIndex {
    fn is_empty(&self) -> bool {
        ProjectIndex::is_empty(self)
    }

    fn has_module(&self, module: &str) -> bool {
        ProjectIndex::has_module(self, module)
    }

    fn has_package(&self, package: &str) -> bool {
        ProjectIndex::has_package(self, package)
    }

    fn absolute_module(&self, module: &str, importer: Option<&str>) -> Option<String> {
        ProjectIndex::absolute_module(self, module, importer).map(str::to_string)
    }

    fn exports_aws_under(&self, module: &str) -> bool {
        ProjectIndex::exports_aws_under(self, module)
    }

    fn lookup(&self, module: &str, name: &str, catalog: &dyn Catalog) -> Option<Sym> {
        ProjectIndex::lookup(self, module, name, catalog)
    }

    fn arg_facts(&self, module: &str, function: &str) -> Vec<ArgFact> {
        if self.arg_facts.is_empty() {
            return Vec::new();
        }
        self.facts_by_callee().get(&(module.to_string(), function.to_string())).cloned().unwrap_or_default()
    }

    fn receives_clients(&self, module: &str) -> bool {
        !self.arg_facts.is_empty() && self.facts_by_callee().keys().any(|(m, _)| m == module)
    }

    fn defined_with_sdk(&self, module: &str, name: Option<&str>) -> Option<bool> {
        match name {
            None => self.modules.contains_key(module).then(|| self.sdk_users.contains(module)),
            Some(name) => self.defining_module(module, name).map(|(m, _)| self.sdk_users.contains(&m)),
        }
    }

    fn project_uses_sdk(&self, besides: Option<&str>) -> bool {
        self.sdk_users.iter().any(|m| Some(m.as_str()) != besides)
    }
}

/// What one module exports to the rest of the project. Computing it needs no
/// index, so parallel indexers compute it per file and hold the index lock
/// only for [`ProjectIndex::insert_module`].
#[derive(Debug)]
pub struct ModuleExports {
    names: HashMap<String, Export>,
    arg_facts: Vec<ArgFact>,
    uses_sdk: bool,
}

impl ModuleExports {
    /// With the embedded knowledge base.
    pub fn of(doc: &PythonDocument) -> ModuleExports {
        ModuleExports::of_with(doc, catalog::embedded())
    }

    pub fn of_with(doc: &PythonDocument, catalog: &dyn Catalog) -> ModuleExports {
        let (names, arg_facts) = module_exports(doc, catalog);
        ModuleExports { names, arg_facts, uses_sdk: imports::text_mentions_sdk_import(doc.text()) }
    }
}

/// The AWS-relevant names a module defines at module level, and the clients
/// it passes to functions it imports.
fn module_exports(doc: &PythonDocument, catalog: &dyn Catalog) -> (HashMap<String, Export>, Vec<ArgFact>) {
    let mut out = HashMap::new();
    let Some(tree) = doc.tree() else { return (out, Vec::new()) };
    let root = tree.root_node();
    let src = doc.text();
    let empty = ProjectIndex::new();
    let opts = AnalysisOptions::default();
    let mut an = Analyzer::new(src, catalog, &empty, &opts);
    an.imports_sdk = true;
    let mut env = Env::module();
    let mut mode = Mode { module_prepass: true, ..Mode::default() };
    an.walk_block(root, &mut env, &mut mode, &mut Vec::new());
    an.reset_memos();
    // What a file hands over is a client it builds itself, or a name it imports
    // from another module (looked up once the whole index is known).
    let arg_facts = an.arg_facts_of_file(root);
    let module_env = an.module_env.borrow().clone();
    for (name, sym) in module_env {
        let export = match sym {
            Sym::Function(def) => {
                // Only functions that mention the SDK can be client factories;
                // skipping the rest keeps indexing large projects cheap.
                let mentions_sdk = an.defs.borrow().get(&def).is_some_and(|d| {
                    let body = text(*d, src);
                    ["boto", "client", "resource", "Session", "session", "Client", "Resource"].iter().any(|w| body.contains(w))
                });
                if !mentions_sdk {
                    continue;
                }
                let ret = an.function_return(def);
                if !ret.is_aws() {
                    let ops = an.helper_ops(def);
                    if ops.is_empty() {
                        continue;
                    }
                    let params = an.defs.borrow().get(&def).map(|d| super::helper_calls::named_parameters(*d, src)).unwrap_or_default();
                    let sig = HelperSig { ops: ops.to_vec(), params, returns: None, is_method: false, is_static: false, is_classmethod: false };
                    out.insert(name.to_string(), Export::Sym(Sym::Helper(std::sync::Arc::new(sig))));
                    continue;
                }
                // A factory's service parameter is filled at each call (`sessions.client("glue")`).
                let ret = match ret {
                    client @ Sym::Client { service: Svc::Param(..), .. } => client,
                    other => other.outside_its_file(),
                };
                Sym::External(Box::new(ret))
            }
            Sym::Class(class) => {
                // A class whose instances hold clients: its attributes travel with it.
                let mentions_sdk = an.defs.borrow().get(&class).is_some_and(|d| {
                    let body = text(*d, src);
                    ["boto", "client", "resource", "Session", "session", "Client", "Resource", "Table", "Bucket", "Queue"]
                        .iter()
                        .any(|w| body.contains(w))
                });
                if !mentions_sdk {
                    continue;
                }
                let Some(attrs) = an.class_attributes(class) else { continue };
                let mut held: Vec<(String, Sym)> = attrs
                    .iter()
                    .filter(|(_, s)| s.is_aws() && !matches!(s, Sym::Module(_) | Sym::External(_) | Sym::Helper(_)))
                    .map(|(n, s)| (n.clone(), s.clone().outside_its_file()))
                    .collect();
                for (name, sym) in class_helpers(&an, class, src) {
                    if !held.iter().any(|(n, _)| *n == name) {
                        held.push((name, sym));
                    }
                }
                if held.is_empty() {
                    continue;
                }
                held.sort_by(|a, b| a.0.cmp(&b.0));
                Sym::ExternalClass(std::sync::Arc::new(held))
            }
            s @ Sym::Value(_) => s,
            s if s.is_aws() && !matches!(s, Sym::Module(_) | Sym::External(_)) => s.outside_its_file(),
            s @ Sym::External(_) => s,
            _ => continue,
        };
        out.insert(name.to_string(), Export::Sym(export));
    }
    for stmt in named_children(root) {
        if stmt.kind() != "import_from_statement" || imports::imports_sdk(stmt, src) {
            continue;
        }
        for b in imports::bindings(stmt, src) {
            if let Some(member) = b.member {
                out.entry(b.name.to_string()).or_insert(Export::Alias { module: b.module.clone(), name: member.to_string() });
            }
        }
    }
    (out, arg_facts)
}

/// The methods of the class at `class` that make operations on what their
/// callers pass or return clients and resources, as [`Sym::Helper`]s by
/// name; its properties that return them, as what they return.
fn class_helpers(an: &Analyzer, class: usize, src: &str) -> Vec<(String, Sym)> {
    let Some(body) = an.defs.borrow().get(&class).and_then(|c| c.field("body")) else { return Vec::new() };
    let mut helpers = Vec::new();
    for stmt in named_children(body) {
        let decorated = (stmt.kind() == "decorated_definition").then_some(stmt);
        let Some(def) = (if decorated.is_some() { stmt.field("definition") } else { Some(stmt) }) else { continue };
        let Some(name) = def.field("name").filter(|_| def.kind() == "function_definition") else { continue };
        let info = DefInfo::from_decorated(decorated, src, Some(class));
        an.defs.borrow_mut().insert(def.start_byte(), def);
        an.def_info.borrow_mut().insert(def.start_byte(), info);
        let name = text(name, src).to_string();
        let body = def.field("body").map_or("", |b| text(b, src));
        let returns = ["client", "resource", "Session", "session", "Table", "Bucket", "Queue"]
            .iter()
            .any(|w| body.contains(w))
            .then(|| an.function_return(def.start_byte()));
        let returns = returns.filter(|r| matches!(r, Sym::Client { .. } | Sym::Resource(_) | Sym::Session { .. })).map(|r| match r {
            client @ Sym::Client { service: Svc::Param(..), .. } if !info.is_property => client,
            other => other.outside_its_file(),
        });
        if info.is_property {
            if let Some(held) = returns {
                helpers.push((name, held));
            }
            continue;
        }
        let ops = an.helper_ops(def.start_byte());
        if !ops.is_empty() || returns.is_some() {
            let params = super::helper_calls::named_parameters(def, src);
            let returns = returns.map(Box::new);
            let sig =
                HelperSig { ops: ops.to_vec(), params, returns, is_method: true, is_static: info.is_static, is_classmethod: info.is_classmethod };
            helpers.push((name, Sym::Helper(std::sync::Arc::new(sig))));
        }
    }
    helpers
}

/// `app/aws.py` → `app.aws`; `app/__init__.py` → `app`; `app.aws` stays.
pub fn module_name(path: &Path) -> String {
    let mut parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if let Some(last) = parts.last_mut() {
        for ext in [".pyi", ".py"] {
            if let Some(stem) = last.strip_suffix(ext) {
                *last = stem.to_string();
                break;
            }
        }
        if last == "__init__" {
            parts.pop();
        }
    }
    parts.join(".")
}
