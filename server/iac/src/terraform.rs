//! Terraform: the `.tf` / `.tf.json` / `.tfvars` files of a module, and
//! `terraform show -json` output of a plan or a state.
//!
//! # Configuration (`read_module`, `read_modules`)
//! Files are parsed with `hcl-edit`; a file with a syntax error is read
//! block by block, so only the broken top-level block is lost (with a
//! warning at the error's line). `.tf.json` files (Terraform's JSON syntax)
//! are translated block by block by `tf_json`. Variables take their
//! `default`, then `terraform.tfvars`, then `*.auto.tfvars` (lexical order),
//! then [`Context::parameters`] (`-var`), as Terraform does; other `.tfvars`
//! files are only read with `-var-file` and are ignored, and so are `TF_VAR_*`
//! variables of the analysing machine. Expressions are evaluated by
//! `hcl_eval` into [`Pattern`](crate::Pattern)s (never narrower than the
//! truth: what is not understood is unknown; conditionals and `try` /
//! `coalesce` join their alternatives); the per-type knowledge of names, ARNs
//! and URLs is the table in `tf_names`. The region is [`Context::region`], else
//! the `region` of the default `aws` provider; resources of an aliased provider
//! have no known region (nor partition). Relative paths are relative to the
//! root module's directory (Terraform's working directory); `path.module` is
//! the module's directory relative to it.
//!
//! Functions come from `aws_lambda_function` resources and from calls of the
//! registry module `terraform-aws-modules/lambda/aws` (whose
//! `lambda_function_name` / `lambda_function_arn` outputs are known); local
//! modules (`source = "./modules/fn"`) are read with the call's arguments as
//! their variables, their addresses prefixed by `module.<name>.`, and their
//! outputs bound in the caller. [`read_modules`] reads a module called by
//! another only through that call. Other modules are not read (a warning
//! names the call).
//!
//! Code: `filename = data.archive_file.x.output_path` (or the `archive_file`
//! resource, or a path equal to one archive's `output_path`) → the archive's
//! `source_dir` (or the directory of its `source_file`); a zip built outside
//! Terraform → [`Code::Unknown`], unless a directory with the zip's stem sits
//! beside it (`build/orders.zip` and `build/orders/`); S3 objects and images
//! → [`Code::Unknown`]. A directory that does not exist is not claimed.
//!
//! # Plans and states (`read_plan`)
//! Values there are resolved: strings are exact, and what Terraform learns
//! only at apply time (`after_unknown`) is [`Part::Unknown`]. Region and
//! account come from the plan's `aws_region` / `aws_caller_identity` data
//! sources, else the context, else the provider configuration.
//!
//! # Plan and configuration describing the same function
//! Both readers use the Terraform address as [`Function::id`] and
//! [`Resource::id`] (`aws_lambda_function.orders`,
//! `module.notify.aws_lambda_function.this[0]`, `aws_sqs_queue.jobs["a"]`;
//! `[*]` when the instances are not known), and both use
//! [`Framework::Terraform`]. When a plan and `.tf` files yield the same id, the
//! plan's names and environment are the more exact, except that a value known
//! only after apply is wholly unknown in the plan where the configuration may
//! know a pattern (`https://sqs.eu-west-1.amazonaws.com/*/shop-prod-jobs-*`);
//! and its code may be [`Code::Unknown`] where the configuration knows the
//! directory (a plan holds only the zip's path). A consumer should take the
//! plan's function and fall back to the configuration's code and, per
//! variable, to the configuration's binding where the plan's is only unknown.
//! Addresses are unique within one root module only: two roots
//! (`envs/prod`, `envs/staging`) may declare the same address, each with its
//! own environment; a plan belongs to the root module of its directory.

mod hcl_eval;
mod plan;
mod tf_json;
mod tf_names;
mod tf_policies;

pub use tf_names::partition_of;

use crate::model::{Binding, Code, Context, Deployment, Framework, Function, IacWarning, Location, Part, Resource};
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span;
use hcl_eval::{Instance, Iter, Scope, Value, MORE_KEYS};
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use tf_names::Env;

/// How deep local modules are followed.
const MAX_MODULE_DEPTH: usize = 6;

/// One Terraform module: the `.tf` and `.tfvars` files of one directory, read
/// as a root module.
pub fn read_module(dir: &Path, files: &[PathBuf], ctx: &Context) -> Deployment {
    let mut out = Deployment { templates: files.to_vec(), ..Deployment::default() };
    let parsed: Vec<ParsedFile> = files.iter().filter_map(|f| ParsedFile::read(f, &mut out.warnings)).collect();
    let reader = Reader { root: dir.to_path_buf(), ctx };
    reader.module(&parsed, ".", "", None, &mut out, 0);
    out
}

/// Every Terraform module of a tree: the modules another module calls by a
/// local path (`source = "./modules/fn"`) are read through that call, with its
/// arguments, not on their own.
pub fn read_modules(modules: &BTreeMap<PathBuf, Vec<PathBuf>>, ctx: &Context) -> Deployment {
    let mut called = std::collections::HashSet::new();
    for (dir, files) in modules {
        for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "tf")) {
            let Ok(text) = std::fs::read_to_string(file) else { continue };
            let parsed = ParsedFile::parse(file, &text, &mut Vec::new());
            for (body, _) in &parsed.bodies {
                for call in body.get_blocks("module") {
                    if let Some(source) = call.body.get_attribute("source").and_then(|a| a.value.as_str()) {
                        let child = normalize(&dir.join(source));
                        // A module calling itself is a Terraform error; it is still read as a root.
                        if is_local_source(source) && child != normalize(dir) {
                            called.insert(child);
                        }
                    }
                }
            }
        }
    }
    let mut out = Deployment::default();
    for (dir, files) in modules {
        if !called.contains(&normalize(dir)) {
            out.extend(read_module(dir, files, ctx));
        }
    }
    out
}

/// `terraform show -json` output of a plan or state.
pub fn read_plan(path: &Path, text: &str, ctx: &Context) -> Deployment {
    plan::read(path, text, ctx)
}

/// A parsed file: its top-level bodies (one, or one per block when the file
/// has a syntax error) with their byte offsets in the file.
struct ParsedFile {
    path: PathBuf,
    line_starts: Vec<usize>,
    bodies: Vec<(Body, usize)>,
    /// Written in JSON: every position inside a block is the block's line.
    json: bool,
}

