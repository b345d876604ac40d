//! What each template is given: one object's data, every decision already taken (effective
//! flags, DNS names, selectors, sorted maps), so templates only lay data out.

use std::collections::BTreeMap;

use serde::Serialize;

use super::block::{Items, Pairs};
use crate::fleet::{Endpoint, Fleet};
use crate::values::{
    Cluster, EndpointKind, IntOrPercent, IssuerType, KeyAlgorithm, Values, EXPORTER_RESOURCES,
    POOLER_RESOURCES, POSTGRES_RESOURCES,
};

/// Ordered key/value pairs as views build them, written in this order (sorted where they
/// come from values, so reordering a map in values never changes the output); handed to
/// templates as [`Pairs`].
type KeyValues = Vec<(String, String)>;

/// PostgreSQL parameters every cluster gets; `postgresql.parameters` in values overrides or
/// extends them.
pub const BUILT_IN_PARAMETERS: &[(&str, &str)] = &[
    ("shared_buffers", "512MB"),
    ("effective_cache_size", "2GB"),
    ("maintenance_work_mem", "128MB"),
    ("work_mem", "16MB"),
    ("max_connections", "200"),
    ("wal_level", "replica"),
    ("archive_mode", "on"),
    ("archive_timeout", "300s"),
    ("max_wal_senders", "10"),
    ("wal_keep_size", "1GB"),
    ("max_replication_slots", "10"),
    ("logging_collector", "on"),
    ("log_destination", "stderr"),
    ("log_statement", "ddl"),
    ("log_min_duration_statement", "1000"),
    (
        "log_line_prefix",
        "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
    ),
    ("log_connections", "on"),
    ("log_disconnections", "on"),
    ("log_lock_waits", "on"),
    ("checkpoint_timeout", "15min"),
    ("checkpoint_completion_target", "0.9"),
    ("max_wal_size", "4GB"),
    ("min_wal_size", "1GB"),
    ("password_encryption", "scram-sha-256"),
    ("idle_in_transaction_session_timeout", "600000"),
    ("statement_timeout", "900000"),
];

/// The chart's pg_hba; `patroni.pgHba` in values replaces it.
pub const BUILT_IN_PG_HBA: &[&str] = &[
    "local   all             all                                   trust",
    "hostssl all             +zalandos       127.0.0.1/32          pam",
    "hostssl all             platform_admin  10.0.0.0/8            scram-sha-256",
    "hostssl all             postgres_exporter 10.0.0.0/8          scram-sha-256",
    "hostssl all             all             10.0.0.0/8            scram-sha-256",
    "host    all             all             10.0.0.0/8            scram-sha-256",
    "hostssl all             all             172.16.0.0/12         scram-sha-256",
    "host    all             all             172.16.0.0/12         scram-sha-256",
    "hostssl replication     standby         10.0.0.0/8            scram-sha-256",
    "host    replication     standby         10.0.0.0/8            scram-sha-256",
];

/// Roles every cluster gets, before the ones values declare.
pub const BUILT_IN_USERS: &[(&str, &[&str])] = &[
    ("platform_admin", &["superuser", "createdb", "createrole"]),
    ("postgres_exporter", &["login"]),
];

/// Fixed labels first, then `extra` sorted by key; an extra label never replaces a fixed one.
fn labels(fixed: &[(&str, &str)], extra: &indexmap::IndexMap<String, String>) -> Pairs {
    let fixed = fixed
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    fixed_then_extra(fixed, extra).into()
}

/// `fixed` first, then `extra` sorted by key; an extra entry never replaces a fixed one.
fn fixed_then_extra(mut fixed: KeyValues, extra: &indexmap::IndexMap<String, String>) -> KeyValues {
    for (k, v) in sorted(extra) {
        if !fixed.iter().any(|(f, _)| *f == k) {
            fixed.push((k, v));
        }
    }
    fixed
}

