//! The Terraform reader on the fixtures under `tests/fixtures/iac`: every
//! function, code directory, handler, binding, resource name and ARN, and
//! every warning with its line.

use iamlens_iac::terraform::{read_module, read_plan};
use iamlens_iac::{discover, Binding, Code, Context, DiscoverOptions, Function, Part, Pattern, Resource, ResourceRef};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/iac").join(name).canonicalize().unwrap()
}

const U: Part = Part::Unknown;
fn l(s: &str) -> Part {
    Part::Literal(s.into())
}
fn pat(parts: &[Part]) -> Pattern {
    Pattern(parts.to_vec())
}
fn bind(parts: &[Part], resource: Option<(&str, &str)>) -> Binding {
    Binding { value: pat(parts), resource: resource.map(|(id, t)| ResourceRef { id: id.into(), resource_type: t.into() }) }
}
fn env(entries: Vec<(&str, Binding)>) -> BTreeMap<String, Binding> {
    entries.into_iter().map(|(k, b)| (k.to_string(), b)).collect()
}
fn function<'a>(functions: &'a [Function], id: &str) -> &'a Function {
    functions.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("no function {id} in {:?}", functions.iter().map(|f| &f.id).collect::<Vec<_>>()))
}
fn resource<'a>(resources: &'a [Resource], id: &str) -> &'a Resource {
    resources.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no resource {id}"))
}
fn dir(path: PathBuf) -> Code {
    Code::Directory { path }
}
fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "tf" || e == "tfvars")).collect();
    files.sort();
    files
}

#[test]
fn configuration_functions_code_and_environment() {
    let app = fixture("terraform-app");
    let d = read_module(&app, &tf_files(&app), &Context::default());
    assert_eq!(d.warnings, vec![], "the app reads without warnings");
    assert_eq!(
        d.functions.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        ["aws_lambda_function.orders", "aws_lambda_function.dispatcher", "module.notifier.aws_lambda_function.this[0]"]
    );
    let main = app.join("main.tf");

    // var.env = "prod" from terraform.tfvars over the default "dev"; region from the provider's var.region default.
    let queue_url = bind(&[l("https://sqs.eu-west-1.amazonaws.com/"), U, l("/shop-prod-jobs-"), U], Some(("aws_sqs_queue.jobs", "aws_sqs_queue")));
    let topic_arn = bind(&[l("arn:aws:sns:eu-west-1:"), U, l(":shop-prod-order-events")], Some(("aws_sns_topic.order_events", "aws_sns_topic")));
    let table = bind(&[l("shop-prod-orders")], Some(("aws_dynamodb_table.orders", "aws_dynamodb_table")));

    let orders = function(&d.functions, "aws_lambda_function.orders");
    assert_eq!((orders.declared_at.file.as_path(), orders.declared_at.line), (main.as_path(), 119));
    assert_eq!(orders.code, dir(app.join("functions/orders")));
    assert_eq!(orders.handler.as_deref(), Some("app.handler"));
    assert_eq!(orders.runtime.as_deref(), Some("python3.12"));
    assert_eq!(orders.role.as_deref(), Some("aws_iam_role.lambda"));
    assert_eq!(
        orders.environment,
        env(vec![
            ("TABLE_NAME", table.clone()),
            ("REPORTS_BUCKET", bind(&[l("prod-reports")], Some(("aws_s3_bucket.reports", "aws_s3_bucket")))),
            ("JOBS_QUEUE_URL", queue_url.clone()),
            (
                "STRIPE_SECRET",
                bind(
                    &[l("arn:aws:secretsmanager:eu-west-1:"), U, l(":secret:prod/shop/stripe-api-key-"), U],
                    Some(("aws_secretsmanager_secret.stripe", "aws_secretsmanager_secret"))
                )
            ),
            ("LOG_LEVEL", bind(&[l("INFO")], None)),
            ("AWS_ACCOUNT", bind(&[U], None)),
        ])
    );

    let dispatcher = function(&d.functions, "aws_lambda_function.dispatcher");
    assert_eq!(dispatcher.declared_at.line, 146);
    assert_eq!(dispatcher.code, dir(app.join("functions/dispatcher")));
    assert_eq!((dispatcher.handler.as_deref(), dispatcher.runtime.as_deref()), (Some("bootstrap"), Some("provided.al2023")));
    assert_eq!(
        dispatcher.environment,
        env(vec![
            ("QUEUE_URL", queue_url),
            ("EVENT_BUS_NAME", bind(&[l("shop-prod-bus")], Some(("aws_cloudwatch_event_bus.orders", "aws_cloudwatch_event_bus")))),
            ("TOPIC_ARN", topic_arn.clone()),
            ("REGION", bind(&[l("eu-west-1")], None)),
        ])
    );

    let notifier = function(&d.functions, "module.notifier.aws_lambda_function.this[0]");
    assert_eq!(notifier.declared_at.line, 171);
    assert_eq!(notifier.code, dir(app.join("functions/notifier")));
    assert_eq!((notifier.handler.as_deref(), notifier.runtime.as_deref()), (Some("index.lambda_handler"), Some("python3.12")));
    assert_eq!(notifier.role.as_deref(), Some("module.notifier.aws_iam_role.lambda[0]"));
    assert_eq!(
        notifier.environment,
        env(vec![("TOPIC_ARN", topic_arn), ("ORDERS_TABLE", table), ("SENDER", bind(&[l("orders@example.com")], None))])
    );
}

