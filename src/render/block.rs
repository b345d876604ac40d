//! Whole blocks of a manifest laid out by two filters, as Helm's `toYaml | nindent` does:
//! `{{- o.labels | mapping(4) }}` writes each pair as `key: value` on its own line at
//! indentation 4, `{{- o.pg_hba | sequence(4) }}` each item as `- item`. Every key, value
//! and item is written by [`super::formatter`], so it stays one scalar whatever it holds.
//!
//! They exist for speed (issue #7). A template loop costs minijinja a frame and a loop
//! object per entry, and the loops over labels, parameters and pg_hba were half of a large
//! fleet's template time. For the same reason views hand their lists over as [`Pairs`]
//! and [`Items`], which reach the filters as they are, rather than as template values built
//! item by item and dropped again.

use std::borrow::Cow;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr, Tuple, Value, ValueKind};
use minijinja::{Error, ErrorKind};
use serde::{Serialize, Serializer};

use super::formatter::{write_quoted, write_value};

/// Lines a block filter laid out: the formatter writes them as they are, not as one scalar.
#[derive(Debug)]
pub struct Block(String);

impl Block {
    pub fn text(&self) -> &str {
        &self.0
    }
}

impl Object for Block {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
}

/// Key/value pairs for `mapping`, in output order. To a template, a list of two-item
/// lists (`{% for k, v in pairs %}` works).
#[derive(Clone, Debug, Default)]
pub struct Pairs(Arc<PairList>);

#[derive(Debug, Default)]
struct PairList(Vec<(String, String)>);

/// Strings for `sequence`, in output order. To a template, a list.
#[derive(Clone, Debug, Default)]
pub struct Items(Arc<ItemList>);

#[derive(Debug, Default)]
struct ItemList(Vec<String>);

impl From<Vec<(String, String)>> for Pairs {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Self(Arc::new(PairList(pairs)))
    }
}

impl From<Vec<String>> for Items {
    fn from(items: Vec<String>) -> Self {
        Self(Arc::new(ItemList(items)))
    }
}

impl FromIterator<(String, String)> for Pairs {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        Self::from(pairs.into_iter().collect::<Vec<_>>())
    }
}

impl Serialize for Pairs {
    /// Into a template value, the list itself is handed over (minijinja passes a `Value`
    /// through its own serializer untouched); elsewhere, a list of pairs.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Value::from_dyn_object(self.0.clone()).serialize(serializer)
    }
}

impl Serialize for Items {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Value::from_dyn_object(self.0.clone()).serialize(serializer)
    }
}

impl Object for PairList {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let (k, v) = self.0.get(key.as_usize()?)?;
        Some(Value::from(Tuple::from([
            Value::from(k.as_str()),
            Value::from(v.as_str()),
        ])))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
    }
}

impl Object for ItemList {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.0.get(key.as_usize()?).map(|s| Value::from(s.as_str()))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
    }
}

/// A line break and the deepest indentation any template needs; a deeper one is a
/// template bug. One slice of it is copied per line, not a space at a time.
const LINE_START: &str = "\n                                                                ";

fn line_start(out: &mut String, indent: usize) -> Result<(), Error> {
    let start = LINE_START.get(..=indent).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            "a block indented further than any template needs",
        )
    })?;
    out.push_str(start);
    Ok(())
}

/// `mapping(indent)`: pairs (a [`Pairs`], or any list of two-item lists), each as
/// `key: value` on a new line at `indent`. Every line starts with its line break, so that
/// the block follows its parent key's line (`{{-` trims the template's own) and an empty
/// list leaves the parent key empty, as an empty loop did.
pub fn mapping(entries: &Value, indent: usize) -> Result<Value, Error> {
    let mut out = String::new();
    if let Some(pairs) = entries.downcast_object_ref::<PairList>() {
        // A line break, the indentation, four quotes and `: ` per pair, when nothing needs
        // escaping (which only costs a reallocation).
        let bytes = pairs.0.iter().map(|(k, v)| k.len() + v.len() + indent + 7);
        out.reserve(bytes.sum());
        for (key, value) in &pairs.0 {
            line_start(&mut out, indent)?;
            write_quoted(&mut out, key)?;
            out.push_str(": ");
            write_quoted(&mut out, value)?;
        }
        return Ok(Value::from_object(Block(out)));
    }
    for entry in list(entries)?.iter() {
        let [key, value] = &*list(entry)? else {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                "mapping takes a list of key/value pairs",
            ));
        };
        line_start(&mut out, indent)?;
        write_value(&mut out, key, 0)?;
        out.push_str(": ");
        write_value(&mut out, value, 0)?;
    }
    Ok(Value::from_object(Block(out)))
}

/// `sequence(indent)`: each item (of an [`Items`], or any list) as `- item` on a new line
/// at `indent`, laid out as [`mapping`]'s entries are.
pub fn sequence(items: &Value, indent: usize) -> Result<Value, Error> {
    let mut out = String::new();
    if let Some(items) = items.downcast_object_ref::<ItemList>() {
        out.reserve(items.0.iter().map(|item| item.len() + indent + 5).sum());
        for item in &items.0 {
            line_start(&mut out, indent)?;
            out.push_str("- ");
            write_quoted(&mut out, item)?;
        }
        return Ok(Value::from_object(Block(out)));
    }
    for item in list(items)?.iter() {
        line_start(&mut out, indent)?;
        out.push_str("- ");
        write_value(&mut out, item, 0)?;
    }
    Ok(Value::from_object(Block(out)))
}

