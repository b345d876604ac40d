//! Reads values files and `--set` arguments, merges them as Helm does, and decodes the
//! result into typed [`Values`].
//!
//! Merge order: the built-in defaults, then each `-f` file left to right (maps merge key by
//! key, lists and scalars are replaced whole, a `null` deletes the key), then every `--set`,
//! then every `--set-string`, each assigned into the merged tree in place (so
//! `pgClusters[0].tls.enabled=true` changes the first cluster, as in Helm).

use std::fmt;
use std::io::Read;

use crate::decode::decode;
use crate::finding::Finding;
use crate::set_argument::{Assignment, SetArgumentError};
use crate::source::{Origin, Sources};
use crate::values::Values;
use crate::yaml::{self, Content, Entry, Limits, Node, Span, YamlError};

/// Where values come from, as the command line and environment gave them.
#[derive(Clone, Debug, Default)]
pub struct ValuesInput {
    /// Values files in merge order; `-` is standard input.
    pub files: Vec<String>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    /// Largest values file read, in bytes.
    pub max_file_size: u64,
}

/// The default for `--max-file-size`: far above any real values file, far below what
/// would hurt.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Values loaded, with everything needed to explain a finding later.
#[derive(Debug)]
pub struct Loaded {
    pub sources: Sources,
    /// The merged tree, which keeps where each value was written.
    pub tree: Node,
    /// `None` when a value had the wrong type (the PGX102 finding says which).
    pub values: Option<Values>,
    /// Findings of loading: unknown keys, wrong types, YAML 1.1 booleans.
    pub findings: Vec<Finding>,
}

