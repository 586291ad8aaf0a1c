//! What each CloudFormation resource type is called: its name property, what
//! `Ref` and `Fn::GetAtt` return, its ARN, and the name CloudFormation
//! generates when the template gives none. One table, one place.

use crate::model::{Part, Pattern};

/// Where a stack is deployed, as far as the person told us.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub stack_name: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
}

impl Env {
    pub fn region(&self) -> Pattern {
        self.region.as_deref().map(Pattern::literal).unwrap_or_else(Pattern::unknown)
    }
    pub fn account(&self) -> Pattern {
        self.account.as_deref().map(Pattern::literal).unwrap_or_else(Pattern::unknown)
    }
    /// `aws`, `aws-cn` or `aws-us-gov` by the region's prefix (`aws` when the
    /// region is not known: the commercial partition).
    pub fn partition(&self) -> &'static str {
        match self.region.as_deref() {
            Some(r) if r.starts_with("cn-") => "aws-cn",
            Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
            _ => "aws",
        }
    }
    pub fn url_suffix(&self) -> &'static str {
        match self.region.as_deref() {
            Some(r) if r.starts_with("cn-") => "amazonaws.com.cn",
            _ => "amazonaws.com",
        }
    }
}

/// What `Ref` or an attribute returns, from the physical name.
#[derive(Debug, Clone, Copy)]
pub enum Returns {
    Name,
    Arn,
    /// An id the templates cannot know (a KMS key id, a user pool id).
    Unknown,
    Other(fn(&Env, &Pattern) -> Pattern),
}

/// How CloudFormation names a resource whose name property is absent.
#[derive(Debug, Clone, Copy)]
pub enum Generated {
    /// `<stack name>-<logical id>-<random>`, truncated to `max` characters,
    /// lower-cased when `lower`.
    StackLogical { max: usize, lower: bool },
    /// Not documented precisely: the name is not known.
    Unknown,
}

#[derive(Debug, Clone, Copy)]
pub struct TypeInfo {
    pub name_property: Option<&'static str>,
    pub reference: Returns,
    pub arn: Option<fn(&Env, &Pattern) -> Pattern>,
    pub attributes: &'static [(&'static str, Returns)],
    pub generated: Generated,
}

/// The longest stack name CloudFormation accepts.
const MAX_STACK_NAME: usize = 128;
/// The random suffix CloudFormation appends to generated names (12 or 13 characters).
const RANDOM_SUFFIX: usize = 13;

fn pat(parts: Vec<Pattern>) -> Pattern {
    let mut out = Pattern::default();
    for p in parts {
        out.extend(p);
    }
    out
}

fn lit(s: &str) -> Pattern {
    Pattern::literal(s)
}

/// `arn:<partition>:<service>:<region>:<account>:<resource>`; `regional` false
/// leaves the region empty (IAM, S3).
pub fn arn(env: &Env, service: &str, regional: bool, account: bool, resource: Pattern) -> Pattern {
    pat(vec![
        lit(&format!("arn:{}:{service}:", env.partition())),
        if regional { env.region() } else { Pattern::default() },
        lit(":"),
        if account { env.account() } else { Pattern::default() },
        lit(":"),
        resource,
    ])
}

fn prefixed(prefix: &str, name: &Pattern) -> Pattern {
    pat(vec![lit(prefix), name.clone()])
}

