//! `pgx schema`: the JSON Schema editors check values files against, generated from the
//! types pgx loads values into. It accepts every shipped example and every values file of
//! the chart pgx replaces (`$PGX_SHARED/compat/*/*.values.yaml`), rejects what pgx rejects
//! (a misspelt key, a wrong type), and the committed `values/values.schema.json` (draft-07,
//! for yaml-language-server) is what `pgx schema --draft 07` prints today.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn pgx(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_pgx"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "pgx {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn schema(draft: &str) -> Value {
    serde_json::from_str(&pgx(&["schema", "--draft", draft])).unwrap()
}

/// A values file as the JSON an editor validates (YAML 1.2, as yaml-language-server reads).
fn values_json(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap()
}

/// The schema's complaints about a values file, one line each.
fn errors(schema: &Value, values: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).unwrap();
    validator
        .iter_errors(values)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn yaml_files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    files.sort();
    files
}

fn assert_accepted(files: &[PathBuf]) {
    assert!(!files.is_empty());
    for draft in ["2020-12", "07"] {
        let schema = schema(draft);
        for file in files {
            let values = values_json(&std::fs::read_to_string(file).unwrap());
            let errors = errors(&schema, &values);
            assert!(
                errors.is_empty(),
                "draft {draft} rejects {}:\n{}",
                file.display(),
                errors.join("\n")
            );
        }
    }
}

#[test]
fn both_drafts_are_valid_json_schemas() {
    for draft in ["2020-12", "07"] {
        let schema = schema(draft);
        assert!(jsonschema::meta::is_valid(&schema), "draft {draft}");
    }
    assert_eq!(
        schema("2020-12")["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(
        schema("07")["$schema"],
        "http://json-schema.org/draft-07/schema#"
    );
    // Without --draft, 2020-12.
    let default: Value = serde_json::from_str(&pgx(&["schema"])).unwrap();
    assert_eq!(default, schema("2020-12"));
}

#[test]
fn the_committed_schema_is_what_pgx_prints() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("values/values.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == pgx(&["schema", "--draft", "07"]),
        "{} is out of date: run `pgx schema --draft 07 > values/values.schema.json`",
        path.display()
    );
}

#[test]
fn every_shipped_example_is_accepted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("values");
    assert_accepted(&yaml_files(&dir, ".yaml"));
}

#[test]
fn every_fixture_pgx_loads_without_findings_is_accepted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = yaml_files(&root.join("endpoints"), ".yaml");
    files.extend(yaml_files(&root.join("render"), ".yaml"));
    assert_accepted(&files);
}

#[test]
fn every_values_file_of_the_helm_chart_is_accepted() {
    let Some(shared) = std::env::var_os("PGX_SHARED") else {
        println!("skipped: PGX_SHARED is not set");
        return;
    };
    let compat = PathBuf::from(shared).join("compat");
    assert!(
        compat.is_dir(),
        "PGX_SHARED is set but {} is missing",
        compat.display()
    );
    let mut files = Vec::new();
    for case in yaml_files(&compat, "") {
        if case.is_dir() {
            files.extend(yaml_files(&case, ".values.yaml"));
        }
    }
    assert!(files.len() >= 5, "compat values files: {files:?}");
    assert_accepted(&files);
}

const CLUSTER: &str = "pgClusters:\n  - name: app-db\n    namespace: apps\n";

#[test]
fn a_misspelt_key_is_rejected_where_pgx_rejects_it() {
    for draft in ["2020-12", "07"] {
        let schema = schema(draft);
        let good = values_json(&format!("{CLUSTER}    externalAccess: {{enabled: true}}\n"));
        assert_eq!(errors(&schema, &good), Vec::<String>::new());
        for (typo, at) in [
            ("    externalAcess: {enabled: true}\n", "/pgClusters/0"),
            (
                "    externalAccess:\n      admin: {allowedSourceRange: [10.0.0.0/8]}\n",
                "/pgClusters/0/externalAccess/admin",
            ),
        ] {
            let bad = values_json(&format!("{CLUSTER}{typo}"));
            let errors = errors(&schema, &bad);
            // At the key's object, or an enclosing one (an optional block is `anyOf`
            // the block or null, and validators report the `anyOf`).
            assert!(
                !errors.is_empty()
                    && errors.iter().all(|e| {
                        let path = e.split(": ").next().unwrap();
                        path.starts_with("/pgClusters/0") && at.starts_with(path)
                    }),
                "draft {draft}: {typo:?} not rejected at {at}: {errors:?}"
            );
        }
        let top = values_json("tlss: {}\n");
        assert!(!errors(&schema, &top).is_empty(), "draft {draft}");
    }
}

#[test]
fn a_wrong_type_is_rejected_where_pgx_rejects_it() {
    for draft in ["2020-12", "07"] {
        let schema = schema(draft);
        for wrong in [
            "    numberOfInstances: three\n",
            "    externalAccess: {allowedSourceRanges: 10.0.0.0/8}\n",
            "    pooler: {mode: statement}\n",
            "    tls: {enabled: \"true\"}\n",
        ] {
            let bad = values_json(&format!("{CLUSTER}{wrong}"));
            assert!(
                !errors(&schema, &bad).is_empty(),
                "draft {draft} accepts {wrong:?}"
            );
        }
    }
}

#[test]
fn null_means_the_default_and_is_accepted_where_pgx_accepts_it() {
    let schema = schema("2020-12");
    let values = values_json(&format!(
        "tls: ~\nexternalAccess: {{writeIP: null}}\n{CLUSTER}    pooler: {{mode: ~}}\n    labels: {{team: ~}}\n"
    ));
    assert_eq!(errors(&schema, &values), Vec::<String>::new());
    // A cluster's name has no default: null is refused there.
    let values = values_json("pgClusters:\n  - name: ~\n    namespace: apps\n");
    assert!(!errors(&schema, &values).is_empty());
}
