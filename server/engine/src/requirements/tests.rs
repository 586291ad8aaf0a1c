//! The requirements stage over hand-built knowledge: these pin down how
//! bindings, target choice and conditions combine, independent of the data.

use super::*;
use crate::model::{Confidence, Span, TextPart, Value};
use iamlens_knowledge::{Binding, BindingForm};

fn call(service: &str, operation: &str, args: Vec<(&str, Value)>) -> SdkCall {
    SdkCall {
        span: Span::default(),
        name_span: Span::default(),
        service: service.into(),
        operation: operation.into(),
        via: CallVia::Client,
        text: format!("client.{operation}(...)"),
        args: args.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        confidence: Confidence::High,
        scope: None,
        region: None,
    }
}

fn target(resource_type: &str, template: &str, required: bool, bindings: &[(&str, &str, BindingForm)]) -> ResourceTarget {
    ResourceTarget {
        resource_type: resource_type.into(),
        arn_template: template.into(),
        required,
        bindings: bindings.iter().map(|(v, m, f)| Binding { variable: v.to_string(), member: m.to_string(), form: *f }).collect(),
    }
}

fn action(name: &str, kind: RequirementKind, resources: Vec<ResourceTarget>) -> ActionRequirement {
    ActionRequirement { action: name.into(), kind, access_level: Some("Read".into()), resources, condition_keys: vec![], note: None }
}

fn settings() -> RequirementSettings {
    RequirementSettings { region: Some("us-east-1".into()), account: Some("123456789012".into()), ..Default::default() }
}

fn run(call: &SdkCall, actions: &[ActionRequirement], settings: &RequirementSettings) -> Derived {
    let mut out = Derived::default();
    add_call_requirements(call, 3, actions, settings, &mut out);
    out
}

fn table() -> ResourceTarget {
    target("table", "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}", true, &[("TableName", "TableName", BindingForm::Name)])
}

fn index() -> ResourceTarget {
    target(
        "index",
        "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName}",
        false,
        &[("TableName", "TableName", BindingForm::Name), ("IndexName", "IndexName", BindingForm::Name)],
    )
}

fn sqs_kms() -> Vec<ActionRequirement> {
    vec![
        action(
            "sqs:SendMessage",
            RequirementKind::Primary,
            vec![target(
                "queue",
                "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}",
                true,
                &[("QueueName", "QueueUrl", BindingForm::QueueUrl)],
            )],
        ),
        action(
            "kms:GenerateDataKey",
            RequirementKind::KmsViaService { via_service_template: "sqs.${Region}.amazonaws.com".into() },
            vec![target("key", "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}", true, &[])],
        ),
    ]
}

#[test]
fn literal_table_binds_exactly() {
    let c = call("dynamodb", "GetItem", vec![("TableName", Value::literal("Orders"))]);
    let out = run(&c, &[action("dynamodb:GetItem", RequirementKind::Primary, vec![table()])], &settings());
    assert_eq!(out.requirements.len(), 1);
    let r = &out.requirements[0];
    assert_eq!(r.resources, vec!["arn:aws:dynamodb:us-east-1:123456789012:table/Orders"]);
    assert_eq!(r.call_index, 3);
    assert!(r.conditions.is_empty());
    assert!(out.findings.is_empty());
}

#[test]
fn querying_an_index_grants_the_index_not_the_table() {
    let c = call("dynamodb", "Query", vec![("TableName", Value::literal("Orders")), ("IndexName", Value::literal("ByDate"))]);
    let out = run(&c, &[action("dynamodb:Query", RequirementKind::Primary, vec![table(), index()])], &settings());
    assert_eq!(out.requirements[0].resources, vec!["arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/ByDate"]);
    let c = call("dynamodb", "Query", vec![("TableName", Value::literal("Orders"))]);
    let out = run(&c, &[action("dynamodb:Query", RequirementKind::Primary, vec![table(), index()])], &settings());
    assert_eq!(out.requirements[0].resources, vec!["arn:aws:dynamodb:us-east-1:123456789012:table/Orders"]);
}

