//! ## What it does
//! Flags a kind's MetalLB IP given twice with different values: `externalAccess.writeIP`
//! and its older spelling `externalAccess.sharedIPs.write` (and the same for `read` and
//! `admin`). Both spellings with the same IP are fine.
//!
//! ## Why is this bad?
//! The two keys name the same thing. pgx gives the Services `writeIP`, but a reader of the
//! values (or a tool that knows only the older key) sees the other address: after a merge
//! of an old environment file with a new one, nobody can tell which IP the write Services
//! were meant to get, and firewall rules and DNS get written for the wrong one.
//!
//! ## Example
//! ```yaml
//! externalAccess:
//!   writeIP: 203.0.113.10
//!   sharedIPs:
//!     write: 203.0.113.20
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//! ```
//!
//! Use instead:
//! ```yaml
//! externalAccess:
//!   writeIP: 203.0.113.10
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//! ```

use super::Ip;
use crate::finding::{Finding, KeyPath};
use crate::rules::{finding, Context};

pub const ID: &str = "PGX208";

fn set(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let global = &cx.values.external_access;
    for (kind, new, old) in [
        ("write", &global.write_ip, &global.shared_ips.write),
        ("read", &global.read_ip, &global.shared_ips.read),
        ("admin", &global.admin_ip, &global.shared_ips.admin),
    ] {
        let (Some(new), Some(old)) = (set(new.as_deref()), set(old.as_deref())) else {
            continue;
        };
        if Ip::canonical(new) == Ip::canonical(old) {
            continue;
        }
        findings.push(
            finding(
                ID,
                KeyPath::parse(&format!("externalAccess.sharedIPs.{kind}")),
                format!("the {kind} IP is given twice: `sharedIPs.{kind}` says {old}, `{kind}IP` says {new}"),
            )
            .with_related(
                KeyPath::parse(&format!("externalAccess.{kind}IP")),
                format!("`{kind}IP` is {new}; this is the one pgx uses"),
            )
            .with_help(format!(
                "keep one: delete `externalAccess.sharedIPs.{kind}` (the older spelling), or make both {new}"
            )),
        );
    }
}
