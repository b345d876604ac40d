//! ## What it does
//! Flags a cluster whose namespace and name are those of a cluster listed before it, and
//! names both.
//!
//! ## Why is this bad?
//! Both would render the same `postgresql`, Certificate, PDB and Services: the second
//! silently replaces the first when applied, and a GitOps tool flips between them on every
//! sync. With several values files this happens when a cluster is copied into an
//! environment file that already has it.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!   - name: orders-db
//!     namespace: orders
//!     numberOfInstances: 2
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!   - name: orders-archive-db
//!     namespace: orders
//!     numberOfInstances: 2
//! ```

use std::collections::HashMap;

use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX103";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let mut first: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, cluster) in cx.clusters() {
        if cluster.name.is_empty() {
            continue; // PGX106
        }
        let key = (cluster.namespace.as_str(), cluster.name.as_str());
        match first.get(&key) {
            None => {
                first.insert(key, i);
            }
            Some(&earlier) => findings.push(
                finding(
                    ID,
                    cluster_path(i).key("name"),
                    format!(
                        "cluster `{}` in namespace `{}` is declared twice (pgClusters[{earlier}] and pgClusters[{i}])",
                        cluster.name, cluster.namespace
                    ),
                )
                .with_related(
                    cluster_path(earlier).key("name"),
                    format!("`{}` first declared here", cluster.name),
                )
                .with_help(format!(
                    "merge the two entries into one, or rename pgClusters[{i}] (e.g. `{}-2`) or move it to another namespace",
                    cluster.name
                )),
            ),
        }
    }
}
