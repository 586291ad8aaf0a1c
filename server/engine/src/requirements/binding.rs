//! One binding: an operation input's value → the template variables it fills,
//! or the whole resource ARN when the value is one.
//!
//! Values arrive as IAM patterns (`Value::as_pattern`): literal text with `*`
//! where analysis could not know a part, so `f"logs/{day}.json"` is
//! `logs/*.json` and binds as such.

use crate::model::Value;
use iamlens_knowledge::BindingForm;

/// What one binding contributes to an ARN.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bound {
    /// The variable's value (a pattern; `*` when unknown).
    pub value: String,
    /// The value was a whole ARN: it is the resource, template aside.
    pub whole_arn: Option<String>,
    /// Region and account read from the value itself (a queue URL); they win over settings.
    pub region: Option<String>,
    pub account: Option<String>,
    /// Some part is only known at run time.
    pub dynamic: bool,
    /// The value does not name a resource of this target's type (a Bedrock
    /// model id on the inference-profile target): the call does not touch it.
    pub not_this_type: bool,
}

/// Look up `member` (a top-level name or a dotted path like `CopySource.Bucket`)
/// in the call's arguments. A path goes through lists item by item
/// (`Targets.RoleArn`: each target's role): the value the items that have it
/// agree on, or an unknown value when they differ; absent when none has it.
pub fn member_value<'a>(args: &'a [(String, Value)], member: &str) -> Option<&'a Value> {
    // An argument keyed by the whole path: one value picked out of a list (`member_values`).
    if let Some((_, value)) = args.iter().find(|(k, _)| k == member) {
        return Some(value);
    }
    let (first, rest) = member.split_once('.').map_or((member, None), |(f, r)| (f, Some(r)));
    let value = args.iter().find(|(k, _)| k == first).map(|(_, v)| v)?;
    match rest {
        Some(rest) => path_value(value, rest),
        None => Some(value),
    }
}

static UNKNOWN: Value = Value::Unknown;

/// Every distinct value at `member` (a path as for [`member_value`]), going
/// through list items and into a list at the end (`IamRoles=["a", "b"]`):
/// one per resource the member names. Empty when the call does not give it.
pub fn member_values<'a>(args: &'a [(String, Value)], member: &str) -> Vec<&'a Value> {
    let (first, rest) = member.split_once('.').map_or((member, None), |(f, r)| (f, Some(r)));
    let mut out = Vec::new();
    if let Some((_, value)) = args.iter().find(|(k, _)| k == first) {
        collect_values(value, rest, &mut out);
    }
    out
}

fn collect_values<'a>(value: &'a Value, path: Option<&str>, out: &mut Vec<&'a Value>) {
    match (value, path) {
        (Value::List(items), _) => items.iter().for_each(|item| collect_values(item, path, out)),
        (Value::Dict(_), Some(path)) => {
            let (part, rest) = path.split_once('.').map_or((path, None), |(p, r)| (p, Some(r)));
            if let Some(inner) = value.get(part) {
                collect_values(inner, rest, out);
            }
        }
        _ => {
            if !out.contains(&value) {
                out.push(value);
            }
        }
    }
}

fn path_value<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let (part, rest) = path.split_once('.').map_or((path, None), |(p, r)| (p, Some(r)));
    match value {
        Value::Dict(_) => {
            let inner = value.get(part)?;
            match rest {
                Some(rest) => path_value(inner, rest),
                None => Some(inner),
            }
        }
        Value::List(items) => {
            let mut found = items.iter().filter_map(|item| path_value(item, path));
            let first = found.next()?;
            Some(if found.all(|v| v == first) { first } else { &UNKNOWN })
        }
        // `CopySource="bucket/key"`: the string form is handled by the CopySource forms;
        // an unknown value may hold the member.
        _ => Some(value),
    }
}

