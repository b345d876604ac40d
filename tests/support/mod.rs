//! Test harness shared by the integration tests (`mod support;`): where the shared compatibility
//! data lives, running the `pgx` binary, reading YAML streams with an independent parser, the
//! equivalence of two streams (`shared/spec/rendering.md`, "Equivalence with Helm"), and strict
//! schema validation: custom resources against the CRDs in `shared/crds/`, Kubernetes' own kinds
//! through `kubernetes-validate --strict`, and a small deterministic generator for tests that
//! walk at random.
//!
//! Each test crate uses a different part of this module.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Deserialize;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------------------------
// Shared data
// ---------------------------------------------------------------------------------------------

/// The folder of the shared compatibility data and CRDs, from `PGX_SHARED`.
///
/// Unset: `None`, and the caller skips (someone's fresh clone, where `cargo test` must pass).
/// Set but without `compat/` and `crds/`: panics, because CI set it and the data is missing.
/// A relative path is taken from the package root (where CI's `../shared` is meant from).
pub fn shared_dir() -> Option<PathBuf> {
    let raw = std::env::var_os("PGX_SHARED")?;
    let given = PathBuf::from(&raw);
    let dir = if given.is_absolute() {
        given
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(given)
    };
    for sub in ["compat", "crds"] {
        assert!(
            dir.join(sub).is_dir(),
            "PGX_SHARED={} (resolved to {}) has no {sub}/ folder: the shared compatibility data \
             is missing. Point PGX_SHARED at the shared/ folder, or unset it to skip these tests.",
            Path::new(&raw).display(),
            dir.display(),
        );
    }
    Some(dir)
}

/// [`shared_dir`], printing the skip line when `PGX_SHARED` is unset:
/// `let Some(shared) = support::shared_or_skip() else { return };`
pub fn shared_or_skip() -> Option<PathBuf> {
    let dir = shared_dir();
    if dir.is_none() {
        eprintln!("skipped: PGX_SHARED is not set");
    }
    dir
}

/// The `*.yaml` files of a folder, sorted; an absent folder has none.
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    files
}

/// The `*.yaml` files of a folder of this project (`values`, `tests/fixtures/render`),
/// sorted; an empty or missing folder fails the test, since a test over no files checks
/// nothing.
pub fn project_yaml_files(dir: &str) -> Vec<PathBuf> {
    let files = yaml_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir));
    assert!(!files.is_empty(), "no values files in {dir}");
    files
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Running pgx
// ---------------------------------------------------------------------------------------------

