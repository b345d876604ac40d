//! The block reader (`src/yaml/block.rs`), which `parse_document` tries before the full
//! parser on every values file, against the full parser: whatever it accepts, the full
//! parser reads into the same tree, every span included. The oracle is the `values` fuzz
//! target's (`check_block_reader` in `fuzz/src/check.rs`), and the mutation tokens are the
//! `subset` target's, both compiled in here by `#[path]`, so `cargo test` and the fuzzer
//! check the same property.

mod support;

#[path = "../fuzz/src/check.rs"]
#[allow(dead_code)]
mod check;

#[path = "../fuzz/src/subset.rs"]
#[allow(dead_code)]
mod harness;

use std::path::Path;

use check::check_block_reader;
use harness::{char_boundary, TOKENS};
use pgx::yaml::{block, parse_document, parse_document_fully, Limits, SourceId};
use support::Random;

/// Every construct of the subset, in the spellings values files use.
const EVERY_CONSTRUCT: &str = r#"# A comment before the document marker
---
# Comment lines at any indentation, empty lines and lines of spaces are skipped.
tls:
  createIssuer: true   # an end-of-line comment
  issuerName: platform-postgres-ca
    # a deeper comment
  empty:
  emptyWithComment:    # comment
  hash: a#b
  spaces: two words  and more
  colons: Sun:02:00-04:00
  url: http://example.com/a?b=c&d
  flowChars: a,b]c{d}
  negative: -5
  dashWord: -dash
  dots: ...
  unicode: café 🐘 naïve
  afterUnicode: [café, 🐘, {k: x}]
pgClusters:
  - name: db-0
    labels:
      app.kubernetes.io/name: x
      metallb.universe.tf/allow-shared-ip: "pgx-10.0.0.1"
    resources:
      requests: {cpu: 500m, memory: 1Gi}
      limits: { cpu: "2", memory: '4Gi' }
      empty: {}
      nested: {a: [1, 2, {b: c}], d: []}
    users:
      app: [login, createdb]
      spaced: [ a b , c ]
    quoted: "tab\t newline\n quote\" backslash\\ slash\/ nul\0 bell\a bs\b esc\e ff\f vt\v sp\ end"
    single: 'it''s # not a comment'
    emptyQuoted: ""
    emptySingle: ''
    maintenanceWindows: ["Sun:02:00-04:00", 'Mon:01:00-02:00']
  -   name: db-1
      indentless:
      - a
      - k: v
        m: n
      - [x, y]
      - "q"
      after: 1
  - plain item
  - 'single item'
  - {a: b}
  - [c]
  -  - not read
"#;

#[test]
fn the_block_reader_reads_every_construct_of_its_subset_as_the_full_parser_does() {
    // The last entry (`- - …`, a sequence in a sequence) is outside the subset: without it
    // the reader must accept; with it, it must leave.
    let (accepted, left) = EVERY_CONSTRUCT
        .rsplit_once("  -  - not read\n")
        .expect("the last entry");
    let accepted = format!("{accepted}{left}");
    assert!(check_block_reader(&accepted), "left:\n{accepted}");
    assert!(block::read_document(EVERY_CONSTRUCT, SourceId(0), &Limits::default()).is_none());

    let tree = block::read_document(&accepted, SourceId(0), &Limits::default()).expect("read");
    let tls = &tree.get("tls").expect("tls").value;
    let scalar = |key: &str| {
        tls.get(key)
            .and_then(|e| e.value.scalar())
            .map(|s| s.text.as_str())
    };
    assert_eq!(scalar("empty"), Some("~"));
    assert_eq!(scalar("hash"), Some("a#b"));
    assert_eq!(scalar("spaces"), Some("two words  and more"));
    assert_eq!(scalar("unicode"), Some("café 🐘 naïve"));
}

#[test]
fn the_block_reader_leaves_what_it_does_not_know_to_the_full_parser() {
    let base = "a:\n  b: 1\n";
    for extra in [
        "x:\t1\n",
        "x: 1\r\n",
        "x: &a 1\n",
        "x: *a\n",
        "x: !tag 1\n",
        "x: |\n  block\n",
        "x: >\n  folded\n",
        "x: multi\n  line\n",
        "x: \"multi\n  line\"\n",
        "x: [a,\n  b]\n",
        "\"quoted\": key\n",
        "a: duplicate\n",
        "<<: {b: 2}\n",
        "? complex\n: key\n",
        "x:\n- - nested\n",
        "x:\n-\n  a: 1\n",
        "x: \"\\u00e9\"\n",
        "x: a: b\n",
        "x: {a: }\n",
        "x: [a, ]\n",
        "x: {a:b}\n",
        "---\nsecond: document\n",
        "...\n",
        "x: \u{2028}\n",
        "x: \"\u{85}\"\n",
        "bad key: 1\n",
        "x: 1 # ok\n  y: 2\n",
        "x:\n  - a\n  b: 1\n",
        "x:\n    a: 1\n   b: 2\n",
    ] {
        let text = format!("{base}{extra}");
        assert_eq!(
            block::read_document(&text, SourceId(0), &Limits::default()),
            None,
            "{text:?}"
        );
        // Still read, or refused, exactly as the full parser does.
        assert_eq!(
            parse_document(&text, SourceId(0), &Limits::default()),
            parse_document_fully(&text, SourceId(0), &Limits::default()),
            "{text:?}"
        );
    }
    for text in [
        "\u{feff}a: 1\n",
        "- a\n",
        "just a scalar\n",
        "",
        "# only a comment\n",
    ] {
        assert_eq!(
            block::read_document(text, SourceId(0), &Limits::default()),
            None,
            "{text:?}"
        );
    }
}

