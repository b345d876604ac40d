//! What a developer connects to: every external endpoint of every cluster with its
//! hostname, IP, port, what it reaches, who may connect and a ready connection URI, and
//! which ports of each IP are taken. Built from the same [`Fleet`] that render writes the
//! Services from, so the two cannot disagree; printed by [`table`], [`markdown`] and
//! [`json`], none of which knows how the data was made.

pub mod json;
pub mod markdown;
pub mod table;

use std::net::IpAddr;

use serde::Serialize;

use crate::fleet::{Endpoint, Fleet};
use crate::values::{Cluster, EndpointKind, PoolerMode, Values};

/// The user pgx adds to every cluster for administration (render's `BUILT_IN_USERS`).
pub const ADMIN_USER: &str = "platform_admin";
/// The database a URI names when the cluster declares none.
pub const FALLBACK_DATABASE: &str = "postgres";
/// The lowest port a free port is looked for from.
pub const FIRST_PORT: i64 = 5432;

/// How endpoints are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for a terminal.
    #[default]
    Table,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// One JSON object.
    Json,
}

/// Everything `pgx endpoints` prints.
#[derive(Clone, Debug, Serialize)]
pub struct Endpoints {
    /// Every cluster in values order, those without external endpoints included.
    pub clusters: Vec<ClusterConnections>,
    /// Every fixed IP some endpoint uses, in address order.
    pub ips: Vec<IpAllocation>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClusterConnections {
    /// Where the cluster is in `pgClusters`.
    #[serde(skip)]
    pub index: usize,
    pub cluster: String,
    pub namespace: String,
    /// Write, read, admin, as far as enabled.
    pub connections: Vec<Connection>,
}

/// One endpoint as a client sees it.
#[derive(Clone, Debug, Serialize)]
pub struct Connection {
    pub cluster: String,
    pub namespace: String,
    pub endpoint: EndpointKind,
    /// The LoadBalancer Service.
    pub service: String,
    pub hostname: String,
    /// The MetalLB IP; `None` when MetalLB picks one from `address_pool`.
    pub ip: Option<String>,
    pub address_pool: String,
    pub port: i64,
    /// `master` or `replicas`.
    pub target: &'static str,
    /// The PgBouncer mode, when the endpoint goes through the pooler.
    pub pool_mode: Option<PoolerMode>,
    /// What the endpoint reaches, in words.
    pub reaches: String,
    /// Source ranges allowed to connect; empty means anyone.
    pub allowed_sources: Vec<String>,
    pub user: String,
    pub database: String,
    /// `postgresql://USER@HOST:PORT/DB?sslmode=verify-full`.
    pub uri: String,
}

impl Connection {
    /// The IP as printed in tables.
    pub fn ip_text(&self) -> &str {
        self.ip.as_deref().unwrap_or("pool-assigned")
    }

    /// The allowed sources as printed in tables.
    pub fn allowed_text(&self) -> String {
        if self.allowed_sources.is_empty() {
            "anyone (no source range)".to_owned()
        } else {
            self.allowed_sources.join(", ")
        }
    }

    /// Whether the endpoint goes through PgBouncer in transaction mode, where session
    /// features do not work.
    pub fn transaction_pooled(&self) -> bool {
        self.pool_mode == Some(PoolerMode::Transaction)
    }
}

/// The services on one IP.
#[derive(Clone, Debug, Serialize)]
pub struct IpAllocation {
    pub ip: String,
    /// By port, then in values order.
    pub ports: Vec<PortUse>,
    /// The lowest port from 5432 up that no service on this IP takes.
    pub next_free_port: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PortUse {
    pub port: i64,
    pub cluster: String,
    pub endpoint: EndpointKind,
    pub hostname: String,
}

impl Endpoints {
    pub fn new(values: &Values) -> Self {
        let fleet = Fleet::new(values);
        let clusters = values
            .pg_clusters
            .iter()
            .enumerate()
            .map(|(index, cluster)| ClusterConnections {
                index,
                cluster: cluster.name.clone(),
                namespace: cluster.namespace.clone(),
                connections: fleet
                    .endpoints_of(index)
                    .iter()
                    .map(|endpoint| connection(values, endpoint))
                    .collect(),
            })
            .collect();
        let mut ips: Vec<IpAllocation> = fleet
            .ips
            .iter()
            .map(|shared| {
                let mut ports: Vec<PortUse> = shared
                    .endpoints
                    .iter()
                    .filter_map(|&i| fleet.endpoints.get(i))
                    .map(|e| PortUse {
                        port: e.port,
                        cluster: e.cluster.name.clone(),
                        endpoint: e.kind,
                        hostname: e.hostname.clone(),
                    })
                    .collect();
                // Stable: equal ports keep values order.
                ports.sort_by_key(|p| p.port);
                IpAllocation {
                    ip: shared.ip.clone(),
                    next_free_port: next_free_port(ports.iter().map(|p| p.port)),
                    ports,
                }
            })
            .collect();
        ips.sort_by(|a, b| address_order(&a.ip).cmp(&address_order(&b.ip)));
        Self { clusters, ips }
    }

