//! Synthesized CDK cloud assemblies (`cdk.out`): `manifest.json` names the
//! stacks and their CloudFormation templates, read by the CloudFormation
//! reader with the stack's real name and environment. A function's code is
//! the asset its metadata names (`aws:asset:path`), mapped back to the project
//! directory it was copied from when one matches file for file; bundled or
//! transpiled assets stay the asset directory. No CDK code is ever executed.

use crate::cfn::{self, normalise, Options};
use crate::model::{Code, Context, Deployment, Framework, IacWarning, Location};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Nested cloud assemblies (CDK stages) followed at most this deep.
const MAX_NESTING: usize = 4;
/// Files of an asset compared, and entries of the project walked, at most.
const MAX_ASSET_FILES: usize = 2_000;
const MAX_PROJECT_ENTRIES: usize = 50_000;
const SKIPPED: &[&str] = &["cdk.out", "node_modules", ".git", ".venv", "venv", "__pycache__", "target", ".aws-sam"];

/// A `cdk.out` cloud assembly directory.
pub fn read(dir: &Path, ctx: &Context) -> Deployment {
    let dir = normalise(dir);
    let project = dir.parent().map(Path::to_path_buf).unwrap_or_else(|| dir.clone());
    let assets = Assets { project, cache: RefCell::new(HashMap::new()) };
    read_assembly(&dir, ctx, &assets, 0)
}

fn warning(file: &Path, message: String) -> IacWarning {
    IacWarning { at: Location { file: file.to_path_buf(), line: 1 }, message }
}

fn read_assembly(dir: &Path, ctx: &Context, assets: &Assets, depth: usize) -> Deployment {
    let mut out = Deployment::default();
    let manifest_path = dir.join("manifest.json");
    let manifest: serde_json::Value = match std::fs::read_to_string(&manifest_path).map(|t| serde_json::from_str(&t)) {
        Ok(Ok(m)) => m,
        Ok(Err(e)) => {
            out.warnings.push(IacWarning {
                at: Location { file: manifest_path, line: e.line().max(1) },
                message: format!("the cloud assembly manifest is not valid JSON ({e}); nothing in it is read"),
            });
            return out;
        }
        Err(e) => {
            out.warnings.push(warning(&manifest_path, format!("cannot read the cloud assembly manifest: {e}")));
            return out;
        }
    };
    let Some(artifacts) = manifest.get("artifacts").and_then(|a| a.as_object()) else { return out };
    for (id, artifact) in artifacts {
        let properties = artifact.get("properties");
        let prop = |key: &str| properties.and_then(|p| p.get(key)).and_then(|v| v.as_str());
        match artifact.get("type").and_then(|t| t.as_str()) {
            Some("aws:cloudformation:stack") => {
                let Some(template) = prop("templateFile") else {
                    out.warnings.push(warning(&manifest_path, format!("stack {id} names no templateFile; it is not read")));
                    continue;
                };
                let display = artifact.get("displayName").and_then(|v| v.as_str()).filter(|d| !d.contains('/'));
                let stack_name = prop("stackName").or(display).unwrap_or(id).to_string();
                let (account, region) = environment(artifact.get("environment").and_then(|e| e.as_str()));
                let path = dir.join(template);
                let text = match std::fs::read_to_string(&path) {
                    Ok(t) => t,
                    Err(e) => {
                        out.warnings.push(warning(&path, format!("cannot read the template of stack {id}: {e}")));
                        continue;
                    }
                };
                let map = |asset: &str| assets.code(dir, asset);
                let options =
                    Options { framework: Some(Framework::Cdk), stack_name: Some(stack_name), region, account, asset_code: Some(&map), nested: false };
                out.extend(cfn::read_with(&path, &text, ctx, &options));
                let nested = Options { stack_name: None, nested: true, ..options };
                read_nested(dir, &text, ctx, &nested, &mut out, 0);
            }
            Some("cdk:cloud-assembly") => match prop("directoryName") {
                Some(nested) if depth < MAX_NESTING => out.extend(read_assembly(&dir.join(nested), ctx, assets, depth + 1)),
                Some(_) => out.warnings.push(warning(&manifest_path, format!("nested assembly {id} is nested too deep; it is not read"))),
                None => {}
            },
            _ => {}
        }
    }
    out
}

/// Nested stacks (`AWS::CloudFormation::Stack` whose template is an asset of
/// the assembly): read with a generated stack name and unknown parameters.
fn read_nested(dir: &Path, parent: &str, ctx: &Context, options: &Options, out: &mut Deployment, depth: usize) {
    let Ok(template) = serde_json::from_str::<serde_json::Value>(parent) else { return };
    let Some(resources) = template.get("Resources").and_then(|r| r.as_object()) else { return };
    for resource in resources.values() {
        if resource.get("Type").and_then(|t| t.as_str()) != Some("AWS::CloudFormation::Stack") {
            continue;
        }
        let Some(asset) = resource.pointer("/Metadata/aws:asset:path").and_then(|p| p.as_str()) else { continue };
        let path = dir.join(asset);
        if depth >= MAX_NESTING {
            out.warnings.push(warning(&path, "nested stacks nested too deep; this one is not read".into()));
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                out.extend(cfn::read_with(&path, &text, ctx, options));
                read_nested(dir, &text, ctx, options, out, depth + 1);
            }
            Err(e) => out.warnings.push(warning(&path, format!("cannot read the nested stack template: {e}"))),
        }
    }
}

