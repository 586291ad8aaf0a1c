//! Front-end behaviour over realistic snippets, against a small hand-written
//! service table (the embedded knowledge base is exercised by the integration tests).

use super::*;
use iamlens_engine::catalog::fake::FakeCatalog;
use iamlens_engine::front_end::AnalysisOptions;
use iamlens_engine::model::{CallVia, Confidence, FileAnalysis, FindingKind, SdkCall, TextPart, Value};

fn catalog() -> FakeCatalog {
    let mut c = FakeCatalog::from_ops(&[
        (
            "s3",
            &[
                ("GetObject", &["Bucket", "Key", "VersionId"][..]),
                ("PutObject", &["Bucket", "Key", "Body"]),
                ("HeadObject", &["Bucket", "Key"]),
                ("ListObjectsV2", &["Bucket", "Prefix"]),
                ("ListObjects", &["Bucket", "Prefix"]),
                ("ListBuckets", &[]),
                ("DeleteObject", &["Bucket", "Key"]),
                ("DeleteObjects", &["Bucket", "Delete"]),
                ("CopyObject", &["Bucket", "Key", "CopySource"]),
                ("HeadBucket", &["Bucket"]),
                ("CreateMultipartUpload", &["Bucket", "Key"]),
            ],
        ),
        (
            "dynamodb",
            &[
                ("PutItem", &["TableName", "Item"]),
                ("GetItem", &["TableName", "Key"]),
                ("DescribeTable", &["TableName"]),
                ("BatchWriteItem", &["RequestItems"]),
                ("DeleteItem", &["TableName", "Key"]),
            ],
        ),
        (
            "sqs",
            &[("SendMessage", &["QueueUrl", "MessageBody"]), ("ReceiveMessage", &["QueueUrl"]), ("DeleteMessage", &["QueueUrl", "ReceiptHandle"])],
        ),
        ("sns", &[("Publish", &["TopicArn", "Message"])]),
        ("ssm", &[("GetParameter", &["Name", "WithDecryption"])]),
        ("iot-data", &[("Publish", &["topic", "payload"])]),
        ("bedrock-runtime", &[("InvokeModel", &["modelId", "body"])]),
    ]);
    c.edit("s3", |s| {
        let ops = ["ListObjectsV2"];
        s.paginators = ops.iter().map(|o| o.to_string()).collect();
        s.waiters.insert(
            "object_exists".into(),
            serde_json::from_value(serde_json::json!({"name": "ObjectExists", "method": "object_exists", "operation": "HeadObject"})).unwrap(),
        );
        s.injected = serde_json::from_value(serde_json::json!([
            {"method": "upload_file", "operations": ["PutObject", "CreateMultipartUpload"], "extra_actions": [],
             "args": [{"keyword": "Filename", "position": 0, "member": null}, {"keyword": "Bucket", "position": 1, "member": "Bucket"},
                      {"keyword": "Key", "position": 2, "member": "Key"}], "note": ""},
            {"method": "generate_presigned_url", "operations": [], "extra_actions": [], "args": [], "note": ""}
        ]))
        .unwrap();
        s.resources = Some(
            serde_json::from_value(serde_json::json!({
                "service": {"identifiers": [], "shape": null, "load": null, "actions": {}, "batch_actions": {}, "collections": {
                    "Buckets": {"attribute": "buckets", "request": {"operation": "ListBuckets", "params": []},
                                "resource": {"type": "Bucket", "identifiers": [{"target": "Name", "source": "response", "path": "Buckets[].Name"}], "path": null}}},
                  "has": {"Bucket": {"resource": {"type": "Bucket", "identifiers": [{"target": "Name", "source": "input"}], "path": null}},
                          "Object": {"resource": {"type": "Object", "identifiers": [{"target": "BucketName", "source": "input"}, {"target": "Key", "source": "input"}], "path": null}}},
                  "waiters": {}},
                "resources": {
                  "Bucket": {"identifiers": [{"name": "Name", "attribute": "name", "member_name": null}], "shape": null, "load": null,
                    "actions": {"Delete": {"method": "delete", "request": {"operation": "DeleteBucket", "params": [{"target": "Bucket", "source": "identifier", "name": "Name"}]}, "resource": null}},
                    "batch_actions": {},
                    "collections": {"Objects": {"attribute": "objects", "request": {"operation": "ListObjects", "params": [{"target": "Bucket", "source": "identifier", "name": "Name"}]},
                      "resource": {"type": "ObjectSummary", "identifiers": [{"target": "BucketName", "source": "requestParameter", "path": "Bucket"}, {"target": "Key", "source": "response", "path": "Contents[].Key"}], "path": null}}},
                    "has": {"Object": {"resource": {"type": "Object", "identifiers": [{"target": "BucketName", "source": "identifier", "name": "Name"}, {"target": "Key", "source": "input"}], "path": null}}},
                    "waiters": {}},
                  "Object": {"identifiers": [{"name": "BucketName", "attribute": "bucket_name", "member_name": null}, {"name": "Key", "attribute": "key", "member_name": null}],
                    "shape": "HeadObjectOutput",
                    "load": {"operation": "HeadObject", "params": [{"target": "Bucket", "source": "identifier", "name": "BucketName"}, {"target": "Key", "source": "identifier", "name": "Key"}]},
                    "actions": {"Get": {"method": "get", "request": {"operation": "GetObject", "params": [{"target": "Bucket", "source": "identifier", "name": "BucketName"}, {"target": "Key", "source": "identifier", "name": "Key"}]}, "resource": null}},
                    "batch_actions": {}, "collections": {}, "has": {}, "waiters": {}},
                  "ObjectSummary": {"identifiers": [{"name": "BucketName", "attribute": "bucket_name", "member_name": null}, {"name": "Key", "attribute": "key", "member_name": null}],
                    "shape": null, "load": null,
                    "actions": {"Delete": {"method": "delete", "request": {"operation": "DeleteObject", "params": [{"target": "Bucket", "source": "identifier", "name": "BucketName"}, {"target": "Key", "source": "identifier", "name": "Key"}]}, "resource": null}},
                    "batch_actions": {"Delete": {"method": "delete", "request": {"operation": "DeleteObjects", "params": [{"target": "Bucket", "source": "identifier", "name": "BucketName"}, {"target": "Delete.Objects[*].Key", "source": "identifier", "name": "Key"}]}, "resource": null}},
                    "collections": {}, "has": {}, "waiters": {}}
                }
            }))
            .unwrap(),
        );
    });
    c.edit("dynamodb", |s| {
        s.resources = Some(
            serde_json::from_value(serde_json::json!({
                "service": {"identifiers": [], "shape": null, "load": null, "actions": {}, "batch_actions": {}, "collections": {},
                  "has": {"Table": {"resource": {"type": "Table", "identifiers": [{"target": "Name", "source": "input"}], "path": null}}}, "waiters": {}},
                "resources": {"Table": {"identifiers": [{"name": "Name", "attribute": "name", "member_name": null}], "shape": null,
                  "load": {"operation": "DescribeTable", "params": [{"target": "TableName", "source": "identifier", "name": "Name"}]},
                  "actions": {"PutItem": {"method": "put_item", "request": {"operation": "PutItem", "params": [{"target": "TableName", "source": "identifier", "name": "Name"}]}, "resource": null}},
                  "batch_actions": {}, "collections": {}, "has": {}, "waiters": {}}}
            }))
            .unwrap(),
        );
    });
    c
}

fn analyze(src: &str) -> FileAnalysis {
    analyze_opts(src, &AnalysisOptions::default())
}

fn analyze_opts(src: &str, opts: &AnalysisOptions) -> FileAnalysis {
    let doc = PythonDocument::parse(src.to_string());
    analyze_python_with(&doc, &ProjectIndex::new(), opts, &catalog())
}

fn ops(a: &FileAnalysis) -> Vec<String> {
    a.calls.iter().map(|c| format!("{}:{}", c.service, c.operation)).collect()
}

fn only(a: &FileAnalysis) -> &SdkCall {
    assert_eq!(a.calls.len(), 1, "expected one call, got {:?}", ops(a));
    &a.calls[0]
}

#[test]
fn files_without_an_sdk_import_yield_nothing() {
    let a = analyze("import redis\ncache = redis.Redis()\ncache.put_item(TableName='t', Item={})\ns3.get_object(Bucket='b', Key='k')\n");
    assert!(!a.imports_aws_sdk);
    assert!(a.calls.is_empty() && a.findings.is_empty());
}

#[test]
fn client_by_position_and_by_service_name_keyword() {
    let a = analyze("import boto3\na = boto3.client('s3', region_name='eu-west-1')\nb = boto3.client(service_name='sqs')\na.get_object(Bucket='b', Key='k')\nb.send_message(QueueUrl='u', MessageBody='m')\n");
    assert_eq!(ops(&a), ["s3:GetObject", "sqs:SendMessage"]);
    assert!(a.calls.iter().all(|c| c.confidence == Confidence::High && c.via == CallVia::Client));
    assert_eq!(a.calls[0].arg("Bucket"), Some(&Value::literal("b")));
}

