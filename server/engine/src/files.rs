//! Which files a run reads: files as given, directories walked recursively
//! honouring `.gitignore`, `.ignore` and hidden-file conventions.

use crate::front_end::{self, FrontEnd};
use crate::EngineError;
use std::path::{Path, PathBuf};

/// Files as given (whatever their extension: the user asked for them), plus
/// every source file a front-end reads under each directory, walked
/// recursively honouring `.gitignore`, tests left out (see [`WalkOptions`]).
/// Sorted and deduplicated per argument, in argument order, so runs are
/// reproducible.
pub fn collect_source_files(paths: &[PathBuf], front_ends: &[&'static dyn FrontEnd]) -> Result<Vec<PathBuf>, EngineError> {
    walk_source_files(paths, front_ends, &WalkOptions::default()).map(|walked| walked.files)
}

/// How a directory walk chooses files.
#[derive(Debug, Clone, Copy, Default)]
pub struct WalkOptions {
    pub limits: WalkLimits,
    /// Read the files a front-end calls tests (`tests/`, `test_*.py`,
    /// `*_test.go`, `src/test/`): they are not the application, so a policy
    /// for the application leaves them out unless asked.
    pub include_tests: bool,
}

/// How far a walk may go before it stops with an error (for requests from
/// untrusted callers: an agent asking for `/`).
#[derive(Debug, Clone, Copy)]
pub struct WalkLimits {
    /// At most this many source files.
    pub max_files: usize,
    /// Give up when walking takes longer.
    pub max_time: std::time::Duration,
}

impl WalkLimits {
    pub fn none() -> WalkLimits {
        WalkLimits { max_files: usize::MAX, max_time: std::time::Duration::MAX }
    }
}

impl Default for WalkLimits {
    fn default() -> Self {
        WalkLimits::none()
    }
}

/// What a walk found, and what it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Walked {
    pub files: Vec<PathBuf>,
    /// Test files under the directories, left out (see [`WalkOptions::include_tests`]).
    pub skipped_tests: Vec<PathBuf>,
    /// Source files in languages that have an AWS SDK but no front-end in
    /// this build (Ruby, C#, PHP, Kotlin, Rust, ...): their calls are not in
    /// the policy, and the person must be told.
    pub unread: Vec<PathBuf>,
    /// What ignore rules left out in a git work tree: untracked source files,
    /// and whole ignored directories (a trailing `/`) other than dependency and
    /// build-output directories, so the person can tell whether code is missing.
    pub ignored: Vec<PathBuf>,
}

/// Directories ignored in nearly every project that hold no application code.
const DEPENDENCY_DIRS: &[&str] = &[
    "node_modules",
    ".venv",
    "venv",
    "env",
    "target",
    "dist",
    "__pycache__",
    ".terraform",
    "cdk.out",
    ".aws-sam",
    ".serverless",
    ".next",
    ".pytest_cache",
    ".mypy_cache",
    ".tox",
    "vendor",
    ".gradle",
    "bin",
    "obj",
];

/// Extensions of languages with an AWS SDK, and their names, for files no
/// front-end of this build reads.
const OTHER_SDK_LANGUAGES: &[(&str, &str)] = &[
    ("rb", "Ruby"),
    ("cs", "C#"),
    ("php", "PHP"),
    ("kt", "Kotlin"),
    ("kts", "Kotlin"),
    ("rs", "Rust"),
    ("swift", "Swift"),
    ("scala", "Scala"),
    ("cpp", "C++"),
    ("cc", "C++"),
    ("ps1", "PowerShell"),
];

/// The language of a file no front-end reads but that may call AWS (`Ruby`).
pub fn unread_language(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?;
    OTHER_SDK_LANGUAGES.iter().find(|(e, _)| *e == ext).map(|(_, name)| *name)
}

