//! A finding: one problem in the values, with where it is and how to fix it.
//!
//! Findings are data. Turning them into text (human, JSON, GitHub, SARIF) is the job of
//! [`crate::report`], so a rule never decides how it is printed.

use std::fmt;

use crate::yaml::{Node, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One step of a [`KeyPath`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Where a value sits in the values tree: `pgClusters[1].externalAccess.admin.port`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyPath(pub Vec<Segment>);

impl KeyPath {
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// A path from a dotted spelling; `[n]` steps become indices. For building paths in code
    /// (`KeyPath::parse("externalAccess.writeIP")`), not for parsing user input.
    pub fn parse(dotted: &str) -> Self {
        let mut segments = Vec::new();
        for part in dotted.split('.').filter(|p| !p.is_empty()) {
            let (key, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !key.is_empty() {
                segments.push(Segment::Key(key.to_owned()));
            }
            while let Some(stripped) = rest.strip_prefix('[') {
                let Some(close) = stripped.find(']') else {
                    break;
                };
                if let Ok(i) = stripped[..close].parse() {
                    segments.push(Segment::Index(i));
                }
                rest = &stripped[close + 1..];
            }
        }
        Self(segments)
    }

    pub fn key(&self, key: &str) -> Self {
        let mut next = self.clone();
        next.0.push(Segment::Key(key.to_owned()));
        next
    }

    pub fn index(&self, index: usize) -> Self {
        let mut next = self.clone();
        next.0.push(Segment::Index(index));
        next
    }

    /// `self` followed by a dotted relative path.
    pub fn join(&self, dotted: &str) -> Self {
        let mut next = self.clone();
        next.0.extend(Self::parse(dotted).0);
        next
    }

    /// The node at this path, or the deepest node on the way there when the path runs past
    /// what the values set (a default): a finding then points at the nearest written key.
    pub fn locate<'a>(&self, tree: &'a Node) -> (&'a Node, bool) {
        let mut node = tree;
        for segment in &self.0 {
            let next = match segment {
                Segment::Key(k) => node.get(k).map(|e| &e.value),
                Segment::Index(i) => node.items().and_then(|items| items.get(*i)),
            };
            match next {
                Some(n) => node = n,
                None => return (node, false),
            }
        }
        (node, true)
    }

    /// The span of the value at this path; for a missing value, the span of the nearest key
    /// that is written.
    pub fn span_in(&self, tree: &Node) -> Span {
        let mut node = tree;
        let mut best = tree.span;
        for segment in &self.0 {
            match segment {
                Segment::Key(k) => match node.get(k) {
                    Some(entry) => {
                        best = entry.value.span;
                        node = &entry.value;
                    }
                    None => return best,
                },
                Segment::Index(i) => match node.items().and_then(|items| items.get(*i)) {
                    Some(item) => {
                        best = item.span;
                        node = item;
                    }
                    None => return best,
                },
            }
        }
        best
    }
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if is_plain_key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Key(k) => write!(f, "[{}]", serde_json::Value::from(k.as_str()))?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// The other side of a finding about a relation (the second cluster on a port).
#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    pub path: KeyPath,
    pub span: Option<Span>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The rule id, `PGX204`.
    pub code: &'static str,
    pub severity: Severity,
    pub path: KeyPath,
    /// Filled in by [`Finding::locate`] from the merged values tree.
    pub span: Option<Span>,
    pub message: String,
    pub help: Option<String>,
    pub related: Vec<Related>,
    /// Silenced by `--ignore` or `lint.ignore`; still listed by `pgx lint`.
    pub ignored: bool,
}

impl Finding {
    pub fn new(
        code: &'static str,
        severity: Severity,
        path: KeyPath,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity,
            path,
            span: None,
            message: message.into(),
            help: None,
            related: Vec::new(),
            ignored: false,
        }
    }

    pub fn error(code: &'static str, path: KeyPath, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, path, message)
    }

    pub fn warning(code: &'static str, path: KeyPath, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, path, message)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn with_related(mut self, path: KeyPath, message: impl Into<String>) -> Self {
        self.related.push(Related {
            path,
            span: None,
            message: message.into(),
        });
        self
    }

    /// Fills in the spans of the finding and its related places from the values tree.
    pub fn locate(&mut self, tree: &Node) {
        if self.span.is_none() {
            self.span = Some(self.path.span_in(tree));
        }
        for related in &mut self.related {
            if related.span.is_none() {
                related.span = Some(related.path.span_in(tree));
            }
        }
    }

    /// Whether this finding stops `render` (an error that is not ignored).
    pub fn blocks(&self) -> bool {
        self.severity == Severity::Error && !self.ignored
    }
}

/// The nearest of `candidates` to `name`, when it is near enough to be a likely typo.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_the_rules_reference() {
        let p = KeyPath::parse("pgClusters[1].externalAccess.admin.allowedSourceRanges[0]");
        assert_eq!(
            p.to_string(),
            "pgClusters[1].externalAccess.admin.allowedSourceRanges[0]"
        );
        let labels = KeyPath::parse("pgClusters[0].labels").key("app.kubernetes.io/name");
        assert_eq!(
            labels.to_string(),
            "pgClusters[0].labels[\"app.kubernetes.io/name\"]"
        );
    }

    #[test]
    fn nearest_suggests_typos_but_not_strangers() {
        let keys = ["allowedSourceRanges", "enabled", "hostname"];
        assert_eq!(
            nearest("allowedSourceRange", keys),
            Some("allowedSourceRanges")
        );
        assert_eq!(nearest("completelyDifferent", keys), None);
    }
}
