//! PeerAuthentication: the mesh's mTLS mode in every namespace the cluster holds.

use super::istio::security::{MtlsMode, PeerAuthentication, PeerAuthenticationSpec, PeerMtls};
use super::{ClusterContext, Object, istio_api, labels, metadata, object};
use crate::spec::Mtls;

pub fn emit(cx: &ClusterContext, out: &mut Vec<Object>) {
    let mode = match cx.mesh.mtls {
        Mtls::Strict => MtlsMode::Strict,
        Mtls::Permissive => MtlsMode::Permissive,
    };
    for ns in &cx.cluster.namespaces {
        let spec = PeerAuthenticationSpec {
            selector: None,
            mtls: PeerMtls { mode },
        };
        let meta = metadata("default", Some(ns), labels(None, None), None);
        out.push(object(
            "PeerAuthentication",
            Some(ns),
            "default",
            &PeerAuthentication::new(istio_api(cx.mesh), meta, spec),
        ));
    }
}
