//! Requirements → IAM policy documents (grouping, cutoff, size split).
//!
//! The output is deterministic: actions and resources are sorted, statements
//! are ordered by service then resources, so the same code always yields the
//! same bytes (golden files and diffs depend on it).

pub mod wildcard;

use crate::model::Requirement;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The managed-policy size limit (characters, whitespace excluded).
pub const MAX_POLICY_CHARS: usize = 6144;
/// Kept from the peer so tools keyed on it keep working with iamlens.
pub const POLICY_ID: &str = "IamPolicyAutopilot";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyOptions {
    /// More ARNs than this for one action collapse to their narrowest common wildcard.
    pub resource_cutoff: usize,
    /// Group statements by resource set across services (fewer, larger statements).
    pub minimize_policy_size: bool,
    /// The account the resources live in, when known: a cutoff that widens
    /// S3 bucket names (their ARNs carry no account) is kept inside it with
    /// `aws:ResourceAccount`.
    pub resource_account: Option<String>,
}

impl Default for PolicyOptions {
    fn default() -> Self {
        PolicyOptions { resource_cutoff: 4, minimize_policy_size: false, resource_account: None }
    }
}

/// operator → condition key → values, e.g. `StringEquals` → `kms:ViaService` → [...].
pub type ConditionBlock = BTreeMap<String, BTreeMap<String, Vec<String>>>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    #[serde(rename = "Sid", skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(rename = "Effect")]
    pub effect: String,
    #[serde(rename = "Action")]
    pub action: Vec<String>,
    #[serde(rename = "Resource")]
    pub resource: Vec<String>,
    #[serde(rename = "Condition", skip_serializing_if = "Option::is_none")]
    pub condition: Option<ConditionBlock>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyDocument {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "Statement")]
    pub statement: Vec<Statement>,
}

/// One policy of the output envelope: `{"Policy": {...}, "PolicyType": "Identity"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    #[serde(rename = "Policy")]
    pub policy: PolicyDocument,
    #[serde(rename = "PolicyType")]
    pub policy_type: String,
}

/// Requirements → policies: merge, cut off, group, sort, split at [`MAX_POLICY_CHARS`].
pub fn synthesize<'a>(requirements: impl IntoIterator<Item = &'a Requirement>, opts: &PolicyOptions) -> Vec<Policy> {
    synthesize_reporting(requirements, opts).0
}

/// [`synthesize`], also saying where the resource cutoff widened a grant.
pub fn synthesize_reporting<'a>(requirements: impl IntoIterator<Item = &'a Requirement>, opts: &PolicyOptions) -> (Vec<Policy>, Vec<Widening>) {
    let (statements, widenings) = build_statements_reporting(requirements, opts);
    (split_into_policies(statements), widenings)
}

/// Where the resource cutoff replaced exact ARNs of one action by a pattern:
/// never silent, so the person can raise the cutoff or accept it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Widening {
    pub action: String,
    /// The exact ARNs the code needs, sorted.
    pub merged: Vec<String>,
    /// What the statement grants instead.
    pub pattern: String,
}

/// Merge requirements into sorted, grouped statements.
pub fn build_statements<'a>(requirements: impl IntoIterator<Item = &'a Requirement>, opts: &PolicyOptions) -> Vec<Statement> {
    build_statements_reporting(requirements, opts).0
}

