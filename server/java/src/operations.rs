//! Method → operation rules of the Java SDKs: the generated client methods
//! (`getObject`, `describeDBClusters`), their v2 variants (`…AsBytes`,
//! `…Paginator`), waiters (`waitUntilBucketExists`), presigner methods,
//! v1 convenience methods, and the helpers that call nothing.

use crate::naming::method_name;
use iamlens_engine::model::CallVia;
use iamlens_knowledge::{Operation, Service};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Client methods that call no operation.
pub const CLIENT_HELPERS: &[&str] = &[
    "close",
    "waiter",
    "utilities",
    "serviceName",
    "serviceClientConfiguration",
    "toString",
    "hashCode",
    "equals",
    "getClass",
    "shutdown",
    "setRegion",
    "setEndpoint",
    "getRegion",
    "getRegionName",
    "getUrl",
    "getResourceUrl",
    "getCachedResponseMetadata",
    "setS3ClientOptions",
    "notify",
    "notifyAll",
    "wait",
];

/// v1 client methods not named after an operation, reviewed against the v1
/// SDK: what each calls.
const V1_METHODS: &[(&str, &str, &str)] = &[
    ("s3", "getObjectAsString", "GetObject"),
    ("s3", "getObjectMetadata", "HeadObject"),
    ("s3", "doesObjectExist", "HeadObject"),
    // `doesBucketExistV2` asks for the bucket's ACL.
    ("s3", "doesBucketExistV2", "GetBucketAcl"),
    ("s3", "listNextBatchOfObjects", "ListObjects"),
    ("s3", "initiateMultipartUpload", "CreateMultipartUpload"),
    ("s3", "listVersions", "ListObjectVersions"),
];

/// The operation a method of a `service` client calls, and how.
pub fn client_operation<'s>(svc: &'s Service, method: &str, v1: bool) -> Option<(&'s Operation, CallVia)> {
    if let Some(op) = by_method(svc, method) {
        return Some((op, CallVia::Client));
    }
    if let Some(base) = method.strip_suffix("Paginator") {
        if let Some(op) = by_method(svc, base).filter(|op| svc.paginators.contains(&op.name)) {
            return Some((op, CallVia::Paginator { method: method.to_string() }));
        }
    }
    if let Some(base) = method.strip_suffix("AsBytes") {
        if let Some(op) = by_method(svc, base) {
            return Some((op, CallVia::Client));
        }
    }
    if v1 {
        if let Some((_, _, op)) = V1_METHODS.iter().find(|(s, m, _)| *s == svc.name && *m == method) {
            return svc.operation(op).map(|op| (op, CallVia::Client));
        }
    }
    None
}

/// The operation whose generated method is exactly `method`.
pub fn by_method<'s>(svc: &'s Service, method: &str) -> Option<&'s Operation> {
    let name = method_table(svc).get(method)?.clone();
    svc.operation(&name)
}

/// method → operation name of a service, built once per service.
fn method_table(svc: &Service) -> Arc<HashMap<String, String>> {
    type Tables = Mutex<HashMap<(String, usize), Arc<HashMap<String, String>>>>;
    static TABLES: OnceLock<Tables> = OnceLock::new();
    let key = (svc.name.clone(), svc.operations.len());
    let tables = TABLES.get_or_init(Tables::default);
    if let Some(t) = tables.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return t;
    }
    let table: Arc<HashMap<String, String>> = Arc::new(svc.operations.keys().map(|op| (method_name(op), op.clone())).collect());
    if let Ok(mut m) = tables.lock() {
        m.insert(key, table.clone());
    }
    table
}

/// The operation a waiter method polls: `waitUntilBucketExists` → the `BucketExists` waiter's.
pub fn waiter_operation<'s>(svc: &'s Service, method: &str) -> Option<(&'s Operation, CallVia)> {
    let name = method.strip_prefix("waitUntil")?;
    let waiter = svc.waiters.values().find(|w| w.name == name)?;
    Some((svc.operation(&waiter.operation)?, CallVia::Waiter { name: waiter.name.clone() }))
}

/// `presignGetObject` → GetObject.
pub fn presign_operation<'s>(s3: &'s Service, method: &str) -> Option<&'s Operation> {
    s3.operation(method.strip_prefix("presign")?)
}

/// What a transfer manager method performs, reviewed against the v2
/// `S3TransferManager` and v1 `TransferManager`: uploads may go multipart,
/// copies too, downloads read the object (v1 asks for its metadata first).
pub fn transfer_operations(method: &str, v1: bool) -> Option<&'static [&'static str]> {
    const UPLOAD: &[&str] = &["PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload"];
    const COPY: &[&str] = &["HeadObject", "CopyObject", "CreateMultipartUpload", "UploadPartCopy", "CompleteMultipartUpload", "AbortMultipartUpload"];
    match (method, v1) {
        ("upload" | "uploadFile" | "uploadDirectory", _) => Some(UPLOAD),
        ("download" | "downloadFile", false) => Some(&["GetObject"]),
        ("download", true) => Some(&["HeadObject", "GetObject"]),
        ("downloadDirectory", _) => Some(&["ListObjectsV2", "GetObject"]),
        ("copy", _) => Some(COPY),
        _ => None,
    }
}

/// Enhanced/document table methods and the DynamoDB operations they call.
pub fn table_operation(method: &str) -> Option<&'static str> {
    Some(match method {
        "putItem" => "PutItem",
        "getItem" => "GetItem",
        "deleteItem" => "DeleteItem",
        "updateItem" => "UpdateItem",
        "query" => "Query",
        "scan" => "Scan",
        "createTable" => "CreateTable",
        "deleteTable" => "DeleteTable",
        "describeTable" => "DescribeTable",
        _ => return None,
    })
}

/// Enhanced client methods over several tables.
pub fn enhanced_operation(method: &str) -> Option<&'static str> {
    Some(match method {
        "batchGetItem" => "BatchGetItem",
        "batchWriteItem" => "BatchWriteItem",
        "transactGetItems" => "TransactGetItems",
        "transactWriteItems" => "TransactWriteItems",
        _ => return None,
    })
}

/// v1 `DynamoDBMapper` methods and the operations they call, reviewed
/// against the v1 SDK: `save` updates by default (`SaveBehavior.UPDATE`),
/// unless the code asks for `CLOBBER`/`PUT`, which puts.
pub fn mapper_operation(method: &str, clobber: bool) -> Option<&'static str> {
    Some(match method {
        "save" if clobber => "PutItem",
        "save" => "UpdateItem",
        "load" => "GetItem",
        "delete" => "DeleteItem",
        "query" | "queryPage" | "count" => "Query",
        "scan" | "scanPage" | "parallelScan" => "Scan",
        "batchSave" | "batchDelete" | "batchWrite" => "BatchWriteItem",
        "batchLoad" => "BatchGetItem",
        _ => return None,
    })
}
