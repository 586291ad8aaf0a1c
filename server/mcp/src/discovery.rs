//! The discovery file an embedded endpoint writes so agents can find it:
//! `<workspace>/.iamlens/mcp.json` with the URL and the bearer token. The
//! folder gets its own `.gitignore` (`*`) so neither is ever committed, and
//! the file is readable by its owner only.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::EndpointError;

pub const DISCOVERY_DIR: &str = ".iamlens";
pub const DISCOVERY_FILE: &str = "mcp.json";

#[derive(Debug, Clone, Serialize)]
pub struct DiscoveryRecord {
    /// Streamable HTTP endpoint, `http://127.0.0.1:PORT/mcp`.
    pub url: String,
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// The language server process serving it.
    pub pid: u32,
    pub server: String,
    pub version: String,
}

impl DiscoveryRecord {
    pub fn new(url: &str, token: &str) -> DiscoveryRecord {
        DiscoveryRecord {
            url: url.to_string(),
            token: token.to_string(),
            pid: std::process::id(),
            server: "iamlens".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// A fresh unguessable token (two v4 UUIDs: 244 random bits).
pub fn new_token() -> String {
    format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

/// Write the record under `root/.iamlens/`, returning the file's path.
pub fn write(root: &Path, record: &DiscoveryRecord) -> Result<PathBuf, EndpointError> {
    let dir = root.join(DISCOVERY_DIR);
    let fail = |source| EndpointError::Discovery { path: dir.clone(), source };
    fs::create_dir_all(&dir).map_err(fail)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        fs::write(&ignore, "# iamlens runtime files (MCP endpoint URL and token): never commit\n*\n").map_err(fail)?;
    }
    let path = dir.join(DISCOVERY_FILE);
    let json = serde_json::to_string_pretty(record).expect("discovery record serializes");
    // Write to a temporary name and rename, so a reader never sees half a file.
    let partial = dir.join(format!("{DISCOVERY_FILE}.{}.tmp", std::process::id()));
    let mut file = owner_only_file(&partial).map_err(fail)?;
    file.write_all(json.as_bytes()).map_err(fail)?;
    file.write_all(b"\n").map_err(fail)?;
    drop(file);
    fs::rename(&partial, &path).map_err(fail)?;
    Ok(path)
}

/// Where standalone HTTP writes its bearer token unless `--token-file` says:
/// `$XDG_RUNTIME_DIR/iamlens/mcp-<port>.token` (a per-user directory), else
/// `~/.iamlens/mcp-<port>.token`, else the temp directory.
pub fn default_token_file(port: u16) -> PathBuf {
    let name = format!("mcp-{port}.token");
    if let Some(dir) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("iamlens").join(name);
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(home).join(DISCOVERY_DIR).join(name);
    }
    std::env::temp_dir().join(format!("iamlens-{name}"))
}

/// Write the bearer token to `path`, readable by its owner only (a file left
/// by an earlier run is replaced, never reused with its old permissions).
pub fn write_token_file(path: &Path, token: &str) -> Result<(), EndpointError> {
    let fail = |source| EndpointError::Discovery { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(fail)?;
    }
    let partial = path.with_extension(format!("{}.tmp", std::process::id()));
    let _ = fs::remove_file(&partial);
    let mut file = owner_only_file(&partial).map_err(fail)?;
    file.write_all(token.as_bytes()).map_err(fail)?;
    file.write_all(b"\n").map_err(fail)?;
    drop(file);
    fs::rename(&partial, path).map_err(fail)
}

/// Remove a discovery file this process wrote (if another server has since
/// replaced it, leave theirs alone).
pub fn remove(path: &Path) {
    let ours = fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|json| json.get("pid").and_then(|pid| pid.as_u64()))
        == Some(u64::from(std::process::id()));
    if ours {
        let _ = fs::remove_file(path);
    }
}

#[cfg(unix)]
fn owner_only_file(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn owner_only_file(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new().write(true).create(true).truncate(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_root(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("iamlens-discovery-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[cfg(unix)]
    #[test]
    fn the_token_file_is_readable_by_its_owner_only_even_when_it_existed() {
        use std::os::unix::fs::PermissionsExt;
        let root = temp_root("token");
        let path = root.join("nested/mcp-1.token");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        write_token_file(&path, "fresh").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "fresh\n");
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn writes_url_and_token_git_ignored_and_removes_them() {
        let root = temp_root("roundtrip");
        let record = DiscoveryRecord::new("http://127.0.0.1:1234/mcp", "secret");
        let path = write(&root, &record).unwrap();
        assert_eq!(path, root.join(".iamlens/mcp.json"));
        let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(json["url"], "http://127.0.0.1:1234/mcp");
        assert_eq!(json["token"], "secret");
        assert!(fs::read_to_string(root.join(".iamlens/.gitignore")).unwrap().lines().any(|l| l == "*"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        remove(&path);
        assert!(!path.exists());
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn does_not_remove_another_servers_file() {
        let root = temp_root("foreign");
        let path = write(&root, &DiscoveryRecord::new("http://127.0.0.1:1/mcp", "t")).unwrap();
        fs::write(&path, r#"{"url":"http://127.0.0.1:2/mcp","token":"u","pid":1}"#).unwrap();
        remove(&path);
        assert!(path.exists());
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn tokens_are_long_and_fresh() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
