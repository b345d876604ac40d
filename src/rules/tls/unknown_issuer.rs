//! ## What it does
//! Flags a certificate whose issuer (name and kind, as the Certificate's `issuerRef` says
//! them) is neither one pgx creates nor one the values declare as existing. Precisely, the
//! issuers a certificate may name are:
//!
//! - with `tls.createIssuer: true` (the default): the ClusterIssuer `tls.issuerName` that
//!   pgx renders, and with `issuerType: caBootstrap` also its root,
//!   `<issuerName>-selfsigned` (both always of kind `ClusterIssuer`);
//! - with `tls.createIssuer: false`: the issuer `tls.issuerName` of kind `tls.issuerKind`,
//!   which that setting declares to exist already.
//!
//! A cluster's `tls.issuer`, `tls.issuerKind` and `tls.issuerRef` must name one of these. To
//! use an issuer that exists outside pgx, declare it: `tls.createIssuer: false` and
//! `tls.issuerName: <it>`.
//!
//! ## Why is this bad?
//! cert-manager waits forever for an issuer that does not exist, the Certificate never
//! becomes ready, and Postgres has no key. The chart did exactly this: it created
//! `platform-postgres-ca` and pointed every certificate at `platform-internal-ca`. Asking
//! for an `Issuer` (namespaced) named like the `ClusterIssuer` pgx creates fails the same
//! way.
//!
//! ## Example
//! ```yaml
//! tls:
//!   issuerName: platform-postgres-ca
//!   issuerType: caBootstrap
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls:
//!       enabled: true
//!       issuer: platform-internal-ca
//! ```
//!
//! Use instead:
//! ```yaml
//! tls:
//!   issuerName: platform-postgres-ca
//!   issuerType: caBootstrap
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls:
//!       enabled: true
//! ```

use crate::finding::{Finding, KeyPath};
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};
use crate::values::{IssuerKind, IssuerType};

pub const ID: &str = "PGX304";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let global = &cx.values.tls;
    let name = global.issuer_name.as_str();
    let cluster_issuer = IssuerKind::ClusterIssuer.as_str();
    let root = format!("{name}-selfsigned");
    let known: Vec<(&str, &str)> = if global.create_issuer {
        let mut known = vec![(name, cluster_issuer)];
        if global.issuer_type == IssuerType::CaBootstrap {
            known.push((root.as_str(), cluster_issuer));
        }
        known
    } else {
        vec![(name, global.issuer_kind.as_str())]
    };
    let known_names = || {
        known
            .iter()
            .map(|(n, k)| format!("`{n}` ({k})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut global_kind_reported = false;
    for (i, cluster) in cx.clusters() {
        let Some(certificate) = cx.certificate(i) else {
            continue;
        };
        let wanted_name = certificate.issuer_name.as_str();
        let wanted_kind = certificate.issuer_kind.as_str();
        if known.contains(&(wanted_name, wanted_kind)) {
            continue;
        }
        let tls = &cluster.tls;
        let at = cluster_path(i).key("tls");
        let by_ref = tls.issuer_ref.as_ref();
        if let Some(&(_, kind)) = known.iter().find(|(n, _)| *n == wanted_name) {
            // The name is right, the kind is not.
            let path = if by_ref.is_some_and(|r| r.kind.is_some()) {
                at.join("issuerRef.kind")
            } else if tls.issuer_kind.is_some() {
                at.key("issuerKind")
            } else {
                if global_kind_reported {
                    continue;
                }
                global_kind_reported = true;
                KeyPath::parse("tls.issuerKind")
            };
            let created = if global.create_issuer {
                "pgx creates it as"
            } else {
                "values declare it as"
            };
            findings.push(
                finding(
                    ID,
                    path,
                    format!(
                        "the certificate of `{}` asks for the {wanted_kind} `{wanted_name}`, but {created} a {kind}: cert-manager would wait for an issuer that does not exist",
                        cluster.name
                    ),
                )
                .with_help(format!("set the issuer kind to `{kind}`")),
            );
            continue;
        }
        let path = if by_ref.is_some_and(|r| r.name.is_some()) {
            at.join("issuerRef.name")
        } else {
            at.key("issuer")
        };
        let declared = if global.create_issuer {
            format!("pgx creates {} and values declare no other", known_names())
        } else {
            format!("values declare only {} as existing", known_names())
        };
        findings.push(
            finding(
                ID,
                path,
                format!(
                    "the certificate of `{}` names the issuer `{wanted_name}`, but {declared}: cert-manager would wait for it",
                    cluster.name
                ),
            )
            .with_related(
                KeyPath::parse("tls.issuerName"),
                format!("the issuer pgx knows is `{name}`"),
            )
            .with_help(format!(
                "remove the cluster's issuer to use `{name}`; or, if `{wanted_name}` exists in the cluster, declare it with `tls.createIssuer: false` and `tls.issuerName: {wanted_name}`"
            )),
        );
    }
}