#[test]
fn configuration_resources() {
    let app = fixture("terraform-app");
    let d = read_module(&app, &tf_files(&app), &Context::default());
    let expect = |id: &str, line: usize, name: Option<&[Part]>, arn: Option<&[Part]>| {
        let r = resource(&d.resources, id);
        assert_eq!((r.declared_at.line, r.name.clone(), r.arn.clone()), (line, name.map(pat), arn.map(pat)), "{id}");
    };
    expect(
        "aws_dynamodb_table.orders",
        43,
        Some(&[l("shop-prod-orders")]),
        Some(&[l("arn:aws:dynamodb:eu-west-1:"), U, l(":table/shop-prod-orders")]),
    );
    expect("aws_s3_bucket.reports", 63, Some(&[l("prod-reports")]), Some(&[l("arn:aws:s3:::prod-reports")]));
    expect("aws_sqs_queue.jobs", 67, Some(&[l("shop-prod-jobs-"), U]), Some(&[l("arn:aws:sqs:eu-west-1:"), U, l(":shop-prod-jobs-"), U]));
    expect(
        "aws_sns_topic.order_events",
        72,
        Some(&[l("shop-prod-order-events")]),
        Some(&[l("arn:aws:sns:eu-west-1:"), U, l(":shop-prod-order-events")]),
    );
    expect("aws_sns_topic_subscription.alerts", 76, None, None);
    expect(
        "aws_cloudwatch_event_bus.orders",
        82,
        Some(&[l("shop-prod-bus")]),
        Some(&[l("arn:aws:events:eu-west-1:"), U, l(":event-bus/shop-prod-bus")]),
    );
    expect(
        "aws_secretsmanager_secret.stripe",
        86,
        Some(&[l("prod/shop/stripe-api-key")]),
        Some(&[l("arn:aws:secretsmanager:eu-west-1:"), U, l(":secret:prod/shop/stripe-api-key-"), U]),
    );
    // for_each over toset([...]): one instance per known key.
    expect(
        "aws_cloudwatch_log_group.fn[\"orders\"]",
        90,
        Some(&[l("/aws/lambda/shop-prod-orders")]),
        Some(&[l("arn:aws:logs:eu-west-1:"), U, l(":log-group:/aws/lambda/shop-prod-orders")]),
    );
    expect(
        "aws_cloudwatch_log_group.fn[\"dispatcher\"]",
        90,
        Some(&[l("/aws/lambda/shop-prod-dispatcher")]),
        Some(&[l("arn:aws:logs:eu-west-1:"), U, l(":log-group:/aws/lambda/shop-prod-dispatcher")]),
    );
    expect("aws_iam_role.lambda", 108, Some(&[l("shop-prod-lambda")]), Some(&[l("arn:aws:iam::"), U, l(":role/shop-prod-lambda")]));
    expect(
        "aws_lambda_function.orders",
        119,
        Some(&[l("shop-prod-orders")]),
        Some(&[l("arn:aws:lambda:eu-west-1:"), U, l(":function:shop-prod-orders")]),
    );
    expect("aws_lambda_event_source_mapping.jobs", 165, None, None);
    // The registry module's function, at the module call.
    expect(
        "module.notifier.aws_lambda_function.this[0]",
        171,
        Some(&[l("shop-prod-notifier")]),
        Some(&[l("arn:aws:lambda:eu-west-1:"), U, l(":function:shop-prod-notifier")]),
    );
    assert_eq!(d.resources.len(), 14);
}

