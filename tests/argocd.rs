//! pgx as an ArgoCD config-management plugin, checked the way ArgoCD uses it.
//!
//! The render tests run the generate command of `deploy/argocd/plugin.yaml` as
//! `argocd-cmp-server` does: in a copy of the Application's folder, with the sidecar's
//! environment (here only `PATH`, with the pgx under test first) plus the build variables
//! and `ARGOCD_ENV_*` entries that ArgoCD sends, no standard input and no terminal, the
//! command and its arguments executed directly (a shell only if the plugin names one).
//! ArgoCD syncs whatever the command prints when it exits 0 and, with pruning on, deletes
//! live objects missing from it; so every bad commit must exit non-zero with nothing on
//! standard output.
//!
//! The shape tests read the plugin, its ConfigMap, the repo-server sidecar patch and the
//! example Application. Where `kubernetes-validate` and `kubectl` (for kustomize) are on
//! `PATH` the full objects are also validated against Kubernetes' strict schemas; in CI
//! (`PGX_SHARED` set) a missing tool is a failure, elsewhere the check is skipped with a note.
#![cfg(unix)]

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde::Deserialize;
use serde_yaml::Value;

const PLUGIN: &str = "deploy/argocd/plugin.yaml";
const PLUGIN_CONFIGMAP: &str = "deploy/argocd/plugin-configmap.yaml";
const SIDECAR_PATCH: &str = "deploy/argocd/repo-server-patch.yaml";
const APPLICATIONS: &str = "deploy/argocd/application.yaml";
const APP_FOLDER: &str = "tests/fixtures/argocd/app";
const BROKEN_APP_FOLDER: &str = "tests/fixtures/argocd/app-broken";
const REPO_SERVER_BASE: &str = "tests/fixtures/argocd/repo-server-base.yaml";

// ---------------------------------------------------------------------------------------
// Reading files
// ---------------------------------------------------------------------------------------

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn read_text(relative: &str) -> String {
    let path = repo_path(relative);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Every non-empty document of a YAML stream.
fn parse_stream(text: &str, what: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(text)
        .map(|doc| {
            Value::deserialize(doc).unwrap_or_else(|e| panic!("{what} is not YAML: {e}\n{text}"))
        })
        .filter(|doc| !doc.is_null())
        .collect()
}

fn read_document(relative: &str) -> Value {
    let mut docs = parse_stream(&read_text(relative), relative);
    assert_eq!(docs.len(), 1, "{relative} should hold exactly one document");
    docs.remove(0)
}

/// The value at a path of keys and list indices (`"spec.template.spec.containers"`).
fn at<'a>(value: &'a Value, path: &str) -> &'a Value {
    let mut node = value;
    for step in path.split('.') {
        node = match step.parse::<usize>() {
            Ok(i) => node.get(i),
            Err(_) => node.get(step),
        }
        .unwrap_or_else(|| panic!("missing `{path}` (at `{step}`) in\n{value:?}"));
    }
    node
}

fn string_at<'a>(value: &'a Value, path: &str) -> &'a str {
    at(value, path)
        .as_str()
        .unwrap_or_else(|| panic!("`{path}` is not a string: {:?}", at(value, path)))
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .unwrap_or_else(|| panic!("not a list: {value:?}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("not a string: {v:?}"))
                .to_owned()
        })
        .collect()
}

fn list<'a>(value: &'a Value, path: &str) -> &'a [Value] {
    at(value, path)
        .as_sequence()
        .unwrap_or_else(|| panic!("`{path}` is not a list"))
}

/// The item of a list of named objects (containers, volumes, env) with this `name`.
fn named<'a>(items: &'a [Value], name: &str) -> Option<&'a Value> {
    items
        .iter()
        .find(|item| item.get("name").and_then(Value::as_str) == Some(name))
}

// ---------------------------------------------------------------------------------------
// The plugin, as argocd-cmp-server reads it
// ---------------------------------------------------------------------------------------

struct Plugin {
    name: String,
    version: Option<String>,
    init: Option<Vec<String>>,
    generate: Vec<String>,
}