/// [`build_statements`], with the widenings the resource cutoff made.
pub fn build_statements_reporting<'a>(
    requirements: impl IntoIterator<Item = &'a Requirement>,
    opts: &PolicyOptions,
) -> (Vec<Statement>, Vec<Widening>) {
    // 1. Per (action, condition): the union of resources.
    let mut per_action: BTreeMap<(String, ConditionBlock), BTreeSet<String>> = BTreeMap::new();
    for req in requirements {
        let condition = condition_block(&req.conditions);
        let entry = per_action.entry((req.action.clone(), condition)).or_default();
        if req.resources.is_empty() {
            entry.insert("*".to_string());
        }
        entry.extend(req.resources.iter().cloned());
    }

    // 2. Per action: drop covered resources, apply the cutoff; same action on
    //    the same resources under one single-key condition → one OR-ed value list.
    let mut reduced: BTreeMap<(String, Vec<String>), Vec<ConditionBlock>> = BTreeMap::new();
    let mut widenings = Vec::new();
    for ((action, condition), resources) in per_action {
        let (resources, merged) = reduce_resources(resources, opts.resource_cutoff);
        let mut condition = condition;
        if let (Some(_), [pattern], Some(account)) = (&merged, resources.as_slice(), &opts.resource_account) {
            if widens_s3_buckets(pattern) {
                let values = condition.entry("StringEquals".to_string()).or_default().entry("aws:ResourceAccount".to_string()).or_default();
                if !values.contains(account) {
                    values.push(account.clone());
                }
            }
        }
        if let (Some(merged), [pattern]) = (merged, resources.as_slice()) {
            let widening = Widening { action: action.clone(), merged, pattern: pattern.clone() };
            if !widenings.contains(&widening) {
                widenings.push(widening);
            }
        }
        let blocks = reduced.entry((action, resources)).or_default();
        merge_condition(blocks, condition);
    }

    // 3. Group actions sharing (service unless minimising, resources, condition).
    type GroupKey = (String, Vec<String>, ConditionBlock);
    let mut groups: BTreeMap<GroupKey, BTreeSet<String>> = BTreeMap::new();
    for ((action, resources), condition) in reduced.into_iter().flat_map(|(k, blocks)| blocks.into_iter().map(move |c| (k.clone(), c))) {
        let service = if opts.minimize_policy_size { String::new() } else { service_of(&action).to_string() };
        groups.entry((service, resources, condition)).or_default().insert(action);
    }

    let mut statements: Vec<Statement> = groups
        .into_iter()
        .map(|((_, resource, condition), actions)| Statement {
            sid: None,
            effect: "Allow".to_string(),
            action: sort_actions(actions),
            resource,
            condition: if condition.is_empty() { None } else { Some(condition) },
        })
        .collect();
    statements.sort_by_cached_key(statement_order);
    (statements, widenings)
}

/// Pack statements in order into policies that each stay within [`MAX_POLICY_CHARS`].
/// A statement too large for a policy of its own is first split into
/// statements over parts of its resources (and, if one resource is still too
/// much, parts of its actions), which grant the same (action, resource) pairs:
/// IAM never rejects what iamlens prints.
pub fn split_into_policies(statements: Vec<Statement>) -> Vec<Policy> {
    let overhead = json_len(&document(Vec::new()));
    let statements: Vec<Statement> = statements.into_iter().flat_map(|s| fit_statement(s, MAX_POLICY_CHARS - overhead)).collect();
    let mut policies = Vec::new();
    let mut current: Vec<Statement> = Vec::new();
    let mut size = overhead;
    for statement in statements {
        let len = json_len(&statement) + usize::from(!current.is_empty());
        if !current.is_empty() && size + len > MAX_POLICY_CHARS {
            policies.push(identity(std::mem::take(&mut current)));
            size = overhead;
            current.push(statement.clone());
            size += json_len(&statement);
            continue;
        }
        size += len;
        current.push(statement);
    }
    if !current.is_empty() {
        policies.push(identity(current));
    }
    policies
}

/// `statement` as statements of at most `room` characters each: its resources
/// cut into consecutive runs, then (for a resource whose statement is still
/// too large) its actions. A statement that fits is returned as it is.
fn fit_statement(statement: Statement, room: usize) -> Vec<Statement> {
    if json_len(&statement) <= room {
        return vec![statement];
    }
    let with = |action: Vec<String>, resource: Vec<String>| Statement { action, resource, ..statement.clone() };
    if statement.resource.len() > 1 {
        let mut out = Vec::new();
        let mut run: Vec<String> = Vec::new();
        for resource in &statement.resource {
            let mut longer = run.clone();
            longer.push(resource.clone());
            if !run.is_empty() && json_len(&with(statement.action.clone(), longer.clone())) > room {
                out.extend(fit_statement(with(statement.action.clone(), std::mem::take(&mut run)), room));
                run.push(resource.clone());
            } else {
                run = longer;
            }
        }
        out.extend(fit_statement(with(statement.action.clone(), run), room));
        return out;
    }
    if statement.action.len() > 1 {
        let half = statement.action.len() / 2;
        let (first, second) = statement.action.split_at(half);
        let mut out = fit_statement(with(first.to_vec(), statement.resource.clone()), room);
        out.extend(fit_statement(with(second.to_vec(), statement.resource.clone()), room));
        return out;
    }
    // One action on one resource over the limit: nothing smaller grants it.
    vec![statement]
}

/// Size of a value as IAM counts it: compact JSON (no whitespace outside strings).
pub fn json_len<T: Serialize>(value: &T) -> usize {
    serde_json::to_string(value).map(|s| s.len()).unwrap_or(0)
}

fn document(statement: Vec<Statement>) -> PolicyDocument {
    PolicyDocument { id: POLICY_ID.to_string(), version: "2012-10-17".to_string(), statement }
}