#[test]
fn dynamic_values_leave_a_wildcard_and_a_finding_naming_the_parameter() {
    let c = call("dynamodb", "GetItem", vec![("TableName", Value::Text(vec![TextPart::Literal("app-".into()), TextPart::Unknown]))]);
    let out = run(&c, &[action("dynamodb:GetItem", RequirementKind::Primary, vec![table()])], &settings());
    assert_eq!(out.requirements[0].resources, vec!["arn:aws:dynamodb:us-east-1:123456789012:table/app-*"]);
    assert_eq!(out.findings.len(), 1);
    assert_eq!(out.findings[0].kind, FindingKind::DynamicResource { action: "dynamodb:GetItem".into(), parameter: "TableName".into() });
    assert!(out.findings[0].message.contains("TableName"));
}

#[test]
fn kms_on_the_callers_behalf_is_scoped_by_via_service_in_the_queues_region() {
    let c = call("sqs", "SendMessage", vec![("QueueUrl", Value::literal("https://sqs.eu-west-1.amazonaws.com/111122223333/jobs"))]);
    let out = run(&c, &sqs_kms(), &settings());
    assert_eq!(out.requirements[0].resources, vec!["arn:aws:sqs:eu-west-1:111122223333:jobs"]);
    let kms = &out.requirements[1];
    assert_eq!(kms.action, "kms:GenerateDataKey");
    // The queue's key lives in the queue's region and account.
    assert_eq!(kms.resources, vec!["arn:aws:kms:eu-west-1:111122223333:key/*"]);
    assert_eq!(kms.conditions, vec![("StringEquals".to_string(), "kms:ViaService".to_string(), vec!["sqs.eu-west-1.amazonaws.com".to_string()])]);
}

#[test]
fn kms_via_service_without_a_region_uses_string_like() {
    let c = call("sqs", "SendMessage", vec![("QueueUrl", Value::Unknown)]);
    let out = run(&c, &sqs_kms(), &RequirementSettings::default());
    assert_eq!(out.requirements[0].resources, vec!["arn:aws:sqs:*:*:*"]);
    assert_eq!(out.requirements[1].conditions[0].0, "StringLike");
    assert_eq!(out.requirements[1].conditions[0].2, vec!["sqs.*.amazonaws.com".to_string()]);
}

#[test]
fn kms_via_service_can_be_turned_off() {
    let c = call("sqs", "SendMessage", vec![("QueueUrl", Value::Unknown)]);
    let off = RequirementSettings { kms_via_service: false, ..settings() };
    let out = run(&c, &sqs_kms(), &off);
    assert_eq!(out.requirements.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(), vec!["sqs:SendMessage"]);
}

#[test]
fn pass_role_binds_the_role_and_names_the_service() {
    let c = call("ecs", "RunTask", vec![("overrides", Value::Unknown)]);
    let pass = action(
        "iam:PassRole",
        RequirementKind::PassRole { passed_to_service: Some("ecs-tasks.amazonaws.com".into()) },
        vec![target("role", "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", true, &[])],
    );
    let out = run(&c, &[pass], &settings());
    assert_eq!(out.requirements[0].resources, vec!["arn:aws:iam::123456789012:role/*"]);
    assert_eq!(out.requirements[0].conditions[0].1, "iam:PassedToService");
}

#[test]
fn actions_without_resource_types_take_star() {
    let c = call("s3", "ListBuckets", vec![]);
    let out = run(&c, &[action("s3:ListAllMyBuckets", RequirementKind::Primary, vec![])], &settings());
    assert_eq!(out.requirements[0].resources, vec!["*"]);
}