impl Plugin {
    fn load() -> Self {
        let manifest = read_document(PLUGIN);
        let command = |which: &str| -> Option<Vec<String>> {
            let spec = at(&manifest, "spec").get(which)?;
            let mut argv = strings(at(spec, "command"));
            if let Some(args) = spec.get("args") {
                argv.extend(strings(args));
            }
            Some(argv)
        };
        Plugin {
            name: string_at(&manifest, "metadata.name").to_owned(),
            version: at(&manifest, "spec")
                .get("version")
                .and_then(Value::as_str)
                .map(str::to_owned),
            init: command("init"),
            generate: command("generate").expect("spec.generate"),
        }
    }

    /// What an Application's `spec.source.plugin.name` must say to select this plugin.
    fn selector(&self) -> String {
        match &self.version {
            Some(v) => format!("{}-{v}", self.name),
            None => self.name.clone(),
        }
    }
}

/// What ArgoCD sends along with one manifest generation.
#[derive(Default)]
struct Request<'a> {
    /// The Application's `spec.source.plugin.env`, which reach the command as `ARGOCD_ENV_*`.
    plugin_env: Vec<(&'a str, &'a str)>,
    /// The Application's array parameters (`spec.source.plugin.parameters`).
    array_parameters: Vec<(&'a str, Vec<&'a str>)>,
}

/// A temporary copy of an application folder, as the cmp-server unpacks it per request.
fn checkout(folder: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&repo_path(folder), dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `PATH` of the sidecar: the folder of the pgx under test first, so `pgx` resolves to it.
fn sidecar_path() -> OsString {
    let pgx = Path::new(env!("CARGO_BIN_EXE_pgx"));
    let mut dirs = vec![pgx.parent().expect("pgx has a folder").to_path_buf()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).expect("PATH")
}

/// The environment of one generation: the sidecar's own (PATH) and then the entries the
/// repo-server sends, of which ArgoCD drops those with empty values.
fn generation_env(request: &Request) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = vec![
        ("ARGOCD_APP_NAME".into(), "postgres-production".into()),
        ("ARGOCD_APP_NAMESPACE".into(), "argocd".into()),
        ("ARGOCD_APP_PROJECT_NAME".into(), "default".into()),
        (
            "ARGOCD_APP_REVISION".into(),
            "0123456789abcdef0123456789abcdef01234567".into(),
        ),
        ("ARGOCD_APP_REVISION_SHORT".into(), "0123456".into()),
        (
            "ARGOCD_APP_SOURCE_REPO_URL".into(),
            "https://git.example.com/platform/databases.git".into(),
        ),
        ("ARGOCD_APP_SOURCE_PATH".into(), "postgres".into()),
        ("ARGOCD_APP_SOURCE_TARGET_REVISION".into(), "main".into()),
        ("KUBE_VERSION".into(), "1.34.1".into()),
        (
            "KUBE_API_VERSIONS".into(),
            "v1,apps/v1,policy/v1,cert-manager.io/v1,acid.zalan.do/v1".into(),
        ),
    ];
    for (name, value) in &request.plugin_env {
        env.push((format!("ARGOCD_ENV_{name}"), (*value).to_owned()));
    }
    if !request.array_parameters.is_empty() {
        let json: Vec<serde_json::Value> = request
            .array_parameters
            .iter()
            .map(|(name, items)| serde_json::json!({ "name": name, "array": items }))
            .collect();
        env.push((
            "ARGOCD_APP_PARAMETERS".into(),
            serde_json::Value::Array(json).to_string(),
        ));
        for (name, items) in &request.array_parameters {
            let stem: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            for (i, item) in items.iter().enumerate() {
                env.push((format!("PARAM_{stem}_{i}"), (*item).to_owned()));
            }
        }
    }
    env.retain(|(_, value)| !value.is_empty());
    env
}

fn run_command(argv: &[String], dir: &Path, env: &[(String, String)]) -> Output {
    let (program, args) = argv.split_first().expect("a command");
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", sidecar_path())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .output()
        .unwrap_or_else(|e| panic!("running {argv:?}: {e}"))
}

