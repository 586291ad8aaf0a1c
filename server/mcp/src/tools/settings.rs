//! Validating the Region/Account arguments several tools share, and turning
//! them into engine settings.

use iamlens_engine::model::RequirementSettings;
use iamlens_engine::PolicyOptions;

use super::ToolError;

/// Region and account as given (absent or `*`: wildcard), validated.
pub fn requirement_settings(region: Option<&str>, account: Option<&str>) -> Result<RequirementSettings, ToolError> {
    let region = wildcard_to_none(region);
    let account = wildcard_to_none(account);
    if let Some(region) = region {
        if !is_region(region) {
            return Err(ToolError::bad("Region", format!("`{region}` is not an AWS region such as `us-east-1` (or `*`)")));
        }
    }
    if let Some(account) = account {
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ToolError::bad("Account", format!("`{account}` is not a 12-digit AWS account id (or `*`)")));
        }
    }
    Ok(RequirementSettings {
        partition: partition_for(region).to_string(),
        region: region.map(str::to_string),
        account: account.map(str::to_string),
        ..RequirementSettings::default()
    })
}

/// Policy shaping shared by the policy tools; `ResourceCutoff` must be at least 1.
pub fn policy_options(resource_cutoff: Option<usize>, minimize_policy_size: Option<bool>) -> Result<PolicyOptions, ToolError> {
    let resource_cutoff = match resource_cutoff {
        Some(0) => return Err(ToolError::bad("ResourceCutoff", "must be at least 1")),
        Some(n) => n,
        None => PolicyOptions::default().resource_cutoff,
    };
    Ok(PolicyOptions { resource_cutoff, minimize_policy_size: minimize_policy_size.unwrap_or(false) })
}

fn wildcard_to_none(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty() && *v != "*")
}

/// `us-east-1`, `eu-central-2`, `cn-north-1`, `us-gov-west-1`, `ap-southeast-5`.
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

fn partition_for(region: Option<&str>) -> &'static str {
    match region {
        Some(r) if r.starts_with("cn-") => "aws-cn",
        Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
        _ => "aws",
    }
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
