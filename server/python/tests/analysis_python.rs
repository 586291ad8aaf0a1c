//! The Python front-end against the embedded knowledge base: realistic
//! snippets for each resolution form, the boto3 resources API as boto3 models
//! it, injected methods, and the no-false-positive rules.

use iamlens_engine::front_end::{AnalysisOptions, FrontEnd, SourceFile};
use iamlens_engine::model::{CallVia, Confidence, FileAnalysis, Finding, FindingKind, TextPart, Value};
use iamlens_python::{analyze_python, ProjectIndex, PythonDocument};
use std::path::PathBuf;

fn analyze(src: &str) -> FileAnalysis {
    analyze_with(src, &AnalysisOptions::default())
}

fn analyze_with(src: &str, opts: &AnalysisOptions) -> FileAnalysis {
    analyze_python(&PythonDocument::parse(src.to_string()), &ProjectIndex::new(), opts)
}

fn ops(a: &FileAnalysis) -> Vec<String> {
    a.calls.iter().map(|c| format!("{}:{}", c.service, c.operation)).collect()
}

fn lit(s: &str) -> Value {
    Value::literal(s)
}

#[test]
fn s3_resource_objects_collections_and_loads() {
    let src = r#"import boto3
s3 = boto3.resource("s3")
bucket = s3.Bucket("media")
for obj in bucket.objects.filter(Prefix="tmp/"):
    obj.delete()
o = s3.Object("media", "a.txt")
o.put(Body=b"x")
print(o.content_length)
bucket.objects.all().delete()
"#;
    let a = analyze(src);
    assert_eq!(ops(&a), ["s3:ListObjects", "s3:DeleteObject", "s3:PutObject", "s3:HeadObject", "s3:ListObjects", "s3:DeleteObjects"]);
    assert_eq!(a.calls[0].arg("Bucket"), Some(&lit("media")));
    assert_eq!(a.calls[0].arg("Prefix"), Some(&lit("tmp/")));
    assert_eq!(a.calls[1].arg("Bucket"), Some(&lit("media")));
    assert_eq!((a.calls[2].arg("Bucket"), a.calls[2].arg("Key")), (Some(&lit("media")), Some(&lit("a.txt"))));
    assert_eq!(a.calls[3].via, CallVia::Resource { resource: "Object".into(), action: "load".into() });
    assert_eq!(a.calls[5].arg("Bucket"), Some(&lit("media")));
}

