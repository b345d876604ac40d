//! Renders manifests from typed values through the minijinja templates in `templates/`,
//! then parses its own output back and checks that it holds exactly the objects it meant
//! to render, before anything is written.

mod block;
mod formatter;
pub mod view;

use std::fmt;
use std::ops::Range;

use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::fleet::{Endpoint, Fleet};
use crate::values::{Cluster, Values};
use crate::yaml::{self, Content, Limits, SourceId};

/// The six manifests, each one template (the names `--show-only` takes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Template {
    Namespaces,
    ClusterIssuer,
    Certificates,
    Cluster,
    Pdb,
    ExternalServices,
}

impl Template {
    pub const ALL: [Template; 6] = [
        Template::Namespaces,
        Template::ClusterIssuer,
        Template::Certificates,
        Template::Cluster,
        Template::Pdb,
        Template::ExternalServices,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Template::Namespaces => "namespaces",
            Template::ClusterIssuer => "cluster-issuer",
            Template::Certificates => "certificates",
            Template::Cluster => "cluster",
            Template::Pdb => "pdb",
            Template::ExternalServices => "external-services",
        }
    }

    /// The file `# Source:` names and `--output-dir` writes, as `helm template` does.
    pub fn source_path(self) -> String {
        format!("pgx/templates/{}.yaml", self.name())
    }

    fn text(self) -> &'static str {
        match self {
            Template::Namespaces => include_str!("../../templates/namespaces.yaml"),
            Template::ClusterIssuer => include_str!("../../templates/cluster-issuer.yaml"),
            Template::Certificates => include_str!("../../templates/certificates.yaml"),
            Template::Cluster => include_str!("../../templates/cluster.yaml"),
            Template::Pdb => include_str!("../../templates/pdb.yaml"),
            Template::ExternalServices => include_str!("../../templates/external-services.yaml"),
        }
    }
}

/// Which object a document is: what the output check compares.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ObjectId {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub namespace: Option<String>,
    pub name: String,
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// One rendered document.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub template: Template,
    pub id: ObjectId,
    /// Which of [`Rendered`]'s parts holds the document.
    part: usize,
    /// Where the document is in its part, with its `---` and `# Source:` lines.
    section: Range<usize>,
    /// Where its YAML text is, without those lines.
    body: Range<usize>,
}

/// Everything rendered from one set of values, in apply order: the stream `pgx render`
/// prints, held in the consecutive parts it was rendered in (one per thread) and never
/// joined, so that a large fleet's output is in memory once (100 MB at 10,000 clusters).
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub manifests: Vec<Manifest>,
    parts: Vec<String>,
}

impl Rendered {
    /// The YAML document of one manifest, without the `---` line.
    pub fn text(&self, manifest: &Manifest) -> &str {
        self.slice(manifest.part, &manifest.body)
    }

    /// A manifest's document with its `---` and `# Source:` lines.
    fn section(&self, manifest: &Manifest) -> &str {
        self.slice(manifest.part, &manifest.section)
    }

    fn slice(&self, part: usize, range: &Range<usize>) -> &str {
        self.parts
            .get(part)
            .and_then(|p| p.get(range.clone()))
            .unwrap_or_default()
    }

    /// The stream `pgx render` prints: each document preceded by `---` and its source, as
    /// `helm template` does. With `only`, just those templates' documents.
    pub fn stream(&self, only: &[Template]) -> String {
        if only.is_empty() {
            self.parts.concat()
        } else {
            self.selected(only)
        }
    }

    /// [`Rendered::stream`] in consecutive pieces to be written one after the other,
    /// without copying the parts when the stream is printed whole.
    pub fn into_chunks(self, only: &[Template]) -> Vec<String> {
        if only.is_empty() {
            self.parts
        } else {
            vec![self.selected(only)]
        }
    }

