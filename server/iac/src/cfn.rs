//! AWS SAM and CloudFormation templates (YAML or JSON): functions, their
//! code, handler, runtime, role and environment, and the physical names and
//! ARNs of the declared resources.

use crate::intrinsics::{Decl, Eval, Origins, Template, Val};
use crate::model::{
    Binding, Code, Context, Deployment, Framework, Function, IacWarning, Location, Pattern, Resource, ResourceRef, SamEvent, SamResource,
};
use crate::names::{type_info, Env};
use crate::yaml::{self, Node, Value};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// A SAM or CloudFormation template.
pub fn read(path: &Path, text: &str, ctx: &Context) -> Deployment {
    read_with(path, text, ctx, &Options::default())
}

/// How a caller (the CDK and Serverless readers) adjusts the reading.
#[derive(Default)]
pub(crate) struct Options<'a> {
    /// The framework to report instead of SAM / CloudFormation.
    pub framework: Option<Framework>,
    /// The stack name when the caller knows it (overrides the context's).
    pub stack_name: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
    /// CDK: the code of a function whose metadata names an asset path.
    pub asset_code: Option<&'a dyn Fn(&str) -> Code>,
    /// A nested stack: its name is generated and its parameters are set by
    /// the parent (not their defaults, nor the person's overrides).
    pub nested: bool,
}

pub(crate) fn read_with(path: &Path, text: &str, ctx: &Context, options: &Options) -> Deployment {
    let mut out = Deployment { templates: vec![path.to_path_buf()], ..Deployment::default() };
    let (mut root, error) = yaml::parse_partial(text);
    // A section other than Resources that the error cuts short is dropped
    // whole (a parameter's Default without its Type could mislead).
    let cut_section = error.as_ref().and_then(|e| {
        let section = root.entries().iter().rev().find(|s| s.line <= e.line)?;
        (section.key != "Resources").then(|| section.key.clone())
    });
    if let (Some(section), Value::Map(entries)) = (&cut_section, &mut root.value) {
        entries.retain(|e| &e.key != section);
    }
    let (mut template, mut warnings) = template_with(path, &root, ctx, !options.nested);
    if let Some(e) = error {
        // What precedes the error is read, but for the resource the error is in.
        let incomplete = if cut_section.is_none() { incomplete_resource(&root, &template, e.line) } else { None };
        let what = match (&incomplete, &cut_section) {
            (Some(id), _) => format!("{id} and what follows it are not read"),
            (None, Some(section)) => format!("{section} and what follows it are not read"),
            (None, None) => "what follows is not read".to_string(),
        };
        if let Some(id) = incomplete {
            template = template.without(&id);
        }
        warnings.push(IacWarning {
            at: Location { file: path.to_path_buf(), line: e.line },
            message: format!("the template is not valid YAML or JSON ({}); {what}", e.message),
        });
    }
    let sam = root.get("Transform").is_some_and(|t| mentions(t, "AWS::Serverless"));
    if sam {
        template.implicit = sam_implicit(&template);
    }
    let env = env(ctx, options);
    let mut eval = Eval::new(&template, env);
    let framework = options.framework.unwrap_or(if sam { Framework::Sam } else { Framework::CloudFormation });
    if let Some(transform) = root.entry("Transform") {
        // SAM and the language extensions (Fn::ForEach, Fn::FindInMap defaults) are applied here.
        let applied = |t: &String| t.starts_with("AWS::Serverless") || t == "AWS::LanguageExtensions";
        let others: Vec<String> = transform_names(&transform.value.value).into_iter().filter(|t| !applied(t)).collect();
        if !others.is_empty() {
            warnings.push(IacWarning {
                at: Location { file: path.to_path_buf(), line: transform.line },
                message: format!("Transform {} is not applied; what it would generate or rewrite is not read", others.join(", ")),
            });
        }
    }
    let globals = root.path(&["Globals", "Function"]);
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    out.functions = functions(&mut eval, framework, globals, &dir, options);
    out.resources = resources(&mut eval);
    // What reading the policies finds amiss is said by `check`, per function; the
    // other commands' warnings stay about what they read.
    let before = eval.warnings.len();
    out.declared = crate::policies::cfn(&mut eval, &out.functions, sam);
    eval.warnings.truncate(before);
    if sam {
        out.sam = sam_resources(&mut eval);
    }
    warnings.append(&mut eval.warnings);
    warnings.sort_by_key(|w| w.at.line);
    out.warnings.extend(warnings);
    out
}

/// The resource being declared where a parse error stopped the reading:
/// the last one before the error when the error is inside `Resources`.
fn incomplete_resource(root: &Node, template: &Template, error_line: usize) -> Option<String> {
    let sections = root.entries();
    let at = sections.iter().position(|e| e.key == "Resources")?;
    let resources = &sections[at];
    let inside = resources.line <= error_line && sections.get(at + 1).is_none_or(|next| next.line > error_line);
    if !inside {
        return None;
    }
    resources.value.entries().iter().rev().find(|e| e.line <= error_line).map(|e| e.key.clone()).filter(|id| template.resource(id).is_some())
}

