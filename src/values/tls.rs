//! cert-manager settings: the issuer pgx creates and each cluster's certificate.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What kind of issuer `tls.createIssuer` renders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum IssuerType {
    /// One self-signed issuer: each certificate is signed by its own key.
    #[default]
    #[serde(rename = "selfSigned")]
    SelfSigned,
    /// A CA whose key pair is in `tls.caSecretName`.
    #[serde(rename = "ca")]
    Ca,
    /// An ACME server such as Let's Encrypt.
    #[serde(rename = "acme")]
    Acme,
    /// HashiCorp Vault PKI.
    #[serde(rename = "vault")]
    Vault,
    /// pgx's chain: a self-signed issuer signs one CA certificate, whose CA issuer signs
    /// the clusters' certificates, so clients trust one stable CA.
    #[serde(rename = "caBootstrap")]
    CaBootstrap,
}

/// cert-manager issuer kinds: cluster-wide or namespaced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum IssuerKind {
    #[default]
    ClusterIssuer,
    Issuer,
}

impl IssuerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IssuerKind::ClusterIssuer => "ClusterIssuer",
            IssuerKind::Issuer => "Issuer",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct GlobalTls {
    /// Render the issuer (the cluster-issuer manifest).
    pub create_issuer: bool,
    /// Name of the issuer created, and the default issuer of every certificate.
    pub issuer_name: String,
    /// Default `issuerRef.kind` of certificates.
    pub issuer_kind: IssuerKind,
    /// What the created issuer is: `selfSigned`, `ca`, `acme`, `vault`, or pgx's
    /// `caBootstrap` (a self-signed root that signs one CA, which signs the certificates).
    pub issuer_type: IssuerType,
    /// ArgoCD sync wave of the issuer.
    pub issuer_sync_wave: String,
    /// Secret holding the CA key pair (`issuerType: ca`).
    pub ca_secret_name: Option<String>,
    /// ACME issuer settings (`issuerType: acme`).
    pub acme: Acme,
    /// Vault PKI issuer settings (`issuerType: vault`).
    pub vault: Vault,
    /// Namespace where cert-manager keeps ClusterIssuer secrets (`caBootstrap`).
    pub cluster_resource_namespace: String,
}