#[test]
fn copy_object_reads_the_source_and_writes_the_destination() {
    let object = |member_bucket: &str, member_key: &str, fb, fk| {
        target(
            "object",
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
            true,
            &[("BucketName", member_bucket, fb), ("ObjectName", member_key, fk)],
        )
    };
    let actions = vec![
        action("s3:PutObject", RequirementKind::Primary, vec![object("Bucket", "Key", BindingForm::Name, BindingForm::Name)]),
        action(
            "s3:GetObject",
            RequirementKind::Primary,
            vec![object("CopySource.Bucket", "CopySource.Key", BindingForm::CopySourceBucket, BindingForm::CopySourceKey)],
        ),
    ];
    let c = call(
        "s3",
        "CopyObject",
        vec![("Bucket", Value::literal("dst")), ("Key", Value::literal("out/a.csv")), ("CopySource", Value::literal("src/in/a.csv"))],
    );
    let out = run(&c, &actions, &settings());
    assert_eq!(out.requirements[0].resources, vec!["arn:aws:s3:::dst/out/a.csv"]);
    assert_eq!(out.requirements[1].resources, vec!["arn:aws:s3:::src/in/a.csv"]);
}

#[test]
fn service_hints_match_botocore_names_or_iam_prefixes() {
    let sfn = KnowledgeBase::embedded().service("stepfunctions").expect("the embedded knowledge base knows Step Functions");
    assert!(hints_keep(&["states".into()], &sfn));
    assert!(hints_keep(&["StepFunctions".into()], &sfn));
    assert!(!hints_keep(&["s3".into()], &sfn));
    assert!(hints_keep(&[], &sfn));
}

