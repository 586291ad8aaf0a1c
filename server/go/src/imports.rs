//! What each import of a file is: an AWS SDK package (a v2 or v1 service,
//! its v1 interface package, the S3 transfer manager, `aws`, `config`,
//! `session`, ...), a package of the project, or anything else.

use crate::naming;
use crate::syntax::{named_children, string_value, text};
use std::collections::HashMap;
use tree_sitter::Node;

/// What an import path is, as far as IAM is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Import {
    /// `github.com/aws/aws-sdk-go-v2/service/<pkg>` (v1: `.../aws-sdk-go/service/<pkg>`).
    Service { service: String, v1: bool },
    /// v1 `.../service/<pkg>/<pkg>iface`.
    Iface { service: String },
    /// v2 `feature/s3/manager`, v1 `service/s3/s3manager`.
    S3Manager,
    /// v2 `feature/rds/auth`, v1 `service/rds/rdsutils`: IAM database auth tokens.
    RdsAuth,
    /// `aws` helpers (`aws.String`), v1 too.
    Aws,
    /// v2 `config` (LoadDefaultConfig).
    Config,
    /// v1 `aws/session`.
    Session,
    /// Any other SDK package (`service/s3/types`, `feature/dynamodb/attributevalue`, ...): no IAM.
    OtherSdk,
    /// `fmt`, `os`, third-party packages and the project's own packages
    /// (the index tells which, by import path).
    Other(String),
}

const V2: &str = "github.com/aws/aws-sdk-go-v2/";
const V1: &str = "github.com/aws/aws-sdk-go/";

/// True when an import path belongs to an AWS SDK for Go.
pub fn is_sdk_path(path: &str) -> bool {
    path.starts_with(V2) || path.starts_with(V1) || path == "github.com/aws/aws-sdk-go-v2" || path == "github.com/aws/aws-sdk-go"
}

/// Classify one import path.
pub fn classify(path: &str) -> Import {
    if let Some(rest) = path.strip_prefix(V2) {
        let parts: Vec<&str> = rest.split('/').collect();
        return match parts.as_slice() {
            ["service", pkg] => naming::service_for_v2_package(pkg).map_or(Import::OtherSdk, |s| Import::Service { service: s.into(), v1: false }),
            ["feature", "s3", "manager"] => Import::S3Manager,
            ["feature", "rds", "auth"] => Import::RdsAuth,
            ["aws"] => Import::Aws,
            ["config"] => Import::Config,
            _ => Import::OtherSdk,
        };
    }
    if let Some(rest) = path.strip_prefix(V1) {
        let parts: Vec<&str> = rest.split('/').collect();
        return match parts.as_slice() {
            ["service", pkg] => naming::service_for_v1_package(pkg).map_or(Import::OtherSdk, |s| Import::Service { service: s.into(), v1: true }),
            ["service", pkg, iface] if iface.strip_suffix("iface") == Some(pkg) => {
                naming::service_for_v1_package(pkg).map_or(Import::OtherSdk, |s| Import::Iface { service: s.into() })
            }
            ["service", "s3", "s3manager"] => Import::S3Manager,
            ["service", "rds", "rdsutils"] => Import::RdsAuth,
            ["aws"] => Import::Aws,
            ["aws", "session"] => Import::Session,
            _ => Import::OtherSdk,
        };
    }
    if is_sdk_path(path) {
        return Import::OtherSdk;
    }
    // smithy-go's pointer helpers (`ptr.String("b")`) are used like `aws.String`.
    if path == "github.com/aws/smithy-go/ptr" {
        return Import::Aws;
    }
    Import::Other(path.to_string())
}

/// A file's imports by the name they bind, and whether any is an AWS SDK package.
#[derive(Debug, Clone, Default)]
pub struct Imports {
    pub by_name: HashMap<String, Import>,
    /// Some import is an AWS SDK package. (Dot imports are not resolved.)
    pub uses_sdk: bool,
    /// botocore services whose package the file imports.
    pub services: Vec<String>,
}

impl Imports {
    /// Read the import declarations of a file.
    pub fn read(root: Node, src: &str) -> Imports {
        let mut out = Imports::default();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "source_file" | "import_declaration" | "import_spec_list" | "ERROR" => stack.extend(named_children(n)),
                "import_spec" => out.add_spec(n, src),
                _ => {}
            }
        }
        out
    }

    fn add_spec(&mut self, spec: Node, src: &str) {
        let Some(path) = spec.child_by_field_name("path").and_then(|p| string_value(p, src)) else { return };
        let import = classify(&path);
        if is_sdk_path(&path) {
            self.uses_sdk = true;
        }
        if let Import::Service { service, .. } | Import::Iface { service } = &import {
            if !self.services.contains(service) {
                self.services.push(service.clone());
            }
        }
        let name = match spec.child_by_field_name("name") {
            Some(n) if n.kind() == "package_identifier" => text(n, src).to_string(),
            Some(_) => return, // `_` or `.`
            None => default_name(&path),
        };
        self.by_name.insert(name, import);
    }

    pub fn get(&self, name: &str) -> Option<&Import> {
        self.by_name.get(name)
    }
}

/// The package name an import binds by default: the last path element,
/// without a major-version suffix (`.../v2`) or a `go-` prefix.
fn default_name(path: &str) -> String {
    let mut parts = path.rsplit('/');
    let mut last = parts.next().unwrap_or(path);
    if last.len() > 1 && last.starts_with('v') && last[1..].chars().all(|c| c.is_ascii_digit()) {
        last = parts.next().unwrap_or(last);
    }
    let last = last.strip_prefix("go-").unwrap_or(last);
    let last = last.strip_suffix("-go").unwrap_or(last);
    last.replace(['-', '.'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_paths_are_classified() {
        assert_eq!(classify("github.com/aws/aws-sdk-go-v2/service/sfn"), Import::Service { service: "stepfunctions".into(), v1: false });
        assert_eq!(classify("github.com/aws/aws-sdk-go/service/dynamodb"), Import::Service { service: "dynamodb".into(), v1: true });
        assert_eq!(classify("github.com/aws/aws-sdk-go/service/s3/s3iface"), Import::Iface { service: "s3".into() });
        assert_eq!(classify("github.com/aws/aws-sdk-go-v2/feature/s3/manager"), Import::S3Manager);
        assert_eq!(classify("github.com/aws/aws-sdk-go-v2/feature/rds/auth"), Import::RdsAuth);
        assert_eq!(classify("github.com/aws/aws-sdk-go/service/rds/rdsutils"), Import::RdsAuth);
        assert_eq!(classify("github.com/aws/aws-sdk-go-v2/service/s3/types"), Import::OtherSdk);
        assert_eq!(classify("github.com/aws/aws-sdk-go-v2/service/notaservice"), Import::OtherSdk);
        assert_eq!(classify("github.com/minio/minio-go/v7"), Import::Other("github.com/minio/minio-go/v7".into()));
        assert_eq!(default_name("github.com/minio/minio-go/v7"), "minio");
        assert_eq!(default_name("github.com/aws/aws-sdk-go-v2/service/s3"), "s3");
    }
}
