//! User settings, as the editors send them in `initializationOptions` and
//! `workspace/didChangeConfiguration`. The JSON shape is a contract with the
//! VS Code and Neovim extensions:
//!
//! ```json
//! {"iamlens": {"region": "us-east-1", "account": "123456789012", "serviceHints": ["s3"],
//!   "resourceCutoff": 4, "kmsViaService": true, "inlayHints": {"enable": true},
//!   "codeLens": {"enable": true}, "role": null, "mcp": {"enable": false, "port": null},
//!   "stackName": null, "stage": null, "parameterOverrides": {}}}
//! ```
//!
//! Accepted with or without the top-level `iamlens` key. Missing keys keep
//! their defaults; a key of the wrong type is reported and ignored.

use serde::Deserialize;
use serde_json::Value as Json;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub region: Option<String>,
    pub account: Option<String>,
    pub service_hints: Vec<String>,
    pub resource_cutoff: usize,
    pub kms_via_service: bool,
    pub inlay_hints: Toggle,
    pub code_lens: Toggle,
    pub role: Option<String>,
    pub mcp: McpSettings,
    /// What the templates are deployed as (`sam deploy --stack-name`,
    /// `serverless --stage`, `--parameter-overrides`): generated names start
    /// with the stack's, parameters take these values. A `samconfig.toml`
    /// beside a template fills what is not set here.
    pub stack_name: Option<String>,
    pub stage: Option<String>,
    pub parameter_overrides: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct Toggle {
    pub enable: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(default)]
pub struct McpSettings {
    pub enable: bool,
    pub port: Option<u16>,
}

impl Default for Toggle {
    fn default() -> Self {
        Toggle { enable: true }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            region: None,
            account: None,
            service_hints: Vec::new(),
            resource_cutoff: 4,
            kms_via_service: true,
            inlay_hints: Toggle::default(),
            code_lens: Toggle::default(),
            role: None,
            mcp: McpSettings::default(),
            stack_name: None,
            stage: None,
            parameter_overrides: Default::default(),
        }
    }
}

impl Settings {
    /// Settings from a client's JSON, starting from `base`: only keys present
    /// change. Returns the settings and one message per key that was ignored.
    pub fn merged(base: &Settings, json: &Json) -> (Settings, Vec<String>) {
        let section = match json.get("iamlens") {
            Some(inner) => inner,
            None => json,
        };
        let Json::Object(section) = section else {
            return (base.clone(), if section.is_null() { vec![] } else { vec!["iamlens settings must be a JSON object; ignored".into()] });
        };
        // Key by key, so one bad value does not discard the rest.
        let mut out = base.clone();
        let mut problems = Vec::new();
        for (key, value) in section {
            if let Err(e) = apply_key(&mut out, key, value) {
                problems.push(format!("setting iamlens.{key}: {e}; keeping {}", current(&out, key)));
            }
        }
        (out, problems)
    }
}

impl Settings {
    /// The engine's settings type, for [`EngineOptions`](iamlens_engine::EngineOptions).
    pub fn engine_settings(&self) -> iamlens_engine::settings::Settings {
        iamlens_engine::settings::Settings {
            region: self.region.clone(),
            account: self.account.clone(),
            service_hints: self.service_hints.clone(),
            kms_via_service: self.kms_via_service,
        }
    }
}

fn apply_key(s: &mut Settings, key: &str, value: &Json) -> Result<(), String> {
    fn de<T: serde::de::DeserializeOwned>(v: &Json) -> Result<T, String> {
        serde_json::from_value(v.clone()).map_err(|e| e.to_string())
    }
    match key {
        "region" => {
            let region = de::<Option<String>>(value)?;
            s.region = iamlens_engine::settings::region(region.as_deref()).map_err(|e| e.to_string())?;
        }
        "account" => {
            let account = de::<Option<String>>(value)?;
            s.account = iamlens_engine::settings::account(account.as_deref()).map_err(|e| e.to_string())?;
        }
        "serviceHints" => s.service_hints = de::<Option<Vec<String>>>(value)?.unwrap_or_default(),
        "resourceCutoff" => s.resource_cutoff = de::<usize>(value)?,
        "kmsViaService" => s.kms_via_service = de::<bool>(value)?,
        "inlayHints" => s.inlay_hints = de::<Toggle>(value)?,
        "codeLens" => s.code_lens = de::<Toggle>(value)?,
        "role" => s.role = de::<Option<String>>(value)?.filter(|r| !r.is_empty()),
        "mcp" => s.mcp = de::<McpSettings>(value)?,
        "stackName" => s.stack_name = de::<Option<String>>(value)?.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
        "stage" => s.stage = de::<Option<String>>(value)?.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
        "parameterOverrides" => s.parameter_overrides = de::<Option<std::collections::BTreeMap<String, String>>>(value)?.unwrap_or_default(),
        _ => {} // Unknown keys are other tools' business (editors send whole sections).
    }
    Ok(())
}

