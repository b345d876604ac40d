//! The rendered stream of every shipped example (`values/`) and of the render fixtures
//! (`tests/fixtures/render/`, which between them set every optional block of the values
//! reference), as reviewed snapshots in `snapshots/`.

mod support;

use std::path::Path;

fn render(file: &Path) -> String {
    let path = file.to_string_lossy();
    let run = support::pgx(&["render", "-f", &path]);
    assert_eq!(run.code, 0, "{path} did not render:\n{}", run.stderr);
    run.stdout
}

fn snapshot_all(dir: &str, prefix: &str) {
    for file in support::project_yaml_files(dir) {
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
