//! A reader for the small part of YAML that `pgx render` writes, used by the render's
//! output check in place of the full parser when it can (issue #7: the full parse-back was
//! half of render's time).
//!
//! The subset: lines indented with spaces; block mappings whose keys are plain words or
//! double-quoted strings, each key on its own line; block sequences (also at their
//! mapping's indentation), with compact mappings after `- `; values that sit on their
//! key's line as a plain scalar from a small character set, a double-quoted string or a
//! one-line flow collection of those; comment lines and empty lines. Every node starts and
//! ends on one line, so a line never continues an earlier one.
//!
//! The reader answers only "this is exactly what the full parser reads" or "not sure":
//! whatever leaves the subset (tabs, anchors, tags, block scalars, multi-line scalars, a
//! trailing space, an unknown escape, a long key, a duplicate or merge key, deep nesting)
//! makes it give up, and the caller then parses with the full parser, which decides. The
//! property tests in `tests/subset.rs`, and the `subset` fuzz target they share their
//! oracle with, compare it with the full parser on rendered and mutated text.

use std::borrow::Cow;

use super::leave::{is_key_byte, plain_text_run, Keys, Leave, Read, SpareKeys, MAX_KEY_BYTES};

/// What the output check compares in a document, as the full parser reads it: the root
/// mapping's `apiVersion` and `kind`, and `metadata`'s `name` and `namespace`; `None` where
/// the key is absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head<'a> {
    pub api_version: Option<Cow<'a, str>>,
    pub kind: Option<Cow<'a, str>>,
    pub name: Option<Cow<'a, str>>,
    pub namespace: Option<Cow<'a, str>>,
}

/// Reads one document (the text after its `---` line) if it stays inside the subset and
/// its root is a mapping, each of the four fields, where present, a scalar on its key's
/// line, and `metadata`, where present, a block mapping. `None` means "not sure": the
/// full parser must decide.
pub fn read_document(text: &str) -> Option<Head<'_>> {
    if !text.ends_with('\n') {
        return None;
    }
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        next_pos: 0,
        next: None,
        spare: SpareKeys::new(),
    };
    reader.scan().ok()?;
    let mut head = Head::default();
    match reader.next {
        Some(line) if line.indent == 0 && !reader.is_entry(line) => {}
        _ => return None,
    }
    reader.mapping(0, Context::Root, &mut head, 1).ok()?;
    if reader.next.is_some() {
        return None;
    }
    Some(head)
}

/// Deeper than this, the reader leaves it to the full parser and its nesting limit.
const MAX_DEPTH: usize = 32;

/// A key the full parser merges rather than reads (`<<: *defaults`).
const MERGE_KEY: &str = "<<";

/// One line with content: its indentation, where its content starts and its line break.
#[derive(Clone, Copy, Debug)]
struct Line {
    indent: usize,
    start: usize,
    end: usize,
}

/// Where in the document a mapping is, for the four fields the check reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Root,
    Metadata,
    Other,
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Where the line after `next` starts.
    next_pos: usize,
    /// The next line with content, past comment and empty lines; `None` at the end.
    next: Option<Line>,
    spare: SpareKeys<Cow<'a, str>>,
}

fn byte(bytes: &[u8], at: usize) -> Read<u8> {
    bytes.get(at).copied().ok_or(Leave)
}

impl<'a> Reader<'a> {
    /// Moves `next` to the next line with content, from `next_pos`.
    fn scan(&mut self) -> Read<()> {
        let bytes = self.bytes;
        let mut pos = self.next_pos;
        loop {
            if pos >= bytes.len() {
                self.next = None;
                self.next_pos = pos;
                return Ok(());
            }
            let rest = bytes.get(pos..).ok_or(Leave)?;
            let len = memchr::memchr(b'\n', rest).ok_or(Leave)?;
            let end = pos + len;
            let indent = rest.iter().take_while(|&&b| b == b' ').count();
            let start = pos + indent;
            match byte(bytes, start)? {
                b'\n' if indent == 0 => {}
                b'#' => {
                    // A comment line holds printable ASCII only here.
                    let comment = bytes.get(start..end).ok_or(Leave)?;
                    if !comment.iter().all(|b| (b' '..=b'~').contains(b)) {
                        return Err(Leave);
                    }
                }
                b'\n' => return Err(Leave),
                _ => {
                    self.next = Some(Line { indent, start, end });
                    self.next_pos = end + 1;
                    return Ok(());
                }
            }
            pos = end + 1;
        }
    }

