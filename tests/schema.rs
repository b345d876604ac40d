//! Every object pgx renders passes the schema its API server applies, in strict mode (an unknown
//! field is an error): the CRDs of `shared/crds/` for `postgresql`, Certificate and ClusterIssuer,
//! Kubernetes' own schemas (`kubernetes-validate --strict`) for Namespace, Service and
//! PodDisruptionBudget (`shared/spec/rendering.md`, "Equivalence with Helm").
//!
//! Needs `PGX_SHARED` (for the CRDs and the compat cases) and `kubernetes-validate` on PATH;
//! without `PGX_SHARED` these tests say they skipped. The last tests prove that both validators
//! do reject what the API server would.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use support::{
    kubernetes_validate_or_skip, parse_file, parse_stream, render_ok, shared_or_skip,
    validate_builtin, validate_custom_resource, validate_labeled, yaml_files, ObjectKey,
};

/// The compat cases with the flags pgx needs for them (compat/README.md).
const COMPAT_CASES: &[(&str, &[&str])] = &[
    ("current/chart-defaults", &["--allow-empty"]),
    ("current/development", &[]),
    ("current/staging", &[]),
    ("current/production", &["--ignore", "PGX204"]),
    ("shared-ip-era/production", &["--ignore", "PGX204"]),
];

/// Renders each values file and validates every object; fails listing every error.
fn assert_renders_validate(shared: &Path, renders: &[(PathBuf, &[&str])]) {
    let mut objects = Vec::new();
    for (values, flags) in renders {
        let rendered = parse_stream(&render_ok(&[values], flags));
        assert!(
            !rendered.is_empty(),
            "{}: rendered nothing",
            values.display()
        );
        for object in rendered {
            let label = format!(
                "pgx render -f {}: {}",
                values.display(),
                ObjectKey::of(&object)
            );
            objects.push((label, object));
        }
    }
    let labeled: Vec<(String, &Value)> = objects.iter().map(|(l, o)| (l.clone(), o)).collect();
    let errors = validate_labeled(shared, &labeled);
    assert!(
        errors.is_empty(),
        "{} schema error(s) in {} rendered objects:\n{}",
        errors.len(),
        objects.len(),
        errors.join("\n")
    );
}

#[test]
fn pgx_output_for_every_compat_case_passes_strict_validation() {
    let Some(shared) = shared_or_skip() else {
        return;
    };
    if !kubernetes_validate_or_skip() {
        return;
    }
    let renders: Vec<(PathBuf, &[&str])> = COMPAT_CASES
        .iter()
        .map(|(id, flags)| {
            let values = shared.join("compat").join(format!("{id}.values.yaml"));
            assert!(values.is_file(), "{} is missing", values.display());
            (values, *flags)
        })
        .collect();
    assert_renders_validate(&shared, &renders);
}

/// The shipped examples (`values/*.yaml`) and the render and endpoints fixtures
/// (`tests/fixtures/render/`, `tests/fixtures/endpoints/`, where they exist), rendered as they
/// are.
#[test]
fn pgx_output_for_the_repository_values_files_passes_strict_validation() {
    let Some(shared) = shared_or_skip() else {
        return;
    };
    if !kubernetes_validate_or_skip() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let examples = yaml_files(&root.join("values"));
    assert!(!examples.is_empty(), "no values/*.yaml in the repository");
    let fixtures = ["tests/fixtures/render", "tests/fixtures/endpoints"]
        .iter()
        .flat_map(|dir| yaml_files(&root.join(dir)));
    let renders: Vec<(PathBuf, &[&str])> = examples
        .into_iter()
        .chain(fixtures)
        .map(|file| (file, &[][..]))
        .collect();
    assert_renders_validate(&shared, &renders);
}

// ---------------------------------------------------------------------------------------------
// The validators can fail
// ---------------------------------------------------------------------------------------------

fn helm_object(shared: &Path, case: &str, kind: &str) -> Value {
    parse_file(&shared.join("compat").join(format!("{case}.helm.yaml")))
        .into_iter()
        .find(|object| object["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {case}.helm.yaml"))
}

/// The two ways the chart's output breaks the `postgresql` CRD (crds/README.md, rendering.md):
/// an integer `cpu` quantity, as the chart printed `cpu: "2"` from values, and a
/// `logicalBackupS3*` field the resource does not have. Applied to Helm's production
/// `postgresql` (which, as shipped in compat/, passes), each is reported at its path.
#[test]
fn the_charts_integer_cpu_and_logical_backup_s3_fields_fail_the_postgresql_crd() {
    let Some(shared) = shared_or_skip() else {
        return;
    };
    let helm = helm_object(&shared, "current/production", "postgresql");
    assert_eq!(
        validate_custom_resource(&shared, &helm),
        Vec::<String>::new()
    );

    let mut as_the_chart_printed = helm.clone();
    as_the_chart_printed["spec"]["resources"]["requests"]["cpu"] = json!(2);
    as_the_chart_printed["spec"]["logicalBackupS3Bucket"] = json!("pg-backups");
    let errors = validate_custom_resource(&shared, &as_the_chart_printed);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("spec.resources.requests.cpu: ") && e.contains("string")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("spec: ") && e.contains("'logicalBackupS3Bucket'")),
        "{errors:#?}"
    );
}

