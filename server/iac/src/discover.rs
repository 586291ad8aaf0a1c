//! Find the templates of a tree and hand each to its reader.
//!
//! Found automatically: CloudFormation / SAM templates (YAML or JSON with
//! `AWSTemplateFormatVersion`, a `Transform` naming `AWS::Serverless`, or
//! `Resources` typed `AWS::...`), `serverless.yml`, Terraform modules (every
//! directory holding `.tf` / `.tf.json` files) and `cdk.out` assemblies — the last even when
//! `.gitignore` lists them, as it usually does: they are build output the
//! person asked to be read by synthesizing.

use crate::model::{Code, Context, Deployment, Framework, Function, IacWarning, Location, Pattern};
use crate::{cdk, cfn, serverless, terraform};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How to look for templates.
#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// Templates or directories named by the person (`--iac PATH`); when
    /// non-empty, nothing else is searched.
    pub explicit: Vec<PathBuf>,
    pub context: Context,
}

/// Every template under `root` (or the explicit ones), read.
pub fn discover(root: &Path, options: &DiscoverOptions) -> Deployment {
    let mut found = Found::default();
    if options.explicit.is_empty() {
        found.walk(root);
    } else {
        for path in &options.explicit {
            let path = if path.is_absolute() { path.clone() } else { root.join(path) };
            if path.is_dir() {
                found.walk(&path);
            } else {
                found.file(&path, true);
            }
        }
    }
    found.read(&options.context)
}

#[derive(Default)]
struct Found {
    cfn: Vec<PathBuf>,
    serverless: Vec<PathBuf>,
    terraform_modules: BTreeMap<PathBuf, Vec<PathBuf>>,
    terraform_plans: Vec<PathBuf>,
    cdk_assemblies: Vec<PathBuf>,
    unreadable: Vec<IacWarning>,
}

const SKIPPED_DIRS: &[&str] = &["node_modules", ".git", ".aws-sam", ".terraform", ".serverless", "target", "__pycache__", ".venv", "venv"];

impl Found {
    fn walk(&mut self, root: &Path) {
        let walker =
            ignore::WalkBuilder::new(root).hidden(false).filter_entry(|e| !SKIPPED_DIRS.contains(&e.file_name().to_string_lossy().as_ref())).build();
        for entry in walker.flatten() {
            let path = entry.path();
            if entry.file_type().is_some_and(|t| t.is_file()) {
                self.file(path, false);
            }
        }
        // `cdk.out` is build output that `.gitignore` nearly always lists.
        for candidate in [root.join("cdk.out")] {
            if candidate.join("manifest.json").is_file() && !self.cdk_assemblies.contains(&candidate) {
                self.cdk_assemblies.push(candidate);
            }
        }
    }

    /// Classify one file; `named` when the person pointed at it, so an
    /// unrecognised file is worth a warning rather than silence.
    fn file(&mut self, path: &Path, named: bool) {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        // A CDK app (`cdk.json`) anywhere in the tree: its assembly, usually
        // `cdk.out` beside it (or `"output"`), which `.gitignore` hides from the walk.
        if name == "cdk.json" {
            let dir = path.parent().unwrap_or(Path::new("."));
            let output = std::fs::read_to_string(path)
                .ok()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .and_then(|v| v.get("output").and_then(|o| o.as_str()).map(str::to_string))
                .unwrap_or_else(|| "cdk.out".to_string());
            let assembly = dir.join(output);
            if assembly.join("manifest.json").is_file() && !self.cdk_assemblies.contains(&assembly) {
                self.cdk_assemblies.push(assembly);
            }
            return;
        }
        if path.components().any(|c| c.as_os_str() == "cdk.out") {
            if name == "manifest.json" {
                let dir = path.parent().unwrap_or(path).to_path_buf();
                if !self.cdk_assemblies.contains(&dir) {
                    self.cdk_assemblies.push(dir);
                }
            }
            return;
        }
        match ext.as_str() {
            "tf" | "tfvars" => {
                let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
                self.terraform_modules.entry(dir).or_default().push(path.to_path_buf());
            }
            "json" if name.ends_with(".tf.json") => {
                let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
                self.terraform_modules.entry(dir).or_default().push(path.to_path_buf());
            }
            "yaml" | "yml" | "json" | "template" => {
                if name.starts_with("serverless.") && ext != "json" {
                    self.serverless.push(path.to_path_buf());
                    return;
                }
                let Ok(text) = read_head(path) else { return };
                if ext == "json" && is_terraform_json(&text) {
                    self.terraform_plans.push(path.to_path_buf());
                } else if looks_like_cloudformation(&text) {
                    self.cfn.push(path.to_path_buf());
                } else if named {
                    self.unreadable.push(not_a_template(path));
                }
            }
            _ if named => {
                if path.is_dir() && path.join("manifest.json").is_file() {
                    self.cdk_assemblies.push(path.to_path_buf());
                } else {
                    self.unreadable.push(not_a_template(path));
                }
            }
            _ => {}
        }
    }

