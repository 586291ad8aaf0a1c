//! The compact blob shapes written by `knowledge/generator/wire.py`, and their
//! conversion into the public types. Facts the IAM data holds (ARN templates,
//! condition keys, access levels) are joined back in here; boto3 method names
//! are derived with [`xform_name`](crate::xform_name).

use crate::iam::{ActionInfo, ActionResourceType, ConditionKeyInfo, IamPrefix, ResourceTypeInfo};
use crate::model::{
    ActionRequirement, Auth, Binding, BindingForm, InjectedArg, InjectedMethod, Mapping, Member, Operation, RequirementKind, ResourceTarget, Service,
    Waiter,
};
use crate::resources::ResourceModel;
use crate::xform::xform_name;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

#[derive(Deserialize)]
pub(crate) struct WireService {
    name: String,
    iam_prefix: String,
    signing_name: String,
    endpoint_prefix: String,
    service_id: String,
    protocol: String,
    api_version: String,
    auth: Auth,
    #[serde(default)]
    retired: Option<String>,
    ops: Vec<WireOp>,
    mappings: Vec<Mapping>,
    paginators: BTreeSet<String>,
    waiters: Vec<(String, String)>,
    resources: Option<ResourceModel>,
    injected: Vec<WireInjected>,
}

/// `[name, http_method, request_uri, flags, members, mapping, requirements]`.
#[derive(Deserialize)]
struct WireOp(String, Option<String>, Option<String>, u8, Vec<String>, usize, Vec<WireRequirement>);

#[derive(Deserialize)]
pub(crate) struct WireRequirement {
    /// Action.
    a: String,
    /// Kind, absent for primary.
    #[serde(default)]
    k: Option<RequirementKind>,
    /// Note.
    #[serde(default)]
    n: Option<String>,
    /// Only these resource types of the action.
    #[serde(default)]
    r: Option<Vec<String>>,
    /// Explicit targets `[resource type, ARN template]` (API Gateway paths).
    #[serde(default)]
    t: Option<Vec<(String, String)>>,
    /// Bindings per resource type: `[variable, member, form code]`.
    #[serde(default)]
    b: BTreeMap<String, Vec<(String, String, String)>>,
}

#[derive(Deserialize)]
struct WireInjected {
    method: String,
    #[serde(default)]
    resource: Option<String>,
    #[serde(default)]
    identifiers: Vec<crate::resources::Param>,
    operations: Vec<String>,
    extra_actions: Vec<WireRequirement>,
    args: Vec<InjectedArg>,
    note: String,
}

#[derive(Deserialize)]
pub(crate) struct WirePrefix {
    prefix: String,
    service_name: String,
    /// `[name, access level code, [[resource type, required, condition keys]], condition keys, dependent actions]`.
    #[allow(clippy::type_complexity)]
    actions: Vec<(String, String, Vec<(String, u8, Vec<String>)>, Vec<String>, Vec<String>)>,
    /// `[name, ARN templates, condition keys]`.
    resource_types: Vec<(String, Vec<String>, Vec<String>)>,
    /// `[key, value type]`.
    condition_keys: Vec<(String, String)>,
}

fn access_level(code: &str) -> String {
    match code {
        "R" => "Read",
        "W" => "Write",
        "L" => "List",
        "T" => "Tagging",
        "P" => "Permissions management",
        other => other,
    }
    .to_string()
}

fn shape_type(code: &str) -> &'static str {
    match code {
        "s" => "string",
        "o" => "structure",
        "l" => "list",
        "m" => "map",
        "i" => "integer",
        "b" => "boolean",
        "B" => "blob",
        "t" => "timestamp",
        "f" => "double",
        "u" => "union",
        "d" => "document",
        _ => "unknown",
    }
}

fn binding_form(code: &str) -> BindingForm {
    match code {
        "na" => BindingForm::NameOrArn,
        "a" => BindingForm::Arn,
        "q" => BindingForm::QueueUrl,
        "p" => BindingForm::PathName,
        "sn" => BindingForm::SecretName,
        "cb" => BindingForm::CopySourceBucket,
        "ck" => BindingForm::CopySourceKey,
        "tf" => BindingForm::TaskDefinitionFamily,
        "tr" => BindingForm::TaskDefinitionRevision,
        "bf" => BindingForm::BedrockFoundationModel,
        "bi" => BindingForm::BedrockInferenceProfile,
        "sd" => BindingForm::SsmDocument,
        _ => BindingForm::Name,
    }
}

pub(crate) fn prefix(w: WirePrefix) -> IamPrefix {
    let p = &w.prefix;
    let actions = w
        .actions
        .into_iter()
        .map(|(name, level, rts, keys, deps)| {
            let info = ActionInfo {
                name: format!("{p}:{name}"),
                access_level: access_level(&level),
                resource_types: rts
                    .into_iter()
                    .map(|(name, required, condition_keys)| ActionResourceType { name, required: required != 0, condition_keys })
                    .collect(),
                condition_keys: keys,
                dependent_actions: deps,
            };
            (name.to_ascii_lowercase(), info)
        })
        .collect();
    let resource_types = w
        .resource_types
        .into_iter()
        .map(|(name, arn_templates, condition_keys)| {
            let info = ResourceTypeInfo {
                prefix: p.clone(),
                name: name.clone(),
                arn_template: arn_templates.first().cloned().unwrap_or_default(),
                arn_templates,
                condition_keys,
            };
            (name.to_ascii_lowercase(), info)
        })
        .collect();
    let condition_keys =
        w.condition_keys.into_iter().map(|(key, value_type)| (key.to_ascii_lowercase(), ConditionKeyInfo { key, value_type })).collect();
    IamPrefix { prefix: w.prefix, service_name: w.service_name, actions, resource_types, condition_keys }
}

