//! Turns the merged [`Node`] tree into typed values with serde.
//!
//! The deserializer walks the tree itself, so it knows the path and source position of
//! every value it hands to serde. That is how an unknown key is reported with its path,
//! `file:line:col` and the nearest known key (PGX101), all of them rather than the first,
//! and how a value of the wrong type is reported where it was written (PGX102).
//!
//! Values semantics follow Helm: a key set to `null` is as good as absent, so the default
//! applies; booleans accept YAML 1.1's `yes`/`no`/`on`/`off`.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use crate::finding::{nearest, Finding, KeyPath, Segment};
use crate::yaml::{is_yaml11_only_bool, Content, Entry, Node, Resolved, Span, Style};

/// Decodes `tree` into `T`. Findings about keys (unknown keys, YAML 1.1 booleans where a
/// string is expected) are added to `findings`; a value of the wrong type ends decoding.
pub fn decode<T: de::DeserializeOwned>(
    tree: &Node,
    findings: &mut Vec<Finding>,
) -> Result<T, Box<Finding>> {
    let sink = Sink::default();
    let result = T::deserialize(Decoder {
        node: tree,
        path: &Path::Root,
        sink: &sink,
    });
    let Sink { kept, dropped } = sink;
    findings.extend(kept.into_inner());
    let dropped = dropped.into_inner();
    if dropped > 0 {
        findings.push(
            Finding::error(
                "PGX101",
                KeyPath::root(),
                format!(
                    "{dropped} more findings about keys are not listed (the first {MAX_KEY_FINDINGS} are)"
                ),
            )
            .with_help("fix the keys listed and run again"),
        );
    }
    result.map_err(|e| {
        let path = e.path.unwrap_or_default();
        let mut finding = Finding::error("PGX102", path, e.message);
        if let Some(span) = e.span {
            finding = finding.with_span(span);
        }
        Box::new(finding)
    })
}

/// Most findings decoding lists: a hostile file with a million unknown keys must not
/// cost a million findings' worth of memory and output (issue #6). The rest are counted.
pub const MAX_KEY_FINDINGS: usize = 1000;

#[derive(Default)]
struct Sink {
    kept: RefCell<Vec<Finding>>,
    dropped: std::cell::Cell<usize>,
}

impl Sink {
    fn has_room(&self) -> bool {
        self.kept.borrow().len() < MAX_KEY_FINDINGS
    }

    fn drop_one(&self) {
        self.dropped.set(self.dropped.get().saturating_add(1));
    }

    fn push(&self, finding: Finding) {
        if self.has_room() {
            self.kept.borrow_mut().push(finding);
        } else {
            self.drop_one();
        }
    }
}

/// The path to the node being decoded, as a chain of borrowed links: cheap to extend,
/// turned into a [`KeyPath`] only when a finding needs it.
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn to_key_path(&self) -> KeyPath {
        let mut segments = Vec::new();
        let mut link = self;
        loop {
            match link {
                Path::Root => break,
                Path::Key(parent, key) => {
                    segments.push(Segment::Key((*key).to_owned()));
                    link = parent;
                }
                Path::Index(parent, index) => {
                    segments.push(Segment::Index(*index));
                    link = parent;
                }
            }
        }
        segments.reverse();
        KeyPath(segments)
    }
}

#[derive(Debug)]
pub struct DecodeError {
    message: String,
    path: Option<KeyPath>,
    span: Option<Span>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self {
            message: msg.to_string(),
            path: None,
            span: None,
        }
    }
}

struct Decoder<'a> {
    node: &'a Node,
    path: &'a Path<'a>,
    sink: &'a Sink,
}

impl<'a> Decoder<'a> {
    /// Attaches this node's place to an error raised below it that has none yet.
    fn place(&self, mut e: DecodeError) -> DecodeError {
        if e.path.is_none() {
            e.path = Some(self.path.to_key_path());
            e.span = Some(self.node.span);
        }
        e
    }

    fn mismatch(&self, expected: &str) -> DecodeError {
        self.place(<DecodeError as de::Error>::custom(format_args!(
            "expected {expected}, found {}",
            self.node.kind_name()
        )))
    }

    fn scalar_text(&self) -> Option<(&'a str, Style)> {
        match &self.node.content {
            Content::Scalar(s) if !s.is_null() => Some((s.text.as_str(), s.style)),
            _ => None,
        }
    }

    fn integer(&self) -> Result<i64, DecodeError> {
        match &self.node.content {
            Content::Scalar(s) => match s.resolve() {
                Resolved::Int(i) => Ok(i),
                // A quoted number is still the number the user meant.
                Resolved::Str(t) => t.trim().parse().map_err(|_| self.mismatch("an integer")),
                _ => Err(self.mismatch("an integer")),
            },
            _ => Err(self.mismatch("an integer")),
        }
    }
}

