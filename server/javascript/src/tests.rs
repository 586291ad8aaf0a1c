//! Unit tests of the front-end as a whole: values, receivers, negatives,
//! syntax errors, unresolved calls, ranges, documents and the index.

use crate::document::{Dialect, JsDocument};
use crate::front_end::JavaScriptFrontEnd;
use crate::index::ProjectIndex;
use iamlens_engine::front_end::{AnalysisOptions, FrontEnd, SourceDocument, SourceFile};
use iamlens_engine::model::{CallVia, Confidence, FileAnalysis, FindingKind, SdkCall, TextPart, Value};
use std::path::PathBuf;

fn analyze(src: &str) -> FileAnalysis {
    JavaScriptFrontEnd.analyze_source(src, &AnalysisOptions::default())
}

fn analyze_with_hints(src: &str, hints: &[&str]) -> FileAnalysis {
    let opts = AnalysisOptions { service_hints: hints.iter().map(|h| h.to_string()).collect() };
    JavaScriptFrontEnd.analyze_source(src, &opts)
}

fn ops(fa: &FileAnalysis) -> Vec<String> {
    fa.calls.iter().map(|c| format!("{}:{}", c.service, c.operation)).collect()
}

fn only_call(fa: &FileAnalysis) -> &SdkCall {
    assert_eq!(fa.calls.len(), 1, "{:?}", ops(fa));
    &fa.calls[0]
}

fn kinds(fa: &FileAnalysis) -> Vec<&'static str> {
    fa.findings
        .iter()
        .map(|f| match f.kind {
            FindingKind::UnknownMethod { .. } => "UnknownMethod",
            FindingKind::UnknownService { .. } => "UnknownService",
            FindingKind::Ambiguous { .. } => "Ambiguous",
            FindingKind::DynamicResource { .. } => "DynamicResource",
            FindingKind::SyntaxError => "SyntaxError",
            FindingKind::UnresolvedCall { .. } => "UnresolvedCall",
        })
        .collect()
}

const S3_V3: &str = "import { S3Client, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';\n";

#[test]
fn values_literals_templates_consts_spreads_env_and_defaults() {
    let src = format!(
        "{S3_V3}const BUCKET = 'acme-' + 'data';\nconst base = {{ Bucket: BUCKET, ACL: 'private' }};\nconst s3 = new S3Client({{}});\n\
         export async function put(name) {{\n  await s3.send(new PutObjectCommand({{ ...base, Key: `in/${{name}}/x.json`, Body: 'b' }}));\n}}\n\
         const envBucket = process.env.BUCKET ?? 'fallback';\nconst fixed = 'known' ?? 'other';\n\
         s3.send(new GetObjectCommand({{ Bucket: envBucket, Key: fixed }}));\n"
    );
    let fa = analyze(&src);
    assert_eq!(ops(&fa), vec!["s3:PutObject", "s3:GetObject"]);
    let put = &fa.calls[0];
    assert_eq!(put.arg("Bucket"), Some(&Value::literal("acme-data")));
    assert_eq!(put.arg("ACL"), Some(&Value::literal("private")));
    assert_eq!(put.arg("Key"), Some(&Value::Text(vec![TextPart::Literal("in/".into()), TextPart::Unknown, TextPart::Literal("/x.json".into())])));
    assert_eq!(put.scope.as_deref(), Some("put"));
    let get = &fa.calls[1];
    assert_eq!(get.arg("Bucket"), Some(&Value::Text(vec![TextPart::Unknown])), "an env value with a fallback may be either");
    assert_eq!(get.arg("Key"), Some(&Value::literal("known")));
    assert_eq!(get.scope, None);
}

#[test]
fn environment_reads_name_their_variable() {
    let src = format!(
        "{S3_V3}const s3 = new S3Client({{}});
const {{ BUCKET_NAME, PREFIX: prefix }} = process.env;
         s3.send(new GetObjectCommand({{ Bucket: process.env.BUCKET_NAME, Key: `${{process.env['PREFIX']}}/a` }}));
         s3.send(new PutObjectCommand({{ Bucket: BUCKET_NAME, Key: `${{prefix}}/b`, Body: 'x' }}));
"
    );
    let fa = analyze(&src);
    let env = |name: &str| TextPart::Env(name.into());
    for call in &fa.calls {
        assert_eq!(call.arg("Bucket"), Some(&Value::Text(vec![env("BUCKET_NAME")])), "{}", call.text);
    }
    assert_eq!(fa.calls[0].arg("Key"), Some(&Value::Text(vec![env("PREFIX"), TextPart::Literal("/a".into())])));
    assert_eq!(fa.calls[1].arg("Key"), Some(&Value::Text(vec![env("PREFIX"), TextPart::Literal("/b".into())])));
}