/// Bind `value` (absent: the call did not pass the member) in the given form.
pub fn bind(form: BindingForm, value: Option<&Value>) -> Bound {
    let Some(value) = value else {
        return Bound { value: "*".into(), ..Bound::default() };
    };
    let pattern = value.as_pattern();
    let dynamic = value.as_exact_str().is_none();
    let text = pattern.clone().unwrap_or_else(|| "*".to_string());
    let plain = Bound { value: text.clone(), dynamic, ..Bound::default() };
    match form {
        BindingForm::Name => plain,
        BindingForm::NameOrArn => or_whole_arn(plain),
        // Only a value that is visibly an ARN replaces the template; an unknown
        // value still has the template's shape (`...:execution:*`), not `*`.
        BindingForm::Arn => or_whole_arn(plain),
        BindingForm::PathName => {
            let bound = or_whole_arn(plain);
            Bound { value: parameter_path(&bound.value), ..bound }
        }
        BindingForm::SecretName => {
            let bound = or_whole_arn(plain);
            // AWS appends `-` + 6 random characters to a secret's name in its ARN.
            let value = if bound.value.ends_with('*') { bound.value.clone() } else { format!("{}-??????", bound.value) };
            Bound { value, ..bound }
        }
        BindingForm::QueueUrl => queue_url(&text, dynamic),
        // A `{"Bucket": ..., "Key": ...}` dict is no exact string, yet its parts may all be known.
        BindingForm::CopySourceBucket => {
            let bucket = copy_source(value).0;
            Bound { dynamic: bucket.contains('*'), value: bucket, ..Bound::default() }
        }
        BindingForm::CopySourceKey => {
            let key = copy_source(value).1;
            Bound { dynamic: key.contains('*'), value: key, ..Bound::default() }
        }
        BindingForm::TaskDefinitionFamily => task_definition(plain, |family, _| family),
        BindingForm::TaskDefinitionRevision => task_definition(plain, |_, revision| revision),
        BindingForm::BedrockFoundationModel => bedrock_foundation_model(plain),
        BindingForm::BedrockInferenceProfile => bedrock_inference_profile(plain),
        BindingForm::SsmDocument => ssm_document(or_whole_arn(plain)),
    }
}

/// Geographic prefixes of Bedrock's cross-region (system-defined) inference profile ids.
const INFERENCE_PROFILE_GEOS: &[&str] = &["us.", "us-gov.", "eu.", "apac.", "jp.", "au.", "ca.", "global."];

fn inference_profile_model(id: &str) -> Option<&str> {
    INFERENCE_PROFILE_GEOS.iter().find_map(|geo| id.strip_prefix(geo))
}

/// `modelId` on the foundation-model target: the model itself; behind a
/// cross-region inference profile, the model in every region the profile
/// routes to (`*`); an ARN (provisioned model, custom or imported model) is the resource.
fn bedrock_foundation_model(bound: Bound) -> Bound {
    let bound = or_whole_arn(bound);
    if bound.whole_arn.is_some() {
        return bound;
    }
    match inference_profile_model(&bound.value) {
        Some(model) => Bound { value: model.to_string(), region: Some("*".into()), ..bound },
        None => bound,
    }
}

/// `modelId` on the inference-profile target: only a cross-region inference
/// profile id names one; anything else is not this type (an ARN is already
/// the whole resource on the foundation-model target).
fn bedrock_inference_profile(bound: Bound) -> Bound {
    let is_profile = !bound.value.starts_with("arn:") && inference_profile_model(&bound.value).is_some();
    Bound { not_this_type: !is_profile, ..bound }
}

/// ECS `taskDefinition`: `family`, `family:revision` or an ARN (the whole
/// resource; one without a revision covers every revision). `part` picks the
/// family or the revision (`*` when only the family is given).
fn task_definition(bound: Bound, part: impl Fn(String, String) -> String) -> Bound {
    if bound.value.starts_with("arn:") {
        let name = bound.value.rsplit_once("task-definition/").map_or("", |(_, n)| n);
        let arn = if name.is_empty() || name.contains(':') || name.ends_with('*') { bound.value.clone() } else { format!("{}:*", bound.value) };
        return Bound { whole_arn: Some(arn), ..bound };
    }
    let (family, revision) = match bound.value.rsplit_once(':') {
        Some((family, revision)) => (family.to_string(), revision.to_string()),
        None => (bound.value.clone(), "*".to_string()),
    };
    Bound { value: part(family, revision), ..bound }
}

/// Document names starting `AWS`, `Amazon` or `amzn` are reserved for
/// documents AWS owns, whose ARNs carry no account: an empty account, which
/// the ARN filler writes as `*` (it matches the empty part), not the caller's.
fn ssm_document(bound: Bound) -> Bound {
    let lower = bound.value.to_ascii_lowercase();
    let aws_owned = bound.whole_arn.is_none() && ["aws", "amazon", "amzn"].iter().any(|p| lower.starts_with(p));
    if aws_owned {
        Bound { account: Some(String::new()), ..bound }
    } else {
        bound
    }
}

fn or_whole_arn(bound: Bound) -> Bound {
    if bound.value.starts_with("arn:") {
        Bound { whole_arn: Some(bound.value.clone()), ..bound }
    } else {
        bound
    }
}

