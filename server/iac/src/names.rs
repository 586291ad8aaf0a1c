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
