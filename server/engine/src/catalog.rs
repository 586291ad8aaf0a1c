//! What a front-end needs to know about AWS services, behind a small trait so
//! analysis can run against the embedded knowledge base or, in tests, against
//! small hand-written service tables.

use iamlens_knowledge::{KnowledgeBase, Operation, Service};
use std::sync::Arc;

/// The service knowledge a front-end consults.
pub trait Catalog: Sync {
    /// A service by botocore name (or an alias boto3 accepts).
    fn service(&self, name: &str) -> Option<Arc<Service>>;
    /// Closest real service names to a misspelt one, best first.
    fn nearest_services(&self, name: &str) -> Vec<String>;
    /// Services whose client has this boto3 method, sorted.
    fn services_with_method(&self, method: &str) -> Vec<String>;
}

impl Catalog for KnowledgeBase {
    fn service(&self, name: &str) -> Option<Arc<Service>> {
        KnowledgeBase::service(self, name)
    }

    fn nearest_services(&self, name: &str) -> Vec<String> {
        KnowledgeBase::nearest_services(self, name, 3)
    }

    fn services_with_method(&self, method: &str) -> Vec<String> {
        KnowledgeBase::services_with_method(self, method)
    }
}

/// The catalog of this build: the embedded knowledge base.
pub fn embedded() -> &'static dyn Catalog {
    KnowledgeBase::embedded()
}

/// The operation a boto3 method calls, spelled exactly as boto3 spells it
/// (`get_object`; not `GetObject`, not `getobject`: those fail at run time).
pub fn exact_operation<'s>(service: &'s Service, method: &str) -> Option<&'s Operation> {
    service.operation_by_method(method).filter(|op| op.method == method)
}

/// Client methods every boto3 client has that call no operation by themselves.
pub const CLIENT_HELPERS: &[&str] = &["get_paginator", "get_waiter", "can_paginate", "close", "exceptions", "meta", "waiter_names"];

#[cfg(feature = "test-support")]
pub mod fake {
    //! Hand-written service tables for front-end tests (feature `test-support`).
    use super::*;
    use std::collections::HashMap;

    /// Operations of one service: (API name, input members).
    pub type ServiceOps<'s> = (&'s str, &'s [(&'s str, &'s [&'s str])]);

    pub struct FakeCatalog {
        pub services: HashMap<String, Arc<Service>>,
    }

    impl FakeCatalog {
        /// Services with these operations and input members; change them further with [`edit`](Self::edit).
        pub fn from_ops(ops: &[ServiceOps]) -> FakeCatalog {
            let mut services = HashMap::new();
            for (svc, list) in ops {
                let mut operations = serde_json::Map::new();
                for (name, members) in *list {
                    let members: Vec<serde_json::Value> = members
                        .iter()
                        .map(|m| serde_json::json!({"name": m, "required": false, "shape_type": "string", "identifies_resource": false}))
                        .collect();
                    operations.insert(
                        name.to_string(),
                        serde_json::json!({"name": name, "method": iamlens_knowledge::xform_name(name), "http_method": null,
                            "request_uri": null, "input_members": members, "deprecated": false, "requires_iam": true,
                            "requirements": [], "mapping": {"source": "rule"}}),
                    );
                }
                let json = serde_json::json!({"name": svc, "iam_prefix": svc, "signing_name": svc, "endpoint_prefix": svc,
                    "service_id": svc, "protocol": "json", "api_version": "1", "auth": "sigv4", "operations": operations,
                    "paginators": [], "waiters": {}, "resources": null, "injected": []});
                let service: Service = serde_json::from_value(json).expect("fake service");
                services.insert(svc.to_string(), Arc::new(service));
            }
            FakeCatalog { services }
        }

        /// Change one service (add paginators, waiters, resources, injected methods).
        pub fn edit(&mut self, svc: &str, f: impl FnOnce(&mut Service)) {
            let s = Arc::make_mut(self.services.get_mut(svc).expect("service"));
            f(s);
        }
    }

    impl Catalog for FakeCatalog {
        fn service(&self, name: &str) -> Option<Arc<Service>> {
            self.services.get(name).cloned()
        }
        fn nearest_services(&self, name: &str) -> Vec<String> {
            let mut names: Vec<&String> = self.services.keys().filter(|k| strsim::jaro_winkler(k, name) > 0.6).collect();
            names.sort();
            names.into_iter().cloned().collect()
        }
        fn services_with_method(&self, method: &str) -> Vec<String> {
            let mut out: Vec<String> = self.services.iter().filter(|(_, s)| exact_operation(s, method).is_some()).map(|(k, _)| k.clone()).collect();
            out.sort();
            out
        }
    }
}
