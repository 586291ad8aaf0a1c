//! `.iamlens.toml`: what a project records for its checks, so that every
//! run (CI, pre-commit, a developer's, the editor's and an agent's role
//! checks) agrees without repeating flags:
//!
//! ```toml
//! [check]
//! # Granted for reasons the code does not show (the Lambda runtime writes logs).
//! allow = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
//! ```
//!
//! Found in the starting directory or the nearest parent, up to the
//! repository's root (the directory holding `.git`): the CLI starts from the
//! current directory (`--config FILE` names one), the language server and
//! MCP from the files or workspace folder they check ([`load_for`]).

use crate::settings::{action_glob, SettingError};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".iamlens.toml";

/// The `[check]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckConfig {
    /// Where it was read from (`None`: no file).
    pub file: Option<PathBuf>,
    /// Action globs granted for reasons the code does not show.
    pub allow: Vec<String>,
}

/// Read `explicit`, or the `.iamlens.toml` found from `start` upwards.
pub fn load(explicit: Option<&Path>, start: &Path) -> Result<CheckConfig, String> {
    let file = match explicit {
        Some(file) => file.to_path_buf(),
        None => match discover(start) {
            Some(file) => file,
            None => return Ok(CheckConfig::default()),
        },
    };
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: cannot read it ({e})", file.display()))?;
    let mut config = parse(&text).map_err(|why| format!("{}: {why}", file.display()))?;
    config.file = Some(file);
    Ok(config)
}

/// The `.iamlens.toml` that governs `paths` (files or directories): found
/// from the first one's directory upwards. No path: no file.
pub fn load_for(paths: &[PathBuf]) -> Result<CheckConfig, String> {
    let Some(first) = paths.first() else { return Ok(CheckConfig::default()) };
    let start = if first.is_dir() { first.as_path() } else { first.parent().unwrap_or(Path::new(".")) };
    load(None, start)
}

/// The action globs a check allows: the file's, then those `given` with the
/// run (each validated).
pub fn allowed(config: &CheckConfig, given: &[String]) -> Result<Vec<String>, SettingError> {
    let mut out = config.allow.clone();
    for glob in given {
        out.push(action_glob(glob)?);
    }
    Ok(out)
}

fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// The `[check]` table of the text; other tables are left for other commands.
pub fn parse(text: &str) -> Result<CheckConfig, String> {
    let doc = toml_edit::Document::parse(text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].lines().count().max(1));
        match line {
            Some(line) => format!("not valid TOML (line {line}: {})", e.message()),
            None => format!("not valid TOML ({})", e.message()),
        }
    })?;
    let mut config = CheckConfig::default();
    let Some(check) = doc.as_table().get("check") else { return Ok(config) };
    let check = check.as_table_like().ok_or("[check] must be a table")?;
    for (key, item) in check.iter() {
        match key {
            "allow" => {
                let list = item.as_array().ok_or("[check] allow must be a list of action globs, such as [\"logs:CreateLogGroup\"]")?;
                for value in list.iter() {
                    let glob = value.as_str().ok_or("[check] allow must hold strings (action globs such as \"logs:*\")")?;
                    config.allow.push(action_glob(glob).map_err(|why| format!("[check] allow: {why}"))?);
                }
            }
            other => return Err(format!("[check] has no setting {other:?}; the one it takes is allow = [\"ACTION_GLOB\", ...]")),
        }
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_allow_list() {
        let config = parse("[check]\n# the runtime writes logs\nallow = [\"logs:CreateLogGroup\", \"xray:*\"]\n[other]\nx = 1\n").unwrap();
        assert_eq!(config.allow, ["logs:CreateLogGroup", "xray:*"]);
        assert_eq!(parse("").unwrap(), CheckConfig::default());
    }

    #[test]
    fn mistakes_are_named() {
        assert_eq!(
            parse("[check]\nallow = \"logs:*\"\n").unwrap_err(),
            "[check] allow must be a list of action globs, such as [\"logs:CreateLogGroup\"]"
        );
        assert!(parse("[check]\nalow = []\n").unwrap_err().contains("no setting \"alow\""));
        assert!(parse("[check]\nallow = [\"logs\"]\n").unwrap_err().contains("\"logs\" is not an action glob"));
        assert!(parse("[check\n").unwrap_err().starts_with("not valid TOML (line 1"));
    }

    #[test]
    fn is_found_up_to_the_repository_root() {
        let root = std::env::temp_dir().join(format!("iamlens-config-{}", std::process::id()));
        let nested = root.join("repo/src/pkg");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::create_dir_all(root.join("repo/.git")).unwrap();
        std::fs::write(root.join(FILE_NAME), "[check]\nallow = [\"s3:*\"]\n").unwrap();
        // Above the repository's root: not read.
        assert_eq!(load(None, &nested).unwrap(), CheckConfig::default());
        std::fs::write(root.join("repo").join(FILE_NAME), "[check]\nallow = [\"sqs:*\"]\n").unwrap();
        let found = load(None, &nested).unwrap();
        assert_eq!(found.allow, ["sqs:*"]);
        assert_eq!(found.file, Some(root.join("repo").join(FILE_NAME)));
        // From the files a view checks: the first one's directory upwards.
        let file = nested.join("app.py");
        std::fs::write(&file, "").unwrap();
        assert_eq!(load_for(std::slice::from_ref(&file)).unwrap().allow, ["sqs:*"]);
        assert_eq!(load_for(std::slice::from_ref(&nested)).unwrap().allow, ["sqs:*"]);
        assert_eq!(load_for(&[]).unwrap(), CheckConfig::default());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn allowed_is_the_files_then_the_runs_globs() {
        let config = CheckConfig { file: None, allow: vec!["logs:*".into()] };
        assert_eq!(allowed(&config, &[" xray:* ".into()]).unwrap(), ["logs:*", "xray:*"]);
        assert_eq!(allowed(&config, &["xray".into()]).unwrap_err().value, "xray");
    }
}
