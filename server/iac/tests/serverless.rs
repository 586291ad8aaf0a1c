//! `tests/fixtures/iac/serverless-app`: a Serverless Framework service of two
//! Node.js functions with a `resources:` section; and variable resolution on
//! inline documents.

mod common;
use common::*;
use iamlens_iac::{serverless, Code, Context, Deployment, Framework};
use std::path::Path;

#[test]
fn functions_with_default_stage_and_region() {
    let d = read("serverless-app", Context::default());
    let root = fixture("serverless-app");
    let file = root.join("serverless.yml");
    assert_eq!(d.templates, vec![file.clone()]);
    let ids: Vec<&str> = d.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["createInvoice", "renderPdf"]);

    let create = function(&d, "createInvoice");
    assert_eq!(create.framework, Framework::Serverless);
    assert_eq!((create.declared_at.file.clone(), create.declared_at.line), (file.clone(), 37));
    // The handler keeps its path: the code directory is the serverless.yml's.
    assert_eq!(dir(&create.code), root);
    assert_eq!(create.handler.as_deref(), Some("src/handlers/createInvoice.handler"));
    assert!(root.join("src/handlers/createInvoice.js").is_file());
    assert_eq!(create.runtime.as_deref(), Some("nodejs20.x"));
    // `iam.role.statements` describes the role Serverless generates.
    assert_eq!(create.role, None);
    assert_eq!(
        environment(create),
        [
            "INVOICES_TABLE = invoices-dev-invoices",
            "PDF_QUEUE_URL = https://sqs.eu-central-1.amazonaws.com/*/invoices-dev-pdf-jobs ← PdfJobsQueue (AWS::SQS::Queue)",
            "POWERTOOLS_SERVICE_NAME = invoices",
            "STAGE = dev",
        ]
    );

    let render = function(&d, "renderPdf");
    assert_eq!(render.declared_at.line, 46);
    assert_eq!(dir(&render.code), root);
    assert_eq!(render.handler.as_deref(), Some("src/handlers/renderPdf.handler"));
    assert_eq!(render.runtime.as_deref(), Some("nodejs18.x"));
    assert_eq!(
        environment(render),
        [
            "INVOICES_TABLE = invoices-dev-invoices",
            // `${env:INVOICE_BUCKET, 'acme-invoices-${self:custom.stage}'}`: the default, itself resolved.
            "INVOICE_BUCKET = acme-invoices-dev",
            // `${ssm:...}` is read at deploy time.
            "PAYMENTS_API_KEY = *",
            "PDF_QUEUE_ARN = arn:aws:sqs:eu-central-1:*:invoices-dev-pdf-jobs ← PdfJobsQueue (AWS::SQS::Queue)",
            "POWERTOOLS_SERVICE_NAME = invoices",
            "RENDERER_URL = https://renderer.dev.example.com/v1",
            "STAGE = dev",
        ]
    );

    let lines: Vec<(usize, String)> = d.resources.iter().map(|r| (r.declared_at.line, resource_line(r))).collect();
    assert_eq!(
        lines,
        [
            (63, "AWS::DynamoDB::Table InvoicesTable: invoices-dev-invoices | arn:aws:dynamodb:eu-central-1:*:table/invoices-dev-invoices".to_string()),
            (74, "AWS::SQS::Queue PdfJobsQueue: invoices-dev-pdf-jobs | arn:aws:sqs:eu-central-1:*:invoices-dev-pdf-jobs".to_string()),
            // Generated: the stack is `<service>-<stage>`.
            (82, "AWS::SQS::Queue PdfJobsDeadLetterQueue: invoices-dev-PdfJobsDeadLetterQueue-* | arn:aws:sqs:eu-central-1:*:invoices-dev-PdfJobsDeadLetterQueue-*".to_string()),
        ]
    );
    assert!(d.warnings.is_empty(), "{:?}", warnings(&d));
}

#[test]
fn stage_region_and_account_from_the_context() {
    let ctx = Context { stage: Some("prod".into()), region: Some("us-west-2".into()), account: Some("123456789012".into()), ..Context::default() };
    let d = read("serverless-app", ctx);
    assert_eq!(
        environment(function(&d, "renderPdf")),
        [
            "INVOICES_TABLE = invoices-prod-invoices",
            "INVOICE_BUCKET = acme-invoices-prod",
            "PAYMENTS_API_KEY = *",
            "PDF_QUEUE_ARN = arn:aws:sqs:us-west-2:123456789012:invoices-prod-pdf-jobs ← PdfJobsQueue (AWS::SQS::Queue)",
            "POWERTOOLS_SERVICE_NAME = invoices",
            "RENDERER_URL = https://renderer.prod.example.com/v1",
            "STAGE = prod",
        ]
    );
    assert_eq!(
        show(&function(&d, "createInvoice").environment["PDF_QUEUE_URL"].value),
        "https://sqs.us-west-2.amazonaws.com/123456789012/invoices-prod-pdf-jobs"
    );
    assert_eq!(
        resource_line(resource(&d, "PdfJobsDeadLetterQueue")),
        "AWS::SQS::Queue PdfJobsDeadLetterQueue: invoices-prod-PdfJobsDeadLetterQueue-* | arn:aws:sqs:us-west-2:123456789012:invoices-prod-PdfJobsDeadLetterQueue-*"
    );
}

