//! Validation rules (rules.md), one rule per file under its family:
//!
//! | family | ids | folder |
//! |---|---|---|
//! | values | PGX1xx | [`values`] |
//! | network and MetalLB | PGX2xx | [`network`] |
//! | TLS and cert-manager | PGX3xx | [`tls`] |
//! | PostgreSQL and the operator | PGX4xx | [`postgres`] |
//! | secrets | PGX5xx | [`secrets`] |
//!
//! Every rule file opens with its documentation in one shape (`## What it does`, `## Why is
//! this bad?`, `## Example`, `Use instead:`), from which `docs/rules.md` is generated; a test
//! keeps the two equal and runs every example. A rule only produces findings with key paths;
//! [`crate::lint`] locates them in the sources and applies `--ignore`.
//!
//! Rules see the whole fleet at once, and none is quadratic in the number of clusters:
//! relations (two Services on one IP and port, one hostname twice, one cluster declared
//! twice) are found through hash maps keyed by what must be unique.

pub mod network;
pub mod postgres;
pub mod registry;
pub mod secrets;
pub mod tls;
pub mod values;

pub use registry::{find, Rule, RULES};

use crate::finding::{Finding, KeyPath, Severity};
use crate::fleet::Fleet;
use crate::render::view;
use crate::values::{Cluster, Values};

/// What the rules are asked to accept.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Accept values with no clusters (PGX105).
    pub allow_empty: bool,
}

/// Everything the rules look at, resolved once.
pub struct Context<'v> {
    pub values: &'v Values,
    pub fleet: Fleet<'v>,
    pub options: Options,
    /// For each cluster with TLS enabled, its certificate as render writes it.
    certificates: Vec<Option<Certificate>>,
}

/// A cluster's certificate: what cert-manager is asked to sign, and by whom.
#[derive(Clone, Debug)]
pub struct Certificate {
    pub dns_names: Vec<String>,
    pub common_name: String,
    pub issuer_name: String,
    pub issuer_kind: String,
}

impl<'v> Context<'v> {
    pub fn new(values: &'v Values, options: Options) -> Self {
        let mut context = Self {
            values,
            fleet: Fleet::new(values),
            options,
            certificates: Vec::new(),
        };
        context.certificates = values
            .pg_clusters
            .iter()
            .enumerate()
            .map(|(i, cluster)| {
                cluster
                    .tls
                    .enabled
                    .then(|| context.resolve_certificate(i, cluster))
            })
            .collect();
        context
    }

    /// The certificate of cluster `index`, when its TLS is enabled.
    pub fn certificate(&self, index: usize) -> Option<&Certificate> {
        self.certificates.get(index).and_then(Option::as_ref)
    }

    /// The clusters with their index.
    pub fn clusters(&self) -> impl Iterator<Item = (usize, &'v Cluster)> {
        self.values.pg_clusters.iter().enumerate()
    }

    fn resolve_certificate(&self, index: usize, cluster: &Cluster) -> Certificate {
        // Render's own functions, so a rule and the rendered Certificate cannot disagree.
        let own = self.fleet.endpoints_of(index).iter();
        let dns_names = view::certificate_dns_names(self.values, cluster, own);
        let common_name = view::common_name(self.values, cluster, &dns_names);
        let (issuer_name, issuer_kind, _) = view::issuer_ref(self.values, cluster);
        Certificate {
            dns_names,
            common_name,
            issuer_name,
            issuer_kind,
        }
    }
}

/// A finding of rule `id`, with the severity the registry gives it.
pub fn finding(id: &'static str, path: KeyPath, message: impl Into<String>) -> Finding {
    let severity = registry::find(id).map_or(Severity::Error, |rule| rule.severity);
    Finding::new(id, severity, path, message)
}

/// Runs every rule over the whole fleet.
pub fn check(values: &Values, options: Options) -> Vec<Finding> {
    let cx = Context::new(values, options);
    let mut findings = Vec::new();
    values::check(&cx, &mut findings);
    network::check(&cx, &mut findings);
    tls::check(&cx, &mut findings);
    postgres::check(&cx, &mut findings);
    secrets::check(&cx, &mut findings);
    findings
}

/// `s` plus "s" unless `n` is one: "1 certificate", "2 certificates".
pub(crate) fn plural(n: usize, s: &str) -> String {
    if n == 1 {
        format!("{n} {s}")
    } else {
        format!("{n} {s}s")
    }
}
