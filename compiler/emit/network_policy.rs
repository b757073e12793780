//! NetworkPolicy: defence in depth beside the AuthorizationPolicy — ingress to a workload only
//! on its ports, only from its callers (pods here; other clusters' pod ranges).

use super::{ClusterContext, Object, app_metadata, object, selector};
use crate::plan::INGRESS_GATEWAY_POD;
use crate::plan::Workload;
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

pub fn emit(cx: &ClusterContext, out: &mut Vec<Object>) {
    for w in &cx.cluster.workloads {
        out.push(object(
            "NetworkPolicy",
            Some(&w.namespace),
            &w.name,
            &policy(w),
        ));
    }
}

/// Pods with `label` in namespace `ns`.
fn pods(ns: &str, label: (&str, &str)) -> NetworkPolicyPeer {
    let one = |k: &str, v: &str| {
        Some(LabelSelector {
            match_labels: Some(BTreeMap::from([(k.to_string(), v.to_string())])),
            ..Default::default()
        })
    };
    NetworkPolicyPeer {
        namespace_selector: one("kubernetes.io/metadata.name", ns),
        pod_selector: one(label.0, label.1),
        ..Default::default()
    }
}

fn policy(w: &Workload) -> NetworkPolicy {
    let mut peers: Vec<NetworkPolicyPeer> = w
        .local_callers
        .iter()
        .map(|(ns, app)| pods(ns, ("app", app)))
        .collect();
    if w.exposed {
        let (ns, label) = INGRESS_GATEWAY_POD;
        peers.push(pods(ns, label));
    }
    peers.extend(w.remote_caller_ranges.iter().map(|cidr| NetworkPolicyPeer {
        ip_block: Some(IPBlock {
            cidr: cidr.clone(),
            ..Default::default()
        }),
        ..Default::default()
    }));
    // No callers: an empty ingress list denies every connection.
    let ingress = if peers.is_empty() {
        Vec::new()
    } else {
        vec![NetworkPolicyIngressRule {
            from: Some(peers),
            ports: Some(
                w.ports
                    .iter()
                    .map(|p| NetworkPolicyPort {
                        port: Some(IntOrString::Int(i32::from(p.number))),
                        protocol: Some("TCP".into()),
                        ..Default::default()
                    })
                    .collect(),
            ),
        }]
    };
    NetworkPolicy {
        metadata: app_metadata(&w.name, &w.namespace, Some(&w.reason)),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(selector(&w.name)),
                ..Default::default()
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(ingress),
            ..Default::default()
        }),
    }
}
