//! What the Terraform AWS provider makes of a resource's arguments: its
//! physical name, its ARN, its URL, and the other attributes that name it.
//!
//! All per-type knowledge lives in [`TYPES`]. Attribute templates use
//! `{name}` (the physical name), `{p}` / `{r}` / `{a}` (partition, region,
//! account), `{dns}` (the partition's domain: `amazonaws.com`,
//! `amazonaws.com.cn`), `{*}` (a part the provider generates), `{attr:X}` (another
//! attribute of the same table entry) and `{arg:X|default}` (an argument).

use super::hcl_eval::Value;
use crate::model::{Part, Pattern};

/// Partition, region and account of a resource, as far as known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Env {
    pub partition: Pattern,
    pub region: Pattern,
    pub account: Pattern,
}

impl Env {
    pub fn new(region: Option<&str>, account: Option<&str>) -> Env {
        Env {
            partition: region.and_then(partition_of).map(Pattern::literal).unwrap_or_else(Pattern::unknown),
            region: region.map(Pattern::literal).unwrap_or_else(Pattern::unknown),
            account: account.map(Pattern::literal).unwrap_or_else(Pattern::unknown),
        }
    }
    /// The same account in another region (a resource's own `region`).
    pub fn with_region(&self, region: &str) -> Env {
        Env {
            partition: partition_of(region).map(Pattern::literal).unwrap_or_else(Pattern::unknown),
            region: Pattern::literal(region),
            account: self.account.clone(),
        }
    }
    /// The same account in a region the templates do not say (an aliased provider).
    pub fn without_region(&self) -> Env {
        Env { partition: Pattern::unknown(), region: Pattern::unknown(), account: self.account.clone() }
    }
}

/// The partition of a region, for the region prefixes known here; `None` for others.
pub fn partition_of(region: &str) -> Option<&'static str> {
    const PARTITIONS: &[(&str, &str)] = &[
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
        ("cn-", "aws-cn"),
        ("us-", "aws"),
        ("eu-", "aws"),
        ("ap-", "aws"),
        ("ca-", "aws"),
        ("sa-", "aws"),
        ("me-", "aws"),
        ("af-", "aws"),
        ("il-", "aws"),
        ("mx-", "aws"),
    ];
    PARTITIONS.iter().find(|(prefix, _)| region.starts_with(prefix)).map(|(_, p)| *p)
}

