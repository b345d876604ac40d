//! The typed values: every key of the chart's values files, with the chart's defaults.
//!
//! Field names follow the values files (camelCase). A field whose absence means something
//! different from any value (an unset traffic policy, an unset port) is an `Option`;
//! everything else carries the chart's default, and an explicit `false`, `0` or `""` is
//! kept as written (the chart's `default` turned those into the default).

mod cluster;
mod external_access;
mod tls;

pub use cluster::*;
pub use external_access::*;
pub use tls::*;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The whole values tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Values {
    /// Kubernetes cluster DNS domain (kubelet `--cluster-domain`), used in the internal DNS
    /// names of certificates.
    pub cluster_domain: String,
    /// Render one Namespace per distinct cluster namespace.
    pub create_namespaces: bool,
    /// ArgoCD sync wave of the namespaces.
    pub namespace_sync_wave: String,
    /// cert-manager issuer settings shared by every cluster.
    pub tls: GlobalTls,
    /// MetalLB and external-dns settings shared by every cluster.
    pub external_access: GlobalExternalAccess,
    /// Label names the postgres-operator's configuration gives its pods.
    pub operator: Operator,
    /// The PostgreSQL clusters.
    #[serde(deserialize_with = "clusters")]
    pub pg_clusters: Vec<Cluster>,
    /// Lint settings.
    pub lint: Lint,
}

impl Default for Values {
    fn default() -> Self {
        Self {
            cluster_domain: "cluster.local".into(),
            create_namespaces: true,
            namespace_sync_wave: "-30".into(),
            tls: GlobalTls::default(),
            external_access: GlobalExternalAccess::default(),
            operator: Operator::default(),
            pg_clusters: Vec::new(),
            lint: Lint::default(),
        }
    }
}

/// Clusters reserved for in one allocation: at most this many before the list grows as
/// serde's own `Vec` does.
const CLUSTERS_RESERVED: usize = 65_536;

/// `pgClusters`, read as serde reads a `Vec`, into a list sized once from the number of
/// entries. serde's `Vec` reserves at most 1 MiB ahead (a `Cluster` is about 3 KB, so
/// some 360 of them) and then doubles, copying every cluster read so far into fresh
/// memory: 32 MB of copies at 10,000 clusters (issue #7). The number is of entries
/// already parsed, not one the input claims; the cap and the fallible reservation bound
/// what a file of many tiny entries can make it ask for.
fn clusters<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<Cluster>, D::Error> {
    struct Clusters;

    impl<'de> serde::de::Visitor<'de> for Clusters {
        type Value = Vec<Cluster>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            // serde's `Vec` says the same, so errors read as they did.
            f.write_str("a sequence")
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut entries: A,
        ) -> Result<Vec<Cluster>, A::Error> {
            let mut clusters = Vec::new();
            let expected = entries.size_hint().unwrap_or(0).min(CLUSTERS_RESERVED);
            let _ = clusters.try_reserve_exact(expected);
            while let Some(cluster) = entries.next_element()? {
                clusters.push(cluster);
            }
            Ok(clusters)
        }
    }

    deserializer.deserialize_seq(Clusters)
}

/// The operator's `cluster_labels`, `cluster_name_label` and `pod_role_label`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Operator {
    /// The operator's `cluster_labels`: labels on every pod of a cluster.
    pub cluster_labels: IndexMap<String, String>,
    /// The operator's `cluster_name_label`.
    pub cluster_name_label: String,
    /// The operator's `pod_role_label` (`master` / `replica`).
    pub pod_role_label: String,
}

impl Default for Operator {
    fn default() -> Self {
        Self {
            cluster_labels: IndexMap::from([("application".to_owned(), "spilo".to_owned())]),
            cluster_name_label: "cluster-name".into(),
            pod_role_label: "spilo-role".into(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct Lint {
    /// Rule ids to silence (`PGX307`).
    pub ignore: Vec<String>,
}
