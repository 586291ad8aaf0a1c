//! Request arguments → operation input members: builder chains
//! (`GetObjectRequest.builder().bucket("b").build()`), consumer-builder
//! lambdas (`r -> r.bucket("b")`), requests held in variables (with v1
//! `req.setX(v)` statements), v1 `withX` chains and constructors, and v1
//! convenience overloads (`s3.putObject(bucket, key, file)`), through a
//! small reviewed table of positional arguments.

use crate::analyzer::{Analyzer, MAX_DEPTH};
use crate::syntax::{arguments, named_children, unwrap_expr};
use crate::types::type_name;
use iamlens_engine::model::Value;
use iamlens_knowledge::Operation;
use tree_sitter::Node;

/// Positional arguments of v1 request constructors, by class and argument
/// count, reviewed against the v1 SDK's constructors. `CopySource.X` fills a
/// member of the `CopySource` dict; `_` is not a member (a file, a stream).
const V1_CONSTRUCTORS: &[(&str, usize, &[&str])] = &[
    ("PutObjectRequest", 3, &["Bucket", "Key", "_"]),
    ("PutObjectRequest", 4, &["Bucket", "Key", "_", "_"]),
    ("GetObjectRequest", 2, &["Bucket", "Key"]),
    ("GetObjectRequest", 3, &["Bucket", "Key", "VersionId"]),
    ("GetObjectMetadataRequest", 2, &["Bucket", "Key"]),
    ("DeleteObjectRequest", 2, &["Bucket", "Key"]),
    ("DeleteObjectsRequest", 1, &["Bucket"]),
    ("ListObjectsV2Request", 0, &[]),
    ("CopyObjectRequest", 4, &["CopySource.Bucket", "CopySource.Key", "Bucket", "Key"]),
    ("CreateBucketRequest", 1, &["Bucket"]),
    ("InitiateMultipartUploadRequest", 2, &["Bucket", "Key"]),
    ("SendMessageRequest", 2, &["QueueUrl", "MessageBody"]),
    ("ReceiveMessageRequest", 1, &["QueueUrl"]),
    ("DeleteMessageRequest", 2, &["QueueUrl", "ReceiptHandle"]),
    ("SendMessageBatchRequest", 1, &["QueueUrl"]),
    ("SendMessageBatchRequest", 2, &["QueueUrl", "Entries"]),
    ("GetQueueUrlRequest", 1, &["QueueName"]),
    ("CreateQueueRequest", 1, &["QueueName"]),
    ("GetItemRequest", 2, &["TableName", "Key"]),
    ("PutItemRequest", 2, &["TableName", "Item"]),
    ("DeleteItemRequest", 2, &["TableName", "Key"]),
    ("UpdateItemRequest", 3, &["TableName", "Key", "AttributeUpdates"]),
    ("ScanRequest", 1, &["TableName"]),
    ("QueryRequest", 1, &["TableName"]),
    ("DescribeTableRequest", 1, &["TableName"]),
    ("PublishRequest", 2, &["TopicArn", "Message"]),
    ("PublishRequest", 3, &["TopicArn", "Message", "Subject"]),
    ("AssumeRoleRequest", 0, &[]),
];

