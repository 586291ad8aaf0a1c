use super::*;
use iamlens_iac::{Function, Part, SamEvent};
use serde_json::{json, Value};
use std::path::PathBuf;

fn at(line: usize) -> Location {
    Location { file: PathBuf::from("template.yaml"), line }
}

fn resource(id: &str, ty: &str, line: usize, name: Option<Pattern>, arn: Option<Pattern>) -> Resource {
    Resource { id: id.into(), resource_type: ty.into(), declared_at: at(line), name, arn }
}

fn function(id: &str, framework: Framework, line: usize, role: Option<&str>) -> Function {
    Function {
        id: id.into(),
        framework,
        declared_at: at(line),
        code: Code::Directory { path: PathBuf::from("src") },
        handler: Some("app.handler".into()),
        runtime: Some("python3.12".into()),
        environment: Default::default(),
        role: role.map(str::to_string),
    }
}

fn sam(id: &str, ty: &str, line: usize, name: Option<&str>, role: Option<&str>, events: &[(&str, &str)]) -> SamResource {
    SamResource {
        id: id.into(),
        resource_type: ty.into(),
        declared_at: at(line),
        name: name.map(Pattern::literal),
        role: role.map(str::to_string),
        events: events.iter().map(|(id, t)| SamEvent { id: id.to_string(), event_type: t.to_string() }).collect(),
    }
}

fn options() -> DeployOptions {
    DeployOptions {
        stack_name: Some("orders".into()),
        region: Some("eu-west-1".into()),
        account: Some("123456789012".into()),
        artifact_bucket: Some("ci-artifacts".into()),
    }
}

/// Every statement of every policy, as JSON.
fn statements(p: &DeployPolicy) -> Vec<Value> {
    p.policies.iter().flat_map(|p| p.policy.statement.iter().map(|s| serde_json::to_value(s).unwrap())).collect()
}

/// The resources one action is granted on (with its condition), across statements.
fn grants(p: &DeployPolicy, action: &str) -> Vec<(Vec<String>, Value)> {
    statements(p)
        .into_iter()
        .filter(|s| s["Action"].as_array().unwrap().iter().any(|a| a == action))
        .map(|s| (serde_json::from_value(s["Resource"].clone()).unwrap(), s.get("Condition").cloned().unwrap_or(Value::Null)))
        .collect()
}

fn kinds(p: &DeployPolicy) -> Vec<&str> {
    p.warnings.iter().map(|w| w.kind.as_str()).collect()
}

/// The SAM app of tests/fixtures/iac/deploy: a function with an API and an
/// SQS event, a generated-name table, a named queue and bucket, an API.
fn sam_app() -> Deployment {
    let generated = |id: &str| Pattern(vec![Part::Literal(format!("orders-{id}-")), Part::Unknown]);
    Deployment {
        templates: vec![PathBuf::from("template.yaml")],
        functions: vec![function("OrdersFunction", Framework::Sam, 10, None)],
        resources: vec![
            resource(
                "OrdersTable",
                "AWS::Serverless::SimpleTable",
                30,
                Some(generated("OrdersTable")),
                Some(Pattern(vec![Part::Literal("arn:aws:dynamodb:eu-west-1:123456789012:table/orders-OrdersTable-".into()), Part::Unknown])),
            ),
            resource(
                "OrdersQueue",
                "AWS::SQS::Queue",
                36,
                Some(Pattern::literal("orders-queue")),
                Some(Pattern::literal("arn:aws:sqs:eu-west-1:123456789012:orders-queue")),
            ),
            resource(
                "InvoicesBucket",
                "AWS::S3::Bucket",
                41,
                Some(Pattern::literal("acme-invoices")),
                Some(Pattern::literal("arn:aws:s3:::acme-invoices")),
            ),
            resource("OrdersApi", "AWS::Serverless::Api", 46, None, None),
        ],
        warnings: Vec::new(),
        sam: vec![sam("OrdersFunction", "AWS::Serverless::Function", 10, None, None, &[("GetOrder", "Api"), ("Queue", "SQS")])],
        declared: vec![],
    }
}

