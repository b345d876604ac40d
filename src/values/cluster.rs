//! One PostgreSQL cluster (`pgClusters[]`): the Zalando `postgresql` and what surrounds it.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ClusterExternalAccess, ClusterTls};

/// One PostgreSQL cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
#[schemars(extend("required" = ["name", "namespace"]))]
pub struct Cluster {
    /// Name of the `postgresql` object (required).
    pub name: String,
    /// Namespace of the cluster (required).
    pub namespace: String,
    /// Team of the `postgresql` object (`teamId`).
    pub team_id: String,
    /// Postgres pods: one master, the rest replicas.
    pub number_of_instances: i64,
    /// Group of the Postgres process; lets it read the mounted TLS key.
    #[serde(rename = "spiloFSGroup")]
    pub spilo_fs_group: Option<i64>,
    /// PostgreSQL major version.
    pub pg_version: String,
    /// Volume size of each instance.
    pub size: String,
    /// StorageClass of the volumes.
    pub storage_class: String,
    /// Provisioned IOPS of the volumes (AWS gp3).
    pub iops: Option<i64>,
    /// Provisioned throughput of the volumes in MB/s (AWS gp3).
    pub throughput: Option<i64>,
    /// Labels added to every object of the cluster.
    pub labels: IndexMap<String, String>,
    /// Postgres container resources; 500m/1Gi requests, 2000m/4Gi limits when unset.
    pub resources: Resources,
    /// The operator's own load balancers (normally off).
    pub lb: OperatorLoadBalancers,
    /// The connection pooler (PgBouncer), run by the operator.
    pub pooler: Pooler,
    /// Role name → flags (`login`, `createdb`, …).
    pub users: IndexMap<String, Vec<String>>,
    /// Users whose password the operator rotates.
    pub users_with_secret_rotation: Vec<String>,
    /// Database name → owner.
    pub databases: IndexMap<String, String>,
    /// Patroni settings.
    pub patroni: Patroni,
    /// PostgreSQL settings.
    pub postgresql: Postgresql,
    /// The postgres_exporter sidecar.
    pub monitoring: Monitoring,
    /// PodDisruptionBudget.
    pub pdb: Pdb,
    /// Maintenance windows, `Ddd:HH:MM-HH:MM` or `HH:MM-HH:MM`.
    pub maintenance_windows: Vec<String>,
    /// Node affinity of the pods, passed through.
    pub node_affinity: Option<serde_json::Value>,
    /// Tolerations of the pods, passed through.
    pub tolerations: Option<serde_json::Value>,
    /// Annotations of the pods.
    pub pod_annotations: IndexMap<String, String>,
    /// Annotations of the operator's Services.
    pub service_annotations: IndexMap<String, String>,
    /// Environment variables of the Postgres container.
    pub env: Vec<EnvVar>,
    /// Logical backups (`pg_dumpall` to S3) by the operator.
    pub logical_backup: LogicalBackup,
    /// Clone this cluster from another.
    pub clone: Option<Clone>,
    /// Run this cluster as a standby of another.
    pub standby: Option<Standby>,
    /// The cluster's certificate.
    pub tls: ClusterTls,
    /// LoadBalancer Services that expose the cluster outside Kubernetes.
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

