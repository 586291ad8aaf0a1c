//! Clients injected by decorators: `@sts_conn("ec2")` or
//! `@with_client("sqs", service_type="resource")` above
//! `def f(..., client=None)` hands `f` a client of that service. The evidence
//! is the literal service name, a parameter named like a client, and a
//! decorator that is AWS code: defined in a file that imports the SDK (this
//! one, or the project module it is imported from). Above `scope`, `imports`
//! and the project view; used by the walker's parameter binding.

use super::analyzer::Analyzer;
use super::symbols::{ResourceRef, Svc, Sym};
use super::syntax::{named_children, string_literal, text, CallArgs, FieldExt};
use iamlens_engine::model::Confidence;
use tree_sitter::Node;

/// A client (or resource) a decorator of a function injects.
pub struct Injected {
    service: String,
    resource: bool,
    /// Whether the decorator is AWS code: `Some(false)` for one defined in a
    /// project module that never imports an AWS SDK (`@gcp_conn("iam")` hands
    /// another cloud's client), `None` when its module is not indexed.
    aws: Option<bool>,
}

/// Named like a parameter that takes a client: `client`, `conn`, `resource`,
/// `sqs_client`, ...
pub(super) fn is_clientish(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(lower.as_str(), "client" | "conn" | "connection" | "resource" | "boto_client" | "aws_client")
        || ["_client", "_resource", "_conn"].iter().any(|s| lower.ends_with(s))
}

impl<'a> Analyzer<'a> {
    /// What the decorators of `def` inject, if one names a service.
    pub(super) fn injected_client(&self, def: Node<'a>) -> Option<Injected> {
        let decorated = def.parent().filter(|p| p.kind() == "decorated_definition")?;
        named_children(decorated).filter(|d| d.kind() == "decorator").find_map(|d| self.decorator_injects(d))
    }

    fn decorator_injects(&self, decorator: Node<'a>) -> Option<Injected> {
        let call = decorator.named_child(0).filter(|c| c.kind() == "call")?;
        let callee = call.field("function")?;
        let args = CallArgs::of(call);
        let literal = |n: Node| string_literal(n, self.src);
        let service = args
            .positional
            .first()
            .and_then(|n| literal(*n))
            .or_else(|| ["service", "service_name", "client_type"].iter().find_map(|k| args.keyword(k, self.src).and_then(literal)))?;
        let svc = self.service(&service)?;
        let aws = self.decorator_is_aws_code(callee);
        let resource = ["service_type", "conn_type"].iter().any(|k| args.keyword(k, self.src).and_then(literal).as_deref() == Some("resource"));
        Some(Injected { service: svc.name.clone(), resource, aws })
    }

    /// Defined in this file when it imports the SDK, or imported from a
    /// project module that does; `None` when that module is not indexed.
    fn decorator_is_aws_code(&self, callee: Node<'a>) -> Option<bool> {
        let path = text(callee, self.src);
        let root = path.split('.').next().unwrap_or(path);
        match self.imported_names(callee).get(root) {
            None => self.imports_sdk.then_some(true),
            Some((module, member)) => {
                let module = self.index.absolute_module(module, self.module)?;
                // `from pkg import deco` (a function, maybe re-exported) or `from pkg import aws` (a module).
                let as_function = self.index.defined_with_sdk(&module, *member);
                let as_module = member
                    .and_then(|m| self.index.absolute_module(&format!("{module}.{m}"), self.module))
                    .and_then(|m| self.index.defined_with_sdk(&m, None));
                match (as_function, as_module) {
                    (Some(true), _) | (_, Some(true)) => Some(true),
                    (None, None) => None,
                    _ => Some(false),
                }
            }
        }
    }

    /// The parameter `name` of a function whose decorator injects `injected`:
    /// the client when the name says it takes one (`client`, `conn`,
    /// `resource`, `sqs_client`, ...); known not to be AWS when the decorator
    /// is not AWS code.
    pub(super) fn injected_param(&self, injected: &Injected, name: &str) -> Option<Sym> {
        if !is_clientish(name) {
            return None;
        }
        match injected.aws {
            Some(true) => {}
            Some(false) => return Some(Sym::Foreign),
            None => return None,
        }
        let lower = name.to_ascii_lowercase();
        let confidence = Confidence::Medium;
        if injected.resource || lower.contains("resource") {
            self.service(&injected.service)?.resources.as_ref()?;
            return Some(Sym::Resource(ResourceRef { service: injected.service.clone(), rtype: None, ids: Vec::new(), confidence, region: None }));
        }
        Some(Sym::Client { service: Svc::Known(injected.service.clone()), confidence, region: None })
    }
}
