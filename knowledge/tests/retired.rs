//! Services recent botocore releases dropped (end of support) stay in the
//! knowledge base from the last release that had them, marked retired, so
//! existing code that calls them still gets its policy.

use iamlens_knowledge::{KnowledgeBase, RequirementKind};

/// (service, last botocore release that had it), found by bisecting releases 1.40.0 → 1.44.8.
const RETIRED: &[(&str, &str)] = &[
    ("opsworks", "1.40.18"),
    ("opsworkscm", "1.40.18"),
    ("sms", "1.40.30"),
    ("apptest", "1.40.60"),
    ("iotfleethub", "1.40.60"),
    ("lookoutmetrics", "1.40.60"),
    ("lookoutvision", "1.40.60"),
    ("qldb", "1.40.60"),
    ("qldb-session", "1.40.60"),
    ("robomaker", "1.40.60"),
    ("elastictranscoder", "1.42.17"),
    ("evidently", "1.42.50"),
    ("iotanalytics", "1.42.50"),
    ("iotevents", "1.43.37"),
    ("iotevents-data", "1.43.37"),
    ("panorama", "1.43.37"),
    ("simspaceweaver", "1.43.37"),
    ("finspace", "1.43.116"),
    ("finspace-data", "1.43.116"),
    ("tnb", "1.43.116"),
];

#[test]
fn retired_services_are_kept_and_marked() {
    let kb = KnowledgeBase::embedded();
    for (name, version) in RETIRED {
        let service = kb.service(name).unwrap_or_else(|| panic!("{name} is missing"));
        assert_eq!(service.retired.as_deref(), Some(*version), "{name}");
        let mapped = service.operations.values().filter(|op| op.requires_iam && op.primary_actions().next().is_some()).count();
        assert!(mapped > 0, "{name} maps no operation");
    }
    let retired = kb.service_names().filter(|name| kb.service(name).unwrap().retired.is_some()).count();
    assert_eq!(retired, RETIRED.len(), "a retired service was added or dropped: update RETIRED and pins.toml");
    assert!(kb.service("s3").unwrap().retired.is_none());
}

#[test]
fn retired_calls_map_to_their_actions() {
    let kb = KnowledgeBase::embedded();
    let primary = |service: &str, method: &str| -> Vec<String> {
        let op = kb.service(service).unwrap().operation_by_method(method).unwrap().clone();
        op.requirements.iter().filter(|r| r.kind == RequirementKind::Primary).map(|r| r.action.clone()).collect()
    };
    assert_eq!(primary("iotevents-data", "batch_put_message"), vec!["iotevents:BatchPutMessage"]);
    assert_eq!(primary("qldb-session", "send_command"), vec!["qldb:SendCommand"]);
    assert_eq!(primary("elastictranscoder", "create_job"), vec!["elastictranscoder:CreateJob"]);
}

#[test]
fn method_names_never_guess_a_retired_service() {
    // Only a client created for the retired service reaches it; an unresolved
    // receiver's method name does not make it a candidate.
    let kb = KnowledgeBase::embedded();
    assert!(kb.services_with_method("batch_put_message").iter().all(|s| s != "iotevents-data"));
    assert!(kb.services_with_method("send_command").iter().all(|s| s != "qldb-session"));
    assert!(kb.services_with_method("send_command").contains(&"ssm".to_string()));
}
