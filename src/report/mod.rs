//! Printers: each output format of `pgx lint` is one printer over the same findings, and
//! none of them knows how the findings were made.

mod github;
mod human;
mod json;
mod sarif;

pub use human::human;

use std::collections::{HashMap, HashSet};

use crate::finding::Finding;
use crate::rules::secrets::is_secret;
use crate::source::{Origin, SourceFile, Sources};
use crate::yaml::{SourceId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics with the source line underlined.
    Human,
    /// One JSON object with a list of findings.
    Json,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
    /// A SARIF 2.1.0 log, for code-scanning upload.
    Sarif,
}

/// Every finding in the given format; ignored ones are listed as ignored.
pub fn print(format: Format, findings: &[Finding], sources: &Sources, color: bool) -> String {
    match format {
        Format::Human => {
            let all: Vec<&Finding> = findings.iter().collect();
            human::human(&all, sources, color)
        }
        Format::Json => json::json(findings, sources),
        Format::Github => github::github(findings, sources),
        Format::Sarif => sarif::sarif(findings, sources),
    }
}

/// File name, line and column of a finding, when it has a place.
pub(crate) fn place(
    finding: &Finding,
    sources: &Sources,
    secrets: &Secrets,
) -> Option<(String, u32, u32)> {
    let span = finding.span?;
    Some((
        secrets.file_name(sources, span.source)?,
        span.line,
        span.column,
    ))
}

/// What printers show instead of a secret.
pub(crate) const MASK: &str = "********";

/// Where secrets are in the sources ([`is_secret`]), so that no printer quotes one: not in
/// a source line, and not in the name of a `--set` argument, which is the argument itself.
/// Indexed by source and by line, so masking costs no scan of all secrets.
#[derive(Default)]
pub(crate) struct Secrets {
    by_source: HashMap<SourceId, Vec<Span>>,
    by_line: HashMap<(SourceId, u32), Vec<Span>>,
}

impl Secrets {
    pub(crate) fn of<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        let mut secrets = Self::default();
        let mut seen = HashSet::new();
        for finding in findings.into_iter().filter(|f| is_secret(f)) {
            let Some(span) = finding.span else {
                continue;
            };
            if !seen.insert((span.source, span.start, span.end)) {
                continue;
            }
            secrets.by_source.entry(span.source).or_default().push(span);
            secrets
                .by_line
                .entry((span.source, span.line))
                .or_default()
                .push(span);
        }
        for spans in secrets.by_source.values_mut() {
            spans.sort_by_key(|s| std::cmp::Reverse(s.start));
        }
        for spans in secrets.by_line.values_mut() {
            spans.sort_by_key(|s| std::cmp::Reverse(s.start));
        }
        secrets
    }

    /// The name of a source, with the secrets of a `--set` argument masked.
    pub(crate) fn file_name(&self, sources: &Sources, source: SourceId) -> Option<String> {
        let file = sources.get(source)?;
        let Origin::SetArgument { flag } = &file.origin else {
            return Some(file.name());
        };
        let mut text = file.text.clone();
        for span in self.by_source.get(&source).into_iter().flatten() {
            if span.start <= span.end
                && text.get(..span.start).is_some()
                && text.get(span.end..).is_some()
            {
                text.replace_range(span.start..span.end, MASK);
            }
        }
        Some(format!("{flag} {text}"))
    }

    /// Line `line` of a source as quoted, with its secrets masked.
    pub(crate) fn line(&self, file: &SourceFile, source: SourceId, line: u32) -> Option<String> {
        let text = file.line_text(line)?;
        let mut chars: Vec<char> = text.chars().collect();
        for span in self.by_line.get(&(source, line)).into_iter().flatten() {
            let start = usize::try_from(span.column).unwrap_or(1).saturating_sub(1);
            let width = value_width(file, span);
            let end = (start + width).min(chars.len());
            if start <= end {
                chars.splice(start..end, MASK.chars());
            }
        }
        Some(chars.into_iter().collect())
    }

    /// Whether this exact span is a secret (its underline is the mask's width).
    pub(crate) fn contains(&self, span: &Span) -> bool {
        self.by_line
            .get(&(span.source, span.line))
            .is_some_and(|spans| {
                spans
                    .iter()
                    .any(|s| s.start == span.start && s.end == span.end)
            })
    }
}

/// Characters of a span's value on its first line (at least one).
pub(crate) fn value_width(file: &SourceFile, span: &Span) -> usize {
    file.text
        .get(span.start..span.end)
        .map(|s| s.lines().next().unwrap_or_default().chars().count())
        .unwrap_or(1)
        .max(1)
}
