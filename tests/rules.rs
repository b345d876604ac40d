//! Every validation rule, as a specification.
//!
//! For each rule id of the registry: a values file that triggers it, with the id, severity,
//! key path, line and column of every finding it makes, and a near miss that does not
//! trigger it (`tests/fixtures/rules/PGXnnn/{trigger,near-miss}.yaml`, each opening with a
//! comment that says what it shows). Rules about several objects are also checked across
//! clusters, across two `-f` files (the finding points at the file whose value won the
//! merge) and with `--set` (the finding points at that argument).
//!
//! Then the documentation: `docs/rules.md` is generated from the doc comment of each rule's
//! file, and the examples in it are run: the failing example triggers the rule, the fix
//! does not. Regenerate the page with `PGX_UPDATE_DOCS=1 cargo test --test rules`.
//!
//! Last, the compatibility cases (`$PGX_SHARED/compat`): exactly the findings their README
//! lists.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pgx::finding::{Finding, Severity};
use pgx::lint::{lint, LintOptions};
use pgx::load::{load, Loaded, ValuesInput, DEFAULT_MAX_FILE_SIZE};
use pgx::rules::RULES;

use Severity::{Error, Warning};

// ---------------------------------------------------------------------------------------
// Running the library in-process
// ---------------------------------------------------------------------------------------

/// A finding as a reader checks it: where it points, by file name, line and column.
#[derive(Clone, Debug)]
struct Found {
    id: &'static str,
    severity: Severity,
    path: String,
    file: String,
    line: u32,
    column: u32,
    message: String,
    help: String,
    related: Vec<Place>,
    ignored: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct Place {
    path: String,
    file: String,
    line: u32,
    column: u32,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(id: &str, name: &str) -> PathBuf {
    root()
        .join("tests/fixtures/rules")
        .join(id)
        .join(format!("{name}.yaml"))
}

fn load_values(files: &[PathBuf], set: &[&str]) -> Loaded {
    let input = ValuesInput {
        files: files.iter().map(|f| f.display().to_string()).collect(),
        set: set.iter().map(|s| (*s).to_owned()).collect(),
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        ..Default::default()
    };
    load(&input, &mut std::io::empty()).expect("values load")
}

/// Lints values files (merged left to right) and `--set` arguments.
fn lint_with(files: &[PathBuf], set: &[&str], options: &LintOptions) -> Vec<Found> {
    let loaded = load_values(files, set);
    let findings = lint(&loaded, options);
    let name = |span: Option<pgx::yaml::Span>| -> (String, u32, u32) {
        match span {
            Some(s) => {
                let file = loaded.sources.get(s.source).expect("source").name();
                // Fixture files by their name only; `--set` arguments as they are.
                let file = Path::new(&file)
                    .file_name()
                    .filter(|_| !file.starts_with("--set"))
                    .map_or(file.clone(), |n| n.to_string_lossy().into_owned());
                (file, s.line, s.column)
            }
            None => (String::new(), 0, 0),
        }
    };
    findings
        .iter()
        .map(|f: &Finding| {
            let (file, line, column) = name(f.span);
            Found {
                id: f.code,
                severity: f.severity,
                path: f.path.to_string(),
                file,
                line,
                column,
                message: f.message.clone(),
                help: f.help.clone().unwrap_or_default(),
                related: f
                    .related
                    .iter()
                    .map(|r| {
                        let (file, line, column) = name(r.span);
                        Place {
                            path: r.path.to_string(),
                            file,
                            line,
                            column,
                        }
                    })
                    .collect(),
                ignored: f.ignored,
            }
        })
        .collect()
}

fn lint_files(files: &[PathBuf], set: &[&str]) -> Vec<Found> {
    lint_with(files, set, &LintOptions::default())
}

fn only(found: Vec<Found>, id: &str) -> Vec<Found> {
    found.into_iter().filter(|f| f.id == id).collect()
}

/// The rule's trigger fixture makes exactly these findings of the rule:
/// `(severity, key path, line, column)`, in source order.
#[track_caller]
fn triggers(id: &str, expected: &[(Severity, &str, u32, u32)]) -> Vec<Found> {
    let found = only(lint_files(&[fixture(id, "trigger")], &[]), id);
    let actual: Vec<(Severity, &str, u32, u32)> = found
        .iter()
        .map(|f| (f.severity, f.path.as_str(), f.line, f.column))
        .collect();
    assert_eq!(actual, expected, "{id} on its trigger fixture: {found:#?}");
    found
}

/// The rule's near-miss fixture makes no finding of the rule.
#[track_caller]
fn near_miss(id: &str) {
    let found = only(lint_files(&[fixture(id, "near-miss")], &[]), id);
    assert!(found.is_empty(), "{id} on its near miss: {found:#?}");
}

fn place(path: &str, file: &str, line: u32, column: u32) -> Place {
    Place {
        path: path.to_owned(),
        file: file.to_owned(),
        line,
        column,
    }
}

// ---------------------------------------------------------------------------------------
// Values (PGX1xx)
// ---------------------------------------------------------------------------------------

#[test]
fn pgx101_unknown_key_suggests_the_nearest() {
    let found = triggers(
        "PGX101",
        &[(
            Error,
            "pgClusters[0].externalAccess.allowedSourceRange",
            7,
            7,
        )],
    );
    assert_eq!(found[0].help, "did you mean `allowedSourceRanges`?");
    near_miss("PGX101");
}

#[test]
fn pgx102_versions_and_user_flags_outside_the_crd() {
    let found = triggers(
        "PGX102",
        &[
            (Error, "pgClusters[0].pgVersion", 5, 16),
            (Error, "pgClusters[0].users.orders_app[1]", 7, 27),
        ],
    );
    assert!(found[0].message.contains("`13`"), "{}", found[0].message);
    assert!(
        found[1].message.contains("`readonly`"),
        "{}",
        found[1].message
    );
    near_miss("PGX102");
}

#[test]
fn pgx102_wrong_types_and_enumerations_stop_decoding() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.yaml");
    std::fs::write(
        &file,
        "pgClusters:\n  - name: a\n    namespace: b\n    pooler: {mode: statement}\n",
    )
    .unwrap();
    let found = only(lint_files(&[file], &[]), "PGX102");
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].path.as_str(), found[0].line, found[0].column),
        ("pgClusters[0].pooler.mode", 4, 20)
    );
    assert_eq!(
        found[0].message,
        "`statement` is not one of `transaction`, `session`"
    );
}

