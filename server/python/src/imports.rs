//! Import statements → the names they bind, and whether a file imports an
//! AWS SDK at all. Syntax-level: below the analyzer, reading other modules
//! only through the project view.

use super::project_view::ProjectView;
use super::symbols::{SdkItem, Sym};
use super::syntax::FieldExt;
use super::syntax::{named_children, text};
use iamlens_engine::catalog::Catalog;
use tree_sitter::Node;

/// Root packages that make a file AWS code.
const SDK_ROOTS: &[&str] = &["boto3", "botocore", "aioboto3", "aiobotocore"];
/// Type-stub packages for boto3 clients (`mypy_boto3_s3`, `types_aiobotocore_s3`).
const STUB_PREFIXES: &[&str] = &["mypy_boto3_", "types_aiobotocore_", "types_aioboto3_", "types_boto3_"];

/// Whether importing `module` (dotted) marks the file as AWS code.
pub fn is_sdk_module(module: &str) -> bool {
    let root = module.split('.').next().unwrap_or("");
    SDK_ROOTS.contains(&root) || STUB_PREFIXES.iter().any(|p| root.starts_with(p))
}

/// The stub package's service part (`mypy_boto3_bedrock_runtime` → `bedrock_runtime`).
pub fn stub_service(module: &str) -> Option<&str> {
    let root = module.split('.').next().unwrap_or("");
    STUB_PREFIXES.iter().find_map(|p| root.strip_prefix(p)).filter(|s| !s.is_empty())
}

/// The SDK object a dotted SDK module name stands for.
pub fn sdk_module_sym(module: &str) -> Sym {
    match module {
        "boto3" | "aioboto3" => Sym::Sdk(SdkItem::Boto3Module),
        "boto3.session" | "aioboto3.session" => Sym::Sdk(SdkItem::SessionModule),
        "botocore" | "aiobotocore" => Sym::Sdk(SdkItem::BotocoreModule),
        "botocore.session" | "aiobotocore.session" => Sym::Sdk(SdkItem::BotocoreSessionModule),
        _ => Sym::Sdk(SdkItem::Inert),
    }
}

/// One name an import binds.
pub struct ImportBinding<'a> {
    pub name: &'a str,
    /// Dotted module the name comes from (`boto3`, `.clients`).
    pub module: String,
    /// The imported member (`from m import member`), `None` for `import m`.
    pub member: Option<&'a str>,
}

