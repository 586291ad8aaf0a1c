//! A faithful port of botocore's `xform_name`: API operation name → boto3 method name.

use std::collections::HashMap;
use std::sync::OnceLock;

/// botocore's fixed table of names the regex rules get wrong (`CreateCachediSCSIVolume`),
/// extracted from botocore by the generator.
const SPECIAL: &str = include_str!("../data/xform-special.tsv");

fn special_names() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| SPECIAL.lines().filter_map(|line| line.split_once('\t')).collect())
}

/// `ListObjectsV2` → `list_objects_v2`, `ListWebACLs` → `list_web_acls`, exactly as botocore.
pub fn xform_name(name: &str) -> String {
    if name.contains('_') {
        return name.to_string();
    }
    if let Some(special) = special_names().get(name) {
        return (*special).to_string();
    }
    let name = pluralised_acronym(name);
    end_cap(&first_cap(&name)).to_lowercase()
}

/// `[A-Z]{2,}s$` → `_` + lower-case: `ListWebACLs` → `ListWeb_acls`.
fn pluralised_acronym(name: &str) -> String {
    let bytes = name.as_bytes();
    if bytes.last() != Some(&b's') {
        return name.to_string();
    }
    let end = bytes.len() - 1;
    let start = bytes[..end].iter().rposition(|b| !b.is_ascii_uppercase()).map_or(0, |i| i + 1);
    if end - start < 2 {
        return name.to_string();
    }
    format!("{}_{}", &name[..start], name[start..].to_lowercase())
}

/// `(.)([A-Z][a-z]+)` → `\1_\2`, non-overlapping, left to right.
fn first_cap(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let upper_at = i + 1;
        let mut j = upper_at + 1;
        if c != '\n' && upper_at < chars.len() && chars[upper_at].is_ascii_uppercase() {
            while j < chars.len() && chars[j].is_ascii_lowercase() {
                j += 1;
            }
            if j > upper_at + 1 {
                out.push(c);
                out.push('_');
                out.extend(&chars[upper_at..j]);
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// `([a-z0-9])([A-Z])` → `\1_\2`, non-overlapping, left to right.
fn end_cap(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if (c.is_ascii_lowercase() || c.is_ascii_digit()) && i + 1 < chars.len() && chars[i + 1].is_ascii_uppercase() {
            out.push(c);
            out.push('_');
            out.push(chars[i + 1]);
            i += 2;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::xform_name;

    #[test]
    fn follows_botocore_rules() {
        assert_eq!(xform_name("ListObjectsV2"), "list_objects_v2");
        assert_eq!(xform_name("ListWebACLs"), "list_web_acls");
        assert_eq!(xform_name("GetObject"), "get_object");
        assert_eq!(xform_name("DescribeDBInstances"), "describe_db_instances");
        assert_eq!(xform_name("CreateCachediSCSIVolume"), "create_cached_iscsi_volume");
        assert_eq!(xform_name("ExecutePartiQLStatement"), "execute_partiql_statement");
        assert_eq!(xform_name("already_snake"), "already_snake");
        assert_eq!(xform_name("GetAPIKeys"), "get_api_keys");
    }
}
