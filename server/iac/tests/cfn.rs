//! The CloudFormation reader on small inline templates: every intrinsic
//! function, the naming table, code locations.

mod common;
use common::*;
use iamlens_iac::{cfn, Code, Context, Deployment};
use std::path::Path;

fn read(text: &str, ctx: Context) -> Deployment {
    cfn::read(Path::new("/project/template.yaml"), text, &ctx)
}

fn env_of(d: &Deployment, id: &str) -> Vec<String> {
    environment(function(d, id))
}

const INTRINSICS: &str = r#"
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Prefix:
    Type: String
    Default: acme
  Subnets:
    Type: CommaDelimitedList
    Default: "subnet-a, subnet-b"
  Secret:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /acme/secret
  NoDefault:
    Type: String
Mappings:
  Regions:
    eu-west-1: { Bucket: acme-eu }
    us-east-1: { Bucket: acme-us }
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs20.x
      Role: arn:aws:iam::111122223333:role/service/fn-role
      Code:
        ZipFile: |
          exports.handler = async () => 1;
      Environment:
        Variables:
          JOIN: !Join ["-", [!Ref Prefix, !Ref "AWS::Region", data]]
          JOIN_LONG: { "Fn::Join": ["", ["arn:", { "Ref": "AWS::Partition" }, ":s3:::", { "Ref": "Bucket" }, "/*"]] }
          SELECT: !Select [1, !Ref Subnets]
          SELECT_SPLIT: !Select [2, !Split [",", "a,b,c"]]
          SELECT_AZ: !Select [0, !GetAZs ""]
          SUB_MAP: !Sub
            - "${Name}-${Suffix}"
            - Name: !Ref Prefix
              Suffix: !GetAtt [Stream, Arn]
          SUB_ATTR: !Sub "${Table.StreamArn}"
          IMPORT: !ImportValue shared-vpc-id
          SSM_PARAM: !Ref Secret
          NO_DEFAULT: !Ref NoDefault
          FIND: !FindInMap [Regions, eu-west-1, Bucket]
          FIND_ANY: !FindInMap [Regions, !Ref "AWS::Region", Bucket]
          NESTED: !If [Cond, !Sub "${Prefix}-a-${Queue.QueueName}", !Join ["", [!Ref Prefix, "-b-", !GetAtt Queue.QueueName]]]
          SAME: !If [Cond, same, same]
          GONE: !Ref AWS::NoValue
          MAYBE: !If [Cond, here, !Ref AWS::NoValue]
          URL: !Sub "https://${AWS::StackName}.${AWS::URLSuffix}/x"
          SECRET_ARN: !Ref Creds
          PARAM: !Ref Param
          FIFO: !GetAtt Jobs.QueueName
          KEY: !GetAtt Key.Arn
          ROLE: !GetAtt PathRole.Arn
          BUS: !GetAtt Bus.Arn
          NUMBER: 42
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${Prefix}-uploads"
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      Name: clicks
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "${Prefix}-work"
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
  Creds:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: acme/db
  Param:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /acme/config
      Type: String
      Value: x
  Key:
    Type: AWS::KMS::Key
  PathRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: worker
      Path: /service/
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: orders-bus
"#;

