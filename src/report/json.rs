//! `--format json`: one object with a list of findings.

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::source::Sources;

#[derive(Serialize)]
struct Report<'a> {
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    id: &'a str,
    severity: Severity,
    ignored: bool,
    path: String,
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
    why: Option<&'static str>,
    help: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: String,
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
}

pub fn json(findings: &[Finding], sources: &Sources) -> String {
    let report = Report {
        findings: findings
            .iter()
            .map(|f| {
                let place = super::place(f, sources);
                JsonFinding {
                    id: f.code,
                    severity: f.severity,
                    ignored: f.ignored,
                    path: f.path.to_string(),
                    file: place.as_ref().map(|p| p.0.clone()),
                    line: place.as_ref().map(|p| p.1),
                    column: place.as_ref().map(|p| p.2),
                    message: &f.message,
                    why: crate::rules::find(f.code).map(|r| r.why),
                    help: f.help.as_deref(),
                    related: f
                        .related
                        .iter()
                        .map(|r| JsonRelated {
                            path: r.path.to_string(),
                            file: super::file_name(sources, r.span),
                            line: r.span.map(|s| s.line),
                            column: r.span.map(|s| s.column),
                            message: &r.message,
                        })
                        .collect(),
                }
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
