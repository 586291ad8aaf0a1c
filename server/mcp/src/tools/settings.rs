//! Validating the Region/Account arguments several tools share, and turning
//! them into engine settings.

use iamlens_engine::model::RequirementSettings;
use iamlens_engine::settings::{Setting, Settings};
use iamlens_engine::PolicyOptions;

use super::ToolError;

/// Region and account as given (absent or `*`: wildcard), validated by the
/// engine's one settings type.
pub fn requirement_settings(region: Option<&str>, account: Option<&str>) -> Result<RequirementSettings, ToolError> {
    let settings = Settings { region: region.map(str::to_string), account: account.map(str::to_string), ..Settings::default() };
    match settings.engine_options() {
        Ok(options) => Ok(options.requirements),
        Err(err) => {
            let argument = match err.setting {
                Setting::Region => "Region",
                Setting::Account => "Account",
                Setting::Allow => "Allow",
            };
            Err(ToolError::bad(argument, err.to_string()))
        }
    }
}

/// Policy shaping shared by the policy tools; `ResourceCutoff` must be at least 1.
pub fn policy_options(
    resource_cutoff: Option<usize>,
    minimize_policy_size: Option<bool>,
    resource_account: Option<String>,
) -> Result<PolicyOptions, ToolError> {
    let resource_cutoff = match resource_cutoff {
        Some(0) => return Err(ToolError::bad("ResourceCutoff", "must be at least 1")),
        Some(n) => n,
        None => PolicyOptions::default().resource_cutoff,
    };
    Ok(PolicyOptions { resource_cutoff, minimize_policy_size: minimize_policy_size.unwrap_or(false), resource_account })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_pick_their_partition() {
        assert_eq!(requirement_settings(Some("us-east-1"), None).unwrap().partition, "aws");
        assert_eq!(requirement_settings(Some("cn-north-1"), None).unwrap().partition, "aws-cn");
        assert_eq!(requirement_settings(Some("us-gov-west-1"), None).unwrap().partition, "aws-us-gov");
        let s = requirement_settings(Some("*"), Some("*")).unwrap();
        assert_eq!((s.region, s.account), (None, None));
    }

    #[test]
    fn bad_region_and_account_name_the_argument() {
        assert!(matches!(requirement_settings(Some("US East"), None), Err(ToolError::BadArgument { argument: "Region", .. })));
        assert!(matches!(requirement_settings(Some("us-east"), None), Err(ToolError::BadArgument { argument: "Region", .. })));
        assert!(matches!(requirement_settings(None, Some("1234")), Err(ToolError::BadArgument { argument: "Account", .. })));
        assert_eq!(requirement_settings(None, Some("123456789012")).unwrap().account.as_deref(), Some("123456789012"));
    }
}
