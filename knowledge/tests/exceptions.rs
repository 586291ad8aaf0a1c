//! Known exceptions to the `<prefix>:<OperationName>` rule: operation →
//! the exact set of primary actions, across many services. Each row is a fact
//! from the Service Authorization Reference or the service's documentation.

use iamlens_knowledge::{BindingForm, KnowledgeBase, Mapping, RequirementKind};
use std::collections::{BTreeSet, HashSet};

/// (service, boto3 method or API operation, primary actions; empty = no IAM permission at all)
const TABLE: &[(&str, &str, &[&str])] = &[
    // S3 renames
    ("s3", "list_objects_v2", &["s3:ListBucket"]),
    ("s3", "list_objects", &["s3:ListBucket"]),
    ("s3", "head_bucket", &["s3:ListBucket"]),
    ("s3", "head_object", &["s3:GetObject"]),
    ("s3", "get_object", &["s3:GetObject"]),
    ("s3", "put_object", &["s3:PutObject"]),
    ("s3", "list_buckets", &["s3:ListAllMyBuckets"]),
    ("s3", "list_object_versions", &["s3:ListBucketVersions"]),
    ("s3", "list_multipart_uploads", &["s3:ListBucketMultipartUploads"]),
    ("s3", "list_parts", &["s3:ListMultipartUploadParts"]),
    ("s3", "delete_objects", &["s3:DeleteObject"]),
    ("s3", "create_multipart_upload", &["s3:PutObject"]),
    ("s3", "upload_part", &["s3:PutObject"]),
    ("s3", "complete_multipart_upload", &["s3:PutObject"]),
    ("s3", "copy_object", &["s3:GetObject", "s3:PutObject"]),
    ("s3", "upload_part_copy", &["s3:GetObject", "s3:PutObject"]),
    ("s3", "get_bucket_encryption", &["s3:GetEncryptionConfiguration"]),
    ("s3", "put_bucket_encryption", &["s3:PutEncryptionConfiguration"]),
    ("s3", "get_public_access_block", &["s3:GetBucketPublicAccessBlock"]),
    ("s3", "delete_bucket_cors", &["s3:PutBucketCORS"]),
    ("s3", "put_bucket_lifecycle_configuration", &["s3:PutLifecycleConfiguration"]),
    ("s3", "get_bucket_notification_configuration", &["s3:GetBucketNotification"]),
    ("s3", "create_session", &["s3express:CreateSession"]),
    ("s3control", "get_public_access_block", &["s3:GetAccountPublicAccessBlock"]),
    // Data-plane renames and other prefixes
    ("lambda", "invoke", &["lambda:InvokeFunction"]),
    ("lambda", "invoke_with_response_stream", &["lambda:InvokeFunction"]),
    ("lambda", "get_layer_version_by_arn", &["lambda:GetLayerVersion"]),
    ("bedrock-runtime", "converse", &["bedrock:InvokeModel"]),
    ("bedrock-runtime", "converse_stream", &["bedrock:InvokeModelWithResponseStream"]),
    ("bedrock-runtime", "invoke_model", &["bedrock:InvokeModel"]),
    ("stepfunctions", "start_execution", &["states:StartExecution"]),
    ("stepfunctions", "send_task_success", &["states:SendTaskSuccess"]),
    ("sesv2", "send_email", &["ses:SendEmail"]),
    ("ses", "send_raw_email", &["ses:SendRawEmail"]),
    ("elbv2", "describe_load_balancers", &["elasticloadbalancing:DescribeLoadBalancers"]),
    ("iot-data", "publish", &["iot:Publish"]),
    ("iot-data", "get_thing_shadow", &["iot:GetThingShadow"]),
    ("appconfigdata", "get_latest_configuration", &["appconfig:GetLatestConfiguration"]),
    ("cloudwatch", "put_metric_data", &["cloudwatch:PutMetricData"]),
    ("resourcegroupstaggingapi", "get_resources", &["tag:GetResources"]),
    ("mturk", "list_hits", &["mechanicalturk:ListHITs"]),
    ("cloudcontrol", "get_resource", &["cloudformation:GetResource"]),
    ("apigatewaymanagementapi", "post_to_connection", &["execute-api:ManageConnections"]),
    ("neptunedata", "execute_open_cypher_query", &["neptune-db:ReadDataViaQuery", "neptune-db:WriteDataViaQuery", "neptune-db:DeleteDataViaQuery"]),
    ("neptunedata", "cancel_gremlin_query", &["neptune-db:CancelQuery"]),
    ("timestream-query", "query", &["timestream:Select"]),
    ("rds-data", "execute_statement", &["rds-data:ExecuteStatement", "secretsmanager:GetSecretValue"]),
    // API Gateway: HTTP verbs
    ("apigateway", "get_rest_apis", &["apigateway:GET"]),
    ("apigateway", "create_rest_api", &["apigateway:POST"]),
    ("apigateway", "delete_rest_api", &["apigateway:DELETE"]),
    ("apigateway", "update_stage", &["apigateway:PATCH"]),
    ("apigateway", "put_integration", &["apigateway:PUT"]),
    ("apigatewayv2", "get_apis", &["apigateway:GET"]),
    // Batch variants
    ("sqs", "send_message_batch", &["sqs:SendMessage"]),
    ("sqs", "delete_message_batch", &["sqs:DeleteMessage"]),
    ("sqs", "change_message_visibility_batch", &["sqs:ChangeMessageVisibility"]),
    ("sns", "publish_batch", &["sns:Publish"]),
    ("glue", "batch_get_data_quality_result", &["glue:GetDataQualityResult"]),
    // DynamoDB transactions and PartiQL
    ("dynamodb", "transact_write_items", &["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"]),
    ("dynamodb", "transact_get_items", &["dynamodb:GetItem"]),
    ("dynamodb", "execute_statement", &["dynamodb:PartiQLSelect", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete"]),
    ("dynamodb", "get_item", &["dynamodb:GetItem"]),
    // KMS
    ("kms", "re_encrypt", &["kms:ReEncryptFrom", "kms:ReEncryptTo"]),
    ("kms", "decrypt", &["kms:Decrypt"]),
    // Keyspaces and Budgets
    ("keyspaces", "create_keyspace", &["cassandra:Create"]),
    ("keyspaces", "get_table", &["cassandra:Select"]),
    ("keyspaces", "delete_table", &["cassandra:Drop"]),
    ("keyspaces", "update_table", &["cassandra:Alter"]),
    ("budgets", "create_budget", &["budgets:ModifyBudget"]),
    ("budgets", "describe_budgets", &["budgets:ViewBudget"]),
    // No IAM permission at all
    ("sts", "get_caller_identity", &[]),
    ("cognito-idp", "initiate_auth", &[]),
    ("cognito-identity", "get_id", &[]),
    ("codecatalyst", "list_spaces", &[]),
    ("connectparticipant", "send_message", &[]),
    ("sts", "assume_role", &["sts:AssumeRole"]),
];

#[test]
fn known_exceptions_map_to_the_documented_actions() {
    let kb = KnowledgeBase::embedded();
    let mut failures = Vec::new();
    let mut services = HashSet::new();
    for (service, method, expected) in TABLE {
        services.insert(*service);
        let Some(svc) = kb.service(service) else {
            failures.push(format!("{service}: unknown service"));
            continue;
        };
        let Some(op) = svc.operation_by_method(method) else {
            failures.push(format!("{service}.{method}: unknown method"));
            continue;
        };
        let got: BTreeSet<&str> = op.primary_actions().map(|r| r.action.as_str()).collect();
        let want: BTreeSet<&str> = expected.iter().copied().collect();
        if got != want {
            failures.push(format!("{service}.{method}: expected {want:?}, got {got:?} ({:?})", op.mapping));
        }
        if expected.is_empty() && op.requires_iam {
            failures.push(format!("{service}.{method}: should need no IAM permission"));
        }
    }
    assert!(TABLE.len() >= 60 && services.len() >= 20, "{} rows over {} services", TABLE.len(), services.len());
    assert!(failures.is_empty(), "{} of {} rows wrong:\n{}", failures.len(), TABLE.len(), failures.join("\n"));
}

#[test]
fn copy_object_reads_the_copy_source() {
    let kb = KnowledgeBase::embedded();
    let op = kb.service("s3").unwrap().operation("CopyObject").unwrap().clone();
    let get = op.requirements.iter().find(|r| r.action == "s3:GetObject").unwrap();
    let forms: Vec<_> = get.resources[0].bindings.iter().map(|b| (b.variable.as_str(), b.member.as_str(), b.form)).collect();
    assert_eq!(forms, vec![("BucketName", "CopySource", BindingForm::CopySourceBucket), ("ObjectName", "CopySource", BindingForm::CopySourceKey)]);
    let put = op.requirements.iter().find(|r| r.action == "s3:PutObject").unwrap();
    let object = put.resources.iter().find(|t| t.resource_type == "object").unwrap();
    assert_eq!(object.bindings.iter().map(|b| b.member.as_str()).collect::<Vec<_>>(), vec!["Bucket", "Key"]);
}

#[test]
fn api_gateway_verbs_carry_the_request_path() {
    let kb = KnowledgeBase::embedded();
    let op = kb.service("apigateway").unwrap().operation_by_method("get_rest_api").unwrap().clone();
    assert_eq!(op.mapping, Mapping::HttpVerb);
    let target = &op.requirements[0].resources[0];
    assert_eq!(target.arn_template, "arn:${Partition}:apigateway:${Region}::/restapis/${restapi_id}");
    assert_eq!(target.resource_type, "RestApi");
    assert_eq!(target.bindings[0].member, "restApiId");
}

#[test]
fn pass_role_is_added_where_a_role_is_handed_over_and_not_for_assume_role() {
    let kb = KnowledgeBase::embedded();
    let create = kb.service("lambda").unwrap().operation_by_method("create_function").unwrap().clone();
    let pass = create.requirements.iter().find(|r| r.action == "iam:PassRole").expect("CreateFunction passes the execution role");
    assert_eq!(pass.kind, RequirementKind::PassRole { passed_to_service: Some("lambda.amazonaws.com".into()) });
    let role = &pass.resources[0];
    assert_eq!(role.arn_template, "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}");
    assert_eq!((role.bindings[0].member.as_str(), role.bindings[0].form), ("Role", BindingForm::NameOrArn));

    let run_task = kb.service("ecs").unwrap().operation_by_method("run_task").unwrap().clone();
    assert!(run_task
        .requirements
        .iter()
        .any(|r| r.action == "iam:PassRole" && r.kind == RequirementKind::PassRole { passed_to_service: Some("ecs-tasks.amazonaws.com".into()) }));

    let schedule = kb.service("scheduler").unwrap().operation_by_method("create_schedule").unwrap().clone();
    let pass = schedule.requirements.iter().find(|r| r.action == "iam:PassRole").unwrap();
    assert_eq!(pass.resources[0].bindings[0].member, "Target.RoleArn");

    // A member named like a role that is an enum (QuickSight's role names) is no IAM role.
    for (service, method) in [
        ("sts", "assume_role"),
        ("iam", "get_role"),
        ("iam", "create_role"),
        ("s3", "get_object"),
        ("quicksight", "update_role_custom_permission"),
        ("lambda", "get_function"),
    ] {
        let op = kb.service(service).unwrap().operation_by_method(method).unwrap().clone();
        assert!(op.requirements.iter().all(|r| r.action != "iam:PassRole"), "{service}.{method} must not need iam:PassRole");
    }
}

#[test]
fn kms_via_service_marks_reads_and_writes_of_encrypted_data() {
    let kb = KnowledgeBase::embedded();
    let kms = |service: &str, method: &str| -> Vec<(String, String)> {
        let op = kb.service(service).unwrap().operation_by_method(method).unwrap().clone();
        op.requirements
            .iter()
            .filter_map(|r| match &r.kind {
                RequirementKind::KmsViaService { via_service_template } => Some((r.action.clone(), via_service_template.clone())),
                _ => None,
            })
            .collect()
    };
    let via = |s: &str| format!("{s}.${{Region}}.amazonaws.com");
    assert_eq!(kms("sqs", "send_message"), vec![("kms:GenerateDataKey".into(), via("sqs"))]);
    assert_eq!(kms("sqs", "receive_message"), vec![("kms:Decrypt".into(), via("sqs"))]);
    assert_eq!(kms("s3", "get_object"), vec![("kms:Decrypt".into(), via("s3"))]);
    assert_eq!(kms("secretsmanager", "get_secret_value"), vec![("kms:Decrypt".into(), via("secretsmanager"))]);
    assert_eq!(kms("ssm", "get_parameter"), vec![("kms:Decrypt".into(), via("ssm"))]);
    assert!(kms("sqs", "list_queues").is_empty());
    assert!(kms("s3", "list_objects_v2").is_empty());
}

#[test]
fn resource_bindings_follow_each_service_naming() {
    let kb = KnowledgeBase::embedded();
    let first_binding = |service: &str, method: &str| {
        let op = kb.service(service).unwrap().operation_by_method(method).unwrap().clone();
        let b = &op.requirements[0].resources.iter().find(|t| !t.bindings.is_empty()).expect("a bound resource").bindings[0];
        (b.variable.clone(), b.member.clone(), b.form)
    };
    assert_eq!(first_binding("dynamodb", "put_item"), ("TableName".into(), "TableName".into(), BindingForm::NameOrArn));
    assert_eq!(first_binding("lambda", "invoke"), ("FunctionName".into(), "FunctionName".into(), BindingForm::NameOrArn));
    assert_eq!(first_binding("sns", "publish"), ("TopicName".into(), "TopicArn".into(), BindingForm::Arn));
    assert_eq!(first_binding("ssm", "get_parameter"), ("ParameterNameWithoutLeadingSlash".into(), "Name".into(), BindingForm::PathName));
    assert_eq!(first_binding("secretsmanager", "get_secret_value"), ("SecretId".into(), "SecretId".into(), BindingForm::SecretName));
    assert_eq!(first_binding("stepfunctions", "start_execution").1, "stateMachineArn");
    assert_eq!(first_binding("sts", "assume_role"), ("RoleNameWithPath".into(), "RoleArn".into(), BindingForm::Arn));
    assert_eq!(first_binding("iam", "get_role"), ("RoleNameWithPath".into(), "RoleName".into(), BindingForm::Name));
    assert_eq!(first_binding("ssm", "get_parameters_by_path").1, "Path");
    assert_eq!(first_binding("kinesis", "put_record").1, "StreamName");
}

#[test]
fn injected_methods_list_their_operations_and_arguments() {
    let kb = KnowledgeBase::embedded();
    let s3 = kb.service("s3").unwrap();
    let upload = s3.injected("upload_file").unwrap();
    assert!(upload.operations.contains(&"PutObject".to_string()) && upload.operations.contains(&"CreateMultipartUpload".to_string()));
    let bucket = upload.args.iter().find(|a| a.keyword == "Bucket").unwrap();
    assert_eq!((bucket.position, bucket.member.as_deref()), (Some(1), Some("Bucket")));
    assert!(s3.injected("generate_presigned_url").is_some(), "every client has generate_presigned_url");
    let token = kb.service("rds").unwrap().injected("generate_db_auth_token").unwrap().clone();
    assert_eq!(token.extra_actions[0].action, "rds-db:connect");
    assert!(kb.service("sqs").unwrap().injected("upload_file").is_none());

    // The same transfers on resource classes take Bucket/Key from the resource's identifiers.
    let on_bucket = s3.resource_injected("Bucket", "upload_file").unwrap();
    let ids: Vec<_> = on_bucket.identifiers.iter().map(|p| (p.target.as_str(), p.name.as_deref())).collect();
    assert_eq!(ids, vec![("Bucket", Some("Name"))]);
    assert_eq!(on_bucket.args[1].member.as_deref(), Some("Key"));
    let on_object = s3.resource_injected("Object", "download_file").unwrap();
    assert_eq!(on_object.operations, vec!["HeadObject".to_string(), "GetObject".to_string()]);
    assert_eq!(on_object.identifiers.len(), 2);
    let writer = kb.service("dynamodb").unwrap().resource_injected("Table", "batch_writer").unwrap().clone();
    assert_eq!(writer.operations, vec!["BatchWriteItem".to_string()]);
    assert!(kb.service("dynamodb").unwrap().injected("batch_writer").is_none(), "not a client method");
    assert!(!kb.services_with_method("batch_writer").contains(&"dynamodb".to_string()));
}

#[test]
fn boto3_resource_model_resolves_identifiers_to_request_members() {
    let kb = KnowledgeBase::embedded();
    let s3 = kb.service("s3").unwrap();
    let model = s3.resources.as_ref().expect("s3 has a resource model");
    let object = model.resource("Object").unwrap();
    assert_eq!(object.identifiers.iter().map(|i| i.attribute.as_str()).collect::<Vec<_>>(), vec!["bucket_name", "key"]);
    let get = &object.actions["Get"];
    assert_eq!((get.method.as_str(), get.request.operation.as_str()), ("get", "GetObject"));
    assert_eq!(object.load.as_ref().unwrap().operation, "HeadObject");
    let objects = &model.resource("Bucket").unwrap().collections["Objects"];
    assert_eq!((objects.attribute.as_str(), objects.request.operation.as_str()), ("objects", "ListObjects"));
    assert_eq!(model.resource("Bucket").unwrap().batch_actions.len(), 0);
    assert_eq!(object.batch_actions["Delete"].request.operation, "DeleteObjects");
    let sqs = kb.service("sqs").unwrap();
    let receive = &sqs.resources.as_ref().unwrap().resource("Queue").unwrap().actions["ReceiveMessages"];
    assert_eq!(receive.method, "receive_messages");
    assert_eq!(receive.resource.as_ref().unwrap().type_name, "Message");
    let delete = &sqs.resources.as_ref().unwrap().resource("Message").unwrap().actions["Delete"];
    let targets: Vec<_> = delete.request.params.iter().map(|p| (p.target.as_str(), p.source.as_str())).collect();
    assert_eq!(targets, vec![("QueueUrl", "identifier"), ("ReceiptHandle", "identifier")]);
    assert_eq!(object.waiters["Exists"].method, "wait_until_exists");
}

#[test]
fn bedrock_model_calls_are_authorized_on_the_model_model_id_names() {
    let kb = KnowledgeBase::embedded();
    let runtime = kb.service("bedrock-runtime").unwrap();
    for (op, action) in [
        ("InvokeModel", "bedrock:InvokeModel"),
        ("Converse", "bedrock:InvokeModel"),
        ("InvokeModelWithResponseStream", "bedrock:InvokeModelWithResponseStream"),
        ("ConverseStream", "bedrock:InvokeModelWithResponseStream"),
    ] {
        let op = runtime.operation(op).unwrap();
        let primary: Vec<_> = op.requirements.iter().filter(|r| r.kind == RequirementKind::Primary).collect();
        assert_eq!(primary.len(), 1, "{}", op.name);
        assert_eq!(primary[0].action, action);
        let targets: Vec<_> = primary[0]
            .resources
            .iter()
            .map(|t| (t.arn_template.as_str(), t.bindings.iter().map(|b| (b.variable.as_str(), b.member.as_str(), b.form)).collect::<Vec<_>>()))
            .collect();
        assert_eq!(
            targets,
            vec![
                (
                    "arn:${Partition}:bedrock:${Region}::foundation-model/${ResourceId}",
                    vec![("ResourceId", "modelId", BindingForm::BedrockFoundationModel)]
                ),
                (
                    "arn:${Partition}:bedrock:${Region}:${Account}:inference-profile/${ResourceId}",
                    vec![("ResourceId", "modelId", BindingForm::BedrockInferenceProfile)]
                ),
            ],
            "{}: the model modelId names, not every resource type bedrock lists",
            op.name
        );
    }
}

#[test]
fn ecs_task_definitions_bind_family_and_revision_from_task_definition() {
    let kb = KnowledgeBase::embedded();
    let ecs = kb.service("ecs").unwrap();
    for op in ["RunTask", "StartTask"] {
        let op = ecs.operation(op).unwrap();
        let target = op.requirements[0].resources.iter().find(|t| t.resource_type == "task-definition").unwrap();
        let forms: Vec<_> = target.bindings.iter().map(|b| (b.variable.as_str(), b.member.as_str(), b.form)).collect();
        assert_eq!(
            forms,
            vec![
                ("TaskDefinitionFamilyName", "taskDefinition", BindingForm::TaskDefinitionFamily),
                ("TaskDefinitionRevisionNumber", "taskDefinition", BindingForm::TaskDefinitionRevision)
            ],
            "{}",
            op.name
        );
    }
}

#[test]
fn get_queue_url_binds_the_owner_account() {
    let kb = KnowledgeBase::embedded();
    let op = kb.service("sqs").unwrap().operation("GetQueueUrl").unwrap().clone();
    let forms: Vec<_> = op.requirements[0].resources[0].bindings.iter().map(|b| (b.variable.clone(), b.member.clone())).collect();
    assert!(forms.contains(&("Account".to_string(), "QueueOwnerAWSAccountId".to_string())), "{forms:?}");
    let send = kb.service("sqs").unwrap().operation("SendMessage").unwrap().clone();
    assert!(send.requirements[0].resources[0].bindings.iter().all(|b| b.variable != "Account"), "no owner member, no account binding");
}
