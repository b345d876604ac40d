//! Determinism (issue #6): the same values give the same bytes, in one process and across
//! processes (each process hashes with its own random seed, so a `HashMap` order that
//! leaked into the output shows up here), and reordering the keys of the maps in a values
//! file never changes the output.
//!
//! The values are every values file of the project (`values/`, `tests/fixtures/render/`)
//! and of shared/compat (`PGX_SHARED`, or `../shared` beside the repository, when present).

use std::path::{Path, PathBuf};
use std::process::Command;

use pgx::yaml::{Content, Node, Style};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn values_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["values", "tests/fixtures/render"] {
        files.extend(yaml_in(&repo().join(dir)));
    }
    let shared = std::env::var_os("PGX_SHARED")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"));
    if let Ok(kinds) = std::fs::read_dir(shared.join("compat")) {
        let mut kinds: Vec<PathBuf> = kinds.flatten().map(|k| k.path()).collect();
        kinds.sort();
        for kind in kinds {
            files.extend(
                yaml_in(&kind)
                    .into_iter()
                    .filter(|p| p.to_string_lossy().ends_with(".values.yaml")),
            );
        }
    }
    assert!(files.len() >= 3, "no values files found: {files:?}");
    files
}

fn yaml_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// What pgx answers for these values, in-process: the stream, or the blocking findings.
fn outcome(text: &str) -> Result<String, Vec<String>> {
    let input = pgx::load::ValuesInput {
        files: vec!["-".to_owned()],
        set: Vec::new(),
        set_string: Vec::new(),
        max_file_size: pgx::load::DEFAULT_MAX_FILE_SIZE,
    };
    let loaded = pgx::load::load(&input, &mut text.as_bytes()).expect("values load");
    // The empty chart defaults are rendered too: PGX105 is not what is tested here.
    let options = pgx::lint::LintOptions {
        ignore: Vec::new(),
        allow_empty: true,
    };
    let findings = pgx::lint::lint(&loaded, &options);
    let mut blocking: Vec<String> = findings
        .iter()
        .filter(|f| f.blocks())
        .map(|f| format!("{} {}", f.code, f.path))
        .collect();
    if !blocking.is_empty() {
        blocking.sort();
        return Err(blocking);
    }
    let values = loaded.values.as_ref().expect("values decode");
    let rendered = pgx::render::Renderer::new()
        .expect("templates compile")
        .render(values)
        .expect("render");
    Ok(rendered.stream(&[]))
}

/// The file's values written back as YAML with the keys of every map in reverse order,
/// lists kept in order, every scalar keeping what it means (plain scalars stay plain, so
/// `5432` and `true` keep their types; others are double-quoted).
fn reversed(node: &Node) -> String {
    let mut out = String::new();
    match &node.content {
        Content::Map(entries) if !entries.is_empty() => {
            for entry in entries.iter().rev() {
                out.push_str(&pgx::yaml::quoted(&entry.key));
                out.push(':');
                write_value(&entry.value, 0, &mut out);
            }
        }
        _ => panic!("a values file is a mapping"),
    }
    out
}

fn write_value(node: &Node, indent: usize, out: &mut String) {
    match &node.content {
        Content::Scalar(s) => {
            out.push(' ');
            if s.style == Style::Plain {
                // A plain scalar holds no `: `, ` #` or line break, so it stays one plain
                // scalar in block context.
                out.push_str(&s.text);
            } else {
                out.push_str(&pgx::yaml::quoted(&s.text));
            }
            out.push('\n');
        }
        Content::Map(entries) if entries.is_empty() => out.push_str(" {}\n"),
        Content::Seq(items) if items.is_empty() => out.push_str(" []\n"),
        Content::Map(entries) => {
            out.push('\n');
            for entry in entries.iter().rev() {
                out.push_str(&" ".repeat(indent + 2));
                out.push_str(&pgx::yaml::quoted(&entry.key));
                out.push(':');
                write_value(&entry.value, indent + 2, out);
            }
        }
        Content::Seq(items) => {
            out.push('\n');
            for item in items {
                out.push_str(&" ".repeat(indent + 2));
                out.push('-');
                write_value(item, indent + 2, out);
            }
        }
    }
}

