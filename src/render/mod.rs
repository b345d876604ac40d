//! Renders manifests from typed values through the minijinja templates in `templates/`,
//! then parses its own output back and checks that it holds exactly the objects it meant
//! to render, before anything is written.

mod formatter;
pub mod view;

use std::fmt;

use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::fleet::Fleet;
use crate::values::Values;
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
    /// The YAML document, without the `---` line.
    pub text: String,
}

/// Everything rendered from one set of values, in apply order.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub manifests: Vec<Manifest>,
}

impl Rendered {
    /// The stream `pgx render` prints: each document preceded by `---` and its source, as
    /// `helm template` does. With `only`, just those templates' documents.
    pub fn stream(&self, only: &[Template]) -> String {
        let mut out = String::new();
        for manifest in &self.manifests {
            if only.is_empty() || only.contains(&manifest.template) {
                push_document(&mut out, manifest);
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
}

fn push_document(out: &mut String, manifest: &Manifest) {
    out.push_str("---\n# Source: ");
    out.push_str(&manifest.template.source_path());
    out.push('\n');
    out.push_str(&manifest.text);
    if !manifest.text.ends_with('\n') {
        out.push('\n');
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
}

impl Renderer {
    pub fn new() -> Result<Self, RenderError> {
        let mut env = Environment::new();
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
        for template in Template::ALL {
            env.add_template(template.name(), template.text())
                .map_err(|error| RenderError::Template {
                    template,
                    object: "its compilation".into(),
                    error,
                })?;
        }
        Ok(Self { env })
    }

    fn object<T: Serialize>(
        &self,
        template: Template,
        id: ObjectId,
        context: &T,
    ) -> Result<Manifest, RenderError> {
        let fail = |error| RenderError::Template {
            template,
            object: id.to_string(),
            error,
        };
        let compiled = self.env.get_template(template.name()).map_err(fail)?;
        let text = compiled
            .render(minijinja::context! { o => Value::from(minijinja::value::Serde(context)) })
            .map_err(fail)?;
        // Template comments and trimmed blocks can leave blank lines at the top.
        let text = text.trim_start_matches('\n').to_owned();
        Ok(Manifest { template, id, text })
    }

    /// Renders every object, in apply order: namespaces, the issuer, then per cluster its
    /// certificate, `postgresql`, PDB and Services. Values must have passed validation.
    pub fn render(&self, values: &Values) -> Result<Rendered, RenderError> {
        let fleet = Fleet::new(values);
        let mut manifests = Vec::new();
        for ns in view::namespaces(values) {
            let id = ObjectId {
                api_version: "v1",
                kind: "Namespace",
                namespace: None,
                name: ns.name.clone(),
            };
            manifests.push(self.object(Template::Namespaces, id, &ns)?);
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
            manifests.push(self.object(Template::ClusterIssuer, id, &issuer)?);
        }
        for (index, cluster) in values.pg_clusters.iter().enumerate() {
            let ns = Some(cluster.namespace.clone());
            if cluster.tls.enabled {
                let certificate = view::certificate(values, cluster, &fleet);
                let id = ObjectId {
                    api_version: "cert-manager.io/v1",
                    kind: "Certificate",
                    namespace: ns.clone(),
                    name: certificate.name.clone(),
                };
                manifests.push(self.object(Template::Certificates, id, &certificate)?);
            }
            let id = ObjectId {
                api_version: "acid.zalan.do/v1",
                kind: "postgresql",
                namespace: ns.clone(),
                name: cluster.name.clone(),
            };
            manifests.push(self.object(Template::Cluster, id, &view::postgresql(cluster))?);
            if let Some(pdb) = view::pdb(values, cluster) {
                let id = ObjectId {
                    api_version: "policy/v1",
                    kind: "PodDisruptionBudget",
                    namespace: ns.clone(),
                    name: pdb.name.clone(),
                };
                manifests.push(self.object(Template::Pdb, id, &pdb)?);
            }
            for endpoint in fleet.endpoints.iter().filter(|e| e.cluster_index == index) {
                let service = view::service(values, &fleet, endpoint);
                let id = ObjectId {
                    api_version: "v1",
                    kind: "Service",
                    namespace: ns.clone(),
                    name: service.name.clone(),
                };
                manifests.push(self.object(Template::ExternalServices, id, &service)?);
            }
        }
        let rendered = Rendered { manifests };
        verify(&rendered)?;
        Ok(rendered)
    }
}

/// Parses the whole stream back and checks that it holds exactly the intended objects, in
/// order, each a mapping whose apiVersion, kind, namespace and name are the intended ones.
/// A value that escaped its scalar would add, drop or change a document or a key here.
pub fn verify(rendered: &Rendered) -> Result<(), RenderError> {
    let stream = rendered.stream(&[]);
    let limits = Limits {
        max_depth: 64,
        max_alias_nodes: 0,
    };
    let documents =
        yaml::parse_stream(&stream, SourceId(0), &limits).map_err(|e| RenderError::Check {
            detail: format!("does not parse as YAML at line {}: {e}", e.span.line),
        })?;
    if documents.len() != rendered.manifests.len() {
        return Err(RenderError::Check {
            detail: format!(
                "holds {} documents where {} objects were rendered",
                documents.len(),
                rendered.manifests.len()
            ),
        });
    }
    for (document, manifest) in documents.iter().zip(&rendered.manifests) {
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
            return Err(RenderError::Check {
                detail: format!("does not hold {id} where it should"),
            });
        }
    }
    Ok(())
}
