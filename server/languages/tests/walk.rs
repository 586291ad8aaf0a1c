//! Which files a directory run reads, with the real front-ends: ignore rules
//! apply to untracked files only; a file committed despite them is read.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git").arg("-C").arg(dir).args(args).status().expect("git runs (the test suite needs git, as CI does)");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn tracked_files_are_read_even_when_gitignore_matches_them() {
    let dir = std::env::temp_dir().join(format!("iamlens-walk-tracked-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("build")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join(".gitignore"), "build/\n").unwrap();
    std::fs::write(dir.join("src/app.py"), "import boto3\n").unwrap();
    std::fs::write(dir.join("build/handler.py"), "import boto3\n").unwrap();
    std::fs::write(dir.join("build/generated.py"), "import boto3\n").unwrap();
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", ".gitignore", "src/app.py"]);
    git(&dir, &["add", "-f", "build/handler.py"]);
    let files = iamlens_engine::collect_source_files(std::slice::from_ref(&dir), iamlens_languages::front_ends()).unwrap();
    let relative: Vec<PathBuf> = files.iter().map(|f| f.strip_prefix(&dir).unwrap().to_path_buf()).collect();
    assert_eq!(relative, [PathBuf::from("build/handler.py"), PathBuf::from("src/app.py")], "the untracked build/generated.py stays ignored");
    // What the rules left out is said: the untracked file, not dependency directories.
    std::fs::create_dir_all(dir.join("node_modules/pkg")).unwrap();
    std::fs::write(dir.join("node_modules/pkg/index.js"), "").unwrap();
    std::fs::write(dir.join(".gitignore"), "build/\nnode_modules/\n").unwrap();
    let walked = iamlens_engine::walk_source_files(std::slice::from_ref(&dir), iamlens_languages::front_ends(), &Default::default()).unwrap();
    assert_eq!(walked.ignored, [dir.join("build/generated.py")]);
    let _ = std::fs::remove_dir_all(&dir);
}
