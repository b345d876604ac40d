//! `pgx render --output-dir DIR` (issue #6): a failure at any point, in the values, in
//! loading, or in writing, leaves DIR exactly as it was (the files of the previous render
//! included), exits non-zero and prints nothing on standard output; a success replaces
//! DIR/pgx whole and leaves nothing else behind.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const VALID: &str = "pgClusters:\n  - name: main\n    namespace: db\n";

/// Every entry under `dir`: relative path → file content, or a marker for a folder.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let relative = path.strip_prefix(root).expect("under root").to_path_buf();
            if path.is_dir() {
                out.insert(relative, None);
                walk(root, &path, out);
            } else {
                out.insert(relative, Some(std::fs::read(&path).expect("read")));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A DIR holding a previous render: sentinel files under pgx/templates, and a file of the
/// user's own beside it.
fn populated() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let templates = dir.path().join("out/pgx/templates");
    std::fs::create_dir_all(&templates).expect("mkdir");
    std::fs::write(
        templates.join("cluster.yaml"),
        "sentinel: previous cluster\n",
    )
    .expect("w");
    std::fs::write(templates.join("stale.yaml"), "sentinel: stale\n").expect("w");
    std::fs::write(dir.path().join("out/README"), "the user's own file\n").expect("w");
    std::fs::write(dir.path().join("values.yaml"), VALID).expect("w");
    dir
}

fn pgx(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgx"))
        .args(args)
        .current_dir(dir)
        .env_remove("PGX_VALUES")
        .env("NO_COLOR", "1")
        .output()
        .expect("pgx runs")
}

/// Compares two snapshots, naming what differs rather than printing every byte.
#[track_caller]
fn assert_unchanged(
    after: &BTreeMap<PathBuf, Option<Vec<u8>>>,
    before: &BTreeMap<PathBuf, Option<Vec<u8>>>,
) {
    let differing: Vec<&PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .collect();
    assert!(differing.is_empty(), "the directory changed: {differing:?}");
}

fn assert_failed_cleanly(output: &Output, expected_code: i32) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(expected_code), "{stderr}");
    assert!(output.stdout.is_empty(), "stdout: {:?}", output.stdout);
    assert!(stderr.contains("error"), "{stderr}");
}

#[test]
fn a_successful_render_replaces_pgx_whole_and_leaves_nothing_behind() {
    let dir = populated();
    let output = pgx(
        dir.path(),
        &["render", "-f", "values.yaml", "--output-dir", "out"],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty());
    let after = snapshot(&dir.path().join("out"));
    let names: Vec<String> = after
        .keys()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert!(
        names.contains(&"pgx/templates/cluster.yaml".to_owned()),
        "{names:?}"
    );
    assert!(!names.contains(&"pgx/templates/stale.yaml".to_owned()));
    assert!(
        names.contains(&"README".to_owned()),
        "the user's file stays"
    );
    assert!(
        names.iter().all(|n| !n.starts_with(".pgx-")),
        "staging left behind: {names:?}"
    );
    let cluster = std::fs::read_to_string(dir.path().join("out/pgx/templates/cluster.yaml"))
        .expect("cluster.yaml");
    assert!(cluster.contains("kind: postgresql"));
}

#[test]
fn values_with_errors_leave_the_directory_as_it_was() {
    let dir = populated();
    let before = snapshot(dir.path());
    // A blocking finding (exit 1) and malformed YAML (exit 2).
    std::fs::write(
        dir.path().join("bad.yaml"),
        "pgClusters:\n  - name: main\n    namespace: db\n    bogus: 1\n",
    )
    .expect("w");
    std::fs::write(dir.path().join("broken.yaml"), "pgClusters: [\n").expect("w");
    let before_bad = {
        let mut b = before.clone();
        b.insert(
            "bad.yaml".into(),
            Some(std::fs::read(dir.path().join("bad.yaml")).expect("r")),
        );
        b.insert(
            "broken.yaml".into(),
            Some(std::fs::read(dir.path().join("broken.yaml")).expect("r")),
        );
        b
    };
    let refused = pgx(
        dir.path(),
        &["render", "-f", "bad.yaml", "--output-dir", "out"],
    );
    assert_failed_cleanly(&refused, 1);
    let malformed = pgx(
        dir.path(),
        &["render", "-f", "broken.yaml", "--output-dir", "out"],
    );
    assert_failed_cleanly(&malformed, 2);
    let missing = pgx(
        dir.path(),
        &["render", "-f", "missing.yaml", "--output-dir", "out"],
    );
    assert_failed_cleanly(&missing, 2);
    assert_unchanged(&snapshot(dir.path()), &before_bad);
}

