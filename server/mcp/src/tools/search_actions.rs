//! `search_actions`: search every IAM action in the embedded knowledge base by
//! words of its name (`send message` finds `sqs:SendMessage`), exact names first.

use iamlens_knowledge::{ActionRef, KnowledgeBase};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{ToolError, ToolResult};

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 200;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SearchActionsInput {
    /// Words that must all appear in the action's name, e.g. `send message`, `object tagging` or `PassRole`.
    pub query: String,
    /// At most this many actions (default 20, at most 200).
    #[serde(default)]
    pub limit: Option<usize>,
}

pub fn output_schema() -> Value {
    json!({
        "type": "object",
        "required": ["Query", "Actions"],
        "properties": {
            "Query": {"type": "string"},
            "Actions": {"type": "array", "items": action_schema()}
        }
    })
}

/// The schema of one action entry (shared with `describe_operation`).
pub fn action_schema() -> Value {
    json!({
        "type": "object",
        "required": ["Action", "AccessLevel", "Resources", "ConditionKeys", "DependentActions"],
        "properties": {
            "Action": {"type": "string", "pattern": "^[a-z0-9-]+:[A-Za-z0-9]+$"},
            "AccessLevel": {"type": "string"},
            "Resources": {"type": "array", "items": {
                "type": "object",
                "required": ["ResourceType", "ArnTemplate", "Required"],
                "properties": {
                    "ResourceType": {"type": "string"},
                    "ArnTemplate": {"type": ["string", "null"]},
                    "Required": {"type": "boolean"}
                }
            }},
            "ConditionKeys": {"type": "array", "items": {"type": "string"}},
            "DependentActions": {"type": "array", "items": {"type": "string"}}
        }
    })
}

pub fn run(kb: &KnowledgeBase, input: SearchActionsInput) -> ToolResult {
    let query = input.query.trim();
    if query.is_empty() {
        return Err(ToolError::bad("Query", "is empty: give words to look for, e.g. `s3 tagging`"));
    }
    let limit = match input.limit {
        Some(0) => return Err(ToolError::bad("Limit", "must be at least 1")),
        Some(n) => n.min(MAX_LIMIT),
        None => DEFAULT_LIMIT,
    };
    let actions: Vec<Value> = kb.search_actions(query, limit).iter().map(action_json).collect();
    Ok(json!({ "Query": query, "Actions": actions }))
}

/// One action as JSON: resource types with their ARN templates, condition keys.
pub fn action_json(action: &ActionRef) -> Value {
    let prefix = action.prefix();
    let resources: Vec<Value> = action
        .resource_types
        .iter()
        .map(|rt| {
            let template = prefix.resource_types.get(&rt.name.to_ascii_lowercase()).map(|info| info.arn_template.clone());
            json!({ "ResourceType": rt.name, "ArnTemplate": template, "Required": rt.required })
        })
        .collect();
    let mut condition_keys: Vec<String> = action.condition_keys.clone();
    for rt in &action.resource_types {
        for key in &rt.condition_keys {
            if !condition_keys.contains(key) {
                condition_keys.push(key.clone());
            }
        }
    }
    json!({
        "Action": action.name,
        "AccessLevel": action.access_level,
        "Resources": resources,
        "ConditionKeys": condition_keys,
        "DependentActions": action.dependent_actions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(query: &str, limit: Option<usize>) -> ToolResult {
        run(KnowledgeBase::embedded(), SearchActionsInput { query: query.into(), limit })
    }

    #[test]
    fn finds_actions_by_name_with_arn_templates() {
        let out = search("GetObject", Some(50)).unwrap();
        let actions = out["Actions"].as_array().unwrap();
        let get_object = actions.iter().find(|a| a["Action"] == "s3:GetObject").expect("s3:GetObject found");
        assert_eq!(get_object["AccessLevel"], "Read");
        let object = get_object["Resources"].as_array().unwrap().iter().find(|r| r["ResourceType"] == "object").unwrap();
        assert!(object["ArnTemplate"].as_str().unwrap().starts_with("arn:${Partition}:s3:::"));
    }

    #[test]
    fn limit_is_honoured_and_validated() {
        assert_eq!(search("get", Some(3)).unwrap()["Actions"].as_array().unwrap().len(), 3);
        assert!(matches!(search("get", Some(0)), Err(ToolError::BadArgument { argument: "Limit", .. })));
        assert!(matches!(search("   ", None), Err(ToolError::BadArgument { argument: "Query", .. })));
    }
}
