//! ## What it does
//! Flags two Services on the same IP and port, names both (cluster and endpoint), and
//! suggests the next free port on that IP. The IP is the one each Service really gets: its
//! own `loadBalancerIP`, else `writeIP`/`readIP`/`adminIP` (or `sharedIPs.*`), else
//! `pooledIP`, else `sharedIP`.
//!
//! ## Why is this bad?
//! The shared-IP design gives every cluster its own port on each IP. MetalLB cannot give
//! one IP and port to two Services: the second stays `<pending>` and its clients connect to
//! the first cluster's database instead, or to nothing.
//!
//! ## Example
//! ```yaml
//! externalAccess:
//!   writeIP: 203.0.113.10
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true}
//!   - name: billing-db
//!     namespace: billing
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true}
//! ```
//!
//! Use instead:
//! ```yaml
//! externalAccess:
//!   writeIP: 203.0.113.10
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true}
//!   - name: billing-db
//!     namespace: billing
//!     externalAccess:
//!       enabled: true
//!       port: 5442
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true}
//! ```

use std::collections::{HashMap, HashSet};

use super::Ip;
use crate::finding::Finding;
use crate::fleet::Endpoint;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX201";

const MAX_PORT: i64 = 65535;

/// The ports taken on one IP, and the next free one after any port, found in amortised
/// constant time (a "next free slot" union-find): suggesting ports for 10,000 conflicts
/// on one IP must not rescan the taken ports each time.
#[derive(Default)]
struct Ports {
    taken: HashSet<i64>,
    /// For a taken port, a port at or below the next free one.
    skip: HashMap<i64, i64>,
}

impl Ports {
    /// The lowest free port above `port`, then taken (so two conflicts are not both told
    /// to move to the same port).
    fn take_next_after(&mut self, port: i64) -> Option<i64> {
        let mut p = port.saturating_add(1).max(1);
        let mut visited = Vec::new();
        while p <= MAX_PORT && self.taken.contains(&p) {
            visited.push(p);
            p = self.skip.get(&p).copied().unwrap_or(p + 1).max(p + 1);
        }
        for q in visited {
            self.skip.insert(q, p);
        }
        if p > MAX_PORT {
            return None;
        }
        self.taken.insert(p);
        Some(p)
    }
}

fn describe(endpoint: &Endpoint<'_>) -> String {
    format!(
        "the {} endpoint of `{}`",
        endpoint.kind.as_str(),
        endpoint.cluster.name
    )
}

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let on_ip: Vec<Option<Ip<'_>>> = cx
        .fleet
        .endpoints
        .iter()
        .map(|e| e.ip.as_deref().map(Ip::canonical))
        .collect();
    let mut ports: HashMap<Ip<'_>, Ports> = HashMap::new();
    for (endpoint, ip) in cx.fleet.endpoints.iter().zip(&on_ip) {
        if let Some(ip) = *ip {
            ports.entry(ip).or_default().taken.insert(endpoint.port);
        }
    }
    let mut holder: HashMap<(Ip<'_>, i64), usize> = HashMap::new();
    for (i, (endpoint, ip)) in cx.fleet.endpoints.iter().zip(&on_ip).enumerate() {
        let Some(ip) = *ip else {
            continue;
        };
        if !(1..=MAX_PORT).contains(&endpoint.port) {
            continue; // PGX207
        }
        let Some(&first) = holder.get(&(ip, endpoint.port)) else {
            holder.insert((ip, endpoint.port), i);
            continue;
        };
        let Some(other) = cx.fleet.endpoints.get(first) else {
            continue;
        };
        let port = endpoint.port;
        let help = match ports.get_mut(&ip).and_then(|p| p.take_next_after(port)) {
            Some(free) => format!(
                "move it to the next free port on {ip}: `pgClusters[{}].externalAccess.{}.port: {free}`",
                endpoint.cluster_index,
                endpoint.kind.as_str()
            ),
            None => format!("no port above {port} is free on {ip}: give this endpoint its own `loadBalancerIP`"),
        };
        findings.push(
            finding(
                ID,
                endpoint.port_path(),
                format!(
                    "{} and {} both take {ip} port {port}",
                    describe(endpoint),
                    describe(other)
                ),
            )
            .with_related(
                other.port_path(),
                format!("{} takes {ip} port {port} here", describe(other)),
            )
            .with_help(help),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_free_port_skips_taken_and_suggested_ports() {
        let mut ports = Ports::default();
        ports.taken.extend([5432, 5433, 5434, 5436]);
        assert_eq!(ports.take_next_after(5432), Some(5435));
        assert_eq!(ports.take_next_after(5432), Some(5437));
        assert_eq!(ports.take_next_after(5433), Some(5438));
        ports.taken.insert(MAX_PORT);
        assert_eq!(ports.take_next_after(MAX_PORT - 1), None);
    }
}
