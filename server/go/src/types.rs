//! What static analysis knows of a Go value's type: an SDK client, paginator,
//! waiter, presign client or transfer manager, an operation input, a type of
//! the project, or something else; and how type expressions resolve.

use crate::imports::{Import, Imports};
use crate::naming;
use crate::syntax::{named_children, text};
use iamlens_engine::model::Value;
use tree_sitter::Node;

/// A package of the project: `dir:<dir>` for the file's own package (its
/// directory, relative to the project root), `imp:<import path>` for one it
/// imports (resolved to a directory by the index).
pub type PkgKey = String;

pub fn own_pkg(dir: &str) -> PkgKey {
    format!("dir:{dir}")
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// Nothing is known.
    Unknown,
    /// Known not to be an AWS client (`*bufio.Scanner`, a string, a call's output).
    Other,
    /// A type of a package outside the project and the standard library
    /// (`*minio.Client`): its calls count only when they pass an SDK input.
    Foreign,
    /// `aws.Config` from `config.LoadDefaultConfig`, or a v1 session, with its literal region.
    Config {
        region: Option<String>,
    },
    Client {
        service: String,
        v1: bool,
        region: Option<String>,
    },
    /// `s3.NewListObjectsV2Paginator(client, input)`.
    Paginator {
        service: String,
        operation: String,
        input: Value,
        region: Option<String>,
    },
    /// `dynamodb.NewTableExistsWaiter(client)`.
    Waiter {
        service: String,
        waiter: String,
        region: Option<String>,
    },
    /// `s3.NewPresignClient(client)`.
    Presign {
        service: String,
        region: Option<String>,
    },
    /// S3 transfer manager (`manager.NewUploader`, `s3manager.NewDownloader`).
    Uploader {
        region: Option<String>,
    },
    Downloader {
        region: Option<String>,
    },
    /// `*s3.GetObjectInput`.
    Input {
        service: String,
        operation: String,
    },
    /// A type declared in the project.
    Named {
        pkg: PkgKey,
        name: String,
    },
    /// What a function of the project returns (resolved when looked up).
    ResultOf {
        pkg: PkgKey,
        func: String,
    },
}

impl Ty {
    /// The same SDK value, made for `region`.
    pub fn with_region(self, region: String) -> Ty {
        let r = Some(region);
        match self {
            Ty::Config { .. } => Ty::Config { region: r },
            Ty::Client { service, v1, .. } => Ty::Client { service, v1, region: r },
            Ty::Paginator { service, operation, input, .. } => Ty::Paginator { service, operation, input, region: r },
            Ty::Waiter { service, waiter, .. } => Ty::Waiter { service, waiter, region: r },
            Ty::Presign { service, .. } => Ty::Presign { service, region: r },
            Ty::Uploader { .. } => Ty::Uploader { region: r },
            Ty::Downloader { .. } => Ty::Downloader { region: r },
            other => other,
        }
    }

    pub fn region(&self) -> Option<String> {
        match self {
            Ty::Config { region }
            | Ty::Client { region, .. }
            | Ty::Paginator { region, .. }
            | Ty::Waiter { region, .. }
            | Ty::Presign { region, .. }
            | Ty::Uploader { region }
            | Ty::Downloader { region } => region.clone(),
            _ => None,
        }
    }
}

/// A type declaration of the project.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    /// Fields by name; an embedded field is named by its type's name.
    Struct(Vec<(String, Ty, bool)>),
    /// An interface: its methods that mirror an SDK operation (method → (service, operation)).
    Interface(Vec<(String, String, String)>),
    /// `type API = s3.Client`, or an interface embedding a client interface.
    Alias(Ty),
}

/// A value known to a scope: its type and what is known of its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Sym {
    pub ty: Ty,
    pub value: Value,
}

impl Sym {
    pub fn unknown() -> Sym {
        Sym { ty: Ty::Unknown, value: Value::Unknown }
    }
}

/// Resolve a type expression written in a file.
pub fn resolve_type(node: Node, src: &str, imports: &Imports, pkg: &str) -> Ty {
    match node.kind() {
        "pointer_type" | "parenthesized_type" => named_children(node).first().map_or(Ty::Unknown, |t| resolve_type(*t, src, imports, pkg)),
        "type_identifier" => {
            let name = text(node, src);
            if is_builtin(name) {
                Ty::Other
            } else {
                Ty::Named { pkg: pkg.to_string(), name: name.to_string() }
            }
        }
        "generic_type" => node.child_by_field_name("type").map_or(Ty::Unknown, |t| resolve_type(t, src, imports, pkg)),
        "qualified_type" => {
            let (Some(p), Some(n)) = (node.child_by_field_name("package"), node.child_by_field_name("name")) else { return Ty::Unknown };
            qualified(text(p, src), text(n, src), imports)
        }
        "slice_type" | "array_type" | "map_type" | "channel_type" | "function_type" | "struct_type" => Ty::Other,
        _ => Ty::Unknown,
    }
}

/// `pkg.Name` as a type.
pub fn qualified(pkg_name: &str, name: &str, imports: &Imports) -> Ty {
    match imports.get(pkg_name) {
        Some(Import::Service { service, v1 }) => sdk_type(service, *v1, name),
        Some(Import::Iface { service }) if name.ends_with("API") => Ty::Client { service: service.clone(), v1: true, region: None },
        Some(Import::S3Manager) => match name {
            "Uploader" => Ty::Uploader { region: None },
            "Downloader" => Ty::Downloader { region: None },
            _ => Ty::Other,
        },
        Some(Import::Aws) if name == "Config" => Ty::Config { region: None },
        Some(Import::Session) if name == "Session" => Ty::Config { region: None },
        // The project's own packages (resolved later; anything else resolves to `Other`).
        Some(Import::Other(path)) => Ty::Named { pkg: format!("imp:{path}"), name: name.to_string() },
        Some(_) => Ty::Other,
        None => Ty::Unknown,
    }
}

/// A type exported by an SDK service package.
fn sdk_type(service: &str, v1: bool, name: &str) -> Ty {
    let region = None;
    if let Some(op) = naming::input_operation(name) {
        return Ty::Input { service: service.into(), operation: op.into() };
    }
    if !v1 {
        if name == "Client" || name.ends_with("APIClient") {
            return Ty::Client { service: service.into(), v1, region };
        }
        if name == "PresignClient" {
            return Ty::Presign { service: service.into(), region };
        }
        if let Some(op) = name.strip_suffix("Paginator").filter(|s| !s.is_empty()) {
            return Ty::Paginator { service: service.into(), operation: op.into(), input: Value::Unknown, region };
        }
        if let Some(w) = name.strip_suffix("Waiter").filter(|s| !s.is_empty()) {
            return Ty::Waiter { service: service.into(), waiter: w.into(), region };
        }
    } else if naming::is_v1_client_type(service, name) {
        return Ty::Client { service: service.into(), v1, region };
    }
    Ty::Other
}

/// Standard-library import paths have no dot in their first element.
pub fn is_std(path: &str) -> bool {
    !path.split('/').next().unwrap_or("").contains('.')
}

fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        "string"
            | "bool"
            | "byte"
            | "rune"
            | "int"
            | "int8"
            | "int16"
            | "int32"
            | "int64"
            | "uint"
            | "uint8"
            | "uint16"
            | "uint32"
            | "uint64"
            | "uintptr"
            | "float32"
            | "float64"
            | "complex64"
            | "complex128"
            | "error"
            | "any"
    )
}
