//! Taking over an earlier derivation of the same document: after an edit most
//! calls are the same calls at shifted places, and what a call needs depends
//! only on the call, never on where it is. Calls are matched from both ends
//! (an edit changes one stretch of a file); the ones in between are derived
//! again. The result equals a fresh derivation (see the tests).

use super::{requirements_for_calls, Derived};
use crate::model::{Finding, FindingKind, Requirement, RequirementSettings, SdkCall, Span};

/// What an earlier derivation left: its calls, and their requirements and
/// findings (the requirements stage's own findings only).
pub struct Previous {
    pub calls: Vec<SdkCall>,
    pub requirements: Vec<Requirement>,
    pub findings: Vec<Finding>,
}

impl Previous {
    /// The requirements stage's findings are the `DynamicResource` ones.
    pub fn is_derived_finding(finding: &Finding) -> bool {
        matches!(finding.kind, FindingKind::DynamicResource { .. })
    }
}

/// Everything but the place: two calls that agree here need the same.
fn same_call(a: &SdkCall, b: &SdkCall) -> bool {
    // Destructured so that a new field of `SdkCall` must be considered here.
    let SdkCall { span: _, name_span: _, service, operation, via, text, args, confidence, scope, region } = a;
    *service == b.service
        && *operation == b.operation
        && *via == b.via
        && *text == b.text
        && *args == b.args
        && *confidence == b.confidence
        && *scope == b.scope
        && *region == b.region
}

/// Calls that share a span (one source call performing several operations)
/// are matched together: their findings are recorded against the span.
fn groups(calls: &[SdkCall]) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, call) in calls.iter().enumerate() {
        match out.last_mut() {
            Some(last) if calls[last.start].span == call.span => last.end = i + 1,
            _ => out.push(i..i + 1),
        }
    }
    out
}

/// [`requirements_for_calls`] for `calls`, taking over from `previous` (derived
/// with the same settings and hints) what its unchanged calls needed.
pub fn requirements_reusing(calls: &[SdkCall], settings: &RequirementSettings, service_hints: &[String], previous: Previous) -> Derived {
    let Previous { calls: old_calls, requirements: old_requirements, findings: old_findings } = previous;
    let (new_groups, old_groups) = (groups(calls), groups(&old_calls));
    let same_group = |n: &std::ops::Range<usize>, o: &std::ops::Range<usize>| {
        n.len() == o.len() && n.clone().zip(o.clone()).all(|(i, j)| same_call(&calls[i], &old_calls[j]))
    };
    let prefix = new_groups.iter().zip(&old_groups).take_while(|(n, o)| same_group(n, o)).count();
    let max_suffix = new_groups.len().min(old_groups.len()) - prefix;
    let suffix = new_groups.iter().rev().zip(old_groups.iter().rev()).take(max_suffix).take_while(|(n, o)| same_group(n, o)).count();

    // Per old call, its requirements (contiguous: derived in call order); per old span, its findings.
    let mut by_old_call: Vec<Vec<Requirement>> = (0..old_calls.len()).map(|_| Vec::new()).collect();
    for r in old_requirements {
        if let Some(slot) = by_old_call.get_mut(r.call_index) {
            slot.push(r);
        }
    }
    let mut findings_by_span: std::collections::HashMap<Span, Vec<Finding>> = std::collections::HashMap::new();
    for f in old_findings {
        findings_by_span.entry(f.span).or_default().push(f);
    }

    // Which old group each new group takes over.
    let mut taken_over: Vec<Option<usize>> = vec![None; new_groups.len()];
    for (g, slot) in taken_over.iter_mut().enumerate().take(prefix) {
        *slot = Some(g);
    }
    for k in 0..suffix {
        taken_over[new_groups.len() - 1 - k] = Some(old_groups.len() - 1 - k);
    }

    let mut out = Derived::default();
    let mut fresh_run: Option<usize> = None; // first new group of a run still to derive
    for (g, group) in new_groups.iter().enumerate() {
        match taken_over[g] {
            None => {
                fresh_run.get_or_insert(g);
            }
            Some(old_g) => {
                if let Some(start) = fresh_run.take() {
                    derive_fresh(calls, new_groups[start].start..group.start, settings, service_hints, &mut out);
                }
                let old = &old_groups[old_g];
                for (i, j) in group.clone().zip(old.clone()) {
                    for mut r in std::mem::take(&mut by_old_call[j]) {
                        r.call_index = i;
                        out.requirements.push(r);
                    }
                }
                let span = calls[group.start].span;
                for mut f in findings_by_span.remove(&old_calls[old.start].span).unwrap_or_default() {
                    f.span = span;
                    out.findings.push(f);
                }
            }
        }
    }
    if let Some(start) = fresh_run {
        derive_fresh(calls, new_groups[start].start..calls.len(), settings, service_hints, &mut out);
    }
    out
}

/// Derive `calls[range]` afresh, indexed into the whole `calls`.
fn derive_fresh(calls: &[SdkCall], range: std::ops::Range<usize>, settings: &RequirementSettings, service_hints: &[String], out: &mut Derived) {
    let offset = range.start;
    let mut part = requirements_for_calls(&calls[range], settings, service_hints);
    for r in &mut part.requirements {
        r.call_index += offset;
    }
    out.requirements.append(&mut part.requirements);
    out.findings.append(&mut part.findings);
}
