//! Which source files each deployed function runs.

use crate::bind::environment_of;
use iamlens_engine::environment::Environment;
use iamlens_engine::front_end::{self, FrontEnd};
use iamlens_iac::{Code, Deployment, Function};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// A function of the templates, joined with the run's source files.
#[derive(Debug, Clone)]
pub struct DeployedFunction {
    pub function: Function,
    /// Indexes into the run's file list: the handler's module and what it
    /// imports in the project, or the whole code directory when the language
    /// deploys directories (Go, Java) or the handler's module was not found.
    pub files: Vec<usize>,
    pub environment: Environment,
    /// Why the files are a wider or empty set, for people.
    pub notes: Vec<String>,
}

/// Every function of `deployment` with its files among `files` (the run's
/// walked source files, in its order).
pub fn deployed_functions(deployment: &Deployment, files: &[PathBuf], front_ends: &[&'static dyn FrontEnd]) -> Vec<DeployedFunction> {
    let canonical: Vec<PathBuf> = files.iter().map(|f| canonical_path(f)).collect();
    let index: HashMap<&Path, usize> = canonical.iter().enumerate().map(|(i, p)| (p.as_path(), i)).collect();
    deployment
        .functions
        .iter()
        .map(|function| {
            let mut notes = Vec::new();
            let files = match &function.code {
                Code::Directory { path } => files_of(function, &canonical_path(path), &canonical, &index, front_ends, &mut notes),
                Code::Inline { .. } => {
                    notes.push("its code is written inline in the template, which iamlens does not read yet".to_string());
                    Vec::new()
                }
                Code::Unknown { reason } => {
                    notes.push(format!("its code is {reason}, so iamlens cannot read it"));
                    Vec::new()
                }
            };
            DeployedFunction { function: function.clone(), files, environment: environment_of(function), notes }
        })
        .collect()
}

fn files_of(
    function: &Function,
    code_dir: &Path,
    canonical: &[PathBuf],
    index: &HashMap<&Path, usize>,
    front_ends: &[&'static dyn FrontEnd],
    notes: &mut Vec<String>,
) -> Vec<usize> {
    let in_dir: Vec<usize> = (0..canonical.len()).filter(|&i| canonical[i].starts_with(code_dir)).collect();
    if in_dir.is_empty() {
        notes.push(format!("its code directory {} holds no source file of this run", crate::project::shown(code_dir)));
        return in_dir;
    }
    let language = language_of(function, in_dir.iter().map(|&i| canonical[i].as_path()), front_ends);
    let (Some(fe), Some(handler)) = (language, function.handler.as_deref()) else { return in_dir };
    let Some(entry) = fe.handler_file(handler, code_dir) else {
        // Go and Java deploy whole directories; for the others a missing module is worth saying.
        if fe.lambda_runtimes().iter().any(|r| matches!(*r, "python" | "nodejs")) {
            notes.push(format!(
                "its handler `{handler}` names no {} file in {}, so all of that directory counts",
                fe.language(),
                crate::project::shown(code_dir)
            ));
        }
        return in_dir;
    };
    let mut reached = BTreeSet::new();
    let mut queue = vec![canonical_path(&entry)];
    while let Some(file) = queue.pop() {
        let Some(&i) = index.get(file.as_path()) else { continue };
        if !reached.insert(i) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        queue.extend(fe.imported_files(&file, &text, code_dir).iter().map(|p| canonical_path(p)));
    }
    reached.into_iter().collect()
}

/// The front-end that reads the function: by its runtime, else by the
/// language most of its code directory is written in.
fn language_of<'a>(
    function: &Function,
    files: impl Iterator<Item = &'a Path>,
    front_ends: &[&'static dyn FrontEnd],
) -> Option<&'static dyn FrontEnd> {
    if let Some(runtime) = function.runtime.as_deref() {
        if let Some(fe) = front_ends.iter().find(|fe| fe.lambda_runtimes().iter().any(|r| runtime.starts_with(r) && !r.starts_with("provided"))) {
            return Some(*fe);
        }
    }
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    for file in files {
        if let Some(fe) = front_end::for_path(front_ends, file) {
            *counts.entry(fe.language()).or_default() += 1;
        }
    }
    let (language, _) = counts.into_iter().max_by_key(|(language, n)| (*n, *language))?;
    front_end::for_language(front_ends, language)
}

fn canonical_path(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
