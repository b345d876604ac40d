//! Hostile input (issue #6, cli.md "Behaviour every command shares"): whatever a values
//! file holds, `pgx render` and `pgx lint` answer with exit 2, nothing on standard output
//! and one clear line on standard error naming the file (and line where there is one), in
//! bounded time; or they render correct output.
//!
//! Every run goes through the built binary, killed after [`GUARD`]: a hang fails the test
//! instead of stalling the suite. There are no timing assertions beyond that guard; the
//! figures for the billion-laughs file (well under a second and 100 MiB) are measured with
//! `/usr/bin/time -v` by hand (fuzz/README.md).
//!
//! The second half replays, through the same function the fuzz target runs
//! (`fuzz/src/check.rs`), every values file of the project, of shared/compat, and every
//! input fuzzing found a crash or hang with (`tests/fixtures/hostile/`).

#[path = "../fuzz/src/check.rs"]
#[allow(dead_code)]
mod check;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long one run of pgx may take before it counts as a hang (debug build, loaded CI).
const GUARD: Duration = Duration::from_secs(10);

fn pgx() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pgx"));
    command
        .env_remove("PGX_VALUES")
        .env_remove("ARGOCD_ENV_PGX_VALUES")
        .env_remove("ARGOCD_APP_PARAMETERS")
        .env("NO_COLOR", "1");
    command
}

/// Runs pgx with `args`, feeding `stdin`, and kills it after [`GUARD`].
fn run_with_stdin(args: &[&str], stdin: &[u8], dir: &Path) -> Output {
    let mut child = pgx()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pgx starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    let stdin = stdin.to_vec();
    // pgx may stop reading early (a size limit): a broken pipe here is expected.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let read_all = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = r.read_to_end(&mut bytes);
            bytes
        })
    };
    let out = read_all(Box::new(stdout));
    let err = read_all(Box::new(stderr));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for pgx") {
            break status;
        }
        if started.elapsed() > GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pgx {args:?} ran longer than {GUARD:?}: a hang");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let _ = writer.join();
    Output {
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

fn run(args: &[&str], dir: &Path) -> Output {
    run_with_stdin(args, b"", dir)
}

/// A folder with one file `name` holding `bytes`.
fn with_file(name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(name), bytes).expect("write fixture");
    dir
}

/// What every refusal of unreadable input looks like: exit 2, empty standard output, and
/// exactly one line on standard error that starts with `error:` and contains each of
/// `expected`. Returns that line.
fn assert_refused(output: &Output, expected: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(2),
        "expected exit 2; stderr:\n{stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "standard output must stay empty, got {} bytes",
        output.stdout.len()
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "expected one line on stderr, got:\n{stderr}"
    );
    let line = lines[0];
    assert!(line.starts_with("error: "), "{line}");
    for needle in expected {
        assert!(line.contains(needle), "`{needle}` missing from: {line}");
    }
    line.to_owned()
}

/// Runs `render -f FILE`, `lint -f FILE` and `lint --format json -f FILE` on `bytes` and
/// checks each is refused with a message holding `expected` (`{file}` stands for the
/// file name).
fn assert_file_refused(bytes: &[u8], expected: &[&str]) {
    let dir = with_file("values.yaml", bytes);
    let expected: Vec<String> = expected
        .iter()
        .map(|e| e.replace("{file}", "values.yaml"))
        .collect();
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    for args in [
        &["render", "-f", "values.yaml"][..],
        &["lint", "-f", "values.yaml"][..],
        &["lint", "--format", "json", "-f", "values.yaml"][..],
    ] {
        assert_refused(&run(args, dir.path()), &expected);
    }
}

/// Each level holds nine aliases of the one before: 9^9 (387 million) strings expanded.
fn billion_laughs() -> String {
    let mut text = String::from("a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for i in 1..10 {
        let aliases = vec![format!("*a{}", i - 1); 9].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{aliases}]\n"));
    }
    text
}

const VALID: &str = "pgClusters:\n  - name: main\n    namespace: db\n";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------

