//! The fleet as MetalLB and clients see it: every external endpoint of every cluster with
//! its IP, port, hostname, source ranges and the pods it selects, and which endpoints share
//! an IP. Render, lint and `pgx endpoints` all read this one resolution, so they cannot
//! disagree about what a Service looks like.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use crate::finding::KeyPath;
use crate::values::{
    Cluster, EndpointKind, GlobalExternalAccess, SessionAffinity, TrafficPolicy, Values,
};

/// Where an endpoint's source ranges came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeOrigin {
    /// The endpoint's own `allowedSourceRanges`.
    Endpoint,
    /// The cluster's `externalAccess.allowedSourceRanges`.
    Cluster,
    /// None set anywhere.
    Unset,
}

/// One external LoadBalancer Service.
#[derive(Clone, Debug)]
pub struct Endpoint<'v> {
    pub cluster_index: usize,
    pub cluster: &'v Cluster,
    pub kind: EndpointKind,
    pub service_name: String,
    pub hostname: String,
    pub port: i64,
    /// The MetalLB IP, as written; `None` lets MetalLB pick from the pool.
    pub ip: Option<String>,
    pub source_ranges: &'v [String],
    pub range_origin: RangeOrigin,
    /// Whether traffic goes through PgBouncer.
    pub pooled: bool,
    pub selector: Selector<'v>,
    /// The policy written in values, if any.
    pub explicit_traffic_policy: Option<TrafficPolicy>,
    pub traffic_policy: TrafficPolicy,
    pub session_affinity: SessionAffinity,
    pub session_affinity_timeout: i64,
}

impl Endpoint<'_> {
    /// `pgClusters[i].externalAccess.<kind>`.
    pub fn path(&self) -> KeyPath {
        cluster_path(self.cluster_index).join(&format!("externalAccess.{}", self.kind.as_str()))
    }

    /// The key that set the port: the endpoint's, the cluster's shared port, or the endpoint
    /// block for a default.
    pub fn port_path(&self) -> KeyPath {
        if self
            .cluster
            .external_access
            .endpoint(self.kind)
            .port
            .is_some()
        {
            self.path().key("port")
        } else if self.cluster.external_access.port.is_some() {
            cluster_path(self.cluster_index).join("externalAccess.port")
        } else {
            self.path()
        }
    }

    pub fn hostname_path(&self) -> KeyPath {
        self.path().key("hostname")
    }

    pub fn ranges_path(&self) -> KeyPath {
        match self.range_origin {
            RangeOrigin::Endpoint => self.path().key("allowedSourceRanges"),
            RangeOrigin::Cluster => {
                cluster_path(self.cluster_index).join("externalAccess.allowedSourceRanges")
            }
            RangeOrigin::Unset => self.path(),
        }
    }

    /// `connection-type` label: what the endpoint reaches.
    pub fn connection_type(&self) -> String {
        let how = if self.pooled { "pooled" } else { "direct" };
        [self.kind.as_str(), "-", how].concat()
    }
}

pub fn cluster_path(index: usize) -> KeyPath {
    KeyPath::root().key("pgClusters").index(index)
}

/// The labels a Service selects its pods by, sorted by label. MetalLB shares an IP between
/// `Local` Services only when these are equal. Labels and most values are borrowed from the
/// values: every cluster has three of these, and the fleet is resolved for lint and again
/// for render.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector<'v>(Vec<(&'v str, Cow<'v, str>)>);

impl<'v> Selector<'v> {
    /// Sets a label, replacing its value if it is set already.
    fn set(&mut self, label: &'v str, value: impl Into<Cow<'v, str>>) {
        let value = value.into();
        match self.0.binary_search_by(|(l, _)| (*l).cmp(label)) {
            Ok(i) => {
                if let Some(slot) = self.0.get_mut(i) {
                    slot.1 = value;
                }
            }
            Err(i) => self.0.insert(i, (label, value)),
        }
    }

