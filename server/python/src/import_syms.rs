//! What an import binding gives its name: an SDK module or function, a stub
//! type, a module of the project (through the project view) or an external
//! module. Above `resolve` (member lookup); used by the walker.

use super::analyzer::Analyzer;
use super::imports::{is_sdk_module, sdk_module_sym, stub_service, ImportBinding};
use super::symbols::{SdkItem, Sym};

impl<'a> Analyzer<'a> {
    /// The symbol an import binding gives its name.
    pub fn import_sym(&self, b: &ImportBinding) -> Sym {
        let resolved = (!is_sdk_module(&b.module)).then(|| self.index.absolute_module(&b.module, self.module)).flatten();
        let module = resolved.as_deref().unwrap_or(b.module.as_str());
        let base = if is_sdk_module(module) {
            if let Some(svc) = stub_service(module) {
                Sym::Stubs(self.stub_service_name(svc))
            } else {
                sdk_module_sym(module)
            }
        } else if self.index.has_module(module) || (b.member.is_none() && self.index.has_package(module)) {
            // `import app.aws` binds `app`, whose submodules the index knows.
            Sym::Module(module.to_string())
        } else if let Some(sub) = b.member.map(|m| format!("{}.{m}", module.trim_start_matches('.'))).filter(|s| self.index.has_module(s)) {
            // `from app import aws` with no indexed `app/__init__.py`: the submodule itself.
            return Sym::Module(sub);
        } else if module.starts_with('.') {
            // A module of this project that is not indexed: could be anything.
            Sym::Unknown
        } else {
            Sym::ExternalModule
        };
        match b.member {
            None => base,
            Some(member) => {
                if let Sym::Module(m) = &base {
                    return self.index.lookup(m, member, self.catalog).unwrap_or(Sym::ProjectOpaque);
                }
                if let Sym::Sdk(_) = base {
                    // `from boto3.session import Session` / `from boto3 import client`.
                    let sub = format!("{module}.{member}");
                    if matches!(sdk_module_sym(&sub), Sym::Sdk(item) if item != SdkItem::Inert) {
                        return sdk_module_sym(&sub);
                    }
                }
                self.member(base, member)
            }
        }
    }

    /// `bedrock_runtime` → `bedrock-runtime` when that is the real service name.
    fn stub_service_name(&self, svc: &str) -> String {
        let dashed = svc.replace('_', "-");
        if self.service(&dashed).is_some() {
            dashed
        } else {
            svc.to_string()
        }
    }
}
