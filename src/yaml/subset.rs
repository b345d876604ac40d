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
//! property tests below compare it with the full parser on rendered and mutated text.

use std::borrow::Cow;
use std::collections::HashSet;

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
        spare: Vec::new(),
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

/// Leaving the subset: the full parser decides.
#[derive(Debug)]
struct Leave;

type Read<T> = Result<T, Leave>;

/// Deeper than this, the reader leaves it to the full parser and its nesting limit.
const MAX_DEPTH: usize = 32;

/// YAML allows an implicit key up to 1,024 characters; the full parser enforces it.
/// Measured in bytes from the key's first character to its `:`, kept well inside.
const MAX_KEY_BYTES: usize = 1000;

/// Mappings up to this many keys are searched for a duplicate by a scan.
const SCANNED_KEYS: usize = 16;

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
    /// Key lists of finished mappings, kept for the next ones: one allocation per level of
    /// nesting rather than one per mapping.
    spare: Vec<Vec<Cow<'a, str>>>,
}

/// Keys of one mapping, for finding a duplicate (the full parser refuses one).
struct Keys<'a> {
    list: Vec<Cow<'a, str>>,
    index: HashSet<Cow<'a, str>>,
}

impl<'a> Keys<'a> {
    fn new() -> Self {
        Self::with(Vec::new())
    }

    fn with(list: Vec<Cow<'a, str>>) -> Self {
        Self {
            list,
            index: HashSet::new(),
        }
    }

