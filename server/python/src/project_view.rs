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

    /// Whether `package` has indexed modules below it (`app` of `app/aws.py`),
    /// even when the package itself (`app/__init__.py`) is not indexed.
    fn has_package(&self, package: &str) -> bool;

    /// Whether `module` (or a module below it) exports an AWS client, resource or factory.
    fn exports_aws_under(&self, module: &str) -> bool;

    /// What `name` is in `module`, following re-exports.
    fn lookup(&self, module: &str, name: &str, catalog: &dyn Catalog) -> Option<Sym>;
}
