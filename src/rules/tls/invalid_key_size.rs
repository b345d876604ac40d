//! ## What it does
//! Flags a certificate private key size that its algorithm does not take: RSA keys are
//! 2048 to 8192 bits, ECDSA keys 256, 384 or 521 bits, and Ed25519 keys take no size.
//!
//! ## Why is this bad?
//! cert-manager rejects the Certificate (`ECDSA` with `size: 2048` is a common leftover of
//! switching algorithms), so it never becomes ready and Postgres has no key.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls:
//!       enabled: true
//!       privateKey: {algorithm: ECDSA, size: 2048}
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     tls:
//!       enabled: true
//!       privateKey: {algorithm: ECDSA, size: 256}
//! ```

use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};
use crate::values::KeyAlgorithm;

pub const ID: &str = "PGX306";

const ECDSA_SIZES: [i64; 3] = [256, 384, 521];

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        if !cluster.tls.enabled {
            continue;
        }
        let key = &cluster.tls.private_key;
        let Some(size) = key.size else {
            continue; // the default fits the algorithm
        };
        let help = match key.algorithm {
            KeyAlgorithm::Rsa if (2048..=8192).contains(&size) => continue,
            KeyAlgorithm::Ecdsa if ECDSA_SIZES.contains(&size) => continue,
            KeyAlgorithm::Rsa => format!(
                "RSA keys are 2048 to 8192 bits: use `size: {}`",
                size.clamp(2048, 8192)
            ),
            KeyAlgorithm::Ecdsa => {
                let nearest = ECDSA_SIZES
                    .iter()
                    .copied()
                    .min_by_key(|s| (s - size).abs())
                    .unwrap_or(256);
                format!("ECDSA keys are 256, 384 or 521 bits: use `size: {nearest}`")
            }
            KeyAlgorithm::Ed25519 => "Ed25519 keys have one size: remove `size`".to_owned(),
        };
        findings.push(
            finding(
                ID,
                cluster_path(i).join("tls.privateKey.size"),
                format!(
                    "{} private keys cannot have size {size} (certificate of `{}`)",
                    key.algorithm.as_str(),
                    cluster.name
                ),
            )
            .with_help(help),
        );
    }
}