/// A list's items, in place when it is what a serialised list or pair becomes (a `Vec` or
/// a `Tuple`): minijinja's by-index and iterator access clone each item through several
/// calls.
fn list(value: &Value) -> Result<Cow<'_, [Value]>, Error> {
    if let Some(items) = value.downcast_object_ref::<Vec<Value>>() {
        return Ok(Cow::Borrowed(items.as_slice()));
    }
    match value.downcast_object_ref::<Tuple>() {
        Some(items) => Ok(Cow::Borrowed(&**items)),
        None if value.kind() == ValueKind::Seq => Ok(Cow::Owned(value.try_iter()?.collect())),
        None => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("a block needs a list, not a {} value", value.kind()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use minijinja::{context, Environment};

    use super::*;

    fn render(template: &str, ctx: Value) -> Result<String, Error> {
        let mut env = Environment::new();
        env.set_formatter(super::super::formatter::format_value);
        env.add_filter("mapping", mapping);
        env.add_filter("sequence", sequence);
        env.render_str(template, ctx)
    }

    /// As a view's field reaches its template.
    fn view<T: Serialize>(field: T) -> Value {
        Value::from(minijinja::value::Serde(field))
    }

    #[test]
    fn pairs_and_items_reach_the_filters_as_they_are() {
        // What makes them cheaper than lists: no template value per item.
        let pairs = view(Pairs::from(hostile_pairs()));
        assert!(pairs.downcast_object_ref::<PairList>().is_some());
        let items = view(Items::from(vec!["a".to_owned()]));
        assert!(items.downcast_object_ref::<ItemList>().is_some());
    }

    fn hostile_pairs() -> Vec<(String, String)> {
        vec![
            ("app".to_owned(), "db".to_owned()),
            ("x: y\n- z".to_owned(), "\"}{%---\n#".to_owned()),
        ]
    }

    const HOSTILE_MAPPING: &str =
        "labels:\n  \"app\": \"db\"\n  \"x: y\\n- z\": \"\\\"}{%---\\n#\"\nnext: 1";

    #[test]
    fn a_mapping_is_one_line_per_pair_each_side_one_scalar() {
        let template = "labels:\n  {{- v | mapping(2) }}\nnext: 1";
        // As a view hands them over, and as any list of pairs.
        let as_pairs = render(
            template,
            context! { v => view(Pairs::from(hostile_pairs())) },
        );
        let as_list = render(template, context! { v => hostile_pairs() });
        assert_eq!(as_pairs.ok().as_deref(), Some(HOSTILE_MAPPING));
        assert_eq!(as_list.ok().as_deref(), Some(HOSTILE_MAPPING));
    }

    #[test]
    fn a_sequence_is_one_line_per_item_and_lists_stay_flow() {
        let items = vec![
            Value::from("a b"),
            Value::from(vec!["c", "d"]),
            Value::from(3),
        ];
        let out = render("- x\n{{- v | sequence(0) }}", context! { v => items });
        assert_eq!(
            out.ok().as_deref(),
            Some("- x\n- \"a b\"\n- [\"c\", \"d\"]\n- 3")
        );
        let items = view(Items::from(vec!["a b".to_owned(), "- c\n".to_owned()]));
        let out = render("- x\n{{- v | sequence(0) }}", context! { v => items });
        assert_eq!(out.ok().as_deref(), Some("- x\n- \"a b\"\n- \"- c\\n\""));
    }

    #[test]
    fn an_empty_block_leaves_its_key_empty() {
        let template = "a:\n  {{- p | mapping(2) }}\nb:\n  {{- i | sequence(2) }}";
        let none: Vec<(String, String)> = Vec::new();
        let out = render(template, context! { p => none.clone(), i => none });
        assert_eq!(out.ok().as_deref(), Some("a:\nb:"));
        let (p, i) = (view(Pairs::default()), view(Items::default()));
        let out = render(template, context! { p, i });
        assert_eq!(out.ok().as_deref(), Some("a:\nb:"));
    }

    #[test]
    fn pairs_and_items_are_lists_to_a_template() {
        let template = "{% if p %}{% for k, v in p %}{{ k }}={{ v }};{% endfor %}{% endif %}\
                        {% if not e %}empty;{% endif %}{{ i | length }}:{{ i[1] }}";
        let out = render(
            template,
            context! {
                p => view(Pairs::from(hostile_pairs())),
                e => view(Items::default()),
                i => view(Items::from(vec!["a".to_owned(), "b".to_owned()])),
            },
        );
        assert_eq!(
            out.ok().as_deref(),
            Some("\"app\"=\"db\";\"x: y\\n- z\"=\"\\\"}{%---\\n#\";empty;2:\"b\"")
        );
    }

    #[test]
    fn only_a_block_is_written_unquoted() {
        // The text a block would hold, arriving as a value, is still one scalar.
        let out = render("a: {{ v }}", context! { v => "\n  b: c" });
        assert_eq!(out.ok().as_deref(), Some("a: \"\\n  b: c\""));
    }

    #[test]
    fn what_is_not_a_list_of_pairs_fails_the_render() {
        let refused = [
            ("{{ v | mapping(2) }}", Value::from(vec!["a", "b"])),
            (
                "{{ v | mapping(2) }}",
                Value::from(vec![vec!["a", "b", "c"]]),
            ),
            ("{{ v | sequence(2) }}", Value::from("ab")),
            ("{{ v | sequence(65) }}", Value::from(vec!["a"])),
            ("{{ v | mapping(65) }}", view(Pairs::from(hostile_pairs()))),
        ];
        for (template, v) in refused {
            assert!(
                render(template, context! { v => v.clone() }).is_err(),
                "{template} rendered {v:?}"
            );
        }
    }
}
