//! The reader of the YAML subset pgx writes (`src/yaml/subset.rs`, the render's output
//! check) against the full parser and serde_yaml: whatever the subset reader accepts, both
//! read alike. The oracle, the mutation tokens and the rendered documents are the `subset`
//! fuzz target's (`fuzz/src/subset.rs`, compiled in here by `#[path]`), so `cargo test`
//! and the fuzzer check the same property.

#[path = "../fuzz/src/subset.rs"]
#[allow(dead_code)]
mod harness;

use harness::{
    char_boundary, check_document, documents_rendered_from, serde_yaml_disagrees, DEFAULTS,
    PRODUCTION, TOKENS,
};
use pgx::yaml::subset::read_document;
use proptest::prelude::*;

/// The property: whatever the subset reader accepts, the full parser reads alike (also in a
/// stream) and serde_yaml agrees. Unlike the fuzz target, a document serde_yaml refuses
/// fails here too: none of these documents should be one.
fn assert_sound(document: &str) -> bool {
    if !check_document(document) {
        return false;
    }
    let head = read_document(document).expect("accepted above");
    if let Err(e) = serde_yaml_disagrees(document, &head) {
        panic!("serde_yaml refuses what the subset accepted ({e}):\n{document}");
    }
    true
}

/// Documents with every construct of the subset, written the way templates and the
/// formatter write them.
const DOCUMENTS: &[&str] = &[
    "# Source: pgx/templates/external-services.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: \"db-write\"\n  namespace: \"team\"\n  labels:\n    \"app\": \"x\"\n    \"label/with: colon\": \"v # not a comment\"\n  annotations:\n    metallb.universe.tf/allow-shared-ip: \"pgx-10-0-0-1\"\nspec:\n  type: LoadBalancer\n  loadBalancerSourceRanges:\n  - \"10.0.0.0/8\"\n  - \"2001:db8::/32\"\n  selector:\n    \"application\": \"spilo\"\n  ports:\n  - name: postgresql\n    port: 5432\n    # The operator leaves its container ports unnamed.\n    targetPort: 5432\n    protocol: TCP\n",
    "apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata:\n  name: \"db\"\n  namespace: \"ns\"\nspec:\n  users:\n    \"app\": [\"login\", \"createdb\"]\n    \"empty\": []\n  nodeAffinity: {\"required\": {\"terms\": [{\"key\": \"zone\", \"values\": [\"a\", \"b\"]}]}, \"n\": 1.5, \"b\": true, \"z\": null, \"e\": {}}\n  tolerations: [{\"effect\": \"NoSchedule\", \"seconds\": -5, \"f\": .nan, \"g\": -.inf, \"h\": 1e+20}]\n  sidecars:\n  - name: exporter\n    image: \"quay.io/x:1\"\n    env:\n    - name: DATA_SOURCE_URI\n      value: localhost:5432/postgres?sslmode=disable\n    -\n      name: other\n  patroni:\n    initdb:\n      data-checksums: \"true\"\n      locale: en_US.UTF-8\n    pg_hba:\n    - \"local all all trust\"\n  usages:\n  - server auth\n  - digital signature\n",
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"caf\u{e9} \u{1f418} \\\" \\\\ \\n \\t \\r \\u0001 \\u2028 \\u00e9\"\n  labels:\n\n  annotations:\n    argocd.argoproj.io/sync-wave: \"-30\"\n",
    "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: \"issuer\"\nspec:\n  selfSigned: {}\n  empty:\n  list:\n  -\n  - - nested\n  k: v\n",
];

#[test]
fn the_subset_reads_what_pgx_writes() {
    for document in DOCUMENTS.iter().take(3) {
        assert!(assert_sound(document), "{document}");
    }
    let head = read_document(DOCUMENTS.get(2).copied().unwrap_or_default()).unwrap();
    assert_eq!(
        head.name.as_deref(),
        Some("caf\u{e9} \u{1f418} \" \\ \n \t \r \u{1} \u{2028} \u{e9}")
    );
    assert_eq!(head.namespace, None);
}

