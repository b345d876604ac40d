//! ## What it does
//! Flags a certificate whose common name is longer than 64 characters. The common name is
//! the one render writes: `<name>.<namespace>.svc.<clusterDomain>`, or with
//! `tls.includeInternalNames: false` the first name the certificate covers.
//!
//! ## Why is this bad?
//! X.509 limits a common name to 64 characters, and cert-manager rejects the Certificate.
//! The chart's fixed pattern exceeds it with long cluster names, namespaces or cluster
//! domains (`prod-ap-south-2a.local` leaves 37 characters for name and namespace), and
//! nothing fails until cert-manager sees the object.
//!
//! ## Example
//! ```yaml
//! clusterDomain: prod-ap-south-2a.local
//! pgClusters:
//!   - name: customer-analytics-warehouse
//!     namespace: analytics-platform
//!     tls: {enabled: true}
//! ```
//!
//! Use instead:
//! ```yaml
//! clusterDomain: prod-ap-south-2a.local
//! pgClusters:
//!   - name: analytics-warehouse
//!     namespace: analytics
//!     tls: {enabled: true}
//! ```

use crate::finding::{Finding, KeyPath};
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX309";

/// The longest common name cert-manager accepts (X.509's `ub-common-name`).
pub const MAX_COMMON_NAME: usize = 64;

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        let Some(certificate) = cx.certificate(i) else {
            continue;
        };
        let cn = &certificate.common_name;
        if cn.len() <= MAX_COMMON_NAME {
            continue;
        }
        let over = cn.len() - MAX_COMMON_NAME;
        let at = cluster_path(i);
        let message = format!(
            "the certificate of `{}` has the common name `{cn}` of {} characters; cert-manager accepts at most {MAX_COMMON_NAME}",
            cluster.name,
            cn.len()
        );
        let found = if cluster.tls.include_internal_names {
            finding(ID, at.key("name"), message)
                .with_related(at.key("namespace"), "the namespace is part of the common name")
                .with_related(
                    KeyPath::parse("clusterDomain"),
                    "the cluster domain is part of the common name",
                )
                .with_help(format!(
                    "shorten the cluster name or namespace by {over} character{} in all, or set `pgClusters[{i}].tls.includeInternalNames: false` to use the first external hostname",
                    if over == 1 { "" } else { "s" }
                ))
        } else {
            let path = cx
                .fleet
                .endpoints_of(i)
                .iter()
                .find(|e| &e.hostname == cn)
                .map(|e| e.hostname_path())
                .or_else(|| {
                    cluster
                        .tls
                        .additional_dns_names
                        .iter()
                        .position(|n| n == cn)
                        .map(|k| at.join("tls.additionalDNSNames").index(k))
                })
                .unwrap_or_else(|| at.key("tls"));
            finding(ID, path, message).with_help(format!(
                "shorten this hostname by {over} character{}: it is the first name of the certificate, so it becomes the common name",
                if over == 1 { "" } else { "s" }
            ))
        };
        findings.push(found);
    }
}
