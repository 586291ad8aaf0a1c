//! The policies templates grant each function (`Deployment::declared`):
//! `tests/fixtures/check-declared/*` and small templates written inline.

mod common;
use common::normalise;
use iamlens_iac::{cfn, discover, Context, Deployment, DiscoverOptions, FunctionPolicies};
use serde_json::json;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    normalise(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/check-declared").join(name))
}

fn read(name: &str, context: Context) -> Deployment {
    discover(&fixture(name), &DiscoverOptions { explicit: vec![], context })
}

fn declared<'d>(d: &'d Deployment, id: &str) -> &'d FunctionPolicies {
    d.declared.iter().find(|p| p.function == id).unwrap_or_else(|| panic!("no policies for {id}"))
}

fn names(p: &FunctionPolicies) -> Vec<&str> {
    p.policies.iter().map(|p| p.name.as_str()).collect()
}

fn opaque(p: &FunctionPolicies) -> Vec<&str> {
    p.opaque.iter().map(|o| o.what.as_str()).collect()
}

fn deployed() -> Context {
    Context { region: Some("eu-west-1".into()), account: Some("123456789012".into()), ..Context::default() }
}

fn line_of(file: &Path, needle: &str) -> usize {
    std::fs::read_to_string(file).unwrap().lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle:?} not in {file:?}")) + 1
}

#[test]
fn sam_inline_documents_and_policy_templates() {
    let d = read("sam", deployed());
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    let template = fixture("sam").join("template.yaml");

    let get = declared(&d, "GetInvoiceFunction");
    assert_eq!(get.role.as_deref(), Some("GetInvoiceFunctionRole"));
    assert_eq!(get.file, template);
    assert_eq!(get.policies[0].document["Statement"][0]["Resource"], json!("arn:aws:dynamodb:eu-west-1:123456789012:table/invoices"));
    assert_eq!(opaque(get), ["AWS managed policy AWSLambdaBasicExecutionRole (SAM adds it to the role it creates)"]);

    let store = declared(&d, "StoreReceiptFunction");
    // `!Sub arn:${AWS::Partition}:s3:::${ReceiptsBucket}/receipts/*`: `${Bucket}` is the bucket's name.
    assert_eq!(store.policies[0].document["Statement"][0]["Resource"], json!("arn:aws:s3:::acme-invoice-receipts/receipts/*"));
    assert_eq!(store.policies[0].statement_lines, vec![line_of(&template, "- s3:PutObject") - 2]);

    let report = declared(&d, "ReportFunction");
    assert_eq!(names(report), ["ReportFunction Policies[0] S3ReadPolicy", "ReportFunction Policies[1] DynamoDBCrudPolicy"]);
    let crud = &report.policies[1];
    assert_eq!(
        crud.document["Statement"][0]["Resource"],
        json!(["arn:aws:dynamodb:eu-west-1:123456789012:table/invoices", "arn:aws:dynamodb:eu-west-1:123456789012:table/invoices/index/*"])
    );
    assert_eq!(crud.statement_lines, vec![line_of(&template, "- DynamoDBCrudPolicy:")]);
    assert!(crud.unresolved.is_empty(), "{:?}", crud.unresolved);
}

#[test]
fn unknown_region_and_account_stay_visible() {
    let d = read("sam", Context::default());
    let crud = &declared(&d, "ReportFunction").policies[1];
    assert_eq!(crud.document["Statement"][0]["Resource"][0], json!("arn:aws:dynamodb:*:*:table/invoices"));
    assert!(crud.unresolved.contains(&"arn:aws:dynamodb:*:*:table/invoices".to_string()), "{:?}", crud.unresolved);
}

fn inline(text: &str) -> Deployment {
    cfn::read(Path::new("/project/template.yaml"), text, &deployed())
}

