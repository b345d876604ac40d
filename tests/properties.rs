//! Property tests of rendering (issue #6), in-process through the library.
//!
//! (a) Arbitrary text (line breaks, quotes, `#`, `---`, `{{ }}`, leading spaces, `yes`,
//!     numbers, timestamps, NUL and other control characters, any Unicode) in each
//!     free-text field either gets a finding that refuses the render, or comes back exactly
//!     from the output as an independent parser (serde_yaml) reads it, and the objects
//!     rendered (kind, namespace, name) are the same as with harmless text.
//! (b) Generated valid fleets (1–5 clusters, pooler and replica pooler on or off, TLS on
//!     or off, any subset of external endpoints, shared IPs with unique ports, PDBs) render
//!     to output whose every object passes the strict schema checks of the compat harness
//!     (`tests/common`: the CRD schemas of `$PGX_SHARED/crds` made strict, and
//!     `kubernetes-validate --strict` for built-in kinds, run once over every case). Without
//!     `PGX_SHARED` only the structural checks run, and the test says so.

mod support;

use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_yaml::Value;

/// Loads values from YAML text as `pgx render -f -` would, lints them and renders when
/// nothing blocks. `Err` holds the blocking findings' ids.
fn render(text: &str) -> Result<String, Vec<String>> {
    let input = pgx::load::ValuesInput {
        files: vec!["-".to_owned()],
        set: Vec::new(),
        set_string: Vec::new(),
        max_file_size: pgx::load::DEFAULT_MAX_FILE_SIZE,
    };
    let loaded = pgx::load::load(&input, &mut text.as_bytes())
        .unwrap_or_else(|e| panic!("values written with quoted() must load: {e}\n{text}"));
    let options = pgx::lint::LintOptions {
        ignore: Vec::new(),
        allow_empty: false,
    };
    let findings = pgx::lint::lint(&loaded, &options);
    let blocking: Vec<String> = findings
        .iter()
        .filter(|f| f.blocks())
        .map(|f| f.code.to_owned())
        .collect();
    if !blocking.is_empty() {
        return Err(blocking);
    }
    let values = loaded
        .values
        .as_ref()
        .expect("values decode without findings");
    let renderer = pgx::render::Renderer::new().expect("templates compile");
    match renderer.render(values) {
        Ok(rendered) => Ok(rendered.stream(&[])),
        Err(e) => panic!("values that passed lint failed to render: {e}\n{text}"),
    }
}

/// The documents of a stream, parsed by serde_yaml.
fn documents(stream: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(stream)
        .map(|d| Value::deserialize(d).expect("serde_yaml parses pgx's output"))
        .filter(|v| !v.is_null())
        .collect()
}

use serde::Deserialize as _;

fn str_at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    let mut node = value;
    for key in path {
        node = node.get(*key)?;
    }
    node.as_str()
}

