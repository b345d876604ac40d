//! ## What it does
//! Flags an external hostname of a cluster with TLS that is not among its certificate's
//! DNS names (exactly, or through a `*.` wildcard of one label). With
//! `tls.includeInternalNames: true` (the default) the certificate names the internal
//! Service names and `tls.additionalDNSNames`, so external hostnames must be listed there;
//! the help gives the line to add.
//!
//! ## Why is this bad?
//! Clients that verify the server (`sslmode=verify-full`, the only mode that stops a
//! man in the middle) refuse a certificate that does not name the host they connect to.
//! The connection fails only when the first client tries it, long after the render.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls:
//!       enabled: true
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true, hostname: orders.example.com}
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls:
//!       enabled: true
//!       additionalDNSNames:
//!         - orders.example.com
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [198.51.100.0/24]
//!       write: {enabled: true, hostname: orders.example.com}
//! ```

use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX302";

/// Whether a certificate naming `names` is valid for `host` (RFC 6125: exact, or a
/// wildcard standing for the whole first label).
pub fn covers(names: &[String], host: &str) -> bool {
    let host = host.trim_end_matches('.');
    // What a wildcard would stand for: split once, not once per name.
    let parent_of_host = host
        .split_once('.')
        .filter(|(first, _)| !first.is_empty())
        .map(|(_, rest)| rest);
    names.iter().any(|name| {
        name.eq_ignore_ascii_case(host)
            || name
                .strip_prefix("*.")
                .zip(parent_of_host)
                .is_some_and(|(parent, rest)| parent.eq_ignore_ascii_case(rest))
    })
}

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        let Some(certificate) = cx.certificate(i) else {
            continue;
        };
        for endpoint in cx.fleet.endpoints_of(i) {
            if covers(&certificate.dns_names, &endpoint.hostname) {
                continue;
            }
            findings.push(
                finding(
                    ID,
                    endpoint.hostname_path(),
                    format!(
                        "the {} endpoint of `{}` is reached as `{}`, which its certificate does not name: `verify-full` clients would refuse it",
                        endpoint.kind.as_str(),
                        cluster.name,
                        endpoint.hostname
                    ),
                )
                .with_related(
                    cluster_path(i).join("tls.additionalDNSNames"),
                    "the certificate's external names are listed here",
                )
                .with_help(format!(
                    "add `- {}` to `pgClusters[{i}].tls.additionalDNSNames`",
                    endpoint.hostname
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn a_name_covers_its_host_exactly_or_by_a_one_label_wildcard() {
        let names = ["db.example.com".to_owned(), "*.pnats.cloud".to_owned()];
        for host in [
            "db.example.com",
            "DB.Example.com",
            "db.example.com.",
            "write.pnats.cloud",
            "WRITE.PNATS.CLOUD.",
        ] {
            assert!(covers(&names, host), "{host}");
        }
        for host in [
            "example.com",
            "x.db.example.com",
            "pnats.cloud",
            "a.b.pnats.cloud",
            ".pnats.cloud",
            "write.pnats.cloud.evil",
            "",
        ] {
            assert!(!covers(&names, host), "{host}");
        }
        assert!(!covers(&[], "db.example.com"));
    }
}
