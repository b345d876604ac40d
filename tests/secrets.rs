//! Secrets (issue #6): a value under a secret-like key (`logicalBackup.s3SecretAccessKey`,
//! an `env` entry named like a password, secret or token) never reaches standard output,
//! standard error or a file pgx writes, whatever the command, the output format, or the
//! way the value was given (a file, standard input, `--set`).
//!
//! Each secret is a distinctive marker; every byte pgx prints or writes is searched for it.
//! Each case below leaked before the fix it names was made (see `src/secret.rs`).

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Every marker starts with this, so one search finds any of them.
const MARKER: &str = "SeCrEtMaRkEr";

/// One cluster with every kind of secret-like value, in block and flow style and in a
/// block scalar.
fn values_with_secrets() -> String {
    format!(
        "tls:
  issuerType: caBootstrap
externalAccess:
  writeIP: 203.0.113.10
  domain: example.com
pgClusters:
  - name: main
    namespace: db
    tls: {{enabled: true, additionalDNSNames: [main-write.example.com]}}
    externalAccess:
      enabled: true
      port: 5432
      allowedSourceRanges: [10.0.0.0/8]
      write: {{enabled: true}}
    env:
      - name: PGPASSWORD
        value: {MARKER}-password-1
      - {{name: API_TOKEN, value: \"{MARKER}-token-2\"}}
      - name: APP_SECRET
        value: |
          {MARKER}-block-3
      - {{name: AWS_SECRET_ACCESS_KEY, value: '{MARKER}-aws-4'}}
    logicalBackup:
      enabled: true
      s3SecretAccessKey: {MARKER}-s3-5
"
    )
}

fn pgx(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgx"))
        .args(args)
        .current_dir(dir)
        .env_remove("PGX_VALUES")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pgx runs");
    let mut input = child.stdin.take().expect("stdin");
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().expect("pgx output")
}

/// Whether any subcommand of this name exists (endpoints and guide are newer).
fn has_command(dir: &Path, name: &str) -> bool {
    pgx(dir, &[name, "--help"], b"").status.success()
}

#[track_caller]
fn assert_no_marker(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if let Some(at) = text.find(MARKER) {
        let line = text[..at].lines().count();
        let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        panic!(
            "a secret reached {what} (line {line}): {}",
            &text[start..end]
        );
    }
}

/// Every command and format over `args_values` (the `-f`/`--set` part of the command line),
/// checking standard output, standard error and every file written.
fn assert_never_printed(dir: &Path, values_args: &[&str], stdin: &[u8]) {
    let mut commands: Vec<Vec<&str>> = vec![
        vec!["render"],
        vec!["render", "--allow-empty"],
        vec!["lint"],
        vec!["lint", "--strict"],
        vec!["lint", "--format", "human"],
        vec!["lint", "--format", "json"],
        vec!["lint", "--format", "github"],
        vec!["lint", "--format", "sarif"],
    ];
    if has_command(dir, "endpoints") {
        for format in ["table", "markdown", "json"] {
            commands.push(vec!["endpoints", "--format", format]);
        }
    }
    if has_command(dir, "guide") {
        commands.push(vec!["guide"]);
    }
    for command in commands {
        let mut args = command.clone();
        args.extend_from_slice(values_args);
        let output = pgx(dir, &args, stdin);
        assert_no_marker(&format!("stdout of pgx {args:?}"), &output.stdout);
        assert_no_marker(&format!("stderr of pgx {args:?}"), &output.stderr);
    }
    // --output-dir: every file written.
    let out = tempfile::tempdir().expect("temp dir");
    let out_arg = out.path().to_string_lossy().into_owned();
    let mut args = vec!["render", "--output-dir", &out_arg];
    args.extend_from_slice(values_args);
    let output = pgx(dir, &args, stdin);
    assert_no_marker("stdout of render --output-dir", &output.stdout);
    assert_no_marker("stderr of render --output-dir", &output.stderr);
    for entry in walk(out.path()) {
        assert_no_marker(
            &entry.display().to_string(),
            &std::fs::read(&entry).unwrap_or_default(),
        );
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
    }
    files
}

fn dir_with(values: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("values.yaml"), values).expect("write values");
    dir
}

#[test]
fn the_markers_are_really_in_the_values() {
    let values = values_with_secrets();
    assert_eq!(values.matches(MARKER).count(), 5);
    // And pgx does refuse them (PGX501), so the checks below are about its messages.
    let dir = dir_with(&values);
    let output = pgx(
        dir.path(),
        &["lint", "--format", "json", "-f", "values.yaml"],
        b"",
    );
    assert_eq!(output.status.code(), Some(1));
    let json = String::from_utf8_lossy(&output.stdout);
    assert!(json.contains("PGX501"), "{json}");
}

#[test]
fn secrets_in_a_values_file_are_never_printed_or_written() {
    let dir = dir_with(&values_with_secrets());
    assert_never_printed(dir.path(), &["-f", "values.yaml"], b"");
}

#[test]
fn secrets_on_standard_input_are_never_printed_or_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_never_printed(dir.path(), &["-f", "-"], values_with_secrets().as_bytes());
}