#[test]
fn cloudformation_roles_attached_role_and_managed_policies() {
    let d = inline(
        r#"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: { TableName: orders }
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: { Statement: [{ Effect: Allow, Action: "*", Resource: "*" }] }
  Reads:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: dynamodb:GetItem
            Resource: !GetAtt Table.Arn
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: worker
      PermissionsBoundary: !Ref Boundary
      ManagedPolicyArns: [!Ref Reads, arn:aws:iam::aws:policy/ReadOnlyAccess]
  Writes:
    Type: AWS::IAM::RolePolicy
    Properties:
      RoleName: !Ref Role
      PolicyName: writes
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: dynamodb:PutItem
            Resource: !Sub "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}"
  ByName:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: imports
      Roles: [worker]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: sqs:SendMessage
            Resource: !ImportValue shared-queue-arn
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: src
      Role: !GetAtt Role.Arn
  Elsewhere:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: src
      Role: arn:aws:iam::123456789012:role/shared
"#,
    );
    let f = declared(&d, "Fn");
    assert_eq!(f.role.as_deref(), Some("Role"));
    assert_eq!(names(f), ["Reads", "Writes", "ByName"]);
    assert_eq!(f.policies[1].document["Statement"][0]["Resource"], json!("arn:aws:dynamodb:eu-west-1:123456789012:table/orders"));
    // An `!ImportValue` is kept visible: `*` in the document, named in the notes.
    assert_eq!(f.policies[2].document["Statement"][0]["Resource"], json!("*"));
    assert_eq!(f.policies[2].unresolved.len(), 1);
    assert_eq!(opaque(f), ["AWS managed policy ReadOnlyAccess"]);
    assert!(f.notes.iter().any(|n| n.contains("PermissionsBoundary")), "{:?}", f.notes);

    let e = declared(&d, "Elsewhere");
    assert!(e.policies.is_empty());
    assert_eq!(opaque(e), ["role arn:aws:iam::123456789012:role/shared, not declared in the templates read"]);
}

#[test]
fn sam_role_replaces_policies_and_bad_entries_warn() {
    let d = inline(
        r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument: { Statement: [{ Effect: Allow, Action: s3:GetObject, Resource: "*" }] }
  WithRole:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Role: !GetAtt Role.Arn
      Policies: [AmazonS3FullAccess]
  Odd:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Policies:
        - SQSPollerPolicy: {}
        - NotATemplate: { X: 1 }
        - [a, b]
"#,
    );
    let with_role = declared(&d, "WithRole");
    assert_eq!(names(with_role), ["Role Policies[0] p"]);
    assert!(opaque(with_role).is_empty());
    assert!(with_role.notes[0].contains("SAM does not apply its Policies"), "{:?}", with_role.notes);

    let odd = declared(&d, "Odd");
    assert!(odd.policies.is_empty());
    assert_eq!(
        opaque(odd),
        [
            "NotATemplate, not a SAM policy template iamlens knows",
            "AWS managed policy AWSLambdaBasicExecutionRole (SAM adds it to the role it creates)"
        ]
    );
    assert!(odd.notes.iter().any(|m| m.contains("SQSPollerPolicy does not give QueueName")), "{:?}", odd.notes);
    assert!(odd.notes.iter().any(|m| m.contains("Policies[2] is not a policy name, document or template")), "{:?}", odd.notes);
    // Said per function by `check`, not as template warnings every command prints.
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn cdk_grants_are_the_service_roles_policies() {
    let d = read("cdk", Context::default());
    let ingest = d.declared.iter().find(|p| p.function.starts_with("IngestFunction")).unwrap();
    assert_eq!(names(ingest), ["IngestFunctionServiceRoleDefaultPolicy4C1E9A2B"]);
    // `Resource: [Table.Arn, AWS::NoValue]` drops the NoValue.
    assert_eq!(ingest.policies[0].document["Statement"][1]["Resource"].as_array().map(Vec::len), Some(1));
    assert_eq!(opaque(ingest), ["AWS managed policy service-role/AWSLambdaBasicExecutionRole"]);
}

#[test]
fn terraform_role_policies_documents_and_attachments() {
    let d = read("terraform", deployed());
    let main = fixture("terraform").join("main.tf");
    let api = declared(&d, "aws_lambda_function.api");
    assert_eq!(names(api), ["aws_iam_role_policy.api"]);
    assert_eq!(api.policies[0].document["Statement"][0]["Action"], json!(["dynamodb:GetItem", "dynamodb:PutItem"]));
    assert_eq!(api.policies[0].statement_lines, vec![line_of(&main, "Action   = [\"dynamodb:GetItem\"") - 2]);

    let worker = declared(&d, "aws_lambda_function.worker");
    assert_eq!(names(worker), ["aws_iam_policy.worker"]);
    assert_eq!(
        worker.policies[0].document,
        json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "ConsumeJobs", "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
            "Resource": ["arn:aws:sqs:eu-west-1:123456789012:shop-prod-jobs"],
        }]})
    );
    assert_eq!(worker.policies[0].statement_lines, vec![line_of(&main, "sid       = \"ConsumeJobs\"") - 1]);
    assert_eq!(opaque(worker), ["AWS managed policy service-role/AWSLambdaBasicExecutionRole"]);

    let export = declared(&d, "aws_lambda_function.export");
    assert_eq!(names(export), ["aws_iam_role.export inline_policy exports"]);
    assert_eq!(export.policies[0].document["Statement"][0]["Resource"], json!("arn:aws:s3:::shop-prod-exports/*"));
}

