//! `pgx endpoints`: what developers connect to, generated from the same values render
//! uses. Reviewed snapshots of every format for the shipped examples (`values/`) and the
//! endpoint fixtures (`tests/fixtures/endpoints/`: a public ACME issuer with a
//! pool-assigned IP and session pooling, a selfSigned issuer on one shared IP with a
//! direct write endpoint, Vault with an endpoint open to everyone); a cross-check that the
//! tables and the guide name exactly the hosts, IPs and ports of the Services `pgx render`
//! writes; every URI parses; invalid values are refused like render refuses them.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use support::pgx;

use serde::Deserialize;
use serde_json::Value;

/// `pgx ARGS -f FILE`, which must succeed.
fn ok(file: &Path, args: &[&str]) -> String {
    let file = file.to_str().unwrap();
    let mut all = args.to_vec();
    all.extend(["-f", file]);
    let run = pgx(&all);
    assert_eq!(run.code, 0, "pgx {all:?} failed:\n{}", run.stderr);
    run.stdout
}

/// Every values file the endpoints are checked against, relative to the repository.
fn examples() -> Vec<(String, PathBuf)> {
    let mut all = Vec::new();
    for (dir, prefix) in [
        ("values", "values-"),
        ("tests/fixtures/endpoints", "fixture-"),
    ] {
        for file in support::project_yaml_files(dir) {
            let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
            all.push((format!("{prefix}{stem}"), file));
        }
    }
    all
}

fn relative(file: &Path) -> String {
    file.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(file)
        .display()
        .to_string()
}

#[test]
fn every_format_of_every_example_matches_its_reviewed_snapshot() {
    for (name, file) in examples() {
        for format in ["table", "markdown", "json"] {
            let text = ok(&file, &["endpoints", "--format", format]);
            insta::with_settings!({
                snapshot_path => "../snapshots",
                prepend_module_to_snapshot => false,
                description => format!("pgx endpoints --format {format} -f {}", relative(&file)),
            }, {
                insta::assert_snapshot!(format!("endpoints-{name}-{format}"), text);
            });
        }
    }
}

#[test]
fn values_with_errors_are_refused_with_nothing_on_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("open-admin.yaml");
    std::fs::write(
        &file,
        "pgClusters:\n  - name: app-db\n    namespace: apps\n    \
         tls: {enabled: true, additionalDNSNames: [app-db-admin.pnats.cloud]}\n    \
         externalAccess:\n      enabled: true\n      admin: {enabled: true, allowedSourceRanges: [0.0.0.0/0]}\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    for command in [
        vec!["endpoints", "-f", file],
        vec!["endpoints", "--format", "json", "-f", file],
        vec!["guide", "-f", file],
    ] {
        let run = pgx(&command);
        assert_eq!(run.code, 1, "{command:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{command:?}");
        assert!(run.stderr.contains("error[PGX204]"), "{}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("error: {} refused: ", command[0])),
            "{}",
            run.stderr
        );
    }
    // Ignoring the rule, as render allows, lets them through.
    let run = pgx(&["endpoints", "--ignore", "PGX204", "-f", file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("app-db-admin.pnats.cloud"));
}

#[test]
fn a_misspelt_key_is_refused_like_render_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("typo.yaml");
    std::fs::write(
        &file,
        "pgClusters:\n  - name: app-db\n    namespace: apps\n    externalAcess: {enabled: true}\n",
    )
    .unwrap();
    let run = pgx(&["endpoints", "-f", file.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("unknown key `externalAcess`"),
        "{}",
        run.stderr
    );
}

/// One external Service as render writes it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Service {
    namespace: String,
    name: String,
    hostname: String,
    ip: Option<String>,
    port: i64,
    source_ranges: Vec<String>,
}

