//! ## What it does
//! Flags a value of the wrong type (a list where a string is expected, `port: "abc"`) or
//! outside the set its key accepts: the issuer type, pooler mode, traffic policy, session
//! affinity, key algorithm, encoding and rotation policy, a `pgVersion` other than the
//! `postgresql` CRD's `14` to `18`, a user flag the CRD does not list (`login`, `nologin`,
//! `superuser`, `createdb`, `createrole`, `inherit`, `replication`, `bypassrls` and their
//! `no` forms, all lower or all upper case), and a replication slot `type` other than
//! `physical` or `logical`.
//!
//! ## Why is this bad?
//! The chart turned unexpected types into defaults, or rendered objects that the API server
//! or the operator rejected at apply time: the CRD refuses `version: "13"` and a user flag
//! such as `readonly`, and the whole cluster object with it. This rule cannot be ignored:
//! without well-typed values there is nothing to check.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     pgVersion: "13"
//!     users:
//!       orders: [login, readonly]
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: orders-db
//!     namespace: orders
//!     pgVersion: "16"
//!     users:
//!       orders: [login]
//! ```
//!
//! Types and the fixed sets of enumerations are checked while decoding (`src/decode.rs`);
//! this file checks the sets that are strings in the values.

use crate::finding::{nearest, Finding};
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX102";

/// `spec.postgresql.version` of the `postgresql` CRD (operator v2.0.1).
pub const PG_VERSIONS: &[&str] = &["14", "15", "16", "17", "18"];

/// The user flags the `postgresql` CRD accepts: exactly these spellings.
pub const USER_FLAGS: &[&str] = &[
    "bypassrls",
    "BYPASSRLS",
    "nobypassrls",
    "NOBYPASSRLS",
    "createdb",
    "CREATEDB",
    "nocreatedb",
    "NOCREATEDB",
    "createrole",
    "CREATEROLE",
    "nocreaterole",
    "NOCREATEROLE",
    "inherit",
    "INHERIT",
    "noinherit",
    "NOINHERIT",
    "login",
    "LOGIN",
    "nologin",
    "NOLOGIN",
    "replication",
    "REPLICATION",
    "noreplication",
    "NOREPLICATION",
    "superuser",
    "SUPERUSER",
    "nosuperuser",
    "NOSUPERUSER",
];

const SLOT_TYPES: &[&str] = &["physical", "logical"];

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        let at = cluster_path(i);
        if !PG_VERSIONS.contains(&cluster.pg_version.as_str()) {
            findings.push(
                finding(
                    ID,
                    at.key("pgVersion"),
                    format!(
                        "pgVersion `{}` is not one the operator runs ({})",
                        cluster.pg_version,
                        PG_VERSIONS.join(", ")
                    ),
                )
                .with_help(format!(
                    "write one of {} as a quoted string, e.g. `pgVersion: \"16\"`",
                    PG_VERSIONS.join(", ")
                )),
            );
        }
        for (user, flags) in &cluster.users {
            for (j, flag) in flags.iter().enumerate() {
                if USER_FLAGS.contains(&flag.as_str()) {
                    continue;
                }
                let lower = flag.to_ascii_lowercase();
                let help = if USER_FLAGS.contains(&lower.as_str()) {
                    format!("write it all lower case: `{lower}` (the CRD takes `{lower}` or `{}`, nothing in between)", flag.to_ascii_uppercase())
                } else {
                    let lower_flags = USER_FLAGS.iter().copied().step_by(2);
                    match nearest(flag, lower_flags) {
                        Some(near) => format!("did you mean `{near}`?"),
                        None => "user flags are `login`, `createdb`, `createrole`, `superuser`, `replication`, `inherit`, `bypassrls` and their `no` forms (`nologin`, …)".to_owned(),
                    }
                };
                findings.push(
                    finding(
                        ID,
                        at.key("users").key(user).index(j),
                        format!("`{flag}` is not a user flag the `postgresql` CRD accepts (user `{user}`)"),
                    )
                    .with_help(help),
                );
            }
        }
        for (name, slot) in &cluster.patroni.slots {
            if !SLOT_TYPES.contains(&slot.kind.as_str()) {
                let help = match nearest(&slot.kind, SLOT_TYPES.iter().copied()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "a slot is `physical` or `logical`".to_owned(),
                };
                findings.push(
                    finding(
                        ID,
                        at.join("patroni.slots").key(name).key("type"),
                        format!(
                            "replication slot `{name}` has type `{}`; Patroni knows `physical` and `logical`",
                            slot.kind
                        ),
                    )
                    .with_help(help),
                );
            }
        }
    }
}
