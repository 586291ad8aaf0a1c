//! What one file declares at package level, for the other files of its
//! package and of the project: constants and variables, struct and interface
//! types, and what functions and methods return.

use crate::bindings::specs;
use crate::eval::{Env, Eval, NoProject};
use crate::imports::Imports;
use crate::naming::{self, V1Method};
use crate::syntax::{named_children, text};
use crate::types::{own_pkg, resolve_type, Sym, Ty, TypeDef};
use iamlens_engine::model::Value;
use std::collections::HashMap;
use tree_sitter::Node;

/// The package-level facts of one file.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    /// Directory of the file relative to the project root (`""` at the root).
    pub dir: String,
    /// The package clause's name.
    pub package: String,
    /// A hash of the text, to recognise an indexed file by its content.
    pub hash: u64,
    pub imports_sdk: bool,
    pub values: HashMap<String, Sym>,
    pub types: HashMap<String, TypeDef>,
    /// Function → what it returns (first result; `Other` when nothing).
    pub funcs: HashMap<String, Ty>,
    /// `Type.Method` → what it returns.
    pub methods: HashMap<String, Ty>,
    /// Function → the operation input it builds and returns, when known.
    pub func_values: HashMap<String, Value>,
    /// `Type.field` → the literal region this file's code gives it (`None`: two different ones).
    pub field_regions: HashMap<String, Option<String>>,
}

impl FileFacts {
    /// The same declarations (whatever the text hash): what the file's
    /// functions see of its package level is the same.
    pub fn same_declarations(&self, other: &FileFacts) -> bool {
        self.dir == other.dir
            && self.package == other.package
            && self.imports_sdk == other.imports_sdk
            && self.values == other.values
            && self.types == other.types
            && self.funcs == other.funcs
            && self.methods == other.methods
            && self.func_values == other.func_values
            && self.field_regions == other.field_regions
    }
}

pub fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// The regions each function's composite literals give struct fields
/// (`&Jobs{q: sqs.NewFromConfig(cfg)}` after `config.WithRegion(...)`), by
/// the function's text. What a function gives depends only on its text, the
/// file's imports, directory, package and package-level values: while those are the
/// same, an unchanged function's regions are read from here, not walked again.
#[derive(Debug, Default)]
pub struct RegionCache {
    imports: String,
    dir: String,
    package: String,
    values: HashMap<String, Sym>,
    by_text: HashMap<String, Vec<(String, String, String)>>,
}

/// Read the package-level declarations of a parsed file.
pub fn extract(root: Node, src: &str, dir: &str) -> FileFacts {
    extract_reusing(root, src, dir, None).0
}

/// [`extract`], taking the regions of unchanged functions from `cache` (the
/// result is the same); returns the cache for the next extraction of the file.
pub fn extract_reusing(root: Node, src: &str, dir: &str, cache: Option<&RegionCache>) -> (FileFacts, RegionCache) {
    let imports = Imports::read(root, src);
    let pkg = own_pkg(dir);
    let mut facts = FileFacts { dir: dir.to_string(), hash: text_hash(src), imports_sdk: imports.uses_sdk, ..FileFacts::default() };
    let eval = Eval { src, imports: &imports, pkg: pkg.clone(), view: &NoProject, depth: Default::default() };
    // Constants and variables see the ones declared before them in the file.
    let mut env = Env::new();
    let mut functions_building_inputs = Vec::new();
    let mut functions = Vec::new();
    for decl in named_children(root) {
        match decl.kind() {
            "package_clause" => {
                facts.package = named_children(decl).first().map(|n| text(*n, src).to_string()).unwrap_or_default();
            }
            "const_declaration" | "var_declaration" => {
                for (name, sym) in specs(decl, &eval, &env) {
                    env.insert(name.clone(), sym.clone());
                    facts.values.insert(name, sym);
                }
            }
            "type_declaration" => {
                for spec in named_children(decl) {
                    if let (Some(name), Some(ty)) = (spec.child_by_field_name("name"), spec.child_by_field_name("type")) {
                        let def = type_def(ty, src, &imports, &pkg, spec.kind() == "type_alias");
                        facts.types.insert(text(name, src).to_string(), def);
                    }
                }
            }
            "function_declaration" => {
                functions.push(decl);
                if let Some(name) = decl.child_by_field_name("name") {
                    let result = result_ty(decl, src, &imports, &pkg);
                    if matches!(result, Ty::Input { .. }) {
                        functions_building_inputs.push((text(name, src).to_string(), decl));
                    }
                    facts.funcs.insert(text(name, src).to_string(), result);
                }
            }
            "method_declaration" => {
                functions.push(decl);
                if let (Some(name), Some(recv)) = (decl.child_by_field_name("name"), receiver_type(decl, src)) {
                    facts.methods.insert(format!("{recv}.{}", text(name, src)), result_ty(decl, src, &imports, &pkg));
                }
            }
            _ => {}
        }
    }
    // Constructors see every constant and variable of the file.
    let imports_text =
        named_children(root).into_iter().filter(|d| d.kind() == "import_declaration").map(|d| text(d, src)).collect::<Vec<_>>().join("\n");
    let cache = cache.filter(|c| c.imports == imports_text && c.dir == dir && c.package == facts.package && c.values == facts.values);
    let mut next = RegionCache {
        imports: imports_text,
        dir: dir.to_string(),
        package: facts.package.clone(),
        values: facts.values.clone(),
        by_text: HashMap::new(),
    };
    for decl in functions {
        let body = text(decl, src);
        let regions = match cache.and_then(|c| c.by_text.get(body)) {
            Some(regions) => regions.clone(),
            None => eval.field_regions(decl, &env),
        };
        next.by_text.insert(body.to_string(), regions.clone());
        for (ty, field, region) in regions {
            let slot = facts.field_regions.entry(format!("{ty}.{field}")).or_insert_with(|| Some(region.clone()));
            if slot.as_deref() != Some(region.as_str()) {
                *slot = None;
            }
        }
    }
    // Helpers that build an input see every constant of the file.
    for (name, decl) in functions_building_inputs {
        if let Some(value) = eval.returned_value(decl, &env) {
            facts.func_values.insert(name, value);
        }
    }
    (facts, next)
}