/// Positional arguments of v1 client convenience overloads, by (service,
/// operation, argument count), reviewed against the v1 client interfaces.
const V1_OVERLOADS: &[(&str, &str, usize, &[&str])] = &[
    ("s3", "PutObject", 3, &["Bucket", "Key", "_"]),
    ("s3", "PutObject", 4, &["Bucket", "Key", "_", "_"]),
    ("s3", "GetObject", 2, &["Bucket", "Key"]),
    ("s3", "HeadObject", 2, &["Bucket", "Key"]),
    ("s3", "DeleteObject", 2, &["Bucket", "Key"]),
    ("s3", "ListObjects", 1, &["Bucket"]),
    ("s3", "ListObjects", 2, &["Bucket", "Prefix"]),
    ("s3", "ListObjectsV2", 1, &["Bucket"]),
    ("s3", "ListObjectsV2", 2, &["Bucket", "Prefix"]),
    ("s3", "CopyObject", 4, &["CopySource.Bucket", "CopySource.Key", "Bucket", "Key"]),
    ("s3", "CreateBucket", 1, &["Bucket"]),
    ("s3", "DeleteBucket", 1, &["Bucket"]),
    ("s3", "HeadBucket", 1, &["Bucket"]),
    ("s3", "GetBucketAcl", 1, &["Bucket"]),
    ("sqs", "SendMessage", 2, &["QueueUrl", "MessageBody"]),
    ("sqs", "ReceiveMessage", 1, &["QueueUrl"]),
    ("sqs", "DeleteMessage", 2, &["QueueUrl", "ReceiptHandle"]),
    ("sqs", "GetQueueUrl", 1, &["QueueName"]),
    ("sqs", "CreateQueue", 1, &["QueueName"]),
    ("sqs", "DeleteQueue", 1, &["QueueUrl"]),
    ("sqs", "SendMessageBatch", 2, &["QueueUrl", "Entries"]),
    ("sqs", "ChangeMessageVisibility", 3, &["QueueUrl", "ReceiptHandle", "VisibilityTimeout"]),
    ("dynamodb", "GetItem", 2, &["TableName", "Key"]),
    ("dynamodb", "PutItem", 2, &["TableName", "Item"]),
    ("dynamodb", "DeleteItem", 2, &["TableName", "Key"]),
    ("dynamodb", "UpdateItem", 3, &["TableName", "Key", "AttributeUpdates"]),
    ("dynamodb", "Scan", 2, &["TableName", "AttributesToGet"]),
    ("dynamodb", "DescribeTable", 1, &["TableName"]),
    ("dynamodb", "DeleteTable", 1, &["TableName"]),
    ("sns", "Publish", 2, &["TopicArn", "Message"]),
    ("sns", "Publish", 3, &["TopicArn", "Message", "Subject"]),
    ("sns", "CreateTopic", 1, &["Name"]),
    ("sns", "Subscribe", 3, &["TopicArn", "Protocol", "Endpoint"]),
];

/// Setter names of the hand-written v1 S3 model and of v2's CopyObject
/// customisation that differ from the botocore member names.
const S3_ALIASES: &[(&str, &str)] = &[
    ("bucketName", "Bucket"),
    ("cannedAcl", "ACL"),
    ("destinationBucket", "Bucket"),
    ("destinationBucketName", "Bucket"),
    ("destinationKey", "Key"),
    ("sourceBucket", "CopySource.Bucket"),
    ("sourceBucketName", "CopySource.Bucket"),
    ("sourceKey", "CopySource.Key"),
];

/// Builder methods that set nothing.
const NOT_SETTERS: &[&str] = &["build", "builder", "toBuilder", "overrideConfiguration", "applyMutation", "standard"];