macro_rules! integer_methods {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            let i = self.integer()?;
            visitor.visit_i64(i).map_err(|e| self.place(e))
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Decoder<'_> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let result = match &self.node.content {
            Content::Scalar(s) => match s.resolve() {
                Resolved::Null => visitor.visit_unit(),
                Resolved::Bool(b) => visitor.visit_bool(b),
                Resolved::Int(i) => visitor.visit_i64(i),
                Resolved::Float(f) => visitor.visit_f64(f),
                Resolved::Str(t) => visitor.visit_str(t),
            },
            Content::Seq(items) => visitor.visit_seq(SeqReader::new(self.path, items, self.sink)),
            Content::Map(entries) => {
                visitor.visit_map(MapReader::new(self.path, entries, self.sink))
            }
        };
        result.map_err(|e| self.place(e))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match &self.node.content {
            Content::Scalar(s) if s.style == Style::Plain => match s.resolve() {
                Resolved::Bool(b) => visitor.visit_bool(b).map_err(|e| self.place(e)),
                _ => Err(self.mismatch("true or false")),
            },
            _ => Err(self.mismatch("true or false")),
        }
    }

    integer_methods!(
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64
    );

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match &self.node.content {
            Content::Scalar(s) => match s.resolve() {
                Resolved::Int(i) => visitor.visit_i64(i).map_err(|e| self.place(e)),
                Resolved::Float(f) => visitor.visit_f64(f).map_err(|e| self.place(e)),
                _ => Err(self.mismatch("a number")),
            },
            _ => Err(self.mismatch("a number")),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        let Some((text, style)) = self.scalar_text() else {
            return Err(self.mismatch("a string"));
        };
        if style == Style::Plain && is_yaml11_only_bool(text) && !self.sink.has_room() {
            self.sink.drop_one();
        } else if style == Style::Plain && is_yaml11_only_bool(text) {
            let path = self.path.to_key_path();
            let quoted = crate::yaml::quoted(text);
            self.sink.push(
                Finding::warning(
                    "PGX107",
                    path,
                    format!("unquoted `{text}` is read as the string \"{text}\"; Helm read it as a boolean"),
                )
                .with_span(self.node.span)
                .with_help(format!("quote it to say you mean the string: {quoted}")),
            );
        }
        visitor.visit_str(text).map_err(|e| self.place(e))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        if self.node.is_null() {
            visitor.visit_none().map_err(|e| self.place(e))
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        if self.node.is_null() {
            visitor.visit_unit().map_err(|e| self.place(e))
        } else {
            Err(self.mismatch("null"))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match &self.node.content {
            Content::Seq(items) => visitor
                .visit_seq(SeqReader::new(self.path, items, self.sink))
                .map_err(|e| self.place(e)),
            _ => Err(self.mismatch("a list")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match &self.node.content {
            Content::Map(entries) => visitor
                .visit_map(MapReader::new(self.path, entries, self.sink))
                .map_err(|e| self.place(e)),
            _ => Err(self.mismatch("a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let Content::Map(entries) = &self.node.content else {
            return Err(self.mismatch("a mapping"));
        };
        for entry in entries {
            if !fields.contains(&entry.key.as_str()) {
                if !self.sink.has_room() {
                    self.sink.drop_one();
                    continue;
                }
                let path = self.path.to_key_path().key(&entry.key);
                let mut finding = Finding::error(
                    "PGX101",
                    path,
                    format!("unknown key `{}`", crate::yaml::shown(&entry.key)),
                )
                .with_span(entry.key_span);
                // No field name is long: a long key is no typo of one, and comparing it
                // would cost time in proportion to its length.
                let near = (entry.key.len() <= 64)
                    .then(|| nearest(&entry.key, fields.iter().copied()))
                    .flatten();
                finding.help = Some(match near {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!(
                        "known keys here: {}",
                        fields
                            .iter()
                            .map(|f| format!("`{f}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
                self.sink.push(finding);
            }
        }
        visitor
            .visit_map(MapReader::new(self.path, entries, self.sink))
            .map_err(|e| self.place(e))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        let Some((text, _)) = self.scalar_text() else {
            return Err(self.mismatch(&format!("one of {}", variants.join(", "))));
        };
        if !variants.contains(&text) {
            let mut message = format!(
                "`{}` is not one of {}",
                crate::yaml::shown(text),
                variants
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let near = (text.len() <= 64)
                .then(|| nearest(text, variants.iter().copied()))
                .flatten();
            if let Some(near) = near {
                message.push_str(&format!(" (did you mean `{near}`?)"));
            }
            return Err(self.place(<DecodeError as de::Error>::custom(message)));
        }
        let access: de::value::StrDeserializer<'_, DecodeError> = text.into_deserializer();
        visitor.visit_enum(access).map_err(|e| self.place(e))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_unit()
    }
}

struct SeqReader<'a> {
    parent: &'a Path<'a>,
    items: std::slice::Iter<'a, Node>,
    index: usize,
    sink: &'a Sink,
}

impl<'a> SeqReader<'a> {
    fn new(parent: &'a Path<'a>, items: &'a [Node], sink: &'a Sink) -> Self {
        Self {
            parent,
            items: items.iter(),
            index: 0,
            sink,
        }
    }
}

impl<'de> de::SeqAccess<'de> for SeqReader<'_> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        let Some(node) = self.items.next() else {
            return Ok(None);
        };
        let path = Path::Index(self.parent, self.index);
        self.index += 1;
        seed.deserialize(Decoder {
            node,
            path: &path,
            sink: self.sink,
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapReader<'a> {
    parent: &'a Path<'a>,
    /// For a struct, unknown keys were reported already; its visitor skips them.
    entries: std::slice::Iter<'a, Entry>,
    current: Option<&'a Entry>,
    sink: &'a Sink,
}

impl<'a> MapReader<'a> {
    fn new(parent: &'a Path<'a>, entries: &'a [Entry], sink: &'a Sink) -> Self {
        Self {
            parent,
            entries: entries.iter(),
            current: None,
            sink,
        }
    }
}

impl<'de> de::MapAccess<'de> for MapReader<'_> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        for entry in self.entries.by_ref() {
            // Helm drops keys set to null, so the default applies.
            if entry.value.is_null() {
                continue;
            }
            self.current = Some(entry);
            let key: de::value::StrDeserializer<'_, DecodeError> =
                entry.key.as_str().into_deserializer();
            return seed.deserialize(key).map(Some).map_err(|mut e| {
                let path = Path::Key(self.parent, &entry.key);
                e.path.get_or_insert_with(|| path.to_key_path());
                e.span.get_or_insert(entry.key_span);
                e
            });
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let Some(entry) = self.current.take() else {
            return Err(<DecodeError as de::Error>::custom(
                "value requested before its key",
            ));
        };
        let path = Path::Key(self.parent, &entry.key);
        seed.deserialize(Decoder {
            node: &entry.value,
            path: &path,
            sink: self.sink,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse_document, Limits, SourceId};

    #[derive(serde::Deserialize, Debug, Default, PartialEq)]
    #[serde(default, rename_all = "camelCase")]
    struct Endpoint {
        enabled: bool,
        port: Option<u16>,
        allowed_source_ranges: Vec<String>,
        hostname: String,
    }

    fn decode_text(text: &str) -> (Result<Endpoint, Box<Finding>>, Vec<Finding>) {
        let tree = parse_document(text, SourceId(0), &Limits::default())
            .unwrap()
            .unwrap();
        let mut findings = Vec::new();
        let result = decode::<Endpoint>(&tree, &mut findings);
        (result, findings)
    }

    #[test]
    fn every_unknown_key_is_reported_with_its_place_and_a_suggestion() {
        let (result, findings) =
            decode_text("enabled: true\nallowedSourceRange: [1.2.3.4/32]\nportt: 1\n");
        assert!(result.is_ok());
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[0].code, "PGX101");
        assert_eq!(findings[0].path.to_string(), "allowedSourceRange");
        assert_eq!(findings[0].span.map(|s| (s.line, s.column)), Some((2, 1)));
        assert_eq!(
            findings[0].help.as_deref(),
            Some("did you mean `allowedSourceRanges`?")
        );
        assert_eq!(findings[1].path.to_string(), "portt");
    }

    #[test]
    fn explicit_false_is_honoured_and_null_means_default() {
        let (result, _) = decode_text("enabled: false\nport: ~\n");
        assert_eq!(result.unwrap(), Endpoint::default());
        let (result, _) = decode_text("enabled: yes\n");
        assert!(result.unwrap().enabled);
    }

    #[test]
    fn a_wrong_type_points_at_the_value() {
        let (result, _) = decode_text("enabled: true\nport: 70000\n");
        let finding = result.unwrap_err();
        assert_eq!(finding.code, "PGX102");
        assert_eq!(finding.path.to_string(), "port");
        assert_eq!(finding.span.map(|s| (s.line, s.column)), Some((2, 7)));
        let (result, _) = decode_text("allowedSourceRanges:\n  - [nested]\n");
        let finding = result.unwrap_err();
        assert_eq!(finding.path.to_string(), "allowedSourceRanges[0]");
        assert!(
            finding.message.contains("expected a string"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn findings_about_keys_stop_at_a_bound_and_count_the_rest() {
        let text: String = (0..MAX_KEY_FINDINGS + 5)
            .map(|i| format!("unknown{i}: 1\n"))
            .collect();
        let (result, findings) = decode_text(&text);
        assert!(result.is_ok());
        assert_eq!(findings.len(), MAX_KEY_FINDINGS + 1);
        let last = findings.last().unwrap();
        assert_eq!(last.code, "PGX101");
        assert!(
            last.message.starts_with("5 more findings"),
            "{}",
            last.message
        );
    }

    #[test]
    fn yaml11_booleans_where_a_string_is_expected_warn() {
        let (result, findings) = decode_text("hostname: no\n");
        assert_eq!(result.unwrap().hostname, "no");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, "PGX107");
        let (_, findings) = decode_text("hostname: \"no\"\n");
        assert!(findings.is_empty());
    }
}
