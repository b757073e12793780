//! `security.istio.io` kinds: PeerAuthentication and AuthorizationPolicy.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

use super::{IstioApi, istio_object};

/// Label selector for the workloads a policy applies to (Istio reference: `WorkloadSelector`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WorkloadSelector {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
}

istio_object!(
    /// A PeerAuthentication object (Istio reference: `PeerAuthentication`).
    PeerAuthentication,
    PeerAuthenticationSpec,
    security_api_version
);

/// The spec of a PeerAuthentication (Istio reference: `PeerAuthentication`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PeerAuthenticationSpec {
    /// `None` applies the policy to every workload in the namespace (or mesh).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<WorkloadSelector>,
    /// Always serialized.
    pub mtls: PeerMtls,
}

/// Mutual TLS setting of a PeerAuthentication (Istio reference: `PeerAuthentication.MutualTLS`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PeerMtls {
    /// Always serialized; defaults to `UNSET` (inherit from parent).
    pub mode: MtlsMode,
}

/// Peer mTLS mode (Istio reference: `PeerAuthentication.MutualTLS.Mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MtlsMode {
    /// `UNSET`: inherit from the parent scope.
    #[default]
    Unset,
    /// `DISABLE`: plain text only.
    Disable,
    /// `PERMISSIVE`: accept plain text and mTLS.
    Permissive,
    /// `STRICT`: mTLS only.
    Strict,
}

istio_object!(
    /// An AuthorizationPolicy object (Istio reference: `AuthorizationPolicy`).
    AuthorizationPolicy,
    AuthorizationPolicySpec,
    security_api_version
);

/// The spec of an AuthorizationPolicy (Istio reference: `AuthorizationPolicy`).
///
/// Beware Istio's semantics: an `ALLOW` policy with no rules denies everything,
/// while a single empty rule (`rules: [{}]`) allows everything.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AuthorizationPolicySpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<WorkloadSelector>,
    /// Always serialized; defaults to `ALLOW` (Istio's own default).
    pub action: Action,
    /// Required when `action` is `CUSTOM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<ExtensionProvider>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
}

/// Action taken when a policy matches (Istio reference: `AuthorizationPolicy.Action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Action {
    /// `ALLOW`: allow matching requests.
    #[default]
    Allow,
    /// `DENY`: deny matching requests.
    Deny,
    /// `AUDIT`: audit matching requests.
    Audit,
    /// `CUSTOM`: delegate to the extension `provider`.
    Custom,
}

/// The extension provider of a `CUSTOM` policy (Istio reference: `AuthorizationPolicy.ExtensionProvider`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExtensionProvider {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// One match rule: sources, operations and conditions (Istio reference: `Rule`).
///
/// An empty rule matches every request and serializes as `{}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Rule {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub from: Vec<From>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<To>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub when: Vec<Condition>,
}

/// A list of request sources (Istio reference: `Rule.From`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct From {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// Identity, namespace and IP attributes of a request source (Istio reference: `Source`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Source {
    /// Peer identities, e.g. `cluster.local/ns/default/sa/app`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub principals: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_principals: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub request_principals: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_request_principals: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_namespaces: Vec<String>,
    /// At most 16 entries (schema `maxItems`); `ns/sa` form.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_accounts: Vec<String>,
    /// At most 16 entries (schema `maxItems`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_service_accounts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ip_blocks: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_ip_blocks: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remote_ip_blocks: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_remote_ip_blocks: Vec<String>,
}

/// A list of request operations (Istio reference: `Rule.To`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct To {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
}

/// Host, port, method and path attributes of a request (Istio reference: `Operation`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Operation {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_hosts: Vec<String>,
    /// Ports are strings in the Istio schema (e.g. `"8080"`), not integers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_ports: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_methods: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_paths: Vec<String>,
}