/// What SAM generates: the implicit APIs, and per function its role
/// (`<Id>Role`) and, with `AutoPublishAlias`, `<Id>Alias<Name>` / `<Id>Version<hash>`.
fn sam_implicit(template: &Template) -> std::collections::HashSet<String> {
    let mut ids: std::collections::HashSet<String> =
        ["ServerlessRestApi", "ServerlessHttpApi", "ServerlessRestApiProdStage", "ServerlessRestApiDeployment"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    for decl in &template.resources {
        if decl.resource_type == "AWS::Serverless::Function" || decl.resource_type == "AWS::Serverless::StateMachine" {
            ids.insert(format!("{}Role", decl.id));
        }
    }
    ids
}

pub(crate) fn env(ctx: &Context, options: &Options) -> Env {
    Env {
        stack_name: if options.nested { None } else { options.stack_name.clone().or_else(|| ctx.stack_name.clone()) },
        // A CDK stack's own environment is more precise than the person's default.
        region: options.region.clone().or_else(|| ctx.region.clone()),
        account: options.account.clone().or_else(|| ctx.account.clone()),
    }
}

fn transform_names(value: &Value) -> Vec<String> {
    match value {
        Value::Str(s) => vec![s.clone()],
        Value::Seq(items) => items.iter().flat_map(|i| transform_names(&i.value)).collect(),
        Value::Map(_) => vec!["(a macro with parameters)".into()],
        _ => vec![],
    }
}

/// The macro a `Fn::Transform` runs (`AWS::Include`).
fn macro_name(arg: &Node) -> &str {
    arg.get("Name").and_then(Node::as_str).unwrap_or("a macro")
}

fn mentions(node: &Node, needle: &str) -> bool {
    transform_names(&node.value).iter().any(|t| t.starts_with(needle))
}

/// Parameters, mappings and resources of a parsed template.
pub(crate) fn template(path: &Path, root: &Node, ctx: &Context) -> (Template, Vec<IacWarning>) {
    template_with(path, root, ctx, true)
}

/// `defaults` false: every parameter is unknown (a nested stack's are set by its parent).
fn template_with(path: &Path, root: &Node, ctx: &Context, defaults: bool) -> (Template, Vec<IacWarning>) {
    let mut template = Template::new(path.to_path_buf());
    let mut warnings = Vec::new();
    for entry in root.get("Parameters").map(Node::entries).unwrap_or_default() {
        let ty = entry.value.get("Type").and_then(Node::as_str).unwrap_or("String");
        let value = match ctx.parameters.get(&entry.key).filter(|_| defaults) {
            Some(v) => Some(v.clone()),
            // An SSM parameter type's default is the parameter's name, not its value.
            None if ty.starts_with("AWS::SSM::Parameter::Value") => None,
            None if !defaults => None,
            None => entry.value.get("Default").and_then(Node::as_str).map(str::to_string),
        };
        let value = match value {
            None => Val::Unknown,
            Some(v) if ty.starts_with("List<") || ty == "CommaDelimitedList" => {
                Val::List(v.split(',').map(|s| Val::Str(Pattern::literal(s.trim()))).collect())
            }
            Some(v) => Val::Str(Pattern::literal(v)),
        };
        template.parameters.insert(entry.key.clone(), value);
    }
    template.mappings = root.get("Mappings").cloned();
    match root.entry("Resources") {
        None => {}
        Some(resources) if !resources.value.is_map() => warnings.push(IacWarning {
            at: Location { file: path.to_path_buf(), line: resources.line },
            message: "Resources is not a mapping; no resource is read".into(),
        }),
        Some(resources) => {
            // `Fn::ForEach` loops (AWS::LanguageExtensions) read parameters and mappings, which are in by now.
            let expanded = crate::foreach::has_loops(&resources.value).then(|| {
                let env = Env { stack_name: ctx.stack_name.clone(), region: ctx.region.clone(), account: ctx.account.clone() };
                crate::foreach::expand(&resources.value, &mut Eval::new(&template, env), &mut warnings)
            });
            for entry in expanded.as_ref().unwrap_or(&resources.value).entries() {
                if entry.key == "Fn::Transform" {
                    warnings.push(IacWarning {
                        at: Location { file: path.to_path_buf(), line: entry.line },
                        message: format!("Fn::Transform ({}) is not applied; the resources it would add are not read", macro_name(&entry.value)),
                    });
                    continue;
                }
                if let Some(transform) = entry.value.get("Properties").and_then(|p| p.entry("Fn::Transform")) {
                    warnings.push(IacWarning {
                        at: Location { file: path.to_path_buf(), line: transform.line },
                        message: format!(
                            "Fn::Transform ({}) is not applied; the properties it would give {} are not read",
                            macro_name(&transform.value),
                            entry.key
                        ),
                    });
                }
                let Some(ty) = entry.value.get("Type").and_then(Node::as_str) else {
                    warnings.push(IacWarning {
                        at: Location { file: path.to_path_buf(), line: entry.line },
                        message: format!("resource {} has no Type; it is not read", entry.key),
                    });
                    continue;
                };
                template.add(Decl {
                    id: entry.key.clone(),
                    resource_type: ty.to_string(),
                    line: entry.line,
                    properties: entry.value.get("Properties").cloned().unwrap_or(Node { line: entry.line, value: Value::Map(vec![]) }),
                    metadata: entry.value.get("Metadata").cloned(),
                });
            }
        }
    }
    (template, warnings)
}

fn is_function(resource_type: &str) -> bool {
    matches!(resource_type, "AWS::Serverless::Function" | "AWS::Lambda::Function")
}

/// Every declared resource but functions, with its name and ARN.
pub(crate) fn resources(eval: &mut Eval) -> Vec<Resource> {
    let template = eval.template;
    let mut out = Vec::new();
    for decl in &template.resources {
        if is_function(&decl.resource_type) || decl.resource_type == "AWS::CDK::Metadata" {
            continue;
        }
        let info = type_info(&decl.resource_type);
        let (name, arn) = match info {
            Some(info) => {
                let name = eval.physical_name(&decl.id);
                let arn = eval.arn(&decl.id);
                (info.name_property.map(|_| name), arn)
            }
            None => (None, None),
        };
        out.push(Resource {
            id: decl.id.clone(),
            resource_type: decl.resource_type.clone(),
            declared_at: Location { file: template.file.clone(), line: decl.line },
            name,
            arn,
        });
    }
    out
}

/// What SAM will generate for its own resource types: the explicit name,
/// the role property, the event sources (for the deploy policy).
fn sam_resources(eval: &mut Eval) -> Vec<SamResource> {
    let template = eval.template;
    let mut out = Vec::new();
    for decl in template.resources.iter().filter(|d| d.resource_type.starts_with("AWS::Serverless::")) {
        let name_property = match decl.resource_type.as_str() {
            "AWS::Serverless::Function" => "FunctionName",
            "AWS::Serverless::SimpleTable" => "TableName",
            "AWS::Serverless::LayerVersion" => "LayerName",
            _ => "Name",
        };
        let name = decl.prop(name_property).and_then(|n| binding(eval, n)).map(|b| b.value);
        let role = decl.prop("Role").map(|n| role(eval, n));
        let events = decl
            .prop("Events")
            .map(|events| {
                events
                    .entries()
                    .iter()
                    .map(|e| SamEvent { id: e.key.clone(), event_type: e.value.get("Type").map(|t| text(eval, t)).unwrap_or_default() })
                    .collect()
            })
            .unwrap_or_default();
        out.push(SamResource {
            id: decl.id.clone(),
            resource_type: decl.resource_type.clone(),
            declared_at: Location { file: template.file.clone(), line: decl.line },
            name,
            role,
            events,
        });
    }
    out
}

fn functions(eval: &mut Eval, framework: Framework, globals: Option<&Node>, dir: &Path, options: &Options) -> Vec<Function> {
    let template = eval.template;
    let mut out = Vec::new();
    for decl in &template.resources {
        let sam = decl.resource_type == "AWS::Serverless::Function";
        if !is_function(&decl.resource_type) {
            continue;
        }
        let globals = if sam { globals } else { None };
        let prop = |key: &str| decl.prop(key).or_else(|| globals.and_then(|g| g.get(key)));
        let code = if sam { sam_code(eval, decl, &prop, dir) } else { lambda_code(eval, decl, dir, options) };
        let handler = prop("Handler").map(|n| text(eval, n));
        let runtime = prop("Runtime").map(|n| text(eval, n));
        let role = decl.prop("Role").map(|n| role(eval, n));
        let mut environment = BTreeMap::new();
        let mut layers = Vec::new();
        for environment in [globals.and_then(|g| g.get("Environment")), decl.prop("Environment")].into_iter().flatten() {
            match environment.get("Variables") {
                Some(variables) => layers.push(variables),
                None if environment.is_null() => {}
                None => eval.warn(
                    environment.line,
                    format!("{}'s Environment is not a plain mapping with Variables; its environment falls back to the code's own values", decl.id),
                ),
            }
        }
        for variables in layers {
            if !variables.is_plain_map() {
                let line = variables.line;
                eval.warn(
                    line,
                    format!("{}'s environment variables are not a plain mapping; its environment falls back to the code's own values", decl.id),
                );
                continue;
            }
            for entry in variables.entries() {
                eval.subject = Some(format!("{}'s environment variable {}", decl.id, entry.key));
                let binding = binding(eval, &entry.value);
                eval.subject = None;
                match binding {
                    Some(b) => {
                        environment.insert(entry.key.clone(), b);
                    }
                    None => {
                        environment.remove(&entry.key);
                    }
                }
            }
        }
        out.push(Function {
            id: decl.id.clone(),
            framework,
            declared_at: Location { file: template.file.clone(), line: decl.line },
            code,
            handler,
            runtime,
            environment,
            role,
        });
    }
    out
}

/// The binding of one environment value; `None` for `AWS::NoValue`.
pub(crate) fn binding(eval: &mut Eval, node: &Node) -> Option<Binding> {
    let mut origins = Origins::new();
    let value = match eval.eval(node, &mut origins) {
        Val::NoValue => return None,
        v => v.pattern(),
    };
    let resource = (origins.len() == 1)
        .then(|| origins.into_iter().next())
        .flatten()
        .and_then(|id| eval.template.resource(&id).map(|d| ResourceRef { id, resource_type: d.resource_type.clone() }));
    Some(Binding { value, resource })
}

/// A string property as the template spells it (`*` for unknown parts).
fn text(eval: &mut Eval, node: &Node) -> String {
    eval.eval(node, &mut Origins::new()).pattern().display()
}

/// `!GetAtt Role.Arn` / `!Ref Role` → `Role`; otherwise the ARN pattern.
pub(crate) fn role(eval: &mut Eval, node: &Node) -> String {
    let mut origins = Origins::new();
    let value = eval.eval(node, &mut origins).pattern();
    if let Some(entry) = node.entries().first().filter(|_| node.entries().len() == 1) {
        if (entry.key == "Ref" || entry.key == "Fn::GetAtt") && origins.len() == 1 {
            return origins.into_iter().next().unwrap_or_default();
        }
    }
    value.display()
}

fn sam_code<'n>(eval: &mut Eval, decl: &'n Decl, prop: &dyn Fn(&str) -> Option<&'n Node>, dir: &Path) -> Code {
    let image = prop("PackageType").and_then(Node::as_str) == Some("Image") || decl.prop("ImageUri").is_some();
    if image {
        return Code::Unknown { reason: "a container image".into() };
    }
    if let Some(inline) = decl.prop("InlineCode") {
        return Code::Inline { source: text(eval, inline) };
    }
    match prop("CodeUri") {
        None => Code::Directory { path: normalise(dir) },
        Some(node) if node.is_map() && node.get("Bucket").is_some() => Code::Unknown { reason: "code in an S3 object".into() },
        Some(node) => local_code(eval, node, dir),
    }
}

