//! The call graph of a spec (petgraph): services are nodes, resolved calls are edges.

use crate::spec::{ServiceId, Spec};
use petgraph::graphmap::DiGraphMap;

pub struct CallGraph {
    /// Edge weight: the index of the call in its caller's `calls`.
    pub graph: DiGraphMap<ServiceId, usize>,
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
        CallGraph { graph }
    }

    pub fn callers(&self, callee: ServiceId) -> impl Iterator<Item = ServiceId> + '_ {
        self.graph
            .neighbors_directed(callee, petgraph::Direction::Incoming)
    }

    pub fn callees(&self, caller: ServiceId) -> impl Iterator<Item = ServiceId> + '_ {
        self.graph
            .neighbors_directed(caller, petgraph::Direction::Outgoing)
    }
}
