//! Service: each workload's host, and the stub Services that make remote hosts resolve.

use super::{ClusterContext, Object, app_metadata, object};
use crate::plan::PlanPort;
use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

pub fn emit(cx: &ClusterContext, out: &mut Vec<Object>) {
    for w in &cx.cluster.workloads {
        let value = service(&w.name, &w.namespace, &w.ports, None);
        out.push(object("Service", Some(&w.namespace), &w.name, &value));
    }
    for s in &cx.cluster.stubs {
        let value = service(&s.name, &s.namespace, &s.ports, Some(&s.reason));
        out.push(object("Service", Some(&s.namespace), &s.name, &value));
    }
}

/// A stub is the callee's own Service (same name, namespace, ports and selector) in a cluster
/// with no endpoints of it: DNS resolves the host, and Istio routes to the remote endpoints.
fn service(name: &str, namespace: &str, ports: &[PlanPort], reason: Option<&str>) -> Service {
    Service {
        metadata: app_metadata(name, namespace, reason),
        spec: Some(ServiceSpec {
            selector: Some(super::selector(name)),
            ports: Some(
                ports
                    .iter()
                    .map(|p| ServicePort {
                        name: Some(p.name.clone()),
                        port: i32::from(p.number),
                        target_port: Some(IntOrString::Int(i32::from(p.number))),
                        protocol: Some("TCP".into()),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        }),
        ..Default::default()
    }
}