#[test]
fn intrinsics_compose() {
    let d = read(INTRINSICS, Context { stack_name: Some("acme-stack".into()), ..Context::default() });
    assert_eq!(
        env_of(&d, "Fn"),
        [
            "BUS = arn:aws:events:*:*:event-bus/orders-bus ← Bus (AWS::Events::EventBus)",
            "FIFO = acme-stack-Jobs-*.fifo ← Jobs (AWS::SQS::Queue)",
            "FIND = acme-eu",
            "FIND_ANY = acme-*",
            "IMPORT = *",
            "JOIN = acme-*-data",
            "JOIN_LONG = arn:aws:s3:::acme-uploads/\\* ← Bucket (AWS::S3::Bucket)",
            "KEY = arn:aws:kms:*:*:key/* ← Key (AWS::KMS::Key)",
            "MAYBE = *",
            "NESTED = acme-*-acme-work ← Queue (AWS::SQS::Queue)",
            "NO_DEFAULT = *",
            "NUMBER = 42",
            "PARAM = /acme/config ← Param (AWS::SSM::Parameter)",
            "ROLE = arn:aws:iam::*:role/service/worker ← PathRole (AWS::IAM::Role)",
            "SAME = same",
            "SECRET_ARN = arn:aws:secretsmanager:*:*:secret:acme/db-* ← Creds (AWS::SecretsManager::Secret)",
            "SELECT = subnet-b",
            "SELECT_AZ = *",
            "SELECT_SPLIT = c",
            "SSM_PARAM = *",
            "SUB_ATTR = arn:aws:dynamodb:*:*:table/orders/stream/* ← Table (AWS::DynamoDB::Table)",
            "SUB_MAP = acme-arn:aws:kinesis:*:*:stream/clicks ← Stream (AWS::Kinesis::Stream)",
            "URL = https://acme-stack.amazonaws.com/x",
        ]
    );
    let f = function(&d, "Fn");
    assert_eq!(f.code, Code::Inline { source: "exports.handler = async () => 1;\n".into() });
    assert_eq!(f.role.as_deref(), Some("arn:aws:iam::111122223333:role/service/fn-role"));
    assert_eq!(f.handler.as_deref(), Some("index.handler"));
    assert_eq!(f.runtime.as_deref(), Some("nodejs20.x"));
    assert_eq!(f.framework, iamlens_iac::Framework::CloudFormation);
    assert!(d.warnings.is_empty(), "{:?}", warnings(&d));
    assert_eq!(resource_line(resource(&d, "Param")), "AWS::SSM::Parameter Param: /acme/config | arn:aws:ssm:*:*:parameter/acme/config");
    assert_eq!(resource_line(resource(&d, "Key")), "AWS::KMS::Key Key: - | arn:aws:kms:*:*:key/*");
}

#[test]
fn json_templates_and_code_locations() {
    let text = r#"{
  "Resources": {
    "FromS3": {
      "Type": "AWS::Lambda::Function",
      "Properties": { "Code": { "S3Bucket": "b", "S3Key": "k.zip" }, "Handler": "a.b", "Runtime": "python3.12" }
    },
    "FromImage": {
      "Type": "AWS::Lambda::Function",
      "Properties": { "PackageType": "Image", "Code": { "ImageUri": "123.dkr.ecr.eu-west-1.amazonaws.com/x:1" } }
    },
    "Packaged": {
      "Type": "AWS::Lambda::Function",
      "Properties": { "Code": "./build/../lambda/", "Handler": "main" }
    },
    "SamImage": {
      "Type": "AWS::Serverless::Function",
      "Properties": { "PackageType": "Image", "ImageUri": "repo:latest" }
    },
    "SamS3": {
      "Type": "AWS::Serverless::Function",
      "Properties": { "CodeUri": { "Bucket": "b", "Key": "k" }, "Handler": "h" }
    },
    "SamInline": {
      "Type": "AWS::Serverless::Function",
      "Properties": { "InlineCode": "def handler(e, c): pass", "Handler": "index.handler" }
    }
  }
}"#;
    let d = cfn::read(Path::new("/project/stack.json"), text, &Context::default());
    let codes: Vec<(String, usize, String)> = d.functions.iter().map(|f| (f.id.clone(), f.declared_at.line, format!("{:?}", f.code))).collect();
    assert_eq!(
        codes,
        [
            ("FromS3".to_string(), 3, "Unknown { reason: \"code in an S3 object\" }".to_string()),
            ("FromImage".to_string(), 7, "Unknown { reason: \"a container image\" }".to_string()),
            ("Packaged".to_string(), 11, "Directory { path: \"/project/lambda\" }".to_string()),
            ("SamImage".to_string(), 15, "Unknown { reason: \"a container image\" }".to_string()),
            ("SamS3".to_string(), 19, "Unknown { reason: \"code in an S3 object\" }".to_string()),
            ("SamInline".to_string(), 23, "Inline { source: \"def handler(e, c): pass\" }".to_string()),
        ]
    );
}

#[test]
fn generated_names_truncate_safely() {
    let text = "Resources:\n  Uploads:\n    Type: AWS::S3::Bucket\n  Worker:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: .\n      Environment:\n        Variables:\n          SELF: !Ref Worker\n          BUCKET: !GetAtt Uploads.Arn\n";
    let long = "a-deliberately-long-stack-name-that-will-not-fit-in-sixty-four-chars";
    let d = read(text, Context { stack_name: Some(long.into()), ..Context::default() });
    assert_eq!(env_of(&d, "Worker"), ["BUCKET = arn:aws:s3:::* ← Uploads (AWS::S3::Bucket)", "SELF = * ← Worker (AWS::Lambda::Function)"]);
    let d = read(text, Context { stack_name: Some("Shop".into()), ..Context::default() });
    assert_eq!(
        env_of(&d, "Worker"),
        ["BUCKET = arn:aws:s3:::shop-uploads-* ← Uploads (AWS::S3::Bucket)", "SELF = Shop-Worker-* ← Worker (AWS::Lambda::Function)"]
    );
}

