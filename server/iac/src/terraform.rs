//! (being written) — see lib.rs.

use crate::model::{Context, Deployment};
use std::path::{Path, PathBuf};

/// One Terraform module: the `.tf` and `.tfvars` files of one directory.
pub fn read_module(_dir: &Path, files: &[PathBuf], _ctx: &Context) -> Deployment {
    Deployment { templates: files.to_vec(), ..Deployment::default() }
}

/// `terraform show -json` output of a plan or state.
pub fn read_plan(path: &Path, _text: &str, _ctx: &Context) -> Deployment {
    Deployment { templates: vec![path.to_path_buf()], ..Deployment::default() }
}
