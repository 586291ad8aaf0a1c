//! The workspace's deployed functions, as its templates declare them: the
//! environment each source file runs with, so hints, hovers and diagnostics
//! show the resources the templates wire to `os.environ[...]` reads — as
//! `generate-policies` does — and which functions run each file, for lenses
//! and the per-function workspace policy.

use iamlens_engine::environment::Environment;
use iamlens_functions::{deployed_functions, read_templates, Context, Deployment, IacOptions};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A function that runs a file: its id in the templates and its environment.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningFunction {
    pub id: String,
    pub environment: Environment,
}

/// Source file (canonical path) → the environment it runs with.
#[derive(Debug, Default, PartialEq)]
pub struct WorkspaceFunctions {
    /// What the templates say, for the per-function workspace policy.
    pub deployment: Deployment,
    environments: HashMap<PathBuf, Environment>,
    running: HashMap<PathBuf, Vec<RunningFunction>>,
    /// How many functions the templates declare.
    pub functions: usize,
}

impl WorkspaceFunctions {
    /// Read the templates under `folders` as `generate-policies` reads them
    /// (with what `context` gives: the editor's region and account) and bind
    /// them to the source files there.
    pub fn read(folders: &[PathBuf], context: &Context) -> WorkspaceFunctions {
        let iac = IacOptions { context: context.clone(), ..IacOptions::default() };
        let deployment = read_templates(folders, &iac);
        if deployment.functions.is_empty() {
            return WorkspaceFunctions::default();
        }
        let front_ends = iamlens_languages::front_ends();
        let files = iamlens_engine::collect_source_files(folders, front_ends).unwrap_or_default();
        let mut environments: HashMap<PathBuf, Environment> = HashMap::new();
        let mut running: HashMap<PathBuf, Vec<RunningFunction>> = HashMap::new();
        for function in deployed_functions(&deployment, &files, front_ends) {
            for &i in &function.files {
                let path = canonical(&files[i]);
                let env = match environments.remove(&path) {
                    // A file several functions run: only what they agree on.
                    Some(before) => before.common(&function.environment),
                    None => function.environment.clone(),
                };
                environments.insert(path.clone(), env);
                running
                    .entry(path)
                    .or_default()
                    .push(RunningFunction { id: function.function.id.clone(), environment: function.environment.clone() });
            }
        }
        let functions = deployment.functions.len();
        WorkspaceFunctions { deployment, environments, running, functions }
    }

    pub fn environment_of(&self, path: &Path) -> Option<&Environment> {
        if self.environments.is_empty() {
            return None;
        }
        self.environments.get(&canonical(path))
    }

    /// The functions that run `path`, in the templates' order.
    pub fn running(&self, path: &Path) -> &[RunningFunction] {
        if self.running.is_empty() {
            return &[];
        }
        self.running.get(&canonical(path)).map_or(&[], Vec::as_slice)
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Whether a changed file may be infrastructure code (re-read the templates).
pub fn may_be_template(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json" | "tf" | "tfvars" | "template" | "toml"))
}
