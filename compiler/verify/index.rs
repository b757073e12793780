//! What the verifier knows of each cluster: its Services, ServiceAccounts and workloads, and
//! the policies it checks.

use super::Manifests;
use crate::diagnostics::{Source, Span};
use crate::syntax::Node;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// What the verifier keeps of one object: only what its checks read.
pub enum Fact {
    Service {
        ports: Vec<u16>,
    },
    ServiceAccount,
    Workload {
        service_account: String,
    },
    /// VirtualService, DestinationRule, AuthorizationPolicy: checked in full.
    Policy(Node),
}

/// One object of a manifest file.
pub struct Object {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub fact: Fact,
    /// Where the object is, for the findings about it; kept for policies only, so that the
    /// text of every other file can be dropped once read.
    pub place: Option<(Arc<Source>, Span)>,
}

impl Object {
    /// Read the facts of a parsed document; `None` for kinds the verifier does not use.
    pub fn from_doc(doc: Node, source: &Arc<Source>) -> Option<Object> {
        let kind = doc.str_at("/kind")?.to_string();
        let name = doc.str_at("/metadata/name")?.to_string();
        let namespace = doc
            .str_at("/metadata/namespace")
            .unwrap_or("default")
            .to_string();
        let span = doc
            .pointer("/metadata/name", false)
            .unwrap_or(doc.span.start..doc.span.start);
        let fact = match kind.as_str() {
            "Service" => Fact::Service {
                ports: doc
                    .list_at("/spec/ports")
                    .iter()
                    .filter_map(|p| u16::try_from(p.get("port")?.as_int()?).ok())
                    .collect(),
            },
            "ServiceAccount" => Fact::ServiceAccount,
            "Deployment" | "StatefulSet" | "DaemonSet" => Fact::Workload {
                service_account: doc
                    .str_at("/spec/template/spec/serviceAccountName")
                    .unwrap_or("default")
                    .to_string(),
            },
            "VirtualService" | "DestinationRule" | "AuthorizationPolicy" => Fact::Policy(doc),
            _ => return None,
        };
        let place = matches!(fact, Fact::Policy(_)).then(|| (Arc::clone(source), span));
        Some(Object {
            kind,
            namespace,
            name,
            fact,
            place,
        })
    }

    pub fn policy(&self) -> Option<&Node> {
        match &self.fact {
            Fact::Policy(doc) => Some(doc),
            _ => None,
        }
    }
}

pub struct Index {
    /// (cluster, namespace, name) → ports.
    services: HashMap<(String, String, String), Vec<u16>>,
    service_accounts: HashSet<(String, String)>,
    /// (namespace, service account) → clusters with a workload running as it.
    sa_clusters: HashMap<(String, String), BTreeSet<String>>,
}

impl Index {
    pub fn new(m: &Manifests) -> Self {
        let mut services = HashMap::new();
        let mut service_accounts = HashSet::new();
        let mut sa_clusters: HashMap<(String, String), BTreeSet<String>> = HashMap::new();
        for (cluster, objects) in &m.clusters {
            for o in objects {
                match &o.fact {
                    Fact::Service { ports } => {
                        services.insert(
                            (cluster.clone(), o.namespace.clone(), o.name.clone()),
                            ports.clone(),
                        );
                    }
                    Fact::ServiceAccount => {
                        service_accounts.insert((o.namespace.clone(), o.name.clone()));
                    }
                    Fact::Workload { service_account } => {
                        sa_clusters
                            .entry((o.namespace.clone(), service_account.clone()))
                            .or_default()
                            .insert(cluster.clone());
                    }
                    Fact::Policy(_) => {}
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
