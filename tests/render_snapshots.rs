//! The rendered stream of every shipped example (`values/`) and of the render fixtures
//! (`tests/fixtures/render/`, which between them set every optional block of the values
//! reference), as reviewed snapshots in `snapshots/`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn render(file: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_pgx"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("render")
        .arg("-f")
        .arg(file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{} did not render:\n{}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn snapshot_all(dir: &str, prefix: &str) {
    let files = yaml_files(dir);
    assert!(!files.is_empty(), "no values files in {dir}");
    for file in files {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let stream = render(&file);
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            description => format!("pgx render -f {dir}/{stem}.yaml"),
        }, {
            insta::assert_snapshot!(format!("{prefix}{stem}"), stream);
        });
    }
}

#[test]
fn shipped_examples() {
    snapshot_all("values", "render-values-");
}

#[test]
fn render_fixtures() {
    snapshot_all("tests/fixtures/render", "render-fixture-");
}
