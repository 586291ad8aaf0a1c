//! `tests/fixtures/iac/sam-orders`: a SAM application of three Python
//! functions, read through `discover`.

mod common;
use common::*;
use iamlens_iac::{Context, Framework};

fn deployed() -> Context {
    Context { stack_name: Some("orders-dev".into()), region: Some("eu-west-1".into()), account: Some("123456789012".into()), ..Context::default() }
}

#[test]
fn functions_code_and_handlers() {
    let d = read("sam-orders", Context::default());
    let root = fixture("sam-orders");
    assert_eq!(d.templates, vec![root.join("template.yaml")]);
    let ids: Vec<&str> = d.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["CreateOrderFunction", "GetOrderFunction", "NotifyFunction"]);
    let expect = [
        ("CreateOrderFunction", 42, "src/create_order", "app.lambda_handler", None),
        ("GetOrderFunction", 65, "src/get_order", "app.handler", None),
        ("NotifyFunction", 85, "src/notify", "app.lambda_handler", Some("NotifyFunctionRole")),
    ];
    for (id, line, code, handler, role) in expect {
        let f = function(&d, id);
        assert_eq!(f.framework, Framework::Sam, "{id}");
        assert_eq!(f.declared_at.file, root.join("template.yaml"), "{id}");
        assert_eq!(f.declared_at.line, line, "{id}");
        assert_eq!(dir(&f.code), root.join(code), "{id}");
        assert!(dir(&f.code).join("app.py").is_file(), "{id}");
        assert_eq!(f.handler.as_deref(), Some(handler), "{id}");
        assert_eq!(f.runtime.as_deref(), Some("python3.12"), "{id}");
        assert_eq!(f.role.as_deref(), role, "{id}");
    }
    assert!(d.warnings.is_empty(), "{:?}", warnings(&d));
}

#[test]
fn environment_without_context() {
    let d = read_without_samconfig("sam-orders", Context::default(), "environment");
    assert_eq!(
        environment(function(&d, "CreateOrderFunction")),
        [
            "LOG_LEVEL = INFO",
            "QUEUE_URL = https://sqs.*.amazonaws.com/*/* ← OrderEventsQueue (AWS::SQS::Queue)",
            "RECEIPTS_BUCKET = dev-orders-receipts-* ← ReceiptsBucket (AWS::S3::Bucket)",
            "STAGE = dev",
            "TABLE_NAME = dev-orders ← OrdersTable (AWS::DynamoDB::Table)",
        ]
    );
    assert_eq!(
        environment(function(&d, "GetOrderFunction")),
        [
            "ARCHIVE_PREFIX = archive/*/",
            "LOG_LEVEL = INFO",
            "RETENTION_DAYS = 7",
            "STAGE = dev",
            "TABLE_NAME = dev-orders ← OrdersTable (AWS::DynamoDB::Table)",
        ]
    );
    assert_eq!(
        environment(function(&d, "NotifyFunction")),
        [
            "ALERTS_TOPIC_ARN = arn:aws:sns:*:*:dev-ops-alerts",
            "LOG_LEVEL = DEBUG",
            "ORDER_EVENTS_QUEUE_ARN = arn:aws:sqs:*:*:* ← OrderEventsQueue (AWS::SQS::Queue)",
            "RECEIPTS_BUCKET = dev-orders-receipts-* ← ReceiptsBucket (AWS::S3::Bucket)",
            "STAGE = dev",
            "SUBJECT_TEMPLATE = [dev] Order ${orderId} received",
            "TABLE_NAME = dev-orders ← OrdersTable (AWS::DynamoDB::Table)",
            "TOPIC_ARN = arn:aws:sns:*:*:*-OrderNotificationsTopic-* ← OrderNotificationsTopic (AWS::SNS::Topic)",
        ]
    );
}

#[test]
fn samconfig_toml_says_which_stack_the_names_are_generated_in() {
    // The fixture's samconfig.toml deploys stack `orders-dev` with Stage=dev.
    let d = read("sam-orders", Context::default());
    let queue = d.resources.iter().find(|r| r.id == "OrderEventsQueue").expect("the queue");
    assert_eq!(
        resource_line(queue),
        "AWS::SQS::Queue OrderEventsQueue: orders-dev-OrderEventsQueue-* | arn:aws:sqs:*:*:orders-dev-OrderEventsQueue-*"
    );
    assert!(d.warnings.is_empty(), "{:?}", warnings(&d));
}

