//! The deploy-permissions artifact (data/deploy.tsv.zst): size, decoding,
//! the handlers of the types SAM and Terraform deploy most, and the
//! reviewed Terraform table.

use iamlens_knowledge::{deploy_permissions, terraform_mapping, DeployData, KnowledgeBase};

const ARTIFACT: &[u8] = include_bytes!("../data/deploy.tsv.zst");

#[test]
fn deploy_artifact_is_small_and_names_its_source() {
    assert!(ARTIFACT.len() < 150_000, "deploy.tsv.zst is {} bytes; keep it under 150 kB", ARTIFACT.len());
    let data = DeployData::embedded();
    assert!(data.sources.iter().any(|s| s.contains("cfn-lint 1.58.0")), "{:?}", data.sources);
    // cfn-lint 1.58 ships ~1,850 types for us-east-1, ~1,740 with handlers.
    assert!(data.resource_types().len() > 1_500, "{} types", data.resource_types().len());
}

#[test]
fn dynamodb_table_handlers_are_split_by_handler() {
    let table = deploy_permissions("AWS::DynamoDB::Table").expect("a registry type");
    assert!(table.create.contains(&"dynamodb:CreateTable".to_string()));
    assert!(!table.create.contains(&"dynamodb:DeleteTable".to_string()));
    assert_eq!(table.delete, vec!["dynamodb:DeleteTable".to_string(), "dynamodb:DescribeTable".to_string()]);
    assert!(table.read.contains(&"dynamodb:DescribeTable".to_string()));
    assert!(table.update.contains(&"dynamodb:UpdateTable".to_string()));
    let all = table.all();
    assert!(all.contains("dynamodb:CreateTable") && all.contains("dynamodb:DeleteTable") && all.contains("dynamodb:UpdateTable"));
    // Sorted and deduplicated, each list.
    for list in [&table.create, &table.read, &table.update, &table.delete] {
        let mut sorted = list.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(&sorted, list);
    }
}

#[test]
fn the_types_sam_expands_into_all_have_handlers() {
    for ty in [
        "AWS::Lambda::Function",
        "AWS::Lambda::Permission",
        "AWS::Lambda::EventSourceMapping",
        "AWS::Lambda::LayerVersion",
        "AWS::IAM::Role",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGateway::Stage",
        "AWS::ApiGatewayV2::Api",
        "AWS::ApiGatewayV2::Stage",
        "AWS::StepFunctions::StateMachine",
        "AWS::SQS::Queue",
        "AWS::SNS::Topic",
        "AWS::S3::Bucket",
    ] {
        let p = deploy_permissions(ty).unwrap_or_else(|| panic!("{ty} has no handlers"));
        assert!(!p.create.is_empty() && !p.delete.is_empty(), "{ty}: {p:?}");
    }
    let function = deploy_permissions("AWS::Lambda::Function").unwrap();
    assert!(function.create.contains(&"lambda:CreateFunction".to_string()));
    assert!(function.create.contains(&"iam:PassRole".to_string()), "the schema lists PassRole; the deploy policy narrows it");
    assert!(function.update.contains(&"lambda:UpdateFunctionCode".to_string()));
}

#[test]
fn types_without_a_registry_schema_have_no_row() {
    assert!(deploy_permissions("AWS::Serverless::Function").is_none(), "SAM types expand; they have no handlers");
    assert!(deploy_permissions("AWS::CloudFormation::CustomResource").is_none());
    assert!(deploy_permissions("AWS::DynamoDB::Tabel").is_none());
}

#[test]
fn actions_are_spelt_as_the_iam_data_spells_them() {
    // The schemas write `Batch:CreateJobQueue`; IAM names are case-insensitive and the IAM data says `batch:`.
    let queue = deploy_permissions("AWS::Batch::JobQueue").unwrap();
    assert!(queue.create.iter().all(|a| a.starts_with("batch:")), "{:?}", queue.create);
    let kb = KnowledgeBase::embedded();
    let mut known = 0;
    let mut total = 0;
    for ty in DeployData::embedded().resource_types() {
        for action in deploy_permissions(ty).unwrap().all() {
            total += 1;
            if let Some(info) = kb.action(action) {
                assert_eq!(info.name, action, "{ty}: {action} is not spelt canonically");
                known += 1;
            }
            let (prefix, _) = action.split_once(':').unwrap_or_else(|| panic!("{ty}: {action:?} has no prefix"));
            assert_eq!(prefix, prefix.to_ascii_lowercase(), "{ty}: {action}");
        }
    }
    assert!(known * 100 / total >= 97, "only {known} of {total} handler permissions are IAM actions");
}