fn sorted(map: &indexmap::IndexMap<String, String>) -> KeyValues {
    let sorted: BTreeMap<&String, &String> = map.iter().collect();
    sorted
        .into_iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[derive(Serialize)]
pub struct NamespaceView {
    pub name: String,
    pub sync_wave: String,
}

pub fn namespaces(values: &Values) -> Vec<NamespaceView> {
    if !values.create_namespaces {
        return Vec::new();
    }
    let names: std::collections::BTreeSet<&str> = values
        .pg_clusters
        .iter()
        .map(|c| c.namespace.as_str())
        .collect();
    names
        .into_iter()
        .map(|name| NamespaceView {
            name: name.to_owned(),
            sync_wave: values.namespace_sync_wave.clone(),
        })
        .collect()
}

/// One object of the cluster-issuer manifest.
#[derive(Serialize)]
pub struct IssuerView {
    /// `issuer` or `ca-certificate` (the CA of the `caBootstrap` chain).
    pub object: &'static str,
    pub name: String,
    /// For the CA certificate.
    pub namespace: Option<String>,
    pub sync_wave: String,
    /// `selfSigned`, `ca`, `acme` or `vault`.
    pub spec: &'static str,
    pub ca_secret_name: Option<String>,
    pub acme_server: String,
    pub acme_email: Option<String>,
    pub acme_private_key_secret: String,
    pub acme_solvers: serde_json::Value,
    pub vault_server: Option<String>,
    pub vault_path: String,
    pub vault_auth: serde_json::Value,
    /// For the CA certificate: the self-signed issuer that signs it.
    pub signer: Option<String>,
}

pub fn issuers(values: &Values) -> Vec<IssuerView> {
    let tls = &values.tls;
    if !tls.create_issuer {
        return Vec::new();
    }
    let base = |name: String, spec: &'static str| IssuerView {
        object: "issuer",
        name,
        namespace: None,
        sync_wave: tls.issuer_sync_wave.clone(),
        spec,
        ca_secret_name: tls.ca_secret_name.clone(),
        acme_server: tls.acme.server.clone(),
        acme_email: tls.acme.email.clone(),
        acme_private_key_secret: tls.acme.private_key_secret.clone(),
        acme_solvers: tls.acme.solvers.clone().unwrap_or_else(
            || serde_json::json!([{"http01": {"ingress": {"class": tls.acme.ingress_class}}}]),
        ),
        vault_server: tls.vault.server.clone(),
        vault_path: tls.vault.path.clone(),
        vault_auth: tls.vault.auth.clone().unwrap_or_else(|| {
            serde_json::json!({"kubernetes": {
                "role": tls.vault.role,
                "mountPath": tls.vault.mount_path,
                "secretRef": {"name": tls.vault.secret_name, "key": "token"},
            }})
        }),
        signer: None,
    };
    match tls.issuer_type {
        IssuerType::SelfSigned => vec![base(tls.issuer_name.clone(), "selfSigned")],
        IssuerType::Ca => vec![base(tls.issuer_name.clone(), "ca")],
        IssuerType::Acme => vec![base(tls.issuer_name.clone(), "acme")],
        IssuerType::Vault => vec![base(tls.issuer_name.clone(), "vault")],
        IssuerType::CaBootstrap => {
            let root = format!("{}-selfsigned", tls.issuer_name);
            let mut certificate = base(tls.issuer_name.clone(), "ca");
            certificate.object = "ca-certificate";
            certificate.namespace = Some(tls.cluster_resource_namespace.clone());
            certificate.signer = Some(root.clone());
            let mut ca = base(tls.issuer_name.clone(), "ca");
            ca.ca_secret_name = Some(tls.issuer_name.clone());
            vec![base(root, "selfSigned"), certificate, ca]
        }
    }
}

#[derive(Serialize)]
pub struct CertificateView {
    pub name: String,
    pub namespace: String,
    pub labels: Pairs,
    pub sync_wave: String,
    pub secret_name: String,
    pub duration: String,
    pub renew_before: String,
    pub organization: String,
    pub common_name: String,
    pub dns_names: Items,
    pub ip_addresses: Items,
    pub issuer_name: String,
    pub issuer_kind: String,
    pub issuer_group: Option<String>,
    pub secret_labels: Pairs,
    pub secret_annotations: Pairs,
    pub key_algorithm: &'static str,
    pub key_size: Option<i64>,
    pub key_encoding: &'static str,
    pub key_rotation: &'static str,
    pub is_ca: bool,
}

