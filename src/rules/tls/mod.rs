//! TLS and cert-manager rules (PGX3xx): each cluster's Certificate as render writes it
//! ([`crate::rules::Certificate`], from [`crate::render::view`]) and the issuer that is
//! asked to sign it.

pub mod acme_internal_names;
pub mod external_without_tls;
pub mod hostname_not_in_certificate;
pub mod invalid_duration;
pub mod invalid_key_size;
pub mod long_common_name;
pub mod missing_fs_group;
pub mod self_signed_issuer;
pub mod unknown_issuer;

use super::{Certificate, Context};
use crate::finding::Finding;
use crate::values::IssuerType;

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    external_without_tls::check(cx, findings);
    hostname_not_in_certificate::check(cx, findings);
    acme_internal_names::check(cx, findings);
    unknown_issuer::check(cx, findings);
    invalid_duration::check(cx, findings);
    invalid_key_size::check(cx, findings);
    self_signed_issuer::check(cx, findings);
    missing_fs_group::check(cx, findings);
    long_common_name::check(cx, findings);
}

/// Whether a certificate is signed by the issuer `tls.issuerName` (the one pgx creates,
/// or with `tls.createIssuer: false` the one values declare as existing).
pub fn uses_global_issuer(cx: &Context<'_>, certificate: &Certificate) -> bool {
    certificate.issuer_name == cx.values.tls.issuer_name
}

/// Whether a certificate's issuer is an ACME issuer: `tls.issuerType: acme` describes the
/// global issuer, created or declared.
pub fn signed_by_acme(cx: &Context<'_>, certificate: &Certificate) -> bool {
    cx.values.tls.issuer_type == IssuerType::Acme && uses_global_issuer(cx, certificate)
}