impl Default for GlobalTls {
    fn default() -> Self {
        Self {
            create_issuer: true,
            issuer_name: "platform-postgres-ca".into(),
            issuer_kind: IssuerKind::ClusterIssuer,
            issuer_type: IssuerType::SelfSigned,
            issuer_sync_wave: "-5".into(),
            ca_secret_name: None,
            acme: Acme::default(),
            vault: Vault::default(),
            cluster_resource_namespace: "cert-manager".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Acme {
    /// ACME directory URL.
    pub server: String,
    /// Account e-mail (required for `issuerType: acme`).
    pub email: Option<String>,
    /// Secret that holds the ACME account key.
    pub private_key_secret: String,
    /// Ingress class of the default HTTP-01 solver (used only without `solvers`).
    pub ingress_class: String,
    /// cert-manager solvers, passed through as written.
    pub solvers: Option<serde_json::Value>,
}

pub const LETS_ENCRYPT_PRODUCTION: &str = "https://acme-v02.api.letsencrypt.org/directory";

impl Default for Acme {
    fn default() -> Self {
        Self {
            server: LETS_ENCRYPT_PRODUCTION.into(),
            email: None,
            private_key_secret: "postgres-acme-issuer-key".into(),
            ingress_class: "nginx".into(),
            solvers: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Vault {
    /// Vault URL (required for `issuerType: vault`).
    pub server: Option<String>,
    /// PKI signing path.
    pub path: String,
    /// cert-manager Vault auth, passed through; without it, Kubernetes auth from the keys
    /// below.
    pub auth: Option<serde_json::Value>,
    /// Vault role of the default Kubernetes auth.
    pub role: String,
    /// Mount path of the default Kubernetes auth.
    pub mount_path: String,
    /// Secret with the service account token of the default Kubernetes auth.
    pub secret_name: String,
}

impl Default for Vault {
    fn default() -> Self {
        Self {
            server: None,
            path: "pki/sign/postgres".into(),
            auth: None,
            role: "postgres-issuer".into(),
            mount_path: "/v1/auth/kubernetes".into(),
            secret_name: "postgres-issuer-token".into(),
        }
    }
}

/// A cluster's certificate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct ClusterTls {
    /// Issue a certificate for the cluster and make Postgres use it.
    pub enabled: bool,
    /// Secret the certificate is stored in; `<name>-tls-cert` when unset.
    pub secret_name: Option<String>,
    /// Key of the certificate in the Secret.
    pub certificate_file: String,
    /// Key of the private key in the Secret.
    pub private_key_file: String,
    /// Key of the CA certificate in the Secret, given to Postgres as `tls.caFile`.
    pub ca_file: Option<String>,
    /// Give Postgres the CA certificate `caFileName` (when `caFile` is unset).
    pub ca_enabled: bool,
    /// Key of the CA certificate when `caEnabled`.
    pub ca_file_name: String,
    /// ArgoCD sync wave of the Certificate.
    pub sync_wave: String,
    /// Certificate lifetime (Go duration, at least `1h`).
    pub duration: String,
    /// Renew this long before expiry (shorter than `duration`).
    pub renew_before: String,
    /// Subject organization.
    pub organization: String,
    /// More DNS names for the certificate (external hostnames are added automatically only
    /// when `includeInternalNames: false`).
    #[serde(rename = "additionalDNSNames")]
    pub additional_dns_names: Vec<String>,
    /// IP addresses for the certificate.
    pub ip_addresses: Vec<String>,
    /// Issuer name; the global `tls.issuerName` when unset.
    pub issuer: Option<String>,
    /// `ClusterIssuer` or `Issuer`; the global `tls.issuerKind` when unset.
    pub issuer_kind: Option<IssuerKind>,
    /// Full issuer reference; wins over `issuer` / `issuerKind`.
    pub issuer_ref: Option<IssuerRef>,
    /// Private key settings.
    pub private_key: PrivateKey,
    /// Issue a CA certificate.
    #[serde(rename = "isCA")]
    pub is_ca: bool,
    /// When false, the certificate names only the external hostnames and
    /// `additionalDNSNames`, which a public ACME issuer can sign.
    pub include_internal_names: bool,
    /// Labels and annotations added to the Secret cert-manager writes.
    pub secret_template: SecretTemplate,
}

impl Default for ClusterTls {
    fn default() -> Self {
        Self {
            enabled: false,
            secret_name: None,
            certificate_file: "tls.crt".into(),
            private_key_file: "tls.key".into(),
            ca_file: None,
            ca_enabled: false,
            ca_file_name: "ca.crt".into(),
            sync_wave: "-1".into(),
            duration: "2160h".into(),
            renew_before: "720h".into(),
            organization: "ProficientNow Cloud Platform".into(),
            additional_dns_names: Vec::new(),
            ip_addresses: Vec::new(),
            issuer: None,
            issuer_kind: None,
            issuer_ref: None,
            private_key: PrivateKey::default(),
            is_ca: false,
            include_internal_names: true,
            secret_template: SecretTemplate::default(),
        }
    }
}

/// A cert-manager `issuerRef`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct IssuerRef {
    /// Issuer name.
    pub name: Option<String>,
    /// Issuer kind (`ClusterIssuer`, `Issuer`, or an external issuer's kind).
    pub kind: Option<String>,
    /// API group of an external issuer.
    pub group: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct SecretTemplate {
    /// Labels of the Secret (not under `cert-manager.io/`).
    pub labels: IndexMap<String, String>,
    /// Annotations of the Secret (not under `cert-manager.io/`).
    pub annotations: IndexMap<String, String>,
}

/// Private key algorithm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum KeyAlgorithm {
    #[default]
    #[serde(rename = "RSA")]
    Rsa,
    #[serde(rename = "ECDSA")]
    Ecdsa,
    #[serde(rename = "Ed25519")]
    Ed25519,
}

impl KeyAlgorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa => "RSA",
            KeyAlgorithm::Ecdsa => "ECDSA",
            KeyAlgorithm::Ed25519 => "Ed25519",
        }
    }
}

/// Private key encoding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum KeyEncoding {
    #[default]
    #[serde(rename = "PKCS1")]
    Pkcs1,
    #[serde(rename = "PKCS8")]
    Pkcs8,
}

/// Whether a renewal makes a new private key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RotationPolicy {
    #[default]
    Always,
    Never,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct PrivateKey {
    /// `RSA`, `ECDSA` or `Ed25519`.
    pub algorithm: KeyAlgorithm,
    /// Key size; 2048 for RSA and 256 for ECDSA when unset, none for Ed25519.
    pub size: Option<i64>,
    /// `PKCS1` or `PKCS8`.
    pub encoding: KeyEncoding,
    /// `Always` makes a new key at each renewal; `Never` keeps it.
    pub rotation_policy: RotationPolicy,
}

impl PrivateKey {
    pub fn effective_size(&self) -> Option<i64> {
        match (self.size, self.algorithm) {
            (Some(size), _) => Some(size),
            (None, KeyAlgorithm::Rsa) => Some(2048),
            (None, KeyAlgorithm::Ecdsa) => Some(256),
            (None, KeyAlgorithm::Ed25519) => None,
        }
    }
}

impl KeyEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyEncoding::Pkcs1 => "PKCS1",
            KeyEncoding::Pkcs8 => "PKCS8",
        }
    }
}

impl RotationPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            RotationPolicy::Always => "Always",
            RotationPolicy::Never => "Never",
        }
    }
}
