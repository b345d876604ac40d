//! The texts values came from, kept so diagnostics can quote the line a finding points at,
//! and which parts of them are secrets that must never be quoted (see [`crate::secret`]).

use std::ops::Range;

use crate::yaml::{SourceId, Span};

/// Where a text came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A values file, named as the user gave it (`values/production.yaml`, `-` for stdin).
    File(String),
    /// A `--set` or `--set-string` argument.
    SetArgument { flag: &'static str },
}

/// What diagnostics print instead of a secret.
pub const MASK: &str = "********";

/// Longest excerpt of a line diagnostics quote, in characters: a minified values file can
/// be one line of megabytes, and the reader needs only the part around the finding.
const EXCERPT_WIDTH: usize = 160;

/// Characters kept before the quoted value when a long line is clipped.
const EXCERPT_LEAD: usize = 40;

#[derive(Clone, Debug)]
pub struct SourceFile {
    pub origin: Origin,
    pub text: String,
    /// Byte offset of the start of every line, so quoting a line costs O(log n), not a
    /// scan of the file: a report of many findings in a large file stays linear.
    line_starts: Vec<usize>,
    /// Byte ranges holding secrets: sorted, disjoint, never quoted.
    secrets: Vec<Range<usize>>,
}

/// A line as diagnostics quote it, secrets masked and clipped around the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excerpt {
    pub text: String,
    /// The characters of `text` to underline (never empty).
    pub underline: Range<usize>,
}

impl SourceFile {
    /// The name diagnostics print before `:line:col`: a `--set` argument is its own name,
    /// with its secrets masked.
    pub fn name(&self) -> String {
        match &self.origin {
            Origin::File(name) => name.clone(),
            Origin::SetArgument { flag } => {
                format!("{flag} {}", self.masked(0..self.text.len()))
            }
        }
    }

    /// The text of line `line` (1-based), without its line break. Secrets are not masked:
    /// this is for reading, not for printing.
    pub fn line_text(&self, line: u32) -> Option<&str> {
        let range = self.line_range(line)?;
        self.text.get(range)
    }

    /// Bytes of line `line` (1-based) without its line break.
    fn line_range(&self, line: u32) -> Option<Range<usize>> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(index)?;
        let rest = self.text.get(start..)?;
        if rest.is_empty() {
            return None;
        }
        let line = rest.split('\n').next().unwrap_or_default();
        let line = line.strip_suffix('\r').unwrap_or(line);
        Some(start..start + line.len())
    }

    /// The line of `span` as diagnostics quote it: secrets replaced by [`MASK`], the span's
    /// part of the line underlined, and a long line clipped around it.
    pub fn excerpt(&self, span: &Span) -> Option<Excerpt> {
        let line = self.line_range(span.line)?;
        let start = span.start.clamp(line.start, line.end);
        let end = span.end.clamp(start, line.end);
        // A span that starts or ends inside a secret underlines the whole mask.
        let start = self
            .overlapping(start..start + 1)
            .find(|s| s.start < start)
            .map_or(start, |s| s.start.max(line.start));
        let end = self
            .overlapping(end.saturating_sub(1)..end)
            .find(|s| s.end > end)
            .map_or(end, |s| s.end.min(line.end));
        let chars_before = |offset: usize| self.masked(line.start..offset).chars().count();
        let from = chars_before(start);
        let underline = from..chars_before(end).max(from + 1);
        Some(clip(&self.masked(line), underline))
    }

    /// The text of the secret ranges a span touches (for masking a message that repeats
    /// a value).
    pub fn secrets_in(&self, span: &Span) -> Vec<&str> {
        let end = span.end.max(span.start + 1);
        self.overlapping(span.start..end)
            .filter_map(|r| self.text.get(r.clone()))
            .collect()
    }

    fn overlapping(&self, range: Range<usize>) -> impl Iterator<Item = &Range<usize>> {
        let first = self.secrets.partition_point(|s| s.end <= range.start);
        self.secrets
            .get(first..)
            .unwrap_or_default()
            .iter()
            .take_while(move |s| s.start < range.end)
    }

    /// `range` of the text with the part of every secret in it replaced by [`MASK`].
    fn masked(&self, range: Range<usize>) -> String {
        let mut text = String::new();
        let mut cursor = range.start;
        for secret in self.overlapping(range.clone()) {
            let from = secret.start.max(range.start);
            text.push_str(self.text.get(cursor..from).unwrap_or_default());
            text.push_str(MASK);
            cursor = secret.end.min(range.end).max(cursor);
        }
        text.push_str(self.text.get(cursor..range.end).unwrap_or_default());
        text
    }
}

/// At most [`EXCERPT_WIDTH`] characters of `text` around `underline`, with `…` where the
/// line was cut.
fn clip(text: &str, underline: Range<usize>) -> Excerpt {
    let total = text.chars().count();
    if total <= EXCERPT_WIDTH {
        return Excerpt {
            text: text.to_owned(),
            underline,
        };
    }
    let from = underline
        .start
        .saturating_sub(EXCERPT_LEAD)
        .min(total.saturating_sub(EXCERPT_WIDTH));
    let to = (from + EXCERPT_WIDTH).min(total);
    let mut clipped = String::new();
    let lead = usize::from(from > 0);
    if from > 0 {
        clipped.push('…');
    }
    clipped.extend(text.chars().skip(from).take(to - from));
    if to < total {
        clipped.push('…');
    }
    let start = underline.start.saturating_sub(from) + lead;
    let end = underline.end.min(to).saturating_sub(from) + lead;
    Excerpt {
        text: clipped,
        underline: start..end.max(start + 1),
    }
}