#[test]
fn pgx103_one_cluster_declared_twice_names_both() {
    let found = triggers("PGX103", &[(Error, "pgClusters[2].name", 7, 11)]);
    assert_eq!(
        found[0].related,
        [place("pgClusters[0].name", "trigger.yaml", 3, 11)]
    );
    near_miss("PGX103");
}

#[test]
fn pgx103_across_files_and_set() {
    // With --set, the finding points at the argument that made the duplicate.
    let found = only(
        lint_files(
            &[fixture("PGX103", "near-miss")],
            &["pgClusters[1].namespace=orders"],
        ),
        "PGX103",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].path, "pgClusters[1].name");
    assert_eq!(found[0].related[0].file, "near-miss.yaml");
}

#[test]
fn pgx104_names_that_cannot_become_service_names() {
    let found = triggers("PGX104", &[(Error, "pgClusters[0].name", 3, 11)]);
    assert!(
        found[0].message.contains(
            "`customer-analytics-reporting-warehouse-primary-eu-external-admin` of 64 characters"
        ),
        "{}",
        found[0].message
    );
    assert_eq!(
        found[0].help,
        "shorten the name by at least 1 character (to 48 or fewer)"
    );
    near_miss("PGX104");
}

#[test]
fn pgx104_namespaces_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.yaml");
    std::fs::write(
        &file,
        "pgClusters:\n  - name: 1db\n    namespace: Orders\n    labels:\n      \"-bad\": x\n      ok: \"not ok\"\n",
    )
    .unwrap();
    let found = only(lint_files(&[file], &[]), "PGX104");
    let at: Vec<(&str, u32, u32)> = found
        .iter()
        .map(|f| (f.path.as_str(), f.line, f.column))
        .collect();
    assert_eq!(
        at,
        [
            ("pgClusters[0].name", 2, 11),
            ("pgClusters[0].namespace", 3, 16),
            ("pgClusters[0].labels.-bad", 5, 15),
            ("pgClusters[0].labels.ok", 6, 11),
        ]
    );
}

#[test]
fn pgx105_no_clusters_unless_allowed() {
    triggers("PGX105", &[(Error, "pgClusters", 2, 13)]);
    near_miss("PGX105");
    let allowed = LintOptions {
        allow_empty: true,
        ..Default::default()
    };
    let found = only(
        lint_with(&[fixture("PGX105", "trigger")], &[], &allowed),
        "PGX105",
    );
    assert!(found.is_empty(), "--allow-empty: {found:#?}");
}

#[test]
fn pgx106_what_the_created_issuer_needs() {
    let found = triggers("PGX106", &[(Error, "tls.acme.email", 3, 3)]);
    assert_eq!(
        found[0].related,
        [place("tls.issuerType", "trigger.yaml", 3, 15)]
    );
    near_miss("PGX106");
}

#[test]
fn pgx106_a_cluster_without_name_points_at_the_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.yaml");
    std::fs::write(&file, "pgClusters:\n  - namespace: orders\n").unwrap();
    let found = only(lint_files(&[file], &[]), "PGX106");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].path.as_str(), found[0].line, found[0].column),
        ("pgClusters[0].name", 2, 5)
    );
}

