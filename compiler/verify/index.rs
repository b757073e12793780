//! What the verifier knows of each cluster: its Services, ServiceAccounts and Deployments.

use super::Manifests;
use crate::diagnostics::{Source, Span};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// One object of a manifest file.
pub struct Object {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub json: serde_json::Value,
    pub source: Arc<Source>,
    pub span: Span,
}

pub struct Index {
    /// (cluster, namespace, name) → ports; also indexed by the Service's `app` selector.
    services: HashMap<(String, String, String), Vec<u16>>,
    service_accounts: HashSet<(String, String)>,
    /// (namespace, service account) → clusters with a Deployment running as it.
    sa_clusters: HashMap<(String, String), BTreeSet<String>>,
}

impl Index {
    pub fn new(m: &Manifests) -> Self {
        let mut services = HashMap::new();
        let mut service_accounts = HashSet::new();
        let mut sa_clusters: HashMap<(String, String), BTreeSet<String>> = HashMap::new();
        for (cluster, objects) in &m.clusters {
            for o in objects {
                match o.kind.as_str() {
                    "Service" => {
                        let ports: Vec<u16> = o
                            .json
                            .pointer("/spec/ports")
                            .and_then(|p| p.as_array())
                            .into_iter()
                            .flatten()
                            .filter_map(|p| u16::try_from(p.get("port")?.as_u64()?).ok())
                            .collect();
                        services.insert(
                            (cluster.clone(), o.namespace.clone(), o.name.clone()),
                            ports,
                        );
                    }
                    "ServiceAccount" => {
                        service_accounts.insert((o.namespace.clone(), o.name.clone()));
                    }
                    "Deployment" | "StatefulSet" | "DaemonSet" => {
                        let sa = o
                            .json
                            .pointer("/spec/template/spec/serviceAccountName")
                            .and_then(|s| s.as_str())
                            .unwrap_or("default");
                        sa_clusters
                            .entry((o.namespace.clone(), sa.to_string()))
                            .or_default()
                            .insert(cluster.clone());
                    }
                    _ => {}
                }
            }
        }
        Index {
            services,
            service_accounts,
            sa_clusters,
        }
    }

    pub fn service(&self, cluster: &str, ns: &str, name: &str) -> Option<&Vec<u16>> {
        self.services
            .get(&(cluster.to_string(), ns.to_string(), name.to_string()))
    }

    pub fn service_account_exists(&self, ns: &str, sa: &str) -> bool {
        sa == "default"
            || self
                .service_accounts
                .contains(&(ns.to_string(), sa.to_string()))
    }

    pub fn clusters_running_sa(&self, ns: &str, sa: &str) -> Vec<String> {
        self.sa_clusters
            .get(&(ns.to_string(), sa.to_string()))
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// The Service a mesh host names: `name`, `name.ns`, `name.ns.svc` or
/// `name.ns.svc.cluster.local`; `None` for hosts outside the cluster (`api.example.com`).
pub fn service_of_host(host: &str, default_ns: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = host.split('.').collect();
    match parts.as_slice() {
        [name] => Some((name.to_string(), default_ns.to_string())),
        [name, ns] | [name, ns, "svc"] | [name, ns, "svc", "cluster", "local"] => {
            Some((name.to_string(), ns.to_string()))
        }
        _ => None,
    }
}

/// `TRUST-DOMAIN/ns/NS/sa/SA` → (NS, SA).
pub fn parse_principal(p: &str) -> Option<(String, String)> {
    let p = p.strip_prefix("spiffe://").unwrap_or(p);
    let parts: Vec<&str> = p.split('/').collect();
    match parts.as_slice() {
        [_, "ns", ns, "sa", sa] => Some((ns.to_string(), sa.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hosts_and_principals() {
        assert_eq!(
            service_of_host("a.b.svc.cluster.local", "x"),
            Some(("a".into(), "b".into()))
        );
        assert_eq!(service_of_host("a", "x"), Some(("a".into(), "x".into())));
        assert_eq!(service_of_host("api.example.com", "x"), None);
        assert_eq!(
            parse_principal("td.svc.id.goog/ns/apps/sa/caller-sa"),
            Some(("apps".into(), "caller-sa".into()))
        );
    }
}
