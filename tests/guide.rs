//! `pgx guide`: one Markdown page per environment that tells a developer what to connect
//! to and how, generated from the values so it cannot drift. Reviewed snapshots for the
//! shipped examples (`values/`) and the endpoint fixtures (public ACME, selfSigned on a
//! shared IP, Vault); hostile names stay inside the place the guide puts them. The
//! cross-check against render is in `tests/endpoints.rs`.

mod support;

use support::pgx;

fn snapshot_guides(dir: &str, prefix: &str) {
    for file in support::project_yaml_files(dir) {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let run = pgx(&["guide", "-f", file.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{}: {}", file.display(), run.stderr);
        insta::with_settings!({
            snapshot_path => "../snapshots",
            prepend_module_to_snapshot => false,
            description => format!("pgx guide -f {dir}/{stem}.yaml"),
        }, {
            insta::assert_snapshot!(format!("guide-{prefix}{stem}"), run.stdout);
        });
    }
}

#[test]
fn the_guide_of_every_shipped_example_matches_its_reviewed_snapshot() {
    snapshot_guides("values", "values-");
}

#[test]
fn the_guide_of_every_endpoint_fixture_matches_its_reviewed_snapshot() {
    snapshot_guides("tests/fixtures/endpoints", "fixture-");
}

/// Names that PostgreSQL allows and a careless generator would paste into Markdown, shell
/// commands and source code: each stays inside its URI, string literal or quoted word.
#[test]
fn hostile_names_cannot_change_the_structure_of_the_guide() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hostile.yaml");
    std::fs::write(
        &file,
        r#"pgClusters:
  - name: app-db
    namespace: apps
    users:
      "o'brien": [login]
    databases:
      "orders\n## Injected heading\n```": "o'brien"
    tls: {enabled: true, additionalDNSNames: [app-db-write.pnats.cloud]}
    externalAccess:
      enabled: true
      allowedSourceRanges: [192.0.2.0/24]
      write: {enabled: true}
"#,
    )
    .unwrap();
    let run = pgx(&["guide", "-f", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let guide = run.stdout;
    assert!(
        !guide.lines().any(|l| l.starts_with("## Injected")),
        "{guide}"
    );
    // Code fences still pair up: every opening fence has its closing one.
    let fences = guide.lines().filter(|l| l.starts_with("```")).count();
    assert_eq!(fences % 2, 0, "{guide}");
    // The URI carries the database percent-encoded; the shell quotes the role.
    assert!(guide.contains(
        "postgresql://o%27brien@app-db-write.pnats.cloud:5432/orders%0A%23%23%20Injected%20heading%0A%60%60%60?sslmode=verify-full"
    ));
    assert!(guide.contains(r#"database: "orders\n## Injected heading\n```","#));
    assert!(guide.contains(
        r"kubectl get secret 'o'\''brien.app-db.credentials.postgresql.acid.zalan.do' -n apps"
    ));
}

#[test]
fn without_external_access_the_guide_says_there_is_nothing_to_connect_to() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("internal.yaml");
    std::fs::write(
        &file,
        "pgClusters:\n  - name: app-db\n    namespace: apps\n",
    )
    .unwrap();
    let run = pgx(&["guide", "-f", file.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .stdout
        .contains("Reachable inside Kubernetes only: `app-db`."));
    assert!(run.stdout.contains("No cluster has external access"));
    assert!(!run.stdout.contains("## Connection examples"));
}
