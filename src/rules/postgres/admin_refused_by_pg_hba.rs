//! ## What it does
//! Flags a source range of an admin endpoint whose `externalTrafficPolicy` is `Local`
//! (written so, and kept so by pgx) when no line of the cluster's pg_hba admits TLS logins
//! from that range. The pg_hba is `patroni.pgHba` when set, else pgx's built-in lines,
//! which admit `10.0.0.0/8` and `172.16.0.0/12` only. A line admits a range when it is a
//! `host` or `hostssl` line for a database other than `replication` only, its address is
//! `all` or a CIDR containing the whole range, and its method is not `reject`.
//!
//! ## Why is this bad?
//! `Local` keeps the client's own address, so Postgres sees the office's public IP, which
//! the built-in pg_hba does not admit: every external admin login is refused with `no
//! pg_hba.conf entry`, although the Service, the firewall and the password are right.
//! (With `Cluster`, the default for admin, connections arrive from node addresses that the
//! built-in lines admit.) A warning, because a pg_hba managed outside pgx may admit it.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls: {enabled: true}
//!     externalAccess:
//!       enabled: true
//!       admin:
//!         enabled: true
//!         externalTrafficPolicy: Local
//!         allowedSourceRanges: [203.0.113.0/24]
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls: {enabled: true}
//!     patroni:
//!       pgHba:
//!         - local all all trust
//!         - hostssl all all 10.0.0.0/8 scram-sha-256
//!         - hostssl all all 203.0.113.0/24 scram-sha-256
//!     externalAccess:
//!       enabled: true
//!       admin:
//!         enabled: true
//!         externalTrafficPolicy: Local
//!         allowedSourceRanges: [203.0.113.0/24]
//! ```

use ipnet::IpNet;

use super::pg_hba::Line;
use crate::finding::Finding;
use crate::fleet::RangeOrigin;
use crate::render::view::BUILT_IN_PG_HBA;
use crate::rules::{finding, Context};
use crate::values::{EndpointKind, TrafficPolicy};

pub const ID: &str = "PGX408";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for endpoint in &cx.fleet.endpoints {
        if endpoint.kind != EndpointKind::Admin
            || endpoint.traffic_policy != TrafficPolicy::Local
            || endpoint.range_origin == RangeOrigin::Unset
        {
            continue;
        }
        let cluster = endpoint.cluster;
        let custom = cluster.patroni.pg_hba.as_deref();
        let lines: Vec<Line<'_>> = match custom {
            Some(lines) => lines.iter().filter_map(|l| Line::parse(l)).collect(),
            None => BUILT_IN_PG_HBA
                .iter()
                .filter_map(|l| Line::parse(l))
                .collect(),
        };
        for (k, range) in endpoint.source_ranges.iter().enumerate() {
            let Ok(net) = range.trim().parse::<IpNet>() else {
                continue; // PGX203
            };
            let net = net.trunc();
            if lines.iter().any(|line| line.admits_tls_logins_from(&net)) {
                continue;
            }
            let i = endpoint.cluster_index;
            let whose = if custom.is_some() {
                format!("`pgClusters[{i}].patroni.pgHba`")
            } else {
                "the built-in pg_hba".to_owned()
            };
            let add = format!("hostssl all all {net} scram-sha-256");
            let help = if custom.is_some() {
                format!("add `- {add}` to `pgClusters[{i}].patroni.pgHba`, or drop `externalTrafficPolicy: Local` from the admin endpoint")
            } else {
                format!("set `pgClusters[{i}].patroni.pgHba` to the built-in lines plus `{add}` (pgHba replaces the built-in list), or drop `externalTrafficPolicy: Local` from the admin endpoint")
            };
            findings.push(
                finding(
                    ID,
                    endpoint.ranges_path().index(k),
                    format!(
                        "the admin endpoint of `{}` keeps client addresses (`externalTrafficPolicy: Local`), and no line of {whose} admits {net}: admin logins from there are refused",
                        cluster.name
                    ),
                )
                .with_related(
                    endpoint.path().key("externalTrafficPolicy"),
                    "the policy is set to Local here",
                )
                .with_help(help),
            );
        }
    }
}
