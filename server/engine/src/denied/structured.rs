//! Structured input: CloudTrail records, decoded authorization messages
//! (sts:DecodeAuthorizationMessage), and JSON error bodies.

use super::facts::RawFacts;
use super::Denial;
use serde_json::{Map, Value};

/// How many `{` positions are tried as the start of a JSON value.
const JSON_STARTS: usize = 3;

/// Facts from the first JSON object in `raw`, and the human message it carries
/// (to be parsed as text). `None` when `raw` holds no JSON object.
pub fn from_json(raw: &str) -> Option<(RawFacts, Option<String>)> {
    let trimmed = raw.trim_start();
    if trimmed.starts_with('[') {
        if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
            return from_value(&value);
        }
    }
    let mut from = 0;
    for _ in 0..JSON_STARTS {
        let at = from + raw[from..].find('{')?;
        let mut values = serde_json::Deserializer::from_str(&raw[at..]).into_iter::<Value>();
        if let Some(Ok(value)) = values.next() {
            if let Some(found) = from_value(&value) {
                return Some(found);
            }
        }
        from = at + 1;
    }
    None
}

fn from_value(value: &Value) -> Option<(RawFacts, Option<String>)> {
    match value {
        Value::Array(items) => {
            let records: Vec<&Map<String, Value>> = items.iter().filter_map(Value::as_object).collect();
            let pick = records.iter().find(|r| r.contains_key("errorCode")).or(records.first())?;
            from_object(pick)
        }
        Value::Object(obj) => from_object(obj),
        _ => None,
    }
}

