//! Conditions that narrow an action to what the call itself asks for, where
//! the resource alone cannot: listing a bucket under a literal prefix needs
//! `s3:ListBucket` only for that prefix (`s3:prefix`).

use crate::model::SdkCall;

/// Extra condition entries (operator, key, values) for `action` as `call` performs it.
pub fn request_conditions(call: &SdkCall, action: &str) -> Vec<(String, String, Vec<String>)> {
    let lists_objects = matches!(call.operation.as_str(), "ListObjects" | "ListObjectsV2" | "ListObjectVersions");
    if call.service != "s3" || !lists_objects || !matches!(action, "s3:ListBucket" | "s3:ListBucketVersions") {
        return Vec::new();
    }
    // Only a prefix with known text narrows anything; `*` would be no condition at all.
    let Some(prefix) = call.arg("Prefix").and_then(|v| v.as_pattern()).filter(|p| !p.is_empty() && p != "*") else {
        return Vec::new();
    };
    let value = if prefix.ends_with('*') { prefix } else { format!("{prefix}*") };
    vec![("StringLike".to_string(), "s3:prefix".to_string(), vec![value])]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CallVia, Confidence, Span, TextPart, Value};

    fn list(args: Vec<(&str, Value)>) -> SdkCall {
        SdkCall {
            span: Span::default(),
            name_span: Span::default(),
            service: "s3".into(),
            operation: "ListObjectsV2".into(),
            via: CallVia::Paginator { method: "list_objects_v2".into() },
            text: String::new(),
            args: args.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            confidence: Confidence::High,
            scope: None,
            region: None,
        }
    }

    #[test]
    fn a_literal_prefix_scopes_list_bucket() {
        let c = list(vec![("Bucket", Value::literal("logs")), ("Prefix", Value::literal("2026/"))]);
        assert_eq!(request_conditions(&c, "s3:ListBucket"), vec![("StringLike".into(), "s3:prefix".into(), vec!["2026/*".into()])]);
        let partly = list(vec![("Prefix", Value::Text(vec![TextPart::Literal("users/".into()), TextPart::Unknown]))]);
        assert_eq!(request_conditions(&partly, "s3:ListBucket")[0].2, vec!["users/*".to_string()]);
    }

    #[test]
    fn no_prefix_or_an_unknown_one_leaves_list_bucket_unconditioned() {
        assert!(request_conditions(&list(vec![("Bucket", Value::literal("logs"))]), "s3:ListBucket").is_empty());
        assert!(request_conditions(&list(vec![("Prefix", Value::Unknown)]), "s3:ListBucket").is_empty());
        assert!(request_conditions(&list(vec![("Prefix", Value::Text(vec![TextPart::Unknown]))]), "s3:ListBucket").is_empty());
        assert!(request_conditions(&list(vec![("Prefix", Value::literal("a/"))]), "kms:Decrypt").is_empty());
    }
}