#[test]
fn pgx107_yaml11_booleans_where_strings_are_expected() {
    let found = triggers("PGX107", &[(Warning, "pgClusters[0].labels.backup", 6, 15)]);
    assert_eq!(found[0].help, "quote it to say you mean the string: \"no\"");
    near_miss("PGX107");
}

// ---------------------------------------------------------------------------------------
// Network and MetalLB (PGX2xx)
// ---------------------------------------------------------------------------------------

#[test]
fn pgx201_two_services_on_one_ip_and_port_get_the_next_free_port() {
    let found = triggers(
        "PGX201",
        &[(Error, "pgClusters[1].externalAccess.port", 15, 13)],
    );
    assert_eq!(
        found[0].message,
        "the write endpoint of `billing-db` and the write endpoint of `orders-db` both take 203.0.113.10 port 5432"
    );
    assert_eq!(
        found[0].related,
        [place(
            "pgClusters[0].externalAccess.write",
            "trigger.yaml",
            10,
            14
        )]
    );
    assert_eq!(
        found[0].help,
        "move it to the next free port on 203.0.113.10: `pgClusters[1].externalAccess.write.port: 5433`"
    );
    near_miss("PGX201");
}

#[test]
fn pgx201_across_two_files_points_at_the_file_that_won() {
    // base.yaml gives the clusters ports 5432 and 5433; production.yaml replaces the list
    // (lists are replaced whole) and puts both on 5432.
    let found = only(
        lint_files(
            &[fixture("PGX201", "base"), fixture("PGX201", "production")],
            &[],
        ),
        "PGX201",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(
        (f.path.as_str(), f.file.as_str(), f.line, f.column),
        (
            "pgClusters[1].externalAccess.port",
            "production.yaml",
            14,
            13
        )
    );
    assert_eq!(
        f.related,
        [place(
            "pgClusters[0].externalAccess.port",
            "production.yaml",
            7,
            13
        )]
    );
    // ledger-db holds 5433: the next free port on the write IP is 5434.
    assert!(f.help.ends_with("write.port: 5434`"), "{}", f.help);
}

#[test]
fn pgx201_with_set_points_at_the_argument() {
    let set = "pgClusters[1].externalAccess.port=5432";
    let found = only(lint_files(&[fixture("PGX201", "base")], &[set]), "PGX201");
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(
        (f.file.as_str(), f.line, f.column),
        (format!("--set {set}").as_str(), 1, 35)
    );
    assert_eq!(f.related[0].file, "base.yaml");
}

#[test]
fn pgx201_conflicts_get_distinct_free_ports() {
    // Three clusters on one IP and port: the second and third are told different ports.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v.yaml");
    let mut text = String::from("externalAccess: {writeIP: 203.0.113.10}\npgClusters:\n");
    for name in ["a", "b", "c"] {
        text.push_str(&format!(
            "  - {{name: {name}, namespace: n, tls: {{enabled: true}}, externalAccess: {{enabled: true, allowedSourceRanges: [198.51.100.0/24], write: {{enabled: true}}}}}}\n"
        ));
    }
    std::fs::write(&file, text).unwrap();
    let found = only(lint_files(&[file], &[]), "PGX201");
    let helps: Vec<&str> = found.iter().map(|f| f.help.as_str()).collect();
    assert_eq!(
        helps,
        [
            "move it to the next free port on 203.0.113.10: `pgClusters[1].externalAccess.write.port: 5433`",
            "move it to the next free port on 203.0.113.10: `pgClusters[2].externalAccess.write.port: 5434`",
        ]
    );
}

#[test]
fn pgx202_local_policy_on_an_ip_shared_with_other_pods() {
    let found = triggers(
        "PGX202",
        &[(
            Error,
            "pgClusters[0].externalAccess.write.externalTrafficPolicy",
            10,
            53,
        )],
    );
    assert_eq!(
        found[0].related,
        [place(
            "pgClusters[1].externalAccess.write",
            "trigger.yaml",
            17,
            14
        )]
    );
    near_miss("PGX202");
}

#[test]
fn pgx203_unparsable_addresses_are_errors_host_bits_a_warning() {
    let found = triggers(
        "PGX203",
        &[
            (Error, "externalAccess.adminIP", 3, 12),
            (
                Warning,
                "pgClusters[0].externalAccess.allowedSourceRanges[0]",
                10,
                11,
            ),
        ],
    );
    assert_eq!(
        found[1].help,
        "write `198.51.100.0/24` for the network, or `198.51.100.7/32` for the one address"
    );
    near_miss("PGX203");
}

#[test]
fn pgx204_admin_open_to_the_internet() {
    triggers(
        "PGX204",
        &[(
            Error,
            "pgClusters[0].externalAccess.admin.allowedSourceRanges[1]",
            12,
            13,
        )],
    );
    near_miss("PGX204");
}

#[test]
fn pgx204_an_empty_list_is_open_too() {
    let found = only(
        lint_files(
            &[fixture("PGX204", "near-miss")],
            &["pgClusters[0].externalAccess.admin.allowedSourceRanges={}"],
        ),
        "PGX204",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].message.contains("empty source range list"),
        "{}",
        found[0].message
    );
}

