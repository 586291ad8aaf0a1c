//! The SDK's modules as an import names them (`aws-sdk`, `aws-sdk/clients/s3`,
//! `@aws-sdk/client-s3`, `@aws-sdk/lib-dynamodb`, ...) and the fixed facts of
//! its helper libraries (document-client operations, multipart uploads).

use crate::naming::names;

/// An AWS SDK module an import or `require` names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SdkModule {
    /// `aws-sdk` (v2): the `AWS` namespace of every client class.
    V2Root,
    /// `aws-sdk/clients/<x>` (v2): one client class, by botocore service.
    V2Client(String),
    /// `@aws-sdk/client-<x>` (v3), by botocore service.
    V3Client(String),
    /// `@aws-sdk/client-<x>` naming no known service (the suffix as written).
    UnknownV3Client(String),
    /// `@aws-sdk/lib-dynamodb`: the DynamoDB document client.
    LibDynamoDb,
    /// `@aws-sdk/lib-storage`: `Upload`.
    LibStorage,
    /// `@aws-sdk/s3-request-presigner`: `getSignedUrl`.
    Presigner,
    /// `@aws-sdk/s3-presigned-post`: `createPresignedPost`.
    PresignedPost,
    /// `@aws-sdk/credential-providers`: `fromTemporaryCredentials`, ...
    CredentialProviders,
    /// `@aws-sdk/rds-signer`: `Signer`.
    RdsSigner,
    /// Any other `@aws-sdk/*` or `aws-sdk/*` module (types, utilities): AWS code, no calls.
    Other,
}

/// The SDK module an import specifier names, `None` for anything else.
pub fn classify(spec: &str) -> Option<SdkModule> {
    if spec == "aws-sdk" || spec == "aws-sdk/global" || spec == "aws-sdk/lib/core" {
        return Some(SdkModule::V2Root);
    }
    if let Some(module) = spec.strip_prefix("aws-sdk/clients/") {
        let module = module.trim_end_matches(".js");
        return Some(names().service_for_v2_module(module).map_or(SdkModule::Other, |s| SdkModule::V2Client(s.to_string())));
    }
    if spec.starts_with("aws-sdk/") {
        return Some(SdkModule::Other);
    }
    let rest = spec.strip_prefix("@aws-sdk/")?;
    let rest = rest.split('/').next().unwrap_or(rest);
    Some(match rest {
        "lib-dynamodb" => SdkModule::LibDynamoDb,
        "lib-storage" => SdkModule::LibStorage,
        "s3-request-presigner" => SdkModule::Presigner,
        "s3-presigned-post" => SdkModule::PresignedPost,
        "credential-providers" | "credential-provider-node" => SdkModule::CredentialProviders,
        "rds-signer" => SdkModule::RdsSigner,
        _ => match rest.strip_prefix("client-") {
            Some(suffix) => match names().service_for_package(suffix) {
                Some(service) => SdkModule::V3Client(service.to_string()),
                None => SdkModule::UnknownV3Client(suffix.to_string()),
            },
            None => SdkModule::Other,
        },
    })
}

/// The DynamoDB operation a document-client command or method performs
/// (`Put`/`put` → `PutItem`), for `@aws-sdk/lib-dynamodb` and v2's `DocumentClient`.
pub fn document_operation(name: &str) -> Option<&'static str> {
    let name = crate::naming::operation_for_method(name);
    Some(match name.as_str() {
        "Put" => "PutItem",
        "Get" => "GetItem",
        "Update" => "UpdateItem",
        "Delete" => "DeleteItem",
        "Query" => "Query",
        "Scan" => "Scan",
        "BatchGet" => "BatchGetItem",
        "BatchWrite" => "BatchWriteItem",
        "TransactGet" => "TransactGetItems",
        "TransactWrite" => "TransactWriteItems",
        "ExecuteStatement" => "ExecuteStatement",
        "BatchExecuteStatement" => "BatchExecuteStatement",
        "ExecuteTransaction" => "ExecuteTransaction",
        _ => return None,
    })
}

/// The S3 operations a managed upload (`new Upload(...)`, v2 `s3.upload(...)`)
/// may perform: one PutObject, or a multipart upload that it aborts on failure.
pub const MANAGED_UPLOAD: &[&str] = &["PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload"];

/// Methods of SDK clients that call no operation by themselves.
pub const CLIENT_HELPERS: &[&str] = &[
    "promise",
    "on",
    "config",
    "endpoint",
    "destroy",
    "middlewareStack",
    "makeRequest",
    "makeUnauthenticatedRequest",
    "setupRequestListeners",
    "defineService",
    "api",
    "customizeRequests",
    "then",
    "catch",
];
