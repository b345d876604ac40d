//! Equivalence with Helm (`shared/spec/rendering.md`, "Equivalence with Helm";
//! `shared/compat/README.md`): for every compatibility case, pgx renders from the chart's values
//! file the same objects as `helm template`, except for the deliberate fixes, each of which is
//! named below with its reason. The set of differences must be exactly that table: a difference
//! not in it fails, and so does an entry of the table that no longer shows.
//!
//! Needs `PGX_SHARED` (the shared/ folder with `compat/`); without it these tests say they
//! skipped. The diff machinery itself is tested on inline streams at the end of this file.

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::{
    diff_streams, lookup, parse_file, parse_stream, render_ok, shared_or_skip, yaml_files,
    Difference, ObjectKey,
};

// ---------------------------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------------------------

/// A compatibility case: `compat/<dir>/<name>.values.yaml` beside `<name>.helm.yaml`.
struct Case {
    id: &'static str,
    /// What pgx needs to render it (compat/README.md, "expected pgx findings").
    flags: &'static [&'static str],
    /// The error finding that makes pgx refuse the case without `flags`.
    refused_without_flags: Option<&'static str>,
}

const CASES: &[Case] = &[
    Case {
        id: "current/chart-defaults",
        // PGX105: no clusters, only the ClusterIssuer.
        flags: &["--allow-empty"],
        refused_without_flags: Some("PGX105"),
    },
    Case {
        id: "current/development",
        flags: &[],
        refused_without_flags: None,
    },
    Case {
        id: "current/staging",
        flags: &[],
        refused_without_flags: None,
    },
    Case {
        id: "current/production",
        // PGX204: the admin endpoint is open to 0.0.0.0/0.
        flags: &["--ignore", "PGX204"],
        refused_without_flags: Some("PGX204"),
    },
    Case {
        id: "shared-ip-era/production",
        // PGX204 for each of the three admin endpoints.
        flags: &["--ignore", "PGX204"],
        refused_without_flags: Some("PGX204"),
    },
];

/// Kinds the old chart rendered from separate templates that are out of pgx's scope
/// (compat/README.md, shared-ip-era item 1); dropped from the Helm side before comparing.
const NOT_RENDERED_BY_PGX: &[&str] = &["SealedSecret", "ConfigMap"];

fn case(id: &str) -> &'static Case {
    CASES
        .iter()
        .find(|case| case.id == id)
        .unwrap_or_else(|| panic!("no case {id} in CASES"))
}

fn case_file(shared: &Path, id: &str, suffix: &str) -> std::path::PathBuf {
    shared.join("compat").join(format!("{id}.{suffix}.yaml"))
}

/// Helm's objects of a case, without the kinds pgx does not render.
fn helm_objects(shared: &Path, id: &str) -> Vec<Value> {
    parse_file(&case_file(shared, id, "helm"))
        .into_iter()
        .filter(|object| {
            !NOT_RENDERED_BY_PGX.contains(&object["kind"].as_str().unwrap_or_default())
        })
        .collect()
}

fn pgx_objects(shared: &Path, id: &str) -> Vec<Value> {
    let values = case_file(shared, id, "values");
    parse_stream(&render_ok(&[&values], case(id).flags))
}

// ---------------------------------------------------------------------------------------------
// The intended differences
// ---------------------------------------------------------------------------------------------

/// One deliberate difference: in `case`, object `object` has `helm` at `path` in Helm's output
/// and `pgx` in pgx's (`None`: absent).
#[derive(Debug)]
struct Intended {
    case: &'static str,
    object: ObjectKey,
    path: String,
    helm: Option<Value>,
    pgx: Option<Value>,
    reason: &'static str,
}

impl Intended {
    fn matches(&self, difference: &Difference) -> bool {
        difference.object == self.object
            && difference.path == self.path
            && difference.expected == self.helm
            && difference.actual == self.pgx
    }
}

impl std::fmt::Display for Intended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |v: &Option<Value>| v.as_ref().map_or("absent".into(), |v| v.to_string());
        write!(
            f,
            "{}: {}: helm {}, pgx {} ({})",
            self.object,
            self.path,
            shown(&self.helm),
            shown(&self.pgx),
            self.reason
        )
    }
}