#[test]
fn pgx205_write_or_read_open_to_the_internet() {
    triggers(
        "PGX205",
        &[(Warning, "pgClusters[0].externalAccess.write", 8, 9)],
    );
    near_miss("PGX205");
}

#[test]
fn pgx206_one_hostname_twice_and_invalid_names() {
    let found = triggers(
        "PGX206",
        &[
            (Error, "pgClusters[0].externalAccess.read.hostname", 9, 39),
            (Error, "pgClusters[1].externalAccess.write.hostname", 16, 40),
        ],
    );
    assert!(found[0].message.contains("`_` is not allowed"));
    // DNS is case-insensitive: DB.example.com is db.example.com.
    assert_eq!(
        found[1].related,
        [place(
            "pgClusters[0].externalAccess.write.hostname",
            "trigger.yaml",
            8,
            40
        )]
    );
    near_miss("PGX206");
}

#[test]
fn pgx206_with_set_points_at_the_argument() {
    let set = "pgClusters[1].externalAccess.write.hostname=db.example.com";
    let found = only(
        lint_files(&[fixture("PGX206", "near-miss")], &[set]),
        "PGX206",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].file.as_str(), found[0].column),
        (format!("--set {set}").as_str(), 45)
    );
    assert_eq!(found[0].related[0].file, "near-miss.yaml");
}

#[test]
fn pgx207_ports_and_affinity_timeouts_out_of_range() {
    triggers(
        "PGX207",
        &[
            (Error, "pgClusters[0].externalAccess.port", 7, 13),
            (
                Error,
                "pgClusters[0].externalAccess.write.sessionAffinityTimeout",
                9,
                54,
            ),
        ],
    );
    near_miss("PGX207");
}

#[test]
fn pgx208_one_kind_s_ip_given_twice() {
    let found = triggers(
        "PGX208",
        &[(Error, "externalAccess.sharedIPs.write", 5, 12)],
    );
    assert_eq!(
        found[0].related,
        [place("externalAccess.writeIP", "trigger.yaml", 3, 12)]
    );
    near_miss("PGX208");
}

#[test]
fn pgx208_across_two_files_and_set() {
    // base.yaml sets writeIP; legacy.yaml, merged over it, the older spelling.
    let found = only(
        lint_files(
            &[fixture("PGX208", "base"), fixture("PGX208", "legacy")],
            &[],
        ),
        "PGX208",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].file.as_str(), found[0].line, found[0].column),
        ("legacy.yaml", 4, 12)
    );
    assert_eq!(
        found[0].related,
        [place("externalAccess.writeIP", "base.yaml", 3, 12)]
    );
    // A later value of writeIP wins the merge, and the finding follows it.
    let set = "externalAccess.writeIP=203.0.113.99";
    let found = only(
        lint_files(
            &[fixture("PGX208", "base"), fixture("PGX208", "legacy")],
            &[set],
        ),
        "PGX208",
    );
    assert_eq!(
        found[0].related,
        [place(
            "externalAccess.writeIP",
            &format!("--set {set}"),
            1,
            24
        )]
    );
}

// ---------------------------------------------------------------------------------------
// TLS and cert-manager (PGX3xx)
// ---------------------------------------------------------------------------------------

#[test]
fn pgx301_external_access_without_tls() {
    let found = triggers(
        "PGX301",
        &[(Error, "pgClusters[0].externalAccess.enabled", 8, 16)],
    );
    assert_eq!(
        found[0].related,
        [place("pgClusters[0].tls.enabled", "trigger.yaml", 6, 16)]
    );
    near_miss("PGX301");
}

#[test]
fn pgx302_hostname_missing_from_the_certificate_gets_the_line_to_add() {
    let found = triggers(
        "PGX302",
        &[(Error, "pgClusters[0].externalAccess.read.hostname", 13, 13)],
    );
    assert_eq!(
        found[0].help,
        "add `- orders-db-read.pnats.cloud` to `pgClusters[0].tls.additionalDNSNames`"
    );
    near_miss("PGX302");
}

#[test]
fn pgx303_acme_asked_for_internal_names() {
    let found = triggers(
        "PGX303",
        &[
            (Error, "pgClusters[0].tls.includeInternalNames", 10, 7),
            (Error, "pgClusters[0].tls.additionalDNSNames[1]", 11, 57),
            (Error, "pgClusters[0].tls.ipAddresses[0]", 12, 21),
        ],
    );
    assert_eq!(
        found[0].help,
        "set `pgClusters[0].tls.includeInternalNames: false`: the certificate then names the external hostnames and `additionalDNSNames` only"
    );
    near_miss("PGX303");
}