#[test]
fn receivers_as_real_code_holds_them() {
    // Class field, `this.x` assigned in the constructor, a constructor parameter property.
    let src = "import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';\n\
        import { SNSClient as Sns, PublishCommand } from '@aws-sdk/client-sns';\n\
        import type { S3Client } from '@aws-sdk/client-s3';\n\
        import { ListBucketsCommand } from '@aws-sdk/client-s3';\n\
        class Jobs {\n  private sqs = new SQSClient({ region: 'eu-west-1' });\n  constructor(private readonly s3: S3Client) { this.sns = new Sns({}); }\n\
          async go() {\n    await this.sqs.send(new SendMessageCommand({ QueueUrl: 'q', MessageBody: 'm' }));\n\
            await this.sns.send(new PublishCommand({ TopicArn: 't', Message: 'm' }));\n    await this.s3.send(new ListBucketsCommand({}));\n  }\n}\n";
    let fa = analyze(src);
    assert_eq!(ops(&fa), vec!["sqs:SendMessage", "sns:Publish", "s3:ListBuckets"]);
    assert_eq!(fa.calls[0].region.as_deref(), Some("eu-west-1"));
    assert_eq!(fa.calls[0].confidence, Confidence::High);
    assert_eq!(fa.calls[2].confidence, Confidence::Medium, "typed, not constructed here");
    assert_eq!(fa.calls[0].scope.as_deref(), Some("Jobs.go"));
}

#[test]
fn names_resolve_to_the_binding_in_scope_at_the_use() {
    let src =
        "import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';\nimport { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';\n\
        var bucket = 'first';\nconst client = new S3Client({});\nclient.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));\n\
        function f() {\n  const client = new SQSClient({});\n  client.send(new SendMessageCommand({ QueueUrl: 'q', MessageBody: 'm' }));\n}\n\
        var bucket = 'second';\nclient.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));\n";
    let fa = analyze(src);
    assert_eq!(ops(&fa), vec!["s3:GetObject", "sqs:SendMessage", "s3:GetObject"]);
    assert_eq!(fa.calls[0].arg("Bucket"), Some(&Value::literal("first")));
    assert_eq!(fa.calls[2].arg("Bucket"), Some(&Value::literal("second")));
}

#[test]
fn static_members_and_wrapped_clients() {
    let src = "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';\n\
        import { captureAWSv3Client } from 'aws-xray-sdk-core';\nimport { retrying } from './retry';\n\
        export class Store {\n  private static table = 'products';\n  private static db = DynamoDBDocumentClient.from(captureAWSv3Client(new DynamoDBClient({ region: 'eu-north-1' })));\n\
          async get(id: string) { return Store.db.send(new GetCommand({ TableName: Store.table, Key: { id } })); }\n\
          async viaWrapper(id: string) { return retrying(Store.db).send(new GetCommand({ TableName: 'x', Key: { id } })); }\n}\n";
    let fa = analyze(src);
    assert_eq!(ops(&fa), vec!["dynamodb:GetItem", "dynamodb:GetItem"]);
    assert_eq!(fa.calls[0].arg("TableName"), Some(&Value::literal("products")));
    assert_eq!((fa.calls[0].confidence, fa.calls[0].region.as_deref()), (Confidence::High, Some("eu-north-1")));
    assert_eq!(fa.calls[1].confidence, Confidence::Medium, "a command sent through an object the analysis cannot follow");
}