fn statement(action_list: &[&str], resources: &[&str]) -> Value {
    json!({ "Effect": "Allow", "Action": action_list, "Resource": resources })
}

#[test]
fn sam_app_grants_each_resource_on_its_own_arn() {
    let p = deploy_policy(&sam_app(), &options());
    let all = statements(&p);
    // A named queue: exactly its ARN, exactly the queue handlers' actions.
    assert!(
        all.contains(&statement(
            &[
                "sqs:CreateQueue",
                "sqs:DeleteQueue",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ListQueueTags",
                "sqs:SetQueueAttributes",
                "sqs:TagQueue",
                "sqs:UntagQueue"
            ],
            &["arn:aws:sqs:eu-west-1:123456789012:orders-queue"]
        )),
        "{all:#?}"
    );
    // A generated table name: the narrowest true pattern the reader gave.
    let table = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-OrdersTable-*";
    for action in ["dynamodb:CreateTable", "dynamodb:UpdateTable", "dynamodb:DeleteTable", "dynamodb:DescribeTable"] {
        assert_eq!(grants(&p, action), vec![(vec![table.to_string()], Value::Null)], "{action}");
    }
    // A named bucket: bucket actions on the bucket, object actions on its objects.
    assert_eq!(grants(&p, "s3:CreateBucket"), vec![(vec!["arn:aws:s3:::acme-invoices".to_string()], Value::Null)]);
    assert_eq!(grants(&p, "s3:DeleteBucket"), vec![(vec!["arn:aws:s3:::acme-invoices".to_string()], Value::Null)]);
    assert!(all.contains(&statement(&["s3:DeleteObject", "s3:PutObjectAcl"], &["arn:aws:s3:::acme-invoices/*"])), "{all:#?}");
    // The function: generated name under the stack; its permission and its SQS mapping.
    let function = "arn:aws:lambda:eu-west-1:123456789012:function:orders-OrdersFunction-*";
    for action in ["lambda:CreateFunction", "lambda:UpdateFunctionCode", "lambda:DeleteFunction", "lambda:AddPermission", "lambda:RemovePermission"] {
        assert_eq!(grants(&p, action), vec![(vec![function.to_string()], Value::Null)], "{action}");
    }
    let mappings = "arn:aws:lambda:eu-west-1:123456789012:event-source-mapping:*";
    assert_eq!(grants(&p, "lambda:DeleteEventSourceMapping"), vec![(vec![mappings.to_string()], Value::Null)]);
    // CreateEventSourceMapping has no resource type in IAM: `*`.
    assert_eq!(grants(&p, "lambda:CreateEventSourceMapping"), vec![(vec!["*".to_string()], Value::Null)]);
    // The APIs (declared and implicit): API ids are generated, so the collection and what is under it.
    assert_eq!(grants(&p, "apigateway:POST"), vec![(vec!["arn:aws:apigateway:eu-west-1::/restapis".to_string()], Value::Null)]);
    assert_eq!(grants(&p, "apigateway:PATCH"), vec![(vec!["arn:aws:apigateway:eu-west-1::/restapis/*".to_string()], Value::Null)]);
}

#[test]
fn sam_function_role_is_created_and_passed_to_lambda_only() {
    let p = deploy_policy(&sam_app(), &options());
    let role = "arn:aws:iam::123456789012:role/orders-OrdersFunctionRole-*";
    assert_eq!(
        grants(&p, "iam:PassRole"),
        vec![(vec![role.to_string()], json!({"StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com"]}}))]
    );
    assert_eq!(grants(&p, "iam:CreateRole"), vec![(vec![role.to_string()], Value::Null)]);
    assert_eq!(grants(&p, "iam:PutRolePolicy"), vec![(vec![role.to_string()], Value::Null)]);
    assert_eq!(grants(&p, "iam:DeleteRole"), vec![(vec![role.to_string()], Value::Null)]);
    // The RestApi's and the bucket's handlers list PassRole for roles no template names: not granted, said.
    let pass_role: Vec<&str> = p.warnings.iter().filter(|w| w.kind == "PassRole").map(|w| w.message.as_str()).collect();
    assert!(pass_role.iter().any(|m| m.starts_with("AWS::ApiGateway::RestApi's handlers list iam:PassRole")), "{pass_role:?}");
    assert!(pass_role.iter().any(|m| m.starts_with("AWS::S3::Bucket's handlers list iam:PassRole")), "{pass_role:?}");
}

