//! The read-only view of the rest of the project that a file's analysis
//! consumes: which modules exist and what they export. Sits below the
//! analyzer; `index` (above it) implements it for `ProjectIndex`.

use super::symbols::Sym;
use iamlens_engine::catalog::Catalog;

/// What other modules of the project export, as the analysis asks for it.
pub trait ProjectView {
    /// No module is indexed.
    fn is_empty(&self) -> bool;

    /// Whether `module` (dotted, possibly relative `.clients`) names an indexed module.
    fn has_module(&self, module: &str) -> bool;

    /// The indexed module an import in `importer` (this file's module name,
    /// when known) means: a relative import from the importer's package; an
    /// exact name; the one module whose name ends with it; or, when several
    /// do (a monorepo of samples, each with its own `src/app.py`), the one
    /// sharing the longest package path with the importer.
    fn absolute_module(&self, module: &str, importer: Option<&str>) -> Option<String>;

    /// Whether `package` has indexed modules below it (`app` of `app/aws.py`),
    /// even when the package itself (`app/__init__.py`) is not indexed.
    fn has_package(&self, package: &str) -> bool;

    /// Whether `module` (or a module below it) exports an AWS client, resource or factory.
    fn exports_aws_under(&self, module: &str) -> bool;

    /// What `name` is in `module`, following re-exports.
    fn lookup(&self, module: &str, name: &str, catalog: &dyn Catalog) -> Option<Sym>;

    /// The clients and resources other modules pass to `function` of `module`
    /// (the analysed file's own module name).
    fn arg_facts(&self, module: &str, function: &str) -> Vec<ArgFact>;

    /// Whether any module passes a client or resource to a function of `module`.
    fn receives_clients(&self, module: &str) -> bool;

    /// Whether the module that defines `name` of `module` (re-exports
    /// followed; `name: None` for the module itself) imports an AWS SDK;
    /// `None` when that module is not indexed.
    fn defined_with_sdk(&self, module: &str, name: Option<&str>) -> Option<bool>;

    /// Whether some module of the project imports an AWS SDK: then calls that
    /// look like AWS calls in its other files are named in warnings.
    /// `besides`: the analysed file's own module, whose indexed (saved) text
    /// must not decide what its current text is.
    fn project_uses_sdk(&self, besides: Option<&str>) -> bool;
}

/// A client or resource one module hands to a function of another
/// (`describe(boto3.client("rds"), "x")` after `from app.db import describe`):
/// the callee's parameter is that client. Positional arguments are counted
/// as the caller wrote them; a class's constructor call is recorded under
/// the class's name.
#[derive(Debug, Clone, PartialEq)]
pub struct ArgFact {
    /// The module the callee was imported from, as the caller's import names it.
    pub module: String,
    pub function: String,
    pub position: Option<usize>,
    pub keyword: Option<String>,
    /// The client or resource passed; `Unknown` when it is `from`'s.
    pub sym: Sym,
    /// The argument is a name the caller imports from another module of the
    /// project (`from app.clients import s3` … `describe(s3)`): what that
    /// module exports, looked up once the whole project is indexed.
    pub from: Option<(String, String)>,
}

impl ArgFact {
    /// Whether this argument binds parameter `index` (counted without
    /// `self`) named `name`.
    pub fn binds(&self, index: usize, name: &str) -> bool {
        self.position == Some(index) || self.keyword.as_deref() == Some(name)
    }
}