#[test]
fn pgx304_certificate_issuer_neither_created_nor_declared() {
    let found = triggers(
        "PGX304",
        &[(Error, "pgClusters[0].tls.issuerRef.name", 11, 15)],
    );
    assert!(found[0].help.contains("`tls.createIssuer: false`"));
    near_miss("PGX304");
}

#[test]
fn pgx304_an_issuer_kind_pgx_does_not_create() {
    // pgx always creates a ClusterIssuer; a namespaced Issuer of that name does not exist.
    let found = only(
        lint_files(&[fixture("PGX307", "trigger")], &["tls.issuerKind=Issuer"]),
        "PGX304",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].path, "tls.issuerKind");
    assert_eq!(found[0].help, "set the issuer kind to `ClusterIssuer`");
}

#[test]
fn pgx305_durations_cert_manager_rejects() {
    let found = triggers(
        "PGX305",
        &[
            (Error, "pgClusters[0].tls.duration", 7, 17),
            (Error, "pgClusters[1].tls.renewBefore", 13, 20),
        ],
    );
    assert_eq!(found[0].help, "Go durations have no days: write `2160h`");
    assert_eq!(
        found[1].help,
        "renew a third of the way before expiry: `renewBefore: 240h`"
    );
    near_miss("PGX305");
}

#[test]
fn pgx306_key_sizes_the_algorithm_does_not_take() {
    let found = triggers(
        "PGX306",
        &[(Error, "pgClusters[0].tls.privateKey.size", 9, 15)],
    );
    assert_eq!(
        found[0].help,
        "RSA keys are 2048 to 8192 bits: use `size: 2048`"
    );
    near_miss("PGX306");
}

#[test]
fn pgx307_self_signed_issuer_in_use() {
    triggers("PGX307", &[(Warning, "tls.issuerType", 3, 15)]);
    near_miss("PGX307");
}

#[test]
fn pgx307_a_default_issuer_type_points_at_a_certificate_using_it() {
    // Nobody wrote `issuerType`: the finding is placed where TLS is enabled.
    let found = only(
        lint_files(
            &[fixture("PGX308", "near-miss")],
            &["pgClusters[0].tls.enabled=true"],
        ),
        "PGX307",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].path, "tls.issuerType");
    assert_eq!(
        (found[0].file.as_str(), found[0].line, found[0].column),
        ("--set pgClusters[0].tls.enabled=true", 1, 27)
    );
}

#[test]
fn pgx308_tls_without_spilo_fs_group() {
    triggers("PGX308", &[(Error, "pgClusters[0].spiloFSGroup", 5, 19)]);
    near_miss("PGX308");
}

#[test]
fn pgx309_common_name_longer_than_64() {
    let found = triggers("PGX309", &[(Error, "pgClusters[0].name", 4, 11)]);
    assert!(found[0].message.contains("of 74 characters"));
    assert_eq!(
        found[0].related,
        [
            place("pgClusters[0].namespace", "trigger.yaml", 5, 16),
            place("clusterDomain", "trigger.yaml", 2, 16),
        ]
    );
    near_miss("PGX309");
}

// ---------------------------------------------------------------------------------------
// PostgreSQL and the operator (PGX4xx)
// ---------------------------------------------------------------------------------------

#[test]
fn pgx401_read_endpoint_on_a_single_instance() {
    triggers(
        "PGX401",
        &[(Error, "pgClusters[0].externalAccess.read.enabled", 10, 18)],
    );
    near_miss("PGX401");
}

#[test]
fn pgx402_synchronous_node_count_not_below_instances() {
    let found = triggers(
        "PGX402",
        &[(Error, "pgClusters[0].patroni.synchronousNodeCount", 8, 29)],
    );
    assert_eq!(
        found[0].help,
        "use at most 2 (numberOfInstances - 1), or add instances"
    );
    near_miss("PGX402");
}

#[test]
fn pgx403_budgets_that_block_drains() {
    triggers(
        "PGX403",
        &[(Error, "pgClusters[0].pdb.minAvailable", 7, 21)],
    );
    near_miss("PGX403");
    let found = only(
        lint_files(
            &[fixture("PGX403", "near-miss")],
            &["pgClusters[0].pdb.maxUnavailable=1"],
        ),
        "PGX403",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].path, "pgClusters[0].pdb.maxUnavailable");
    assert!(found[0].message.contains("sets both"));
}