    /// Every connection, cluster by cluster.
    pub fn connections(&self) -> impl Iterator<Item = &Connection> {
        self.clusters.iter().flat_map(|c| c.connections.iter())
    }

    pub fn print(&self, format: Format) -> String {
        match format {
            Format::Table => table::table(self),
            Format::Markdown => markdown::markdown(self),
            Format::Json => json::json(self),
        }
    }
}

/// IPs that parse sort by address (IPv4 first), any others after them by text.
fn address_order(ip: &str) -> (bool, Option<IpAddr>, &str) {
    let parsed = ip.trim().parse::<IpAddr>().ok();
    (parsed.is_none(), parsed, ip)
}

/// The lowest port from [`FIRST_PORT`] up that is not in `taken`.
pub fn next_free_port(taken: impl IntoIterator<Item = i64>) -> Option<i64> {
    let mut taken: Vec<i64> = taken.into_iter().filter(|&p| p >= FIRST_PORT).collect();
    taken.sort_unstable();
    taken.dedup();
    let mut candidate = FIRST_PORT;
    for port in taken {
        if port != candidate {
            break;
        }
        candidate += 1;
    }
    (candidate <= 65535).then_some(candidate)
}

fn connection(values: &Values, endpoint: &Endpoint<'_>) -> Connection {
    let cluster = endpoint.cluster;
    let (user, database) = login(cluster, endpoint.kind);
    let target = if endpoint.kind == EndpointKind::Read {
        "replicas"
    } else {
        "master"
    };
    let pool_mode = endpoint.pooled.then_some(cluster.pooler.mode);
    let reaches = match pool_mode {
        Some(mode) => format!("PgBouncer ({} mode) to the {target}", mode.as_str()),
        None => format!("PostgreSQL {target} directly"),
    };
    Connection {
        cluster: cluster.name.clone(),
        namespace: cluster.namespace.clone(),
        endpoint: endpoint.kind,
        service: endpoint.service_name.clone(),
        hostname: endpoint.hostname.clone(),
        ip: endpoint.ip.clone(),
        address_pool: values.external_access.address_pool.clone(),
        port: endpoint.port,
        target,
        pool_mode,
        reaches,
        allowed_sources: endpoint.source_ranges.to_vec(),
        uri: uri(&user, &endpoint.hostname, endpoint.port, &database),
        user,
        database,
    }
}

/// Who a URI logs in as, and to which database: the owner of the cluster's first
/// database (by name) and that database; on the admin endpoint, `platform_admin`. A
/// cluster without databases: its first declared user (else `platform_admin`) and
/// `postgres`.
pub fn login(cluster: &Cluster, kind: EndpointKind) -> (String, String) {
    let first = cluster.databases.iter().min_by(|a, b| a.0.cmp(b.0));
    let (owner, database) = match first {
        Some((database, owner)) => (owner.clone(), database.clone()),
        None => (
            cluster
                .users
                .keys()
                .min()
                .cloned()
                .unwrap_or_else(|| ADMIN_USER.to_owned()),
            FALLBACK_DATABASE.to_owned(),
        ),
    };
    let user = if kind == EndpointKind::Admin {
        ADMIN_USER.to_owned()
    } else {
        owner
    };
    (user, database)
}

/// `postgresql://USER@HOST:PORT/DB?sslmode=verify-full`, user and database
/// percent-encoded.
pub fn uri(user: &str, host: &str, port: i64, database: &str) -> String {
    format!(
        "postgresql://{}@{host}:{port}/{}?sslmode=verify-full",
        percent_encode(user),
        percent_encode(database)
    )
}

/// Everything but RFC 3986's unreserved characters as `%XX`.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_free_port_is_the_lowest_gap_from_5432() {
        assert_eq!(next_free_port([]), Some(5432));
        assert_eq!(next_free_port([5432, 5433, 5434]), Some(5435));
        assert_eq!(next_free_port([5434, 5432]), Some(5433));
        assert_eq!(next_free_port([80, 443, 5432, 5432]), Some(5433));
        assert_eq!(next_free_port(5432..=65535), None);
    }

    #[test]
    fn user_and_database_are_percent_encoded() {
        assert_eq!(
            uri("app user", "db.example.org", 5432, "a/b?c"),
            "postgresql://app%20user@db.example.org:5432/a%2Fb%3Fc?sslmode=verify-full"
        );
    }

    #[test]
    fn login_takes_the_owner_of_the_first_database_and_admin_for_admin() {
        let mut cluster = Cluster::default();
        assert_eq!(
            login(&cluster, EndpointKind::Write),
            ("platform_admin".to_owned(), "postgres".to_owned())
        );
        cluster.users.insert("zed".into(), vec![]);
        cluster.users.insert("amy".into(), vec![]);
        assert_eq!(login(&cluster, EndpointKind::Read).0, "amy");
        cluster.databases.insert("orders".into(), "zed".into());
        cluster.databases.insert("billing".into(), "amy".into());
        assert_eq!(
            login(&cluster, EndpointKind::Write),
            ("amy".to_owned(), "billing".to_owned())
        );
        assert_eq!(
            login(&cluster, EndpointKind::Admin),
            ("platform_admin".to_owned(), "billing".to_owned())
        );
    }
}
