//! External access: the MetalLB LoadBalancer Services in front of each cluster.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The three endpoints of a cluster.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum EndpointKind {
    /// The master, through PgBouncer in transaction mode.
    Write,
    /// The replicas, through PgBouncer.
    Read,
    /// The master directly, for migrations.
    Admin,
}

impl EndpointKind {
    pub const ALL: [EndpointKind; 3] =
        [EndpointKind::Write, EndpointKind::Read, EndpointKind::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            EndpointKind::Write => "write",
            EndpointKind::Read => "read",
            EndpointKind::Admin => "admin",
        }
    }

    /// The chart's port for this endpoint when the cluster sets none.
    pub fn default_port(self) -> i64 {
        match self {
            EndpointKind::Write => 5432,
            EndpointKind::Read => 5433,
            EndpointKind::Admin => 5434,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct GlobalExternalAccess {
    /// MetalLB IP of every write service.
    #[serde(rename = "writeIP")]
    pub write_ip: Option<String>,
    /// MetalLB IP of every read service.
    #[serde(rename = "readIP")]
    pub read_ip: Option<String>,
    /// MetalLB IP of every admin service.
    #[serde(rename = "adminIP")]
    pub admin_ip: Option<String>,
    /// Older spelling of the three keys above.
    #[serde(rename = "sharedIPs")]
    pub shared_ips: SharedIps,
    /// One IP for write and read together.
    #[serde(rename = "pooledIP")]
    pub pooled_ip: Option<String>,
    /// One IP for all three kinds.
    #[serde(rename = "sharedIP")]
    pub shared_ip: Option<String>,
    /// `metallb.io/address-pool` of every service.
    pub address_pool: String,
    /// Domain of the default hostnames `<cluster>-<kind>.<domain>`.
    pub domain: String,
    /// MetalLB reads `metallb.io/` since v0.14.9 and only `metallb.universe.tf/` before.
    pub metallb_annotation_prefix: String,
    /// external-dns v0.22.0 reads `external-dns.kubernetes.io/` unless started with
    /// `--annotation-prefix`.
    pub external_dns_annotation_prefix: String,
}

impl Default for GlobalExternalAccess {
    fn default() -> Self {
        Self {
            write_ip: None,
            read_ip: None,
            admin_ip: None,
            shared_ips: SharedIps::default(),
            pooled_ip: None,
            shared_ip: None,
            address_pool: "public-pool".into(),
            domain: "pnats.cloud".into(),
            metallb_annotation_prefix: "metallb.io/".into(),
            external_dns_annotation_prefix: "external-dns.alpha.kubernetes.io/".into(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct SharedIps {
    /// Same as `writeIP`.
    pub write: Option<String>,
    /// Same as `readIP`.
    pub read: Option<String>,
    /// Same as `adminIP`.
    pub admin: Option<String>,
}

/// `externalTrafficPolicy` of a Service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TrafficPolicy {
    /// Keeps the client's address; MetalLB shares an IP between `Local` services only when
    /// they select the same pods.
    Local,
    Cluster,
}

impl TrafficPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            TrafficPolicy::Local => "Local",
            TrafficPolicy::Cluster => "Cluster",
        }
    }
}

/// `sessionAffinity` of a Service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SessionAffinity {
    #[serde(rename = "ClientIP")]
    ClientIp,
    None,
}

impl SessionAffinity {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionAffinity::ClientIp => "ClientIP",
            SessionAffinity::None => "None",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct ClusterExternalAccess {
    /// Render this cluster's external Services.
    pub enabled: bool,
    /// ArgoCD sync wave of the services.
    pub sync_wave: String,
    /// Source ranges of every endpoint that sets none of its own.
    pub allowed_source_ranges: Option<Vec<String>>,
    /// One port for all three endpoints of this cluster.
    pub port: Option<i64>,
    /// The write endpoint: the master through PgBouncer.
    pub write: EndpointValues,
    /// The read endpoint: the replicas through PgBouncer.
    pub read: EndpointValues,
    /// The admin endpoint: the master directly, for migrations.
    pub admin: EndpointValues,
}

impl Default for ClusterExternalAccess {
    fn default() -> Self {
        Self {
            enabled: false,
            sync_wave: "1".into(),
            allowed_source_ranges: None,
            port: None,
            write: EndpointValues::default(),
            read: EndpointValues::default(),
            admin: EndpointValues::default(),
        }
    }
}

impl ClusterExternalAccess {
    pub fn endpoint(&self, kind: EndpointKind) -> &EndpointValues {
        match kind {
            EndpointKind::Write => &self.write,
            EndpointKind::Read => &self.read,
            EndpointKind::Admin => &self.admin,
        }
    }
}

/// One endpoint's block (`externalAccess.write`, `.read`, `.admin`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct EndpointValues {
    /// Render this endpoint's Service.
    pub enabled: bool,
    /// `<name>-<kind>.<domain>` when unset.
    pub hostname: Option<String>,
    /// Port; `externalAccess.port` of the cluster, else 5432 / 5433 / 5434 for write / read
    /// / admin.
    pub port: Option<i64>,
    /// MetalLB IP of this Service; wins over the global IP keys.
    #[serde(rename = "loadBalancerIP")]
    pub load_balancer_ip: Option<String>,
    /// CIDRs allowed to connect (`loadBalancerSourceRanges`); the cluster's
    /// `externalAccess.allowedSourceRanges` when unset.
    pub allowed_source_ranges: Option<Vec<String>>,
    /// `Local` for write and read, `Cluster` for admin when unset (and `Cluster` where an
    /// IP is shared with services selecting other pods).
    pub external_traffic_policy: Option<TrafficPolicy>,
    /// `ClientIP` for write and admin, `None` for read when unset.
    pub session_affinity: Option<SessionAffinity>,
    /// Seconds of `ClientIP` affinity (1-86400).
    pub session_affinity_timeout: i64,
    /// Annotations added to the Service.
    pub annotations: IndexMap<String, String>,
}

impl Default for EndpointValues {
    fn default() -> Self {
        Self {
            enabled: false,
            hostname: None,
            port: None,
            load_balancer_ip: None,
            allowed_source_ranges: None,
            external_traffic_policy: None,
            session_affinity: None,
            session_affinity_timeout: 10800,
            annotations: IndexMap::new(),
        }
    }
}