#[test]
fn an_output_dir_that_is_a_file_fails_and_changes_nothing() {
    let dir = populated();
    std::fs::write(dir.path().join("file"), "not a folder\n").expect("w");
    let before = snapshot(dir.path());
    let output = pgx(
        dir.path(),
        &["render", "-f", "values.yaml", "--output-dir", "file"],
    );
    assert_failed_cleanly(&output, 2);
    assert_unchanged(&snapshot(dir.path()), &before);
}

#[test]
fn a_new_output_dir_is_not_left_behind_when_writing_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("values.yaml"), VALID).expect("w");
    let before = snapshot(dir.path());
    let script = format!(
        "trap '' XFSZ; ulimit -f 1 && exec '{}' render -f values.yaml --output-dir new",
        env!("CARGO_BIN_EXE_pgx")
    );
    let output = Command::new("sh")
        .args(["-c", &script])
        .current_dir(dir.path())
        .env_remove("PGX_VALUES")
        .output()
        .expect("sh runs");
    assert_failed_cleanly(&output, 2);
    assert_unchanged(&snapshot(dir.path()), &before);
}

#[test]
fn a_file_where_the_pgx_folder_goes_fails_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("out")).expect("mkdir");
    std::fs::write(dir.path().join("out/pgx"), "a file, not a folder\n").expect("w");
    std::fs::write(dir.path().join("values.yaml"), VALID).expect("w");
    let before = snapshot(dir.path());
    let output = pgx(
        dir.path(),
        &["render", "-f", "values.yaml", "--output-dir", "out"],
    );
    assert_failed_cleanly(&output, 2);
    assert_unchanged(&snapshot(dir.path()), &before);
}

#[test]
fn a_file_where_the_templates_folder_goes_is_replaced_or_refused_never_half() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("out/pgx")).expect("mkdir");
    std::fs::write(dir.path().join("out/pgx/templates"), "a file\n").expect("w");
    std::fs::write(dir.path().join("values.yaml"), VALID).expect("w");
    let before = snapshot(dir.path());
    let output = pgx(
        dir.path(),
        &["render", "-f", "values.yaml", "--output-dir", "out"],
    );
    // pgx may replace pgx/ whole (exit 0), or refuse; either way never half.
    if output.status.success() {
        assert!(dir.path().join("out/pgx/templates/cluster.yaml").is_file());
    } else {
        assert_failed_cleanly(&output, 2);
        assert_unchanged(&snapshot(dir.path()), &before);
    }
}

/// A disk that fills up while the files are written: the file size limit (`ulimit -f`,
/// with SIGXFSZ ignored so the write fails with EFBIG instead of killing pgx) stops the
/// first file written past 512 bytes.
#[test]
fn a_write_that_fails_midway_leaves_the_directory_as_it_was() {
    let dir = populated();
    let before = snapshot(dir.path());
    let script = format!(
        "trap '' XFSZ; ulimit -f 1 && exec '{}' render -f values.yaml --output-dir out",
        env!("CARGO_BIN_EXE_pgx")
    );
    let output = Command::new("sh")
        .args(["-c", &script])
        .current_dir(dir.path())
        .env_remove("PGX_VALUES")
        .output()
        .expect("sh runs");
    assert_failed_cleanly(&output, 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot write to out"), "{stderr}");
    assert_unchanged(&snapshot(dir.path()), &before);
}

/// A read-only DIR (the permission bits do not stop root, so the test is skipped there).
#[test]
fn a_read_only_output_dir_fails_and_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = populated();
    let out = dir.path().join("out");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    if std::fs::write(out.join("probe"), "").is_ok() {
        let _ = std::fs::remove_file(out.join("probe"));
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        eprintln!("note: running as root, permission bits do not stop writes; skipped");
        return;
    }
    let before = snapshot(dir.path());
    let output = pgx(
        dir.path(),
        &["render", "-f", "values.yaml", "--output-dir", "out"],
    );
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_failed_cleanly(&output, 2);
    assert_unchanged(&snapshot(dir.path()), &before);
}
