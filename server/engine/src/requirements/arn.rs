//! Fill an IAM ARN template (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`)
//! from a call's arguments and the run's settings.

use super::binding::{bind, member_value, Bound};
use crate::model::{RequirementSettings, Value};
use iamlens_knowledge::ResourceTarget;
use std::collections::HashMap;

/// One resource ARN for one target, and which members left a run-time wildcard in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundArn {
    pub arn: String,
    /// Members whose values are only partly known (each left `*` in the ARN).
    pub dynamic_members: Vec<String>,
    /// The call's values name no resource of this target's type: leave it out.
    pub not_this_type: bool,
}

/// Bind `target`'s template from `args`; variables no member fills become
/// `*`, except `${Partition}`, `${Region}` and `${Account}` which come from
/// the value itself (a queue URL), else from `settings`, else `*`.
pub fn bind_target(target: &ResourceTarget, args: &[(String, Value)], settings: &RequirementSettings) -> BoundArn {
    let mut vars: HashMap<&str, String> = HashMap::new();
    let mut dynamic_members = Vec::new();
    let mut region = settings.region.clone();
    let mut account = settings.account.clone();
    let mut whole: Option<String> = None;
    let mut not_this_type = false;
    for binding in &target.bindings {
        let value = member_value(args, &binding.member);
        // A member that may say the region or account (an SQS queue owner):
        // when the call leaves it out, the settings' value stands.
        if value.is_none() && matches!(binding.variable.as_str(), "Region" | "Account") {
            continue;
        }
        let bound: Bound = bind(binding.form, value);
        not_this_type |= bound.not_this_type;
        if bound.dynamic {
            dynamic_members.push(binding.member.clone());
        }
        if let Some(arn) = bound.whole_arn {
            whole = Some(arn);
        }
        if bound.region.is_some() {
            region = bound.region;
        }
        if bound.account.is_some() {
            account = bound.account;
        }
        vars.insert(binding.variable.as_str(), bound.value);
    }
    // A variable the knowledge base does not bind, named exactly like a member
    // the call passes (`TableName` from `Table("T").batch_writer()`), is that
    // member, by name or by ARN.
    for variable in template_variables(&target.arn_template) {
        if vars.contains_key(variable) || matches!(variable, "Partition" | "Region" | "Account") {
            continue;
        }
        if let Some(value) = args.iter().find(|(k, _)| k == variable).map(|(_, v)| v) {
            let bound = bind(iamlens_knowledge::BindingForm::NameOrArn, Some(value));
            if bound.dynamic {
                dynamic_members.push(variable.to_string());
            }
            vars.insert(variable, bound.value);
        }
    }
    dynamic_members.dedup();
    if let Some(arn) = whole {
        return BoundArn { arn, dynamic_members, not_this_type };
    }
    let arn = fill(&target.arn_template, |name| match name {
        "Partition" => Some(settings.partition.clone()),
        "Region" => vars.get("Region").cloned().or_else(|| region.clone()),
        "Account" => vars.get("Account").cloned().or_else(|| account.clone()),
        other => vars.get(other).cloned(),
    });
    BoundArn { arn, dynamic_members, not_this_type }
}

/// The `${Name}` variables of a template, in order.
pub(crate) fn template_variables(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}

