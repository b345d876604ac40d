//! ## What it does
//! Flags values that list no cluster at all (`pgClusters` missing or empty), unless
//! `--allow-empty` is given.
//!
//! ## Why is this bad?
//! The render is then an empty stream (or the issuer only). Given to a GitOps tool with
//! pruning enabled, such as an ArgoCD Application with `prune: true`, an empty stream means
//! "delete everything I manage": every `postgresql` object, and with it every database. A
//! values file that lost its clusters to a bad merge or an indentation mistake must fail
//! the sync instead.
//!
//! ## Example
//! ```yaml
//! clusterDomain: cluster.local
//! pgClusters: []
//! ```
//!
//! Use instead:
//! ```yaml
//! clusterDomain: cluster.local
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//! ```
//!
//! If an empty render is really meant (decommissioning an environment), pass
//! `--allow-empty`.

use crate::finding::{Finding, KeyPath};
use crate::rules::{finding, Context};

pub const ID: &str = "PGX105";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    if cx.values.pg_clusters.is_empty() && !cx.options.allow_empty {
        findings.push(
            finding(ID, KeyPath::parse("pgClusters"), "no clusters to render")
                .with_help("an empty stream makes a GitOps tool with pruning delete every database object; pass --allow-empty if that is really meant"),
        );
    }
}
