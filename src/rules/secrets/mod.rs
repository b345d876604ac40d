//! Secrets rules (PGX5xx): what must not be written into values, and what cert-manager
//! keeps for itself on the Secrets it writes.
//!
//! No finding may contain a secret's value: messages and helps name keys only, and the
//! printers mask the value wherever they would quote it ([`is_secret`]): in the source
//! line, and in the name of a `--set` argument.

pub mod reserved_secret_template_key;
pub mod secret_in_values;

use super::Context;
use crate::finding::{Finding, KeyPath, Segment};

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    secret_in_values::check(cx, findings);
    reserved_secret_template_key::check(cx, findings);
}

/// Whether the value a finding points at is a secret, which printers must not quote: any
/// PGX501 finding, and any finding (of any rule) about `logicalBackup.s3SecretAccessKey` or
/// an `env` value.
pub fn is_secret(finding: &Finding) -> bool {
    finding.code == secret_in_values::ID || secret_path(&finding.path)
}

/// Keys whose values may be secrets, whatever rule points at them.
pub fn secret_path(path: &KeyPath) -> bool {
    match path.0.as_slice() {
        [.., Segment::Key(last)] if last == "s3SecretAccessKey" => true,
        [.., Segment::Key(env), Segment::Index(_), Segment::Key(value)] => {
            env == "env" && value == "value"
        }
        _ => false,
    }
}