/// Replace every `${Name}` of `template` with `value(Name)`, `*` when `None`.
/// Adjacent wildcards collapse (`*` next to `*` adds nothing).
pub fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let filled = value(&after[..end]).filter(|v| !v.is_empty()).unwrap_or_else(|| "*".to_string());
        if !(out.ends_with('*') && filled.starts_with('*')) {
            out.push_str(&filled);
        } else {
            out.push_str(&filled[1..]);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamlens_knowledge::{Binding, BindingForm};

    fn target(template: &str, bindings: &[(&str, &str, BindingForm)]) -> ResourceTarget {
        ResourceTarget {
            resource_type: "t".into(),
            arn_template: template.into(),
            required: true,
            bindings: bindings.iter().map(|(v, m, f)| Binding { variable: v.to_string(), member: m.to_string(), form: *f }).collect(),
        }
    }

    fn settings(region: Option<&str>, account: Option<&str>) -> RequirementSettings {
        RequirementSettings { region: region.map(Into::into), account: account.map(Into::into), ..Default::default() }
    }

    #[test]
    fn fills_variables_from_members_and_settings() {
        let t = target("arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}", &[("TableName", "TableName", BindingForm::Name)]);
        let args = vec![("TableName".to_string(), Value::literal("Orders"))];
        let b = bind_target(&t, &args, &settings(Some("us-east-1"), Some("123456789012")));
        assert_eq!(b.arn, "arn:aws:dynamodb:us-east-1:123456789012:table/Orders");
        assert!(b.dynamic_members.is_empty());
        let b = bind_target(&t, &args, &settings(None, None));
        assert_eq!(b.arn, "arn:aws:dynamodb:*:*:table/Orders");
    }

    #[test]
    fn the_region_and_account_of_a_queue_url_win() {
        let t = target("arn:${Partition}:sqs:${Region}:${Account}:${QueueName}", &[("QueueName", "QueueUrl", BindingForm::QueueUrl)]);
        let args = vec![("QueueUrl".to_string(), Value::literal("https://sqs.eu-west-1.amazonaws.com/111122223333/jobs"))];
        let b = bind_target(&t, &args, &settings(Some("us-east-1"), Some("123456789012")));
        assert_eq!(b.arn, "arn:aws:sqs:eu-west-1:111122223333:jobs");
    }

    #[test]
    fn a_member_that_names_the_account_wins_only_when_given() {
        let t = target(
            "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}",
            &[("QueueName", "QueueName", BindingForm::Name), ("Account", "QueueOwnerAWSAccountId", BindingForm::Name)],
        );
        let mut args = vec![("QueueName".to_string(), Value::literal("jobs"))];
        assert_eq!(bind_target(&t, &args, &settings(Some("us-east-1"), Some("1"))).arn, "arn:aws:sqs:us-east-1:1:jobs");
        args.push(("QueueOwnerAWSAccountId".to_string(), Value::literal("111122223333")));
        assert_eq!(bind_target(&t, &args, &settings(Some("us-east-1"), Some("1"))).arn, "arn:aws:sqs:us-east-1:111122223333:jobs");
    }

    #[test]
    fn a_literal_arn_is_the_resource() {
        let t = target("arn:${Partition}:sns:${Region}:${Account}:${TopicName}", &[("TopicName", "TopicArn", BindingForm::NameOrArn)]);
        let args = vec![("TopicArn".to_string(), Value::literal("arn:aws:sns:eu-west-1:111122223333:alerts"))];
        let b = bind_target(&t, &args, &settings(Some("us-east-1"), None));
        assert_eq!(b.arn, "arn:aws:sns:eu-west-1:111122223333:alerts");
    }

    #[test]
    fn unknown_values_are_wildcards_for_their_part_only() {
        let t = target(
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
            &[("BucketName", "Bucket", BindingForm::Name), ("ObjectName", "Key", BindingForm::Name)],
        );
        let args = vec![("Bucket".to_string(), Value::literal("data")), ("Key".to_string(), Value::Unknown)];
        let b = bind_target(&t, &args, &settings(None, None));
        assert_eq!(b.arn, "arn:aws:s3:::data/*");
        assert_eq!(b.dynamic_members, vec!["Key".to_string()]);
    }

    #[test]
    fn an_unbound_variable_takes_the_member_of_the_same_name() {
        let t = target("arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}", &[]);
        let args = vec![("TableName".to_string(), Value::literal("Products"))];
        assert_eq!(bind_target(&t, &args, &settings(Some("us-east-1"), Some("1"))).arn, "arn:aws:dynamodb:us-east-1:1:table/Products");
        assert_eq!(bind_target(&t, &[], &settings(Some("us-east-1"), Some("1"))).arn, "arn:aws:dynamodb:us-east-1:1:table/*");
    }

    #[test]
    fn an_unknown_arn_keeps_the_templates_shape() {
        let t = target(
            "arn:${Partition}:states:${Region}:${Account}:execution:${StateMachineName}:${ExecutionId}",
            &[("StateMachineName", "executionArn", BindingForm::Arn)],
        );
        let args = vec![("executionArn".to_string(), Value::Unknown)];
        let b = bind_target(&t, &args, &settings(Some("us-east-1"), Some("1")));
        assert_eq!(b.arn, "arn:aws:states:us-east-1:1:execution:*:*");
        assert_eq!(b.dynamic_members, vec!["executionArn".to_string()]);
    }

    #[test]
    fn fill_collapses_adjacent_wildcards_and_survives_broken_templates() {
        assert_eq!(fill("a/${X}${Y}/b", |_| None), "a/*/b");
        assert_eq!(fill("a/${X", |_| None), "a/${X");
        assert_eq!(fill("p-${X}", |_| Some("*-x".into())), "p-*-x");
    }
}