/// How the physical name of a resource is formed.
#[derive(Debug, Clone, Copy)]
pub enum NameRule {
    /// The argument; absent → not known.
    Arg(&'static str),
    /// The argument, else `prefix` + a generated suffix, else a generated name;
    /// generated FIFO names end in `.fifo` when the flag argument is true.
    ArgOrPrefix { arg: &'static str, prefix: &'static str, fifo: Option<&'static str> },
    /// The type has no name (a KMS key).
    None,
}

pub struct TypeInfo {
    pub resource_type: &'static str,
    pub name: NameRule,
    /// `(attribute, template)`; `arn` is the resource's ARN.
    pub attributes: &'static [(&'static str, &'static str)],
}

/// Resource types whose names and ARNs the engine can use. Data sources of the
/// same type (looked up by name) use the same entry.
pub static TYPES: &[TypeInfo] = &[
    TypeInfo {
        resource_type: "aws_dynamodb_table",
        name: NameRule::Arg("name"),
        attributes: &[
            ("name", "{name}"),
            ("id", "{name}"),
            ("arn", "arn:{p}:dynamodb:{r}:{a}:table/{name}"),
            ("stream_arn", "{attr:arn}/stream/{*}"),
        ],
    },
    TypeInfo {
        resource_type: "aws_s3_bucket",
        name: NameRule::ArgOrPrefix { arg: "bucket", prefix: "bucket_prefix", fifo: None },
        attributes: &[("bucket", "{name}"), ("id", "{name}"), ("arn", "arn:{p}:s3:::{name}")],
    },
    TypeInfo {
        resource_type: "aws_sqs_queue",
        name: NameRule::ArgOrPrefix { arg: "name", prefix: "name_prefix", fifo: Some("fifo_queue") },
        attributes: &[("name", "{name}"), ("url", "https://sqs.{r}.{dns}/{a}/{name}"), ("id", "{attr:url}"), ("arn", "arn:{p}:sqs:{r}:{a}:{name}")],
    },
    TypeInfo {
        resource_type: "aws_sns_topic",
        name: NameRule::ArgOrPrefix { arg: "name", prefix: "name_prefix", fifo: Some("fifo_topic") },
        attributes: &[("name", "{name}"), ("arn", "arn:{p}:sns:{r}:{a}:{name}"), ("id", "{attr:arn}")],
    },
    TypeInfo {
        resource_type: "aws_lambda_function",
        name: NameRule::Arg("function_name"),
        attributes: &[
            ("function_name", "{name}"),
            ("id", "{name}"),
            ("arn", "arn:{p}:lambda:{r}:{a}:function:{name}"),
            ("qualified_arn", "{attr:arn}:{*}"),
        ],
    },
    TypeInfo {
        resource_type: "aws_sfn_state_machine",
        name: NameRule::ArgOrPrefix { arg: "name", prefix: "name_prefix", fifo: None },
        attributes: &[("name", "{name}"), ("arn", "arn:{p}:states:{r}:{a}:stateMachine:{name}"), ("id", "{attr:arn}")],
    },
    TypeInfo {
        resource_type: "aws_kinesis_stream",
        name: NameRule::Arg("name"),
        attributes: &[("name", "{name}"), ("arn", "arn:{p}:kinesis:{r}:{a}:stream/{name}"), ("id", "{attr:arn}")],
    },
    TypeInfo {
        resource_type: "aws_secretsmanager_secret",
        name: NameRule::ArgOrPrefix { arg: "name", prefix: "name_prefix", fifo: None },
        // Secrets Manager appends `-` and six random characters to the ARN.
        attributes: &[("name", "{name}"), ("arn", "arn:{p}:secretsmanager:{r}:{a}:secret:{name}-{*}"), ("id", "{attr:arn}")],
    },
    TypeInfo {
        resource_type: "aws_ssm_parameter",
        name: NameRule::Arg("name"),
        attributes: &[("name", "{name}"), ("id", "{name}"), ("arn", "arn:{p}:ssm:{r}:{a}:parameter{ssm_name}")],
    },
    TypeInfo {
        resource_type: "aws_cloudwatch_log_group",
        name: NameRule::ArgOrPrefix { arg: "name", prefix: "name_prefix", fifo: None },
        attributes: &[("name", "{name}"), ("id", "{name}"), ("arn", "arn:{p}:logs:{r}:{a}:log-group:{name}")],
    },
    TypeInfo {
        resource_type: "aws_kms_key",
        name: NameRule::None,
        attributes: &[("key_id", "{*}"), ("id", "{*}"), ("arn", "arn:{p}:kms:{r}:{a}:key/{*}")],
    },
    TypeInfo {
        resource_type: "aws_kms_alias",
        name: NameRule::ArgOrPrefix { arg: "name", prefix: "name_prefix", fifo: None },
        attributes: &[("name", "{name}"), ("id", "{name}"), ("arn", "arn:{p}:kms:{r}:{a}:{name}")],
    },
    TypeInfo {
        resource_type: "aws_iam_role",
        name: NameRule::ArgOrPrefix { arg: "name", prefix: "name_prefix", fifo: None },
        attributes: &[("name", "{name}"), ("id", "{name}"), ("arn", "arn:{p}:iam::{a}:role{arg:path|/}{name}")],
    },
    TypeInfo {
        resource_type: "aws_cloudwatch_event_bus",
        name: NameRule::Arg("name"),
        attributes: &[("name", "{name}"), ("id", "{name}"), ("arn", "arn:{p}:events:{r}:{a}:event-bus/{name}")],
    },
    TypeInfo {
        resource_type: "aws_ecr_repository",
        name: NameRule::Arg("name"),
        attributes: &[
            ("name", "{name}"),
            ("id", "{name}"),
            ("arn", "arn:{p}:ecr:{r}:{a}:repository/{name}"),
            ("repository_url", "{a}.dkr.ecr.{r}.{dns}/{name}"),
        ],
    },
];

pub fn type_info(resource_type: &str) -> Option<&'static TypeInfo> {
    TYPES.iter().find(|t| t.resource_type == resource_type)
}

/// A resource's arguments: `None` when the argument is not written.
pub type Args<'a> = dyn Fn(&str) -> Option<Value> + 'a;

/// The physical name, for types that have one.
pub fn name(resource_type: &str, args: &Args, data_source: bool) -> Option<Pattern> {
    let info = type_info(resource_type)?;
    match info.name {
        NameRule::None => None,
        NameRule::Arg(arg) => Some(args(arg).map(|v| v.pattern()).unwrap_or_else(Pattern::unknown)),
        NameRule::ArgOrPrefix { arg, prefix, fifo } => {
            let prefix_value = args(prefix).filter(|v| !matches!(v, Value::Null));
            if let Some(v) = args(arg) {
                // A plan shows a name generated from `name_prefix` as not known yet.
                let generated = matches!(v, Value::Unknown) && prefix_value.is_some();
                if !matches!(v, Value::Null) && !generated {
                    return Some(v.pattern());
                }
            }
            if data_source {
                return Some(Pattern::unknown());
            }
            let mut out = prefix_value.map(|v| v.pattern()).unwrap_or_default();
            out.push(Part::Unknown);
            if let Some(flag) = fifo {
                match args(flag) {
                    None | Some(Value::Bool(false)) | Some(Value::Null) => {}
                    Some(Value::Bool(true)) => out.push(Part::Literal(".fifo".into())),
                    Some(v) if v.exact().as_deref() == Some("true") => out.push(Part::Literal(".fifo".into())),
                    Some(v) if v.exact().as_deref() == Some("false") => {}
                    Some(_) => out.push(Part::Unknown),
                }
            }
            Some(out)
        }
    }
}

/// The ARN, for types in the table.
pub fn arn(resource_type: &str, args: &Args, env: &Env, data_source: bool) -> Option<Pattern> {
    type_info(resource_type)?;
    match attribute(resource_type, "arn", args, env, data_source) {
        Value::Str(p, _) => Some(p),
        _ => None,
    }
}

/// The value of `resource_type.x.attr`: from the table, else the argument
/// of the same name (the provider echoes arguments), else not known; for a
/// data source, its argument first.
pub fn attribute(resource_type: &str, attr: &str, args: &Args, env: &Env, data_source: bool) -> Value {
    // A data source's argument is what it was looked up by (`arn = "..."`).
    if data_source {
        if let Some(v @ Value::Str(..)) = args(attr) {
            return v;
        }
    }
    if let Some(info) = type_info(resource_type) {
        if let Some(p) = table_attribute(info, attr, args, env, data_source, 0) {
            return Value::Str(p, None);
        }
    }
    args(attr).unwrap_or(Value::Unknown)
}

fn table_attribute(info: &TypeInfo, attr: &str, args: &Args, env: &Env, data_source: bool, depth: u8) -> Option<Pattern> {
    let template = info.attributes.iter().find(|(a, _)| *a == attr)?.1;
    if depth > 4 {
        return Some(Pattern::unknown());
    }
    let name = || name(info.resource_type, args, data_source).unwrap_or_else(Pattern::unknown);
    let mut out = Pattern::default();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push(Part::Literal(rest[..open].to_string()));
        let close = open + rest[open..].find('}').expect("table templates close their braces");
        let key = &rest[open + 1..close];
        rest = &rest[close + 1..];
        let piece = match key {
            "name" => name(),
            "p" => env.partition.clone(),
            "r" => env.region.clone(),
            "a" => env.account.clone(),
            "*" => Pattern::unknown(),
            "dns" => match env.partition.as_exact().as_deref() {
                Some("aws" | "aws-us-gov") => Pattern::literal("amazonaws.com"),
                Some("aws-cn") => Pattern::literal("amazonaws.com.cn"),
                _ => Pattern::unknown(),
            },
            "ssm_name" => {
                // `/app/x` → `parameter/app/x`; `x` → `parameter/x`.
                let n = name();
                match n.0.first() {
                    Some(Part::Literal(s)) if s.starts_with('/') => n,
                    Some(Part::Literal(_)) => {
                        let mut p = Pattern::literal("/");
                        p.extend(n);
                        p
                    }
                    _ => Pattern::unknown(),
                }
            }
            _ if key.starts_with("attr:") => table_attribute(info, &key[5..], args, env, data_source, depth + 1).unwrap_or_else(Pattern::unknown),
            _ if key.starts_with("arg:") => {
                let (arg, default) = key[4..].split_once('|').unwrap_or((&key[4..], ""));
                match args(arg) {
                    Some(Value::Null) | None => Pattern::literal(default),
                    Some(v) => v.pattern(),
                }
            }
            _ => Pattern::unknown(),
        };
        out.extend(piece);
    }
    out.push(Part::Literal(rest.to_string()));
    Some(out)
}
