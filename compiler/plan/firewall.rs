//! The GCP firewall rules a mesh needs between its clusters.

use crate::spec::{FirewallMode, Spec};
use std::collections::{BTreeMap, BTreeSet};

/// All protocols, as the ASM multi-cluster guide opens them between clusters.
pub const MESH_WIDE_PROTOCOLS: &[&str] = &["tcp", "udp", "icmp", "esp", "ah", "sctp"];
pub const PRIORITY: u32 = 900;

#[derive(Debug, Clone)]
pub struct Firewall {
    pub rules: Vec<FirewallRule>,
    /// Each cluster's pod range and node tag, written beside the rules so that the verifier can
    /// check them without the spec: (cluster, pod range, node tag).
    pub clusters: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirewallRule {
    pub name: String,
    pub project: Option<String>,
    pub network: String,
    pub description: String,
    pub source_ranges: Vec<String>,
    pub target_tags: Vec<String>,
    /// (protocol, ports); no ports means every port.
    pub allow: Vec<(String, Vec<String>)>,
    pub priority: u32,
}

pub fn plan(spec: &Spec) -> Option<Firewall> {
    let rules = match spec.mesh.firewall.value {
        FirewallMode::None => return None,
        FirewallMode::PerCall => per_call(spec),
        FirewallMode::MeshWide => mesh_wide(spec),
    };
    let mut clusters: Vec<(String, String, String)> = spec
        .clusters
        .iter()
        .filter_map(|c| {
            Some((
                c.name.value.clone(),
                c.pod_cidr.as_ref()?.value.to_string(),
                c.node_tag.as_ref()?.value.clone(),
            ))
        })
        .collect();
    clusters.sort();
    Some(Firewall { rules, clusters })
}

/// What one ordered pair of clusters needs open: the ports, and the calls that need them.
type PairNeeds = (BTreeSet<u16>, BTreeSet<String>);

/// One rule per ordered pair of clusters with a call between them, on exactly the callee ports.
fn per_call(spec: &Spec) -> Vec<FirewallRule> {
    let mut pairs: BTreeMap<(&str, &str), PairNeeds> = BTreeMap::new();
    for (caller, _, callee) in spec.edges() {
        let (caller, callee) = (&spec.services[caller], &spec.services[callee]);
        for from in &caller.runs_in {
            for to in &callee.runs_in {
                // Istio spreads calls over the endpoints of every cluster the callee runs in,
                // so a callee that also runs locally still needs the remote rule.
                if from.value == to.value {
                    continue;
                }
                let entry = pairs
                    .entry((from.value.as_str(), to.value.as_str()))
                    .or_default();
                entry.0.extend(callee.ports.iter().map(|p| p.number.value));
                entry.1.insert(format!(
                    "{}/{} → {}/{}",
                    caller.namespace.value,
                    caller.name.value,
                    callee.namespace.value,
                    callee.name.value
                ));
            }
        }
    }
    pairs
        .into_iter()
        .filter_map(|((from, to), (ports, edges))| {
            let (a, b) = (spec.cluster(from)?, spec.cluster(to)?);
            Some(FirewallRule {
                name: rule_name(&[&spec.mesh.name.value, from, "to", to]),
                project: b.project.as_ref().map(|p| p.value.clone()),
                network: b.network.value.clone(),
                description: format!(
                    "meshc: calls from {from} to {to}: {}",
                    edges.into_iter().collect::<Vec<_>>().join(", ")
                ),
                source_ranges: vec![a.pod_cidr.as_ref()?.value.to_string()],
                target_tags: vec![b.node_tag.as_ref()?.value.clone()],
                allow: vec![(
                    "tcp".to_string(),
                    ports.iter().map(u16::to_string).collect(),
                )],
                priority: PRIORITY,
            })
        })
        .collect()
}

/// The seed's single rule: every pod range to every node tag, all protocols (one per network).
fn mesh_wide(spec: &Spec) -> Vec<FirewallRule> {
    let mut networks: BTreeMap<&str, Vec<&crate::spec::Cluster>> = BTreeMap::new();
    for c in &spec.clusters {
        networks
            .entry(c.network.value.as_str())
            .or_default()
            .push(c);
    }
    let several = networks.len() > 1;
    networks
        .into_iter()
        .map(|(network, clusters)| {
            let set = |f: &dyn Fn(&crate::spec::Cluster) -> Option<String>| -> Vec<String> {
                clusters.iter().filter_map(|c| f(c)).collect::<BTreeSet<_>>().into_iter().collect()
            };
            let mut parts = vec![spec.mesh.name.value.as_str()];
            if several {
                parts.push(network);
            }
            parts.push("multicluster-pods");
            FirewallRule {
                name: rule_name(&parts),
                project: clusters.iter().find_map(|c| c.project.as_ref().map(|p| p.value.clone())),
                network: network.to_string(),
                description: format!(
                    "meshc: pod-to-pod traffic between the clusters of mesh {} on network {network}",
                    spec.mesh.name.value
                ),
                source_ranges: set(&|c| c.pod_cidr.as_ref().map(|r| r.value.to_string())),
                target_tags: set(&|c| c.node_tag.as_ref().map(|t| t.value.clone())),
                allow: MESH_WIDE_PROTOCOLS.iter().map(|p| (p.to_string(), Vec::new())).collect(),
                priority: PRIORITY,
            }
        })
        .collect()
}

/// A GCP resource name from parts: lowercase, `-`-joined, at most 63 characters. A name that
/// would be longer is cut and given a hash of the whole, so that it stays unique.
pub fn rule_name(parts: &[&str]) -> String {
    let full = parts.join("-");
    if full.len() <= 63 {
        return full;
    }
    let hash = fnv1a(full.as_bytes());
    let keep = &full[..54];
    format!("{}-{:08x}", keep.trim_end_matches('-'), hash as u32)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_and_stay_unique() {
        let a = rule_name(&["a".repeat(40).as_str(), "cluster-one", "to", "cluster-two"]);
        let b = rule_name(&[
            "a".repeat(40).as_str(),
            "cluster-one",
            "to",
            "cluster-three",
        ]);
        assert!(a.len() <= 63 && b.len() <= 63);
        assert_ne!(a, b);
        assert!(a.chars().next().unwrap().is_ascii_lowercase());
        assert_eq!(
            rule_name(&["sample", "cluster1", "to", "cluster2"]),
            "sample-cluster1-to-cluster2"
        );
    }
}
