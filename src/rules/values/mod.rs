//! Values rules (PGX1xx): what the values say, before anything is rendered from them.
//!
//! PGX101 (unknown key), PGX107 (YAML 1.1 boolean) and the type half of PGX102 are found
//! while decoding ([`crate::decode`]), where the key and its place are at hand; their files
//! here hold their documentation.

pub mod duplicate_cluster;
pub mod invalid_name;
pub mod missing_value;
pub mod no_clusters;
pub mod unknown_key;
pub mod value_outside_set;
pub mod yaml11_boolean;

use super::Context;
use crate::finding::Finding;

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    value_outside_set::check(cx, findings);
    duplicate_cluster::check(cx, findings);
    invalid_name::check(cx, findings);
    no_clusters::check(cx, findings);
    missing_value::check(cx, findings);
}
