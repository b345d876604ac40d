//! ## What it does
//! Flags a value that must be set and is missing or empty:
//!
//! - every cluster's `name` and `namespace`;
//! - with `tls.createIssuer` (the default), what the issuer type needs: `tls.acme.email`
//!   for `acme`, `tls.caSecretName` for `ca`, `tls.vault.server` for `vault`;
//! - a `logical` replication slot's `database` and `plugin`.
//!
//! ## Why is this bad?
//! The object cannot work without it. The chart rendered these anyway: a `postgresql` with
//! an empty name that the API server rejects, an ACME issuer without an account email that
//! Let's Encrypt refuses to register, a CA issuer pointing at no secret, which cert-manager
//! keeps reporting as not ready while every certificate waits on it.
//!
//! ## Example
//! ```yaml
//! tls:
//!   issuerType: acme
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//! ```
//!
//! Use instead:
//! ```yaml
//! tls:
//!   issuerType: acme
//!   acme:
//!     email: platform-team@example.com
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//! ```

use crate::finding::{Finding, KeyPath};
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};
use crate::values::IssuerType;

pub const ID: &str = "PGX106";

fn missing(value: Option<&str>) -> bool {
    value.is_none_or(|v| v.trim().is_empty())
}

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        let at = cluster_path(i);
        for (key, value, example) in [
            ("name", &cluster.name, "orders-db"),
            ("namespace", &cluster.namespace, "orders"),
        ] {
            if missing(Some(value)) {
                findings.push(
                    finding(ID, at.key(key), format!("pgClusters[{i}] has no `{key}`"))
                        .with_help(format!("set `{key}`, e.g. `{key}: {example}`")),
                );
            }
        }
        for (name, slot) in &cluster.patroni.slots {
            if slot.kind != "logical" {
                continue;
            }
            let slot_at = at.join("patroni.slots").key(name);
            for (key, value, help) in [
                (
                    "database",
                    &slot.database,
                    "name the database the slot decodes, one of `databases`",
                ),
                (
                    "plugin",
                    &slot.plugin,
                    "name the output plugin, e.g. `plugin: pgoutput`",
                ),
            ] {
                if missing(value.as_deref()) {
                    findings.push(
                        finding(
                            ID,
                            slot_at.key(key),
                            format!("logical replication slot `{name}` has no `{key}`"),
                        )
                        .with_help(help),
                    );
                }
            }
        }
    }
    let tls = &cx.values.tls;
    if !tls.create_issuer {
        return;
    }
    let required = match tls.issuer_type {
        IssuerType::Acme => Some((
            "tls.acme.email",
            tls.acme.email.as_deref(),
            "the ACME account's contact address, e.g. `email: platform-team@example.com`",
        )),
        IssuerType::Ca => Some((
            "tls.caSecretName",
            tls.ca_secret_name.as_deref(),
            "the Secret (in cert-manager's cluster resource namespace) that holds the CA's `tls.crt` and `tls.key`; or use `tls.issuerType: caBootstrap` to have pgx create the CA",
        )),
        IssuerType::Vault => Some((
            "tls.vault.server",
            tls.vault.server.as_deref(),
            "the Vault address, e.g. `server: https://vault.vault.svc:8200`",
        )),
        IssuerType::SelfSigned | IssuerType::CaBootstrap => None,
    };
    if let Some((key, value, help)) = required {
        if missing(value) {
            let kind = match tls.issuer_type {
                IssuerType::Acme => "acme",
                IssuerType::Ca => "ca",
                _ => "vault",
            };
            findings.push(
                finding(
                    ID,
                    KeyPath::parse(key),
                    format!("the `{kind}` issuer pgx creates needs `{key}`, which is not set"),
                )
                .with_related(
                    KeyPath::parse("tls.issuerType"),
                    format!("issuer type `{kind}` set here"),
                )
                .with_help(format!("set `{key}`: {help}")),
            );
        }
    }
}