#[test]
fn transactions_grant_only_the_item_actions_used() {
    let entry = |op: &str| Value::Dict(vec![(op.into(), Value::Dict(vec![("TableName".into(), Value::literal("Balances"))]))]);
    let c = call("dynamodb", "TransactWriteItems", vec![("TransactItems", Value::List(vec![entry("Update"), entry("Put")]))]);
    let item_actions: Vec<ActionRequirement> = ["dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
        .iter()
        .map(|a| action(a, RequirementKind::Primary, vec![table()]))
        .collect();
    let out = run(&c, &item_actions, &settings());
    let got: Vec<&str> = out.requirements.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(got, vec!["dynamodb:PutItem", "dynamodb:UpdateItem"]);
    assert_eq!(out.requirements[0].resources, vec!["arn:aws:dynamodb:us-east-1:123456789012:table/Balances"]);
}

#[test]
fn optional_resource_types_the_call_does_not_name_leave_star() {
    let dataset = target(
        "dataset",
        "arn:${Partition}:cloudwatch:${Region}:${Account}:dataset/${DatasetId}",
        false,
        &[("DatasetId", "DatasetId", BindingForm::Name)],
    );
    let c = call("cloudwatch", "PutMetricData", vec![("Namespace", Value::literal("Acme"))]);
    let out = run(&c, &[action("cloudwatch:PutMetricData", RequirementKind::Primary, vec![dataset])], &settings());
    assert_eq!(out.requirements[0].resources, vec!["*"]);
}

#[test]
fn operations_iam_authorizes_but_nobody_can_map_are_reported_not_dropped() {
    let kb = KnowledgeBase::embedded();
    let (service, operation) = kb
        .service_names()
        .map(String::from)
        .collect::<Vec<_>>()
        .into_iter()
        .find_map(|name| {
            let svc = kb.service(&name)?;
            let op = svc.operations.values().find(|op| op.requires_iam && op.requirements.is_empty())?;
            Some((name, op.name.clone()))
        })
        .expect("the knowledge base has operations it cannot map yet");
    let c = call(&service, &operation, vec![]);
    let reason = unmapped_reason(&c).expect("an unmapped operation has a reason");
    assert!(!reason.is_empty());
    assert!(requirements_for_calls(std::slice::from_ref(&c), &settings(), &[]).requirements.is_empty());
    // Calls that map, or need no IAM at all, are not reported.
    assert_eq!(unmapped_reason(&call("s3", "GetObject", vec![])), None);
    assert_eq!(unmapped_reason(&call("sts", "GetCallerIdentity", vec![])), None);
}

/// The embedded knowledge base's resources for one call.
fn embedded_resources(service: &str, operation: &str, args: Vec<(&str, Value)>) -> Vec<(String, Vec<String>)> {
    let derived = requirements_for_calls(&[call(service, operation, args)], &settings(), &[]);
    derived.requirements.into_iter().map(|r| (r.action, r.resources)).collect()
}

#[test]
fn bedrock_model_ids_are_foundation_models_and_arns_stay_as_given() {
    let model = embedded_resources("bedrock-runtime", "InvokeModel", vec![("modelId", Value::literal("anthropic.claude-3-haiku-20240307-v1:0"))]);
    assert_eq!(
        model,
        vec![(
            "bedrock:InvokeModel".to_string(),
            vec!["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0".to_string()]
        )]
    );
    let profile = "arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0";
    let streamed = embedded_resources("bedrock-runtime", "ConverseStream", vec![("modelId", Value::literal(profile))]);
    assert_eq!(streamed, vec![("bedrock:InvokeModelWithResponseStream".to_string(), vec![profile.to_string()])]);
    let cross_region =
        embedded_resources("bedrock-runtime", "Converse", vec![("modelId", Value::literal("us.anthropic.claude-3-5-sonnet-20240620-v1:0"))]);
    assert_eq!(
        cross_region,
        vec![(
            "bedrock:InvokeModel".to_string(),
            vec![
                "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0".to_string(),
                "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0".to_string(),
            ]
        )],
        "a cross-region profile needs the profile and its model in every region it routes to"
    );
    let derived = requirements_for_calls(&[call("bedrock-runtime", "InvokeModel", vec![("modelId", Value::Unknown)])], &settings(), &[]);
    assert_eq!(derived.requirements[0].resources, vec!["arn:aws:bedrock:us-east-1::foundation-model/*".to_string()]);
    assert_eq!(derived.findings.len(), 1, "one warning for the unknown modelId");
}

#[test]
fn ecs_task_definitions_name_family_and_revision() {
    let run_task = |td: &str| embedded_resources("ecs", "RunTask", vec![("taskDefinition", Value::literal(td))])[0].1.clone();
    assert_eq!(run_task("db-migrate:7"), vec!["arn:aws:ecs:us-east-1:123456789012:task-definition/db-migrate:7".to_string()]);
    assert_eq!(run_task("db-migrate"), vec!["arn:aws:ecs:us-east-1:123456789012:task-definition/db-migrate:*".to_string()]);
    let arn = "arn:aws:ecs:eu-west-1:111122223333:task-definition/db-migrate:3";
    assert_eq!(run_task(arn), vec![arn.to_string()]);
}

#[test]
fn rds_auth_tokens_need_connect_as_the_named_database_user() {
    let mut token = call("rds", "generate_db_auth_token", vec![("DBUsername", Value::literal("app_reader"))]);
    token.via = CallVia::Injected { method: "generate_db_auth_token".into() };
    let derived = requirements_for_calls(std::slice::from_ref(&token), &settings(), &[]);
    let got: Vec<_> = derived.requirements.iter().map(|r| (r.action.as_str(), r.resources.clone())).collect();
    assert_eq!(got, vec![("rds-db:connect", vec!["arn:aws:rds-db:us-east-1:123456789012:dbuser:*/app_reader".to_string()])]);
    assert!(derived.findings.is_empty(), "the DB resource id is never in the code: no warning for it");
    token.args = vec![("DBUsername".into(), Value::Unknown)];
    let derived = requirements_for_calls(&[token], &settings(), &[]);
    assert_eq!(derived.requirements[0].resources, vec!["arn:aws:rds-db:us-east-1:123456789012:dbuser:*/*".to_string()]);
    assert!(matches!(&derived.findings[0].kind, FindingKind::DynamicResource { parameter, .. } if parameter == "DBUsername"));
}

#[test]
fn the_clients_literal_region_wins_over_settings_for_resources_and_kms() {
    let mut put = call("dynamodb", "PutItem", vec![("TableName", Value::literal("Orders"))]);
    put.region = Some("eu-west-1".into());
    let derived = requirements_for_calls(&[put], &settings(), &[]);
    let table = derived.requirements.iter().find(|r| r.action == "dynamodb:PutItem").unwrap();
    assert_eq!(table.resources, vec!["arn:aws:dynamodb:eu-west-1:123456789012:table/Orders".to_string()]);
    let kms = derived.requirements.iter().find(|r| r.action.starts_with("kms:")).expect("DynamoDB data may use a KMS key");
    assert_eq!(kms.resources, vec!["arn:aws:kms:eu-west-1:123456789012:key/*".to_string()]);
    assert_eq!(kms.conditions[0].2, vec!["dynamodb.eu-west-1.amazonaws.com".to_string()]);
}

#[test]
fn pass_role_only_when_the_call_passes_a_role() {
    let pass = || {
        action(
            "iam:PassRole",
            RequirementKind::PassRole { passed_to_service: Some("lambda.amazonaws.com".into()) },
            vec![target(
                "role",
                "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
                true,
                &[("RoleNameWithPath", "Role", BindingForm::NameOrArn)],
            )],
        )
    };
    // A configuration change that hands over no role needs no PassRole.
    let timeout_only = call("lambda", "UpdateFunctionConfiguration", vec![("FunctionName", Value::literal("resize")), ("Timeout", Value::Unknown)]);
    assert!(run(&timeout_only, &[pass()], &settings()).requirements.is_empty());
    // A literal role: its exact ARN, for that service only.
    let with_role = call(
        "lambda",
        "UpdateFunctionConfiguration",
        vec![("FunctionName", Value::literal("resize")), ("Role", Value::literal("arn:aws:iam::123456789012:role/resize-exec"))],
    );
    let out = run(&with_role, &[pass()], &settings());
    assert_eq!(out.requirements[0].resources, vec!["arn:aws:iam::123456789012:role/resize-exec"]);
    assert_eq!(out.requirements[0].conditions[0], ("StringEquals".into(), "iam:PassedToService".into(), vec!["lambda.amazonaws.com".into()]));
    // Arguments iamlens could not read (an opaque **spread) may carry a role: kept.
    let opaque = call("lambda", "UpdateFunctionConfiguration", vec![]);
    assert_eq!(run(&opaque, &[pass()], &settings()).requirements.len(), 1);
}

#[test]
fn a_role_nested_in_a_list_is_passed_only_when_an_item_gives_it() {
    let put = |targets: Vec<Value>| call("events", "PutTargets", vec![("Rule", Value::literal("nightly")), ("Targets", Value::List(targets))]);
    let target = |role: Option<&str>| {
        let mut entry = vec![("Id".to_string(), Value::literal("1")), ("Arn".to_string(), Value::literal("arn:aws:sqs:us-east-1:123456789012:jobs"))];
        if let Some(role) = role {
            entry.push(("RoleArn".to_string(), Value::literal(role)));
        }
        Value::Dict(entry)
    };
    let pass_roles = |call: SdkCall| -> Vec<Vec<String>> {
        requirements_for_calls(&[call], &settings(), &[])
            .requirements
            .into_iter()
            .filter(|r| r.action == "iam:PassRole")
            .map(|r| r.resources)
            .collect()
    };
    assert!(pass_roles(put(vec![target(None)])).is_empty(), "a target without a role hands none over");
    assert_eq!(
        pass_roles(put(vec![target(None), target(Some("arn:aws:iam::123456789012:role/events-to-sqs"))])),
        vec![vec!["arn:aws:iam::123456789012:role/events-to-sqs".to_string()]]
    );
}

#[test]
fn the_redshift_data_api_needs_the_credentials_its_members_ask_for() {
    let statement = |args: Vec<(&str, Value)>| {
        let mut all = vec![("Sql", Value::literal("select 1")), ("Database", Value::literal("dev"))];
        all.extend(args);
        call("redshift-data", "ExecuteStatement", all)
    };
    let actions = |call: SdkCall| -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> =
            requirements_for_calls(&[call], &settings(), &[]).requirements.into_iter().map(|r| (r.action, r.resources)).collect();
        out.sort();
        out
    };
    let db_user = actions(statement(vec![("ClusterIdentifier", Value::literal("analytics")), ("DbUser", Value::literal("etl"))]));
    assert_eq!(
        db_user.iter().find(|(a, _)| a == "redshift:GetClusterCredentials").map(|(_, r)| r.clone()),
        Some(vec![
            "arn:aws:redshift:us-east-1:123456789012:dbuser:analytics/etl".to_string(),
            "arn:aws:redshift:us-east-1:123456789012:dbname:analytics/dev".to_string()
        ])
    );
    assert!(!db_user.iter().any(|(a, _)| a == "redshift:GetClusterCredentialsWithIAM" || a.starts_with("secretsmanager:")));

    let iam_identity = actions(statement(vec![("ClusterIdentifier", Value::literal("analytics"))]));
    let names: Vec<&str> = iam_identity.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(names, vec!["redshift-data:ExecuteStatement", "redshift:GetClusterCredentialsWithIAM"]);

    let secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:analytics-AbCdEf";
    let with_secret = actions(statement(vec![("ClusterIdentifier", Value::literal("analytics")), ("SecretArn", Value::literal(secret))]));
    let names: Vec<&str> = with_secret.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(names, vec!["redshift-data:ExecuteStatement", "secretsmanager:GetSecretValue"]);
    assert_eq!(with_secret[1].1, vec![secret.to_string()]);

    let serverless = actions(statement(vec![("WorkgroupName", Value::literal("bi"))]));
    let names: Vec<&str> = serverless.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(names, vec!["redshift-data:ExecuteStatement", "redshift-serverless:GetCredentials"]);
}

