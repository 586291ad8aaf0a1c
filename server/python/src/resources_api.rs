//! The boto3 resources API, read through the knowledge base's resource model:
//! constructors (`s3.Bucket(b)`, `bucket.Object(k)`, `dynamodb.Table(t)`),
//! collections, references, and resources returned by actions. Above
//! `values`; below `resolve` and `calls`.

use super::analyzer::Analyzer;
use super::scope::Env;
use super::symbols::{ResourceRef, Sym};
use super::syntax::CallArgs;
use iamlens_engine::model::{Confidence, TextPart, Value};
use iamlens_knowledge::{Param, ResourceDef, ResponseResource};
use tree_sitter::Node;

impl<'a> Analyzer<'a> {
    /// Run `f` on the resource class (or service resource) definition of `r`.
    pub fn with_rdef<T>(&self, r: &ResourceRef, f: impl FnOnce(&ResourceDef) -> T) -> Option<T> {
        let service = self.service(&r.service)?;
        let model = service.resources.as_ref()?;
        let def = match &r.rtype {
            None => &model.service,
            Some(t) => model.resource(t)?,
        };
        Some(f(def))
    }

    /// `resource.name` (not called).
    pub fn resource_member(&self, r: ResourceRef, name: &str) -> Sym {
        if name == "meta" {
            return Sym::Meta(Box::new(Sym::Resource(r)));
        }
        let found = self.with_rdef(&r, |def| {
            if let Some((key, _)) = def.collections.iter().find(|(_, c)| c.attribute == name) {
                return Some(Sym::Collection { parent: r.clone(), name: key.clone(), listed: false });
            }
            if let Some(id) = def.identifiers.iter().find(|i| i.attribute == name) {
                return Some(r.ids.iter().find(|(n, _)| *n == id.name).map_or(Sym::Foreign, |(_, v)| Sym::Value(v.clone())));
            }
            // References: sub-resources built from loaded data are attributes.
            for (key, sub) in &def.has {
                let is_reference = sub.resource.identifiers.iter().any(|p| p.source == "data");
                if is_reference && iamlens_knowledge::xform_name(key) == name {
                    return Some(Sym::Resource(self.build_resource(&r, &sub.resource, &[], None, None)));
                }
            }
            None
        });
        found.flatten().unwrap_or(Sym::Foreign)
    }

    /// The value of calling `resource.method(...)`.
    pub fn resource_call_result(&self, r: ResourceRef, method: &str, call: Node<'a>, env: &Env<'a>) -> Sym {
        if method == "batch_writer" {
            return Sym::BatchWriter;
        }
        if r.rtype.is_none() {
            if let Some(made) = self.service_constructor(&r, method, call, env) {
                return made;
            }
        }
        let found = self.with_rdef(&r, |def| {
            if let Some(sub) = def.has.get(method) {
                let inputs = self.constructor_inputs(&r.service, call, env, &sub.resource);
                return Some(Sym::Resource(self.build_resource(&r, &sub.resource, &inputs, None, None)));
            }
            if let Some(action) = def.actions.values().find(|a| a.method == method) {
                let returned = action.resource.as_ref()?;
                let built = self.build_resource(&r, returned, &[], Some(call), Some(env));
                let is_list = returned.path.as_deref().is_some_and(|p| p.contains("[]"))
                    || returned.identifiers.iter().any(|p| p.path.as_deref().is_some_and(|p| p.contains("[]")));
                return Some(if is_list { Sym::ResourceList(built) } else { Sym::Resource(built) });
            }
            None
        });
        found.flatten().unwrap_or(Sym::Foreign)
    }

