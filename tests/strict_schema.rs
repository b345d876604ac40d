//! Every object pgx renders passes the schema its API server applies, strictly (an unknown
//! field is an error): the CRD schemas of `../shared/crds` for `postgresql`, Certificate
//! and ClusterIssuer, and Kubernetes' own schemas (`kubernetes-validate --strict`) for
//! Namespace, Service and PodDisruptionBudget. The chart's own output fails this; pgx's
//! must not, for every compat case, every shipped example and every render fixture.

mod common;

use std::path::{Path, PathBuf};

use common::{kubernetes_validate, parse_stream, pgx, shared_dir, skip, CrdValidators};
use serde_json::Value;

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// (values file, extra render arguments) for everything pgx renders in its tests.
fn inputs(shared: &Path) -> Vec<(PathBuf, Vec<&'static str>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = Vec::new();
    for dir in [
        "values",
        "tests/fixtures/render",
        "tests/fixtures/endpoints",
    ] {
        for file in yaml_files(&root.join(dir)) {
            inputs.push((file, vec![]));
        }
    }
    for case in ["current", "shared-ip-era"] {
        for file in yaml_files(&shared.join("compat").join(case)) {
            if file.to_string_lossy().ends_with(".values.yaml") {
                // PGX204 (admin open to the world) is in the real files; --allow-empty for
                // the chart's defaults, which have no clusters.
                inputs.push((file, vec!["--ignore", "PGX204", "--allow-empty"]));
            }
        }
    }
    inputs
}

#[test]
fn every_rendered_object_passes_its_schema_strictly() {
    let Some(shared) = shared_dir() else {
        return skip("PGX_SHARED is not set");
    };
    assert!(
        common::kubernetes_validate_available(),
        "kubernetes-validate is not on PATH; .ci/run installs it with pip"
    );
    let crds = CrdValidators::new(&shared);
    let mut failures = Vec::new();
    let mut checked = 0;
    for (file, extra) in inputs(&shared) {
        let mut args = vec!["render", "-f", file.to_str().unwrap()];
        args.extend(extra);
        let run = pgx(&args);
        assert_eq!(run.code, 0, "{}: {}", file.display(), run.stderr);
        let objects = parse_stream(&run.stdout);
        assert!(!objects.is_empty(), "{} rendered nothing", file.display());
        let mut builtins: Vec<&Value> = Vec::new();
        for object in &objects {
            checked += 1;
            if crds.handles(object) {
                for error in crds.errors(object) {
                    failures.push(format!(
                        "{}: {}: {error}",
                        file.display(),
                        common::describe(&common::key_of(object))
                    ));
                }
            } else {
                let kind = common::key_of(object).1;
                assert!(
                    ["Namespace", "Service", "PodDisruptionBudget"].contains(&kind.as_str()),
                    "{}: unexpected kind {kind}",
                    file.display()
                );
                builtins.push(object);
            }
        }
        for failure in kubernetes_validate(&builtins) {
            failures.push(format!("{}: {failure}", file.display()));
        }
    }
    assert!(checked > 50, "only {checked} objects checked");
    assert!(
        failures.is_empty(),
        "schema violations:\n{}",
        failures.join("\n")
    );
}

/// The two ways the chart's output fails the `postgresql` CRD (crds/README.md): it
/// printed `cpu: "2"` from values as the integer `cpu: 2`, and it wrote `logicalBackupS3*`
/// fields the resource does not have. The validator must refuse both, and an unknown field
/// anywhere: strictness is checked, not assumed.
#[test]
fn the_validator_refuses_what_the_chart_printed() {
    let Some(shared) = shared_dir() else {
        return skip("PGX_SHARED is not set");
    };
    let crds = CrdValidators::new(&shared);
    let helm = std::fs::read_to_string(shared.join("compat/current/production.helm.yaml")).unwrap();
    let postgresql = parse_stream(&helm)
        .into_iter()
        .find(|o| common::key_of(o).1 == "postgresql")
        .unwrap();
    assert_eq!(crds.errors(&postgresql), Vec::<String>::new());

    let mut integer_cpu = postgresql.clone();
    integer_cpu["spec"]["resources"]["limits"]["cpu"] = Value::from(2);
    let errors = crds.errors(&integer_cpu);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("/spec/resources/limits/cpu")),
        "{errors:?}"
    );

    let mut s3_fields = postgresql;
    s3_fields["spec"]["logicalBackupS3Bucket"] = Value::from("backups");
    let errors = crds.errors(&s3_fields);
    assert!(
        errors.iter().any(|e| e.contains("logicalBackupS3Bucket")),
        "{errors:?}"
    );

    let mut certificate = parse_stream(&pgx(&["render", "-f", "values/production.yaml"]).stdout)
        .into_iter()
        .find(|o| common::key_of(o).1 == "Certificate")
        .unwrap();
    assert!(crds.errors(&certificate).is_empty());
    certificate["spec"]["dnsName"] = Value::from("typo.example");
    let errors = crds.errors(&certificate);
    assert!(
        errors.iter().any(|e| e.contains("dnsName")),
        "an unknown field passed: {errors:?}"
    );
}

#[test]
fn kubernetes_validate_refuses_unknown_fields() {
    if shared_dir().is_none() && !common::kubernetes_validate_available() {
        return skip("kubernetes-validate is not installed and PGX_SHARED is not set");
    }
    let service: Value = serde_yaml::from_str(
        "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {typo: 1, ports: [{port: 1}]}\n",
    )
    .unwrap();
    let failures = kubernetes_validate(&[&service]);
    assert!(failures.iter().any(|f| f.contains("typo")), "{failures:?}");
}
