//! The YAML front-end: the only module that talks to a YAML library.
//!
//! Values files are parsed into a [`Node`] tree that keeps, for every key and value, the
//! place in the source it came from. Everything after this module (merging, decoding,
//! rules, diagnostics) works on that tree, so replacing the parser touches this file only.
//!
//! The parser is `granit-parser`, the event parser of `serde-saphyr` (see README, "Why
//! these dependencies"). Building the tree ourselves is what lets pgx bound alias
//! expansion, report duplicate keys with both positions, and keep positions for every
//! value, none of which `serde_yaml` offers.
//!
//! Most values files are plain block YAML: [`block`] reads those into the same tree
//! without the parser, several times faster, and hands anything else to it.

use std::collections::HashMap;
use std::fmt;

pub mod block;
mod leave;
pub mod subset;

use granit_parser::{ErrorKind, Event, Marker, Options, Parser, ScalarStyle};

/// Which input a [`Span`] points into: an index into [`crate::source::Sources`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(pub u32);

/// Where a node sits in its source: 1-based line and column (in characters) of its first
/// character, and its byte range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub source: SourceId,
    pub line: u32,
    pub column: u32,
    pub start: usize,
    pub end: usize,
}

/// How a scalar was written. Only plain scalars are typed by their text (`true`, `5432`);
/// quoted and block scalars are always strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    Quoted,
    Block,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub style: Style,
}

/// What a scalar means once typed. Booleans follow YAML 1.1 as Helm reads values
/// (`yes`/`no`/`on`/`off`/`y`/`n` are booleans there), numbers and null follow YAML 1.2 core.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

/// The YAML 1.1 spellings of booleans that YAML 1.2 reads as strings (rule PGX107).
pub fn is_yaml11_only_bool(text: &str) -> bool {
    matches!(
        text,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

impl Scalar {
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            style: Style::Plain,
        }
    }

    pub fn quoted(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            style: Style::Quoted,
        }
    }

    pub fn resolve(&self) -> Resolved<'_> {
        if self.style != Style::Plain {
            return Resolved::Str(&self.text);
        }
        let t = self.text.as_str();
        if is_null_text(t) {
            return Resolved::Null;
        }
        match t {
            "true" | "True" | "TRUE" => return Resolved::Bool(true),
            "false" | "False" | "FALSE" => return Resolved::Bool(false),
            _ => {}
        }
        if is_yaml11_only_bool(t) {
            return Resolved::Bool(matches!(
                t,
                "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON"
            ));
        }
        if let Some(i) = parse_int(t) {
            return Resolved::Int(i);
        }
        if let Some(f) = parse_float(t) {
            return Resolved::Float(f);
        }
        Resolved::Str(t)
    }

    /// Whether [`Scalar::resolve`] reads it as null, without typing the rest: the decoder
    /// asks this of every value, and a full resolve of a name tried it as a number first.
    pub fn is_null(&self) -> bool {
        self.style == Style::Plain && is_null_text(&self.text)
    }
}

/// The plain scalars YAML 1.2's core schema reads as null.
fn is_null_text(t: &str) -> bool {
    matches!(t, "" | "~" | "null" | "Null" | "NULL")
}

