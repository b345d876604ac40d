//! rustc-style diagnostics: id, message, `file:line:col`, the source line with the value
//! underlined, the key path, why it matters and a help line.

use std::fmt::Write;

use crate::finding::{Finding, Severity};
use crate::source::Sources;

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

pub fn human(findings: &[&Finding], sources: &Sources, color: bool) -> String {
    let paint = |code: &'static str| if color { code } else { "" };
    let mut out = String::new();
    for finding in findings {
        let (label, tint) = match (finding.ignored, finding.severity) {
            (true, _) => ("ignored", paint(BLUE)),
            (false, Severity::Error) => ("error", paint(RED)),
            (false, Severity::Warning) => ("warning", paint(YELLOW)),
        };
        let _ = writeln!(
            out,
            "{tint}{label}[{}]{reset}{bold}: {}{reset}",
            finding.code,
            finding.message,
            reset = paint(RESET),
            bold = paint(BOLD),
        );
        let blue = paint(BLUE);
        let reset = paint(RESET);
        // The `=` notes line up with the `|` of the quoted source, as rustc's do.
        let mut gutter = String::from(" ");
        if let (Some(span), Some((name, line, column))) =
            (finding.span, super::place(finding, sources))
        {
            let line_no = line.to_string();
            gutter = " ".repeat(line_no.len());
            let _ = writeln!(out, "{gutter}{blue}-->{reset} {name}:{line}:{column}");
            // The excerpt masks secrets and clips long lines (`source::SourceFile::excerpt`).
            if let Some(excerpt) = sources.get(span.source).and_then(|f| f.excerpt(&span)) {
                let _ = writeln!(out, "{gutter} {blue}|{reset}");
                let _ = writeln!(
                    out,
                    "{blue}{line_no} |{reset} {}",
                    excerpt.text.replace('\t', " ")
                );
                let _ = writeln!(
                    out,
                    "{gutter} {blue}|{reset} {}{tint}{}{reset}",
                    " ".repeat(excerpt.underline.start),
                    "^".repeat(excerpt.underline.len())
                );
            }
        }
        let _ = writeln!(out, "{gutter} {blue}={reset} key: {}", finding.path);
        for related in &finding.related {
            let place = related
                .span
                .and_then(|s| {
                    let name = super::file_name(sources, Some(s))?;
                    Some(format!("{name}:{}:{}", s.line, s.column))
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{gutter} {blue}={reset} note: {} ({}, {place})",
                related.message, related.path
            );
        }
        if let Some(rule) = crate::rules::find(finding.code) {
            let _ = writeln!(out, "{gutter} {blue}={reset} why: {}", rule.why);
        }
        if let Some(help) = &finding.help {
            let _ = writeln!(out, "{gutter} {blue}={reset} help: {help}");
        }
        out.push('\n');
    }
    out
}