    /// `- ` or a lone `-`: a sequence entry.
    fn is_entry(&self, line: Line) -> bool {
        self.bytes.get(line.start) == Some(&b'-')
            && matches!(self.bytes.get(line.start + 1), Some(b' ' | b'\n'))
    }

    /// A block mapping at `indent`, from the next line.
    fn mapping(
        &mut self,
        indent: usize,
        context: Context,
        head: &mut Head<'a>,
        depth: usize,
    ) -> Read<()> {
        let mut keys = self.spare.take();
        self.mapping_rest(indent, context, head, depth, &mut keys)?;
        self.spare.give_back(keys)
    }

    fn mapping_rest(
        &mut self,
        indent: usize,
        context: Context,
        head: &mut Head<'a>,
        depth: usize,
        keys: &mut Keys<Cow<'a, str>>,
    ) -> Read<()> {
        if depth > MAX_DEPTH {
            return Err(Leave);
        }
        while let Some(line) = self.next {
            if line.indent < indent {
                break;
            }
            if line.indent > indent {
                return Err(Leave);
            }
            let (key, after) = self.key(line.start, line.end)?.ok_or(Leave)?;
            self.entry(indent, key, after, line, context, head, depth, keys)?;
        }
        Ok(())
    }

    /// One mapping entry whose key, at `line`, ends before `after` (just past the `:`).
    #[allow(clippy::too_many_arguments)]
    fn entry(
        &mut self,
        indent: usize,
        key: Cow<'a, str>,
        after: usize,
        line: Line,
        context: Context,
        head: &mut Head<'a>,
        depth: usize,
        keys: &mut Keys<Cow<'a, str>>,
    ) -> Read<()> {
        let slot = match (context, key.as_ref()) {
            (Context::Root, "apiVersion") => Some(&mut head.api_version),
            (Context::Root, "kind") => Some(&mut head.kind),
            (Context::Metadata, "name") => Some(&mut head.name),
            (Context::Metadata, "namespace") => Some(&mut head.namespace),
            _ => None,
        };
        let metadata = context == Context::Root && key == "metadata";
        if key == MERGE_KEY {
            return Err(Leave);
        }
        keys.add(key)?;
        if after == line.end {
            // The value is on the lines below, or empty.
            if slot.is_some() {
                return Err(Leave);
            }
            self.next_pos = line.end + 1;
            self.scan()?;
            match self.next {
                Some(below) if below.indent > indent => {
                    let inner = if metadata {
                        Context::Metadata
                    } else {
                        Context::Other
                    };
                    if self.is_entry(below) {
                        if metadata {
                            return Err(Leave);
                        }
                        self.sequence(below.indent, depth + 1)
                    } else {
                        self.mapping(below.indent, inner, head, depth + 1)
                    }
                }
                Some(below) if below.indent == indent && self.is_entry(below) && !metadata => {
                    self.sequence(indent, depth + 1)
                }
                _ if metadata => Err(Leave),
                _ => Ok(()),
            }
        } else {
            if metadata || byte(self.bytes, after)? != b' ' {
                return Err(Leave);
            }
            let value = self.inline(after + 1, line.end, depth)?;
            if let Some(slot) = slot {
                *slot = Some(value.ok_or(Leave)?);
            }
            self.next_pos = line.end + 1;
            self.scan()
        }
    }

    /// A block sequence at `indent`, from the next line.
    fn sequence(&mut self, indent: usize, depth: usize) -> Read<()> {
        if depth > MAX_DEPTH {
            return Err(Leave);
        }
        while let Some(line) = self.next {
            if line.indent < indent || (line.indent == indent && !self.is_entry(line)) {
                break;
            }
            if line.indent > indent {
                return Err(Leave);
            }
            let item = line.start + 2;
            if item > line.end {
                // A lone `-`: the item is below, or empty.
                self.next_pos = line.end + 1;
                self.scan()?;
                if let Some(below) = self.next.filter(|b| b.indent > indent) {
                    self.node(below, depth + 1)?;
                }
                continue;
            }
            match byte(self.bytes, item)? {
                b' ' => return Err(Leave),
                b'-' if matches!(byte(self.bytes, item + 1)?, b' ' | b'\n') => return Err(Leave),
                _ => {}
            }
            match self.key(item, line.end)? {
                Some((key, after)) => {
                    // A compact mapping: its keys line up with the first one.
                    let mut keys = self.spare.take();
                    let mut head = Head::default();
                    let inner = indent + 2;
                    self.entry(
                        inner,
                        key,
                        after,
                        line,
                        Context::Other,
                        &mut head,
                        depth + 1,
                        &mut keys,
                    )?;
                    self.mapping_rest(inner, Context::Other, &mut head, depth + 1, &mut keys)?;
                    self.spare.give_back(keys)?;
                }
                None => {
                    self.inline(item, line.end, depth)?;
                    self.next_pos = line.end + 1;
                    self.scan()?;
                }
            }
        }
        Ok(())
    }