/// One manifest generation, as argocd-cmp-server runs it: `init` (if any), then
/// `generate`, in the application folder.
/// The production Application of the examples: `PGX_VALUES=values-production.yaml`.
fn generate_production(app: &Path) -> Output {
    generate(
        app,
        &Request {
            plugin_env: vec![("PGX_VALUES", "values-production.yaml")],
            ..Request::default()
        },
    )
}

fn generate(app: &Path, request: &Request) -> Output {
    let plugin = Plugin::load();
    let env = generation_env(request);
    if let Some(init) = &plugin.init {
        let out = run_command(init, app, &env);
        if !out.status.success() {
            return out;
        }
    }
    run_command(&plugin.generate, app, &env)
}

fn stdout_of(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn describe(out: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        stderr_of(out)
    )
}

/// The objects ArgoCD would take from a successful generation.
fn objects(out: &Output) -> Vec<Value> {
    assert!(out.status.success(), "generation failed\n{}", describe(out));
    let objects = parse_stream(&stdout_of(out), "the generated stream");
    for object in &objects {
        for key in ["apiVersion", "kind", "metadata"] {
            assert!(
                object.get(key).is_some(),
                "an object without `{key}`: {object:?}"
            );
        }
    }
    objects
}

fn identity(object: &Value) -> (String, String, String) {
    let namespace = object
        .get("metadata")
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str)
        .unwrap_or("");
    (
        string_at(object, "kind").to_owned(),
        namespace.to_owned(),
        string_at(object, "metadata.name").to_owned(),
    )
}

fn find<'a>(objects: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| {
            let (k, _, n) = identity(o);
            k == kind && n == name
        })
        .unwrap_or_else(|| panic!("no {kind} {name} in the stream"))
}

/// A failed generation as ArgoCD needs it: non-zero exit, nothing to sync or prune against,
/// and a reason on standard error for the UI, in plain text.
fn assert_refused(out: &Output, code: i32, reason: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "expected exit {code}\n{}",
        describe(out)
    );
    assert!(
        out.stdout.is_empty(),
        "a refused render printed to stdout, which ArgoCD would sync\n{}",
        describe(out)
    );
    let stderr = stderr_of(out);
    assert!(
        stderr.contains(reason),
        "stderr should name {reason}\n{}",
        describe(out)
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes on stderr without a terminal; ArgoCD shows them raw\n{stderr}"
    );
}

// ---------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------

#[test]
fn plugin_manifest_is_a_sidecar_plugin_that_runs_pgx_render() {
    let manifest = read_document(PLUGIN);
    assert_eq!(string_at(&manifest, "apiVersion"), "argoproj.io/v1alpha1");
    assert_eq!(string_at(&manifest, "kind"), "ConfigManagementPlugin");

    let plugin = Plugin::load();
    assert_eq!(plugin.name, "pgx");
    assert!(
        plugin.version.as_deref().is_some_and(|v| !v.is_empty()),
        "spec.version"
    );
    assert_eq!(
        plugin.generate,
        ["pgx", "render"],
        "values come from the environment, not from arguments; no shell, so no quoting"
    );
    assert!(plugin.init.is_none(), "nothing to prepare before rendering");
    // An empty stream must never be accepted: that is what makes ArgoCD prune everything.
    assert!(!plugin.generate.iter().any(|a| a == "--allow-empty"));

    let spec = at(&manifest, "spec");
    // Discovery runs before ArgoCD recognises Helm or Kustomize folders; a pattern broad
    // enough to find values files would claim every Helm chart. Applications name pgx.
    assert!(spec.get("discover").is_none(), "plugin is selected by name");
    assert_eq!(at(spec, "preserveFileMode").as_bool(), Some(false));

    let parameters = list(spec, "parameters.static");
    let values_files = named(parameters, "values-files").expect("a values-files parameter");
    assert_eq!(string_at(values_files, "collectionType"), "array");
    assert!(
        values_files.get("array").is_none(),
        "ArgoCD never sends announced defaults, so announcing one would mislead"
    );
}

