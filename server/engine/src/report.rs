//! The engine facade that CLI, LSP and MCP call: one file → its report.
//!
//! - [`report_for_document`] / [`report_for_source`]: one file → its calls,
//!   findings and IAM requirements (the language server's unit of work);
//!   [`report_for_range`]: the same for part of a file (an editor's viewport).

use crate::front_end::{AnalysisOptions, FrontEnd, LanguageIndex, SourceDocument};
use crate::model::{FileAnalysis, FindingKind, Requirement, RequirementSettings};
use std::fmt;
use std::path::{Path, PathBuf};

/// What shapes analysis and requirements for a run.
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    pub requirements: RequirementSettings,
    /// Keep only calls to these services (botocore name `stepfunctions` or IAM
    /// prefix `states`); actions those calls truly need (KMS, PassRole) stay.
    /// Empty: every service.
    pub service_hints: Vec<String>,
    /// What infrastructure code says the file's environment variables hold
    /// (the deployed function that runs it); bound into calls before
    /// requirements are derived.
    pub environment: crate::environment::Environment,
}

/// One file's analysis and the requirements derived from it.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    /// Calls and findings; the requirements stage appends its own findings
    /// (e.g. `DynamicResource`) here.
    pub analysis: FileAnalysis,
    /// `requirements[i].call_index` indexes `analysis.calls`.
    pub requirements: Vec<Requirement>,
    /// The calls' arguments read from environment variables, and what the
    /// deployed function's template binds them to.
    pub environment: Vec<crate::environment::EnvironmentUse>,
}

/// Why a run could not start; always names the path and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    NotFound {
        path: PathBuf,
    },
    Unreadable {
        path: PathBuf,
        message: String,
    },
    Walk {
        path: PathBuf,
        message: String,
    },
    /// Past the walk limits given by the caller.
    TooLarge {
        path: PathBuf,
        what: String,
    },
}

impl EngineError {
    pub fn from_io(path: &Path, err: &std::io::Error) -> EngineError {
        match err.kind() {
            std::io::ErrorKind::NotFound => EngineError::NotFound { path: path.to_path_buf() },
            _ => EngineError::Unreadable { path: path.to_path_buf(), message: err.to_string() },
        }
    }

    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            EngineError::NotFound { path }
            | EngineError::Unreadable { path, .. }
            | EngineError::Walk { path, .. }
            | EngineError::TooLarge { path, .. } => path,
        }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::NotFound { path } => {
                write!(f, "{}: no such file or directory; pass existing source files or directories", path.display())
            }
            EngineError::Unreadable { path, message } => {
                write!(f, "{}: cannot be read ({message}); check its permissions or leave it out", path.display())
            }
            EngineError::TooLarge { path, what } => {
                write!(f, "{}: too large to analyse here ({what}); pass the application's own directory or files", path.display())
            }
            EngineError::Walk { path, message } => {
                write!(f, "{}: cannot be walked ({message}); check permissions below it or pass files directly", path.display())
            }
        }
    }
}

impl std::error::Error for EngineError {}

/// Analyse a document the caller keeps (the language server's incrementally
/// edited tree) and derive its requirements.
pub fn report_for_document(path: &Path, doc: &dyn SourceDocument, index: &dyn LanguageIndex, opts: &EngineOptions) -> FileReport {
    report_for_document_after(path, doc, index, opts, None)
}

/// [`report_for_document`], taking over from `previous` (an earlier report of
/// the same document, computed with the same `opts`) the requirements of the
/// calls that did not change. The result is the same; typing in a large file
/// derives only the calls it touched.
pub fn report_for_document_after(
    path: &Path,
    doc: &dyn SourceDocument,
    index: &dyn LanguageIndex,
    opts: &EngineOptions,
    previous: Option<FileReport>,
) -> FileReport {
    let analysis = doc.analyze(index, &analysis_options(opts));
    report_from(path, analysis, opts, previous)
}

/// The report of only the top-level statements of `doc` that overlap the byte
/// range `range`: for those, exactly what [`report_for_document`] gives (calls,
/// requirements); elsewhere less, and no code scopes. What an editor shows in
/// a viewport right after an edit, before the whole file is analysed again;
/// never a summary of the file.
pub fn report_for_range(
    path: &Path,
    doc: &dyn SourceDocument,
    index: &dyn LanguageIndex,
    opts: &EngineOptions,
    range: std::ops::Range<usize>,
) -> FileReport {
    let analysis = doc.analyze_range(index, &analysis_options(opts), range);
    report_from(path, analysis, opts, None)
}

/// Decode ahead of time the knowledge a source file will likely need (the
/// services it names), so its first analysis does not wait for it. Only a
/// cache warm-up, for a spare core while the file parses; results never
/// depend on it.
pub fn warm_up_knowledge(front_end: &dyn FrontEnd, source: &str) {
    let kb = iamlens_knowledge::KnowledgeBase::embedded();
    for name in front_end.services_named(source) {
        let _ = kb.service(name);
    }
}