fn identity(statement: Vec<Statement>) -> Policy {
    Policy { policy: document(statement), policy_type: "Identity".to_string() }
}

fn condition_block(conditions: &[(String, String, Vec<String>)]) -> ConditionBlock {
    let mut block = ConditionBlock::new();
    for (operator, key, values) in conditions {
        let entry = block.entry(operator.clone()).or_default().entry(key.clone()).or_default();
        entry.extend(values.iter().cloned());
        entry.sort();
        entry.dedup();
    }
    block
}

/// Add `condition` to the blocks of one (action, resources): blocks with one
/// operator and one key merge their values (IAM ORs the values of a key);
/// anything else stays a block of its own, since merging across several keys
/// (which IAM ANDs) would widen the grant.
fn merge_condition(blocks: &mut Vec<ConditionBlock>, condition: ConditionBlock) {
    let single_key = |c: &ConditionBlock| -> Option<(String, String)> {
        match c.iter().next() {
            Some((op, keys)) if c.len() == 1 && keys.len() == 1 => keys.keys().next().map(|k| (op.clone(), k.clone())),
            _ => None,
        }
    };
    if let Some(shape) = single_key(&condition) {
        if let Some(existing) = blocks.iter_mut().find(|b| single_key(b).as_ref() == Some(&shape)) {
            let values = existing.get_mut(&shape.0).and_then(|keys| keys.get_mut(&shape.1));
            if let Some(values) = values {
                values.extend(condition[&shape.0][&shape.1].iter().cloned());
                values.sort();
                values.dedup();
            }
            return;
        }
    }
    if !blocks.contains(&condition) {
        blocks.push(condition);
    }
}

/// `*` swallows everything; an ARN matched by another pattern of the set is
/// dropped; more than `cutoff` left collapse to their narrowest common
/// wildcard, returned with the ARNs it replaced.
fn reduce_resources(resources: BTreeSet<String>, cutoff: usize) -> (Vec<String>, Option<Vec<String>>) {
    if resources.contains("*") {
        return (vec!["*".to_string()], None);
    }
    let all: Vec<&String> = resources.iter().collect();
    // Only a pattern with a wildcard covers another ARN; and it must match the
    // shortest string the other stands for (each `*` empty, each `?` one
    // character) — a linear check that spares the exact automaton most pairs.
    let patterns: Vec<&String> = all.iter().copied().filter(|r| r.contains(['*', '?'])).collect();
    let shortest: Vec<String> = all.iter().map(|r| r.replace('*', "").replace('?', "a")).collect();
    let kept: Vec<String> = all
        .iter()
        .enumerate()
        .filter(|(i, r)| !patterns.iter().any(|other| other != *r && wildcard::matches(other, &shortest[*i]) && wildcard::covers(other, r)))
        .map(|(_, r)| (*r).clone())
        .collect();
    if kept.len() > cutoff {
        (vec![wildcard::narrowest_common(&kept)], Some(kept))
    } else {
        (kept, None)
    }
}

/// An S3 ARN pattern whose bucket name holds a wildcard (`arn:aws:s3:::acme-*/*`):
/// S3 ARNs carry no account, so such a pattern reaches other accounts' buckets.
fn widens_s3_buckets(pattern: &str) -> bool {
    let mut fields = pattern.splitn(6, ':');
    let (Some("arn"), Some(_), Some("s3"), Some(""), Some(""), Some(resource)) =
        (fields.next(), fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return false;
    };
    resource.split('/').next().is_some_and(|bucket| bucket.contains(['*', '?']))
}

fn service_of(action: &str) -> &str {
    action.split_once(':').map(|(s, _)| s).unwrap_or(action)
}

/// Sorted by IAM prefix, then action name case-insensitively (`s3:GetObject` < `s3:ListBucket`).
fn sort_actions(actions: BTreeSet<String>) -> Vec<String> {
    let mut actions: Vec<String> = actions.into_iter().collect();
    actions.sort_by_key(|a| (service_of(a).to_ascii_lowercase(), a.to_ascii_lowercase()));
    actions
}

fn statement_order(s: &Statement) -> (String, Vec<String>, String, Vec<String>) {
    let service = s.action.first().map(|a| service_of(a).to_ascii_lowercase()).unwrap_or_default();
    let condition = s.condition.as_ref().map(|c| serde_json::to_string(c).unwrap_or_default()).unwrap_or_default();
    (service, s.resource.clone(), condition, s.action.clone())
}

#[cfg(test)]
mod tests;