fn parse_int(t: &str) -> Option<i64> {
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if let Some(hex) = digits.strip_prefix("0x") {
        let v = i64::from_str_radix(hex, 16).ok()?;
        return Some(if t.starts_with('-') { -v } else { v });
    }
    if let Some(oct) = digits.strip_prefix("0o") {
        let v = i64::from_str_radix(oct, 8).ok()?;
        return Some(if t.starts_with('-') { -v } else { v });
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

fn parse_float(t: &str) -> Option<f64> {
    match t {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    // YAML 1.2 core: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac_part {
        Some(f) => all_digits(int_part) && all_digits(f) && !(int_part.is_empty() && f.is_empty()),
        None => !int_part.is_empty() && all_digits(int_part),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    if mantissa_ok && exponent_ok {
        t.parse().ok()
    } else {
        None
    }
}

/// One entry of a mapping. Keys are always strings in values files.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Content {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub content: Content,
    pub span: Span,
}

impl Node {
    pub fn new(content: Content, span: Span) -> Self {
        Self { content, span }
    }

    pub fn empty_map(span: Span) -> Self {
        Self::new(Content::Map(Vec::new()), span)
    }

    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.content {
            Content::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|e| e.key == key)
    }

    pub fn items(&self) -> Option<&[Node]> {
        match &self.content {
            Content::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.content {
            Content::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        self.scalar().is_some_and(Scalar::is_null)
    }

    /// A short name for the kind of node, for messages ("expected a list, found a mapping").
    pub fn kind_name(&self) -> &'static str {
        match &self.content {
            Content::Map(_) => "a mapping",
            Content::Seq(_) => "a list",
            Content::Scalar(s) => match s.resolve() {
                Resolved::Null => "null",
                Resolved::Bool(_) => "a boolean",
                Resolved::Int(_) | Resolved::Float(_) => "a number",
                Resolved::Str(_) => "a string",
            },
        }
    }

    /// The node as JSON data, scalars typed by [`Scalar::resolve`].
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.content {
            Content::Scalar(s) => match s.resolve() {
                Resolved::Null => Value::Null,
                Resolved::Bool(b) => Value::Bool(b),
                Resolved::Int(i) => Value::from(i),
                Resolved::Float(f) => serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .unwrap_or_else(|| Value::String(s.text.clone())),
                Resolved::Str(t) => Value::String(t.to_owned()),
            },
            Content::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Content::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Bounds that keep hostile input from costing unbounded time or memory.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Nesting depth of mappings and sequences.
    pub max_depth: usize,
    /// Nodes that anchors and aliases may copy, across the whole document.
    pub max_alias_nodes: usize,
    /// Keys, scalars, mappings and sequences written in one text: a tree takes about a hundred
    /// bytes per node, so a file of 8 million one-byte list items would take 850 MB within
    /// the file size limit.
    pub max_nodes: usize,
}

impl Limits {
    /// The limits for values files of at most `max_file_size` bytes: one node per 8 bytes
    /// (real values files take 10 to 20 bytes per node; a fleet of 10,000 clusters is
    /// 11 MB and about a million nodes), so `--max-file-size` raises both.
    pub fn for_file_size(max_file_size: u64) -> Self {
        Self {
            max_nodes: usize::try_from(max_file_size / 8).unwrap_or(usize::MAX),
            ..Self::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 64,
            max_alias_nodes: 100_000,
            max_nodes: 2 << 20,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum YamlErrorKind {
    /// The text is not YAML (the parser's own message).
    Syntax(String),
    /// A key appears twice in one mapping; `first` is where it was first written.
    DuplicateKey {
        key: String,
        first: Span,
    },
    /// A mapping key that is not a scalar.
    ComplexKey,
    TooDeep {
        limit: usize,
    },
    AliasBudget {
        limit: usize,
    },
    TooManyNodes {
        limit: usize,
    },
    /// An alias to an anchor that was never defined.
    UnknownAlias,
    /// A merge key (`<<`) whose value is not a mapping or a list of mappings.
    BadMerge,
    MultipleDocuments,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub kind: YamlErrorKind,
    pub span: Span,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            YamlErrorKind::Syntax(m) => write!(f, "invalid YAML: {m}"),
            YamlErrorKind::DuplicateKey { key, first } => write!(
                f,
                "duplicate key `{}`: first set on line {}, set again on line {}",
                shown(key),
                first.line,
                self.span.line
            ),
            YamlErrorKind::ComplexKey => f.write_str("mapping keys must be plain strings"),
            YamlErrorKind::TooDeep { limit } => {
                write!(f, "nesting deeper than {limit} levels")
            }
            YamlErrorKind::AliasBudget { limit } => write!(
                f,
                "anchors and aliases copy more than {limit} nodes (an alias bomb?)"
            ),
            YamlErrorKind::TooManyNodes { limit } => write!(
                f,
                "more than {limit} values in one file (`--max-file-size` raises the limit)"
            ),
            YamlErrorKind::UnknownAlias => f.write_str("alias to an anchor that is not defined"),
            YamlErrorKind::BadMerge => {
                f.write_str("a merge key `<<` takes a mapping or a list of mappings")
            }
            YamlErrorKind::MultipleDocuments => {
                f.write_str("a values file holds one YAML document; found a second `---`")
            }
        }
    }
}

impl std::error::Error for YamlError {}

/// Parses a values file: one document, or none (an empty file is `None`).
pub fn parse_document(
    text: &str,
    source: SourceId,
    limits: &Limits,
) -> Result<Option<Node>, YamlError> {
    if let Some(node) = block::read_document(text, source, limits) {
        return Ok(Some(node));
    }
    parse_document_fully(text, source, limits)
}

/// [`parse_document`] with the full parser only, never [`block::read_document`]: the
/// reading that one is tested against.
pub fn parse_document_fully(
    text: &str,
    source: SourceId,
    limits: &Limits,
) -> Result<Option<Node>, YamlError> {
    let mut docs = Vec::new();
    let mut builder = Builder::new(text, source, limits);
    builder.run(|node, span| {
        if !docs.is_empty() {
            return Err(YamlError {
                kind: YamlErrorKind::MultipleDocuments,
                span,
            });
        }
        docs.push(node);
        Ok(())
    })?;
    Ok(docs.pop())
}

/// Parses a stream of documents (`---` separated), as `pgx render` writes them.
pub fn parse_stream(text: &str, source: SourceId, limits: &Limits) -> Result<Vec<Node>, YamlError> {
    let mut docs = Vec::new();
    let mut builder = Builder::new(text, source, limits);
    builder.run(|node, _| {
        docs.push(node);
        Ok(())
    })?;
    Ok(docs)
}

/// Parses a stream and hands each document to `visit` as soon as it is complete, so only
/// one document is held at a time. `visit` returns false to stop early.
pub fn each_document(
    text: &str,
    source: SourceId,
    limits: &Limits,
    mut visit: impl FnMut(Node) -> bool,
) -> Result<(), YamlError> {
    let mut stopped = false;
    let mut builder = Builder::new(text, source, limits);
    let result = builder.run(|node, span| {
        if visit(node) {
            Ok(())
        } else {
            stopped = true;
            Err(YamlError {
                kind: YamlErrorKind::Syntax("stopped by the caller".into()),
                span,
            })
        }
    });
    match result {
        Err(_) if stopped => Ok(()),
        other => other,
    }
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: Span,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        /// Where each key is in `entries`, built once the mapping is too large to scan.
        index: HashMap<String, usize>,
        merges: Vec<Node>,
        pending_key: Option<(String, Span)>,
        start: Span,
        anchor: usize,
    },
}

struct Builder<'a> {
    text: &'a str,
    source: SourceId,
    limits: &'a Limits,
    /// Byte length of a leading byte-order mark that was skipped (YAML allows one).
    offset: usize,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    /// Nodes completed so far ([`Limits::max_nodes`]).
    nodes: usize,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, source: SourceId, limits: &'a Limits) -> Self {
        let offset = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Self {
            text,
            source,
            limits,
            offset,
            anchors: HashMap::new(),
            alias_nodes: 0,
            nodes: 0,
        }
    }

    /// The parser's line and column are in characters of the text after a byte-order mark
    /// (editors do not show one), as findings report them, and count every line break YAML
    /// knows, a lone `\r` included.
    fn span(&self, start: &Marker, end: &Marker) -> Span {
        let start_byte = start.byte_offset().unwrap_or(0) + self.offset;
        let end_byte = end.byte_offset().unwrap_or(start_byte) + self.offset;
        Span {
            source: self.source,
            line: u32::try_from(start.line()).unwrap_or(u32::MAX),
            column: u32::try_from(start.col().saturating_add(1)).unwrap_or(u32::MAX),
            start: start_byte,
            end: end_byte.max(start_byte),
        }
    }

    fn run(
        &mut self,
        mut on_document: impl FnMut(Node, Span) -> Result<(), YamlError>,
    ) -> Result<(), YamlError> {
        let body = &self.text[self.offset..];
        let mut options = Options::default();
        options.flow_nesting_limit = self.limits.max_depth;
        options.block_nesting_limit = self.limits.max_depth;
        // The tree keeps no comments: the parser need not collect their text.
        options.emit_comments = false;
        let mut parser = Parser::new_from_str_with_options(body, options);
        let mut stack: Vec<Frame> = Vec::new();
        let mut root: Option<Node> = None;
        let mut doc_span = Span::default();
        while let Some(next) = parser.next_event() {
            let (event, gspan) = next.map_err(|e| {
                let span = self.span(e.marker(), e.marker());
                let kind = match e.kind() {
                    ErrorKind::RecursionLimitExceeded => YamlErrorKind::TooDeep {
                        limit: self.limits.max_depth,
                    },
                    ErrorKind::TabNotAllowed
                    | ErrorKind::TabInBlockIndentation
                    | ErrorKind::TabInIndentation => YamlErrorKind::Syntax(format!(
                        "{}; YAML indents with spaces, never tabs",
                        e.kind()
                    )),
                    // One line: the parser may add "while parsing …" on a second one.
                    _ => YamlErrorKind::Syntax(e.info().replace('\n', "; ")),
                };
                YamlError { kind, span }
            })?;
            let span = self.span(&gspan.start, &gspan.end);
            // Counted where a node begins, so the limit stops a file before its memory.
            if matches!(
                event,
                Event::Scalar(..)
                    | Event::SequenceStart(..)
                    | Event::MappingStart(..)
                    | Event::Alias(..)
            ) {
                self.nodes += 1;
                if self.nodes > self.limits.max_nodes {
                    return Err(YamlError {
                        kind: YamlErrorKind::TooManyNodes {
                            limit: self.limits.max_nodes,
                        },
                        span,
                    });
                }
            }
            let complete = match event {
                Event::StreamStart | Event::StreamEnd => None,
                Event::DocumentStart(..) => {
                    self.anchors.clear();
                    doc_span = span;
                    None
                }
                Event::DocumentEnd => {
                    let node = root
                        .take()
                        .unwrap_or_else(|| Node::new(Content::Scalar(Scalar::plain("")), doc_span));
                    on_document(node, doc_span)?;
                    None
                }
                Event::Scalar(text, style, anchor, _tag) => {
                    let style = match style {
                        ScalarStyle::Plain => Style::Plain,
                        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Style::Quoted,
                        _ => Style::Block,
                    };
                    let node = Node::new(
                        Content::Scalar(Scalar {
                            text: text.into_owned(),
                            style,
                        }),
                        span,
                    );
                    Some((node, anchor))
                }
                Event::SequenceStart(_, anchor, _) => {
                    self.push(&mut stack, span)?;
                    stack.push(Frame::Seq {
                        items: Vec::new(),
                        start: span,
                        anchor,
                    });
                    None
                }
                Event::MappingStart(_, anchor, _) => {
                    self.push(&mut stack, span)?;
                    stack.push(Frame::Map {
                        entries: Vec::new(),
                        index: HashMap::new(),
                        merges: Vec::new(),
                        pending_key: None,
                        start: span,
                        anchor,
                    });
                    None
                }
                Event::SequenceEnd => match stack.pop() {
                    Some(Frame::Seq {
                        items,
                        start,
                        anchor,
                    }) => Some((Node::new(Content::Seq(items), join(start, span)), anchor)),
                    _ => return Err(self.internal(span)),
                },
                Event::MappingEnd => match stack.pop() {
                    Some(Frame::Map {
                        mut entries,
                        merges,
                        start,
                        anchor,
                        ..
                    }) => {
                        apply_merges(&mut entries, merges)?;
                        Some((Node::new(Content::Map(entries), join(start, span)), anchor))
                    }
                    _ => return Err(self.internal(span)),
                },
                Event::Alias(id) => {
                    let Some(target) = self.anchors.get(&id) else {
                        return Err(YamlError {
                            kind: YamlErrorKind::UnknownAlias,
                            span,
                        });
                    };
                    charge(
                        &mut self.alias_nodes,
                        self.limits.max_alias_nodes,
                        target,
                        span,
                    )?;
                    // An alias puts its target's collections below the open ones: the
                    // depth limit holds for the tree as expanded, not only as written
                    // (chained aliases nested 1,700 levels deep within the node budget).
                    let room = self.limits.max_depth.saturating_sub(stack.len());
                    if collection_height(target, room) > room {
                        return Err(YamlError {
                            kind: YamlErrorKind::TooDeep {
                                limit: self.limits.max_depth,
                            },
                            span,
                        });
                    }
                    Some((target.clone(), 0))
                }
                _ => None,
            };
            if let Some((node, anchor)) = complete {
                if anchor != 0 {
                    // Keeping an anchored node is a copy too: nested anchors without a
                    // single alias copied each level's subtree again, 64 levels deep
                    // (a 3 MB file took 2.3 GB and 23 s before this was charged).
                    self.charge(&node, span)?;
                    self.anchors.insert(anchor, node.clone());
                }
                match stack.last_mut() {
                    None => root = Some(node),
                    Some(frame) => attach(frame, node)?,
                }
            }
        }
        Ok(())
    }

    /// Charges a copy of `node` to the budget of copied nodes, or fails once it is spent.
    /// Counting stops at the budget, so charging a huge node costs no more than the budget.
    fn charge(&mut self, node: &Node, span: Span) -> Result<(), YamlError> {
        charge(
            &mut self.alias_nodes,
            self.limits.max_alias_nodes,
            node,
            span,
        )
    }

    fn push(&self, stack: &mut [Frame], span: Span) -> Result<(), YamlError> {
        if stack.len() >= self.limits.max_depth {
            return Err(YamlError {
                kind: YamlErrorKind::TooDeep {
                    limit: self.limits.max_depth,
                },
                span,
            });
        }
        Ok(())
    }

    fn internal(&self, span: Span) -> YamlError {
        YamlError {
            kind: YamlErrorKind::Syntax("unbalanced collection events".into()),
            span,
        }
    }
}

fn join(start: Span, end: Span) -> Span {
    Span {
        end: end.end.max(start.start),
        ..start
    }
}

/// [`Builder::charge`], for where the builder is borrowed (an alias's target).
fn charge(spent: &mut usize, limit: usize, node: &Node, span: Span) -> Result<(), YamlError> {
    let remaining = limit.saturating_sub(*spent);
    let cost = count_nodes(node, remaining.saturating_add(1));
    *spent = spent.saturating_add(cost);
    if *spent > limit {
        return Err(YamlError {
            kind: YamlErrorKind::AliasBudget { limit },
            span,
        });
    }
    Ok(())
}

/// How many collections deep a tree is (a scalar: 0), found up to `cap` and one more.
fn collection_height(node: &Node, cap: usize) -> usize {
    let mut height = 0;
    let mut pending = vec![(node, 1usize)];
    while let Some((node, level)) = pending.pop() {
        match &node.content {
            Content::Scalar(_) => {}
            Content::Seq(items) => {
                height = height.max(level);
                if level <= cap {
                    pending.extend(items.iter().map(|i| (i, level + 1)));
                }
            }
            Content::Map(entries) => {
                height = height.max(level);
                if level <= cap {
                    pending.extend(entries.iter().map(|e| (&e.value, level + 1)));
                }
            }
        }
    }
    height
}

/// Counts the nodes of a tree, stopping once `cap` are counted, so that costing a huge
/// alias target stays cheap.
fn count_nodes(node: &Node, cap: usize) -> usize {
    let mut count = 0usize;
    let mut pending = vec![node];
    while let Some(node) = pending.pop() {
        count += 1;
        if count >= cap {
            break;
        }
        match &node.content {
            Content::Scalar(_) => {}
            Content::Seq(items) => pending.extend(items),
            Content::Map(entries) => pending.extend(entries.iter().map(|e| &e.value)),
        }
    }
    count
}

/// Mappings up to this many keys are searched for a duplicate key by a scan, larger ones
/// through an index.
const SCANNED_KEYS: usize = 16;

fn attach(frame: &mut Frame, node: Node) -> Result<(), YamlError> {
    match frame {
        Frame::Seq { items, .. } => items.push(node),
        Frame::Map {
            entries,
            index,
            merges,
            pending_key,
            ..
        } => match pending_key.take() {
            None => {
                let Content::Scalar(key) = node.content else {
                    return Err(YamlError {
                        kind: YamlErrorKind::ComplexKey,
                        span: node.span,
                    });
                };
                *pending_key = Some((key.text, node.span));
            }
            Some((key, key_span)) if key == "<<" => {
                let _ = key_span;
                merges.push(node);
            }
            Some((key, key_span)) => {
                // Most mappings are small: a scan finds a duplicate key there faster than
                // hashing every key and cloning it into an index, which large mappings get.
                let first = if entries.len() <= SCANNED_KEYS {
                    entries.iter().position(|e| e.key == key)
                } else {
                    if index.is_empty() {
                        index.extend(entries.iter().enumerate().map(|(i, e)| (e.key.clone(), i)));
                    }
                    index.get(&key).copied()
                };
                if let Some(i) = first {
                    let first = entries.get(i).map(|e| e.key_span).unwrap_or_default();
                    return Err(YamlError {
                        kind: YamlErrorKind::DuplicateKey { key, first },
                        span: key_span,
                    });
                }
                if !index.is_empty() {
                    index.insert(key.clone(), entries.len());
                }
                entries.push(Entry {
                    key,
                    key_span,
                    value: node,
                });
            }
        },
    }
    Ok(())
}

/// YAML merge keys (`<<: *defaults`): keys written in the mapping itself win, then the
/// merged mappings in the order given.
fn apply_merges(entries: &mut Vec<Entry>, merges: Vec<Node>) -> Result<(), YamlError> {
    if merges.is_empty() {
        return Ok(());
    }
    let mut seen: std::collections::HashSet<String> =
        entries.iter().map(|e| e.key.clone()).collect();
    for merge in merges {
        let span = merge.span;
        let sources = match merge.content {
            Content::Map(m) => vec![m],
            Content::Seq(items) => items
                .into_iter()
                .map(|i| match i.content {
                    Content::Map(m) => Ok(m),
                    _ => Err(YamlError {
                        kind: YamlErrorKind::BadMerge,
                        span: i.span,
                    }),
                })
                .collect::<Result<_, _>>()?,
            _ => {
                return Err(YamlError {
                    kind: YamlErrorKind::BadMerge,
                    span,
                })
            }
        };
        for source in sources {
            for entry in source {
                if seen.insert(entry.key.clone()) {
                    entries.push(entry);
                }
            }
        }
    }
    Ok(())
}

/// 1-based column, counted in characters, of a byte offset.
pub fn column_of(text: &str, byte: usize) -> u32 {
    let byte = floor_char_boundary(text, byte);
    let line_start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
    let chars = text[line_start..byte].chars().count();
    u32::try_from(chars + 1).unwrap_or(u32::MAX)
}

fn floor_char_boundary(text: &str, byte: usize) -> usize {
    let mut b = byte.min(text.len());
    while !text.is_char_boundary(b) {
        b -= 1;
    }
    b
}

/// Formats a string as a YAML double-quoted scalar that any YAML 1.1 or 1.2 reader reads
/// back as exactly this string, whatever it holds: quotes, backslashes, line breaks,
/// `#`, `---`, template syntax, and every character YAML does not allow unescaped.
pub fn quote(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    if is_verbatim(s) {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            ' '..='~' => out.push(c),
            c if is_escaped(c) => {
                use std::fmt::Write;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether [`quote`] writes `c` as a `\u` escape: YAML's printable set minus what some
/// readers mishandle (C0 and C1 controls, DEL, the byte-order mark, line and paragraph
/// separators, the non-characters). The output check accepts exactly the rest.
fn is_escaped(c: char) -> bool {
    c < ' '
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || matches!(
            c,
            '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// Whether [`quote`] writes `s` between the quotes as it is: printable ASCII without `"`
/// or `\\`, what nearly every value is. Eight bytes at a time, since every value written is
/// asked, and the output check reads quoted text back with the same scan.
pub fn is_verbatim(s: &str) -> bool {
    leave::plain_text_run(s.as_bytes()) == s.len()
}

/// A value or key as a message quotes it: on one line and at most 60 characters, so a
/// hostile value can neither forge diagnostic lines nor flood standard error. Text that
/// needs no escaping and is short comes back as it is.
pub fn shown(text: &str) -> String {
    const MAX: usize = 60;
    let clean = !text
        .chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}');
    if clean && text.chars().count() <= MAX {
        return text.to_owned();
    }
    let head: String = text.chars().take(MAX).collect();
    let mut out = String::new();
    for c in head.chars() {
        if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// [`quote`] into a new string.
pub fn quoted(s: &str) -> String {
    let mut out = String::new();
    quote(s, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Option<Node>, YamlError> {
        parse_document(text, SourceId(0), &Limits::default())
    }

    #[test]
    fn is_null_answers_what_resolve_does_for_every_style() {
        let texts = [
            "", "~", "null", "Null", "NULL", "nULL", "nul", "none", "None", "0", "-", "false",
            "no", "off", "n", "1.5", ".nan", "0x10", "db-00000", " null", "null ",
        ];
        for text in texts {
            for style in [Style::Plain, Style::Quoted, Style::Block] {
                let scalar = Scalar {
                    text: text.into(),
                    style,
                };
                assert_eq!(
                    scalar.is_null(),
                    matches!(scalar.resolve(), Resolved::Null),
                    "{text:?} as {style:?}"
                );
            }
        }
    }

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let node = parse("a:\n  b: 5432\n").unwrap().unwrap();
        let a = node.get("a").unwrap();
        let b = a.value.get("b").unwrap();
        assert_eq!((b.key_span.line, b.key_span.column), (2, 3));
        assert_eq!((b.value.span.line, b.value.span.column), (2, 6));
    }

    #[test]
    fn duplicate_keys_name_both_lines() {
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.span.line, 3);
        match err.kind {
            YamlErrorKind::DuplicateKey { key, first } => {
                assert_eq!(key, "a");
                assert_eq!(first.line, 1);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn alias_bombs_stop_at_the_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = parse(&text).unwrap_err();
        assert!(matches!(err.kind, YamlErrorKind::AliasBudget { .. }));
    }

    #[test]
    fn the_node_limit_counts_every_value_written() {
        let limits = Limits {
            max_nodes: 7,
            ..Limits::default()
        };
        // A mapping, two keys, a scalar and a list of two items: 7 nodes.
        let fits = "a: 1\nb: [2, 3]\n";
        assert!(parse_document(fits, SourceId(0), &limits).is_ok());
        let over = "a: 1\nb: [2, 3, 4]\n";
        let err = parse_document(over, SourceId(0), &limits).unwrap_err();
        assert_eq!(err.kind, YamlErrorKind::TooManyNodes { limit: 7 });
        assert_eq!((err.span.line, err.span.column), (2, 11));
        assert_eq!(Limits::for_file_size(16 << 20).max_nodes, 2 << 20);
    }

    #[test]
    fn verbatim_is_printable_ascii_without_quote_or_backslash() {
        for b in 0..=u8::MAX {
            let c = char::from(b);
            let expected = (' '..='~').contains(&c) && c != '"' && c != '\\';
            assert_eq!(is_verbatim(&format!("ab{c}cd")), expected, "{b:#04x}");
        }
        assert!(is_verbatim(""));
        assert!(!is_verbatim("é"));
        assert!(is_verbatim(&"x".repeat(100)));
        assert!(!is_verbatim(&format!("{}\n", "x".repeat(100))));
    }

    #[test]
    fn columns_count_characters() {
        let text = "k: [é, ü, x]\nm: {a: ö}\n";
        let node = parse(text).unwrap().unwrap();
        let k = node.get("k").unwrap().value.items().unwrap();
        let cols: Vec<u32> = k.iter().map(|n| n.span.column).collect();
        assert_eq!(cols, [5, 8, 11]);
        let a = node.get("m").unwrap().value.get("a").unwrap();
        assert_eq!((a.value.span.line, a.value.span.column), (2, 8));
        for node in k.iter().chain([&a.value]) {
            assert_eq!(node.span.column, column_of(text, node.span.start));
        }
        // After a byte-order mark, and after a lone carriage return, which YAML counts as
        // a line break.
        let b = parse("\u{feff}a: é\rb: x\n").unwrap().unwrap();
        let a = &b.get("a").unwrap().value.span;
        let x = &b.get("b").unwrap().value.span;
        assert_eq!([(a.line, a.column), (x.line, x.column)], [(1, 4), (2, 4)]);
    }

    #[test]
    fn nested_anchors_without_aliases_are_charged_too() {
        let inner = format!("[{}]", vec!["1"; 5_000].join(","));
        let mut text = String::from("a: ");
        for k in 0..30 {
            text.push_str(&format!("&x{k} [{inner}, "));
        }
        text.push('0');
        text.push_str(&"]".repeat(30));
        let err = parse(&text).unwrap_err();
        assert!(matches!(err.kind, YamlErrorKind::AliasBudget { .. }));
        // A few anchors of ordinary size are fine.
        let node = parse("d: &d {a: 1, b: [1, 2]}\nx: *d\ny: *d\n")
            .unwrap()
            .unwrap();
        assert_eq!(
            node.get("y").unwrap().value.to_json(),
            serde_json::json!({"a": 1, "b": [1, 2]})
        );
    }

    #[test]
    fn aliases_cannot_nest_deeper_than_the_limit() {
        let limits = Limits {
            max_depth: 4,
            max_alias_nodes: 1000,
            ..Limits::default()
        };
        let parse4 = |t: &str| parse_document(t, SourceId(0), &limits);
        // The root mapping and three lists: four levels, as written and as aliased
        // beside it; one list more is refused, written or aliased.
        assert!(parse4("a: &a [[[1]]]\nb: *a\n").is_ok());
        assert!(parse4("a: [[[[1]]]]\n").is_err());
        let err = parse4("a: &a [[[1]]]\nb: [*a]\n").unwrap_err();
        assert!(matches!(err.kind, YamlErrorKind::TooDeep { limit: 4 }));
        assert_eq!((err.span.line, err.span.column), (2, 5));
        assert_eq!(
            collection_height(&parse("[[1], 2]").unwrap().unwrap(), 10),
            2
        );
        assert_eq!(collection_height(&parse("x").unwrap().unwrap(), 10), 0);
    }

    #[test]
    fn counting_stops_at_the_cap() {
        let node = parse("[[1, 2, 3], [4, 5]]").unwrap().unwrap();
        assert_eq!(count_nodes(&node, usize::MAX), 8);
        assert_eq!(count_nodes(&node, 3), 3);
    }

    #[test]
    fn merge_keys_fill_in_missing_keys_only() {
        let node = parse("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n")
            .unwrap()
            .unwrap();
        let c = node.get("c").unwrap().value.to_json();
        assert_eq!(c, serde_json::json!({"y": 3, "x": 1}));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(&text).is_err());
    }

    #[test]
    fn a_second_document_is_refused() {
        let err = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(err.kind, YamlErrorKind::MultipleDocuments);
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped_and_positions_stay_right() {
        let node = parse("\u{feff}a: 1\nb: x\n").unwrap().unwrap();
        let a = node.get("a").unwrap();
        assert_eq!((a.value.span.line, a.value.span.column), (1, 4));
        let b = node.get("b").unwrap();
        assert_eq!((b.value.span.line, b.value.span.column), (2, 4));
        assert_eq!(
            &"\u{feff}a: 1\nb: x\n"[b.value.span.start..b.value.span.end],
            "x"
        );
    }

    #[test]
    fn scalars_resolve_like_helm_reads_values() {
        let r = |t: &str| {
            serde_json::to_string(
                &Node::new(Content::Scalar(Scalar::plain(t)), Span::default()).to_json(),
            )
            .unwrap()
        };
        assert_eq!(r("yes"), "true");
        assert_eq!(r("off"), "false");
        assert_eq!(r("5432"), "5432");
        assert_eq!(r("1.5"), "1.5");
        assert_eq!(r("~"), "null");
        assert_eq!(r("2160h"), "\"2160h\"");
        assert_eq!(r("1e3"), "1000.0");
        assert_eq!(r("1.2.3"), "\"1.2.3\"");
        assert_eq!(Scalar::quoted("yes").resolve(), Resolved::Str("yes"));
    }

    #[test]
    fn duplicate_keys_are_found_in_large_mappings_too() {
        // Past SCANNED_KEYS keys, duplicates are found through an index.
        for n in [SCANNED_KEYS - 1, SCANNED_KEYS, SCANNED_KEYS + 1, 100] {
            let mut text: String = (0..n).map(|i| format!("k{i}: {i}\n")).collect();
            text.push_str("k3: again\n");
            let err = parse(&text).unwrap_err();
            assert_eq!(err.span.line, u32::try_from(n + 1).unwrap(), "{n} keys");
            match err.kind {
                YamlErrorKind::DuplicateKey { key, first } => {
                    assert_eq!((key.as_str(), first.line), ("k3", 4), "{n} keys");
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn a_long_block_of_comments_before_a_value_is_read() {
        // With comment events on, granit gave up after 96 comments buffered in a look-ahead:
        // a commented-out block under `pgClusters:` made the whole file unreadable.
        let text = format!(
            "a:\n{}  - 1\nb:\n{}  c: 2\n",
            "# old\n".repeat(200),
            "  # old\n".repeat(200)
        );
        let node = parse(&text).unwrap().unwrap();
        assert_eq!(node.to_json(), serde_json::json!({"a": [1], "b": {"c": 2}}));
    }

    #[test]
    fn quoted_strings_read_back_exactly() {
        for s in [
            "plain",
            "with \"quotes\" and \\",
            "line\nbreak\r\n",
            "# comment",
            "---",
            "{{ .Values }}",
            "  leading",
            "yes",
            "0x10",
            "2024-01-01",
            "\u{7f}\u{85}\u{2028}\u{feff}\u{1}",
        ] {
            let doc = format!("k: {}\n", quoted(s));
            let node = parse(&doc).unwrap().unwrap();
            let v = &node.get("k").unwrap().value;
            assert_eq!(v.scalar().unwrap().text, s, "{doc}");
            assert_eq!(v.scalar().unwrap().style, Style::Quoted);
        }
    }
}
