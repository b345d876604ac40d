//! The CI example of docs/ci.md, run as GitHub Actions would run it.
//!
//! `deploy/ci/github-actions.yml` is the workflow; docs/ci.md shows it verbatim (checked
//! here). Its `run:` steps that call pgx are executed exactly as written, through the
//! shell the workflow names (`sh -e`, which is what GitHub runs for `shell: sh`), in a
//! temporary checkout holding values files, once per matrix entry, with the workflow's
//! environment and `${{ matrix.* }}` filled in as GitHub fills them. Steps that are GitHub
//! actions (`uses:`) and the step that installs pgx are not run; pgx is on `PATH` instead.
//! The output must be what GitHub can use: workflow-command annotations on files of the
//! checkout, and a SARIF 2.1.0 log at the path the upload step reads.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_yaml::Value;

const WORKFLOW: &str = "deploy/ci/github-actions.yml";
const DOC: &str = "docs/ci.md";
/// A values file without findings, and the same after a commit that opens the admin
/// endpoint to the internet (PGX204).
const CLEAN_VALUES: &str = "tests/fixtures/argocd/app/values-production.yaml";
const BROKEN_VALUES: &str = "tests/fixtures/argocd/app-broken/values-production.yaml";

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read_text(relative: &str) -> String {
    let path = repo_path(relative);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn workflow() -> Value {
    serde_yaml::from_str(&read_text(WORKFLOW)).expect("the workflow is YAML")
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// The single job of the example.
fn job(workflow: &Value) -> &Value {
    let jobs = workflow
        .get("jobs")
        .and_then(Value::as_mapping)
        .expect("jobs");
    assert_eq!(jobs.len(), 1, "one job");
    jobs.values().next().expect("a job")
}

fn steps(job: &Value) -> &[Value] {
    job.get("steps")
        .and_then(Value::as_sequence)
        .expect("steps")
}

/// Whether a shell script calls pgx (not merely installs it).
fn calls_pgx(script: &str) -> bool {
    script
        .lines()
        .any(|line| line.split_whitespace().next() == Some("pgx"))
}

/// GitHub's evaluation of the few expressions the example uses in `env:` and `with:`:
/// `${{ matrix.NAME }}`. Any other expression is a test failure, not a silent guess.
fn expand(template: &str, matrix: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let end = after
            .find("}}")
            .unwrap_or_else(|| panic!("unclosed expression in {template}"));
        let expr = after[..end].trim();
        let name = expr
            .strip_prefix("matrix.")
            .unwrap_or_else(|| panic!("the test does not evaluate `{expr}` in {template}"));
        out.push_str(
            matrix
                .get(name)
                .unwrap_or_else(|| panic!("no matrix.{name}")),
        );
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Whether a step runs, given whether every step before it succeeded. The example uses
/// only the default (`success()`) and `${{ !cancelled() }}` on pgx steps.
fn runs(step: &Value, all_succeeded: bool) -> bool {
    match text(step, "if").map(str::trim) {
        None => all_succeeded,
        Some("${{ !cancelled() }}" | "!cancelled()" | "${{ always() }}" | "always()") => true,
        Some(other) => panic!("the test does not evaluate `if: {other}` on a pgx step"),
    }
}

fn env_of(value: &Value, matrix: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let Some(env) = value.get("env").and_then(Value::as_mapping) else {
        return Vec::new();
    };
    env.iter()
        .map(|(k, v)| {
            let k = k.as_str().expect("env name").to_owned();
            let v = match v {
                Value::String(s) => expand(s, matrix),
                other => serde_yaml::to_string(other)
                    .expect("scalar")
                    .trim()
                    .to_owned(),
            };
            (k, v)
        })
        .collect()
}

/// `PATH` with the pgx under test first.
fn path_with_pgx() -> std::ffi::OsString {
    let pgx = Path::new(env!("CARGO_BIN_EXE_pgx"));
    let mut dirs = vec![pgx.parent().expect("pgx has a folder").to_path_buf()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).expect("PATH")
}

struct StepRun {
    name: String,
    output: Output,
}

/// Runs the pgx steps of the job for one matrix entry in `checkout`.
fn run_pgx_steps(
    workflow: &Value,
    matrix: &BTreeMap<String, String>,
    checkout: &Path,
) -> Vec<StepRun> {
    let job = job(workflow);
    let mut env = env_of(workflow, matrix);
    env.extend(env_of(job, matrix));
    let defaults = job.get("defaults").and_then(|d| d.get("run"));
    let default_shell = defaults.and_then(|d| text(d, "shell"));
    let default_dir = defaults.and_then(|d| text(d, "working-directory"));

    let mut all_succeeded = true;
    let mut runs_done = Vec::new();
    for step in steps(job) {
        let Some(script) = text(step, "run") else {
            continue; // a GitHub action (`uses:`)
        };
        if !calls_pgx(script) {
            continue; // installing pgx: the binary under test is on PATH instead
        }
        if !runs(step, all_succeeded) {
            continue;
        }
        let shell = text(step, "shell").or(default_shell);
        let argv: Vec<&str> = match shell {
            Some("sh") => vec!["sh", "-e", "-c"],
            Some("bash") | None => vec!["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"],
            Some(other) => panic!("the test does not run shell {other}"),
        };
        let dir = match text(step, "working-directory").or(default_dir) {
            Some(d) => checkout.join(d),
            None => checkout.to_path_buf(),
        };
        let mut step_env = env.clone();
        step_env.extend(env_of(step, matrix));
        let output = Command::new(argv[0])
            .args(&argv[1..])
            .arg(script)
            .current_dir(dir)
            .env_clear()
            .env("PATH", path_with_pgx())
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", checkout)
            .envs(step_env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .output()
            .unwrap_or_else(|e| panic!("running {script}: {e}"));
        all_succeeded &= output.status.success();
        runs_done.push(StepRun {
            name: text(step, "name").unwrap_or(script).to_owned(),
            output,
        });
    }
    runs_done
}

fn describe(run: &StepRun) -> String {
    format!(
        "step `{}` exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        run.name,
        run.output.status.code(),
        String::from_utf8_lossy(&run.output.stdout),
        String::from_utf8_lossy(&run.output.stderr)
    )
}

/// One line of `--format github` output, taken apart; `None` unless it matches
/// `^::(error|warning) file=[^,]+,line=\d+,col=\d+,title=PGX\d{3}::.+$`.
#[derive(Debug)]
struct Annotation {
    level: String,
    file: String,
    title: String,
}

fn parse_annotation(line: &str) -> Option<Annotation> {
    let (level, rest) = line
        .strip_prefix("::error ")
        .map(|r| ("error", r))
        .or_else(|| line.strip_prefix("::warning ").map(|r| ("warning", r)))?;
    let rest = rest.strip_prefix("file=")?;
    let comma = rest.find(',')?;
    let file = &rest[..comma];
    if file.is_empty() {
        return None;
    }
    let digits = |s: &str, key: &str| -> Option<usize> {
        let s = s.strip_prefix(key)?;
        let n = s.chars().take_while(char::is_ascii_digit).count();
        (n > 0).then_some(n + key.len())
    };
    let rest = &rest[comma + 1..];
    let n = digits(rest, "line=")?;
    let rest = rest[n..].strip_prefix(',')?;
    let n = digits(rest, "col=")?;
    let rest = rest[n..].strip_prefix(',')?;
    let rest = rest.strip_prefix("title=")?;
    let n = digits(rest, "PGX")?;
    if n != 6 {
        return None;
    }
    let title = &rest[..n];
    let message = rest[n..].strip_prefix("::")?;
    if message.is_empty() {
        return None;
    }
    Some(Annotation {
        level: level.to_owned(),
        file: file.to_owned(),
        title: title.to_owned(),
    })
}

fn annotations(run: &StepRun) -> Vec<Annotation> {
    String::from_utf8(run.output.stdout.clone())
        .expect("stdout is UTF-8")
        .lines()
        .filter(|line| !line.is_empty())
        .map(|line| {
            parse_annotation(line).unwrap_or_else(|| {
                panic!("not a GitHub workflow command: {line:?}\n{}", describe(run))
            })
        })
        .collect()
}

/// The file a SARIF result points at, resolved the way upload-sarif does: relative to the
/// checkout, or an absolute `file://` URI.
fn sarif_location(result: &serde_json::Value, checkout: &Path) -> PathBuf {
    let uri = result
        .pointer("/locations/0/physicalLocation/artifactLocation/uri")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_else(|| panic!("a result without a location: {result}"));
    match uri.strip_prefix("file://") {
        Some(absolute) => PathBuf::from(absolute),
        None => checkout.join(uri),
    }
}

fn read_sarif(path: &Path) -> serde_json::Value {
    let text = fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("the upload step reads {}: {e}", path.display()));
    let log: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("SARIF is not JSON: {e}\n{text}"));
    assert_eq!(log["version"], "2.1.0", "{text}");
    assert!(
        log["runs"][0]["results"].is_array(),
        "runs[0].results: {text}"
    );
    log
}

/// The checkout the job sees: values files where the workflow's PGX_VALUES points.
fn checkout_for(environment_files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (at, fixture) in environment_files {
        let target = dir.path().join(at);
        fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        fs::copy(repo_path(fixture), target).expect("copy fixture");
    }
    dir
}

fn matrix(environment: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("environment".to_owned(), environment.to_owned())])
}

