//! iam:PassRole from the service models: the reviewed report
//! (`data/pass-role.tsv`) keeps its size, and the knowledge base binds
//! iam:PassRole to the members it says are passed, nested ones included.

use iamlens_knowledge::{KnowledgeBase, RequirementKind};

const REPORT: &str = include_str!("../data/pass-role.tsv");
/// Reviewed count of members bound to iam:PassRole (December 2026, botocore 1.44.8 and the retired services).
const REVIEWED_PASSED: usize = 1479;

fn rows() -> Vec<[&'static str; 4]> {
    REPORT
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "malformed report line {l:?}");
            [f[0], f[1], f[2], f[3]]
        })
        .collect()
}

fn pass_role_members(service: &str, method: &str) -> Vec<String> {
    let kb = KnowledgeBase::embedded();
    let op = kb.service(service).unwrap().operation_by_method(method).unwrap().clone();
    op.requirements
        .iter()
        .filter(|r| matches!(r.kind, RequirementKind::PassRole { .. }))
        .flat_map(|r| r.resources.iter().flat_map(|t| t.bindings.iter().map(|b| b.member.clone())))
        .collect()
}

#[test]
fn the_reviewed_pass_role_list_keeps_its_size() {
    let passed = rows().iter().filter(|r| r[3] == "passed").count();
    // A new botocore moves this a little; a jump means the rule changed: review data/pass-role.tsv.
    assert!(
        passed.abs_diff(REVIEWED_PASSED) <= REVIEWED_PASSED / 50,
        "{passed} members bound to iam:PassRole, reviewed {REVIEWED_PASSED}: review data/pass-role.tsv and update the count"
    );
    for row in rows() {
        let verdict = row[3];
        assert!(
            verdict == "passed"
                || ["not-an-iam-role:", "identifier-or-filter:", "role-is-the-subject:", "reviewed:", "curated"]
                    .iter()
                    .any(|c| verdict.starts_with(c)),
            "unknown verdict class in {row:?}"
        );
    }
}

#[test]
fn every_passed_member_is_bound_in_the_knowledge_base() {
    let kb = KnowledgeBase::embedded();
    for [service, operation, member, verdict] in rows() {
        if verdict != "passed" {
            continue;
        }
        let svc = kb.service(service).unwrap();
        let bound = svc
            .operation(operation)
            .unwrap()
            .requirements
            .iter()
            .filter(|r| matches!(r.kind, RequirementKind::PassRole { .. }))
            .any(|r| r.resources.iter().any(|t| t.bindings.iter().any(|b| b.member == member)));
        assert!(bound, "{service} {operation}: {member} is reported passed but iam:PassRole is not bound to it");
    }
}

#[test]
fn services_that_take_a_role_get_pass_role_on_that_member() {
    // Top-level members in several casings, missing before the report existed.
    assert_eq!(pass_role_members("sagemaker", "create_training_job"), vec!["RoleArn"]);
    assert_eq!(pass_role_members("bedrock", "create_model_customization_job"), vec!["roleArn"]);
    assert_eq!(pass_role_members("codebuild", "create_project"), vec!["serviceRole", "buildBatchConfig.serviceRole"]);
    assert!(pass_role_members("datasync", "create_location_efs").contains(&"FileSystemAccessRoleArn".to_string()));
    // Nested in structures and in list items (a notification channel's role).
    assert!(pass_role_members("firehose", "create_delivery_stream").contains(&"ExtendedS3DestinationConfiguration.RoleARN".to_string()));
    assert_eq!(pass_role_members("events", "put_targets"), vec!["Targets.RoleArn"]);
    // A list of role ARNs: each one is passed.
    assert_eq!(pass_role_members("redshift", "create_cluster"), vec!["IamRoles", "DefaultIamRoleArn"]);
    assert_eq!(pass_role_members("redshift", "modify_cluster_iam_roles"), vec!["AddIamRoles", "DefaultIamRoleArn"]);
    assert_eq!(pass_role_members("rekognition", "start_label_detection"), vec!["NotificationChannel.RoleArn"]);
    // The role the caller assumes, a role named as an identifier or a filter, a
    // role that is not an IAM role, and resource descriptions: none.
    for (service, method) in [
        ("sts", "assume_role"),
        ("iam", "create_role"),
        ("iot", "list_audit_findings"),
        ("grafana", "create_workspace_api_key"),
        ("securityhub", "batch_import_findings"),
        ("mq", "create_broker"),
    ] {
        assert!(pass_role_members(service, method).is_empty(), "{service}.{method} hands no role to a service");
    }
}
