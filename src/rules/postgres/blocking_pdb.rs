//! ## What it does
//! Flags a PodDisruptionBudget that blocks node drains: `pdb.minAvailable` (a number, or a
//! percentage rounded up as Kubernetes does) not below `numberOfInstances`, and a budget
//! that sets both `minAvailable` and `maxUnavailable`.
//!
//! ## Why is this bad?
//! With `minAvailable` equal to the number of pods, no pod may ever be evicted: `kubectl
//! drain` waits forever, node upgrades stall, and the cluster autoscaler cannot remove the
//! node. A budget with both fields is rejected by the API server. Setting
//! `numberOfInstances: 2` on a cluster that kept `minAvailable: 2` from the three-instance
//! days is how this usually happens.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     numberOfInstances: 2
//!     pdb:
//!       minAvailable: 2
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     numberOfInstances: 2
//!     pdb:
//!       minAvailable: 1
//! ```

use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};
use crate::values::IntOrPercent;

pub const ID: &str = "PGX403";

/// Pods a `minAvailable` keeps out of `instances`, as the disruption controller computes
/// it (percentages round up); `None` when a percentage does not parse.
fn kept(min_available: &IntOrPercent, instances: i64) -> Option<i64> {
    match min_available {
        IntOrPercent::Int(n) => Some(*n),
        IntOrPercent::Percent(p) => {
            let percent: i64 = p.trim().strip_suffix('%')?.trim().parse().ok()?;
            let product = percent.checked_mul(instances)?;
            Some(product.div_euclid(100) + i64::from(product.rem_euclid(100) != 0))
        }
    }
}

fn show(value: &IntOrPercent) -> String {
    match value {
        IntOrPercent::Int(n) => n.to_string(),
        IntOrPercent::Percent(p) => format!("\"{p}\""),
    }
}

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        let pdb = &cluster.pdb;
        if !pdb.is_set() {
            continue; // no budget is rendered
        }
        let at = cluster_path(i);
        let instances = cluster.number_of_instances;
        if let (Some(min), Some(max)) = (&pdb.min_available, &pdb.max_unavailable) {
            findings.push(
                finding(
                    ID,
                    at.join("pdb.maxUnavailable"),
                    format!(
                        "the budget of `{}` sets both minAvailable ({}) and maxUnavailable ({}); a PodDisruptionBudget takes one",
                        cluster.name,
                        show(min),
                        show(max)
                    ),
                )
                .with_related(at.join("pdb.minAvailable"), "minAvailable is set here")
                .with_help("keep one of them: `maxUnavailable: 1` lets one instance go at a time"),
            );
            continue;
        }
        let Some(min) = &pdb.min_available else {
            continue;
        };
        let Some(kept) = kept(min, instances) else {
            continue;
        };
        if kept < instances {
            continue;
        }
        let help = if instances >= 2 {
            format!(
                "use `minAvailable: {}` (or `maxUnavailable: 1`), so one instance can move at a time",
                instances - 1
            )
        } else {
            "a single instance cannot stay available through a drain: remove the budget, or add instances".to_owned()
        };
        findings.push(
            finding(
                ID,
                at.join("pdb.minAvailable"),
                format!(
                    "the budget of `{}` keeps {kept} of {instances} instance{} available: no pod can ever be evicted, so node drains block forever",
                    cluster.name,
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
