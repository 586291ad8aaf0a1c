//! SDK names generated from each service model's `serviceId`: the v3 package
//! (`@aws-sdk/client-sfn`) and client classes (`SFNClient`, `SFN`), the v2
//! class (`AWS.StepFunctions`, `aws-sdk/clients/stepfunctions`), and the rules
//! that turn a method or command name into an operation name.

use iamlens_knowledge::KnowledgeBase;
use std::collections::HashMap;
use std::sync::OnceLock;

/// v2 class names that do not follow from the `serviceId` (aws-sdk v2 named
/// these before `serviceId` existed, and kept the names): botocore name → class.
pub const V2_CLASS_EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("stepfunctions", "StepFunctions", "serviceId is `SFN`; v2 calls the class StepFunctions"),
    ("cognito-idp", "CognitoIdentityServiceProvider", "serviceId is `Cognito Identity Provider`"),
    ("sesv2", "SESV2", "serviceId is `SESv2`; v2 upper-cases the V"),
    ("elbv2", "ELBv2", "serviceId is `Elastic Load Balancing v2`"),
    ("elb", "ELB", "serviceId is `Elastic Load Balancing`"),
    ("iot-data", "IotData", "serviceId is `IoT Data Plane`"),
    ("iot", "Iot", "serviceId is `IoT`; v2 spells it Iot"),
    ("transcribe", "TranscribeService", "serviceId is `Transcribe`"),
    ("lex-runtime", "LexRuntime", "serviceId is `Lex Runtime Service`"),
    ("rds-data", "RDSDataService", "serviceId is `RDS Data`"),
    ("es", "ES", "serviceId is `Elasticsearch Service`"),
    ("cur", "CUR", "serviceId is `Cost and Usage Report Service`"),
    ("dms", "DMS", "serviceId is `Database Migration Service`"),
    ("mq", "MQ", "serviceId is lower-case `mq`"),
    ("ivs", "IVS", "serviceId is lower-case `ivs`"),
    ("codeartifact", "CodeArtifact", "serviceId is lower-case `codeartifact`"),
];

/// v3 packages kept beside the generated one under an older name:
/// (package suffix, botocore service, class name without `Client`).
pub const V3_PACKAGE_ALIASES: &[(&str, &str, &str)] = &[("cloudwatch-events", "events", "CloudWatchEvents")];

/// botocore services the JavaScript SDKs have no client of their own for.
pub const NO_JS_CLIENT: &[(&str, &str)] = &[(
    "sms-voice",
    "same serviceId (`Pinpoint SMS Voice`) as pinpoint-sms-voice; the SDKs ship only `client-pinpoint-sms-voice` / `PinpointSMSVoice`",
)];

/// Further v2 class names for a service (older names v2 still exports).
const V2_CLASS_ALIASES: &[(&str, &str)] = &[("CloudWatchEvents", "events")];

/// The v3 package suffix: `serviceId` lower-cased, spaces → dashes (`client-` + this).
pub fn v3_package(service_id: &str) -> String {
    service_id.trim().to_ascii_lowercase().split_whitespace().collect::<Vec<_>>().join("-")
}

/// The v3 aggregated class: each word of `serviceId` capitalised, joined
/// (`Elastic Load Balancing v2` → `ElasticLoadBalancingV2`); the bare client adds `Client`.
pub fn v3_class(service_id: &str) -> String {
    service_id.split(|c: char| c.is_whitespace() || c == '-').filter(|w| !w.is_empty()).map(upper_first).collect()
}

/// The v2 class (`AWS.<class>`): the exception list, else words of `serviceId` joined, first letter upper-case.
pub fn v2_class(service: &str, service_id: &str) -> String {
    match V2_CLASS_EXCEPTIONS.iter().find(|(s, _, _)| *s == service) {
        Some((_, class, _)) => class.to_string(),
        None => upper_first(&service_id.split(|c: char| c.is_whitespace() || c == '-').collect::<String>()),
    }
}

/// `getObject` → `GetObject` (v2 and aggregated v3 methods).
pub fn operation_for_method(method: &str) -> String {
    upper_first(method)
}