/// What one run of the binary did.
#[derive(Debug)]
pub struct PgxRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `pgx ARGS...` from the package root, with no values taken from the environment and no
/// colour. A run ended by a signal has code -1.
pub fn pgx(args: &[&str]) -> PgxRun {
    let output = Command::new(env!("CARGO_BIN_EXE_pgx"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("PGX_VALUES")
        .env_remove("ARGOCD_ENV_PGX_VALUES")
        .env_remove("ARGOCD_APP_PARAMETERS")
        .env("NO_COLOR", "1")
        .output()
        .expect("the pgx binary runs");
    PgxRun {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("pgx writes UTF-8 on stdout"),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `pgx render ARGS...` as (exit code, stdout, stderr).
pub fn pgx_render(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["render"];
    all.extend_from_slice(args);
    let run = pgx(&all);
    (run.code, run.stdout, run.stderr)
}

/// Renders `values` with `flags` and returns the stream; panics with pgx's diagnostics unless
/// the render succeeded.
pub fn render_ok(values: &[&Path], flags: &[&str]) -> String {
    let mut args: Vec<String> = Vec::new();
    for file in values {
        args.push("-f".into());
        args.push(file.to_str().expect("UTF-8 path").into());
    }
    args.extend(flags.iter().map(|flag| flag.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = pgx_render(&args);
    assert_eq!(
        code,
        0,
        "pgx render {} exited {code}:\n{stderr}",
        args.join(" ")
    );
    stdout
}

// ---------------------------------------------------------------------------------------------
// Parsing streams
// ---------------------------------------------------------------------------------------------

/// The documents of a multi-document YAML stream, read by serde_yaml (not pgx's own parser),
/// without the empty and comment-only documents. Scalars keep their YAML type: `"16"` is a
/// string and `16` an integer; a scalar YAML 1.1 would read as a timestamp stays the string it
/// is (serde_yaml has no timestamp type). Panics on malformed YAML, naming the document.
pub fn parse_stream(text: &str) -> Vec<Value> {
    let mut documents = Vec::new();
    for (index, document) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let value = Value::deserialize(document)
            .unwrap_or_else(|e| panic!("YAML document {} of the stream: {e}", index + 1));
        if !value.is_null() {
            documents.push(value);
        }
    }
    documents
}

pub fn parse_file(path: &Path) -> Vec<Value> {
    parse_stream(&read(path))
}

// ---------------------------------------------------------------------------------------------
// Equivalence
// ---------------------------------------------------------------------------------------------

/// What identifies an object in a stream: (apiVersion, kind, namespace or "", name).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn new(api_version: &str, kind: &str, namespace: &str, name: &str) -> Self {
        ObjectKey {
            api_version: api_version.into(),
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// The key of a parsed object; panics when the object lacks apiVersion, kind or name.
    pub fn of(object: &Value) -> Self {
        let text = |pointer: &str| object.pointer(pointer).and_then(Value::as_str);
        let required = |pointer: &str| {
            text(pointer).unwrap_or_else(|| {
                panic!("object without a string {pointer}: {}", brief_json(object))
            })
        };
        ObjectKey::new(
            required("/apiVersion"),
            required("/kind"),
            text("/metadata/namespace").unwrap_or(""),
            required("/metadata/name"),
        )
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {} ({})", self.kind, self.name, self.api_version)
        } else {
            write!(
                f,
                "{} {}/{} ({})",
                self.kind, self.namespace, self.name, self.api_version
            )
        }
    }
}

/// One difference between two streams: in object `object`, at `path` (empty: the whole object),
/// the expected stream has `expected` and the actual one `actual` (`None`: absent).
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    pub object: ObjectKey,
    pub path: String,
    pub expected: Option<Value>,
    pub actual: Option<Value>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |value: &Option<Value>| match value {
            None => "absent".to_string(),
            Some(_) if self.path.is_empty() => "present".to_string(),
            Some(value) => brief_json(value),
        };
        let path = if self.path.is_empty() {
            "(the object)"
        } else {
            &self.path
        };
        write!(
            f,
            "{}: {path}: expected {}, actual {}",
            self.object,
            shown(&self.expected),
            shown(&self.actual)
        )
    }
}

/// Compact JSON, cut after 300 characters.
pub fn brief_json(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 300 {
        format!("{}…", text.chars().take(300).collect::<String>())
    } else {
        text
    }
}

/// The objects of a stream by key; panics when two objects share a key (a stream is a set).
pub fn index_objects(objects: &[Value]) -> BTreeMap<ObjectKey, &Value> {
    let mut index = BTreeMap::new();
    for object in objects {
        let key = ObjectKey::of(object);
        if index.insert(key.clone(), object).is_some() {
            panic!("two objects in one stream are keyed {key}");
        }
    }
    index
}

/// Every difference between two streams, sorted by object: objects keyed by (apiVersion, kind,
/// namespace, name), missing and extra objects as differences of the whole object, and within
/// a pair: maps regardless of key order, lists in order (lists of different lengths differ as a
/// whole, at the list's path), scalars by type and value.
pub fn diff_streams(expected: &[Value], actual: &[Value]) -> Vec<Difference> {
    let expected = index_objects(expected);
    let actual = index_objects(actual);
    let mut keys: Vec<&ObjectKey> = expected.keys().chain(actual.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut differences = Vec::new();
    for key in keys {
        match (expected.get(key), actual.get(key)) {
            (Some(e), Some(a)) => diff_values(key, String::new(), e, a, &mut differences),
            (e, a) => differences.push(Difference {
                object: key.clone(),
                path: String::new(),
                expected: e.map(|v| (*v).clone()),
                actual: a.map(|v| (*v).clone()),
            }),
        }
    }
    differences
}

fn diff_values(
    object: &ObjectKey,
    path: String,
    expected: &Value,
    actual: &Value,
    out: &mut Vec<Difference>,
) {
    let difference = |expected: Option<&Value>, actual: Option<&Value>, path: String| Difference {
        object: object.clone(),
        path,
        expected: expected.cloned(),
        actual: actual.cloned(),
    };
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, e_value) in e {
                let child = join_key(&path, key);
                match a.get(key) {
                    Some(a_value) => diff_values(object, child, e_value, a_value, out),
                    None => out.push(difference(Some(e_value), None, child)),
                }
            }
            for (key, a_value) in a {
                if !e.contains_key(key) {
                    out.push(difference(None, Some(a_value), join_key(&path, key)));
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (index, (e_item, a_item)) in e.iter().zip(a).enumerate() {
                diff_values(object, format!("{path}[{index}]"), e_item, a_item, out);
            }
        }
        _ if expected == actual => {}
        _ => out.push(difference(Some(expected), Some(actual), path)),
    }
}

/// `path.key` for identifier-like keys, `path["key"]` for the others.
pub fn join_key(path: &str, key: &str) -> String {
    let identifier = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (identifier, path.is_empty()) {
        (true, true) => key.to_string(),
        (true, false) => format!("{path}.{key}"),
        (false, _) => format!("{path}[{}]", Value::from(key)),
    }
}

/// The value at a path written as [`diff_streams`] writes them (`spec.ports[0].targetPort`,
/// `metadata.annotations["metallb.io/allow-shared-ip"]`); `None` when it is absent. Panics on
/// a malformed path.
pub fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = value;
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[\"") {
            // A JSON string key: find its closing quote, honouring escapes.
            let mut escaped = false;
            let end = after
                .char_indices()
                .find(|&(_, c)| {
                    let closes = c == '"' && !escaped;
                    escaped = c == '\\' && !escaped;
                    closes
                })
                .map(|(i, _)| i)
                .unwrap_or_else(|| panic!("unterminated key in path {path:?}"));
            let key: String = serde_json::from_str(&format!("\"{}\"", &after[..end]))
                .unwrap_or_else(|e| panic!("bad key in path {path:?}: {e}"));
            current = current.as_object()?.get(&key)?;
            rest = after[end + 1..]
                .strip_prefix(']')
                .unwrap_or_else(|| panic!("expected ] in path {path:?}"));
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after
                .find(']')
                .unwrap_or_else(|| panic!("expected ] in path {path:?}"));
            let index: usize = after[..end]
                .parse()
                .unwrap_or_else(|e| panic!("bad index in path {path:?}: {e}"));
            current = current.as_array()?.get(index)?;
            rest = &after[end + 1..];
        } else {
            let after = rest.strip_prefix('.').unwrap_or(rest);
            let end = after.find(['.', '[']).unwrap_or(after.len());
            assert!(end > 0, "empty key in path {path:?}");
            current = current.as_object()?.get(&after[..end])?;
            rest = &after[end..];
        }
    }
    Some(current)
}