#[test]
fn unsupported_constructs_warn_with_lines() {
    let text = "Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions, AcmeMacro]\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src\n      Handler: app.handler\n      Environment:\n        Variables:\n          A: !Ref Missing\n          B: !GetAtt Missing.Arn\n          C: !Select [5, [a, b]]\n  'Fn::ForEach::Topics':\n    - Name\n    - !Ref Names\n    - Topic${Name}: { Type: AWS::SNS::Topic }\n  NoType:\n    Properties: {}\n  'Fn::Transform':\n    Name: AWS::Include\n    Parameters: { Location: s3://acme/shared.yaml }\n  Included:\n    Type: AWS::Serverless::Function\n    Properties:\n      'Fn::Transform': { Name: AWS::Include, Parameters: { Location: s3://acme/fn.yaml } }\n";
    let d = read(text, Context::default());
    assert_eq!(env_of(&d, "Fn"), ["A = *", "B = *", "C = *"]);
    assert_eq!(dir(&function(&d, "Fn").code), Path::new("/project/src"));
    assert_eq!(
        warnings(&d),
        [
            "template.yaml:1: Transform AcmeMacro is not applied; what it would generate or rewrite is not read",
            "template.yaml:10: Ref to Missing, which the template does not declare; its value is unknown (Fn's environment variable A)",
            "template.yaml:11: Fn::GetAtt of Missing, which the template does not declare; its value is unknown (Fn's environment variable B)",
            "template.yaml:12: Fn::Select: index 5 is past the end of the list (Fn's environment variable C)",
            "template.yaml:13: Fn::ForEach::Topics: its collection is not known from the templates; what it declares is not read",
            "template.yaml:17: resource NoType has no Type; it is not read",
            "template.yaml:19: Fn::Transform (AWS::Include) is not applied; the resources it would add are not read",
            "template.yaml:25: Fn::Transform (AWS::Include) is not applied; the properties it would give Included are not read",
        ]
    );
}

#[test]
fn environments_that_are_not_plain_mappings() {
    let text = "Conditions:\n  C: !Equals [a, b]\nResources:\n  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: a\n      Environment: !If [C, {Variables: {X: '1'}}, !Ref AWS::NoValue]\n  B:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: b\n      Environment:\n        Variables: !If [C, {X: '1'}, {X: '2'}]\n  J:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: j\n      Environment:\n        Variables:\n          JOINED: !Join [',', [!Ref AWS::NoValue, a, b]]\n          FIFO: !GetAtt Q.QueueName\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      FifoQueue: !If [C, true, false]\n";
    let d = read(text, Context { stack_name: Some("s".repeat(60)), ..Context::default() });
    assert!(function(&d, "A").environment.is_empty());
    assert!(function(&d, "B").environment.is_empty());
    // A queue that may be FIFO: its generated name may be cut to fit `.fifo`.
    assert_eq!(env_of(&d, "J"), ["FIFO = * ← Q (AWS::SQS::Queue)", "JOINED = a,b"]);
    assert_eq!(
        warnings(&d),
        [
            "template.yaml:8: A's Environment is not a plain mapping with Variables; its environment falls back to the code's own values",
            "template.yaml:14: B's environment variables are not a plain mapping; its environment falls back to the code's own values",
        ]
    );
}

#[test]
fn sam_implicit_resources_are_unknown_without_warnings() {
    let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f\n      AutoPublishAlias: live\n      Environment:\n        Variables:\n          API: !Sub \"https://${ServerlessRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/Prod\"\n          ROLE: !GetAtt FRole.Arn\n          ALIAS: !Ref F.Alias\n          TYPO: !Ref FRoel\n";
    let d = read(text, Context { region: Some("eu-west-1".into()), ..Context::default() });
    assert_eq!(env_of(&d, "F"), ["ALIAS = *", "API = https://*.execute-api.eu-west-1.amazonaws.com/Prod", "ROLE = *", "TYPO = *"]);
    assert_eq!(
        warnings(&d),
        ["template.yaml:13: Ref to FRoel, which the template does not declare; its value is unknown (F's environment variable TYPO)"]
    );
}