fn lambda_code(eval: &mut Eval, decl: &Decl, dir: &Path, options: &Options) -> Code {
    let asset = decl.metadata.as_ref().and_then(|m| {
        let property = m.get("aws:asset:property").and_then(Node::as_str);
        m.get("aws:asset:path").and_then(Node::as_str).filter(|_| property.is_none() || property == Some("Code"))
    });
    if let (Some(asset), Some(map)) = (asset, options.asset_code) {
        return map(asset);
    }
    if decl.prop("PackageType").and_then(Node::as_str) == Some("Image") {
        return Code::Unknown { reason: "a container image".into() };
    }
    let Some(code) = decl.prop("Code") else { return Code::Unknown { reason: "the function has no Code".into() } };
    if let Some(zip) = code.get("ZipFile") {
        return Code::Inline { source: text(eval, zip) };
    }
    if code.get("ImageUri").is_some() {
        return Code::Unknown { reason: "a container image".into() };
    }
    if code.get("S3Bucket").is_some() {
        return Code::Unknown { reason: "code in an S3 object".into() };
    }
    if code.is_map() {
        return Code::Unknown { reason: "a Code location iamlens does not read".into() };
    }
    local_code(eval, code, dir)
}

/// A local path (`CodeUri: src/`, packaged `Code: ./build`) → its directory.
fn local_code(eval: &mut Eval, node: &Node, dir: &Path) -> Code {
    let Some(rel) = eval.eval(node, &mut Origins::new()).pattern().as_exact() else {
        return Code::Unknown { reason: "the code location is not known from the template".into() };
    };
    if rel.starts_with("s3://") {
        return Code::Unknown { reason: "code in an S3 object".into() };
    }
    let path = normalise(&dir.join(&rel));
    if path.is_file() {
        return Code::Unknown { reason: format!("a packaged artifact ({rel})") };
    }
    Code::Directory { path }
}

/// Absolute, with `.` and `..` resolved lexically.
pub(crate) fn normalise(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
