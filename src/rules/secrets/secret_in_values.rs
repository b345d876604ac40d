//! ## What it does
//! Flags a credential written into values: `logicalBackup.s3SecretAccessKey` and
//! `logicalBackup.s3AccessKeyId`, and the value of an `env` entry whose name says it holds
//! a password, secret, token, key or access key id (`PGPASSWORD`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_ACCESS_KEY_ID`, `API_TOKEN`, `ENCRYPTION_KEY`; not names ending in `_FILE`, `_PATH`,
//! `_NAME` or `_REF`, which point at or name a secret). Neither the finding nor any printer
//! shows the value, and this rule cannot be ignored (`--ignore`, `lint.ignore`): `render`
//! would print the value into the `postgresql` object.
//!
//! ## Why is this bad?
//! Values files live in git: the secret is in every clone and every fork, forever, and in
//! the rendered object that anyone who can read the `postgresql` resource sees. Put it in a
//! Secret instead (a SealedSecret or an external secret operator for git) and let the
//! operator inject it (`pod_environment_secret` in the OperatorConfiguration).
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     env:
//!       - name: AWS_SECRET_ACCESS_KEY
//!         value: wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     env:
//!       - name: AWS_REGION
//!         value: eu-central-1
//! ```

use crate::finding::Finding;
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};
use crate::secret::is_secret_name;

pub const ID: &str = "PGX501";

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        let at = cluster_path(i);
        let backup = &cluster.logical_backup;
        for (key, value, what, setting) in [
            (
                "s3SecretAccessKey",
                &backup.s3_secret_access_key,
                "secret access key",
                "logical_backup_s3_secret_access_key",
            ),
            (
                "s3AccessKeyId",
                &backup.s3_access_key_id,
                "access key id",
                "logical_backup_s3_access_key_id",
            ),
        ] {
            if value.as_deref().is_some_and(|v| !v.trim().is_empty()) {
                findings.push(
                    finding(
                        ID,
                        at.join("logicalBackup").key(key),
                        format!("`{}` has an S3 {what} written into values", cluster.name),
                    )
                    .with_help(format!("delete it from values (and rotate the key: it is in git history) and give the operator the key through a Secret, `{setting}` or `pod_environment_secret` in the OperatorConfiguration")),
                );
            }
        }
        for (k, var) in cluster.env.iter().enumerate() {
            if var.value.trim().is_empty() || !is_secret_name(&var.name) {
                continue;
            }
            findings.push(
                finding(
                    ID,
                    at.key("env").index(k).key("value"),
                    format!(
                        "`{}` sets `{}` to a literal value in values; by its name it is a secret",
                        cluster.name, var.name
                    ),
                )
                .with_help(format!(
                    "delete it from values (and rotate it: it is in git history); put `{}` in a Secret and have the operator inject it with `pod_environment_secret`",
                    var.name
                )),
            );
        }
    }
}
