//! The `generate-policies` envelope: policies, warnings, explanations.

use crate::model::{FindingKind, SdkCall};
use crate::policy::{self, Policy, PolicyOptions, Widening};
use crate::FileReport;
use serde::Serialize;

/// `{"Policies": [...], "Warnings": [...], "Explanations"?: [...]}`.
#[derive(Debug, Clone, Serialize)]
pub struct GenerateOutput {
    #[serde(rename = "Policies")]
    pub policies: Vec<Policy>,
    #[serde(rename = "Warnings")]
    pub warnings: Vec<Warning>,
    /// Present when the caller asked (`--explain`).
    #[serde(rename = "Explanations", skip_serializing_if = "Option::is_none")]
    pub explanations: Option<Vec<Explanation>>,
}

/// Something the user should look at; never silently dropped.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    #[serde(rename = "File")]
    pub file: String,
    /// One-based line.
    #[serde(rename = "Line")]
    pub line: u32,
    /// `UnknownMethod`, `UnknownService`, `Ambiguous`, `DynamicResource`, `SyntaxError`, `UnmappedOperation`,
    /// `UnresolvedCall`, `ResourceCutoff`.
    #[serde(rename = "Kind")]
    pub kind: String,
    #[serde(rename = "Message")]
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Why one action is in the policy: one call that needs it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Explanation {
    #[serde(rename = "Action")]
    pub action: String,
    #[serde(rename = "File")]
    pub file: String,
    /// One-based line of the call.
    #[serde(rename = "Line")]
    pub line: u32,
    /// The call as written (one line).
    #[serde(rename = "Call")]
    pub call: String,
    /// botocore service and API operation: `s3.GetObject`.
    #[serde(rename = "Operation")]
    pub operation: String,
    #[serde(rename = "Resources")]
    pub resources: Vec<String>,
    /// Why the action is needed when not obvious (PassRole, KMS on the caller's behalf).
    #[serde(rename = "Note", skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Reports → the policies and warnings of `generate-policies`.
pub fn generate(reports: &[FileReport], opts: &PolicyOptions) -> GenerateOutput {
    let requirements = reports.iter().flat_map(|r| r.requirements.iter());
    let (policies, widenings) = policy::synthesize_reporting(requirements, opts);
    let mut warnings = warnings(reports);
    warnings.extend(widenings.iter().map(|w| cutoff_warning(reports, w, opts.resource_cutoff)));
    warnings.sort();
    warnings.dedup();
    GenerateOutput { policies, warnings, explanations: None }
}

/// A `ResourceCutoff` warning, placed at the first call that needs one of the
/// merged ARNs: which action, how many ARNs, and the pattern granted instead.
fn cutoff_warning(reports: &[FileReport], widening: &Widening, cutoff: usize) -> Warning {
    let needs = |report: &FileReport| {
        report
            .requirements
            .iter()
            .find(|r| r.action == widening.action && r.resources.iter().any(|res| widening.merged.contains(res)))
            .and_then(|r| report.analysis.calls.get(r.call_index).map(|call| (report.path.display().to_string(), call.span.start.line + 1)))
    };
    let (file, line) = reports.iter().find_map(needs).unwrap_or_default();
    const SHOWN: usize = 3;
    let mut examples: Vec<String> = widening.merged.iter().take(SHOWN).map(|arn| format!("`{arn}`")).collect();
    if widening.merged.len() > SHOWN {
        examples.push(format!("{} more", widening.merged.len() - SHOWN));
    }
    Warning {
        file,
        line,
        kind: "ResourceCutoff".to_string(),
        message: format!(
            "{} is granted on `{}` instead of the {} resources the code names ({}), because there are more than --resource-cutoff {cutoff}; raise the cutoff to keep them exact",
            widening.action,
            widening.pattern,
            widening.merged.len(),
            examples.join(", ")
        ),
    }
}

/// Every finding of every report as a warning, plus calls IAM authorizes that
/// no action could be derived for; sorted by file and line.
pub fn warnings(reports: &[FileReport]) -> Vec<Warning> {
    let mut out: Vec<Warning> = Vec::new();
    for report in reports {
        let file = report.path.display().to_string();
        out.extend(report.analysis.findings.iter().map(|f| Warning {
            file: file.clone(),
            line: f.span.start.line + 1,
            kind: kind_name(&f.kind).to_string(),
            message: f.message.clone(),
        }));
        for (index, call) in report.analysis.calls.iter().enumerate() {
            if report.requirements.iter().any(|r| r.call_index == index) {
                continue;
            }
            if let Some(reason) = crate::requirements::unmapped_reason(call) {
                out.push(Warning {
                    file: file.clone(),
                    line: call.span.start.line + 1,
                    kind: "UnmappedOperation".to_string(),
                    message: format!(
                        "{}.{} needs IAM permissions that iamlens cannot name ({reason}); add them to the policy by hand",
                        call.service, call.operation
                    ),
                });
            }
        }
    }
    out.sort();
    out.dedup();
    // One source call can be several SDK calls (a managed upload): one
    // run-time-resource warning for it, not one per operation.
    out.dedup_by(|later, first| later.kind == "DynamicResource" && first.kind == later.kind && first.file == later.file && first.line == later.line);
    out
}

fn kind_name(kind: &FindingKind) -> &'static str {
    match kind {
        FindingKind::UnknownMethod { .. } => "UnknownMethod",
        FindingKind::UnknownService { .. } => "UnknownService",
        FindingKind::Ambiguous { .. } => "Ambiguous",
        FindingKind::DynamicResource { .. } => "DynamicResource",
        FindingKind::SyntaxError => "SyntaxError",
        FindingKind::UnresolvedCall { .. } => "UnresolvedCall",
    }
}

/// For each action matching one of `action_globs` (IAM-style, case-insensitive:
/// `s3:Get*`, `*`), every call that needs it. Sorted by action, file, line.
pub fn explain(reports: &[FileReport], action_globs: &[String]) -> Vec<Explanation> {
    let mut out = Vec::new();
    for report in reports {
        for req in &report.requirements {
            if !action_globs.iter().any(|g| policy::wildcard::matches_ignore_case(g, &req.action)) {
                continue;
            }
            let Some(call) = report.analysis.calls.get(req.call_index) else { continue };
            out.push(explanation(report, call, req));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn explanation(report: &FileReport, call: &SdkCall, req: &crate::model::Requirement) -> Explanation {
    Explanation {
        action: req.action.clone(),
        file: report.path.display().to_string(),
        line: call.span.start.line + 1,
        call: call.text.clone(),
        operation: format!("{}.{}", call.service, call.operation),
        resources: req.resources.clone(),
        note: req.note.clone(),
    }
}