impl ParsedFile {
    fn read(path: &Path, warnings: &mut Vec<IacWarning>) -> Option<ParsedFile> {
        match std::fs::read_to_string(path) {
            Ok(text) if path.to_string_lossy().ends_with(".json") => Some(ParsedFile::parse_json(path, &text, warnings)),
            Ok(text) => Some(ParsedFile::parse(path, &text, warnings)),
            Err(e) => {
                warnings.push(IacWarning { at: Location { file: path.to_path_buf(), line: 1 }, message: format!("cannot read the file: {e}") });
                None
            }
        }
    }

    /// A `.tf.json` file: lines are those of each block's key.
    fn parse_json(path: &Path, text: &str, warnings: &mut Vec<IacWarning>) -> ParsedFile {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        ParsedFile { path: path.to_path_buf(), line_starts, bodies: tf_json::parse(path, text, warnings), json: true }
    }

    fn parse(path: &Path, text: &str, warnings: &mut Vec<IacWarning>) -> ParsedFile {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let mut file = ParsedFile { path: path.to_path_buf(), line_starts, bodies: Vec::new(), json: false };
        match hcl_edit::parser::parse_body(text) {
            Ok(body) => file.bodies.push((body, 0)),
            Err(_) => {
                // Read each top-level block on its own: only the broken ones are lost.
                for (start, end) in top_level_chunks(text) {
                    let chunk = &text[start..end];
                    match hcl_edit::parser::parse_body(chunk) {
                        Ok(body) => file.bodies.push((body, start)),
                        Err(e) => {
                            let first = chunk.lines().next().unwrap_or("").trim().trim_end_matches('{').trim();
                            let at = file.line(start) + e.location().line().saturating_sub(1);
                            warnings.push(IacWarning {
                                at: Location { file: path.to_path_buf(), line: at },
                                message: format!("syntax error ({}): `{first}` (from line {}) is not read", e.message(), file.line(start)),
                            });
                        }
                    }
                }
            }
        }
        file
    }

    /// The 1-based line of a byte offset.
    fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).max(1)
    }

    fn is_tfvars(&self) -> bool {
        self.path.extension().is_some_and(|e| e == "tfvars")
    }

    /// Whether Terraform loads this `.tfvars` file without `-var-file`, and in which order.
    fn tfvars_rank(&self) -> Option<(u8, String)> {
        let name = self.path.file_name()?.to_string_lossy().into_owned();
        if name == "terraform.tfvars" {
            Some((0, name))
        } else if name.ends_with(".auto.tfvars") {
            Some((1, name))
        } else {
            None
        }
    }
}

/// Byte ranges of the top-level blocks: each starts at a line beginning with an identifier.
fn top_level_chunks(text: &str) -> Vec<(usize, usize)> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with(|c: char| c.is_ascii_alphabetic()) || starts.is_empty() && !line.trim().is_empty() {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts.iter().enumerate().map(|(i, &s)| (s, starts.get(i + 1).copied().unwrap_or(text.len()))).collect()
}

/// A block with the file it is in.
#[derive(Clone, Copy)]
struct Item<'a> {
    block: &'a Block,
    file: &'a ParsedFile,
    offset: usize,
}

impl Item<'_> {
    fn at(&self) -> Location {
        let start = if self.file.json { 0 } else { self.block.span().map(|s| s.start).unwrap_or(0) };
        Location { file: self.file.path.clone(), line: self.file.line(start + self.offset) }
    }
    fn attr_at(&self, name: &str) -> Location {
        match self.block.body.get_attribute(name).and_then(|a| a.span()) {
            Some(span) if !self.file.json => Location { file: self.file.path.clone(), line: self.file.line(span.start + self.offset) },
            _ => self.at(),
        }
    }
    fn label(&self, i: usize) -> &str {
        self.block.labels.get(i).map(|l| l.as_str()).unwrap_or("")
    }
}

struct Reader<'c> {
    /// The root module's directory: relative paths start there.
    root: PathBuf,
    ctx: &'c Context,
}

