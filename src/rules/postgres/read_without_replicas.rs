//! ## What it does
//! Flags an enabled read endpoint on a cluster with `numberOfInstances` of 1 (or less).
//!
//! ## Why is this bad?
//! The read endpoint selects the replicas (through their PgBouncer). A single-instance
//! cluster has no replica, so the Service has no endpoints: clients time out, and the
//! endpoint looks healthy to everything except them.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     numberOfInstances: 1
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true}
//!       read: {enabled: true}
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     numberOfInstances: 2
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true}
//!       read: {enabled: true}
//! ```

use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};
use crate::values::EndpointKind;

pub const ID: &str = "PGX401";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        if cluster.number_of_instances > 1 {
            continue;
        }
        let Some(read) = cx
            .fleet
            .endpoints_of(i)
            .iter()
            .find(|e| e.kind == EndpointKind::Read)
        else {
            continue;
        };
        findings.push(
            finding(
                ID,
                read.path().key("enabled"),
                format!(
                    "the read endpoint of `{}` selects replicas, but the cluster has {} instance{} and so no replica",
                    cluster.name,
                    cluster.number_of_instances,
                    if cluster.number_of_instances == 1 { "" } else { "s" }
                ),
            )
            .with_related(
                cluster_path(i).key("numberOfInstances"),
                format!("numberOfInstances is {}", cluster.number_of_instances),
            )
            .with_help(format!(
                "set `pgClusters[{i}].numberOfInstances: 2` or more, or disable the read endpoint"
            )),
        );
    }
}
