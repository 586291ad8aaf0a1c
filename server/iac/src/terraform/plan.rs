//! `terraform show -json` output: a plan (`planned_values`, with
//! `resource_changes[].change.after_unknown` for what is learnt only at
//! apply) or a state (`values`).
//!
//! Resolved strings are exact. A value Terraform knows only after apply is
//! [`Part::Unknown`], except the attributes the table of
//! [`tf_names`](super::tf_names) derives from known arguments (the URL of a
//! queue whose name is known). Environment values that are exactly one
//! declared resource's name, ARN, URL or id are bound to that resource.

use super::hcl_eval::Value;
use super::tf_names::{self, Env};
use super::{normalize, role_of};
use crate::model::{Binding, Code, Context, Deployment, Framework, Function, IacWarning, Location, Resource, ResourceRef};
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

struct PlanResource<'a> {
    address: &'a str,
    /// `module.notifier.` or `""`.
    module: String,
    mode: &'a str,
    ty: &'a str,
    /// The values, with what is known only after apply as [`Value::Unknown`].
    values: BTreeMap<String, Value>,
}

impl PlanResource<'_> {
    fn arg(&self, k: &str) -> Option<Value> {
        self.values.get(k).cloned()
    }
    fn exact(&self, k: &str) -> Option<String> {
        self.values.get(k).and_then(|v| v.exact())
    }
    /// A managed AWS resource, or a data source of a type whose names are known (looked up by name).
    fn is_aws_resource(&self) -> bool {
        match self.mode {
            "managed" => self.ty.starts_with("aws_"),
            _ => tf_names::type_info(self.ty).is_some(),
        }
    }
    /// The resource's own region (AWS provider v6 `region`, or an S3 bucket's), else the plan's.
    fn env(&self, base: &Env) -> Env {
        match self.exact("region") {
            Some(r) if !r.is_empty() => base.with_region(&r),
            _ => base.clone(),
        }
    }
    /// `values[attr]` when known, else what the type's table derives.
    fn attribute(&self, attr: &str, env: &Env) -> Value {
        let env = &self.env(env);
        match self.values.get(attr) {
            Some(v @ Value::Str(..)) => v.clone(),
            _ => {
                let args = |k: &str| self.arg(k);
                match tf_names::attribute(self.ty, attr, &args, env, self.mode == "data") {
                    v @ Value::Str(..) if tf_names::type_info(self.ty).is_some() => v,
                    _ => Value::Unknown,
                }
            }
        }
    }
}

