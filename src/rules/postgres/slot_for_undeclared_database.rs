//! ## What it does
//! Flags a replication slot whose `database` is not one of the cluster's `databases` (or
//! `postgres`, which always exists).
//!
//! ## Why is this bad?
//! Patroni creates logical slots in the named database. When it does not exist, Patroni
//! logs an error on every loop and the slot is never created, so the change-data-capture
//! consumer that relies on it gets nothing, or loses data when it falls back to a snapshot.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     users:
//!       orders_app: [login]
//!     databases:
//!       orders: orders_app
//!     patroni:
//!       slots:
//!         orders_cdc: {type: logical, database: order, plugin: pgoutput}
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     users:
//!       orders_app: [login]
//!     databases:
//!       orders: orders_app
//!     patroni:
//!       slots:
//!         orders_cdc: {type: logical, database: orders, plugin: pgoutput}
//! ```

use super::did_you_mean;
use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX406";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        for (name, slot) in &cluster.patroni.slots {
            let Some(database) = slot.database.as_deref() else {
                continue;
            };
            if database == "postgres" || cluster.databases.contains_key(database) {
                continue;
            }
            findings.push(
                finding(
                    ID,
                    cluster_path(i)
                        .join("patroni.slots")
                        .key(name)
                        .key("database"),
                    format!(
                        "replication slot `{name}` of `{}` is in database `{database}`, which the cluster does not declare",
                        cluster.name
                    ),
                )
                .with_help(did_you_mean(
                    database,
                    cluster.databases.keys().map(String::as_str),
                    format!("declare it under `pgClusters[{i}].databases`"),
                )),
            );
        }
    }
}
