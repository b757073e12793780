//! Terraform JSON: one `google_compute_firewall` resource per rule, and the clusters' pod
//! ranges and node tags as a local value (read back by `meshc verify`).

use crate::plan::Firewall;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Serialize, Deserialize)]
pub struct TerraformFile {
    #[serde(default)]
    pub locals: Locals,
    #[serde(default)]
    pub resource: Resources,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Locals {
    #[serde(default)]
    pub meshc_clusters: BTreeMap<String, ClusterFacts>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClusterFacts {
    pub pod_cidr: String,
    pub node_tag: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Resources {
    #[serde(default)]
    pub google_compute_firewall: BTreeMap<String, ComputeFirewall>,
}

/// The arguments of Terraform's `google_compute_firewall` that meshc sets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ComputeFirewall {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    pub network: String,
    pub description: String,
    pub direction: String,
    pub priority: u32,
    pub source_ranges: Vec<String>,
    pub target_tags: Vec<String>,
    pub allow: Vec<Allow>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Allow {
    pub protocol: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<String>,
}

pub fn render(firewall: &Firewall) -> String {
    let file = TerraformFile {
        locals: Locals {
            meshc_clusters: firewall
                .clusters
                .iter()
                .map(|(name, pod_cidr, node_tag)| {
                    (
                        name.clone(),
                        ClusterFacts {
                            pod_cidr: pod_cidr.clone(),
                            node_tag: node_tag.clone(),
                        },
                    )
                })
                .collect(),
        },
        resource: Resources {
            google_compute_firewall: firewall
                .rules
                .iter()
                .map(|r| {
                    (
                        r.name.clone(),
                        ComputeFirewall {
                            name: r.name.clone(),
                            project: r.project.clone(),
                            network: r.network.clone(),
                            description: r.description.clone(),
                            direction: "INGRESS".into(),
                            priority: r.priority,
                            source_ranges: r.source_ranges.clone(),
                            target_tags: r.target_tags.clone(),
                            allow: r
                                .allow
                                .iter()
                                .map(|(protocol, ports)| Allow {
                                    protocol: protocol.clone(),
                                    ports: ports.clone(),
                                })
                                .collect(),
                        },
                    )
                })
                .collect(),
        },
    };
    // Plain structs of strings and numbers always serialize.
    serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
}
