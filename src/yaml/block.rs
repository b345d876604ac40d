//! A reader for the plain block-style YAML most values files are written in, tried by
//! [`super::parse_document`] before the full parser (issue #7: the full parser was a
//! third of a large render, all of it before any thread could help).
//!
//! The subset: lines indented with spaces; block mappings whose keys are plain words
//! (letters, digits, `_`, `.`, `-`, `/`), each key on its own line; block sequences,
//! indented or at their key's indentation, with compact mappings after `- `; values on their
//! key's line that are plain scalars, quoted strings with the common escapes, or one-line
//! flow collections of those; comment lines, end-of-line comments and empty lines; one
//! optional `---` line before the root mapping.
//!
//! Like [`super::subset`], it answers only "this is exactly the tree the full parser
//! builds" or "not sure": whatever leaves the subset (tabs, `\r`, a byte-order mark,
//! anchors, aliases, tags, block scalars, multi-line scalars, quoted or complex keys,
//! duplicate or merge keys, deep nesting, a node count near the limit) makes it give up,
//! and the full parser reads the text and decides, errors included. `tests/block.rs` and
//! the `values` fuzz target compare the two on every input they make.

use super::leave::{is_key_byte, Leave, Read, SpareKeys, MAX_KEY_BYTES};
use super::{Content, Entry, Limits, Node, Scalar, SourceId, Span, Style};

/// The tree of `text` if it stays inside the subset and its root is a block mapping;
/// `None` means "not sure": the full parser must read it.
pub fn read_document(text: &str, source: SourceId, limits: &Limits) -> Option<Node> {
    let ascii = match characters(text) {
        Characters::Ascii => true,
        Characters::Printable => false,
        Characters::Other => return None,
    };
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        source,
        ascii,
        next: None,
        next_pos: 0,
        next_number: 1,
        nodes: 0,
        // Well inside the full parser's limits, so that whatever is near one goes to it
        // and fails there with its message.
        max_nodes: limits.max_nodes.saturating_sub(1),
        max_depth: limits.max_depth.min(MAX_DEPTH).saturating_sub(2),
        entries: Vec::new(),
        items: Vec::new(),
        spare_keys: SpareKeys::new(),
    };
    reader.advance();
    let first = reader.next?;
    if reader.bytes.get(first.content()..first.end) == Some(b"---".as_slice()) {
        if first.indent != 0 {
            return None;
        }
        reader.advance();
    }
    let root = reader.next?;
    let node = reader.mapping(root.indent, 0).ok()?;
    match reader.next {
        None => Some(node),
        Some(_) => None,
    }
}

/// Values files nest six or seven levels; deeper text goes to the full parser.
const MAX_DEPTH: usize = 32;

/// What a text is made of, as far as the reader cares.
enum Characters {
    /// Printable ASCII and `\n` only: a column is a byte offset.
    Ascii,
    /// Printable characters that are not line breaks or byte-order marks to YAML.
    Printable,
    /// Tabs, `\r`, control characters, NEL, line and paragraph separators, byte-order marks.
    Other,
}

