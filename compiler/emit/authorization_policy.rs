//! AuthorizationPolicy: ALLOW from exactly the workload's callers, on its ports; nothing else.

use super::istio::security::{
    Action, AuthorizationPolicy, AuthorizationPolicySpec, From, Operation, Rule, Source, To,
    WorkloadSelector,
};
use super::{ClusterContext, Object, app_metadata, istio_api, object, selector};

pub fn emit(cx: &ClusterContext, out: &mut Vec<Object>) {
    for w in &cx.cluster.workloads {
        // An ALLOW policy without rules matches nothing: every request is denied.
        let rules = if w.principals.is_empty() {
            Vec::new()
        } else {
            vec![Rule {
                from: vec![From {
                    source: Some(Source {
                        principals: w.principals.clone(),
                        ..Default::default()
                    }),
                }],
                to: vec![To {
                    operation: Some(Operation {
                        ports: w.ports.iter().map(|p| p.number.to_string()).collect(),
                        ..Default::default()
                    }),
                }],
                ..Default::default()
            }]
        };
        let spec = AuthorizationPolicySpec {
            selector: Some(WorkloadSelector {
                match_labels: selector(&w.name),
            }),
            action: Action::Allow,
            rules,
            ..Default::default()
        };
        let meta = app_metadata(&w.name, &w.namespace, Some(&w.reason));
        out.push(object(
            "AuthorizationPolicy",
            Some(&w.namespace),
            &w.name,
            &AuthorizationPolicy::new(istio_api(cx.mesh), meta, spec),
        ));
    }
}
