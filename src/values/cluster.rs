//! One PostgreSQL cluster (`pgClusters[]`): the Zalando `postgresql` and what surrounds it.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::{ClusterExternalAccess, ClusterTls};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Cluster {
    /// Name of the `postgresql` object (required).
    pub name: String,
    /// Namespace of the cluster (required).
    pub namespace: String,
    pub team_id: String,
    pub number_of_instances: i64,
    /// Group of the Postgres process; lets it read the mounted TLS key.
    #[serde(rename = "spiloFSGroup")]
    pub spilo_fs_group: Option<i64>,
    pub pg_version: String,
    pub size: String,
    pub storage_class: String,
    pub iops: Option<i64>,
    pub throughput: Option<i64>,
    /// Labels added to every object of the cluster.
    pub labels: IndexMap<String, String>,
    pub resources: Resources,
    /// The operator's own load balancers (normally off).
    pub lb: OperatorLoadBalancers,
    pub pooler: Pooler,
    /// Role name → flags (`login`, `createdb`, …).
    pub users: IndexMap<String, Vec<String>>,
    pub users_with_secret_rotation: Vec<String>,
    /// Database name → owner.
    pub databases: IndexMap<String, String>,
    pub patroni: Patroni,
    pub postgresql: Postgresql,
    pub monitoring: Monitoring,
    pub pdb: Pdb,
    pub maintenance_windows: Vec<String>,
    pub node_affinity: Option<serde_json::Value>,
    pub tolerations: Option<serde_json::Value>,
    pub pod_annotations: IndexMap<String, String>,
    pub service_annotations: IndexMap<String, String>,
    pub env: Vec<EnvVar>,
    pub logical_backup: LogicalBackup,
    pub clone: Option<Clone>,
    pub standby: Option<Standby>,
    pub tls: ClusterTls,
    pub external_access: ClusterExternalAccess,
}

impl Default for Cluster {
    fn default() -> Self {
        Self {
            name: String::new(),
            namespace: String::new(),
            team_id: "platform".into(),
            number_of_instances: 3,
            spilo_fs_group: Some(103),
            pg_version: "16".into(),
            size: "50Gi".into(),
            storage_class: "plt-blk-hdd-repl".into(),
            iops: None,
            throughput: None,
            labels: IndexMap::new(),
            resources: Resources::default(),
            lb: OperatorLoadBalancers::default(),
            pooler: Pooler::default(),
            users: IndexMap::new(),
            users_with_secret_rotation: Vec::new(),
            databases: IndexMap::new(),
            patroni: Patroni::default(),
            postgresql: Postgresql::default(),
            monitoring: Monitoring::default(),
            pdb: Pdb::default(),
            maintenance_windows: Vec::new(),
            node_affinity: None,
            tolerations: None,
            pod_annotations: IndexMap::new(),
            service_annotations: IndexMap::new(),
            env: Vec::new(),
            logical_backup: LogicalBackup::default(),
            clone: None,
            standby: None,
            tls: ClusterTls::default(),
            external_access: ClusterExternalAccess::default(),
        }
    }
}

impl Cluster {
    /// Whether the master's PgBouncer exists.
    pub fn master_pooler(&self) -> bool {
        self.pooler.enabled
    }

    /// Whether the replicas' PgBouncer exists: it needs the pooler switched on as a whole.
    pub fn replica_pooler(&self) -> bool {
        self.pooler.enabled && self.pooler.replica.enabled
    }

    pub fn tls_secret_name(&self) -> String {
        self.tls
            .secret_name
            .clone()
            .unwrap_or_else(|| format!("{}-tls-cert", self.name))
    }
}

/// CPU and memory requests and limits, each defaulted separately by where it is used
/// ([`Resources::or`]). Quantities are strings whatever way they were written: the
/// `postgresql` CRD rejects `cpu: 2` as an integer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Resources {
    pub requests: ResourceAmounts,
    pub limits: ResourceAmounts,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourceAmounts {
    pub cpu: Option<String>,
    pub memory: Option<String>,
}

/// Resources with every quantity filled in.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EffectiveResources {
    pub requests: EffectiveAmounts,
    pub limits: EffectiveAmounts,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EffectiveAmounts {
    pub cpu: String,
    pub memory: String,
}

impl Resources {
    /// These resources, each missing quantity taken from the chart's default for the
    /// place they are used: `((request cpu, request memory), (limit cpu, limit memory))`.
    pub fn or(&self, defaults: ResourceDefaults) -> EffectiveResources {
        let ((rc, rm), (lc, lm)) = defaults;
        let pick = |v: &Option<String>, d: &str| v.clone().unwrap_or_else(|| d.to_owned());
        EffectiveResources {
            requests: EffectiveAmounts {
                cpu: pick(&self.requests.cpu, rc),
                memory: pick(&self.requests.memory, rm),
            },
            limits: EffectiveAmounts {
                cpu: pick(&self.limits.cpu, lc),
                memory: pick(&self.limits.memory, lm),
            },
        }
    }
}

