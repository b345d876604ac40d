//! pgx against Helm: every case of `../shared/compat` loads unchanged and renders objects
//! equivalent to what `helm template` rendered (rendering.md, "Equivalence with Helm"),
//! except the deliberate fixes named below, each of which must really appear.

mod common;

use common::{diff_streams, parse_stream, pgx, shared_dir, skip, Difference};
use serde_json::Value;

/// A deliberate difference from the chart: which objects, which path, why, and what pgx
/// must render there.
struct Fix {
    kind: &'static str,
    path: &'static str,
    reason: &'static str,
    pgx_renders: fn(&str) -> bool,
}

struct Case {
    file: &'static str,
    args: &'static [&'static str],
    /// Kinds of the old chart that pgx does not render (compat README, difference 1).
    out_of_scope: &'static [&'static str],
    fixes: &'static [Fix],
}

const CASES: &[Case] = &[
    Case {
        file: "current/chart-defaults",
        args: &["--allow-empty"],
        out_of_scope: &[],
        fixes: &[],
    },
    Case {
        file: "current/development",
        args: &[],
        out_of_scope: &[],
        fixes: &[Fix {
            kind: "postgresql",
            path: "/spec/enableReplicaConnectionPooler",
            reason: "`pooler.replica.enabled: false` is honoured (the chart's `default true` ignored it)",
            pgx_renders: |v| v == "false",
        }],
    },
    Case {
        file: "current/staging",
        args: &[],
        out_of_scope: &[],
        fixes: &[],
    },
    Case {
        file: "current/production",
        args: &["--ignore", "PGX204"],
        out_of_scope: &[],
        fixes: &[],
    },
    Case {
        file: "shared-ip-era/production",
        args: &["--ignore", "PGX204"],
        out_of_scope: &["SealedSecret", "ConfigMap"],
        fixes: &[
            Fix {
                kind: "postgresql",
                path: "/spec/patroni/pg_hba",
                reason: "today's chart's pg_hba, with the two 172.16.0.0/12 lines (compat README, 2)",
                pgx_renders: |v| v.matches("172.16.0.0/12").count() == 2,
            },
            Fix {
                kind: "Service",
                path: "/spec/selector/application",
                reason: "write and read select the PgBouncer pods (rendering.md; compat README, 3)",
                pgx_renders: |v| v == "\"db-connection-pooler\"",
            },
            Fix {
                kind: "Service",
                path: "/spec/selector/connection-pooler",
                reason: "write and read select the PgBouncer pods (rendering.md; compat README, 3)",
                pgx_renders: |v| v.starts_with('"') && v.contains("-pooler"),
            },
            Fix {
                kind: "Service",
                path: "/spec/externalTrafficPolicy",
                reason: "MetalLB shares an IP between Local services only when they select the same pods (compat README, 4)",
                pgx_renders: |v| v == "\"Cluster\"",
            },
            Fix {
                kind: "Service",
                path: "/metadata/annotations/metallb.io~1allow-shared-ip",
                reason: "one sharing key per IP, named after the IP (compat README, 4)",
                pgx_renders: |v| v.starts_with("\"pgx-103-110-174-"),
            },
            Fix {
                kind: "Service",
                path: "/spec/ports/0/targetPort",
                reason: "the operator's container ports are unnamed, so the target is the number 5432 (rendering.md)",
                pgx_renders: |v| v == "5432",
            },
        ],
    },
];

fn matches(fix: &Fix, difference: &Difference) -> bool {
    difference.object.starts_with(&format!("{} ", fix.kind)) && difference.path == fix.path
}

#[test]
fn every_compat_case_renders_what_helm_rendered_but_for_the_named_fixes() {
    let Some(shared) = shared_dir() else {
        return skip("PGX_SHARED is not set");
    };
    for case in CASES {
        let values = shared.join(format!("compat/{}.values.yaml", case.file));
        let helm = std::fs::read_to_string(shared.join(format!("compat/{}.helm.yaml", case.file)))
            .unwrap();
        let mut args = vec!["render", "-f", values.to_str().unwrap()];
        args.extend(case.args);
        let run = pgx(&args);
        assert_eq!(run.code, 0, "{}: {}", case.file, run.stderr);
        let expected: Vec<Value> = parse_stream(&helm)
            .into_iter()
            .filter(|o| !case.out_of_scope.contains(&common::key_of(o).1.as_str()))
            .collect();
        let actual = parse_stream(&run.stdout);
        let differences = diff_streams(&expected, &actual);
        let unexplained: Vec<&Difference> = differences
            .iter()
            .filter(|d| !case.fixes.iter().any(|f| matches(f, d)))
            .collect();
        assert!(
            unexplained.is_empty(),
            "{}: differences from Helm that no fix explains:\n{unexplained:#?}",
            case.file
        );
        for fix in case.fixes {
            let seen: Vec<&Difference> = differences.iter().filter(|d| matches(fix, d)).collect();
            assert!(
                !seen.is_empty(),
                "{}: the fix at {} {} ({}) does not appear",
                case.file,
                fix.kind,
                fix.path,
                fix.reason
            );
            for d in seen {
                assert!(
                    (fix.pgx_renders)(&d.actual),
                    "{}: {} {} is {} where the fix ({}) says otherwise",
                    case.file,
                    d.object,
                    d.path,
                    d.actual,
                    fix.reason
                );
            }
        }
    }
}

#[test]
fn the_development_fix_is_on_both_clusters_and_nothing_else_differs() {
    let Some(shared) = shared_dir() else {
        return skip("PGX_SHARED is not set");
    };
    let values = shared.join("compat/current/development.values.yaml");
    let helm =
        std::fs::read_to_string(shared.join("compat/current/development.helm.yaml")).unwrap();
    let run = pgx(&["render", "-f", values.to_str().unwrap()]);
    let differences = diff_streams(&parse_stream(&helm), &parse_stream(&run.stdout));
    let described: Vec<(String, String, String)> = differences
        .into_iter()
        .map(|d| (d.object, d.path, d.actual))
        .collect();
    assert_eq!(
        described,
        [
            (
                "postgresql platform/platform-db".to_owned(),
                "/spec/enableReplicaConnectionPooler".to_owned(),
                "false".to_owned()
            ),
            (
                "postgresql temporal/temporal-db".to_owned(),
                "/spec/enableReplicaConnectionPooler".to_owned(),
                "false".to_owned()
            ),
        ]
    );
}

#[test]
fn the_comparison_finds_differences_when_there_are_some() {
    let a =
        parse_stream("apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {x: \"16\"}}\n");
    let b = parse_stream("apiVersion: v1\nkind: Namespace\nmetadata: {labels: {x: 16}, name: a}\n");
    let c = parse_stream("apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n");
    assert!(diff_streams(&a, &a).is_empty());
    let typed = diff_streams(&a, &b);
    assert_eq!(typed.len(), 1, "\"16\" is not 16");
    assert_eq!(typed[0].path, "/metadata/labels/x");
    let missing = diff_streams(&a, &c);
    assert_eq!(
        missing.len(),
        2,
        "one object missing, one extra: {missing:?}"
    );
}
