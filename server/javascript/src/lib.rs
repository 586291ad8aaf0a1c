//! iamlens-javascript: the JavaScript and TypeScript front-end — code using
//! the AWS SDK for JavaScript v3 (`@aws-sdk/client-*`, `lib-dynamodb`,
//! `lib-storage`, the presigners, credential providers, `rds-signer`) or v2
//! (`aws-sdk`) → [`SdkCall`](iamlens_engine::model::SdkCall)s.
//!
//! In the flow `source text → syntax → SDK calls → IAM requirements → policy
//! → presentation`, this crate owns the first three steps for JavaScript and
//! TypeScript: it parses with tree-sitter (JavaScript, TypeScript or TSX
//! grammar, see [`Dialect`]), resolves which values are SDK clients and
//! commands and which operations they perform, and hands the engine
//! `SdkCall`s and findings through the engine's front-end traits
//! ([`JavaScriptFrontEnd`]); requirements and policies are the engine's.
//! Code that never imports the SDK yields nothing.
//!
//! Modules, each using only those listed before it:
//! - `naming`: SDK names generated from each service's `serviceId`; `sdk`:
//!   the SDK's modules and helper-library facts; `syntax`; `sym` (abstract values).
//! - `decls` (bindings and call sites), `index` (cross-file exports), `eval`
//!   (expressions → values), `exports` (what a module exports), `scopes`.
//! - `calls` (calls → `SdkCall`s and findings), `incremental` (statement by
//!   statement, reusing the previous analysis), `analysis` (entry points),
//!   `project` (files analysed together), `document`, `inert`, `front_end`.

mod analysis;
mod calls;
mod decls;
mod deployed;
pub mod document;
mod eval;
mod exports;
mod front_end;
mod incremental;
pub mod index;
mod inert;
pub mod naming;
mod project;
mod scopes;
mod sdk;
mod sym;
mod syntax;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod incremental_tests;

pub use analysis::services_named;
pub use document::{Dialect, JsDocument};
pub use front_end::JavaScriptFrontEnd;
pub use index::{ModuleExports, ProjectIndex};

/// The front-end, as the languages list holds it.
pub static FRONT_END: JavaScriptFrontEnd = JavaScriptFrontEnd;