#[test]
fn billion_laughs_is_refused_at_the_alias_budget() {
    assert_file_refused(
        billion_laughs().as_bytes(),
        &["{file}:", "copy more than 100000 nodes", "alias bomb"],
    );
}

#[test]
fn an_alias_bomb_through_merge_keys_is_refused_too() {
    let mut text = String::from("m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!(
            "m{i}: &m{i} {{x: *m{p}, y: *m{p}, z: *m{p}, w: *m{p}, v: *m{p}, u: *m{p}}}\n"
        ));
    }
    assert_file_refused(text.as_bytes(), &["{file}:", "alias bomb"]);
}

#[test]
fn nested_anchors_without_a_single_alias_are_refused_too() {
    // Each anchored level was kept as a copy of its whole subtree: 30 levels of 50,000
    // items (3 MB of input) took 2.3 GB and 23 s before anchors were charged; here the
    // same shape, smaller (yaml.rs tests the budget itself).
    let inner = format!("[{}]", vec!["1"; 5_000].join(","));
    let mut text = String::from("a: ");
    for k in 0..30 {
        text.push_str(&format!("&x{k} [{inner}, "));
    }
    text.push('0');
    text.push_str(&"]".repeat(30));
    text.push('\n');
    assert_file_refused(text.as_bytes(), &["{file}:1:", "alias bomb"]);
}

#[test]
fn ten_thousand_open_brackets_are_refused_as_too_deep() {
    assert_file_refused(
        "[".repeat(10_000).as_bytes(),
        &["{file}:1:", "nesting deeper than"],
    );
    assert_file_refused(
        format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).as_bytes(),
        &["{file}:1:", "nesting deeper than"],
    );
    assert_file_refused(
        format!("a: {}", "{a: ".repeat(10_000)).as_bytes(),
        &["{file}:1:", "nesting deeper than"],
    );
}