#[test]
fn context_region_account_and_var_overrides() {
    let app = fixture("terraform-app");
    let ctx = Context {
        region: Some("us-east-1".into()),
        account: Some("123456789012".into()),
        parameters: [("env".to_string(), "staging".to_string())].into(),
        ..Context::default()
    };
    let d = read_module(&app, &tf_files(&app), &ctx);
    let orders = function(&d.functions, "aws_lambda_function.orders");
    let value = |k: &str| orders.environment[k].value.clone();
    assert_eq!(value("TABLE_NAME"), pat(&[l("shop-staging-orders")]), "-var beats terraform.tfvars");
    assert_eq!(value("JOBS_QUEUE_URL"), pat(&[l("https://sqs.us-east-1.amazonaws.com/123456789012/shop-staging-jobs-"), U]));
    assert_eq!(value("AWS_ACCOUNT"), pat(&[l("123456789012")]));
    assert_eq!(value("LOG_LEVEL"), pat(&[l("DEBUG")]), "var.env == \"prod\" ? ... is decided");
    assert_eq!(
        resource(&d.resources, "aws_dynamodb_table.orders").arn,
        Some(pat(&[l("arn:aws:dynamodb:us-east-1:123456789012:table/shop-staging-orders")]))
    );
}

#[test]
fn plan_functions_and_resources() {
    let app = fixture("terraform-app");
    let path = app.join("plan.json");
    let d = read_plan(&path, &std::fs::read_to_string(&path).unwrap(), &Context::default());
    assert_eq!(d.warnings, vec![]);
    assert_eq!(d.templates, vec![path.clone()]);
    let mut ids: Vec<&str> = d.functions.iter().map(|f| f.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["aws_lambda_function.dispatcher", "aws_lambda_function.orders", "module.notifier.aws_lambda_function.this[0]"]);

    let orders = function(&d.functions, "aws_lambda_function.orders");
    assert_eq!((orders.declared_at.file.as_path(), orders.declared_at.line), (path.as_path(), 235));
    assert_eq!(orders.code, dir(app.join("functions/orders")), "the archive_file read while planning gives the source");
    assert_eq!(orders.role.as_deref(), Some("aws_iam_role.lambda"), "from the configuration's references");
    assert_eq!(
        orders.environment,
        env(vec![
            // The table and the function share the name; the configuration refers to the table.
            ("TABLE_NAME", bind(&[l("shop-prod-orders")], Some(("aws_dynamodb_table.orders", "aws_dynamodb_table")))),
            ("REPORTS_BUCKET", bind(&[l("prod-reports")], Some(("aws_s3_bucket.reports", "aws_s3_bucket")))),
            ("LOG_LEVEL", bind(&[l("INFO")], None)),
            ("AWS_ACCOUNT", bind(&[l("123456789012")], None)),
            ("JOBS_QUEUE_URL", bind(&[U], None)),
            ("STRIPE_SECRET", bind(&[U], None)),
        ])
    );

    let dispatcher = function(&d.functions, "aws_lambda_function.dispatcher");
    assert_eq!(dispatcher.declared_at.line, 177);
    assert_eq!(dispatcher.code, dir(app.join("functions/dispatcher")));
    assert_eq!((dispatcher.handler.as_deref(), dispatcher.runtime.as_deref()), (Some("bootstrap"), Some("provided.al2023")));
    assert_eq!(
        dispatcher.environment,
        env(vec![
            ("EVENT_BUS_NAME", bind(&[l("shop-prod-bus")], Some(("aws_cloudwatch_event_bus.orders", "aws_cloudwatch_event_bus")))),
            ("REGION", bind(&[l("eu-west-1")], None)),
            ("QUEUE_URL", bind(&[U], None)),
            ("TOPIC_ARN", bind(&[U], None)),
        ])
    );

    let notifier = function(&d.functions, "module.notifier.aws_lambda_function.this[0]");
    assert_eq!(notifier.declared_at.line, 456);
    assert!(matches!(&notifier.code, Code::Unknown { reason } if reason.contains("builds/0b4f6bb8")), "{:?}", notifier.code);
    assert_eq!(notifier.role.as_deref(), Some("module.notifier.aws_iam_role.lambda[0]"));
    assert_eq!(notifier.handler.as_deref(), Some("index.lambda_handler"));
    assert_eq!(
        notifier.environment,
        env(vec![("SENDER", bind(&[l("orders@example.com")], None)), ("ORDERS_TABLE", bind(&[U], None)), ("TOPIC_ARN", bind(&[U], None))])
    );

    // Region and account from the plan's data sources; names exact; ARNs computed where the plan has none yet.
    let r = resource(&d.resources, "aws_sqs_queue.jobs");
    assert_eq!(r.name, Some(pat(&[l("shop-prod-jobs-"), U])), "name_prefix: the name is generated at apply");
    assert_eq!(r.arn, Some(pat(&[l("arn:aws:sqs:eu-west-1:123456789012:shop-prod-jobs-"), U])));
    let r = resource(&d.resources, "aws_secretsmanager_secret.stripe");
    assert_eq!(r.arn, Some(pat(&[l("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/shop/stripe-api-key-"), U])));
    let r = resource(&d.resources, "module.notifier.aws_iam_role.lambda[0]");
    assert_eq!((r.declared_at.line, r.name.clone()), (432, Some(pat(&[l("shop-prod-notifier")]))));
    assert_eq!(r.arn, Some(pat(&[l("arn:aws:iam::123456789012:role/shop-prod-notifier")])));
    assert_eq!(resource(&d.resources, "aws_cloudwatch_log_group.fn[\"orders\"]").name, Some(pat(&[l("/aws/lambda/shop-prod-orders")])));
    assert!(!d.resources.iter().any(|r| r.id.starts_with("data.") || r.resource_type == "local_file"));
}