/// An SSM name loses one leading `/` (the ARN template supplies it). A value
/// ending in `/` is a hierarchy (`get_parameters_by_path(Path="/app/prod/")`):
/// it covers the path itself and everything below, `app/prod*`.
fn parameter_path(name: &str) -> String {
    match name.strip_suffix('/') {
        Some(path) => {
            let path = path.strip_prefix('/').unwrap_or(path);
            if path.is_empty() {
                "*".to_string()
            } else {
                format!("{path}*")
            }
        }
        None => name.strip_prefix('/').unwrap_or(name).to_string(),
    }
}

/// `https://sqs.us-east-1.amazonaws.com/123456789012/jobs` (also the legacy
/// `https://us-east-1.queue.amazonaws.com/...` and `https://queue.amazonaws.com/...`
/// for us-east-1) → queue name, region, account. Parts the pattern does not
/// show stay unknown (`None`: settings fill them; `*` when unknown text sits there).
/// A URL without a host (`/jobs`, `/111122223333/jobs`: a queue got by name)
/// is the client's own endpoint: the settings' region.
fn queue_url(url: &str, dynamic: bool) -> Bound {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let segments: Vec<&str> = rest.split('/').collect();
    let name = segments.last().copied().filter(|s| !s.is_empty()).unwrap_or("*").to_string();
    let mut bound = Bound { value: name, dynamic, ..Bound::default() };
    if segments.len() >= 3 {
        let host = segments[segments.len() - 3];
        bound.account = Some(segments[segments.len() - 2].to_string());
        bound.region = region_of_queue_host(host);
    } else if segments.len() == 2 && segments[0] == "*" {
        // f"{base}/{name}": the unknown base hides region and account.
        bound.region = Some("*".into());
        bound.account = Some("*".into());
    }
    bound
}

fn region_of_queue_host(host: &str) -> Option<String> {
    if let Some(rest) = host.strip_prefix("sqs.") {
        return rest.split('.').next().map(str::to_string);
    }
    if host == "queue.amazonaws.com" {
        return Some("us-east-1".into());
    }
    if let Some((region, _)) = host.split_once(".queue.") {
        return Some(region.to_string());
    }
    if host.contains('*') {
        return Some("*".into());
    }
    // A local endpoint (LocalStack, moto): the URL says nothing about the region.
    None
}

/// `CopySource` as a dict `{"Bucket": b, "Key": k, "VersionId"?: v}` or a
/// string `"b/k"` / `"/b/k?versionId=v"` → (bucket, key) patterns.
fn copy_source(value: &Value) -> (String, String) {
    if let Value::Dict(_) = value {
        let part = |name: &str| value.get(name).and_then(Value::as_pattern).unwrap_or_else(|| "*".into());
        return (part("Bucket"), part("Key"));
    }
    let Some(text) = value.as_pattern() else { return ("*".into(), "*".into()) };
    let text = text.strip_prefix('/').unwrap_or(&text);
    let text = text.split_once("?versionId=").map(|(t, _)| t).unwrap_or(text);
    match text.split_once('/') {
        // An unknown part inside the bucket may itself hold slashes: the bucket
        // is unknown and the key is anything ending with the known tail.
        Some((bucket, key)) if bucket.contains('*') => ("*".into(), collapse_stars(&format!("*{key}"))),
        Some((bucket, key)) => (bucket.to_string(), key.to_string()),
        None if text.is_empty() || text.contains('*') => ("*".into(), "*".into()),
        // "bucket" alone is not a valid CopySource; keep the bucket, any key.
        None => (text.to_string(), "*".into()),
    }
}