#[test]
fn deeply_indented_block_mappings_are_refused_as_too_deep() {
    let text: String = (0..2_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    assert_file_refused(text.as_bytes(), &["{file}:", "nesting deeper than"]);
}

#[test]
fn a_file_over_the_size_limit_is_refused_and_the_flag_raises_the_limit() {
    // A valid values file padded with comments past the limit.
    let mut text = String::from(VALID);
    while text.len() < 4096 {
        text.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    let dir = with_file("values.yaml", text.as_bytes());
    for command in ["render", "lint"] {
        let refused = run(
            &[command, "--max-file-size", "1024", "-f", "values.yaml"],
            dir.path(),
        );
        assert_refused(
            &refused,
            &["values.yaml", "larger than 1024 bytes", "--max-file-size"],
        );
    }
    let rendered = run(
        &["render", "--max-file-size", "8192", "-f", "values.yaml"],
        dir.path(),
    );
    assert_eq!(
        rendered.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    assert!(String::from_utf8_lossy(&rendered.stdout).contains("kind: postgresql"));
    // Standard input is held to the same limit.
    let stdin = run_with_stdin(
        &["render", "--max-file-size", "1024", "-f", "-"],
        text.as_bytes(),
        dir.path(),
    );
    assert_refused(&stdin, &["larger than 1024 bytes"]);
}

#[test]
fn a_file_of_tiny_values_is_refused_at_the_node_limit_which_the_flag_raises() {
    // One node per 8 bytes of the size limit: 1,024 bytes allow 128 nodes. A tree costs
    // about a hundred bytes a node, so without this limit 16 MiB of `1,` took 850 MB.
    let text = format!("lint:\n  ignore: [{}]\n", "1,".repeat(200));
    let dir = with_file("values.yaml", text.as_bytes());
    let refused = run(
        &["lint", "--max-file-size", "1024", "-f", "values.yaml"],
        dir.path(),
    );
    assert_refused(
        &refused,
        &["values.yaml:2:", "more than 128 values", "--max-file-size"],
    );
    let read = run(
        &["lint", "--max-file-size", "4096", "-f", "values.yaml"],
        dir.path(),
    );
    assert_ne!(read.status.code(), Some(2), "{read:?}");
}

#[test]
fn the_default_limit_is_16_mib_and_stops_an_endless_stream() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 17 MiB on standard input: pgx stops reading at the limit, whatever follows.
    let big = vec![b'#'; 17 * 1024 * 1024];
    let output = run_with_stdin(&["render", "-f", "-"], &big, dir.path());
    assert_refused(&output, &["-", "larger than 16777216 bytes"]);
}

#[test]
fn bytes_that_are_not_utf8_are_refused_with_their_place() {
    assert_file_refused(
        b"pgClusters:\n  - name: \xff\xfe\n",
        &["{file}:2:11:", "not UTF-8"],
    );
    // Latin-1 text, as an editor with the wrong setting saves it.
    assert_file_refused(
        b"clusterDomain: caf\xe9.local\n",
        &["{file}:1:19:", "not UTF-8"],
    );
}

#[test]
fn a_utf16_byte_order_mark_names_the_encoding() {
    let text = "pgClusters: []\n";
    let mut le = vec![0xff, 0xfe];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_file_refused(
        &le,
        &["{file}:1:1:", "UTF-16 (little-endian)", "must be UTF-8"],
    );
    let mut be = vec![0xfe, 0xff];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    assert_file_refused(
        &be,
        &["{file}:1:1:", "UTF-16 (big-endian)", "must be UTF-8"],
    );
    let mut utf32 = vec![0xff, 0xfe, 0x00, 0x00];
    utf32.extend(text.chars().flat_map(|c| u32::from(c).to_le_bytes()));
    assert_file_refused(&utf32, &["{file}:1:1:", "UTF-32 (little-endian)"]);
}

#[test]
fn a_leading_utf8_byte_order_mark_is_accepted_and_changes_nothing() {
    let plain = std::fs::read(repo().join("values/production.yaml")).expect("production values");
    let mut with_bom = vec![0xef, 0xbb, 0xbf];
    with_bom.extend_from_slice(&plain);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("plain.yaml"), &plain).expect("write");
    std::fs::write(dir.path().join("bom.yaml"), &with_bom).expect("write");
    let a = run(&["render", "-f", "plain.yaml"], dir.path());
    let b = run(&["render", "-f", "bom.yaml"], dir.path());
    assert_eq!(
        b.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&b.stderr)
    );
    assert!(!b.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout, "a BOM must not change the output");
    // Positions on the first line do not count the BOM.
    let dir = with_file("values.yaml", b"\xef\xbb\xbfbogus: 1\n");
    let lint = run(&["lint", "-f", "values.yaml"], dir.path());
    let stderr = String::from_utf8_lossy(&lint.stderr);
    assert!(stderr.contains("values.yaml:1:1"), "{stderr}");
}

#[test]
fn duplicate_keys_name_both_lines() {
    let line = {
        let dir = with_file(
            "values.yaml",
            b"createNamespaces: true\nclusterDomain: x\ncreateNamespaces: false\n",
        );
        assert_refused(
            &run(&["render", "-f", "values.yaml"], dir.path()),
            &["values.yaml:3:1:", "duplicate key `createNamespaces`"],
        )
    };
    assert!(line.contains("line 1"), "{line}");
    assert!(line.contains("line 3"), "{line}");
    // Nested, in a list item, and written once plain and once quoted.
    assert_file_refused(
        b"pgClusters:\n  - name: a\n    namespace: b\n    \"name\": c\n",
        &["{file}:4:5:", "duplicate key `name`", "line 2", "line 4"],
    );
}

#[test]
fn tabs_used_as_indentation_are_refused() {
    assert_file_refused(
        b"pgClusters:\n\t- name: a\n\t  namespace: b\n",
        &["{file}:2:", "tab", "spaces"],
    );
    assert_file_refused(b"tls:\n\tcreateIssuer: true\n", &["{file}:2:", "tab"]);
}

#[test]
fn a_values_file_must_be_a_mapping() {
    assert_file_refused(
        b"- a\n- b\n",
        &["{file}:1:1:", "must be a mapping", "found a list"],
    );
    assert_file_refused(
        b"hello\n",
        &["{file}:1:1:", "must be a mapping", "found a string"],
    );
    assert_file_refused(b"42\n", &["{file}:1:1:", "found a number"]);
    assert_file_refused(b"\"quoted\"\n", &["{file}:1:1:", "found a string"]);
}