    /// A block collection starting at `line`.
    fn node(&mut self, line: Line, depth: usize) -> Read<()> {
        if self.is_entry(line) {
            self.sequence(line.indent, depth)
        } else {
            let mut head = Head::default();
            self.mapping(line.indent, Context::Other, &mut head, depth)
        }
    }

    /// A key and the position after its `:`, if the line's content at `at` is one.
    fn key(&self, at: usize, end: usize) -> Read<Option<(Cow<'a, str>, usize)>> {
        let bytes = self.bytes;
        let (key, colon) = if byte(bytes, at)? == b'"' {
            let (key, after) = self.quoted(at)?;
            (key, after)
        } else {
            let first = byte(bytes, at)?;
            if !(first.is_ascii_alphanumeric() || first == b'_') {
                return Ok(None);
            }
            let rest = bytes.get(at..end).ok_or(Leave)?;
            let len = rest
                .iter()
                .position(|&b| !is_key_byte(b))
                .unwrap_or(rest.len());
            let word = self.text.get(at..at + len).ok_or(Leave)?;
            (Cow::Borrowed(word), at + len)
        };
        if bytes.get(colon) != Some(&b':') || !matches!(bytes.get(colon + 1), Some(b' ' | b'\n')) {
            return Ok(None);
        }
        if colon - at > MAX_KEY_BYTES {
            return Err(Leave);
        }
        Ok(Some((key, colon + 1)))
    }

