//! `--format sarif`: a SARIF 2.1.0 log for code scanning (GitHub's `upload-sarif`), built
//! with the `serde-sarif` types rather than by hand.
//!
//! Every rule of the registry is listed in `tool.driver.rules`; each finding is a result
//! with its rule id, level, message (and help), and the file, line and column of the value
//! that caused it. Ignored findings are kept, with an external suppression, as `pgx lint`
//! lists them. A finding whose value came from `--set` or standard input has no file to
//! point at: its location is the key path (a logical location) only.

use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult,
    ResultLevel, Run, Sarif, Suppression, Tool, ToolComponent, SCHEMA_URL,
};

use crate::finding::{Finding, Related, Severity};
use crate::rules::RULES;
use crate::source::{Origin, Sources};
use crate::yaml::Span;

pub fn sarif(findings: &[Finding], sources: &Sources) -> String {
    let rules: Vec<ReportingDescriptor> = RULES
        .iter()
        .map(|rule| {
            ReportingDescriptor::builder()
                .id(rule.id)
                .short_description(text(rule.summary))
                .full_description(text(rule.why))
                .help(text(&format!(
                    "{}. See docs/rules.md#{} for a failing example and the fix.",
                    rule.why,
                    rule.id.to_ascii_lowercase()
                )))
                .default_configuration(
                    ReportingConfiguration::builder()
                        .level(serde_json::Value::from(level_name(rule.severity)))
                        .build(),
                )
                .build()
        })
        .collect();
    let results: Vec<SarifResult> = findings.iter().map(|f| result(f, sources)).collect();
    let driver = ToolComponent::builder()
        .name("pgx")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .column_kind(serde_json::Value::from("unicodeCodePoints"))
        .results(results)
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA_URL)
        .version(serde_json::Value::from("2.1.0"))
        .runs(vec![run])
        .build();
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    out
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

fn level_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn result(finding: &Finding, sources: &Sources) -> SarifResult {
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let primary = location(
        finding.span,
        finding.path.to_string(),
        None,
        sources,
        super::place(finding, sources).map(|(file, _, _)| file),
    );
    let related: Vec<Location> = finding
        .related
        .iter()
        .map(
            |Related {
                 path,
                 span,
                 message,
             }| {
                let file = span
                    .and_then(|s| sources.get(s.source))
                    .filter(|f| matches!(f.origin, Origin::File(_)))
                    .map(|f| f.name());
                location(*span, path.to_string(), Some(message), sources, file)
            },
        )
        .collect();
    let rule_index = RULES.iter().position(|r| r.id == finding.code);
    let level = match finding.severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
    };
    let builder = SarifResult::builder()
        .rule_id(finding.code)
        .level(level)
        .message(Message::builder().text(message).build())
        .locations(vec![primary]);
    let mut result = match related.is_empty() {
        true => builder.build(),
        false => builder.related_locations(related).build(),
    };
    result.rule_index = rule_index.and_then(|i| i64::try_from(i).ok());
    if finding.ignored {
        result.suppressions = Some(vec![Suppression::builder()
            .kind(serde_json::Value::from("external"))
            .justification("silenced by --ignore or lint.ignore")
            .build()]);
    }
    result
}

/// A location: the file, line and column when the value came from a file, and always the
/// key path.
fn location(
    span: Option<Span>,
    path: String,
    message: Option<&String>,
    sources: &Sources,
    file: Option<String>,
) -> Location {
    let file_span = span.filter(|s| {
        sources
            .get(s.source)
            .is_some_and(|f| matches!(&f.origin, Origin::File(name) if name != "-"))
    });
    let physical = file.zip(file_span).map(|(file, span)| {
        PhysicalLocation::builder()
            .artifact_location(ArtifactLocation::builder().uri(uri(&file)).build())
            .region(
                Region::builder()
                    .start_line(i64::from(span.line))
                    .start_column(i64::from(span.column))
                    .build(),
            )
            .build()
    });
    let logical = LogicalLocation::builder()
        .fully_qualified_name(path)
        .kind("property")
        .build();
    let mut location = Location::builder().logical_locations(vec![logical]).build();
    location.physical_location = physical;
    location.message = message.map(|m| Message::builder().text(m.as_str()).build());
    location
}

/// A file name as a relative URI reference: path separators kept, characters a URI may
/// not contain percent-encoded.
fn uri(file: &str) -> String {
    let mut out = String::with_capacity(file.len());
    for c in file.chars() {
        let c = if c == '\\' { '/' } else { c };
        if c.is_ascii_alphanumeric() || "-._~/:@!$&'()*+,;=".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_keep_paths_and_escape_the_rest() {
        assert_eq!(uri("values/production.yaml"), "values/production.yaml");
        assert_eq!(
            uri("my values/prod #1.yaml"),
            "my%20values/prod%20%231.yaml"
        );
    }
}