#[test]
fn the_block_reader_leaves_texts_near_a_limit_to_the_full_parser() {
    let text = "a:\n  b:\n    c:\n      d: [1, {e: f}]\n";
    let roomy = Limits::default();
    assert!(block::read_document(text, SourceId(0), &roomy).is_some());
    let shallow = Limits {
        max_depth: 5,
        ..roomy
    };
    assert!(block::read_document(text, SourceId(0), &shallow).is_none());
    let small = Limits {
        max_nodes: 12,
        ..roomy
    };
    assert!(block::read_document(text, SourceId(0), &small).is_none());
    // One node more than the text has is the first limit it reads under: it stays clear of
    // the full parser's exact bound.
    let enough = Limits {
        max_nodes: 14,
        ..roomy
    };
    assert!(block::read_document(text, SourceId(0), &enough).is_some());
}

/// The project's values files, with the compatibility cases when `PGX_SHARED` is set.
fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("values")];
    for sub in ["render", "endpoints", "hostile", "argocd"] {
        dirs.push(root.join("tests/fixtures").join(sub));
    }
    let rules = root.join("tests/fixtures/rules");
    for entry in std::fs::read_dir(&rules).expect("rule fixtures") {
        dirs.push(entry.expect("entry").path());
    }
    if let Some(shared) = support::shared_dir() {
        for case in ["current", "shared-ip-era"] {
            dirs.push(shared.join("compat").join(case));
        }
    }
    let mut files = Vec::new();
    for dir in dirs {
        for path in support::yaml_files(&dir) {
            if let Ok(text) = std::fs::read_to_string(&path) {
                files.push((path.display().to_string(), text));
            }
        }
    }
    files
}

#[test]
fn every_values_file_of_the_project_is_read_alike_and_the_examples_quickly() {
    let files = corpus();
    assert!(files.len() > 50, "{} files", files.len());
    let mut accepted = 0;
    for (path, text) in &files {
        if check_block_reader(text) {
            accepted += 1;
        } else {
            eprintln!("left to the full parser: {path}");
        }
    }
    // The examples are what the reader is for: a regression that sends them to the full
    // parser shows here, not only in the benchmark.
    for (path, text) in files.iter().filter(|(p, _)| p.contains("/values/")) {
        assert!(
            block::read_document(text, SourceId(0), &Limits::default()).is_some(),
            "{path} was left to the full parser"
        );
    }
    assert!(
        accepted * 10 > files.len() * 8,
        "{accepted} of {}",
        files.len()
    );
}

/// Text that edits insert besides the `subset` target's tokens: the shapes of values files.
const VALUES_TOKENS: &[&str] = &[
    "\n  key: value",
    "\n- item",
    "\n  - k: v",
    "\nkey:",
    " {a: b, c: [d]}",
    " [a, \"b\", 'c']",
    "'it''s'",
    "\"a\\\"b\"",
    " # comment",
    "\n# comment\n",
    "k: ",
    "- k: ",
];

#[test]
fn edited_values_files_are_read_alike_or_left_to_the_full_parser() {
    let files = corpus();
    // PGX_BLOCK_EDITS=1000000 runs a longer campaign locally.
    let rounds: usize = std::env::var("PGX_BLOCK_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let seed = std::env::var("PGX_BLOCK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15);
    let mut random = Random(seed);
    let (mut accepted, mut total) = (0, 0);
    for _ in 0..rounds {
        let (_, base) = &files[random.next() % files.len()];
        let mut text = base.clone();
        for _ in 0..1 + random.next() % 3 {
            let at = char_boundary(&text, random.next());
            match random.next() % 4 {
                0 => text.insert_str(at, TOKENS[random.next() % TOKENS.len()]),
                1 => text.insert_str(at, VALUES_TOKENS[random.next() % VALUES_TOKENS.len()]),
                2 => {
                    let end = char_boundary(&text, at + 1 + random.next() % 6).max(at);
                    text.replace_range(at..end, "");
                }
                _ => {
                    // Shift a line's indentation by one space either way.
                    let line = text
                        .get(..at)
                        .map_or(0, |t| t.rfind('\n').map_or(0, |i| i + 1));
                    if random.next() % 2 == 0 {
                        text.insert(line, ' ');
                    } else if text.get(line..).is_some_and(|t| t.starts_with(' ')) {
                        text.remove(line);
                    }
                }
            }
        }
        total += 1;
        if check_block_reader(&text) {
            accepted += 1;
        }
    }
    // About a fifth of the edited files stay inside the subset (most edits break the YAML
    // or leave it); were the reader to leave nearly everything, this would check nothing.
    eprintln!("{accepted} of {total} edited files read by the block reader");
    assert!(accepted * 10 > total, "{accepted} of {total} accepted");
}