#[test]
fn secrets_given_with_set_are_never_printed_or_written() {
    let dir = dir_with(
        "pgClusters:\n  - name: main\n    namespace: db\n    env: [{name: X, value: y}]\n",
    );
    let password = format!("pgClusters[0].env[0].value={MARKER}-set-6");
    let name = "pgClusters[0].env[0].name=DB_PASSWORD";
    assert_never_printed(
        dir.path(),
        &["-f", "values.yaml", "--set", name, "--set", &password],
        b"",
    );
    let key = format!("pgClusters[0].logicalBackup.s3SecretAccessKey={MARKER}-set-7");
    assert_never_printed(
        dir.path(),
        &["-f", "values.yaml", "--set-string", &key],
        b"",
    );
    // Without a file: the arguments are the only source.
    let alone = format!("pgClusters[0].logicalBackup.s3SecretAccessKey={MARKER}-set-9");
    assert_never_printed(dir.path(), &["--set-string", &alone], b"");
    let output = pgx(dir.path(), &["lint", "--set-string", &alone], b"");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("s3SecretAccessKey=********"),
        "the argument is quoted with its secret masked"
    );
    // A malformed argument is quoted in its error, without its values.
    let malformed = format!("pgClusters[0].env[0].value={MARKER}-set-8,oops");
    let output = pgx(
        dir.path(),
        &["render", "-f", "values.yaml", "--set", &malformed],
        b"",
    );
    assert_eq!(output.status.code(), Some(2));
    assert_no_marker("the error of a malformed --set", &output.stderr);
    assert!(String::from_utf8_lossy(&output.stderr).contains("value=…,oops"));
}

#[test]
fn a_secret_that_looks_like_a_boolean_is_not_repeated_in_a_message() {
    // PGX107 (a YAML 1.1 boolean read as a string) quotes the value in its message and
    // help; for an env value named like a password that value is the secret.
    let dir = dir_with(
        "pgClusters:\n  - name: main\n    namespace: db\n    env:\n      - name: DB_PASSWORD\n        value: yes\n",
    );
    for format in ["human", "json", "github"] {
        let output = pgx(
            dir.path(),
            &["lint", "--format", format, "-f", "values.yaml"],
            b"",
        );
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(printed.contains("PGX107"), "{printed}");
        assert!(
            !printed.contains("yes"),
            "{format} output repeats the value:\n{printed}"
        );
    }
}

#[test]
fn ignoring_the_secret_rule_does_not_print_the_secret() {
    let dir = dir_with(&values_with_secrets());
    assert_never_printed(
        dir.path(),
        &[
            "-f",
            "values.yaml",
            "--ignore",
            "PGX501",
            "--ignore",
            "PGX409",
        ],
        b"",
    );
}

#[test]
fn an_s3_access_key_id_is_never_printed() {
    let dir = dir_with(&format!(
        "pgClusters:\n  - name: main\n    namespace: db\n    logicalBackup:\n      s3AccessKeyId: {MARKER}-id-8\n"
    ));
    assert_never_printed(dir.path(), &["-f", "values.yaml"], b"");
}

#[test]
fn a_secret_on_a_line_quoted_for_another_finding_is_never_printed() {
    for values in [
        format!("pgClusters:\n  - name: main\n    namespace: db\n    logicalBackup:\n      s3SecretAccesKey: {MARKER}-typo-9\n"),
        format!("pgClusters:\n  - name: main\n    namespace: db\n    env:\n      - {{name: DB_PASSWORD, valeu: {MARKER}-typo-10}}\n"),
        format!("pgClusters:\n  - name: main\n    namespace: db\n    env: [{{name: DB_PASSWORD, value: {MARKER}-flow-11}}, {{name: X, value: [1]}}]\n"),
    ] {
        let dir = dir_with(&values);
        assert_never_printed(dir.path(), &["-f", "values.yaml"], b"");
    }
}

#[test]
fn secrets_in_unusual_shapes_are_never_printed() {
    let cluster = "pgClusters:\n  - name: main\n    namespace: db\n";
    for values in [
        // A mistyped `env` key, in flow style: PGX101 quotes the whole line.
        format!("{cluster}    evn: [{{name: DB_PASSWORD, value: {MARKER}-a}}]\n"),
        // A secret key holding a mapping or a list: PGX102 quotes it.
        format!("{cluster}    logicalBackup: {{s3SecretAccessKey: {{a: {MARKER}-b}}}}\n"),
        format!("{cluster}    logicalBackup:\n      s3SecretAccessKey:\n        a: {MARKER}-c\n"),
        format!("{cluster}    env: [{{name: DB_PASSWORD, value: {{x: {MARKER}-d}}}}]\n"),
        format!("{cluster}    logicalBackup: {{s3SecretAccessKey: [{MARKER}-e]}}\n"),
        // Given through an anchor on a line that another finding quotes.
        format!("x: &k {MARKER}-f\n{cluster}    logicalBackup: {{s3SecretAccessKey: *k}}\n"),
        // Secret-named keys pgx does not know.
        format!("password: {MARKER}-g\n{cluster}    apiToken: {MARKER}-h\n"),
        // The plain case, in block style.
        format!("{cluster}    env:\n      - name: DB_PASSWORD\n        value: {MARKER}-i\n"),
    ] {
        let dir = dir_with(&values);
        // Each is refused with a finding that quotes the secret's line.
        let lint = pgx(dir.path(), &["lint", "-f", "values.yaml"], b"");
        assert_eq!(lint.status.code(), Some(1), "{values}");
        assert!(
            String::from_utf8_lossy(&lint.stderr).contains("********"),
            "{values}"
        );
        assert_never_printed(dir.path(), &["-f", "values.yaml"], b"");
    }
}