    /// `(label, value)`, sorted by label.
    pub fn iter(&self) -> impl Iterator<Item = (&'v str, &str)> + '_ {
        self.0.iter().map(|(label, value)| (*label, value.as_ref()))
    }
}

/// Services that resolve to one IP.
#[derive(Clone, Debug)]
pub struct SharedIp {
    pub ip: String,
    /// Indices into [`Fleet::endpoints`], in values order.
    pub endpoints: Vec<usize>,
}

impl SharedIp {
    /// The `allow-shared-ip` key MetalLB needs on every Service of a shared IP.
    pub fn sharing_key(&self) -> String {
        let ip: String = self
            .ip
            .chars()
            .map(|c| if c == '.' || c == ':' { '-' } else { c })
            .collect();
        ["pgx-", &ip].concat()
    }
}

#[derive(Clone, Debug)]
pub struct Fleet<'v> {
    pub endpoints: Vec<Endpoint<'v>>,
    /// Every IP some endpoint resolves to, in order of first use.
    pub ips: Vec<SharedIp>,
    /// Where each IP is in `ips`, so finding an endpoint's IP costs O(1), not a scan.
    by_ip: HashMap<String, usize>,
    /// For each cluster, where its endpoints are in `endpoints` (listed cluster by cluster).
    by_cluster: Vec<Range<usize>>,
}

impl<'v> Fleet<'v> {
    pub fn new(values: &'v Values) -> Self {
        let mut endpoints = Vec::new();
        let mut by_cluster = Vec::with_capacity(values.pg_clusters.len());
        for (index, cluster) in values.pg_clusters.iter().enumerate() {
            let start = endpoints.len();
            if cluster.external_access.enabled {
                for kind in EndpointKind::ALL {
                    if cluster.external_access.endpoint(kind).enabled {
                        endpoints.push(resolve(values, index, cluster, kind));
                    }
                }
            }
            by_cluster.push(start..endpoints.len());
        }
        let mut fleet = Self::of_endpoints(endpoints, by_cluster);
        // MetalLB shares an IP between `Local` services only when they select the same
        // pods: an endpoint whose policy values leave unset falls back to `Cluster` there.
        // An IP's services select different pods exactly when one differs from the first,
        // so each IP costs one pass over its services (10,000 clusters on three shared IPs
        // must not cost 10,000² comparisons).
        let mut to_cluster = Vec::new();
        for shared in &fleet.ips {
            let selector_of = |i: usize| fleet.endpoints.get(i).map(|e| &e.selector);
            let first = shared.endpoints.first().and_then(|&i| selector_of(i));
            let mixed = shared.endpoints.iter().any(|&i| selector_of(i) != first);
            if !mixed {
                continue;
            }
            for &i in &shared.endpoints {
                if fleet
                    .endpoints
                    .get(i)
                    .is_some_and(|e| e.explicit_traffic_policy.is_none())
                {
                    to_cluster.push(i);
                }
            }
        }
        for i in to_cluster {
            if let Some(endpoint) = fleet.endpoints.get_mut(i) {
                endpoint.traffic_policy = TrafficPolicy::Cluster;
            }
        }
        fleet
    }

    /// A fleet of these endpoints, grouped by IP, as they are (no traffic policy is
    /// adjusted).
    fn of_endpoints(endpoints: Vec<Endpoint<'v>>, by_cluster: Vec<Range<usize>>) -> Self {
        let mut by_ip: HashMap<String, usize> = HashMap::new();
        let mut ips: Vec<SharedIp> = Vec::new();
        for (i, endpoint) in endpoints.iter().enumerate() {
            let Some(ip) = endpoint.ip.as_deref() else {
                continue;
            };
            match by_ip.get(ip) {
                Some(&slot) => {
                    if let Some(shared) = ips.get_mut(slot) {
                        shared.endpoints.push(i);
                    }
                }
                None => {
                    by_ip.insert(ip.to_owned(), ips.len());
                    ips.push(SharedIp {
                        ip: ip.to_owned(),
                        endpoints: vec![i],
                    });
                }
            }
        }
        Self {
            endpoints,
            ips,
            by_ip,
            by_cluster,
        }
    }

    /// The endpoints of cluster `index` (in `values.pgClusters`), in kind order: write,
    /// read, admin.
    pub fn endpoints_of(&self, index: usize) -> &[Endpoint<'v>] {
        self.by_cluster
            .get(index)
            .and_then(|range| self.endpoints.get(range.clone()))
            .unwrap_or_default()
    }

    /// The services on an IP, whether shared or not.
    pub fn ip(&self, ip: &str) -> Option<&SharedIp> {
        self.by_ip.get(ip).and_then(|&slot| self.ips.get(slot))
    }

    /// The shared IP an endpoint is on, when two or more services use that IP.
    pub fn shared_ip_of(&self, endpoint: &Endpoint<'_>) -> Option<&SharedIp> {
        self.ip(endpoint.ip.as_deref()?)
            .filter(|s| s.endpoints.len() > 1)
    }
}

