//! The committed artifact: size budget, every blob decodes, and the lookups
//! the rest of iamlens relies on.

use iamlens_knowledge::{BindingForm, KnowledgeBase, Mapping, RequirementKind};

const ARTIFACT: &[u8] = include_bytes!("../data/knowledge.bin");

#[test]
fn artifact_is_under_one_megabyte() {
    assert!(ARTIFACT.len() < 1_000_000, "knowledge.bin is {} bytes; the budget is 1 MB", ARTIFACT.len());
}

#[test]
fn every_service_and_prefix_decodes() {
    let kb = KnowledgeBase::embedded();
    kb.verify_all().expect("artifact decodes");
    assert!(kb.service_names().count() >= 400, "botocore 1.44 has ~445 services");
    assert!(kb.iam_prefixes().count() >= 400, "the IAM data has ~456 prefixes");
    assert_eq!(kb.sources().get("botocore").map(String::as_str), Some("1.44.8"));
}

#[test]
fn services_resolve_by_name_alias_and_case() {
    let kb = KnowledgeBase::embedded();
    assert_eq!(kb.service("S3").unwrap().name, "s3");
    assert_eq!(kb.service("runtime.sagemaker").unwrap().name, "sagemaker-runtime");
    assert!(kb.service("no-such-service").is_none());
    assert_eq!(kb.nearest_services("dynamdb", 3).first().map(String::as_str), Some("dynamodb"));
    assert_eq!(kb.services_for_iam_prefix("states"), vec!["stepfunctions".to_string()]);
}

#[test]
fn operations_resolve_by_method_or_api_name() {
    let kb = KnowledgeBase::embedded();
    let s3 = kb.service("s3").unwrap();
    let by_method = s3.operation_by_method("get_object").unwrap();
    assert_eq!(by_method.name, "GetObject");
    assert_eq!(s3.operation_by_method("GetObject").unwrap().method, "get_object");
    assert!(s3.operation_by_method("get_objekt").is_none());
    assert_eq!(s3.nearest_methods("get_objekt", 3).first().map(String::as_str), Some("get_object"));
    assert!(s3.can_paginate("list_objects_v2"));
    assert!(!s3.can_paginate("get_object"));
    assert_eq!(s3.waiter("bucket_exists").unwrap().operation, "HeadBucket");
}

#[test]
fn get_object_binds_bucket_and_key_and_adds_nothing_else() {
    let kb = KnowledgeBase::embedded();
    let op = kb.service("s3").unwrap().operation("GetObject").unwrap().clone();
    let primaries: Vec<_> = op.primary_actions().map(|r| r.action.as_str()).collect();
    assert_eq!(primaries, vec!["s3:GetObject"], "no GetObjectLegalHold/Retention/Tagging/Version over-grant");
    assert_eq!(op.mapping, Mapping::Rule);
    let req = &op.requirements[0];
    assert_eq!(req.access_level.as_deref(), Some("Read"));
    let object = req.resources.iter().find(|t| t.resource_type == "object").unwrap();
    assert_eq!(object.arn_template, "arn:${Partition}:s3:::${BucketName}/${ObjectName}");
    let vars: Vec<_> = object.bindings.iter().map(|b| (b.variable.as_str(), b.member.as_str(), b.form)).collect();
    assert_eq!(vars, vec![("BucketName", "Bucket", BindingForm::Name), ("ObjectName", "Key", BindingForm::Name)]);
    assert!(op.member("Bucket").unwrap().identifies_resource);
    assert!(op.member("Bucket").unwrap().required);
    assert!(!op.member("Range").unwrap().identifies_resource);
    assert!(req.condition_keys.iter().any(|k| k == "s3:ExistingObjectTag/<key>"));
    assert!(op.requirements.iter().all(|r| !r.action.starts_with("s3-object-lambda")));
    let kms: Vec<_> = op.requirements.iter().filter(|r| matches!(r.kind, RequirementKind::KmsViaService { .. })).collect();
    assert_eq!(kms.len(), 1, "kms:Decrypt when the object uses SSE-KMS");
}

#[test]
fn actions_resolve_case_insensitively() {
    let kb = KnowledgeBase::embedded();
    let a = kb.action("SQS:sendmessage").unwrap();
    assert_eq!(a.name, "sqs:SendMessage");
    assert_eq!(a.access_level, "Write");
    assert!(kb.action("sqs:NoSuchThing").is_none());
    assert!(kb.action("nocolon").is_none());
    let rt = kb.resource_type("sqs", "queue").unwrap();
    assert_eq!(rt.arn_template, "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}");
    let found = kb.search_actions("send message", 5);
    assert!(found.iter().any(|a| a.name == "sqs:SendMessage"));
}

#[test]
fn method_index_finds_services_for_unresolved_receivers() {
    let kb = KnowledgeBase::embedded();
    let services = kb.services_with_method("send_message");
    assert!(services.contains(&"sqs".to_string()), "{services:?}");
    assert!(kb.services_with_method("put_item").contains(&"dynamodb".to_string()));
    assert!(kb.services_with_method("definitely_not_a_method").is_empty());
}

#[test]
fn queue_url_binding_fills_queue_name() {
    let kb = KnowledgeBase::embedded();
    let op = kb.service("sqs").unwrap().operation_by_method("send_message").unwrap().clone();
    let queue = &op.requirements[0].resources[0];
    assert_eq!(queue.bindings[0].member, "QueueUrl");
    assert_eq!(queue.bindings[0].form, BindingForm::QueueUrl);
}