pub type ResourceDefaults = ((&'static str, &'static str), (&'static str, &'static str));
pub const POSTGRES_RESOURCES: ResourceDefaults = (("500m", "1Gi"), ("2000m", "4Gi"));
pub const POOLER_RESOURCES: ResourceDefaults = (("100m", "128Mi"), ("500m", "256Mi"));
pub const EXPORTER_RESOURCES: ResourceDefaults = (("50m", "64Mi"), ("200m", "128Mi"));

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Switch {
    pub enabled: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OperatorLoadBalancers {
    pub master: Switch,
    pub replica: Switch,
    pub allowed_source_ranges: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolerLoadBalancers {
    pub master: Switch,
    pub replica: Switch,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PoolerMode {
    #[default]
    Transaction,
    Session,
}

impl PoolerMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PoolerMode::Transaction => "transaction",
            PoolerMode::Session => "session",
        }
    }
}

/// PgBouncer, run by the operator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pooler {
    pub enabled: bool,
    pub replica: Switch,
    pub instances: i64,
    pub mode: PoolerMode,
    pub schema: String,
    pub user: String,
    pub resources: Resources,
    pub lb: PoolerLoadBalancers,
}

impl Default for Pooler {
    fn default() -> Self {
        Self {
            enabled: true,
            replica: Switch { enabled: true },
            instances: 2,
            mode: PoolerMode::Transaction,
            schema: "pooler".into(),
            user: "pooler".into(),
            resources: Resources::default(),
            lb: PoolerLoadBalancers::default(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Patroni {
    pub synchronous_mode: bool,
    pub synchronous_mode_strict: bool,
    pub synchronous_node_count: Option<i64>,
    /// Replication slots by name.
    pub slots: IndexMap<String, Slot>,
    /// Replaces the built-in pg_hba when set.
    pub pg_hba: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Slot {
    #[serde(rename = "type")]
    pub kind: String,
    pub database: Option<String>,
    pub plugin: Option<String>,
}

impl Default for Slot {
    fn default() -> Self {
        Self {
            kind: "physical".into(),
            database: None,
            plugin: None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Postgresql {
    /// Merged over the built-in parameter set.
    pub parameters: IndexMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Monitoring {
    pub exporter_image: String,
    pub resources: Resources,
    pub custom_queries: bool,
}

impl Default for Monitoring {
    fn default() -> Self {
        Self {
            exporter_image: "quay.io/prometheuscommunity/postgres-exporter:v0.15.0".into(),
            resources: Resources::default(),
            custom_queries: false,
        }
    }
}

/// An integer or a percentage, as PodDisruptionBudgets take them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrPercent {
    Int(i64),
    Percent(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Pdb {
    pub min_available: Option<IntOrPercent>,
    pub max_unavailable: Option<IntOrPercent>,
    pub sync_wave: String,
}

impl Default for Pdb {
    fn default() -> Self {
        Self {
            min_available: None,
            max_unavailable: None,
            sync_wave: "2".into(),
        }
    }
}

impl Pdb {
    /// The chart renders a budget only for a non-zero setting; `minAvailable: 0` allows
    /// every disruption, which is what no budget does.
    pub fn is_set(&self) -> bool {
        let set = |v: &Option<IntOrPercent>| match v {
            None => false,
            Some(IntOrPercent::Int(i)) => *i != 0,
            Some(IntOrPercent::Percent(p)) => !p.is_empty(),
        };
        set(&self.min_available) || set(&self.max_unavailable)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LogicalBackup {
    pub enabled: bool,
    pub schedule: String,
    /// Operator-wide settings: refused (PGX409), never rendered.
    pub s3_bucket: Option<String>,
    pub s3_region: Option<String>,
    pub s3_endpoint: Option<String>,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
}

impl Default for LogicalBackup {
    fn default() -> Self {
        Self {
            enabled: false,
            schedule: "30 00 * * *".into(),
            s3_bucket: None,
            s3_region: None,
            s3_endpoint: None,
            s3_access_key_id: None,
            s3_secret_access_key: None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Clone {
    pub cluster: Option<String>,
    pub timestamp: Option<String>,
    pub uid: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Standby {
    pub s3_wal_path: Option<String>,
    pub standby_host: Option<String>,
    pub standby_port: String,
}

impl Default for Standby {
    fn default() -> Self {
        Self {
            s3_wal_path: None,
            standby_host: None,
            standby_port: "5432".into(),
        }
    }
}
