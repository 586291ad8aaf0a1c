//! `samconfig.toml` beside a SAM template: what `sam deploy` will be told
//! (stack name, region, parameter overrides) without the person repeating it
//! on iamlens' command line. What the person does say wins, key by key.

use crate::model::{Context, IacWarning, Location};
use std::path::Path;

/// The deploy settings of the `default` environment of the `samconfig.toml`
/// in `dir`, merged under `ctx`; `Err` names what is wrong with the file.
pub fn context_for(dir: &Path, ctx: &Context) -> Result<Context, IacWarning> {
    let path = dir.join("samconfig.toml");
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(ctx.clone()) };
    let settings = parse(&text).map_err(|why| IacWarning {
        at: Location { file: path.clone(), line: 1 },
        message: format!("{}: {why}; its stack name, region and parameter overrides are not used", path.display()),
    })?;
    let mut merged = ctx.clone();
    merged.stack_name = merged.stack_name.or(settings.stack_name);
    merged.region = merged.region.or(settings.region);
    for (name, value) in settings.parameters {
        merged.parameters.entry(name).or_insert(value);
    }
    Ok(merged)
}

#[derive(Debug, Default, PartialEq)]
struct Settings {
    stack_name: Option<String>,
    region: Option<String>,
    parameters: Vec<(String, String)>,
}

/// `[default.global.parameters]`, then `[default.deploy.parameters]` over it.
fn parse(text: &str) -> Result<Settings, String> {
    let doc = toml_edit::Document::parse(text).map_err(|e| format!("not valid TOML ({})", e.message().trim()))?;
    let mut out = Settings::default();
    for command in ["global", "deploy"] {
        let Some(table) = doc.get("default").and_then(|d| d.get(command)).and_then(|c| c.get("parameters")).and_then(|p| p.as_table_like()) else {
            continue;
        };
        if let Some(name) = table.get("stack_name").and_then(|v| v.as_str()) {
            out.stack_name = Some(name.to_string());
        }
        if let Some(region) = table.get("region").and_then(|v| v.as_str()) {
            out.region = Some(region.to_string());
        }
        let Some(overrides) = table.get("parameter_overrides") else { continue };
        let items: Vec<String> = match (overrides.as_str(), overrides.as_array()) {
            (Some(text), _) => split_overrides(text),
            (_, Some(list)) => list.iter().filter_map(|v| v.as_str()).map(str::to_string).collect(),
            _ => return Err("parameter_overrides must be a string or a list of strings".to_string()),
        };
        for item in items {
            let (name, value) = parse_override(&item).ok_or_else(|| format!("parameter_overrides: `{item}` is not Name=Value"))?;
            out.parameters.retain(|(n, _)| *n != name);
            out.parameters.push((name, value));
        }
    }
    Ok(out)
}

/// `A=1 B="two words"` → [`A=1`, `B="two words"`] (spaces inside quotes kept).
fn split_overrides(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    for c in text.chars() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (c, Some(q)) if c == q => quote = None,
            (c, None) if c.is_whitespace() => {
                if !current.is_empty() {
                    items.push(std::mem::take(&mut current));
                }
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.is_empty() {
        items.push(current);
    }
    items
}

/// `Name=Value`, `Name="Value"` or `ParameterKey=Name,ParameterValue=Value`.
fn parse_override(item: &str) -> Option<(String, String)> {
    let unquote = |s: &str| s.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
    if let Some(rest) = item.strip_prefix("ParameterKey=") {
        let (name, value) = rest.split_once(",ParameterValue=")?;
        return Some((unquote(name), unquote(value)));
    }
    let (name, value) = item.split_once('=')?;
    (!name.trim().is_empty()).then(|| (name.trim().to_string(), unquote(value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_deploy_settings_of_the_default_environment() {
        let text = r#"version = 0.1
[default.global.parameters]
stack_name = "orders-dev"
[default.deploy.parameters]
stack_name = "orders-prod"
region = "eu-west-1"
parameter_overrides = "Stage=prod TableName=\"orders table\" ParameterKey=Bucket,ParameterValue=invoices"
[staging.deploy.parameters]
stack_name = "orders-staging"
"#;
        let s = parse(text).unwrap();
        assert_eq!(s.stack_name.as_deref(), Some("orders-prod"));
        assert_eq!(s.region.as_deref(), Some("eu-west-1"));
        let params: Vec<(&str, &str)> = s.parameters.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(params, [("Stage", "prod"), ("TableName", "orders table"), ("Bucket", "invoices")]);
    }

    #[test]
    fn the_command_line_wins_key_by_key_and_bad_files_are_named() {
        let dir = std::env::temp_dir().join(format!("iamlens-samconfig-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("samconfig.toml"),
            "[default.deploy.parameters]\nstack_name = \"app\"\nparameter_overrides = [\"Stage=prod\", \"Table=orders\"]\n",
        )
        .unwrap();
        let mut ctx = Context { region: Some("us-east-1".into()), ..Context::default() };
        ctx.parameters.insert("Stage".into(), "dev".into());
        let merged = context_for(&dir, &ctx).unwrap();
        assert_eq!(merged.stack_name.as_deref(), Some("app"));
        assert_eq!(merged.region.as_deref(), Some("us-east-1"));
        assert_eq!(merged.parameters.get("Stage").map(String::as_str), Some("dev"));
        assert_eq!(merged.parameters.get("Table").map(String::as_str), Some("orders"));
        std::fs::write(dir.join("samconfig.toml"), "[default.deploy.parameters\n").unwrap();
        let err = context_for(&dir, &ctx).unwrap_err();
        assert!(err.message.contains("not valid TOML") && err.message.contains("not used"), "{}", err.message);
        std::fs::remove_dir_all(&dir).ok();
    }
}
