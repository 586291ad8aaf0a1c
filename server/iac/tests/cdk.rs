//! `tests/fixtures/iac/cdk-app`: a CDK TypeScript app and its hand-written
//! `cdk.out` (listed in the fixture's `.gitignore`, as in real projects).

mod common;
use common::*;
use iamlens_iac::{cdk, Context, Framework};

const INGEST_ASSET: &str = "asset.a2640670f9a12d49e731f2a85bf0c7bc8df0076ce16c2ac015ce0555e668018c";

#[test]
fn stacks_functions_and_assets() {
    let root = fixture("cdk-app");
    assert!(std::fs::read_to_string(root.join(".gitignore")).unwrap().lines().any(|l| l == "cdk.out"));
    let d = read("cdk-app", Context::default());
    let template = root.join("cdk.out/IngestStack.template.json");
    assert_eq!(d.templates, vec![template.clone()]);
    let ids: Vec<&str> = d.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["IngestFunction8F3E2B1C", "ReportFunction3B6A9E2D"]);

    let ingest = function(&d, "IngestFunction8F3E2B1C");
    assert_eq!(ingest.framework, Framework::Cdk);
    assert_eq!((ingest.declared_at.file.clone(), ingest.declared_at.line), (template.clone(), 79));
    // The asset is a file-for-file copy of lambda/ingest: the code is the project's.
    assert_eq!(dir(&ingest.code), root.join("lambda/ingest"));
    assert_eq!(ingest.handler.as_deref(), Some("index.handler"));
    assert_eq!(ingest.runtime.as_deref(), Some("nodejs20.x"));
    assert_eq!(ingest.role.as_deref(), Some("IngestFunctionServiceRole7E1B4C2A"));
    // The stack name and environment come from the manifest.
    assert_eq!(
        environment(ingest),
        [
            "BUCKET_NAME = ingeststack-ingestbucket2b8d1a7c-* ← IngestBucket2B8D1A7C (AWS::S3::Bucket)",
            "TABLE_NAME = IngestStack-IngestTable5A2F9D3E-* ← IngestTable5A2F9D3E (AWS::DynamoDB::Table)",
        ]
    );

    let report = function(&d, "ReportFunction3B6A9E2D");
    assert_eq!(report.declared_at.line, 135);
    // Bundled by esbuild: no project directory matches the bundle, but its
    // `// lambda/report/index.ts` comments name the entry module it was built from.
    assert_eq!(dir(&report.code), root.join("lambda/report"));
    assert_eq!(report.role.as_deref(), Some("ReportFunctionServiceRole1D9C7F4B"));
    assert_eq!(
        environment(report),
        [
            "AWS_NODEJS_CONNECTION_REUSE_ENABLED = 1",
            "REPORT_PREFIX = IngestStack/reports/",
            "TABLE_ARN = arn:aws:dynamodb:eu-west-1:123456789012:table/IngestStack-IngestTable5A2F9D3E-* ← IngestTable5A2F9D3E (AWS::DynamoDB::Table)",
        ]
    );

    let lines: Vec<(usize, String)> = d.resources.iter().map(|r| (r.declared_at.line, resource_line(r))).collect();
    assert_eq!(
        lines,
        [
            (3, "AWS::S3::Bucket IngestBucket2B8D1A7C: ingeststack-ingestbucket2b8d1a7c-* | arn:aws:s3:::ingeststack-ingestbucket2b8d1a7c-*".to_string()),
            (22, "AWS::DynamoDB::Table IngestTable5A2F9D3E: IngestStack-IngestTable5A2F9D3E-* | arn:aws:dynamodb:eu-west-1:123456789012:table/IngestStack-IngestTable5A2F9D3E-*".to_string()),
            (45, "AWS::IAM::Role IngestFunctionServiceRole7E1B4C2A: IngestStack-IngestFunctionServiceRole7E1B4C2A-* | arn:aws:iam::123456789012:role/IngestStack-IngestFunctionServiceRole7E1B4C2A-*".to_string()),
            (115, "AWS::IAM::Role ReportFunctionServiceRole1D9C7F4B: IngestStack-ReportFunctionServiceRole1D9C7F4B-* | arn:aws:iam::123456789012:role/IngestStack-ReportFunctionServiceRole1D9C7F4B-*".to_string()),
        ]
    );
    assert!(d.warnings.is_empty(), "{:?}", warnings(&d));
}

#[test]
fn the_asset_really_is_a_copy() {
    let root = fixture("cdk-app");
    let copy = std::fs::read(root.join("cdk.out").join(INGEST_ASSET).join("index.ts")).unwrap();
    assert_eq!(copy, std::fs::read(root.join("lambda/ingest/index.ts")).unwrap());
}