// ---------------------------------------------------------------------------------------------
// Strict CRD validation
// ---------------------------------------------------------------------------------------------

/// The CRD file in `shared/crds/` of each custom resource kind pgx renders.
pub const CRD_FILES: &[(&str, &str)] = &[
    ("postgresql", "acid.zalan.do_postgresqls.yaml"),
    ("Certificate", "cert-manager.io_certificates.yaml"),
    ("ClusterIssuer", "cert-manager.io_clusterissuers.yaml"),
];

pub fn is_custom_kind(kind: &str) -> bool {
    CRD_FILES.iter().any(|(k, _)| *k == kind)
}

/// One CRD, compiled strictly: for each served version, a validator of its `openAPIV3Schema`.
pub struct Crd {
    pub group: String,
    pub kind: String,
    versions: Vec<(String, jsonschema::Validator)>,
}

impl Crd {
    pub fn load(path: &Path) -> Crd {
        let documents = parse_file(path);
        let [crd] = documents.as_slice() else {
            panic!("{}: expected one CustomResourceDefinition", path.display());
        };
        let text = |pointer: &str| {
            crd.pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{}: no {pointer}", path.display()))
                .to_string()
        };
        let mut versions = Vec::new();
        for version in crd["spec"]["versions"].as_array().expect("spec.versions") {
            if version["served"] != json!(true) {
                continue;
            }
            let name = version["name"].as_str().expect("version name").to_string();
            let schema = version
                .pointer("/schema/openAPIV3Schema")
                .unwrap_or_else(|| panic!("{}: version {name} has no schema", path.display()));
            let validator = compile_strict(&strict_json_schema(schema))
                .unwrap_or_else(|e| panic!("{} version {name}: {e}", path.display()));
            versions.push((name, validator));
        }
        assert!(
            !versions.is_empty(),
            "{}: no served version",
            path.display()
        );
        Crd {
            group: text("/spec/group"),
            kind: text("/spec/names/kind"),
            versions,
        }
    }

