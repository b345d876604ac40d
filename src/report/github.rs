//! `--format github`: GitHub Actions workflow commands, which annotate the changed file.

use std::fmt::Write;

use crate::finding::{Finding, Severity};
use crate::source::Sources;

/// Escapes a message: `%`, CR and LF.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as a message, plus `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn github(findings: &[Finding], sources: &Sources) -> String {
    let mut out = String::new();
    for finding in findings.iter().filter(|f| !f.ignored) {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut properties = Vec::new();
        if let Some((file, line, column)) = super::place(finding, sources) {
            properties.push(format!("file={}", escape_property(&file)));
            properties.push(format!("line={line}"));
            properties.push(format!("col={column}"));
        }
        properties.push(format!("title={}", escape_property(finding.code)));
        let mut message = format!("{} ({})", finding.message, finding.path);
        if let Some(help) = &finding.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escaping() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
