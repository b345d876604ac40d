//! ## What it does
//! Flags a label or annotation of `tls.secretTemplate` under cert-manager's reserved
//! prefix `cert-manager.io/`.
//!
//! ## Why is this bad?
//! cert-manager writes its own `cert-manager.io/` labels and annotations on the Secret it
//! manages (issuer, common name, certificate name) and rejects a Certificate whose
//! `secretTemplate` tries to set any: the Certificate is refused and never issued.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls:
//!       enabled: true
//!       secretTemplate:
//!         annotations:
//!           cert-manager.io/allow-direct-injection: "true"
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls:
//!       enabled: true
//!       secretTemplate:
//!         annotations:
//!           reflector.v1.k8s.emberstack.com/reflection-allowed: "true"
//! ```

use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX502";

const RESERVED: &str = "cert-manager.io/";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        if !cluster.tls.enabled {
            continue;
        }
        let template = &cluster.tls.secret_template;
        for (what, map) in [
            ("labels", &template.labels),
            ("annotations", &template.annotations),
        ] {
            for key in map.keys() {
                if !key.starts_with(RESERVED) {
                    continue;
                }
                findings.push(
                    finding(
                        ID,
                        cluster_path(i)
                            .join("tls.secretTemplate")
                            .key(what)
                            .key(key),
                        format!(
                            "`{key}` in the secretTemplate {what} of `{}` uses cert-manager's reserved prefix `{RESERVED}`",
                            cluster.name
                        ),
                    )
                    .with_help(format!(
                        "remove it, or use a prefix of your own (e.g. `platform.example.com/{}`)",
                        key.trim_start_matches(RESERVED)
                    )),
                );
            }
        }
    }
}