/// Why values could not be read at all (exit code 2).
#[derive(Debug)]
pub enum LoadError {
    Read {
        file: String,
        error: std::io::Error,
    },
    TooLarge {
        file: String,
        limit: u64,
    },
    NotUtf8 {
        file: String,
        line: usize,
        column: usize,
    },
    /// A byte-order mark of another Unicode encoding.
    NotUtf8Encoding {
        file: String,
        encoding: &'static str,
    },
    Yaml {
        sources: Box<Sources>,
        error: YamlError,
    },
    NotAMapping {
        sources: Box<Sources>,
        span: Span,
        found: &'static str,
    },
    SetArgument {
        flag: &'static str,
        argument: String,
        error: SetArgumentError,
    },
    StdinTwice,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Read { file, error } => write!(f, "cannot read {file}: {error}"),
            LoadError::TooLarge { file, limit } => write!(
                f,
                "{file} is larger than {limit} bytes; raise the limit with --max-file-size if it is really a values file"
            ),
            LoadError::NotUtf8 { file, line, column } => write!(
                f,
                "{file}:{line}:{column}: not UTF-8 text; values files must be UTF-8"
            ),
            LoadError::NotUtf8Encoding { file, encoding } => write!(
                f,
                "{file}:1:1: the file is {encoding} text (it starts with that byte-order mark); values files must be UTF-8 (convert with `iconv -f {} -t UTF-8`)",
                &encoding[..6]
            ),
            LoadError::Yaml { sources, error } => {
                write!(f, "{}: {error}", sources.describe(&error.span))?;
                if let yaml::YamlErrorKind::DuplicateKey { first, .. } = &error.kind {
                    write!(f, " (first at {})", sources.describe(first))?;
                }
                Ok(())
            }
            LoadError::NotAMapping {
                sources,
                span,
                found,
            } => write!(
                f,
                "{}: a values file must be a mapping of keys to values, found {found}",
                sources.describe(span)
            ),
            LoadError::SetArgument {
                flag,
                argument,
                error,
            } => write!(
                f,
                "{flag} {}: {error}",
                crate::set_argument::without_values(argument)
            ),
            LoadError::StdinTwice => f.write_str("standard input (`-f -`) can be read only once"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Values files named by the environment when no `-f` is given: ArgoCD's `values-files`
/// plugin parameter, then `PGX_VALUES`, then `ARGOCD_ENV_PGX_VALUES` (how ArgoCD passes the
/// Application's `PGX_VALUES`). Returns the files and the variable they came from.
pub fn files_from_environment(
    var: impl Fn(&str) -> Option<String>,
) -> Option<(Vec<String>, &'static str)> {
    if let Some(files) = var("ARGOCD_APP_PARAMETERS").and_then(|p| values_files_parameter(&p)) {
        return Some((files, "ARGOCD_APP_PARAMETERS"));
    }
    for name in ["PGX_VALUES", "ARGOCD_ENV_PGX_VALUES"] {
        if let Some(list) = var(name) {
            let files: Vec<String> = list
                .split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect();
            if !files.is_empty() {
                return Some((files, name));
            }
        }
    }
    None
}

/// The `values-files` array of ArgoCD's `ARGOCD_APP_PARAMETERS` JSON, when set and not empty.
fn values_files_parameter(json: &str) -> Option<Vec<String>> {
    let parameters: serde_json::Value = serde_json::from_str(json).ok()?;
    let files: Vec<String> = parameters
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(|n| n.as_str()) == Some("values-files"))?
        .get("array")?
        .as_array()?
        .iter()
        .filter_map(|f| f.as_str())
        .filter(|f| !f.trim().is_empty())
        .map(str::to_owned)
        .collect();
    (!files.is_empty()).then_some(files)
}

pub fn load(input: &ValuesInput, stdin: &mut dyn Read) -> Result<Loaded, LoadError> {
    let limits = Limits::for_file_size(input.max_file_size);
    let mut sources = Sources::default();
    let mut tree = Node::empty_map(Span::default());
    let mut stdin_used = false;
    let mut bytes_read: usize = 0;
    for file in &input.files {
        let text = if file == "-" {
            if stdin_used {
                return Err(LoadError::StdinTwice);
            }
            stdin_used = true;
            read_limited(stdin, file, input.max_file_size, 0)?
        } else {
            let mut handle = std::fs::File::open(file).map_err(|error| LoadError::Read {
                file: file.clone(),
                error,
            })?;
            // A file's size is known before it is read, so a large one is read into
            // mimalloc's huge pages too (src/allocator.rs).
            let size = handle.metadata().map_or(0, |metadata| {
                usize::try_from(metadata.len()).unwrap_or(usize::MAX)
            });
            crate::allocator::note_input(bytes_read.saturating_add(size));
            read_limited(&mut handle, file, input.max_file_size, size)?
        };
        // Before the tree is built: a large input's tree and everything after it are
        // allocated by mimalloc (src/allocator.rs).
        bytes_read += text.len();
        crate::allocator::note_input(bytes_read);
        let id = sources.add(Origin::File(file.clone()), text);
        let text = sources.get(id).map(|s| s.text.as_str()).unwrap_or_default();
        let parsed = match yaml::parse_document(text, id, &limits) {
            Ok(parsed) => parsed,
            Err(error) => {
                return Err(LoadError::Yaml {
                    sources: Box::new(sources),
                    error,
                })
            }
        };
        let Some(document) = parsed.filter(|d| !d.is_null()) else {
            continue;
        };
        if !matches!(document.content, Content::Map(_)) {
            let span = document.span;
            let found = document.kind_name();
            return Err(LoadError::NotAMapping {
                sources: Box::new(sources),
                span,
                found,
            });
        }
        // Marked per file too: a secret a later file overrides is gone from the merged
        // tree but is still in this file's text.
        sources.mark_secrets(crate::secret::spans(&document));
        merge(&mut tree, document);
    }
    for (flag, arguments, typed) in [
        ("--set", &input.set, true),
        ("--set-string", &input.set_string, false),
    ] {
        for argument in arguments {
            let id = sources.add(Origin::SetArgument { flag }, argument.clone());
            let assignments = crate::set_argument::parse(argument, id, typed).map_err(|error| {
                LoadError::SetArgument {
                    flag,
                    argument: argument.clone(),
                    error,
                }
            })?;
            for assignment in assignments {
                assign(&mut tree, assignment);
            }
        }
    }
    // And over the merged tree: an `env` entry may take its name from one source and its
    // value from another (`--set pgClusters[0].env[0].value=…`). `--set` arguments are
    // marked only here. From a single file the merged tree is that file's, already marked.
    let one_file = sources.len() == 1 && input.set.is_empty() && input.set_string.is_empty();
    if !one_file {
        sources.mark_secrets(crate::secret::spans(&tree));
    }
    let mut findings = Vec::new();
    let values = match decode::<Values>(&tree, &mut findings) {
        Ok(values) => Some(values),
        Err(finding) => {
            findings.push(*finding);
            None
        }
    };
    for finding in &mut findings {
        finding.locate(&tree);
    }
    Ok(Loaded {
        sources,
        tree,
        values,
        findings,
    })
}

/// Reads at most `limit` bytes and one more to tell a larger file. `size` (the file's
/// length from its metadata; 0 when unknown) sizes the buffer once: grown by doubling, an
/// 11 MB file's buffer is copied at each step and ends at 16 MiB (issue #7).
fn read_limited(
    reader: &mut dyn Read,
    file: &str,
    limit: u64,
    size: usize,
) -> Result<String, LoadError> {
    let mut bytes = Vec::new();
    let limit_bytes = usize::try_from(limit).unwrap_or(usize::MAX);
    // Fallible: a size the allocator refuses leaves the buffer to grow as it reads.
    let _ = bytes.try_reserve_exact(size.min(limit_bytes));
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|error| LoadError::Read {
            file: file.to_owned(),
            error,
        })?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        return Err(LoadError::TooLarge {
            file: file.to_owned(),
            limit,
        });
    }
    // UTF-16 and UTF-32 are YAML encodings too, but not of values files (Helm reads UTF-8
    // only): name the encoding, since "not UTF-8 at 1:1" would leave the reader guessing.
    let encoding = match bytes.as_slice() {
        [0x00, 0x00, 0xfe, 0xff, ..] => Some("UTF-32 (big-endian)"),
        [0xff, 0xfe, 0x00, 0x00, ..] => Some("UTF-32 (little-endian)"),
        [0xfe, 0xff, ..] => Some("UTF-16 (big-endian)"),
        [0xff, 0xfe, ..] => Some("UTF-16 (little-endian)"),
        _ => None,
    };
    if let Some(encoding) = encoding {
        return Err(LoadError::NotUtf8Encoding {
            file: file.to_owned(),
            encoding,
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let before = e.as_bytes().get(..valid).unwrap_or_default();
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default())
            .chars()
            .count()
            + 1;
        LoadError::NotUtf8 {
            file: file.to_owned(),
            line,
            column,
        }
    })
}

