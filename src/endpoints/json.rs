//! One JSON object: `clusters` (each with its `connections`) and `ips`.

use super::Endpoints;

pub fn json(endpoints: &Endpoints) -> String {
    let mut text = serde_json::to_string_pretty(endpoints).unwrap_or_default();
    text.push('\n');
    text
}