#[test]
fn a_session_region_is_the_default_of_the_clients_and_resources_it_makes() {
    let src = "import boto3\nimport aioboto3\nREGION = 'eu-west-1'\nsession = boto3.Session(profile_name='p', region_name=REGION)\n\
ddb = session.client('dynamodb')\nddb.get_item(TableName='t', Key={})\n\
other = session.client('dynamodb', region_name='us-west-2')\nother.get_item(TableName='u', Key={})\n\
session.resource('dynamodb').Table('orders').put_item(Item={})\n\
boto3.Session().client('dynamodb').get_item(TableName='v', Key={})\n\
async def main():\n    async with aioboto3.Session(region_name='ap-south-1').client('sqs') as q:\n        await q.send_message(QueueUrl='u', MessageBody='m')\n";
    let a = analyze(src);
    let regions: Vec<(&str, Option<&str>)> = a.calls.iter().map(|c| (c.operation.as_str(), c.region.as_deref())).collect();
    assert_eq!(
        regions,
        [
            ("GetItem", Some("eu-west-1")),
            ("GetItem", Some("us-west-2")),
            ("PutItem", Some("eu-west-1")),
            ("GetItem", None),
            ("SendMessage", Some("ap-south-1")),
        ]
    );
}

#[test]
fn aliases_and_from_imports() {
    let a = analyze("import boto3 as b3\nfrom boto3 import client as mk\nx = b3.client('s3')\ny = mk('sns')\nx.list_buckets()\ny.publish(TopicArn='t', Message='m')\n");
    assert_eq!(ops(&a), ["s3:ListBuckets", "sns:Publish"]);
}

#[test]
fn sessions_in_every_spelling() {
    let src = "import boto3\nimport boto3.session\nfrom boto3.session import Session\n\
s1 = boto3.Session(profile_name='p')\ns2 = boto3.session.Session()\ns3 = Session()\n\
s1.client('s3').list_buckets()\ns2.client('sqs').receive_message(QueueUrl='u')\ns3.resource('dynamodb').Table('t').put_item(Item={})\n";
    let a = analyze(src);
    assert_eq!(ops(&a), ["s3:ListBuckets", "sqs:ReceiveMessage", "dynamodb:PutItem"]);
    assert!(a.calls.iter().all(|c| c.confidence == Confidence::High), "{:?}", a.calls);
}

#[test]
fn module_constant_as_service_name_and_module_client_in_function() {
    let a = analyze("import boto3\nSERVICE = 'ssm'\nssm = boto3.client(SERVICE)\n\ndef handler(event, context):\n    return ssm.get_parameter(Name='/app/db', WithDecryption=True)\n");
    let c = only(&a);
    assert_eq!((c.service.as_str(), c.operation.as_str(), c.scope.as_deref()), ("ssm", "GetParameter", Some("handler")));
    assert_eq!(c.arg("WithDecryption"), Some(&Value::Bool(true)));
}

#[test]
fn module_client_defined_after_the_function_still_resolves() {
    let a = analyze("import boto3\ndef f():\n    client.list_buckets()\nclient = boto3.client('s3')\n");
    assert_eq!(ops(&a), ["s3:ListBuckets"]);
}

#[test]
fn self_attribute_set_in_init_used_in_another_method() {
    let src = "import boto3\nclass Worker:\n    def run(self):\n        self.sqs.send_message(QueueUrl=self.url, MessageBody='x')\n    def __init__(self, url):\n        self.url = url\n        self.sqs = boto3.client('sqs')\n";
    let a = analyze(src);
    assert_eq!(only(&a).scope.as_deref(), Some("Worker.run"));
    let names: Vec<_> = a.scopes.iter().map(|s| s.name.clone()).collect();
    assert_eq!(names, [None, Some("Worker".to_string()), Some("Worker.run".to_string())]);
}

#[test]
fn factory_functions_decorated_or_not_and_parameterised() {
    let src = "import boto3, functools\n\n@functools.lru_cache\ndef s3():\n    session = boto3.Session()\n    return session.client('s3')\n\ndef make(name, **kw):\n    return boto3.client(name, **kw)\n\ns3().list_buckets()\nmake('sqs').receive_message(QueueUrl='u')\n";
    assert_eq!(ops(&analyze(src)), ["s3:ListBuckets", "sqs:ReceiveMessage"]);
}

#[test]
fn async_with_session_client() {
    let src = "import aioboto3\nasync def main():\n    session = aioboto3.Session()\n    async with session.client('s3') as s3:\n        await s3.put_object(Bucket='b', Key='k', Body=b'x')\n";
    assert_eq!(ops(&analyze(src)), ["s3:PutObject"]);
    let src = "from aiobotocore.session import get_session\nasync def go():\n    async with get_session().create_client('sqs') as c:\n        await c.send_message(QueueUrl='u', MessageBody='b')\n";
    assert_eq!(ops(&analyze(src)), ["sqs:SendMessage"]);
}

#[test]
fn stub_annotations_resolve_parameters_with_medium_confidence() {
    let src = "from mypy_boto3_s3 import S3Client\nfrom mypy_boto3_bedrock_runtime.client import BedrockRuntimeClient\nfrom typing import Optional\n\
def f(c: S3Client, b: 'BedrockRuntimeClient', o: Optional[S3Client] = None):\n    c.head_object(Bucket='b', Key='k')\n    b.invoke_model(modelId='m', body='{}')\n    o.list_buckets()\n";
    let a = analyze(src);
    assert_eq!(ops(&a), ["s3:HeadObject", "bedrock-runtime:InvokeModel", "s3:ListBuckets"]);
    assert!(a.calls.iter().all(|c| c.confidence == Confidence::Medium));
}

#[test]
fn reassignment_follows_source_order() {
    let a = analyze("import boto3\nc = boto3.client('s3')\nc.list_buckets()\nc = boto3.client('sqs')\nc.receive_message(QueueUrl='u')\n");
    assert_eq!(ops(&a), ["s3:ListBuckets", "sqs:ReceiveMessage"]);
}

#[test]
fn typos_are_reported_with_the_nearest_names() {
    let a = analyze("import boto3\ns3 = boto3.client('s3')\ns3.get_objects(Bucket='b', Key='k')\nboto3.client('s4')\n");
    assert!(a.calls.is_empty());
    let FindingKind::UnknownMethod { method, suggestions, .. } = &a.findings[0].kind else { panic!("{:?}", a.findings) };
    assert_eq!(method, "get_objects");
    assert_eq!(suggestions.first().map(String::as_str), Some("get_object"));
    assert!(a.findings[0].message.contains("get_object"));
    assert_eq!(a.findings[0].span.start.line, 2);
    assert!(
        matches!(&a.findings[1].kind, FindingKind::UnknownService { name, suggestions } if name == "s4" && suggestions.contains(&"s3".to_string()))
    );
}

#[test]
fn unresolved_receiver_with_one_candidate_is_used_with_low_confidence() {
    let a = analyze("import boto3\ndef save(table, item):\n    table.put_item(TableName='t', Item=item)\n");
    let c = only(&a);
    assert_eq!((c.service.as_str(), c.confidence), ("dynamodb", Confidence::Low));
}

#[test]
fn ambiguous_unresolved_calls_are_reported_and_hints_settle_them() {
    let src = "import boto3\ndef notify(client):\n    client.publish(Message='m')\n";
    // sns Publish takes Message; iot-data Publish does not: only sns remains.
    assert_eq!(ops(&analyze(src)), ["sns:Publish"]);
    let src = "import boto3\ndef notify(client, **kw):\n    client.publish()\n    client.publish(**kw)\n";
    assert!(analyze(src).calls.is_empty(), "no keywords: nothing to go on");
    let mut cat = catalog();
    cat.edit("iot-data", |s| {
        let op = s.operations.get_mut("Publish").unwrap();
        op.input_members.push(
            serde_json::from_value(serde_json::json!({"name": "Message", "required": false, "shape_type": "string", "identifies_resource": false}))
                .unwrap(),
        );
    });
    let src = "import boto3\ndef notify(client):\n    client.publish(Message='m')\n";
    let doc = PythonDocument::parse(src.into());
    let a = analyze_python_with(&doc, &ProjectIndex::new(), &AnalysisOptions::default(), &cat);
    assert!(a.calls.is_empty());
    assert!(matches!(&a.findings[0].kind, FindingKind::Ambiguous { candidates, .. } if candidates == &["iot-data".to_string(), "sns".to_string()]));
    let opts = AnalysisOptions { service_hints: vec!["sns".into()] };
    let a = analyze_python_with(&doc, &ProjectIndex::new(), &opts, &cat);
    assert_eq!(ops(&a), ["sns:Publish"]);
    assert!(a.findings.is_empty());
}

