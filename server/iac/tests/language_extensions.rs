//! The `AWS::LanguageExtensions` transform: `Fn::ForEach` loops generate
//! resources, functions and environment variables as the transform does,
//! `Fn::FindInMap` takes its `DefaultValue`; a loop the templates do not
//! settle is a warning naming file, line and loop.

mod common;
use common::*;
use iamlens_iac::{cfn, Context, Deployment};
use std::path::Path;

fn read(text: &str, ctx: Context) -> Deployment {
    cfn::read(Path::new("/project/template.yaml"), text, &ctx)
}

const TENANTS: &str = r#"
Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Parameters:
  Tenants:
    Type: CommaDelimitedList
    Default: "acme, globex"
Resources:
  Fn::ForEach::Tenants:
    - Tenant
    - !Ref Tenants
    - ${Tenant}Table:
        Type: AWS::DynamoDB::Table
        Properties:
          TableName: !Sub "${Tenant}-orders"
      '&{Tenant}Queue':
        Type: AWS::SQS::Queue
      ${Tenant}Function:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: src/
          Handler: app.handler
          Runtime: python3.12
          Environment:
            Variables:
              TENANT: !Ref Tenant
              TABLE_NAME: !Ref
                Fn::Sub: "${Tenant}Table"
              QUEUE_ARN: !GetAtt [!Sub "${Tenant}Queue", Arn]
              STAGE: !Sub "${Stage}"
              Fn::ForEach::Topics:
                - Topic
                - [Created, Shipped]
                - ${Topic}_TOPIC: !Sub "arn:aws:sns:eu-west-1:123456789012:${Tenant}-${Topic}"
  Stage:
    Type: AWS::SSM::Parameter
    Properties:
      Name: stage
      Type: String
      Value: prod
"#;

#[test]
fn loops_generate_functions_resources_and_environment_variables() {
    let d = read(TENANTS, Context { stack_name: Some("shop".into()), ..Context::default() });
    assert_eq!(warnings(&d), Vec::<String>::new());
    let ids: Vec<&str> = d.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["acmeFunction", "globexFunction"]);
    assert_eq!(
        environment(function(&d, "globexFunction")),
        [
            "Created_TOPIC = arn:aws:sns:eu-west-1:123456789012:globex-Created",
            "QUEUE_ARN = arn:aws:sqs:*:*:shop-globexQueue-* ← globexQueue (AWS::SQS::Queue)",
            "STAGE = stage ← Stage (AWS::SSM::Parameter)",
            "Shipped_TOPIC = arn:aws:sns:eu-west-1:123456789012:globex-Shipped",
            "TABLE_NAME = globex-orders ← globexTable (AWS::DynamoDB::Table)",
            "TENANT = globex",
        ]
    );
    // Generated from the loop, declared at the loop's lines.
    let table = resource(&d, "acmeTable");
    assert_eq!(resource_line(table), "AWS::DynamoDB::Table acmeTable: acme-orders | arn:aws:dynamodb:*:*:table/acme-orders");
    assert_eq!(table.declared_at.line, 11);
    assert_eq!(function(&d, "acmeFunction").declared_at.line, 17);
}

#[test]
fn a_parameter_override_changes_what_the_loop_generates() {
    let mut ctx = Context::default();
    ctx.parameters.insert("Tenants".into(), "initech".into());
    let d = read(TENANTS, ctx);
    let ids: Vec<&str> = d.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["initechFunction"]);
}

#[test]
fn a_loop_the_templates_do_not_settle_is_named_and_the_rest_is_read() {
    let text = "Transform: AWS::LanguageExtensions\nParameters:\n  Names:\n    Type: CommaDelimitedList\nResources:\n  Fn::ForEach::Queues:\n    - Name\n    - !Ref Names\n    - ${Name}Queue:\n        Type: AWS::SQS::Queue\n  Fn::ForEach::Broken:\n    - Name\n    - [a]\n  Kept:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: kept\n";
    let d = read(text, Context::default());
    assert_eq!(
        warnings(&d),
        [
            "template.yaml:6: Fn::ForEach::Queues: its collection is not known from the templates; what it declares is not read",
            "template.yaml:11: Fn::ForEach::Broken is malformed (expected [identifier, collection, {output key: template}]); what it declares is not read",
        ]
    );
    assert_eq!(d.resources.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["Kept"]);
}

#[test]
fn loops_nest_at_most_five_deep() {
    let mut text = String::from("Resources:\n");
    let mut indent = String::from("  ");
    for depth in 0..6 {
        text.push_str(&format!("{indent}Fn::ForEach::L{depth}:\n{indent}  - I{depth}\n{indent}  - [x]\n{indent}  - \n"));
        indent.push_str("      ");
    }
    text.push_str(&format!("{indent}Deep:\n{indent}  Type: AWS::SNS::Topic\n"));
    let d = read(&text, Context::default());
    assert_eq!(
        warnings(&d),
        ["template.yaml:22: Fn::ForEach::L5 is nested more than 5 loops deep, which CloudFormation refuses; what it declares is not read"]
    );
    assert!(d.resources.is_empty());
}

#[test]
fn find_in_map_takes_its_default_value_for_a_missing_key() {
    let text = "Transform: AWS::LanguageExtensions\nParameters:\n  Stage:\n    Type: String\n    Default: qa\nMappings:\n  Buckets:\n    prod: { Name: reports-prod }\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Handler: index.handler\n      Code: { ZipFile: x }\n      Environment:\n        Variables:\n          BUCKET: !FindInMap [Buckets, !Ref Stage, Name, { DefaultValue: reports-dev }]\n          PROD: !FindInMap [Buckets, prod, Name, { DefaultValue: reports-dev }]\n";
    let d = read(text, Context::default());
    assert_eq!(warnings(&d), Vec::<String>::new());
    assert_eq!(environment(function(&d, "Fn")), ["BUCKET = reports-dev", "PROD = reports-prod"]);
}
