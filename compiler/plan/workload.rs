//! The workload of a service in one cluster: its Deployment, ServiceAccount, Service, and who
//! may call it (authorization principals, network-policy peers).

use super::{MeshSettings, PlanPort, ports};
use crate::spec::{ServiceId, Spec};
use std::collections::BTreeSet;

/// The UID workloads run as unless the spec says otherwise: not root, not Istio's proxy (1337).
pub const DEFAULT_UID: i64 = 10001;
/// The principal of Istio's default ingress gateway, allowed to call `exposed` services.
pub const INGRESS_GATEWAY_SA: (&str, &str) =
    ("istio-system", "istio-ingressgateway-service-account");
/// The namespace and pod label of Istio's default ingress gateway (NetworkPolicy peer).
pub const INGRESS_GATEWAY_POD: (&str, (&str, &str)) = ("istio-system", ("istio", "ingressgateway"));

#[derive(Debug, Clone)]
pub struct Workload {
    pub name: String,
    pub namespace: String,
    pub version: String,
    pub image: String,
    pub ports: Vec<PlanPort>,
    pub replicas: u32,
    pub service_account: String,
    pub liveness: Probe,
    pub readiness: Probe,
    pub requests: (String, String),
    pub limits: (String, String),
    pub security: WorkloadSecurity,
    /// Principals allowed to call the service (AuthorizationPolicy), sorted.
    pub principals: Vec<String>,
    /// Callers in this cluster, as (namespace, app) (NetworkPolicy pod selectors), sorted.
    pub local_callers: Vec<(String, String)>,
    /// Pod ranges of the other clusters its callers run in (NetworkPolicy ipBlocks), sorted.
    pub remote_caller_ranges: Vec<String>,
    /// Reached from the ingress gateway too (`exposed`).
    pub exposed: bool,
    /// Why the authorization policy lets in whom it does.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    Http { path: String, port: String },
    Tcp { port: String },
}

#[derive(Debug, Clone)]
pub struct WorkloadSecurity {
    pub run_as_user: i64,
    pub read_only_root_filesystem: bool,
    pub service_account_token: bool,
}

pub fn plan(
    spec: &Spec,
    id: ServiceId,
    cluster: &str,
    callers: &[(ServiceId, usize)],
    mesh: &MeshSettings,
) -> Workload {
    let s = &spec.services[id];
    let ports = ports(s);
    // The first declared port carries the probes.
    let probe_port = s
        .ports
        .first()
        .map_or_else(|| "http".to_string(), |p| p.name.value.clone());
    let probe = |path: &Option<crate::spec::Spanned<String>>| match path {
        Some(p) => Probe::Http {
            path: p.value.clone(),
            port: probe_port.clone(),
        },
        None => Probe::Tcp {
            port: probe_port.clone(),
        },
    };
    let mut principals = BTreeSet::new();
    let mut local_callers = BTreeSet::new();
    let mut remote_ranges = BTreeSet::new();
    let mut caller_names = BTreeSet::new();
    for &(c, _) in callers {
        let caller = &spec.services[c];
        caller_names.insert(format!("{}/{}", caller.namespace.value, caller.name.value));
        principals.insert(principal(
            &mesh.trust_domain,
            &caller.namespace.value,
            &caller.service_account(),
        ));
        for cc in &caller.runs_in {
            if cc.value == cluster {
                local_callers.insert((caller.namespace.value.clone(), caller.name.value.clone()));
            } else if let Some(range) = spec.cluster(cc).and_then(|c| c.pod_cidr.as_ref()) {
                remote_ranges.insert(range.value.to_string());
            }
        }
    }
    if s.exposed.value {
        let (ns, sa) = INGRESS_GATEWAY_SA;
        principals.insert(principal(&mesh.trust_domain, ns, sa));
        caller_names.insert("the ingress gateway".to_string());
    }
    let reason = if caller_names.is_empty() {
        "no service calls it: every request is denied".to_string()
    } else {
        format!(
            "called by {}",
            caller_names.into_iter().collect::<Vec<_>>().join(", ")
        )
    };
    let res = &s.resources;
    let or = |v: &Option<crate::spec::Spanned<String>>, d: &str| {
        v.as_ref()
            .map_or_else(|| d.to_string(), |v| v.value.clone())
    };
    Workload {
        name: s.name.value.clone(),
        namespace: s.namespace.value.clone(),
        version: s.version.value.clone(),
        image: s.image.value.clone(),
        ports,
        replicas: s.replicas.value,
        service_account: s.service_account(),
        liveness: probe(&s.probes.liveness),
        readiness: probe(&s.probes.readiness),
        requests: (or(&res.cpu, "100m"), or(&res.memory, "128Mi")),
        limits: (or(&res.cpu_limit, "500m"), or(&res.memory_limit, "256Mi")),
        security: WorkloadSecurity {
            run_as_user: s
                .security
                .run_as_user
                .as_ref()
                .map_or(DEFAULT_UID, |u| u.value),
            read_only_root_filesystem: s
                .security
                .read_only_root_filesystem
                .as_ref()
                .is_none_or(|v| v.value),
            service_account_token: s
                .security
                .service_account_token
                .as_ref()
                .is_some_and(|v| v.value),
        },
        principals: principals.into_iter().collect(),
        local_callers: local_callers.into_iter().collect(),
        remote_caller_ranges: remote_ranges.into_iter().collect(),
        exposed: s.exposed.value,
        reason,
    }
}

/// An Istio principal: `TRUST-DOMAIN/ns/NAMESPACE/sa/SERVICE-ACCOUNT`.
pub fn principal(trust_domain: &str, namespace: &str, service_account: &str) -> String {
    format!("{trust_domain}/ns/{namespace}/sa/{service_account}")
}