fn resolve<'v>(
    values: &'v Values,
    cluster_index: usize,
    cluster: &'v Cluster,
    kind: EndpointKind,
) -> Endpoint<'v> {
    let access = &cluster.external_access;
    let own = access.endpoint(kind);
    let ip = resolve_ip(
        &values.external_access,
        own.load_balancer_ip.as_deref(),
        kind,
    );
    let (source_ranges, range_origin) =
        match (&own.allowed_source_ranges, &access.allowed_source_ranges) {
            (Some(own), _) => (own.as_slice(), RangeOrigin::Endpoint),
            (None, Some(cluster)) => (cluster.as_slice(), RangeOrigin::Cluster),
            (None, None) => (&[][..], RangeOrigin::Unset),
        };
    let pooled = match kind {
        EndpointKind::Write => cluster.master_pooler(),
        EndpointKind::Read => cluster.replica_pooler(),
        EndpointKind::Admin => false,
    };
    let operator = &values.operator;
    let mut selector = Selector::default();
    if pooled {
        selector.set("application", "db-connection-pooler");
        let pooler = match kind {
            EndpointKind::Read => [&cluster.name, "-pooler-repl"].concat(),
            _ => [&cluster.name, "-pooler"].concat(),
        };
        selector.set("connection-pooler", pooler);
    } else {
        for (k, v) in &operator.cluster_labels {
            selector.set(k, v.as_str());
        }
    }
    selector.set(&operator.cluster_name_label, cluster.name.as_str());
    let role = if kind == EndpointKind::Read {
        "replica"
    } else {
        "master"
    };
    selector.set(&operator.pod_role_label, role);
    let default_policy = if kind == EndpointKind::Admin {
        TrafficPolicy::Cluster
    } else {
        TrafficPolicy::Local
    };
    let default_affinity = if kind == EndpointKind::Read {
        SessionAffinity::None
    } else {
        SessionAffinity::ClientIp
    };
    Endpoint {
        cluster_index,
        cluster,
        kind,
        service_name: [&cluster.name, "-external-", kind.as_str()].concat(),
        hostname: own.hostname.clone().unwrap_or_else(|| {
            [
                &cluster.name,
                "-",
                kind.as_str(),
                ".",
                &values.external_access.domain,
            ]
            .concat()
        }),
        port: own
            .port
            .or(access.port)
            .unwrap_or_else(|| kind.default_port()),
        ip,
        source_ranges,
        range_origin,
        pooled,
        selector,
        explicit_traffic_policy: own.external_traffic_policy,
        traffic_policy: own.external_traffic_policy.unwrap_or(default_policy),
        session_affinity: own.session_affinity.unwrap_or(default_affinity),
        session_affinity_timeout: own.session_affinity_timeout,
    }
}

