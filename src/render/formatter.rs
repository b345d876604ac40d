//! How a value reaches the output: every string as one double-quoted YAML scalar, numbers
//! and booleans bare, lists and maps as flow collections built the same way. Whatever a
//! value holds (line breaks, quotes, `#`, `---`, `{{ }}`, `yes`, `2024-01-01`), it stays one
//! scalar in the field the template put it in. [`super::block`] lays out whole blocks from
//! the same pieces.

use std::fmt::Write;

use minijinja::value::{Value, ValueKind};
use minijinja::{Error, ErrorKind, Output, State};

use super::block::Block;
use crate::yaml;

pub fn format_value(out: &mut Output, _state: &mut State, value: &Value) -> Result<(), Error> {
    if let Some(block) = value.downcast_object_ref::<Block>() {
        // Only the block filters make a `Block`, from values written as below.
        return out.write_str(block.text()).map_err(write_failed);
    }
    // Straight into the output: a value is written once, not built in a string first.
    write_value(out, value, 0)
}

pub(super) fn write_failed(e: std::fmt::Error) -> Error {
    Error::new(ErrorKind::WriteFailure, "output").with_source(e)
}

/// Writes `s` as [`yaml::quote`] does.
pub(super) fn write_quoted(out: &mut impl Write, s: &str) -> Result<(), Error> {
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

pub(super) fn write_value(out: &mut impl Write, value: &Value, depth: usize) -> Result<(), Error> {
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