fn inline(text: &str, ctx: Context) -> Deployment {
    serverless::read(Path::new("/svc/serverless.yml"), text, &ctx)
}

#[test]
fn variables_functions_and_roles() {
    let text = r#"
service:
  name: shop
provider:
  name: aws
  runtime: python3.12
  iam:
    role: arn:aws:iam::111122223333:role/shop-lambda
  environment: ${file(./env.${sls:stage}.yml)}
custom:
  loop: ${self:custom.loop2}
  loop2: ${self:custom.loop}
  tables:
    dev: shop-dev-carts
    prod: shop-prod-carts
functions:
  cart-api:
    handler: cart/api.handler
    environment:
      TABLE: ${self:custom.tables.${sls:stage}}
      WORKER: !Ref WorkerLambdaFunction
      WORKER_ARN: !GetAtt WorkerLambdaFunction.Arn
      RENAMED: !Ref RenamedUnderscorefnLambdaFunction
      REGION: ${aws:region}
      LOOP: ${self:custom.loop}
      HOME_DIR: ${env:HOME}
      MISSING: ${self:custom.nothing, 'fallback'}
      SUB: !Sub "arn:aws:s3:::${self:service.name}-${AWS::Region}-${Bucket}"
      ODD: ${weird:thing}
  worker:
    handler: worker.main
    role: WorkerRole
  renamed_fn:
    handler: r.main
    name: custom-name
  container:
    image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/shop:latest
resources:
  - Resources:
      WorkerRole:
        Type: AWS::IAM::Role
  - Resources:
      Bucket:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: shop-assets
"#;
    let d = inline(text, Context::default());
    let api = function(&d, "cart-api");
    assert_eq!(
        environment(api),
        [
            "HOME_DIR = *",
            "LOOP = *",
            "MISSING = fallback",
            "ODD = *",
            "REGION = us-east-1",
            "RENAMED = custom-name ← RenamedUnderscorefnLambdaFunction (AWS::Lambda::Function)",
            "SUB = arn:aws:s3:::shop-us-east-1-shop-assets ← Bucket (AWS::S3::Bucket)",
            "TABLE = shop-dev-carts",
            "WORKER = shop-dev-worker ← WorkerLambdaFunction (AWS::Lambda::Function)",
            "WORKER_ARN = arn:aws:lambda:us-east-1:*:function:shop-dev-worker ← WorkerLambdaFunction (AWS::Lambda::Function)",
        ]
    );
    assert_eq!(api.role.as_deref(), Some("arn:aws:iam::111122223333:role/shop-lambda"));
    assert_eq!(api.runtime.as_deref(), Some("python3.12"));
    assert_eq!(function(&d, "worker").role.as_deref(), Some("WorkerRole"));
    assert_eq!(function(&d, "container").code, Code::Unknown { reason: "a container image".into() });
    assert_eq!(dir(&function(&d, "worker").code), Path::new("/svc"));
    assert_eq!(
        warnings(&d),
        [
            "serverless.yml:9: the provider's environment is not a plain mapping; the functions' environments fall back to the code's own values",
            "serverless.yml:11: variables nested or referring to each other deeper than 24 levels are not resolved",
            "serverless.yml:12: variables nested or referring to each other deeper than 24 levels are not resolved",
            "serverless.yml:29: ${weird:...} is not a variable source iamlens reads; its value is unknown",
        ]
    );
}

#[test]
fn broken_yaml_is_a_warning() {
    let d = inline("service: x\nfunctions:\n  a:\n    handler: [unclosed\n", Context::default());
    assert!(d.functions.is_empty());
    assert_eq!(d.warnings.len(), 1);
    assert!(d.warnings[0].message.starts_with("serverless.yml is not valid YAML"), "{}", d.warnings[0].message);
}

#[test]
fn stack_name_and_framework_defaults() {
    let text = "service: api\nprovider:\n  name: aws\n  stackName: custom-stack\nfunctions:\n  a:\n    handler: h.main\n    environment:\n      STAGE: ${self:provider.stage}\n      REGION: ${self:provider.region}\n      QUEUE: !Ref Q\nresources:\n  Resources:\n    Q:\n      Type: AWS::SQS::Queue\n";
    let d = inline(text, Context::default());
    assert_eq!(
        environment(function(&d, "a")),
        ["QUEUE = https://sqs.us-east-1.amazonaws.com/*/custom-stack-Q-* ← Q (AWS::SQS::Queue)", "REGION = us-east-1", "STAGE = dev",]
    );
    let d = inline("service: x\nfunctions: ${file(./functions.yml)}\n", Context::default());
    assert_eq!(warnings(&d), ["serverless.yml:2: functions is not a plain mapping (a ${file(...)}?); no function is read"]);
}

#[test]
fn an_unknown_region_is_not_the_default_one() {
    let text = "service: api\nprovider:\n  name: aws\n  region: ${env:AWS_REGION}\nfunctions:\n  a:\n    handler: h.main\n    environment:\n      QUEUE: !Ref Q\n      REGION: ${aws:region}\nresources:\n  Resources:\n    Q:\n      Type: AWS::SQS::Queue\n      Properties:\n        QueueName: jobs\n";
    let d = inline(text, Context::default());
    assert_eq!(environment(function(&d, "a")), ["QUEUE = https://sqs.*.amazonaws.com/*/jobs ← Q (AWS::SQS::Queue)", "REGION = *"]);
}
