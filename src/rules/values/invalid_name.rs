//! ## What it does
//! Flags a name that is not valid for what it becomes:
//!
//! - a cluster name must be a DNS-1035 label (lower-case letters, digits and `-`, starting
//!   with a letter), and every Service name made from it (`<name>-repl`, `<name>-pooler`,
//!   `<name>-pooler-repl`, `<name>-external-write`/`-read`/`-admin`, for the Services the
//!   cluster has) at most 63 characters;
//! - a namespace must be a DNS-1123 label (lower-case letters, digits and `-`, at most 63);
//! - label keys (`[prefix/]name`) and values of `labels`, `tls.secretTemplate.labels` and
//!   `operator.clusterLabels` must follow Kubernetes' label syntax.
//!
//! ## Why is this bad?
//! The API server rejects the object, and the operator creates some of the Services itself,
//! long after `kubectl apply` succeeded: a cluster named within limits whose
//! `<name>-external-admin` is 64 characters renders, applies, and never gets its admin
//! endpoint.
//!
//! ## Example
//! ```yaml
//! pgClusters:
//!   - name: customer-analytics-reporting-warehouse-primary-eu
//!     namespace: analytics
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [192.0.2.0/24]
//!       admin: {enabled: true}
//! ```
//!
//! Use instead:
//! ```yaml
//! pgClusters:
//!   - name: analytics-warehouse
//!     namespace: analytics
//!     externalAccess:
//!       enabled: true
//!       allowedSourceRanges: [192.0.2.0/24]
//!       admin: {enabled: true}
//! ```

use indexmap::IndexMap;

use crate::finding::{Finding, KeyPath};
use crate::fleet::cluster_path;
use crate::rules::{finding, Context};

pub const ID: &str = "PGX104";

/// Longest Kubernetes label (and Service name).
const MAX_LABEL: usize = 63;

pub fn check(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    for (i, cluster) in cx.clusters() {
        let at = cluster_path(i);
        if !cluster.name.is_empty() {
            if let Some(problem) = dns1035_problem(&cluster.name) {
                findings.push(
                    finding(
                        ID,
                        at.key("name"),
                        format!(
                            "cluster name `{}` cannot name a Service: {problem}",
                            cluster.name
                        ),
                    )
                    .with_help(format!(
                        "use lower-case letters, digits and `-`, starting with a letter, e.g. `{}`",
                        suggest_label(&cluster.name, true)
                    )),
                );
            } else {
                // The master's Service is the name itself, checked above.
                let mut services: Vec<String> =
                    cluster.operator_services().into_iter().skip(1).collect();
                services.extend(
                    cx.fleet
                        .endpoints_of(i)
                        .iter()
                        .map(|endpoint| endpoint.service_name.clone()),
                );
                if let Some(longest) = services
                    .iter()
                    .filter(|s| s.len() > MAX_LABEL)
                    .max_by_key(|s| s.len())
                {
                    let over = longest.len() - MAX_LABEL;
                    findings.push(
                        finding(
                            ID,
                            at.key("name"),
                            format!(
                                "cluster name `{}` makes the Service name `{longest}` of {} characters; Service names have at most {MAX_LABEL}",
                                cluster.name,
                                longest.len()
                            ),
                        )
                        .with_help(format!(
                            "shorten the name by at least {over} character{} (to {} or fewer)",
                            if over == 1 { "" } else { "s" },
                            cluster.name.len().saturating_sub(over)
                        )),
                    );
                }
            }
        }
        if !cluster.namespace.is_empty() {
            if let Some(problem) = dns1123_label_problem(&cluster.namespace) {
                findings.push(
                    finding(
                        ID,
                        at.key("namespace"),
                        format!("namespace `{}` is not valid: {problem}", cluster.namespace),
                    )
                    .with_help(format!(
                        "use lower-case letters, digits and `-`, e.g. `{}`",
                        suggest_label(&cluster.namespace, false)
                    )),
                );
            }
        }
        labels(&cluster.labels, &at.key("labels"), findings);
        if cluster.tls.enabled {
            labels(
                &cluster.tls.secret_template.labels,
                &at.join("tls.secretTemplate.labels"),
                findings,
            );
        }
    }
    let operator = &cx.values.operator;
    let at = KeyPath::parse("operator");
    labels(&operator.cluster_labels, &at.key("clusterLabels"), findings);
    for (key, value) in [
        ("clusterNameLabel", &operator.cluster_name_label),
        ("podRoleLabel", &operator.pod_role_label),
    ] {
        if let Some(problem) = label_key_problem(value) {
            findings.push(finding(
                ID,
                at.key(key),
                format!("`{value}` is not a valid label key: {problem}"),
            ));
        }
    }
}