/// Helm's merge of a later values file over an earlier one.
pub fn merge(base: &mut Node, overlay: Node) {
    let Content::Map(overlay_entries) = overlay.content else {
        *base = overlay;
        return;
    };
    let Content::Map(base_entries) = &mut base.content else {
        *base = Node::new(Content::Map(overlay_entries), overlay.span);
        return;
    };
    // Keys are looked up through an index, so merging a map of n keys costs O(n), not
    // O(n²): a values file with a million keys must not hang (issue #6). Deleted keys are
    // marked and dropped at the end for the same reason.
    let mut index: std::collections::HashMap<String, usize> = base_entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key.clone(), i))
        .collect();
    let mut deleted = vec![false; base_entries.len()];
    for entry in overlay_entries {
        match index.get(&entry.key).copied() {
            Some(i) if entry.value.is_null() => {
                if let Some(d) = deleted.get_mut(i) {
                    *d = true;
                }
            }
            Some(i) => {
                let Some(existing) = base_entries.get_mut(i) else {
                    continue;
                };
                if deleted.get(i).copied().unwrap_or(false) {
                    // Deleted by an earlier entry of this overlay: set anew.
                    existing.value = Node::new(Content::Map(Vec::new()), entry.value.span);
                    if let Some(d) = deleted.get_mut(i) {
                        *d = false;
                    }
                }
                existing.key_span = entry.key_span;
                if matches!(existing.value.content, Content::Map(_))
                    && matches!(entry.value.content, Content::Map(_))
                {
                    merge(&mut existing.value, entry.value);
                } else {
                    existing.value = entry.value;
                }
            }
            None => {
                index.insert(entry.key.clone(), base_entries.len());
                deleted.push(false);
                base_entries.push(entry);
            }
        }
    }
    if deleted.contains(&true) {
        let mut flags = deleted.into_iter();
        base_entries.retain(|_| !flags.next().unwrap_or(false));
    }
}