/// The external Services of `pgx render`, read back from its output.
fn rendered_services(file: &Path) -> Vec<Service> {
    let stream = ok(file, &["render", "--show-only", "external-services"]);
    let mut services = Vec::new();
    for document in serde_yaml::Deserializer::from_str(&stream) {
        let object = serde_yaml::Value::deserialize(document).unwrap();
        if object.is_null() || object["kind"] != "Service" {
            continue;
        }
        let annotations = object["metadata"]["annotations"].as_mapping().unwrap();
        let annotation = |suffix: &str| {
            annotations.iter().find_map(|(k, v)| {
                let k = k.as_str().unwrap();
                (k.ends_with(suffix)).then(|| v.as_str().unwrap().to_owned())
            })
        };
        let ports = object["spec"]["ports"].as_sequence().unwrap();
        assert_eq!(ports.len(), 1);
        services.push(Service {
            namespace: object["metadata"]["namespace"].as_str().unwrap().into(),
            name: object["metadata"]["name"].as_str().unwrap().into(),
            hostname: annotation("external-dns.alpha.kubernetes.io/hostname")
                .or_else(|| annotation("/hostname"))
                .expect("a hostname annotation"),
            ip: annotation("/loadBalancerIPs"),
            port: ports[0]["port"].as_i64().unwrap(),
            source_ranges: object["spec"]["loadBalancerSourceRanges"]
                .as_sequence()
                .map(|s| s.iter().map(|r| r.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default(),
        });
    }
    services.sort();
    services
}

/// The endpoints of `pgx endpoints --format json`, as Services.
fn listed_services(json: &Value) -> Vec<Service> {
    let mut services = Vec::new();
    for cluster in json["clusters"].as_array().unwrap() {
        for c in cluster["connections"].as_array().unwrap() {
            services.push(Service {
                namespace: c["namespace"].as_str().unwrap().into(),
                name: c["service"].as_str().unwrap().into(),
                hostname: c["hostname"].as_str().unwrap().into(),
                ip: c["ip"].as_str().map(str::to_owned),
                port: c["port"].as_i64().unwrap(),
                source_ranges: c["allowed_sources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_owned())
                    .collect(),
            });
        }
    }
    services.sort();
    services
}

/// A `postgresql://user@host:port/db?params` URI, taken apart by hand: what any libpq
/// client accepts.
#[derive(Debug)]
struct Uri {
    user: String,
    host: String,
    port: u16,
    database: String,
    params: BTreeMap<String, String>,
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn parse_uri(uri: &str) -> Uri {
    let rest = uri
        .strip_prefix("postgresql://")
        .unwrap_or_else(|| panic!("{uri}: scheme"));
    let (authority, rest) = rest
        .split_once('/')
        .unwrap_or_else(|| panic!("{uri}: path"));
    let (path, query) = rest
        .split_once('?')
        .unwrap_or_else(|| panic!("{uri}: query"));
    let (user, host_port) = authority
        .split_once('@')
        .unwrap_or_else(|| panic!("{uri}: user"));
    let (host, port) = host_port
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("{uri}: port"));
    for part in [user, host, path, query] {
        assert!(
            part.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~%=&".contains(c)),
            "{uri}: `{part}` holds a character that must be percent-encoded"
        );
    }
    let params = query
        .split('&')
        .map(|pair| {
            let (k, v) = pair
                .split_once('=')
                .unwrap_or_else(|| panic!("{uri}: {pair}"));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    let uri = Uri {
        user: percent_decode(user),
        host: host.to_owned(),
        port: port
            .parse()
            .unwrap_or_else(|_| panic!("{uri}: port {port}")),
        database: percent_decode(path),
        params,
    };
    assert!(!uri.user.is_empty() && !uri.host.is_empty() && !uri.database.is_empty());
    uri
}

/// Every `host:port` written in a text (URIs, `-connect`, table cells), leaving out web
/// URLs (a Vault server is not a database endpoint).
fn host_ports(text: &str) -> BTreeSet<(String, i64)> {
    let text: Vec<&str> = text
        .split_whitespace()
        .filter(|word| !word.contains("http://") && !word.contains("https://"))
        .collect();
    text.join(" ")
        .split(|c: char| !(c.is_ascii_alphanumeric() || ".-:".contains(c)))
        .filter_map(|token| {
            let (host, port) = token.rsplit_once(':')?;
            let port: i64 = port.parse().ok()?;
            (host.contains('.') && !host.contains(':')).then(|| (host.to_owned(), port))
        })
        .collect()
}

#[test]
fn endpoints_and_guide_name_the_hosts_ips_and_ports_render_writes() {
    for (name, file) in examples() {
        let services = rendered_services(&file);
        let json: Value =
            serde_json::from_str(&ok(&file, &["endpoints", "--format", "json"])).unwrap();
        assert_eq!(
            listed_services(&json),
            services,
            "{name}: endpoints vs render"
        );

        let rendered: BTreeSet<(String, i64)> = services
            .iter()
            .map(|s| (s.hostname.clone(), s.port))
            .collect();
        let by_host: BTreeMap<&str, &Service> =
            services.iter().map(|s| (s.hostname.as_str(), s)).collect();

        let guide = ok(&file, &["guide"]);
        let named = host_ports(&guide);
        assert_eq!(named, rendered, "{name}: host:port pairs in the guide");
        // The endpoints table of the guide: host, IP and port in one row.
        for row in guide.lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = row.split(" | ").map(|c| c.trim_matches('`')).collect();
            if let Some(service) = cells.get(2).and_then(|h| by_host.get(h)) {
                if cells.len() >= 7 {
                    assert_eq!(cells[3], service.ip.as_deref().unwrap_or(cells[3]), "{row}");
                    assert_eq!(cells[4], service.port.to_string(), "{row}");
                }
            }
        }
        // The connection checks: every `dig`, `nc` and its expected answer.
        let mut expected_ip = None;
        for line in guide.lines() {
            if let Some(rest) = line.strip_prefix("# ") {
                expected_ip = rest
                    .split_once("DNS must answer ")
                    .map(|(_, ip)| ip.split(';').next().unwrap().to_owned());
            } else if let Some(host) = line.strip_prefix("dig +short ") {
                if host.contains(" @") {
                    continue;
                }
                let service = by_host
                    .get(host)
                    .unwrap_or_else(|| panic!("{name}: guide digs {host}, which render has not"));
                if let Some(ip) = &service.ip {
                    assert_eq!(expected_ip.as_deref(), Some(ip.as_str()), "{name}: {host}");
                }
            } else if let Some(rest) = line.strip_prefix("nc -vz ") {
                let (host, port) = rest.split_once(' ').unwrap();
                assert!(
                    rendered.contains(&(host.to_owned(), port.parse().unwrap())),
                    "{name}: {line}"
                );
            }
        }
    }
}

#[test]
fn every_uri_parses_and_names_its_endpoint() {
    for (name, file) in examples() {
        let json: Value =
            serde_json::from_str(&ok(&file, &["endpoints", "--format", "json"])).unwrap();
        for cluster in json["clusters"].as_array().unwrap() {
            for c in cluster["connections"].as_array().unwrap() {
                let uri = parse_uri(c["uri"].as_str().unwrap());
                assert_eq!(uri.host, c["hostname"].as_str().unwrap(), "{name}");
                assert_eq!(i64::from(uri.port), c["port"].as_i64().unwrap(), "{name}");
                assert_eq!(uri.user, c["user"].as_str().unwrap(), "{name}");
                assert_eq!(uri.database, c["database"].as_str().unwrap(), "{name}");
                assert_eq!(
                    uri.params.get("sslmode").map(String::as_str),
                    Some("verify-full")
                );
                if c["endpoint"] == "admin" {
                    assert_eq!(uri.user, "platform_admin");
                }
            }
        }
        // The guide's URIs (psql, libpq, Python, Go, migrations) parse the same way.
        let guide = ok(&file, &["guide"]);
        let starts = guide
            .match_indices("postgresql://")
            .map(|(i, _)| i)
            // JDBC URLs carry the user apart from the URL.
            .filter(|&i| !guide[..i].ends_with("jdbc:"));
        for start in starts {
            let uri: String = guide[start..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !"'\"`".contains(*c))
                .collect();
            let parsed = parse_uri(&uri);
            assert_eq!(
                parsed.params.get("sslmode").map(String::as_str),
                Some("verify-full"),
                "{name}: {uri}"
            );
        }
    }
}

#[test]
fn ips_list_every_port_taken_and_the_lowest_free_one() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/endpoints/self-signed-shared-ip.yaml");
    let json: Value = serde_json::from_str(&ok(&file, &["endpoints", "--format", "json"])).unwrap();
    let ips = json["ips"].as_array().unwrap();
    assert_eq!(ips.len(), 1);
    let ports: Vec<i64> = ips[0]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["port"].as_i64().unwrap())
        .collect();
    assert_eq!(ports, [5432, 5433, 5440, 5441]);
    assert_eq!(ips[0]["next_free_port"], 5434);
}