#[test]
fn the_subset_leaves_what_it_does_not_know() {
    let base = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"n\"\n";
    for extra in [
        "x: &a 1\n",
        "x: *a\n",
        "x: !tag 1\n",
        "x: |\n  text\n",
        "x: >\n  text\n",
        "x: 'single'\n",
        "x: \"multi\n  line\"\n",
        "x: plain\n  continued\n",
        "x: 1 # comment\n",
        "x: 1 \n",
        "x:\ty\n",
        "\tx: 1\n",
        "x: \"\\x41\"\n",
        "x: \"\\ud800\"\n",
        "x: \"\u{85}\"\n",
        "x: \"\u{2028}\"\n",
        "x: \"\u{feff}\"\n",
        "x: [a, ]\n",
        "x: [a,b]\n",
        "x: {a: 1}\n",
        "x: [\n  a]\n",
        "<<: {\"a\": 1}\n",
        "\"<<\": 1\n",
        "x: {\"<<\": {}}\n",
        "kind: Namespace\n",
        "\"kind\": Namespace\n",
        "x: {\"a\": 1, \"a\": 2}\n",
        "? x\n: 1\n",
        "x: - a\n",
        "x: a: b\n",
        "x:\n  - a\n  b: 1\n",
        "---\n",
        "...\n",
        "%YAML 1.2\n",
        "x: @a\n",
        "x: `a\n",
        "x: \"a\"\"b\"\n",
        "x: \"a\" b\n",
        "   \n",
        "x: y\r\n",
    ] {
        let document = format!("{base}{extra}");
        assert!(read_document(&document).is_none(), "{document:?}");
    }
    let long_key = format!("{base}\"{}\": 1\n", "k".repeat(1200));
    assert!(read_document(&long_key).is_none());
    let deep = format!("{base}x: {}{}\n", "[".repeat(40), "]".repeat(40));
    assert!(read_document(&deep).is_none());
    assert!(read_document("apiVersion: v1").is_none());
    assert!(read_document("").is_none());
    assert!(read_document("- a\n").is_none());
    assert!(read_document("  a: 1\n").is_none());
}

#[test]
fn a_duplicate_key_anywhere_in_a_long_mapping_leaves() {
    let base = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"n\"\n";
    // Keys past the first sixteen are checked once the mapping ends, not as they come.
    let keys: Vec<String> = (0..40).map(|i| format!("k{i:02}")).collect();
    let block = |keys: &[String], indent: &str| -> String {
        keys.iter().map(|k| format!("{indent}{k}: 1\n")).collect()
    };
    let compact = |keys: &[String]| -> String {
        let (first, rest) = keys.split_first().expect("keys");
        format!("x:\n- {first}: 1\n{}", block(rest, "  "))
    };
    let flow = |keys: &[String]| -> String {
        let entries: Vec<String> = keys.iter().map(|k| format!("\"{k}\": 1")).collect();
        format!("x: {{{}}}\n", entries.join(", "))
    };
    for (at, again) in [(39, 38), (39, 0), (20, 17), (16, 3), (15, 2)] {
        let mut with_duplicate = keys.clone();
        with_duplicate[at] = keys[again].clone();
        for shape in [
            block(&with_duplicate, ""),
            compact(&with_duplicate),
            flow(&with_duplicate),
        ] {
            assert!(
                read_document(&format!("{base}{shape}")).is_none(),
                "{base}{shape}"
            );
        }
    }
    for shape in [block(&keys, ""), compact(&keys), flow(&keys)] {
        assert!(assert_sound(&format!("{base}{shape}")), "{base}{shape}");
    }
}

