//! Per-file analysis state: the [`Analyzer`] (source, catalog, project view,
//! memos, collected output), name lookup through the scopes, and the bound on
//! recursion depth. Below every module that adds `impl Analyzer` methods;
//! the two steps it needs from above are the traits [`Eval`] (implemented in
//! `resolve`) and [`DefinitionFacts`] (implemented in `facts`).
//!
//! Evaluation is bounded: every recursive step goes through [`Analyzer::enter`],
//! which refuses to go deeper than [`MAX_DEPTH`], so deeply nested or
//! self-referential code yields `Unknown` instead of overflowing the stack.

use super::catalog_cache::ServiceCache;
use super::project_view::ProjectView;
use super::scope::{DefInfo, Env, FrameKind};
use super::symbols::{ParamOp, Sym};
use iamlens_engine::catalog::Catalog;
use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::{CodeScope, Finding, SdkCall};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use tree_sitter::Node;

/// A class's attributes by name.
pub type ClassAttrs = HashMap<String, Sym>;

/// How deep expression evaluation and statement walking may nest.
pub const MAX_DEPTH: u32 = 96;

/// Names that are Python builtins: calling them never yields an AWS client.
const BUILTINS: &[&str] = &[
    "dict",
    "list",
    "set",
    "tuple",
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "open",
    "print",
    "len",
    "range",
    "enumerate",
    "zip",
    "map",
    "filter",
    "sorted",
    "reversed",
    "object",
    "super",
    "type",
    "isinstance",
    "getattr",
    "setattr",
    "hasattr",
    "min",
    "max",
    "sum",
    "any",
    "all",
    "iter",
    "next",
    "repr",
    "format",
    "input",
    "id",
    "frozenset",
    "bytearray",
    "memoryview",
    "vars",
    "dir",
    "globals",
    "locals",
    "Exception",
    "ValueError",
    "KeyError",
    "RuntimeError",
    "TypeError",
    "json",
    "None",
];

/// What the walk collected: calls, findings, and the scopes that hold calls.
#[derive(Default)]
pub struct Output {
    pub calls: Vec<SdkCall>,
    pub findings: Vec<Finding>,
    pub scopes: Vec<CodeScope>,
}

/// Per-file analysis state.
pub struct Analyzer<'a> {
    pub src: &'a str,
    pub catalog: &'a dyn Catalog,
    pub index: &'a dyn ProjectView,
    pub opts: &'a AnalysisOptions,
    /// The file imports an AWS SDK (the unresolved-receiver rule applies only then).
    pub imports_sdk: bool,
    pub services: ServiceCache<'a>,
    depth: Cell<u32>,
    /// Final module-level bindings, seen from inside functions.
    pub module_env: RefCell<HashMap<&'a str, Sym>>,
    /// Function and class definitions by start byte.
    pub defs: RefCell<HashMap<usize, Node<'a>>>,
    /// Context of each function definition, by start byte.
    pub def_info: RefCell<HashMap<usize, DefInfo>>,
    /// Memo of what each function returns; `None` while being computed.
    pub fn_returns: RefCell<HashMap<usize, Option<Sym>>>,
    /// Memo of each class's attributes (`self.x = ...` anywhere in its methods).
    pub class_attrs: RefCell<HashMap<usize, Option<Rc<ClassAttrs>>>>,
    /// Some class's attributes were read while still being computed.
    pub attrs_read_while_computed: Cell<bool>,
    pub out: RefCell<Output>,
    /// Comprehension variables seen by the scan: name, iterable, comprehension byte range.
    pub comprehension_vars: RefCell<Vec<(&'a str, Node<'a>, std::ops::Range<usize>)>>,
    /// Start byte of what is being walked or computed (a top-level statement,
    /// or the function/class whose return or attributes are being evaluated);
    /// `NO_OWNER` in the prepass. Reads of other definitions' facts are
    /// recorded against it, so cached per-definition results know what they used.
    pub owner: Cell<usize>,
    /// (owner, definition read) pairs: `function_return` and class attributes.
    pub fact_reads: RefCell<Vec<(usize, usize)>>,
    /// The result depended on evaluation order (a recursion cycle between
    /// definitions, or the depth cap): never reuse parts of it.
    pub order_sensitive: Cell<bool>,
    /// Where each plain name is followed by `(` in the text (`describe(` → its
    /// byte offsets), built on first use.
    pub call_sites: RefCell<Option<HashMap<&'a str, Vec<usize>>>>,
    /// Memo of each function's final local bindings (by start byte), for
    /// reading its calls' arguments; `None` while being computed.
    pub fn_locals: RefCell<HashMap<usize, Option<super::callers::Locals<'a>>>>,
    /// The file's dotted module name in the project (`app.db`), when known:
    /// other modules' calls of its functions are indexed under it.
    pub module: Option<&'a str>,
    /// Names the file imports from non-SDK modules, built on first use.
    pub imported: RefCell<Option<Rc<super::callers::ImportedNames<'a>>>>,
    /// Another file of the project imports an AWS SDK: in a file that does
    /// not, calls that look like AWS calls are named in warnings.
    pub project_uses_sdk: bool,
    /// The file imports another cloud's SDK (see `imports::text_imports_other_cloud_sdk`).
    pub imports_other_cloud: bool,
    /// Memo of each function's [`ParamOp`]s (by start byte); `None` while being computed.
    pub helper_ops: RefCell<HashMap<usize, Option<Rc<Vec<ParamOp>>>>>,
    /// While a function's `ParamOp`s are computed: where they are collected.
    pub param_ops: RefCell<Option<Vec<ParamOp>>>,
}

