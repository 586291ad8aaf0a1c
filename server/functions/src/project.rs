//! A whole run with infrastructure code: walk and analyse the sources once,
//! read the templates, and group the reports by deployed function — what
//! the CLI's `generate-policies` and the MCP tool both print.

use crate::code::{deployed_functions, DeployedFunction};
use crate::reports::{per_function, per_function_from_reports, FunctionReports};
use iamlens_engine::front_end::FrontEnd;
use iamlens_engine::{self as engine, EngineError, EngineOptions, FileReport, GenerateOutput, PolicyOptions, WalkOptions, Walked, Warning};
use iamlens_iac::{Context, Deployment, DiscoverOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Which infrastructure code a run reads.
#[derive(Debug, Clone, Default)]
pub struct IacOptions {
    /// Read no templates at all (`--no-iac`).
    pub off: bool,
    /// Templates or directories named by the person; empty: those found in
    /// the directories being analysed.
    pub explicit: Vec<PathBuf>,
    pub context: Context,
}

/// The analysed sources, the templates, and the reports per function.
#[derive(Debug, Clone)]
pub struct ProjectRun {
    pub deployment: Deployment,
    pub functions: Vec<DeployedFunction>,
    /// One group per function in order, then the files outside every function.
    pub groups: Vec<FunctionReports>,
    pub walked: Walked,
}

/// Analyse `paths` and bind them to the templates `iac` finds.
pub fn run_project(
    paths: &[PathBuf],
    front_ends: &[&'static dyn FrontEnd],
    opts: &EngineOptions,
    walk: &WalkOptions,
    iac: &IacOptions,
) -> Result<ProjectRun, EngineError> {
    run_project_bound(paths, front_ends, walk, iac, |_| opts.clone())
}

/// [`run_project`] with the engine options chosen once the templates are
/// read (`iamlens check` binds the code to the region and account the
/// declared policies name).
pub fn run_project_bound(
    paths: &[PathBuf],
    front_ends: &[&'static dyn FrontEnd],
    walk: &WalkOptions,
    iac: &IacOptions,
    options_for: impl FnOnce(&Deployment) -> EngineOptions,
) -> Result<ProjectRun, EngineError> {
    let deployment = read_templates(paths, iac);
    let opts = &options_for(&deployment);
    let (analyses, walked) = engine::analyses_within(paths, front_ends, opts, walk)?;
    let functions = deployed_functions(&deployment, &walked.files, front_ends);
    let groups = per_function(&walked.files, analyses, &functions, opts);
    Ok(ProjectRun { deployment, functions, groups, walked })
}

/// [`run_project`] over reports another view derived without any
/// environment (the language server's live workspace, unsaved edits
/// included): the same functions, files and per-function binding, so its
/// policies are those `generate-policies` prints for the same text. `files`
/// are the project's source files (what the functions' code is looked up
/// in), `reports` those of them with AWS calls.
pub fn run_from_reports(
    deployment: Deployment,
    files: Vec<PathBuf>,
    reports: Vec<FileReport>,
    front_ends: &[&'static dyn FrontEnd],
    opts: &EngineOptions,
) -> ProjectRun {
    let functions = deployed_functions(&deployment, &files, front_ends);
    let groups = per_function_from_reports(&files, reports, &functions, opts);
    ProjectRun { deployment, functions, groups, walked: Walked { files, ..Walked::default() } }
}

/// The templates `iac` says to read for a run over `paths`: those named, or
/// those found in the directories among `paths` (each once).
pub fn read_templates(paths: &[PathBuf], iac: &IacOptions) -> Deployment {
    if iac.off {
        return Deployment::default();
    }
    if !iac.explicit.is_empty() {
        let options = DiscoverOptions { explicit: iac.explicit.clone(), context: iac.context.clone() };
        return iamlens_iac::discover(Path::new("."), &options);
    }
    let options = DiscoverOptions { explicit: Vec::new(), context: iac.context.clone() };
    let mut deployment = Deployment::default();
    for dir in paths.iter().filter(|p| p.is_dir()) {
        deployment.extend(iamlens_iac::discover(dir, &options));
    }
    dedup(&mut deployment);
    deployment
}

/// Overlapping directories (`src` and `.`) find a template twice.
fn dedup(deployment: &mut Deployment) {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut seen = Vec::new();
    deployment.functions.retain(|f| {
        let key = (canonical(&f.declared_at.file), f.id.clone());
        let fresh = !seen.contains(&key);
        if fresh {
            seen.push(key);
        }
        fresh
    });
    let mut seen = Vec::new();
    deployment.declared.retain(|d| {
        let key = (canonical(&d.file), d.function.clone());
        let fresh = !seen.contains(&key);
        if fresh {
            seen.push(key);
        }
        fresh
    });
    let mut seen = Vec::new();
    deployment.templates.retain(|t| {
        let key = canonical(t);
        let fresh = !seen.contains(&key);
        if fresh {
            seen.push(key);
        }
        fresh
    });
    deployment.warnings.sort_by(|a, b| (&a.at.file, a.at.line, &a.message).cmp(&(&b.at.file, b.at.line, &b.message)));
    deployment.warnings.dedup();
}

impl ProjectRun {
    /// Whether the templates deploy any function: then policies come one per function.
    pub fn has_functions(&self) -> bool {
        !self.functions.is_empty()
    }

    /// Every report of every group (a file run by two functions appears twice,
    /// bound to each one's environment); borrowed when there is one group.
    pub fn reports(&self) -> std::borrow::Cow<'_, [FileReport]> {
        match self.groups.as_slice() {
            [] => std::borrow::Cow::Borrowed(&[]),
            [one] => std::borrow::Cow::Borrowed(one.reports.as_slice()),
            many => std::borrow::Cow::Owned(many.iter().flat_map(|g| g.reports.iter().cloned()).collect()),
        }
    }

    pub fn function(&self, group: &FunctionReports) -> Option<&DeployedFunction> {
        group.function.and_then(|f| self.functions.get(f))
    }

    /// The templates' warnings, each function whose code could not be read,
    /// and the files with AWS calls that no function runs.
    pub fn warnings(&self) -> Vec<Warning> {
        let mut out: Vec<Warning> = self
            .deployment
            .warnings
            .iter()
            .map(|w| Warning { file: shown(&w.at.file), line: w.at.line as u32, kind: "Template".into(), message: w.message.clone() })
            .collect();
        for f in &self.functions {
            for note in &f.notes {
                out.push(Warning {
                    file: shown(&f.function.declared_at.file),
                    line: f.function.declared_at.line as u32,
                    kind: "FunctionCode".into(),
                    message: format!("function {}: {note}", f.function.id),
                });
            }
        }
        if self.has_functions() {
            out.extend(self.outside_warning());
        }
        out
    }

    fn outside_warning(&self) -> Option<Warning> {
        let outside = self.groups.iter().find(|g| g.function.is_none())?;
        let with_calls: Vec<&FileReport> = outside.reports.iter().filter(|r| !r.requirements.is_empty()).collect();
        let first = with_calls.first()?;
        let names: Vec<String> = with_calls.iter().take(5).map(|r| r.path.display().to_string()).collect();
        let more = if with_calls.len() > 5 { format!(" and {} more", with_calls.len() - 5) } else { String::new() };
        let (s, verb) = if with_calls.len() == 1 { ("", "belongs") } else { ("s", "belong") };
        Some(Warning {
            file: first.path.display().to_string(),
            line: 1,
            kind: "OutsideFunctions".into(),
            message: format!(
                "{} file{s} with AWS calls {verb} to no function of the templates ({}{more}); their permissions are in the policy with \"Function\": null",
                with_calls.len(),
                names.join(", ")
            ),
        })
    }

    /// The `generate-policies` envelope: `Policies` (one set per function,
    /// each entry tagged with its `Function`, unless `merged` or there are no
    /// functions), `Warnings`, and `Explanations` when asked.
    /// `output` is [`output`](Self::output)'s result for the same `policy` and `merged`.
    pub fn envelope(&self, output: &GenerateOutput, policy: &PolicyOptions, merged: bool) -> Value {
        let mut json = serde_json::to_value(output).unwrap_or_else(|e| json!({ "error": e.to_string() }));
        if self.has_functions() && !merged {
            json["Policies"] = Value::Array(self.policies_per_function(policy).into_iter().flat_map(|(_, entries)| entries).collect());
        }
        json
    }

    /// The union policy over every report, with every warning of the run
    /// (per function when split, so resource cutoffs are each function's own).
    pub fn output(&self, policy: &PolicyOptions, merged: bool, explain: &[String]) -> GenerateOutput {
        let reports = self.reports();
        let mut output = engine::generate(&reports, policy);
        let split = self.has_functions() && !merged;
        if split {
            // Resource cutoffs are per function: take them from each function's own policy.
            output.warnings.retain(|w| w.kind != "ResourceCutoff");
            for group in &self.groups {
                output.warnings.extend(engine::generate(&group.reports, policy).warnings.into_iter().filter(|w| w.kind == "ResourceCutoff"));
            }
        }
        output.warnings.extend(self.warnings());
        output.warnings.sort();
        output.warnings.dedup();
        if !explain.is_empty() {
            let mut explanations = engine::explain(&reports, explain);
            explanations.sort();
            explanations.dedup();
            output.explanations = Some(explanations);
        }
        output
    }

    /// Each group's policies as JSON entries tagged with `"Function"`.
    pub fn policies_per_function(&self, policy: &PolicyOptions) -> Vec<(&FunctionReports, Vec<Value>)> {
        self.groups
            .iter()
            .map(|group| {
                let entries = engine::generate(&group.reports, policy)
                    .policies
                    .iter()
                    .map(|p| {
                        let mut entry = serde_json::to_value(p).unwrap_or(Value::Null);
                        entry["Function"] = self.function_json(group);
                        entry
                    })
                    .collect();
                (group, entries)
            })
            .collect()
    }

    /// How output names the function a group is for: `{Id, Template, Line, Role?, Handler?}`, or null.
    pub fn function_json(&self, group: &FunctionReports) -> Value {
        let Some(f) = self.function(group) else { return Value::Null };
        let f = &f.function;
        let mut out = json!({ "Id": f.id, "Template": shown(&f.declared_at.file), "Line": f.declared_at.line });
        if let Some(role) = &f.role {
            out["Role"] = json!(role);
        }
        if let Some(handler) = &f.handler {
            out["Handler"] = json!(handler);
        }
        out
    }
}

/// A template path as people read it: relative to the working directory
/// when it lies under it (readers may resolve paths to absolute ones).
pub(crate) fn shown(path: &Path) -> String {
    let relative = std::env::current_dir().ok().and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf));
    relative.unwrap_or_else(|| path.to_path_buf()).display().to_string()
}
