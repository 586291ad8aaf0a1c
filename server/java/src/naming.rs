//! Java SDK names derived from botocore `serviceId`s, as the SDK's code
//! generator derives them: client class prefixes (`SFN` → `Sfn`), v2
//! packages (`sfn`), v1 packages, and method names of operations
//! (`DescribeDBClusters` → `describeDBClusters`).

use iamlens_knowledge::KnowledgeBase;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A port of the v2 generator's `Utils.splitOnWordBoundaries`.
pub fn split_words(id: &str) -> Vec<String> {
    // Non-alphanumeric runs become one space.
    let mut s: Vec<char> = Vec::new();
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if s.last() != Some(&' ') {
            s.push(' ');
        }
    }
    // A standalone `v2`/`V2` version suffix: `SESv2` → `SES v2 `, `ApiGatewayV2` → `ApiGateway V2 `.
    let mut out: Vec<char> = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let digits = s[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
        let before_ok = |pred: fn(&char) -> bool| i >= 2 && pred(&s[i - 1]) && pred(&s[i - 2]);
        let versioned =
            digits > 0 && ((c == 'v' && before_ok(|ch| !ch.is_ascii_lowercase())) || (c == 'V' && before_ok(|ch| !ch.is_ascii_uppercase())));
        if versioned {
            out.push(' ');
            out.extend(&s[i..=i + digits]);
            out.push(' ');
            i += digits + 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    // camelCase boundaries, acronym ends, and a letter after a digit.
    let s = out;
    let mut out: Vec<char> = Vec::new();
    for i in 0..s.len() {
        let (prev, c, next) = (if i > 0 { s[i - 1] } else { ' ' }, s[i], s.get(i + 1).copied().unwrap_or(' '));
        let camel = prev.is_ascii_lowercase() && c.is_ascii_uppercase() && next.is_ascii_alphanumeric();
        let acronym = prev.is_ascii_uppercase() && c.is_ascii_uppercase() && next.is_ascii_lowercase();
        let after_digit = prev.is_ascii_digit() && c.is_ascii_alphabetic();
        if camel || acronym || after_digit {
            out.push(' ');
        }
        out.push(c);
    }
    out.into_iter().collect::<String>().split_whitespace().map(str::to_string).collect()
}

/// The generator's `pascalCase`: each word lower-cased, then capitalised.
pub fn pascal_case(id: &str) -> String {
    split_words(id)
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars.next().map(|f| f.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

/// The client class prefix of a service (`S3`, `DynamoDb`, `Sfn`, `Config`):
/// `pascalCase(serviceId)` without a leading `Amazon`/`Aws` or trailing `Service`.
pub fn class_prefix(service_id: &str) -> String {
    let mut name = pascal_case(service_id);
    for lead in ["Amazon", "Aws"] {
        if name.len() > lead.len() && name.starts_with(lead) {
            name = name[lead.len()..].to_string();
        }
    }
    if name.len() > "Service".len() && name.ends_with("Service") {
        name.truncate(name.len() - "Service".len());
    }
    name
}

/// Services whose v2 package is not the lower-cased class prefix, with the reason.
pub const PACKAGE_EXCEPTIONS: &[(&str, &str, &str)] =
    &[("dynamodbstreams", "dynamodb.streams", "its model is shared with DynamoDB (`shareModelWith`), so it lives in a sub-package")];

/// botocore models that duplicate another service's `serviceId`: the Java
/// SDK generates one client for the pair, under the other's name.
pub const DUPLICATE_MODELS: &[(&str, &str, &str)] = &[(
    "sms-voice",
    "pinpoint-sms-voice",
    "botocore ships the Pinpoint SMS Voice model twice; Java v2 has only `PinpointSmsVoiceClient` (package `pinpointsmsvoice`)",
)];

/// The v2 package under `software.amazon.awssdk.services.` (`cloudwatchlogs`, `sfn`).
pub fn v2_package(botocore: &str, service_id: &str) -> String {
    match PACKAGE_EXCEPTIONS.iter().find(|(name, _, _)| *name == botocore) {
        Some((_, package, _)) => package.to_string(),
        None => class_prefix(service_id).to_ascii_lowercase(),
    }
}

/// v1 packages under `com.amazonaws.services.` that differ from the v2 package,
/// reviewed against the v1 SDK's module list (the v1 SDK was hand-named).
pub const V1_PACKAGES: &[(&str, &str)] = &[
    ("dynamodbv2", "dynamodb"),
    ("logs", "logs"),
    ("securitytoken", "sts"),
    ("simpleemail", "ses"),
    ("simpleemailv2", "sesv2"),
    ("simplesystemsmanagement", "ssm"),
    ("stepfunctions", "stepfunctions"),
    ("kinesisfirehose", "firehose"),
    ("identitymanagement", "iam"),
    ("elasticloadbalancingv2", "elbv2"),
    ("elasticloadbalancing", "elb"),
    ("cognitoidp", "cognito-idp"),
    ("cloudwatchevents", "events"),
    ("eventbridge", "events"),
    ("apigateway", "apigateway"),
    ("secretsmanager", "secretsmanager"),
    ("elasticmapreduce", "emr"),
    ("certificatemanager", "acm"),
    ("cloudwatch", "cloudwatch"),
    ("rdsdata", "rds-data"),
];

/// The method a Java SDK (v2 and v1) client has for an operation: the
/// generator's `unCapitalize`, which lower-cases the leading run of capitals
/// except the last one when a lower-case letter follows it.
pub fn method_name(operation: &str) -> String {
    let chars: Vec<char> = operation.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(operation.len());
    let mut i = 0;
    loop {
        out.push(chars[i].to_ascii_lowercase());
        i += 1;
        let more = i < chars.len() && chars[i].is_ascii_uppercase() && !(i + 1 < chars.len() && chars[i + 1].is_ascii_lowercase());
        if !more {
            break;
        }
    }
    out.extend(&chars[i..]);
    out
}

/// Names of every service, built once from the knowledge base's `serviceId`s.
pub struct Names {
    /// v2 package → botocore name.
    by_package: HashMap<String, String>,
    /// botocore name → client class prefix.
    prefixes: HashMap<String, String>,
}

impl Names {
    fn build<'a>(ids: impl Iterator<Item = (&'a str, &'a str)>) -> Names {
        let mut by_package = HashMap::new();
        let mut prefixes = HashMap::new();
        for (name, id) in ids {
            if !DUPLICATE_MODELS.iter().any(|(dup, _, _)| *dup == name) {
                by_package.insert(v2_package(name, id), name.to_string());
            }
            prefixes.insert(name.to_string(), class_prefix(id));
        }
        Names { by_package, prefixes }
    }

    /// The service of a v2 package path (`s3`, `dynamodb.streams`).
    pub fn service_of_v2_package(&self, package: &str) -> Option<&str> {
        self.by_package.get(package).map(String::as_str)
    }

    /// The service of a v1 package (`dynamodbv2`, `s3`, `sqs`).
    pub fn service_of_v1_package(&self, package: &str) -> Option<&str> {
        if let Some((_, svc)) = V1_PACKAGES.iter().find(|(p, _)| *p == package) {
            return Some(svc);
        }
        self.service_of_v2_package(package)
    }

    /// The client class prefix of a botocore service (`DynamoDb`).
    pub fn prefix(&self, service: &str) -> Option<&str> {
        self.prefixes.get(service).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.prefixes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty()
    }
}

/// The names of the embedded knowledge base's services (built once).
pub fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| Names::build(KnowledgeBase::embedded().service_ids()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_prefixes_follow_the_generator() {
        for (id, want) in [
            ("S3", "S3"),
            ("DynamoDB", "DynamoDb"),
            ("SFN", "Sfn"),
            ("EC2", "Ec2"),
            ("CloudWatch Logs", "CloudWatchLogs"),
            ("SESv2", "SesV2"),
            ("ApiGatewayV2", "ApiGatewayV2"),
            ("Cognito Identity Provider", "CognitoIdentityProvider"),
            ("Config Service", "Config"),
            ("Database Migration Service", "DatabaseMigration"),
            ("Service Catalog", "ServiceCatalog"),
            ("IoT", "Iot"),
            ("Elastic Load Balancing v2", "ElasticLoadBalancingV2"),
            ("AmplifyUIBuilder", "AmplifyUiBuilder"),
            ("Route 53", "Route53"),
            ("ACM PCA", "AcmPca"),
            ("DynamoDB Streams", "DynamoDbStreams"),
            ("Bedrock Runtime", "BedrockRuntime"),
        ] {
            assert_eq!(class_prefix(id), want, "{id}");
        }
    }

    #[test]
    fn method_names_lower_only_the_leading_capitals() {
        assert_eq!(method_name("GetObject"), "getObject");
        assert_eq!(method_name("DescribeDBClusters"), "describeDBClusters");
        assert_eq!(method_name("ListObjectsV2"), "listObjectsV2");
        assert_eq!(method_name("SSMThing"), "ssmThing");
        assert_eq!(method_name("ABC"), "abc");
    }

    #[test]
    fn every_service_gets_a_unique_package_and_class_prefix() {
        let kb = KnowledgeBase::embedded();
        let mut packages: HashMap<String, &str> = HashMap::new();
        let mut count = 0;
        for (name, id) in kb.service_ids() {
            count += 1;
            let prefix = class_prefix(id);
            assert!(!prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_alphanumeric()), "{name}: {id} → {prefix}");
            assert!(prefix.starts_with(|c: char| c.is_ascii_uppercase()), "{name}: {prefix}");
            let package = v2_package(name, id);
            match packages.insert(package.clone(), name) {
                None => assert_eq!(names().service_of_v2_package(&package), Some(name)),
                Some(other) => {
                    let dup = DUPLICATE_MODELS.iter().find(|(d, _, _)| *d == name || *d == other);
                    let (dup, kept, _) = dup.unwrap_or_else(|| panic!("{name} and {other} share package {package}"));
                    assert_eq!(names().service_of_v2_package(&package), Some(*kept), "{dup}");
                }
            }
        }
        assert!(count > 400, "{count} services");
        assert_eq!(names().len(), count);
        // The exceptions are real services.
        for (name, _, _) in PACKAGE_EXCEPTIONS {
            assert!(kb.service(name).is_some(), "{name}");
        }
        for (_, svc) in V1_PACKAGES {
            assert!(kb.service(svc).is_some(), "{svc}");
        }
        assert_eq!(names().service_of_v2_package("dynamodb.streams"), Some("dynamodbstreams"));
        assert_eq!(names().service_of_v2_package("cloudwatchlogs"), Some("logs"));
        assert_eq!(names().service_of_v2_package("sfn"), Some("stepfunctions"));
        assert_eq!(names().service_of_v2_package("cognitoidentityprovider"), Some("cognito-idp"));
        assert_eq!(names().service_of_v1_package("dynamodbv2"), Some("dynamodb"));
    }

    #[test]
    fn every_operation_method_name_maps_back_uniquely() {
        let kb = KnowledgeBase::embedded();
        for name in ["s3", "dynamodb", "rds", "ec2", "sqs", "iam"] {
            let svc = kb.service(name).expect("service");
            let mut seen = HashMap::new();
            for op in svc.operations.keys() {
                assert!(seen.insert(method_name(op), op).is_none(), "{name}.{op}");
            }
        }
    }
}