const REPLICA_POOLER_FLAG: &str = "compat/README.md (current/) and values.md: development sets \
    pooler.replica.enabled: false; the chart's `default true` rendered true anyway";
const PG_HBA_172_16: &str = "compat/README.md shared-ip-era 2: every postgresql carries the two \
    pg_hba lines for 172.16.0.0/12 that today's chart has";
const POOLED_SELECTOR: &str = "rendering.md External Services, compat/README.md shared-ip-era 3: \
    the write and read Services select the PgBouncer pods";
const SHARED_IP_KEY: &str = "rendering.md fix, compat/README.md shared-ip-era 4: one \
    metallb.io/allow-shared-ip key per shared IP, pgx-<ip>";
const CLUSTER_POLICY: &str = "rendering.md fix, compat/README.md shared-ip-era 4: the IP is \
    shared with Services selecting other pods and values leave the policy unset";
const NUMERIC_TARGET_PORT: &str = "rendering.md External Services: targetPort 5432, a number \
    (the operator leaves its container ports unnamed)";

/// pg_hba of the shared-ip-era chart.
const PG_HBA_SHARED_IP_ERA: &[&str] = &[
    "local   all             all                                   trust",
    "hostssl all             +zalandos       127.0.0.1/32          pam",
    "hostssl all             platform_admin  10.0.0.0/8            scram-sha-256",
    "hostssl all             postgres_exporter 10.0.0.0/8          scram-sha-256",
    "hostssl all             all             10.0.0.0/8            scram-sha-256",
    "host    all             all             10.0.0.0/8            scram-sha-256",
    "hostssl replication     standby         10.0.0.0/8            scram-sha-256",
    "host    replication     standby         10.0.0.0/8            scram-sha-256",
];

/// pg_hba of today's chart (compat/current/*.helm.yaml): the two 172.16.0.0/12 lines after the
/// `host all all 10.0.0.0/8` line.
const PG_HBA_TODAY: &[&str] = &[
    "local   all             all                                   trust",
    "hostssl all             +zalandos       127.0.0.1/32          pam",
    "hostssl all             platform_admin  10.0.0.0/8            scram-sha-256",
    "hostssl all             postgres_exporter 10.0.0.0/8          scram-sha-256",
    "hostssl all             all             10.0.0.0/8            scram-sha-256",
    "host    all             all             10.0.0.0/8            scram-sha-256",
    "hostssl all             all             172.16.0.0/12         scram-sha-256",
    "host    all             all             172.16.0.0/12         scram-sha-256",
    "hostssl replication     standby         10.0.0.0/8            scram-sha-256",
    "host    replication     standby         10.0.0.0/8            scram-sha-256",
];

/// The clusters of the shared-ip-era case: (namespace, name).
const SHARED_IP_ERA_CLUSTERS: &[(&str, &str)] = &[
    ("temporal", "temporal-db"),
    ("platform", "platform-db"),
    ("applications", "applications-db"),
];

/// The external Services of the shared-ip-era case: (namespace, cluster, endpoint, the old
/// chart's allow-shared-ip key, pgx's key for the IP). platform-db has no read endpoint. Every
/// IP is shared by Services of different clusters, hence by Services selecting other pods.
const SHARED_IP_ERA_SERVICES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "temporal",
        "temporal-db",
        "write",
        "pn-pg-write",
        "pgx-103-110-174-19",
    ),
    (
        "temporal",
        "temporal-db",
        "read",
        "pn-pg-read",
        "pgx-103-110-174-20",
    ),
    (
        "temporal",
        "temporal-db",
        "admin",
        "pn-pg-admin",
        "pgx-103-110-174-21",
    ),
    (
        "platform",
        "platform-db",
        "write",
        "pn-pg-write",
        "pgx-103-110-174-19",
    ),
    (
        "platform",
        "platform-db",
        "admin",
        "pn-pg-admin",
        "pgx-103-110-174-21",
    ),
    (
        "applications",
        "applications-db",
        "write",
        "pn-pg-write",
        "pgx-103-110-174-19",
    ),
    (
        "applications",
        "applications-db",
        "read",
        "pn-pg-read",
        "pgx-103-110-174-20",
    ),
    (
        "applications",
        "applications-db",
        "admin",
        "pn-pg-admin",
        "pgx-103-110-174-21",
    ),
];

