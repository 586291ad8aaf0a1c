//! The Rust port of botocore's `xform_name` against botocore's own output for
//! every operation name botocore 1.44 knows (expectations written by the generator).

use iamlens_knowledge::xform_name;
use std::io::Read;

#[test]
fn xform_name_matches_botocore_on_every_operation() {
    let compressed = include_bytes!("../data/xform-expected.tsv.zst");
    let mut text = String::new();
    ruzstd::decoding::StreamingDecoder::new(&compressed[..]).unwrap().read_to_string(&mut text).unwrap();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for line in text.lines() {
        let (name, expected) = line.split_once('\t').expect("name<TAB>method");
        if xform_name(name) != expected {
            wrong.push(format!("{name}: botocore {expected}, port {}", xform_name(name)));
        }
        checked += 1;
    }
    assert!(checked > 15_000, "expected ~20,000 names, read {checked}");
    assert!(wrong.is_empty(), "{} of {checked} differ:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn xform_name_handles_the_rule_edges() {
    assert_eq!(xform_name(""), "");
    assert_eq!(xform_name("A"), "a");
    assert_eq!(xform_name("ListACLs"), "list_acls");
    assert_eq!(xform_name("DescribeDBClusterParameterGroups"), "describe_db_cluster_parameter_groups");
    assert_eq!(xform_name("GetObjectACL"), "get_object_acl");
    assert_eq!(xform_name("AssociateWhatsAppBusinessAccount"), "associate_whatsapp_business_account");
}