fn labels(map: &IndexMap<String, String>, at: &KeyPath, findings: &mut Vec<Finding>) {
    for (key, value) in map {
        let path = at.key(key);
        if let Some(problem) = label_key_problem(key) {
            findings.push(
                finding(ID, path.clone(), format!("`{key}` is not a valid label key: {problem}"))
                    .with_help("a label key is an optional DNS subdomain prefix and `/`, then a name of at most 63 letters, digits, `-`, `_` or `.` that starts and ends with a letter or digit"),
            );
        }
        if let Some(problem) = label_value_problem(value) {
            findings.push(
                finding(
                    ID,
                    path,
                    format!("`{value}` is not a valid value for label `{key}`: {problem}"),
                )
                .with_help("a label value is empty, or at most 63 letters, digits, `-`, `_` or `.` that start and end with a letter or digit"),
            );
        }
    }
}

/// Why `s` is not a DNS-1035 label (`[a-z]([-a-z0-9]*[a-z0-9])?`, at most 63).
pub fn dns1035_problem(s: &str) -> Option<String> {
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("it must start with a lower-case letter".into());
    }
    dns1123_label_problem(s)
}

/// Why `s` is not a DNS-1123 label (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63).
pub fn dns1123_label_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some("it is empty".into());
    }
    if s.len() > MAX_LABEL {
        return Some(format!(
            "it has {} characters, at most {MAX_LABEL} are allowed",
            s.len()
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "`{c}` is not allowed (only lower-case letters, digits and `-`)"
        ));
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Some("it must start and end with a letter or digit".into());
    }
    None
}

/// Why `s` is not a Kubernetes label key.
pub fn label_key_problem(s: &str) -> Option<String> {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, s),
    };
    if let Some(prefix) = prefix {
        if prefix.is_empty() || prefix.len() > 253 {
            return Some("its prefix must be a DNS subdomain of 1 to 253 characters".into());
        }
        if let Some(problem) = prefix.split('.').find_map(dns1123_label_problem) {
            return Some(format!(
                "its prefix `{prefix}` is not a DNS subdomain: {problem}"
            ));
        }
    }
    if name.is_empty() {
        return Some("its name part is empty".into());
    }
    label_value_problem(name)
}

/// Why `s` is not a Kubernetes label value (empty, or at most 63 of `[A-Za-z0-9_.-]`
/// starting and ending with a letter or digit).
pub fn label_value_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    if s.len() > MAX_LABEL {
        return Some(format!(
            "it has {} characters, at most {MAX_LABEL} are allowed",
            s.len()
        ));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Some(format!("`{c}` is not allowed"));
    }
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !edge(s.chars().next()) || !edge(s.chars().last()) {
        return Some("it must start and end with a letter or digit".into());
    }
    None
}

/// A valid label close to `s`: lower case, other characters turned into `-`.
fn suggest_label(s: &str, letter_first: bool) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let mut out = out.trim_matches('-').to_owned();
    if letter_first && !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, "pg-");
    }
    out.truncate(MAX_LABEL);
    out.trim_end_matches('-').to_owned()
}
