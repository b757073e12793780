//! The typed spec model: one mesh, its clusters, its services and their calls.

use super::values::{Duration, Injection};
use crate::diagnostics::{Source, Span};
use crate::syntax::Syntax;
use ipnet::Ipv4Net;
use std::collections::HashMap;
use std::sync::Arc;

/// A value and the span it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub source: Arc<Source>,
    pub syntax: Syntax,
    pub mesh: Mesh,
    pub clusters: Vec<Cluster>,
    pub defaults: Defaults,
    pub services: Vec<Service>,
    /// Services by name (in spec order), for resolving calls without a scan.
    pub by_name: HashMap<String, Vec<ServiceId>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mtls {
    Strict,
    Permissive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirewallMode {
    PerCall,
    MeshWide,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IstioApi {
    V1,
    V1Beta1,
}

#[derive(Debug, Clone)]
pub struct Mesh {
    pub name: Spanned<String>,
    pub trust_domain: Spanned<String>,
    pub mtls: Spanned<Mtls>,
    pub firewall: Spanned<FirewallMode>,
    pub istio_api: Spanned<IstioApi>,
    pub injection: Spanned<Injection>,
    pub allow: Vec<Allow>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Cluster {
    pub name: Spanned<String>,
    pub project: Option<Spanned<String>>,
    pub network: Spanned<String>,
    pub region: Option<Spanned<String>>,
    pub pod_cidr: Option<Spanned<Ipv4Net>>,
    pub node_tag: Option<Spanned<String>>,
    pub allow: Vec<Allow>,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub timeout: Option<Spanned<Duration>>,
    pub retries: Option<Retries>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Retries {
    pub attempts: Spanned<u32>,
    pub per_try_timeout: Option<Spanned<Duration>>,
    pub on: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    Http,
    Http2,
    Grpc,
    Tcp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::Http2 => "http2",
            Protocol::Grpc => "grpc",
            Protocol::Tcp => "tcp",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Port {
    pub number: Spanned<u16>,
    pub protocol: Spanned<Protocol>,
    /// The port's name: given, or the protocol (Istio reads the protocol from the name).
    pub name: Spanned<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Probes {
    pub liveness: Option<Spanned<String>>,
    pub readiness: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct CircuitBreaker {
    pub consecutive_5xx: Option<Spanned<u32>>,
    pub interval: Option<Spanned<Duration>>,
    pub base_ejection_time: Option<Spanned<Duration>>,
    pub max_ejection_percent: Option<Spanned<u32>>,
    pub max_connections: Option<Spanned<u32>>,
    pub max_pending_requests: Option<Spanned<u32>>,
    pub max_requests_per_connection: Option<Spanned<u32>>,
    pub span: Span,
}

#[derive(Debug, Clone, Default)]
pub struct Resources {
    pub cpu: Option<Spanned<String>>,
    pub memory: Option<Spanned<String>>,
    pub cpu_limit: Option<Spanned<String>>,
    pub memory_limit: Option<Spanned<String>>,
}

/// Changes to the hardened workload defaults; `None` keeps the default.
#[derive(Debug, Clone, Default)]
pub struct Security {
    pub run_as_user: Option<Spanned<i64>>,
    pub read_only_root_filesystem: Option<Spanned<bool>>,
    pub service_account_token: Option<Spanned<bool>>,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub name: Spanned<String>,
    pub namespace: Spanned<String>,
    pub version: Spanned<String>,
    pub image: Spanned<String>,
    pub ports: Vec<Port>,
    pub replicas: Spanned<u32>,
    pub runs_in: Vec<Spanned<String>>,
    pub probes: Probes,
    pub circuit_breaker: Option<CircuitBreaker>,
    pub resources: Resources,
    pub security: Security,
    pub stub: Spanned<bool>,
    pub exposed: Spanned<bool>,
    pub calls: Vec<Call>,
    pub allow: Vec<Allow>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Call {
    pub service: Spanned<String>,
    pub namespace: Option<Spanned<String>>,
    pub timeout: Option<Spanned<Duration>>,
    pub retries: Option<Retries>,
    pub allow: Vec<Allow>,
    pub span: Span,
}

/// A suppression: `allow "M0401" reason="…"`.
#[derive(Debug, Clone)]
pub struct Allow {
    pub code: Spanned<String>,
    pub reason: Option<Spanned<String>>,
    pub span: Span,
}

/// Identifies a service: index into `Spec::services`.
pub type ServiceId = usize;

impl Spec {
    /// Index services by name; call after changing `services`.
    pub fn index(&mut self) {
        self.by_name.clear();
        for (i, s) in self.services.iter().enumerate() {
            self.by_name
                .entry(s.name.value.clone())
                .or_default()
                .push(i);
        }
    }

    pub fn cluster(&self, name: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.name.value == name)
    }

    /// The service a call names: in the given namespace, else the caller's, else the only one
    /// of that name. `None` when there is no such service or the name is ambiguous.
    pub fn resolve_call(&self, caller: &Service, call: &Call) -> Option<ServiceId> {
        let same_name = self.by_name.get(&call.service.value)?;
        let named = |ns: &str| {
            same_name
                .iter()
                .copied()
                .find(|&i| self.services[i].namespace.value == ns)
        };
        if let Some(ns) = &call.namespace {
            return named(ns);
        }
        named(&caller.namespace).or(match same_name.as_slice() {
            [only] => Some(*only),
            _ => None,
        })
    }

    /// Every call edge that resolves: (caller, call, callee).
    pub fn edges(&self) -> impl Iterator<Item = (ServiceId, &Call, ServiceId)> {
        self.services.iter().enumerate().flat_map(move |(i, s)| {
            s.calls
                .iter()
                .filter_map(move |c| self.resolve_call(s, c).map(|callee| (i, c, callee)))
        })
    }

    /// The timeout a call gets: its own, else the defaults'.
    pub fn call_timeout<'a>(&'a self, call: &'a Call) -> Option<&'a Spanned<Duration>> {
        call.timeout.as_ref().or(self.defaults.timeout.as_ref())
    }

    /// The retries a call gets: its own, else the defaults'.
    pub fn call_retries<'a>(&'a self, call: &'a Call) -> Option<&'a Retries> {
        call.retries.as_ref().or(self.defaults.retries.as_ref())
    }
}

impl Service {
    pub fn runs_in(&self, cluster: &str) -> bool {
        self.runs_in.iter().any(|c| c.value == cluster)
    }

    pub fn service_account(&self) -> String {
        format!("{}-sa", self.name.value)
    }

    pub fn host(&self) -> String {
        format!(
            "{}.{}.svc.cluster.local",
            self.name.value, self.namespace.value
        )
    }
}
