//! ## What it does
//! Flags an external hostname used by two endpoints (naming both), and a hostname that is
//! not a valid DNS name per RFC 1123: labels of 1 to 63 letters, digits and `-`, not
//! starting or ending with `-`, at most 253 characters in all, no trailing dot. A default
//! hostname (`<cluster>-<kind>.<domain>`) is checked through `externalAccess.domain`.
//!
//! ## Why is this bad?
//! external-dns publishes one record per name: two Services claiming one hostname fight
//! over it, and clients reach whichever won the last sync. An invalid name is never
//! published, and the certificate that names it is rejected.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true, hostname: db.example.com}
//!       read: {enabled: true, hostname: db.example.com}
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
//!       write: {enabled: true, hostname: db.example.com}
//!       read: {enabled: true, hostname: db-read.example.com}
//! ```

use std::collections::HashMap;

use crate::finding::{Finding, KeyPath};
use crate::fleet::Endpoint;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX206";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let domain = &cx.values.external_access.domain;
    let mut domain_checked = false;
    let mut first: HashMap<String, &Endpoint<'_>> = HashMap::new();
    for endpoint in &cx.fleet.endpoints {
        let explicit = endpoint
            .cluster
            .external_access
            .endpoint(endpoint.kind)
            .hostname
            .is_some();
        if explicit {
            if let Some(problem) = hostname_problem(&endpoint.hostname) {
                findings.push(
                    finding(
                        ID,
                        endpoint.hostname_path(),
                        format!("`{}` is not a valid DNS name: {problem}", endpoint.hostname),
                    )
                    .with_help("a hostname is dot-separated labels of letters, digits and `-` (1 to 63 each, not starting or ending with `-`), such as `orders-db-write.example.com`"),
                );
                continue;
            }
        } else if !domain_checked {
            domain_checked = true;
            if let Some(problem) = hostname_problem(domain) {
                findings.push(
                    finding(
                        ID,
                        KeyPath::parse("externalAccess.domain"),
                        format!("`{domain}` is not a valid DNS domain, so the default hostnames `<cluster>-<kind>.{domain}` are not valid: {problem}"),
                    )
                    .with_help("set `externalAccess.domain` to your DNS zone, e.g. `example.com`"),
                );
            }
        }
        let key = endpoint.hostname.trim_end_matches('.').to_ascii_lowercase();
        match first.get(&key) {
            None => {
                first.insert(key, endpoint);
            }
            Some(other) => findings.push(
                finding(
                    ID,
                    endpoint.hostname_path(),
                    format!(
                        "hostname `{}` is used by the {} endpoint of `{}` and the {} endpoint of `{}`",
                        endpoint.hostname,
                        endpoint.kind.as_str(),
                        endpoint.cluster.name,
                        other.kind.as_str(),
                        other.cluster.name
                    ),
                )
                .with_related(
                    other.hostname_path(),
                    format!(
                        "the {} endpoint of `{}` has it already",
                        other.kind.as_str(),
                        other.cluster.name
                    ),
                )
                .with_help(format!(
                    "give each endpoint its own name, e.g. `{}-{}.{domain}`",
                    endpoint.cluster.name,
                    endpoint.kind.as_str()
                )),
            ),
        }
    }
}

/// Why `name` is not a valid DNS host name (RFC 1123), if it is not.
pub fn hostname_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.ends_with('.') {
        return Some("it ends with a dot; drop the trailing dot".into());
    }
    if name.len() > 253 {
        return Some(format!(
            "it has {} characters, at most 253 are allowed",
            name.len()
        ));
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Some("it has an empty label (`..` or a leading dot)".into());
        }
        if label.len() > 63 {
            return Some(format!(
                "its label `{label}` has {} characters, at most 63 are allowed",
                label.len()
            ));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Some(format!(
                "`{c}` is not allowed (letters, digits, `-` and `.` only)"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some(format!("its label `{label}` starts or ends with `-`"));
        }
    }
    None
}
