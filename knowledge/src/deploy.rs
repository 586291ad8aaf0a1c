//! What deploying a resource takes: per CloudFormation resource type, the
//! permissions its resource provider's handlers list (create, read, update,
//! delete), and the reviewed table mapping Terraform resource types to
//! CloudFormation types. Compiled by `knowledge/generator/deploy.py` into
//! `data/deploy.tsv.zst`, a second artifact decoded on first use only: the
//! code-policy paths never pay for it.
//!
//! ```
//! let table = iamlens_knowledge::deploy_permissions("AWS::DynamoDB::Table").unwrap();
//! assert!(table.create.iter().any(|a| a == "dynamodb:CreateTable"));
//! assert!(table.delete.iter().any(|a| a == "dynamodb:DeleteTable"));
//! ```

use crate::artifact::{self, ArtifactError};
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

static EMBEDDED: &[u8] = include_bytes!("../data/deploy.tsv.zst");

/// The permissions CloudFormation's handlers for one resource type call:
/// canonical IAM action names (as the IAM data spells them), sorted. An
/// action the IAM data does not know is kept as the schema spells it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeployPermissions {
    pub create: Vec<String>,
    /// CloudFormation reads the resource during updates and drift checks.
    pub read: Vec<String>,
    pub update: Vec<String>,
    pub delete: Vec<String>,
}

impl DeployPermissions {
    /// Every action of the four handlers, once each, sorted: what a principal
    /// that creates, updates and deletes the resource needs.
    pub fn all(&self) -> BTreeSet<&str> {
        [&self.create, &self.read, &self.update, &self.delete].into_iter().flatten().map(String::as_str).collect()
    }
}

/// One reviewed row of the Terraform → CloudFormation table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerraformMapping {
    /// `aws_s3_bucket_notification`.
    pub terraform: String,
    /// `AWS::S3::Bucket`.
    pub cloudformation: String,
    /// Why the CloudFormation type's handlers stand for the Terraform resource.
    pub reason: String,
}

/// The decoded deploy artifact.
#[derive(Debug, Default)]
pub struct DeployData {
    /// The artifact's comment lines (its sources).
    pub sources: Vec<String>,
    resources: HashMap<String, DeployPermissions>,
    terraform: HashMap<String, TerraformMapping>,
}

impl DeployData {
    /// The artifact compiled into the binary, decoded on first call.
    pub fn embedded() -> &'static DeployData {
        static DATA: OnceLock<DeployData> = OnceLock::new();
        // The artifact is compiled in and verified by the crate's tests; failing here is a build defect.
        DATA.get_or_init(|| DeployData::from_bytes(EMBEDDED).unwrap_or_else(|e| panic!("{e}")))
    }

    /// Decode a zstd frame of the TSV that `knowledge/generator/deploy.py` writes.
    pub fn from_bytes(bytes: &[u8]) -> Result<DeployData, ArtifactError> {
        let raw = artifact::decompress(bytes, "deploy permissions")?;
        let text = String::from_utf8(raw).map_err(|e| ArtifactError(format!("deploy permissions: {e}")))?;
        let mut out = DeployData::default();
        for (n, line) in text.lines().enumerate() {
            let bad = |what: &str| ArtifactError(format!("deploy permissions line {}: {what}", n + 1));
            if let Some(comment) = line.strip_prefix('#') {
                out.sources.push(comment.trim().to_string());
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["R", ty, create, read, update, delete] => {
                    let list = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
                    let perms = DeployPermissions { create: list(create), read: list(read), update: list(update), delete: list(delete) };
                    if out.resources.insert(ty.to_string(), perms).is_some() {
                        return Err(bad(&format!("{ty} is listed twice")));
                    }
                }
                ["T", tf, cfn, reason] => {
                    if !out.resources.contains_key(*cfn) {
                        return Err(bad(&format!("{tf} maps to {cfn}, which has no row")));
                    }
                    let row = TerraformMapping { terraform: tf.to_string(), cloudformation: cfn.to_string(), reason: reason.to_string() };
                    if out.terraform.insert(tf.to_string(), row).is_some() {
                        return Err(bad(&format!("{tf} is listed twice")));
                    }
                }
                _ => return Err(bad("expected an R row (6 fields) or a T row (4 fields)")),
            }
        }
        Ok(out)
    }

    /// The handlers' permissions of a CloudFormation resource type
    /// (`AWS::SQS::Queue`); `None` for a type without a provider schema with
    /// handlers (SAM's `AWS::Serverless::*`, legacy types, custom resources).
    pub fn permissions(&self, resource_type: &str) -> Option<&DeployPermissions> {
        self.resources.get(resource_type)
    }

    /// The reviewed CloudFormation type of a Terraform resource type.
    pub fn terraform(&self, terraform_type: &str) -> Option<&TerraformMapping> {
        self.terraform.get(terraform_type)
    }

    /// Every CloudFormation type with handlers, sorted.
    pub fn resource_types(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.resources.keys().map(String::as_str).collect();
        out.sort_unstable();
        out
    }

    /// Every row of the Terraform table, sorted by Terraform type.
    pub fn terraform_mappings(&self) -> Vec<&TerraformMapping> {
        let mut out: Vec<&TerraformMapping> = self.terraform.values().collect();
        out.sort_by(|a, b| a.terraform.cmp(&b.terraform));
        out
    }
}

/// The embedded handlers' permissions of a CloudFormation resource type.
pub fn deploy_permissions(resource_type: &str) -> Option<&'static DeployPermissions> {
    DeployData::embedded().permissions(resource_type)
}

/// The embedded reviewed mapping of a Terraform resource type.
pub fn terraform_mapping(terraform_type: &str) -> Option<&'static TerraformMapping> {
    DeployData::embedded().terraform(terraform_type)
}
