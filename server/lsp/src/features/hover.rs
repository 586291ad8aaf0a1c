//! Hover on the method name of a call: operation, actions with access level,
//! the bound resource ARN and the template it came from, condition keys, notes.

use iamlens_engine::model::{CallVia, Requirement, SdkCall};
use iamlens_engine::FileReport;

/// The calls whose method name covers `offset` (several for `upload_file`).
pub fn calls_at(report: &FileReport, offset: usize) -> Vec<(usize, &SdkCall)> {
    let hits: Vec<(usize, &SdkCall)> = report.analysis.calls.iter().enumerate().filter(|(_, c)| c.name_span.contains_byte(offset)).collect();
    if !hits.is_empty() {
        return hits;
    }
    // Anywhere in the call falls back to the innermost call containing it.
    let inner = report.analysis.calls.iter().filter(|c| c.span.contains_byte(offset)).min_by_key(|c| c.span.end_byte - c.span.start_byte);
    match inner {
        Some(best) => report.analysis.calls.iter().enumerate().filter(|(_, c)| c.span == best.span).collect(),
        None => Vec::new(),
    }
}

/// Markdown for the calls at a spot.
pub fn hover_markdown(report: &FileReport, calls: &[(usize, &SdkCall)]) -> String {
    let mut out = Vec::new();
    for (index, call) in calls {
        let via = match &call.via {
            CallVia::Client => String::new(),
            CallVia::Paginator { method } => format!(" (paginator `{method}`)"),
            CallVia::Waiter { name } => format!(" (waiter `{name}`)"),
            CallVia::Injected { method } => format!(" (via `{method}`)"),
            CallVia::Resource { resource, action } => format!(" (resource `{resource}.{action}`)"),
        };
        out.push(format!("### {}:{}{via}", call.service, call.operation));
        let reqs: Vec<&Requirement> = report.requirements.iter().filter(|r| r.call_index == *index).collect();
        if reqs.is_empty() {
            out.push("No IAM permission is needed for this call.".into());
        }
        for r in reqs {
            out.push(requirement_block(r));
        }
        let environment: Vec<String> = report
            .environment
            .iter()
            .filter(|u| u.call_index == *index)
            .map(|u| match (&u.origin, u.bound) {
                (Some(origin), _) => format!("- `{}` ← `{}` ← `{origin}` (from the template that deploys this code)", u.member, u.variable),
                (None, true) => format!("- `{}` ← `{}` (set by the template that deploys this code)", u.member, u.variable),
                (None, false) => {
                    format!("- `{}` ← `{}`: no template in the workspace sets it, so its resource stays a wildcard", u.member, u.variable)
                }
            })
            .collect();
        if !environment.is_empty() {
            out.push(format!("**Environment**\n{}", environment.join("\n")));
        }
    }
    out.join("\n\n")
}

fn requirement_block(r: &Requirement) -> String {
    let mut lines = vec![match &r.access_level {
        Some(level) => format!("**`{}`** — {level}", r.action),
        None => format!("**`{}`**", r.action),
    }];
    for resource in &r.resources {
        lines.push(format!("- Resource: `{resource}`"));
    }
    for template in &r.arn_templates {
        lines.push(format!("- From template: `{template}`"));
    }
    for (op, key, values) in &r.conditions {
        lines.push(format!("- Condition: `{op}` `{key}` = `{}`", values.join("`, `")));
    }
    if let Some(note) = &r.note {
        lines.push(format!("- Note: {note}"));
    }
    lines.join("\n")
}