#[test]
fn non_aws_receivers_in_a_boto3_file_are_not_calls() {
    let src = "import boto3\nimport requests\nimport redis\nfrom mycache import Cache\n\
requests.get('http://x', timeout=3)\nr = redis.Redis()\nr.get('k')\ncache = Cache()\ncache.put_item(TableName='t', Item={})\n\
d = {}\nd.get('Key')\nd.update(Key=1)\nitems = []\nitems.append(1)\n";
    let a = analyze(src);
    assert!(a.calls.is_empty(), "{:?}", ops(&a));
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[test]
fn values_fstrings_concatenation_constants_environment_and_dicts() {
    let src = "import boto3, os\nPREFIX = 'logs'\nBUCKET = os.environ['BUCKET']\ns3 = boto3.client('s3')\n\
def f(day, n):\n    key = f\"{PREFIX}/{day}.json\"\n    s3.put_object(Bucket=BUCKET, Key=key, Body='%s-%d' % ('a', n))\n    s3.get_object(Bucket='b-' + os.getenv('ENV'), Key='{}/{x}'.format('p', x=n))\n    s3.copy_object(Bucket='b', Key='k', CopySource={'Bucket': 'src', 'Key': PREFIX + '/k'})\n    params = {'Bucket': 'spread', 'Key': 'k'}\n    s3.head_object(**params)\n";
    let a = analyze(src);
    let put = &a.calls[0];
    assert_eq!(put.arg("Key"), Some(&Value::Text(vec![TextPart::Literal("logs/".into()), TextPart::Unknown, TextPart::Literal(".json".into())])));
    assert_eq!(put.arg("Bucket"), Some(&Value::Text(vec![TextPart::Env("BUCKET".into())])), "a module constant read from the environment");
    assert_eq!(put.arg("Body").and_then(Value::as_pattern).as_deref(), Some("a-*"));
    let get = &a.calls[1];
    assert_eq!(get.arg("Bucket"), Some(&Value::Text(vec![TextPart::Literal("b-".into()), TextPart::Env("ENV".into())])));
    assert_eq!(get.arg("Bucket").and_then(Value::as_pattern).as_deref(), Some("b-*"));
    assert_eq!(get.arg("Key").and_then(Value::as_pattern).as_deref(), Some("p/*"));
    let copy = &a.calls[2];
    assert_eq!(copy.arg("CopySource").and_then(|v| v.get("Key")).and_then(Value::as_exact_str).as_deref(), Some("logs/k"));
    assert_eq!(a.calls[3].arg("Bucket"), Some(&Value::literal("spread")));
}

#[test]
fn paginators_waiters_and_injected_methods() {
    let src = "import boto3\ns3 = boto3.client('s3')\nfor page in s3.get_paginator('list_objects_v2').paginate(Bucket='b'):\n    pass\n\
p = s3.get_paginator('list_objects_v2')\np.paginate(Bucket='c')\ns3.get_waiter('object_exists').wait(Bucket='b', Key='k')\n\
s3.upload_file('/tmp/f', 'up', 'key')\nurl = s3.generate_presigned_url('get_object', Params={'Bucket': 'p', 'Key': 'k'}, ExpiresIn=60)\n\
s3.get_paginator('list_objectz')\n";
    let a = analyze(src);
    assert_eq!(ops(&a), ["s3:ListObjectsV2", "s3:ListObjectsV2", "s3:HeadObject", "s3:PutObject", "s3:CreateMultipartUpload", "s3:GetObject"]);
    assert_eq!(a.calls[0].via, CallVia::Paginator { method: "list_objects_v2".into() });
    assert_eq!(a.calls[2].via, CallVia::Waiter { name: "object_exists".into() });
    assert_eq!(a.calls[3].arg("Bucket"), Some(&Value::literal("up")));
    assert_eq!(a.calls[5].arg("Bucket"), Some(&Value::literal("p")));
    assert!(matches!(&a.findings[0].kind, FindingKind::UnknownMethod { method, .. } if method == "list_objectz"));
}

#[test]
fn resources_api_identifiers_map_to_members() {
    let src = "import boto3\ns3 = boto3.resource('s3')\nbucket = s3.Bucket('logs')\n\
for obj in bucket.objects.filter(Prefix='2024/'):\n    obj.delete()\n\
o = bucket.Object('k')\nbody = o.get()['Body']\nsize = o.content_length\nbucket.objects.delete()\n\
table = boto3.resource('dynamodb').Table('users')\ntable.put_item(Item={'id': 1})\nwith table.batch_writer() as batch:\n    batch.put_item(Item={})\nfor b in s3.buckets.all():\n    b.delete()\nprint(o.key, bucket.name)\n";
    let a = analyze(src);
    assert_eq!(
        ops(&a),
        [
            "s3:ListObjects",
            "s3:DeleteObject",
            "s3:GetObject",
            "s3:HeadObject",
            "s3:ListObjects",
            "s3:DeleteObjects",
            "dynamodb:PutItem",
            "dynamodb:BatchWriteItem",
            "s3:ListBuckets",
            "s3:DeleteBucket"
        ]
    );
    assert_eq!(a.calls[0].arg("Prefix"), Some(&Value::literal("2024/")));
    assert_eq!(a.calls[1].arg("Bucket"), Some(&Value::literal("logs")));
    assert_eq!(a.calls[2].arg("Key"), Some(&Value::literal("k")));
    assert_eq!(a.calls[3].via, CallVia::Resource { resource: "Object".into(), action: "load".into() });
    assert_eq!(a.calls[6].arg("TableName"), Some(&Value::literal("users")));
    assert_eq!(a.calls[7].arg("TableName"), Some(&Value::literal("users")));
}

#[test]
fn meta_client_of_a_resource_is_a_client() {
    let a = analyze("import boto3\nr = boto3.resource('s3')\nr.meta.client.head_bucket(Bucket='b')\n");
    assert_eq!(ops(&a), ["s3:HeadBucket"]);
}

#[test]
fn syntax_errors_recover_and_name_the_line() {
    let src = "import boto3\ns3 = boto3.client('s3')\ndef broken(:\n    pass\ns3.list_buckets()\n";
    let a = analyze(src);
    assert_eq!(ops(&a), ["s3:ListBuckets"]);
    let err = a.findings.iter().find(|f| f.kind == FindingKind::SyntaxError).expect("syntax finding");
    assert!(err.message.contains("line 3"), "{}", err.message);
}

#[test]
fn columns_are_utf8_bytes_on_non_ascii_lines() {
    let a = analyze("import boto3\ns3 = boto3.client('s3')\nx = 'é'; s3.list_buckets()  # ünïcode\n");
    let c = only(&a);
    assert_eq!(c.span.start.line, 2);
    assert_eq!(c.span.start.column, 10);
    assert_eq!(c.name_span.start.column, 13);
    assert_eq!(&a.calls[0].text, "s3.list_buckets()");
}

#[test]
fn deep_nesting_and_junk_do_not_crash() {
    let deep = format!("import boto3\nx = {}1{}\ns3 = boto3.client('s3')\ns3.list_buckets()\n", "(".repeat(5000), ")".repeat(5000));
    let a = analyze(&deep);
    assert!(a.imports_aws_sdk);
    let chain = format!("import boto3\nc = boto3.client('s3')\nc{}\n", ".get_object(Bucket='b')".repeat(3000));
    let _ = analyze(&chain);
    let nested_calls = format!("import boto3\n{}boto3.client('s3'){}\n", "f(".repeat(3000), ")".repeat(3000));
    let _ = analyze(&nested_calls);
    let junk: String = (0..20_000u32).map(|i| char::from_u32(i % 0x2FF + 1).unwrap_or('x')).collect();
    let _ = analyze(&format!("import boto3\n{junk}"));
}

#[test]
fn dotted_imports_reach_clients_of_submodules_without_an_indexed_package() {
    let cat = catalog();
    let mut index = ProjectIndex::new();
    let lib = PythonDocument::parse("import boto3\nBUCKET = 'shared'\ns3 = boto3.client('s3')\n".into());
    index.update_file_with(std::path::Path::new("app/aws.py"), &lib, &cat);
    // No `app/__init__.py` in the index (a namespace package, or an empty one).
    let user = PythonDocument::parse("import app.aws\n\ndef go():\n    app.aws.s3.get_object(Bucket=app.aws.BUCKET, Key='k')\n".into());
    let a = analyze_python_with(&user, &index, &AnalysisOptions::default(), &cat);
    assert_eq!(ops(&a), ["s3:GetObject"]);
    assert_eq!(a.calls[0].arg("Bucket"), Some(&Value::literal("shared")));
    // With the package indexed too, the same.
    index.update_file_with(std::path::Path::new("app/__init__.py"), &PythonDocument::parse("VERSION = 1\n".into()), &cat);
    let a = analyze_python_with(&PythonDocument::parse(user.text().to_string()), &index, &AnalysisOptions::default(), &cat);
    assert_eq!(ops(&a), ["s3:GetObject"]);
    // An unrelated package of the same first name does not resolve.
    let other = PythonDocument::parse("import boto3\nimport apps.aws\napps.aws.s3.get_object(Bucket='b', Key='k')\n".into());
    assert!(analyze_python_with(&other, &index, &AnalysisOptions::default(), &cat).calls.iter().all(|c| c.confidence != Confidence::High));
}

#[test]
fn cross_file_clients_factories_and_constants() {
    let cat = catalog();
    let mut index = ProjectIndex::new();
    let lib = PythonDocument::parse(
        "import boto3\nBUCKET = 'shared'\ns3 = boto3.client('s3')\ndef table():\n    return boto3.resource('dynamodb').Table('t')\n".into(),
    );
    index.update_file_with(std::path::Path::new("app/aws.py"), &lib, &cat);
    let reexport = PythonDocument::parse("from .aws import s3 as client\n".into());
    index.update_file_with(std::path::Path::new("app/__init__.py"), &reexport, &cat);
    let user = PythonDocument::parse(
        "import boto3\nfrom app.aws import s3, table, BUCKET\nfrom app import client\ndef go():\n    s3.get_object(Bucket=BUCKET, Key='k')\n    table().put_item(Item={})\n    client.list_buckets()\n".into(),
    );
    let a = analyze_python_with(&user, &index, &AnalysisOptions::default(), &cat);
    assert_eq!(ops(&a), ["s3:GetObject", "dynamodb:PutItem", "s3:ListBuckets"]);
    assert_eq!(a.calls[0].arg("Bucket"), Some(&Value::literal("shared")));
    assert_eq!(a.calls[1].confidence, Confidence::Medium);
    index.remove_file(std::path::Path::new("app/aws.py"));
    let a = analyze_python_with(&user, &index, &AnalysisOptions::default(), &cat);
    assert!(!ops(&a).contains(&"s3:GetObject".to_string()));
}

#[test]
fn bindings_inside_if_try_and_with_blocks_count() {
    let src = "import boto3\nif True:\n    s3 = boto3.client('s3')\nelse:\n    s3 = None\ntry:\n    q = boto3.client('sqs')\nexcept Exception:\n    raise\nwith open('f') as fh:\n    s3.put_object(Bucket='b', Key='k', Body=fh)\n    q.receive_message(QueueUrl='u')\n";
    assert_eq!(ops(&analyze(src)), ["s3:PutObject", "sqs:ReceiveMessage"]);
}

#[test]
fn comprehension_variables_over_collections() {
    let src = "import boto3\nbucket = boto3.resource('s3').Bucket('b')\nkeys = [o.delete() for o in bucket.objects.all()]\n";
    // Calls are in source order: the element's call comes first in the text.
    assert_eq!(ops(&analyze(src)), ["s3:DeleteObject", "s3:ListObjects"]);
}

#[test]
fn client_exceptions_and_helpers_are_not_operations() {
    let src = "import boto3\ns3 = boto3.client('s3')\ntry:\n    s3.head_bucket(Bucket='b')\nexcept s3.exceptions.NoSuchBucket:\n    pass\ns3.can_paginate('list_objects_v2')\ns3.close()\nregion = s3.meta.region_name\n";
    let a = analyze(src);
    assert_eq!(ops(&a), ["s3:HeadBucket"]);
    assert!(a.findings.is_empty(), "{:?}", a.findings);
}

#[test]
fn capitalised_or_fuzzy_method_names_are_typos_not_operations() {
    let a = analyze("import boto3\ns3 = boto3.client('s3')\ns3.GetObject(Bucket='b', Key='k')\n");
    assert!(a.calls.is_empty());
    assert!(matches!(&a.findings[0].kind, FindingKind::UnknownMethod { method, .. } if method == "GetObject"));
}

/// Property: after any sequence of edits, analysing the edited document gives
/// exactly what analysing a fresh parse of the same text gives.
mod incremental {
    use super::*;
    use proptest::prelude::*;

    const BASE: &str = "import boto3\nimport os\nBUCKET = os.environ['B']\ns3 = boto3.client('s3')\n\nclass Worker:\n    def __init__(self):\n        self.q = boto3.client('sqs')\n\n    def run(self, key):\n        self.q.send_message(QueueUrl='u', MessageBody=key)\n        s3.get_object(Bucket=BUCKET, Key=f'in/{key}.json')\n\ndef handler(event, context):\n    for page in s3.get_paginator('list_objects_v2').paginate(Bucket='b'):\n        s3.delete_object(Bucket='b', Key=page['k'])\n";
    const SNIPPETS: &[&str] = &[
        "s3.list_buckets()\n",
        "(",
        ")",
        "\n    ",
        "'",
        "é",
        "s3.get_objects(Bucket='x')",
        "x = boto3.client('sqs')\n",
        "def f(:\n",
        "#",
        "\"\"\"",
        ":",
        "self.q.",
        "",
    ];

    /// Found by the property below: an import line broken by an edit (`import bo#…`)
    /// turns every client of the file into an unknown receiver.
    #[test]
    fn a_broken_import_edit_analyses_like_a_fresh_parse() {
        let cat = catalog();
        let index = ProjectIndex::new();
        let opts = AnalysisOptions::default();
        let mut doc = PythonDocument::parse(BASE.to_string());
        for (start, len, snippet) in [(251usize, 3usize, 1usize), (1347, 39, 9), (959, 0, 2)] {
            let start = start % (doc.text().len() + 1);
            doc.edit(start, start + len, SNIPPETS[snippet]);
            let fresh = PythonDocument::parse(doc.text().to_string());
            let edited = analyze_python_with(&doc, &index, &opts, &cat);
            let again = analyze_python_with(&fresh, &index, &opts, &cat);
            assert_eq!(
                serde_json::to_string(&edited.calls).unwrap(),
                serde_json::to_string(&again.calls).unwrap(),
                "after {start}: {:?}",
                doc.text()
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn edited_document_analyses_like_a_fresh_parse(edits in proptest::collection::vec((0usize..2000, 0usize..40, 0usize..SNIPPETS.len()), 1..12)) {
            let cat = catalog();
            let index = ProjectIndex::new();
            let opts = AnalysisOptions::default();
            let mut doc = PythonDocument::parse(BASE.to_string());
            for (start, len, snippet) in edits {
                let start = start % (doc.text().len() + 1);
                doc.edit(start, start + len, SNIPPETS[snippet]);
                let fresh = PythonDocument::parse(doc.text().to_string());
                prop_assert_eq!(doc.tree().unwrap().root_node().to_sexp(), fresh.tree().unwrap().root_node().to_sexp());
                let edited = analyze_python_with(&doc, &index, &opts, &cat);
                let again = analyze_python_with(&fresh, &index, &opts, &cat);
                prop_assert_eq!(serde_json::to_string(&edited).unwrap(), serde_json::to_string(&again).unwrap());
            }
        }
    }

    /// A module whose definitions depend on each other's facts: factories
    /// (plain, parameterised, through another factory), class attributes,
    /// module constants, a decorated function and a module-level client.
    const LINKED: &str = "import boto3\nREGION = 'eu-west-1'\nQUEUE = 'jobs'\n\ndef make(service):\n    return boto3.client(service)\n\ndef storage():\n    return boto3.client('s3')\n\ndef via_other():\n    return storage()\n\nclass Store:\n    kind = 'sqs'\n    def __init__(self):\n        self.client = boto3.client('sqs')\n\n    def send(self, body):\n        self.client.send_message(QueueUrl=QUEUE, MessageBody=body)\n\ndef use_store():\n    Store().client.receive_message(QueueUrl=QUEUE)\n\ndef use_factories():\n    make('sqs').send_message(QueueUrl=QUEUE, MessageBody='x')\n    storage().list_buckets()\n    via_other().get_object(Bucket='b', Key='k')\n\n@staticmethod\ndef decorated():\n    shared.put_object(Bucket='b', Key='k', Body=b'')\n\nshared = boto3.client('s3')\n\ndef plain(key):\n    shared.head_object(Bucket='b', Key=key)\n";

    /// Edits that keep the module valid Python, so the cached path is taken:
    /// (text to find, replacement). Each changes a fact another definition uses.
    const SWAPS: &[(&str, &str)] = &[
        ("'s3'", "'sqs'"),
        ("'sqs'", "'s3'"),
        ("return storage()", "return make('sqs')"),
        ("return make('sqs')", "return storage()"),
        ("self.client = boto3.client('sqs')", "self.client = boto3.client('s3')"),
        ("self.client = boto3.client('s3')", "self.client = boto3.client('sqs')"),
        ("self.client", "self.other"),
        ("self.other", "self.client"),
        ("QUEUE = 'jobs'", "QUEUE = 'work'"),
        ("shared = boto3.client('s3')", "shared = storage()"),
        ("shared = storage()", "shared = boto3.client('s3')"),
        ("def storage():", "def storage_():"),
        ("def storage_():", "def storage():"),
        ("def plain(key):\n", "def plain(key):\n    storage().delete_object(Bucket='b', Key=key)\n"),
        ("\ndef use_store():", "\ndef added():\n    make('s3').list_buckets()\n\ndef use_store():"),
        ("list_buckets()", "list_bucket()"),
        ("list_bucket()", "list_buckets()"),
        ("Key='k'", "Key=f'{QUEUE}/k'"),
        ("class Store:", "class Store(object):"),
        ("@staticmethod\n", ""),
        ("\ndef decorated", "\n@staticmethod\ndef decorated"),
        ("    kind = 'sqs'\n", ""),
        ("make('sqs')", "make(Store.kind)"),
        ("\n\n", "\n\n# note\n"),
        ("(", "(("),
        ("def via_other():\n    return storage()\n", ""),
        ("\nclass Store:", "\ndef via_other():\n    return make('s3')\n\nclass Store:"),
        ("\ndef use_store():\n    Store().client.receive_message(QueueUrl=QUEUE)\n", ""),
    ];

    /// Helpers that make the operations their callers name, and their callers.
    const HELPERS: &str = "import boto3\nREGION = 'eu-west-1'\n\ndef make(service):\n    return boto3.client(service)\n\ndef pages(client, op, **kwargs):\n    return client.get_paginator(op).paginate(**kwargs)\n\ndef pages_of(service, op):\n    return pages(make(service), op, MaxResults=5)\n\ndef call(client, method, **params):\n    return getattr(client, method)(**params)\n\ndef walk():\n    pages(make('sqs'), 'list_queues', QueueNamePrefix='j')\n    pages_of('s3', 'list_objects_v2')\n    call(make('sns'), 'list_topics')\n";

    const HELPER_SWAPS: &[(&str, &str)] = &[
        ("'list_queues'", "'list_dead_letter_source_queues'"),
        ("'list_dead_letter_source_queues'", "'list_queues'"),
        ("get_paginator(op)", "get_waiter(op)"),
        ("get_waiter(op)", "get_paginator(op)"),
        ("def pages(client, op", "def pages(op, client"),
        ("def pages(op, client", "def pages(client, op"),
        ("pages(make(service), op", "pages(boto3.client(service), op"),
        ("pages(boto3.client(service), op", "pages(make(service), op"),
        ("pages_of('s3'", "pages_of(REGION"),
        ("pages_of(REGION", "pages_of('s3'"),
        ("getattr(client, method)", "getattr(client, 'publish')"),
        ("getattr(client, 'publish')", "getattr(client, method)"),
        ("\ndef walk", "\ndef other():\n    call(make('sqs'), 'list_queues')\n\ndef walk"),
        ("\n\n", "\n\n# note\n"),
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Edits to helpers (what they make, which parameter holds what) and
        /// to their callers: the edited document analyses like a fresh one.
        #[test]
        fn reused_helper_results_equal_a_fresh_analysis(steps in proptest::collection::vec((0usize..HELPER_SWAPS.len(), 0usize..4), 1..12)) {
            let cat = iamlens_engine::catalog::embedded();
            let index = ProjectIndex::new();
            let opts = AnalysisOptions::default();
            let mut doc = PythonDocument::parse(HELPERS.to_string());
            analyze_python_with(&doc, &index, &opts, cat);
            for (swap, nth) in steps {
                let (from, to) = HELPER_SWAPS[swap];
                if !doc.replace_nth(from, to, nth) {
                    continue;
                }
                let edited = analyze_python_with(&doc, &index, &opts, cat);
                let fresh = analyze_python_with(&PythonDocument::parse(doc.text().to_string()), &index, &opts, cat);
                prop_assert_eq!(serde_json::to_string(&edited).unwrap(), serde_json::to_string(&fresh).unwrap(), "after {:?} -> {:?} in\n{}", from, to, doc.text());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        /// The reused-results path: after each of a sequence of valid edits
        /// (which change factories, class attributes, constants, names and
        /// the layout), the analysis of the edited document equals a fresh one.
        #[test]
        fn reused_results_equal_a_fresh_analysis(steps in proptest::collection::vec((0usize..SWAPS.len(), 0usize..8), 1..16)) {
            let cat = catalog();
            let index = ProjectIndex::new();
            let opts = AnalysisOptions::default();
            let mut doc = PythonDocument::parse(LINKED.to_string());
            analyze_python_with(&doc, &index, &opts, &cat);
            for (swap, nth) in steps {
                let (from, to) = SWAPS[swap];
                if !doc.replace_nth(from, to, nth) {
                    continue;
                }
                let edited = analyze_python_with(&doc, &index, &opts, &cat);
                let fresh = analyze_python_with(&PythonDocument::parse(doc.text().to_string()), &index, &opts, &cat);
                prop_assert_eq!(serde_json::to_string(&edited).unwrap(), serde_json::to_string(&fresh).unwrap(), "after {:?} -> {:?} in\n{}", from, to, doc.text());
            }
        }
    }

    /// Half-typed code: what a buffer holds between keystrokes.
    const TYPING: &[&str] = &["(", ")", ":", "def g(:\n", "s3.get_object(Bucket=", "\n    x = make(", "'", "class C", "\n@", "\n\n"];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        /// Reuse with syntax errors in the tree: valid edits mixed with
        /// half-typed text at random places (sometimes deleted again right
        /// after, as typing does), compared with a fresh analysis each time.
        #[test]
        fn reused_results_survive_half_typed_code(steps in proptest::collection::vec((0usize..3, 0usize..64, 0usize..4000), 1..16)) {
            let cat = catalog();
            let index = ProjectIndex::new();
            let opts = AnalysisOptions::default();
            let mut doc = PythonDocument::parse(LINKED.to_string());
            analyze_python_with(&doc, &index, &opts, &cat);
            for (kind, pick, offset) in steps {
                let len = doc.text().len();
                let at = (offset % (len + 1)..=len).find(|&i| doc.text().is_char_boundary(i)).unwrap_or(len);
                match kind {
                    0 => {
                        let (from, to) = SWAPS[pick % SWAPS.len()];
                        if let Some(i) = doc.text().find(from) {
                            doc.edit(i, i + from.len(), to);
                        }
                    }
                    1 => {
                        doc.edit(at, at, TYPING[pick % TYPING.len()]);
                    }
                    _ => {
                        let typed = TYPING[pick % TYPING.len()];
                        doc.edit(at, at, typed);
                        let edited = analyze_python_with(&doc, &index, &opts, &cat);
                        let fresh = analyze_python_with(&PythonDocument::parse(doc.text().to_string()), &index, &opts, &cat);
                        prop_assert_eq!(serde_json::to_string(&edited).unwrap(), serde_json::to_string(&fresh).unwrap(), "typed {:?} at {} in\n{}", typed, at, doc.text());
                        doc.edit(at, at + typed.len(), "");
                    }
                }
                let edited = analyze_python_with(&doc, &index, &opts, &cat);
                let fresh = analyze_python_with(&PythonDocument::parse(doc.text().to_string()), &index, &opts, &cat);
                prop_assert_eq!(serde_json::to_string(&edited).unwrap(), serde_json::to_string(&fresh).unwrap(), "in\n{}", doc.text());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        /// The viewport analysis: whatever state the module is in (valid
        /// edits and half-typed text) and whatever byte range is asked for,
        /// every call the whole-file analysis finds in the range is in the
        /// range analysis, identical, and the range analysis finds no call
        /// the whole-file analysis does not.
        #[test]
        fn range_analysis_agrees_with_the_whole_file(
            steps in proptest::collection::vec((0usize..3, 0usize..64, 0usize..4000), 0..8),
            from in 0usize..4000,
            len in 0usize..800,
        ) {
            let cat = catalog();
            let index = ProjectIndex::new();
            let opts = AnalysisOptions::default();
            let mut doc = PythonDocument::parse(LINKED.to_string());
            // A remembered whole-file analysis of an earlier text, as the range analysis finds it.
            analyze_python_with(&doc, &index, &opts, &cat);
            for (kind, pick, offset) in steps {
                if kind == 2 {
                    analyze_python_with(&doc, &index, &opts, &cat);
                    continue;
                }
                let text_len = doc.text().len();
                let at = (offset % (text_len + 1)..=text_len).find(|&i| doc.text().is_char_boundary(i)).unwrap_or(text_len);
                if kind == 0 {
                    let (old, new) = SWAPS[pick % SWAPS.len()];
                    if let Some(i) = doc.text().find(old) {
                        doc.edit(i, i + old.len(), new);
                    }
                } else {
                    doc.edit(at, at, TYPING[pick % TYPING.len()]);
                }
            }
            let start = from % (doc.text().len() + 1);
            let range = start..(start + len).min(doc.text().len());
            let part = analyze_python_range_with(&doc, &index, &opts, &cat, range.clone());
            let whole = analyze_python_with(&PythonDocument::parse(doc.text().to_string()), &index, &opts, &cat);
            let json = |c: &SdkCall| serde_json::to_string(c).unwrap();
            let part_calls: Vec<String> = part.calls.iter().map(json).collect();
            let whole_calls: Vec<String> = whole.calls.iter().map(json).collect();
            for call in whole.calls.iter().filter(|c| c.span.start_byte <= range.end && c.span.end_byte >= range.start) {
                prop_assert!(part_calls.contains(&json(call)), "missing {} for {:?} in\n{}", json(call), range, doc.text());
            }
            for call in &part_calls {
                prop_assert!(whole_calls.contains(call), "extra {} for {:?} in\n{}", call, range, doc.text());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Typing without settling (the language server's keystrokes): the
        /// whole-file analysis still equals a fresh parse's.
        #[test]
        fn whole_file_results_of_unsettled_edits_equal_a_fresh_analysis(steps in proptest::collection::vec((0usize..64, 0usize..4000, any::<bool>()), 1..12)) {
            let cat = catalog();
            let index = ProjectIndex::new();
            let opts = AnalysisOptions::default();
            let mut doc = PythonDocument::parse(LINKED.to_string());
            analyze_python_with(&doc, &index, &opts, &cat);
            for (pick, offset, analyse) in steps {
                let len = doc.text().len();
                let at = (offset % (len + 1)..=len).find(|&i| doc.text().is_char_boundary(i)).unwrap_or(len);
                doc.edit_unsettled(at, at, TYPING[pick % TYPING.len()]);
                if analyse {
                    let edited = analyze_python_with(&doc, &index, &opts, &cat);
                    let fresh = analyze_python_with(&PythonDocument::parse(doc.text().to_string()), &index, &opts, &cat);
                    prop_assert_eq!(serde_json::to_string(&edited).unwrap(), serde_json::to_string(&fresh).unwrap(), "in\n{}", doc.text());
                }
            }
        }
    }

    #[test]
    fn a_range_analysis_walks_only_what_the_range_needs() {
        let cat = catalog();
        let doc = PythonDocument::parse(LINKED.to_string());
        let at = LINKED.find("storage().list_buckets()").unwrap();
        let part = analyze_python_range_with(&doc, &ProjectIndex::new(), &AnalysisOptions::default(), &cat, at..at + 1);
        // use_factories() alone: the factory's facts are evaluated on demand.
        let ops: Vec<&str> = part.calls.iter().map(|c| c.operation.as_str()).collect();
        assert_eq!(ops, ["SendMessage", "ListBuckets", "GetObject"]);
    }

    #[test]
    fn a_range_analysis_reuses_unchanged_definitions_and_leaves_the_snapshot() {
        let cat = catalog();
        let (index, opts) = (ProjectIndex::new(), AnalysisOptions::default());
        let mut doc = PythonDocument::parse(LINKED.to_string());
        analyze_python_with(&doc, &index, &opts, &cat);
        let at = doc.text().find("Key=key)").unwrap();
        doc.edit(at, at, " ");
        let (from, to) = (doc.text().find("def use_store").unwrap(), doc.text().find("@staticmethod").unwrap());
        let reused = || crate::incremental::REUSED.with(|n| n.get());
        let before = reused();
        let part = analyze_python_range_with(&doc, &index, &opts, &cat, from..to - 2);
        assert_eq!(reused() - before, 2, "use_store and use_factories come from the snapshot");
        assert_eq!(
            part.calls.iter().map(|c| c.operation.as_str()).collect::<Vec<_>>(),
            ["ReceiveMessage", "SendMessage", "ListBuckets", "GetObject"]
        );
        // The whole-file analysis still finds the snapshot: only `plain` is walked.
        let before = reused();
        analyze_python_with(&doc, &index, &opts, &cat);
        assert!(reused() - before >= 6, "{}", reused() - before);
    }

    #[test]
    fn definitions_away_from_a_syntax_error_are_reused() {
        let cat = catalog();
        let mut doc = PythonDocument::parse(LINKED.to_string());
        analyze_python_with(&doc, &ProjectIndex::new(), &AnalysisOptions::default(), &cat);
        let (reused, a) = reused_after(&cat, &mut doc, "shared.head_object(Bucket='b', Key=key)", "shared.head_object(Bucket='b', Key=key");
        assert!(a.findings.iter().any(|f| f.kind == FindingKind::SyntaxError), "{:?}", a.findings);
        assert!(reused >= 5, "only {reused} definitions reused");
    }

    fn reused_after(cat: &FakeCatalog, doc: &mut PythonDocument, from: &str, to: &str) -> (usize, FileAnalysis) {
        let (index, opts) = (ProjectIndex::new(), AnalysisOptions::default());
        let at = doc.text().find(from).expect("edit anchor");
        doc.edit(at, at + from.len(), to);
        let before = crate::incremental::REUSED.with(|n| n.get());
        let a = analyze_python_with(doc, &index, &opts, cat);
        let fresh = analyze_python_with(&PythonDocument::parse(doc.text().to_string()), &index, &opts, cat);
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&fresh).unwrap());
        (crate::incremental::REUSED.with(|n| n.get()) - before, a)
    }

    fn sqs_typos(a: &FileAnalysis) -> Vec<&str> {
        a.findings
            .iter()
            .filter_map(|f| match &f.kind {
                FindingKind::UnknownMethod { service, method, .. } if service == "sqs" => Some(method.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn an_edit_inside_one_function_reuses_the_others_and_shifts_their_spans() {
        let cat = catalog();
        let mut doc = PythonDocument::parse(LINKED.to_string());
        let first = analyze_python_with(&doc, &ProjectIndex::new(), &AnalysisOptions::default(), &cat);
        assert_eq!(
            ops(&first),
            ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:SendMessage", "s3:ListBuckets", "s3:GetObject", "s3:PutObject", "s3:HeadObject"]
        );
        let (reused, a) = reused_after(&cat, &mut doc, "def plain(key):\n", "def plain(key):\n    # two\n    # lines\n");
        assert!(reused >= 5, "only {reused} definitions reused");
        // A definition before the edit keeps its spans; `plain`'s call moved down two lines.
        assert_eq!(a.calls[0].span, first.calls[0].span);
        let (old, new) = (first.calls.last().unwrap(), a.calls.last().unwrap());
        assert_eq!((new.span.start.line, new.operation.as_str()), (old.span.start.line + 2, "HeadObject"));
    }

    #[test]
    fn a_changed_factory_reaches_every_caller_even_through_another_factory() {
        let cat = catalog();
        let mut doc = PythonDocument::parse(LINKED.to_string());
        analyze_python_with(&doc, &ProjectIndex::new(), &AnalysisOptions::default(), &cat);
        let (_, a) = reused_after(&cat, &mut doc, "return boto3.client('s3')", "return boto3.client('sqs')");
        // `storage()` and `via_other()` are SQS clients now: S3 methods on them are typos.
        assert_eq!(ops(&a), ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:SendMessage", "s3:PutObject", "s3:HeadObject"]);
        assert_eq!(sqs_typos(&a), ["list_buckets", "get_object"]);
    }

    #[test]
    fn a_changed_class_attribute_reaches_users_of_the_class() {
        let cat = catalog();
        let mut doc = PythonDocument::parse(LINKED.to_string());
        analyze_python_with(&doc, &ProjectIndex::new(), &AnalysisOptions::default(), &cat);
        let (reused, a) = reused_after(&cat, &mut doc, "self.client = boto3.client('sqs')", "self.client = boto3.client('s3')");
        assert!(reused >= 3, "only {reused} definitions reused");
        // `Store.send` (same class) and `use_store` (another definition) both see an S3 client now.
        let typos: Vec<(&str, &str)> = a
            .findings
            .iter()
            .filter_map(|f| match &f.kind {
                FindingKind::UnknownMethod { service, method, .. } => Some((service.as_str(), method.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(typos, [("s3", "send_message"), ("s3", "receive_message")]);
    }

    /// Found by `reused_results_survive_half_typed_code` once SWAPS could
    /// delete a function (and present before this branch): `use_store` took
    /// facts from the class before it, whose text was unchanged but which
    /// had a syntax error, and whose recovery parse (so its facts) changed
    /// with an edit elsewhere; `use_store` was reused with the old facts'
    /// result. A statement with a syntax error now never vouches for another.
    #[test]
    fn a_function_after_a_broken_class_keeps_its_calls_when_reused() {
        let cat = catalog();
        let index = ProjectIndex::new();
        let opts = AnalysisOptions::default();
        let mut doc = PythonDocument::parse(LINKED.to_string());
        analyze_python_with(&doc, &index, &opts, &cat);
        // Typing at an offset (modulo the length, to a char boundary), or replacing the first `from`.
        let steps: [(Option<usize>, &str, &str); 5] = [
            (Some(931), "", "s3.get_object(Bucket="),
            (None, "def via_other():\n    return storage()\n", ""),
            (Some(1788), "", ")"),
            (None, "\n\n", "\n\n# note\n"),
            (Some(555), "", ")"),
        ];
        for (offset, from, to) in steps {
            match offset {
                Some(offset) => {
                    let len = doc.text().len();
                    let at = (offset % (len + 1)..=len).find(|&i| doc.text().is_char_boundary(i)).unwrap_or(len);
                    doc.edit(at, at, to);
                }
                None => {
                    let i = doc.text().find(from).unwrap();
                    doc.edit(i, i + from.len(), to);
                }
            }
            let edited = analyze_python_with(&doc, &index, &opts, &cat);
            let fresh = analyze_python_with(&PythonDocument::parse(doc.text().to_string()), &index, &opts, &cat);
            assert_eq!(serde_json::to_string(&edited).unwrap(), serde_json::to_string(&fresh).unwrap(), "in\n{}", doc.text());
        }
    }

    #[test]
    fn adding_or_deleting_a_definition_re_walks_only_what_names_it() {
        let cat = catalog();
        let mut doc = PythonDocument::parse(LINKED.to_string());
        analyze_python_with(&doc, &ProjectIndex::new(), &AnalysisOptions::default(), &cat);
        // A new function nobody calls: every other definition stands.
        let (reused, _) = reused_after(&cat, &mut doc, "\nclass Store:", "\ndef added():\n    make('s3').list_buckets()\n\nclass Store:");
        assert_eq!(reused, 8, "make, storage, via_other, Store, use_store, use_factories, decorated, plain");
        // A function deleted: only its callers (and theirs) are walked again.
        let (reused, _) = reused_after(&cat, &mut doc, "def via_other():\n    return storage()\n", "");
        assert_eq!(reused, 7, "all but use_factories, which calls via_other");
        // A renamed factory: its callers see the new binding.
        let (reused, _) = reused_after(&cat, &mut doc, "def storage():", "def storage_():");
        assert_eq!(reused, 6, "all but storage_ (changed) and use_factories (calls storage)");
    }

    #[test]
    fn a_changed_module_binding_re_walks_everything() {
        let cat = catalog();
        let mut doc = PythonDocument::parse(LINKED.to_string());
        analyze_python_with(&doc, &ProjectIndex::new(), &AnalysisOptions::default(), &cat);
        let (reused, a) = reused_after(&cat, &mut doc, "shared = boto3.client('s3')", "shared = boto3.client('sqs')");
        assert_eq!(reused, 0);
        assert_eq!(sqs_typos(&a), ["put_object", "head_object"]);
    }

    #[test]
    fn a_new_index_or_other_options_are_never_served_from_the_cache() {
        let cat = catalog();
        let opts = AnalysisOptions::default();
        let doc = PythonDocument::parse("import boto3\nfrom app.aws import client\n\ndef f():\n    client.list_buckets()\n".to_string());
        let empty = ProjectIndex::new();
        assert!(analyze_python_with(&doc, &empty, &opts, &cat).calls.iter().all(|c| c.service != "s3" || c.confidence != Confidence::High));
        let mut index = ProjectIndex::new();
        index.update_file_with(
            std::path::Path::new("app/aws.py"),
            &PythonDocument::parse("import boto3\nclient = boto3.client('s3')\n".into()),
            &cat,
        );
        let a = analyze_python_with(&doc, &index, &opts, &cat);
        assert_eq!((a.calls[0].service.as_str(), a.calls[0].confidence), ("s3", Confidence::High));
        let hinted = AnalysisOptions { service_hints: vec!["sqs".into()] };
        let fresh = analyze_python_with(&PythonDocument::parse(doc.text().to_string()), &empty, &hinted, &cat);
        assert_eq!(serde_json::to_string(&analyze_python_with(&doc, &empty, &hinted, &cat)).unwrap(), serde_json::to_string(&fresh).unwrap());
    }
}

#[test]
fn lazily_initialised_global_clients() {
    let src = "import boto3\n_client = None\n\ndef client():\n    global _client\n    if _client is None:\n        _client = boto3.client('sqs')\n    return _client\n\ndef send(body):\n    client().send_message(QueueUrl='u', MessageBody=body)\n\ndef direct():\n    _client.receive_message(QueueUrl='u')\n";
    let a = analyze(src);
    assert_eq!(ops(&a), ["sqs:SendMessage", "sqs:ReceiveMessage"]);
    assert_eq!(a.calls[0].confidence, Confidence::High);
    assert_eq!(a.calls[1].confidence, Confidence::Low, "the global is only known through its keyword arguments");
}

#[test]
fn static_and_class_method_factories() {
    let src = "import boto3\nclass Clients:\n    @staticmethod\n    def s3(region=None):\n        return boto3.client('s3', region_name=region)\n\n    @classmethod\n    def queue(cls, name):\n        return boto3.client(name)\n\n    def table(self):\n        return boto3.resource('dynamodb').Table('t')\n\nClients.s3().list_buckets()\nClients.queue('sqs').receive_message(QueueUrl='u')\nClients().table().put_item(Item={})\n";
    let a = analyze(src);
    assert_eq!(ops(&a), ["s3:ListBuckets", "sqs:ReceiveMessage", "dynamodb:PutItem"]);
    assert!(a.calls.iter().all(|c| c.confidence == Confidence::High), "{:?}", a.calls);
}

#[test]
fn exports_computed_apart_from_the_index_resolve_like_a_direct_update() {
    let cat = catalog();
    let lib = PythonDocument::parse("import boto3\nqueue = boto3.client('sqs')\n\ndef storage():\n    return boto3.client('s3')\n".into());
    let user = PythonDocument::parse(
        "from app.aws import queue, storage\n\ndef f():\n    queue.send_message(QueueUrl='u', MessageBody='b')\n    storage().list_buckets()\n"
            .into(),
    );
    let mut direct = ProjectIndex::new();
    direct.update_file_with(std::path::Path::new("app/aws.py"), &lib, &cat);
    let mut apart = ProjectIndex::new();
    let exports = std::thread::scope(|s| s.spawn(|| ModuleExports::of_with(&lib, &cat)).join().unwrap());
    apart.insert_module(std::path::Path::new("app/aws.py"), exports);
    let opts = AnalysisOptions::default();
    let a = analyze_python_with(&user, &apart, &opts, &cat);
    assert_eq!(ops(&a), ["sqs:SendMessage", "s3:ListBuckets"]);
    let fresh_user = PythonDocument::parse(user.text().to_string());
    assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&analyze_python_with(&fresh_user, &direct, &opts, &cat)).unwrap());
}

#[test]
fn the_index_generation_changes_only_when_exports_change() {
    let cat = catalog();
    let path = std::path::Path::new("app/aws.py");
    let mut index = ProjectIndex::new();
    let lib = |src: &str| PythonDocument::parse(src.to_string());
    index.update_file_with(path, &lib("import boto3\nq = boto3.client('sqs')\n"), &cat);
    let first = index.generation();
    index.update_file_with(path, &lib("import boto3\n# saved again\nq = boto3.client('sqs')\n"), &cat);
    assert_eq!(index.generation(), first, "same exports");
    index.update_file_with(path, &lib("import boto3\nq = boto3.client('sns')\n"), &cat);
    assert_ne!(index.generation(), first, "the client's service changed");
    let second = index.generation();
    index.remove_file(std::path::Path::new("app/other.py"));
    assert_eq!(index.generation(), second, "nothing was removed");
    index.remove_file(path);
    assert_ne!(index.generation(), second);
}

#[test]
fn services_named_finds_client_and_resource_literals_once_each() {
    let src = "import boto3\ns3 = boto3.client('s3')\nq = session.client( \"sqs\" , region_name='x')\nt = boto3.resource(service_name='dynamodb')\nagain = boto3.client('s3')\nnot_literal = boto3.client(name)\nbad = boto3.client('s3)\n";
    assert_eq!(services_named(src), ["s3", "sqs", "dynamodb"]);
}

#[test]
fn helpers_get_the_clients_their_callers_pass_from_locals_and_constructors() {
    let a = analyze(
        "import boto3\n\ndef put(queue, body):\n    queue.send_message(QueueUrl='https://sqs.us-east-1.amazonaws.com/1/q', MessageBody=body)\n\n\
         class Store:\n    def __init__(self, table):\n        self.table = table\n    def save(self, item):\n        self.table.put_item(Item=item)\n\n\
         def handler(event, context):\n    sqs = boto3.client('sqs')\n    put(sqs, 'x')\n    Store(boto3.resource('dynamodb').Table('orders')).save({})\n",
    );
    assert_eq!(ops(&a), ["sqs:SendMessage", "dynamodb:PutItem"]);
    assert_eq!(a.calls[1].arg("TableName"), Some(&Value::literal("orders")));
    assert!(a.calls.iter().all(|c| c.confidence == Confidence::Medium));
    // A caller handing over something that is not a client settles nothing:
    // the call is resolved by its method name alone, at low confidence.
    let a = analyze(
        "import boto3\n\ndef put(queue, body):\n    queue.send_message(QueueUrl='u', MessageBody=body)\n\ndef go():\n    q = []\n    put(q, 'x')\n",
    );
    assert_eq!(only(&a).confidence, Confidence::Low);
}

#[test]
fn helpers_in_modules_without_the_sdk_get_the_clients_other_modules_pass() {
    let cat = catalog();
    let helper_text =
        "def publish(sender, text):\n    sender.publish(Message=text)\n\ndef archive(s3, key):\n    s3.put_object(Bucket='b', Key=key, Body=b'')\n";
    let caller = PythonDocument::parse(
        "import boto3\nfrom app import notify\nfrom app.notify import archive\n\ndef handler(event, context):\n    client = boto3.client('s3')\n    archive(client, 'k')\n    notify.publish(boto3.client('sns'), 'hi')\n"
            .into(),
    );
    let mut index = ProjectIndex::new();
    index.update_file_with(std::path::Path::new("app/handler.py"), &caller, &cat);
    let helper = PythonDocument::parse_module(helper_text.into(), std::path::Path::new("app/notify.py"));
    index.update_file_with(std::path::Path::new("app/notify.py"), &helper, &cat);
    let a = analyze_python_with(&helper, &index, &AnalysisOptions::default(), &cat);
    assert_eq!(ops(&a), ["sns:Publish", "s3:PutObject"]);
    assert!(a.calls.iter().all(|c| c.confidence == Confidence::Medium));

    // A second caller passing another service's client: the call goes to both.
    let ops_caller = PythonDocument::parse(
        "import boto3\nfrom app.notify import publish\n\ndef page(text):\n    publish(sender=boto3.client('iot-data'), text=text)\n".into(),
    );
    index.update_file_with(std::path::Path::new("app/ops.py"), &ops_caller, &cat);
    let a = analyze_python_with(
        &PythonDocument::parse_module(helper_text.into(), std::path::Path::new("app/notify.py")),
        &index,
        &AnalysisOptions::default(),
        &cat,
    );
    assert_eq!(ops(&a), ["iot-data:Publish", "sns:Publish", "s3:PutObject"]);

    // Without its callers the helper is not AWS code, and a file of the same
    // name elsewhere does not receive their clients.
    index.remove_file(std::path::Path::new("app/handler.py"));
    index.remove_file(std::path::Path::new("app/ops.py"));
    assert!(analyze_python_with(
        &PythonDocument::parse_module(helper_text.into(), std::path::Path::new("app/notify.py")),
        &index,
        &AnalysisOptions::default(),
        &cat
    )
    .calls
    .is_empty());
    index.update_file_with(std::path::Path::new("app/handler.py"), &caller, &cat);
    let elsewhere = PythonDocument::parse_module(helper_text.into(), std::path::Path::new("tools/notify.py"));
    assert!(analyze_python_with(&elsewhere, &index, &AnalysisOptions::default(), &cat).calls.is_empty());
}

#[test]
fn boto_style_keywords_are_told_from_comparisons_and_defaults() {
    use crate::analysis::has_boto_style_keyword;
    assert!(has_boto_style_keyword("t.put_item(Item=x)"));
    assert!(has_boto_style_keyword("c.send_message(\n    QueueUrl=u,\n    MessageBody=b,\n)"));
    assert!(!has_boto_style_keyword("X = 1\nif a == B:\n    pass\nf(x=1)\n"));
    assert!(!has_boto_style_keyword("d = dict(a=1)\nf(a, b != C)\ng(x, Y >= 2)"));
}

#[test]
fn helpers_make_the_operations_their_calls_name() {
    let a = analyze_with_embedded(
        "import boto3\n\ndef pages(client, op, **kwargs):\n    return client.get_paginator(op).paginate(**kwargs)\n\n\
         def pages_of(service, op):\n    return pages(boto3.client(service), op)\n\n\
         def call(client, method, **params):\n    return getattr(client, method)(**params)\n\n\
         def run(config):\n    pages(boto3.client('sqs'), 'list_queues', QueueNamePrefix='j')\n    pages_of('s3', 'list_objects_v2')\n    pages_of(config['service'], 'list_objects_v2')\n    call(boto3.client('sns'), 'publish', TopicArn='arn:aws:sns:us-east-1:1:t', Message='m')\n",
    );
    assert_eq!(ops(&a), ["sqs:ListQueues", "s3:ListObjectsV2", "sns:Publish"]);
    let queues = &a.calls[0];
    assert_eq!((queues.span.start.line, queues.via.clone()), (12, CallVia::Paginator { method: "list_queues".into() }));
    assert!(queues.args.iter().any(|(k, _)| k == "QueueNamePrefix"), "the helper's **kwargs reach the operation");
    let unresolved: Vec<u32> =
        a.findings.iter().filter(|f| matches!(f.kind, FindingKind::UnresolvedCall { .. })).map(|f| f.span.start.line).collect();
    assert_eq!(unresolved, [14], "only the call passing a run-time service: {:?}", a.findings);
}

fn analyze_with_embedded(src: &str) -> FileAnalysis {
    let doc = PythonDocument::parse(src.to_string());
    analyze_python_with(&doc, &ProjectIndex::new(), &AnalysisOptions::default(), iamlens_engine::catalog::embedded())
}

#[test]
fn service_names_handed_to_calls_are_told_from_other_strings() {
    use crate::analysis::passes_a_service_name;
    let cat = iamlens_engine::catalog::embedded();
    assert!(passes_a_service_name("pages = Utils.get_all_pages('acm', region, session, 'list_certificates')", cat));
    assert!(passes_a_service_name("registry.client_for( \"sqs\")", cat));
    assert!(!passes_a_service_name("print('hello')\nopen(\"s3.txt\")\nf(x, 'sqs')", cat));
}

#[test]
fn bare_operation_calls_are_told_from_other_method_calls() {
    use crate::analysis::calls_an_operation_bare;
    let cat = iamlens_engine::catalog::embedded();
    assert!(calls_an_operation_bare("n = len(notifier.list_topics()['Topics'])", cat));
    assert!(calls_an_operation_bare("kinesis.create_stream( **params)", cat));
    assert!(!calls_an_operation_bare("name = s.strip().lower()\nx.list_topics(a)\nlist_topics()\n", cat));
    assert!(!calls_an_operation_bare("self._list_topics()\nitems.keys()", cat));
}

#[test]
fn clients_held_in_dicts_reach_the_constructors_they_are_passed_to() {
    let a = analyze(
        "import boto3\n\nCONFIG = {'resource': boto3.resource('dynamodb'), 'table_name': 'orders'}\n\n\
         class Store:\n    def __init__(self, config):\n        self.table = config['resource'].Table(config['table_name'])\n        self.sqs = config.get('queue_client')\n\n\
         def handler(event, context):\n    Store(CONFIG).table.put_item(Item={})\n    local = {'queue_client': boto3.client('sqs')}\n    local['queue_client'].send_message(QueueUrl='https://sqs.us-east-1.amazonaws.com/1/q', MessageBody='x')\n",
    );
    assert_eq!(ops(&a), ["dynamodb:PutItem", "sqs:SendMessage"]);
    assert_eq!(a.calls[0].arg("TableName"), Some(&Value::literal("orders")));
    assert!(a.calls.iter().all(|c| c.confidence == Confidence::High), "{:?}", a.calls);
}

#[test]
fn dataclass_fields_are_what_the_constructions_pass() {
    let head = "import os\nimport boto3\nfrom dataclasses import dataclass\n\n@dataclass\nclass Settings:\n    table_name: str = os.environ['TABLE_NAME']\n    region: str = 'us-east-1'\n\n    @classmethod\n    def from_env(cls):\n        return cls(table_name=os.environ['ORDERS_TABLE'])\n\n";
    let table = |a: &FileAnalysis| a.calls[0].arg("TableName").cloned();
    let env = |name: &str| Some(Value::Text(vec![TextPart::Env(name.into())]));
    // Built only by its classmethod: the field is what that passes.
    let a = analyze(&format!("{head}S = Settings.from_env()\nboto3.resource('dynamodb').Table(S.table_name).put_item(Item={{}})\n"));
    assert_eq!(table(&a), env("ORDERS_TABLE"));
    // Built only without arguments: the default.
    let a = analyze(
        &format!("{head}\ndef from_env():\n    pass\nS = Settings()\nboto3.resource('dynamodb').Table(S.table_name).put_item(Item={{}})\n")
            .replace("return cls(table_name=os.environ['ORDERS_TABLE'])", "return None"),
    );
    assert_eq!(table(&a), env("TABLE_NAME"));
    // Both ways: either could be the one used, so neither is claimed.
    let a = analyze(&format!("{head}S = Settings()\nT = Settings.from_env()\nboto3.resource('dynamodb').Table(S.table_name).put_item(Item={{}})\n"));
    assert!(!matches!(table(&a), Some(Value::Text(parts)) if parts.iter().any(|p| matches!(p, TextPart::Env(_)))), "{:?}", table(&a));
}

#[test]
fn field_defaults_are_read_through_field_and_default_factory() {
    let a = analyze(
        "import os\nimport boto3\nfrom dataclasses import dataclass, field\n\n@dataclass\nclass Cfg:\n    bucket: str = field(default_factory=lambda: os.environ['BUCKET'])\n    key: str = field(default='daily.csv')\n\nC = Cfg()\nboto3.client('s3').put_object(Bucket=C.bucket, Key=C.key, Body=b'')\n",
    );
    let put = only(&a);
    assert_eq!(put.arg("Bucket"), Some(&Value::Text(vec![TextPart::Env("BUCKET".into())])));
    assert_eq!(put.arg("Key"), Some(&Value::literal("daily.csv")));
}

#[test]
fn clients_imported_from_a_shared_module_reach_the_helpers_they_are_passed_to() {
    let cat = catalog();
    let mut index = ProjectIndex::new();
    let clients = PythonDocument::parse_module("import boto3\nsns = boto3.client('sns')\n".into(), std::path::Path::new("app/clients.py"));
    let caller = PythonDocument::parse_module(
        "from app.clients import sns\nfrom app.notify import publish\n\ndef handler(event, context):\n    publish(sns, 'hi')\n".into(),
        std::path::Path::new("app/handler.py"),
    );
    let helper_text = "def publish(sender, text):\n    sender.publish(Message=text)\n";
    let helper = PythonDocument::parse_module(helper_text.into(), std::path::Path::new("app/notify.py"));
    for (path, doc) in [("app/clients.py", &clients), ("app/handler.py", &caller), ("app/notify.py", &helper)] {
        index.update_file_with(std::path::Path::new(path), doc, &cat);
    }
    let a = analyze_python_with(&helper, &index, &AnalysisOptions::default(), &cat);
    assert_eq!(ops(&a), ["sns:Publish"]);
    // The shared module no longer holding a client: nothing is claimed.
    index.update_file_with(std::path::Path::new("app/clients.py"), &PythonDocument::parse("sns = None\n".into()), &cat);
    let a = analyze_python_with(
        &PythonDocument::parse_module(helper_text.into(), std::path::Path::new("app/notify.py")),
        &index,
        &AnalysisOptions::default(),
        &cat,
    );
    assert!(a.calls.is_empty(), "{:?}", ops(&a));
}