#[test]
fn a_plan_and_its_configuration_describe_each_function_once() {
    let app = fixture("terraform-app");
    let d = discover(&app, &DiscoverOptions::default());
    assert_eq!(d.warnings, vec![]);
    assert!(d.templates.contains(&app.join("plan.json")) && d.templates.contains(&app.join("terraform.tfvars")));
    let mut ids: Vec<&str> = d.functions.iter().map(|f| f.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["aws_lambda_function.dispatcher", "aws_lambda_function.orders", "module.notifier.aws_lambda_function.this[0]"]);
    // The plan's resolved values win; what it leaves unknown, the configuration says.
    for f in &d.functions {
        assert_eq!(f.declared_at.file, app.join("plan.json"), "{}", f.id);
        assert!(matches!(f.code, Code::Directory { .. }), "{}: {:?}", f.id, f.code);
    }
    let notifier = d.functions.iter().find(|f| f.id.starts_with("module.notifier")).unwrap();
    assert_eq!(notifier.code, Code::Directory { path: app.join("functions/notifier") });
}

#[test]
fn plan_that_is_not_json_is_a_warning() {
    let path = Path::new("broken-plan.json");
    let d = read_plan(path, "{\n  \"format_version\": \"1.2\",\n  \"planned_values\": {\n    oops\n", &Context::default());
    assert!(d.functions.is_empty());
    assert_eq!(d.warnings.len(), 1);
    assert_eq!(d.warnings[0].at.line, 4);
    assert!(d.warnings[0].message.contains("not valid JSON"), "{}", d.warnings[0].message);
    let d = read_plan(path, "{\"format_version\": \"1.0\"}", &Context::default());
    assert!(d.warnings[0].message.contains("neither `planned_values` nor `values`"));
}

