//! `networking.istio.io` kinds: VirtualService and DestinationRule.
//!
//! Integer widths follow the Istio CRD schemas: `int32` fields are `i32`,
//! `uint32` fields (ports, outlier-detection error counts) are `u32`.
//! Durations are Go-style strings such as `"5s"` or `"250ms"`.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

use super::{IstioApi, istio_object};

istio_object!(
    /// A VirtualService object (Istio reference: `VirtualService`).
    VirtualService,
    VirtualServiceSpec,
    networking_api_version
);

/// The spec of a VirtualService (Istio reference: `VirtualService`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VirtualServiceSpec {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gateways: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub http: Vec<HttpRoute>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub export_to: Vec<String>,
}

/// One ordered HTTP route rule (Istio reference: `HTTPRoute`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpRoute {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "match", skip_serializing_if = "Vec::is_empty")]
    pub r#match: Vec<HttpMatchRequest>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub route: Vec<HttpRouteDestination>,
    /// Request timeout, Go duration string (e.g. `"10s"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<HttpRetry>,
}

/// Match conditions for an HTTP route (Istio reference: `HTTPMatchRequest`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpMatchRequest {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub source_labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_namespace: Option<String>,
}

/// A weighted destination of an HTTP route (Istio reference: `HTTPRouteDestination`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpRouteDestination {
    pub destination: Destination,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<i32>,
}

/// A service (and optional subset/port) to forward to (Istio reference: `Destination`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Destination {
    /// Required by the schema, so always serialized.
    pub host: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<PortSelector>,
}

/// Selects a port on the destination host (Istio reference: `PortSelector`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PortSelector {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
}

/// Retry policy for an HTTP route (Istio reference: `HTTPRetry`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpRetry {
    /// Always serialized: `0` explicitly disables retries.
    pub attempts: i32,
    /// Go duration string (e.g. `"2s"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_try_timeout: Option<String>,
    /// Comma-separated Envoy retry conditions (e.g. `"5xx,connect-failure"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_on: Option<String>,
}

istio_object!(
    /// A DestinationRule object (Istio reference: `DestinationRule`).
    DestinationRule,
    DestinationRuleSpec,
    networking_api_version
);

/// The spec of a DestinationRule (Istio reference: `DestinationRule`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DestinationRuleSpec {
    /// Required by the schema, so always serialized.
    pub host: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic_policy: Option<TrafficPolicy>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subsets: Vec<Subset>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub export_to: Vec<String>,
}

/// A named, label-selected subset of a service's endpoints (Istio reference: `Subset`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Subset {
    /// Required by the schema, so always serialized.
    pub name: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic_policy: Option<TrafficPolicy>,
}

/// Connection pool, outlier detection and TLS settings (Istio reference: `TrafficPolicy`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TrafficPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_pool: Option<ConnectionPoolSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlier_detection: Option<OutlierDetection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ClientTlsSettings>,
}

/// Upstream connection pool limits (Istio reference: `ConnectionPoolSettings`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectionPoolSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp: Option<TcpSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpSettings>,
}

/// TCP-level connection pool settings (Istio reference: `ConnectionPoolSettings.TCPSettings`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TcpSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<i32>,
    /// Go duration string (e.g. `"5s"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_timeout: Option<String>,
}

/// HTTP-level connection pool settings (Istio reference: `ConnectionPoolSettings.HTTPSettings`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HttpSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http1_max_pending_requests: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http2_max_requests: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_requests_per_connection: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<i32>,
}

/// Ejection of unhealthy hosts from the load-balancing pool (Istio reference: `OutlierDetection`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OutlierDetection {
    /// `uint32` in the schema; serialized as `consecutive5xxErrors`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consecutive_5xx_errors: Option<u32>,
    /// `uint32` in the schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consecutive_gateway_errors: Option<u32>,
    /// Go duration string (e.g. `"10s"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Go duration string (e.g. `"30s"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_ejection_time: Option<String>,
    /// Percentage 0..=100 (an `int32` in the schema).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_ejection_percent: Option<i32>,
    /// Percentage 0..=100 (an `int32` in the schema).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_health_percent: Option<i32>,
}

/// TLS settings for connections to the upstream (Istio reference: `ClientTLSSettings`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClientTlsSettings {
    /// Always serialized; defaults to `DISABLE` (Istio's own default).
    pub mode: TlsMode,
}

