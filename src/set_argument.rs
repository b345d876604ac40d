//! `--set` and `--set-string` arguments, in Helm's syntax: `a.b=c,d[0].e=f,list={x,y}`,
//! with `\` escaping `,` `.` `=` `[` `{` and itself.

use std::fmt;

use crate::yaml::{Content, Node, Scalar, SourceId, Span};

/// One step of the key path of an assignment.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Key(String, Span),
    Index(usize, Span),
}

/// `path=value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    pub path: Vec<Step>,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetArgumentError {
    MissingEquals,
    EmptyKey,
    BadIndex(String),
    UnclosedList,
    /// More steps than a values file may nest ([`MAX_STEPS`]).
    TooDeep,
}

/// Most steps a key path takes: the nesting a values file may have
/// ([`crate::yaml::Limits`]). Without a bound, `a.a.a…=1` nested the values deeper than any
/// recursion over them can go, and pgx overflowed its stack (issue #6).
pub const MAX_STEPS: usize = 64;

impl fmt::Display for SetArgumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetArgumentError::MissingEquals => f.write_str("expected KEY=VALUE"),
            SetArgumentError::EmptyKey => f.write_str("a key path has an empty key"),
            SetArgumentError::BadIndex(i) => write!(f, "`[{i}]` is not a list index"),
            SetArgumentError::UnclosedList => f.write_str("a `{` list is not closed"),
            SetArgumentError::TooDeep => {
                write!(f, "a key path of more than {MAX_STEPS} steps")
            }
        }
    }
}

impl std::error::Error for SetArgumentError {}

/// Parses one argument. With `typed`, values are read as YAML scalars are (`true`, `5432`,
/// `null`); without (`--set-string`), every value is a string.
pub fn parse(
    argument: &str,
    source: SourceId,
    typed: bool,
) -> Result<Vec<Assignment>, SetArgumentError> {
    let mut cursor = Cursor {
        text: argument,
        position: 0,
        source,
    };
    let mut assignments = Vec::new();
    while cursor.position < argument.len() {
        let path = cursor.key_path()?;
        let value = cursor.value(typed)?;
        assignments.push(Assignment { path, value });
    }
    Ok(assignments)
}

/// The argument as an error message shows it: key paths kept, every value replaced by
/// `…` (a value may be a secret: `--set env[0].value=…`), on one line and bounded.
pub fn without_values(argument: &str) -> String {
    let mut out = String::new();
    let mut chars = argument.chars();
    let mut in_value = false;
    let mut braces = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let next = chars.next();
                if !in_value {
                    out.push(c);
                    out.extend(next);
                }
            }
            '=' if !in_value => {
                out.push_str("=…");
                in_value = true;
            }
            '{' if in_value => braces += 1,
            '}' if in_value => braces = braces.saturating_sub(1),
            ',' if in_value && braces == 0 => {
                out.push(',');
                in_value = false;
            }
            c if !in_value => out.push(c),
            _ => {}
        }
    }
    crate::yaml::shown(&out)
}

struct Cursor<'a> {
    text: &'a str,
    position: usize,
    source: SourceId,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.text.get(self.position..)?.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.position += c.len_utf8();
        Some(c)
    }

    fn span(&self, start: usize) -> Span {
        Span {
            source: self.source,
            line: 1,
            column: crate::yaml::column_of(self.text, start),
            start,
            end: self.position.max(start),
        }
    }

    /// Reads up to and including `=`.
    fn key_path(&mut self) -> Result<Vec<Step>, SetArgumentError> {
        let mut path = Vec::new();
        let mut key = String::new();
        let mut key_start = self.position;
        loop {
            let Some(c) = self.bump() else {
                return Err(SetArgumentError::MissingEquals);
            };
            match c {
                '\\' => key.extend(self.bump()),
                '.' | '=' | '[' => {
                    if !key.is_empty() {
                        let span = Span {
                            end: self.position - 1,
                            ..self.span(key_start)
                        };
                        path.push(Step::Key(std::mem::take(&mut key), span));
                    } else if (c != '[' || path.is_empty())
                        && !(matches!(c, '.' | '=') && matches!(path.last(), Some(Step::Index(..))))
                    {
                        // An empty key, except the `.` that follows an index (`a[0].b`) and
                        // the `=` that ends a path at an index (`list[0]=x`, as Helm takes).
                        return Err(SetArgumentError::EmptyKey);
                    }
                    if c == '[' {
                        let index_start = self.position;
                        let mut digits = String::new();
                        loop {
                            match self.bump() {
                                Some(']') => break,
                                Some(d) => digits.push(d),
                                None => return Err(SetArgumentError::BadIndex(digits)),
                            }
                        }
                        let index = digits
                            .parse()
                            .ok()
                            .filter(|i| *i <= 10_000)
                            .ok_or_else(|| SetArgumentError::BadIndex(digits.clone()))?;
                        path.push(Step::Index(index, self.span(index_start)));
                    }
                    if path.len() > MAX_STEPS {
                        return Err(SetArgumentError::TooDeep);
                    }
                    if c == '=' {
                        return Ok(path);
                    }
                    key_start = self.position;
                }
                ',' => return Err(SetArgumentError::MissingEquals),
                c => key.push(c),
            }
        }
    }

    /// Reads a value up to an unescaped `,` or the end.
    fn value(&mut self, typed: bool) -> Result<Node, SetArgumentError> {
        let start = self.position;
        if self.peek() == Some('{') {
            self.bump();
            let mut items = Vec::new();
            let mut item = String::new();
            let mut item_start = self.position;
            loop {
                match self.bump() {
                    None => return Err(SetArgumentError::UnclosedList),
                    Some('\\') => item.extend(self.bump()),
                    Some(c @ (',' | '}')) => {
                        let span = Span {
                            end: self.position - 1,
                            ..self.span(item_start)
                        };
                        if !(c == '}' && items.is_empty() && item.is_empty()) {
                            items.push(scalar(std::mem::take(&mut item), typed, span));
                        }
                        item_start = self.position;
                        if c == '}' {
                            break;
                        }
                    }
                    Some(c) => item.push(c),
                }
            }
            if self.peek() == Some(',') {
                self.bump();
            }
            return Ok(Node::new(Content::Seq(items), self.span(start)));
        }
        let mut text = String::new();
        loop {
            match self.bump() {
                None => break,
                Some('\\') => text.extend(self.bump()),
                Some(',') => {
                    let span = Span {
                        end: self.position - 1,
                        ..self.span(start)
                    };
                    return Ok(scalar(text, typed, span));
                }
                Some(c) => text.push(c),
            }
        }
        Ok(scalar(text, typed, self.span(start)))
    }
}