#[test]
fn other_malformed_yaml_is_refused_on_one_line() {
    for (text, expected) in [
        (&b"a: 1\n---\nb: 2\n"[..], "one YAML document"),
        (b"a: *nowhere\n", "unknown anchor"),
        (b"a: [1, 2\n", "invalid YAML"),
        (b"a: \"unterminated\n", "invalid YAML"),
        (b"? [complex]\n: key\n", "keys must be plain strings"),
        (b"a: {b: 1\n  c: 2\n", "invalid YAML"),
        (b"a:\n  <<: 5\n", "merge key"),
        (b"a: b: c\n", "invalid YAML"),
        (b"%YAML 9.9\n--- \na: 1\n", "invalid YAML"),
        (b"\x00", "invalid YAML"),
    ] {
        assert_file_refused(text, &["{file}:", expected]);
    }
}

#[test]
fn a_key_in_a_message_cannot_forge_diagnostic_lines() {
    // A duplicate key holding a line break and a fake diagnostic.
    assert_file_refused(
        b"\"a\\nerror: forged\": 1\n\"a\\nerror: forged\": 2\n",
        &["{file}:2:1:", "duplicate key", "\\n"],
    );
}

// ---------------------------------------------------------------------------------------
// Size that is not depth: bounded time (the guard) and bounded output
// ---------------------------------------------------------------------------------------