/// [`collect_source_files`] with explicit options: stops with
/// [`EngineError::TooLarge`] past the limits, and says what it left out.
pub fn walk_source_files(paths: &[PathBuf], front_ends: &[&'static dyn FrontEnd], options: &WalkOptions) -> Result<Walked, EngineError> {
    let started = std::time::Instant::now();
    let mut walked = Walked::default();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| EngineError::from_io(path, &e))?;
        if meta.is_dir() {
            let budget = Budget { options, started, found_before: walked.files.len() };
            let mut found = walk_dir(path, front_ends, &budget)?;
            found.files.sort();
            found.skipped_tests.sort();
            found.unread.sort();
            walked.files.extend(found.files);
            walked.skipped_tests.extend(found.skipped_tests);
            walked.unread.extend(found.unread);
            walked.ignored.extend(ignored_untracked(path, front_ends));
        } else {
            walked.files.push(path.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    walked.files.retain(|p| seen.insert(p.clone()));
    Ok(walked)
}

/// What is left of the limits while one directory is walked.
struct Budget<'a> {
    options: &'a WalkOptions,
    started: std::time::Instant,
    found_before: usize,
}

/// Source files under `dir`, and the test and unread files left out.
fn walk_dir(dir: &Path, front_ends: &[&'static dyn FrontEnd], budget: &Budget) -> Result<Walked, EngineError> {
    let mut found = Vec::new();
    let mut tests = Vec::new();
    let mut unread = Vec::new();
    let limits = &budget.options.limits;
    let too_large = |what: String| EngineError::TooLarge { path: dir.to_path_buf(), what };
    // `require_git(false)`: a .gitignore counts even outside a git checkout
    // (an unpacked tarball, a fixture directory), as users expect.
    let walker = ignore::WalkBuilder::new(dir).require_git(false).build();
    for entry in walker {
        let entry = entry.map_err(|e| EngineError::Walk { path: dir.to_path_buf(), message: e.to_string() })?;
        let is_file = entry.file_type().is_some_and(|t| t.is_file());
        if is_file && front_end::for_path(front_ends, entry.path()).is_none() && unread_language(entry.path()).is_some() {
            unread.push(entry.path().to_path_buf());
        }
        if let Some(front_end) = front_end::for_path(front_ends, entry.path()).filter(|_| is_file) {
            let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            if !budget.options.include_tests && front_end.is_test_file(relative) {
                tests.push(entry.into_path());
                continue;
            }
            found.push(entry.into_path());
            if budget.found_before + found.len() > limits.max_files {
                return Err(too_large(format!("more than {} source files", limits.max_files)));
            }
        }
        if budget.started.elapsed() > limits.max_time {
            return Err(too_large(format!("walking it took over {} s", limits.max_time.as_secs())));
        }
    }
    // Ignore rules are for untracked files: a file committed despite them is
    // part of the project (a vendored handler, a `build/` kept on purpose).
    for path in tracked_but_ignored(dir) {
        let Some(front_end) = front_end::for_path(front_ends, &path) else { continue };
        if found.contains(&path) || tests.contains(&path) {
            continue;
        }
        let relative = path.strip_prefix(dir).unwrap_or(&path);
        if !budget.options.include_tests && front_end.is_test_file(relative) {
            tests.push(path);
        } else {
            found.push(path);
        }
    }
    if budget.found_before + found.len() > limits.max_files {
        return Err(too_large(format!("more than {} source files", limits.max_files)));
    }
    Ok(Walked { files: found, skipped_tests: tests, unread, ignored: Vec::new() })
}

/// Untracked source files and directories under `dir` that ignore rules
/// exclude (`git ls-files --others --ignored --exclude-standard --directory`),
/// less dependency and build-output directories. Empty outside a git work tree.
fn ignored_untracked(dir: &Path, front_ends: &[&'static dyn FrontEnd]) -> Vec<PathBuf> {
    let listed = git_ls_files(dir, &["--others", "--ignored", "--exclude-standard", "--directory"]);
    listed
        .into_iter()
        .filter(|entry| {
            let text = entry.to_string_lossy();
            if text.ends_with('/') {
                let name = entry.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                !DEPENDENCY_DIRS.contains(&name.as_str())
                    && !name.starts_with('.')
                    && !entry.components().any(|c| DEPENDENCY_DIRS.contains(&c.as_os_str().to_string_lossy().as_ref()))
            } else {
                front_end::for_path(front_ends, entry).is_some() || unread_language(entry).is_some()
            }
        })
        .map(|entry| dir.join(entry))
        .collect()
}

/// `git ls-files -z <args> -- .` run in `dir`: paths relative to it. Empty
/// outside a git work tree or without git.
fn git_ls_files(dir: &Path, args: &[&str]) -> Vec<PathBuf> {
    if !dir.ancestors().any(|a| a.join(".git").exists()) {
        return Vec::new();
    }
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["ls-files", "-z"])
        .args(args)
        .args(["--", "."])
        .stderr(std::process::Stdio::null())
        .output();
    let Some(output) = output.ok().filter(|o| o.status.success()) else { return Vec::new() };
    output.stdout.split(|b| *b == 0).filter(|p| !p.is_empty()).map(|p| PathBuf::from(String::from_utf8_lossy(p).as_ref())).collect()
}

/// Files under `dir` that git tracks although an ignore rule matches them.
/// Dependency and build-output directories stay out even when committed
/// (a checked-in `cdk.out` is a copy of the code, not more code).
fn tracked_but_ignored(dir: &Path) -> Vec<PathBuf> {
    git_ls_files(dir, &["--cached", "--ignored", "--exclude-standard"])
        .into_iter()
        .filter(|p| !p.components().any(|c| DEPENDENCY_DIRS.contains(&c.as_os_str().to_string_lossy().as_ref())))
        .map(|p| dir.join(p))
        .filter(|p| p.is_file())
        .collect()
}

/// The path the project index knows a file by: relative to the directory
/// argument it was found under (so `pkg/mod.py` is module `pkg.mod`), else as given.
pub fn module_path(file: &Path, roots: &[PathBuf]) -> PathBuf {
    roots
        .iter()
        .filter(|root| root.is_dir())
        .find_map(|root| file.strip_prefix(root).ok())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| file.to_path_buf())
}

/// Invalid UTF-8 (a Latin-1 comment) should not hide the calls around it.
pub fn read_source(path: &Path) -> Result<String, EngineError> {
    let bytes = std::fs::read(path).map_err(|e| EngineError::from_io(path, &e))?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    })
}