#[test]
fn factories_namespaces_and_commonjs_destructuring() {
    let src = "const { DynamoDB } = require('@aws-sdk/client-dynamodb');\nconst sfn = require('@aws-sdk/client-sfn');\n\
        function makeDb() { return new DynamoDB({ region: 'us-west-2' }); }\nconst db = makeDb();\n\
        const make = () => new sfn.SFNClient({});\n\
        exports.handler = async () => {\n  await db.getItem({ TableName: 'users', Key: {} });\n  await make().send(new sfn.StartExecutionCommand({ stateMachineArn: 'arn' }));\n};\n";
    let fa = analyze(src);
    assert_eq!(ops(&fa), vec!["dynamodb:GetItem", "stepfunctions:StartExecution"]);
    assert_eq!(fa.calls[0].region.as_deref(), Some("us-west-2"));
    assert_eq!(fa.calls[0].scope.as_deref(), Some("handler"));
}

#[test]
fn commands_from_helpers_arrays_and_callers() {
    let src = format!(
        "{S3_V3}const s3 = new S3Client({{}});\nfunction get(key: string) {{ return new GetObjectCommand({{ Bucket: 'b', Key: key }}); }}\n\
         async function run(cmd) {{ return s3.send(cmd); }}\nrun(new PutObjectCommand({{ Bucket: 'b', Key: 'k' }}));\n\
         s3.send(get('x'));\nconst all = [new GetObjectCommand({{ Bucket: 'c', Key: 'k' }}), new PutObjectCommand({{ Bucket: 'c', Key: 'k' }})];\n\
         for (const c of all) {{ s3.send(c); }}\n"
    );
    let fa = analyze(&src);
    assert_eq!(ops(&fa), vec!["s3:PutObject", "s3:GetObject", "s3:GetObject", "s3:PutObject"]);
    assert!(fa.findings.is_empty(), "{:?}", fa.findings);
}

#[test]
fn v2_clients_helpers_and_document_client() {
    let src = "import AWS from 'aws-sdk';\nconst s3 = new AWS.S3();\nconst ddb = new AWS.DynamoDB.DocumentClient();\n\
        const cw = new AWS.CloudWatchLogs();\nconst sfn = new AWS.StepFunctions();\n\
        s3.getSignedUrlPromise('putObject', { Bucket: 'b', Key: 'k' });\ns3.createPresignedPost({ Bucket: 'b' });\n\
        ddb.transactWrite({ TransactItems: [] }).promise();\nddb.batchGet({ RequestItems: {} }, (err, data) => {});\n\
        cw.createLogGroup({ logGroupName: 'g' });\nsfn.startExecution({ stateMachineArn: 'arn' });\n\
        new AWS.DynamoDB().waitFor('tableExists', { TableName: 't' });\n";
    let fa = analyze(src);
    assert_eq!(
        ops(&fa),
        vec![
            "s3:PutObject",
            "s3:PutObject",
            "dynamodb:TransactWriteItems",
            "dynamodb:BatchGetItem",
            "logs:CreateLogGroup",
            "stepfunctions:StartExecution",
            "dynamodb:DescribeTable"
        ]
    );
    assert!(matches!(&fa.calls[6].via, CallVia::Waiter { name } if name == "tableExists"));
    let fa = analyze("const AWS = require('aws-sdk');\nconst signer = new AWS.RDS.Signer({ region: 'us-west-2', hostname: 'db', port: 5432 });\nsigner.getAuthToken({ username: 'reporting' });\n");
    let token = only_call(&fa);
    assert_eq!((token.service.as_str(), token.operation.as_str()), ("rds", "generate_db_auth_token"));
    assert_eq!((token.arg("DBUsername"), token.region.as_deref()), (Some(&Value::literal("reporting")), Some("us-west-2")));
    // v2 bound parameters and a lazily imported v3 module.
    let fa = analyze("const AWS = require('aws-sdk');\nconst s3 = new AWS.S3({ params: { Bucket: 'bound-bucket' } });\ns3.getObject({ Key: 'k' });\n\
        export async function lazy() { const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs'); return new SQSClient({}).send(new SendMessageCommand({ QueueUrl: 'q' })); }\n");
    assert_eq!(ops(&fa), vec!["s3:GetObject", "sqs:SendMessage"]);
    assert_eq!(fa.calls[0].arg("Bucket"), Some(&Value::literal("bound-bucket")));
}

