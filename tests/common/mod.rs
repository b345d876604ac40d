//! What the compatibility and schema tests share: where `../shared` is, running pgx,
//! reading YAML streams with an independent parser, comparing objects as rendering.md
//! defines equivalence, and strict schema validation.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::Value;

/// `PGX_SHARED`, resolved against the package root. Unset: `None` (the test says it
/// skipped). Set but without `compat/` and `crds/`: a failure, because CI must not pass
/// by skipping.
pub fn shared_dir() -> Option<PathBuf> {
    let raw = std::env::var_os("PGX_SHARED")?;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(raw);
    assert!(
        path.join("compat").is_dir() && path.join("crds").is_dir(),
        "PGX_SHARED={} does not hold compat/ and crds/",
        path.display()
    );
    Some(path)
}

pub fn skip(reason: &str) {
    eprintln!("skipped: {reason}");
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn pgx(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_pgx"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("PGX_VALUES")
        .env_remove("ARGOCD_ENV_PGX_VALUES")
        .env_remove("ARGOCD_APP_PARAMETERS")
        .output()
        .expect("run pgx");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every non-empty document of a YAML stream, read by `serde_yaml` (not pgx's parser).
pub fn parse_stream(text: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(text)
        .map(|document| Value::deserialize(document).expect("valid YAML document"))
        .filter(|v| !v.is_null())
        .collect()
}

/// (apiVersion, kind, namespace, name).
pub type ObjectKey = (String, String, String, String);

pub fn key_of(object: &Value) -> ObjectKey {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_owned();
    (
        text(object.get("apiVersion")),
        text(object.get("kind")),
        text(object.pointer("/metadata/namespace")),
        text(object.pointer("/metadata/name")),
    )
}

pub fn by_key(objects: &[Value]) -> BTreeMap<ObjectKey, Value> {
    let mut map = BTreeMap::new();
    for object in objects {
        let previous = map.insert(key_of(object), object.clone());
        assert!(
            previous.is_none(),
            "two objects with key {:?}",
            key_of(object)
        );
    }
    map
}

pub fn describe(key: &ObjectKey) -> String {
    let (_, kind, ns, name) = key;
    if ns.is_empty() {
        format!("{kind} {name}")
    } else {
        format!("{kind} {ns}/{name}")
    }
}

/// One way two streams differ: `object` is [`describe`]d, `path` is a JSON pointer.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    pub object: String,
    pub path: String,
    pub expected: String,
    pub actual: String,
}

/// Equivalence as rendering.md defines it: the same objects by key, maps compared
/// regardless of order, lists in order, scalars by type and value.
pub fn diff_streams(expected: &[Value], actual: &[Value]) -> Vec<Difference> {
    let expected = by_key(expected);
    let actual = by_key(actual);
    let mut out = Vec::new();
    for (key, e) in &expected {
        match actual.get(key) {
            Some(a) => diff_values(&describe(key), "", e, a, &mut out),
            None => out.push(Difference {
                object: describe(key),
                path: String::new(),
                expected: "present".into(),
                actual: "missing".into(),
            }),
        }
    }
    for key in actual.keys().filter(|k| !expected.contains_key(*k)) {
        out.push(Difference {
            object: describe(key),
            path: String::new(),
            expected: "missing".into(),
            actual: "present".into(),
        });
    }
    out.sort();
    out
}

fn diff_values(object: &str, path: &str, e: &Value, a: &Value, out: &mut Vec<Difference>) {
    match (e, a) {
        (Value::Object(em), Value::Object(am)) => {
            for (k, ev) in em {
                let p = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                match am.get(k) {
                    Some(av) => diff_values(object, &p, ev, av, out),
                    None => out.push(Difference {
                        object: object.into(),
                        path: p,
                        expected: ev.to_string(),
                        actual: "absent".into(),
                    }),
                }
            }
            for (k, av) in am.iter().filter(|(k, _)| !em.contains_key(*k)) {
                out.push(Difference {
                    object: object.into(),
                    path: format!("{path}/{}", k.replace('~', "~0").replace('/', "~1")),
                    expected: "absent".into(),
                    actual: av.to_string(),
                });
            }
        }
        (Value::Array(ea), Value::Array(aa)) if ea.len() == aa.len() => {
            for (i, (ev, av)) in ea.iter().zip(aa).enumerate() {
                diff_values(object, &format!("{path}/{i}"), ev, av, out);
            }
        }
        _ if e == a => {}
        _ => out.push(Difference {
            object: object.into(),
            path: path.into(),
            expected: e.to_string(),
            actual: a.to_string(),
        }),
    }
}

/// A CRD's `openAPIV3Schema` as a strict JSON Schema: `nullable` becomes a `null` type,
/// int-or-string becomes both types, and every object schema that lists its properties
/// (and does not preserve unknown fields) rejects any other property, as the API server
/// does with strict field validation.
pub fn strict_crd_schema(shared: &Path, file: &str) -> Value {
    let text = std::fs::read_to_string(shared.join("crds").join(file)).expect("CRD file");
    let crd: Value = serde_yaml::from_str(&text).expect("CRD YAML");
    let versions = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .expect("versions");
    let version = versions
        .iter()
        .find(|v| v.get("storage") == Some(&Value::Bool(true)))
        .or_else(|| versions.first())
        .expect("a version");
    let mut schema = version
        .pointer("/schema/openAPIV3Schema")
        .cloned()
        .expect("openAPIV3Schema");
    make_strict(&mut schema);
    schema
}

fn make_strict(schema: &mut Value) {
    let Value::Object(map) = schema else { return };
    if map.remove("x-kubernetes-int-or-string") == Some(Value::Bool(true)) {
        map.remove("type");
        map.insert(
            "anyOf".into(),
            serde_json::json!([{"type": "integer"}, {"type": "string"}]),
        );
    }
    if map.remove("nullable") == Some(Value::Bool(true)) {
        if let Some(Value::String(t)) = map.get("type").cloned() {
            map.insert("type".into(), serde_json::json!([t, "null"]));
        }
    }
    let preserves = map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    if map.contains_key("properties") && !preserves && !map.contains_key("additionalProperties") {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    for (key, child) in map.iter_mut() {
        match key.as_str() {
            "properties" | "patternProperties" | "definitions" => {
                if let Value::Object(children) = child {
                    children.values_mut().for_each(make_strict);
                }
            }
            "enum" | "required" | "default" | "example" => {}
            _ => match child {
                Value::Array(items) => items.iter_mut().for_each(make_strict),
                Value::Object(_) => make_strict(child),
                _ => {}
            },
        }
    }
}

/// Strict validators for the custom resources pgx renders, by kind.
pub struct CrdValidators {
    validators: BTreeMap<&'static str, jsonschema::Validator>,
}

impl CrdValidators {
    pub fn new(shared: &Path) -> Self {
        let mut validators = BTreeMap::new();
        for (kind, file) in [
            ("postgresql", "acid.zalan.do_postgresqls.yaml"),
            ("Certificate", "cert-manager.io_certificates.yaml"),
            ("ClusterIssuer", "cert-manager.io_clusterissuers.yaml"),
        ] {
            let schema = strict_crd_schema(shared, file);
            let validator = jsonschema::validator_for(&schema).expect("schema compiles");
            validators.insert(kind, validator);
        }
        Self { validators }
    }

    pub fn handles(&self, object: &Value) -> bool {
        self.validators.contains_key(key_of(object).1.as_str())
    }

    /// Every violation of the object's CRD schema, with its instance path.
    pub fn errors(&self, object: &Value) -> Vec<String> {
        let kind = key_of(object).1;
        let Some(validator) = self.validators.get(kind.as_str()) else {
            return vec![format!("no CRD schema for kind {kind}")];
        };
        validator
            .iter_errors(object)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect()
    }
}

/// Validates Namespaces, Services and PodDisruptionBudgets with `kubernetes-validate
/// --strict` (Kubernetes' own schemas, offline). Returns the tool's failure lines.
pub fn kubernetes_validate(objects: &[&Value]) -> Vec<String> {
    if objects.is_empty() {
        return Vec::new();
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        let path = dir.path().join(format!("object-{i}.yaml"));
        std::fs::write(&path, serde_yaml::to_string(object).expect("YAML")).expect("write");
        files.push(path);
    }
    let output = Command::new("kubernetes-validate")
        .args(["--strict", "--quiet", "-k", "1.33.0"])
        .args(&files)
        .output()
        .expect("kubernetes-validate is on PATH (.ci/run installs it with pip)");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    let failures: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("ERROR") || l.contains("did not validate"))
        .map(str::to_owned)
        .collect();
    if !output.status.success() && failures.is_empty() {
        return vec![format!("kubernetes-validate failed: {text}")];
    }
    failures
}

pub fn kubernetes_validate_available() -> bool {
    Command::new("kubernetes-validate")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}
