//! ## What it does
//! Flags a cluster with external access enabled (at least one endpoint enabled) whose
//! `tls.enabled` is false or unset.
//!
//! ## Why is this bad?
//! Every external connection must be encrypted: without TLS, passwords and data cross the
//! internet in clear text, and clients cannot use `sslmode=verify-full` to know they reach
//! the right server. Postgres without a certificate cannot even offer TLS.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true}
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls:
//!       enabled: true
//!       additionalDNSNames: [orders-db-write.pnats.cloud]
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true}
//! ```

use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX301";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        if cluster.tls.enabled {
            continue;
        }
        let endpoints = cx.fleet.endpoints_of(i);
        if endpoints.is_empty() {
            continue;
        }
        let kinds: Vec<&str> = endpoints.iter().map(|e| e.kind.as_str()).collect();
        let at = cluster_path(i);
        findings.push(
            finding(
                ID,
                at.join("externalAccess.enabled"),
                format!(
                    "`{}` is reachable from outside ({}) but its TLS is off: connections would be unencrypted",
                    cluster.name,
                    kinds.join(", ")
                ),
            )
            .with_related(at.join("tls.enabled"), "TLS is not enabled here")
            .with_help(format!(
                "set `pgClusters[{i}].tls.enabled: true`, and list the external hostnames in `tls.additionalDNSNames`"
            )),
        );
    }
}
