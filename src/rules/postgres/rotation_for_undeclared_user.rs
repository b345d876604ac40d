//! ## What it does
//! Flags a name in `usersWithSecretRotation` that is not a declared user (a key of
//! `users`, or one of the built-in `platform_admin` and `postgres_exporter`).
//!
//! ## Why is this bad?
//! The operator rotates passwords only for roles it manages. A typo or a user removed from
//! `users` leaves a rotation that never happens: the password the team believes is rotated
//! every few days never changes.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     users:
//!       orders_app: [login]
//!     usersWithSecretRotation: [order_app]
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     users:
//!       orders_app: [login]
//!     usersWithSecretRotation: [orders_app]
//! ```

use super::{declared_users, did_you_mean};
use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX404";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        if cluster.users_with_secret_rotation.is_empty() {
            continue;
        }
        let declared = declared_users(cluster);
        for (k, user) in cluster.users_with_secret_rotation.iter().enumerate() {
            if declared.contains(user.as_str()) {
                continue;
            }
            findings.push(
                finding(
                    ID,
                    cluster_path(i).key("usersWithSecretRotation").index(k),
                    format!(
                        "`{}` rotates the password of `{user}`, which is not a declared user: nothing would be rotated",
                        cluster.name
                    ),
                )
                .with_help(did_you_mean(
                    user,
                    cluster.users.keys().map(String::as_str),
                    format!("declare it under `pgClusters[{i}].users`, e.g. `{user}: [login]`"),
                )),
            );
        }
    }
}
