//! ## What it does
//! Flags a port outside 1–65535 (an endpoint's `port`, the cluster's
//! `externalAccess.port`, `standby.standbyPort`) and a `sessionAffinityTimeout` outside
//! 1–86400 seconds on an endpoint whose session affinity is `ClientIP`. Only values that
//! reach a rendered object are checked: a port overridden by the endpoint's own is not.
//!
//! ## Why is this bad?
//! The API server rejects the Service, and with it the apply of everything after it in
//! the stream; a standby with an invalid port never connects to its primary.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true, port: 65536}
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true, port: 6432}
//! ```

use std::collections::HashSet;

use crate::finding::{Finding, KeyPath};
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};
use crate::values::SessionAffinity;

pub const ID: &str = "PGX207";

const PORTS: std::ops::RangeInclusive<i64> = 1..=65535;
const AFFINITY_TIMEOUT: std::ops::RangeInclusive<i64> = 1..=86400;

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let mut reported: HashSet<KeyPath> = HashSet::new();
    for endpoint in &cx.fleet.endpoints {
        if !PORTS.contains(&endpoint.port) {
            let path = endpoint.port_path();
            if reported.insert(path.clone()) {
                findings.push(
                    finding(
                        ID,
                        path,
                        format!(
                            "port {} of the {} endpoint of `{}` is outside 1–65535",
                            endpoint.port,
                            endpoint.kind.as_str(),
                            endpoint.cluster.name
                        ),
                    )
                    .with_help(format!(
                        "use a port from 1 to 65535, e.g. the default {}",
                        endpoint.kind.default_port()
                    )),
                );
            }
        }
        if endpoint.session_affinity == SessionAffinity::ClientIp
            && !AFFINITY_TIMEOUT.contains(&endpoint.session_affinity_timeout)
        {
            findings.push(
                finding(
                    ID,
                    endpoint.path().key("sessionAffinityTimeout"),
                    format!(
                        "session affinity timeout {} of the {} endpoint of `{}` is outside 1–86400 seconds",
                        endpoint.session_affinity_timeout,
                        endpoint.kind.as_str(),
                        endpoint.cluster.name
                    ),
                )
                .with_help("use 1 to 86400 seconds; the default is 10800 (3 hours)"),
            );
        }
    }
    for (i, cluster) in cx.clusters() {
        let Some(standby) = &cluster.standby else {
            continue;
        };
        if standby.standby_host.is_none() {
            continue; // the port is not rendered without a host
        }
        let port = standby.standby_port.trim();
        if port.parse::<i64>().is_ok_and(|p| PORTS.contains(&p)) {
            continue;
        }
        findings.push(
            finding(
                ID,
                cluster_path(i).join("standby.standbyPort"),
                format!(
                    "standby port `{port}` of `{}` is not a port from 1 to 65535",
                    cluster.name
                ),
            )
            .with_help("write the primary's port as a quoted number, e.g. `standbyPort: \"5432\"`"),
        );
    }
}
