//! Helpers shared by the fixture tests.
#![allow(dead_code)]

use iamlens_iac::{discover, Binding, Code, Context, Deployment, DiscoverOptions, Function, Part, Pattern, Resource};
use std::path::{Component, Path, PathBuf};

/// `tests/fixtures/iac/<name>`, absolute and normalised.
pub fn fixture(name: &str) -> PathBuf {
    normalise(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/iac").join(name))
}

pub fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

pub fn read(name: &str, context: Context) -> Deployment {
    discover(&fixture(name), &DiscoverOptions { explicit: vec![], context })
}

/// The fixture read from a copy without its `samconfig.toml`: what the
/// templates say when nobody says how they are deployed.
pub fn read_without_samconfig(name: &str, context: Context, copy: &str) -> Deployment {
    let to = std::env::temp_dir().join(format!("iamlens-iac-{}-{copy}", std::process::id()));
    let _ = std::fs::remove_dir_all(&to);
    copy_tree(&fixture(name), &to);
    let _ = std::fs::remove_file(to.join("samconfig.toml"));
    let d = discover(&to, &DiscoverOptions { explicit: vec![], context });
    let _ = std::fs::remove_dir_all(&to);
    d
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("read the fixture").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a fixture file");
        }
    }
}

/// A pattern as text: `*` for each unknown part, `\*` for a literal star.
pub fn show(p: &Pattern) -> String {
    p.0.iter()
        .map(|part| match part {
            Part::Literal(s) => s.replace('*', "\\*"),
            Part::Unknown => "*".to_string(),
        })
        .collect()
}

pub fn function<'d>(d: &'d Deployment, id: &str) -> &'d Function {
    d.functions.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("no function {id}: {:?}", d.functions.iter().map(|f| &f.id).collect::<Vec<_>>()))
}

pub fn resource<'d>(d: &'d Deployment, id: &str) -> &'d Resource {
    d.resources.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no resource {id}"))
}

/// The environment as `NAME = pattern ← resource` lines, sorted by name.
pub fn environment(f: &Function) -> Vec<String> {
    f.environment.iter().map(|(name, b)| binding_line(name, b)).collect()
}

fn binding_line(name: &str, b: &Binding) -> String {
    match &b.resource {
        Some(r) => format!("{name} = {} ← {} ({})", show(&b.value), r.id, r.resource_type),
        None => format!("{name} = {}", show(&b.value)),
    }
}

/// A resource as `id: name | arn` (`-` when absent).
pub fn resource_line(r: &Resource) -> String {
    let opt = |p: &Option<Pattern>| p.as_ref().map(show).unwrap_or_else(|| "-".into());
    format!("{} {}: {} | {}", r.resource_type, r.id, opt(&r.name), opt(&r.arn))
}

pub fn dir(code: &Code) -> &Path {
    match code {
        Code::Directory { path } => path,
        other => panic!("not a directory: {other:?}"),
    }
}

/// Warnings as `file-name:line: message`.
pub fn warnings(d: &Deployment) -> Vec<String> {
    d.warnings.iter().map(|w| format!("{}:{}: {}", w.at.file.file_name().unwrap_or_default().to_string_lossy(), w.at.line, w.message)).collect()
}

pub fn dump(d: &Deployment) {
    for f in &d.functions {
        eprintln!(
            "FN {} {:?} line {} {:?} handler={:?} runtime={:?} role={:?}",
            f.id, f.framework, f.declared_at.line, f.code, f.handler, f.runtime, f.role
        );
        for l in environment(f) {
            eprintln!("   {l}");
        }
    }
    for r in &d.resources {
        eprintln!("RES line {} {}", r.declared_at.line, resource_line(r));
    }
    for w in warnings(d) {
        eprintln!("WARN {w}");
    }
}
