//! SDK names generated from the knowledge base: the Go package of each
//! service (from the model's `serviceId`), and the method-name rules of the
//! Go SDKs (v2 methods are operation names; v1 adds suffixed variants).

use iamlens_knowledge::KnowledgeBase;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The aws-sdk-go-v2 package name of a model `serviceId`: lower case, spaces
/// and dashes dropped (`CloudWatch Logs` → `cloudwatchlogs`, `SFN` → `sfn`).
pub fn package_for_service_id(service_id: &str) -> String {
    service_id.chars().filter(|c| !matches!(c, ' ' | '-' | '_')).flat_map(char::to_lowercase).collect()
}

/// aws-sdk-go (v1) packages that are not the v2 rule: v1 named them from the
/// service's abbreviation, not from `serviceId`.
const V1_PACKAGE_EXCEPTIONS: &[(&str, &str)] = &[("elasticloadbalancing", "elb"), ("elasticloadbalancingv2", "elbv2")];

struct Names {
    /// v2 package → botocore service name.
    v2: HashMap<String, String>,
    /// v1 package → botocore service name.
    v1: HashMap<String, String>,
    /// botocore service name → v1 client type name (`DynamoDB`, `CloudWatchLogs`).
    v1_client: HashMap<String, String>,
    /// botocore service name → v2 package.
    package: HashMap<String, String>,
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = Names { v2: HashMap::new(), v1: HashMap::new(), v1_client: HashMap::new(), package: HashMap::new() };
        for (service, service_id) in KnowledgeBase::embedded().service_ids() {
            let pkg = package_for_service_id(service_id);
            let v1 = V1_PACKAGE_EXCEPTIONS.iter().find(|(v2, _)| *v2 == pkg).map_or(pkg.clone(), |(_, v1)| v1.to_string());
            let client: String = service_id.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            // Two botocore names for one serviceId (`pinpoint-sms-voice`, `sms-voice`): the first, sorted, wins.
            names.v2.entry(pkg.clone()).or_insert_with(|| service.to_string());
            names.v1.entry(v1).or_insert_with(|| service.to_string());
            names.v1_client.insert(service.to_string(), client);
            names.package.insert(service.to_string(), pkg);
        }
        names
    })
}

/// The botocore service of an aws-sdk-go-v2 package (`sfn` → `stepfunctions`).
pub fn service_for_v2_package(pkg: &str) -> Option<&'static str> {
    names().v2.get(pkg).map(String::as_str)
}

/// The botocore service of an aws-sdk-go (v1) package (`elbv2` → `elbv2`).
pub fn service_for_v1_package(pkg: &str) -> Option<&'static str> {
    names().v1.get(pkg).map(String::as_str)
}

/// The v2 package of a botocore service (`logs` → `cloudwatchlogs`).
pub fn v2_package(service: &str) -> Option<&'static str> {
    names().package.get(service).map(String::as_str)
}

/// Whether `type_name` is the v1 client type of `service` (`*dynamodb.DynamoDB`).
pub fn is_v1_client_type(service: &str, type_name: &str) -> bool {
    names().v1_client.get(service).is_some_and(|c| c.eq_ignore_ascii_case(type_name))
}