#[test]
fn terraform_table_maps_common_types_with_a_reason() {
    for (tf, cfn) in [
        ("aws_dynamodb_table", "AWS::DynamoDB::Table"),
        ("aws_s3_bucket", "AWS::S3::Bucket"),
        ("aws_s3_bucket_notification", "AWS::S3::Bucket"),
        ("aws_lambda_function", "AWS::Lambda::Function"),
        ("aws_lambda_permission", "AWS::Lambda::Permission"),
        ("aws_lambda_event_source_mapping", "AWS::Lambda::EventSourceMapping"),
        ("aws_iam_role", "AWS::IAM::Role"),
        ("aws_iam_role_policy", "AWS::IAM::RolePolicy"),
        ("aws_iam_policy", "AWS::IAM::ManagedPolicy"),
        ("aws_iam_role_policy_attachment", "AWS::IAM::Role"),
        ("aws_sqs_queue", "AWS::SQS::Queue"),
        ("aws_sns_topic", "AWS::SNS::Topic"),
        ("aws_sfn_state_machine", "AWS::StepFunctions::StateMachine"),
        ("aws_cloudwatch_log_group", "AWS::Logs::LogGroup"),
        ("aws_kinesis_stream", "AWS::Kinesis::Stream"),
        ("aws_secretsmanager_secret", "AWS::SecretsManager::Secret"),
        ("aws_ssm_parameter", "AWS::SSM::Parameter"),
        ("aws_kms_key", "AWS::KMS::Key"),
        ("aws_ecr_repository", "AWS::ECR::Repository"),
        ("aws_apigatewayv2_api", "AWS::ApiGatewayV2::Api"),
        ("aws_s3_bucket_policy", "AWS::S3::BucketPolicy"),
        ("aws_cloudwatch_event_rule", "AWS::Events::Rule"),
        ("aws_cloudwatch_event_target", "AWS::Events::Rule"),
    ] {
        let row = terraform_mapping(tf).unwrap_or_else(|| panic!("{tf} is not mapped"));
        assert_eq!(row.cloudformation, cfn, "{tf}");
        assert!(!row.reason.trim().is_empty());
    }
    assert!(terraform_mapping("aws_s3_object").is_none(), "CloudFormation has no object resource");
    let rows = DeployData::embedded().terraform_mappings();
    assert!(rows.len() >= 80, "{} rows", rows.len());
    for row in rows {
        assert!(deploy_permissions(&row.cloudformation).is_some(), "{} → {} has no handlers", row.terraform, row.cloudformation);
    }
}

fn frame(text: &str) -> Vec<u8> {
    // An uncompressed zstd frame (raw blocks) made by hand: magic, frame header, one last raw block.
    let mut out = vec![0x28, 0xB5, 0x2F, 0xFD];
    out.push(0b0010_0000 | 0b1100_0000); // single segment, 8-byte content size
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    let header = ((text.len() as u32) << 3) | 1; // last block, raw
    out.extend_from_slice(&header.to_le_bytes()[..3]);
    out.extend_from_slice(text.as_bytes());
    out
}

#[test]
fn hand_made_artifacts_decode_or_fail_with_the_line() {
    let ok = DeployData::from_bytes(&frame("# src\nR\tAWS::X::Y\ta:B a:C\t\ta:D\ta:E\nT\taws_x\tAWS::X::Y\tbecause\n")).unwrap();
    assert_eq!(ok.sources, vec!["src".to_string()]);
    let p = ok.permissions("AWS::X::Y").unwrap();
    assert_eq!(p.create, vec!["a:B", "a:C"]);
    assert!(p.read.is_empty());
    assert_eq!(ok.terraform("aws_x").unwrap().reason, "because");
    let err = DeployData::from_bytes(&frame("T\taws_x\tAWS::X::Y\tbecause\n")).unwrap_err();
    assert!(err.to_string().contains("line 1") && err.to_string().contains("no row"), "{err}");
    let err = DeployData::from_bytes(&frame("R\tAWS::X::Y\ta:B\n")).unwrap_err();
    assert!(err.to_string().contains("expected an R row"), "{err}");
    assert!(DeployData::from_bytes(b"not zstd").is_err());
}
