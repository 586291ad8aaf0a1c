//! `describe_operation`: one AWS API call → the IAM actions it needs, their
//! ARN templates and condition keys, from the embedded knowledge base. The
//! same JSON as `iamlens lookup --json` (shared code: `engine::lookup::describe`).

use iamlens_knowledge::KnowledgeBase;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use iamlens_engine::lookup::{describe, LookupError};

use super::{ToolError, ToolResult};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeOperationInput {
    /// Service: botocore name (`s3`, `stepfunctions`) or IAM prefix (`states`).
    pub service: String,
    /// boto3 method (`get_object`, `upload_file`) or API operation (`GetObject`).
    pub operation: String,
}

pub fn output_schema() -> Value {
    json!({
        "type": "object",
        "required": ["Service", "Operation", "Method", "Actions"],
        "properties": {
            "Service": {"type": "string"},
            "Operation": {"type": ["string", "null"]},
            "Operations": {"type": "array", "items": {"type": "string"}},
            "Method": {"type": "string"},
            "RequiresIam": {"type": "boolean"},
            "Mapping": {"type": "object"},
            "Note": {"type": ["string", "null"]},
            "Actions": {"type": "array", "items": {
                "type": "object",
                "required": ["Action", "Resources", "ConditionKeys"],
                "properties": {
                    "Action": {"type": "string"},
                    "Resources": {"type": "array", "items": {"type": "string"}},
                    "ConditionKeys": {"type": "array", "items": {"type": "string"}},
                    "Kind": {"type": "string"},
                    "AccessLevel": {"type": ["string", "null"]},
                    "Condition": {"type": "object"},
                    "Note": {"type": "string"}
                }
            }}
        }
    })
}

pub fn run(kb: &KnowledgeBase, input: DescribeOperationInput) -> ToolResult {
    let service = input.service.trim();
    let operation = input.operation.trim();
    if service.is_empty() {
        return Err(ToolError::bad("Service", "is empty: give a service such as `s3`"));
    }
    if operation.is_empty() {
        return Err(ToolError::bad("Operation", "is empty: give a boto3 method such as `get_object` or an operation such as `GetObject`"));
    }
    describe(kb, service, operation).map_err(|err| match err {
        LookupError::UnknownService(message) => ToolError::bad("Service", message),
        LookupError::UnknownMethod(message) => ToolError::bad("Operation", message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_for(service: &str, operation: &str) -> ToolResult {
        run(KnowledgeBase::embedded(), DescribeOperationInput { service: service.into(), operation: operation.into() })
    }

    #[test]
    fn method_and_operation_name_give_the_same_answer() {
        let by_method = run_for("s3", "get_object").unwrap();
        assert_eq!(by_method, run_for("s3", "GetObject").unwrap());
        assert_eq!(by_method["Operation"], "GetObject");
        let actions = by_method["Actions"].as_array().unwrap();
        let get = actions.iter().find(|a| a["Action"] == "s3:GetObject").expect("s3:GetObject");
        assert!(get["Resources"].as_array().unwrap().iter().any(|r| r.as_str().unwrap().starts_with("arn:${Partition}:s3:::")));
    }

    #[test]
    fn unknown_names_are_bad_arguments_with_suggestions() {
        match run_for("s4", "get_object") {
            Err(ToolError::BadArgument { argument: "Service", why }) => assert!(why.contains("s3"), "{why}"),
            other => panic!("{other:?}"),
        }
        match run_for("s3", "get_objekt") {
            Err(ToolError::BadArgument { argument: "Operation", why }) => assert!(why.contains("get_object"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
}
