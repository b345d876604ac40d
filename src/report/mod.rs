//! Printers: each output format of `pgx lint` is one printer over the same findings, and
//! none of them knows how the findings were made.

mod github;
mod human;
mod json;
mod sarif;

pub use human::human;

use crate::finding::Finding;
use crate::source::Sources;
use crate::yaml::Span;

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
pub(crate) fn place(finding: &Finding, sources: &Sources) -> Option<(String, u32, u32)> {
    let span = finding.span?;
    Some((sources.get(span.source)?.name(), span.line, span.column))
}

/// The name of the source a span is in (a `--set` argument with its secrets masked).
pub(crate) fn file_name(sources: &Sources, span: Option<Span>) -> Option<String> {
    Some(sources.get(span?.source)?.name())
}
