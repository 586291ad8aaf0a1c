//! Actions taken with the caller's credentials around a call: endpoint
//! discovery from the models' `endpointdiscovery` trait, and credentials a
//! data API fetches (data/on-behalf.tsv, every documented one carried or reviewed).

use iamlens_knowledge::{KnowledgeBase, RequirementKind};

const REPORT: &str = include_str!("../data/on-behalf.tsv");

fn kinds(service: &str, method: &str, action: &str) -> Vec<RequirementKind> {
    let kb = KnowledgeBase::embedded();
    let op = kb.service(service).unwrap().operation_by_method(method).unwrap().clone();
    op.requirements.iter().filter(|r| r.action == action).map(|r| r.kind.clone()).collect()
}

#[test]
fn endpoint_discovery_adds_describe_endpoints_to_every_timestream_call() {
    let kb = KnowledgeBase::embedded();
    for service in ["timestream-write", "timestream-query"] {
        for op in kb.service(service).unwrap().operations.values().filter(|op| op.name != "DescribeEndpoints" && op.requires_iam) {
            let discovery: Vec<_> = op.requirements.iter().filter(|r| r.action == "timestream:DescribeEndpoints").collect();
            assert_eq!(discovery.len(), 1, "{service}.{} needs timestream:DescribeEndpoints once", op.name);
            assert_eq!(discovery[0].kind, RequirementKind::Dependent);
        }
    }
    assert_eq!(kinds("timestream-write", "write_records", "timestream:WriteRecords"), vec![RequirementKind::Primary]);
    // DynamoDB's trait is optional (off by default in boto3): no DescribeEndpoints.
    assert!(kinds("dynamodb", "get_item", "dynamodb:DescribeEndpoints").is_empty());
}

#[test]
fn the_redshift_data_api_fetches_credentials_by_the_members_given() {
    let when = |member: &str, unless: &[&str]| RequirementKind::WhenMember {
        member: member.into(),
        replaces_primary: false,
        unless: unless.iter().map(|s| s.to_string()).collect(),
    };
    for method in ["execute_statement", "batch_execute_statement", "list_tables"] {
        assert_eq!(kinds("redshift-data", method, "redshift:GetClusterCredentials"), vec![when("DbUser", &[])]);
        assert_eq!(
            kinds("redshift-data", method, "redshift:GetClusterCredentialsWithIAM"),
            vec![when("ClusterIdentifier", &["DbUser", "SecretArn"])]
        );
        assert_eq!(kinds("redshift-data", method, "redshift-serverless:GetCredentials"), vec![when("WorkgroupName", &["SecretArn"])]);
        assert_eq!(kinds("redshift-data", method, "secretsmanager:GetSecretValue"), vec![when("SecretArn", &[])]);
    }
    // Statement results are read without connecting: nothing fetched.
    assert!(kinds("redshift-data", "get_statement_result", "redshift:GetClusterCredentials").is_empty());
    assert_eq!(kinds("codeartifact", "get_authorization_token", "sts:GetServiceBearerToken"), vec![RequirementKind::Primary]);
}

#[test]
fn every_documented_credential_fetch_is_carried_or_reviewed() {
    let rows: Vec<Vec<&str>> = REPORT.lines().filter(|l| !l.starts_with('#')).map(|l| l.split('\t').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 6 && (r[5] == "carried" || r[5].starts_with("reviewed: "))), "every row carried or reviewed");
    let discovery = rows.iter().filter(|r| r[2] == "endpoint-discovery").count();
    let credentials = rows.iter().filter(|r| r[2] == "credentials" && r[5] == "carried").count();
    // Reviewed December 2026 (botocore 1.44.8): Timestream's 32 operations; Redshift Data API, CodeArtifact, ECR Public, AgentCore.
    assert_eq!(discovery, 32, "endpoint-discovery operations changed: review data/on-behalf.tsv");
    assert!((22..=26).contains(&credentials), "{credentials} carried credential fetches: review data/on-behalf.tsv");
}