fn type_def(ty: Node, src: &str, imports: &Imports, pkg: &str, alias: bool) -> TypeDef {
    match ty.kind() {
        "struct_type" if !alias => {
            let mut fields = Vec::new();
            let mut stack = named_children(ty);
            while let Some(n) = stack.pop() {
                match n.kind() {
                    "field_declaration_list" => stack.extend(named_children(n)),
                    "field_declaration" => {
                        let Some(t) = n.child_by_field_name("type") else { continue };
                        let fty = resolve_type(t, src, imports, pkg);
                        let mut cursor = n.walk();
                        let names: Vec<String> = n.children_by_field_name("name", &mut cursor).map(|f| text(f, src).to_string()).collect();
                        if names.is_empty() {
                            let last = text(t, src).rsplit(['.', '*']).next().unwrap_or("").to_string();
                            fields.push((last, fty, true));
                        } else {
                            fields.extend(names.into_iter().map(|f| (f, fty.clone(), false)));
                        }
                    }
                    _ => {}
                }
            }
            TypeDef::Struct(fields)
        }
        "interface_type" => {
            let mut methods = Vec::new();
            for el in named_children(ty) {
                match el.kind() {
                    "method_elem" => {
                        if let Some((m, service, op)) = mirrored_method(el, src, imports, pkg) {
                            methods.push((m, service, op));
                        }
                    }
                    "type_elem" => {
                        // An embedded client interface (`s3iface.S3API`, `s3.ListObjectsV2APIClient`).
                        for t in named_children(el) {
                            if let client @ Ty::Client { .. } = resolve_type(t, src, imports, pkg) {
                                return TypeDef::Alias(client);
                            }
                        }
                    }
                    _ => {}
                }
            }
            TypeDef::Interface(methods)
        }
        _ => TypeDef::Alias(resolve_type(ty, src, imports, pkg)),
    }
}

/// An interface method that mirrors an SDK operation: its input parameter is
/// `*<pkg>.<Op>Input` and its name calls that operation (`GetObject`, or a v1
/// variant such as `GetObjectWithContext`).
fn mirrored_method(el: Node, src: &str, imports: &Imports, pkg: &str) -> Option<(String, String, String)> {
    let name = text(el.child_by_field_name("name")?, src).to_string();
    let params = el.child_by_field_name("parameters")?;
    for p in named_children(params) {
        let Some(t) = p.child_by_field_name("type") else { continue };
        if let Ty::Input { service, operation } = resolve_type(t, src, imports, pkg) {
            let calls = name == operation
                || naming::v1_method_readings(&name).iter().any(|r| matches!(r, V1Method::Operation(op) | V1Method::Pages(op) if *op == operation));
            return calls.then_some((name, service, operation));
        }
    }
    None
}

/// What a function or method returns: its first result's type.
pub fn result_ty(decl: Node, src: &str, imports: &Imports, pkg: &str) -> Ty {
    let Some(result) = decl.child_by_field_name("result") else { return Ty::Other };
    if result.kind() == "parameter_list" {
        let first = named_children(result).into_iter().find(|p| p.kind() == "parameter_declaration");
        return first.and_then(|p| p.child_by_field_name("type")).map_or(Ty::Unknown, |t| resolve_type(t, src, imports, pkg));
    }
    resolve_type(result, src, imports, pkg)
}

/// The receiver's type name of a method (`func (s *Store) Put()` → `Store`).
pub fn receiver_type(decl: Node, src: &str) -> Option<String> {
    let recv = decl.child_by_field_name("receiver")?;
    let param = named_children(recv).into_iter().find(|p| p.kind() == "parameter_declaration")?;
    let t = param.child_by_field_name("type")?;
    let mut t = t;
    loop {
        match t.kind() {
            "pointer_type" | "parenthesized_type" => t = *named_children(t).first()?,
            "generic_type" => t = t.child_by_field_name("type")?,
            "type_identifier" => return Some(text(t, src).to_string()),
            _ => return None,
        }
    }
}