fn postgresql(namespace: &str, name: &str) -> ObjectKey {
    ObjectKey::new("acid.zalan.do/v1", "postgresql", namespace, name)
}

fn service(namespace: &str, name: &str) -> ObjectKey {
    ObjectKey::new("v1", "Service", namespace, name)
}

/// The table: every difference between Helm's and pgx's objects that the specs intend.
fn intended_differences() -> Vec<Intended> {
    let mut table = Vec::new();
    let mut add = |case, object: &ObjectKey, path: &str, helm, pgx, reason| {
        table.push(Intended {
            case,
            object: object.clone(),
            path: path.into(),
            helm,
            pgx,
            reason,
        })
    };

    for (namespace, name) in [("temporal", "temporal-db"), ("platform", "platform-db")] {
        add(
            "current/development",
            &postgresql(namespace, name),
            "spec.enableReplicaConnectionPooler",
            Some(json!(true)),
            Some(json!(false)),
            REPLICA_POOLER_FLAG,
        );
    }

    let era = "shared-ip-era/production";
    for (namespace, name) in SHARED_IP_ERA_CLUSTERS {
        add(
            era,
            &postgresql(namespace, name),
            "spec.patroni.pg_hba",
            Some(json!(PG_HBA_SHARED_IP_ERA)),
            Some(json!(PG_HBA_TODAY)),
            PG_HBA_172_16,
        );
    }
    for (namespace, cluster, endpoint, old_key, new_key) in SHARED_IP_ERA_SERVICES {
        let object = service(namespace, &format!("{cluster}-external-{endpoint}"));
        add(
            era,
            &object,
            r#"metadata.annotations["metallb.io/allow-shared-ip"]"#,
            Some(json!(old_key)),
            Some(json!(new_key)),
            SHARED_IP_KEY,
        );
        add(
            era,
            &object,
            "spec.externalTrafficPolicy",
            Some(json!("Local")),
            Some(json!("Cluster")),
            CLUSTER_POLICY,
        );
        let (old_target_port, pooler) = match *endpoint {
            "write" => ("pgbouncer", Some(format!("{cluster}-pooler"))),
            "read" => ("pgbouncer", Some(format!("{cluster}-pooler-repl"))),
            _ => ("postgresql", None),
        };
        add(
            era,
            &object,
            "spec.ports[0].targetPort",
            Some(json!(old_target_port)),
            Some(json!(5432)),
            NUMERIC_TARGET_PORT,
        );
        if let Some(pooler) = pooler {
            add(
                era,
                &object,
                "spec.selector.application",
                Some(json!("spilo")),
                Some(json!("db-connection-pooler")),
                POOLED_SELECTOR,
            );
            add(
                era,
                &object,
                r#"spec.selector["connection-pooler"]"#,
                None,
                Some(json!(pooler)),
                POOLED_SELECTOR,
            );
        }
    }
    table
}

/// Compares a case and fails unless its differences are exactly its part of the table.
fn assert_case(id: &str) {
    let Some(shared) = shared_or_skip() else {
        return;
    };
    let observed = diff_streams(&helm_objects(&shared, id), &pgx_objects(&shared, id));
    let table = intended_differences();
    let mut not_seen: Vec<&Intended> = table.iter().filter(|i| i.case == id).collect();
    let mut unexpected: Vec<&Difference> = Vec::new();
    for difference in &observed {
        match not_seen.iter().position(|i| i.matches(difference)) {
            Some(found) => {
                not_seen.remove(found);
            }
            None => unexpected.push(difference),
        }
    }
    let mut report = String::new();
    if !unexpected.is_empty() {
        report += &format!(
            "{id}: {} difference(s) between Helm (expected) and pgx (actual) that no spec \
             intends:\n",
            unexpected.len()
        );
        for difference in &unexpected {
            report += &format!("  {difference}\n");
        }
    }
    if !not_seen.is_empty() {
        report += &format!(
            "{id}: {} intended difference(s) that pgx's output does not show:\n",
            not_seen.len()
        );
        for intended in &not_seen {
            report += &format!("  {intended}\n");
        }
    }
    assert!(report.is_empty(), "{report}");
}

