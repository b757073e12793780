//! ServiceAccount: each workload's own identity (its mesh principal).

use super::{ClusterContext, Object, labels, metadata, object};
use k8s_openapi::api::core::v1::ServiceAccount;

pub fn emit(cx: &ClusterContext, out: &mut Vec<Object>) {
    for w in &cx.cluster.workloads {
        let value = ServiceAccount {
            metadata: metadata(
                &w.service_account,
                Some(&w.namespace),
                labels(Some(&w.name), None),
                None,
            ),
            automount_service_account_token: Some(w.security.service_account_token),
            ..Default::default()
        };
        out.push(object(
            "ServiceAccount",
            Some(&w.namespace),
            &w.service_account,
            &value,
        ));
    }
}