impl<'a> Analyzer<'a> {
    /// The (setter, value expression) pairs a request expression sets.
    pub fn setters(&self, expr: Node<'a>, depth: u8) -> Vec<(String, Node<'a>)> {
        if depth > MAX_DEPTH {
            return Vec::new();
        }
        let expr = unwrap_expr(expr);
        match expr.kind() {
            "lambda_expression" => {
                let Some(param) = lambda_param(expr, self.src) else { return Vec::new() };
                let Some(body) = expr.child_by_field_id(field!("body")) else { return Vec::new() };
                if body.kind() == "block" {
                    let mut out = Vec::new();
                    for stmt in named_children(body) {
                        if let Some(e) = stmt.named_child(0).filter(|_| stmt.kind() == "expression_statement") {
                            out.extend(self.chain_setters(e, Some(&param), depth));
                        }
                    }
                    out
                } else {
                    self.chain_setters(body, Some(&param), depth)
                }
            }
            "method_invocation" => self.chain_setters(expr, None, depth),
            "object_creation_expression" => self.constructor_setters(expr),
            "identifier" => {
                let Some(decl) = self.lookup(self.text(expr), expr) else { return Vec::new() };
                let mut out: Vec<(String, Node<'a>)> = decl.init.map(|i| self.setters(i, depth + 1)).unwrap_or_default();
                for a in self.assignments(&decl) {
                    out.extend(self.setters(a, depth + 1));
                }
                // `req.setBucketName(b)` / `req.withKey(k)` statements on the variable.
                let name = self.text(decl.name);
                self.note_subtree(decl.owner);
                let mut stack = vec![decl.owner];
                while let Some(n) = stack.pop() {
                    if n.kind() == "expression_statement" {
                        if let Some(e) = n.named_child(0).filter(|e| e.kind() == "method_invocation") {
                            out.extend(self.chain_setters(e, Some(name), depth));
                        }
                    }
                    stack.extend(named_children(n));
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// Setters along a fluent chain; with `root`, only a chain on that variable counts.
    fn chain_setters(&self, expr: Node<'a>, root: Option<&str>, depth: u8) -> Vec<(String, Node<'a>)> {
        let mut out = Vec::new();
        let mut cur = unwrap_expr(expr);
        while cur.kind() == "method_invocation" {
            let name = cur.child_by_field_id(field!("name")).map(|n| self.text(n)).unwrap_or("");
            let args = arguments(cur);
            if !NOT_SETTERS.contains(&name) {
                // Varargs setters (`instanceIds("i-1", "i-2")`) set one list member.
                out.extend(args.iter().rev().map(|a| (name.to_string(), *a)));
            }
            match cur.child_by_field_id(field!("object")) {
                Some(o) => cur = unwrap_expr(o),
                None => return Vec::new(),
            }
        }
        match (root, cur.kind()) {
            (Some(r), "identifier") if self.text(cur) == r => {}
            (Some(_), _) => return Vec::new(),
            // `Req.builder()` (a class) or `req.toBuilder()` (a variable holding a request).
            (None, "identifier" | "field_access" | "scoped_identifier") if self.lookup(self.text(cur), cur).is_some() => {
                out.extend(self.setters(cur, depth + 1));
            }
            (None, "object_creation_expression") => out.extend(self.constructor_setters(cur)),
            _ => {}
        }
        out.reverse();
        out
    }

    /// `new PutObjectRequest(bucket, key, file)` through [`V1_CONSTRUCTORS`].
    fn constructor_setters(&self, expr: Node<'a>) -> Vec<(String, Node<'a>)> {
        let class = expr.child_by_field_id(field!("type")).map(|t| type_name(t, self.src)).unwrap_or_default();
        let class = class.rsplit('.').next().unwrap_or("");
        let args = arguments(expr);
        match V1_CONSTRUCTORS.iter().find(|(c, n, _)| *c == class && *n == args.len()) {
            Some((_, _, members)) => members.iter().zip(args).filter(|(m, _)| **m != "_").map(|(m, a)| (format!("={m}"), a)).collect(),
            None => Vec::new(),
        }
    }

    /// The operation members a request sets, with their values.
    pub fn request_args(&self, service: &str, op: &Operation, exprs: &[Node<'a>]) -> Vec<(String, Value)> {
        let mut pairs: Vec<(String, Node<'a>)> = Vec::new();
        for e in exprs {
            pairs.extend(self.setters(*e, 0));
        }
        let mut args: Vec<(String, Value)> = Vec::new();
        for (setter, node) in pairs {
            // A nested request: `getObjectRequest(...)`, `putObjectRequest(...)`, `refreshRequest(...)`.
            if setter.ends_with("Request") && !setter.starts_with('=') {
                for (k, v) in self.request_args(service, op, &[node]) {
                    set_arg(&mut args, &k, v);
                }
                continue;
            }
            let Some(member) = member_for(service, op, &setter) else { continue };
            let shape = op.member(&member).map(|m| m.shape_type.as_str()).unwrap_or("");
            match shape {
                "list" => {
                    let item = self.nested_value(node, 0);
                    let items = match item {
                        Value::List(items) => items,
                        one => vec![one],
                    };
                    match args.iter_mut().find(|(k, _)| *k == member) {
                        Some((_, Value::List(existing))) => existing.extend(items),
                        _ => set_arg(&mut args, &member, Value::List(items)),
                    }
                }
                "structure" => set_arg(&mut args, &member, self.nested_value(node, 0)),
                _ => set_arg(&mut args, &member, self.value(node, 0)),
            }
        }
        args
    }

    /// A nested structure built with a builder or consumer lambda, as a dict
    /// keyed by member names (setter names capitalised); else the plain value.
    fn nested_value(&self, node: Node<'a>, depth: u8) -> Value {
        if depth > 4 {
            return Value::Unknown;
        }
        let pairs = self.setters(node, 0);
        if pairs.is_empty() {
            return self.value(node, 0);
        }
        let mut items: Vec<(String, Value)> = Vec::new();
        for (setter, n) in pairs {
            let bare = strip_v1_prefix(setter.trim_start_matches('='));
            let mut key = bare.to_string();
            if let Some(first) = key.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            items.retain(|(k, _)| *k != key);
            items.push((key, self.nested_value(n, depth + 1)));
        }
        Value::Dict(items)
    }

    /// v1 overload arguments (`s3.getObject(bucket, key)`), when the table has this arity.
    pub fn positional_args(&self, service: &str, op: &Operation, exprs: &[Node<'a>]) -> Option<Vec<(String, Value)>> {
        let (_, _, _, members) = V1_OVERLOADS.iter().find(|(s, o, n, _)| *s == service && *o == op.name && *n == exprs.len())?;
        let mut args = Vec::new();
        for (m, e) in members.iter().zip(exprs) {
            if *m != "_" {
                set_arg(&mut args, m, self.value(*e, 0));
            }
        }
        Some(args)
    }
}

/// The member a setter sets: `=Member` from the tables, v1 `withX`/`setX`,
/// aliases, then the members case-insensitively.
fn member_for(service: &str, op: &Operation, setter: &str) -> Option<String> {
    if let Some(m) = setter.strip_prefix('=') {
        return Some(m.to_string());
    }
    let bare =
        ["with", "set"].iter().find_map(|p| setter.strip_prefix(p).filter(|r| r.starts_with(|c: char| c.is_ascii_uppercase()))).unwrap_or(setter);
    if service == "s3" {
        if let Some((_, m)) = S3_ALIASES.iter().find(|(a, _)| a.eq_ignore_ascii_case(bare)) {
            let top = m.split('.').next().unwrap_or(m);
            return op.member(top).map(|_| m.to_string());
        }
    }
    op.input_members.iter().find(|m| m.name.eq_ignore_ascii_case(bare)).map(|m| m.name.clone())
}

/// `withBucketName` / `setBucketName` → `BucketName`; v2 setters unchanged.
fn strip_v1_prefix(setter: &str) -> &str {
    ["with", "set"].iter().find_map(|p| setter.strip_prefix(p).filter(|r| r.starts_with(|c: char| c.is_ascii_uppercase()))).unwrap_or(setter)
}

/// Set a member (`CopySource.Bucket` fills a key of the `CopySource` dict).
fn set_arg(args: &mut Vec<(String, Value)>, member: &str, value: Value) {
    if let Some((top, key)) = member.split_once('.') {
        let pos = match args.iter().position(|(k, _)| k == top) {
            Some(p) => p,
            None => {
                args.push((top.to_string(), Value::Dict(Vec::new())));
                args.len() - 1
            }
        };
        if let Value::Dict(items) = &mut args[pos].1 {
            items.retain(|(k, _)| k != key);
            items.push((key.to_string(), value));
        } else {
            args[pos].1 = Value::Dict(vec![(key.to_string(), value)]);
        }
        return;
    }
    args.retain(|(k, _)| k != member);
    args.push((member.to_string(), value));
}

/// The single parameter of a consumer lambda (`r -> …`, `(r) -> …`).
fn lambda_param(lambda: Node, src: &str) -> Option<String> {
    let params = lambda.child_by_field_id(field!("parameters"))?;
    let first = match params.kind() {
        "identifier" => params,
        "inferred_parameters" => params.named_child(0)?,
        "formal_parameters" => params.named_child(0)?.child_by_field_id(field!("name"))?,
        _ => return None,
    };
    Some(crate::syntax::text(first, src).to_string())
}
