//! The `subset` target's check (issue #7): whatever `pgx::yaml::subset::read_document`
//! accepts, the full parser must read alike. The render's output check trusts a `Some`
//! from the subset reader in place of the full parser, so a document where the two differ
//! is a soundness bug; `None` ("not sure") is always allowed.

use pgx::yaml::subset::{read_document, Head};
use pgx::yaml::{each_document, Content, Limits, Node, SourceId};
use std::borrow::Cow;
use std::sync::OnceLock;

/// The limits of the render's own full check (`verify_full` in `src/render/mod.rs`).
fn limits() -> Limits {
    Limits {
        max_depth: 64,
        max_alias_nodes: 0,
        max_nodes: usize::MAX,
    }
}

/// The four fields as the render's full check reads them from one parsed document.
fn head_of(doc: &Node) -> Result<Head<'static>, String> {
    if !matches!(doc.content, Content::Map(_)) {
        return Err(format!("not a mapping but a {}", doc.kind_name()));
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

/// The full parser's reading of `stream`, one head per document.
fn full_heads(stream: &str) -> Result<Vec<Head<'static>>, String> {
    let mut heads = Vec::new();
    let mut failed = None;
    each_document(stream, SourceId(0), &limits(), |doc| match head_of(&doc) {
        Ok(head) => {
            heads.push(head);
            true
        }
        Err(e) => {
            failed = Some(e);
            false
        }
    })
    .map_err(|e| e.to_string())?;
    match failed {
        Some(e) => Err(e),
        None => Ok(heads),
    }
}

/// What the full parser reads in `document` (the text after its `---` line), as the
/// render's check reads it: exactly one document, a mapping, and its four fields.
pub fn full_reading(document: &str) -> Result<Head<'static>, String> {
    let heads = full_heads(&format!("---\n{document}"))?;
    match <[Head<'static>; 1]>::try_from(heads) {
        Ok([head]) => Ok(head),
        Err(heads) => Err(format!("{} documents", heads.len())),
    }
}

/// serde_yaml (libyaml) as a second reader: `Ok(Some(why))` when it reads the document
/// otherwise than the subset reader (not one document, not a mapping, or one of the four
/// fields a different string), `Err` when it refuses the text.
pub fn serde_yaml_disagrees(document: &str, head: &Head<'_>) -> Result<Option<String>, String> {
    use serde::Deserialize;
    let stream = format!("---\n{document}");
    let docs: Vec<serde_yaml::Value> = serde_yaml::Deserializer::from_str(&stream)
        .map(serde_yaml::Value::deserialize)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let [doc] = docs.as_slice() else {
        return Ok(Some(format!("{} documents", docs.len())));
    };
    if !doc.is_mapping() {
        return Ok(Some("not a mapping".into()));
    }
    let check = |value: Option<&serde_yaml::Value>, ours: &Option<Cow<'_, str>>| match value {
        Some(serde_yaml::Value::String(s)) if Some(s.as_str()) != ours.as_deref() => {
            Some(format!("serde_yaml reads {s:?}, the subset {ours:?}"))
        }
        None if ours.is_some() => Some(format!("serde_yaml has no field, the subset {ours:?}")),
        _ => None,
    };
    let metadata = doc.get("metadata");
    Ok(check(doc.get("apiVersion"), &head.api_version)
        .or_else(|| check(doc.get("kind"), &head.kind))
        .or_else(|| check(metadata.and_then(|m| m.get("name")), &head.name))
        .or_else(|| check(metadata.and_then(|m| m.get("namespace")), &head.namespace)))
}

/// The property for one document: if the subset reader accepts it, the full parser reads
/// it without error as one mapping with the same four fields, also when it is followed by
/// another document in the stream (as in `pgx render`'s output), and serde_yaml agrees.
/// Returns whether the subset reader accepted it.
pub fn check_document(document: &str) -> bool {
    let Some(head) = read_document(document) else {
        return false;
    };
    match full_reading(document) {
        Ok(full) => assert_eq!(head, full, "the readings differ:\n{document:?}"),
        Err(e) => panic!("the subset accepted what the full parser refuses ({e}):\n{document:?}"),
    }
    // In a stream: the document between two others (verify_subset checks each section
    // alone, verify_full reads the whole stream).
    let stream = format!("---\nkind: A\n---\n{document}---\nkind: B\n");
    match full_heads(&stream) {
        Ok(heads) => {
            let kinds: Vec<_> = heads.iter().map(|h| h.kind.as_deref()).collect();
            assert!(
                heads.len() == 3 && heads.get(1) == Some(&head),
                "in a stream the full parser reads {kinds:?}:\n{document:?}"
            );
        }
        Err(e) => panic!("in a stream the full parser refuses it ({e}):\n{document:?}"),
    }
    match serde_yaml_disagrees(document, &head) {
        Ok(Some(e)) => panic!("serde_yaml disagrees ({e}):\n{document:?}"),
        Ok(None) => {}
        // Not a disagreement: serde_yaml refuses some YAML the full parser reads (an integer
        // beyond 64 bits: `0x1eeeeeeeeeeeeeeeeeeeeeeeeeeeee1: 1`, found by this target),
        // and the render's check relies on the full parser alone.
        Err(_) => {}
    }
    true
}