fn dynamodb_arn(env: &Env, name: &Pattern) -> Pattern {
    arn(env, "dynamodb", true, true, prefixed("table/", name))
}
fn dynamodb_stream_arn(env: &Env, name: &Pattern) -> Pattern {
    pat(vec![dynamodb_arn(env, name), lit("/stream/"), Pattern::unknown()])
}
fn s3_arn(env: &Env, name: &Pattern) -> Pattern {
    arn(env, "s3", false, false, name.clone())
}
fn s3_domain(_env: &Env, name: &Pattern) -> Pattern {
    pat(vec![name.clone(), lit(".s3.amazonaws.com")])
}
fn s3_regional_domain(env: &Env, name: &Pattern) -> Pattern {
    pat(vec![name.clone(), lit(".s3."), env.region(), lit("."), lit(env.url_suffix())])
}
fn sqs_arn(env: &Env, name: &Pattern) -> Pattern {
    arn(env, "sqs", true, true, name.clone())
}
fn sqs_url(env: &Env, name: &Pattern) -> Pattern {
    pat(vec![lit("https://sqs."), env.region(), lit(&format!(".{}/", env.url_suffix())), env.account(), lit("/"), name.clone()])
}
fn sns_arn(env: &Env, name: &Pattern) -> Pattern {
    arn(env, "sns", true, true, name.clone())
}
fn lambda_arn(env: &Env, name: &Pattern) -> Pattern {
    arn(env, "lambda", true, true, prefixed("function:", name))
}
fn states_arn(env: &Env, name: &Pattern) -> Pattern {
    arn(env, "states", true, true, prefixed("stateMachine:", name))
}
fn kinesis_arn(env: &Env, name: &Pattern) -> Pattern {
    arn(env, "kinesis", true, true, prefixed("stream/", name))
}
/// Secrets Manager appends `-` and six random characters to the name.
fn secret_arn(env: &Env, name: &Pattern) -> Pattern {
    arn(env, "secretsmanager", true, true, pat(vec![lit("secret:"), name.clone(), lit("-"), Pattern::unknown()]))
}
/// `parameter/name`, or `parameter/a/b` for a name that starts with `/`.
fn ssm_arn(env: &Env, name: &Pattern) -> Pattern {
    let resource = match name.0.first() {
        Some(Part::Literal(s)) if s.starts_with('/') => prefixed("parameter", name),
        Some(Part::Literal(_)) => prefixed("parameter/", name),
        _ => pat(vec![lit("parameter"), name.clone()]),
    };
    arn(env, "ssm", true, true, resource)
}
fn events_arn(env: &Env, name: &Pattern) -> Pattern {
    arn(env, "events", true, true, prefixed("event-bus/", name))
}
fn logs_arn(env: &Env, name: &Pattern) -> Pattern {
    arn(env, "logs", true, true, pat(vec![lit("log-group:"), name.clone(), lit(":*")]))
}
fn kms_arn(env: &Env, _name: &Pattern) -> Pattern {
    arn(env, "kms", true, true, pat(vec![lit("key/"), Pattern::unknown()]))
}
/// `role/<name>` for the default path `/`; the evaluator passes `<path>name`
/// (without the leading `/`) for a role with a `Path`.
pub fn role_arn(env: &Env, name: &Pattern) -> Pattern {
    arn(env, "iam", false, true, prefixed("role/", name))
}
fn ecr_arn(env: &Env, name: &Pattern) -> Pattern {
    arn(env, "ecr", true, true, prefixed("repository/", name))
}
fn ecr_uri(env: &Env, name: &Pattern) -> Pattern {
    pat(vec![env.account(), lit(".dkr.ecr."), env.region(), lit(&format!(".{}/", env.url_suffix())), name.clone()])
}
fn firehose_arn(env: &Env, name: &Pattern) -> Pattern {
    arn(env, "firehose", true, true, prefixed("deliverystream/", name))
}
fn user_pool_id(env: &Env, _name: &Pattern) -> Pattern {
    match &env.region {
        Some(r) => pat(vec![lit(&format!("{r}_")), Pattern::unknown()]),
        None => Pattern::unknown(),
    }
}
fn user_pool_arn(env: &Env, name: &Pattern) -> Pattern {
    arn(env, "cognito-idp", true, true, pat(vec![lit("userpool/"), user_pool_id(env, name)]))
}

const fn stack_logical(max: usize, lower: bool) -> Generated {
    Generated::StackLogical { max, lower }
}

const DYNAMODB: TypeInfo = TypeInfo {
    name_property: Some("TableName"),
    reference: Returns::Name,
    arn: Some(dynamodb_arn),
    attributes: &[("Arn", Returns::Arn), ("StreamArn", Returns::Other(dynamodb_stream_arn))],
    generated: stack_logical(255, false),
};
const LAMBDA: TypeInfo = TypeInfo {
    name_property: Some("FunctionName"),
    reference: Returns::Name,
    arn: Some(lambda_arn),
    attributes: &[("Arn", Returns::Arn)],
    generated: stack_logical(64, false),
};
const STATE_MACHINE: TypeInfo = TypeInfo {
    name_property: Some("StateMachineName"),
    reference: Returns::Arn,
    arn: Some(states_arn),
    attributes: &[("Arn", Returns::Arn), ("Name", Returns::Name)],
    generated: Generated::Unknown,
};
const FIREHOSE: TypeInfo = TypeInfo {
    name_property: Some("DeliveryStreamName"),
    reference: Returns::Name,
    arn: Some(firehose_arn),
    attributes: &[("Arn", Returns::Arn)],
    generated: stack_logical(64, false),
};

