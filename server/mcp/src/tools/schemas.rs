//! JSON schemas of the engine's output shapes, shared by several tools'
//! declared output schemas. Written by hand to match the engine's serde
//! output; the end-to-end tests validate real results against them.

use serde_json::{json, Value};

/// One `{"Policy": {...}, "PolicyType": "Identity"}` entry.
pub fn policy() -> Value {
    json!({
        "type": "object",
        "required": ["Policy", "PolicyType"],
        "properties": {
            "Policy": policy_document(),
            "PolicyType": {"type": "string"},
            "Function": {
                "description": "The deployed function this policy is for (templates read), or null for code no function runs; absent without templates",
                "anyOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["Id", "Template", "Line"],
                        "properties": {
                            "Id": {"type": "string"},
                            "Template": {"type": "string"},
                            "Line": {"type": "integer"},
                            "Role": {"type": "string"},
                            "Handler": {"type": "string"}
                        }
                    }
                ]
            }
        }
    })
}

/// An IAM policy document.
pub fn policy_document() -> Value {
    json!({
        "type": "object",
        "required": ["Version", "Statement"],
        "properties": {
            "Id": {"type": "string"},
            "Version": {"const": "2012-10-17"},
            "Statement": {"type": "array", "items": statement()}
        }
    })
}

pub fn statement() -> Value {
    let strings = json!({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]});
    json!({
        "type": "object",
        "required": ["Effect", "Action", "Resource"],
        "properties": {
            "Sid": {"type": "string"},
            "Effect": {"enum": ["Allow", "Deny"]},
            "Action": strings,
            "Resource": strings,
            "Condition": {"type": "object", "additionalProperties": {"type": "object"}}
        }
    })
}

pub fn warning() -> Value {
    json!({
        "type": "object",
        "required": ["File", "Line", "Kind", "Message"],
        "properties": {
            "File": {"type": "string"},
            "Line": {"type": "integer", "minimum": 1},
            "Kind": {"type": "string"},
            "Message": {"type": "string"}
        }
    })
}

pub fn explanation() -> Value {
    json!({
        "type": "object",
        "required": ["Action", "File", "Line", "Call", "Operation", "Resources"],
        "properties": {
            "Action": {"type": "string"},
            "File": {"type": "string"},
            "Line": {"type": "integer", "minimum": 1},
            "Call": {"type": "string"},
            "Operation": {"type": "string"},
            "Resources": {"type": "array", "items": {"type": "string"}},
            "Note": {"type": "string"}
        }
    })
}

/// The `generate-policies` envelope.
pub fn generate_output() -> Value {
    json!({
        "type": "object",
        "required": ["Policies", "Warnings"],
        "properties": {
            "Policies": {"type": "array", "items": policy()},
            "Warnings": {"type": "array", "items": warning()},
            "Explanations": {"type": "array", "items": explanation()}
        }
    })
}