#[test]
fn damaged_artifacts_are_errors_not_panics() {
    let err = KnowledgeBase::from_bytes(b"not an artifact".to_vec().into()).err().expect("bad header rejected");
    assert!(err.to_string().contains("missing IAMLKB01 header"), "{err}");
    assert!(err.to_string().contains("regenerate it with knowledge/generator/generate"), "{err}");
    let mut truncated_index = ARTIFACT[..100].to_vec();
    truncated_index[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(KnowledgeBase::from_bytes(truncated_index.into()).is_err());
    // Index intact, blobs cut off: opening works, decoding a service reports the damage.
    let index_len = u32::from_le_bytes(ARTIFACT[8..12].try_into().unwrap()) as usize;
    let dictionaries_only = ARTIFACT[..12 + index_len + 100_000].to_vec();
    match KnowledgeBase::from_bytes(dictionaries_only.into()) {
        Ok(kb) => {
            assert!(kb.try_service("s3").is_err(), "s3's blob lies past the cut");
            assert!(kb.verify_all().is_err());
        }
        Err(e) => assert!(e.to_string().contains("runs past the end"), "{e}"),
    }
}

#[test]
fn shared_across_threads_each_service_decodes_once() {
    let kb = KnowledgeBase::embedded();
    let handles: Vec<_> = (0..8).map(|_| std::thread::spawn(move || kb.service("dynamodb").unwrap())).collect();
    let services: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(services.windows(2).all(|w| std::sync::Arc::ptr_eq(&w[0], &w[1])), "one cached instance");
}

#[test]
fn service_metadata_comes_from_botocore() {
    let kb = KnowledgeBase::embedded();
    let sesv2 = kb.service("sesv2").unwrap();
    assert_eq!((sesv2.iam_prefix.as_str(), sesv2.signing_name.as_str(), sesv2.endpoint_prefix.as_str()), ("ses", "ses", "email"));
    assert_eq!(sesv2.auth, iamlens_knowledge::Auth::SigV4);
    assert_eq!(kb.service("codecatalyst").unwrap().auth, iamlens_knowledge::Auth::Bearer);
    let ses = kb.services_for_iam_prefix("ses");
    assert!(ses.contains(&"ses".to_string()) && ses.contains(&"sesv2".to_string()), "{ses:?}");
    let s3 = kb.service("s3").unwrap();
    assert_eq!((s3.protocol.as_str(), s3.api_version.as_str()), ("rest-xml", "2006-03-01"));
    let get = s3.operation("GetObject").unwrap();
    assert_eq!((get.http_method.as_deref(), get.request_uri.as_deref()), (Some("GET"), Some("/{Bucket}/{Key+}")));
    let sqs = kb.service("sqs").unwrap();
    assert!(sqs.resources.is_some() && kb.service("lambda").unwrap().resources.is_none());
}

#[test]
fn search_ranks_exact_names_first_and_ignores_empty_queries() {
    let kb = KnowledgeBase::embedded();
    assert!(kb.search_actions("   ", 5).is_empty());
    assert!(kb.search_actions("getobject", 0).is_empty());
    let exact = kb.search_actions("sqs:sendmessage", 3);
    assert_eq!(exact.first().map(|a| a.name.as_str()), Some("sqs:SendMessage"));
    let words = kb.search_actions("put bucket policy", 50);
    assert!(words.iter().any(|a| a.name == "s3:PutBucketPolicy"), "{:?}", words.iter().map(|a| a.name.clone()).collect::<Vec<_>>());
    assert!(words.iter().all(|a| a.name.to_lowercase().contains("bucket")));
    assert_eq!(kb.action("s3:GetObject").unwrap().prefix().prefix, "s3");
}

#[test]
fn suggestions_are_empty_when_nothing_is_close() {
    let kb = KnowledgeBase::embedded();
    assert!(kb.nearest_services("zzzzqqqq", 3).is_empty());
    assert!(kb.service("s3").unwrap().nearest_methods("zzzzqqqq", 3).is_empty());
    assert_eq!(kb.service("s3").unwrap().nearest_methods("PutObjekt", 1), vec!["put_object".to_string()]);
}

#[test]
fn every_service_carries_its_model_service_id_in_the_index() {
    let kb = KnowledgeBase::embedded();
    let ids: Vec<(&str, &str)> = kb.service_ids().collect();
    assert_eq!(ids.len(), kb.service_names().count());
    for (name, id) in &ids {
        assert!(!id.is_empty(), "{name} has no serviceId");
        assert_eq!(*id, kb.service(name).unwrap().service_id, "{name}: index and model disagree");
    }
    let id_of = |name: &str| ids.iter().find(|(n, _)| *n == name).map(|(_, id)| *id);
    assert_eq!(id_of("stepfunctions"), Some("SFN"));
    assert_eq!(id_of("logs"), Some("CloudWatch Logs"));
}

#[test]
fn privilege_escalation_actions_carry_their_reason() {
    let kb = KnowledgeBase::embedded();
    for action in ["iam:PassRole", "iam:passrole", "iam:PutRolePolicy", "iam:CreatePolicyVersion", "sts:AssumeRole", "lambda:UpdateFunctionCode"] {
        let why = kb.privilege_escalation(action).unwrap_or_else(|| panic!("{action} is not flagged"));
        assert!(!why.is_empty());
    }
    for action in ["s3:GetObject", "iam:GetRole", "sqs:SendMessage"] {
        assert_eq!(kb.privilege_escalation(action), None, "{action}");
    }
}