fn characters(text: &str) -> Characters {
    // A fold without early exit, so that it compiles to a vector loop: most files are ASCII.
    let ascii = text.bytes().fold(true, |ok, b| {
        ok & ((b.wrapping_sub(b' ') < 0x5f) | (b == b'\n'))
    });
    if ascii {
        return Characters::Ascii;
    }
    let printable = text.chars().all(|c| {
        matches!(c, '\n' | ' '..='~' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
            && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
    });
    if printable {
        Characters::Printable
    } else {
        Characters::Other
    }
}

/// One line with content. For a compact mapping after `- `, `indent` is where the
/// mapping's first key starts, not the line's own indentation.
#[derive(Clone, Copy, Debug)]
struct Line {
    /// 1-based.
    number: u32,
    /// The line's first byte.
    start: usize,
    indent: usize,
    /// The line's `\n`, or the end of the text.
    end: usize,
}

impl Line {
    fn content(&self) -> usize {
        self.start + self.indent
    }
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    source: SourceId,
    ascii: bool,
    /// The next line with content, past comment and empty lines; `None` at the end.
    next: Option<Line>,
    /// Where the line after `next` starts, and its number.
    next_pos: usize,
    next_number: u32,
    nodes: usize,
    max_nodes: usize,
    max_depth: usize,
    /// Entries and items of the collections being read, innermost last: each collection
    /// takes its own off the top when it ends, into a list of exactly its size. Growing a
    /// list per collection left a third of the tree's memory as spare capacity, and
    /// copied each list as it grew.
    entries: Vec<Entry>,
    items: Vec<Node>,
    spare_keys: SpareKeys<&'a str>,
}

/// A key's first character: an indicator, a quote or a space would make it something else.
fn starts_key(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'/'
}

/// Characters that cannot start a plain scalar, or that make it more than a plain word
/// here (`-` and `?` followed by a space, `:` always).
fn starts_plain(b: u8, after: u8) -> bool {
    match b {
        b'-' => !matches!(after, b' ' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'),
        b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
        | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' => false,
        _ => true,
    }
}

impl<'a> Reader<'a> {
    /// The byte at `at`; past the end reads as a line break.
    fn byte(&self, at: usize) -> u8 {
        self.bytes.get(at).copied().unwrap_or(b'\n')
    }

    fn slice(&self, from: usize, to: usize) -> Read<&'a str> {
        self.text.get(from..to).ok_or(Leave)
    }

    fn skip_spaces(&self, mut at: usize, end: usize) -> usize {
        while at < end && self.byte(at) == b' ' {
            at += 1;
        }
        at
    }

    /// Moves `next` to the next line with content, from `next_pos`.
    fn advance(&mut self) {
        loop {
            let start = self.next_pos;
            let Some(rest) = self.bytes.get(start..).filter(|r| !r.is_empty()) else {
                self.next = None;
                return;
            };
            let end = memchr::memchr(b'\n', rest).map_or(self.bytes.len(), |i| start + i);
            let number = self.next_number;
            self.next_pos = end + 1;
            self.next_number = self.next_number.saturating_add(1);
            let indent = rest.iter().take_while(|&&b| b == b' ').count();
            match self.byte(start + indent) {
                b'\n' | b'#' => continue,
                _ => {
                    self.next = Some(Line {
                        number,
                        start,
                        indent,
                        end,
                    });
                    return;
                }
            }
        }
    }

    /// Where the next token starts: what ends an open block collection.
    fn next_token(&self) -> usize {
        self.next.map_or(self.bytes.len(), |line| line.content())
    }

    fn span(&self, line: &Line, start: usize, end: usize) -> Span {
        let before = start.saturating_sub(line.start);
        let column = if self.ascii {
            before
        } else {
            self.text
                .get(line.start..start)
                .map_or(before, |s| s.chars().count())
        };
        Span {
            source: self.source,
            line: line.number,
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
            start,
            end,
        }
    }

    /// Counts a node against the limit.
    fn count(&mut self) -> Read<()> {
        self.nodes += 1;
        if self.nodes > self.max_nodes {
            return Err(Leave);
        }
        Ok(())
    }

    /// Opens a collection `depth` levels down.
    fn enter(&mut self, depth: usize) -> Read<()> {
        if depth > self.max_depth {
            return Err(Leave);
        }
        self.count()
    }

    /// `- ` or a lone `-`: a sequence entry.
    fn is_entry(&self, line: &Line) -> bool {
        self.byte(line.content()) == b'-' && matches!(self.byte(line.content() + 1), b' ' | b'\n')
    }

    /// A plain key at `at` followed by `:` and a space or the line's end: the key and
    /// where its `:` is.
    fn key(&self, at: usize, end: usize) -> Option<(&'a str, usize)> {
        if !starts_key(self.byte(at)) {
            return None;
        }
        let mut i = at + 1;
        while i < end && is_key_byte(self.byte(i)) {
            i += 1;
        }
        if self.byte(i) != b':' || !matches!(self.byte(i + 1), b' ' | b'\n') {
            return None;
        }
        if i - at > MAX_KEY_BYTES {
            return None;
        }
        Some((self.text.get(at..i)?, i))
    }

    /// The next line if it continues a block at `indent`; `None` once a line is less
    /// indented (the block has ended). A deeper line leaves: it would continue a scalar, or
    /// be an error.
    fn next_at(&self, indent: usize) -> Read<Option<Line>> {
        match self.next {
            Some(line) if line.indent == indent => Ok(Some(line)),
            Some(line) if line.indent > indent => Err(Leave),
            _ => Ok(None),
        }
    }

    /// A block mapping at `indent`, from the next line.
    fn mapping(&mut self, indent: usize, depth: usize) -> Read<Node> {
        self.enter(depth)?;
        let first = self.entries.len();
        let mut keys = self.spare_keys.take();
        let mut start = None;
        while let Some(line) = self.next_at(indent)? {
            let at = line.content();
            let (key, colon) = self.key(at, line.end).ok_or(Leave)?;
            keys.add(key)?;
            self.count()?;
            let key_span = self.span(&line, at, colon);
            start.get_or_insert(key_span);
            let value = self.value(line, colon, indent, depth)?;
            self.entries.push(Entry {
                key: key.to_owned(),
                key_span,
                value,
            });
        }
        self.spare_keys.give_back(keys)?;
        let start = start.ok_or(Leave)?;
        let end = self.next_token();
        let entries = self.entries.drain(first..).collect();
        Ok(Node::new(Content::Map(entries), Span { end, ..start }))
    }

    /// The value of the key whose `:` is at `colon` on `line`, in a mapping at `indent`.
    fn value(&mut self, line: Line, colon: usize, indent: usize, depth: usize) -> Read<Node> {
        let at = self.skip_spaces(colon + 1, line.end);
        if at < line.end && self.byte(at) != b'#' {
            let node = self.inline(&line, at, depth + 1)?;
            self.after_inline(indent)?;
            return Ok(node);
        }
        self.advance();
        match self.next {
            Some(next) if next.indent > indent => {
                if self.is_entry(&next) {
                    self.sequence(next.indent, false, depth + 1)
                } else {
                    self.mapping(next.indent, depth + 1)
                }
            }
            Some(next) if next.indent == indent && self.is_entry(&next) => {
                self.sequence(indent, true, depth + 1)
            }
            _ => {
                // An empty value: the full parser's null, zero-width at the `:`.
                self.count()?;
                Ok(Node::new(
                    Content::Scalar(Scalar::plain("~")),
                    self.span(&line, colon, colon),
                ))
            }
        }
    }

    /// Moves past a value written on its line; a deeper line next would continue it.
    fn after_inline(&mut self, indent: usize) -> Read<()> {
        self.advance();
        match self.next {
            Some(next) if next.indent > indent => Err(Leave),
            _ => Ok(()),
        }
    }

    /// A block sequence at `indent`, from the next line. An indentless one (at its key's
    /// indentation) ends at the first line that is not an entry; the full parser starts it
    /// at its first entry's content, not its `-`.
    fn sequence(&mut self, indent: usize, indentless: bool, depth: usize) -> Read<Node> {
        self.enter(depth)?;
        let first = self.items.len();
        let mut start = None;
        while let Some(line) = self.next_at(indent)? {
            if !self.is_entry(&line) {
                if indentless {
                    break;
                }
                return Err(Leave);
            }
            let dash = line.content();
            let at = self.skip_spaces(dash + 1, line.end);
            let b = self.byte(at);
            if at >= line.end || b == b'#' || (b == b'-' && self.byte(at + 1) == b' ') {
                // An entry on the lines below, or a sequence in a sequence.
                return Err(Leave);
            }
            start.get_or_insert(self.span(&line, if indentless { at } else { dash }, at));
            if self.key(at, line.end).is_some() {
                let item_indent = at - line.start;
                self.next = Some(Line {
                    indent: item_indent,
                    ..line
                });
                let item = self.mapping(item_indent, depth + 1)?;
                self.items.push(item);
            } else {
                let item = self.inline(&line, at, depth + 1)?;
                self.items.push(item);
                self.after_inline(indent)?;
            }
        }
        let start = start.ok_or(Leave)?;
        let end = self.next_token();
        let items = self.items.drain(first..).collect();
        Ok(Node::new(Content::Seq(items), Span { end, ..start }))
    }

    /// A value that starts at `at` and ends on `line`, with nothing after it but spaces
    /// and a comment.
    fn inline(&mut self, line: &Line, at: usize, depth: usize) -> Read<Node> {
        let (node, after) = match self.byte(at) {
            b'[' | b'{' => self.flow(line, at, depth)?,
            b'"' | b'\'' => self.quoted(line, at)?,
            _ => return self.block_plain(line, at),
        };
        let rest = self.skip_spaces(after, line.end);
        if rest < line.end && !(self.byte(rest) == b'#' && rest > after) {
            return Err(Leave);
        }
        Ok(node)
    }

    /// A plain scalar in block context: to the line's end or a ` #` comment.
    fn block_plain(&mut self, line: &Line, at: usize) -> Read<Node> {
        if !starts_plain(self.byte(at), self.byte(at + 1)) {
            return Err(Leave);
        }
        let mut end = at;
        let mut i = at;
        while i < line.end {
            match self.byte(i) {
                b' ' => {
                    if self.byte(i + 1) == b'#' {
                        break;
                    }
                }
                b':' if matches!(self.byte(i + 1), b' ' | b'\n') => return Err(Leave),
                _ => end = i + 1,
            }
            i += 1;
        }
        self.scalar(line, at, end, self.slice(at, end)?.to_owned(), Style::Plain)
    }

    fn scalar(
        &mut self,
        line: &Line,
        start: usize,
        end: usize,
        text: String,
        style: Style,
    ) -> Read<Node> {
        self.count()?;
        Ok(Node::new(
            Content::Scalar(Scalar { text, style }),
            self.span(line, start, end),
        ))
    }

    /// A single- or double-quoted scalar closed on its line: the node and where it ends.
    fn quoted(&mut self, line: &Line, at: usize) -> Read<(Node, usize)> {
        let quote = self.byte(at);
        let mut text = String::new();
        let mut run = at + 1;
        let mut i = run;
        loop {
            if i >= line.end {
                return Err(Leave);
            }
            let b = self.byte(i);
            if b == quote && quote == b'\'' && self.byte(i + 1) == b'\'' {
                text.push_str(self.slice(run, i + 1)?);
                i += 2;
                run = i;
            } else if b == quote {
                text.push_str(self.slice(run, i)?);
                let end = i + 1;
                return Ok((self.scalar(line, at, end, text, Style::Quoted)?, end));
            } else if b == b'\\' && quote == b'"' {
                text.push_str(self.slice(run, i)?);
                text.push(match self.byte(i + 1) {
                    b'\\' => '\\',
                    b'"' => '"',
                    b'/' => '/',
                    b' ' => ' ',
                    b'n' => '\n',
                    b't' => '\t',
                    b'r' => '\r',
                    b'0' => '\0',
                    b'a' => '\x07',
                    b'b' => '\x08',
                    b'e' => '\x1b',
                    b'f' => '\x0c',
                    b'v' => '\x0b',
                    _ => return Err(Leave),
                });
                i += 2;
                run = i;
            } else {
                i += 1;
            }
        }
    }

    /// A flow collection closed on its line: the node and where it ends.
    fn flow(&mut self, line: &Line, at: usize, depth: usize) -> Read<(Node, usize)> {
        self.enter(depth)?;
        let is_map = self.byte(at) == b'{';
        let close = if is_map { b'}' } else { b']' };
        let first_entry = self.entries.len();
        let first_item = self.items.len();
        let mut keys = self.spare_keys.take();
        let mut i = self.skip_spaces(at + 1, line.end);
        if self.byte(i) != close {
            loop {
                if is_map {
                    let (key, colon) = self.flow_key(i, line.end)?;
                    keys.add(key)?;
                    self.count()?;
                    let key_span = self.span(line, i, colon);
                    let value_at = self.skip_spaces(colon + 1, line.end);
                    let (value, after) = self.flow_item(line, value_at, depth + 1)?;
                    self.entries.push(Entry {
                        key: key.to_owned(),
                        key_span,
                        value,
                    });
                    i = after;
                } else {
                    let (item, after) = self.flow_item(line, i, depth + 1)?;
                    self.items.push(item);
                    i = after;
                }
                i = self.skip_spaces(i, line.end);
                match self.byte(i) {
                    b',' => i = self.skip_spaces(i + 1, line.end),
                    b if b == close => break,
                    _ => return Err(Leave),
                }
            }
        }
        self.spare_keys.give_back(keys)?;
        let end = i + 1;
        let content = if is_map {
            Content::Map(self.entries.drain(first_entry..).collect())
        } else {
            Content::Seq(self.items.drain(first_item..).collect())
        };
        Ok((Node::new(content, self.span(line, at, end)), end))
    }

    /// A key in a flow mapping: a plain word, then `: `.
    fn flow_key(&self, at: usize, end: usize) -> Read<(&'a str, usize)> {
        let (key, colon) = self.key(at, end).ok_or(Leave)?;
        if self.byte(colon + 1) != b' ' {
            return Err(Leave);
        }
        Ok((key, colon))
    }

    /// One entry of a flow sequence or value of a flow mapping.
    fn flow_item(&mut self, line: &Line, at: usize, depth: usize) -> Read<(Node, usize)> {
        match self.byte(at) {
            b'[' | b'{' => self.flow(line, at, depth),
            b'"' | b'\'' => self.quoted(line, at),
            b => {
                if !starts_plain(b, self.byte(at + 1)) {
                    return Err(Leave);
                }
                let mut end = at;
                let mut i = at;
                while i < line.end {
                    match self.byte(i) {
                        b',' | b']' | b'}' => break,
                        b':' | b'#' | b'[' | b'{' => return Err(Leave),
                        b' ' => {}
                        _ => end = i + 1,
                    }
                    i += 1;
                }
                if i >= line.end {
                    return Err(Leave);
                }
                let text = self.slice(at, end)?.to_owned();
                Ok((self.scalar(line, at, end, text, Style::Plain)?, i))
            }
        }
    }
}