fn current(s: &Settings, key: &str) -> String {
    match key {
        "region" => format!("{:?}", s.region),
        "account" => format!("{:?}", s.account),
        "serviceHints" => format!("{:?}", s.service_hints),
        "resourceCutoff" => s.resource_cutoff.to_string(),
        "kmsViaService" => s.kms_via_service.to_string(),
        "inlayHints" => format!("enable={}", s.inlay_hints.enable),
        "codeLens" => format!("enable={}", s.code_lens.enable),
        "role" => format!("{:?}", s.role),
        "mcp" => format!("{:?}", s.mcp),
        "stackName" => format!("{:?}", s.stack_name),
        "stage" => format!("{:?}", s.stage),
        "parameterOverrides" => format!("{:?}", s.parameter_overrides),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_the_section_with_and_without_the_iamlens_key() {
        let wrapped = json!({"iamlens": {"region": "eu-west-1", "inlayHints": {"enable": false}}});
        let bare = json!({"region": "eu-west-1", "inlayHints": {"enable": false}});
        let (a, pa) = Settings::merged(&Settings::default(), &wrapped);
        let (b, pb) = Settings::merged(&Settings::default(), &bare);
        assert_eq!(a, b);
        assert!(pa.is_empty() && pb.is_empty());
        assert_eq!(a.region.as_deref(), Some("eu-west-1"));
        assert!(!a.inlay_hints.enable);
        assert!(a.code_lens.enable, "untouched keys keep defaults");
        assert_eq!(a.resource_cutoff, 4);
    }

    #[test]
    fn every_documented_key_is_read() {
        let j = json!({"iamlens": {"region": "us-east-1", "account": "123456789012", "serviceHints": ["s3", "sqs"],
            "resourceCutoff": 9, "kmsViaService": false, "inlayHints": {"enable": true}, "codeLens": {"enable": false},
            "role": "app-role", "mcp": {"enable": true, "port": 7001},
            "stackName": " orders-prod ", "stage": "prod", "parameterOverrides": {"Stage": "prod"}}});
        let (s, p) = Settings::merged(&Settings::default(), &j);
        assert_eq!((s.stack_name.as_deref(), s.stage.as_deref()), (Some("orders-prod"), Some("prod")));
        assert_eq!(s.parameter_overrides.get("Stage").map(String::as_str), Some("prod"));
        assert!(p.is_empty());
        assert_eq!(s.account.as_deref(), Some("123456789012"));
        assert_eq!(s.service_hints, vec!["s3", "sqs"]);
        assert_eq!(s.resource_cutoff, 9);
        assert!(!s.kms_via_service);
        assert!(!s.code_lens.enable);
        assert_eq!(s.role.as_deref(), Some("app-role"));
        assert_eq!(s.mcp, McpSettings { enable: true, port: Some(7001) });
    }

    #[test]
    fn a_bad_value_is_reported_and_the_rest_still_applies() {
        let base = Settings { region: Some("us-west-2".into()), ..Settings::default() };
        let (s, p) = Settings::merged(&base, &json!({"resourceCutoff": "many", "region": null, "account": "1"}));
        assert_eq!(s.resource_cutoff, 4);
        assert_eq!(s.region, None, "explicit null clears");
        assert_eq!(s.account, None, "an account that is not 12 digits is not applied");
        assert_eq!(p.len(), 2);
        assert!(p[0].contains("iamlens.resourceCutoff"), "{p:?}");
        assert!(p[1].contains("iamlens.account") && p[1].contains("12-digit"), "{p:?}");
    }

    #[test]
    fn region_and_account_are_validated_by_the_engine_settings_and_pick_the_partition() {
        let (s, p) = Settings::merged(&Settings::default(), &json!({"region": "cn-north-1", "account": "*"}));
        assert!(p.is_empty(), "{p:?}");
        assert_eq!((s.region.as_deref(), s.account.as_deref()), (Some("cn-north-1"), None));
        assert_eq!(s.engine_settings().engine_options().unwrap().requirements.partition, "aws-cn");
        let (s, p) = Settings::merged(&s, &json!({"region": "China North"}));
        assert_eq!(s.region.as_deref(), Some("cn-north-1"), "kept");
        assert!(p[0].contains("iamlens.region") && p[0].contains("`China North` is not an AWS region"), "{p:?}");
    }

    #[test]
    fn null_and_non_objects_change_nothing() {
        let base = Settings { region: Some("x".into()), ..Settings::default() };
        assert_eq!(Settings::merged(&base, &Json::Null).0, base);
        let (s, p) = Settings::merged(&base, &json!([1, 2]));
        assert_eq!(s, base);
        assert_eq!(p.len(), 1);
    }
}