impl Reader<'_> {
    /// Read one module. `inputs` are a child module's arguments (None for the root).
    fn module(
        &self,
        files: &[ParsedFile],
        path_module: &str,
        prefix: &str,
        inputs: Option<(BTreeMap<String, Value>, Env)>,
        out: &mut Deployment,
        depth: usize,
    ) -> BTreeMap<String, Value> {
        let mut variables: Vec<Item> = Vec::new();
        let mut outputs: Vec<Item> = Vec::new();
        let mut locals: HashMap<String, &Expression> = HashMap::new();
        let mut resources: Vec<Item> = Vec::new();
        let mut data: Vec<Item> = Vec::new();
        let mut calls: Vec<Item> = Vec::new();
        let mut provider_region: Option<&Expression> = None;
        let mut tfvars: Vec<(&(u8, String), &Body)> = Vec::new();
        let ranks: Vec<Option<(u8, String)>> = files.iter().map(|f| f.tfvars_rank()).collect();
        for (file, rank) in files.iter().zip(&ranks) {
            if file.is_tfvars() {
                if let (Some(rank), None) = (rank, &inputs) {
                    tfvars.extend(file.bodies.iter().map(|(b, _)| (rank, b)));
                }
                continue;
            }
            for (body, offset) in &file.bodies {
                for block in body.blocks() {
                    let item = Item { block, file, offset: *offset };
                    match block.ident.as_str() {
                        "variable" => variables.push(item),
                        "output" if block.labels.len() == 1 => outputs.push(item),
                        "locals" => locals.extend(block.body.attributes().map(|a| (a.key.as_str().to_string(), &a.value))),
                        "resource" if block.labels.len() == 2 => resources.push(item),
                        "data" if block.labels.len() == 2 => data.push(item),
                        "module" if block.labels.len() == 1 => calls.push(item),
                        "provider" if item.label(0) == "aws" && !block.body.has_attribute("alias") => {
                            provider_region = block.body.get_attribute("region").map(|a| &a.value);
                        }
                        _ => {}
                    }
                }
            }
        }

        // Variables: default < terraform.tfvars < *.auto.tfvars < -var; a child module's inputs.
        let mut values: BTreeMap<String, Value> = BTreeMap::new();
        for v in &variables {
            let default = v.block.body.get_attribute("default").map(|a| Scope::constant(&a.value)).unwrap_or(Value::Unknown);
            values.insert(v.label(0).to_string(), default);
        }
        let child_env = match inputs {
            Some((inputs, env)) => {
                for (k, v) in inputs {
                    if values.contains_key(&k) {
                        values.insert(k, v);
                    }
                }
                Some(env)
            }
            None => {
                tfvars.sort_by(|a, b| a.0.cmp(b.0));
                for (_, body) in tfvars {
                    for a in body.attributes() {
                        values.insert(a.key.as_str().to_string(), Scope::constant(&a.value));
                    }
                }
                for (k, v) in &self.ctx.parameters {
                    // `-var` values are strings, converted by the variable's type.
                    let ty = variables
                        .iter()
                        .find(|d| d.label(0) == k)
                        .and_then(|d| d.block.body.get_attribute("type"))
                        .and_then(|t| traversal_path(&t.value));
                    let parsed = match (ty.as_deref(), v.as_str()) {
                        (Some(["bool"]), "true") => Some(Value::Bool(true)),
                        (Some(["bool"]), "false") => Some(Value::Bool(false)),
                        _ if v.starts_with(['{', '[']) => hcl_edit::parser::parse_expr(v).ok().map(|e| Scope::constant(&e)),
                        _ => None,
                    };
                    values.insert(k.clone(), parsed.unwrap_or_else(|| Value::literal(v.clone())));
                }
                None
            }
        };

        let mut scope = Scope::new(path_module.to_string(), prefix.to_string(), Env::new(None, None));
        scope.variables = values;
        scope.env = match child_env {
            Some(env) => env,
            None => {
                let region = self.ctx.region.clone().or_else(|| {
                    let mut probe = Scope::new(path_module.to_string(), prefix.to_string(), Env::new(None, None));
                    probe.variables = scope.variables.clone();
                    provider_region.and_then(|e| probe.eval(e, &Iter::default(), 0).exact())
                });
                Env::new(region.as_deref(), self.ctx.account.as_deref())
            }
        };
        scope.locals = locals;
        scope.resources = resources.iter().map(|r| ((r.label(0).to_string(), r.label(1).to_string()), r.block)).collect();
        scope.data = data.iter().map(|r| ((r.label(0).to_string(), r.label(1).to_string()), r.block)).collect();
        scope.lambda_modules = calls
            .iter()
            .filter(|c| !c.block.body.has_attribute("count") && !c.block.body.has_attribute("for_each"))
            .filter(|c| c.block.body.get_attribute("source").and_then(|a| a.value.as_str()).is_some_and(is_lambda_registry_module))
            .map(|c| (c.label(0).to_string(), c.block))
            .collect();

        // Local modules first: their outputs may name what the functions here use.
        for call in calls.iter().filter(|c| is_local_source(&call_source(&scope, c))) {
            if let Some(outputs) = self.module_call(&scope, call, out, depth) {
                scope.module_outputs.borrow_mut().insert(call.label(0).to_string(), Value::Map(outputs));
                scope.clear_cache();
            }
        }

        let first_function = out.functions.len();
        for item in &resources {
            let (ty, name) = (item.label(0), item.label(1));
            if !ty.starts_with("aws_") {
                continue;
            }
            for instance in scope.instances(item.block, 0) {
                let id = format!("{prefix}{ty}.{name}{}", instance.suffix);
                let args = |arg: &str| scope.arg(item.block, arg, &instance.iter, 0);
                let env = scope.env_of(item.block);
                out.resources.push(Resource {
                    id: id.clone(),
                    resource_type: ty.to_string(),
                    declared_at: item.at(),
                    name: tf_names::name(ty, &args, false),
                    arn: tf_names::arn(ty, &args, &env, false),
                });
                if ty == "aws_lambda_function" {
                    let f = self.lambda_function(&scope, item, &instance, id, out);
                    out.functions.push(f);
                }
            }
        }
        // Existing resources looked up by name: values may name them too.
        for item in data.iter().filter(|d| tf_names::type_info(d.label(0)).is_some()) {
            let (ty, name) = (item.label(0), item.label(1));
            for instance in scope.instances(item.block, 0) {
                let args = |arg: &str| scope.arg(item.block, arg, &instance.iter, 0);
                out.resources.push(Resource {
                    id: format!("{prefix}data.{ty}.{name}{}", instance.suffix),
                    resource_type: ty.to_string(),
                    declared_at: item.at(),
                    name: tf_names::name(ty, &args, true),
                    arn: tf_names::arn(ty, &args, &scope.env_of(item.block), true),
                });
            }
        }
        let declared = tf_policies::declared(&scope, &resources, &data, prefix, &out.functions[first_function..]);
        out.declared.extend(declared);
        for call in calls.iter().filter(|c| !is_local_source(&call_source(&scope, c))) {
            self.module_call(&scope, call, out, depth);
        }
        outputs.iter().map(|o| (o.label(0).to_string(), scope.arg(o.block, "value", &Iter::default(), 0).unwrap_or(Value::Unknown))).collect()
    }

    fn lambda_function(&self, scope: &Scope, item: &Item, instance: &Instance, id: String, out: &mut Deployment) -> Function {
        let it = &instance.iter;
        let block = item.block;
        let arg = |name: &str| scope.arg(block, name, it, 0);
        let mut environment = BTreeMap::new();
        for env in block.body.get_blocks("environment") {
            if let Some(vars) = env.body.get_attribute("variables") {
                let line = Item { block: env, ..*item }.attr_at("variables");
                let value = scope.eval(&vars.value, it, 0);
                self.bindings(value, &id, line, &mut environment, out);
            }
        }
        for dynamic in block.body.get_blocks("dynamic").filter(|d| d.labels.first().is_some_and(|l| l.as_str() == "environment")) {
            out.warnings.push(IacWarning {
                at: Item { block: dynamic, ..*item }.at(),
                message: format!("{id}: a `dynamic \"environment\"` block is not read: the environment variables are not known"),
            });
        }
        let code = self.code_of(scope, item, it);
        Function {
            id,
            framework: Framework::Terraform,
            declared_at: item.at(),
            code,
            handler: arg("handler").and_then(|v| v.exact()),
            runtime: arg("runtime").and_then(|v| v.exact()),
            environment,
            role: arg("role").and_then(|v| role_of(&v)),
        }
    }

    /// The bindings of an environment map, with a warning for what is not known.
    fn bindings(&self, value: Value, id: &str, at: Location, environment: &mut BTreeMap<String, Binding>, out: &mut Deployment) {
        match value {
            Value::Map(map) => {
                for (k, v) in map {
                    if k == MORE_KEYS {
                        out.warnings.push(IacWarning {
                            at: at.clone(),
                            message: format!(
                                "{id}: the environment merges a map that is not known; it may hold more variables, and may override the others"
                            ),
                        });
                        continue;
                    }
                    environment.insert(k, Binding { value: v.pattern(), resource: v.origin().cloned() });
                }
            }
            Value::Null => {}
            _ => out.warnings.push(IacWarning { at, message: format!("{id}: the environment variables are not known from the configuration") }),
        }
    }

    /// Where the code of an `aws_lambda_function` is.
    fn code_of(&self, scope: &Scope, item: &Item, it: &Iter) -> Code {
        let block = item.block;
        let arg = |name: &str| scope.arg(block, name, it, 0);
        if arg("package_type").and_then(|v| v.exact()).as_deref() == Some("Image") || block.body.has_attribute("image_uri") {
            return Code::Unknown { reason: "a container image".into() };
        }
        if block.body.has_attribute("s3_bucket") {
            return Code::Unknown { reason: "an S3 object (s3_bucket / s3_key)".into() };
        }
        let Some(filename) = block.body.get_attribute("filename") else {
            return Code::Unknown { reason: "no filename, s3_bucket or image_uri".into() };
        };
        // `data.archive_file.x.output_path`, perhaps through a local.
        let mut expr = &filename.value;
        for _ in 0..8 {
            match traversal_path(expr).as_deref() {
                Some(["local", name, ..]) => match scope.locals.get(*name) {
                    Some(e) => expr = e,
                    None => break,
                },
                _ => break,
            }
        }
        // The archive provider has both a data source and a resource `archive_file`.
        let key = |name: &str| ("archive_file".to_string(), name.to_string());
        match traversal_path(expr).as_deref() {
            Some(["data", "archive_file", name, ..]) => {
                return match scope.data.get(&key(name)) {
                    Some(archive) => self.archive_code(scope, archive, &format!("data.archive_file.{name}")),
                    None => Code::Unknown { reason: format!("data.archive_file.{name} is not declared") },
                };
            }
            Some(["archive_file", name, ..]) if scope.resources.contains_key(&key(name)) => {
                return self.archive_code(scope, scope.resources[&key(name)], &format!("archive_file.{name}"));
            }
            _ => {}
        }
        let Some(zip) = scope.eval(&filename.value, it, 0).exact() else {
            return Code::Unknown { reason: "the zip file's path is not known".into() };
        };
        // A path equal to the output of exactly one archive_file (both built from the same local, say).
        let zip_path = normalize(&self.root.join(&zip));
        let archives: Vec<(String, &Block)> = scope
            .data
            .iter()
            .map(|((ty, name), b)| (ty, format!("data.archive_file.{name}"), *b))
            .chain(scope.resources.iter().map(|((ty, name), b)| (ty, format!("archive_file.{name}"), *b)))
            .filter(|(ty, _, b)| ty.as_str() == "archive_file" && !b.body.has_attribute("count") && !b.body.has_attribute("for_each"))
            .filter(|(_, _, b)| {
                scope.arg(b, "output_path", &Iter::default(), 0).and_then(|v| v.exact()).is_some_and(|o| normalize(&self.root.join(o)) == zip_path)
            })
            .map(|(_, what, b)| (what, b))
            .collect();
        match archives.as_slice() {
            [(what, archive)] => self.archive_code(scope, archive, what),
            _ => self.zip_code(&zip),
        }
    }

    /// The code an `archive_file` packs; `name` is its address.
    fn archive_code(&self, scope: &Scope, archive: &Block, name: &str) -> Code {
        if archive.body.has_attribute("count") || archive.body.has_attribute("for_each") {
            return Code::Unknown { reason: format!("{name} has several instances") };
        }
        let it = Iter::default();
        if let Some(dir) = scope.arg(archive, "source_dir", &it, 0) {
            return match dir.exact() {
                Some(dir) => self.directory(&dir, &format!("{name}.source_dir")),
                None => Code::Unknown { reason: format!("{name}.source_dir is not known") },
            };
        }
        if let Some(file) = scope.arg(archive, "source_file", &it, 0) {
            return match file.exact() {
                Some(file) => {
                    let parent = Path::new(&file).parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
                    self.directory(if parent.is_empty() { "." } else { &parent }, &format!("{name}.source_file"))
                }
                None => Code::Unknown { reason: format!("{name}.source_file is not known") },
            };
        }
        Code::Unknown { reason: format!("{name} has no source_dir or source_file") }
    }

    /// A zip built outside Terraform: its source only when a directory of the same stem sits beside it.
    fn zip_code(&self, zip: &str) -> Code {
        let path = normalize(&self.root.join(zip));
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")) {
            let stem = path.with_extension("");
            if stem.is_dir() {
                return Code::Directory { path: stem };
            }
        }
        Code::Unknown { reason: format!("the zip file {zip} is built outside Terraform") }
    }

    fn directory(&self, dir: &str, what: &str) -> Code {
        let path = normalize(&self.root.join(dir));
        if path.is_dir() {
            Code::Directory { path }
        } else {
            Code::Unknown { reason: format!("{what} {} is not a directory of the project", path.display()) }
        }
    }

    /// Read a module call; the outputs of a local module called once.
    fn module_call(&self, scope: &Scope, call: &Item, out: &mut Deployment, depth: usize) -> Option<BTreeMap<String, Value>> {
        let (path_module, prefix) = (scope.path_module.as_str(), scope.prefix.as_str());
        let name = call.label(0);
        let source = call_source(scope, call);
        let mut outputs = None;
        for instance in scope.instances(call.block, 0) {
            let module_prefix = format!("{prefix}module.{name}{}.", instance.suffix);
            let inputs: BTreeMap<String, Value> = call
                .block
                .body
                .attributes()
                .filter(|a| !matches!(a.key.as_str(), "source" | "version" | "count" | "for_each" | "providers" | "depends_on"))
                .map(|a| (a.key.as_str().to_string(), scope.eval(&a.value, &instance.iter, 0)))
                .collect();
            if is_lambda_registry_module(&source) {
                if let Some(f) = self.registry_lambda(call, &inputs, &module_prefix, out) {
                    let env = scope.env_of(call.block);
                    let args = |arg: &str| inputs.get(arg).cloned();
                    out.resources.push(Resource {
                        id: f.id.clone(),
                        resource_type: "aws_lambda_function".into(),
                        declared_at: f.declared_at.clone(),
                        name: tf_names::name("aws_lambda_function", &args, false),
                        arn: tf_names::arn("aws_lambda_function", &args, &env, false),
                    });
                    out.functions.push(f);
                }
            } else if is_local_source(&source) {
                let child_module = normalize(&Path::new(path_module).join(&source));
                let child_dir = normalize(&self.root.join(&child_module));
                if depth >= MAX_MODULE_DEPTH {
                    out.warnings.push(IacWarning {
                        at: call.at(),
                        message: format!("module \"{name}\": modules nested deeper than {MAX_MODULE_DEPTH} are not read"),
                    });
                    return None;
                }
                let files = module_files(&child_dir);
                if files.is_empty() {
                    out.warnings.push(IacWarning {
                        at: call.attr_at("source"),
                        message: format!("module \"{name}\": no .tf files in {}", child_dir.display()),
                    });
                    return None;
                }
                let parsed: Vec<ParsedFile> = files.iter().filter_map(|f| ParsedFile::read(f, &mut out.warnings)).collect();
                for f in &files {
                    if !out.templates.contains(f) {
                        out.templates.push(f.clone());
                    }
                }
                let child_path = child_module.to_string_lossy().into_owned();
                let values = self.module(
                    &parsed,
                    if child_path.is_empty() { "." } else { &child_path },
                    &module_prefix,
                    Some((inputs, scope.env_of(call.block))),
                    out,
                    depth + 1,
                );
                outputs = instance.suffix.is_empty().then_some(values);
            } else {
                out.warnings.push(IacWarning {
                    at: call.at(),
                    message: format!("module \"{name}\" (source \"{source}\") is not read: functions it declares are not seen"),
                });
                return None;
            }
        }
        outputs
    }

    /// A call of `terraform-aws-modules/lambda/aws`.
    fn registry_lambda(&self, call: &Item, inputs: &BTreeMap<String, Value>, module_prefix: &str, out: &mut Deployment) -> Option<Function> {
        let input = |k: &str| inputs.get(k).cloned();
        let is_false = |k: &str| matches!(input(k), Some(Value::Bool(false))) || input(k).and_then(|v| v.exact()).as_deref() == Some("false");
        if is_false("create") || is_false("create_function") {
            return None;
        }
        let id = format!("{module_prefix}aws_lambda_function.this[0]");
        let mut environment = BTreeMap::new();
        if let Some(vars) = input("environment_variables") {
            self.bindings(vars, &id, call.attr_at("environment_variables"), &mut environment, out);
        }
        let role = if is_false("create_role") {
            input("lambda_role").and_then(|v| role_of(&v))
        } else {
            Some(format!("{module_prefix}aws_iam_role.lambda[0]"))
        };
        let code = if input("package_type").and_then(|v| v.exact()).as_deref() == Some("Image") || inputs.contains_key("image_uri") {
            Code::Unknown { reason: "a container image".into() }
        } else if inputs.contains_key("s3_existing_package") {
            Code::Unknown { reason: "an S3 object (s3_existing_package)".into() }
        } else if is_false("create_package") {
            match input("local_existing_package").and_then(|v| v.exact()) {
                Some(zip) => self.zip_code(&zip),
                None => Code::Unknown { reason: "local_existing_package is not known".into() },
            }
        } else {
            let path = match input("source_path") {
                Some(v @ Value::Str(..)) => v.exact(),
                Some(Value::List(items)) if items.len() == 1 => match &items[0] {
                    v @ Value::Str(..) => v.exact(),
                    Value::Map(m) => m.get("path").and_then(|v| v.exact()),
                    _ => None,
                },
                Some(Value::Map(m)) => m.get("path").and_then(|v| v.exact()),
                _ => None,
            };
            match path {
                Some(p) => {
                    let full = normalize(&self.root.join(&p));
                    if full.is_file() {
                        let parent = full.parent().map(|d| d.to_path_buf()).unwrap_or_default();
                        Code::Directory { path: parent }
                    } else {
                        self.directory(&p, "source_path")
                    }
                }
                None => Code::Unknown { reason: "source_path is not one known path".into() },
            }
        };
        Some(Function {
            id,
            framework: Framework::Terraform,
            declared_at: call.at(),
            code,
            handler: input("handler").and_then(|v| v.exact()),
            runtime: input("runtime").and_then(|v| v.exact()),
            environment,
            role,
        })
    }
}