    /// The Services the operator creates for this cluster, in this order: the master's
    /// (`<name>`), the replicas' (`<name>-repl`), and the poolers' that exist
    /// (`<name>-pooler`, `<name>-pooler-repl`).
    pub fn operator_services(&self) -> Vec<String> {
        let mut services = vec![self.name.clone(), [&self.name, "-repl"].concat()];
        if self.master_pooler() {
            services.push([&self.name, "-pooler"].concat());
        }
        if self.replica_pooler() {
            services.push([&self.name, "-pooler-repl"].concat());
        }
        services
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
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Resources {
    /// Requests.
    pub requests: ResourceAmounts,
    /// Limits.
    pub limits: ResourceAmounts,
}

/// CPU and memory quantities.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ResourceAmounts {
    /// CPU quantity (`500m`).
    pub cpu: Option<String>,
    /// Memory quantity (`1Gi`).
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

/// An on/off block.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Switch {
    /// Whether it is on.
    pub enabled: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct OperatorLoadBalancers {
    /// The operator's master load balancer.
    pub master: Switch,
    /// The operator's replica load balancer.
    pub replica: Switch,
    /// Source ranges of the operator's load balancers.
    pub allowed_source_ranges: Vec<String>,
}

/// The operator's own pooler load balancers (normally off).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct PoolerLoadBalancers {
    /// The master pooler's load balancer.
    pub master: Switch,
    /// The replica pooler's load balancer.
    pub replica: Switch,
}

/// PgBouncer pool mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Pooler {
    /// Run PgBouncer for the master (the write endpoint goes through it).
    pub enabled: bool,
    /// Run PgBouncer for the replicas (the read endpoint goes through it).
    pub replica: Switch,
    /// PgBouncer pods per pooler.
    pub instances: i64,
    /// `transaction` (most connections; no session state) or `session`.
    pub mode: PoolerMode,
    /// Schema of the pooler's lookup function.
    pub schema: String,
    /// Role PgBouncer authenticates with.
    pub user: String,
    /// PgBouncer resources; 100m/128Mi requests, 500m/256Mi limits when unset.
    pub resources: Resources,
    /// The operator's own pooler load balancers (normally off).
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

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Patroni {
    /// Synchronous replication.
    pub synchronous_mode: bool,
    /// Refuse writes when no synchronous replica is available.
    pub synchronous_mode_strict: bool,
    /// Synchronous replicas (below `numberOfInstances`).
    pub synchronous_node_count: Option<i64>,
    /// Replication slots by name.
    pub slots: IndexMap<String, Slot>,
    /// Replaces the built-in pg_hba when set.
    pub pg_hba: Option<Vec<String>>,
}

/// A replication slot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Slot {
    /// `physical` or `logical`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Database of a logical slot.
    pub database: Option<String>,
    /// Output plugin of a logical slot (`pgoutput`).
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

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Postgresql {
    /// Merged over the built-in parameter set.
    pub parameters: IndexMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Monitoring {
    /// postgres_exporter image.
    pub exporter_image: String,
    /// Exporter resources; 50m/64Mi requests, 200m/128Mi limits when unset.
    pub resources: Resources,
    /// Mount custom exporter queries.
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum IntOrPercent {
    Int(i64),
    Percent(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Pdb {
    /// Pods that must stay up (below `numberOfInstances`); a budget is rendered when this
    /// or `maxUnavailable` is set and not 0.
    pub min_available: Option<IntOrPercent>,
    /// Pods that may be down at once.
    pub max_unavailable: Option<IntOrPercent>,
    /// ArgoCD sync wave of the PDB.
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

/// An environment variable.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct EnvVar {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct LogicalBackup {
    /// Run logical backups.
    pub enabled: bool,
    /// Cron schedule of the backups.
    pub schedule: String,
    /// Operator-wide settings: refused (PGX409), never rendered.
    pub s3_bucket: Option<String>,
    /// Operator-wide setting: refused here (PGX409).
    pub s3_region: Option<String>,
    /// Operator-wide setting: refused here (PGX409).
    pub s3_endpoint: Option<String>,
    /// Operator-wide setting: refused here (PGX409).
    pub s3_access_key_id: Option<String>,
    /// Operator-wide setting: refused here (PGX409, PGX501).
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

/// Where a cloned cluster comes from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Clone {
    /// Name of the cluster to clone.
    pub cluster: Option<String>,
    /// Point in time to clone (RFC 3339 with time zone).
    pub timestamp: Option<String>,
    /// UID of the source cluster (for its WAL bucket path).
    pub uid: Option<String>,
}

/// Where a standby cluster replicates from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Standby {
    /// WAL archive to replay.
    pub s3_wal_path: Option<String>,
    /// Host to stream from.
    pub standby_host: Option<String>,
    /// Port to stream from.
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