    /// Every schema error of `object`, as `path: message` (`path` written as in differences).
    pub fn validate(&self, object: &Value) -> Vec<String> {
        let api_version = object["apiVersion"].as_str().unwrap_or_default();
        if object["kind"].as_str() != Some(self.kind.as_str()) {
            return vec![format!("kind: not {}", self.kind)];
        }
        let version = api_version
            .strip_prefix(&self.group)
            .and_then(|rest| rest.strip_prefix('/'));
        let Some((_, validator)) = self
            .versions
            .iter()
            .find(|(name, _)| Some(name.as_str()) == version)
        else {
            let served: Vec<String> = self
                .versions
                .iter()
                .map(|(name, _)| format!("{}/{name}", self.group))
                .collect();
            return vec![format!(
                "apiVersion: {api_version:?} is not a served version of {} ({})",
                self.kind,
                served.join(", ")
            )];
        };
        validator
            .iter_errors(object)
            .map(|error| {
                let path = dotted_path(object, error.instance_path().as_str());
                let path = if path.is_empty() {
                    "(the object)"
                } else {
                    &path
                };
                format!("{path}: {error}")
            })
            .collect()
    }
}

fn compile_strict(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        // The API server checks the formats it knows (date-time, uuid, byte, ...).
        .should_validate_formats(true)
        .with_format("byte", is_base64)
        .build(schema)
        .map_err(|e| e.to_string())
}

fn is_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    text.len() % 4 == 0
        && text.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// A JSON pointer into `instance` written as difference paths are.
fn dotted_path(instance: &Value, pointer: &str) -> String {
    let mut path = String::new();
    let mut current = Some(instance);
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        match current {
            Some(Value::Array(items)) => {
                path = format!("{path}[{segment}]");
                current = segment.parse::<usize>().ok().and_then(|i| items.get(i));
            }
            Some(Value::Object(map)) => {
                path = join_key(&path, &segment);
                current = map.get(&segment);
            }
            _ => {
                path = join_key(&path, &segment);
                current = None;
            }
        }
    }
    path
}

/// A CRD's OpenAPI v3 schema as a JSON Schema that the API server's strict validation matches:
/// - `nullable: true` adds `"null"` to `type`;
/// - `x-kubernetes-int-or-string: true` without a `type` allows integers and strings;
/// - an object schema that lists `properties`, without `additionalProperties` and without
///   `x-kubernetes-preserve-unknown-fields: true`, gets `additionalProperties: false` (an
///   unknown field is an error with strict field validation);
/// - a required property that has a `default` is not required (the API server defaults it
///   before it validates);
/// - the root's `metadata` is checked as ObjectMeta (the CRD leaves it to the API server).
///
/// CEL rules (`x-kubernetes-validations`) are not evaluated.
pub fn strict_json_schema(open_api: &Value) -> Value {
    let mut schema = convert_schema(open_api);
    schema["properties"]["metadata"] = object_meta_schema();
    schema
}