// ---------------------------------------------------------------------------------------------
// One test per case
// ---------------------------------------------------------------------------------------------

#[test]
fn current_chart_defaults_equals_helm() {
    assert_case("current/chart-defaults");
}

#[test]
fn current_development_equals_helm_but_for_the_replica_pooler_fix() {
    assert_case("current/development");
}

#[test]
fn current_staging_equals_helm() {
    assert_case("current/staging");
}

#[test]
fn current_production_equals_helm() {
    assert_case("current/production");
}

#[test]
fn shared_ip_era_production_equals_helm_but_for_the_shared_ip_fixes() {
    assert_case("shared-ip-era/production");
}

/// The cases above are all the cases there are, and all of them exist.
#[test]
fn every_compat_case_is_tested() {
    let Some(shared) = shared_or_skip() else {
        return;
    };
    let mut found = Vec::new();
    for dir in ["current", "shared-ip-era"] {
        for file in yaml_files(&shared.join("compat").join(dir)) {
            let name = file.file_name().unwrap().to_string_lossy();
            if let Some(stem) = name.strip_suffix(".values.yaml") {
                assert!(
                    case_file(&shared, &format!("{dir}/{stem}"), "helm").is_file(),
                    "{dir}/{name} has no .helm.yaml beside it"
                );
                found.push(format!("{dir}/{stem}"));
            }
        }
    }
    found.sort();
    let mut listed: Vec<String> = CASES.iter().map(|case| case.id.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed, "the compat cases on disk and CASES differ");
}

/// Each entry of the table describes Helm's output as it is, and names an object pgx renders,
/// so the table cannot drift from the data (checked without running pgx).
#[test]
fn intended_differences_describe_the_helm_files() {
    let Some(shared) = shared_or_skip() else {
        return;
    };
    for intended in intended_differences() {
        let helm = helm_objects(&shared, intended.case);
        let object = helm
            .iter()
            .find(|object| ObjectKey::of(object) == intended.object)
            .unwrap_or_else(|| panic!("{intended}: no such object in Helm's output"));
        assert_eq!(
            lookup(object, &intended.path),
            intended.helm.as_ref(),
            "{intended}: Helm's value differs from the table"
        );
        assert_ne!(intended.helm, intended.pgx, "{intended}: not a difference");
    }
}