#[test]
fn sam_stack_actions_transform_and_artifact_bucket() {
    let p = deploy_policy(&sam_app(), &options());
    let stack = "arn:aws:cloudformation:eu-west-1:123456789012:stack/orders/*";
    let transform = "arn:aws:cloudformation:eu-west-1:aws:transform/Serverless-2016-10-31";
    assert_eq!(grants(&p, "cloudformation:CreateChangeSet"), vec![(vec![stack.to_string(), transform.to_string()], Value::Null)]);
    for action in STACK_ACTIONS.iter().filter(|a| **a != "cloudformation:CreateChangeSet") {
        assert_eq!(grants(&p, action), vec![(vec![stack.to_string()], Value::Null)], "{action}");
    }
    assert_eq!(grants(&p, "cloudformation:GetTemplateSummary"), vec![(vec!["*".to_string()], Value::Null)]);
    assert!(statements(&p).contains(&statement(&["s3:GetObjectVersion", "s3:PutObject"], &["arn:aws:s3:::ci-artifacts/*"])));
    // Nothing in the policy is granted to a role other than through PassedToService.
    assert!(!kinds(&p).contains(&"StackName") && !kinds(&p).contains(&"ArtifactBucket"), "{:?}", p.warnings);
    // kms and other foreign actions are on `*`, and that is said per type.
    assert_eq!(grants(&p, "kms:CreateGrant"), vec![(vec!["*".to_string()], Value::Null)]);
    let table = p.warnings.iter().find(|w| w.kind == "WildcardResource" && w.message.starts_with("AWS::DynamoDB::Table (OrdersTable")).expect("said");
    assert_eq!((table.file.as_str(), table.line), ("template.yaml", 30));
    assert!(table.message.contains("kms:CreateGrant"), "{}", table.message);
}

#[test]
fn without_stack_name_and_bucket_the_patterns_widen_and_say_so() {
    let opts = DeployOptions { stack_name: None, artifact_bucket: None, ..options() };
    let p = deploy_policy(&sam_app(), &opts);
    // CloudFormation truncates long generated names; with the stack name unknown, a role's is not known at all.
    assert_eq!(
        grants(&p, "iam:PassRole"),
        vec![(vec!["arn:aws:iam::123456789012:role/*".to_string()], json!({"StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com"]}}))]
    );
    assert_eq!(
        grants(&p, "cloudformation:DeleteStack"),
        vec![(vec!["arn:aws:cloudformation:eu-west-1:123456789012:stack/*".to_string()], Value::Null)]
    );
    assert!(grants(&p, "s3:PutObject").is_empty(), "no upload grant without the bucket");
    assert!(kinds(&p).contains(&"StackName"));
    assert!(kinds(&p).contains(&"ArtifactBucket"));
    assert_eq!(grants(&p, "lambda:CreateFunction"), vec![(vec!["arn:aws:lambda:eu-west-1:123456789012:function:*".to_string()], Value::Null)]);
}

#[test]
fn explicit_roles_are_passed_as_declared() {
    let mut d = sam_app();
    d.resources.push(resource("WorkerRole", "AWS::IAM::Role", 60, None, Some(Pattern::literal("arn:aws:iam::123456789012:role/worker"))));
    d.functions.push(function("Worker", Framework::CloudFormation, 70, Some("WorkerRole")));
    d.functions.push(function("Legacy", Framework::CloudFormation, 80, Some("arn:aws:iam::123456789012:role/legacy")));
    d.functions.push(function("Mystery", Framework::CloudFormation, 90, Some("SomeParameter")));
    let p = deploy_policy(&d, &options());
    // The unresolved role makes it every role (to Lambda only); the engine drops the ARNs that covers.
    assert_eq!(
        grants(&p, "iam:PassRole"),
        vec![(vec!["arn:aws:iam::123456789012:role/*".to_string()], json!({"StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com"]}}))]
    );
    let unknown = p.warnings.iter().find(|w| w.kind == "UnknownRole").expect("the unresolved role is said");
    assert_eq!(unknown.line, 90);
    assert!(unknown.message.contains("`SomeParameter`"), "{}", unknown.message);
    // A CloudFormation function without a reader-given name is granted on every function, and said.
    assert!(p.warnings.iter().any(|w| w.kind == "UnknownName" && w.line == 70));
}

