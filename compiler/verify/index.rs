//! What the verifier knows of each cluster: its Services, ServiceAccounts and workloads, and
//! the policies it checks.

use super::Manifests;
use crate::diagnostics::{Source, Span};
use crate::syntax::Node;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// What the verifier keeps of one object: only what its checks read, so that the syntax of a
/// large tree is dropped file by file.
pub enum Fact {
    Service {
        ports: Vec<u16>,
    },
    ServiceAccount,
    Workload {
        service_account: String,
    },
    /// Its hosts, and its routes' destinations (host, port).
    VirtualService {
        hosts: Vec<String>,
        destinations: Vec<(String, Option<u16>)>,
    },
    DestinationRule {
        host: String,
    },
    /// The `app` it selects and, per rule, the ports and the principals it allows.
    AuthorizationPolicy {
        app: Option<String>,
        rules: Vec<(Vec<u16>, Vec<String>)>,
    },
}

impl Fact {
    fn is_policy(&self) -> bool {
        matches!(
            self,
            Fact::VirtualService { .. }
                | Fact::DestinationRule { .. }
                | Fact::AuthorizationPolicy { .. }
        )
    }
}

fn strings(nodes: &[Node]) -> impl Iterator<Item = String> + '_ {
    nodes.iter().filter_map(|n| n.as_str().map(str::to_string))
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
            "VirtualService" => Fact::VirtualService {
                hosts: strings(doc.list_at("/spec/hosts")).collect(),
                destinations: doc
                    .list_at("/spec/http")
                    .iter()
                    .flat_map(|route| route.list_at("/route"))
                    .filter_map(|d| {
                        let host = d.str_at("/destination/host")?.to_string();
                        let port = d.at("/destination/port/number").and_then(Node::as_int);
                        Some((host, port.and_then(|p| u16::try_from(p).ok())))
                    })
                    .collect(),
            },
            "DestinationRule" => Fact::DestinationRule {
                host: doc.str_at("/spec/host")?.to_string(),
            },
            "AuthorizationPolicy" => Fact::AuthorizationPolicy {
                app: doc
                    .str_at("/spec/selector/matchLabels/app")
                    .map(str::to_string),
                rules: doc
                    .list_at("/spec/rules")
                    .iter()
                    .map(|rule| {
                        let ports = rule
                            .list_at("/to")
                            .iter()
                            .flat_map(|t| t.list_at("/operation/ports"))
                            .filter_map(|p| p.as_str()?.parse().ok())
                            .collect();
                        let principals = rule
                            .list_at("/from")
                            .iter()
                            .flat_map(|f| strings(f.list_at("/source/principals")))
                            .collect();
                        (ports, principals)
                    })
                    .collect(),
            },
            _ => return None,
        };
        let place = fact.is_policy().then(|| (Arc::clone(source), span));
        Some(Object {
            kind,
            namespace,
            name,
            fact,
            place,
        })
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