    /// Adds a key; a duplicate or a merge key (`<<`, which the full parser merges) leaves.
    fn add(&mut self, key: Cow<'a, str>) -> Read<()> {
        if key == "<<" {
            return Err(Leave);
        }
        if self.index.is_empty() {
            if self.list.contains(&key) {
                return Err(Leave);
            }
            self.list.push(key);
            if self.list.len() > SCANNED_KEYS {
                self.index.extend(self.list.drain(..));
            }
            Ok(())
        } else if self.index.insert(key) {
            Ok(())
        } else {
            Err(Leave)
        }
    }
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
        let mut keys = self.keys();
        self.mapping_rest(indent, context, head, depth, &mut keys)?;
        self.give_back(keys);
        Ok(())
    }

    fn keys(&mut self) -> Keys<'a> {
        Keys::with(self.spare.pop().unwrap_or_default())
    }

    fn give_back(&mut self, keys: Keys<'a>) {
        let mut list = keys.list;
        list.clear();
        self.spare.push(list);
    }

    fn mapping_rest(
        &mut self,
        indent: usize,
        context: Context,
        head: &mut Head<'a>,
        depth: usize,
        keys: &mut Keys<'a>,
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
        keys: &mut Keys<'a>,
    ) -> Read<()> {
        let slot = match (context, key.as_ref()) {
            (Context::Root, "apiVersion") => Some(&mut head.api_version),
            (Context::Root, "kind") => Some(&mut head.kind),
            (Context::Metadata, "name") => Some(&mut head.name),
            (Context::Metadata, "namespace") => Some(&mut head.namespace),
            _ => None,
        };
        let metadata = context == Context::Root && key == "metadata";
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
                    let mut keys = self.keys();
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
                    self.give_back(keys);
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
                .position(|&b| {
                    !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-'))
                })
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
                b if b == close => return Ok(pos + 1),
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
            // Straight to the next quote or backslash; what lies before it must be text.
            let rest = bytes.get(pos..).ok_or(Leave)?;
            let stop = memchr::memchr2(b'"', b'\\', rest).ok_or(Leave)?;
            let between = rest.get(..stop).ok_or(Leave)?;
            if !printable_ascii(between) {
                self.check_text(pos, pos + stop)?;
            }
            pos += stop;
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
                _ => return Err(Leave),
            }
        }
    }

    /// Checks the text of a double-quoted scalar between `from` and `to` (no quote or
    /// backslash): printable ASCII, and beyond it what [`super::quote`] writes unescaped.
    fn check_text(&self, from: usize, to: usize) -> Read<()> {
        let text = self.text.get(from..to).ok_or(Leave)?;
        for c in text.chars() {
            let allowed = matches!(c, ' '..='~')
                || (c >= '\u{a0}'
                    && !matches!(
                        c,
                        '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                    ));
            if !allowed {
                return Err(Leave);
            }
        }
        Ok(())
    }
}

/// Whether all bytes are printable ASCII; written as a fold so that it compiles to a
/// vector loop rather than a byte-by-byte one.
fn printable_ascii(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .fold(true, |ok, &b| ok & (b.wrapping_sub(b' ') < 0x5f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_stream, Content, Limits, Node, SourceId};
    use proptest::prelude::*;

    /// What the full parser reads, with the output check's own reading of a document.
    fn full(document: &str) -> Result<Head<'static>, String> {
        let stream = format!("---\n{document}");
        let limits = Limits {
            max_depth: 64,
            max_alias_nodes: 0,
            max_nodes: usize::MAX,
        };
        let docs = parse_stream(&stream, SourceId(0), &limits).map_err(|e| e.to_string())?;
        let [doc] = docs.as_slice() else {
            return Err(format!("{} documents", docs.len()));
        };
        if !matches!(doc.content, Content::Map(_)) {
            return Err("not a mapping".into());
        }
        let scalar = |node: Option<&Node>, key: &str| {
            node.and_then(|n| n.get(key))
                .and_then(|e| e.value.scalar())
                .map(|s| Cow::Owned(s.text.clone()))
        };
        let metadata = doc.get("metadata").map(|e| &e.value);
        Ok(Head {
            api_version: scalar(Some(doc), "apiVersion"),
            kind: scalar(Some(doc), "kind"),
            name: scalar(metadata, "name"),
            namespace: scalar(metadata, "namespace"),
        })
    }

    /// serde_yaml (libyaml) as a second reader: one document, a mapping, and the four
    /// fields as strings where it reads them as strings.
    fn agrees_with_serde_yaml(document: &str, head: &Head<'_>) -> Result<(), String> {
        use serde::Deserialize;
        let stream = format!("---\n{document}");
        let docs: Vec<serde_yaml::Value> = serde_yaml::Deserializer::from_str(&stream)
            .map(serde_yaml::Value::deserialize)
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        let [doc] = docs.as_slice() else {
            return Err(format!("{} documents", docs.len()));
        };
        if !doc.is_mapping() {
            return Err("not a mapping".into());
        }
        let check = |value: Option<&serde_yaml::Value>, ours: &Option<Cow<'_, str>>| match value {
            Some(serde_yaml::Value::String(s)) if Some(s.as_str()) != ours.as_deref() => {
                Err(format!("serde_yaml reads {s:?}, the subset {ours:?}"))
            }
            None if ours.is_some() => Err(format!("serde_yaml has no field, the subset {ours:?}")),
            _ => Ok(()),
        };
        check(doc.get("apiVersion"), &head.api_version)?;
        check(doc.get("kind"), &head.kind)?;
        let metadata = doc.get("metadata");
        check(metadata.and_then(|m| m.get("name")), &head.name)?;
        check(metadata.and_then(|m| m.get("namespace")), &head.namespace)
    }

    /// The property: whatever the subset reader accepts, both parsers read alike.
    fn assert_sound(document: &str) -> bool {
        let Some(head) = read_document(document) else {
            return false;
        };
        match full(document) {
            Ok(expected) => assert_eq!(head, expected, "{document}"),
            Err(e) => panic!("the subset accepted what the full parser refuses ({e}):\n{document}"),
        }
        if let Err(e) = agrees_with_serde_yaml(document, &head) {
            panic!("serde_yaml disagrees ({e}):\n{document}");
        }
        true
    }

    /// Documents with every construct of the subset, written the way templates and the
    /// formatter write them.
    const DOCUMENTS: &[&str] = &[
        "# Source: pgx/templates/external-services.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: \"db-write\"\n  namespace: \"team\"\n  labels:\n    \"app\": \"x\"\n    \"label/with: colon\": \"v # not a comment\"\n  annotations:\n    metallb.universe.tf/allow-shared-ip: \"pgx-10-0-0-1\"\nspec:\n  type: LoadBalancer\n  loadBalancerSourceRanges:\n  - \"10.0.0.0/8\"\n  - \"2001:db8::/32\"\n  selector:\n    \"application\": \"spilo\"\n  ports:\n  - name: postgresql\n    port: 5432\n    # The operator leaves its container ports unnamed.\n    targetPort: 5432\n    protocol: TCP\n",
        "apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata:\n  name: \"db\"\n  namespace: \"ns\"\nspec:\n  users:\n    \"app\": [\"login\", \"createdb\"]\n    \"empty\": []\n  nodeAffinity: {\"required\": {\"terms\": [{\"key\": \"zone\", \"values\": [\"a\", \"b\"]}]}, \"n\": 1.5, \"b\": true, \"z\": null, \"e\": {}}\n  tolerations: [{\"effect\": \"NoSchedule\", \"seconds\": -5, \"f\": .nan, \"g\": -.inf, \"h\": 1e+20}]\n  sidecars:\n  - name: exporter\n    image: \"quay.io/x:1\"\n    env:\n    - name: DATA_SOURCE_URI\n      value: localhost:5432/postgres?sslmode=disable\n    -\n      name: other\n  patroni:\n    initdb:\n      data-checksums: \"true\"\n      locale: en_US.UTF-8\n    pg_hba:\n    - \"local all all trust\"\n  usages:\n  - server auth\n  - digital signature\n",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"caf\u{e9} \u{1f418} \\\" \\\\ \\n \\t \\r \\u0001 \\u2028 \\u00e9\"\n  labels:\n\n  annotations:\n    argocd.argoproj.io/sync-wave: \"-30\"\n",
        "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: \"issuer\"\nspec:\n  selfSigned: {}\n  empty:\n  list:\n  -\n  - - nested\n  k: v\n",
    ];

    #[test]
    fn the_subset_reads_what_pgx_writes() {
        for document in DOCUMENTS.iter().take(3) {
            assert!(assert_sound(document), "{document}");
        }
        let head = read_document(DOCUMENTS.get(2).copied().unwrap_or_default()).unwrap();
        assert_eq!(
            head.name.as_deref(),
            Some("caf\u{e9} \u{1f418} \" \\ \n \t \r \u{1} \u{2028} \u{e9}")
        );
        assert_eq!(head.namespace, None);
    }

    #[test]
    fn the_subset_leaves_what_it_does_not_know() {
        let base = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"n\"\n";
        for extra in [
            "x: &a 1\n",
            "x: *a\n",
            "x: !tag 1\n",
            "x: |\n  text\n",
            "x: >\n  text\n",
            "x: 'single'\n",
            "x: \"multi\n  line\"\n",
            "x: plain\n  continued\n",
            "x: 1 # comment\n",
            "x: 1 \n",
            "x:\ty\n",
            "\tx: 1\n",
            "x: \"\\x41\"\n",
            "x: \"\\ud800\"\n",
            "x: \"\u{85}\"\n",
            "x: \"\u{2028}\"\n",
            "x: \"\u{feff}\"\n",
            "x: [a, ]\n",
            "x: [a,b]\n",
            "x: {a: 1}\n",
            "x: [\n  a]\n",
            "<<: {\"a\": 1}\n",
            "\"<<\": 1\n",
            "x: {\"<<\": {}}\n",
            "kind: Namespace\n",
            "\"kind\": Namespace\n",
            "x: {\"a\": 1, \"a\": 2}\n",
            "? x\n: 1\n",
            "x: - a\n",
            "x: a: b\n",
            "x:\n  - a\n  b: 1\n",
            "---\n",
            "...\n",
            "%YAML 1.2\n",
            "x: @a\n",
            "x: `a\n",
            "x: \"a\"\"b\"\n",
            "x: \"a\" b\n",
            "   \n",
            "x: y\r\n",
        ] {
            let document = format!("{base}{extra}");
            assert!(read_document(&document).is_none(), "{document:?}");
        }
        let long_key = format!("{base}\"{}\": 1\n", "k".repeat(1200));
        assert!(read_document(&long_key).is_none());
        let deep = format!("{base}x: {}{}\n", "[".repeat(40), "]".repeat(40));
        assert!(read_document(&deep).is_none());
        assert!(read_document("apiVersion: v1").is_none());
        assert!(read_document("").is_none());
        assert!(read_document("- a\n").is_none());
        assert!(read_document("  a: 1\n").is_none());
    }

    #[test]
    fn long_values_and_keys_near_the_limit_read_alike() {
        let base = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"n\"\n";
        for document in [
            format!(
                "{base}  labels:\n    \"{}\": \"{}\"\n",
                "k".repeat(990),
                "v".repeat(5000)
            ),
            format!(
                "{base}x:\n- \"{}\"\n- {}\n",
                "v".repeat(3000),
                "w".repeat(3000)
            ),
            format!(
                "{base}x: [\"{}\", {{\"{}\": 1}}]\n",
                "v".repeat(3000),
                "k".repeat(990)
            ),
            format!("{base}x: {}\n", "w ".repeat(2000).trim_end()),
        ] {
            assert!(assert_sound(&document), "{document}");
        }
    }

    /// Text a mutation inserts: YAML indicators, line structure, escapes, characters some
    /// readers treat specially, and lines that would change the four fields.
    const TOKENS: &[&str] = &[
        "\"",
        "\\",
        "\n",
        " ",
        "  ",
        ":",
        ": ",
        "- ",
        "-",
        "#",
        " #",
        "{",
        "}",
        "[",
        "]",
        ",",
        ", ",
        "&a ",
        "*a",
        "!t ",
        "|",
        ">",
        "'",
        "%",
        "@",
        "`",
        "\t",
        "---\n",
        "...\n",
        "\u{2028}",
        "\u{85}",
        "\u{e9}",
        "\u{feff}",
        "\r",
        "?",
        "? ",
        "x",
        "0",
        "<<: ",
        "\\u00e9",
        "\\x41",
        "\\ud800",
        "\n  ",
        "\n- ",
        "\napiVersion: v2",
        "\n  namespace: \"x\"",
        "\nmetadata:",
        "\nkind: Other",
        "name: x",
        "\"\": ",
        ".",
        "~",
        "null",
        "\\n",
        "\\\"",
        "\u{0}",
        "\u{7f}",
        "\u{a0}",
        "\u{fffe}",
        "\u{10ffff}",
        "\n\n",
        "\n#",
        "\n ",
    ];

    #[derive(Clone, Debug)]
    enum Mutation {
        Insert(usize, usize),
        Delete(usize, usize),
        DuplicateLine(usize),
        DeleteLine(usize),
        SwapLines(usize),
        Indent(usize, usize),
        Dedent(usize),
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            4 => (any::<usize>(), 0..TOKENS.len()).prop_map(|(p, t)| Mutation::Insert(p, t)),
            2 => (any::<usize>(), 1usize..8).prop_map(|(p, n)| Mutation::Delete(p, n)),
            1 => any::<usize>().prop_map(Mutation::DuplicateLine),
            1 => any::<usize>().prop_map(Mutation::DeleteLine),
            1 => any::<usize>().prop_map(Mutation::SwapLines),
            1 => (any::<usize>(), 1usize..4).prop_map(|(l, n)| Mutation::Indent(l, n)),
            1 => any::<usize>().prop_map(Mutation::Dedent),
        ]
    }

    fn char_boundary(text: &str, at: usize) -> usize {
        let mut at = at % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    fn apply(text: &str, mutation: &Mutation) -> String {
        let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
        let line = |i: usize| i % lines.len().max(1);
        match *mutation {
            Mutation::Insert(p, t) => {
                let at = char_boundary(text, p);
                let token = TOKENS.get(t).copied().unwrap_or_default();
                return format!("{}{token}{}", &text[..at], &text[at..]);
            }
            Mutation::Delete(p, n) => {
                let at = char_boundary(text, p);
                let end = char_boundary(text, (at + n).min(text.len()));
                return format!("{}{}", &text[..at], &text[end.max(at)..]);
            }
            Mutation::DuplicateLine(i) if !lines.is_empty() => {
                let i = line(i);
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            Mutation::DeleteLine(i) if !lines.is_empty() => {
                lines.remove(line(i));
            }
            Mutation::SwapLines(i) if lines.len() > 1 => {
                let i = i % (lines.len() - 1);
                lines.swap(i, i + 1);
            }
            Mutation::Indent(i, n) if !lines.is_empty() => {
                let i = line(i);
                lines[i] = format!("{}{}", " ".repeat(n), lines[i]);
            }
            Mutation::Dedent(i) if !lines.is_empty() => {
                let i = line(i);
                if let Some(rest) = lines[i].strip_prefix(' ') {
                    lines[i] = rest.to_owned();
                }
            }
            _ => {}
        }
        lines.concat()
    }

    /// The documents mutations start from: the ones above and every document rendered from
    /// the example values.
    fn corpus() -> Vec<String> {
        let mut documents: Vec<String> = DOCUMENTS.iter().map(|d| (*d).to_owned()).collect();
        for file in ["values/production.yaml", "values/defaults.yaml"] {
            let input = crate::load::ValuesInput {
                files: vec![file.to_owned()],
                set: Vec::new(),
                set_string: Vec::new(),
                max_file_size: crate::load::DEFAULT_MAX_FILE_SIZE,
            };
            let Ok(loaded) = crate::load::load(&input, &mut std::io::empty()) else {
                continue;
            };
            let Some(values) = loaded.values else {
                continue;
            };
            let rendered = crate::render::Renderer::new()
                .and_then(|r| r.render(&values))
                .expect("the example values render");
            for document in rendered
                .stream(&[])
                .split("---\n")
                .filter(|d| !d.is_empty())
            {
                documents.push(document.to_owned());
            }
        }
        assert!(documents.len() > 10, "the example values rendered nothing");
        documents
    }

    #[test]
    fn every_rendered_example_document_is_in_the_subset() {
        for document in corpus().iter().skip(DOCUMENTS.len()) {
            assert!(assert_sound(document), "left the subset:\n{document}");
        }
    }

    /// Every token at every place of two documents: many of the results stay in the
    /// subset (so the property is not vacuous) and all of those read alike.
    #[test]
    fn every_single_insertion_is_read_alike_or_left_to_the_full_parser() {
        let mut accepted = 0;
        let mut total = 0;
        for document in DOCUMENTS.iter().take(2) {
            for at in 0..=document.len() {
                for token in 0..TOKENS.len() {
                    let text = apply(document, &Mutation::Insert(at, token));
                    total += 1;
                    accepted += usize::from(assert_sound(&text));
                }
            }
        }
        assert!(accepted * 10 > total, "{accepted} of {total} accepted");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// Mutated text is accepted only if both full parsers read it as the subset does.
        #[test]
        fn mutated_documents_are_read_alike_or_left_to_the_full_parser(
            pick in any::<usize>(),
            mutations in proptest::collection::vec(mutation(), 1..4),
        ) {
            let corpus = CORPUS.with(|c| c.clone());
            let base = &corpus[pick % corpus.len()];
            let mut text = base.clone();
            for m in &mutations {
                text = apply(&text, m);
            }
            assert_sound(&text);
        }
    }

    thread_local! {
        static CORPUS: Vec<String> = corpus();
    }
}
