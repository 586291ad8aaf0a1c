//! AWS SAM's policy templates (`S3ReadPolicy: {BucketName: ...}`,
//! `DynamoDBCrudPolicy`, ...) as the pinned aws-sam-translator defines them,
//! compiled by `knowledge/generator/sam_policies.py` into
//! `knowledge/data/sam-policy-templates.json.zst` and decoded on first use.
//!
//! Expanding one is what SAM does: every `{"Ref": "<Parameter>"}` of the
//! definition becomes the value the template gives for that parameter; the
//! intrinsics that remain (`Fn::Sub` with `${AWS::Partition}`, ...) are the
//! caller's to evaluate.

use crate::yaml::{Entry, Node, Value};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::OnceLock;

static EMBEDDED: &[u8] = include_bytes!("../../../knowledge/data/sam-policy-templates.json.zst");

#[derive(Debug, Deserialize)]
pub struct PolicyTemplate {
    pub parameters: Vec<String>,
    pub statements: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct PolicyTemplates {
    /// `aws-sam-translator 1.115.0`.
    pub source: String,
    pub templates: HashMap<String, PolicyTemplate>,
}

/// The embedded templates (the artifact is compiled in and verified by this
/// crate's tests: failing to decode it is a build defect).
pub fn embedded() -> &'static PolicyTemplates {
    static DATA: OnceLock<PolicyTemplates> = OnceLock::new();
    DATA.get_or_init(|| decode(EMBEDDED).unwrap_or_else(|e| panic!("SAM policy templates artifact: {e}")))
}

fn decode(bytes: &[u8]) -> Result<PolicyTemplates, String> {
    let mut raw = Vec::new();
    ruzstd::decoding::StreamingDecoder::new(bytes).map_err(|e| e.to_string())?.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    serde_json::from_slice(&raw).map_err(|e| e.to_string())
}

impl PolicyTemplate {
    /// The statements with each parameter's `Ref` replaced by the given value
    /// (nodes carry `line`, the line of the template's use). Parameters the
    /// use does not give are returned, and stay `Ref`s to nothing.
    pub fn expand(&self, values: &BTreeMap<String, Node>, line: usize) -> (Vec<Node>, Vec<String>) {
        let missing = self.parameters.iter().filter(|p| !values.contains_key(*p)).cloned().collect();
        let statements = self.statements.iter().map(|s| to_node(s, values, line)).collect();
        (statements, missing)
    }
}

fn to_node(value: &serde_json::Value, params: &BTreeMap<String, Node>, line: usize) -> Node {
    use serde_json::Value as J;
    let value = match value {
        J::Null => Value::Null,
        J::Bool(b) => Value::Str(b.to_string()),
        J::Number(n) => Value::Str(n.to_string()),
        J::String(s) => Value::Str(s.clone()),
        J::Array(items) => Value::Seq(items.iter().map(|i| to_node(i, params, line)).collect()),
        J::Object(obj) => {
            if let (1, Some(J::String(name))) = (obj.len(), obj.get("Ref")) {
                if let Some(given) = params.get(name) {
                    return given.clone();
                }
            }
            Value::Map(obj.iter().map(|(k, v)| Entry { key: k.clone(), line, value: to_node(v, params, line) }).collect())
        }
    };
    Node { line, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_artifact_decodes_and_holds_the_common_templates() {
        let t = embedded();
        assert!(t.source.starts_with("aws-sam-translator "));
        assert!(t.templates.len() >= 80, "{}", t.templates.len());
        for name in [
            "S3ReadPolicy",
            "S3CrudPolicy",
            "DynamoDBCrudPolicy",
            "DynamoDBReadPolicy",
            "SQSSendMessagePolicy",
            "SNSPublishMessagePolicy",
            "VPCAccessPolicy",
        ] {
            assert!(t.templates.contains_key(name), "{name}");
        }
        assert_eq!(t.templates["DynamoDBCrudPolicy"].parameters, vec!["TableName".to_string()]);
        assert!(t.templates["VPCAccessPolicy"].parameters.is_empty());
    }

    #[test]
    fn expanding_substitutes_only_the_declared_parameters() {
        let template = &embedded().templates["SQSSendMessagePolicy"];
        let given = Node { line: 7, value: Value::Str("jobs".into()) };
        let (statements, missing) = template.expand(&BTreeMap::from([("QueueName".to_string(), given.clone())]), 3);
        assert!(missing.is_empty());
        let text = format!("{statements:?}");
        assert!(text.contains("\"jobs\""), "{text}");
        assert!(!text.contains("QueueName"), "{text}");
        let (_, missing) = template.expand(&BTreeMap::new(), 3);
        assert_eq!(missing, vec!["QueueName".to_string()]);
    }
}
