//! ## What it does
//! Flags an enabled admin endpoint that admits the whole internet: it has no
//! `allowedSourceRanges` of its own and the cluster's `externalAccess.allowedSourceRanges`
//! is unset too, or the list is empty, or it contains `0.0.0.0/0` or `::/0`.
//!
//! ## Why is this bad?
//! The admin endpoint reaches the master directly, bypassing PgBouncer, for migrations and
//! maintenance by people. Open to everyone, it invites password guessing against the most
//! privileged roles from anywhere. The chart shipped exactly this in production with a
//! `TODO: restrict` comment next to `0.0.0.0/0`.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       enabled: true
//!       admin:
//!         enabled: true
//!         allowedSourceRanges: [0.0.0.0/0]
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       enabled: true
//!       admin:
//!         enabled: true
//!         allowedSourceRanges: [203.0.113.0/24]  # office
//! ```

use super::open_to_everyone;
use crate::finding::Finding;
use crate::rules::{finding, Context};
use crate::values::EndpointKind;

pub const ID: &str = "PGX204";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for endpoint in &cx.fleet.endpoints {
        if endpoint.kind != EndpointKind::Admin {
            continue;
        }
        let Some((path, why)) = open_to_everyone(endpoint) else {
            continue;
        };
        findings.push(
            finding(
                ID,
                path,
                format!(
                    "admin endpoint of `{}` {why}: it admits the whole internet",
                    endpoint.cluster.name
                ),
            )
            .with_help(format!(
                "set `pgClusters[{}].externalAccess.admin.allowedSourceRanges` to your office or VPN ranges, e.g. [203.0.113.0/24]",
                endpoint.cluster_index
            )),
        );
    }
}
