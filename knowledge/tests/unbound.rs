//! ARN template variables no input member fills leave a wildcard in the
//! policy. data/unbound-arns.tsv lists every primary action's required
//! resource type with such a variable; reviewed [[binding]] entries close rows,
//! and the list must never grow.

use iamlens_knowledge::KnowledgeBase;

const REPORT: &str = include_str!("../data/unbound-arns.tsv");
/// Rows left after overrides/bindings-names.toml, bindings-identifiers.toml and bindings.toml (December
/// 2026: 5,813 before them). Lower it when bindings close more; never raise it
/// without reviewing the new rows.
const REVIEWED_MAX: usize = 4052;

#[test]
fn the_unbound_arn_report_does_not_grow() {
    let rows = REPORT.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).count();
    assert!(rows <= REVIEWED_MAX, "{rows} unbound ARN rows, reviewed at most {REVIEWED_MAX}: bind the new ones (data/unbound-arns.tsv)");
}

fn binding(service: &str, method: &str, action: &str, variable: &str) -> Option<(String, String)> {
    let kb = KnowledgeBase::embedded();
    let op = kb.service(service).unwrap().operation_by_method(method).unwrap().clone();
    let req = op.requirements.iter().find(|r| r.action == action)?;
    req.resources.iter().flat_map(|t| t.bindings.iter()).find(|b| b.variable == variable).map(|b| (b.member.clone(), format!("{:?}", b.form)))
}

#[test]
fn operations_identified_by_name_get_their_exact_arn() {
    // The only identifying member is `Name` / `name` / `Id`.
    assert_eq!(binding("appstream", "create_fleet", "appstream:CreateFleet", "FleetName").map(|b| b.0).as_deref(), Some("Name"));
    assert_eq!(binding("glue", "delete_crawler", "glue:DeleteCrawler", "CrawlerName").map(|b| b.0).as_deref(), Some("Name"));
    assert_eq!(binding("eks", "describe_cluster", "eks:DescribeCluster", "ClusterName").map(|b| b.0).as_deref(), Some("name"));
    assert_eq!(binding("kendra", "describe_index", "kendra:DescribeIndex", "IndexId").map(|b| b.0).as_deref(), Some("Id"));
    // A member named after the resource type plus Arn holds the whole ARN.
    assert_eq!(
        binding("personalize", "describe_campaign", "personalize:DescribeCampaign", "ResourceId"),
        Some(("campaignArn".to_string(), "Arn".to_string()))
    );
    // Auto Scaling: the group name, with the generated group id left a wildcard.
    assert_eq!(
        binding("autoscaling", "set_desired_capacity", "autoscaling:SetDesiredCapacity", "GroupFriendlyName").map(|b| b.0).as_deref(),
        Some("AutoScalingGroupName")
    );
    // An `…Identifier` documented as an ID or ARN (never a name).
    assert_eq!(
        binding("vpc-lattice", "get_service", "vpc-lattice:GetService", "ServiceId"),
        Some(("serviceIdentifier".to_string(), "NameOrArn".to_string()))
    );
    // A generic Name on a parent's operation does not name its children.
    assert_eq!(binding("glue", "delete_database", "glue:DeleteDatabase", "TableName"), None);
}