pub fn read(path: &Path, text: &str, ctx: &Context) -> Deployment {
    let mut out = Deployment { templates: vec![path.to_path_buf()], ..Deployment::default() };
    let warn = |line: usize, message: String| IacWarning { at: Location { file: path.to_path_buf(), line }, message };
    let json: Json = match serde_json::from_str(text) {
        Ok(j) => j,
        Err(e) => {
            out.warnings.push(warn(e.line().max(1), format!("not valid JSON ({e}): the plan is not read")));
            return out;
        }
    };
    let root = json.pointer("/planned_values/root_module").or_else(|| json.pointer("/values/root_module"));
    let Some(root) = root else {
        out.warnings.push(warn(1, "neither `planned_values` nor `values` holds a root module: not a `terraform show -json` plan or state".into()));
        return out;
    };

    let mut after_unknown: HashMap<&str, &Json> = HashMap::new();
    for change in json.get("resource_changes").and_then(Json::as_array).into_iter().flatten() {
        if let (Some(address), Some(unknown)) = (change.get("address").and_then(Json::as_str), change.pointer("/change/after_unknown")) {
            after_unknown.insert(address, unknown);
        }
    }
    let mut resources = Vec::new();
    collect(root, &after_unknown, &mut resources, 0);
    // Data sources read while planning are in the prior state.
    let mut data = Vec::new();
    if let Some(prior) = json.pointer("/prior_state/values/root_module") {
        collect(prior, &HashMap::new(), &mut data, 0);
    }
    data.retain(|d| d.mode == "data" && !resources.iter().any(|r| r.address == d.address));
    resources.extend(data);

    let env = environment(&json, &resources, ctx);
    let by_value = names_index(&resources, &env);
    let line_of = |address: &str| {
        let quoted = serde_json::to_string(address).unwrap_or_default();
        [format!("\"address\": {quoted}"), format!("\"address\":{quoted}")]
            .iter()
            .filter_map(|needle| text.find(needle.as_str()))
            .min()
            .map(|at| text[..at].matches('\n').count() + 1)
            .unwrap_or(1)
    };
    let dir = path.parent().unwrap_or(Path::new("."));

    for r in &resources {
        if !r.is_aws_resource() {
            continue;
        }
        let args = |k: &str| r.arg(k);
        let arn = match r.values.get("arn") {
            Some(v @ Value::Str(..)) if v.exact().is_some() => v.exact().map(crate::model::Pattern::literal),
            _ => tf_names::arn(r.ty, &args, &r.env(&env), r.mode == "data"),
        };
        out.resources.push(Resource {
            id: r.address.to_string(),
            resource_type: r.ty.to_string(),
            declared_at: Location { file: path.to_path_buf(), line: line_of(r.address) },
            name: tf_names::name(r.ty, &args, r.mode == "data"),
            arn,
        });
        if r.ty != "aws_lambda_function" || r.mode != "managed" {
            continue;
        }
        let mut environment = BTreeMap::new();
        match r.values.get("environment") {
            Some(Value::List(blocks)) => {
                for block in blocks {
                    match block {
                        Value::Map(m) => match m.get("variables") {
                            Some(Value::Map(vars)) => {
                                let referenced = config_references(&json, r, "/expressions/environment/0/variables/references");
                                for (k, v) in vars {
                                    let resource = v.exact().and_then(|s| one_resource(by_value.get(&s)?, r, &referenced));
                                    environment.insert(k.clone(), Binding { value: v.pattern(), resource });
                                }
                            }
                            Some(Value::Null) | None => {}
                            Some(_) => out
                                .warnings
                                .push(warn(line_of(r.address), format!("{}: the environment variables are known only after apply", r.address))),
                        },
                        _ => out.warnings.push(warn(line_of(r.address), format!("{}: the environment is known only after apply", r.address))),
                    }
                }
            }
            Some(Value::Null) | None => {}
            Some(_) => out.warnings.push(warn(line_of(r.address), format!("{}: the environment is known only after apply", r.address))),
        }
        let role = match r.values.get("role") {
            Some(v) if v.exact().is_some() => {
                let arn = v.exact().unwrap_or_default();
                let roles: Vec<ResourceRef> =
                    by_value.get(&arn).into_iter().flatten().filter(|rr| rr.resource_type == "aws_iam_role").cloned().collect();
                Some(match roles.as_slice() {
                    [rr] => rr.id.clone(),
                    _ => arn,
                })
            }
            _ => config_reference(&json, r, "role", "aws_iam_role").or_else(|| r.values.get("role").and_then(role_of)),
        };
        out.functions.push(Function {
            id: r.address.to_string(),
            framework: Framework::Terraform,
            declared_at: Location { file: path.to_path_buf(), line: line_of(r.address) },
            code: code_of(r, &resources, &json, dir),
            handler: r.exact("handler"),
            runtime: r.exact("runtime"),
            environment,
            role,
        });
    }
    out
}

/// Every resource of a module and its child modules.
fn collect<'a>(module: &'a Json, after_unknown: &HashMap<&str, &Json>, out: &mut Vec<PlanResource<'a>>, depth: usize) {
    if depth > 32 {
        return;
    }
    let prefix = module.get("address").and_then(Json::as_str).map(|a| format!("{a}.")).unwrap_or_default();
    for r in module.get("resources").and_then(Json::as_array).into_iter().flatten() {
        let (Some(address), Some(ty)) = (r.get("address").and_then(Json::as_str), r.get("type").and_then(Json::as_str)) else { continue };
        let values = match to_value(r.get("values").unwrap_or(&Json::Null), after_unknown.get(address).copied(), 0) {
            Value::Map(m) => m,
            _ => BTreeMap::new(),
        };
        out.push(PlanResource { address, module: prefix.clone(), mode: r.get("mode").and_then(Json::as_str).unwrap_or("managed"), ty, values });
    }
    for child in module.get("child_modules").and_then(Json::as_array).into_iter().flatten() {
        collect(child, after_unknown, out, depth + 1);
    }
}