/// The names a cluster's certificate covers, in the chart's order, given the cluster's own
/// endpoints (those of the fleet whose `cluster` is this one).
pub fn certificate_dns_names<'e, 'v: 'e>(
    values: &Values,
    cluster: &Cluster,
    endpoints: impl Iterator<Item = &'e Endpoint<'v>>,
) -> Vec<String> {
    let mut names = Vec::new();
    if cluster.tls.include_internal_names {
        let (ns, domain) = (&cluster.namespace, &values.cluster_domain);
        // Each Service's in-cluster names; the master's also bare, as the chart did.
        for (i, service) in cluster.operator_services().iter().enumerate() {
            let service = service.as_str();
            names.push([service, ".", ns, ".svc.", domain].concat());
            names.push([service, ".", ns, ".svc"].concat());
            names.push([service, ".", ns].concat());
            if i == 0 {
                names.push(service.to_owned());
            }
        }
    } else {
        for endpoint in endpoints {
            if !names.contains(&endpoint.hostname) {
                names.push(endpoint.hostname.clone());
            }
        }
    }
    for name in &cluster.tls.additional_dns_names {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
}

/// The certificate's common name: the master's internal name, or with internal names
/// left out, the first name the certificate covers.
pub fn common_name(values: &Values, cluster: &Cluster, dns_names: &[String]) -> String {
    if cluster.tls.include_internal_names {
        format!(
            "{}.{}.svc.{}",
            cluster.name, cluster.namespace, values.cluster_domain
        )
    } else {
        dns_names.first().cloned().unwrap_or_default()
    }
}

/// The issuer a cluster's certificate names: `(name, kind, group)`.
pub fn issuer_ref(values: &Values, cluster: &Cluster) -> (String, String, Option<String>) {
    let tls = &cluster.tls;
    let from_ref = tls.issuer_ref.as_ref();
    let name = from_ref
        .and_then(|r| r.name.clone())
        .or_else(|| tls.issuer.clone())
        .unwrap_or_else(|| values.tls.issuer_name.clone());
    let kind = from_ref
        .and_then(|r| r.kind.clone())
        .or_else(|| tls.issuer_kind.map(|k| k.as_str().to_owned()))
        .unwrap_or_else(|| values.tls.issuer_kind.as_str().to_owned());
    let group = from_ref.and_then(|r| r.group.clone());
    (name, kind, group)
}

/// The certificate of a cluster, given its endpoints (those of the fleet whose `cluster` is
/// this one).
pub fn certificate<'e, 'v: 'e>(
    values: &Values,
    cluster: &Cluster,
    endpoints: impl Iterator<Item = &'e Endpoint<'v>>,
) -> CertificateView {
    let dns_names = certificate_dns_names(values, cluster, endpoints);
    let common_name = common_name(values, cluster, &dns_names);
    let certificate_name = format!("{}-tls", cluster.name);
    let (issuer_name, issuer_kind, issuer_group) = issuer_ref(values, cluster);
    let tls = &cluster.tls;
    let secret_labels = vec![
        ("app.kubernetes.io/name".to_owned(), cluster.name.clone()),
        (
            "app.kubernetes.io/component".to_owned(),
            "database-tls".to_owned(),
        ),
        ("postgres-cluster".to_owned(), cluster.name.clone()),
    ];
    let secret_labels = fixed_then_extra(secret_labels, &tls.secret_template.labels);
    let secret_annotations = vec![
        (
            "platform.pnats.cloud/certificate-name".to_owned(),
            certificate_name.clone(),
        ),
        (
            "platform.pnats.cloud/common-name".to_owned(),
            common_name.clone(),
        ),
    ];
    let secret_annotations = fixed_then_extra(secret_annotations, &tls.secret_template.annotations);
    CertificateView {
        name: certificate_name,
        namespace: cluster.namespace.clone(),
        labels: labels(
            &[
                ("app.kubernetes.io/name", &cluster.name),
                ("app.kubernetes.io/component", "database-tls"),
                ("app.kubernetes.io/managed-by", "postgres-operator"),
            ],
            &cluster.labels,
        ),
        sync_wave: tls.sync_wave.clone(),
        secret_name: cluster.tls_secret_name(),
        duration: tls.duration.clone(),
        renew_before: tls.renew_before.clone(),
        organization: tls.organization.clone(),
        common_name,
        dns_names: dns_names.into(),
        ip_addresses: tls.ip_addresses.clone().into(),
        issuer_name,
        issuer_kind,
        issuer_group,
        secret_labels: secret_labels.into(),
        secret_annotations: secret_annotations.into(),
        key_algorithm: tls.private_key.algorithm.as_str(),
        key_size: match tls.private_key.algorithm {
            KeyAlgorithm::Ed25519 => None,
            _ => tls.private_key.effective_size(),
        },
        key_encoding: tls.private_key.encoding.as_str(),
        key_rotation: tls.private_key.rotation_policy.as_str(),
        is_ca: tls.is_ca,
    }
}

