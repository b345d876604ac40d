//! ## What it does
//! Flags an IP address or CIDR range that does not parse: the MetalLB IPs (`writeIP`,
//! `readIP`, `adminIP`, `sharedIPs.*`, `pooledIP`, `sharedIP`, each endpoint's
//! `loadBalancerIP`), the source ranges (`externalAccess.allowedSourceRanges`, each
//! endpoint's, `lb.allowedSourceRanges`), `tls.ipAddresses` and the ranges of
//! `patroni.pgHba` lines. A range written as a bare address is an error too (Kubernetes
//! wants `/32`). A range with host bits set (`10.1.2.3/8`) is a warning: it parses, but it
//! admits the whole network, which is rarely what the writer had in mind.
//!
//! ## Why is this bad?
//! MetalLB or the API server rejects the Service (an unparsable `loadBalancerSourceRanges`
//! entry fails the whole object), cert-manager rejects the Certificate, and Postgres
//! refuses to start with a pg_hba line it cannot read. A range with host bits set admits
//! more than it seems to.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.300/24]
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
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true}
//! ```

use std::net::IpAddr;

use ipnet::IpNet;

use crate::finding::{Finding, KeyPath};
use crate::fleet::cluster_path;
use crate::rules::postgres::pg_hba;
use crate::rules::{finding, Context};
use crate::values::EndpointKind;

pub const ID: &str = "PGX203";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let global = &cx.values.external_access;
    let at = KeyPath::parse("externalAccess");
    for (key, value) in [
        ("writeIP", &global.write_ip),
        ("readIP", &global.read_ip),
        ("adminIP", &global.admin_ip),
        ("sharedIPs.write", &global.shared_ips.write),
        ("sharedIPs.read", &global.shared_ips.read),
        ("sharedIPs.admin", &global.shared_ips.admin),
        ("pooledIP", &global.pooled_ip),
        ("sharedIP", &global.shared_ip),
    ] {
        address(value.as_deref(), || at.join(key), findings);
    }
    // Paths are built only for a finding: most values are valid, and building each one's
    // path was most of this rule's time on a large fleet.
    for (i, cluster) in cx.clusters() {
        let at = || cluster_path(i);
        let access = &cluster.external_access;
        ranges(
            access.allowed_source_ranges.as_deref(),
            || at().join("externalAccess.allowedSourceRanges"),
            findings,
        );
        for kind in EndpointKind::ALL {
            let own = access.endpoint(kind);
            let block = || at().join(&format!("externalAccess.{}", kind.as_str()));
            address(
                own.load_balancer_ip.as_deref(),
                || block().key("loadBalancerIP"),
                findings,
            );
            ranges(
                own.allowed_source_ranges.as_deref(),
                || block().key("allowedSourceRanges"),
                findings,
            );
        }
        ranges(
            Some(&cluster.lb.allowed_source_ranges),
            || at().join("lb.allowedSourceRanges"),
            findings,
        );
        for (k, ip) in cluster.tls.ip_addresses.iter().enumerate() {
            if ip.trim().parse::<IpAddr>().is_err() {
                findings.push(
                    finding(
                        ID,
                        at().join("tls.ipAddresses").index(k),
                        format!("`{ip}` is not an IP address"),
                    )
                    .with_help("write an IPv4 or IPv6 address such as `203.0.113.10`"),
                );
            }
        }
        if let Some(lines) = &cluster.patroni.pg_hba {
            for (k, line) in lines.iter().enumerate() {
                if let Some(text) = pg_hba::Line::parse(line).and_then(|l| l.cidr_text()) {
                    range(text, || at().join("patroni.pgHba").index(k), findings);
                }
            }
        }
    }
}

/// An IP address; empty means unset.
fn address(value: Option<&str>, path: impl FnOnce() -> KeyPath, findings: &mut Vec<Finding>) {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return;
    };
    if value.parse::<IpAddr>().is_ok() {
        return;
    }
    let help = match value.parse::<IpNet>() {
        Ok(net) => format!("an IP here is one address, not a range: `{}`", net.addr()),
        Err(_) => "write an IPv4 or IPv6 address such as `203.0.113.10`".to_owned(),
    };
    findings.push(finding(ID, path(), format!("`{value}` is not an IP address")).with_help(help));
}

/// A list of CIDR ranges at `path`.
fn ranges(list: Option<&[String]>, path: impl Fn() -> KeyPath, findings: &mut Vec<Finding>) {
    for (k, value) in list.unwrap_or_default().iter().enumerate() {
        range(value, || path().index(k), findings);
    }
}

/// A CIDR range: an error when it does not parse, a warning when host bits are set.
fn range(value: &str, path: impl FnOnce() -> KeyPath, findings: &mut Vec<Finding>) {
    let value = value.trim();
    match value.parse::<IpNet>() {
        Ok(net) if net.trunc() == net => {}
        Ok(net) => findings.push(
            Finding::warning(
                ID,
                path(),
                format!(
                    "`{value}` has host bits set: it admits all of `{}`",
                    net.trunc()
                ),
            )
            .with_help(format!(
                "write `{}` for the network, or `{}/{}` for the one address",
                net.trunc(),
                net.addr(),
                net.max_prefix_len()
            )),
        ),
        Err(_) => {
            let help = match value.parse::<IpAddr>() {
                Ok(IpAddr::V4(ip)) => {
                    format!("a range needs a prefix length: `{ip}/32` for this one address")
                }
                Ok(IpAddr::V6(ip)) => {
                    format!("a range needs a prefix length: `{ip}/128` for this one address")
                }
                Err(_) => "write a CIDR range such as `203.0.113.0/24`".to_owned(),
            };
            findings.push(
                finding(ID, path(), format!("`{value}` is not a CIDR range")).with_help(help),
            );
        }
    }
}
