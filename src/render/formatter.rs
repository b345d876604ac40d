//! How a value reaches the output: every string as one double-quoted YAML scalar, numbers
//! and booleans bare, lists and maps as flow collections built the same way. Whatever a
//! value holds (line breaks, quotes, `#`, `---`, `{{ }}`, `yes`, `2024-01-01`), it stays one
//! scalar in the field the template put it in.

use std::fmt::Write;

use minijinja::value::{Value, ValueKind};
use minijinja::{Error, ErrorKind, Output, State};

use crate::yaml;

pub fn format_value(out: &mut Output, _state: &mut State, value: &Value) -> Result<(), Error> {
    let mut text = String::new();
    write_value(&mut text, value, 0)?;
    out.write_str(&text)
        .map_err(|e| Error::new(ErrorKind::WriteFailure, "output").with_source(e))
}

/// Deeper flow collections than values can hold mean a bug, not input.
const MAX_DEPTH: usize = 128;

fn write_value(out: &mut String, value: &Value, depth: usize) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "value nested too deeply",
        ));
    }
    match value.kind() {
        ValueKind::Undefined => {
            return Err(Error::new(
                ErrorKind::UndefinedError,
                "an undefined value reached the output",
            ))
        }
        ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => match f64::try_from(value.clone()) {
            Ok(f) if f.is_nan() => out.push_str(".nan"),
            Ok(f) if f.is_infinite() => out.push_str(if f > 0.0 { ".inf" } else { "-.inf" }),
            _ => {
                let _ = write!(out, "{value}");
            }
        },
        ValueKind::String => yaml::quote(value.as_str().unwrap_or_default(), out),
        ValueKind::Seq | ValueKind::Iterable => {
            out.push('[');
            for (i, item) in value.try_iter()?.enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, &item, depth + 1)?;
            }
            out.push(']');
        }
        ValueKind::Map => {
            out.push('{');
            for (i, key) in value.try_iter()?.enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let item = value.get_item(&key)?;
                yaml::quote(&key.to_string(), out);
                out.push_str(": ");
                write_value(out, &item, depth + 1)?;
            }
            out.push('}');
        }
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("cannot write a {} value into YAML", value.kind()),
            ))
        }
    }
    Ok(())
}