/// Upstream TLS mode (Istio reference: `ClientTLSSettings.TLSmode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TlsMode {
    /// `DISABLE`: plain-text connections.
    #[default]
    Disable,
    /// `SIMPLE`: originate TLS.
    Simple,
    /// `MUTUAL`: originate mTLS with user-provided certificates.
    Mutual,
    /// `ISTIO_MUTUAL`: originate mTLS with Istio-issued certificates.
    IstioMutual,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta(name: &str, ns: &str) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(ns.to_owned()),
            ..ObjectMeta::default()
        }
    }

    fn sample_virtual_service() -> VirtualService {
        VirtualService::new(
            IstioApi::V1,
            meta("reviews", "bookinfo"),
            VirtualServiceSpec {
                hosts: vec!["reviews.bookinfo.svc.cluster.local".into()],
                gateways: vec![],
                http: vec![
                    HttpRoute {
                        name: Some("canary".into()),
                        r#match: vec![HttpMatchRequest {
                            source_labels: BTreeMap::from([("app".into(), "productpage".into())]),
                            port: Some(9080),
                            source_namespace: Some("bookinfo".into()),
                        }],
                        route: vec![
                            HttpRouteDestination {
                                destination: Destination {
                                    host: "reviews.bookinfo.svc.cluster.local".into(),
                                    subset: Some("v1".into()),
                                    port: Some(PortSelector { number: Some(9080) }),
                                },
                                weight: Some(90),
                            },
                            HttpRouteDestination {
                                destination: Destination {
                                    host: "reviews.bookinfo.svc.cluster.local".into(),
                                    subset: Some("v2".into()),
                                    port: None,
                                },
                                weight: Some(10),
                            },
                        ],
                        timeout: Some("10s".into()),
                        retries: Some(HttpRetry {
                            attempts: 3,
                            per_try_timeout: Some("2s".into()),
                            retry_on: Some("5xx,connect-failure".into()),
                        }),
                    },
                    HttpRoute {
                        route: vec![HttpRouteDestination {
                            destination: Destination {
                                host: "reviews.bookinfo.svc.cluster.local".into(),
                                ..Destination::default()
                            },
                            weight: None,
                        }],
                        retries: Some(HttpRetry::default()),
                        ..HttpRoute::default()
                    },
                ],
                export_to: vec![".".into()],
            },
        )
    }

    fn sample_destination_rule() -> DestinationRule {
        DestinationRule::new(
            IstioApi::V1Beta1,
            meta("reviews", "bookinfo"),
            DestinationRuleSpec {
                host: "reviews.bookinfo.svc.cluster.local".into(),
                traffic_policy: Some(TrafficPolicy {
                    connection_pool: Some(ConnectionPoolSettings {
                        tcp: Some(TcpSettings {
                            max_connections: Some(100),
                            connect_timeout: Some("5s".into()),
                        }),
                        http: Some(HttpSettings {
                            http1_max_pending_requests: Some(64),
                            http2_max_requests: Some(1000),
                            max_requests_per_connection: Some(10),
                            max_retries: Some(3),
                        }),
                    }),
                    outlier_detection: Some(OutlierDetection {
                        consecutive_5xx_errors: Some(5),
                        consecutive_gateway_errors: Some(3),
                        interval: Some("10s".into()),
                        base_ejection_time: Some("30s".into()),
                        max_ejection_percent: Some(50),
                        min_health_percent: Some(25),
                    }),
                    tls: Some(ClientTlsSettings {
                        mode: TlsMode::IstioMutual,
                    }),
                }),
                subsets: vec![Subset {
                    name: "v1".into(),
                    labels: BTreeMap::from([("version".into(), "v1".into())]),
                    traffic_policy: Some(TrafficPolicy {
                        tls: Some(ClientTlsSettings::default()),
                        ..TrafficPolicy::default()
                    }),
                }],
                export_to: vec![],
            },
        )
    }

    #[test]
    fn virtual_service_serializes_to_istio_shape() {
        let got = serde_json::to_value(sample_virtual_service()).unwrap();
        let want = json!({
            "apiVersion": "networking.istio.io/v1",
            "kind": "VirtualService",
            "metadata": { "name": "reviews", "namespace": "bookinfo" },
            "spec": {
                "hosts": ["reviews.bookinfo.svc.cluster.local"],
                "http": [
                    {
                        "name": "canary",
                        "match": [{
                            "sourceLabels": { "app": "productpage" },
                            "port": 9080,
                            "sourceNamespace": "bookinfo"
                        }],
                        "route": [
                            {
                                "destination": {
                                    "host": "reviews.bookinfo.svc.cluster.local",
                                    "subset": "v1",
                                    "port": { "number": 9080 }
                                },
                                "weight": 90
                            },
                            {
                                "destination": {
                                    "host": "reviews.bookinfo.svc.cluster.local",
                                    "subset": "v2"
                                },
                                "weight": 10
                            }
                        ],
                        "timeout": "10s",
                        "retries": {
                            "attempts": 3,
                            "perTryTimeout": "2s",
                            "retryOn": "5xx,connect-failure"
                        }
                    },
                    {
                        "route": [{
                            "destination": { "host": "reviews.bookinfo.svc.cluster.local" }
                        }],
                        "retries": { "attempts": 0 }
                    }
                ],
                "exportTo": ["."]
            }
        });
        assert_eq!(got, want);
    }

    #[test]
    fn virtual_service_key_order_is_conventional() {
        let text = serde_json::to_string(&sample_virtual_service()).unwrap();
        let pos = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
        assert!(pos("apiVersion") < pos("kind"));
        assert!(pos("kind") < pos("metadata"));
        assert!(pos("metadata") < pos("spec"));
    }

    #[test]
    fn destination_rule_serializes_to_istio_shape() {
        let got = serde_json::to_value(sample_destination_rule()).unwrap();
        let want = json!({
            "apiVersion": "networking.istio.io/v1beta1",
            "kind": "DestinationRule",
            "metadata": { "name": "reviews", "namespace": "bookinfo" },
            "spec": {
                "host": "reviews.bookinfo.svc.cluster.local",
                "trafficPolicy": {
                    "connectionPool": {
                        "tcp": { "maxConnections": 100, "connectTimeout": "5s" },
                        "http": {
                            "http1MaxPendingRequests": 64,
                            "http2MaxRequests": 1000,
                            "maxRequestsPerConnection": 10,
                            "maxRetries": 3
                        }
                    },
                    "outlierDetection": {
                        "consecutive5xxErrors": 5,
                        "consecutiveGatewayErrors": 3,
                        "interval": "10s",
                        "baseEjectionTime": "30s",
                        "maxEjectionPercent": 50,
                        "minHealthPercent": 25
                    },
                    "tls": { "mode": "ISTIO_MUTUAL" }
                },
                "subsets": [{
                    "name": "v1",
                    "labels": { "version": "v1" },
                    "trafficPolicy": { "tls": { "mode": "DISABLE" } }
                }]
            }
        });
        assert_eq!(got, want);
    }

    #[test]
    fn empty_specs_are_minimal() {
        let vs = VirtualService::new(
            IstioApi::V1,
            ObjectMeta::default(),
            VirtualServiceSpec::default(),
        );
        assert_eq!(
            serde_json::to_value(vs).unwrap(),
            json!({
                "apiVersion": "networking.istio.io/v1",
                "kind": "VirtualService",
                "metadata": {},
                "spec": {}
            })
        );
        let dr = DestinationRule::new(
            IstioApi::V1,
            ObjectMeta::default(),
            DestinationRuleSpec::default(),
        );
        assert_eq!(
            serde_json::to_value(dr).unwrap(),
            json!({
                "apiVersion": "networking.istio.io/v1",
                "kind": "DestinationRule",
                "metadata": {},
                "spec": { "host": "" }
            })
        );
    }

    #[test]
    fn tls_mode_spellings() {
        for (mode, s) in [
            (TlsMode::Disable, "DISABLE"),
            (TlsMode::Simple, "SIMPLE"),
            (TlsMode::Mutual, "MUTUAL"),
            (TlsMode::IstioMutual, "ISTIO_MUTUAL"),
        ] {
            assert_eq!(serde_json::to_value(mode).unwrap(), json!(s));
            assert_eq!(serde_json::from_value::<TlsMode>(json!(s)).unwrap(), mode);
        }
    }

    #[test]
    fn round_trips() {
        let vs = sample_virtual_service();
        let back: VirtualService =
            serde_json::from_str(&serde_json::to_string(&vs).unwrap()).unwrap();
        assert_eq!(back, vs);

        let dr = sample_destination_rule();
        let back: DestinationRule =
            serde_json::from_str(&serde_json::to_string(&dr).unwrap()).unwrap();
        assert_eq!(back, dr);
    }

    #[test]
    fn hand_written_manifest_with_unknown_and_missing_fields_loads() {
        let vs: VirtualService = serde_json::from_value(json!({
            "apiVersion": "networking.istio.io/v1",
            "kind": "VirtualService",
            "metadata": { "name": "x" },
            "spec": {
                "hosts": ["x"],
                "tcp": [{ "route": [{ "destination": { "host": "x" } }] }],
                "http": [{
                    "match": [{ "uri": { "prefix": "/" } }],
                    "route": [{ "destination": { "host": "x" } }],
                    "fault": { "abort": { "httpStatus": 500 } },
                    "retries": { "retryOn": "5xx" }
                }]
            },
            "status": {}
        }))
        .unwrap();
        assert_eq!(vs.spec.http[0].r#match, vec![HttpMatchRequest::default()]);
        assert_eq!(vs.spec.http[0].retries.as_ref().unwrap().attempts, 0);

        let dr: DestinationRule = serde_json::from_value(json!({
            "spec": {
                "host": "x",
                "trafficPolicy": {
                    "loadBalancer": { "simple": "ROUND_ROBIN" },
                    "tls": { "sni": "x" }
                }
            }
        }))
        .unwrap();
        assert_eq!(dr.api_version, "");
        assert_eq!(
            dr.spec.traffic_policy.unwrap().tls.unwrap().mode,
            TlsMode::Disable
        );
    }
}
