//! iamlens-languages: the language front-ends of this build, as one list.
//!
//! In the flow `source text → syntax → SDK calls → IAM requirements → policy
//! → presentation`, each front-end crate turns source text into SDK calls
//! behind the engine's `FrontEnd` trait; this crate is where the views (CLI,
//! language server, MCP) find them, so none of them names a language.

use iamlens_engine::front_end::{self, FrontEnd};
use std::path::Path;

/// Every front-end this build knows, in the order they are tried for files
/// whose extension none of them claims (Python first: what iamlens read first).
pub fn front_ends() -> &'static [&'static dyn FrontEnd] {
    static ALL: [&dyn FrontEnd; 4] =
        [&iamlens_python::PythonFrontEnd, &iamlens_javascript::FRONT_END, &iamlens_go::GoFrontEnd, &iamlens_java::JavaFrontEnd];
    &ALL
}

/// The front-end for a `--language` value (case-insensitive; an extension such
/// as `py` or an LSP identifier such as `typescript` works too).
pub fn for_language(language: &str) -> Option<&'static dyn FrontEnd> {
    front_end::for_language(front_ends(), language)
}

/// The front-end that reads this file, by extension.
pub fn for_path(path: &Path) -> Option<&'static dyn FrontEnd> {
    front_end::for_path(front_ends(), path)
}

/// The front-end for an LSP language identifier (`python`, `typescriptreact`, `go`, `java`).
pub fn for_language_id(id: &str) -> Option<&'static dyn FrontEnd> {
    front_end::for_language_id(front_ends(), id)
}
