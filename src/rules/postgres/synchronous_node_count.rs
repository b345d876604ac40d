//! ## What it does
//! Flags a `patroni.synchronousNodeCount` that is not below `numberOfInstances`.
//!
//! ## Why is this bad?
//! The count is the number of synchronous *replicas*; the master is one of the instances,
//! so at most `numberOfInstances - 1` can be synchronous. Patroni cannot keep that many:
//! with `synchronousModeStrict`, every write blocks; without it, Patroni silently runs with
//! fewer, and the durability the setting promises is not there.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     numberOfInstances: 2
//!     patroni:
//!       synchronousMode: true
//!       synchronousNodeCount: 2
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     numberOfInstances: 2
//!     patroni:
//!       synchronousMode: true
//!       synchronousNodeCount: 1
//! ```

use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX402";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        let Some(count) = cluster.patroni.synchronous_node_count else {
            continue;
        };
        let instances = cluster.number_of_instances;
        if count < instances {
            continue;
        }
        let help = if instances >= 2 {
            format!(
                "use at most {} (numberOfInstances - 1), or add instances",
                instances - 1
            )
        } else {
            "synchronous replication needs a replica: raise numberOfInstances to 2 or more"
                .to_owned()
        };
        let at = cluster_path(i);
        findings.push(
            finding(
                ID,
                at.join("patroni.synchronousNodeCount"),
                format!(
                    "`{}` asks for {count} synchronous replica{} but has {instances} instance{} in all, one of them the master",
                    cluster.name,
                    if count == 1 { "" } else { "s" },
                    if instances == 1 { "" } else { "s" }
                ),
            )
            .with_related(
                at.key("numberOfInstances"),
                format!("numberOfInstances is {instances}"),
            )
            .with_help(help),
        );
    }
}
