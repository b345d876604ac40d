//! ## What it does
//! Flags a secret written into values: `logicalBackup.s3SecretAccessKey`, and the value of
//! an `env` entry whose name says it holds a password, secret, token or key (`PGPASSWORD`,
//! `AWS_SECRET_ACCESS_KEY`, `API_TOKEN`, `ENCRYPTION_KEY`; not names ending in `_FILE`,
//! `_PATH`, `_NAME`, `_REF` or `_ID`, which point at or name a secret). Access key ids
//! (`s3AccessKeyId`) are identifiers, not secrets, and are not flagged by this rule.
//! Neither the finding nor any printer shows the value.
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

pub const ID: &str = "PGX501";

/// Whether an environment variable of this name holds a secret.
pub fn secret_like(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let words: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words
        .last()
        .is_some_and(|w| matches!(*w, "FILE" | "PATH" | "NAME" | "REF" | "ID"))
    {
        return false;
    }
    words.iter().any(|w| {
        w.contains("PASSWORD")
            || w.contains("PASSWD")
            || w.contains("SECRET")
            || w.contains("TOKEN")
            || w.contains("CREDENTIAL")
            || matches!(*w, "PASS" | "PWD" | "KEY" | "APIKEY" | "PRIVATEKEY")
            || (w.len() > 3 && w.ends_with("KEY"))
    })
}

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        let at = cluster_path(i);
        if cluster
            .logical_backup
            .s3_secret_access_key
            .as_deref()
            .is_some_and(|v| !v.trim().is_empty())
        {
            findings.push(
                finding(
                    ID,
                    at.join("logicalBackup.s3SecretAccessKey"),
                    format!(
                        "`{}` has an S3 secret access key written into values",
                        cluster.name
                    ),
                )
                .with_help("delete it from values (and rotate it: it is in git history) and give the operator the key through a Secret, `logical_backup_s3_secret_access_key` or `pod_environment_secret` in the OperatorConfiguration"),
            );
        }
        for (k, var) in cluster.env.iter().enumerate() {
            if var.value.trim().is_empty() || !secret_like(&var.name) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_like_names() {
        for name in [
            "PGPASSWORD",
            "AWS_SECRET_ACCESS_KEY",
            "API_TOKEN",
            "ENCRYPTION_KEY",
            "apiKey",
            "db-password",
            "GITHUB_PAT_TOKEN",
        ] {
            assert!(secret_like(name), "{name}");
        }
        for name in [
            "ALLOW_NOSSL",
            "AWS_ACCESS_KEY_ID",
            "PASSWORD_FILE",
            "SECRET_NAME",
            "KEYCLOAK_URL",
            "AWS_REGION",
            "WAL_S3_BUCKET",
        ] {
            assert!(!secret_like(name), "{name}");
        }
    }
}
