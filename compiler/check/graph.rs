//! The call graph of a spec (petgraph): services are nodes, resolved calls are edges.

use crate::spec::{Protocol, Service, ServiceId, Spec};
use petgraph::graphmap::DiGraphMap;

pub struct CallGraph {
    /// Edge weight: the index of the call in its caller's `calls`.
    pub graph: DiGraphMap<ServiceId, usize>,
    /// The strongly connected components (Tarjan), callees before callers: for a call between
    /// two components, the callee's comes first. A component of several services, or of one
    /// that calls itself, holds a cycle.
    pub components: Vec<Vec<ServiceId>>,
    /// Each service's index in `components`.
    pub component: Vec<usize>,
}

impl CallGraph {
    pub fn new(spec: &Spec) -> Self {
        let mut graph = DiGraphMap::new();
        for i in 0..spec.services.len() {
            graph.add_node(i);
        }
        for (caller, s) in spec.services.iter().enumerate() {
            for (ci, call) in s.calls.iter().enumerate() {
                if let Some(callee) = spec.resolve_call(s, call) {
                    graph.add_edge(caller, callee, ci);
                }
            }
        }
        let components = petgraph::algo::tarjan_scc(&graph);
        let mut component = vec![0; spec.services.len()];
        for (i, members) in components.iter().enumerate() {
            for &s in members {
                if let Some(slot) = component.get_mut(s) {
                    *slot = i;
                }
            }
        }
        CallGraph {
            graph,
            components,
            component,
        }
    }

    pub fn callers(&self, callee: ServiceId) -> impl Iterator<Item = ServiceId> + '_ {
        self.graph
            .neighbors_directed(callee, petgraph::Direction::Incoming)
    }

    pub fn callees(&self, caller: ServiceId) -> impl Iterator<Item = ServiceId> + '_ {
        self.graph
            .neighbors_directed(caller, petgraph::Direction::Outgoing)
    }

    /// Whether a call from `caller` to `callee` lies on a cycle (a self-call included). Leaving
    /// these calls out leaves the graph acyclic: the part that path rules walk.
    pub fn on_cycle(&self, caller: ServiceId, callee: ServiceId) -> bool {
        self.component.get(caller) == self.component.get(callee)
    }

    /// Services in an order where every caller comes before the services it calls, calls on
    /// cycles left out.
    pub fn callers_first(&self) -> impl Iterator<Item = ServiceId> + '_ {
        self.components.iter().rev().flatten().copied()
    }
}

/// A service as messages name it: its name, qualified by its namespace when another
/// namespace has a service of the same name.
pub fn service_label(spec: &Spec, id: ServiceId) -> String {
    let s = &spec.services[id];
    let namesakes = spec.by_name.get(&s.name.value).map_or(0, Vec::len);
    if namesakes > 1 {
        format!("{}/{}", s.namespace.value, s.name.value)
    } else {
        s.name.value.clone()
    }
}

/// Whether calls to a service get its callers' timeouts and retries. They are HTTP route
/// settings: meshc writes no VirtualService for a service that serves only TCP, so calls to it
/// have neither.
pub fn routes_http(service: &Service) -> bool {
    service
        .ports
        .iter()
        .any(|p| p.protocol.value != Protocol::Tcp)
}
