//! ## What it does
//! Flags the issuer pgx creates when it is of type `selfSigned` and a cluster's certificate
//! uses it. A warning: it works, but not as clients need it to.
//!
//! ## Why is this bad?
//! A selfSigned issuer signs each certificate with that certificate's own key. There is no
//! CA: clients that verify the server (`sslmode=verify-full`) must pin each certificate,
//! and every renewal (every 60 days by default) replaces it and breaks them. pgx's
//! `caBootstrap` issuer type renders the standard cert-manager chain instead, one stable CA
//! that signs every cluster's certificate, whose `ca.crt` clients trust once.
//!
//! ## Example
//! ```yaml
//! tls:
//!   issuerType: selfSigned
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls: {enabled: true}
//! ```
//!
//! Use instead:
//! ```yaml
//! tls:
//!   issuerType: caBootstrap
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls: {enabled: true}
//! ```

use super::uses_global_issuer;
use crate::finding::{Finding, KeyPath};
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};
use crate::values::IssuerType;

pub const ID: &str = "PGX307";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let tls = &cx.values.tls;
    if !tls.create_issuer || tls.issuer_type != IssuerType::SelfSigned {
        return;
    }
    let mut users = (0..cx.values.pg_clusters.len())
        .filter(|&i| cx.certificate(i).is_some_and(|c| uses_global_issuer(cx, c)));
    let Some(first) = users.next() else {
        return;
    };
    let count = 1 + users.count();
    let name = cx
        .values
        .pg_clusters
        .get(first)
        .map(|c| c.name.as_str())
        .unwrap_or_default();
    findings.push(
        finding(
            ID,
            KeyPath::parse("tls.issuerType"),
            format!(
                "the selfSigned issuer `{}` signs each certificate with its own key (used by {}): clients have no stable CA to trust",
                tls.issuer_name,
                crate::rules::plural(count, "certificate")
            ),
        )
        .with_related(
            cluster_path(first).join("tls.enabled"),
            format!("the certificate of `{name}` is signed by it"),
        )
        .with_help("use `tls.issuerType: caBootstrap` so one CA signs every certificate, and give clients its `ca.crt`"),
    );
}