fn call_source(scope: &Scope, call: &Item) -> String {
    scope.arg(call.block, "source", &Iter::default(), 0).and_then(|v| v.exact()).unwrap_or_default()
}

fn is_local_source(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../")
}

fn is_lambda_registry_module(source: &str) -> bool {
    let s = source.trim_start_matches("registry.terraform.io/").trim_start_matches("git::").trim_start_matches("https://");
    let s = s.split('?').next().unwrap_or(s).trim_end_matches(".git");
    s == "terraform-aws-modules/lambda/aws" || s == "github.com/terraform-aws-modules/terraform-aws-lambda"
}

/// The execution role: the role's address, or its ARN pattern.
fn role_of(v: &Value) -> Option<String> {
    if let Some(origin) = v.origin() {
        if origin.resource_type == "aws_iam_role" {
            return Some(origin.id.clone());
        }
    }
    let p = v.pattern();
    if p.0.iter().all(|p| matches!(p, Part::Unknown)) {
        None
    } else {
        Some(p.display())
    }
}

/// `data.archive_file.x.output_path` → `["data", "archive_file", "x", "output_path"]`.
fn traversal_path(e: &Expression) -> Option<Vec<&str>> {
    let e = match e {
        Expression::StringTemplate(t) => match t.iter().collect::<Vec<_>>().as_slice() {
            [hcl_edit::template::Element::Interpolation(i)] => &i.expr,
            _ => return None,
        },
        e => e,
    };
    let t = match e {
        Expression::Traversal(t) => t,
        Expression::Variable(v) => return Some(vec![v.as_str()]),
        _ => return None,
    };
    let Expression::Variable(root) = &t.expr else { return None };
    let mut out = vec![root.as_str()];
    for op in &t.operators {
        match op.value() {
            TraversalOperator::GetAttr(a) => out.push(a.as_str()),
            _ => break,
        }
    }
    Some(out)
}

