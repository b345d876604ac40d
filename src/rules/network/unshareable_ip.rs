//! ## What it does
//! Flags a Service with `externalTrafficPolicy: Local` on an IP it shares with Services
//! that select other pods, and names one of them.
//!
//! ## Why is this bad?
//! MetalLB shares an IP between Services only if all of them use the `Cluster` policy or
//! all select exactly the same pods: a `Local` Service is announced only from the nodes
//! running its own pods, so two `Local` Services with different pods would need the IP on
//! different nodes. MetalLB refuses, and the Services stay `<pending>`. This is how the
//! shared-IP design first failed in production. Where values leave the policy unset, pgx
//! already uses `Cluster` on a shared IP; this rule catches an explicit `Local`.
//!
//! ## Example
//! ```yaml
//! externalAccess:
//!   pooledIP: 203.0.113.10
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true, externalTrafficPolicy: Local}
//!       read: {enabled: true}
//! ```
//!
//! Use instead:
//! ```yaml
//! externalAccess:
//!   pooledIP: 203.0.113.10
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true}
//!       read: {enabled: true}
//! ```

use crate::finding::Finding;
use crate::rules::{finding, Context};
use crate::values::TrafficPolicy;

pub const ID: &str = "PGX202";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let endpoints = &cx.fleet.endpoints;
    for shared in cx.fleet.ips.iter().filter(|s| s.endpoints.len() > 1) {
        let members = || shared.endpoints.iter().filter_map(|&i| endpoints.get(i));
        let Some(first) = members().next() else {
            continue;
        };
        // Two representatives of different selectors are enough to name, for every
        // Service, one that selects other pods: one pass per IP.
        let Some(different) = members().find(|e| e.selector != first.selector) else {
            continue;
        };
        for endpoint in members() {
            if endpoint.traffic_policy != TrafficPolicy::Local {
                continue;
            }
            let other = if endpoint.selector == first.selector {
                different
            } else {
                first
            };
            let ip = &shared.ip;
            findings.push(
                finding(
                    ID,
                    endpoint.path().key("externalTrafficPolicy"),
                    format!(
                        "the {} endpoint of `{}` uses `externalTrafficPolicy: Local` on {ip}, which it shares with Services that select other pods: MetalLB will not share the IP",
                        endpoint.kind.as_str(),
                        endpoint.cluster.name
                    ),
                )
                .with_related(
                    other.path(),
                    format!(
                        "the {} endpoint of `{}` is on {ip} too and selects other pods",
                        other.kind.as_str(),
                        other.cluster.name
                    ),
                )
                .with_help(format!(
                    "remove `externalTrafficPolicy: Local` from `pgClusters[{}].externalAccess.{}` (pgx then uses `Cluster` on a shared IP; source ranges still apply), or give the endpoint an IP of its own with `loadBalancerIP`",
                    endpoint.cluster_index,
                    endpoint.kind.as_str()
                )),
            );
        }
    }
}
