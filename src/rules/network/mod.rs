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

/// An IP as MetalLB compares it: parsed where possible, so `2001:db8::1` and
/// `2001:DB8:0::1` are one IP; text that is no address is compared as written. Kept parsed
/// rather than written back out: formatting every endpoint's address cost PGX201 more than
/// the rest of the rule.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Ip<'a> {
    Parsed(std::net::IpAddr),
    Unparsed(&'a str),
}

impl<'a> Ip<'a> {
    fn canonical(ip: &'a str) -> Self {
        ip.parse().map_or(Ip::Unparsed(ip), Ip::Parsed)
    }
}

impl std::fmt::Display for Ip<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ip::Parsed(ip) => ip.fmt(f),
            Ip::Unparsed(ip) => f.write_str(ip),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Ip;

    #[test]
    fn one_ip_written_two_ways_is_one_ip_and_is_named_canonically() {
        let (a, b) = (Ip::canonical("2001:db8::1"), Ip::canonical("2001:DB8:0::1"));
        assert!(a == b);
        assert_eq!(b.to_string(), "2001:db8::1");
        assert!(Ip::canonical("198.18.0.1") != Ip::canonical("198.18.0.2"));
        // Not an address: compared and named as written.
        let text = Ip::canonical("lb-pool-a");
        assert!(text == Ip::Unparsed("lb-pool-a"));
        assert_eq!(text.to_string(), "lb-pool-a");
    }
}
