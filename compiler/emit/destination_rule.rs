//! DestinationRule: mTLS to the host and its circuit breaker, applied by the callers here.

use super::istio::networking::{
    ClientTlsSettings, ConnectionPoolSettings, DestinationRule, DestinationRuleSpec, HttpSettings,
    OutlierDetection, TcpSettings, TlsMode, TrafficPolicy,
};
use super::{ClusterContext, Object, app_metadata, istio_api, object};
use crate::plan::CircuitBreakerPolicy;

pub fn emit(cx: &ClusterContext, out: &mut Vec<Object>) {
    for c in &cx.cluster.clients {
        let cb = c.circuit_breaker.as_ref();
        let spec = DestinationRuleSpec {
            host: c.host.clone(),
            traffic_policy: Some(TrafficPolicy {
                tls: Some(ClientTlsSettings {
                    mode: TlsMode::IstioMutual,
                }),
                outlier_detection: cb.and_then(outlier_detection),
                connection_pool: cb.and_then(connection_pool),
            }),
            ..Default::default()
        };
        let meta = app_metadata(&c.name, &c.namespace, Some(&c.reason));
        out.push(object(
            "DestinationRule",
            Some(&c.namespace),
            &c.name,
            &DestinationRule::new(istio_api(cx.mesh), meta, spec),
        ));
    }
}

fn int(v: Option<u32>) -> Option<i32> {
    v.map(|v| i32::try_from(v).unwrap_or(i32::MAX))
}

fn outlier_detection(cb: &CircuitBreakerPolicy) -> Option<OutlierDetection> {
    let od = OutlierDetection {
        consecutive_5xx_errors: cb.consecutive_5xx,
        interval: cb.interval.as_ref().map(|d| d.text.clone()),
        base_ejection_time: cb.base_ejection_time.as_ref().map(|d| d.text.clone()),
        max_ejection_percent: int(cb.max_ejection_percent),
        ..Default::default()
    };
    (od != OutlierDetection::default()).then_some(od)
}

fn connection_pool(cb: &CircuitBreakerPolicy) -> Option<ConnectionPoolSettings> {
    let tcp = cb.max_connections.map(|m| TcpSettings {
        max_connections: int(Some(m)),
        ..Default::default()
    });
    let http = HttpSettings {
        http1_max_pending_requests: int(cb.max_pending_requests),
        max_requests_per_connection: int(cb.max_requests_per_connection),
        ..Default::default()
    };
    let http = (http != HttpSettings::default()).then_some(http);
    (tcp.is_some() || http.is_some()).then_some(ConnectionPoolSettings { tcp, http })
}