#[test]
fn forty_thousand_unknown_keys_give_a_bounded_report_in_bounded_time() {
    // Quoting each finding's line by scanning the file from its start made this quadratic
    // (200,000 keys: over a minute).
    let text: String = (0..40_000).map(|i| format!("k{i}: 1\n")).collect();
    let dir = with_file("values.yaml", text.as_bytes());
    let output = run(&["lint", "-f", "values.yaml"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("more findings about keys are not listed"),
        "{}",
        &stderr[stderr.len().saturating_sub(2000)..]
    );
    assert!(
        output.stderr.len() < 2_000_000,
        "the report grew with the input: {} bytes",
        output.stderr.len()
    );
}

#[test]
fn long_flow_lists_and_long_lines_stay_linear() {
    // 100,000 items on one line: a column computed by scanning back to the line start per
    // item was quadratic (400,000 items: 32 s).
    let text = format!("lint:\n  ignore: [{}]\n", "PGX999,".repeat(100_000));
    let dir = with_file("values.yaml", text.as_bytes());
    let output = run(&["lint", "-f", "values.yaml"], dir.path());
    assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
    // A value of 2 MiB on one line, under a key that is reported.
    let text = format!("bogus: {}\n", "k".repeat(2 << 20));
    let dir = with_file("values.yaml", text.as_bytes());
    let output = run(&["lint", "-f", "values.yaml"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    // The report quotes the part of the line around the finding, not megabytes of it.
    let text = format!(
        "pgClusters: [{{name: a, namespace: b, labels: {{{}}}, bogus: 1}}]\n",
        (0..100_000)
            .map(|i| format!("k{i}: v"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let dir = with_file("values.yaml", text.as_bytes());
    let output = run(&["lint", "-f", "values.yaml"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("k99999: v}, bogus: 1}]"), "{stderr}");
    assert!(stderr.contains("| …"), "{stderr}");
    assert!(output.stderr.len() < 4_000, "{} bytes", output.stderr.len());
}

#[test]
fn two_hundred_clusters_render_within_the_guard() {
    let mut text = String::from("pgClusters:\n");
    for i in 0..200 {
        text.push_str(&format!("  - {{name: c{i}, namespace: ns{i}}}\n"));
    }
    let dir = with_file("values.yaml", text.as_bytes());
    let output = run(&["render", "-f", "values.yaml"], dir.path());
    assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
    if output.status.code() == Some(1) {
        assert!(output.stdout.is_empty());
    }
}

// ---------------------------------------------------------------------------------------
// --set arguments
// ---------------------------------------------------------------------------------------

#[test]
fn aliases_cannot_nest_values_deeper_than_the_limit() {
    // Chained aliases, each 58 levels deep, nested the values 170 levels deep in a 1 KiB
    // file (1,700 within the node budget): a render failed inside a template.
    let fixture = repo().join("tests/fixtures/hostile/chained-aliases-too-deep.yaml");
    let bytes = std::fs::read(fixture).expect("fixture");
    assert_file_refused(&bytes, &["{file}:6:", "nesting deeper than 64 levels"]);
}

#[test]
fn a_set_key_path_deeper_than_values_may_nest_is_refused() {
    // `--set a.a.a…=1` with 60,000 steps overflowed the stack (exit 134, no message).
    let dir = with_file("values.yaml", VALID.as_bytes());
    for argument in [
        format!("{}=1", vec!["a"; 60_000].join(".")),
        format!("pgClusters[0]{}=1", "[0]".repeat(10_000)),
    ] {
        let output = run(
            &["render", "-f", "values.yaml", "--set", &argument],
            dir.path(),
        );
        assert_refused(&output, &["--set", "a key path of more than 64 steps"]);
    }
}

#[test]
fn a_set_argument_may_end_at_a_list_index_as_helm_takes_it() {
    let dir = with_file("values.yaml", VALID.as_bytes());
    let output = run(
        &[
            "render",
            "-f",
            "values.yaml",
            "--set",
            "pgClusters[0].maintenanceWindows[0]=Sat:01:00-02:00",
        ],
        dir.path(),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Sat:01:00-02:00"));
}

#[test]
fn malformed_set_arguments_are_refused_on_one_line() {
    let dir = with_file("values.yaml", VALID.as_bytes());
    for argument in [
        "novalue",
        "a[x]=1",
        "a={1,2",
        "a[99999999]=1",
        "=1",
        "a..b=1",
        "a[",
    ] {
        let output = run(
            &["render", "-f", "values.yaml", "--set", argument],
            dir.path(),
        );
        assert_refused(&output, &["--set"]);
    }
}

// ---------------------------------------------------------------------------------------
// Replays through the fuzz target's own checks
// ---------------------------------------------------------------------------------------

fn yaml_files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files_under(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "bin" || e == "txt")
        {
            out.push(path);
        }
    }
}

/// Every values file the fuzz corpus is seeded from (fuzz/seed.sh) goes through the fuzz
/// target's checks: the smoke run that needs no fuzzer.
#[test]
fn the_seed_corpus_passes_the_fuzz_checks() {
    let mut files = Vec::new();
    yaml_files_under(&repo().join("values"), &mut files);
    yaml_files_under(&repo().join("tests/fixtures"), &mut files);
    let shared = std::env::var_os("PGX_SHARED")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"));
    if let Ok(kinds) = std::fs::read_dir(shared.join("compat")) {
        for kind in kinds.flatten() {
            if let Ok(entries) = std::fs::read_dir(kind.path()) {
                files.extend(
                    entries
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.to_string_lossy().ends_with(".values.yaml")),
                );
            }
        }
    }
    assert!(files.len() > 5, "seed files not found: {files:?}");
    for file in &files {
        let bytes = std::fs::read(file).expect("read seed");
        let result = std::panic::catch_unwind(|| check::check_values(&bytes));
        assert!(result.is_ok(), "{} failed the fuzz checks", file.display());
    }
}

/// Every input fuzzing found a crash or hang with, and the hostile cases above, stay fixed.
#[test]
fn the_crashes_fuzzing_found_stay_fixed() {
    let mut files = Vec::new();
    yaml_files_under(&repo().join("tests/fixtures/hostile"), &mut files);
    for file in &files {
        let bytes = std::fs::read(file).expect("read fixture");
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let result = std::panic::catch_unwind(|| {
            if name.starts_with("set-") {
                check::check_set_arguments(&bytes);
            } else {
                check::check_values(&bytes);
            }
        });
        assert!(result.is_ok(), "{} fails again", file.display());
    }
    for bytes in [
        billion_laughs().into_bytes(),
        "[".repeat(10_000).into_bytes(),
    ] {
        check::check_values(&bytes);
    }
}
