//! `tests/fixtures/iac/malformed`: a broken template, intrinsics iamlens does
//! not evaluate, and resources whose names refer to each other. Nothing
//! fails; each yields warnings with its line and what could still be read.

mod common;
use common::*;
use iamlens_iac::{cfn, Context, Deployment};
use std::path::Path;

fn sorted_warnings(d: &Deployment) -> Vec<String> {
    let mut w = warnings(d);
    w.sort();
    w
}

#[test]
fn every_template_is_read_as_far_as_it_can_be() {
    let d = read("malformed", Context::default());
    let root = fixture("malformed");
    let mut templates = d.templates.clone();
    templates.sort();
    assert_eq!(templates, [root.join("broken.yaml"), root.join("cyclic.yaml"), root.join("unknown-intrinsic.yaml")]);

    assert_eq!(
        sorted_warnings(&d),
        [
            "broken.yaml:20: the template is not valid YAML or JSON (while parsing a flow mapping, did not find expected ',' or '}'); ReportsFunction and what follows it are not read",
            "cyclic.yaml:17: cyclic reference ArchiveBucket → StagingBucket → ArchiveBucket; their names are unknown (ArchiveFunction's environment variable ARCHIVE_BUCKET)",
            "unknown-intrinsic.yaml:14: !Concat (Fn::Concat) is not an intrinsic function iamlens reads; its value is unknown (ExportFunction's environment variable TABLE_NAME)",
            "unknown-intrinsic.yaml:15: !Transform (AWS::Include) is not applied; its value is unknown (ExportFunction's environment variable SETTINGS)",
        ]
    );

    // broken.yaml: the bucket before the error is read, the function it is in and what follows are not.
    assert!(d.functions.iter().all(|f| f.id != "ReportsFunction"));
    assert!(d.resources.iter().all(|r| r.id != "ReportsQueue"));
    let bucket = resource(&d, "ReportsBucket");
    assert_eq!((bucket.declared_at.file.clone(), bucket.declared_at.line), (root.join("broken.yaml"), 6));
    assert_eq!(resource_line(bucket), "AWS::S3::Bucket ReportsBucket: reports-archive | arn:aws:s3:::reports-archive");

    // unknown-intrinsic.yaml: unknown values, the rest exact.
    let export = function(&d, "ExportFunction");
    assert_eq!(export.declared_at.line, 6);
    assert_eq!(dir(&export.code), root.join("src"));
    assert_eq!(
        environment(export),
        [
            "EXPORT_BUCKET = *-exports",
            "SETTINGS = *",
            "TABLE_ARN = arn:aws:dynamodb:*:*:table/exports ← ExportTable (AWS::DynamoDB::Table)",
            "TABLE_NAME = *",
        ]
    );

    // cyclic.yaml: both names in the cycle are unknown, not half-built.
    let archive = function(&d, "ArchiveFunction");
    assert_eq!(archive.declared_at.line, 5);
    assert_eq!(dir(&archive.code), root.join("src"));
    assert_eq!(archive.role.as_deref(), Some("arn:aws:iam::*:role/archive-lambda"));
    assert_eq!(
        environment(archive),
        ["ARCHIVE_BUCKET = * ← ArchiveBucket (AWS::S3::Bucket)", "STAGING_BUCKET = * ← StagingBucket (AWS::S3::Bucket)"]
    );
    assert_eq!(resource_line(resource(&d, "ArchiveBucket")), "AWS::S3::Bucket ArchiveBucket: * | arn:aws:s3:::*");
    assert_eq!(resource_line(resource(&d, "StagingBucket")), "AWS::S3::Bucket StagingBucket: * | arn:aws:s3:::*");
}

#[test]
fn deep_nesting_and_garbage_do_not_fail() {
    let mut nested = String::from("x");
    for _ in 0..40 {
        nested = format!("{{\"Fn::Join\": [\"\", [{nested}]]}}");
    }
    let text = format!(
        "{{\"Resources\": {{\"F\": {{\"Type\": \"AWS::Lambda::Function\", \"Properties\": {{\"Code\": \".\", \"Environment\": {{\"Variables\": {{\"DEEP\": {nested}}}}}}}}}}}}}"
    );
    let d = cfn::read(Path::new("/p/t.json"), &text, &Context::default());
    assert_eq!(environment(function(&d, "F")), ["DEEP = *"]);
    assert!(warnings(&d)[0].contains("nested deeper than 64 levels"), "{:?}", warnings(&d));

    for garbage in ["", "---", "[1, 2]", "Resources: 5", "Resources:\n  A: [", "\u{0}\u{1}", "Resources:\n  A:\n    Type: [x]\n"] {
        let d = cfn::read(Path::new("/p/t.yaml"), garbage, &Context::default());
        assert!(d.functions.is_empty(), "{garbage:?}");
    }
    let deep = format!("Resources: {}", "[".repeat(5000));
    let d = cfn::read(Path::new("/p/t.yaml"), &deep, &Context::default());
    assert_eq!(
        warnings(&d),
        [
            "t.yaml:1: Resources is not a mapping; no resource is read",
            "t.yaml:1: the template is not valid YAML or JSON (recursion limit exceeded); what follows is not read",
        ]
    );
}

#[test]
fn long_chains_of_names_are_cut() {
    let mut text = String::from("Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: .\n      Environment:\n        Variables:\n          FIRST: !Ref B0\n");
    for i in 0..2000 {
        text.push_str(&format!("  B{i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt B{}.QueueName\n", i + 1));
    }
    text.push_str("  B2000:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: last\n");
    let d = cfn::read(Path::new("/p/t.yaml"), &text, &Context::default());
    assert_eq!(environment(function(&d, "F")), ["FIRST = https://sqs.*.amazonaws.com/*/* ← B0 (AWS::SQS::Queue)"]);
    assert!(warnings(&d).iter().any(|w| w.contains("more than 32 deep")), "{:?}", &warnings(&d)[..1]);
    // The end of the chain is still named.
    assert_eq!(resource(&d, "B2000").name.as_ref().map(show).as_deref(), Some("last"));
}

#[test]
fn a_section_cut_short_is_dropped_whole() {
    let text = "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: !Ref Name\nParameters:\n  Name:\n    Default: orders\n    Type: [AWS::SSM::Parameter::Value<String>\n";
    let d = cfn::read(Path::new("/p/t.yaml"), text, &Context::default());
    // The parameter's Default is not taken without its Type.
    assert_eq!(resource_line(resource(&d, "T")), "AWS::DynamoDB::Table T: * | arn:aws:dynamodb:*:*:table/*");
    assert_eq!(d.warnings.len(), 2, "{:?}", warnings(&d));
    assert!(warnings(&d)[0].starts_with("t.yaml:5: Ref to Name"), "{:?}", warnings(&d));
    assert!(warnings(&d)[1].ends_with("Parameters and what follows it are not read"), "{:?}", warnings(&d));
}
