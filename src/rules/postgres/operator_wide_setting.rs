//! ## What it does
//! Flags each `logicalBackup.s3Bucket`, `s3Region`, `s3Endpoint`, `s3AccessKeyId` and
//! `s3SecretAccessKey` set on a cluster. pgx does not render them.
//!
//! ## Why is this bad?
//! These are operator-wide settings (`logical_backup_s3_*` in the operator's
//! OperatorConfiguration): the `postgresql` resource has no such fields, and with strict
//! field validation the API server rejects the object. The chart rendered them anyway, so
//! its clusters either failed to apply or backed up to wherever the operator pointed,
//! never to the bucket the values named.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     logicalBackup:
//!       enabled: true
//!       s3Bucket: orders-backups
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     logicalBackup:
//!       enabled: true  # bucket: logical_backup_s3_bucket in the OperatorConfiguration
//! ```

use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX409";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        let backup = &cluster.logical_backup;
        for (key, value, setting) in [
            ("s3Bucket", &backup.s3_bucket, "logical_backup_s3_bucket"),
            ("s3Region", &backup.s3_region, "logical_backup_s3_region"),
            (
                "s3Endpoint",
                &backup.s3_endpoint,
                "logical_backup_s3_endpoint",
            ),
            (
                "s3AccessKeyId",
                &backup.s3_access_key_id,
                "logical_backup_s3_access_key_id",
            ),
            (
                "s3SecretAccessKey",
                &backup.s3_secret_access_key,
                "logical_backup_s3_secret_access_key",
            ),
        ] {
            if value.is_none() {
                continue;
            }
            // Never the value: s3SecretAccessKey is a secret (PGX501).
            findings.push(
                finding(
                    ID,
                    cluster_path(i).join("logicalBackup").key(key),
                    format!(
                        "`logicalBackup.{key}` of `{}` is an operator-wide setting; the `postgresql` resource has no such field",
                        cluster.name
                    ),
                )
                .with_help(format!(
                    "remove it here and set `configuration.logical_backup.{setting}` in the operator's OperatorConfiguration"
                )),
            );
        }
    }
}