#[test]
fn resources_without_context() {
    let d = read_without_samconfig("sam-orders", Context::default(), "resources");
    let lines: Vec<String> = d.resources.iter().map(resource_line).collect();
    assert_eq!(
        lines,
        [
            // A generated role name may be truncated (64 characters) when the stack name is not known.
            "AWS::IAM::Role NotifyFunctionRole: * | arn:aws:iam::*:role/*",
            "AWS::DynamoDB::Table OrdersTable: dev-orders | arn:aws:dynamodb:*:*:table/dev-orders",
            "AWS::SQS::Queue OrderEventsQueue: * | arn:aws:sqs:*:*:*",
            "AWS::S3::Bucket ReceiptsBucket: dev-orders-receipts-* | arn:aws:s3:::dev-orders-receipts-*",
            "AWS::SNS::Topic OrderNotificationsTopic: *-OrderNotificationsTopic-* | arn:aws:sns:*:*:*-OrderNotificationsTopic-*",
        ]
    );
    let lines: Vec<usize> = d.resources.iter().map(|r| r.declared_at.line).collect();
    assert_eq!(lines, [105, 118, 133, 139, 149]);
}

#[test]
fn environment_and_resources_with_stack_region_account() {
    let d = read("sam-orders", deployed());
    assert_eq!(
        environment(function(&d, "CreateOrderFunction")),
        [
            "LOG_LEVEL = INFO",
            "QUEUE_URL = https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dev-OrderEventsQueue-* ← OrderEventsQueue (AWS::SQS::Queue)",
            "RECEIPTS_BUCKET = dev-orders-receipts-123456789012 ← ReceiptsBucket (AWS::S3::Bucket)",
            "STAGE = dev",
            "TABLE_NAME = dev-orders ← OrdersTable (AWS::DynamoDB::Table)",
        ]
    );
    assert_eq!(
        environment(function(&d, "NotifyFunction")),
        [
            "ALERTS_TOPIC_ARN = arn:aws:sns:eu-west-1:123456789012:dev-ops-alerts",
            "LOG_LEVEL = DEBUG",
            "ORDER_EVENTS_QUEUE_ARN = arn:aws:sqs:eu-west-1:123456789012:orders-dev-OrderEventsQueue-* ← OrderEventsQueue (AWS::SQS::Queue)",
            "RECEIPTS_BUCKET = dev-orders-receipts-123456789012 ← ReceiptsBucket (AWS::S3::Bucket)",
            "STAGE = dev",
            "SUBJECT_TEMPLATE = [dev] Order ${orderId} received",
            "TABLE_NAME = dev-orders ← OrdersTable (AWS::DynamoDB::Table)",
            "TOPIC_ARN = arn:aws:sns:eu-west-1:123456789012:orders-dev-OrderNotificationsTopic-* ← OrderNotificationsTopic (AWS::SNS::Topic)",
        ]
    );
    let lines: Vec<String> = d.resources.iter().map(resource_line).collect();
    assert_eq!(
        lines,
        [
            "AWS::IAM::Role NotifyFunctionRole: orders-dev-NotifyFunctionRole-* | arn:aws:iam::123456789012:role/orders-dev-NotifyFunctionRole-*",
            "AWS::DynamoDB::Table OrdersTable: dev-orders | arn:aws:dynamodb:eu-west-1:123456789012:table/dev-orders",
            "AWS::SQS::Queue OrderEventsQueue: orders-dev-OrderEventsQueue-* | arn:aws:sqs:eu-west-1:123456789012:orders-dev-OrderEventsQueue-*",
            "AWS::S3::Bucket ReceiptsBucket: dev-orders-receipts-123456789012 | arn:aws:s3:::dev-orders-receipts-123456789012",
            "AWS::SNS::Topic OrderNotificationsTopic: orders-dev-OrderNotificationsTopic-* | arn:aws:sns:eu-west-1:123456789012:orders-dev-OrderNotificationsTopic-*",
        ]
    );
}

#[test]
fn parameter_overrides_and_partition() {
    let mut ctx = deployed();
    ctx.region = Some("cn-north-1".into());
    ctx.parameters.insert("Stage".into(), "prod".into());
    let d = read("sam-orders", ctx);
    assert_eq!(
        environment(function(&d, "GetOrderFunction")),
        [
            // Both branches of `!If [IsProd, ...]` are possible whatever the parameters.
            "ARCHIVE_PREFIX = archive/*/",
            "LOG_LEVEL = INFO",
            "RETENTION_DAYS = 90",
            "STAGE = prod",
            "TABLE_NAME = prod-orders ← OrdersTable (AWS::DynamoDB::Table)",
        ]
    );
    let f = function(&d, "CreateOrderFunction");
    assert_eq!(show(&f.environment["QUEUE_URL"].value), "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/orders-dev-OrderEventsQueue-*");
    assert_eq!(
        resource_line(resource(&d, "OrdersTable")),
        "AWS::DynamoDB::Table OrdersTable: prod-orders | arn:aws-cn:dynamodb:cn-north-1:123456789012:table/prod-orders"
    );
}