/// How a v1 method name calls an operation: `GetObject`, `GetObjectWithContext`,
/// `GetObjectRequest`, `ListObjectsV2Pages(WithContext)`, `WaitUntilTableExists(WithContext)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum V1Method<'m> {
    Operation(&'m str),
    Pages(&'m str),
    Waiter(&'m str),
}

/// The readings of a v1 method name, most specific first (an operation may
/// itself end in `Request`: the caller keeps the first that names one).
pub fn v1_method_readings(method: &str) -> Vec<V1Method<'_>> {
    let base = method.strip_suffix("WithContext").unwrap_or(method);
    let mut out = Vec::new();
    if let Some(w) = base.strip_prefix("WaitUntil") {
        out.push(V1Method::Waiter(w));
    }
    if let Some(op) = base.strip_suffix("Pages") {
        out.push(V1Method::Pages(op));
    }
    if let Some(op) = base.strip_suffix("Request") {
        out.push(V1Method::Operation(op));
    }
    out.push(V1Method::Operation(base));
    out
}

/// The operation of a v2 constructor `New<Op>Paginator`.
pub fn paginator_operation(func: &str) -> Option<&str> {
    func.strip_prefix("New")?.strip_suffix("Paginator").filter(|s| !s.is_empty())
}

/// The waiter of a v2 constructor `New<Waiter>Waiter`.
pub fn waiter_name(func: &str) -> Option<&str> {
    func.strip_prefix("New")?.strip_suffix("Waiter").filter(|s| !s.is_empty())
}

/// The operation of an input type name `<Op>Input`.
pub fn input_operation(type_name: &str) -> Option<&str> {
    type_name.strip_suffix("Input").filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_botocore_service_gets_a_distinct_go_package() {
        let kb = KnowledgeBase::embedded();
        let mut seen: HashMap<String, &str> = HashMap::new();
        let mut clashes = Vec::new();
        let mut count = 0;
        for (service, service_id) in kb.service_ids() {
            count += 1;
            let pkg = package_for_service_id(service_id);
            assert!(!pkg.is_empty() && pkg.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{service}: {pkg:?}");
            assert_eq!(service_for_v2_package(&pkg), seen.get(&pkg).copied().or(Some(service)));
            if let Some(other) = seen.insert(pkg.clone(), service) {
                clashes.push(format!("{other}/{service} → {pkg}"));
            }
        }
        assert!(count > 400, "only {count} services");
        // Exceptions, with reasons; any new clash must be added here.
        // - botocore keeps `sms-voice` as a second model of Pinpoint SMS Voice
        //   (same serviceId); the Go SDK has one package for it, and the
        //   first name (`pinpoint-sms-voice`) is the one it maps to.
        assert_eq!(clashes, ["pinpoint-sms-voice/sms-voice → pinpointsmsvoice"]);
        assert_eq!(service_for_v2_package("pinpointsmsvoice"), Some("pinpoint-sms-voice"));
    }

    #[test]
    fn well_known_packages() {
        for (pkg, svc) in [
            ("s3", "s3"),
            ("dynamodb", "dynamodb"),
            ("cloudwatchlogs", "logs"),
            ("sfn", "stepfunctions"),
            ("cognitoidentityprovider", "cognito-idp"),
            ("sesv2", "sesv2"),
            ("elasticloadbalancingv2", "elbv2"),
            ("apigatewaymanagementapi", "apigatewaymanagementapi"),
            ("secretsmanager", "secretsmanager"),
            ("eventbridge", "events"),
        ] {
            assert_eq!(service_for_v2_package(pkg), Some(svc), "{pkg}");
        }
        assert_eq!(service_for_v1_package("elbv2"), Some("elbv2"));
        assert_eq!(service_for_v1_package("cloudwatchlogs"), Some("logs"));
        assert_eq!(v2_package("logs"), Some("cloudwatchlogs"));
        assert!(is_v1_client_type("dynamodb", "DynamoDB") && is_v1_client_type("logs", "CloudWatchLogs"));
        assert!(!is_v1_client_type("s3", "Object"));
    }

    #[test]
    fn method_rules() {
        assert_eq!(v1_method_readings("GetObjectWithContext"), vec![V1Method::Operation("GetObject")]);
        assert_eq!(v1_method_readings("ListObjectsV2PagesWithContext")[0], V1Method::Pages("ListObjectsV2"));
        assert_eq!(v1_method_readings("WaitUntilTableExists")[0], V1Method::Waiter("TableExists"));
        assert_eq!(v1_method_readings("GetObjectRequest")[0], V1Method::Operation("GetObject"));
        assert_eq!(paginator_operation("NewListObjectsV2Paginator"), Some("ListObjectsV2"));
        assert_eq!(waiter_name("NewTableExistsWaiter"), Some("TableExists"));
        assert_eq!(paginator_operation("NewPaginator"), None);
        assert_eq!(input_operation("GetObjectInput"), Some("GetObject"));
    }
}