#[test]
fn v3_paginators_waiters_document_aggregate_and_uploads() {
    let src = "import { DynamoDBClient, paginateScan, waitUntilTableNotExists } from '@aws-sdk/client-dynamodb';\n\
        import { DynamoDBDocument, paginateQuery } from '@aws-sdk/lib-dynamodb';\nimport * as storage from '@aws-sdk/lib-storage';\n\
        import { S3Client } from '@aws-sdk/client-s3';\n\
        const client = new DynamoDBClient({ region: 'ap-south-1' });\nconst doc = DynamoDBDocument.from(client);\n\
        paginateScan({ client }, { TableName: 'a' });\nwaitUntilTableNotExists({ client, maxWaitTime: 60 }, { TableName: 'a' });\n\
        paginateQuery({ client: doc }, { TableName: 'b' });\ndoc.update({ TableName: 'c', Key: {} });\n\
        new storage.Upload({ client: new S3Client({}), params: { Bucket: 'u', Key: 'k', Body: 'x' } });\n";
    let fa = analyze(src);
    assert_eq!(
        ops(&fa),
        vec![
            "dynamodb:Scan",
            "dynamodb:DescribeTable",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
            "s3:PutObject",
            "s3:CreateMultipartUpload",
            "s3:UploadPart",
            "s3:CompleteMultipartUpload",
            "s3:AbortMultipartUpload"
        ]
    );
    assert_eq!(fa.calls[0].region.as_deref(), Some("ap-south-1"));
    assert_eq!(fa.calls[3].region.as_deref(), Some("ap-south-1"), "the document client keeps its client's region");
}

#[test]
fn no_sdk_import_yields_nothing_ever() {
    for src in [
        "const ws = new WebSocket('wss://x'); ws.send(JSON.stringify({ a: 1 }));\ncache.getObject({ Bucket: 'b', Key: 'k' });\n",
        "export async function f(client) { await client.send(new GetObjectCommand({ Bucket: 'b' })); await client.putItem({ TableName: 't' }); }\n",
        "// mentions aws-sdk in a comment only\nconst s3 = new S3();\ns3.getObject({ Bucket: 'b', Key: 'k' });\n",
    ] {
        let fa = analyze(src);
        assert!(!fa.imports_aws_sdk && fa.calls.is_empty() && fa.findings.is_empty(), "{src}: {fa:?}");
    }
    // `import type` is never a call, nor an SDK import.
    let fa = analyze("import type { S3Client } from '@aws-sdk/client-s3';\ndeclare const s3: S3Client;\nexport const x = 1;\n");
    assert!(!fa.imports_aws_sdk);
}

#[test]
fn lookalikes_beside_the_sdk_are_not_calls_nor_warnings() {
    let src = format!(
        "{S3_V3}import {{ createClient }} from 'redis';\nconst redis = createClient();\nconst store = new Map();\n\
         class Cache {{ getObject(p: {{ Key: string }}) {{ return null; }} }}\nconst cache = new Cache();\n\
         export function f(c: Cache, ws: WebSocket) {{\n  redis.get('k'); store.get('k'); cache.getObject({{ Key: 'k' }}); c.getObject({{ Key: 'k' }});\n\
           ws.send('hi'); redis.send('x');\n}}\n\
         export function g(pool, jwt, sql, payload, key) {{ pool.query(sql); pool.query(sql, params); jwt.sign(payload); jwt.verify(payload, key); bus.publish({{ channel: 'x' }}); }}\n"
    );
    let fa = analyze(&src);
    assert!(fa.imports_aws_sdk);
    assert!(fa.calls.is_empty() && fa.findings.is_empty(), "{:?} {:?}", ops(&fa), fa.findings);
}

