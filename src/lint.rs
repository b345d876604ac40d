//! The validation step of the pipeline: the findings of loading and of every rule, located
//! in the sources, with `--ignore` and `lint.ignore` applied.

use crate::finding::{Finding, Severity};
use crate::load::Loaded;
use crate::source::{Sources, MASK};

#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// Rule ids from `--ignore`.
    pub ignore: Vec<String>,
    /// Accept a render with no clusters (PGX105).
    pub allow_empty: bool,
}

/// Rules that cannot be ignored: without PGX101 and PGX102 there are no values to check,
/// and ignoring PGX501 would have `render` print a secret.
const NOT_IGNORABLE: &[&str] = &["PGX101", "PGX102", "PGX501"];

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
        mask_secrets(finding, &loaded.sources);
        let ignored = options
            .ignore
            .iter()
            .chain(&from_values)
            .any(|id| id.trim().eq_ignore_ascii_case(finding.code));
        finding.ignored = ignored && !NOT_IGNORABLE.contains(&finding.code);
        if ignored && !finding.ignored {
            let note = format!("{} cannot be ignored", finding.code);
            finding.help = Some(match finding.help.take() {
                Some(help) => format!("{help} ({note})"),
                None => note,
            });
        }
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

/// A message about a secret's place never repeats it (PGX107 quotes the value it found).
fn mask_secrets(finding: &mut Finding, sources: &Sources) {
    let Some(span) = finding.span else {
        return;
    };
    let Some(file) = sources.get(span.source) else {
        return;
    };
    for secret in file.secrets_in(&span) {
        let secret = secret.trim();
        if secret.is_empty() {
            continue;
        }
        finding.message = finding.message.replace(secret, MASK);
        if let Some(help) = &mut finding.help {
            *help = help.replace(secret, MASK);
        }
    }
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
