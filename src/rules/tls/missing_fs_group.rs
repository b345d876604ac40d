//! ## What it does
//! Flags a cluster with TLS enabled whose `spiloFSGroup` is unset, zero or negative.
//!
//! ## Why is this bad?
//! cert-manager's Secret is mounted into the Spilo pod with mode 0640, owned by root. Only
//! with `spiloFSGroup` (103, the `postgres` group of the Spilo image) does Kubernetes give
//! the files to a group Postgres is in; without it, Postgres cannot read its private key
//! and does not start, and the operator keeps the cluster in `CreateFailed`.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     spiloFSGroup: 0
//!     tls: {enabled: true}
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     spiloFSGroup: 103
//!     tls: {enabled: true}
//! ```

use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX308";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        if !cluster.tls.enabled || cluster.spilo_fs_group.is_some_and(|g| g > 0) {
            continue;
        }
        let what = match cluster.spilo_fs_group {
            Some(g) => format!("`spiloFSGroup: {g}`"),
            None => "no `spiloFSGroup`".to_owned(),
        };
        findings.push(
            finding(
                ID,
                cluster_path(i).key("spiloFSGroup"),
                format!(
                    "`{}` enables TLS with {what}: Postgres cannot read the mounted private key",
                    cluster.name
                ),
            )
            .with_related(cluster_path(i).join("tls.enabled"), "TLS is enabled here")
            .with_help(
                "set `spiloFSGroup: 103`, the group of the `postgres` user in the Spilo image",
            ),
        );
    }
}