/// Sets one `--set` value in place, creating maps and list items on the way as Helm does.
fn assign(tree: &mut Node, assignment: Assignment) {
    let Assignment { path, value } = assignment;
    let mut node = tree;
    for step in &path {
        node = match step {
            crate::set_argument::Step::Key(key, key_span) => {
                if !matches!(node.content, Content::Map(_)) {
                    *node = Node::empty_map(*key_span);
                }
                let Content::Map(entries) = &mut node.content else {
                    return;
                };
                let i = match entries.iter().position(|e| &e.key == key) {
                    Some(i) => i,
                    None => {
                        entries.push(Entry {
                            key: key.clone(),
                            key_span: *key_span,
                            value: Node::new(Content::Scalar(yaml::Scalar::plain("")), *key_span),
                        });
                        entries.len() - 1
                    }
                };
                match entries.get_mut(i) {
                    Some(entry) => &mut entry.value,
                    None => return,
                }
            }
            crate::set_argument::Step::Index(index, span) => {
                if !matches!(node.content, Content::Seq(_)) {
                    *node = Node::new(Content::Seq(Vec::new()), *span);
                }
                let Content::Seq(items) = &mut node.content else {
                    return;
                };
                while items.len() <= *index {
                    items.push(Node::new(Content::Scalar(yaml::Scalar::plain("")), *span));
                }
                match items.get_mut(*index) {
                    Some(item) => item,
                    None => return,
                }
            }
        };
    }
    *node = value;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::SourceId;

    fn tree(text: &str) -> Node {
        yaml::parse_document(text, SourceId(0), &Limits::default())
            .unwrap()
            .unwrap()
    }

    #[test]
    fn later_files_merge_maps_and_replace_lists_and_null_deletes() {
        let mut base = tree("a: {x: 1, y: [1, 2]}\nb: 1\nc: 3\n");
        merge(&mut base, tree("a: {y: [3]}\nb: ~\n"));
        assert_eq!(
            base.to_json(),
            serde_json::json!({"a": {"x": 1, "y": [3]}, "c": 3})
        );
    }

    #[test]
    fn environment_names_files_in_order_of_precedence() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            files_from_environment(env(&[("PGX_VALUES", "a.yaml, b.yaml")])),
            Some((vec!["a.yaml".into(), "b.yaml".into()], "PGX_VALUES"))
        );
        assert_eq!(
            files_from_environment(env(&[
                ("ARGOCD_ENV_PGX_VALUES", "env.yaml"),
                (
                    "ARGOCD_APP_PARAMETERS",
                    r#"[{"name":"values-files","array":["p.yaml"]}]"#
                )
            ])),
            Some((vec!["p.yaml".into()], "ARGOCD_APP_PARAMETERS"))
        );
        assert_eq!(
            files_from_environment(env(&[("ARGOCD_ENV_PGX_VALUES", "env.yaml")])),
            Some((vec!["env.yaml".into()], "ARGOCD_ENV_PGX_VALUES"))
        );
        assert_eq!(files_from_environment(env(&[("PGX_VALUES", " ")])), None);
    }

    #[test]
    fn a_file_and_its_clusters_are_each_held_in_one_allocation_of_their_size() {
        // More clusters than serde's `Vec` reserves ahead (1 MiB of them), so a list grown
        // by doubling would end with spare room.
        let count = 1 + (1 << 20) / std::mem::size_of::<crate::values::Cluster>();
        let mut text = String::from("pgClusters:\n");
        for i in 0..count {
            text.push_str(&format!("  - {{name: db-{i}, namespace: apps}}\n"));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("values.yaml");
        std::fs::write(&path, &text).unwrap();
        let input = ValuesInput {
            files: vec![path.display().to_string()],
            set: Vec::new(),
            set_string: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
        };
        let loaded = load(&input, &mut std::io::empty()).unwrap();
        let clusters = &loaded.values.as_ref().unwrap().pg_clusters;
        assert_eq!(clusters.len(), count);
        assert_eq!(clusters.capacity(), count);
        let read = &loaded.sources.get(SourceId(0)).unwrap().text;
        assert_eq!(read.len(), text.len());
        assert_eq!(read.capacity(), text.len());
    }
}