/// What the `postgresql` template writes: the cluster's own values it copies, and what is
/// derived from them.
#[derive(Serialize)]
pub struct PostgresqlView {
    pub name: String,
    pub namespace: String,
    pub labels: Pairs,
    pub team_id: String,
    pub number_of_instances: i64,
    pub spilo_fs_group: Option<i64>,
    pub master_load_balancer: bool,
    pub replica_load_balancer: bool,
    pub load_balancer_source_ranges: Items,
    pub master_pooler: bool,
    pub replica_pooler: bool,
    pub master_pooler_load_balancer: bool,
    pub replica_pooler_load_balancer: bool,
    pub volume_size: String,
    pub storage_class: String,
    pub iops: Option<i64>,
    pub throughput: Option<i64>,
    pub pg_version: String,
    pub parameters: Pairs,
    pub resources: crate::values::EffectiveResources,
    pub users: Vec<(String, Vec<String>)>,
    pub users_with_secret_rotation: Items,
    pub databases: Pairs,
    pub pooler_instances: i64,
    pub pooler_mode: &'static str,
    pub pooler_schema: String,
    pub pooler_user: String,
    pub pooler_resources: crate::values::EffectiveResources,
    pub pg_hba: Items,
    pub synchronous_mode: bool,
    pub synchronous_mode_strict: bool,
    pub synchronous_node_count: Option<i64>,
    pub slots: Vec<(String, Pairs)>,
    pub tls_secret_name: Option<String>,
    pub tls_certificate_file: String,
    pub tls_private_key_file: String,
    pub ca_file: Option<String>,
    pub exporter_image: String,
    pub exporter_resources: crate::values::EffectiveResources,
    pub exporter_secret: String,
    pub custom_queries: bool,
    pub node_affinity: Option<serde_json::Value>,
    pub tolerations: Option<serde_json::Value>,
    pub maintenance_windows: Items,
    pub logical_backup: bool,
    pub logical_backup_schedule: String,
    pub clone: Pairs,
    pub standby: Pairs,
    pub pod_annotations: Pairs,
    pub service_annotations: Pairs,
    /// `(name, value)` of each environment variable, in values order.
    pub env: Pairs,
}