/// A JSON value, with `after_unknown` marking what is known only after apply.
fn to_value(v: &Json, unknown: Option<&Json>, depth: usize) -> Value {
    if unknown == Some(&Json::Bool(true)) || depth > 32 {
        return Value::Unknown;
    }
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::literal(n.to_string()),
        Json::String(s) => Value::literal(s.clone()),
        Json::Array(items) => {
            let mut out: Vec<Value> = items.iter().enumerate().map(|(i, x)| to_value(x, unknown.and_then(|u| u.get(i)), depth + 1)).collect();
            if let Some(Json::Array(u)) = unknown {
                for flag in u.iter().skip(out.len()) {
                    out.push(to_value(&Json::Null, Some(flag), depth + 1));
                }
            }
            Value::List(out)
        }
        Json::Object(map) => {
            let mut out: BTreeMap<String, Value> =
                map.iter().map(|(k, x)| (k.clone(), to_value(x, unknown.and_then(|u| u.get(k)), depth + 1))).collect();
            if let Some(Json::Object(u)) = unknown {
                for (k, flag) in u {
                    if !map.contains_key(k) {
                        out.insert(k.clone(), to_value(&Json::Null, Some(flag), depth + 1));
                    }
                }
            }
            Value::Map(out)
        }
    }
}

/// Region and account: the context, else the plan's data sources, else the provider configuration.
fn environment(json: &Json, resources: &[PlanResource], ctx: &Context) -> Env {
    let data = |ty: &str, attrs: &[&str]| {
        resources.iter().filter(|r| r.mode == "data" && r.ty == ty && r.module.is_empty()).find_map(|r| attrs.iter().find_map(|a| r.exact(a)))
    };
    // What the plan read is what was planned: it goes before the context.
    let region = data("aws_region", &["region", "name"]).or_else(|| ctx.region.clone()).or_else(|| {
        let expr = json.pointer("/configuration/provider_config/aws/expressions/region")?;
        if let Some(s) = expr.get("constant_value").and_then(Json::as_str) {
            return Some(s.to_string());
        }
        // `region = var.region`: the plan records the variable's value.
        match expr.get("references").and_then(Json::as_array).map(|r| r.as_slice()) {
            Some([Json::String(var)]) => {
                var.strip_prefix("var.").and_then(|v| json.pointer(&format!("/variables/{v}/value"))).and_then(Json::as_str).map(String::from)
            }
            _ => None,
        }
    });
    let account = data("aws_caller_identity", &["account_id"]).or_else(|| ctx.account.clone());
    Env::new(region.as_deref(), account.as_deref())
}

/// Exact names, ARNs, URLs and ids → the resources they name.
fn names_index(resources: &[PlanResource], env: &Env) -> HashMap<String, Vec<ResourceRef>> {
    let mut index: HashMap<String, Vec<ResourceRef>> = HashMap::new();
    for r in resources.iter().filter(|r| r.is_aws_resource()) {
        let rr = ResourceRef { id: r.address.to_string(), resource_type: r.ty.to_string() };
        let args = |k: &str| r.arg(k);
        let mut keys: Vec<String> =
            ["arn", "id", "url", "bucket", "function_name", "name"].iter().filter_map(|a| r.attribute(a, env).exact()).collect();
        keys.extend(tf_names::name(r.ty, &args, r.mode == "data").and_then(|p| p.as_exact()));
        keys.sort();
        keys.dedup();
        for key in keys {
            index.entry(key).or_default().push(rr.clone());
        }
    }
    index
}

/// The one resource a value names; when several share the name (a table
/// and a function both called `shop-prod-orders`), the one the function's
/// configuration refers to.
fn one_resource(candidates: &[ResourceRef], r: &PlanResource, referenced: &[String]) -> Option<ResourceRef> {
    if let [one] = candidates {
        return Some(one.clone());
    }
    let base = |id: &str| id.split('[').next().unwrap_or(id).to_string();
    let chosen: Vec<&ResourceRef> = candidates.iter().filter(|c| referenced.iter().any(|x| format!("{}{x}", r.module) == base(&c.id))).collect();
    match chosen.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

/// The references of one expression of a resource's configuration.
fn config_references(json: &Json, r: &PlanResource, pointer: &str) -> Vec<String> {
    config_resource(json, r)
        .and_then(|c| c.pointer(pointer))
        .and_then(Json::as_array)
        .map(|refs| refs.iter().filter_map(Json::as_str).map(String::from).collect())
        .unwrap_or_default()
}

/// The configuration of a resource: `configuration.root_module` and its module calls.
fn config_resource<'a>(json: &'a Json, r: &PlanResource) -> Option<&'a Json> {
    let mut module = json.pointer("/configuration/root_module")?;
    let path = r.module.trim_end_matches('.');
    if !path.is_empty() {
        for part in path.split('.').collect::<Vec<_>>().chunks(2) {
            let [_, name] = part else { return None };
            let name = name.split('[').next().unwrap_or(name);
            module = module.get("module_calls")?.get(name)?.get("module")?;
        }
    }
    let address = r.address.strip_prefix(r.module.as_str()).unwrap_or(r.address);
    let address = address.split('[').next().unwrap_or(address);
    module.get("resources")?.as_array()?.iter().find(|c| c.get("address").and_then(Json::as_str) == Some(address))
}