#[test]
fn serverless_shared_and_per_function_roles() {
    let d = read("serverless", Context::default());
    assert_eq!(names(declared(&d, "createInvoice")), ["createInvoice iamRoleStatements"]);
    assert_eq!(declared(&d, "listInvoices").role.as_deref(), Some("IamRoleLambdaExecution"));
    let shared = &declared(&d, "listInvoices").policies[0];
    assert_eq!(shared.name, "provider.iam.role.statements");
    assert_eq!(shared.document["Statement"][0]["Resource"], json!("arn:aws:dynamodb:eu-central-1:*:table/billing-dev-invoices"));
    assert_eq!(declared(&d, "renderPdf").policies[0].document["Statement"][0]["Resource"], json!("arn:aws:s3:::acme-billing-dev-pdfs/templates/*"));
}

#[test]
fn both_branches_of_a_condition_are_granted() {
    let d = inline(
        r#"
Conditions:
  IsProd: !Equals [!Ref "AWS::Region", eu-west-1]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !If [IsProd, arn:aws:s3:::prod/*, arn:aws:s3:::dev/*]
                Condition: {}
              - !If
                - IsProd
                - Effect: Allow
                  Action: sqs:SendMessage
                  Resource: "*"
                - !Ref AWS::NoValue
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: src
      Role: !GetAtt Role.Arn
"#,
    );
    let p = &declared(&d, "Fn").policies[0];
    assert_eq!(p.document["Statement"][0]["Resource"], json!(["arn:aws:s3:::prod/*", "arn:aws:s3:::dev/*"]));
    assert_eq!(p.document["Statement"][1]["Action"], json!("sqs:SendMessage"));
    assert_eq!(p.document["Statement"].as_array().map(Vec::len), Some(2));
    assert!(p.unresolved.iter().any(|u| u.contains("Fn::If")), "{:?}", p.unresolved);
}

#[test]
fn serverless_custom_role_and_managed_policies() {
    let text = r#"
service: jobs
provider:
  name: aws
  runtime: python3.12
  region: eu-west-1
  iam:
    role:
      statements:
        - Effect: Allow
          Action: sqs:SendMessage
          Resource: "*"
      managedPolicies:
        - arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess
functions:
  shared:
    handler: app.handler
  custom:
    handler: app.handler
    role: WorkerRole
  external:
    handler: app.handler
    role: arn:aws:iam::123456789012:role/ops
resources:
  Resources:
    WorkerRole:
      Type: AWS::IAM::Role
      Properties:
        Policies:
          - PolicyName: work
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: s3:GetObject
                  Resource: arn:aws:s3:::jobs/*
"#;
    let d = iamlens_iac::serverless::read(Path::new("/project/serverless.yml"), text, &Context::default());
    let shared = declared(&d, "shared");
    assert_eq!(names(shared), ["provider.iam.role.statements"]);
    assert_eq!(opaque(shared), ["AWS managed policy AWSXRayDaemonWriteAccess"]);
    let custom = declared(&d, "custom");
    assert_eq!(custom.role.as_deref(), Some("WorkerRole"));
    assert_eq!(names(custom), ["WorkerRole Policies[0] work"]);
    let external = declared(&d, "external");
    assert!(external.policies.is_empty());
    assert_eq!(opaque(external), ["role arn:aws:iam::123456789012:role/ops, not declared in the templates read"]);
}