/// The production example, included rather than read so that the path holds wherever this
/// file is compiled (the fuzz crate, and `tests/subset.rs` by `#[path]`).
pub const PRODUCTION: &str = include_str!("../../values/production.yaml");

/// The `values/defaults.yaml` example, included as [`PRODUCTION`] is.
pub const DEFAULTS: &str = include_str!("../../values/defaults.yaml");

/// Documents that pgx renders: from the built-in defaults and [`PRODUCTION`].
pub fn rendered_documents() -> &'static [String] {
    static DOCUMENTS: OnceLock<Vec<String>> = OnceLock::new();
    DOCUMENTS.get_or_init(|| documents_rendered_from(&[None, Some(PRODUCTION)]))
}

/// Every document pgx renders from each of these values files (`None`: no file, the
/// built-in defaults), in order.
pub fn documents_rendered_from(files: &[Option<&str>]) -> Vec<String> {
    let mut documents = Vec::new();
    for &file in files {
        let input = pgx::load::ValuesInput {
            files: file.map(|_| vec!["-".to_owned()]).unwrap_or_default(),
            set: Vec::new(),
            set_string: Vec::new(),
            max_file_size: pgx::load::DEFAULT_MAX_FILE_SIZE,
        };
        let mut stdin = file.unwrap_or_default().as_bytes();
        let values = pgx::load::load(&input, &mut stdin)
            .ok()
            .and_then(|loaded| loaded.values)
            .expect("the example values load");
        let rendered = pgx::render::Renderer::new()
            .and_then(|r| r.render(&values))
            .expect("the example values render");
        documents.extend(
            rendered
                .stream(&[])
                .split("---\n")
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
        );
    }
    assert!(documents.len() > 10, "the example values rendered nothing");
    documents
}

/// Text a mutation inserts: YAML indicators, line structure, escapes, characters some
/// readers treat specially, and lines that change the four fields.
pub const TOKENS: &[&str] = &[
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
    "\\u0000",
    "\\U0001F418",
    "\\/",
    "\\ ",
    "\\0",
    "\\e",
    "\\N",
    "\\_",
    "\\L",
    "\\P",
    "-- ",
    "--- ",
    "... ",
    "\"kind\": ",
    "\"metadata\":",
    "\n  \"name\": ",
    "\"apiVersion\": ",
    "{\"a\": 1}",
    "[1, 2]",
    "1e3",
    "0x1F",
    "0o7",
    ".inf",
    "true",
    "yes",
    "=",
    "+",
    "/",
    "_",
    "http://a",
    ":a",
    "a:",
];

/// `at` wrapped into `text` and moved back to a character boundary.
pub fn char_boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `data` as edits of a rendered document: the first byte picks the document, then each
/// three bytes are one edit (kind, and a position); what is left after the edits is
/// inserted as text at the last position when it is UTF-8.
pub fn mutate(data: &[u8]) -> String {
    let documents = rendered_documents();
    let Some((&pick, mut rest)) = data.split_first() else {
        return String::new();
    };
    let mut text = documents[usize::from(pick) % documents.len()].clone();
    let mut at = 0;
    for _ in 0..8 {
        let [op, hi, lo, tail @ ..] = rest else {
            break;
        };
        rest = tail;
        let position = usize::from(u16::from_be_bytes([*hi, *lo]));
        let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
        let line = position % lines.len().max(1);
        at = char_boundary(&text, position);
        match op % 8 {
            0..=2 => {
                let token = TOKENS[usize::from(op / 8) % TOKENS.len()];
                text.insert_str(at, token);
                continue;
            }
            3 => {
                let end = char_boundary(&text, (at + 1 + usize::from(op / 8) % 8).min(text.len()));
                text.replace_range(at..end.max(at), "");
                continue;
            }
            4 if !lines.is_empty() => {
                let copy = lines[line].clone();
                lines.insert(line, copy);
            }
            5 if !lines.is_empty() => {
                lines.remove(line);
            }
            6 if lines.len() > 1 => {
                let i = line % (lines.len() - 1);
                lines.swap(i, i + 1);
            }
            7 if !lines.is_empty() => {
                let n = usize::from(op / 8) % 4;
                if n == 0 {
                    if let Some(dedented) = lines[line].strip_prefix(' ') {
                        lines[line] = dedented.to_owned();
                    }
                } else {
                    lines[line].insert_str(0, &" ".repeat(n));
                }
            }
            _ => {}
        }
        text = lines.concat();
    }
    if let Ok(extra) = std::str::from_utf8(rest) {
        let at = char_boundary(&text, at);
        text.insert_str(at, extra);
    }
    text
}

/// The fuzz target: the bytes as a document when they are UTF-8, and as edits of a
/// rendered document.
pub fn check_subset(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        check_document(text);
    }
    check_document(&mutate(data));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The property is not vacuous: every rendered document is accepted, and so are many
    /// edited ones.
    #[test]
    fn rendered_and_edited_documents_are_checked() {
        for document in rendered_documents() {
            assert!(check_document(document), "left the subset:\n{document}");
        }
        let mut accepted = 0;
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..2000 {
            let data: Vec<u8> = (0..10)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            accepted += usize::from(check_document(&mutate(&data)));
        }
        assert!(
            accepted > 200,
            "{accepted} of 2000 edited documents accepted"
        );
    }
}
