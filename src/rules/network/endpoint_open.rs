//! ## What it does
//! Flags an enabled write or read endpoint that admits the whole internet: no source range
//! on the endpoint or the cluster, an empty list, or `0.0.0.0/0` or `::/0` among them.
//!
//! ## Why is this bad?
//! Anyone can reach PgBouncer and try passwords against every application role. Sometimes
//! that is the intent (clients on changing addresses), so this is a warning: say so with
//! `lint.ignore: [PGX205]`, or better, list the networks the applications connect from.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       enabled: true
//!       write: {enabled: true}
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]  # application VPC egress
//!       write: {enabled: true}
//! ```

use super::open_to_everyone;
use crate::finding::Finding;
use crate::rules::{finding, Context};
use crate::values::EndpointKind;

pub const ID: &str = "PGX205";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for endpoint in &cx.fleet.endpoints {
        if endpoint.kind == EndpointKind::Admin {
            continue;
        }
        let Some((path, why)) = open_to_everyone(endpoint) else {
            continue;
        };
        let kind = endpoint.kind.as_str();
        findings.push(
            finding(
                ID,
                path,
                format!(
                    "{kind} endpoint of `{}` {why}: it admits the whole internet",
                    endpoint.cluster.name
                ),
            )
            .with_help(format!(
                "set `pgClusters[{}].externalAccess.allowedSourceRanges` (or `{kind}.allowedSourceRanges`) to the networks your applications connect from",
                endpoint.cluster_index
            )),
        );
    }
}