/// The path `sarif_file` of the upload step names, in the checkout.
fn uploaded_sarif(workflow: &Value, matrix: &BTreeMap<String, String>, checkout: &Path) -> PathBuf {
    let upload = steps(job(workflow))
        .iter()
        .find(|s| {
            text(s, "uses").is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    let file = upload
        .get("with")
        .and_then(|w| text(w, "sarif_file"))
        .expect("with.sarif_file");
    checkout.join(expand(file, matrix))
}

#[test]
fn docs_show_the_workflow_verbatim() {
    let doc = read_text(DOC);
    let workflow = read_text(WORKFLOW);
    assert!(
        doc.contains(&format!("```yaml\n{workflow}```\n")),
        "{DOC} must include {WORKFLOW} unchanged in a ```yaml block"
    );
}

#[test]
fn workflow_can_upload_sarif_and_installs_pgx_reproducibly() {
    let workflow = workflow();
    let job = job(&workflow);
    let permissions = job.get("permissions").expect("job permissions");
    assert_eq!(text(permissions, "security-events"), Some("write"));
    assert_eq!(text(permissions, "contents"), Some("read"));

    let steps = steps(job);
    let pgx_steps: Vec<&str> = steps
        .iter()
        .filter_map(|s| text(s, "run"))
        .filter(|r| calls_pgx(r))
        .collect();
    assert!(
        pgx_steps.iter().any(|r| r.contains("--format github")),
        "{pgx_steps:?}"
    );
    assert!(
        pgx_steps.iter().any(|r| r.contains("--format sarif")),
        "{pgx_steps:?}"
    );
    let install = steps
        .iter()
        .filter_map(|s| text(s, "run"))
        .find(|r| r.contains("cargo install"))
        .expect("a step that installs pgx");
    assert!(install.contains("--locked"), "{install}");

    let upload = steps
        .iter()
        .find(|s| {
            text(s, "uses").is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    assert!(
        runs(upload, false),
        "the SARIF must be uploaded when lint fails"
    );
    let category = upload.get("with").and_then(|w| text(w, "category"));
    assert!(
        category.is_some_and(|c| c.contains("${{ matrix.")),
        "one category per matrix entry, or each upload replaces the last"
    );
}

#[test]
fn clean_values_pass_both_lint_steps() {
    let workflow = workflow();
    let matrix = matrix("staging");
    let checkout = checkout_for(&[("postgres/values-staging.yaml", CLEAN_VALUES)]);
    let runs = run_pgx_steps(&workflow, &matrix, checkout.path());
    assert_eq!(runs.len(), 2, "both pgx steps run");
    for run in &runs {
        assert!(run.output.status.success(), "{}", describe(run));
    }
    let github = &runs[0];
    let found = annotations(github);
    assert!(
        found.iter().all(|a| a.level != "error"),
        "clean values produced errors: {found:?}"
    );
    let log = read_sarif(&uploaded_sarif(&workflow, &matrix, checkout.path()));
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(
        results.iter().all(|r| r["level"] != "error"),
        "clean values produced errors: {results:?}"
    );
}

#[test]
fn errors_fail_the_job_and_reach_annotations_and_code_scanning() {
    let workflow = workflow();
    let matrix = matrix("production");
    let checkout = checkout_for(&[("postgres/values-production.yaml", BROKEN_VALUES)]);
    let runs = run_pgx_steps(&workflow, &matrix, checkout.path());
    assert_eq!(
        runs.len(),
        2,
        "the SARIF step runs although the first failed"
    );

    let github = &runs[0];
    assert_eq!(github.output.status.code(), Some(1), "{}", describe(github));
    let found = annotations(github);
    let pgx204 = found
        .iter()
        .find(|a| a.level == "error" && a.title == "PGX204")
        .unwrap_or_else(|| panic!("no PGX204 error annotation: {found:?}"));
    for annotation in &found {
        assert!(
            checkout.path().join(&annotation.file).is_file(),
            "GitHub places annotations by repository-relative path; {} is not one",
            annotation.file
        );
    }
    assert_eq!(pgx204.file, "postgres/values-production.yaml");

    let sarif = &runs[1];
    assert_eq!(sarif.output.status.code(), Some(1), "{}", describe(sarif));
    let log = read_sarif(&uploaded_sarif(&workflow, &matrix, checkout.path()));
    let results = log["runs"][0]["results"].as_array().expect("results");
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "PGX204")
        .unwrap_or_else(|| panic!("no PGX204 result: {results:?}"));
    assert_eq!(result["level"], "error");
    let file = sarif_location(result, checkout.path());
    assert!(
        file.is_file(),
        "code scanning could not place the alert: {}",
        file.display()
    );
}

#[test]
fn annotation_pattern_is_exact() {
    let good =
        "::error file=postgres/values-production.yaml,line=57,col=13,title=PGX204::admin open";
    assert!(parse_annotation(good).is_some());
    assert!(parse_annotation("::warning file=a.yaml,line=1,col=1,title=PGX307::m").is_some());
    for bad in [
        "::notice file=a.yaml,line=1,col=1,title=PGX204::m",
        "::error file=,line=1,col=1,title=PGX204::m",
        "::error file=a.yaml,line=x,col=1,title=PGX204::m",
        "::error file=a.yaml,line=1,col=1,title=PGX20::m",
        "::error file=a.yaml,line=1,col=1,title=PGX2045::m",
        "::error file=a.yaml,line=1,col=1,title=PGX204::",
        "error: PGX204",
    ] {
        assert!(parse_annotation(bad).is_none(), "{bad}");
    }
}