fn scalar(text: String, typed: bool, span: Span) -> Node {
    let scalar = if typed {
        Scalar::plain(text)
    } else {
        Scalar::quoted(text)
    };
    Node::new(Content::Scalar(scalar), span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(argument: &str, typed: bool) -> Vec<(String, serde_json::Value)> {
        parse(argument, SourceId(0), typed)
            .unwrap()
            .into_iter()
            .map(|a| {
                let path = a
                    .path
                    .iter()
                    .map(|s| match s {
                        Step::Key(k, _) => k.clone(),
                        Step::Index(i, _) => format!("[{i}]"),
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                (path, a.value.to_json())
            })
            .collect()
    }

    #[test]
    fn helm_syntax() {
        assert_eq!(
            json("a.b=1,c=x\\,y,d[1].e=true,l={p,q}", true),
            vec![
                ("a/b".into(), serde_json::json!(1)),
                ("c".into(), serde_json::json!("x,y")),
                ("d/[1]/e".into(), serde_json::json!(true)),
                ("l".into(), serde_json::json!(["p", "q"])),
            ]
        );
        assert_eq!(
            json("pgVersion=16", false),
            vec![("pgVersion".into(), serde_json::json!("16"))]
        );
        assert_eq!(
            json("a\\.b=1", true),
            vec![("a.b".into(), serde_json::json!(1))]
        );
    }

    #[test]
    fn an_index_may_end_the_key_path_or_follow_another() {
        assert_eq!(
            json("a[1]=x,b[0][1]=2", true),
            vec![
                ("a/[1]".into(), serde_json::json!("x")),
                ("b/[0]/[1]".into(), serde_json::json!(2)),
            ]
        );
    }

    #[test]
    fn key_paths_deeper_than_values_may_nest_are_refused() {
        let deep = format!("{}=1", vec!["a"; MAX_STEPS + 1].join("."));
        assert_eq!(
            parse(&deep, SourceId(0), true),
            Err(SetArgumentError::TooDeep)
        );
        let ok = format!("{}=1", vec!["a"; MAX_STEPS].join("."));
        assert!(parse(&ok, SourceId(0), true).is_ok());
        let indices = format!("a{}=1", "[0]".repeat(MAX_STEPS + 1));
        assert_eq!(
            parse(&indices, SourceId(0), true),
            Err(SetArgumentError::TooDeep)
        );
    }

    #[test]
    fn messages_show_key_paths_but_no_values() {
        assert_eq!(
            without_values("a.b=secret,c={x,y},d\\=e=f\\,g,h"),
            "a.b=…,c=…,d\\=e=…,h"
        );
        assert_eq!(without_values("novalue"), "novalue");
        assert!(without_values(&"k".repeat(500)).chars().count() <= 61);
    }

    #[test]
    fn value_spans_point_into_the_argument() {
        let a = parse("x.y=abc", SourceId(0), true).unwrap();
        assert_eq!((a[0].value.span.start, a[0].value.span.end), (4, 7));
        assert_eq!(a[0].value.span.column, 5);
    }

    #[test]
    fn malformed_arguments_are_refused() {
        assert_eq!(
            parse("novalue", SourceId(0), true),
            Err(SetArgumentError::MissingEquals)
        );
        assert!(parse("a[x]=1", SourceId(0), true).is_err());
        assert!(parse("a={1,2", SourceId(0), true).is_err());
        assert!(parse("a[99999999]=1", SourceId(0), true).is_err());
    }
}
