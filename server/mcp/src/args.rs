//! Tool arguments: deserialized with the path of the offending argument in the
//! error, so an agent's bad call comes back as a JSON-RPC `-32602` that names
//! the argument (rmcp's own `Parameters` only says "failed to deserialize").

use std::sync::Arc;

use rmcp::handler::server::common::{schema_for_input, FromContextPart};
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::JsonObject;
use rmcp::ErrorData;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::json;

/// Extractor for a tool's arguments object.
pub struct Args<T>(pub T);

impl<S, T: DeserializeOwned> FromContextPart<ToolCallContext<'_, S>> for Args<T> {
    fn from_context_part(context: &mut ToolCallContext<S>) -> Result<Self, ErrorData> {
        let arguments = context.arguments.take().unwrap_or_default();
        parse(arguments).map(Args)
    }
}

/// Parse an arguments object into `T`, naming the argument on failure.
pub fn parse<T: DeserializeOwned>(arguments: JsonObject) -> Result<T, ErrorData> {
    serde_path_to_error::deserialize(serde_json::Value::Object(arguments)).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner().to_string();
        match missing_field(&inner) {
            Some(field) => bad_argument(field, "is required"),
            None if path == "." => ErrorData::invalid_params(format!("invalid arguments: {inner}"), None),
            None => bad_argument(&path, &inner),
        }
    })
}

/// The JSON-RPC error for one bad argument: `Invalid argument `X`: why`.
pub fn bad_argument(argument: &str, why: &str) -> ErrorData {
    ErrorData::invalid_params(format!("invalid argument `{argument}`: {why}"), Some(json!({ "argument": argument })))
}

fn missing_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// The input schema rmcp advertises for `T` (an object schema).
pub fn input_schema<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    schema_for_input::<T>().unwrap_or_else(|e| panic!("input schema of {}: {e}", std::any::type_name::<T>()))
}

/// A hand-written output schema (a JSON object literal).
pub fn output_schema(schema: serde_json::Value) -> Arc<JsonObject> {
    match schema {
        serde_json::Value::Object(object) => Arc::new(object),
        other => panic!("output schema must be an object, got {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    #[allow(dead_code)]
    struct Sample {
        source_files: Vec<String>,
        resource_cutoff: Option<usize>,
    }

    fn object(value: serde_json::Value) -> JsonObject {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn missing_argument_is_named() {
        let err = parse::<Sample>(object(json!({}))).unwrap_err();
        assert_eq!(err.code.0, -32602);
        assert!(err.message.contains("`SourceFiles`"), "{}", err.message);
        assert_eq!(err.data.unwrap()["argument"], "SourceFiles");
    }

    #[test]
    fn wrongly_typed_argument_is_named() {
        let err = parse::<Sample>(object(json!({"SourceFiles": ["a"], "ResourceCutoff": "four"}))).unwrap_err();
        assert!(err.message.contains("`ResourceCutoff`"), "{}", err.message);
        let err = parse::<Sample>(object(json!({"SourceFiles": [1]}))).unwrap_err();
        assert!(err.message.contains("`SourceFiles[0]`"), "{}", err.message);
    }

    #[test]
    fn good_arguments_parse() {
        let args = parse::<Sample>(object(json!({"SourceFiles": ["/a.py"], "ResourceCutoff": 2}))).unwrap();
        assert_eq!(args.source_files, vec!["/a.py"]);
        assert_eq!(args.resource_cutoff, Some(2));
    }
}
