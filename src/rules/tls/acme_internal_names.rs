//! ## What it does
//! Flags a certificate signed by an ACME issuer (`tls.issuerType: acme`, such as Let's
//! Encrypt) that asks for names an ACME server never signs: cluster-internal names
//! (`*.svc`, `*.cluster.local`, anything under `clusterDomain`), single-label names such
//! as `orders-db`, and IP addresses. The internal names come from
//! `tls.includeInternalNames` (true by default); the help is to set it to `false`, so the
//! certificate names only the external hostnames and `tls.additionalDNSNames`.
//!
//! ## Why is this bad?
//! An ACME server proves control of public DNS names only. It rejects the whole order, so
//! the Certificate never becomes ready, the Secret is never written, and Postgres starts
//! without the key it was told to use. The chart's values even carried a comment saying
//! so, next to the setting that did it.
//!
//! ## Example
//! ```yaml
//! tls:
//!   issuerName: letsencrypt
//!   issuerType: acme
//!   acme: {email: platform-team@example.com}
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls:
//!       enabled: true
//!       additionalDNSNames: [orders-db-write.example.com]
//! ```
//!
//! Use instead:
//! ```yaml
//! tls:
//!   issuerName: letsencrypt
//!   issuerType: acme
//!   acme: {email: platform-team@example.com}
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls:
//!       enabled: true
//!       includeInternalNames: false
//!       additionalDNSNames: [orders-db-write.example.com]
//! ```

use std::net::IpAddr;

use super::signed_by_acme;
use crate::finding::{Finding, KeyPath};
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX303";

/// Why an ACME server refuses to sign `name`, if it does.
pub fn unsignable(name: &str, cluster_domain: &str) -> Option<&'static str> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let domain = cluster_domain.trim_matches('.').to_ascii_lowercase();
    if name.parse::<IpAddr>().is_ok() {
        return Some("an IP address");
    }
    if !name.contains('.') {
        return Some("a single-label name");
    }
    if name.ends_with(".svc") || name.contains(".svc.") {
        return Some("a cluster-internal Service name");
    }
    if name == "cluster.local"
        || name.ends_with(".cluster.local")
        || (!domain.is_empty() && (name == domain || name.ends_with(&format!(".{domain}"))))
    {
        return Some("a name under the cluster domain");
    }
    None
}

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let domain = &cx.values.cluster_domain;
    let issuer = &cx.values.tls.issuer_name;
    let issuer_type = KeyPath::parse("tls.issuerType");
    let related = format!("`{issuer}` is an ACME issuer");
    for (i, cluster) in cx.clusters() {
        let Some(certificate) = cx.certificate(i) else {
            continue;
        };
        if !signed_by_acme(cx, certificate) {
            continue;
        }
        let at = cluster_path(i).key("tls");
        let tls = &cluster.tls;
        if tls.include_internal_names {
            let internal: Vec<&String> = certificate
                .dns_names
                .iter()
                .filter(|n| !tls.additional_dns_names.contains(n))
                .filter(|n| unsignable(n, domain).is_some())
                .collect();
            if let Some(example) = internal.first() {
                findings.push(
                    finding(
                        ID,
                        at.key("includeInternalNames"),
                        format!(
                            "the certificate of `{}` includes {} internal names such as `{example}`, which the ACME issuer `{issuer}` never signs",
                            cluster.name,
                            internal.len()
                        ),
                    )
                    .with_related(issuer_type.clone(), related.clone())
                    .with_help(format!(
                        "set `pgClusters[{i}].tls.includeInternalNames: false`: the certificate then names the external hostnames and `additionalDNSNames` only"
                    )),
                );
            }
        }
        for (k, name) in tls.additional_dns_names.iter().enumerate() {
            if let Some(why) = unsignable(name, domain) {
                findings.push(
                    finding(
                        ID,
                        at.key("additionalDNSNames").index(k),
                        format!("`{name}` is {why}, which the ACME issuer `{issuer}` never signs"),
                    )
                    .with_related(issuer_type.clone(), related.clone())
                    .with_help("remove it; an ACME certificate can name public DNS names only"),
                );
            }
        }
        for (k, ip) in tls.ip_addresses.iter().enumerate() {
            findings.push(
                finding(
                    ID,
                    at.key("ipAddresses").index(k),
                    format!("`{ip}` is an IP address, which the ACME issuer `{issuer}` never signs"),
                )
                .with_related(issuer_type.clone(), related.clone())
                .with_help("remove it and connect by hostname; an ACME certificate can name public DNS names only"),
            );
        }
    }
}