fn collapse_stars(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !(c == '*' && out.ends_with('*')) {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TextPart;

    fn lit(s: &str) -> Value {
        Value::literal(s)
    }

    fn fstr(parts: &[Option<&str>]) -> Value {
        Value::Text(parts.iter().map(|p| p.map(|s| TextPart::Literal(s.into())).unwrap_or(TextPart::Unknown)).collect())
    }

    #[test]
    fn plain_names_and_f_strings() {
        assert_eq!(bind(BindingForm::Name, Some(&lit("orders"))).value, "orders");
        let b = bind(BindingForm::Name, Some(&fstr(&[Some("logs/"), None, Some(".json")])));
        assert_eq!((b.value.as_str(), b.dynamic), ("logs/*.json", true));
        let b = bind(BindingForm::Name, Some(&Value::Unknown));
        assert_eq!((b.value.as_str(), b.dynamic), ("*", true));
        let b = bind(BindingForm::Name, None);
        assert_eq!((b.value.as_str(), b.dynamic), ("*", false));
    }

    #[test]
    fn names_or_arns() {
        let arn = "arn:aws:lambda:eu-west-1:111122223333:function:resize";
        assert_eq!(bind(BindingForm::NameOrArn, Some(&lit(arn))).whole_arn.as_deref(), Some(arn));
        assert_eq!(bind(BindingForm::NameOrArn, Some(&lit("resize"))).whole_arn, None);
    }

    #[test]
    fn ssm_parameter_names_lose_one_leading_slash() {
        assert_eq!(bind(BindingForm::PathName, Some(&lit("/app/db/password"))).value, "app/db/password");
        assert_eq!(bind(BindingForm::PathName, Some(&lit("app-config"))).value, "app-config");
        let b = bind(BindingForm::PathName, Some(&fstr(&[Some("/app/"), None, Some("/url")])));
        assert_eq!(b.value, "app/*/url");
        assert_eq!(bind(BindingForm::PathName, Some(&lit("/app/prod/flags/"))).value, "app/prod/flags*");
        assert_eq!(bind(BindingForm::PathName, Some(&lit("/"))).value, "*");
    }

    #[test]
    fn secret_names_get_the_random_suffix_and_arns_stay() {
        assert_eq!(bind(BindingForm::SecretName, Some(&lit("prod/db"))).value, "prod/db-??????");
        let arn = "arn:aws:secretsmanager:us-east-1:1:secret:prod/db-AbCdEf";
        assert_eq!(bind(BindingForm::SecretName, Some(&lit(arn))).whole_arn.as_deref(), Some(arn));
        assert_eq!(bind(BindingForm::SecretName, Some(&Value::Unknown)).value, "*");
    }

    #[test]
    fn queue_urls() {
        let b = bind(BindingForm::QueueUrl, Some(&lit("https://sqs.eu-west-1.amazonaws.com/111122223333/jobs")));
        assert_eq!((b.value.as_str(), b.region.as_deref(), b.account.as_deref()), ("jobs", Some("eu-west-1"), Some("111122223333")));
        let b = bind(BindingForm::QueueUrl, Some(&lit("https://queue.amazonaws.com/111122223333/jobs.fifo")));
        assert_eq!((b.value.as_str(), b.region.as_deref()), ("jobs.fifo", Some("us-east-1")));
        let b = bind(BindingForm::QueueUrl, Some(&lit("https://ap-south-1.queue.amazonaws.com/1/q")));
        assert_eq!(b.region.as_deref(), Some("ap-south-1"));
        let b = bind(BindingForm::QueueUrl, Some(&fstr(&[None, Some("/jobs")])));
        assert_eq!((b.value.as_str(), b.region.as_deref(), b.account.as_deref()), ("jobs", Some("*"), Some("*")));
        let b = bind(BindingForm::QueueUrl, Some(&Value::Unknown));
        assert_eq!((b.value.as_str(), b.region, b.dynamic), ("*", None, true));
        let b = bind(BindingForm::QueueUrl, Some(&lit("/jobs")));
        assert_eq!((b.value.as_str(), b.region, b.account, b.dynamic), ("jobs", None, None, false));
        let b = bind(BindingForm::QueueUrl, Some(&lit("/111122223333/jobs")));
        assert_eq!((b.value.as_str(), b.region, b.account.as_deref()), ("jobs", None, Some("111122223333")));
    }

    #[test]
    fn copy_sources() {
        let dict = Value::Dict(vec![("Bucket".into(), lit("src")), ("Key".into(), fstr(&[Some("in/"), None]))]);
        assert_eq!(copy_source(&dict), ("src".into(), "in/*".into()));
        assert_eq!(copy_source(&lit("src/a/b.txt")), ("src".into(), "a/b.txt".into()));
        assert_eq!(copy_source(&lit("/src/a.txt?versionId=3")), ("src".into(), "a.txt".into()));
        assert_eq!(copy_source(&fstr(&[None, Some("/x.txt")])), ("*".into(), "*x.txt".into()));
        assert_eq!(copy_source(&Value::Unknown), ("*".into(), "*".into()));
    }

    #[test]
    fn ecs_task_definitions_by_family_revision_or_arn() {
        let both = |v: &Value| (bind(BindingForm::TaskDefinitionFamily, Some(v)).value, bind(BindingForm::TaskDefinitionRevision, Some(v)).value);
        assert_eq!(both(&lit("db-migrate:7")), ("db-migrate".into(), "7".into()));
        assert_eq!(both(&lit("db-migrate")), ("db-migrate".into(), "*".into()));
        assert_eq!(both(&fstr(&[Some("job-"), None])), ("job-*".into(), "*".into()));
        assert_eq!(both(&Value::Unknown), ("*".into(), "*".into()));
        let arn = "arn:aws:ecs:eu-west-1:111122223333:task-definition/db-migrate:7";
        assert_eq!(bind(BindingForm::TaskDefinitionFamily, Some(&lit(arn))).whole_arn.as_deref(), Some(arn));
        let latest = "arn:aws:ecs:eu-west-1:111122223333:task-definition/db-migrate";
        assert_eq!(bind(BindingForm::TaskDefinitionRevision, Some(&lit(latest))).whole_arn, Some(format!("{latest}:*")));
    }

    #[test]
    fn bedrock_model_ids_inference_profiles_and_arns() {
        let fm = |v: &str| bind(BindingForm::BedrockFoundationModel, Some(&lit(v)));
        let ip = |v: &str| bind(BindingForm::BedrockInferenceProfile, Some(&lit(v)));
        let b = fm("anthropic.claude-3-haiku-20240307-v1:0");
        assert_eq!((b.value.as_str(), b.region.as_deref()), ("anthropic.claude-3-haiku-20240307-v1:0", None));
        assert!(ip("anthropic.claude-3-haiku-20240307-v1:0").not_this_type);
        let b = fm("us.anthropic.claude-3-5-sonnet-20240620-v1:0");
        assert_eq!((b.value.as_str(), b.region.as_deref()), ("anthropic.claude-3-5-sonnet-20240620-v1:0", Some("*")));
        let b = ip("eu.anthropic.claude-3-5-sonnet-20240620-v1:0");
        assert_eq!((b.value.as_str(), b.not_this_type), ("eu.anthropic.claude-3-5-sonnet-20240620-v1:0", false));
        let arn = "arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abc123";
        assert_eq!(fm(arn).whole_arn.as_deref(), Some(arn));
        assert!(ip(arn).not_this_type);
        assert!(bind(BindingForm::BedrockInferenceProfile, Some(&Value::Unknown)).not_this_type);
    }

    #[test]
    fn dotted_member_paths() {
        let args = vec![("CopySource".to_string(), Value::Dict(vec![("Bucket".into(), lit("src"))]))];
        assert_eq!(member_value(&args, "CopySource.Bucket"), Some(&lit("src")));
        let args = vec![("CopySource".to_string(), lit("src/k"))];
        assert_eq!(member_value(&args, "CopySource.Key"), Some(&lit("src/k")));
        assert_eq!(member_value(&args, "Bucket"), None);
    }

    #[test]
    fn a_path_goes_through_list_items() {
        let target = |role: Option<&str>| {
            let mut entry = vec![("Arn".to_string(), lit("arn:aws:sqs:us-east-1:1:q"))];
            if let Some(role) = role {
                entry.push(("RoleArn".to_string(), lit(role)));
            }
            Value::Dict(entry)
        };
        let args = |targets: Vec<Value>| vec![("Targets".to_string(), Value::List(targets))];
        assert_eq!(member_value(&args(vec![target(None), target(Some("r1"))]), "Targets.RoleArn"), Some(&lit("r1")));
        assert_eq!(member_value(&args(vec![target(Some("r1")), target(Some("r1"))]), "Targets.RoleArn"), Some(&lit("r1")));
        assert_eq!(member_value(&args(vec![target(Some("r1")), target(Some("r2"))]), "Targets.RoleArn"), Some(&Value::Unknown));
        assert_eq!(member_value(&args(vec![target(None)]), "Targets.RoleArn"), None);
        let unknown = vec![("Targets".to_string(), Value::Unknown)];
        assert_eq!(member_value(&unknown, "Targets.RoleArn"), Some(&Value::Unknown));
        let two = args(vec![target(Some("r1")), target(None), target(Some("r2")), target(Some("r1"))]);
        assert_eq!(member_values(&two, "Targets.RoleArn"), vec![&lit("r1"), &lit("r2")]);
        assert!(member_values(&args(vec![target(None)]), "Targets.RoleArn").is_empty());
        let roles = vec![("IamRoles".to_string(), Value::List(vec![lit("a"), lit("b")]))];
        assert_eq!(member_values(&roles, "IamRoles"), vec![&lit("a"), &lit("b")]);
    }
}