#[test]
fn plugin_configmap_carries_the_plugin_manifest() {
    let configmap = read_document(PLUGIN_CONFIGMAP);
    assert_eq!(string_at(&configmap, "apiVersion"), "v1");
    assert_eq!(string_at(&configmap, "kind"), "ConfigMap");
    assert_eq!(string_at(&configmap, "metadata.namespace"), "argocd");
    let embedded = at(&configmap, "data")
        .get("plugin.yaml")
        .and_then(Value::as_str)
        .expect("data[plugin.yaml] is a string");
    let embedded: Value = serde_yaml::from_str(embedded).expect("data[plugin.yaml] is YAML");
    assert_eq!(
        embedded,
        read_document(PLUGIN),
        "{PLUGIN_CONFIGMAP} must carry {PLUGIN} unchanged"
    );
}

#[test]
fn sidecar_patch_runs_the_cmp_server_as_argocd_requires() {
    let patch = read_document(SIDECAR_PATCH);
    let configmap = read_document(PLUGIN_CONFIGMAP);
    assert_eq!(string_at(&patch, "apiVersion"), "apps/v1");
    assert_eq!(string_at(&patch, "kind"), "Deployment");
    assert_eq!(string_at(&patch, "metadata.name"), "argocd-repo-server");

    let pod = at(&patch, "spec.template.spec");
    let containers = list(pod, "containers");
    assert_eq!(containers.len(), 1, "the patch adds one container");
    let pgx = named(containers, "pgx").expect("a container named pgx");
    assert!(!string_at(pgx, "image").is_empty());
    assert_eq!(
        strings(at(pgx, "command")),
        ["/var/run/argocd/argocd-cmp-server"]
    );
    assert!(pgx.get("args").is_none());
    assert_eq!(
        at(pgx, "securityContext.runAsNonRoot").as_bool(),
        Some(true)
    );
    assert_eq!(at(pgx, "securityContext.runAsUser").as_u64(), Some(999));

    let mounts = list(pgx, "volumeMounts");
    let mount = |path: &str| -> &Value {
        mounts
            .iter()
            .find(|m| m.get("mountPath").and_then(Value::as_str) == Some(path))
            .unwrap_or_else(|| panic!("no volume mounted at {path}"))
    };
    // Volumes of the repo-server Deployment that ArgoCD's install defines.
    assert_eq!(string_at(mount("/var/run/argocd"), "name"), "var-files");
    assert_eq!(
        string_at(mount("/home/argocd/cmp-server/plugins"), "name"),
        "plugins"
    );
    // A /tmp of its own: ArgoCD warns against sharing the repo-server's.
    let volumes = list(pod, "volumes");
    let tmp = string_at(mount("/tmp"), "name");
    assert_ne!(tmp, "tmp", "the repo-server's own tmp volume");
    assert!(
        named(volumes, tmp)
            .and_then(|v| v.get("emptyDir"))
            .is_some(),
        "/tmp is an emptyDir of the patch"
    );
    // The plugin configuration, from the ConfigMap, at the one path cmp-server reads.
    let config = mount("/home/argocd/cmp-server/config/plugin.yaml");
    let key = string_at(config, "subPath");
    let volume = named(volumes, string_at(config, "name")).expect("the config volume");
    assert_eq!(
        string_at(volume, "configMap.name"),
        string_at(&configmap, "metadata.name")
    );
    assert!(
        at(&configmap, "data").get(key).is_some(),
        "the ConfigMap has the mounted key {key}"
    );
}

#[test]
fn example_applications_select_the_plugin_by_its_versioned_name() {
    let plugin = Plugin::load();
    let applications = parse_stream(&read_text(APPLICATIONS), APPLICATIONS);
    assert!(applications.len() >= 2, "one Application per environment");
    let mut values_files = BTreeSet::new();
    for app in &applications {
        assert_eq!(string_at(app, "apiVersion"), "argoproj.io/v1alpha1");
        assert_eq!(string_at(app, "kind"), "Application");
        assert_eq!(
            string_at(app, "spec.source.plugin.name"),
            plugin.selector(),
            "ArgoCD selects a versioned plugin as <metadata.name>-<spec.version>"
        );
        let env = list(app, "spec.source.plugin.env");
        let values = named(env, "PGX_VALUES").expect("PGX_VALUES in plugin env");
        values_files.insert(string_at(values, "value").to_owned());
        assert_eq!(
            at(app, "spec.syncPolicy.automated.prune").as_bool(),
            Some(true)
        );
    }
    assert_eq!(
        values_files.len(),
        applications.len(),
        "each environment renders its own values file"
    );
}