#[test]
fn sqs_queue_messages_returned_by_an_action_are_resources() {
    let src = r#"import boto3
sqs = boto3.resource("sqs")
queue = sqs.Queue("https://sqs.us-east-1.amazonaws.com/123456789012/jobs")
for message in queue.receive_messages(WaitTimeSeconds=20):
    message.delete()
queue.send_message(MessageBody="hi")
"#;
    let a = analyze(src);
    assert_eq!(ops(&a), ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:SendMessage"]);
    let url = lit("https://sqs.us-east-1.amazonaws.com/123456789012/jobs");
    assert!(a.calls.iter().all(|c| c.arg("QueueUrl") == Some(&url)), "{:?}", a.calls);
}

#[test]
fn dynamodb_table_and_batch_writer() {
    let src = r#"import boto3
table = boto3.resource("dynamodb").Table("Orders")
table.put_item(Item={"id": "1"})
with table.batch_writer() as batch:
    batch.put_item(Item={"id": "2"})
    batch.delete_item(Key={"id": "3"})
print(table.item_count)
"#;
    let a = analyze(src);
    assert_eq!(ops(&a), ["dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:DescribeTable"]);
    assert!(a.calls.iter().all(|c| c.arg("TableName") == Some(&lit("Orders"))), "{:?}", a.calls);
}

#[test]
fn ec2_collections_and_actions() {
    let src = r#"import boto3
ec2 = boto3.resource("ec2", region_name="eu-west-1")
for inst in ec2.instances.filter(Filters=[{"Name": "tag:env", "Values": ["dev"]}]):
    inst.stop()
"#;
    assert_eq!(ops(&analyze(src)), ["ec2:DescribeInstances", "ec2:StopInstances"]);
}

#[test]
fn injected_transfers_presign_and_waiters() {
    let src = r#"import boto3
s3 = boto3.client("s3")
s3.upload_file("/tmp/a", "backups", "daily/a")
s3.download_file(Bucket="backups", Key="daily/a", Filename="/tmp/b")
s3.generate_presigned_url("put_object", Params={"Bucket": "uploads", "Key": "x"}, ExpiresIn=300)
s3.get_waiter("bucket_exists").wait(Bucket="backups")
"#;
    let a = analyze(src);
    let got = ops(&a);
    assert!(got.contains(&"s3:PutObject".to_string()) && got.contains(&"s3:CreateMultipartUpload".to_string()), "{got:?}");
    assert!(got.contains(&"s3:GetObject".to_string()), "{got:?}");
    assert!(a.calls.iter().filter(|c| c.via == CallVia::Injected { method: "upload_file".into() }).all(|c| c.arg("Bucket") == Some(&lit("backups"))));
    let presigned = a.calls.iter().find(|c| c.via == CallVia::Injected { method: "generate_presigned_url".into() }).unwrap();
    assert_eq!((presigned.operation.as_str(), presigned.arg("Bucket")), ("PutObject", Some(&lit("uploads"))));
    let waiter = a.calls.last().unwrap();
    assert_eq!((waiter.operation.as_str(), &waiter.via), ("HeadBucket", &CallVia::Waiter { name: "bucket_exists".into() }));
}

#[test]
fn typo_in_method_is_reported_with_the_real_name() {
    let a = analyze("import boto3\ns3 = boto3.client('s3')\ns3.get_objects(Bucket='b', Key='k')\n");
    assert!(a.calls.is_empty());
    match &a.findings[0].kind {
        FindingKind::UnknownMethod { service, method, suggestions } => {
            assert_eq!((service.as_str(), method.as_str()), ("s3", "get_objects"));
            assert_eq!(suggestions.first().map(String::as_str), Some("get_object"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_service_name_is_reported() {
    let a = analyze("import boto3\nc = boto3.client('dynamo')\n");
    assert!(
        matches!(&a.findings[0].kind, FindingKind::UnknownService { name, suggestions } if name == "dynamo" && suggestions.contains(&"dynamodb".to_string()))
    );
}

#[test]
fn unresolved_receivers_use_keyword_arguments_to_pick_a_service() {
    let a = analyze("import boto3\ndef save(table, item):\n    table.put_item(TableName='Orders', Item=item)\n");
    assert_eq!(ops(&a), ["dynamodb:PutItem"]);
    assert_eq!(a.calls[0].confidence, Confidence::Low);

    let src = "import boto3\ndef tags(client, arn):\n    return client.list_tags_for_resource(ResourceArn=arn)\n";
    let a = analyze(src);
    assert!(a.calls.is_empty());
    let FindingKind::Ambiguous { candidates, .. } = &a.findings[0].kind else { panic!("{:?}", a.findings) };
    assert!(candidates.len() > 1 && candidates.contains(&"sns".to_string()), "{candidates:?}");
    let a = analyze_with(src, &AnalysisOptions { service_hints: vec!["sns".into()] });
    assert_eq!(ops(&a), ["sns:ListTagsForResource"]);
}

#[test]
fn common_non_aws_calls_in_a_boto3_file_stay_silent() {
    let src = r#"import boto3
import requests, redis, json, logging
from cachetools import TTLCache
log = logging.getLogger(__name__)
cache = TTLCache(maxsize=10, ttl=60)
r = redis.Redis()
def handler(event, context):
    requests.get("https://example.com", timeout=5)
    r.get("k"); r.delete("k"); r.set("k", "v")
    cache.get("x"); cache.update(a=1); cache.clear()
    event.get("Records", [])
    log.info("done")
    data = json.loads("{}")
    data.update(Key=1)
    context.get_remaining_time_in_millis()
"#;
    let a = analyze(src);
    assert!(a.calls.is_empty(), "{:?}", ops(&a));
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[test]
fn no_sdk_import_means_no_calls_even_for_aws_looking_code() {
    let src = "def f(db, cache, client):\n    db.get_item(TableName='t', Key={})\n    cache.get_parameter(Name='x')\n    client.publish(TopicArn='arn', Message='m')\n";
    let a = analyze(src);
    assert!(!a.imports_aws_sdk && a.calls.is_empty() && a.findings.is_empty());
}

#[test]
fn front_end_analyses_a_project_across_files() {
    let fe = iamlens_python::PythonFrontEnd;
    let files = vec![
        SourceFile {
            path: PathBuf::from("svc/clients.py"),
            text: "import boto3\nqueue = boto3.client('sqs')\nQUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/1/jobs'\n".into(),
        },
        SourceFile {
            path: PathBuf::from("svc/worker.py"),
            text: "import boto3\nfrom svc.clients import queue, QUEUE_URL\ndef run():\n    queue.send_message(QueueUrl=QUEUE_URL, MessageBody='x')\n"
                .into(),
        },
    ];
    let out = fe.analyze_files(&files, &AnalysisOptions::default());
    assert_eq!(out.len(), 2);
    assert_eq!(ops(&out[1]), ["sqs:SendMessage"]);
    assert_eq!(out[1].calls[0].arg("QueueUrl"), Some(&lit("https://sqs.us-east-1.amazonaws.com/1/jobs")));
    assert_eq!(out[1].calls[0].scope.as_deref(), Some("run"));
}

#[test]
fn a_file_using_project_clients_without_importing_boto3_is_aws_code() {
    let fe = iamlens_python::PythonFrontEnd;
    let files = vec![
        SourceFile { path: PathBuf::from("app/__init__.py"), text: String::new() },
        SourceFile {
            path: PathBuf::from("app/aws.py"),
            text: "import boto3\nTABLE = 'Audit'\ndef ddb():\n    return boto3.client('dynamodb')\ns3 = boto3.client('s3')\n".into(),
        },
        SourceFile {
            path: PathBuf::from("app/handler.py"),
            text:
                "from app.aws import TABLE, ddb, s3\ndef h():\n    ddb().put_item(TableName=TABLE, Item={})\n    s3.put_object(Bucket='b', Key='k')\n"
                    .into(),
        },
        SourceFile {
            path: PathBuf::from("app/via_module.py"),
            text: "from app import aws\ndef h():\n    aws.s3.get_object(Bucket='b', Key='k')\n".into(),
        },
        SourceFile {
            path: PathBuf::from("app/dotted.py"),
            text: "import app.aws\ndef h():\n    app.aws.s3.delete_object(Bucket='b', Key='k')\n".into(),
        },
    ];
    let out = fe.analyze_files(&files, &AnalysisOptions::default());
    assert!(out[2].imports_aws_sdk);
    assert_eq!(ops(&out[2]), ["dynamodb:PutItem", "s3:PutObject"]);
    assert_eq!(out[2].calls[0].arg("TableName"), Some(&lit("Audit")));
    assert!(out[3].imports_aws_sdk && out[4].imports_aws_sdk);
    assert_eq!(ops(&out[3]), ["s3:GetObject"]);
}

#[test]
fn importing_only_constants_or_plain_helpers_from_the_project_is_not_aws_code() {
    let fe = iamlens_python::PythonFrontEnd;
    let files = vec![
        SourceFile { path: PathBuf::from("app/aws.py"), text: "import boto3\nTABLE = 'Audit'\ns3 = boto3.client('s3')\n".into() },
        SourceFile { path: PathBuf::from("app/util.py"), text: "def load(x):\n    return x\nstore = dict()\n".into() },
        SourceFile {
            path: PathBuf::from("app/cache.py"),
            text: "from app.aws import TABLE\nfrom app.util import load, store\nimport app.util\ndef f(db):\n    db.get_item(TableName=TABLE, Key={})\n    store.put_item(TableName=TABLE)\n".into(),
        },
    ];
    let out = fe.analyze_files(&files, &AnalysisOptions::default());
    assert!(!out[2].imports_aws_sdk, "constants and plain helpers do not make a file AWS code");
    assert!(out[2].calls.is_empty(), "{:?}", ops(&out[2]));
    // But the project uses AWS, and `db.get_item(TableName=..., Key=...)` has
    // every required member of DynamoDB's GetItem: it is named in a warning,
    // never dropped in silence. `store.put_item(TableName=...)` lacks `Item`.
    assert_eq!(out[2].findings.len(), 1, "{:?}", out[2].findings);
    let f = &out[2].findings[0];
    assert!(matches!(&f.kind, FindingKind::UnresolvedCall { method, candidates } if method == "get_item" && candidates == &["dynamodb"]), "{f:?}");
    assert!(f.message.contains("does not import an AWS SDK") && f.message.contains("# iamlens: dynamodb"), "{}", f.message);
}

#[test]
fn calls_that_look_like_aws_calls_are_named_only_where_the_project_uses_aws() {
    let fe = iamlens_python::PythonFrontEnd;
    let helper =
        SourceFile { path: PathBuf::from("app/helpers.py"), text: "def put(q, body):\n    q.send_message(QueueUrl='u', MessageBody=body)\n".into() };
    let out = fe.analyze_files(std::slice::from_ref(&helper), &AnalysisOptions::default());
    assert!(out[0].calls.is_empty() && out[0].findings.is_empty(), "no AWS anywhere: nothing to say");
    let user = SourceFile { path: PathBuf::from("app/main.py"), text: "import boto3\nboto3.client('s3').list_buckets()\n".into() };
    let out = fe.analyze_files(&[helper.clone(), user.clone()], &AnalysisOptions::default());
    assert!(out[0].calls.is_empty());
    assert!(
        matches!(&out[0].findings[..], [f] if matches!(&f.kind, FindingKind::UnresolvedCall { method, .. } if method == "send_message")),
        "{:?}",
        out[0].findings
    );
    // The line's directive settles it: then it is in the policy.
    let directed = SourceFile { text: helper.text.replace("body)\n", "body)  # iamlens: sqs\n"), ..helper };
    let out = fe.analyze_files(&[directed, user], &AnalysisOptions::default());
    assert_eq!(ops(&out[0]), ["sqs:SendMessage"]);
}

#[test]
fn rds_auth_tokens_are_calls_that_carry_the_database_user() {
    let a = analyze(
        "import boto3\nrds = boto3.client('rds')\ndef t(user):\n    rds.generate_db_auth_token(DBHostname='db.example.com', Port=5432, DBUsername='app_reader')\n    rds.generate_db_auth_token('db.example.com', 5432, user)\n",
    );
    assert_eq!(ops(&a), ["rds:generate_db_auth_token", "rds:generate_db_auth_token"]);
    assert_eq!(a.calls[0].via, CallVia::Injected { method: "generate_db_auth_token".into() });
    assert_eq!(a.calls[0].args, vec![("DBUsername".to_string(), lit("app_reader"))]);
    assert_eq!(a.calls[1].args.len(), 1, "the positional user is DBUsername too");
    assert_eq!(a.calls[0].region, None);
    let a = analyze("import boto3\nrds = boto3.client('rds', region_name='us-east-1')\nrds.generate_db_auth_token('h', 5432, 'u', Region='eu-west-1')\nrds.generate_db_auth_token('h', 5432, 'u')\n");
    let regions: Vec<Option<&str>> = a.calls.iter().map(|c| c.region.as_deref()).collect();
    assert_eq!(regions, [Some("eu-west-1"), Some("us-east-1")], "an explicit Region is the database's; else the client's");
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[test]
fn a_queue_got_by_name_keeps_its_name() {
    let src = r#"import boto3
sqs = boto3.resource("sqs")
queue = sqs.get_queue_by_name(QueueName="jobs")
queue.send_message(MessageBody="hi")
audit = sqs.get_queue_by_name(QueueName="audit", QueueOwnerAWSAccountId="111122223333")
audit.send_message(MessageBody="x")
"#;
    let a = analyze(src);
    assert_eq!(ops(&a), ["sqs:GetQueueUrl", "sqs:SendMessage", "sqs:GetQueueUrl", "sqs:SendMessage"]);
    assert_eq!(a.calls[1].arg("QueueUrl"), Some(&lit("/jobs")), "the URL's path is known, its host is the client's endpoint");
    assert_eq!(a.calls[3].arg("QueueUrl"), Some(&lit("/111122223333/audit")));
}

#[test]
fn a_client_made_for_a_literal_region_puts_it_on_its_calls() {
    let src = "import boto3, os\nddb = boto3.client('dynamodb', region_name='eu-west-1')\nsns = boto3.client('sns', 'ap-south-1')\nenv = boto3.client('s3', region_name=os.environ['AWS_REGION'])\nplain = boto3.client('sqs')\nddb.describe_table(TableName='t')\nsns.publish(TopicArn='arn', Message='m')\nenv.list_buckets()\nplain.list_queues()\n";
    let a = analyze(src);
    let regions: Vec<Option<&str>> = a.calls.iter().map(|c| c.region.as_deref()).collect();
    assert_eq!(regions, [Some("eu-west-1"), Some("ap-south-1"), None, None]);
}

#[test]
fn resources_paginators_and_waiters_keep_their_clients_region() {
    let src = r#"import boto3
ddb = boto3.resource("dynamodb", region_name="eu-west-1")
table = ddb.Table("Orders")
table.put_item(Item={})
s3 = boto3.client("s3", region_name="eu-central-1")
for page in s3.get_paginator("list_objects_v2").paginate(Bucket="b"):
    pass
s3.get_waiter("object_exists").wait(Bucket="b", Key="k")
sqs = boto3.resource("sqs", region_name="ap-south-1")
queue = sqs.get_queue_by_name(QueueName="jobs")
queue.send_message(MessageBody="x")
"#;
    let a = analyze(src);
    let got: Vec<(String, Option<&str>)> = a.calls.iter().map(|c| (c.operation.clone(), c.region.as_deref())).collect();
    assert_eq!(
        got,
        [
            ("PutItem".to_string(), Some("eu-west-1")),
            ("ListObjectsV2".to_string(), Some("eu-central-1")),
            ("HeadObject".to_string(), Some("eu-central-1")),
            ("GetQueueUrl".to_string(), Some("ap-south-1")),
            ("SendMessage".to_string(), Some("ap-south-1")),
        ]
    );
}

#[test]
fn whether_a_file_is_aws_code_follows_changes_to_the_module_it_imports() {
    let mut index = ProjectIndex::new();
    let handler = PythonDocument::parse("from app.aws import s3\ns3.get_object(Bucket='b', Key='k')\n".to_string());
    let opts = AnalysisOptions::default();
    index.update_file(&PathBuf::from("app/aws.py"), &PythonDocument::parse("import boto3\ns3 = boto3.client('s3')\n".to_string()));
    assert_eq!(ops(&analyze_python(&handler, &index, &opts)), ["s3:GetObject"]);
    index.update_file(&PathBuf::from("app/aws.py"), &PythonDocument::parse("s3 = object()\n".to_string()));
    let a = analyze_python(&handler, &index, &opts);
    assert!(!a.imports_aws_sdk && a.calls.is_empty(), "app.aws no longer makes a client");
    index.update_file(&PathBuf::from("app/aws.py"), &PythonDocument::parse("import boto3\ns3 = boto3.client('s3')\n".to_string()));
    assert_eq!(ops(&analyze_python(&handler, &index, &opts)), ["s3:GetObject"]);
    index.remove_file(&PathBuf::from("app/aws.py"));
    assert!(analyze_python(&handler, &index, &opts).calls.is_empty());
}

/// Calls on receivers iamlens cannot resolve are never dropped in silence:
/// bare calls are reported with their candidates, an inline directive or a
/// service hint settles one call, a lookalike with positional arguments is
/// not an AWS call at all.
#[test]
fn unresolved_receivers_are_reported_or_settled_never_silently_dropped() {
    let src = r#"import boto3
from app.clients import make


def topics(client):
    return client.list_topics()


def topics_settled(client):
    return client.list_topics()  # iamlens: sns


def clusters(db):
    return db.describe_db_clusters(DBClusterIdentifier="orders")


def clusters_settled(db):
    return db.describe_db_clusters(DBClusterIdentifier="orders")  # iamlens: rds


def not_aws(cache):
    cache.list_topics("a", "b")
"#;
    let a = analyze(src);
    assert_eq!(ops(&a), ["sns:ListTopics", "rds:DescribeDBClusters"], "only the settled calls are in the policy");
    assert_eq!(a.calls[1].arg("DBClusterIdentifier"), Some(&lit("orders")));
    assert_eq!(a.calls[1].confidence, Confidence::Medium);
    let unresolved: Vec<_> = a.findings.iter().filter(|f| matches!(f.kind, FindingKind::UnresolvedCall { .. })).collect();
    let [bare] = unresolved.as_slice() else { panic!("{:#?}", a.findings) };
    assert_eq!(bare.span.start.line, 5);
    assert!(
        bare.message.contains("`client.list_topics(...)` looks like an AWS call (kafka, quicksight, sns)")
            && bare.message.contains("# iamlens: <service>"),
        "{}",
        bare.message
    );
    assert!(matches!(&bare.kind, FindingKind::UnresolvedCall { candidates, .. } if candidates == &["kafka", "quicksight", "sns"]));
    let ambiguous: Vec<_> = a.findings.iter().filter(|f| matches!(f.kind, FindingKind::Ambiguous { .. })).collect();
    let [ambiguous] = ambiguous.as_slice() else { panic!("{:#?}", a.findings) };
    assert_eq!(ambiguous.span.start.line, 13);
    assert!(ambiguous.message.contains("docdb, neptune, rds") && ambiguous.message.contains("not in the policy"), "{}", ambiguous.message);
    // A hint settles every call of that name; the directive still wins where given.
    let hinted = analyze_with(src, &AnalysisOptions { service_hints: vec!["neptune".into(), "sns".into()] });
    assert_eq!(ops(&hinted), ["sns:ListTopics", "sns:ListTopics", "neptune:DescribeDBClusters", "rds:DescribeDBClusters"]);
}

/// A file that never imports boto3 takes part when it builds clients through
/// objects it was given; only receivers that resolve to clients count there.
#[test]
fn factories_named_with_a_literal_service_make_clients_without_an_sdk_import() {
    let src = r#"from app.context import ctx

def run(session, helper):
    session.client("sqs").send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/jobs", MessageBody="go")
    helper.make_resource("dynamodb").Table("orders").get_item(Key={"id": "1"})
    helper.client("not-a-service").send_message(QueueUrl="x", MessageBody="y")
    ctx.queue.send_message(QueueUrl="x", MessageBody="y")
"#;
    let a = analyze(src);
    assert_eq!(ops(&a), ["sqs:SendMessage", "dynamodb:GetItem"]);
    assert!(a.calls.iter().all(|c| c.confidence == Confidence::Medium));
    assert!(a.findings.is_empty(), "no unresolved-call warnings without an SDK import: {:#?}", a.findings);
    // No factory call with a known service name: not AWS code at all.
    let plain = analyze("def f(cache):\n    cache.send_message(QueueUrl='x', MessageBody='y')\n    cache.client('redis')\n");
    assert!(plain.calls.is_empty() && !plain.imports_aws_sdk);
}

#[test]
fn properties_returning_clients_and_sub_resources_are_read_through() {
    let src = r#"import boto3
from functools import cached_property

class Store:
    def __init__(self):
        self.s3 = boto3.resource('s3')

    @property
    def bucket(self):
        return self.s3.Bucket('b')

    @cached_property
    def sqs(self):
        return boto3.client('sqs')

    def run(self):
        self.bucket.put_object(Key='k', Body=b'')
        self.sqs.send_message(QueueUrl='q', MessageBody='m')
"#;
    let a = analyze(src);
    assert_eq!(ops(&a), ["s3:PutObject", "sqs:SendMessage"]);
    assert!(matches!(&a.calls[0].via, CallVia::Resource { resource, .. } if resource == "Bucket"), "{:?}", a.calls);
}

#[test]
fn bound_methods_passed_on_are_calls_made_later() {
    let src = "import boto3\nfrom concurrent.futures import ThreadPoolExecutor\n\ndef pages(method, **kw):\n    return method(**kw)\n\n\
def run(paths):\n    ddb = boto3.client('dynamodb')\n    s3 = boto3.client('s3')\n    pages(ddb.query, TableName='jobs')\n    with ThreadPoolExecutor() as pool:\n        pool.submit(s3.upload_file, paths[0], 'b', 'k')\n    helper = s3.meta\n    s3.exceptions.NoSuchKey\n";
    let a = analyze(src);
    let ops = ops(&a);
    assert_eq!(&ops[..2], ["dynamodb:Query", "s3:PutObject"], "{ops:?}");
    assert_eq!(a.calls[0].arg("TableName"), Some(&Value::literal("jobs")), "keywords beside the reference are its arguments");
    assert_eq!(a.calls[1].arg("Bucket"), Some(&Value::Text(vec![TextPart::Unknown])));
    let passed_on: Vec<&Finding> = a.findings.iter().filter(|f| f.message.contains("passed on without its arguments")).collect();
    assert_eq!(passed_on.len(), 1, "only the upload leaves resources unnamed: {:?}", a.findings);
    assert!(passed_on[0].message.contains("`s3.upload_file`"));
    assert!(!ops.iter().any(|o| o.contains("meta") || o.contains("exceptions")));
}

#[test]
fn settings_class_fields_are_their_environment_variables() {
    let src = r#"import boto3
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="orders_")
    table_name: str
    bucket: str = "fallback-bucket"


class Plain:
    bucket: str = "plain-bucket"


settings = Settings()
dynamodb = boto3.client("dynamodb")


def handler(event, context):
    dynamodb.get_item(TableName=settings.table_name, Key={})
    boto3.client("s3").put_object(Bucket=settings.bucket, Key="k", Body=b"")
    boto3.client("s3").put_object(Bucket=Plain().bucket, Key="k", Body=b"")
"#;
    let a = analyze(src);
    let env = |name: &str| Value::Text(vec![TextPart::Env(name.into())]);
    assert_eq!(a.calls[0].arg("TableName"), Some(&env("ORDERS_TABLE_NAME")));
    assert_eq!(a.calls[1].arg("Bucket"), Some(&env("ORDERS_BUCKET")), "the environment wins over the default");
    assert_eq!(a.calls[2].arg("Bucket"), Some(&lit("plain-bucket")), "not a settings class");
}

#[test]
fn a_client_every_caller_passes_resolves_the_helper_parameter() {
    let src = r#"import boto3


def describe(client, name):
    return client.describe_db_clusters(DBClusterIdentifier=name)


def mixed(client):
    return client.describe_db_clusters()


def main():
    describe(boto3.client("rds"), "main")
    describe(client=boto3.client("rds"), name="other")
    mixed(boto3.client("rds"))
    mixed(boto3.client("docdb"))
"#;
    let a = analyze(src);
    // `mixed` runs with an RDS client in one call and a DocumentDB client in
    // the other: its call needs both services' action.
    assert_eq!(ops(&a), ["rds:DescribeDBClusters", "docdb:DescribeDBClusters", "rds:DescribeDBClusters"]);
    assert!(a.calls.iter().all(|c| c.confidence == Confidence::Medium));
    assert!(a.findings.iter().all(|f| !matches!(&f.kind, FindingKind::Ambiguous { .. } | FindingKind::UnresolvedCall { .. })), "{:?}", a.findings);
}

#[test]
fn a_parameter_typed_with_a_project_class_is_an_instance_of_it() {
    let src = r#"import boto3


class OrdersStore:
    def __init__(self):
        self.table = boto3.resource("dynamodb").Table("orders")


def load(store: OrdersStore, order_id: str):
    return store.table.get_item(Key={"id": order_id})
"#;
    let a = analyze(src);
    assert_eq!(ops(&a), ["dynamodb:GetItem"], "the annotation must not hide the store's table");
}

#[test]
fn imports_resolve_to_the_nearest_module_of_a_monorepo_and_relative_to_the_importer() {
    let fe = iamlens_python::PythonFrontEnd;
    let factory = |bucket: &str| format!("import boto3\nBUCKET = '{bucket}'\ns3 = boto3.client('s3')\n");
    let files = vec![
        SourceFile { path: PathBuf::from("samples/orders/src/aws.py"), text: factory("orders") },
        SourceFile { path: PathBuf::from("samples/billing/src/aws.py"), text: factory("billing") },
        SourceFile {
            path: PathBuf::from("samples/orders/src/handler.py"),
            text: "from src.aws import s3, BUCKET\ndef go():\n    s3.get_object(Bucket=BUCKET, Key='k')\n".into(),
        },
        SourceFile {
            path: PathBuf::from("samples/billing/src/jobs/run.py"),
            text: "from ..aws import s3, BUCKET\ndef go():\n    s3.put_object(Bucket=BUCKET, Key='k', Body=b'')\n".into(),
        },
    ];
    let out = fe.analyze_files(&files, &AnalysisOptions::default());
    assert_eq!(ops(&out[2]), ["s3:GetObject"]);
    assert_eq!(out[2].calls[0].arg("Bucket"), Some(&lit("orders")), "each sample's `src` is its own");
    assert_eq!(ops(&out[3]), ["s3:PutObject"]);
    assert_eq!(out[3].calls[0].arg("Bucket"), Some(&lit("billing")));
}

#[test]
fn objects_from_project_modules_iamlens_cannot_see_into_are_named_not_dropped() {
    let fe = iamlens_python::PythonFrontEnd;
    let files = vec![
        SourceFile {
            path: PathBuf::from("app/store.py"),
            text: "import boto3\nclass Store:\n    def __init__(self, cfg):\n        self.table = cfg['resource'].Table(cfg['name'])\n".into(),
        },
        SourceFile {
            path: PathBuf::from("app/jobs.py"),
            text: "import boto3\nfrom app.store import Store\ndef go(cfg):\n    s = Store(cfg)\n    s.table.put_item(Item={'id': 1})\n    s.table.flush(Force=True)\n    s.table.put_item(Item={})  # iamlens: dynamodb\n".into(),
        },
    ];
    let out = fe.analyze_files(&files, &AnalysisOptions::default());
    let jobs = &out[1];
    // Only the line its directive settles is in the policy; the other
    // lookalike is a warning; `flush` is no AWS operation: nothing.
    assert_eq!(ops(jobs), ["dynamodb:PutItem"]);
    assert_eq!(jobs.calls[0].span.start.line, 6);
    assert!(
        matches!(&jobs.findings[..], [f] if f.span.start.line == 4 && f.message.contains("made by another module of the project")),
        "{:?}",
        jobs.findings
    );
}

#[test]
fn decorators_that_name_a_service_inject_its_client_only_when_they_are_aws_code() {
    let fe = iamlens_python::PythonFrontEnd;
    let same_file = analyze(
        "import boto3\n\ndef with_client(service):\n    def wrap(f):\n        return lambda *a, **k: f(*a, client=boto3.client(service), **k)\n    return wrap\n\n\
         @with_client('sqs')\ndef purge(url, client=None):\n    client.purge_queue(QueueUrl=url)\n\n\
         @with_client('ec2')\ndef vpcs(**kwargs):\n    return kwargs['client'].describe_vpcs()\n\n\
         @with_client('logs')\ndef not_a_client_param(group, limit=None):\n    return limit.describe_log_streams(logGroupName=group)\n",
    );
    assert_eq!(ops(&same_file), ["sqs:PurgeQueue", "ec2:DescribeVpcs", "logs:DescribeLogStreams"]);
    assert!(same_file.calls[..2].iter().all(|c| c.confidence == Confidence::Medium));
    // `limit` is not named like a client: not injected, only the method name speaks for it.
    assert_eq!(same_file.calls[2].confidence, Confidence::Low);

    // A decorator from a module that does not use the SDK injects nothing AWS.
    let files = vec![
        SourceFile { path: PathBuf::from("inv/gconn.py"), text: "from googleapiclient import discovery\ndef gcp_conn(s):\n    return lambda f: f\n".into() },
        SourceFile { path: PathBuf::from("inv/aws.py"), text: "import boto3\ndef aws_conn(s):\n    return lambda f: f\n".into() },
        SourceFile {
            path: PathBuf::from("inv/roles.py"),
            text: "from inv.gconn import gcp_conn\nfrom inv.aws import aws_conn\n\n@gcp_conn('iam')\ndef google(client=None):\n    return client.list_roles()\n\n@aws_conn('iam')\ndef amazon(client=None):\n    return client.list_roles()\n".into(),
        },
    ];
    let out = fe.analyze_files(&files, &AnalysisOptions::default());
    assert_eq!(ops(&out[2]), ["iam:ListRoles"]);
    assert_eq!(out[2].calls[0].span.start.line, 9);
}

#[test]
fn classes_of_other_modules_carry_the_clients_their_instances_hold() {
    let fe = iamlens_python::PythonFrontEnd;
    let files = vec![
        SourceFile {
            path: PathBuf::from("app/wrappers.py"),
            text: "import boto3\n\nclass InstanceWrapper:\n    def __init__(self, ec2_client: boto3.client):\n        self.ec2_client = ec2_client\n\n    @classmethod\n    def from_client(cls):\n        return cls(boto3.client('ec2'))\n".into(),
        },
        SourceFile {
            path: PathBuf::from("app/scenario.py"),
            text: "from app.wrappers import InstanceWrapper\n\nclass Scenario:\n    def __init__(self, inst: InstanceWrapper):\n        self.inst = inst\n\n    def run(self, ids):\n        self.inst.ec2_client.describe_instances(InstanceIds=ids)\n        InstanceWrapper.from_client().ec2_client.stop_instances(InstanceIds=ids)\n        made = InstanceWrapper(None)\n        made.ec2_client.start_instances(InstanceIds=ids)\n        made.other.get_item(Key={})\n".into(),
        },
    ];
    let out = fe.analyze_files(&files, &AnalysisOptions::default());
    let scenario = &out[1];
    assert_eq!(ops(scenario), ["ec2:DescribeInstances", "ec2:StartInstances"]);
    assert!(scenario.calls.iter().all(|c| c.confidence == Confidence::Medium), "{:?}", scenario.calls);
    // What the class's indexed attributes do not hold is named, not guessed.
    let named: Vec<u32> = scenario.findings.iter().filter(|f| f.message.contains("made by another module")).map(|f| f.span.start.line).collect();
    assert_eq!(named, [8, 11], "{:?}", scenario.findings);
}