/// Which IP a service gets, first match wins: the endpoint's own, the kind's global key
/// (`writeIP`, or its older spelling `sharedIPs.write`), `pooledIP` (write and read only),
/// `sharedIP`. Empty strings count as unset, as in the chart.
pub fn resolve_ip(
    global: &GlobalExternalAccess,
    own: Option<&str>,
    kind: EndpointKind,
) -> Option<String> {
    let (new, old) = match kind {
        EndpointKind::Write => (&global.write_ip, &global.shared_ips.write),
        EndpointKind::Read => (&global.read_ip, &global.shared_ips.read),
        EndpointKind::Admin => (&global.admin_ip, &global.shared_ips.admin),
    };
    let pooled = match kind {
        EndpointKind::Admin => None,
        _ => global.pooled_ip.as_deref(),
    };
    [
        own,
        new.as_deref(),
        old.as_deref(),
        pooled,
        global.shared_ip.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .find(|ip| !ip.is_empty())
    .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded<T: serde::de::DeserializeOwned>(yaml: &str) -> T {
        let tree = crate::yaml::parse_document(yaml, crate::yaml::SourceId(0), &Default::default())
            .unwrap()
            .unwrap();
        crate::decode::decode(&tree, &mut Vec::new()).unwrap()
    }

    #[test]
    fn ip_precedence_endpoint_then_kind_then_pooled_then_shared() {
        // Each key holds its own IP, so the IP says which key won.
        let g: GlobalExternalAccess = decoded(
            "writeIP: 10.0.0.1\nsharedIPs: {write: 10.0.0.9, read: 10.0.0.2}\npooledIP: 10.0.0.3\nsharedIP: 10.0.0.4\n",
        );
        let write = EndpointKind::Write;
        assert_eq!(
            resolve_ip(&g, Some(" 10.0.0.5 "), write).as_deref(),
            Some("10.0.0.5")
        );
        assert_eq!(resolve_ip(&g, None, write).as_deref(), Some("10.0.0.1"));
        assert_eq!(
            resolve_ip(&g, None, EndpointKind::Read).as_deref(),
            Some("10.0.0.2")
        );
        // pooledIP is for write and read only: admin falls through to sharedIP.
        assert_eq!(
            resolve_ip(&g, None, EndpointKind::Admin).as_deref(),
            Some("10.0.0.4")
        );
        let g: GlobalExternalAccess = decoded("pooledIP: 10.0.0.3\nsharedIP: \"\"\n");
        assert_eq!(
            resolve_ip(&g, Some(""), EndpointKind::Read).as_deref(),
            Some("10.0.0.3")
        );
        assert_eq!(resolve_ip(&g, None, EndpointKind::Admin), None);
        let g: GlobalExternalAccess = decoded("sharedIPs: {admin: 10.0.0.7}\nsharedIP: 10.0.0.4\n");
        assert_eq!(
            resolve_ip(&g, Some("  "), EndpointKind::Admin).as_deref(),
            Some("10.0.0.7")
        );
    }

    #[test]
    fn a_selector_is_sorted_by_label_and_a_label_set_again_keeps_its_last_value() {
        let mut a = Selector::default();
        a.set("spilo-role", "master");
        a.set("application", "spilo");
        a.set("cluster-name", "db");
        a.set("application", String::from("db-connection-pooler"));
        let labels: Vec<(&str, &str)> = a.iter().collect();
        assert_eq!(
            labels,
            [
                ("application", "db-connection-pooler"),
                ("cluster-name", "db"),
                ("spilo-role", "master"),
            ]
        );
        // Equal whatever order the labels were set in, and however a value is held.
        let mut b = Selector::default();
        b.set("cluster-name", String::from("db"));
        b.set("spilo-role", "master");
        b.set("application", "db-connection-pooler");
        assert_eq!(a, b);
        b.set("spilo-role", "replica");
        assert_ne!(a, b);
    }

    #[test]
    fn shared_ips_get_cluster_policy_only_where_selectors_differ_and_policy_is_unset() {
        let text = "externalAccess: {writeIP: 10.0.0.1}\npgClusters:\n\
- {name: a, namespace: n, externalAccess: {enabled: true, port: 5432, write: {enabled: true}}}\n\
- {name: b, namespace: n, externalAccess: {enabled: true, port: 5433, write: {enabled: true, externalTrafficPolicy: Local}}}\n\
- {name: c, namespace: n, externalAccess: {enabled: true, read: {enabled: true}}}\n";
        let values: Values = decoded(text);
        let fleet = Fleet::new(&values);
        let policies: Vec<(&str, &str)> = fleet
            .endpoints
            .iter()
            .map(|e| (e.service_name.as_str(), e.traffic_policy.as_str()))
            .collect();
        assert_eq!(
            policies,
            [
                ("a-external-write", "Cluster"),
                ("b-external-write", "Local"),
                ("c-external-read", "Local"),
            ]
        );
        assert_eq!(fleet.ips.len(), 1);
        assert_eq!(fleet.ips[0].sharing_key(), "pgx-10-0-0-1");
        assert!(fleet.shared_ip_of(&fleet.endpoints[0]).is_some());
        assert!(fleet.shared_ip_of(&fleet.endpoints[2]).is_none());
    }

    #[test]
    fn each_cluster_has_its_own_endpoints_in_kind_order() {
        let text = "pgClusters:\n\
- {name: a, namespace: n, externalAccess: {enabled: true, admin: {enabled: true}, write: {enabled: true}}}\n\
- {name: b, namespace: n, externalAccess: {enabled: false, write: {enabled: true}}}\n\
- {name: c, namespace: n}\n\
- {name: d, namespace: n, externalAccess: {enabled: true, read: {enabled: true}}}\n";
        let values: Values = decoded(text);
        let fleet = Fleet::new(&values);
        let names = |i: usize| -> Vec<&str> {
            fleet
                .endpoints_of(i)
                .iter()
                .map(|e| e.service_name.as_str())
                .collect()
        };
        assert_eq!(names(0), ["a-external-write", "a-external-admin"]);
        assert!(names(1).is_empty());
        assert!(names(2).is_empty());
        assert_eq!(names(3), ["d-external-read"]);
        assert!(names(4).is_empty());
    }
}
