//! PostgreSQL and operator rules (PGX4xx): what the Zalando operator, Patroni and Postgres
//! do with a cluster's values once the `postgresql` object is applied.

pub mod admin_refused_by_pg_hba;
pub mod blocking_pdb;
pub mod maintenance_window;
pub mod operator_wide_setting;
pub mod pg_hba;
pub mod read_without_replicas;
pub mod rotation_for_undeclared_user;
pub mod slot_for_undeclared_database;
pub mod synchronous_node_count;
pub mod undeclared_owner;

use std::collections::HashSet;

use super::Context;
use crate::finding::{nearest, Finding};
use crate::render::view::BUILT_IN_USERS;
use crate::values::Cluster;

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    read_without_replicas::check(cx, findings);
    synchronous_node_count::check(cx, findings);
    blocking_pdb::check(cx, findings);
    rotation_for_undeclared_user::check(cx, findings);
    undeclared_owner::check(cx, findings);
    slot_for_undeclared_database::check(cx, findings);
    maintenance_window::check(cx, findings);
    admin_refused_by_pg_hba::check(cx, findings);
    operator_wide_setting::check(cx, findings);
}

/// The roles a cluster's `postgresql` declares: its `users` and the built-in ones.
pub fn declared_users(cluster: &Cluster) -> HashSet<&str> {
    cluster
        .users
        .keys()
        .map(String::as_str)
        .chain(BUILT_IN_USERS.iter().map(|(name, _)| *name))
        .collect()
}

/// "did you mean `x`?" among `names`, or `otherwise`.
pub fn did_you_mean<'a>(
    name: &str,
    names: impl IntoIterator<Item = &'a str>,
    otherwise: String,
) -> String {
    match nearest(name, names) {
        Some(near) => format!("did you mean `{near}`? Otherwise {otherwise}"),
        None => otherwise,
    }
}
