//! One settings type for every view: the CLI's flags, the editor's settings
//! and the MCP tools' arguments all become [`EngineOptions`] here, so the same
//! code and settings give the same policy whichever view asked. Each view
//! names a rejected value its own way (`--region`, `Region`,
//! `iamlens.region`); what is valid, and what it means, is decided here.
//! The same holds for the action globs a check is told to allow (`--allow`,
//! `Allow`, `allow`, `.iamlens.toml`): [`action_glob`].

use crate::model::RequirementSettings;
use crate::EngineOptions;
use std::fmt;

/// What shapes a run, as a person gives it (unvalidated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `us-east-1`; absent, empty or `*`: any region.
    pub region: Option<String>,
    /// A 12-digit account id; absent, empty or `*`: any account.
    pub account: Option<String>,
    /// Keep only calls to these services (botocore name or IAM prefix).
    pub service_hints: Vec<String>,
    /// Include KMS actions taken on the caller's behalf, under `kms:ViaService`.
    pub kms_via_service: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { region: None, account: None, service_hints: Vec::new(), kms_via_service: true }
    }
}

/// Which setting a [`SettingError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    Region,
    Account,
    /// An action glob granted for reasons the code does not show.
    Allow,
}

/// A rejected value: which setting, the value, and what a valid one looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    pub setting: Setting,
    pub value: String,
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.setting {
            Setting::Region => write!(f, "`{}` is not an AWS region such as `us-east-1` (or `*`)", self.value),
            Setting::Account => write!(f, "`{}` is not a 12-digit AWS account id (or `*`)", self.value),
            Setting::Allow => write!(f, "{:?} is not an action glob; write service:Action, e.g. logs:CreateLogGroup or xray:*", self.value),
        }
    }
}

impl std::error::Error for SettingError {}

impl Settings {
    /// The engine options these settings mean, or the first value that is
    /// not valid.
    pub fn engine_options(&self) -> Result<EngineOptions, SettingError> {
        let region = region(self.region.as_deref())?;
        let account = account(self.account.as_deref())?;
        Ok(EngineOptions {
            requirements: RequirementSettings {
                partition: partition_of(region.as_deref()).to_string(),
                region,
                account,
                kms_via_service: self.kms_via_service,
            },
            service_hints: self.service_hints.clone(),
            environment: Default::default(),
        })
    }
}

/// A region as given: `None` for absent, empty or `*`; an error unless it is
/// shaped like an AWS region (`us-east-1`, `cn-north-1`, `us-gov-west-1`,
/// `us-isob-east-1`).
pub fn region(value: Option<&str>) -> Result<Option<String>, SettingError> {
    match wildcard_to_none(value) {
        None => Ok(None),
        Some(r) if is_region(r) => Ok(Some(r.to_string())),
        Some(r) => Err(SettingError { setting: Setting::Region, value: r.to_string() }),
    }
}

/// An account id as given: `None` for absent, empty or `*`; an error unless
/// it is 12 digits.
pub fn account(value: Option<&str>) -> Result<Option<String>, SettingError> {
    match wildcard_to_none(value) {
        None => Ok(None),
        Some(a) if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(a.to_string())),
        Some(a) => Err(SettingError { setting: Setting::Account, value: a.to_string() }),
    }
}

/// An action glob as a check's allow rules take it: `service:Action` with
/// `*`/`?` wildcards, or `*` alone; trimmed.
pub fn action_glob(value: &str) -> Result<String, SettingError> {
    let glob = value.trim();
    let valid = glob == "*"
        || glob.split_once(':').is_some_and(|(service, action)| {
            !service.is_empty()
                && !action.is_empty()
                && service.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '*' | '?'))
                && action.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '?'))
        });
    if valid {
        Ok(glob.to_string())
    } else {
        Err(SettingError { setting: Setting::Allow, value: glob.to_string() })
    }
}

/// The partition a region lives in (`cn-north-1` → `aws-cn`); `aws` when the
/// region is unknown.
pub fn partition_of(region: Option<&str>) -> &'static str {
    match region {
        Some(r) if r.starts_with("cn-") => "aws-cn",
        Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
        Some(r) if r.starts_with("us-isob-") => "aws-iso-b",
        Some(r) if r.starts_with("us-iso-") => "aws-iso",
        Some(r) if r.starts_with("eu-isoe-") => "aws-iso-e",
        Some(r) if r.starts_with("us-isof-") => "aws-iso-f",
        _ => "aws",
    }
}

fn wildcard_to_none(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty() && *v != "*")
}

/// Lowercase words joined by `-`, ending in a number: `us-east-1`, `ap-southeast-5`.
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let Some((last, words)) = parts.split_last() else { return false };
    words.len() >= 2
        && words.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partition(region: &str) -> String {
        Settings { region: Some(region.into()), ..Settings::default() }.engine_options().unwrap().requirements.partition
    }

    #[test]
    fn regions_pick_their_partition() {
        assert_eq!(partition("us-east-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition("us-iso-east-1"), "aws-iso");
        assert_eq!(partition("us-isob-east-1"), "aws-iso-b");
        assert_eq!(partition("*"), "aws");
    }

    #[test]
    fn wildcards_and_blanks_mean_any() {
        let s = Settings { region: Some("*".into()), account: Some(" ".into()), ..Settings::default() };
        let opts = s.engine_options().unwrap();
        assert_eq!((opts.requirements.region, opts.requirements.account), (None, None));
    }

    #[test]
    fn bad_values_name_the_setting_and_the_value() {
        for bad in ["US East", "us-east", "useast1", "us--1", "us-east-1a"] {
            let err = region(Some(bad)).unwrap_err();
            assert_eq!((err.setting, err.value.as_str()), (Setting::Region, bad));
        }
        let err = account(Some("1234")).unwrap_err();
        assert_eq!(err.setting, Setting::Account);
        assert_eq!(err.to_string(), "`1234` is not a 12-digit AWS account id (or `*`)");
        assert_eq!(account(Some("123456789012")).unwrap().as_deref(), Some("123456789012"));
    }

    #[test]
    fn action_globs_are_service_colon_action_or_star() {
        for good in ["logs:CreateLogGroup", "xray:*", " s3:Get* ", "*", "execute-api:Invoke?"] {
            assert_eq!(action_glob(good).unwrap(), good.trim());
        }
        for bad in ["logs", "logs:", ":Get", "s3:Get Object", "s3/GetObject", ""] {
            assert_eq!(action_glob(bad).unwrap_err().setting, Setting::Allow, "{bad}");
        }
        assert_eq!(
            action_glob("logs").unwrap_err().to_string(),
            "\"logs\" is not an action glob; write service:Action, e.g. logs:CreateLogGroup or xray:*"
        );
    }
}