/// `.tf` files of a directory, sorted.
fn module_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "tf")).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Pattern;

    /// One `main.tf` in a directory that does not exist (no code directory is claimed).
    fn read_text(text: &str, ctx: &Context) -> Deployment {
        let mut out = Deployment::default();
        let parsed = vec![ParsedFile::parse(Path::new("/nowhere/main.tf"), text, &mut out.warnings)];
        Reader { root: PathBuf::from("/nowhere"), ctx }.module(&parsed, ".", "", None, &mut out, 0);
        out
    }

    /// The environment of the one function, as displayed patterns.
    fn env_display(d: &Deployment) -> BTreeMap<String, String> {
        assert_eq!(d.functions.len(), 1, "{:?}", d.functions);
        d.functions[0].environment.iter().map(|(k, b)| (k.clone(), b.value.display())).collect()
    }

    fn function_with_env(prelude: &str, vars: &str) -> String {
        format!("{prelude}\nresource \"aws_lambda_function\" \"f\" {{\n  function_name = \"f\"\n  environment {{\n    variables = {{\n{vars}\n    }}\n  }}\n}}\n")
    }

    fn expect_env(prelude: &str, vars: &str, expected: &[(&str, &str)]) {
        let d = read_text(&function_with_env(prelude, vars), &Context::default());
        let got = env_display(&d);
        let want: BTreeMap<String, String> = expected.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn functions_on_known_and_partly_known_arguments() {
        let prelude = r#"
variable "a" { default = "Orders" }
variable "u" {}
locals {
  names = { orders = "o-table", users = "u-table" }
  parts = ["x", var.u]
}"#;
        expect_env(
            prelude,
            r#"
      FORMAT   = format("%s-%d-%%", var.a, 3)
      FORMAT_Q = format("%q", var.a)
      JOIN     = join("-", concat(["a"], local.parts))
      LOWER    = lower("${var.a}-${var.u}-X")
      UPPER    = upper(var.a)
      REPLACE  = replace(var.a, "rd", "RD")
      REGEX    = replace(var.a, "/r./", "")
      PARTIAL  = replace("${var.u}x", "x", "y")
      COALESCE = coalesce("", var.a)
      TRY      = try(local.names["users"], "none")
      LOOKUP   = lookup(local.names, "orders", "none")
      DEFAULT  = lookup(local.names, "carts", "none")
      TRIM     = trimprefix(trimsuffix(" pre-x-suf ", "suf "), " pre-")
      NUMBER   = 42
      BOOL     = true
      HEREDOC  = <<-EOT
        line-${var.a}
      EOT
      FOR      = join(",", [for s in ["a"] : s])
      JSONENC  = jsonencode({ a = 1 })"#,
            &[
                ("FORMAT", "Orders-3-%"),
                ("FORMAT_Q", "*"),
                ("JOIN", "a-x-*"),
                ("LOWER", "orders-*-x"),
                ("UPPER", "ORDERS"),
                ("REPLACE", "ORDers"),
                ("REGEX", "*"),
                ("PARTIAL", "*"),
                ("COALESCE", "Orders"),
                ("TRY", "u-table"),
                ("LOOKUP", "o-table"),
                ("DEFAULT", "none"),
                ("TRIM", "x-"),
                ("NUMBER", "42"),
                ("BOOL", "true"),
                ("HEREDOC", "line-Orders\n"),
                ("FOR", "*"),
                ("JSONENC", "*"),
            ],
        );
    }

    #[test]
    fn conditionals_cover_both_branches() {
        let prelude = r#"
variable "blue" {}
variable "env" { default = "prod" }"#;
        expect_env(
            prelude,
            r#"
      UNKNOWN_COND = var.blue ? "orders-blue" : "orders-green"
      SAME         = var.blue ? "same" : "same"
      OVERLAP      = var.blue ? "ab" : "abab"
      SUFFIX       = var.blue ? "blue.fifo" : "green.fifo"
      KNOWN        = var.env == "prod" ? "p" : "d"
      NOT          = !(var.env != "prod") ? "p" : "d"
      AND          = var.env == "prod" && var.blue ? "x" : "y"
      NULL_BRANCH  = var.blue ? null : "x"
      TRY_UNKNOWN  = try(var.blue.name, "default-name")"#,
            &[
                ("UNKNOWN_COND", "orders-*"),
                ("SAME", "same"),
                ("OVERLAP", "ab*"),
                ("SUFFIX", "*.fifo"),
                ("KNOWN", "p"),
                ("NOT", "p"),
                ("AND", "*"),
                ("NULL_BRANCH", "*"),
                ("TRY_UNKNOWN", "*"),
            ],
        );
    }

    #[test]
    fn var_values_follow_the_declared_type() {
        let prelude = r#"
variable "flag" { type = bool }
variable "text" { type = string }"#;
        let vars = r#"
      FLAG   = var.flag == true ? "on" : "off"
      TEXT   = var.text == true ? "on" : "off"
      STRING = var.text == "true" ? "on" : "off""#;
        let ctx =
            Context { parameters: [("flag".to_string(), "true".to_string()), ("text".to_string(), "true".to_string())].into(), ..Context::default() };
        let env = env_display(&read_text(&function_with_env(prelude, vars), &ctx));
        assert_eq!((env["FLAG"].as_str(), env["TEXT"].as_str(), env["STRING"].as_str()), ("on", "o*", "on"));
    }

    #[test]
    fn count_and_for_each_instances() {
        let text = r#"
variable "n" {}
variable "queues" { default = { fast = 10, slow = 300 } }
resource "aws_sqs_queue" "counted" {
  count = 2
  name  = "q-${count.index}"
}
resource "aws_sqs_queue" "unknown_count" {
  count = var.n
  name  = "u-${count.index}"
}
resource "aws_sqs_queue" "each" {
  for_each                   = var.queues
  name                       = "${each.key}-jobs"
  visibility_timeout_seconds = each.value
}
resource "aws_lambda_function" "f" {
  function_name = "f"
  environment {
    variables = {
      SECOND  = aws_sqs_queue.counted[1].name
      SLOW    = aws_sqs_queue.each["slow"].name
      ANY     = aws_sqs_queue.each[var.n].name
      ALL     = aws_sqs_queue.counted[*].name
      NOINDEX = aws_sqs_queue.counted.name
    }
  }
}"#;
        let d = read_text(text, &Context::default());
        let ids: Vec<&str> = d.resources.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "aws_sqs_queue.counted[0]",
                "aws_sqs_queue.counted[1]",
                "aws_sqs_queue.unknown_count[*]",
                "aws_sqs_queue.each[\"fast\"]",
                "aws_sqs_queue.each[\"slow\"]",
                "aws_lambda_function.f"
            ]
        );
        let names: Vec<String> = d.resources.iter().map(|r| r.name.as_ref().unwrap().display()).collect();
        assert_eq!(names, ["q-0", "q-1", "u-*", "fast-jobs", "slow-jobs", "f"]);
        let env = &d.functions[0].environment;
        assert_eq!(env["SECOND"].value.display(), "q-1");
        assert_eq!(env["SECOND"].resource.as_ref().unwrap().id, "aws_sqs_queue.counted[1]");
        assert_eq!(env["SLOW"].value.display(), "slow-jobs");
        assert_eq!(env["SLOW"].resource.as_ref().unwrap().id, "aws_sqs_queue.each[\"slow\"]");
        assert_eq!(env["ANY"].value.display(), "*-jobs");
        assert_eq!(env["ANY"].resource.as_ref().unwrap().id, "aws_sqs_queue.each");
        assert_eq!(env["ALL"].value, Pattern::unknown());
        assert_eq!(env["NOINDEX"].value, Pattern::unknown());
    }

    #[test]
    fn cycles_and_deep_chains_end() {
        let mut text = String::from("locals {\n  l0 = \"x\"\n");
        for i in 1..400 {
            text.push_str(&format!("  l{i} = \"${{local.l{}}}y\"\n", i - 1));
        }
        text.push_str("}\n");
        text.push_str(
            r#"
resource "aws_sqs_queue" "a" { name = aws_sqs_queue.b.name }
resource "aws_sqs_queue" "b" { name = "${aws_sqs_queue.a.name}-b" }
resource "aws_sqs_queue" "self" { name = aws_sqs_queue.self.url }
resource "aws_lambda_function" "f" {
  function_name = "f"
  environment {
    variables = {
      SHALLOW = local.l3
      DEEP    = local.l399
      CYCLE   = aws_sqs_queue.a.url
      SELF    = aws_sqs_queue.self.name
    }
  }
}"#,
        );
        let d = read_text(&text, &Context { region: Some("eu-west-1".into()), account: Some("1".into()), ..Context::default() });
        let env = env_display(&d);
        assert_eq!(env["SHALLOW"], "xyyy");
        assert!(env["DEEP"].starts_with('*') && env["DEEP"].ends_with("yyy"), "{}", env["DEEP"]);
        assert!(env["CYCLE"].starts_with("https://sqs.eu-west-1.amazonaws.com/1/"), "{}", env["CYCLE"]);
        assert!(env["SELF"].contains('*'), "{}", env["SELF"]);
    }

    #[test]
    fn doubling_values_stay_small() {
        let mut text = String::from("locals {\n  s0 = \"ab\"\n  l0 = [\"x\"]\n");
        for i in 1..48 {
            text.push_str(&format!("  s{i} = \"${{local.s{0}}}${{local.s{0}}}\"\n  l{i} = concat(local.l{0}, local.l{0})\n", i - 1));
        }
        text.push_str("}\n");
        text.push_str(&function_with_env("", "      S = local.s47\n      L = join(\",\", local.l47)\n      SMALL = local.s2"));
        let started = std::time::Instant::now();
        let env = env_display(&read_text(&text, &Context::default()));
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        assert_eq!((env["S"].as_str(), env["L"].as_str(), env["SMALL"].as_str()), ("*", "*", "abababab"));
    }

    #[test]
    fn provider_region_aliases_and_code_locations() {
        let text = r#"
provider "aws" { region = "cn-north-1" }
provider "aws" {
  alias  = "us"
  region = "us-east-1"
}
resource "aws_dynamodb_table" "home" { name = "home" }
resource "aws_dynamodb_table" "away" {
  provider = aws.us
  name     = "away"
}
resource "aws_sqs_queue" "beijing" { name = "q" }
resource "aws_dynamodb_table" "sydney" {
  region = "ap-southeast-2"
  name   = "sydney"
}
data "aws_region" "virginia" { name = "us-east-1" }
data "aws_region" "current" {}
resource "aws_lambda_function" "zip" {
  function_name = "zip"
  filename      = "${path.module}/build/zip.zip"
  role          = "arn:aws-cn:iam::1:role/${var.role}"
  environment {
    variables = {
      HOME_REGION  = data.aws_region.current.name
      OTHER_REGION = data.aws_region.virginia.name
      QUEUE        = aws_sqs_queue.beijing.url
    }
  }
}
variable "role" {}"#;
        let d = read_text(text, &Context::default());
        let arn = |id: &str| d.resources.iter().find(|r| r.id == id).unwrap().arn.as_ref().unwrap().display();
        assert_eq!(arn("aws_dynamodb_table.home"), "arn:aws-cn:dynamodb:cn-north-1:*:table/home");
        assert_eq!(arn("aws_dynamodb_table.away"), "arn:*:dynamodb:*:*:table/away");
        assert_eq!(arn("aws_dynamodb_table.sydney"), "arn:aws:dynamodb:ap-southeast-2:*:table/sydney");
        let env = env_display(&d);
        assert_eq!((env["HOME_REGION"].as_str(), env["OTHER_REGION"].as_str()), ("cn-north-1", "us-east-1"));
        assert_eq!(env["QUEUE"], "https://sqs.cn-north-1.amazonaws.com.cn/*/q");
        let f = &d.functions[0];
        assert_eq!(f.code, Code::Unknown { reason: "the zip file ./build/zip.zip is built outside Terraform".into() });
        assert_eq!(f.role.as_deref(), Some("arn:aws-cn:iam::1:role/*"));
    }

    #[test]
    fn registry_lambda_module_outputs_and_resource() {
        let text = r#"
provider "aws" { region = "eu-central-1" }
module "mailer" {
  source        = "terraform-aws-modules/lambda/aws"
  version       = "7.2.1"
  function_name = "mailer"
  handler       = "app.handler"
  runtime       = "python3.12"
  create_role   = false
  lambda_role   = "arn:aws:iam::1:role/mailer"
  source_path   = [{ path = "src/mailer", pip_requirements = true }]
}
module "image" {
  source        = "git::https://github.com/terraform-aws-modules/terraform-aws-lambda.git?ref=v7.2.1"
  function_name = "image"
  package_type  = "Image"
  image_uri     = "1.dkr.ecr.eu-central-1.amazonaws.com/image:1"
  create_package = false
}
module "disabled" {
  source          = "terraform-aws-modules/lambda/aws"
  create_function = false
  function_name   = "disabled"
}
resource "aws_lambda_function" "caller" {
  function_name = "caller"
  environment {
    variables = {
      MAILER     = module.mailer.lambda_function_name
      MAILER_ARN = module.mailer.lambda_function_arn
      MAILER_URL = module.mailer.lambda_function_url
    }
  }
}"#;
        let d = read_text(text, &Context::default());
        let ids: Vec<&str> = d.functions.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["aws_lambda_function.caller", "module.mailer.aws_lambda_function.this[0]", "module.image.aws_lambda_function.this[0]"]);
        let mailer = &d.functions[1];
        assert_eq!(mailer.role.as_deref(), Some("arn:aws:iam::1:role/mailer"));
        assert_eq!(mailer.code, Code::Unknown { reason: "source_path /nowhere/src/mailer is not a directory of the project".into() });
        assert_eq!(d.functions[2].code, Code::Unknown { reason: "a container image".into() });
        let env = &d.functions[0].environment;
        assert_eq!(env["MAILER"].value.display(), "mailer");
        assert_eq!(env["MAILER"].resource.as_ref().map(|r| r.id.as_str()), Some("module.mailer.aws_lambda_function.this[0]"));
        assert_eq!(env["MAILER_ARN"].value.display(), "arn:aws:lambda:eu-central-1:*:function:mailer");
        assert_eq!(env["MAILER_URL"].value, Pattern::unknown());
        let r = d.resources.iter().find(|r| r.id == "module.mailer.aws_lambda_function.this[0]").unwrap();
        assert_eq!(r.arn.as_ref().map(|p| p.display()).as_deref(), Some("arn:aws:lambda:eu-central-1:*:function:mailer"));
    }

    #[test]
    fn archives_found_by_resource_and_by_equal_path() {
        let text = r#"
locals { zip = "${path.module}/build/app.zip" }
data "archive_file" "app" {
  type        = "zip"
  source_dir  = "${path.module}/app"
  output_path = local.zip
}
resource "archive_file" "other" {
  type        = "zip"
  source_file = "other/main.py"
  output_path = "build/other.zip"
}
resource "aws_lambda_function" "same_path" {
  function_name = "a"
  filename      = local.zip
}
resource "aws_lambda_function" "resource_archive" {
  function_name = "b"
  filename      = archive_file.other.output_path
}"#;
        let d = read_text(text, &Context::default());
        let reasons: Vec<String> = d
            .functions
            .iter()
            .map(|f| match &f.code {
                Code::Unknown { reason } => reason.clone(),
                c => panic!("{c:?}"),
            })
            .collect();
        assert_eq!(
            reasons,
            [
                "data.archive_file.app.source_dir /nowhere/app is not a directory of the project",
                "archive_file.other.source_file /nowhere/other is not a directory of the project"
            ]
        );
    }

    #[test]
    fn data_sources_by_name_are_resources() {
        let text = r#"
provider "aws" { region = "eu-west-1" }
data "aws_dynamodb_table" "legacy" { name = "legacy-orders" }
data "aws_secretsmanager_secret" "by_arn" { arn = "arn:aws:secretsmanager:eu-west-1:1:secret:x-AbCdEf" }
data "aws_iam_policy_document" "doc" {}
resource "aws_lambda_function" "f" {
  function_name = "f"
  environment {
    variables = {
      LEGACY = data.aws_dynamodb_table.legacy.name
      SECRET = data.aws_secretsmanager_secret.by_arn.arn
    }
  }
}"#;
        let d = read_text(text, &Context::default());
        let legacy = d.resources.iter().find(|r| r.id == "data.aws_dynamodb_table.legacy").unwrap();
        assert_eq!(legacy.name.as_ref().map(|p| p.display()).as_deref(), Some("legacy-orders"));
        assert_eq!(legacy.arn.as_ref().map(|p| p.display()).as_deref(), Some("arn:aws:dynamodb:eu-west-1:*:table/legacy-orders"));
        let secret = d.resources.iter().find(|r| r.id == "data.aws_secretsmanager_secret.by_arn").unwrap();
        assert_eq!(secret.arn.as_ref().map(|p| p.display()).as_deref(), Some("arn:aws:secretsmanager:eu-west-1:1:secret:x-AbCdEf"));
        assert!(!d.resources.iter().any(|r| r.id.contains("policy_document")));
        let env = &d.functions[0].environment;
        assert_eq!(env["LEGACY"].resource.as_ref().map(|r| r.id.as_str()), Some("data.aws_dynamodb_table.legacy"));
        assert_eq!(env["SECRET"].value.display(), "arn:aws:secretsmanager:eu-west-1:1:secret:x-AbCdEf");
    }

    #[test]
    fn garbage_never_panics() {
        let inputs = [
            "",
            "{{{{",
            "}}}}",
            "resource",
            "resource \"a\" \"b\" {",
            "resource \"aws_lambda_function\" \"f\" { environment { variables = { A = ${ } } }",
            "locals { a = [for x in y : x if ] }",
            "\u{0}\u{1}binary\u{ff}",
            "variable \"x\" { default = \"${\" }\nresource \"aws_s3_bucket\" \"b\" { bucket = var.x }",
            "resource \"aws_lambda_function\" \"f\" {\n  function_name = aws_lambda_function.f.arn\n  environment {\n    variables = aws_lambda_function.f.environment\n  }\n}",
        ];
        for input in inputs {
            let d = read_text(input, &Context::default());
            assert!(d.functions.len() <= 1, "{input}");
        }
        let d = read_text("resource \"aws_lambda_function\" \"f\" {\n  environment {\n    variables = var.nope\n  }\n}", &Context::default());
        assert_eq!(d.warnings.len(), 1);
        assert_eq!(d.warnings[0].at.line, 3);
        assert!(d.warnings[0].message.contains("not known"));
    }

    #[test]
    fn partitions_only_for_known_region_prefixes() {
        let cases = [
            ("eu-west-1", Some("aws")),
            ("cn-northwest-1", Some("aws-cn")),
            ("us-gov-west-1", Some("aws-us-gov")),
            ("us-iso-east-1", Some("aws-iso")),
            ("us-isob-east-1", Some("aws-iso-b")),
            ("eu-isoe-west-1", Some("aws-iso-e")),
            ("eusc-de-east-1", None),
            ("mars-north-1", None),
        ];
        for (region, partition) in cases {
            assert_eq!(partition_of(region), partition, "{region}");
        }
    }

    #[test]
    fn joins_are_the_narrowest_cover() {
        use hcl_eval::join_patterns;
        let p = |parts: &[Part]| Pattern(parts.to_vec());
        let l = |s: &str| Part::Literal(s.into());
        assert_eq!(join_patterns(&p(&[l("a-1-z")]), &p(&[l("a-22-z")])), p(&[l("a-"), Part::Unknown, l("-z")]));
        assert_eq!(join_patterns(&p(&[l("x")]), &p(&[l("x")])), p(&[l("x")]));
        assert_eq!(join_patterns(&p(&[l("ab")]), &p(&[l("abab")])), p(&[l("ab"), Part::Unknown]));
        assert_eq!(join_patterns(&p(&[l("a"), Part::Unknown]), &p(&[l("ab")])), p(&[l("a"), Part::Unknown]));
        assert_eq!(join_patterns(&p(&[l("q")]), &p(&[l("r")])), p(&[Part::Unknown]));
        assert_eq!(join_patterns(&p(&[l("é-x")]), &p(&[l("é-y")])), p(&[l("é-"), Part::Unknown]));
    }
}