    /// boto3 lets the service resource construct every resource class of the
    /// service from all its identifiers (`s3.Object(bucket, key)`), not only
    /// the ones its model lists under `has`.
    fn service_constructor(&self, r: &ResourceRef, method: &str, call: Node<'a>, env: &Env<'a>) -> Option<Sym> {
        let svc = self.service(&r.service)?;
        let def = svc.resources.as_ref()?.resource(method)?;
        let args = CallArgs::of(call);
        let ids = def
            .identifiers
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let node = args.positional.get(i).copied().or_else(|| args.keyword(&id.attribute, self.src));
                (id.name.clone(), node.map_or(Value::Unknown, |n| self.value(n, env)))
            })
            .collect();
        Some(Sym::Resource(ResourceRef {
            service: r.service.clone(),
            rtype: Some(method.to_string()),
            ids,
            confidence: r.confidence,
            region: r.region.clone(),
        }))
    }

    /// Whether `method` on the service resource constructs a resource class.
    pub fn is_service_constructor(&self, r: &ResourceRef, method: &str) -> bool {
        r.rtype.is_none() && self.service(&r.service).is_some_and(|s| s.resources.as_ref().is_some_and(|m| m.resource(method).is_some()))
    }

    /// The resource a collection yields when iterated.
    pub fn collection_item(&self, parent: &ResourceRef, name: &str) -> Sym {
        let found = self.with_rdef(parent, |def| {
            let c = def.collections.get(name)?;
            let res = c.resource.as_ref()?;
            // `requestParameter` identifiers come from the collection's own request.
            let request = self.request_args(parent, &c.request.params);
            Some(Sym::Resource(self.build_resource(parent, res, &request, None, None)))
        });
        found.flatten().unwrap_or(Sym::Foreign)
    }

    /// Identifier values for a constructor call: `input` identifiers in order,
    /// positionally or by their Python attribute name.
    fn constructor_inputs(&self, service: &str, call: Node<'a>, env: &Env<'a>, res: &ResponseResource) -> Vec<(String, Value)> {
        let args = CallArgs::of(call);
        let target_def_attrs = self.identifier_attributes(service, &res.type_name);
        let mut out = Vec::new();
        for (next, p) in res.identifiers.iter().filter(|p| p.source == "input").enumerate() {
            let attr =
                target_def_attrs.iter().find(|(n, _)| *n == p.target).map_or_else(|| iamlens_knowledge::xform_name(&p.target), |(_, a)| a.clone());
            let node = args.positional.get(next).copied().or_else(|| args.keyword(&attr, self.src));
            let v = node.map_or(Value::Unknown, |n| self.value(n, env));
            out.push((p.target.clone(), v));
        }
        out
    }

    /// (identifier name, Python attribute) pairs of a resource class.
    fn identifier_attributes(&self, service: &str, type_name: &str) -> Vec<(String, String)> {
        let Some(svc) = self.service(service) else { return Vec::new() };
        let Some(def) = svc.resources.as_ref().and_then(|m| m.resource(type_name)) else { return Vec::new() };
        def.identifiers.iter().map(|i| (i.name.clone(), i.attribute.clone())).collect()
    }

    /// A resource of `res.type_name` whose identifiers come from the parent,
    /// constructor inputs, or request parameters of the call that returned it
    /// (`inputs` doubles as the request of a collection).
    fn build_resource(
        &self,
        parent: &ResourceRef,
        res: &ResponseResource,
        inputs: &[(String, Value)],
        call: Option<Node<'a>>,
        env: Option<&Env<'a>>,
    ) -> ResourceRef {
        let mut ids = Vec::new();
        for p in &res.identifiers {
            let v = match p.source.as_str() {
                "identifier" => parent_id(parent, p),
                "input" => inputs.iter().find(|(n, _)| *n == p.target).map(|(_, v)| v.clone()),
                "requestParameter" => match (call, env, p.path.as_deref()) {
                    (Some(call), Some(env), Some(path)) if is_simple_member(path) => {
                        let args = CallArgs::of(call);
                        args.keyword(path, self.src).map(|n| self.value(n, env))
                    }
                    (None, _, Some(path)) => inputs.iter().find(|(n, _)| n == path).map(|(_, v)| v.clone()),
                    _ => None,
                },
                "string" => p.value.as_ref().and_then(|v| v.as_str()).map(Value::literal),
                "response" => match (call, env, p.path.as_deref()) {
                    (Some(call), Some(env), Some("QueueUrl")) => self.url_of_queue_by_name(call, env),
                    _ => None,
                },
                _ => None,
            };
            ids.push((p.target.clone(), v.unwrap_or(Value::Unknown)));
        }
        ResourceRef {
            service: parent.service.clone(),
            rtype: Some(res.type_name.clone()),
            ids,
            confidence: parent.confidence.max(Confidence::High),
            region: parent.region.clone(),
        }
    }

    /// `sqs.get_queue_by_name(QueueName="jobs")`: the host of the URL is the
    /// client's endpoint, only known at run time; its path is known: `/jobs`
    /// (`/<owner>/jobs` with `QueueOwnerAWSAccountId`). Binding reads a URL
    /// without a host as a queue in the run's region and account.
    fn url_of_queue_by_name(&self, call: Node<'a>, env: &Env<'a>) -> Option<Value> {
        let args = CallArgs::of(call);
        let Value::Text(name) = self.value(args.keyword("QueueName", self.src)?, env) else { return None };
        let mut path = Vec::new();
        if let Some(Value::Text(owner)) = args.keyword("QueueOwnerAWSAccountId", self.src).map(|n| self.value(n, env)) {
            path.push(TextPart::Literal("/".into()));
            path.extend(owner);
        }
        path.push(TextPart::Literal("/".into()));
        path.extend(name);
        Some(Value::Text(joined_literals(path)))
    }

    /// Request members filled from a resource's identifiers and literal params
    /// (`Bucket` ← `BucketName`, `TableName` ← `Name`).
    pub fn request_args(&self, r: &ResourceRef, params: &[Param]) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for p in params {
            if !is_simple_member(&p.target) {
                continue;
            }
            let v = match p.source.as_str() {
                "identifier" => parent_id(r, p),
                "string" => p.value.as_ref().and_then(|v| v.as_str()).map(Value::literal),
                "integer" => p.value.as_ref().and_then(|v| v.as_f64()).map(Value::Number),
                "boolean" => p.value.as_ref().and_then(|v| v.as_bool()).map(Value::Bool),
                _ => None,
            };
            if let Some(v) = v {
                out.push((p.target.clone(), v));
            }
        }
        out
    }
}

fn parent_id(parent: &ResourceRef, p: &Param) -> Option<Value> {
    let name = p.name.as_deref()?;
    parent.ids.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
}

/// A plain member name (not a path like `Delete.Objects[].Key`).
fn is_simple_member(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Adjacent literal parts as one (`"/" + "jobs"` is the literal `"/jobs"`).
fn joined_literals(parts: Vec<TextPart>) -> Vec<TextPart> {
    let mut out: Vec<TextPart> = Vec::with_capacity(parts.len());
    for part in parts {
        match (out.last_mut(), part) {
            (Some(TextPart::Literal(prev)), TextPart::Literal(next)) => prev.push_str(&next),
            (_, part) => out.push(part),
        }
    }
    out
}
