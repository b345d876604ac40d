//! The validation step of the pipeline: the findings of loading and of every rule, located
//! in the sources, with `--ignore` and `lint.ignore` applied.

use crate::finding::{Finding, KeyPath, Severity};
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
        if values.pg_clusters.is_empty() && !options.allow_empty {
            findings.push(
                Finding::error("PGX105", KeyPath::parse("pgClusters"), "no clusters to render")
                    .with_help("an empty stream makes a GitOps tool with pruning delete every database object; pass --allow-empty if that is really meant"),
            );
        }
        findings.extend(crate::rules::check(values));
    }
    let from_values: Vec<String> = loaded
        .values
        .as_ref()
        .map(|v| v.lint.ignore.clone())
        .unwrap_or_default();
    for finding in &mut findings {
        finding.locate(&loaded.tree);
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
