//! The developer guide (`pgx guide`): one Markdown page for an environment, laid out by
//! `templates/guide.md` from [`Endpoints`], so its hosts, ports and URIs are the ones
//! render writes into the Services.
//!
//! Every decision is taken here; the template only lays text out. A value reaches the
//! page quoted for where it stands: shell words through `sh`, string literals through
//! `quoted`, table cells through `code`, URIs percent-encoded. Anything else printed bare
//! must hold no line break and no backtick, or the guide is refused: no value can change
//! the structure of the page.

use std::fmt;

use minijinja::value::{Value, ValueKind};
use minijinja::{context, Environment, Error, ErrorKind, Output, State, UndefinedBehavior};
use serde::Serialize;

use crate::endpoints::{self, percent_encode, Connection, Endpoints};
use crate::render::view::issuer_ref;
use crate::values::{Cluster, EndpointKind, IssuerType, Values};

const TEMPLATE: &str = include_str!("../templates/guide.md");

/// The key cert-manager stores the signing CA's certificate under in a certificate's Secret.
const CA_KEY: &str = "ca.crt";

/// The guide could not be written.
#[derive(Debug)]
pub struct GuideError(Error);

impl fmt::Display for GuideError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write the guide: {:#}", self.0)
    }
}

impl std::error::Error for GuideError {}

/// The guide for these values.
pub fn guide(values: &Values) -> Result<String, GuideError> {
    let endpoints = Endpoints::new(values);
    let view = GuideView::new(values, &endpoints);
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_formatter(format_value);
    env.add_filter("sh", |v: &str| Value::from_safe_string(shell_word(v)));
    env.add_filter("quoted", |v: &str| {
        Value::from_safe_string(serde_json::to_string(v).unwrap_or_default())
    });
    env.add_filter("code", |v: &str| {
        Value::from_safe_string(endpoints::markdown::code(v))
    });
    env.add_template("guide.md", TEMPLATE).map_err(GuideError)?;
    let template = env.get_template("guide.md").map_err(GuideError)?;
    let has_ips = !endpoints.ips.is_empty();
    let context = context! {
        endpoint_table => Value::from_safe_string(
            endpoints::markdown::endpoint_table(&endpoints).trim_end().to_owned()),
        uri_table => Value::from_safe_string(
            endpoints::markdown::uri_table(&endpoints).trim_end().to_owned()),
        ip_table => Value::from_safe_string(if has_ips {
            endpoints::markdown::ip_table(&endpoints).trim_end().to_owned()
        } else {
            String::new()
        }),
        ..Value::from(minijinja::value::Serde(&view))
    };
    let mut text = template.render(context).map_err(GuideError)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// Bare values are written as they are only when they cannot break the page.
fn format_value(out: &mut Output, _state: &mut State, value: &Value) -> Result<(), Error> {
    let text = match value.kind() {
        ValueKind::String if value.is_safe() => value.to_string(),
        ValueKind::String | ValueKind::Number => {
            let text = value.to_string();
            if let Some(c) = text.chars().find(|&c| c.is_control() || c == '`') {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!("{text:?} holds {c:?}, which the guide cannot print"),
                ));
            }
            text
        }
        kind => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("a {kind} value reached the guide"),
            ))
        }
    };
    out.write_str(&text)
        .map_err(|e| Error::new(ErrorKind::WriteFailure, "output").with_source(e))
}

