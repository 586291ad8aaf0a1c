//! When a service's KMS use on the caller's behalf actually happens. The
//! knowledge base lists the KMS actions an operation may need with a
//! customer-managed key; some calls say in their arguments that no
//! encryption is involved, and then granting KMS would be extra.

use crate::model::{SdkCall, Value};

/// False when the call's own arguments rule out KMS use: SSM reads without
/// `WithDecryption=True`, SSM writes of a type other than `SecureString`.
/// Unknown values keep KMS (it may be needed).
pub fn kms_may_apply(call: &SdkCall) -> bool {
    match (call.service.as_str(), call.operation.as_str()) {
        ("ssm", "GetParameter" | "GetParameters" | "GetParametersByPath" | "GetParameterHistory") => {
            !matches!(call.arg("WithDecryption"), None | Some(Value::Bool(false)))
        }
        ("ssm", "PutParameter") => match call.arg("Type") {
            None => false,
            Some(v) => v.as_exact_str().is_none_or(|t| t == "SecureString"),
        },
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CallVia, Confidence, Span};

    fn ssm(operation: &str, args: Vec<(&str, Value)>) -> SdkCall {
        SdkCall {
            span: Span::default(),
            name_span: Span::default(),
            service: "ssm".into(),
            operation: operation.into(),
            via: CallVia::Client,
            text: String::new(),
            args: args.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            confidence: Confidence::High,
            scope: None,
            region: None,
        }
    }

    #[test]
    fn ssm_reads_need_kms_only_when_decrypting() {
        assert!(kms_may_apply(&ssm("GetParameter", vec![("WithDecryption", Value::Bool(true))])));
        assert!(kms_may_apply(&ssm("GetParameter", vec![("WithDecryption", Value::Unknown)])));
        assert!(!kms_may_apply(&ssm("GetParameter", vec![("WithDecryption", Value::Bool(false))])));
        assert!(!kms_may_apply(&ssm("GetParametersByPath", vec![])));
    }

    #[test]
    fn ssm_writes_need_kms_only_for_secure_strings() {
        assert!(kms_may_apply(&ssm("PutParameter", vec![("Type", Value::literal("SecureString"))])));
        assert!(kms_may_apply(&ssm("PutParameter", vec![("Type", Value::Unknown)])));
        assert!(!kms_may_apply(&ssm("PutParameter", vec![("Type", Value::literal("String"))])));
        assert!(!kms_may_apply(&ssm("PutParameter", vec![])));
    }
}