    /// The documents of the `only` templates, in order.
    fn selected(&self, only: &[Template]) -> String {
        let mut out = String::new();
        for manifest in &self.manifests {
            if only.contains(&manifest.template) {
                out.push_str(self.section(manifest));
            }
        }
        out
    }

    /// One stream per template that rendered anything, for `--output-dir`.
    pub fn files(&self) -> Vec<(Template, String)> {
        Template::ALL
            .iter()
            .filter_map(|&template| {
                let text = self.stream(&[template]);
                (!text.is_empty()).then_some((template, text))
            })
            .collect()
    }

    /// Makes room for `clusters` clusters shaped like the one rendered so far. A large
    /// fleet's part would otherwise grow by doubling: every step copies it and touches
    /// fresh pages, and page faults were a fifth of a 1,000-cluster render's time. Room
    /// reserved beyond what is written is never touched, so a generous guess costs nothing.
    fn reserve_like_first(&mut self, clusters: usize) {
        let manifests = self.manifests.len().saturating_mul(clusters);
        self.manifests
            .reserve(manifests.saturating_sub(self.manifests.len()));
        if let Some(stream) = self.parts.last_mut() {
            let bytes = stream.len().saturating_mul(clusters);
            stream.reserve((bytes + bytes / 4).saturating_sub(stream.len()));
        }
    }

    /// Appends a part rendered on its own, as if its documents had been pushed here.
    fn append(&mut self, part: Rendered) {
        let offset = self.parts.len();
        self.parts.extend(part.parts);
        self.manifests
            .extend(part.manifests.into_iter().map(|m| Manifest {
                part: m.part + offset,
                ..m
            }));
    }

    /// Appends one document: `---`, its source, its text (template comments and trimmed
    /// blocks can leave blank lines at the top, which are dropped) and a final line break.
    fn push(&mut self, template: Template, id: ObjectId, text: &str) {
        if self.parts.is_empty() {
            self.parts.push(String::new());
        }
        let part = self.parts.len() - 1;
        let Some(stream) = self.parts.last_mut() else {
            return;
        };
        let text = text.trim_start_matches('\n');
        let start = stream.len();
        stream.push_str("---\n# Source: pgx/templates/");
        stream.push_str(template.name());
        stream.push_str(".yaml\n");
        let body = stream.len()..stream.len() + text.len();
        stream.push_str(text);
        if !text.ends_with('\n') {
            stream.push('\n');
        }
        self.manifests.push(Manifest {
            template,
            id,
            part,
            section: start..stream.len(),
            body,
        });
    }
}

#[derive(Debug)]
pub enum RenderError {
    /// A template failed (a bug in pgx or its templates).
    Template {
        template: Template,
        object: String,
        error: minijinja::Error,
    },
    /// The output did not parse back into the intended objects (a bug in pgx).
    Check { detail: String },
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::Template {
                template,
                object,
                error,
            } => write!(
                f,
                "template {} failed for {object}: {error:#}",
                template.name()
            ),
            RenderError::Check { detail } => write!(
                f,
                "internal check failed, nothing was written: the rendered output {detail}"
            ),
        }
    }
}

impl std::error::Error for RenderError {}

/// The template engine, with every template compiled once.
pub struct Renderer {
    env: Environment<'static>,
    /// Threads clusters are rendered on, at most; by default the machine's cores, up to
    /// [`MAX_THREADS`].
    threads: Option<usize>,
}

