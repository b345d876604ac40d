//! ## What it does
//! Flags a database in `databases` whose owner is not a declared user (a key of `users`,
//! or a built-in role).
//!
//! ## Why is this bad?
//! The operator creates the database owned by that role. A role that is not declared is
//! created without login and without a credentials Secret, so no application can connect
//! as the owner; a typo makes a second, unintended role own the data. A warning, because
//! an owner that only owns (and never logs in) is sometimes meant.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     users:
//!       orders_app: [login]
//!     databases:
//!       orders: order_app
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
//! ```

use super::{declared_users, did_you_mean};
use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX405";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        if cluster.databases.is_empty() {
            continue;
        }
        let declared = declared_users(cluster);
        for (database, owner) in &cluster.databases {
            if declared.contains(owner.as_str()) {
                continue;
            }
            findings.push(
                finding(
                    ID,
                    cluster_path(i).key("databases").key(database),
                    format!(
                        "database `{database}` of `{}` is owned by `{owner}`, which is not a declared user",
                        cluster.name
                    ),
                )
                .with_help(did_you_mean(
                    owner,
                    cluster.users.keys().map(String::as_str),
                    format!("declare it under `pgClusters[{i}].users`, e.g. `{owner}: [login]`"),
                )),
            );
        }
    }
}
