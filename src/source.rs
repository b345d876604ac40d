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
        self.text.lines().nth(index)
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
        self.files.push(SourceFile { origin, text });
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