// ---------------------------------------------------------------------------------------
// Strict schemas, with the tools that check them
// ---------------------------------------------------------------------------------------

/// A tool on PATH. In CI (`PGX_SHARED` set) it must be there; elsewhere its check is
/// skipped with a note.
fn tool(name: &str, install: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("PGX_SHARED").is_none(),
            "{name} is not on PATH, and CI (PGX_SHARED is set) must run this check: {install}"
        );
        eprintln!("note: {name} is not on PATH; skipping this check ({install})");
    }
    found
}

fn kubernetes_validate_strict(files: &[&Path]) {
    let Some(validate) = tool("kubernetes-validate", "pip install kubernetes-validate") else {
        return;
    };
    let out = Command::new(validate)
        .arg("--strict")
        .args(files)
        .stdin(Stdio::null())
        .output()
        .expect("running kubernetes-validate");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "kubernetes-validate --strict failed\n{report}"
    );
    // It exits 0 with a warning for kinds it has no schema for; these must all be known.
    assert!(
        !report.contains("WARN"),
        "kubernetes-validate did not check everything\n{report}"
    );
    assert!(report.contains("passed"), "{report}");
}

#[test]
fn plugin_configmap_passes_the_strict_kubernetes_schema() {
    kubernetes_validate_strict(&[&repo_path(PLUGIN_CONFIGMAP)]);
}

/// deploy/argocd/ as a kustomize Component over a repo-server Deployment laid out like
/// ArgoCD's install: the patch must merge into a Deployment that passes the strict schema,
/// with every volume it mounts defined.
#[test]
fn sidecar_patch_merges_into_the_repo_server_deployment() {
    let Some(kubectl) = tool("kubectl", "kubectl includes kustomize") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let component = dir.path().join("pgx");
    fs::create_dir(&component).expect("mkdir");
    copy_tree(&repo_path("deploy/argocd"), &component);
    fs::copy(
        repo_path(REPO_SERVER_BASE),
        dir.path().join("argocd-repo-server.yaml"),
    )
    .expect("copy base");
    fs::write(
        dir.path().join("kustomization.yaml"),
        "namespace: argocd\nresources:\n  - argocd-repo-server.yaml\ncomponents:\n  - pgx\n",
    )
    .expect("write kustomization");

    let out = Command::new(kubectl)
        .arg("kustomize")
        .arg(dir.path())
        .stdin(Stdio::null())
        .output()
        .expect("running kubectl kustomize");
    assert!(out.status.success(), "kustomize failed\n{}", describe(&out));
    let built = stdout_of(&out);
    let objects = parse_stream(&built, "kustomize output");
    let kinds: BTreeSet<_> = objects.iter().map(identity).collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            ("ConfigMap".into(), "argocd".into(), "pgx-plugin".into()),
            (
                "Deployment".into(),
                "argocd".into(),
                "argocd-repo-server".into()
            ),
        ])
    );

    let deployment = find(&objects, "Deployment", "argocd-repo-server");
    let pod = at(deployment, "spec.template.spec");
    let containers = list(pod, "containers");
    assert!(named(containers, "argocd-repo-server").is_some());
    assert!(named(containers, "pgx").is_some());
    let volumes: BTreeSet<&str> = list(pod, "volumes")
        .iter()
        .map(|v| string_at(v, "name"))
        .collect();
    for container in containers.iter().chain(list(pod, "initContainers")) {
        for mount in list(container, "volumeMounts") {
            let name = string_at(mount, "name");
            assert!(
                volumes.contains(name),
                "{} mounts undefined volume {name}",
                string_at(container, "name")
            );
        }
    }

    let merged = dir.path().join("built.yaml");
    fs::write(&merged, &built).expect("write built");
    kubernetes_validate_strict(&[&merged]);
}

// ---------------------------------------------------------------------------------------
// Generations
// ---------------------------------------------------------------------------------------