#[test]
fn pgx404_rotation_for_an_undeclared_user() {
    let found = triggers(
        "PGX404",
        &[(Error, "pgClusters[0].usersWithSecretRotation[1]", 9, 9)],
    );
    assert!(found[0].help.starts_with("did you mean `orders_app`?"));
    near_miss("PGX404");
}

#[test]
fn pgx405_owner_not_a_declared_user() {
    triggers(
        "PGX405",
        &[(Warning, "pgClusters[0].databases.orders", 8, 15)],
    );
    near_miss("PGX405");
}

#[test]
fn pgx406_slot_in_an_undeclared_database() {
    let found = triggers(
        "PGX406",
        &[(
            Error,
            "pgClusters[0].patroni.slots.orders_cdc.database",
            11,
            21,
        )],
    );
    assert!(found[0].help.starts_with("did you mean `orders`?"));
    near_miss("PGX406");
}

#[test]
fn pgx407_maintenance_windows_outside_the_crd_pattern() {
    let found = triggers(
        "PGX407",
        &[(Error, "pgClusters[0].maintenanceWindows[1]", 7, 9)],
    );
    assert_eq!(found[0].help, "write `\"Sun:02:00-06:00\"`");
    near_miss("PGX407");
}

#[test]
fn pgx408_local_admin_refused_by_pg_hba() {
    let found = triggers(
        "PGX408",
        &[(
            Warning,
            "pgClusters[0].externalAccess.admin.allowedSourceRanges[0]",
            11,
            31,
        )],
    );
    assert_eq!(
        found[0].related,
        [place(
            "pgClusters[0].externalAccess.admin.externalTrafficPolicy",
            "trigger.yaml",
            10,
            32
        )]
    );
    assert!(
        found[0]
            .help
            .contains("`hostssl all all 203.0.113.0/24 scram-sha-256`"),
        "{}",
        found[0].help
    );
    near_miss("PGX408");
}

#[test]
fn pgx409_operator_wide_settings_on_the_cluster() {
    triggers(
        "PGX409",
        &[
            (Error, "pgClusters[0].logicalBackup.s3Bucket", 7, 17),
            (Error, "pgClusters[0].logicalBackup.s3Region", 8, 17),
        ],
    );
    near_miss("PGX409");
}

// ---------------------------------------------------------------------------------------
// Secrets (PGX5xx)
// ---------------------------------------------------------------------------------------

#[test]
fn pgx501_secrets_in_values_never_quoted() {
    let found = triggers("PGX501", &[(Error, "pgClusters[0].env[1].value", 9, 16)]);
    near_miss("PGX501");
    let secret = "hunter2-correct-horse";
    let key = "pgClusters[0].logicalBackup.s3SecretAccessKey=wJalrXUtnFEMI";
    let id = "pgClusters[0].logicalBackup.s3AccessKeyId=AKIAIOSFODNN7";
    let all = lint_files(&[fixture("PGX501", "trigger")], &[key, id]);
    for f in found.iter().chain(&all) {
        for text in [&f.message, &f.help, &f.file] {
            assert!(
                !text.contains(secret)
                    && !text.contains("wJalrXUtnFEMI")
                    && !text.contains("AKIAIOSFODNN7"),
                "{f:#?}"
            );
        }
    }
    let flagged = only(all, "PGX501");
    let paths: Vec<&str> = flagged.iter().map(|f| f.path.as_str()).collect();
    assert!(
        paths.contains(&"pgClusters[0].logicalBackup.s3SecretAccessKey"),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"pgClusters[0].logicalBackup.s3AccessKeyId"),
        "{paths:?}"
    );
}

#[test]
fn pgx502_reserved_secret_template_keys() {
    triggers(
        "PGX502",
        &[(
            Error,
            "pgClusters[0].tls.secretTemplate.labels[\"cert-manager.io/issuer\"]",
            9,
            35,
        )],
    );
    near_miss("PGX502");
}

// ---------------------------------------------------------------------------------------
// Every rule, and the registry
// ---------------------------------------------------------------------------------------

#[test]
fn every_registered_rule_has_a_trigger_and_a_near_miss() {
    for rule in RULES {
        let trigger = fixture(rule.id, "trigger");
        let near = fixture(rule.id, "near-miss");
        assert!(
            trigger.is_file(),
            "{} has no {}",
            rule.id,
            trigger.display()
        );
        assert!(near.is_file(), "{} has no {}", rule.id, near.display());
        let found = only(lint_files(&[trigger], &[]), rule.id);
        assert!(
            !found.is_empty(),
            "{} does not fire on its trigger",
            rule.id
        );
        for f in &found {
            // PGX203's host bits are its one warning; otherwise the registry's severity.
            if !(rule.id == "PGX203" && f.severity == Warning) {
                assert_eq!(f.severity, rule.severity, "{f:#?}");
            }
            assert!(f.line > 0, "{} has no place: {f:#?}", rule.id);
            assert!(!f.help.is_empty(), "{} has no help: {f:#?}", rule.id);
        }
        assert!(only(lint_files(&[near], &[]), rule.id).is_empty());
    }
}

