//! Namespace, with the sidecar-injection label, for every namespace the cluster holds.

use super::{ClusterContext, Object, labels, metadata, object};
use k8s_openapi::api::core::v1::Namespace;

pub fn emit(cx: &ClusterContext, out: &mut Vec<Object>) {
    for ns in &cx.cluster.namespaces {
        let mut l = labels(None, None);
        l.insert(
            cx.mesh.injection.key.clone(),
            cx.mesh.injection.value.clone(),
        );
        let value = Namespace {
            metadata: metadata(ns, None, l, None),
            ..Default::default()
        };
        out.push(object("Namespace", None, ns, &value));
    }
}