/// Unknown fields fail at any depth and in metadata, `nullable` admits null, int-or-string
/// admits integers and strings and nothing else, and the apiVersion must be a served one.
#[test]
fn crd_validation_is_strict() {
    let Some(shared) = shared_or_skip() else {
        return;
    };
    let cluster = helm_object(&shared, "current/production", "postgresql");
    let certificate = helm_object(&shared, "current/production", "Certificate");
    let issuer = helm_object(&shared, "current/production", "ClusterIssuer");
    for valid in [&cluster, &certificate, &issuer] {
        assert_eq!(
            validate_custom_resource(&shared, valid),
            Vec::<String>::new()
        );
    }
    let errors_with = |object: &Value, change: &dyn Fn(&mut Value)| {
        let mut changed = object.clone();
        change(&mut changed);
        validate_custom_resource(&shared, &changed)
    };
    // Errors only at `path`, one of them mentioning `word`.
    let only_at = |errors: Vec<String>, path: &str, word: &str| {
        assert!(
            errors.iter().all(|e| e.starts_with(&format!("{path}: ")))
                && errors.iter().any(|e| e.contains(word)),
            "expected errors at {path} mentioning {word}: {errors:#?}"
        );
    };

    only_at(
        errors_with(&cluster, &|o| o["spec"]["patroni"]["typo"] = json!(1)),
        "spec.patroni",
        "'typo'",
    );
    only_at(
        errors_with(&cluster, &|o| o["metadata"]["typo"] = json!(1)),
        "metadata",
        "'typo'",
    );
    only_at(
        errors_with(&cluster, &|o| {
            o["spec"]["postgresql"]["version"] = json!(16)
        }),
        "spec.postgresql.version",
        "16",
    );
    only_at(
        errors_with(&certificate, &|o| {
            o["spec"]["privateKey"]["typo"] = json!(1)
        }),
        "spec.privateKey",
        "'typo'",
    );
    only_at(
        errors_with(&issuer, &|o| o["spec"]["selfSigned"]["typo"] = json!(1)),
        "spec.selfSigned",
        "'typo'",
    );
    only_at(
        errors_with(&certificate, &|o| {
            o["apiVersion"] = json!("cert-manager.io/v1alpha2")
        }),
        "apiVersion",
        "served",
    );

    // nullable: true
    assert_eq!(
        errors_with(&cluster, &|o| o["spec"]["usersWithSecretRotation"] =
            Value::Null),
        Vec::<String>::new()
    );
    only_at(
        errors_with(&cluster, &|o| o["spec"]["databases"] = Value::Null),
        "spec.databases",
        "null",
    );

    // x-kubernetes-int-or-string: sidecars[].env[].valueFrom.resourceFieldRef.divisor
    let divisor = |value: Value| {
        move |o: &mut Value| {
            o["spec"]["sidecars"][0]["env"][0] = json!({
                "name": "CPU",
                "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": value}}
            })
        }
    };
    for fine in [json!(1), json!("1m")] {
        assert_eq!(errors_with(&cluster, &divisor(fine)), Vec::<String>::new());
    }
    only_at(
        errors_with(&cluster, &divisor(json!(true))),
        "spec.sidecars[0].env[0].valueFrom.resourceFieldRef.divisor",
        "true",
    );
}

/// `kubernetes-validate --strict` rejects an unknown field of a Service and an apiVersion its
/// Kubernetes version does not serve, and passes the same objects without those faults.
#[test]
fn kubernetes_validate_is_strict() {
    if !kubernetes_validate_or_skip() {
        return;
    }
    let service = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "db-external-write", "namespace": "data"},
        "spec": {
            "type": "LoadBalancer",
            "externalTrafficPolicy": "Cluster",
            "selector": {"application": "spilo"},
            "ports": [{"name": "postgresql", "port": 5432, "targetPort": 5432, "protocol": "TCP"}]
        }
    });
    let pdb = json!({
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "db-pdb", "namespace": "data"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"application": "spilo"}}}
    });
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "data"}});
    let good = [service.clone(), pdb.clone(), namespace];
    assert_eq!(validate_builtin(&good), Vec::<String>::new());

    let mut typo = service.clone();
    typo["spec"]["typo"] = json!(true);
    let mut old_pdb = pdb.clone();
    old_pdb["apiVersion"] = json!("policy/v1beta1");
    let errors = validate_builtin(&[typo, old_pdb, service]);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    let key = ObjectKey::new("v1", "Service", "data", "db-external-write");
    assert!(
        errors[0].starts_with(&format!("{key}: ERROR"))
            && errors[0].contains(": spec: ")
            && errors[0].contains("'typo'"),
        "{errors:#?}"
    );
    assert!(
        errors[1].contains("PodDisruptionBudget") && errors[1].contains("policy/v1beta1"),
        "{errors:#?}"
    );
}
