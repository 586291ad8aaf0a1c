//! The workspace's deployed functions, as its templates declare them: the
//! environment each source file runs with, so hints, hovers and diagnostics
//! show the resources the templates wire to `os.environ[...]` reads — as
//! `generate-policies` does.

use iamlens_engine::environment::Environment;
use iamlens_functions::{deployed_functions, discover, Deployment, DiscoverOptions};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Source file (canonical path) → the environment it runs with.
#[derive(Debug, Default)]
pub struct WorkspaceFunctions {
    environments: HashMap<PathBuf, Environment>,
    /// How many functions the templates declare.
    pub functions: usize,
}

impl WorkspaceFunctions {
    /// Read the templates under `folders` and bind them to the source files there.
    pub fn read(folders: &[PathBuf]) -> WorkspaceFunctions {
        let mut deployment = Deployment::default();
        for folder in folders {
            deployment.extend(discover(folder, &DiscoverOptions::default()));
        }
        if deployment.functions.is_empty() {
            return WorkspaceFunctions::default();
        }
        let front_ends = iamlens_languages::front_ends();
        let files = iamlens_engine::collect_source_files(folders, front_ends).unwrap_or_default();
        let mut environments: HashMap<PathBuf, Environment> = HashMap::new();
        for function in deployed_functions(&deployment, &files, front_ends) {
            for &i in &function.files {
                let path = canonical(&files[i]);
                let env = match environments.remove(&path) {
                    // A file several functions run: only what they agree on.
                    Some(before) => before.common(&function.environment),
                    None => function.environment.clone(),
                };
                environments.insert(path, env);
            }
        }
        WorkspaceFunctions { environments, functions: deployment.functions.len() }
    }

    pub fn environment_of(&self, path: &Path) -> Option<&Environment> {
        if self.environments.is_empty() {
            return None;
        }
        self.environments.get(&canonical(path))
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Whether a changed file may be infrastructure code (re-read the templates).
pub fn may_be_template(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json" | "tf" | "tfvars" | "template"))
}