#[test]
fn a_changed_copy_no_longer_maps_back() {
    // A project whose asset differs from the source by one byte keeps the asset directory.
    let tmp = std::env::temp_dir().join(format!("iamlens-iac-cdk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let asset = tmp.join("cdk.out/asset.1");
    std::fs::create_dir_all(&asset).unwrap();
    std::fs::create_dir_all(tmp.join("src/fn")).unwrap();
    std::fs::write(asset.join("main.py"), "print(1)\n").unwrap();
    std::fs::write(tmp.join("src/fn/main.py"), "print(2)\n").unwrap();
    std::fs::write(
        tmp.join("cdk.out/manifest.json"),
        r#"{"artifacts": {"S": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region", "properties": {"templateFile": "S.template.json"}}}}"#,
    )
    .unwrap();
    std::fs::write(
        tmp.join("cdk.out/S.template.json"),
        r#"{"Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": {"Code": {"S3Bucket": "b", "S3Key": "k"}}, "Metadata": {"aws:asset:path": "asset.1", "aws:asset:property": "Code"}}}}"#,
    )
    .unwrap();
    let d = cdk::read(&tmp.join("cdk.out"), &Context::default());
    assert_eq!(dir(&function(&d, "F").code), normalise(&asset));
    std::fs::write(tmp.join("src/fn/main.py"), "print(1)\n").unwrap();
    let d = cdk::read(&tmp.join("cdk.out"), &Context::default());
    assert_eq!(dir(&function(&d, "F").code), normalise(&tmp.join("src/fn")));
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn a_broken_manifest_is_a_warning() {
    let tmp = std::env::temp_dir().join(format!("iamlens-iac-cdk-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::write(tmp.join("manifest.json"), "{\n  \"artifacts\": {\n").unwrap();
    let d = cdk::read(&tmp, &Context::default());
    assert!(d.functions.is_empty());
    assert_eq!(d.warnings.len(), 1);
    assert_eq!(d.warnings[0].at.line, 3);
    assert!(d.warnings[0].message.starts_with("the cloud assembly manifest is not valid JSON"), "{}", d.warnings[0].message);
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn nested_stacks_have_generated_names_and_unknown_parameters() {
    let tmp = std::env::temp_dir().join(format!("iamlens-iac-cdk-nested-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("cdk.out")).unwrap();
    std::fs::write(
        tmp.join("cdk.out/manifest.json"),
        r#"{"artifacts": {"Parent": {"type": "aws:cloudformation:stack", "environment": "aws://123456789012/eu-west-1", "properties": {"templateFile": "Parent.template.json"}}}}"#,
    )
    .unwrap();
    std::fs::write(
        tmp.join("cdk.out/Parent.template.json"),
        r#"{"Resources": {"Child": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "x", "Parameters": {"Prefix": "real"}}, "Metadata": {"aws:asset:path": "ParentChild1234.nested.template.json", "aws:asset:property": "TemplateURL"}}}}"#,
    )
    .unwrap();
    std::fs::write(
        tmp.join("cdk.out/ParentChild1234.nested.template.json"),
        r#"{"Parameters": {"Prefix": {"Type": "String", "Default": "not-what-the-parent-passes"}},
 "Resources": {
  "Worker": {"Type": "AWS::Lambda::Function", "Properties": {"Code": {"ZipFile": "x"}, "Environment": {"Variables": {"P": {"Ref": "Prefix"}, "T": {"Ref": "Jobs"}}}}},
  "Jobs": {"Type": "AWS::DynamoDB::Table"}
 }}"#,
    )
    .unwrap();
    let ctx = Context { stack_name: Some("ignored".into()), ..Context::default() };
    let d = cdk::read(&tmp.join("cdk.out"), &ctx);
    assert_eq!(d.templates.len(), 2);
    assert_eq!(environment(function(&d, "Worker")), ["P = *", "T = *-Jobs-* ← Jobs (AWS::DynamoDB::Table)"]);
    assert_eq!(resource_line(resource(&d, "Jobs")), "AWS::DynamoDB::Table Jobs: *-Jobs-* | arn:aws:dynamodb:eu-west-1:123456789012:table/*-Jobs-*");
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn discovery_finds_the_assembly_of_a_cdk_app_below_the_root() {
    // From the parent of the app: `cdk.json` points at the ignored `cdk.out`.
    let d = read("", Context::default());
    let template = fixture("cdk-app").join("cdk.out/IngestStack.template.json");
    assert_eq!(d.templates.iter().filter(|t| **t == template).count(), 1);
    assert_eq!(dir(&function(&d, "IngestFunction8F3E2B1C").code), fixture("cdk-app").join("lambda/ingest"));
}