    fn read(self, ctx: &Context) -> Deployment {
        let mut out = Deployment { warnings: self.unreadable, ..Deployment::default() };
        for path in &self.cfn {
            // `sam deploy` reads the stack name and overrides from `samconfig.toml` beside the template.
            let ctx = match crate::samconfig::context_for(path.parent().unwrap_or(Path::new(".")), ctx) {
                Ok(with_config) => with_config,
                Err(warning) => {
                    out.warnings.push(warning);
                    ctx.clone()
                }
            };
            match std::fs::read_to_string(path) {
                Ok(text) => out.extend(cfn::read(path, &text, &ctx)),
                Err(e) => out.warnings.push(unreadable(path, &e)),
            }
        }
        for path in &self.serverless {
            match std::fs::read_to_string(path) {
                Ok(text) => out.extend(serverless::read(path, &text, ctx)),
                Err(e) => out.warnings.push(unreadable(path, &e)),
            }
        }
        for dir in &self.cdk_assemblies {
            out.extend(cdk::read(dir, ctx));
        }
        let mut configured = terraform::read_modules(&self.terraform_modules, ctx);
        for path in &self.terraform_plans {
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    let mut planned = terraform::read_plan(path, &text, ctx);
                    configured.functions = prefer_planned(&mut planned.functions, std::mem::take(&mut configured.functions));
                    out.extend(planned);
                }
                Err(e) => out.warnings.push(unreadable(path, &e)),
            }
        }
        out.extend(configured);
        out
    }
}

/// A plan's resolved values win over the configuration's for the same
/// address; the configuration still says what the plan leaves unknown (the
/// code directory of an archive built at apply time, a variable whose value
/// is only known after apply). Returns the configured functions the plan does
/// not describe; the planned ones are completed in place.
fn prefer_planned(planned: &mut [Function], configured: Vec<Function>) -> Vec<Function> {
    let mut rest = Vec::new();
    for config in configured {
        let same = |p: &&mut Function| p.id == config.id && p.framework == Framework::Terraform && config.framework == Framework::Terraform;
        let Some(plan) = planned.iter_mut().find(same) else {
            rest.push(config);
            continue;
        };
        if matches!(plan.code, Code::Unknown { .. }) && matches!(config.code, Code::Directory { .. }) {
            plan.code = config.code;
        }
        plan.handler = plan.handler.take().or(config.handler);
        plan.runtime = plan.runtime.take().or(config.runtime);
        plan.role = plan.role.take().or(config.role);
        for (name, binding) in config.environment {
            match plan.environment.get_mut(&name) {
                Some(known) if known.value == Pattern::unknown() => *known = binding,
                Some(known) if known.resource.is_none() => known.resource = binding.resource,
                Some(_) => {}
                None => {
                    plan.environment.insert(name, binding);
                }
            }
        }
    }
    rest
}

/// The first 64 KiB: enough to recognise a template without reading a large data file.
fn read_head(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::fs::File::open(path)?.take(64 * 1024).read_to_end(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn looks_like_cloudformation(head: &str) -> bool {
    head.contains("AWSTemplateFormatVersion")
        || head.contains("AWS::Serverless")
        || (head.contains("Resources") && (head.contains("Type: AWS::") || head.contains("\"Type\": \"AWS::") || head.contains("\"Type\":\"AWS::")))
}

/// `terraform show -json` output of a plan or a state.
fn is_terraform_json(head: &str) -> bool {
    head.contains("\"format_version\"")
        && (head.contains("\"terraform_version\"") || head.contains("\"planned_values\"") || head.contains("\"values\""))
}

fn not_a_template(path: &Path) -> IacWarning {
    IacWarning {
        at: Location { file: path.to_path_buf(), line: 1 },
        message: "not a template iamlens reads (CloudFormation/SAM YAML or JSON, serverless.yml, Terraform .tf/.tfvars or `terraform show -json` output, or a cdk.out directory)".into(),
    }
}

fn unreadable(path: &Path, e: &std::io::Error) -> IacWarning {
    IacWarning { at: Location { file: path.to_path_buf(), line: 1 }, message: format!("cannot read the template: {e}") }
}