#[test]
fn timestream_calls_discover_their_endpoint_first() {
    let write = call("timestream-write", "WriteRecords", vec![("DatabaseName", Value::literal("iot")), ("TableName", Value::literal("readings"))]);
    let actions: Vec<String> = requirements_for_calls(&[write], &settings(), &[]).requirements.into_iter().map(|r| r.action).collect();
    assert!(actions.contains(&"timestream:WriteRecords".to_string()) && actions.contains(&"timestream:DescribeEndpoints".to_string()), "{actions:?}");
}

#[test]
fn each_role_a_call_passes_gets_its_own_arn() {
    let role = |name: &str| Value::literal(format!("arn:aws:iam::123456789012:role/{name}"));
    let pass_role_resources = |call: SdkCall| -> Vec<String> {
        requirements_for_calls(&[call], &settings(), &[])
            .requirements
            .into_iter()
            .filter(|r| r.action == "iam:PassRole")
            .flat_map(|r| r.resources)
            .collect()
    };
    let target = |id: &str, name: &str| {
        Value::Dict(vec![
            ("Id".to_string(), Value::literal(id)),
            ("Arn".to_string(), Value::literal("arn:aws:sqs:us-east-1:123456789012:jobs")),
            ("RoleArn".to_string(), role(name)),
        ])
    };
    let put =
        call("events", "PutTargets", vec![("Rule", Value::literal("nightly")), ("Targets", Value::List(vec![target("1", "a"), target("2", "b")]))]);
    assert_eq!(pass_role_resources(put), vec!["arn:aws:iam::123456789012:role/a".to_string(), "arn:aws:iam::123456789012:role/b".to_string()]);
    let cluster = call(
        "redshift",
        "CreateCluster",
        vec![("ClusterIdentifier", Value::literal("analytics")), ("IamRoles", Value::List(vec![role("copy"), role("spectrum")]))],
    );
    assert_eq!(
        pass_role_resources(cluster),
        vec!["arn:aws:iam::123456789012:role/copy".to_string(), "arn:aws:iam::123456789012:role/spectrum".to_string()]
    );
}

#[test]
fn documents_aws_owns_have_no_account_in_their_arn() {
    let send = |document: &str| {
        let call = call(
            "ssm",
            "SendCommand",
            vec![("DocumentName", Value::literal(document)), ("InstanceIds", Value::List(vec![Value::literal("i-0abc")]))],
        );
        let out = requirements_for_calls(&[call], &settings(), &[]);
        out.requirements.into_iter().find(|r| r.action == "ssm:SendCommand").unwrap().resources
    };
    // The real ARN has an empty account (`arn:aws:ssm:us-east-1::document/...`); `*` matches it.
    assert!(send("AWS-RunShellScript").contains(&"arn:aws:ssm:us-east-1:*:document/AWS-RunShellScript".to_string()));
    assert!(send("deploy-app").contains(&"arn:aws:ssm:us-east-1:123456789012:document/deploy-app".to_string()));
}