pub fn postgresql(cluster: &Cluster) -> PostgresqlView {
    let mut parameters: KeyValues = BUILT_IN_PARAMETERS
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    for (k, v) in sorted(&cluster.postgresql.parameters) {
        match parameters.iter_mut().find(|(p, _)| *p == k) {
            Some(existing) => existing.1 = v,
            None => parameters.push((k, v)),
        }
    }
    let mut users: Vec<(String, Vec<String>)> = BUILT_IN_USERS
        .iter()
        .map(|(n, flags)| {
            (
                (*n).to_owned(),
                flags.iter().map(|f| (*f).to_owned()).collect(),
            )
        })
        .collect();
    let declared: BTreeMap<&String, &Vec<String>> = cluster.users.iter().collect();
    for (name, flags) in declared {
        match users.iter_mut().find(|(n, _)| n == name) {
            Some(existing) => existing.1 = flags.clone(),
            None => users.push((name.clone(), flags.clone())),
        }
    }
    let slots = {
        let sorted: BTreeMap<&String, &crate::values::Slot> =
            cluster.patroni.slots.iter().collect();
        sorted
            .into_iter()
            .map(|(name, slot)| {
                let mut fields = vec![("type".to_owned(), slot.kind.clone())];
                if let Some(db) = &slot.database {
                    fields.push(("database".to_owned(), db.clone()));
                }
                if let Some(plugin) = &slot.plugin {
                    fields.push(("plugin".to_owned(), plugin.clone()));
                }
                (name.clone(), fields.into())
            })
            .collect()
    };
    let mut clone = KeyValues::new();
    if let Some(c) = &cluster.clone {
        for (k, v) in [
            ("cluster", &c.cluster),
            ("timestamp", &c.timestamp),
            ("uid", &c.uid),
        ] {
            if let Some(v) = v {
                clone.push((k.to_owned(), v.clone()));
            }
        }
    }
    let mut standby = KeyValues::new();
    if let Some(s) = &cluster.standby {
        if let Some(v) = &s.s3_wal_path {
            standby.push(("s3_wal_path".to_owned(), v.clone()));
        }
        if let Some(v) = &s.standby_host {
            standby.push(("standby_host".to_owned(), v.clone()));
            standby.push(("standby_port".to_owned(), s.standby_port.clone()));
        }
    }
    let tls = &cluster.tls;
    let pooler = &cluster.pooler;
    PostgresqlView {
        name: cluster.name.clone(),
        namespace: cluster.namespace.clone(),
        labels: labels(
            &[
                ("app.kubernetes.io/name", &cluster.name),
                ("app.kubernetes.io/component", "database"),
                ("app.kubernetes.io/managed-by", "postgres-operator"),
            ],
            &cluster.labels,
        ),
        team_id: cluster.team_id.clone(),
        number_of_instances: cluster.number_of_instances,
        spilo_fs_group: cluster.spilo_fs_group,
        master_load_balancer: cluster.lb.master.enabled,
        replica_load_balancer: cluster.lb.replica.enabled,
        load_balancer_source_ranges: cluster.lb.allowed_source_ranges.clone().into(),
        master_pooler: cluster.master_pooler(),
        replica_pooler: cluster.replica_pooler(),
        master_pooler_load_balancer: pooler.lb.master.enabled,
        replica_pooler_load_balancer: pooler.lb.replica.enabled,
        volume_size: cluster.size.clone(),
        storage_class: cluster.storage_class.clone(),
        iops: cluster.iops,
        throughput: cluster.throughput,
        pg_version: cluster.pg_version.clone(),
        parameters: parameters.into(),
        resources: cluster.resources.or(POSTGRES_RESOURCES),
        users,
        users_with_secret_rotation: cluster.users_with_secret_rotation.clone().into(),
        databases: sorted(&cluster.databases).into(),
        pooler_instances: pooler.instances,
        pooler_mode: pooler.mode.as_str(),
        pooler_schema: pooler.schema.clone(),
        pooler_user: pooler.user.clone(),
        pooler_resources: pooler.resources.or(POOLER_RESOURCES),
        pg_hba: cluster
            .patroni
            .pg_hba
            .clone()
            .unwrap_or_else(|| BUILT_IN_PG_HBA.iter().map(|l| (*l).to_owned()).collect())
            .into(),
        synchronous_mode: cluster.patroni.synchronous_mode,
        synchronous_mode_strict: cluster.patroni.synchronous_mode_strict,
        synchronous_node_count: cluster.patroni.synchronous_node_count,
        slots,
        tls_secret_name: tls.enabled.then(|| cluster.tls_secret_name()),
        tls_certificate_file: tls.certificate_file.clone(),
        tls_private_key_file: tls.private_key_file.clone(),
        ca_file: tls
            .ca_file
            .clone()
            .or_else(|| tls.ca_enabled.then(|| tls.ca_file_name.clone())),
        exporter_image: cluster.monitoring.exporter_image.clone(),
        exporter_resources: cluster.monitoring.resources.or(EXPORTER_RESOURCES),
        exporter_secret: format!(
            "postgres-exporter.{}.credentials.postgresql.acid.zalan.do",
            cluster.name
        ),
        custom_queries: cluster.monitoring.custom_queries,
        node_affinity: cluster.node_affinity.clone(),
        tolerations: cluster.tolerations.clone(),
        maintenance_windows: cluster.maintenance_windows.clone().into(),
        logical_backup: cluster.logical_backup.enabled,
        logical_backup_schedule: cluster.logical_backup.schedule.clone(),
        clone: clone.into(),
        standby: standby.into(),
        pod_annotations: sorted(&cluster.pod_annotations).into(),
        service_annotations: sorted(&cluster.service_annotations).into(),
        env: cluster
            .env
            .iter()
            .map(|var| (var.name.clone(), var.value.clone()))
            .collect(),
    }
}

#[derive(Serialize)]
pub struct PdbView {
    pub name: String,
    pub namespace: String,
    pub labels: Pairs,
    pub sync_wave: String,
    pub selector: Pairs,
    pub min_available: Option<IntOrPercent>,
    pub max_unavailable: Option<IntOrPercent>,
}

