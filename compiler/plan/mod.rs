//! Plan: the checked spec model → what each cluster must hold, and why.
//!
//! Every decision lives here: which objects go to which cluster, their names, the resolved
//! policies and defaults, and the reason each object exists (which service or call asked for
//! it). Emit only renders a plan; it never decides.

mod firewall;
mod workload;

pub use firewall::{Firewall, FirewallRule};
pub use workload::{INGRESS_GATEWAY_POD, Probe, Workload, WorkloadSecurity};

use crate::spec::values::{Duration, Injection};
use crate::spec::{IstioApi, Mtls, Protocol, Retries, ServiceId, Spanned, Spec};
use std::collections::{BTreeMap, BTreeSet};

/// Everything `build` writes.
#[derive(Debug, Clone)]
pub struct Plan {
    pub mesh: MeshSettings,
    /// One per cluster, in name order.
    pub clusters: Vec<ClusterPlan>,
    pub firewall: Option<Firewall>,
}

#[derive(Debug, Clone)]
pub struct MeshSettings {
    pub name: String,
    pub trust_domain: String,
    pub mtls: Mtls,
    pub istio_api: IstioApi,
    pub injection: Injection,
}

#[derive(Debug, Clone)]
pub struct ClusterPlan {
    pub name: String,
    pub namespaces: BTreeSet<String>,
    /// Services that run here, in (namespace, name) order.
    pub workloads: Vec<Workload>,
    /// Services of callees that do not run here, so their hosts resolve.
    pub stubs: Vec<Stub>,
    /// Client-side policy for each host called from here.
    pub clients: Vec<ClientPolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PlanPort {
    pub name: String,
    pub number: u16,
    pub protocol: Protocol,
}

impl PlanPort {
    pub fn is_http(&self) -> bool {
        self.protocol != Protocol::Tcp
    }
}

/// A Service of a callee's name in a cluster where it does not run.
#[derive(Debug, Clone)]
pub struct Stub {
    pub name: String,
    pub namespace: String,
    pub ports: Vec<PlanPort>,
    pub reason: String,
}

/// What the callers in one cluster apply when they call one host.
#[derive(Debug, Clone)]
pub struct ClientPolicy {
    pub name: String,
    pub namespace: String,
    pub host: String,
    pub ports: Vec<PlanPort>,
    /// Routes for specific callers (by `app` label) whose policy differs from the default.
    pub routes: Vec<Route>,
    pub default_route: CallPolicy,
    pub circuit_breaker: Option<CircuitBreakerPolicy>,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Route {
    pub caller: String,
    pub caller_namespace: String,
    pub policy: CallPolicy,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct CallPolicy {
    pub timeout: Option<Duration>,
    pub retries: Option<RetryPolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub per_try_timeout: Option<Duration>,
    pub on: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CircuitBreakerPolicy {
    pub consecutive_5xx: Option<u32>,
    pub interval: Option<Duration>,
    pub base_ejection_time: Option<Duration>,
    pub max_ejection_percent: Option<u32>,
    pub max_connections: Option<u32>,
    pub max_pending_requests: Option<u32>,
    pub max_requests_per_connection: Option<u32>,
}

/// Build the plan of a spec that checked without errors.
pub fn plan(spec: &Spec) -> Plan {
    let mesh = MeshSettings {
        name: spec.mesh.name.value.clone(),
        trust_domain: spec.mesh.trust_domain.value.clone(),
        mtls: spec.mesh.mtls.value,
        istio_api: spec.mesh.istio_api.value,
        injection: spec.mesh.injection.value.clone(),
    };
    let callers = callers_by_callee(spec);
    let mut clusters: Vec<ClusterPlan> = spec
        .clusters
        .iter()
        .map(|c| cluster_plan(spec, &c.name.value, &callers, &mesh))
        .collect();
    clusters.sort_by(|a, b| a.name.cmp(&b.name));
    Plan {
        firewall: firewall::plan(spec),
        mesh,
        clusters,
    }
}

/// For each callee, its callers with the index of the call in the caller's `calls`.
fn callers_by_callee(spec: &Spec) -> Vec<Vec<(ServiceId, usize)>> {
    let mut callers = vec![Vec::new(); spec.services.len()];
    for (caller, s) in spec.services.iter().enumerate() {
        for (i, call) in s.calls.iter().enumerate() {
            if let Some(callee) = spec.resolve_call(s, call) {
                callers[callee].push((caller, i));
            }
        }
    }
    callers
}

pub(crate) fn ports(service: &crate::spec::Service) -> Vec<PlanPort> {
    let mut ports: Vec<PlanPort> = service
        .ports
        .iter()
        .map(|p| PlanPort {
            name: p.name.value.clone(),
            number: p.number.value,
            protocol: p.protocol.value,
        })
        .collect();
    ports.sort_by_key(|p| p.number);
    ports
}

fn cluster_plan(
    spec: &Spec,
    cluster: &str,
    callers: &[Vec<(ServiceId, usize)>],
    mesh: &MeshSettings,
) -> ClusterPlan {
    let mut namespaces = BTreeSet::new();
    let mut workloads = Vec::new();
    let mut stubs = Vec::new();
    let mut clients = Vec::new();
    for (id, s) in spec.services.iter().enumerate() {
        let here: Vec<(ServiceId, usize)> = callers[id]
            .iter()
            .copied()
            .filter(|&(c, _)| spec.services[c].runs_in(cluster))
            .collect();
        let runs_here = s.runs_in(cluster);
        if runs_here {
            namespaces.insert(s.namespace.value.clone());
            workloads.push(workload::plan(spec, id, cluster, &callers[id], mesh));
        }
        if here.is_empty() {
            continue;
        }
        let caller_names = describe_callers(spec, &here);
        if !runs_here && s.stub.value {
            namespaces.insert(s.namespace.value.clone());
            let elsewhere: Vec<&str> = s.runs_in.iter().map(|c| c.value.as_str()).collect();
            stubs.push(Stub {
                name: s.name.value.clone(),
                namespace: s.namespace.value.clone(),
                ports: ports(s),
                reason: format!(
                    "runs in {}; called here by {caller_names}",
                    elsewhere.join(", ")
                ),
            });
        }
        namespaces.insert(s.namespace.value.clone());
        clients.push(client_policy(spec, id, &here, caller_names));
    }
    let by_key = |n: &str, ns: &str| (ns.to_string(), n.to_string());
    workloads.sort_by_key(|w| by_key(&w.name, &w.namespace));
    stubs.sort_by_key(|s| by_key(&s.name, &s.namespace));
    clients.sort_by_key(|c| by_key(&c.name, &c.namespace));
    ClusterPlan {
        name: cluster.to_string(),
        namespaces,
        workloads,
        stubs,
        clients,
    }
}

fn describe_callers(spec: &Spec, callers: &[(ServiceId, usize)]) -> String {
    let names: BTreeSet<String> = callers
        .iter()
        .map(|&(c, _)| {
            let s = &spec.services[c];
            format!("{}/{}", s.namespace.value, s.name.value)
        })
        .collect();
    names.into_iter().collect::<Vec<_>>().join(", ")
}

impl CallPolicy {
    /// The policy of a timeout and retries as the spec gives them.
    fn new(timeout: Option<&Spanned<Duration>>, retries: Option<&Retries>) -> Self {
        CallPolicy {
            timeout: timeout.map(|t| t.value.clone()),
            retries: retries.map(|r| RetryPolicy {
                attempts: r.attempts.value,
                per_try_timeout: r.per_try_timeout.as_ref().map(|t| t.value.clone()),
                on: r.on.as_ref().map(|o| o.value.clone()),
            }),
        }
    }
}

fn call_policy(spec: &Spec, caller: ServiceId, call: usize) -> CallPolicy {
    let call = &spec.services[caller].calls[call];
    CallPolicy::new(spec.call_timeout(call), spec.call_retries(call))
}

/// The VirtualService and DestinationRule content for one host, from the callers here.
///
/// When every caller here asks for the same policy, it is the default route. When they differ,
/// each caller gets a route matched by its `app` label, and the default route carries the
/// mesh defaults, for callers meshc does not know about.
fn client_policy(
    spec: &Spec,
    callee: ServiceId,
    callers: &[(ServiceId, usize)],
    caller_names: String,
) -> ClientPolicy {
    let s = &spec.services[callee];
    let mut policies: BTreeMap<(String, String), CallPolicy> = BTreeMap::new();
    for &(caller, call) in callers {
        let c = &spec.services[caller];
        // A caller that calls the same host twice keeps its first call's policy.
        policies
            .entry((c.namespace.value.clone(), c.name.value.clone()))
            .or_insert_with(|| call_policy(spec, caller, call));
    }
    let distinct: BTreeSet<&CallPolicy> = policies.values().collect();
    let (routes, default_route) = if distinct.len() <= 1 {
        (
            Vec::new(),
            distinct.into_iter().next().cloned().unwrap_or_default(),
        )
    } else {
        let routes = policies
            .iter()
            .map(|((ns, name), policy)| Route {
                caller: name.clone(),
                caller_namespace: ns.clone(),
                policy: policy.clone(),
            })
            .collect();
        let default = CallPolicy::new(
            spec.defaults.timeout.as_ref(),
            spec.defaults.retries.as_ref(),
        );
        (routes, default)
    };
    ClientPolicy {
        name: s.name.value.clone(),
        namespace: s.namespace.value.clone(),
        host: s.host(),
        ports: ports(s),
        routes,
        default_route,
        circuit_breaker: s.circuit_breaker.as_ref().map(|cb| CircuitBreakerPolicy {
            consecutive_5xx: cb.consecutive_5xx.as_ref().map(|v| v.value),
            interval: cb.interval.as_ref().map(|v| v.value.clone()),
            base_ejection_time: cb.base_ejection_time.as_ref().map(|v| v.value.clone()),
            max_ejection_percent: cb.max_ejection_percent.as_ref().map(|v| v.value),
            max_connections: cb.max_connections.as_ref().map(|v| v.value),
            max_pending_requests: cb.max_pending_requests.as_ref().map(|v| v.value),
            max_requests_per_connection: cb.max_requests_per_connection.as_ref().map(|v| v.value),
        }),
        reason: format!("called here by {caller_names}"),
    }
}