/// The naming knowledge of a resource type, when iamlens has it.
///
/// Generated names: CloudFormation names a resource without its name
/// property `<stack>-<LogicalId>-<random>` ("Name type", CloudFormation
/// Template Reference, aws-properties-name.html: `MyStack-MyBucket-abcdefghijk1`,
/// `stack123123123123-s3bucket-abcdefghijk1` for a bucket). Nothing documents
/// how it shortens a name past the type's limit; deployed stacks show the
/// stack part cut first (`MyStackDev-MyNestedApplicatio-MyLambdaFunctionName-1U44TLUZ7OR55`,
/// a 64-character Lambda name), and the logical id may be cut too. So a name
/// that may have been shortened is `*`: no literal that a cut could remove is
/// kept (see [`generated_name`] and the tests below, which cut every way).
///
/// | type | name limit (characters) | source | case |
/// | --- | --- | --- | --- |
/// | `AWS::S3::Bucket` | 63 | S3 bucket naming rules ("3 to 63 characters long", lowercase letters) | lower-cased |
/// | `AWS::SQS::Queue` | 80, `.fifo` included | SQS quotas: "A queue name can have up to 80 characters"; FIFO names end in `.fifo` | kept |
/// | `AWS::SNS::Topic` | 256, `.fifo` included | SNS `CreateTopic` `Name`: "between 1 and 256 characters long" | kept |
/// | `AWS::Lambda::Function`, `AWS::Serverless::Function` | 64 | Lambda `CreateFunction` `FunctionName`: "the function name ... is limited to 64 characters in length" | kept |
/// | `AWS::DynamoDB::Table`, `GlobalTable`, `Serverless::SimpleTable` | 255 | DynamoDB `TableName`: length 3–255 | kept |
/// | `AWS::Kinesis::Stream` | 128 | Kinesis `CreateStream` `StreamName`: length 1–128 | kept |
/// | `AWS::KinesisFirehose::DeliveryStream` | 64 | Firehose `DeliveryStreamName`: length 1–64 | kept |
/// | `AWS::Logs::LogGroup` | 512 | CloudWatch Logs `CreateLogGroup` `logGroupName`: length 1–512 | kept |
/// | `AWS::IAM::Role` | 64 | IAM `CreateRole` `RoleName`: length 1–64 | kept |
/// | `AWS::ECR::Repository` | 256 | ECR `CreateRepository` `repositoryName`: length 2–256, lowercase | lower-cased |
///
/// The random part is 12 or 13 characters in deployed names; 13 is assumed,
/// so a name within a character of the limit counts as possibly shortened.
/// The other types' generated names follow other rules (a state machine's
/// `<LogicalId>-<random>`, a secret's random suffix) or none documented: not known.
pub fn type_info(resource_type: &str) -> Option<TypeInfo> {
    Some(match resource_type {
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => DYNAMODB,
        "AWS::Serverless::SimpleTable" => DYNAMODB,
        "AWS::S3::Bucket" => TypeInfo {
            name_property: Some("BucketName"),
            reference: Returns::Name,
            arn: Some(s3_arn),
            attributes: &[
                ("Arn", Returns::Arn),
                ("DomainName", Returns::Other(s3_domain)),
                ("RegionalDomainName", Returns::Other(s3_regional_domain)),
            ],
            generated: stack_logical(63, true),
        },
        "AWS::SQS::Queue" => TypeInfo {
            name_property: Some("QueueName"),
            reference: Returns::Other(sqs_url),
            arn: Some(sqs_arn),
            attributes: &[("Arn", Returns::Arn), ("QueueName", Returns::Name), ("QueueUrl", Returns::Other(sqs_url))],
            generated: stack_logical(80, false),
        },
        "AWS::SNS::Topic" => TypeInfo {
            name_property: Some("TopicName"),
            reference: Returns::Arn,
            arn: Some(sns_arn),
            attributes: &[("TopicArn", Returns::Arn), ("TopicName", Returns::Name)],
            generated: stack_logical(256, false),
        },
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => LAMBDA,
        "AWS::StepFunctions::StateMachine" => STATE_MACHINE,
        "AWS::Serverless::StateMachine" => TypeInfo { name_property: Some("Name"), ..STATE_MACHINE },
        "AWS::Kinesis::Stream" => TypeInfo {
            name_property: Some("Name"),
            reference: Returns::Name,
            arn: Some(kinesis_arn),
            attributes: &[("Arn", Returns::Arn)],
            generated: stack_logical(128, false),
        },
        "AWS::SecretsManager::Secret" => TypeInfo {
            name_property: Some("Name"),
            reference: Returns::Arn,
            arn: Some(secret_arn),
            attributes: &[("Id", Returns::Arn)],
            generated: Generated::Unknown,
        },
        "AWS::SSM::Parameter" => {
            TypeInfo { name_property: Some("Name"), reference: Returns::Name, arn: Some(ssm_arn), attributes: &[], generated: Generated::Unknown }
        }
        "AWS::Events::EventBus" => TypeInfo {
            name_property: Some("Name"),
            reference: Returns::Name,
            arn: Some(events_arn),
            attributes: &[("Arn", Returns::Arn), ("Name", Returns::Name)],
            generated: Generated::Unknown,
        },
        "AWS::Logs::LogGroup" => TypeInfo {
            name_property: Some("LogGroupName"),
            reference: Returns::Name,
            arn: Some(logs_arn),
            attributes: &[("Arn", Returns::Arn)],
            generated: stack_logical(512, false),
        },
        "AWS::KMS::Key" => TypeInfo {
            name_property: None,
            reference: Returns::Unknown,
            arn: Some(kms_arn),
            attributes: &[("Arn", Returns::Arn), ("KeyId", Returns::Unknown)],
            generated: Generated::Unknown,
        },
        "AWS::IAM::Role" => TypeInfo {
            name_property: Some("RoleName"),
            reference: Returns::Name,
            arn: Some(role_arn),
            attributes: &[("Arn", Returns::Arn), ("RoleId", Returns::Unknown)],
            generated: stack_logical(64, false),
        },
        "AWS::ECR::Repository" => TypeInfo {
            name_property: Some("RepositoryName"),
            reference: Returns::Name,
            arn: Some(ecr_arn),
            attributes: &[("Arn", Returns::Arn), ("RepositoryUri", Returns::Other(ecr_uri))],
            generated: stack_logical(256, true),
        },
        "AWS::KinesisFirehose::DeliveryStream" | "AWS::Kinesis::Firehose" => FIREHOSE,
        "AWS::Cognito::UserPool" => TypeInfo {
            name_property: Some("UserPoolName"),
            reference: Returns::Other(user_pool_id),
            arn: Some(user_pool_arn),
            attributes: &[("Arn", Returns::Arn), ("UserPoolId", Returns::Other(user_pool_id))],
            generated: Generated::Unknown,
        },
        _ => return None,
    })
}