/// `text` as one POSIX shell word: bare when that is safe, else single-quoted, and with
/// ANSI-C quoting (`$'…'`) when it holds control characters or backticks, so a word never
/// spans lines.
pub fn shell_word(text: &str) -> String {
    let bare = |c: char| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c);
    if !text.is_empty() && text.chars().all(bare) {
        return text.to_owned();
    }
    if !text.chars().any(|c| c.is_control() || c == '`') {
        return format!("'{}'", text.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\'' => out.push_str(r"\'"),
            c if c.is_control() || c == '`' => {
                let mut buf = [0; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\x{byte:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[derive(Serialize)]
struct GuideView {
    connections: bool,
    internal_only: Vec<String>,
    transaction_pooled: Vec<String>,
    app: Option<Example>,
    admin: Option<Example>,
    trust: Vec<TrustGroup>,
    credentials: Vec<Credential>,
    checks: Vec<Check>,
}

/// One endpoint, with every client's spelling of it.
#[derive(Serialize)]
struct Example {
    cluster: String,
    endpoint: &'static str,
    host: String,
    port: i64,
    user: String,
    database: String,
    transaction_pooled: bool,
    /// The CA file clients are pointed at; `None` for the system roots.
    root_cert: Option<String>,
    libpq_uri: String,
    jdbc_url: String,
    go_dsn: String,
    sqlalchemy_url: String,
    migrate_url: String,
    password_command: String,
}

#[derive(Serialize)]
struct TrustGroup {
    /// `public`, `ca`, `self_signed`, `vault` or `unknown`.
    kind: &'static str,
    issuer_kind: String,
    issuer: String,
    issuer_type: Option<&'static str>,
    clusters: Vec<String>,
    file: Option<String>,
    commands: Vec<String>,
}

#[derive(Serialize)]
struct Credential {
    cluster: String,
    namespace: String,
    user: String,
    secret: String,
    rotated: bool,
}

#[derive(Serialize)]
struct Check {
    cluster: String,
    namespace: String,
    endpoint: &'static str,
    service: String,
    host: String,
    port: i64,
    connect: String,
    ip: Option<String>,
    allowed: String,
    root_cert: Option<String>,
}

/// How clients of one cluster trust its certificate.
#[derive(Clone, Debug, PartialEq)]
enum Trust {
    /// Public ACME roots, already in every trust store.
    Public,
    /// An internal CA: one stable certificate.
    Ca,
    /// Each certificate signs itself.
    SelfSigned,
    Vault,
    /// An issuer pgx does not describe.
    Unknown,
}

impl Trust {
    fn of(values: &Values, cluster: &Cluster) -> (Self, String, String) {
        let (name, kind, _) = issuer_ref(values, cluster);
        let tls = &values.tls;
        let global = name == tls.issuer_name && kind == tls.issuer_kind.as_str();
        let bootstrap_root = tls.issuer_type == IssuerType::CaBootstrap
            && name == format!("{}-selfsigned", tls.issuer_name);
        let trust = if bootstrap_root {
            Trust::SelfSigned
        } else if !global {
            Trust::Unknown
        } else {
            match tls.issuer_type {
                IssuerType::Acme => Trust::Public,
                IssuerType::Ca | IssuerType::CaBootstrap => Trust::Ca,
                IssuerType::SelfSigned => Trust::SelfSigned,
                IssuerType::Vault => Trust::Vault,
            }
        };
        (trust, kind, name)
    }

    fn name(&self) -> &'static str {
        match self {
            Trust::Public => "public",
            Trust::Ca => "ca",
            Trust::SelfSigned => "self_signed",
            Trust::Vault => "vault",
            Trust::Unknown => "unknown",
        }
    }

    /// The CA file a client of this cluster is pointed at.
    fn root_cert(&self, issuer: &str, cluster: &Cluster) -> Option<String> {
        match self {
            Trust::Public => None,
            Trust::Ca => Some(format!("{issuer}.crt")),
            Trust::SelfSigned => Some(format!("{}.crt", cluster.name)),
            Trust::Vault => Some("vault-ca.crt".to_owned()),
            Trust::Unknown => Some(format!("{}-ca.crt", cluster.name)),
        }
    }
}

/// `kubectl` reading one key of a Secret into a file (or to standard output).
fn secret_key(secret: &str, namespace: &str, key: &str, file: Option<&str>) -> String {
    let key = key.replace('.', "\\.");
    let mut command = format!(
        "kubectl get secret {} -n {} -o jsonpath='{{.data.{key}}}' | base64 -d",
        shell_word(secret),
        shell_word(namespace)
    );
    if let Some(file) = file {
        command.push_str(&format!(" > {}", shell_word(file)));
    }
    command
}

/// The Secret the operator keeps a role's credentials in.
pub fn credentials_secret(user: &str, cluster: &str) -> String {
    format!(
        "{}.{cluster}.credentials.postgresql.acid.zalan.do",
        user.replace('_', "-")
    )
}

impl GuideView {
    fn new(values: &Values, endpoints: &Endpoints) -> Self {
        let external: Vec<(&Cluster, &[Connection])> = endpoints
            .clusters
            .iter()
            .filter(|c| !c.connections.is_empty())
            .filter_map(|c| {
                let cluster = values.pg_clusters.get(c.index)?;
                Some((cluster, c.connections.as_slice()))
            })
            .collect();
        let internal_only = endpoints
            .clusters
            .iter()
            .filter(|c| c.connections.is_empty())
            .map(|c| c.cluster.clone())
            .collect();
        let transaction_pooled = external
            .iter()
            .filter(|(_, connections)| connections.iter().any(Connection::transaction_pooled))
            .map(|(cluster, _)| cluster.name.clone())
            .collect();

        let example = |(cluster, connection): (&Cluster, &Connection)| {
            let (trust, _, issuer) = Trust::of(values, cluster);
            Example::new(connection, cluster, trust.root_cert(&issuer, cluster))
        };
        let first = |kind: EndpointKind| {
            external.iter().find_map(|(cluster, connections)| {
                let connection = connections.iter().find(|c| c.endpoint == kind)?;
                Some((*cluster, connection))
            })
        };
        let app = first(EndpointKind::Write)
            .or_else(|| first(EndpointKind::Read))
            .map(example);
        let admin = app
            .as_ref()
            .and_then(|app| {
                external
                    .iter()
                    .filter(|(cluster, _)| cluster.name == app.cluster)
                    .find_map(|(cluster, connections)| {
                        let connection = connections
                            .iter()
                            .find(|c| c.endpoint == EndpointKind::Admin)?;
                        Some((*cluster, connection))
                    })
            })
            .or_else(|| first(EndpointKind::Admin))
            .map(example);

        let mut trust: Vec<TrustGroup> = Vec::new();
        for (cluster, _) in &external {
            let (kind, issuer_kind, issuer) = Trust::of(values, cluster);
            let file = kind.root_cert(&issuer, cluster);
            let index = match trust
                .iter()
                .position(|g| g.issuer == issuer && g.issuer_kind == issuer_kind)
            {
                Some(index) => index,
                None => {
                    trust.push(TrustGroup::new(values, &kind, issuer_kind, issuer, cluster));
                    trust.len() - 1
                }
            };
            let Some(group) = trust.get_mut(index) else {
                continue;
            };
            group.clusters.push(cluster.name.clone());
            if matches!(kind, Trust::SelfSigned | Trust::Unknown) {
                group.commands.push(secret_key(
                    &cluster.tls_secret_name(),
                    &cluster.namespace,
                    CA_KEY,
                    file.as_deref(),
                ));
            }
        }

        let mut credentials = Vec::new();
        for (cluster, _) in &external {
            let mut users = vec![endpoints::ADMIN_USER.to_owned()];
            let mut declared: Vec<&String> = cluster.users.keys().collect();
            declared.sort();
            users.extend(
                declared
                    .into_iter()
                    .filter(|u| u.as_str() != endpoints::ADMIN_USER)
                    .cloned(),
            );
            for user in users {
                credentials.push(Credential {
                    cluster: cluster.name.clone(),
                    namespace: cluster.namespace.clone(),
                    secret: credentials_secret(&user, &cluster.name),
                    rotated: cluster.users_with_secret_rotation.contains(&user),
                    user,
                });
            }
        }

        let checks = external
            .iter()
            .flat_map(|(cluster, connections)| {
                let (trust, _, issuer) = Trust::of(values, cluster);
                let root_cert = trust.root_cert(&issuer, cluster);
                connections.iter().map(move |c| Check {
                    cluster: c.cluster.clone(),
                    namespace: c.namespace.clone(),
                    endpoint: c.endpoint.as_str(),
                    service: c.service.clone(),
                    host: c.hostname.clone(),
                    port: c.port,
                    connect: format!("{}:{}", c.hostname, c.port),
                    ip: c.ip.clone(),
                    allowed: if c.allowed_sources.is_empty() {
                        "anyone".to_owned()
                    } else {
                        c.allowed_sources.join(", ")
                    },
                    root_cert: root_cert.clone(),
                })
            })
            .collect();

        Self {
            connections: !external.is_empty(),
            internal_only,
            transaction_pooled,
            app,
            admin,
            trust,
            credentials,
            checks,
        }
    }
}

impl TrustGroup {
    fn new(
        values: &Values,
        kind: &Trust,
        issuer_kind: String,
        issuer: String,
        first: &Cluster,
    ) -> Self {
        let tls = &values.tls;
        let file = kind.root_cert(&issuer, first);
        let mut commands = Vec::new();
        let from_cluster = |file: &str| {
            secret_key(
                &first.tls_secret_name(),
                &first.namespace,
                CA_KEY,
                Some(file),
            )
        };
        match (kind, file.as_deref()) {
            (Trust::Ca, Some(file)) => {
                if issuer_kind == "ClusterIssuer" {
                    let (secret, key) = match tls.issuer_type {
                        IssuerType::Ca => {
                            (tls.ca_secret_name.clone().unwrap_or_default(), "tls.crt")
                        }
                        _ => (issuer.clone(), "ca.crt"),
                    };
                    commands.push(secret_key(
                        &secret,
                        &tls.cluster_resource_namespace,
                        key,
                        Some(file),
                    ));
                    commands.push(
                        "# or, with access to a cluster's namespace only, from its certificate:"
                            .to_owned(),
                    );
                }
                commands.push(from_cluster(file));
            }
            (Trust::Vault, Some(file)) => {
                let server = tls.vault.server.clone().unwrap_or_default();
                let mount = vault_mount(&tls.vault.path);
                commands.push(format!(
                    "curl -fsS {} -o {}",
                    shell_word(&format!(
                        "{}/v1/{mount}/ca/pem",
                        server.trim_end_matches('/')
                    )),
                    shell_word(file)
                ));
                commands.push("# or from a cluster's certificate:".to_owned());
                commands.push(from_cluster(file));
            }
            _ => {}
        }
        let issuer_type = match kind {
            Trust::Unknown => None,
            _ => Some(match tls.issuer_type {
                IssuerType::SelfSigned => "selfSigned",
                IssuerType::Ca => "ca",
                IssuerType::Acme => "acme",
                IssuerType::Vault => "vault",
                IssuerType::CaBootstrap => "caBootstrap",
            }),
        };
        Self {
            kind: kind.name(),
            issuer_kind,
            issuer,
            issuer_type,
            clusters: Vec::new(),
            file: match kind {
                Trust::Ca | Trust::Vault => file,
                _ => None,
            },
            commands,
        }
    }
}

/// The PKI mount of a Vault signing path: `pki` of `pki/sign/postgres`.
fn vault_mount(path: &str) -> String {
    let path = path.trim_matches('/');
    for marker in ["/sign/", "/issue/", "/sign-verbatim"] {
        if let Some(at) = path.find(marker) {
            return path.get(..at).unwrap_or(path).to_owned();
        }
    }
    path.split('/').next().unwrap_or(path).to_owned()
}

impl Example {
    fn new(connection: &Connection, cluster: &Cluster, root_cert: Option<String>) -> Self {
        let c = connection;
        let base = format!(
            "{}:{}/{}?sslmode=verify-full",
            c.hostname,
            c.port,
            percent_encode(&c.database)
        );
        let user = percent_encode(&c.user);
        let root = root_cert.as_deref().map(percent_encode);
        let libpq_root = format!("&sslrootcert={}", root.as_deref().unwrap_or("system"));
        let file_root = root
            .as_deref()
            .map(|r| format!("&sslrootcert={r}"))
            .unwrap_or_default();
        let transaction_pooled = c.transaction_pooled();
        let jdbc_url = format!(
            "jdbc:postgresql://{base}{}{}",
            match &root {
                Some(r) => format!("&sslrootcert={r}"),
                None => "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory".to_owned(),
            },
            if transaction_pooled {
                "&prepareThreshold=0"
            } else {
                ""
            }
        );
        let go_dsn = format!(
            "postgresql://{user}@{base}{file_root}{}",
            if transaction_pooled {
                "&default_query_exec_mode=simple_protocol"
            } else {
                ""
            }
        );
        let secret = credentials_secret(&c.user, &cluster.name);
        Self {
            cluster: c.cluster.clone(),
            endpoint: c.endpoint.as_str(),
            host: c.hostname.clone(),
            port: c.port,
            user: c.user.clone(),
            database: c.database.clone(),
            transaction_pooled,
            libpq_uri: format!("{}{libpq_root}", c.uri),
            jdbc_url,
            go_dsn,
            // configparser reads `%` as interpolation in alembic.ini.
            sqlalchemy_url: format!("postgresql+psycopg://{user}@{base}{libpq_root}")
                .replace('%', "%%"),
            migrate_url: format!("postgres://{user}@{base}{file_root}"),
            password_command: format!(
                "export PGPASSWORD=\"$({})\"",
                secret_key(&secret, &cluster.namespace, "password", None)
            ),
            root_cert,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_stay_one_word_on_one_line() {
        assert_eq!(
            shell_word("temporal-db.pnats.cloud"),
            "temporal-db.pnats.cloud"
        );
        assert_eq!(shell_word("a&b"), "'a&b'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("a\nb`c'"), r"$'a\x0ab\x60c\''");
    }

    #[test]
    fn credentials_secrets_replace_underscores() {
        assert_eq!(
            credentials_secret("platform_admin", "temporal-db"),
            "platform-admin.temporal-db.credentials.postgresql.acid.zalan.do"
        );
    }

    #[test]
    fn vault_mount_is_the_path_before_sign() {
        assert_eq!(vault_mount("pki/sign/postgres"), "pki");
        assert_eq!(vault_mount("/pki_int/issue/db"), "pki_int");
        assert_eq!(vault_mount("pki"), "pki");
    }
}