#[test]
fn ignore_silences_exactly_the_named_rule() {
    let file = fixture("PGX201", "trigger");
    let all = lint_files(std::slice::from_ref(&file), &[]);
    let options = LintOptions {
        ignore: vec!["pgx201".into()],
        ..Default::default()
    };
    let ignored = lint_with(std::slice::from_ref(&file), &[], &options);
    assert_eq!(
        all.len(),
        ignored.len(),
        "ignored findings are still listed"
    );
    for (a, b) in all.iter().zip(&ignored) {
        assert_eq!(b.ignored, a.id == "PGX201", "{b:#?}");
    }
    // lint.ignore in values does the same.
    let from_values = lint_files(&[file], &["lint.ignore={PGX201}"]);
    for f in &from_values {
        assert_eq!(f.ignored, f.id == "PGX201", "{f:#?}");
    }
    // Unknown keys and wrong types cannot be ignored.
    let options = LintOptions {
        ignore: vec!["PGX101".into()],
        ..Default::default()
    };
    let found = lint_with(&[fixture("PGX101", "trigger")], &[], &options);
    assert!(found.iter().all(|f| !f.ignored), "{found:#?}");
}

// ---------------------------------------------------------------------------------------
// docs/rules.md, generated from the rule files' doc comments
// ---------------------------------------------------------------------------------------

const FAMILIES: &[(&str, &str)] = &[
    ("values", "Values (PGX1xx)"),
    ("network", "Network and MetalLB (PGX2xx)"),
    ("tls", "TLS and cert-manager (PGX3xx)"),
    ("postgres", "PostgreSQL and the operator (PGX4xx)"),
    ("secrets", "Secrets (PGX5xx)"),
];

/// One rule file's documentation.
struct RuleDoc {
    id: String,
    family: &'static str,
    file: String,
    /// The `//!` lines, without the marker.
    doc: String,
}

fn rule_docs() -> Vec<RuleDoc> {
    let mut docs = Vec::new();
    for (family, _) in FAMILIES {
        let dir = root().join("src/rules").join(family);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .filter(|p| p.file_name().is_some_and(|n| n != "mod.rs"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let Some(id) = text
                .lines()
                .find_map(|l| l.strip_prefix("pub const ID: &str = \""))
                .and_then(|rest| rest.strip_suffix("\";"))
            else {
                continue; // a helper, not a rule
            };
            let doc: Vec<&str> = text
                .lines()
                .take_while(|l| l.starts_with("//!"))
                .map(|l| {
                    l.strip_prefix("//! ")
                        .unwrap_or_else(|| l.trim_start_matches("//!"))
                })
                .collect();
            docs.push(RuleDoc {
                id: id.to_owned(),
                family,
                file: path.strip_prefix(root()).unwrap().display().to_string(),
                doc: doc.join("\n"),
            });
        }
    }
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    docs
}

/// The `yaml` code block that follows `marker` in a rule's documentation.
fn example_after<'a>(doc: &'a str, marker: &str) -> Option<&'a str> {
    let rest = &doc[doc.find(marker)? + marker.len()..];
    let start = rest.find("```yaml\n")? + "```yaml\n".len();
    let end = rest[start..].find("```")?;
    Some(&rest[start..start + end])
}