#[test]
fn malformed_module_reads_what_it_can() {
    let root = fixture("terraform-malformed");
    let d = discover(&root, &DiscoverOptions::default());
    let main = root.join("main.tf");

    let mut warnings: Vec<(String, usize, String)> =
        d.warnings.iter().map(|w| (w.at.file.strip_prefix(&root).unwrap().display().to_string(), w.at.line, w.message.clone())).collect();
    warnings.sort();
    let expected: &[(&str, usize, &str)] = &[
        ("broken.tf.json", 4, "not valid JSON"),
        ("main.tf", 35, "nesting depth"),
        ("main.tf", 35, "`locals` (from line 34) is not read"),
        ("main.tf", 50, "`resource \"aws_lambda_function\" \"broken\"` (from line 48) is not read"),
        ("main.tf", 98, "aws_lambda_function.from_s3: the environment merges a map that is not known"),
        ("main.tf", 111, "aws_lambda_function.dyn: a `dynamic \"environment\"` block is not read"),
        ("main.tf", 129, "module \"vpc\" (source \"terraform-aws-modules/vpc/aws\") is not read"),
        ("truncated.tf", 3, "`resource \"aws_s3_bucket\" \"logs\"` (from line 1) is not read"),
    ];
    assert_eq!(warnings.len(), expected.len() - 1, "{warnings:#?}");
    for (file, line, text) in expected {
        assert!(warnings.iter().any(|(f, l, m)| f == file && l == line && m.contains(text)), "no warning {file}:{line} {text} in {warnings:#?}");
    }

    let mut ids: Vec<&str> = d.functions.iter().map(|f| f.id.as_str()).collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "aws_lambda_function.api",
            "aws_lambda_function.dyn",
            "aws_lambda_function.from_s3",
            "aws_lambda_function.image",
            "aws_lambda_function.legacy",
            "module.worker.aws_lambda_function.this"
        ],
        "the broken function is lost, the rest is read; the local module is read once, through its call"
    );

    let api = function(&d.functions, "aws_lambda_function.api");
    assert_eq!((api.declared_at.file.as_path(), api.declared_at.line), (main.as_path(), 53));
    assert!(matches!(&api.code, Code::Unknown { reason } if reason.contains("dist/api.zip")), "{:?}", api.code);
    assert_eq!(api.role, None, "var.role_arn has no value");
    assert_eq!(
        api.environment,
        env(vec![
            ("TABLE", bind(&[l("dev-sessions")], Some(("aws_dynamodb_table.sessions", "aws_dynamodb_table")))),
            // A cycle is a Terraform error: any pattern is vacuous; it must end.
            ("LOOP", bind(&[U, l("-b-a")], None)),
            ("DEEP", bind(&[U], None)),
            ("MODE", bind(&[U, l("-x")], None)),
            // count is not known, the index is: instance 0; region (so partition and domain) not known.
            ("QUEUE", bind(&[l("https://sqs."), U, l("."), U, l("/"), U, l("/dev-work-0")], Some(("aws_sqs_queue.work[0]", "aws_sqs_queue")))),
            ("FIRST", bind(&[U], None)),
            ("LIST", bind(&[U], None)),
            // An output of the local module.
            ("WORKER", bind(&[l("dev-worker")], Some(("module.worker.aws_lambda_function.this", "aws_lambda_function")))),
        ])
    );

    let image = function(&d.functions, "aws_lambda_function.image");
    assert_eq!(image.code, Code::Unknown { reason: "a container image".into() });
    assert_eq!(image.role.as_deref(), Some("arn:aws:iam::111122223333:role/image-fn"));
    let from_s3 = function(&d.functions, "aws_lambda_function.from_s3");
    assert!(matches!(&from_s3.code, Code::Unknown { reason } if reason.contains("S3")));
    assert_eq!(from_s3.environment, env(vec![("STAGE", bind(&[l("dev")], None))]), "the keys after the unknown map are sure");
    assert!(function(&d.functions, "aws_lambda_function.dyn").environment.is_empty());

    let worker = function(&d.functions, "module.worker.aws_lambda_function.this");
    assert_eq!((worker.declared_at.file.as_path(), worker.declared_at.line), (root.join("modules/worker/main.tf").as_path(), 25));
    assert_eq!(worker.code, dir(root.join("modules/worker/src")), "source_file → its directory, path.module of the child");
    assert_eq!(worker.role.as_deref(), Some("module.worker.aws_iam_role.this"));
    assert_eq!(
        worker.environment,
        env(vec![
            (
                "QUEUE_URL",
                bind(&[l("https://sqs."), U, l("."), U, l("/"), U, l("/dev-shared.fifo")], Some(("aws_sqs_queue.shared", "aws_sqs_queue")))
            ),
            ("BATCH_SIZE", bind(&[l("5")], None)),
        ])
    );

    // Terraform JSON syntax, referring to a resource of main.tf.
    let legacy = function(&d.functions, "aws_lambda_function.legacy");
    assert_eq!((legacy.declared_at.file.as_path(), legacy.declared_at.line), (root.join("legacy.tf.json").as_path(), 10));
    assert_eq!((legacy.handler.as_deref(), legacy.runtime.as_deref(), legacy.role.as_deref()), (Some("index.handler"), Some("nodejs20.x"), None));
    assert_eq!(
        legacy.environment,
        env(vec![
            ("UPLOADS", bind(&[l("legacy-uploads-dev")], Some(("aws_s3_bucket.legacy", "aws_s3_bucket")))),
            ("SESSIONS", bind(&[l("dev-sessions")], Some(("aws_dynamodb_table.sessions", "aws_dynamodb_table")))),
            ("RETRIES", bind(&[l("3")], None)),
        ])
    );
    let bucket = resource(&d.resources, "aws_s3_bucket.legacy");
    assert_eq!((bucket.declared_at.line, bucket.name.clone()), (5, Some(pat(&[l("legacy-uploads-dev")]))));
    assert!(!d.resources.iter().any(|r| r.id == "aws_sqs_queue.dlq"));

    let work = resource(&d.resources, "aws_sqs_queue.work[*]");
    assert_eq!(work.name, Some(pat(&[l("dev-work-"), U])), "count not known: one resource for all instances");
    assert_eq!(resource(&d.resources, "module.worker.aws_iam_role.this").name, Some(pat(&[l("dev-worker")])));
    assert!(!d.resources.iter().any(|r| r.id.contains("broken") || r.id.contains("logs")));
}