#[test]
fn unresolved_calls_are_warned_with_candidates_and_settled_by_hints() {
    let src = format!(
        "{S3_V3}export async function copy(client, other) {{\n  await client.getObject({{ Bucket: 'b', Key: 'k' }});\n\
           const s3 = new S3Client({{}});\n  await s3.send(other);\n  client.getObject('not-a-params-object');\n}}\n"
    );
    let fa = analyze(&src);
    assert!(fa.calls.is_empty());
    assert_eq!(kinds(&fa), vec!["UnresolvedCall", "UnresolvedCall"]);
    match &fa.findings[0].kind {
        FindingKind::UnresolvedCall { method, candidates } => {
            assert_eq!(method, "getObject");
            assert!(candidates.contains(&"s3".to_string()), "{candidates:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(fa.findings[0].message.contains("client.getObject"), "{}", fa.findings[0].message);
    assert!(fa.findings[1].message.contains("s3.send"), "{}", fa.findings[1].message);
    // Neither side known: only an argument named as a command is worth a warning.
    let fa = analyze(&format!("{S3_V3}export const f = (client, command, body, res) => {{ client.send(command); res.send(body); }};\n"));
    assert_eq!(kinds(&fa), vec!["UnresolvedCall"]);
    // Undeclared globals assigned once (sloppy scripts).
    let fa = analyze("var AWS = require('aws-sdk');\ns3 = new AWS.S3();\ns3.listObjects({ Bucket: 'b' }, function (err, data) {});\n");
    assert_eq!(ops(&fa), vec!["s3:ListObjects"]);
    let hinted = analyze_with_hints(&src, &["s3"]);
    assert_eq!(ops(&hinted), vec!["s3:GetObject"]);
    assert_eq!(hinted.calls[0].confidence, Confidence::Low);
}

#[test]
fn unknown_methods_suggest_the_sdk_spelling() {
    let fa = analyze(
        "const AWS = require('aws-sdk');\nconst sqs = new AWS.SQS();\nsqs.sendMesage({ QueueUrl: 'q' });\nsqs.SendMessage({ QueueUrl: 'q' });\n",
    );
    assert!(fa.calls.is_empty());
    match &fa.findings[0].kind {
        FindingKind::UnknownMethod { method, suggestions, .. } => {
            assert_eq!(method, "sendMesage");
            assert_eq!(suggestions.first().map(String::as_str), Some("sendMessage"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(kinds(&fa), vec!["UnknownMethod", "UnknownMethod"], "v2 methods start lower-case");
    let fa = analyze("import { S3Client, GetObjektCommand } from '@aws-sdk/client-s3';\nnew S3Client({}).send(new GetObjektCommand({}));\nimport { X } from '@aws-sdk/client-not-a-service';\n");
    assert_eq!(kinds(&fa), vec!["UnknownMethod", "UnknownService"]);
}

#[test]
fn syntax_errors_are_reported_and_half_typed_code_never_panics() {
    let src = format!("{S3_V3}const s3 = new S3Client({{}});\ns3.send(new GetObjectCommand({{ Bucket: 'b', Key: 'k' }}));\nfunction broken( {{\n  s3.send(new PutObjectCommand({{ Bucket: 'b', Key: 'k' \n");
    let fa = analyze(&src);
    assert!(kinds(&fa).contains(&"SyntaxError"));
    assert!(ops(&fa).contains(&"s3:GetObject".to_string()));
    // Every prefix of real code analyses without panicking, in every dialect.
    let corpus = [
        src.as_str(),
        "const AWS = require('aws-sdk'); const d = new AWS.DynamoDB.DocumentClient(); d.put({ TableName: `t-${x}` }).promise();",
        "import { Upload } from '@aws-sdk/lib-storage'; class A { constructor(private s3: S3Client) {} f() { return new Upload({ client: this.s3, params: { ...p } }); } }",
    ];
    for text in corpus {
        for dialect in [Dialect::JavaScript, Dialect::TypeScript, Dialect::Tsx] {
            for end in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
                let doc = JsDocument::parse_as(text[..end].to_string(), dialect);
                let _ = doc.analyze(&ProjectIndex::new(), &AnalysisOptions::default());
            }
        }
    }
}

#[test]
fn self_referencing_code_terminates() {
    let src = "import { S3Client } from '@aws-sdk/client-s3';\nlet a = b; let b = a;\nfunction f(x) { return f(x); }\nconst c = f(c);\n\
        class K { constructor() { this.k = this.k; } m() { this.k.getObject({ Bucket: a }); } }\nc.getObject({ Bucket: b });\n";
    let fa = analyze(src);
    assert!(fa.calls.is_empty());
}

#[test]
fn analyze_range_is_the_whole_file_analysis_on_the_range() {
    let src = format!(
        "{S3_V3}const s3 = new S3Client({{}});\nexport async function a() {{ await s3.send(new GetObjectCommand({{ Bucket: 'b', Key: 'k' }})); }}\n\
         export async function b() {{ await s3.send(new PutObjectCommand({{ Bucket: 'b', Key: 'k' }})); }}\nexport function c(x) {{ return x.getObject({{ Bucket: 'b' }}); }}\n"
    );
    let doc = JavaScriptFrontEnd.parse(src.clone());
    let index = ProjectIndex::new();
    let opts = AnalysisOptions::default();
    let whole = doc.analyze(&index, &opts);
    assert_eq!(whole.calls.len(), 2);
    for (start, end) in [(0, src.len()), (src.find("function b").unwrap(), src.find("function b").unwrap() + 10), (0, 5), (src.len() - 3, src.len())]
    {
        let part = doc.analyze_range(&index, &opts, start..end);
        let expected: Vec<&SdkCall> = whole.calls.iter().filter(|c| c.span.start_byte < end.max(start + 1) && start < c.span.end_byte).collect();
        assert_eq!(part.calls.iter().collect::<Vec<_>>(), expected, "range {start}..{end}");
        let expected: Vec<_> = whole.findings.iter().filter(|f| f.span.start_byte < end.max(start + 1) && start < f.span.end_byte).collect();
        assert_eq!(part.findings.iter().collect::<Vec<_>>(), expected);
        assert!(part.scopes.is_empty());
    }
}

#[test]
fn documents_and_the_index_resolve_clients_across_files() {
    let clients = "import { KinesisClient } from '@aws-sdk/client-kinesis';\nexport const kinesis = new KinesisClient({ region: 'eu-west-2' });\nexport const STREAM = 'clicks';\n";
    let user = "import { PutRecordCommand } from '@aws-sdk/client-kinesis';\nimport { kinesis, STREAM } from './lib/clients';\n\
        export const track = () => kinesis.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: 'p', Data: new Uint8Array() }));\n";
    let fe = JavaScriptFrontEnd;
    let mut index = fe.new_index();
    index.update_file(&PathBuf::from("src/lib/clients.ts"), fe.parse(clients.to_string()).as_ref());
    assert_eq!(index.len(), 1);
    // A document whose own path is unknown; and one that knows it.
    for doc in [JsDocument::parse(user.to_string()), JsDocument::parse(user.to_string()).with_module_path("src/track.ts")] {
        let fa = doc.analyze(index.as_ref(), &AnalysisOptions::default());
        let call = only_call(&fa);
        assert_eq!((call.service.as_str(), call.operation.as_str()), ("kinesis", "PutRecord"));
        assert_eq!(call.arg("StreamName"), Some(&Value::literal("clicks")));
        assert_eq!(call.region.as_deref(), Some("eu-west-2"));
        assert_eq!(call.scope.as_deref(), Some("track"));
    }
    index.remove_file(&PathBuf::from("src/lib/clients.ts"));
    let fa = JsDocument::parse(user.to_string()).analyze(index.as_ref(), &AnalysisOptions::default());
    let call = only_call(&fa);
    assert_eq!(call.confidence, Confidence::Medium, "the command still names the operation; the client is unknown without its module");
    assert_eq!((call.arg("StreamName"), call.region.as_deref()), (Some(&Value::Unknown), None));
}

#[test]
fn project_files_chain_factories_and_reexports() {
    let files = vec![
        SourceFile {
            path: "a/factory.js".into(),
            text: "const AWS = require('aws-sdk');\nmodule.exports.makeSes = () => new AWS.SESV2({ region: 'eu-west-1' });\n".into(),
        },
        SourceFile { path: "a/index.js".into(), text: "export * from './factory.js';\n".into() },
        SourceFile {
            path: "b/mail.mjs".into(),
            text: "import { makeSes } from '../a/index.js';\nconst ses = makeSes();\nexport const send = () => ses.sendEmail({ FromEmailAddress: 'a@b.c' });\n".into(),
        },
    ];
    let out = JavaScriptFrontEnd.analyze_files(&files, &AnalysisOptions::default());
    assert_eq!(out.len(), 3);
    assert!(out[1].calls.is_empty());
    assert_eq!(ops(&out[2]), vec!["sesv2:SendEmail"]);
    assert_eq!(out[2].calls[0].confidence, Confidence::High);
    assert!(out[2].imports_aws_sdk, "uses the SDK through its project");
}

#[test]
fn code_scopes_name_functions_methods_and_the_module() {
    let src = format!(
        "{S3_V3}const s3 = new S3Client({{}});\ns3.send(new GetObjectCommand({{ Bucket: 'b', Key: 'k' }}));\n\
         export class Store {{ save = async () => s3.send(new PutObjectCommand({{ Bucket: 'b', Key: 'k' }})); }}\n"
    );
    let fa = analyze(&src);
    let names: Vec<Option<&str>> = fa.scopes.iter().map(|s| s.name.as_deref()).collect();
    assert_eq!(names, vec![None, Some("Store"), Some("Store.save")]);
}

#[test]
fn inert_regions_are_comment_text() {
    let src = "// a comment\nconst x = 1; /* block */\n";
    let doc = JsDocument::parse(src.to_string());
    let tree = doc.tree().unwrap();
    let inside = src.find("comment").unwrap();
    assert!(doc.inert_region(tree, inside, inside + 3));
    assert!(doc.inert_region(tree, src.find('\n').unwrap(), src.find('\n').unwrap()), "typing at the end of a line comment");
    let block = src.find("block").unwrap();
    assert!(doc.inert_region(tree, block, block + 2));
    assert!(!doc.inert_region(tree, src.find("*/").unwrap() + 1, src.find("*/").unwrap() + 1), "inside the closing `*/`");
    assert!(!doc.inert_region(tree, src.find("x =").unwrap(), src.find("x =").unwrap() + 1));
}

#[test]
fn front_end_identity_and_cheap_tests() {
    let fe = JavaScriptFrontEnd;
    assert_eq!(fe.language(), "javascript");
    assert!(fe.file_extensions().contains(&"tsx") && fe.file_extensions().contains(&"cjs"));
    assert!(fe.may_use_aws(b"import { S3Client } from '@aws-sdk/client-s3'"));
    assert!(fe.may_use_aws(b"const AWS = require(\"aws-sdk\")"));
    assert!(!fe.may_use_aws(b"import express from 'express'"));
    assert_eq!(
        fe.services_named("import '@aws-sdk/client-s3'; require('aws-sdk/clients/dynamodb'); import '@aws-sdk/client-sfn';"),
        vec!["s3", "dynamodb"]
    );
    for (path, test) in [
        ("src/__tests__/orders.ts", true),
        ("test/handler.js", true),
        ("src/orders.test.ts", true),
        ("src/orders.spec.tsx", true),
        ("src/testing/orders.ts", false),
        ("src/contest.ts", false),
        ("src/orders.ts", false),
    ] {
        assert_eq!(fe.is_test_file(std::path::Path::new(path)), test, "{path}");
    }
    assert_eq!(fe.parse_for("typescript", "let x = <any>y;".into()).dialect(), Dialect::TypeScript);
    assert_eq!(fe.parse_for("jsx", "<a/>".into()).dialect(), Dialect::JavaScript);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const BASE: &str = "import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';\nconst AWS = require('aws-sdk');\n\
        const s3 = new S3Client({ region: 'eu-west-1' });\nclass A { db = new AWS.DynamoDB.DocumentClient(); async f(k) { await this.db.get({ TableName: `t-${k}` }).promise(); } }\n\
        export const h = async (e) => s3.send(new GetObjectCommand({ Bucket: 'b', Key: e.k }));\n";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any edit (offsets anywhere, any text) leaves a tree equal to a fresh
        /// parse once settled, and analysis never panics.
        #[test]
        fn edits_never_panic_and_settle_to_a_fresh_parse(start in 0usize..400, len in 0usize..40, text in "[ -~\n{}()`$]{0,12}") {
            let mut doc = JsDocument::parse_as(BASE.to_string(), Dialect::TypeScript);
            doc.edit(start, start + len, &text);
            let fresh = JsDocument::parse_as(doc.text().to_string(), Dialect::TypeScript);
            prop_assert_eq!(doc.tree().map(|t| t.root_node().to_sexp()), fresh.tree().map(|t| t.root_node().to_sexp()));
            let a = doc.analyze(&ProjectIndex::new(), &AnalysisOptions::default());
            let b = fresh.analyze(&ProjectIndex::new(), &AnalysisOptions::default());
            prop_assert_eq!(a.calls, b.calls);
        }
    }
}