/// Joins a requirement with the IAM facts of its action.
pub(crate) fn requirement(w: WireRequirement, iam: &dyn Fn(&str) -> Option<Arc<IamPrefix>>) -> ActionRequirement {
    let (prefix_name, action_name) = w.a.split_once(':').unwrap_or((w.a.as_str(), ""));
    let prefix = iam(prefix_name);
    let info = prefix.as_ref().and_then(|p| p.actions.get(&action_name.to_ascii_lowercase()));
    let bindings_for = |resource_type: &str, template: &str| -> Vec<Binding> {
        w.b.get(resource_type)
            .map(|rows| {
                rows.iter()
                    .filter(|(variable, _, _)| template.contains(&format!("${{{variable}}}")))
                    .map(|(variable, member, form)| Binding { variable: variable.clone(), member: member.clone(), form: binding_form(form) })
                    .collect()
            })
            .unwrap_or_default()
    };
    // Condition keys: the action's, each resource-type row's, and each listed type's, deduplicated.
    // Borrowed until the end: a large service repeats the same keys across hundreds of actions.
    let mut keys: Vec<&str> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut resources = Vec::new();
    if let Some(info) = info {
        keys.extend(info.condition_keys.iter().map(String::as_str));
        for row in &info.resource_types {
            keys.extend(row.condition_keys.iter().map(String::as_str));
        }
    }
    if let Some(targets) = &w.t {
        for (resource_type, template) in targets {
            resources.push(ResourceTarget {
                resource_type: resource_type.clone(),
                arn_template: template.clone(),
                required: true,
                bindings: bindings_for(resource_type, template),
            });
        }
    } else if let (Some(info), Some(prefix)) = (info, prefix.as_ref()) {
        for row in &info.resource_types {
            if w.r.as_ref().is_some_and(|only| !only.contains(&row.name)) {
                continue;
            }
            let Some(rt) = prefix.resource_types.get(&row.name.to_ascii_lowercase()) else { continue };
            keys.extend(rt.condition_keys.iter().map(String::as_str));
            for template in &rt.arn_templates {
                resources.push(ResourceTarget {
                    resource_type: rt.name.clone(),
                    arn_template: template.clone(),
                    required: row.required,
                    bindings: bindings_for(&rt.name, template),
                });
            }
        }
    }
    keys.retain(|k| seen.insert(k));
    let keys: Vec<String> = keys.into_iter().map(str::to_string).collect();
    ActionRequirement {
        action: info.map(|i| i.name.clone()).unwrap_or(w.a.clone()),
        kind: w.k.clone().unwrap_or(RequirementKind::Primary),
        access_level: info.map(|i| i.access_level.clone()).filter(|l| !l.is_empty()),
        resources,
        condition_keys: keys,
        note: w.n.clone(),
    }
}

fn member(encoded: &str, bound: &HashSet<&str>) -> Member {
    let (required, rest) = match encoded.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, encoded),
    };
    let (name, code) = rest.rsplit_once(':').unwrap_or((rest, ""));
    Member { name: name.to_string(), required, shape_type: shape_type(code).to_string(), identifies_resource: bound.contains(name) }
}

pub(crate) fn service(w: WireService, iam: &dyn Fn(&str) -> Option<Arc<IamPrefix>>) -> Service {
    let mut operations = BTreeMap::new();
    for WireOp(name, http_method, request_uri, flags, members, mapping, reqs) in w.ops {
        let requirements: Vec<ActionRequirement> = reqs.into_iter().map(|r| requirement(r, iam)).collect();
        let bound: HashSet<&str> = requirements
            .iter()
            .flat_map(|r| r.resources.iter())
            .flat_map(|t| t.bindings.iter())
            .map(|b| b.member.split('.').next().unwrap_or(&b.member))
            .collect();
        let input_members = members.iter().map(|m| member(m, &bound)).collect();
        let mapping = match w.mappings.get(mapping).cloned() {
            Some(Mapping::Unmapped { reason }) if reason.is_empty() => {
                Mapping::Unmapped { reason: format!("the IAM data has no action {}:{name}", w.iam_prefix) }
            }
            Some(m) => m,
            None => Mapping::Unmapped { reason: "mapping missing from the artifact".into() },
        };
        let op = Operation {
            method: xform_name(&name),
            name: name.clone(),
            http_method,
            request_uri,
            input_members,
            deprecated: flags & 1 != 0,
            requires_iam: flags & 2 != 0,
            requirements,
            mapping,
        };
        operations.insert(name, op);
    }
    let waiters = w
        .waiters
        .into_iter()
        .map(|(name, operation)| {
            let method = xform_name(&name);
            (method.clone(), Waiter { name, method, operation })
        })
        .collect();
    let injected = w
        .injected
        .into_iter()
        .map(|m| InjectedMethod {
            method: m.method,
            resource: m.resource,
            identifiers: m.identifiers,
            operations: m.operations,
            extra_actions: m.extra_actions.into_iter().map(|r| requirement(r, iam)).collect(),
            args: m.args,
            note: m.note,
        })
        .collect();
    let mut service = Service {
        name: w.name,
        iam_prefix: w.iam_prefix,
        signing_name: w.signing_name,
        endpoint_prefix: w.endpoint_prefix,
        service_id: w.service_id,
        protocol: w.protocol,
        api_version: w.api_version,
        auth: w.auth,
        retired: w.retired,
        operations,
        paginators: w.paginators,
        waiters,
        resources: w.resources,
        injected,
        by_method: Default::default(),
    };
    service.index_methods();
    service
}
