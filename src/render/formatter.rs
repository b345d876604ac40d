//! How a value reaches the output: every string as one double-quoted YAML scalar, numbers
//! and booleans bare, lists and maps as flow collections built the same way. Whatever a
//! value holds (line breaks, quotes, `#`, `---`, `{{ }}`, `yes`, `2024-01-01`), it stays one
//! scalar in the field the template put it in.
//!
//! The `mapping` and `sequence` filters lay out a whole block (`{{- o.labels | mapping(4) }}`,
//! as Helm's `toYaml | nindent 4`) from the same pieces: each entry on its own line at the
//! given indentation, each key and item written as above. They exist for speed: a template
//! loop costs minijinja a frame and a loop object per entry, and loops over labels,
//! parameters and pg_hba were half of a large fleet's template time (issue #7).

use std::borrow::Cow;
use std::fmt::Write;
use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr, Tuple, Value, ValueKind};
use minijinja::{Error, ErrorKind, Output, State};

use crate::yaml;

pub fn format_value(out: &mut Output, _state: &mut State, value: &Value) -> Result<(), Error> {
    if let Some(block) = value.downcast_object_ref::<Block>() {
        // Only this module's filters make a `Block`, from values written as below.
        return out.write_str(&block.0).map_err(write_failed);
    }
    // Straight into the output: a value is written once, not built in a string first.
    write_value(out, value, 0)
}

/// Lines the block filters laid out: written as they are, not as one scalar.
#[derive(Debug)]
struct Block(String);

impl Object for Block {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }
}

/// Deeper than any template indents; a larger number is a template bug.
const MAX_INDENT: usize = 64;

fn line_start(out: &mut String, indent: usize) -> Result<(), Error> {
    if indent > MAX_INDENT {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "a block indented further than any template needs",
        ));
    }
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
    Ok(())
}

/// `mapping(indent)`: key/value pairs (a list of two-item lists), each as `key: value` on
/// a new line at `indent`. Every line starts with its line break, so that the block
/// follows its parent key's line (`{{-` trims the template's own) and an empty list
/// leaves the parent key empty, as an empty loop did.
pub fn mapping(entries: &Value, indent: usize) -> Result<Value, Error> {
    let mut out = String::new();
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

/// `sequence(indent)`: each item as `- item` on a new line at `indent`, laid out as
/// [`mapping`]'s entries are.
pub fn sequence(items: &Value, indent: usize) -> Result<Value, Error> {
    let mut out = String::new();
    for item in list(items)?.iter() {
        line_start(&mut out, indent)?;
        out.push_str("- ");
        write_value(&mut out, item, 0)?;
    }
    Ok(Value::from_object(Block(out)))
}

/// A list's items, in place when it is what a view's list or pair serialises to (a `Vec`
/// or a `Tuple`): minijinja's by-index and iterator access clone each item through several
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

fn write_failed(e: std::fmt::Error) -> Error {
    Error::new(ErrorKind::WriteFailure, "output").with_source(e)
}

/// Writes `s` as [`yaml::quote`] does.
fn write_quoted(out: &mut impl Write, s: &str) -> Result<(), Error> {
    if yaml::is_verbatim(s) {
        out.write_char('"')
            .and_then(|()| out.write_str(s))
            .and_then(|()| out.write_char('"'))
            .map_err(write_failed)
    } else {
        let mut text = String::new();
        yaml::quote(s, &mut text);
        out.write_str(&text).map_err(write_failed)
    }
}

/// Deeper flow collections than values can hold mean a bug, not input.
const MAX_DEPTH: usize = 128;

fn write_value(out: &mut impl Write, value: &Value, depth: usize) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "value nested too deeply",
        ));
    }
    let written = match value.kind() {
        ValueKind::Undefined => {
            return Err(Error::new(
                ErrorKind::UndefinedError,
                "an undefined value reached the output",
            ))
        }
        ValueKind::None => out.write_str("null"),
        ValueKind::Bool => out.write_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => match f64::try_from(value.clone()) {
            Ok(f) if f.is_nan() => out.write_str(".nan"),
            Ok(f) if f.is_infinite() => out.write_str(if f > 0.0 { ".inf" } else { "-.inf" }),
            _ => write!(out, "{value}"),
        },
        ValueKind::String => return write_quoted(out, value.as_str().unwrap_or_default()),
        ValueKind::Seq | ValueKind::Iterable => {
            out.write_char('[').map_err(write_failed)?;
            for (i, item) in value.try_iter()?.enumerate() {
                if i > 0 {
                    out.write_str(", ").map_err(write_failed)?;
                }
                write_value(out, &item, depth + 1)?;
            }
            out.write_char(']')
        }
        ValueKind::Map => {
            out.write_char('{').map_err(write_failed)?;
            for (i, key) in value.try_iter()?.enumerate() {
                if i > 0 {
                    out.write_str(", ").map_err(write_failed)?;
                }
                let item = value.get_item(&key)?;
                match key.as_str() {
                    Some(key) => write_quoted(out, key)?,
                    None => write_quoted(out, &key.to_string())?,
                }
                out.write_str(": ").map_err(write_failed)?;
                write_value(out, &item, depth + 1)?;
            }
            out.write_char('}')
        }
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("cannot write a {} value into YAML", value.kind()),
            ))
        }
    };
    written.map_err(write_failed)
}

#[cfg(test)]
mod tests {
    use minijinja::{context, Environment};

    use super::*;

    fn render(template: &str, ctx: Value) -> Result<String, Error> {
        let mut env = Environment::new();
        env.set_formatter(format_value);
        env.add_filter("mapping", mapping);
        env.add_filter("sequence", sequence);
        env.render_str(template, ctx)
    }

    #[test]
    fn a_mapping_is_one_line_per_pair_each_side_one_scalar() {
        let pairs = vec![
            ("app".to_owned(), "db".to_owned()),
            ("x: y\n- z".to_owned(), "\"}{%---\n#".to_owned()),
        ];
        let out = render(
            "labels:\n  {{- v | mapping(2) }}\nnext: 1",
            context! { v => pairs },
        );
        assert_eq!(
            out.ok().as_deref(),
            Some("labels:\n  \"app\": \"db\"\n  \"x: y\\n- z\": \"\\\"}{%---\\n#\"\nnext: 1")
        );
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
    }

    #[test]
    fn an_empty_block_leaves_its_key_empty() {
        let none: Vec<(String, String)> = Vec::new();
        let out = render(
            "a:\n  {{- v | mapping(2) }}\nb:\n  {{- v | sequence(2) }}",
            context! { v => none },
        );
        assert_eq!(out.ok().as_deref(), Some("a:\nb:"));
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
        ];
        for (template, v) in refused {
            assert!(
                render(template, context! { v => v.clone() }).is_err(),
                "{template} rendered {v:?}"
            );
        }
    }
}
