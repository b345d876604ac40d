//! Network and MetalLB rules (PGX2xx): the LoadBalancer Services of every cluster, read
//! from the resolved [`crate::fleet::Fleet`] so that rules and render agree on each
//! Service's IP, port, hostname, source ranges and traffic policy.

pub mod admin_open;
pub mod conflicting_ip;
pub mod endpoint_open;
pub mod hostname;
pub mod invalid_address;
pub mod out_of_range;
pub mod same_ip_and_port;
pub mod unshareable_ip;

use super::Context;
use crate::finding::{Finding, KeyPath};
use crate::fleet::{Endpoint, RangeOrigin};

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    same_ip_and_port::check(cx, findings);
    unshareable_ip::check(cx, findings);
    invalid_address::check(cx, findings);
    admin_open::check(cx, findings);
    endpoint_open::check(cx, findings);
    hostname::check(cx, findings);
    out_of_range::check(cx, findings);
    conflicting_ip::check(cx, findings);
}

/// Whether a source range admits every address.
pub fn is_everyone(range: &str) -> bool {
    match range.trim().parse::<ipnet::IpNet>() {
        Ok(net) => net.prefix_len() == 0,
        Err(_) => false,
    }
}

/// Why an endpoint admits the whole internet, if it does: the key to blame and what it
/// says. A Service without `loadBalancerSourceRanges` admits every address, and so does an
/// empty list or a `/0` range.
pub fn open_to_everyone(endpoint: &Endpoint<'_>) -> Option<(KeyPath, String)> {
    if endpoint.range_origin == RangeOrigin::Unset {
        return Some((endpoint.path(), "has no source range".to_owned()));
    }
    if endpoint.source_ranges.is_empty() {
        return Some((
            endpoint.ranges_path(),
            "has an empty source range list".to_owned(),
        ));
    }
    let (i, range) = endpoint
        .source_ranges
        .iter()
        .enumerate()
        .find(|(_, r)| is_everyone(r))?;
    Some((
        endpoint.ranges_path().index(i),
        format!("admits `{}`", range.trim()),
    ))
}