/// [`Analyzer::owner`] outside any statement.
pub const NO_OWNER: usize = usize::MAX;

/// Leaves one level of depth when dropped.
pub struct DepthGuard<'g>(&'g Cell<u32>);

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

impl<'a> Analyzer<'a> {
    pub fn new(src: &'a str, catalog: &'a dyn Catalog, index: &'a dyn ProjectView, opts: &'a AnalysisOptions) -> Self {
        Analyzer {
            src,
            catalog,
            index,
            opts,
            imports_sdk: false,
            services: ServiceCache::new(catalog),
            depth: Cell::new(0),
            module_env: RefCell::new(HashMap::new()),
            defs: RefCell::new(HashMap::new()),
            def_info: RefCell::new(HashMap::new()),
            fn_returns: RefCell::new(HashMap::new()),
            class_attrs: RefCell::new(HashMap::new()),
            attrs_read_while_computed: Cell::new(false),
            out: RefCell::new(Output::default()),
            comprehension_vars: RefCell::new(Vec::new()),
            owner: Cell::new(NO_OWNER),
            fact_reads: RefCell::new(Vec::new()),
            order_sensitive: Cell::new(false),
            call_sites: RefCell::new(None),
            fn_locals: RefCell::new(HashMap::new()),
            module: None,
            imported: RefCell::new(None),
            project_uses_sdk: false,
            imports_other_cloud: false,
            helper_ops: RefCell::new(HashMap::new()),
            param_ops: RefCell::new(None),
        }
    }

    /// Enter one level of recursion, or `None` when too deep.
    pub fn enter(&self) -> Option<DepthGuard<'_>> {
        let d = self.depth.get();
        if d >= MAX_DEPTH {
            self.order_sensitive.set(true);
            return None;
        }
        self.depth.set(d + 1);
        Some(DepthGuard(&self.depth))
    }

    /// Forget memos computed while module bindings were still incomplete.
    pub fn reset_memos(&self) {
        self.fn_returns.borrow_mut().clear();
        self.class_attrs.borrow_mut().clear();
        self.fn_locals.borrow_mut().clear();
        self.helper_ops.borrow_mut().clear();
    }

    /// Note that the statement or definition being walked used `def`'s facts.
    pub fn record_fact_read(&self, def: usize) {
        let owner = self.owner.get();
        if owner != NO_OWNER && owner != def {
            self.fact_reads.borrow_mut().push((owner, def));
        }
    }

    pub fn service(&self, name: &str) -> Option<std::sync::Arc<iamlens_knowledge::Service>> {
        self.services.get(name)
    }

    pub fn lookup(&self, name: &str, env: &Env<'a>) -> Sym {
        let n = env.frames.len();
        for (i, frame) in env.frames.iter().enumerate().rev() {
            // Class bodies are not visible from their methods; module frame 0
            // is only the in-order view for module-level code.
            if i == 0 && n > 1 {
                break;
            }
            if frame.kind == FrameKind::Class && i + 1 != n {
                continue;
            }
            if let Some(s) = frame.vars.get(name) {
                return s.clone();
            }
        }
        if let Some(s) = self.module_env.borrow().get(name) {
            return s.clone();
        }
        if BUILTINS.contains(&name) {
            Sym::Foreign
        } else {
            Sym::Unknown
        }
    }
}

/// Expression evaluation, implemented in `resolve`. Declared here so that
/// `values`, below `resolve`, reads names through it; the modules above use it too.
pub trait Eval<'a> {
    /// The abstract value of an expression.
    fn eval(&self, node: Node<'a>, env: &Env<'a>) -> Sym;
}

/// Facts of a definition, computed by walking its body (memoised), for the
/// receiver resolution below the walk. Implemented in `facts`.
pub trait DefinitionFacts {
    /// What the function defined at `def` returns.
    fn function_return(&self, def: usize) -> Sym;

    /// The operations the function defined at `def` makes on what its callers pass.
    fn helper_ops(&self, def: usize) -> Rc<Vec<ParamOp>>;

    /// The attributes of the class defined at `class`: class-level
    /// assignments and `self.x = ...` in its methods.
    fn class_attributes(&self, class: usize) -> Option<Rc<ClassAttrs>>;
}
