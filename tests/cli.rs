//! `pgx render` as a pipeline step sees it: exit codes, nothing on stdout on error, `-f`
//! merge order, `--set`, standard input, the environment, `--show-only`, `--output-dir`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const CLUSTER: &str =
    "pgClusters:\n  - name: app-db\n    namespace: apps\n    numberOfInstances: 2\n";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn pgx(dir: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pgx"));
    command
        .current_dir(dir)
        .args(args)
        .env_remove("PGX_VALUES")
        .env_remove("ARGOCD_ENV_PGX_VALUES")
        .env_remove("ARGOCD_APP_PARAMETERS")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    Run {
        code: status.code().unwrap(),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn render_prints_the_stream_and_exits_zero() {
    let dir = dir_with(&[("v.yaml", CLUSTER)]);
    let run = pgx(dir.path(), &["render", "-f", "v.yaml"], None, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .stdout
        .starts_with("---\n# Source: pgx/templates/namespaces.yaml\n"));
    assert!(run.stdout.contains("kind: postgresql"));
}

#[test]
fn an_unknown_key_refuses_with_its_place_and_prints_nothing() {
    let dir = dir_with(&[(
        "v.yaml",
        "pgClusters:\n  - name: app-db\n    namespace: apps\n    numberOfInstance: 2\n",
    )]);
    let run = pgx(dir.path(), &["render", "-f", "v.yaml"], None, &[]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains("error[PGX101]: unknown key `numberOfInstance`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("v.yaml:4:5"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `numberOfInstances`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn malformed_yaml_and_missing_files_exit_two_with_empty_stdout() {
    let dir = dir_with(&[("bad.yaml", "pgClusters: [\n")]);
    for args in [
        &["render", "-f", "bad.yaml"][..],
        &["render", "-f", "missing.yaml"],
        &["render", "--no-such-flag"],
    ] {
        let run = pgx(dir.path(), args, None, &[]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(!run.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn zero_clusters_are_refused_unless_allowed() {
    let dir = dir_with(&[("empty.yaml", "pgClusters: []\n")]);
    let run = pgx(dir.path(), &["render", "-f", "empty.yaml"], None, &[]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
    assert!(run.stderr.contains("PGX105"));
    let run = pgx(
        dir.path(),
        &["render", "-f", "empty.yaml", "--allow-empty"],
        None,
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("kind: ClusterIssuer"));
}

#[test]
fn later_files_win_and_set_applies_last() {
    let dir = dir_with(&[
        ("base.yaml", CLUSTER),
        (
            "override.yaml",
            "pgClusters:\n  - name: app-db\n    namespace: apps\n    numberOfInstances: 5\n",
        ),
    ]);
    let instances = |run: &Run| {
        run.stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix("numberOfInstances: "))
            .map(str::to_owned)
    };
    let run = pgx(
        dir.path(),
        &["render", "-f", "base.yaml", "-f", "override.yaml"],
        None,
        &[],
    );
    assert_eq!(instances(&run).as_deref(), Some("5"));
    let run = pgx(
        dir.path(),
        &["render", "-f", "override.yaml", "-f", "base.yaml"],
        None,
        &[],
    );
    assert_eq!(instances(&run).as_deref(), Some("2"));
    let run = pgx(
        dir.path(),
        &[
            "render",
            "-f",
            "base.yaml",
            "--set",
            "pgClusters[0].numberOfInstances=4",
        ],
        None,
        &[],
    );
    assert_eq!(instances(&run).as_deref(), Some("4"));
}

#[test]
fn set_string_keeps_strings_and_set_types_values() {
    let dir = dir_with(&[("v.yaml", CLUSTER)]);
    let run = pgx(
        dir.path(),
        &[
            "render",
            "-f",
            "v.yaml",
            "--set-string",
            "pgClusters[0].labels.tier=1",
        ],
        None,
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\"tier\": \"1\""));
    // A typed --set of a number where a port is expected, and a string where a number is.
    let run = pgx(
        dir.path(),
        &[
            "render",
            "-f",
            "v.yaml",
            "--set",
            "pgClusters[0].numberOfInstances=three",
        ],
        None,
        &[],
    );
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
    assert!(run.stderr.contains("PGX102"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("--set pgClusters[0].numberOfInstances=three:1:"),
        "{}",
        run.stderr
    );
}

#[test]
fn values_from_standard_input_and_from_the_environment() {
    let dir = dir_with(&[("v.yaml", CLUSTER)]);
    let from_stdin = pgx(dir.path(), &["render", "-f", "-"], Some(CLUSTER), &[]);
    assert_eq!(from_stdin.code, 0, "{}", from_stdin.stderr);
    let from_file = pgx(dir.path(), &["render", "-f", "v.yaml"], None, &[]);
    assert_eq!(from_stdin.stdout, from_file.stdout);
    for var in ["PGX_VALUES", "ARGOCD_ENV_PGX_VALUES"] {
        let run = pgx(dir.path(), &["render"], None, &[(var, "v.yaml")]);
        assert_eq!(run.code, 0, "{var}: {}", run.stderr);
        assert_eq!(run.stdout, from_file.stdout, "{var}");
    }
}

#[test]
fn show_only_prints_one_template() {
    let dir = dir_with(&[("v.yaml", CLUSTER)]);
    let run = pgx(
        dir.path(),
        &["render", "-f", "v.yaml", "--show-only", "cluster"],
        None,
        &[],
    );
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout.matches("---\n").count(), 1);
    assert!(run.stdout.contains("kind: postgresql"));
    let run = pgx(
        dir.path(),
        &["render", "-f", "v.yaml", "--show-only", "nonsense"],
        None,
        &[],
    );
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
}

#[test]
fn output_dir_writes_one_file_per_template() {
    let dir = dir_with(&[("v.yaml", CLUSTER)]);
    let run = pgx(
        dir.path(),
        &["render", "-f", "v.yaml", "--output-dir", "out"],
        None,
        &[],
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    let templates = dir.path().join("out/pgx/templates");
    let mut names: Vec<String> = std::fs::read_dir(&templates)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["cluster-issuer.yaml", "cluster.yaml", "namespaces.yaml"]
    );
    let cluster = std::fs::read_to_string(templates.join("cluster.yaml")).unwrap();
    assert!(cluster.starts_with("---\n# Source: pgx/templates/cluster.yaml\n"));
}

#[test]
fn same_values_same_bytes() {
    let production = Path::new(env!("CARGO_MANIFEST_DIR")).join("values/production.yaml");
    let production = production.to_str().unwrap();
    let dir = dir_with(&[]);
    let first = pgx(dir.path(), &["render", "-f", production], None, &[]);
    let second = pgx(dir.path(), &["render", "-f", production], None, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn version_and_help_exit_zero() {
    let dir = dir_with(&[]);
    let run = pgx(dir.path(), &["--version"], None, &[]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("pgx "));
    let run = pgx(dir.path(), &["render", "--help"], None, &[]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("--set-string"));
}

#[test]
fn no_values_at_all_is_a_usage_error_that_says_so() {
    let dir = dir_with(&[]);
    let run = pgx(dir.path(), &["render"], None, &[]);
    assert_eq!((run.code, run.stdout.as_str()), (2, ""));
    assert!(run.stderr.contains("no values given"), "{}", run.stderr);
}