#[test]
fn state_values_are_exact() {
    // `terraform show -json` of a state: `values`, everything known.
    let state = r#"{
  "format_version": "1.0",
  "terraform_version": "1.9.5",
  "values": {
    "root_module": {
      "resources": [
        {
          "address": "aws_sqs_queue.jobs",
          "mode": "managed",
          "type": "aws_sqs_queue",
          "name": "jobs",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "values": {
            "arn": "arn:aws:sqs:eu-west-1:123456789012:shop-prod-jobs-20241204203344551200000001",
            "id": "https://sqs.eu-west-1.amazonaws.com/123456789012/shop-prod-jobs-20241204203344551200000001",
            "name": "shop-prod-jobs-20241204203344551200000001",
            "name_prefix": "shop-prod-jobs-",
            "url": "https://sqs.eu-west-1.amazonaws.com/123456789012/shop-prod-jobs-20241204203344551200000001"
          }
        },
        {
          "address": "aws_lambda_function.worker",
          "mode": "managed",
          "type": "aws_lambda_function",
          "name": "worker",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "values": {
            "function_name": "shop-prod-worker",
            "handler": "worker.handler",
            "runtime": "python3.12",
            "role": "arn:aws:iam::123456789012:role/shop-prod-worker",
            "filename": "./dist/worker.zip",
            "package_type": "Zip",
            "environment": [
              {
                "variables": {
                  "QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/shop-prod-jobs-20241204203344551200000001",
                  "MODE": "batch",
                  "CONFIG_PARAM": "/shop/prod/worker"
                }
              }
            ]
          }
        },
        {
          "address": "data.aws_ssm_parameter.worker",
          "mode": "data",
          "type": "aws_ssm_parameter",
          "name": "worker",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "values": {
            "arn": "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/worker",
            "id": "/shop/prod/worker",
            "name": "/shop/prod/worker",
            "type": "String",
            "version": 3,
            "with_decryption": true
          },
          "sensitive_values": { "value": true }
        }
      ]
    }
  }
}"#;
    let path = Path::new("/nowhere/state.json");
    let d = read_plan(path, state, &Context::default());
    assert_eq!(d.warnings, vec![]);
    let worker = function(&d.functions, "aws_lambda_function.worker");
    assert_eq!(worker.declared_at.line, 22);
    assert_eq!(worker.role.as_deref(), Some("arn:aws:iam::123456789012:role/shop-prod-worker"));
    assert_eq!(worker.code, Code::Unknown { reason: "the package ./dist/worker.zip is built outside what the plan shows".into() });
    let url = "https://sqs.eu-west-1.amazonaws.com/123456789012/shop-prod-jobs-20241204203344551200000001";
    assert_eq!(
        worker.environment,
        env(vec![
            ("QUEUE_URL", bind(&[l(url)], Some(("aws_sqs_queue.jobs", "aws_sqs_queue")))),
            ("MODE", bind(&[l("batch")], None)),
            ("CONFIG_PARAM", bind(&[l("/shop/prod/worker")], Some(("data.aws_ssm_parameter.worker", "aws_ssm_parameter")))),
        ])
    );
    let queue = resource(&d.resources, "aws_sqs_queue.jobs");
    assert_eq!(queue.name, Some(pat(&[l("shop-prod-jobs-20241204203344551200000001")])));
    assert_eq!(queue.arn, Some(pat(&[l("arn:aws:sqs:eu-west-1:123456789012:shop-prod-jobs-20241204203344551200000001")])));
    let param = resource(&d.resources, "data.aws_ssm_parameter.worker");
    assert_eq!(param.arn, Some(pat(&[l("arn:aws:ssm:eu-west-1:123456789012:parameter/shop/prod/worker")])));
}

#[test]
fn a_module_calling_itself_ends() {
    let dir = std::env::temp_dir().join(format!("iamlens-iac-selfcall-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.tf"), "module \"me\" {\n  source = \"./\"\n}\n\nresource \"aws_sqs_queue\" \"q\" {\n  name = \"q\"\n}\n").unwrap();
    let d = discover(&dir, &DiscoverOptions::default());
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(d.resources.iter().any(|r| r.id == "aws_sqs_queue.q"));
    assert!(d.resources.len() <= 8, "{}", d.resources.len());
    assert_eq!(d.warnings.len(), 1);
    assert!(d.warnings[0].message.contains("nested deeper than"), "{}", d.warnings[0].message);
}