fn generate_rules_md(docs: &[RuleDoc]) -> String {
    let mut out = String::from(
        "# pgx rules\n\n\
<!-- Generated from the doc comment of each rule's file (src/rules/<family>/<rule>.rs) by\n     \
tests/rules.rs, which fails when this page and the code disagree. Edit the rule's file,\n     \
then run: PGX_UPDATE_DOCS=1 cargo test --test rules -->\n\n\
`pgx lint` runs every rule below over the whole fleet at once and reports each finding with\n\
its id, the key path of the value that caused it, the file, line and column where that value\n\
was written (with several `-f` files, the one whose value won the merge; for a `--set` value,\n\
the argument), why it matters, and a concrete fix. Errors fail `pgx lint` and make `pgx\n\
render` refuse to print anything; warnings fail `pgx lint --strict` only.\n\n\
Silence a rule by id with `--ignore PGX307` or, in values, `lint.ignore: [PGX307]`; an\n\
ignored finding is still listed by `pgx lint` as ignored. PGX101 and PGX102 cannot be\n\
ignored: without known keys of the right type there is nothing to check. Rule ids never\n\
change meaning once released; a retired rule's id is not reused.\n\n\
| id | severity | what it catches |\n|---|---|---|\n",
    );
    for rule in RULES {
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} |\n",
            rule.id,
            rule.id.to_ascii_lowercase(),
            rule.severity,
            rule.summary
        ));
    }
    for (family, title) in FAMILIES {
        out.push_str(&format!("\n## {title}\n"));
        for doc in docs.iter().filter(|d| d.family == *family) {
            let rule = pgx::rules::find(&doc.id).unwrap();
            out.push_str(&format!(
                "\n### {}\n\n**{}** · {} · [`{}`](../{})\n\n",
                doc.id, rule.summary, rule.severity, doc.file, doc.file
            ));
            for line in doc.doc.lines() {
                match line.strip_prefix("## ") {
                    Some(heading) => out.push_str(&format!("#### {heading}")),
                    None => out.push_str(line),
                }
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn docs_rules_md_is_generated_from_the_rule_files() {
    let docs = rule_docs();
    let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    let registry: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    assert_eq!(ids, registry, "one rule file per registry id, and no other");
    let expected = generate_rules_md(&docs);
    let path = root().join("docs/rules.md");
    if std::env::var_os("PGX_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is not what the rule files say; run PGX_UPDATE_DOCS=1 cargo test --test rules"
    );
    for rule in RULES {
        assert!(
            actual.contains(&format!("\n### {}\n", rule.id)),
            "{} has no section in docs/rules.md",
            rule.id
        );
    }
}

#[test]
fn every_rule_doc_has_its_sections_and_its_examples_hold() {
    let dir = tempfile::tempdir().unwrap();
    for doc in rule_docs() {
        let id = doc.id.as_str();
        let mut last = 0;
        for section in [
            "## What it does\n",
            "## Why is this bad?\n",
            "## Example\n",
            "Use instead:\n",
        ] {
            let at = doc.doc[last..].find(section).unwrap_or_else(|| {
                panic!(
                    "{} ({}) lacks `{}` after the previous section",
                    id,
                    doc.file,
                    section.trim()
                )
            });
            last += at + section.len();
        }
        let failing = example_after(&doc.doc, "## Example\n")
            .unwrap_or_else(|| panic!("{id}: no ```yaml example"));
        let fixed = example_after(&doc.doc, "Use instead:\n")
            .unwrap_or_else(|| panic!("{id}: no ```yaml fix"));
        let run = |name: &str, text: &str| {
            let file = dir.path().join(format!("{id}-{name}.yaml"));
            std::fs::write(&file, text).unwrap();
            only(lint_files(&[file], &[]), id)
        };
        assert!(
            !run("example", failing).is_empty(),
            "the example of {id} does not trigger it:\n{failing}"
        );
        let found = run("fix", fixed);
        assert!(
            found.is_empty(),
            "the fix of {id} still triggers it:\n{fixed}\n{found:#?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Compatibility cases
// ---------------------------------------------------------------------------------------

/// Ids and counts of the findings that are not ignored.
fn counts(found: &[Found], severity: Option<Severity>) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for f in found {
        if severity.is_none_or(|s| s == f.severity) {
            *counts.entry(f.id).or_insert(0) += 1;
        }
    }
    counts
}

#[test]
fn compat_cases_yield_exactly_the_listed_findings() {
    let Some(shared) = std::env::var_os("PGX_SHARED") else {
        eprintln!("skipped: PGX_SHARED is not set");
        return;
    };
    let compat = PathBuf::from(shared).join("compat");
    let case = |path: &str| {
        let file = compat.join(path);
        assert!(
            file.is_file(),
            "PGX_SHARED is set but {} is missing",
            file.display()
        );
        lint_files(&[file], &[])
    };
    let expect = |pairs: &[(&'static str, usize)]| -> BTreeMap<&'static str, usize> {
        pairs.iter().copied().collect()
    };

    let production = case("current/production.values.yaml");
    assert_eq!(
        counts(&production, None),
        expect(&[("PGX204", 1), ("PGX205", 2), ("PGX307", 1)]),
        "{production:#?}"
    );
    let defaults = case("current/chart-defaults.values.yaml");
    assert_eq!(
        counts(&defaults, None),
        expect(&[("PGX105", 1)]),
        "{defaults:#?}"
    );
    for name in ["development", "staging"] {
        let found = case(&format!("current/{name}.values.yaml"));
        assert_eq!(
            counts(&found, Some(Error)),
            expect(&[]),
            "{name}: {found:#?}"
        );
    }
    let era = case("shared-ip-era/production.values.yaml");
    assert_eq!(
        counts(&era, None),
        expect(&[("PGX204", 3), ("PGX205", 5), ("PGX307", 1)]),
        "{era:#?}"
    );
    // PGX205 for the write and read endpoints: every one that is enabled, no admin.
    let endpoints: Vec<&str> = era
        .iter()
        .filter(|f| f.id == "PGX205")
        .map(|f| f.message.split(' ').next().unwrap_or_default())
        .collect();
    assert_eq!(endpoints, ["write", "read", "write", "write", "read"]);
}