/// `aws://123456789012/eu-west-1` → (account, region), unknowns dropped.
fn environment(env: Option<&str>) -> (Option<String>, Option<String>) {
    let Some((account, region)) = env.and_then(|e| e.strip_prefix("aws://")).and_then(|e| e.split_once('/')) else {
        return (None, None);
    };
    let known = |s: &str| (!s.is_empty() && !s.starts_with("unknown-")).then(|| s.to_string());
    (known(account), known(region))
}

/// Maps assets back to project directories, once each.
struct Assets {
    project: PathBuf,
    cache: RefCell<HashMap<PathBuf, Code>>,
}

impl Assets {
    fn code(&self, assembly: &Path, asset: &str) -> Code {
        let path = normalise(&assembly.join(asset));
        if let Some(code) = self.cache.borrow().get(&path) {
            return code.clone();
        }
        let code = self.locate(&path, asset);
        self.cache.borrow_mut().insert(path, code.clone());
        code
    }

    fn locate(&self, asset_dir: &Path, asset: &str) -> Code {
        if asset_dir.is_file() {
            return Code::Unknown { reason: format!("a packaged asset ({asset})") };
        }
        if !asset_dir.is_dir() {
            return Code::Unknown { reason: format!("the asset {asset} is not in the cloud assembly") };
        }
        let mut files = Vec::new();
        if !list_files(asset_dir, Path::new(""), &mut files, 0) || files.is_empty() {
            return Code::Directory { path: asset_dir.to_path_buf() };
        }
        files.sort();
        match self.source_of(asset_dir, &files).or_else(|| self.bundled_from(asset_dir, &files)) {
            Some(dir) => Code::Directory { path: dir },
            None => Code::Directory { path: asset_dir.to_path_buf() },
        }
    }

    /// A bundle esbuild wrote (`NodejsFunction`): it names each module it
    /// inlines in a `// lambda/report/index.ts` comment, relative to the
    /// project, the entry module last. The entry's directory is the code.
    fn bundled_from(&self, asset_dir: &Path, files: &[PathBuf]) -> Option<PathBuf> {
        const SOURCES: &[&str] = &["ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs"];
        let mut entry: Option<PathBuf> = None;
        for file in files.iter().filter(|f| f.extension().is_some_and(|e| matches!(e.to_str(), Some("js" | "mjs" | "cjs")))) {
            let Ok(text) = std::fs::read_to_string(asset_dir.join(file)) else { continue };
            for line in text.lines() {
                let Some(named) = line.strip_prefix("// ").map(str::trim) else { continue };
                let path = Path::new(named);
                let is_source = path.extension().and_then(|e| e.to_str()).is_some_and(|e| SOURCES.contains(&e));
                if !is_source || named.contains("node_modules") || named.contains(' ') || path.is_absolute() {
                    continue;
                }
                let candidate = normalise(&self.project.join(path));
                if candidate.starts_with(&self.project) && candidate.is_file() {
                    entry = Some(candidate);
                }
            }
        }
        entry.and_then(|e| e.parent().map(Path::to_path_buf))
    }

    /// The project directory holding every file of the asset, same relative
    /// path, same contents; the first in path order when several do.
    fn source_of(&self, asset_dir: &Path, files: &[PathBuf]) -> Option<PathBuf> {
        let anchor = &files[0];
        let anchor_bytes = std::fs::read(asset_dir.join(anchor)).ok()?;
        let name = anchor.file_name()?;
        let mut found = Vec::new();
        let mut budget = MAX_PROJECT_ENTRIES;
        find_named(&self.project, name, &mut found, &mut budget, 0);
        found.sort();
        for candidate in found {
            // The candidate directory is the file's path less the anchor's relative path.
            if !candidate.ends_with(anchor) {
                continue;
            }
            let mut dir = candidate.clone();
            for _ in anchor.components() {
                dir.pop();
            }
            if std::fs::read(&candidate).ok().as_deref() != Some(anchor_bytes.as_slice()) {
                continue;
            }
            let same = files.iter().all(|f| {
                let (a, b) = (std::fs::read(asset_dir.join(f)), std::fs::read(dir.join(f)));
                matches!((a, b), (Ok(a), Ok(b)) if a == b)
            });
            if same {
                return Some(dir);
            }
        }
        None
    }
}

/// Relative paths of the files under `dir`; `false` when there are too many.
fn list_files(root: &Path, rel: &Path, out: &mut Vec<PathBuf>, depth: usize) -> bool {
    if depth > 32 {
        return false;
    }
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else { return true };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        let rel = rel.join(entry.file_name());
        if kind.is_dir() {
            if !list_files(root, &rel, out, depth + 1) {
                return false;
            }
        } else if kind.is_file() {
            out.push(rel);
            if out.len() > MAX_ASSET_FILES {
                return false;
            }
        }
    }
    true
}

/// Files named `name` in the project, skipping build output and dependencies.
fn find_named(dir: &Path, name: &std::ffi::OsStr, out: &mut Vec<PathBuf>, budget: &mut usize, depth: usize) {
    if depth > 32 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let Ok(kind) = entry.file_type() else { continue };
        let file_name = entry.file_name();
        if kind.is_dir() {
            if !SKIPPED.contains(&file_name.to_string_lossy().as_ref()) {
                find_named(&entry.path(), name, out, budget, depth + 1);
            }
        } else if kind.is_file() && file_name == name {
            out.push(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments() {
        assert_eq!(environment(Some("aws://123456789012/eu-west-1")), (Some("123456789012".into()), Some("eu-west-1".into())));
        assert_eq!(environment(Some("aws://unknown-account/unknown-region")), (None, None));
        assert_eq!(environment(None), (None, None));
    }
}