#[test]
fn long_values_and_keys_near_the_limit_read_alike() {
    let base = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"n\"\n";
    for document in [
        format!(
            "{base}  labels:\n    \"{}\": \"{}\"\n",
            "k".repeat(990),
            "v".repeat(5000)
        ),
        format!(
            "{base}x:\n- \"{}\"\n- {}\n",
            "v".repeat(3000),
            "w".repeat(3000)
        ),
        format!(
            "{base}x: [\"{}\", {{\"{}\": 1}}]\n",
            "v".repeat(3000),
            "k".repeat(990)
        ),
        format!("{base}x: {}\n", "w ".repeat(2000).trim_end()),
    ] {
        assert!(assert_sound(&document), "{document}");
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    Insert(usize, usize),
    Delete(usize, usize),
    DuplicateLine(usize),
    DeleteLine(usize),
    SwapLines(usize),
    Indent(usize, usize),
    Dedent(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 0..TOKENS.len()).prop_map(|(p, t)| Mutation::Insert(p, t)),
        2 => (any::<usize>(), 1usize..8).prop_map(|(p, n)| Mutation::Delete(p, n)),
        1 => any::<usize>().prop_map(Mutation::DuplicateLine),
        1 => any::<usize>().prop_map(Mutation::DeleteLine),
        1 => any::<usize>().prop_map(Mutation::SwapLines),
        1 => (any::<usize>(), 1usize..4).prop_map(|(l, n)| Mutation::Indent(l, n)),
        1 => any::<usize>().prop_map(Mutation::Dedent),
    ]
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    let line = |i: usize| i % lines.len().max(1);
    match *mutation {
        Mutation::Insert(p, t) => {
            let at = char_boundary(text, p);
            let token = TOKENS.get(t).copied().unwrap_or_default();
            return format!("{}{token}{}", &text[..at], &text[at..]);
        }
        Mutation::Delete(p, n) => {
            let at = char_boundary(text, p);
            let end = char_boundary(text, (at + n).min(text.len()));
            return format!("{}{}", &text[..at], &text[end.max(at)..]);
        }
        Mutation::DuplicateLine(i) if !lines.is_empty() => {
            let i = line(i);
            let copy = lines[i].clone();
            lines.insert(i, copy);
        }
        Mutation::DeleteLine(i) if !lines.is_empty() => {
            lines.remove(line(i));
        }
        Mutation::SwapLines(i) if lines.len() > 1 => {
            let i = i % (lines.len() - 1);
            lines.swap(i, i + 1);
        }
        Mutation::Indent(i, n) if !lines.is_empty() => {
            let i = line(i);
            lines[i] = format!("{}{}", " ".repeat(n), lines[i]);
        }
        Mutation::Dedent(i) if !lines.is_empty() => {
            let i = line(i);
            if let Some(rest) = lines[i].strip_prefix(' ') {
                lines[i] = rest.to_owned();
            }
        }
        _ => {}
    }
    lines.concat()
}

#[test]
fn every_rendered_example_document_is_in_the_subset() {
    for document in RENDERED.with(Clone::clone) {
        assert!(assert_sound(&document), "left the subset:\n{document}");
    }
}

/// Every token at every place of two documents: many of the results stay in the
/// subset (so the property is not vacuous) and all of those read alike.
#[test]
fn every_single_insertion_is_read_alike_or_left_to_the_full_parser() {
    let mut accepted = 0;
    let mut total = 0;
    for document in DOCUMENTS.iter().take(2) {
        for at in 0..=document.len() {
            for token in 0..TOKENS.len() {
                let text = apply(document, &Mutation::Insert(at, token));
                total += 1;
                accepted += usize::from(assert_sound(&text));
            }
        }
    }
    assert!(accepted * 10 > total, "{accepted} of {total} accepted");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// Mutated text is accepted only if both full parsers read it as the subset does.
    #[test]
    fn mutated_documents_are_read_alike_or_left_to_the_full_parser(
        pick in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let corpus = CORPUS.with(|c| c.clone());
        let base = &corpus[pick % corpus.len()];
        let mut text = base.clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        assert_sound(&text);
    }
}

thread_local! {
    /// Every document rendered from the two example values files.
    static RENDERED: Vec<String> = documents_rendered_from(&[Some(DEFAULTS), Some(PRODUCTION)]);

    /// The documents mutations start from: the ones above and the rendered ones.
    static CORPUS: Vec<String> = DOCUMENTS
        .iter()
        .map(|d| (*d).to_owned())
        .chain(RENDERED.with(Clone::clone))
        .collect();
}