fn parse(text: &str) -> Node {
    pgx::yaml::parse_document(text, pgx::yaml::SourceId(0), &pgx::yaml::Limits::default())
        .expect("values parse")
        .expect("values are not empty")
}

#[test]
fn the_same_values_give_the_same_bytes_in_one_process() {
    for file in values_files() {
        let text = std::fs::read_to_string(&file).expect("read values");
        let first = outcome(&text);
        for _ in 0..3 {
            assert_eq!(outcome(&text), first, "{}", file.display());
        }
    }
}

#[test]
fn the_same_values_give_the_same_bytes_across_processes() {
    let run = |file: &Path| {
        Command::new(env!("CARGO_BIN_EXE_pgx"))
            .args(["render", "--allow-empty", "-f"])
            .arg(file)
            .env_remove("PGX_VALUES")
            .env("NO_COLOR", "1")
            .output()
            .expect("pgx runs")
    };
    let mut rendered = 0;
    for file in values_files() {
        let a = run(&file);
        let b = run(&file);
        assert_eq!(a.status.code(), b.status.code(), "{}", file.display());
        assert_eq!(a.stdout, b.stdout, "{}", file.display());
        assert_eq!(a.stderr, b.stderr, "{}", file.display());
        if a.status.success() {
            rendered += 1;
            // And the binary prints what the library renders.
            let text = std::fs::read_to_string(&file).expect("read values");
            assert_eq!(
                outcome(&text).ok().map(String::into_bytes),
                Some(a.stdout),
                "{}",
                file.display()
            );
        }
    }
    assert!(rendered >= 2, "too few values files rendered to compare");
}

#[test]
fn reordering_map_keys_never_changes_the_output() {
    let mut rendered = 0;
    for file in values_files() {
        let text = std::fs::read_to_string(&file).expect("read values");
        let variant = reversed(&parse(&text));
        // The variant holds the same values, in another order.
        assert_eq!(
            parse(&variant).to_json(),
            parse(&text).to_json(),
            "{}",
            file.display()
        );
        let original = outcome(&text);
        assert_eq!(
            outcome(&variant),
            original,
            "{}: reversing the keys of its maps changed the output\n{variant}",
            file.display()
        );
        rendered += usize::from(original.is_ok());
    }
    assert!(rendered >= 2, "too few values files rendered to compare");
}

#[test]
fn the_reversed_variant_really_reverses() {
    let variant = reversed(&parse("a: 1\nb:\n  c: x\n  d: [2, {e: 'y', f: null}]\n"));
    assert_eq!(
        variant,
        "\"b\":\n  \"d\":\n    - 2\n    -\n      \"f\": null\n      \"e\": \"y\"\n  \"c\": x\n\"a\": 1\n"
    );
}

#[path = "bench/generate_fleet.rs"]
#[allow(dead_code)]
mod generate_fleet;

#[test]
fn the_number_of_render_threads_never_changes_the_output() {
    // 300 clusters with TLS and three endpoints each: enough for several threads (one
    // takes at least 64 clusters).
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("fleet.yaml");
    std::fs::write(&file, generate_fleet::fleet(300)).expect("write fleet");
    let render = |jobs: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_pgx"))
            .args(["render", "--jobs", jobs, "-f"])
            .arg(&file)
            .env_remove("PGX_VALUES")
            .output()
            .expect("pgx runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    };
    let one = render("1");
    assert_eq!(
        String::from_utf8_lossy(&one)
            .matches("\nkind: postgresql\n")
            .count(),
        300
    );
    for jobs in ["2", "3", "4"] {
        assert!(render(jobs) == one, "--jobs {jobs} changed the output");
    }
}
