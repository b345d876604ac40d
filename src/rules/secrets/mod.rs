//! Secrets rules (PGX5xx): what must not be written into values, and what cert-manager
//! keeps for itself on the Secrets it writes.
//!
//! No finding may contain a secret's value: messages and helps name keys only, and the
//! printers mask every secret ([`crate::secret`]) wherever they would quote it: in the
//! source line, and in the name of a `--set` argument.

pub mod reserved_secret_template_key;
pub mod secret_in_values;

use super::Context;
use crate::finding::Finding;

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    secret_in_values::check(cx, findings);
    reserved_secret_template_key::check(cx, findings);
}