/// `role = aws_iam_role.lambda.arn` in the configuration → `aws_iam_role.lambda` (in the resource's module).
fn config_reference(json: &Json, r: &PlanResource, arg: &str, ty: &str) -> Option<String> {
    let refs = config_resource(json, r)?.get("expressions")?.get(arg)?.get("references")?.as_array()?;
    // `aws_iam_role.lambda[0].arn` is listed with `aws_iam_role.lambda[0]` and `aws_iam_role.lambda`.
    let found: Vec<&str> = refs
        .iter()
        .filter_map(Json::as_str)
        .filter(|s| s.strip_prefix(ty).and_then(|s| s.strip_prefix('.')).is_some_and(|n| !n.contains('.')))
        .collect();
    let mut bases: Vec<&str> = found.iter().map(|s| s.split('[').next().unwrap_or(s)).collect();
    bases.sort();
    bases.dedup();
    let indexed: Vec<&&str> = found.iter().filter(|s| s.contains('[')).collect();
    match (bases.as_slice(), indexed.as_slice()) {
        ([_], [one]) => Some(format!("{}{one}", r.module)),
        ([one], _) => Some(format!("{}{one}", r.module)),
        _ => None,
    }
}

/// The code of a function: the `archive_file` whose output is its `filename`.
fn code_of(r: &PlanResource, resources: &[PlanResource], json: &Json, dir: &Path) -> Code {
    if r.exact("package_type").as_deref() == Some("Image") || r.exact("image_uri").is_some() {
        return Code::Unknown { reason: "a container image".into() };
    }
    if r.exact("s3_bucket").is_some() {
        return Code::Unknown { reason: "an S3 object (s3_bucket / s3_key)".into() };
    }
    let Some(filename) = r.exact("filename") else {
        return Code::Unknown { reason: "the package's path is known only after apply".into() };
    };
    let archive =
        resources.iter().find(|a| a.mode == "data" && a.ty == "archive_file" && a.exact("output_path").as_deref() == Some(filename.as_str()));
    let source = match archive {
        Some(a) => a.exact("source_dir").or_else(|| a.exact("source_file").map(|f| parent_of(&f))),
        None => config_archive_source(json, r),
    };
    if let Some(source) = source {
        let path = normalize(&dir.join(source));
        return if path.is_dir() {
            Code::Directory { path }
        } else {
            Code::Unknown { reason: format!("the archive's source {} is not a directory of the project", path.display()) }
        };
    }
    let zip = normalize(&dir.join(&filename));
    let stem = zip.with_extension("");
    if zip.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")) && stem.is_dir() {
        return Code::Directory { path: stem };
    }
    Code::Unknown { reason: format!("the package {filename} is built outside what the plan shows") }
}

/// `filename = data.archive_file.x.output_path` with a constant `source_dir` in the configuration.
fn config_archive_source(json: &Json, r: &PlanResource) -> Option<String> {
    let refs = config_resource(json, r)?.pointer("/expressions/filename/references")?.as_array()?;
    let archive = refs
        .iter()
        .filter_map(Json::as_str)
        .find_map(|s| s.strip_prefix("data.archive_file.").map(|n| n.split('.').next().unwrap_or(n).to_string()))?;
    let data = PlanResource { address: "", module: r.module.clone(), mode: "data", ty: "archive_file", values: BTreeMap::new() };
    let address = format!("{}data.archive_file.{archive}", r.module);
    let config = config_resource(json, &PlanResource { address: &address, ..data })?;
    let exprs = config.get("expressions")?;
    if let Some(d) = exprs.pointer("/source_dir/constant_value").and_then(Json::as_str) {
        return Some(d.to_string());
    }
    exprs.pointer("/source_file/constant_value").and_then(Json::as_str).map(parent_of)
}

fn parent_of(file: &str) -> String {
    match Path::new(file).parent().map(|p| p.to_string_lossy().into_owned()) {
        Some(p) if !p.is_empty() => p,
        _ => ".".into(),
    }
}