#[test]
fn renders_the_application_folder_as_the_repo_server_does() {
    let app = checkout(APP_FOLDER);
    let out = generate_production(app.path());
    let objects = objects(&out);
    let got: BTreeSet<_> = objects.iter().map(identity).collect();
    let object =
        |kind: &str, ns: &str, name: &str| (kind.to_owned(), ns.to_owned(), name.to_owned());
    let expected = BTreeSet::from([
        object("Namespace", "", "orders"),
        object("ClusterIssuer", "", "platform-postgres-ca"),
        object("Certificate", "orders", "orders-db-tls"),
        object("postgresql", "orders", "orders-db"),
        object("PodDisruptionBudget", "orders", "orders-db-pdb"),
        object("Service", "orders", "orders-db-external-write"),
        object("Service", "orders", "orders-db-external-read"),
        object("Service", "orders", "orders-db-external-admin"),
    ]);
    assert_eq!(got, expected, "\n{}", describe(&out));
    assert_eq!(objects.len(), expected.len(), "no object twice");
    assert!(
        !stderr_of(&out).contains('\u{1b}'),
        "colour codes without a terminal"
    );

    // The values came from the file the Application named, not from defaults.
    let admin = find(&objects, "Service", "orders-db-external-admin");
    assert_eq!(
        strings(at(admin, "spec.loadBalancerSourceRanges")),
        ["203.0.113.0/24"]
    );
    let issuer = find(&objects, "ClusterIssuer", "platform-postgres-ca");
    assert_eq!(
        string_at(issuer, "spec.ca.secretName"),
        "platform-postgres-ca-keypair"
    );
}

#[test]
fn values_files_parameter_wins_over_the_plugin_env() {
    let app = checkout(APP_FOLDER);
    let out = generate(
        app.path(),
        &Request {
            plugin_env: vec![("PGX_VALUES", "values-production.yaml")],
            array_parameters: vec![(
                "values-files",
                vec!["values-production.yaml", "values-region.yaml"],
            )],
        },
    );
    let objects = objects(&out);
    let certificate = find(&objects, "Certificate", "orders-db-tls");
    let names = strings(at(certificate, "spec.dnsNames"));
    assert!(
        names
            .iter()
            .any(|n| n == "orders-db.orders.svc.eu-west-1.internal"),
        "values-region.yaml (only in the parameter) was merged: {names:?}"
    );
    assert!(
        !names.iter().any(|n| n.ends_with(".svc.cluster.local")),
        "{names:?}"
    );
}

#[test]
fn a_commit_with_an_error_fails_the_sync_with_nothing_on_stdout() {
    let app = checkout(BROKEN_APP_FOLDER);
    let out = generate_production(app.path());
    assert_refused(&out, 1, "PGX204");
}

#[test]
fn a_commit_that_removes_every_cluster_fails_instead_of_pruning_them() {
    let app = checkout(APP_FOLDER);
    fs::write(
        app.path().join("values-production.yaml"),
        "tls:\n  issuerType: ca\n  caSecretName: platform-postgres-ca-keypair\npgClusters: []\n",
    )
    .expect("write values");
    let out = generate_production(app.path());
    assert_refused(&out, 1, "PGX105");
}

#[test]
fn a_malformed_values_file_fails_with_nothing_on_stdout() {
    let app = checkout(APP_FOLDER);
    fs::write(
        app.path().join("values-production.yaml"),
        "pgClusters:\n  - name: orders-db\n    namespace: [orders\n",
    )
    .expect("write values");
    let out = generate_production(app.path());
    assert_refused(&out, 2, "values-production.yaml");
}

#[test]
fn a_values_file_missing_from_the_commit_fails_with_nothing_on_stdout() {
    let app = checkout(APP_FOLDER);
    let out = generate(
        app.path(),
        &Request {
            plugin_env: vec![("PGX_VALUES", "values-prodution.yaml")],
            ..Request::default()
        },
    );
    assert_refused(&out, 2, "values-prodution.yaml");
}

#[test]
fn an_application_that_names_no_values_fails_with_nothing_on_stdout() {
    let app = checkout(APP_FOLDER);
    let out = generate(app.path(), &Request::default());
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(out.stdout.is_empty(), "{}", describe(&out));
}
