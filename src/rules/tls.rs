//! TLS and cert-manager rules (PGX3xx).

use super::Context;
use crate::finding::{Finding, KeyPath};
use crate::values::IssuerType;

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    self_signed_issuer(cx, findings);
}

/// PGX307.
fn self_signed_issuer(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let tls = &cx.values.tls;
    let used = cx.values.pg_clusters.iter().any(|c| c.tls.enabled);
    if tls.create_issuer && tls.issuer_type == IssuerType::SelfSigned && used {
        findings.push(
            Finding::warning(
                "PGX307",
                KeyPath::parse("tls.issuerType"),
                "the selfSigned issuer signs each certificate with its own key: clients have no stable CA to trust",
            )
            .with_help("use `tls.issuerType: caBootstrap` so one CA signs every certificate, and give clients its `ca.crt`"),
        );
    }
}
