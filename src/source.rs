//! The texts values came from, kept so diagnostics can quote the line a finding points at.

use crate::yaml::{SourceId, Span};

/// Where a text came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A values file, named as the user gave it (`values/production.yaml`, `-` for stdin).
    File(String),
    /// A `--set` or `--set-string` argument.
    SetArgument { flag: &'static str },
}

#[derive(Clone, Debug)]
pub struct SourceFile {
    pub origin: Origin,
    pub text: String,
    /// Byte offset of the start of every line, so quoting a line costs O(log n), not a
    /// scan of the file: a report of many findings in a large file stays linear.
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// The name diagnostics print before `:line:col`.
    pub fn name(&self) -> String {
        match &self.origin {
            Origin::File(name) => name.clone(),
            Origin::SetArgument { flag } => format!("{flag} {}", self.text),
        }
    }

    /// The text of line `line` (1-based), without its line break.
    pub fn line_text(&self, line: u32) -> Option<&str> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(index)?;
        let rest = self.text.get(start..)?;
        if rest.is_empty() {
            return None;
        }
        let line = rest.split('\n').next().unwrap_or_default();
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// Every text read for one run, indexed by [`SourceId`].
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, origin: Origin, text: String) -> SourceId {
        let id = SourceId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        self.files.push(SourceFile {
            origin,
            text,
            line_starts,
        });
        id
    }

    pub fn get(&self, id: SourceId) -> Option<&SourceFile> {
        self.files.get(usize::try_from(id.0).ok()?)
    }

    /// `file:line:col` of a span.
    pub fn describe(&self, span: &Span) -> String {
        match self.get(span.source) {
            Some(file) => format!("{}:{}:{}", file.name(), span.line, span.column),
            None => format!("<unknown>:{}:{}", span.line, span.column),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_text_matches_str_lines() {
        let mut sources = Sources::default();
        for text in ["", "a", "a\n", "a\r\nb\n\nc", "x\n\n", "é\nü"] {
            let id = sources.add(Origin::File("f".into()), text.to_owned());
            let file = sources.get(id).unwrap();
            let expected: Vec<&str> = text.lines().collect();
            for line in 1..=expected.len() + 2 {
                assert_eq!(
                    file.line_text(u32::try_from(line).unwrap()),
                    expected.get(line - 1).copied(),
                    "{text:?} line {line}"
                );
            }
            assert_eq!(file.line_text(0), None);
        }
    }
}