/// `getObject` for `GetObject`.
pub fn method_for_operation(operation: &str) -> String {
    let mut chars = operation.chars();
    chars.next().map(|c| c.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// `GetObjectCommand` → `GetObject`.
pub fn operation_for_command(class: &str) -> Option<&str> {
    class.strip_suffix("Command").filter(|op| op.starts_with(|c: char| c.is_ascii_uppercase()))
}

fn upper_first(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// The generated name tables, built once from `KnowledgeBase::service_ids`.
pub struct Names {
    /// v3 package suffix (`sfn`) → botocore service.
    by_package: HashMap<String, String>,
    /// botocore service → v3 aggregated class (`SFN`).
    v3_class: HashMap<String, String>,
    /// v2 class (`StepFunctions`) → botocore service.
    by_v2_class: HashMap<String, String>,
    /// v2 module (`aws-sdk/clients/<this>`, the class lower-cased) → botocore service.
    by_v2_module: HashMap<String, String>,
}

pub fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| Names::build(KnowledgeBase::embedded().service_ids()))
}

impl Names {
    pub fn build<'a>(ids: impl Iterator<Item = (&'a str, &'a str)>) -> Names {
        let mut names = Names { by_package: HashMap::new(), v3_class: HashMap::new(), by_v2_class: HashMap::new(), by_v2_module: HashMap::new() };
        for (service, id) in ids {
            if NO_JS_CLIENT.iter().any(|(s, _)| *s == service) {
                continue;
            }
            names.by_package.insert(v3_package(id), service.to_string());
            names.v3_class.insert(service.to_string(), v3_class(id));
            let v2 = v2_class(service, id);
            names.by_v2_module.insert(v2.to_ascii_lowercase(), service.to_string());
            names.by_v2_class.insert(v2, service.to_string());
        }
        for (package, service, _) in V3_PACKAGE_ALIASES {
            names.by_package.insert(package.to_string(), service.to_string());
        }
        for (class, service) in V2_CLASS_ALIASES {
            names.by_v2_class.insert(class.to_string(), service.to_string());
            names.by_v2_module.insert(class.to_ascii_lowercase(), service.to_string());
        }
        names
    }

    /// The service of `@aws-sdk/client-<suffix>`.
    pub fn service_for_package(&self, suffix: &str) -> Option<&str> {
        self.by_package.get(suffix).map(String::as_str)
    }

    /// The v3 aggregated class of a service (`S3`); the bare client is this + `Client`.
    pub fn v3_class(&self, service: &str) -> Option<&str> {
        self.v3_class.get(service).map(String::as_str)
    }

    /// The service of `AWS.<class>`.
    pub fn service_for_v2_class(&self, class: &str) -> Option<&str> {
        self.by_v2_class.get(class).map(String::as_str)
    }

    /// The service of `aws-sdk/clients/<module>`.
    pub fn service_for_v2_module(&self, module: &str) -> Option<&str> {
        self.by_v2_module.get(module).map(String::as_str)
    }

    pub fn packages(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_package.iter().map(|(p, s)| (p.as_str(), s.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn every_botocore_service_gets_unique_v3_and_v2_names() {
        let kb = KnowledgeBase::embedded();
        let ids: Vec<(&str, &str)> = kb.service_ids().collect();
        assert!(ids.len() > 400);
        let names = Names::build(ids.iter().copied());
        let mut packages: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        let mut classes: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for (service, id) in &ids {
            if NO_JS_CLIENT.iter().any(|(s, _)| s == service) {
                assert!(names.v3_class(service).is_none());
                continue;
            }
            let package = v3_package(id);
            assert!(!package.is_empty() && package.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{service}: package {package:?}");
            packages.entry(package).or_default().push(service);
            let class = names.v3_class(service).expect("a class");
            assert!(class.chars().all(|c| c.is_ascii_alphanumeric()) && class.starts_with(|c: char| c.is_ascii_uppercase()), "{service}: {class}");
            classes.entry(v2_class(service, id)).or_default().push(service);
        }
        let clashes: Vec<_> = packages.iter().filter(|(_, s)| s.len() > 1).collect();
        assert!(clashes.is_empty(), "v3 package names clash: {clashes:?}");
        let clashes: Vec<_> = classes.iter().filter(|(_, s)| s.len() > 1).collect();
        assert!(clashes.is_empty(), "v2 class names clash: {clashes:?}");
        // Every exception names a real service, and is needed (the generated name differs).
        for (service, class, reason) in V2_CLASS_EXCEPTIONS {
            let (_, id) = ids.iter().find(|(s, _)| s == service).unwrap_or_else(|| panic!("{service} is not a botocore service"));
            let generated = upper_first(&id.split(|c: char| c.is_whitespace() || c == '-').collect::<String>());
            assert_ne!(&generated, class, "{service}: the exception is not needed ({reason})");
        }
    }

    #[test]
    fn names_match_the_published_sdks() {
        let n = names();
        for (package, service) in [
            ("s3", "s3"),
            ("sfn", "stepfunctions"),
            ("cloudwatch-logs", "logs"),
            ("eventbridge", "events"),
            ("cognito-identity-provider", "cognito-idp"),
            ("apigatewaymanagementapi", "apigatewaymanagementapi"),
            ("dynamodb", "dynamodb"),
            ("sesv2", "sesv2"),
            ("elastic-load-balancing-v2", "elbv2"),
            ("bedrock-runtime", "bedrock-runtime"),
            ("cloudwatch-events", "events"),
        ] {
            assert_eq!(n.service_for_package(package), Some(service), "client-{package}");
        }
        for (service, class) in [("s3", "S3"), ("sfn", "SFN"), ("logs", "CloudWatchLogs"), ("elbv2", "ElasticLoadBalancingV2"), ("sesv2", "SESv2")] {
            let service = if service == "sfn" { "stepfunctions" } else { service };
            assert_eq!(n.v3_class(service), Some(class));
        }
        for (class, service) in [
            ("S3", "s3"),
            ("DynamoDB", "dynamodb"),
            ("SQS", "sqs"),
            ("StepFunctions", "stepfunctions"),
            ("CloudWatchLogs", "logs"),
            ("EventBridge", "events"),
            ("CloudWatchEvents", "events"),
            ("Lambda", "lambda"),
            ("SecretsManager", "secretsmanager"),
            ("CognitoIdentityServiceProvider", "cognito-idp"),
            ("Route53", "route53"),
            ("APIGateway", "apigateway"),
        ] {
            assert_eq!(n.service_for_v2_class(class), Some(service), "AWS.{class}");
        }
        assert_eq!(n.service_for_v2_module("dynamodb"), Some("dynamodb"));
        assert_eq!(n.service_for_v2_module("cognitoidentityserviceprovider"), Some("cognito-idp"));
    }

    #[test]
    fn method_and_command_rules() {
        assert_eq!(operation_for_method("getObject"), "GetObject");
        assert_eq!(method_for_operation("ListObjectsV2"), "listObjectsV2");
        assert_eq!(operation_for_command("PutItemCommand"), Some("PutItem"));
        assert_eq!(operation_for_command("Command"), None);
        assert_eq!(operation_for_command("S3Client"), None);
    }
}