/// Without the flags of the table, pgx refuses the cases whose findings compat/README.md lists
/// as errors: exit 1, nothing on standard output, the finding named on standard error.
#[test]
fn cases_with_error_findings_are_refused_without_their_flags() {
    let Some(shared) = shared_or_skip() else {
        return;
    };
    for case in CASES {
        let values = case_file(&shared, case.id, "values");
        let (code, stdout, stderr) = support::pgx_render(&["-f", values.to_str().unwrap()]);
        match case.refused_without_flags {
            Some(finding) => {
                assert_eq!(code, 1, "{}: exit code without flags\n{stderr}", case.id);
                assert!(
                    stdout.is_empty(),
                    "{}: stdout not empty on refusal",
                    case.id
                );
                assert!(
                    stderr.contains(finding),
                    "{}: stderr does not name {finding}:\n{stderr}",
                    case.id
                );
            }
            None => assert_eq!(code, 0, "{}: exit code\n{stderr}", case.id),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The diff machinery itself
// ---------------------------------------------------------------------------------------------

/// Differences as `path: expected -> actual` lines, for compact assertions.
fn lines(differences: &[Difference]) -> Vec<String> {
    let shown = |v: &Option<Value>| v.as_ref().map_or("absent".into(), |v| v.to_string());
    differences
        .iter()
        .map(|d| format!("{}: {} -> {}", d.path, shown(&d.expected), shown(&d.actual)))
        .collect()
}

fn diff_texts(expected: &str, actual: &str) -> Vec<Difference> {
    diff_streams(&parse_stream(expected), &parse_stream(actual))
}

const SERVICE: &str = r#"
# Source: pgx/templates/external-services.yaml
apiVersion: v1
kind: Service
metadata:
  name: db-external-write
  namespace: data
  annotations:
    metallb.io/allow-shared-ip: pn-pg-write
    external-dns.alpha.kubernetes.io/ttl: "300"
spec:
  externalTrafficPolicy: Local
  ports:
  - name: postgresql
    port: 5432
    targetPort: pgbouncer
"#;

const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: data\n";

#[test]
fn equivalent_streams_ignore_key_order_comments_quoting_document_order_and_empty_documents() {
    let expected = format!("---\n{SERVICE}---\n{NAMESPACE}");
    let actual = r#"
---
# only a comment
---
kind: Namespace
metadata: {name: "data"}
apiVersion: "v1"
---
---
apiVersion: v1
kind: Service
metadata:
  annotations:
    external-dns.alpha.kubernetes.io/ttl: '300'
    metallb.io/allow-shared-ip: "pn-pg-write"
  namespace: data
  name: db-external-write
spec:
  ports:
  - port: 5432
    targetPort: pgbouncer
    name: postgresql
  externalTrafficPolicy: Local
"#;
    assert_eq!(lines(&diff_texts(&expected, actual)), Vec::<String>::new());
}

#[test]
fn scalars_compare_by_type_and_value() {
    let differences = diff_texts(
        "{apiVersion: v1, kind: X, metadata: {name: a}, v: \"16\", b: true, n: 1, f: 1.5}",
        "{apiVersion: v1, kind: X, metadata: {name: a}, v: 16, b: \"true\", n: 1.0, f: 1.5}",
    );
    assert_eq!(
        lines(&differences),
        ["v: \"16\" -> 16", "b: true -> \"true\"", "n: 1 -> 1.0"]
    );
}

#[test]
fn lists_compare_in_order_and_a_change_of_length_is_one_difference() {
    let object =
        |list: &str| format!("{{apiVersion: v1, kind: X, metadata: {{name: a}}, l: {list}}}");
    assert_eq!(
        lines(&diff_texts(&object("[a, b]"), &object("[b, a]"))),
        ["l[0]: \"a\" -> \"b\"", "l[1]: \"b\" -> \"a\""]
    );
    assert_eq!(
        lines(&diff_texts(&object("[a, b]"), &object("[a, x, b]"))),
        ["l: [\"a\",\"b\"] -> [\"a\",\"x\",\"b\"]"]
    );
}

#[test]
fn paths_name_map_keys_and_list_indices() {
    let changed = SERVICE
        .replace("pn-pg-write", "pgx-103-110-174-19")
        .replace("targetPort: pgbouncer", "targetPort: 5432")
        .replace("  externalTrafficPolicy: Local\n", "");
    let differences = diff_texts(SERVICE, &changed);
    assert_eq!(
        lines(&differences),
        [
            r#"metadata.annotations["metallb.io/allow-shared-ip"]: "pn-pg-write" -> "pgx-103-110-174-19""#,
            "spec.externalTrafficPolicy: \"Local\" -> absent",
            "spec.ports[0].targetPort: \"pgbouncer\" -> 5432",
        ]
    );
    let key = ObjectKey::new("v1", "Service", "data", "db-external-write");
    assert!(differences.iter().all(|d| d.object == key));
    assert_eq!(
        differences[0].to_string(),
        "Service data/db-external-write (v1): metadata.annotations[\"metallb.io/allow-shared-ip\"]: \
         expected \"pn-pg-write\", actual \"pgx-103-110-174-19\""
    );
}

#[test]
fn lookup_reads_the_paths_differences_name() {
    let service = &parse_stream(SERVICE)[0];
    for difference in diff_texts(
        SERVICE,
        &SERVICE.replace("namespace: data", "namespace: other"),
    ) {
        // Whole objects: one missing, one extra.
        assert_eq!(difference.path, "");
    }
    assert_eq!(
        lookup(
            service,
            r#"metadata.annotations["metallb.io/allow-shared-ip"]"#
        ),
        Some(&json!("pn-pg-write"))
    );
    assert_eq!(
        lookup(service, "spec.ports[0].targetPort"),
        Some(&json!("pgbouncer"))
    );
    assert_eq!(lookup(service, "spec.ports[1].targetPort"), None);
    assert_eq!(lookup(service, r#"spec["selector"]"#), None);
    assert_eq!(lookup(service, "kind"), Some(&json!("Service")));
}

#[test]
fn missing_and_extra_objects_are_differences_of_the_whole_object() {
    let differences = diff_texts(
        &format!("---\n{SERVICE}---\n{NAMESPACE}"),
        &format!(
            "---\n{NAMESPACE}---\n{}",
            NAMESPACE.replace("name: data", "name: extra")
        ),
    );
    let summary: Vec<String> = differences
        .iter()
        .map(|d| {
            format!(
                "{} {} {}",
                d.object,
                d.expected.is_some(),
                d.actual.is_some()
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "Namespace extra (v1) false true",
            "Service data/db-external-write (v1) true false",
        ]
    );
    assert!(differences.iter().all(|d| d.path.is_empty()));
}

#[test]
fn objects_are_keyed_by_api_version_too() {
    let pdb =
        "{apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: p, namespace: n}}";
    let differences = diff_texts(pdb, &pdb.replace("policy/v1", "policy/v1beta1"));
    assert_eq!(differences.len(), 2);
}

#[test]
fn timestamp_like_scalars_stay_strings() {
    let objects = parse_stream(
        "apiVersion: v1\nkind: X\nmetadata: {name: a}\nday: 2024-01-01\nat: 2024-01-01T02:00:00Z\n",
    );
    assert_eq!(objects[0]["day"], json!("2024-01-01"));
    assert_eq!(objects[0]["at"], json!("2024-01-01T02:00:00Z"));
}

#[test]
fn comment_only_and_empty_documents_are_skipped() {
    let objects = parse_stream("---\n# Source: x\n---\n---\n# c\n\n---\na: 1\n---\n");
    assert_eq!(objects, [json!({"a": 1})]);
}

/// Every Helm file equals itself, and a mutated copy differs exactly where it was mutated.
#[test]
fn helm_files_equal_themselves_and_differ_from_mutated_copies() {
    let Some(shared) = shared_or_skip() else {
        return;
    };
    for case in CASES {
        let objects = helm_objects(&shared, case.id);
        assert!(!objects.is_empty(), "{}: no objects", case.id);
        let mut reversed = objects.clone();
        reversed.reverse();
        assert_eq!(diff_streams(&objects, &reversed), [], "{}", case.id);
    }

    let objects = helm_objects(&shared, "current/production");
    let mut mutated = objects.clone();
    let cluster = postgresql("platform-data", "platform-postgres");
    let write = service("platform-data", "platform-postgres-external-write");
    for object in &mut mutated {
        let key = ObjectKey::of(object);
        if key == cluster {
            object["spec"]["postgresql"]["version"] = json!(16);
            object["spec"]["patroni"]["pg_hba"][6] = json!("host all all 0.0.0.0/0 trust");
        } else if key == write {
            object["spec"]["ports"][0]["targetPort"] = json!("pgbouncer");
            object["metadata"]["annotations"]
                .as_object_mut()
                .unwrap()
                .remove("metallb.io/loadBalancerIPs");
        }
    }
    mutated.retain(|object| object["kind"] != "Namespace");
    let summary: Vec<String> = diff_streams(&objects, &mutated)
        .iter()
        .map(|d| format!("{} {}", d.object.name, d.path))
        .collect();
    assert_eq!(
        summary,
        [
            "platform-postgres spec.postgresql.version",
            "platform-postgres spec.patroni.pg_hba[6]",
            "platform-data ",
            r#"platform-postgres-external-write metadata.annotations["metallb.io/loadBalancerIPs"]"#,
            "platform-postgres-external-write spec.ports[0].targetPort",
        ]
    );
}