#[test]
fn passed_roles_stay_exact_when_every_role_is_known() {
    let mut d = sam_app();
    d.resources.push(resource("WorkerRole", "AWS::IAM::Role", 60, None, Some(Pattern::literal("arn:aws:iam::123456789012:role/worker"))));
    d.functions.push(function("Worker", Framework::CloudFormation, 70, Some("WorkerRole")));
    d.functions.push(function("Legacy", Framework::CloudFormation, 80, Some("arn:aws:iam::123456789012:role/legacy")));
    let p = deploy_policy(&d, &options());
    assert_eq!(
        grants(&p, "iam:PassRole"),
        vec![(
            vec![
                "arn:aws:iam::123456789012:role/legacy".to_string(),
                "arn:aws:iam::123456789012:role/orders-OrdersFunctionRole-*".to_string(),
                "arn:aws:iam::123456789012:role/worker".to_string(),
            ],
            json!({"StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com"]}})
        )]
    );
    // The declared role is created by the stack: its own ARN.
    assert_eq!(
        grants(&p, "iam:CreateRole"),
        vec![(
            vec!["arn:aws:iam::123456789012:role/orders-OrdersFunctionRole-*".to_string(), "arn:aws:iam::123456789012:role/worker".to_string()],
            Value::Null
        )]
    );
}

#[test]
fn state_machines_pass_their_role_to_states() {
    let mut d = Deployment::default();
    d.resources.push(resource(
        "Flow",
        "AWS::Serverless::StateMachine",
        5,
        None,
        Some(Pattern(vec![Part::Literal("arn:aws:states:eu-west-1:123456789012:stateMachine:Flow-".into()), Part::Unknown])),
    ));
    d.sam.push(sam("Flow", "AWS::Serverless::StateMachine", 5, None, None, &[]));
    let p = deploy_policy(&d, &options());
    assert_eq!(
        grants(&p, "iam:PassRole"),
        vec![(
            vec!["arn:aws:iam::123456789012:role/orders-FlowRole-*".to_string()],
            json!({"StringEquals": {"iam:PassedToService": ["states.amazonaws.com"]}})
        )]
    );
    assert_eq!(
        grants(&p, "states:CreateStateMachine"),
        vec![(vec!["arn:aws:states:eu-west-1:123456789012:stateMachine:Flow-*".to_string()], Value::Null)]
    );
    assert!(!kinds(&p).contains(&"SamAssumption"));
    // Without the SAM entry the role is assumed, and that is said.
    d.sam.clear();
    let p = deploy_policy(&d, &options());
    assert!(kinds(&p).contains(&"SamAssumption"));
    assert_eq!(grants(&p, "iam:PassRole").len(), 1);
}

#[test]
fn sam_events_expand_and_unknown_ones_are_said() {
    let mut d = sam_app();
    d.sam[0].events =
        vec![SamEvent { id: "Nightly".into(), event_type: "Schedule".into() }, SamEvent { id: "Odd".into(), event_type: "Teleport".into() }];
    let p = deploy_policy(&d, &options());
    assert_eq!(
        grants(&p, "events:PutRule"),
        vec![(vec!["arn:aws:events:eu-west-1:123456789012:rule/orders-OrdersFunctionNightly-*".to_string()], Value::Null)]
    );
    assert!(!grants(&p, "lambda:AddPermission").is_empty());
    assert!(grants(&p, "lambda:CreateEventSourceMapping").is_empty(), "no SQS event any more");
    assert!(grants(&p, "apigateway:POST").iter().all(|(r, _)| r == &vec!["arn:aws:apigateway:eu-west-1::/restapis".to_string()]));
    let odd = p.warnings.iter().find(|w| w.kind == "UnsupportedEvent").unwrap();
    assert!(odd.message.starts_with("OrdersFunction.Odd: what SAM creates for a Teleport event"), "{}", odd.message);
    // Without the SAM entry, events are not known: said, and no event grants.
    d.sam.clear();
    let p = deploy_policy(&d, &options());
    assert!(grants(&p, "lambda:AddPermission").is_empty());
    assert!(p.warnings.iter().any(|w| w.kind == "SamAssumption" && w.message.contains("Events")));
}