/// The names an `import` / `from ... import` statement binds.
pub fn bindings<'a>(stmt: Node, src: &'a str) -> Vec<ImportBinding<'a>> {
    let mut out = Vec::new();
    match stmt.kind() {
        "import_statement" => {
            for item in named_children(stmt) {
                match item.kind() {
                    "dotted_name" => {
                        let full = text(item, src);
                        let first = full.split('.').next().unwrap_or(full).trim();
                        out.push(ImportBinding { name: first, module: first.to_string(), member: None });
                    }
                    "aliased_import" => {
                        if let (Some(n), Some(a)) = (item.field("name"), item.field("alias")) {
                            out.push(ImportBinding { name: text(a, src), module: dotted(n, src), member: None });
                        }
                    }
                    _ => {}
                }
            }
        }
        "import_from_statement" => {
            let Some(module) = stmt.field("module_name") else { return out };
            let module_name = dotted(module, src);
            let mut cursor = stmt.walk();
            for item in stmt.children_by_field_name("name", &mut cursor) {
                match item.kind() {
                    "dotted_name" => {
                        let n = text(item, src);
                        out.push(ImportBinding { name: n, module: module_name.clone(), member: Some(n) });
                    }
                    "aliased_import" => {
                        if let (Some(n), Some(a)) = (item.field("name"), item.field("alias")) {
                            out.push(ImportBinding { name: text(a, src), module: module_name.clone(), member: Some(text(n, src)) });
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    out
}

/// Dotted name text without whitespace (`boto3 . session` is legal Python).
fn dotted(node: Node, src: &str) -> String {
    text(node, src).chars().filter(|c| !c.is_whitespace()).collect()
}

/// Whether an import statement names an AWS SDK module.
pub fn imports_sdk(stmt: Node, src: &str) -> bool {
    match stmt.kind() {
        "import_statement" => named_children(stmt).any(|item| {
            let n = if item.kind() == "aliased_import" { item.field("name") } else { Some(item) };
            n.is_some_and(|n| is_sdk_module(&dotted(n, src)))
        }),
        "import_from_statement" => stmt.field("module_name").is_some_and(|m| is_sdk_module(&dotted(m, src))),
        _ => false,
    }
}

/// Whether an import statement brings in something AWS from another module of
/// the project: a client, resource or factory (`from app.aws import s3`), or a
/// project module that exports one (`import app.aws`, `from app import aws`).
/// Constants alone (`from app.aws import TABLE`) do not make a file AWS code.
pub fn imports_project_aws(stmt: Node, src: &str, index: &dyn ProjectView, catalog: &dyn Catalog, importer: Option<&str>) -> bool {
    if index.is_empty() {
        return false;
    }
    let absolute = |module: &str| index.absolute_module(module, importer).unwrap_or_else(|| module.to_string());
    if stmt.kind() == "import_statement" {
        return named_children(stmt).any(|item| {
            let n = if item.kind() == "aliased_import" { item.field("name") } else { Some(item) };
            n.is_some_and(|n| index.exports_aws_under(&absolute(&dotted(n, src))))
        });
    }
    bindings(stmt, src).iter().any(|b| {
        let Some(member) = b.member else { return false };
        let module = absolute(&b.module);
        let b = ImportBinding { name: b.name, module, member: b.member };
        // Cheap first: nothing AWS at or below that module (or the submodule named).
        let submodule = format!("{}.{member}", b.module.trim_start_matches('.'));
        if !index.exports_aws_under(&b.module) && !index.exports_aws_under(&submodule) {
            return false;
        }
        if !index.has_module(&b.module) {
            // `from app import aws` where `app/__init__.py` is absent or empty.
            return index.exports_aws_under(&submodule);
        }
        match index.lookup(&b.module, member, catalog) {
            Some(Sym::Module(sub)) => index.exports_aws_under(&sub),
            Some(Sym::ExternalClass(attrs)) => attrs.iter().any(|(_, s)| matches!(s, Sym::Helper(_))),
            Some(sym) => sym.is_aws(),
            None => false,
        }
    })
}

/// Root modules of other clouds' and platforms' SDKs, whose clients share
/// method names with AWS operations (`list_buckets`, `get_cluster`,
/// `list_users`): a file importing one is taken to call those, not AWS, when a
/// call gives no argument to tell.
const OTHER_CLOUD_ROOTS: &[&str] = &[
    "google",          // google.cloud.*, google.auth
    "googleapiclient", // Google API discovery client
    "azure",           // azure-* SDKs
    "msrestazure",     // older Azure SDK runtime
    "msgraph",         // Microsoft Graph
    "oci",             // Oracle Cloud
    "kubernetes",      // Kubernetes client
    "aliyunsdkcore",   // Alibaba Cloud
    "oss2",            // Alibaba Cloud object storage
    "tencentcloud",    // Tencent Cloud
    "ibm_boto3",       // IBM Cloud Object Storage (a boto3 fork, not AWS)
    "openstack",       // OpenStack SDK
    "digitalocean",    // DigitalOcean
];

/// Whether the text imports another cloud's or platform's SDK (plain text
/// scan of import lines).
pub fn text_imports_other_cloud_sdk(src: &str) -> bool {
    src.lines().any(|line| {
        let l = line.trim_start();
        let rest = l.strip_prefix("import ").or_else(|| l.strip_prefix("from "));
        rest.is_some_and(|r| {
            let root = r.trim_start().split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("");
            OTHER_CLOUD_ROOTS.contains(&root)
        })
    })
}

/// Text fallback for files whose imports sit in a region that did not parse.
pub fn text_mentions_sdk_import(src: &str) -> bool {
    src.lines().any(|line| {
        let l = line.trim_start();
        (l.starts_with("import ") || l.starts_with("from "))
            && l.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| SDK_ROOTS.contains(&w) || STUB_PREFIXES.iter().any(|p| w.starts_with(p)))
    })
}
