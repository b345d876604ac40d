//! Network and MetalLB rules (PGX2xx).

use super::Context;
use crate::finding::Finding;
use crate::fleet::{Endpoint, RangeOrigin};
use crate::values::EndpointKind;

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for endpoint in &cx.fleet.endpoints {
        open_to_everyone(endpoint, findings);
    }
}

fn is_everyone(range: &str) -> bool {
    matches!(range.trim(), "0.0.0.0/0" | "::/0")
}

/// PGX204 (admin) and PGX205 (write, read).
fn open_to_everyone(endpoint: &Endpoint<'_>, findings: &mut Vec<Finding>) {
    let admin = endpoint.kind == EndpointKind::Admin;
    let name = &endpoint.cluster.name;
    let kind = endpoint.kind.as_str();
    let finding = if endpoint.range_origin == RangeOrigin::Unset {
        let message =
            format!("{kind} endpoint of `{name}` has no source range: it admits every address");
        if admin {
            Finding::error("PGX204", endpoint.path(), message)
        } else {
            Finding::warning("PGX205", endpoint.path(), message)
        }
    } else if let Some(i) = endpoint.source_ranges.iter().position(|r| is_everyone(r)) {
        let range = endpoint
            .source_ranges
            .get(i)
            .map(String::as_str)
            .unwrap_or_default();
        let message = format!("{kind} endpoint of `{name}` admits the whole internet ({range})");
        let path = endpoint.ranges_path().index(i);
        if admin {
            Finding::error("PGX204", path, message)
        } else {
            Finding::warning("PGX205", path, message)
        }
    } else {
        return;
    };
    let help = if admin {
        format!(
            "set `pgClusters[{}].externalAccess.admin.allowedSourceRanges` to your office or VPN ranges, e.g. [203.0.113.0/24]",
            endpoint.cluster_index
        )
    } else {
        format!(
            "set `pgClusters[{}].externalAccess.allowedSourceRanges` (or `{kind}.allowedSourceRanges`) to the networks your applications connect from",
            endpoint.cluster_index
        )
    };
    findings.push(finding.with_help(help));
}