/// [`report_for_document`] for a document parsed for this report alone
/// (indexing, one-off requests): nothing is kept for re-analysis.
pub fn report_for_parsed(path: &Path, doc: &dyn SourceDocument, index: &dyn LanguageIndex, opts: &EngineOptions) -> FileReport {
    let analysis = doc.analyze_once(index, &analysis_options(opts));
    report_from(path, analysis, opts, None)
}

/// Parse and analyse source text on its own (plus what `index` knows of the project).
pub fn report_for_source(path: &Path, source: &str, front_end: &dyn FrontEnd, index: &dyn LanguageIndex, opts: &EngineOptions) -> FileReport {
    let doc = front_end.parse(source.to_string());
    report_for_parsed(path, doc.as_ref(), index, opts)
}

pub fn analysis_options(opts: &EngineOptions) -> AnalysisOptions {
    AnalysisOptions { service_hints: opts.service_hints.clone() }
}

/// The requirements stage over a finished analysis: drop the calls the
/// service hints leave out, derive requirements, add that stage's findings.
pub fn report_from_analysis(path: &Path, analysis: FileAnalysis, opts: &EngineOptions) -> FileReport {
    report_from(path, analysis, opts, None)
}

fn report_from(path: &Path, mut analysis: FileAnalysis, opts: &EngineOptions, previous: Option<FileReport>) -> FileReport {
    use crate::requirements::reuse::{requirements_reusing, Previous};
    let environment = opts.environment.bind(&mut analysis);
    if !opts.service_hints.is_empty() {
        analysis.calls.retain(|call| crate::requirements::call_kept_by_hints(call, &opts.service_hints));
    }
    let derived = match previous {
        Some(FileReport { analysis: old, requirements, .. }) => {
            let findings = old.findings.into_iter().filter(Previous::is_derived_finding).collect();
            let previous = Previous { calls: old.calls, requirements, findings };
            requirements_reusing(&analysis.calls, &opts.requirements, &opts.service_hints, previous)
        }
        None => crate::requirements::requirements_for_calls(&analysis.calls, &opts.requirements, &opts.service_hints),
    };
    // A source call made of several SDK calls (a managed upload) gets one
    // run-time-resource finding, not one per operation.
    for finding in derived.findings {
        let repeated = matches!(finding.kind, FindingKind::DynamicResource { .. })
            && analysis.findings.iter().any(|f| f.span == finding.span && matches!(f.kind, FindingKind::DynamicResource { .. }));
        if !repeated {
            analysis.findings.push(finding);
        }
    }
    describe_template_names(&mut analysis, &environment, &derived.requirements);
    FileReport { path: path.to_path_buf(), analysis, requirements: derived.requirements, environment }
}

/// A run-time resource finding whose members came from a template: say so,
/// and that the template (a generated name) is what leaves it a pattern.
fn describe_template_names(analysis: &mut FileAnalysis, uses: &[crate::environment::EnvironmentUse], requirements: &[Requirement]) {
    if !uses.iter().any(|u| u.bound) {
        return;
    }
    for finding in &mut analysis.findings {
        let FindingKind::DynamicResource { action, parameter } = &finding.kind else { continue };
        let Some(index) = analysis.calls.iter().position(|c| c.span == finding.span) else { continue };
        let members: Vec<&str> = parameter.split(", ").collect();
        let from_template: Vec<&crate::environment::EnvironmentUse> =
            uses.iter().filter(|u| u.bound && u.call_index == index && members.contains(&u.member.as_str())).collect();
        if from_template.is_empty() {
            continue;
        }
        let named: Vec<String> = from_template
            .iter()
            .map(|u| match &u.origin {
                Some(origin) => format!("`{}` comes from environment variable `{}` (← {origin})", u.member, u.variable),
                None => format!("`{}` comes from environment variable `{}`", u.member, u.variable),
            })
            .collect();
        let rest: Vec<String> = members.iter().filter(|m| !from_template.iter().any(|u| u.member == **m)).map(|m| format!("`{m}`")).collect();
        // The first wildcard grant of the finding's action, as the finding itself names it.
        let Some(arn) = requirements
            .iter()
            .filter(|r| r.call_index == index && r.action == *action)
            .flat_map(|r| r.resources.iter())
            .find(|arn| arn.contains(['*', '?']))
        else {
            continue;
        };
        let granted = format!("{action} is granted on `{arn}`");
        let mut message = format!("{}, which the template that deploys this code leaves partly open", named.join(" and "));
        if !rest.is_empty() {
            message.push_str(&format!("; {} {} only known at run time", rest.join(" and "), if rest.len() == 1 { "is" } else { "are" }));
        }
        message.push_str(&format!(
            ", so {granted}; --region, --account, --stack-name, --parameter-overrides or an explicit name in the template narrow it"
        ));
        finding.message = message;
    }
}