impl TypeInfo {
    /// What `Ref` (or `attribute`) returns, given the physical name.
    pub fn returns(&self, returns: Returns, env: &Env, name: &Pattern) -> Pattern {
        match returns {
            Returns::Name => name.clone(),
            Returns::Arn => self.arn.map(|f| f(env, name)).unwrap_or_else(Pattern::unknown),
            Returns::Unknown => Pattern::unknown(),
            Returns::Other(f) => f(env, name),
        }
    }
    pub fn attribute(&self, attribute: &str) -> Option<Returns> {
        self.attributes.iter().find(|(a, _)| *a == attribute).map(|(_, r)| *r)
    }
}

/// The name CloudFormation generates for `logical_id` when none is given:
/// `<stack>-<logical id>-<random>`. When the stack name (known, or at most
/// 128 characters when not) and the logical id might not fit in the type's
/// limit, CloudFormation truncates them: the name is then not known.
/// `suffix` is a known ending (`.fifo`); `reserve` characters an ending
/// that may or may not be there takes.
pub fn generated_name(generated: Generated, env: &Env, logical_id: &str, suffix: &str, reserve: usize) -> Pattern {
    let mut out = Pattern::default();
    match generated {
        Generated::StackLogical { max, lower } => {
            let case = |s: String| if lower { s.to_lowercase() } else { s };
            let fixed = logical_id.chars().count() + 2 + RANDOM_SUFFIX + suffix.chars().count() + reserve;
            match &env.stack_name {
                Some(stack) if stack.chars().count() + fixed <= max => {
                    out.push(Part::Literal(case(format!("{stack}-{logical_id}-"))));
                }
                None if MAX_STACK_NAME + fixed <= max => {
                    out.push(Part::Unknown);
                    out.push(Part::Literal(case(format!("-{logical_id}-"))));
                }
                _ => {}
            }
        }
        Generated::Unknown => {}
    }
    out.push(Part::Unknown);
    out.push(Part::Literal(suffix.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(stack: Option<&str>) -> Env {
        Env { stack_name: stack.map(str::to_string), region: None, account: None }
    }

    #[test]
    fn generated_names() {
        let dynamo = type_info("AWS::DynamoDB::Table").unwrap().generated;
        assert_eq!(generated_name(dynamo, &env(Some("mystack")), "OrdersTable", "", 0).display(), "mystack-OrdersTable-*");
        assert_eq!(generated_name(dynamo, &env(None), "OrdersTable", "", 0).display(), "*-OrdersTable-*");
        let s3 = type_info("AWS::S3::Bucket").unwrap().generated;
        assert_eq!(generated_name(s3, &env(Some("MyStack")), "Uploads", "", 0).display(), "mystack-uploads-*");
        // An unknown stack name may be truncated into the logical id.
        assert_eq!(generated_name(s3, &env(None), "Uploads", "", 0).display(), "*");
        let long = "a-very-long-stack-name-that-is-certainly-going-to-be-cut";
        assert_eq!(generated_name(s3, &env(Some(long)), "Uploads", "", 0).display(), "*");
        let sqs = type_info("AWS::SQS::Queue").unwrap().generated;
        assert_eq!(generated_name(sqs, &env(Some("s")), "Jobs", ".fifo", 0).display(), "s-Jobs-*.fifo");
        // A queue that may be FIFO: `.fifo` may take 5 of the 80 characters.
        let stack = "s".repeat(60);
        assert_eq!(generated_name(sqs, &env(Some(&stack)), "Jobs", "", 0).display(), format!("{stack}-Jobs-*"));
        assert_eq!(generated_name(sqs, &env(Some(&stack)), "Jobs", "", 5).display(), "*");
    }

    /// Every generated-name type with its documented limit and case (the table above).
    const LIMITS: &[(&str, usize, bool)] = &[
        ("AWS::S3::Bucket", 63, true),
        ("AWS::SQS::Queue", 80, false),
        ("AWS::SNS::Topic", 256, false),
        ("AWS::Lambda::Function", 64, false),
        ("AWS::Serverless::Function", 64, false),
        ("AWS::DynamoDB::Table", 255, false),
        ("AWS::DynamoDB::GlobalTable", 255, false),
        ("AWS::Serverless::SimpleTable", 255, false),
        ("AWS::Kinesis::Stream", 128, false),
        ("AWS::KinesisFirehose::DeliveryStream", 64, false),
        ("AWS::Logs::LogGroup", 512, false),
        ("AWS::IAM::Role", 64, false),
        ("AWS::ECR::Repository", 256, true),
    ];

    #[test]
    fn each_type_names_with_its_documented_limit_and_case() {
        for &(resource_type, limit, lowercase) in LIMITS {
            match type_info(resource_type).map(|t| t.generated) {
                Some(Generated::StackLogical { max, lower }) => {
                    assert_eq!((max, lower), (limit, lowercase), "{resource_type}");
                }
                other => panic!("{resource_type}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_name_that_just_fits_keeps_the_stack_and_one_character_more_does_not() {
        for &(resource_type, limit, lower) in LIMITS {
            let generated = type_info(resource_type).unwrap().generated;
            let id = "Jobs";
            // stack + "-" + id + "-" + 13 random characters == limit.
            let fits = "s".repeat(limit - id.len() - 2 - RANDOM_SUFFIX);
            let expected = if lower { format!("{fits}-jobs-*") } else { format!("{fits}-{id}-*") };
            assert_eq!(generated_name(generated, &env(Some(&fits)), id, "", 0).display(), expected, "{resource_type}");
            let over = format!("{fits}s");
            assert_eq!(generated_name(generated, &env(Some(&over)), id, "", 0).display(), "*", "{resource_type}");
            // The stack name not known: any stack name up to 128 characters must fit.
            let longest_id = limit.saturating_sub(MAX_STACK_NAME + 2 + RANDOM_SUFFIX);
            if longest_id > 0 {
                let id = "J".repeat(longest_id);
                let shown = if lower { id.to_lowercase() } else { id.clone() };
                assert_eq!(generated_name(generated, &env(None), &id, "", 0).display(), format!("*-{shown}-*"), "{resource_type}");
                let longer = format!("{id}J");
                assert_eq!(generated_name(generated, &env(None), &longer, "", 0).display(), "*", "{resource_type}");
            } else {
                assert_eq!(generated_name(generated, &env(None), "J", "", 0).display(), "*", "{resource_type}");
            }
        }
    }

    /// Whether `name` is one of the strings `pattern` stands for.
    fn matches(pattern: &Pattern, name: &str) -> bool {
        fn from(parts: &[Part], name: &str) -> bool {
            match parts.split_first() {
                None => name.is_empty(),
                Some((Part::Literal(s), rest)) => name.strip_prefix(s.as_str()).is_some_and(|n| from(rest, n)),
                Some((Part::Unknown, rest)) => (0..=name.len()).filter(|&i| name.is_char_boundary(i)).any(|i| from(rest, &name[i..])),
            }
        }
        from(&pattern.0, name)
    }

    /// The names CloudFormation may make for `stack`/`id` under `limit`: the
    /// whole name when it fits, else the stack part cut first, the logical id
    /// cut first, or both cut in proportion (none is documented).
    fn shortened_names(stack: &str, id: &str, random: &str, suffix: &str, limit: usize, lower: bool) -> Vec<String> {
        let room = limit.saturating_sub(2 + random.len() + suffix.len());
        let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
        let (s, i) = (stack.chars().count(), id.chars().count());
        let mut parts = vec![(s, i)];
        if s + i > room {
            let stack_first = (room.saturating_sub(i), i.min(room));
            let id_first = (s.min(room), room.saturating_sub(s));
            let share = room * s / (s + i);
            parts = vec![stack_first, id_first, (share, room - share)];
        }
        parts
            .into_iter()
            .map(|(ks, ki)| {
                let name = format!("{}-{}-{random}{suffix}", cut(stack, ks), cut(id, ki));
                if lower {
                    name.to_lowercase()
                } else {
                    name
                }
            })
            .collect()
    }

    #[test]
    fn every_way_cloudformation_may_shorten_a_name_still_matches_the_pattern() {
        let ids = ["Q", "Jobs", "OrderEventsQueue", "AVeryLongLogicalIdForAnOrdersTableResource", &"L".repeat(120), &"X".repeat(250)];
        for &(resource_type, limit, lower) in LIMITS {
            let generated = type_info(resource_type).unwrap().generated;
            let fifo = matches!(resource_type, "AWS::SQS::Queue" | "AWS::SNS::Topic");
            for stack_len in 1..=MAX_STACK_NAME {
                let stack = format!("Stack{}", "n".repeat(stack_len.saturating_sub(5)));
                for id in ids {
                    for random in ["ABCDEFGHIJKL", "ABCDEFGHIJKLM"] {
                        for (suffix, reserve, real_suffix) in [("", 0, ""), (".fifo", 0, ".fifo"), ("", 5, ".fifo"), ("", 5, "")] {
                            if !fifo && (suffix, reserve) != ("", 0) {
                                continue;
                            }
                            for (env, what) in [(env(Some(&stack)), "known"), (env(None), "unknown")] {
                                let pattern = generated_name(generated, &env, id, suffix, reserve);
                                for name in shortened_names(&stack, id, random, real_suffix, limit, lower) {
                                    assert!(
                                        matches(&pattern, &name),
                                        "{resource_type}: `{}` (stack {what}) does not match `{name}`",
                                        pattern.display()
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn partitions() {
        let mut e = env(None);
        assert_eq!(e.partition(), "aws");
        e.region = Some("cn-north-1".into());
        assert_eq!(e.partition(), "aws-cn");
        e.region = Some("us-gov-west-1".into());
        assert_eq!(e.partition(), "aws-us-gov");
    }
}
