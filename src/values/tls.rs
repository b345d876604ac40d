//! cert-manager settings: the issuer pgx creates and each cluster's certificate.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// What kind of issuer `tls.createIssuer` renders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GlobalTls {
    /// Render the issuer (the cluster-issuer manifest).
    pub create_issuer: bool,
    /// Name of the issuer created, and the default issuer of every certificate.
    pub issuer_name: String,
    /// Default `issuerRef.kind` of certificates.
    pub issuer_kind: IssuerKind,
    pub issuer_type: IssuerType,
    /// ArgoCD sync wave of the issuer.
    pub issuer_sync_wave: String,
    /// Secret holding the CA key pair (`issuerType: ca`).
    pub ca_secret_name: Option<String>,
    pub acme: Acme,
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Acme {
    pub server: String,
    pub email: Option<String>,
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Vault {
    pub server: Option<String>,
    pub path: String,
    /// cert-manager Vault auth, passed through; without it, Kubernetes auth from the keys
    /// below.
    pub auth: Option<serde_json::Value>,
    pub role: String,
    pub mount_path: String,
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ClusterTls {
    pub enabled: bool,
    /// Secret the certificate is stored in; `<name>-tls-cert` when unset.
    pub secret_name: Option<String>,
    pub certificate_file: String,
    pub private_key_file: String,
    pub ca_file: Option<String>,
    pub ca_enabled: bool,
    pub ca_file_name: String,
    pub sync_wave: String,
    pub duration: String,
    pub renew_before: String,
    pub organization: String,
    #[serde(rename = "additionalDNSNames")]
    pub additional_dns_names: Vec<String>,
    pub ip_addresses: Vec<String>,
    /// Issuer name; the global `tls.issuerName` when unset.
    pub issuer: Option<String>,
    pub issuer_kind: Option<IssuerKind>,
    /// Full issuer reference; wins over `issuer` / `issuerKind`.
    pub issuer_ref: Option<IssuerRef>,
    pub private_key: PrivateKey,
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

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IssuerRef {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub group: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SecretTemplate {
    pub labels: IndexMap<String, String>,
    pub annotations: IndexMap<String, String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyEncoding {
    #[default]
    #[serde(rename = "PKCS1")]
    Pkcs1,
    #[serde(rename = "PKCS8")]
    Pkcs8,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RotationPolicy {
    #[default]
    Always,
    Never,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PrivateKey {
    pub algorithm: KeyAlgorithm,
    /// Key size; 2048 for RSA and 256 for ECDSA when unset, none for Ed25519.
    pub size: Option<i64>,
    pub encoding: KeyEncoding,
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