    /// A value on its key's or `- `'s line, from `at` to the line break at `end`: a
    /// double-quoted or plain scalar (its text), or a flow collection (`None`).
    fn inline(&self, at: usize, end: usize, depth: usize) -> Read<Option<Cow<'a, str>>> {
        match byte(self.bytes, at)? {
            b'"' => {
                let (text, after) = self.quoted(at)?;
                if after != end {
                    return Err(Leave);
                }
                Ok(Some(text))
            }
            b'[' | b'{' => {
                let after = self.flow(at, depth + 1)?;
                if after != end {
                    return Err(Leave);
                }
                Ok(None)
            }
            _ => self.plain(at, end).map(|text| Some(Cow::Borrowed(text))),
        }
    }

    /// A plain scalar filling `at..end`: words of letters, digits and `_./:?=+-`, single
    /// spaces between them, no `:` before a space or the end.
    fn plain(&self, at: usize, end: usize) -> Read<&'a str> {
        let bytes = self.bytes.get(at..end).ok_or(Leave)?;
        let (&first, &last) = bytes.first().zip(bytes.last()).ok_or(Leave)?;
        let second = bytes.get(1).copied().unwrap_or(b'\n');
        let starts = first.is_ascii_alphanumeric()
            || matches!(first, b'_' | b'/')
            || (matches!(first, b'-' | b'.') && second.is_ascii_alphanumeric());
        if !starts || matches!(last, b' ' | b':') {
            return Err(Leave);
        }
        let mut previous = b'\n';
        for &b in bytes {
            let allowed = b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b'.' | b'/' | b'?' | b'=' | b'+' | b'-')
                || (b == b':' && previous != b':')
                || (b == b' ' && previous != b':' && previous != b' ');
            if !allowed {
                return Err(Leave);
            }
            previous = b;
        }
        self.text.get(at..end).ok_or(Leave)
    }

    /// A one-line flow collection at `at`; the position after it. Keys are double-quoted,
    /// entries separated by `, `, scalars double-quoted or plain words.
    fn flow(&self, at: usize, depth: usize) -> Read<usize> {
        if depth > MAX_DEPTH {
            return Err(Leave);
        }
        let bytes = self.bytes;
        let (close, map) = match byte(bytes, at)? {
            b'[' => (b']', false),
            b'{' => (b'}', true),
            _ => return Err(Leave),
        };
        let mut pos = at + 1;
        if byte(bytes, pos)? == close {
            return Ok(pos + 1);
        }
        let mut keys = Keys::new();
        loop {
            if map {
                if byte(bytes, pos)? != b'"' {
                    return Err(Leave);
                }
                let (key, after) = self.quoted(pos)?;
                if after - pos > MAX_KEY_BYTES
                    || bytes.get(after..after + 2) != Some(b": ".as_slice())
                    || key == MERGE_KEY
                {
                    return Err(Leave);
                }
                keys.add(key)?;
                pos = after + 2;
            }
            pos = match byte(bytes, pos)? {
                b'"' => self.quoted(pos)?.1,
                b'[' | b'{' => self.flow(pos, depth + 1)?,
                _ => self.flow_word(pos)?,
            };
            match byte(bytes, pos)? {
                b',' if byte(bytes, pos + 1)? == b' ' => pos += 2,
                b if b == close => {
                    keys.finish()?;
                    return Ok(pos + 1);
                }
                _ => return Err(Leave),
            }
        }
    }

    /// A plain scalar inside a flow collection: a number, boolean or null as the formatter
    /// writes them.
    fn flow_word(&self, at: usize) -> Read<usize> {
        let bytes = self.bytes;
        let first = byte(bytes, at)?;
        let second = byte(bytes, at + 1)?;
        let starts = first.is_ascii_alphanumeric()
            || (matches!(first, b'-' | b'.' | b'+')
                && (second.is_ascii_alphanumeric() || second == b'.'));
        if !starts {
            return Err(Leave);
        }
        let rest = bytes.get(at..).ok_or(Leave)?;
        let len = rest
            .iter()
            .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'+' | b'-')))
            .ok_or(Leave)?;
        Ok(at + len)
    }

    /// A double-quoted scalar on one line at `at`: its text and the position after its
    /// closing quote. Characters that some reader might take otherwise (controls, C1, line
    /// and paragraph separators, a byte-order mark, non-characters) and escapes other than
    /// those [`super::quote`] writes leave the subset.
    fn quoted(&self, at: usize) -> Read<(Cow<'a, str>, usize)> {
        let bytes = self.bytes;
        let start = at + 1;
        let mut pos = start;
        let mut owned: Option<String> = None;
        let mut copied = start;
        loop {
            // Straight past the printable ASCII, to the next byte that needs a look.
            pos += plain_text_run(bytes.get(pos..).ok_or(Leave)?);
            match byte(bytes, pos)? {
                b'"' => {
                    let tail = self.text.get(copied..pos).ok_or(Leave)?;
                    let text = match owned {
                        Some(mut s) => {
                            s.push_str(tail);
                            Cow::Owned(s)
                        }
                        None => Cow::Borrowed(tail),
                    };
                    return Ok((text, pos + 1));
                }
                b'\\' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(self.text.get(copied..pos).ok_or(Leave)?);
                    let (c, len) = match byte(bytes, pos + 1)? {
                        b'"' => ('"', 2),
                        b'\\' => ('\\', 2),
                        b'n' => ('\n', 2),
                        b't' => ('\t', 2),
                        b'r' => ('\r', 2),
                        b'u' => {
                            let hex = self.text.get(pos + 2..pos + 6).ok_or(Leave)?;
                            if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                                return Err(Leave);
                            }
                            let code = u32::from_str_radix(hex, 16).map_err(|_| Leave)?;
                            (char::from_u32(code).ok_or(Leave)?, 6)
                        }
                        _ => return Err(Leave),
                    };
                    s.push(c);
                    pos += len;
                    copied = pos;
                }
                0x80.. => pos += self.text_char(pos)?,
                // A control character or DEL.
                _ => return Err(Leave),
            }
        }
    }

    /// The character at `at`, beyond ASCII, in a double-quoted scalar: its length if it is
    /// one [`super::quote`] writes unescaped.
    fn text_char(&self, at: usize) -> Read<usize> {
        let c = self
            .text
            .get(at..)
            .and_then(|t| t.chars().next())
            .ok_or(Leave)?;
        if super::is_escaped(c) {
            return Err(Leave);
        }
        Ok(c.len_utf8())
    }
}
