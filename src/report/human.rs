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
        if let Some(span) = finding.span {
            if let Some(file) = sources.get(span.source) {
                let line_no = span.line.to_string();
                let gutter = " ".repeat(line_no.len());
                let _ = writeln!(
                    out,
                    "{gutter}{blue}-->{reset} {}:{}:{}",
                    file.name(),
                    span.line,
                    span.column
                );
                if let Some(line) = file.line_text(span.line) {
                    let start = usize::try_from(span.column).unwrap_or(1).saturating_sub(1);
                    let width = file
                        .text
                        .get(span.start..span.end)
                        .map(|s| s.lines().next().unwrap_or_default().chars().count())
                        .unwrap_or(1)
                        .max(1);
                    let _ = writeln!(out, "{gutter} {blue}|{reset}");
                    let _ = writeln!(out, "{blue}{line_no} |{reset} {}", line.replace('\t', " "));
                    let _ = writeln!(
                        out,
                        "{gutter} {blue}|{reset} {}{tint}{}{reset}",
                        " ".repeat(start),
                        "^".repeat(width)
                    );
                }
            }
        }
        let _ = writeln!(out, "  {blue}={reset} key: {}", finding.path);
        for related in &finding.related {
            let place = related
                .span
                .map(|s| sources.describe(&s))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {blue}={reset} note: {} ({}, {place})",
                related.message, related.path
            );
        }
        if let Some(rule) = crate::rules::find(finding.code) {
            let _ = writeln!(out, "  {blue}={reset} why: {}", rule.why);
        }
        if let Some(help) = &finding.help {
            let _ = writeln!(out, "  {blue}={reset} help: {help}");
        }
        out.push('\n');
    }
    out
}
