//! The validation step of the pipeline: the findings of loading and of every rule, located
//! in the sources, with `--ignore` and `lint.ignore` applied.

use crate::finding::{Finding, Severity};
use crate::load::Loaded;

#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// Rule ids from `--ignore`.
    pub ignore: Vec<String>,
    /// Accept a render with no clusters (PGX105).
    pub allow_empty: bool,
}

/// Rules that cannot be ignored: without them there are no values to check.
const NOT_IGNORABLE: &[&str] = &["PGX101", "PGX102"];

/// All findings, in source order. Nothing stops at the first.
pub fn lint(loaded: &Loaded, options: &LintOptions) -> Vec<Finding> {
    let mut findings = loaded.findings.clone();
    if let Some(values) = &loaded.values {
        let rules = crate::rules::Options {
            allow_empty: options.allow_empty,
        };
        findings.extend(crate::rules::check(values, rules));
    }
    let from_values: Vec<String> = loaded
        .values
        .as_ref()
        .map(|v| v.lint.ignore.clone())
        .unwrap_or_default();
    for finding in &mut findings {
        finding.locate(&loaded.tree);
        place_defaults(finding);
        let ignored = options
            .ignore
            .iter()
            .chain(&from_values)
            .any(|id| id.trim().eq_ignore_ascii_case(finding.code));
        finding.ignored = ignored && !NOT_IGNORABLE.contains(&finding.code);
    }
    findings.sort_by_key(|f| {
        let span = f.span.unwrap_or_default();
        (
            span.source,
            span.line,
            span.column,
            f.severity == Severity::Warning,
            f.code,
        )
    });
    findings
}

/// A finding about a value nobody wrote (a default, such as the `selfSigned` issuer type)
/// locates to the root of the merged tree, which has no place. It is placed at its first
/// related place that was written instead (the cluster whose certificate uses that
/// issuer), and without one it has no place at all rather than a made-up `:0:0`.
fn place_defaults(finding: &mut Finding) {
    let written = |span: &Option<crate::yaml::Span>| span.filter(|s| s.line > 0);
    if written(&finding.span).is_none() {
        finding.span = finding.related.iter().find_map(|r| written(&r.span));
    }
    for related in &mut finding.related {
        related.span = written(&related.span);
    }
}