#[test]
fn terraform_maps_types_counts_coverage_and_adds_no_stack_actions() {
    let tf = |id: &str, ty: &str, line: usize, arn: Option<&str>| Resource {
        id: id.into(),
        resource_type: ty.into(),
        declared_at: Location { file: PathBuf::from("main.tf"), line },
        name: None,
        arn: arn.map(Pattern::literal),
    };
    let mut worker = function("aws_lambda_function.worker", Framework::Terraform, 20, Some("aws_iam_role.worker"));
    worker.declared_at.file = PathBuf::from("main.tf");
    let d = Deployment {
        templates: vec![PathBuf::from("main.tf")],
        functions: vec![worker],
        resources: vec![
            tf("aws_dynamodb_table.orders", "aws_dynamodb_table", 1, Some("arn:aws:dynamodb:eu-west-1:123456789012:table/orders")),
            tf("aws_iam_role.worker", "aws_iam_role", 8, Some("arn:aws:iam::123456789012:role/worker")),
            tf("aws_lambda_function.worker", "aws_lambda_function", 20, Some("arn:aws:lambda:eu-west-1:123456789012:function:worker")),
            tf("aws_s3_object.seed", "aws_s3_object", 30, None),
        ],
        ..Deployment::default()
    };
    let p = deploy_policy(&d, &options());
    assert_eq!(p.terraform.mapped.iter().map(String::as_str).collect::<Vec<_>>(), vec!["aws_dynamodb_table", "aws_iam_role", "aws_lambda_function"]);
    assert_eq!(p.terraform.unmapped.iter().map(String::as_str).collect::<Vec<_>>(), vec!["aws_s3_object"]);
    assert_eq!(p.terraform.summary(), "3 of 4 Terraform resource types mapped to CloudFormation types (unmapped, not in the policy: aws_s3_object)");
    let coverage = p.warnings.iter().find(|w| w.kind == "TerraformCoverage").unwrap();
    assert_eq!((coverage.file.as_str(), coverage.line), ("main.tf", 1));
    assert_eq!(grants(&p, "dynamodb:CreateTable"), vec![(vec!["arn:aws:dynamodb:eu-west-1:123456789012:table/orders".to_string()], Value::Null)]);
    assert_eq!(grants(&p, "lambda:CreateFunction"), vec![(vec!["arn:aws:lambda:eu-west-1:123456789012:function:worker".to_string()], Value::Null)]);
    assert_eq!(
        grants(&p, "iam:PassRole"),
        vec![(vec!["arn:aws:iam::123456789012:role/worker".to_string()], json!({"StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com"]}}))]
    );
    assert!(statements(&p).iter().all(|s| !s["Action"].to_string().contains("cloudformation:")), "terraform apply uses no stack");
    assert!(kinds(&p).contains(&"UnmappedResourceType") && kinds(&p).contains(&"TerraformApproximation"));
    assert!(!kinds(&p).contains(&"UnknownName"));
    // A local archive goes up with CreateFunction: no S3 read, and no artifact bucket asked for.
    assert!(grants(&p, "s3:GetObjectVersion").is_empty(), "{:?}", grants(&p, "s3:GetObjectVersion"));
    assert!(kinds(&p).contains(&"TerraformCode") && !kinds(&p).contains(&"ArtifactBucket"));
}