/// Every text read for one run, indexed by [`SourceId`].
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// How many sources were read: files, stdin and `--set` arguments.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn add(&mut self, origin: Origin, text: String) -> SourceId {
        let id = SourceId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        self.files.push(SourceFile {
            origin,
            text,
            line_starts,
            secrets: Vec::new(),
        });
        id
    }

    /// Marks spans as secrets: no excerpt or name quotes them from now on.
    pub fn mark_secrets(&mut self, spans: impl IntoIterator<Item = Span>) {
        let mut touched = Vec::new();
        for span in spans {
            // A key with nothing after it (`password:`) has no text to hide.
            if span.end <= span.start {
                continue;
            }
            if let Some(file) = usize::try_from(span.source.0)
                .ok()
                .and_then(|i| self.files.get_mut(i))
            {
                file.secrets.push(span.start..span.end);
                touched.push(span.source);
            }
        }
        touched.sort_unstable_by_key(|s| s.0);
        touched.dedup();
        for source in touched {
            if let Some(file) = usize::try_from(source.0)
                .ok()
                .and_then(|i| self.files.get_mut(i))
            {
                file.secrets = disjoint(std::mem::take(&mut file.secrets));
            }
        }
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

/// Ranges sorted and merged where they overlap or touch.
fn disjoint(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_unstable_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
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

    fn span(text: &str, value: &str) -> Span {
        let start = text.find(value).unwrap();
        let line = text[..start].matches('\n').count() + 1;
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        Span {
            source: SourceId(0),
            line: u32::try_from(line).unwrap(),
            column: u32::try_from(text[line_start..start].chars().count() + 1).unwrap(),
            start,
            end: start + value.len(),
        }
    }

    fn file_with_secrets(text: &str, secrets: &[&str]) -> Sources {
        let mut sources = Sources::default();
        sources.add(Origin::File("f".into()), text.to_owned());
        sources.mark_secrets(secrets.iter().map(|s| span(text, s)));
        sources
    }

    fn underlined(excerpt: &Excerpt) -> String {
        excerpt
            .text
            .chars()
            .skip(excerpt.underline.start)
            .take(excerpt.underline.len())
            .collect()
    }

    #[test]
    fn excerpts_mask_every_secret_on_the_line_and_underline_around_them() {
        let text = "env: [{name: É_PASSWORD, value: hunter2}, {name: X, value: [1]}]\n";
        let sources = file_with_secrets(text, &["hunter2"]);
        let file = sources.get(SourceId(0)).unwrap();
        // A finding after the secret: underlined where it is in the masked line.
        let excerpt = file.excerpt(&span(text, "[1]")).unwrap();
        assert_eq!(
            excerpt.text,
            "env: [{name: É_PASSWORD, value: ********}, {name: X, value: [1]}]"
        );
        assert_eq!(underlined(&excerpt), "[1]");
        // On the secret itself: the mask is underlined.
        let excerpt = file.excerpt(&span(text, "hunter2")).unwrap();
        assert_eq!(underlined(&excerpt), MASK);
        // Across it: the whole masked part.
        let excerpt = file
            .excerpt(&span(text, "{name: É_PASSWORD, value: hunter2}"))
            .unwrap();
        assert_eq!(underlined(&excerpt), "{name: É_PASSWORD, value: ********}");
        assert_eq!(file.secrets_in(&span(text, "hunter2}")), ["hunter2"]);
        assert!(file.secrets_in(&span(text, "[1]")).is_empty());
        assert_eq!(file.secrets_in(&span(text, "value: hunter2")), ["hunter2"]);
    }

    #[test]
    fn a_secret_over_several_lines_is_masked_on_each() {
        let text = "key: |\n  line one\n  line two\nnext: 1\n";
        let sources = file_with_secrets(text, &["line one\n  line two"]);
        let file = sources.get(SourceId(0)).unwrap();
        let second = file.excerpt(&span(text, "line two")).unwrap();
        assert_eq!(second.text, "********");
        let next = file.excerpt(&span(text, "next")).unwrap();
        assert_eq!(next.text, "next: 1");
    }

    #[test]
    fn set_arguments_are_named_with_their_secrets_masked() {
        let mut sources = Sources::default();
        let text = "a.password=x1,b=y";
        sources.add(Origin::SetArgument { flag: "--set" }, text.to_owned());
        sources.mark_secrets([span(text, "x1")]);
        assert_eq!(
            sources.get(SourceId(0)).unwrap().name(),
            "--set a.password=********,b=y"
        );
    }

    #[test]
    fn long_lines_are_clipped_around_the_value() {
        let text = format!(
            "k: [{}target, {}]\n",
            "a, ".repeat(100_000),
            "b, ".repeat(100_000)
        );
        let sources = file_with_secrets(&text, &[]);
        let file = sources.get(SourceId(0)).unwrap();
        let excerpt = file.excerpt(&span(&text, "target")).unwrap();
        assert!(
            excerpt.text.chars().count() <= EXCERPT_WIDTH + 2,
            "{}",
            excerpt.text
        );
        assert!(excerpt.text.starts_with('…') && excerpt.text.ends_with('…'));
        assert_eq!(underlined(&excerpt), "target");
        // Short lines are whole.
        let short = "k: v\n";
        let sources = file_with_secrets(short, &[]);
        let excerpt = sources
            .get(SourceId(0))
            .unwrap()
            .excerpt(&span(short, "v"))
            .unwrap();
        assert_eq!((excerpt.text.as_str(), excerpt.underline), ("k: v", 3..4));
    }
}