fn convert_schema(schema: &Value) -> Value {
    let Value::Object(source) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in source {
        let converted = match key.as_str() {
            "properties" | "patternProperties" => Value::Object(
                value
                    .as_object()
                    .expect("properties is a map")
                    .iter()
                    .map(|(name, sub)| (name.clone(), convert_schema(sub)))
                    .collect(),
            ),
            "items" | "additionalProperties" | "not" => convert_schema(value),
            "anyOf" | "oneOf" | "allOf" => Value::Array(
                value
                    .as_array()
                    .expect("a list of schemas")
                    .iter()
                    .map(convert_schema)
                    .collect(),
            ),
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    let flag = |name: &str| source.get(name) == Some(&Value::Bool(true));

    if flag("x-kubernetes-int-or-string") && !out.contains_key("type") {
        out.insert("type".into(), json!(["integer", "string"]));
    }
    if out.remove("nullable") == Some(Value::Bool(true)) {
        match out.get_mut("type") {
            Some(Value::String(single)) => {
                let single = single.clone();
                out.insert("type".into(), json!([single, "null"]));
            }
            Some(Value::Array(types)) => types.push(json!("null")),
            _ => {}
        }
        if let Some(Value::Array(values)) = out.get_mut("enum") {
            values.push(Value::Null);
        }
    }
    if out.contains_key("properties")
        && !out.contains_key("additionalProperties")
        && !flag("x-kubernetes-preserve-unknown-fields")
    {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    if let (Some(Value::Array(required)), Some(Value::Object(properties))) =
        (source.get("required"), source.get("properties"))
    {
        let kept: Vec<Value> = required
            .iter()
            .filter(|name| {
                name.as_str()
                    .and_then(|n| properties.get(n))
                    .is_none_or(|p| p.get("default").is_none())
            })
            .cloned()
            .collect();
        out.insert("required".into(), Value::Array(kept));
    }
    out.into()
}

/// ObjectMeta as a client may write it, strictly (an unknown metadata field is an error).
fn object_meta_schema() -> Value {
    let string_map = json!({"type": "object", "additionalProperties": {"type": "string"}});
    json!({
        "type": "object",
        "additionalProperties": false,
        "anyOf": [{"required": ["name"]}, {"required": ["generateName"]}],
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "generateName": {"type": "string"},
            "namespace": {"type": "string"},
            "labels": string_map,
            "annotations": string_map,
            "finalizers": {"type": "array", "items": {"type": "string"}},
            "ownerReferences": {"type": "array", "items": {"type": "object"}},
        }
    })
}

/// [`Crd::load`] of the CRD for `kind`, compiled once per test process.
pub fn crd_for_kind(shared: &Path, kind: &str) -> Option<Arc<Crd>> {
    static CACHE: OnceLock<Mutex<BTreeMap<PathBuf, Arc<Crd>>>> = OnceLock::new();
    let (_, file) = CRD_FILES.iter().find(|(k, _)| *k == kind)?;
    let path = shared.join("crds").join(file);
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let crd = cache
        .entry(path.clone())
        .or_insert_with(|| Arc::new(Crd::load(&path)));
    assert_eq!(crd.kind, kind, "{} defines another kind", path.display());
    Some(crd.clone())
}

/// Every error of a custom resource (postgresql, Certificate, ClusterIssuer) against its CRD,
/// strictly, each as `path: message`.
pub fn validate_custom_resource(shared: &Path, object: &Value) -> Vec<String> {
    let kind = object["kind"].as_str().unwrap_or_default();
    match crd_for_kind(shared, kind) {
        Some(crd) => crd.validate(object),
        None => vec![format!("kind: no CRD in the harness for kind {kind:?}")],
    }
}

// ---------------------------------------------------------------------------------------------
// Kubernetes' own schemas (kubernetes-validate)
// ---------------------------------------------------------------------------------------------

/// The Kubernetes version whose schemas `kubernetes-validate` checks against.
pub const KUBERNETES_VERSION: &str = "1.33.0";

/// The pip requirement `.ci/run` installs.
pub const KUBERNETES_VALIDATE_PIP: &str = "kubernetes-validate==1.37.0";

fn kubernetes_validate_installed() -> bool {
    Command::new("kubernetes-validate")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Whether `kubernetes-validate` can run. Missing: when `PGX_SHARED` is set (CI) that is a
/// failure, so this panics; otherwise it prints the skip line and answers false.
pub fn kubernetes_validate_or_skip() -> bool {
    if kubernetes_validate_installed() {
        return true;
    }
    assert!(
        std::env::var_os("PGX_SHARED").is_none(),
        "{}",
        missing_kubernetes_validate()
    );
    eprintln!(
        "skipped: kubernetes-validate is not on PATH (`pip install {KUBERNETES_VALIDATE_PIP}`)"
    );
    false
}

fn missing_kubernetes_validate() -> String {
    format!(
        "kubernetes-validate is not on PATH: `.ci/run` installs it with pip \
         (`python3 -m pip install '{KUBERNETES_VALIDATE_PIP}'`); do the same here"
    )
}

/// Every error of Kubernetes' own objects (Namespace, Service, PodDisruptionBudget, ...)
/// against the Kubernetes [`KUBERNETES_VERSION`] schemas, strictly (`kubernetes-validate
/// --strict`), each as `<object>: <what the tool said>`. An object the tool has no schema for
/// (a custom resource, a removed apiVersion) is an error too. The tool reports the first error
/// of each object. Panics when the tool is not installed.
pub fn validate_builtin(objects: &[Value]) -> Vec<String> {
    let labeled: Vec<(String, &Value)> = objects
        .iter()
        .map(|object| (ObjectKey::of(object).to_string(), object))
        .collect();
    validate_builtin_labeled(&labeled)
}

/// [`validate_builtin`] in one run of the tool, each error starting with its object's label.
pub fn validate_builtin_labeled(objects: &[(String, &Value)]) -> Vec<String> {
    if objects.is_empty() {
        return Vec::new();
    }
    assert!(
        kubernetes_validate_installed(),
        "{}",
        missing_kubernetes_validate()
    );
    let dir = tempfile::tempdir().expect("a temporary folder");
    // One file per object, so that each line of output names its object; JSON is YAML that
    // PyYAML (YAML 1.1) cannot read differently from what it is.
    let files: Vec<(&str, String)> = objects
        .iter()
        .enumerate()
        .map(|(index, (label, object))| {
            let path = dir.path().join(format!("object-{index:04}.yaml"));
            std::fs::write(&path, serde_json::to_string_pretty(object).unwrap())
                .expect("writable temporary file");
            let path = path.to_str().expect("UTF-8 path").to_string();
            (label.as_str(), path)
        })
        .collect();
    let output = Command::new("kubernetes-validate")
        .args(["--strict", "--kubernetes-version", KUBERNETES_VERSION])
        .args(files.iter().map(|(_, path)| path))
        .output()
        .expect("kubernetes-validate runs");
    let stdout = String::from_utf8_lossy(&output.stdout);

    // Group the lines by the file they name; a line naming none continues the previous one.
    let mut said: Vec<Vec<String>> = vec![Vec::new(); files.len()];
    let mut last: Option<usize> = None;
    for line in stdout.lines() {
        let owner = files
            .iter()
            .position(|(_, path)| line.split_whitespace().nth(1) == Some(path.as_str()));
        match (owner, last) {
            (Some(index), _) => {
                said[index].push(line.to_string());
                last = Some(index);
            }
            (None, Some(index)) => said[index]
                .last_mut()
                .expect("a previous line")
                .push_str(&format!("\n{line}")),
            (None, None) if line.trim().is_empty() => {}
            (None, None) => panic!("unexpected kubernetes-validate output: {line}\n{stdout}"),
        }
    }

    let mut errors = Vec::new();
    for ((label, path), lines) in files.iter().zip(&said) {
        let passed = format!("INFO {path} passed for resource ");
        match lines.as_slice() {
            [only] if only.starts_with(&passed) => {}
            [] => errors.push(format!(
                "{label}: kubernetes-validate said nothing about it"
            )),
            lines => errors.extend(lines.iter().map(|line| {
                // "ERROR <file> did not validate for resource service/x against version 1.33:
                // spec: Additional properties are not allowed ('typo' was unexpected)"
                let line = line.replacen(&format!(" {path} "), " ", 1);
                format!("{label}: {line}")
            })),
        }
    }
    if errors.is_empty() {
        assert!(
            output.status.success(),
            "kubernetes-validate exited {:?} without naming a failure:\n{stdout}\n{}",
            output.status.code(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    errors
}

/// Every schema error of every object: custom resources against their CRDs, the others against
/// Kubernetes' own schemas. Each error starts with its object.
pub fn validate_objects(shared: &Path, objects: &[Value]) -> Vec<String> {
    let labeled: Vec<(String, &Value)> = objects
        .iter()
        .map(|object| (ObjectKey::of(object).to_string(), object))
        .collect();
    validate_labeled(shared, &labeled)
}

/// [`validate_objects`] with a label of the caller's for each object (one run of
/// `kubernetes-validate` for all of them).
pub fn validate_labeled(shared: &Path, objects: &[(String, &Value)]) -> Vec<String> {
    let mut errors = Vec::new();
    let mut builtin = Vec::new();
    for (label, object) in objects {
        if is_custom_kind(object["kind"].as_str().unwrap_or_default()) {
            errors.extend(
                validate_custom_resource(shared, object)
                    .into_iter()
                    .map(|error| format!("{label}: {error}")),
            );
        } else {
            builtin.push((label.clone(), *object));
        }
    }
    errors.extend(validate_builtin_labeled(&builtin));
    errors
}

// ---------------------------------------------------------------------------------------------
// A deterministic generator
// ---------------------------------------------------------------------------------------------

/// A small deterministic generator (xorshift), so a failure names a reproducible case.
pub struct Random(pub u64);

impl Random {
    /// The next 31 bits.
    pub fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 >> 33).unwrap_or(0)
    }

    /// A number below `n`, which is not 0.
    pub fn below(&mut self, n: usize) -> usize {
        self.next() % n
    }
}