#[test]
fn cdk_says_the_bootstrap_roles_do_the_deploy() {
    let mut f = function("Handler886CB40B", Framework::Cdk, 3, Some("HandlerServiceRoleFCDC14AE"));
    f.declared_at.file = PathBuf::from("cdk.out/App.template.json");
    let d = Deployment { functions: vec![f], ..Deployment::default() };
    let p = deploy_policy(&d, &DeployOptions { artifact_bucket: None, ..options() });
    assert!(kinds(&p).contains(&"CdkBootstrap"));
    assert!(!grants(&p, "cloudformation:ExecuteChangeSet").is_empty());
    assert!(grants(&p, "cloudformation:CreateChangeSet").iter().all(|(r, _)| !r.iter().any(|a| a.contains("transform/"))), "no SAM transform");
    let bucket: Vec<&str> = p.warnings.iter().filter(|w| w.kind == "ArtifactBucket").map(|w| w.message.as_str()).collect();
    assert!(bucket.iter().any(|m| m.contains("(cdk deploy: the bootstrap assets bucket cdk-hnb659fds-assets-<account>-<region>)")), "{bucket:?}");
    assert!(bucket.iter().any(|m| m.starts_with("AWS::Lambda::Function reads its packaged code")), "{bucket:?}");
}

#[test]
fn fits_matches_templates_segment_by_segment() {
    let table = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}";
    assert!(fits(table, "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"));
    assert!(fits(table, "arn:aws:dynamodb:*:*:table/orders-OrdersTable-*"));
    assert!(!fits(table, "arn:aws:dynamodb:*:*:table/orders/stream/*"), "a stream is not the table");
    let bucket = "arn:${Partition}:s3:::${BucketName}";
    let object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
    assert!(fits(bucket, "arn:aws:s3:::acme") && !fits(bucket, "arn:aws:s3:::acme/*"));
    assert!(fits(object, "arn:aws:s3:::acme/*") && !fits(object, "arn:aws:s3:::acme"));
    assert!(fits("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:aws:iam::1:role/service/ci"));
    assert!(!fits("arn:${Partition}:sqs:${Region}:${Account}:${QueueName}", "arn:aws:sns:eu-west-1:1:topic"));
    assert!(!fits(table, "*"));
}

#[test]
fn sam_details_survive_extend_across_templates() {
    // discover() extends one Deployment per template: the SAM entries must come along.
    let app = sam_app();
    let mut d = Deployment { functions: app.functions.clone(), ..Deployment::default() };
    d.extend(Deployment { resources: app.resources.clone(), sam: app.sam.clone(), ..Deployment::default() });
    assert_eq!(d.sam, app.sam);
    let p = deploy_policy(&d, &options());
    assert_eq!(
        grants(&p, "lambda:AddPermission"),
        vec![(vec!["arn:aws:lambda:eu-west-1:123456789012:function:orders-OrdersFunction-*".to_string()], Value::Null)]
    );
    // An entry of another template with the same id is not this function's.
    let mut elsewhere = app.sam.clone();
    elsewhere[0].declared_at.file = PathBuf::from("other/template.yaml");
    let d = Deployment { sam: elsewhere, ..sam_app() };
    let p = deploy_policy(&d, &options());
    assert!(grants(&p, "lambda:AddPermission").is_empty());
    assert!(kinds(&p).contains(&"SamAssumption"));
}

#[test]
fn serverless_functions_share_the_role_serverless_generates() {
    let d = Deployment {
        functions: vec![function("createInvoice", Framework::Serverless, 37, None), function("renderPdf", Framework::Serverless, 46, None)],
        ..Deployment::default()
    };
    let p = deploy_policy(&d, &options());
    let every_role = "arn:aws:iam::123456789012:role/*".to_string();
    assert_eq!(
        grants(&p, "iam:PassRole"),
        vec![(vec![every_role.clone()], json!({"StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com"]}}))]
    );
    assert_eq!(grants(&p, "iam:CreateRole"), vec![(vec![every_role], Value::Null)]);
    let said: Vec<&Warning> = p.warnings.iter().filter(|w| w.kind == "UnknownName" && w.message.contains("IamRoleLambdaExecution")).collect();
    assert_eq!(said.len(), 1, "once for the service, not per function: {said:?}");
    assert!(!kinds(&p).contains(&"UnknownRole"));
    assert!(!grants(&p, "cloudformation:ExecuteChangeSet").is_empty(), "Serverless deploys through CloudFormation");
}