impl Renderer {
    pub fn new() -> Result<Self, RenderError> {
        // Only what the templates use. `Environment::new` builds minijinja's builtin
        // filters, tests and globals on every run: 2 % of a production render's
        // instructions (issue #7). A template that uses anything else fails to compile
        // or render, which the snapshot tests show.
        let mut env = Environment::empty();
        env.add_test("none", minijinja::tests::is_none);
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|error| RenderError::Template {
                template: Template::Namespaces,
                object: "the syntax configuration".into(),
                error,
            })?;
        env.set_syntax(syntax);
        env.set_formatter(formatter::format_value);
        env.add_filter("mapping", block::mapping);
        env.add_filter("sequence", block::sequence);
        for template in Template::ALL {
            env.add_template(template.name(), template.text())
                .map_err(|error| RenderError::Template {
                    template,
                    object: "its compilation".into(),
                    error,
                })?;
        }
        Ok(Self { env, threads: None })
    }

    /// Renders on at most `threads` threads (`pgx render --jobs`); the output is the same
    /// for any number.
    pub fn with_threads(mut self, threads: std::num::NonZeroUsize) -> Self {
        self.threads = Some(threads.get());
        self
    }

    fn object<T: Serialize>(
        &self,
        out: &mut Rendered,
        template: Template,
        id: ObjectId,
        view: &T,
    ) -> Result<(), RenderError> {
        let fail = |error| RenderError::Template {
            template,
            object: id.to_string(),
            error,
        };
        let compiled = self.env.get_template(template.name()).map_err(fail)?;
        let text = compiled
            .render(minijinja::context! { o => Value::from(minijinja::value::Serde(view)) })
            .map_err(fail)?;
        out.push(template, id, &text);
        Ok(())
    }

    /// Renders every object, in apply order: namespaces, the issuer, then per cluster its
    /// certificate, `postgresql`, PDB and Services. Values must have passed validation.
    pub fn render(&self, values: &Values) -> Result<Rendered, RenderError> {
        let fleet = Fleet::new(values);
        let mut out = Rendered::default();
        for ns in view::namespaces(values) {
            let id = ObjectId {
                api_version: "v1",
                kind: "Namespace",
                namespace: None,
                name: ns.name.clone(),
            };
            self.object(&mut out, Template::Namespaces, id, &ns)?;
        }
        for issuer in view::issuers(values) {
            let id = if issuer.object == "ca-certificate" {
                ObjectId {
                    api_version: "cert-manager.io/v1",
                    kind: "Certificate",
                    namespace: issuer.namespace.clone(),
                    name: issuer.name.clone(),
                }
            } else {
                ObjectId {
                    api_version: "cert-manager.io/v1",
                    kind: "ClusterIssuer",
                    namespace: None,
                    name: issuer.name.clone(),
                }
            };
            self.object(&mut out, Template::ClusterIssuer, id, &issuer)?;
        }
        // Each cluster's objects depend on nothing rendered before them, so clusters are
        // rendered and read back in parallel, in order-keeping parts. The checks work
        // document by document, so a part's result is the whole stream's for its
        // documents; only the fallback to the full parser reads the joined stream.
        let clusters: Vec<(&Cluster, &[Endpoint<'_>])> = values
            .pg_clusters
            .iter()
            .enumerate()
            .map(|(i, cluster)| (cluster, fleet.endpoints_of(i)))
            .collect();
        // The machine's cores are asked only for a fleet worth splitting: the answer reads
        // cgroup files, which costs a small render more than its clusters do.
        let threads = self.threads.unwrap_or_else(|| {
            if clusters.len() < 2 * CLUSTERS_PER_THREAD {
                1
            } else {
                std::thread::available_parallelism()
                    .map_or(1, std::num::NonZeroUsize::get)
                    .min(MAX_THREADS)
            }
        });
        let parts = in_parallel(&clusters, threads, |chunk| {
            let mut part = Rendered::default();
            for (i, (cluster, own)) in chunk.iter().enumerate() {
                self.cluster_objects(&mut part, values, &fleet, cluster, own)?;
                if i == 0 {
                    part.reserve_like_first(chunk.len());
                }
            }
            check(&part)?;
            let read = verify_subset(&part);
            Ok::<_, RenderError>((part, read))
        });
        // The cheap check names a broken document precisely; the parse-back proves the
        // whole stream reads as exactly these objects. Both run on every render, because
        // nothing may reach `kubectl apply` that pgx has not read back itself.
        check(&out)?;
        let parts = parts.into_iter().collect::<Result<Vec<_>, _>>()?;
        let read = verify_subset(&out) && parts.iter().all(|(_, read)| *read);
        for (part, _) in parts {
            out.append(part);
        }
        if !read {
            verify_full(&out)?;
        }
        Ok(out)
    }

    /// A cluster's objects: its certificate, `postgresql`, PDB and Services.
    fn cluster_objects(
        &self,
        out: &mut Rendered,
        values: &Values,
        fleet: &Fleet<'_>,
        cluster: &Cluster,
        own: &[Endpoint<'_>],
    ) -> Result<(), RenderError> {
        let ns = Some(cluster.namespace.clone());
        if cluster.tls.enabled {
            let certificate = view::certificate(values, cluster, own.iter());
            let id = ObjectId {
                api_version: "cert-manager.io/v1",
                kind: "Certificate",
                namespace: ns.clone(),
                name: certificate.name.clone(),
            };
            self.object(out, Template::Certificates, id, &certificate)?;
        }
        let id = ObjectId {
            api_version: "acid.zalan.do/v1",
            kind: "postgresql",
            namespace: ns.clone(),
            name: cluster.name.clone(),
        };
        self.object(out, Template::Cluster, id, &view::postgresql(cluster))?;
        if let Some(pdb) = view::pdb(values, cluster) {
            let id = ObjectId {
                api_version: "policy/v1",
                kind: "PodDisruptionBudget",
                namespace: ns.clone(),
                name: pdb.name.clone(),
            };
            self.object(out, Template::Pdb, id, &pdb)?;
        }
        for endpoint in own {
            let service = view::service(values, fleet, endpoint);
            let id = ObjectId {
                api_version: "v1",
                kind: "Service",
                namespace: ns.clone(),
                name: service.name.clone(),
            };
            self.object(out, Template::ExternalServices, id, &service)?;
        }
        Ok(())
    }
}

/// Clusters below this many per thread are rendered on the calling thread: a thread costs
/// more than a few clusters do (the production example renders in about 4 ms).
const CLUSTERS_PER_THREAD: usize = 64;

/// Threads by default: the machine's cores, at most this many.
const MAX_THREADS: usize = 8;

/// `work` over consecutive chunks of `items` on up to `threads` threads, results in the
/// order of the chunks, so that output does not depend on the number of threads.
fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(&[T]) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len() / CLUSTERS_PER_THREAD).max(1);
    if threads == 1 {
        return vec![work(items)];
    }
    let size = items.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(size)
            .map(|chunk| scope.spawn(move || work(chunk)))
            .collect();
        handles
            .into_iter()
            // A panic in a thread is a bug in pgx: it unwinds on the calling thread as it
            // would have without threads.
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// The check every render passes before anything is written: each document starts with
/// exactly its object's `apiVersion`, `kind`, `metadata.name` and `metadata.namespace` (and
/// has no namespace if its object has none), and no line of it starts another document.
///
/// Every value reaches the output through the formatter as one scalar or flow collection
/// with its line breaks escaped, so only template text, and the block filters' lines (each
/// `key: value` or `- item` at the indentation the template gave), could start a line; this
/// check costs one pass over the output; [`verify`], the full parse, runs after it.
pub fn check(rendered: &Rendered) -> Result<(), RenderError> {
    let mut expected = String::new();
    for manifest in &rendered.manifests {
        let text = rendered.text(manifest);
        let id = &manifest.id;
        expected.clear();
        expected.push_str("apiVersion: ");
        expected.push_str(id.api_version);
        expected.push_str("\nkind: ");
        expected.push_str(id.kind);
        expected.push_str("\nmetadata:\n  name: ");
        yaml::quote(&id.name, &mut expected);
        expected.push('\n');
        if let Some(namespace) = &id.namespace {
            expected.push_str("  namespace: ");
            yaml::quote(namespace, &mut expected);
            expected.push('\n');
        }
        let holds = match text.strip_prefix(expected.as_str()) {
            // Without a namespace, no other line of `metadata` may set one.
            Some(rest) if id.namespace.is_none() => rest
                .split('\n')
                .take_while(|line| line.starts_with(' '))
                .filter_map(|line| line.strip_prefix("  "))
                .all(|key| !key.starts_with("namespace:") && !key.starts_with("\"namespace\":")),
            Some(_) => true,
            None => false,
        };
        if !holds {
            return Err(RenderError::Check {
                detail: format!("does not hold {id} where it should"),
            });
        }
        if let Some(line) = document_marker(text) {
            return Err(RenderError::Check {
                detail: format!("starts a new document inside {id}: `{line}`"),
            });
        }
    }
    Ok(())
}

/// The first line of `text` after its first that is a YAML document marker (`---` or
/// `...`, alone or followed by a space or tab).
fn document_marker(text: &str) -> Option<&str> {
    // A marker follows a line break: a substring search rules most documents out quickly.
    if !text.contains("\n---") && !text.contains("\n...") {
        return None;
    }
    text.split('\n').skip(1).find(|line| {
        (line.starts_with("---") || line.starts_with("..."))
            && matches!(line.as_bytes().get(3), None | Some(b' ' | b'\t' | b'\r'))
    })
}

/// Parses the whole stream back and checks that it holds exactly the intended objects, in
/// order, each a mapping whose apiVersion, kind, namespace and name are the intended ones.
/// A value that escaped its scalar would add, drop or change a document or a key here.
///
/// Each document is first read by the reader of the YAML subset pgx writes
/// ([`yaml::subset`]), which costs a small part of the full parse; whenever any document
/// leaves that subset or does not read as its object, the full parser reads the whole
/// stream and decides.
pub fn verify(rendered: &Rendered) -> Result<(), RenderError> {
    if verify_subset(rendered) {
        return Ok(());
    }
    verify_full(rendered)
}

/// Whether each part is exactly its manifests' sections, one after the other, each `---`
/// and a document that the subset reader reads as its object. `false` is "not sure",
/// never "wrong".
fn verify_subset(rendered: &Rendered) -> bool {
    let mut next = (0, 0);
    for manifest in &rendered.manifests {
        // A manifest starts where the previous one ended, or at the start of the next part.
        let (part, end) = next;
        let follows = (manifest.part == part && manifest.section.start == end)
            || (manifest.part == part + 1
                && manifest.section.start == 0
                && rendered.parts.get(part).map(String::len) == Some(end));
        if !follows {
            return false;
        }
        next = (manifest.part, manifest.section.end);
        let Some(document) = rendered.section(manifest).strip_prefix("---\n") else {
            return false;
        };
        let Some(head) = yaml::subset::read_document(document) else {
            return false;
        };
        let id = &manifest.id;
        let holds = head.api_version.as_deref() == Some(id.api_version)
            && head.kind.as_deref() == Some(id.kind)
            && head.name.as_deref() == Some(id.name.as_str())
            && head.namespace.as_deref() == id.namespace.as_deref();
        if !holds {
            return false;
        }
    }
    let (part, end) = next;
    // Every part after the last manifest's is empty, and so is the rest of its own.
    rendered.parts.get(part).map_or(0, String::len) == end
        && rendered.parts.iter().skip(part + 1).all(String::is_empty)
}

/// [`verify`] by the full parser, over the whole stream.
pub fn verify_full(rendered: &Rendered) -> Result<(), RenderError> {
    let stream = rendered.stream(&[]);
    let limits = Limits {
        max_depth: 64,
        max_alias_nodes: 0,
        // pgx's own output: its size follows from values that were already limited.
        max_nodes: usize::MAX,
    };
    let mut manifests = rendered.manifests.iter();
    let mut count = 0usize;
    let mut mismatch: Option<String> = None;
    yaml::each_document(&stream, SourceId(0), &limits, |document| {
        count += 1;
        let Some(manifest) = manifests.next() else {
            return true;
        };
        let field = |key: &str| {
            document
                .get(key)
                .and_then(|e| e.value.scalar())
                .map(|s| s.text.as_str())
        };
        let metadata = |key: &str| {
            document
                .get("metadata")
                .and_then(|m| m.value.get(key))
                .and_then(|e| e.value.scalar())
                .map(|s| s.text.as_str())
        };
        let id = &manifest.id;
        let matches = matches!(document.content, Content::Map(_))
            && field("apiVersion") == Some(id.api_version)
            && field("kind") == Some(id.kind)
            && metadata("name") == Some(id.name.as_str())
            && metadata("namespace") == id.namespace.as_deref();
        if !matches {
            mismatch = Some(format!("does not hold {id} where it should"));
        }
        matches
    })
    .map_err(|e| RenderError::Check {
        detail: format!("does not parse as YAML at line {}: {e}", e.span.line),
    })?;
    if let Some(detail) = mismatch {
        return Err(RenderError::Check { detail });
    }
    if count != rendered.manifests.len() {
        return Err(RenderError::Check {
            detail: format!(
                "holds {count} documents where {} objects were rendered",
                rendered.manifests.len()
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(kind: &'static str, namespace: Option<&str>, name: &str) -> ObjectId {
        ObjectId {
            api_version: "v1",
            kind,
            namespace: namespace.map(str::to_owned),
            name: name.to_owned(),
        }
    }

    fn rendered(documents: &[(ObjectId, &str)]) -> Rendered {
        let mut out = Rendered::default();
        for (id, text) in documents {
            out.push(Template::ExternalServices, id.clone(), text);
        }
        out
    }

    #[test]
    fn the_stream_is_each_document_after_its_separator_and_source() {
        let out = rendered(&[
            (
                id("Namespace", None, "a"),
                "\n\napiVersion: v1\nkind: Namespace",
            ),
            (id("Namespace", None, "b"), "apiVersion: v1\n"),
        ]);
        let expected = "---\n# Source: pgx/templates/external-services.yaml\napiVersion: v1\nkind: Namespace\n\
                        ---\n# Source: pgx/templates/external-services.yaml\napiVersion: v1\n";
        assert_eq!(out.stream(&[]), expected);
        assert_eq!(out.stream(&[Template::ExternalServices]), expected);
        assert_eq!(out.stream(&[Template::Cluster]), "");
        assert_eq!(
            out.text(&out.manifests[0]),
            "apiVersion: v1\nkind: Namespace"
        );
        assert_eq!(out.clone().into_chunks(&[]).concat(), expected);
    }

    #[test]
    fn the_check_accepts_exactly_the_intended_objects() {
        let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"a\"\n  namespace: \"n\"\n  labels:\n    x: \"---\"\nspec:\n  ports:\n  - port: 1\n";
        let namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"n\"\n  labels:\n    namespace: \"x\"\n";
        let good = rendered(&[
            (id("Service", Some("n"), "a"), service),
            (id("Namespace", None, "n"), namespace),
        ]);
        check(&good).unwrap();
        verify(&good).unwrap();
        let refused = |id: ObjectId, text: &str| {
            let out = rendered(&[(id, text)]);
            assert!(check(&out).is_err(), "{text}");
            assert!(verify(&out).is_err(), "{text}");
        };
        refused(id("Service", Some("n"), "b"), service);
        refused(id("Service", Some("m"), "a"), service);
        refused(id("Service", None, "a"), service);
        refused(id("Namespace", Some("n"), "n"), namespace);
        refused(id("Service", Some("n"), "a"), "");
        let split = service.replace("spec:", "---\nspec:");
        refused(id("Service", Some("n"), "a"), &split);
        let namespaced = namespace.replace("  labels:", "  namespace: \"x\"\n  labels:");
        refused(id("Namespace", None, "n"), &namespaced);
    }

    #[test]
    fn parallel_chunks_come_back_in_order_whatever_the_threads() {
        let items: Vec<usize> = (0..1000).collect();
        let sum_of = |chunk: &[usize]| chunk.to_vec();
        for threads in [1, 2, 3, 8] {
            let parts = in_parallel(&items, threads, sum_of);
            let expected = threads.min(1000 / CLUSTERS_PER_THREAD);
            assert_eq!(parts.len(), expected, "{threads} threads");
            assert_eq!(parts.concat(), items);
        }
        // Too few items for a second thread.
        assert_eq!(in_parallel(&items[..100], 8, sum_of).len(), 1);
    }

    #[test]
    fn the_subset_check_passes_only_streams_the_full_check_passes() {
        let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"a\"\n  namespace: \"n\"\n  labels:\n    x: \"y\"\nspec:\n  ports:\n  - port: 1\n    name: p\n";
        let namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"n\"\n";
        let ids = [id("Service", Some("n"), "a"), id("Namespace", None, "n")];
        let good = rendered(&[(ids[0].clone(), service), (ids[1].clone(), namespace)]);
        assert!(verify_subset(&good));
        let mut accepted = 0;
        for token in [
            "---\n",
            "...\n",
            "\n",
            "--- ",
            "# ",
            "  ",
            "- ",
            "namespace: \"n\"\n",
            "\"",
            ":",
        ] {
            for at in (0..=service.len()).filter(|&i| service.is_char_boundary(i)) {
                let text = format!("{}{token}{}", &service[..at], &service[at..]);
                let out = rendered(&[(ids[0].clone(), &text), (ids[1].clone(), namespace)]);
                if verify_subset(&out) {
                    accepted += 1;
                    assert!(verify_full(&out).is_ok(), "{text}");
                }
            }
        }
        assert!(accepted > 0);
        // Sections that do not tile the stream are left to the full parser.
        let mut gap = good.clone();
        gap.parts.insert(0, "a: 1\n".to_owned());
        assert!(!verify_subset(&gap));
    }

    #[test]
    fn parts_read_as_one_stream_and_must_tile_it() {
        let namespace = |name: &str| {
            (
                id("Namespace", None, name),
                format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"{name}\"\n"),
            )
        };
        let part = |names: &[&str]| {
            let documents: Vec<_> = names.iter().map(|n| namespace(n)).collect();
            let documents: Vec<_> = documents
                .iter()
                .map(|(i, t)| (i.clone(), t.as_str()))
                .collect();
            rendered(&documents)
        };
        let mut joined = part(&["a"]);
        joined.append(part(&["b", "c"]));
        joined.append(part(&["d"]));
        assert_eq!(joined.parts.len(), 3);
        assert_eq!(joined.stream(&[]), part(&["a", "b", "c", "d"]).stream(&[]));
        assert_eq!(joined.text(&joined.manifests[2]), namespace("c").1);
        assert!(verify_subset(&joined));
        verify(&joined).unwrap();
        // Text outside every manifest, after the last one or between parts, is left to the
        // full parser, which refuses it here.
        for at in [3, 1] {
            let mut extra = joined.clone();
            extra.parts.insert(at, "---\na: 1\n".to_owned());
            for m in extra.manifests.iter_mut().filter(|m| m.part >= at) {
                m.part += 1;
            }
            assert!(!verify_subset(&extra), "extra part at {at}");
            assert!(verify(&extra).is_err(), "extra part at {at}");
        }
    }

    #[test]
    fn document_markers_are_three_dashes_or_dots_alone_or_before_a_blank() {
        assert_eq!(document_marker("a: 1\n---\nb: 2"), Some("---"));
        assert_eq!(document_marker("a: 1\n--- b\n"), Some("--- b"));
        assert_eq!(document_marker("a: 1\n...\n"), Some("..."));
        assert_eq!(
            document_marker("a: 1\n---x\n----\n  ---\nb: \"---\"\n"),
            None
        );
        assert_eq!(document_marker("---\na: 1"), None);
    }
}