pub fn pdb(values: &Values, cluster: &Cluster) -> Option<PdbView> {
    if !cluster.pdb.is_set() {
        return None;
    }
    // Sorted, as Helm ranges over a map and as the Services' selectors are: the order of
    // `operator.clusterLabels` in values must not change the output (issue #6).
    let mut selector: KeyValues = sorted(&values.operator.cluster_labels);
    selector.push((
        values.operator.cluster_name_label.clone(),
        cluster.name.clone(),
    ));
    Some(PdbView {
        name: format!("{}-pdb", cluster.name),
        namespace: cluster.namespace.clone(),
        labels: labels(
            &[
                ("app.kubernetes.io/name", &cluster.name),
                ("app.kubernetes.io/component", "database"),
                ("app.kubernetes.io/managed-by", "postgres-operator"),
            ],
            &cluster.labels,
        ),
        sync_wave: cluster.pdb.sync_wave.clone(),
        selector: selector.into(),
        min_available: cluster.pdb.min_available.clone(),
        max_unavailable: cluster.pdb.max_unavailable.clone(),
    })
}

#[derive(Serialize)]
pub struct ServiceView {
    pub name: String,
    pub namespace: String,
    pub labels: Pairs,
    pub annotations: Pairs,
    pub source_ranges: Items,
    pub traffic_policy: &'static str,
    pub session_affinity: &'static str,
    pub affinity_timeout: Option<i64>,
    pub selector: Pairs,
    pub port: i64,
}

pub fn service(values: &Values, fleet: &Fleet<'_>, endpoint: &Endpoint<'_>) -> ServiceView {
    let cluster = endpoint.cluster;
    let access = &values.external_access;
    let component = ["database-external-", endpoint.kind.as_str()].concat();
    let connection_type = endpoint.connection_type();
    let shared = fleet.shared_ip_of(endpoint);
    let dns = &access.external_dns_annotation_prefix;
    let metallb = &access.metallb_annotation_prefix;
    let mut annotations: KeyValues = vec![
        (
            "argocd.argoproj.io/sync-wave".to_owned(),
            cluster.external_access.sync_wave.clone(),
        ),
        ([dns, "hostname"].concat(), endpoint.hostname.clone()),
        ([dns, "ttl"].concat(), "300".to_owned()),
        (
            [metallb, "address-pool"].concat(),
            access.address_pool.clone(),
        ),
    ];
    if let Some(ip) = &endpoint.ip {
        annotations.push(([metallb, "loadBalancerIPs"].concat(), ip.clone()));
    }
    if let Some(shared) = shared {
        annotations.push(([metallb, "allow-shared-ip"].concat(), shared.sharing_key()));
    }
    let (title, how) = match (endpoint.kind, endpoint.pooled) {
        (EndpointKind::Write, true) => ("Write", "pooled"),
        (EndpointKind::Write, false) => ("Write", "direct, no pooling"),
        (EndpointKind::Read, true) => ("Read", "pooled"),
        (EndpointKind::Read, false) => ("Read", "direct, no pooling"),
        (EndpointKind::Admin, _) => ("Admin", "direct, no pooling"),
    };
    let on = if shared.is_some() {
        "on shared IP port"
    } else {
        "on port"
    };
    annotations.push((
        "service.kubernetes.io/description".to_owned(),
        format!(
            "PostgreSQL {} - {title} endpoint ({how}) {on} {}",
            cluster.name, endpoint.port
        ),
    ));
    let annotations = fixed_then_extra(
        annotations,
        &cluster.external_access.endpoint(endpoint.kind).annotations,
    );
    ServiceView {
        name: endpoint.service_name.clone(),
        namespace: cluster.namespace.clone(),
        labels: labels(
            &[
                ("app.kubernetes.io/name", &cluster.name),
                ("app.kubernetes.io/component", &component),
                ("postgres-cluster", &cluster.name),
                ("connection-type", &connection_type),
            ],
            &cluster.labels,
        ),
        annotations: annotations.into(),
        source_ranges: endpoint.source_ranges.to_vec().into(),
        traffic_policy: endpoint.traffic_policy.as_str(),
        session_affinity: endpoint.session_affinity.as_str(),
        affinity_timeout: (endpoint.session_affinity == crate::values::SessionAffinity::ClientIp)
            .then_some(endpoint.session_affinity_timeout),
        selector: endpoint
            .selector
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        port: endpoint.port,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_entries_follow_the_fixed_ones_sorted_and_never_replace_one() {
        let extra: indexmap::IndexMap<String, String> = [("b", "2"), ("app", "mine"), ("a", "1")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let fixed = vec![
            ("app".to_owned(), "pgx".to_owned()),
            ("z".to_owned(), "0".to_owned()),
        ];
        let expected: KeyValues = [("app", "pgx"), ("z", "0"), ("a", "1"), ("b", "2")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(fixed_then_extra(fixed, &extra), expected);
    }
}