/// An extra attribute condition on a rule (Istio reference: `Condition`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Condition {
    /// Required by the schema, so always serialized (e.g. `source.ip`).
    pub key: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_values: Vec<String>,
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

    fn sample_peer_authentication() -> PeerAuthentication {
        PeerAuthentication::new(
            IstioApi::V1,
            meta("default", "payments"),
            PeerAuthenticationSpec {
                selector: Some(WorkloadSelector {
                    match_labels: BTreeMap::from([("app".into(), "ledger".into())]),
                }),
                mtls: PeerMtls {
                    mode: MtlsMode::Strict,
                },
            },
        )
    }

    fn sample_authorization_policy() -> AuthorizationPolicy {
        AuthorizationPolicy::new(
            IstioApi::V1Beta1,
            meta("ledger-allow", "payments"),
            AuthorizationPolicySpec {
                selector: Some(WorkloadSelector {
                    match_labels: BTreeMap::from([("app".into(), "ledger".into())]),
                }),
                action: Action::Deny,
                provider: None,
                rules: vec![
                    Rule {
                        from: vec![From {
                            source: Some(Source {
                                principals: vec!["cluster.local/ns/shop/sa/checkout".into()],
                                namespaces: vec!["shop".into()],
                                ip_blocks: vec!["10.0.0.0/8".into()],
                                not_remote_ip_blocks: vec!["192.168.0.0/16".into()],
                                ..Source::default()
                            }),
                        }],
                        to: vec![To {
                            operation: Some(Operation {
                                ports: vec!["8080".into()],
                                methods: vec!["GET".into(), "POST".into()],
                                paths: vec!["/api/*".into()],
                                hosts: vec!["ledger.payments.svc.cluster.local".into()],
                                ..Operation::default()
                            }),
                        }],
                        when: vec![Condition {
                            key: "request.headers[x-tenant]".into(),
                            values: vec!["acme".into()],
                            not_values: vec![],
                        }],
                    },
                    Rule::default(),
                ],
            },
        )
    }

    #[test]
    fn peer_authentication_serializes_to_istio_shape() {
        let got = serde_json::to_value(sample_peer_authentication()).unwrap();
        let want = json!({
            "apiVersion": "security.istio.io/v1",
            "kind": "PeerAuthentication",
            "metadata": { "name": "default", "namespace": "payments" },
            "spec": {
                "selector": { "matchLabels": { "app": "ledger" } },
                "mtls": { "mode": "STRICT" }
            }
        });
        assert_eq!(got, want);

        let mesh_wide = PeerAuthentication::new(
            IstioApi::V1,
            meta("default", "istio-system"),
            PeerAuthenticationSpec::default(),
        );
        assert_eq!(
            serde_json::to_value(mesh_wide).unwrap()["spec"],
            json!({ "mtls": { "mode": "UNSET" } })
        );
    }

    #[test]
    fn authorization_policy_serializes_to_istio_shape() {
        let got = serde_json::to_value(sample_authorization_policy()).unwrap();
        let want = json!({
            "apiVersion": "security.istio.io/v1beta1",
            "kind": "AuthorizationPolicy",
            "metadata": { "name": "ledger-allow", "namespace": "payments" },
            "spec": {
                "selector": { "matchLabels": { "app": "ledger" } },
                "action": "DENY",
                "rules": [
                    {
                        "from": [{
                            "source": {
                                "principals": ["cluster.local/ns/shop/sa/checkout"],
                                "namespaces": ["shop"],
                                "ipBlocks": ["10.0.0.0/8"],
                                "notRemoteIpBlocks": ["192.168.0.0/16"]
                            }
                        }],
                        "to": [{
                            "operation": {
                                "hosts": ["ledger.payments.svc.cluster.local"],
                                "ports": ["8080"],
                                "methods": ["GET", "POST"],
                                "paths": ["/api/*"]
                            }
                        }],
                        "when": [{
                            "key": "request.headers[x-tenant]",
                            "values": ["acme"]
                        }]
                    },
                    {}
                ]
            }
        });
        assert_eq!(got, want);
    }

    #[test]
    fn key_order_is_conventional() {
        let text = serde_json::to_string(&sample_authorization_policy()).unwrap();
        let pos = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
        assert!(pos("apiVersion") < pos("kind"));
        assert!(pos("kind") < pos("metadata"));
        assert!(pos("metadata") < pos("spec"));
    }

    #[test]
    fn enum_spellings() {
        for (mode, s) in [
            (MtlsMode::Unset, "UNSET"),
            (MtlsMode::Disable, "DISABLE"),
            (MtlsMode::Permissive, "PERMISSIVE"),
            (MtlsMode::Strict, "STRICT"),
        ] {
            assert_eq!(serde_json::to_value(mode).unwrap(), json!(s));
            assert_eq!(serde_json::from_value::<MtlsMode>(json!(s)).unwrap(), mode);
        }
        for (action, s) in [
            (Action::Allow, "ALLOW"),
            (Action::Deny, "DENY"),
            (Action::Audit, "AUDIT"),
            (Action::Custom, "CUSTOM"),
        ] {
            assert_eq!(serde_json::to_value(action).unwrap(), json!(s));
            assert_eq!(serde_json::from_value::<Action>(json!(s)).unwrap(), action);
        }
    }

    #[test]
    fn custom_action_with_provider() {
        let ap = AuthorizationPolicy::new(
            IstioApi::V1,
            meta("ext-authz", "payments"),
            AuthorizationPolicySpec {
                action: Action::Custom,
                provider: Some(ExtensionProvider {
                    name: Some("opa".into()),
                }),
                rules: vec![Rule::default()],
                ..AuthorizationPolicySpec::default()
            },
        );
        assert_eq!(
            serde_json::to_value(ap).unwrap()["spec"],
            json!({ "action": "CUSTOM", "provider": { "name": "opa" }, "rules": [{}] })
        );
    }

    #[test]
    fn round_trips() {
        let pa = sample_peer_authentication();
        let back: PeerAuthentication =
            serde_json::from_str(&serde_json::to_string(&pa).unwrap()).unwrap();
        assert_eq!(back, pa);

        let ap = sample_authorization_policy();
        let back: AuthorizationPolicy =
            serde_json::from_str(&serde_json::to_string(&ap).unwrap()).unwrap();
        assert_eq!(back, ap);
    }

    #[test]
    fn hand_written_manifest_with_unknown_and_missing_fields_loads() {
        let pa: PeerAuthentication = serde_json::from_value(json!({
            "apiVersion": "security.istio.io/v1",
            "kind": "PeerAuthentication",
            "metadata": { "name": "default" },
            "spec": { "portLevelMtls": { "8080": { "mode": "DISABLE" } } }
        }))
        .unwrap();
        assert_eq!(pa.spec.mtls.mode, MtlsMode::Unset);
        assert_eq!(pa.spec.selector, None);

        let ap: AuthorizationPolicy = serde_json::from_value(json!({
            "kind": "AuthorizationPolicy",
            "spec": {
                "targetRefs": [{ "kind": "Gateway", "name": "gw" }],
                "rules": [{ "from": [{ "source": { "principals": ["*"] } }] }]
            }
        }))
        .unwrap();
        assert_eq!(ap.spec.action, Action::Allow);
        assert_eq!(
            ap.spec.rules[0].from[0].source.as_ref().unwrap().principals,
            vec!["*".to_owned()]
        );
    }
}