fn from_object(obj: &Map<String, Value>) -> Option<(RawFacts, Option<String>)> {
    if let Some(Value::Array(records)) = obj.get("Records") {
        return from_value(&Value::Array(records.clone()));
    }
    if let Some(decoded) = obj.get("DecodedMessage").and_then(Value::as_str) {
        let inner: Value = serde_json::from_str(decoded).ok()?;
        return from_value(&inner);
    }
    if let Some(ctx) = obj.get("context").and_then(Value::as_object) {
        if obj.contains_key("allowed") || obj.contains_key("explicitDeny") || obj.contains_key("matchedStatements") {
            return Some((decoded_message(obj, ctx), None));
        }
    }
    if obj.contains_key("eventName") || obj.contains_key("userIdentity") || obj.contains_key("errorCode") {
        return Some(cloudtrail(obj));
    }
    error_body(obj)
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The JSON that sts:DecodeAuthorizationMessage returns.
fn decoded_message(obj: &Map<String, Value>, ctx: &Map<String, Value>) -> RawFacts {
    let mut f = RawFacts { has_denial_sentence: true, looks_denied: true, ..Default::default() };
    f.principal = text(ctx.get("principal").and_then(|p| p.get("arn")));
    f.action = text(ctx.get("action"));
    f.resource = text(ctx.get("resource"));
    let explicit = obj.get("explicitDeny").and_then(Value::as_bool);
    let allowed = obj.get("allowed").and_then(Value::as_bool);
    f.denial = match (explicit, allowed) {
        (Some(true), _) => Some(Denial::Explicit),
        (_, Some(false)) => Some(Denial::Implicit),
        _ => None,
    };
    let items = ctx.get("conditions").and_then(|c| c.get("items")).and_then(Value::as_array);
    for item in items.into_iter().flatten() {
        let Some(key) = text(item.get("key")) else { continue };
        let values: Vec<String> = item
            .get("values")
            .and_then(|v| v.get("items"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| text(v.get("value")))
            .collect();
        f.conditions.push(format!("{key} = {}", values.join(", ")));
    }
    f
}

/// A CloudTrail record: who, which API call, and the error it got.
fn cloudtrail(obj: &Map<String, Value>) -> (RawFacts, Option<String>) {
    let mut f = RawFacts::default();
    let identity = obj.get("userIdentity");
    f.principal = text(identity.and_then(|i| i.get("arn")));
    if f.principal.is_none() && text(identity.and_then(|i| i.get("type"))).as_deref() == Some("AWSAccount") {
        f.principal = text(identity.and_then(|i| i.get("principalId")));
    }
    f.operation = text(obj.get("eventName"));
    f.service_hint = text(obj.get("eventSource"));
    f.error_code = text(obj.get("errorCode"));
    f.looks_denied = f.error_code.is_some();
    f.resource = cloudtrail_resource(obj);
    (f, text(obj.get("errorMessage")))
}

/// The denied resource of a CloudTrail record: the first ARN in `resources[]`,
/// else an S3 bucket and key in `requestParameters`, else an ARN-valued
/// request parameter.
fn cloudtrail_resource(obj: &Map<String, Value>) -> Option<String> {
    let listed = obj.get("resources").and_then(Value::as_array).and_then(|rs| rs.iter().find_map(|r| text(r.get("ARN"))));
    if listed.is_some() {
        return listed;
    }
    let params = obj.get("requestParameters").and_then(Value::as_object)?;
    if let Some(bucket) = text(params.get("bucketName")) {
        return Some(match text(params.get("key")) {
            Some(key) => format!("arn:aws:s3:::{bucket}/{key}"),
            None => format!("arn:aws:s3:::{bucket}"),
        });
    }
    let mut arns: Vec<String> = params.values().filter_map(|v| text(Some(v))).filter(|v| v.starts_with("arn:")).collect();
    arns.sort();
    arns.into_iter().next()
}

/// `{"__type": "…#AccessDeniedException", "Message": "…"}`, `{"Error": {"Code", "Message"}}`.
fn error_body(obj: &Map<String, Value>) -> Option<(RawFacts, Option<String>)> {
    let inner = obj.get("Error").and_then(Value::as_object).unwrap_or(obj);
    let code = text(inner.get("__type"))
        .or_else(|| text(inner.get("Code")))
        .or_else(|| text(inner.get("code")))
        .map(|c| c.rsplit('#').next().unwrap_or(&c).to_string());
    let message = ["Message", "message", "errorMessage", "ErrorMessage"].iter().find_map(|k| text(inner.get(*k)));
    if code.is_none() && message.is_none() {
        return None;
    }
    let f = RawFacts { error_code: code, ..Default::default() };
    Some((f, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloudtrail_record_inside_records() {
        let raw = r#"{"Records":[{"eventSource":"s3.amazonaws.com","eventName":"ListObjects","errorCode":"AccessDenied","errorMessage":"Access Denied","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/R/s"}}]}"#;
        let (f, msg) = from_json(raw).unwrap();
        assert_eq!(f.operation.as_deref(), Some("ListObjects"));
        assert_eq!(f.principal.as_deref(), Some("arn:aws:sts::1:assumed-role/R/s"));
        assert_eq!(msg.as_deref(), Some("Access Denied"));
    }

    #[test]
    fn cloudtrail_names_the_denied_resource() {
        let listed =
            r#"{"eventName":"GetObject","errorCode":"AccessDenied","resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::reports/q1.csv"}]}"#;
        assert_eq!(from_json(listed).unwrap().0.resource.as_deref(), Some("arn:aws:s3:::reports/q1.csv"));
        let params = r#"{"eventName":"GetObject","errorCode":"AccessDenied","requestParameters":{"bucketName":"reports","key":"2024/q1.csv"}}"#;
        assert_eq!(from_json(params).unwrap().0.resource.as_deref(), Some("arn:aws:s3:::reports/2024/q1.csv"));
        let arn = r#"{"eventName":"Invoke","errorCode":"AccessDenied","requestParameters":{"functionName":"arn:aws:lambda:us-east-1:1:function:f"}}"#;
        assert_eq!(from_json(arn).unwrap().0.resource.as_deref(), Some("arn:aws:lambda:us-east-1:1:function:f"));
    }

    #[test]
    fn json_body_after_a_log_prefix() {
        let raw = r#"2024-05-01 ERROR response body: {"__type":"com.amazon.coral.service#AccessDeniedException","Message":"User: x"}"#;
        let (f, msg) = from_json(raw).unwrap();
        assert_eq!(f.error_code.as_deref(), Some("AccessDeniedException"));
        assert_eq!(msg.as_deref(), Some("User: x"));
    }

    #[test]
    fn not_json_is_none() {
        assert!(from_json("User: arn:aws:iam::1:user/x is not authorized").is_none());
        assert!(from_json("{{{{{{{{").is_none());
    }
}