/// kind, namespace and name of every object.
fn object_ids(documents: &[Value]) -> BTreeSet<(String, String, String)> {
    documents
        .iter()
        .map(|d| {
            (
                str_at(d, &["kind"]).unwrap_or_default().to_owned(),
                str_at(d, &["metadata", "namespace"])
                    .unwrap_or_default()
                    .to_owned(),
                str_at(d, &["metadata", "name"])
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

fn object<'d>(documents: &'d [Value], kind: &str) -> &'d Value {
    documents
        .iter()
        .find(|d| str_at(d, &["kind"]) == Some(kind))
        .unwrap_or_else(|| panic!("no {kind} rendered"))
}

/// The free-text fields, each with where its text shows up in the output.
#[derive(Clone, Copy, Debug)]
enum Field {
    LabelValue,
    PodAnnotationValue,
    PodAnnotationKey,
    ServiceAnnotationValue,
    EndpointAnnotationValue,
    EnvValue,
    TlsOrganization,
}

const FIELDS: [Field; 7] = [
    Field::LabelValue,
    Field::PodAnnotationValue,
    Field::PodAnnotationKey,
    Field::ServiceAnnotationValue,
    Field::EndpointAnnotationValue,
    Field::EnvValue,
    Field::TlsOrganization,
];

/// Values with one cluster that renders every kind of object, `text` in `field` and a
/// harmless `v` in every other free-text field.
fn values_with(field: Field, text: &str) -> String {
    let q = |f: Field| {
        if matches!(f, Field::PodAnnotationKey) {
            unreachable!()
        }
        let same = std::mem::discriminant(&f) == std::mem::discriminant(&field);
        pgx::yaml::quoted(if same { text } else { "v" })
    };
    let pod_key = if matches!(field, Field::PodAnnotationKey) {
        pgx::yaml::quoted(text)
    } else {
        "note".to_owned()
    };
    format!(
        "tls:
  issuerType: caBootstrap
externalAccess:
  writeIP: 203.0.113.10
  domain: example.com
pgClusters:
  - name: main
    namespace: db
    labels: {{extra: {label}}}
    podAnnotations: {{{pod_key}: {pod}}}
    serviceAnnotations: {{note: {service}}}
    env: [{{name: NOTE, value: {env}}}]
    tls: {{enabled: true, organization: {organization}, additionalDNSNames: [main-write.example.com]}}
    externalAccess:
      enabled: true
      port: 5432
      allowedSourceRanges: [10.0.0.0/8]
      write: {{enabled: true, annotations: {{note: {endpoint}}}}}
",
        label = q(Field::LabelValue),
        pod = q(Field::PodAnnotationValue),
        service = q(Field::ServiceAnnotationValue),
        env = q(Field::EnvValue),
        organization = q(Field::TlsOrganization),
        endpoint = q(Field::EndpointAnnotationValue),
    )
}

/// Where `field`'s text is found in the output.
fn read_back(field: Field, documents: &[Value]) -> Vec<Option<String>> {
    let postgresql = object(documents, "postgresql");
    let service = object(documents, "Service");
    let certificate = documents
        .iter()
        .find(|d| {
            str_at(d, &["kind"]) == Some("Certificate")
                && str_at(d, &["metadata", "namespace"]) == Some("db")
        })
        .expect("the cluster's Certificate");
    let s = |v: Option<&str>| v.map(str::to_owned);
    match field {
        // A label goes on every object of the cluster.
        Field::LabelValue => [postgresql, service, certificate]
            .iter()
            .map(|o| s(str_at(o, &["metadata", "labels", "extra"])))
            .collect(),
        Field::PodAnnotationValue => {
            vec![s(str_at(postgresql, &["spec", "podAnnotations", "note"]))]
        }
        Field::PodAnnotationKey => {
            let keys: Vec<Option<String>> = postgresql
                .get("spec")
                .and_then(|s| s.get("podAnnotations"))
                .and_then(Value::as_mapping)
                .map(|m| m.keys().map(|k| k.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            keys
        }
        Field::ServiceAnnotationValue => {
            vec![s(str_at(
                postgresql,
                &["spec", "serviceAnnotations", "note"],
            ))]
        }
        Field::EndpointAnnotationValue => {
            vec![s(str_at(service, &["metadata", "annotations", "note"]))]
        }
        Field::EnvValue => {
            let env = postgresql
                .get("spec")
                .and_then(|s| s.get("env"))
                .and_then(Value::as_sequence)
                .cloned()
                .unwrap_or_default();
            env.iter()
                .filter(|e| str_at(e, &["name"]) == Some("NOTE"))
                .map(|e| s(str_at(e, &["value"])))
                .collect()
        }
        Field::TlsOrganization => {
            let organizations = certificate
                .get("spec")
                .and_then(|s| s.get("subject"))
                .and_then(|s| s.get("organizations"))
                .and_then(Value::as_sequence)
                .cloned()
                .unwrap_or_default();
            organizations
                .iter()
                .map(|o| o.as_str().map(str::to_owned))
                .collect()
        }
    }
}

/// Text that is hard for YAML: fragments that mean something to a YAML or template
/// reader, glued to arbitrary Unicode.
fn hostile_text() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just("\\".to_owned()),
        Just("# not a comment".to_owned()),
        Just("---".to_owned()),
        Just("\n---\nkind: Secret\n".to_owned()),
        Just("...".to_owned()),
        Just("{{ .Values.x }}".to_owned()),
        Just("{% if true %}".to_owned()),
        Just("{".to_owned()),
        Just("[".to_owned()),
        Just("  leading".to_owned()),
        Just("trailing  ".to_owned()),
        Just("yes".to_owned()),
        Just("no".to_owned()),
        Just("null".to_owned()),
        Just("~".to_owned()),
        Just("0x1F".to_owned()),
        Just("1e3".to_owned()),
        Just("0777".to_owned()),
        Just("5432".to_owned()),
        Just(".inf".to_owned()),
        Just("2024-01-01T00:00:00Z".to_owned()),
        Just(": ".to_owned()),
        Just("- ".to_owned()),
        Just("&anchor".to_owned()),
        Just("*alias".to_owned()),
        Just("!!binary".to_owned()),
        Just("%TAG".to_owned()),
        Just("@".to_owned()),
        Just("`".to_owned()),
        Just("\t".to_owned()),
        Just("\0".to_owned()),
        Just("\u{7}\u{1b}[31m".to_owned()),
        Just("\u{7f}".to_owned()),
        Just("\u{85}".to_owned()),
        Just("\u{a0}".to_owned()),
        Just("\u{2028}\u{2029}".to_owned()),
        Just("\u{feff}".to_owned()),
        Just("\u{fffe}\u{ffff}".to_owned()),
        Just("é中😀".to_owned()),
        any::<char>().prop_map(String::from),
        "\\PC{0,8}",
        any::<String>(),
    ];
    prop::collection::vec(fragment, 0..6).prop_map(|parts| parts.concat())
}

fn field() -> impl Strategy<Value = Field> {
    prop::sample::select(FIELDS.to_vec())
}

#[test]
fn the_base_values_render_every_kind_of_object() {
    for field in FIELDS {
        let text = values_with(field, "plain");
        let stream = render(&text).unwrap_or_else(|f| panic!("{field:?} refused: {f:?}"));
        let documents = documents(&stream);
        let found = read_back(field, &documents);
        assert!(!found.is_empty(), "{field:?} not found");
        for value in found {
            assert_eq!(value.as_deref(), Some("plain"), "{field:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn free_text_is_refused_or_comes_back_exactly(field in field(), text in hostile_text()) {
        let reference = documents(&render(&values_with(field, "plain")).expect("base renders"));
        match render(&values_with(field, &text)) {
            // Refused with a finding: nothing was rendered, which is an answer.
            Err(findings) => prop_assert!(!findings.is_empty()),
            Ok(stream) => {
                let documents = documents(&stream);
                prop_assert_eq!(object_ids(&documents), object_ids(&reference));
                let found = read_back(field, &documents);
                prop_assert!(!found.is_empty());
                for value in found {
                    prop_assert_eq!(value.as_deref(), Some(text.as_str()), "{:?}", field);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// (b) generated valid fleets
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct ClusterSpec {
    pooler: bool,
    replica_pooler: bool,
    tls: bool,
    write: bool,
    read: bool,
    admin: bool,
    pdb: bool,
    instances: u8,
}

fn cluster_spec() -> impl Strategy<Value = ClusterSpec> {
    (any::<[bool; 7]>(), 1u8..=3).prop_map(|(b, instances)| ClusterSpec {
        pooler: b[0],
        replica_pooler: b[1],
        tls: b[2],
        write: b[3],
        read: b[4],
        admin: b[5],
        pdb: b[6],
        instances,
    })
}

/// A fleet: every cluster shares the three IPs, each on its own port, so no two services
/// take one IP and port.
fn fleet_values(issuer: &str, clusters: &[ClusterSpec]) -> String {
    let ca_secret = if issuer == "ca" {
        "\n  caSecretName: platform-ca"
    } else {
        ""
    };
    let mut text = format!(
        "tls:\n  issuerType: {issuer}{ca_secret}\nexternalAccess:\n  writeIP: 203.0.113.10\n  readIP: 203.0.113.11\n  adminIP: 203.0.113.12\n  domain: example.com\npgClusters:\n"
    );
    for (i, c) in clusters.iter().enumerate() {
        let name = format!("db{i}");
        let external = c.write || c.read || c.admin;
        // A read endpoint needs replicas to select (PGX401).
        let instances = if c.read {
            c.instances.max(2)
        } else {
            c.instances
        };
        text.push_str(&format!(
            "  - name: {name}\n    namespace: ns{}\n    numberOfInstances: {instances}\n    labels: {{team: t{i}}}\n    pooler:\n      enabled: {}\n      replica: {{enabled: {}}}\n",
            i % 2,
            c.pooler,
            c.replica_pooler
        ));
        if c.pdb {
            text.push_str("    pdb: {maxUnavailable: 1}\n");
        }
        text.push_str(&format!("    tls:\n      enabled: {}\n", c.tls || external));
        if external {
            let names: Vec<String> = ["write", "read", "admin"]
                .iter()
                .map(|k| format!("{name}-{k}.example.com"))
                .collect();
            text.push_str(&format!(
                "      additionalDNSNames: [{}]\n",
                names.join(", ")
            ));
            text.push_str(&format!(
                "    externalAccess:\n      enabled: true\n      port: {}\n      allowedSourceRanges: [10.0.0.0/8]\n      write: {{enabled: {}}}\n      read: {{enabled: {}}}\n      admin: {{enabled: {}, allowedSourceRanges: [10.1.0.0/16]}}\n",
                5432 + i,
                c.write,
                c.read,
                c.admin
            ));
        }
    }
    text
}

/// The structure every rendered object must have, whatever the schema checks say.
fn check_structure(documents: &[Value]) {
    let mut seen = BTreeSet::new();
    for d in documents {
        let kind = str_at(d, &["kind"]).expect("kind");
        let name = str_at(d, &["metadata", "name"]).expect("metadata.name");
        assert!(str_at(d, &["apiVersion"]).is_some(), "{kind} {name}");
        let namespace = str_at(d, &["metadata", "namespace"]).unwrap_or_default();
        assert!(
            seen.insert((kind.to_owned(), namespace.to_owned(), name.to_owned())),
            "{kind} {namespace}/{name} rendered twice"
        );
    }
}

fn count_kind(documents: &[Value], kind: &str) -> usize {
    documents
        .iter()
        .filter(|d| str_at(d, &["kind"]) == Some(kind))
        .count()
}

#[test]
fn generated_fleets_render_objects_that_pass_the_strict_schemas() {
    use proptest::test_runner::{Config, TestRunner};

    let shared = support::shared_dir();
    // Built-in kinds, kept for one run of kubernetes-validate (a Python start per case
    // would cost a minute).
    let builtins = std::cell::RefCell::new(Vec::<serde_json::Value>::new());
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        prop::sample::select(vec!["caBootstrap", "ca", "selfSigned"]),
        prop::collection::vec(cluster_spec(), 1..=5),
    );
    let result = runner.run(&strategy, |(issuer, clusters)| {
        let text = fleet_values(issuer, &clusters);
        let stream = render(&text).map_err(|findings| {
            TestCaseError::fail(format!("valid fleet refused: {findings:?}\n{text}"))
        })?;
        let documents = documents(&stream);
        check_structure(&documents);
        prop_assert_eq!(count_kind(&documents, "postgresql"), clusters.len());
        let endpoints: usize = clusters
            .iter()
            .map(|c| usize::from(c.write) + usize::from(c.read) + usize::from(c.admin))
            .sum();
        prop_assert_eq!(count_kind(&documents, "Service"), endpoints);
        let pdbs = clusters.iter().filter(|c| c.pdb).count();
        prop_assert_eq!(count_kind(&documents, "PodDisruptionBudget"), pdbs);
        if let Some(shared) = &shared {
            for object in support::parse_stream(&stream) {
                let kind = support::ObjectKey::of(&object).kind.clone();
                if support::is_custom_kind(&kind) {
                    let errors = support::validate_custom_resource(shared, &object);
                    prop_assert!(
                        errors.is_empty(),
                        "{}: {errors:?}\n{text}",
                        support::ObjectKey::of(&object)
                    );
                } else {
                    builtins.borrow_mut().push(object);
                }
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    if shared.is_none() {
        eprintln!("skipped: PGX_SHARED is not set: the strict schema checks did not run");
        return;
    }
    assert!(support::kubernetes_validate_or_skip());
    let builtins = builtins.into_inner();
    assert!(!builtins.is_empty());
    let failures = support::validate_builtin(&builtins);
    assert!(
        failures.is_empty(),
        "built-in objects fail their schemas:\n{}",
        failures.join("\n")
    );
}
