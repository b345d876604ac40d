//! Validation rules (rules.md): each family in its own module, all run over the whole
//! fleet at once. A rule only produces findings with key paths; [`crate::lint`] locates
//! them in the sources and applies `--ignore`.

mod network;
pub mod registry;
mod tls;

pub use registry::{find, Rule, RULES};

use crate::finding::Finding;
use crate::fleet::Fleet;
use crate::values::Values;

/// Everything the rules look at.
pub struct Context<'v> {
    pub values: &'v Values,
    pub fleet: Fleet<'v>,
}

/// Runs every rule. No rule is quadratic in the number of clusters.
pub fn check(values: &Values) -> Vec<Finding> {
    let context = Context {
        values,
        fleet: Fleet::new(values),
    };
    let mut findings = Vec::new();
    network::check(&context, &mut findings);
    tls::check(&context, &mut findings);
    findings
}
