//! Verify: the graph check over emitted objects.
//!
//! The verifier reads Kubernetes and Istio manifests, one folder per cluster (meshc's output,
//! or hand-written), and proves that:
//! - every VirtualService and DestinationRule host (and route destination) resolves to a
//!   Service in that cluster, on the port it names;
//! - every AuthorizationPolicy principal names a ServiceAccount that exists in the mesh;
//! - every call an AuthorizationPolicy allows resolves in each cluster its caller runs in, on
//!   the allowed ports;
//! - where firewall rules are given, they let each caller cluster's pods reach each callee
//!   cluster's nodes on those ports.
//!
//! It never reads the spec: what `build` emits must stand on its own.

mod index;
mod load;

use crate::check::rules::{missing_firewall_rule, unknown_principal, unresolved_host};
use crate::diagnostics::Diagnostic;
use crate::driver::Fatal;
use crate::emit::Files;
use index::{Index, Object};
use std::path::Path;

pub use load::{load_dir, load_files};

/// Verify an emitted output tree held in memory; problems come back as `file:line: message`.
pub fn verify_files(files: &Files) -> Vec<String> {
    let manifests = match load_files(files) {
        Ok(m) => m,
        Err(diags) => return diags.iter().map(|d| d.message.clone()).collect(),
    };
    verify(&manifests)
        .iter()
        .map(|d| match d.region() {
            Some(r) => format!("{}:{}: {}", r.file, r.line, d.message),
            None => d.message.clone(),
        })
        .collect()
}

/// `meshc verify DIR`: diagnostics in the manifests' own files.
pub fn verify_dir(dir: &Path) -> Result<Vec<Diagnostic>, Fatal> {
    let manifests = load_dir(dir)?;
    match manifests {
        Ok(m) => Ok(verify(&m)),
        Err(diags) => Ok(diags),
    }
}

/// Everything read from one output tree.
pub struct Manifests {
    pub clusters: Vec<(String, Vec<Object>)>,
    pub firewall: Option<load::FirewallFile>,
}

pub fn verify(m: &Manifests) -> Vec<Diagnostic> {
    let index = Index::new(m);
    let mut out = Vec::new();
    for (cluster, objects) in &m.clusters {
        for o in objects {
            match o.kind.as_str() {
                "VirtualService" => check_virtual_service(&index, cluster, o, &mut out),
                "DestinationRule" => {
                    if let Some(host) = o.json.pointer("/spec/host").and_then(|h| h.as_str()) {
                        check_host(&index, cluster, o, host, None, &mut out);
                    }
                }
                "AuthorizationPolicy" => check_authorization(&index, m, cluster, o, &mut out),
                _ => {}
            }
        }
    }
    out
}

fn check_virtual_service(index: &Index, cluster: &str, o: &Object, out: &mut Vec<Diagnostic>) {
    let hosts = o.json.pointer("/spec/hosts").and_then(|h| h.as_array());
    for host in hosts.into_iter().flatten().filter_map(|h| h.as_str()) {
        check_host(index, cluster, o, host, None, out);
    }
    let routes = o.json.pointer("/spec/http").and_then(|h| h.as_array());
    for route in routes.into_iter().flatten() {
        let dests = route.get("route").and_then(|r| r.as_array());
        for dest in dests.into_iter().flatten() {
            let Some(host) = dest.pointer("/destination/host").and_then(|h| h.as_str()) else {
                continue;
            };
            let port = dest
                .pointer("/destination/port/number")
                .and_then(|p| p.as_u64())
                .and_then(|p| u16::try_from(p).ok());
            check_host(index, cluster, o, host, port, out);
        }
    }
}

/// A mesh host must be a Service in this cluster (and have the port, when one is named).
fn check_host(
    index: &Index,
    cluster: &str,
    o: &Object,
    host: &str,
    port: Option<u16>,
    out: &mut Vec<Diagnostic>,
) {
    let Some((name, ns)) = index::service_of_host(host, &o.namespace) else {
        return;
    };
    match index.service(cluster, &ns, &name) {
        None => out.push(
            unresolved_host::RULE
                .diag(format!(
                    "{} {}/{}: host `{host}` has no Service in cluster `{cluster}`",
                    o.kind, o.namespace, o.name
                ))
                .at(o.span.clone(), "refers to it")
                .help(format!(
                    "add a Service `{name}` in namespace `{ns}` to `{cluster}`"
                ))
                .in_source(&o.source),
        ),
        Some(ports) => {
            if let Some(p) = port.filter(|p| !ports.contains(p)) {
                out.push(
                    unresolved_host::RULE
                        .diag(format!(
                            "{} {}/{}: Service `{ns}/{name}` in `{cluster}` has no port {p}",
                            o.kind, o.namespace, o.name
                        ))
                        .at(o.span.clone(), "names the port")
                        .in_source(&o.source),
                );
            }
        }
    }
}

fn check_authorization(
    index: &Index,
    m: &Manifests,
    cluster: &str,
    o: &Object,
    out: &mut Vec<Diagnostic>,
) {
    let callee = o
        .json
        .pointer("/spec/selector/matchLabels/app")
        .and_then(|a| a.as_str());
    let rules = o.json.pointer("/spec/rules").and_then(|r| r.as_array());
    for rule in rules.into_iter().flatten() {
        let ports: Vec<u16> = rule
            .get("to")
            .and_then(|t| t.as_array())
            .into_iter()
            .flatten()
            .filter_map(|t| t.pointer("/operation/ports")?.as_array().cloned())
            .flatten()
            .filter_map(|p| p.as_str()?.parse().ok())
            .collect();
        let principals = rule
            .get("from")
            .and_then(|f| f.as_array())
            .into_iter()
            .flatten()
            .filter_map(|f| f.pointer("/source/principals")?.as_array().cloned())
            .flatten();
        for principal in principals.filter_map(|p| p.as_str().map(str::to_string)) {
            let Some((ns, sa)) = index::parse_principal(&principal) else {
                continue;
            };
            if ns == "istio-system" {
                continue; // the mesh's own gateways: not part of the manifests
            }
            if !index.service_account_exists(&ns, &sa) {
                out.push(
                    unknown_principal::RULE
                        .diag(format!(
                            "AuthorizationPolicy {}/{} in `{cluster}` allows `{principal}`, but no cluster has ServiceAccount `{ns}/{sa}`",
                            o.namespace, o.name
                        ))
                        .at(o.span.clone(), "allows it")
                        .help("the principal never matches: fix the namespace or service account name")
                        .in_source(&o.source),
                );
                continue;
            }
            let Some(callee) = callee else { continue };
            // The call this policy allows must resolve wherever the caller runs.
            for caller_cluster in index.clusters_running_sa(&ns, &sa) {
                match index.service(&caller_cluster, &o.namespace, callee) {
                    None => out.push(
                        unresolved_host::RULE
                            .diag(format!(
                                "`{ns}/{sa}` calls `{callee}.{}` from `{caller_cluster}`, where no Service `{callee}` resolves",
                                o.namespace
                            ))
                            .at(o.span.clone(), "allows the call")
                            .help(format!("add a Service `{callee}` in namespace `{}` to `{caller_cluster}`", o.namespace))
                            .in_source(&o.source),
                    ),
                    Some(have) => {
                        for p in ports.iter().filter(|p| !have.contains(p)) {
                            out.push(
                                unresolved_host::RULE
                                    .diag(format!(
                                        "`{callee}.{}` in `{caller_cluster}` has no port {p}, which `{ns}/{sa}` is allowed to call",
                                        o.namespace
                                    ))
                                    .at(o.span.clone(), "allows the port")
                                    .in_source(&o.source),
                            );
                        }
                    }
                }
                if caller_cluster != cluster
                    && let Some(fw) = &m.firewall
                {
                    for p in &ports {
                        if !fw.allows(&caller_cluster, cluster, *p) {
                            out.push(
                                missing_firewall_rule::RULE
                                    .diag(format!(
                                        "no firewall rule lets pods of `{caller_cluster}` reach `{callee}` on nodes of `{cluster}`, port {p}"
                                    ))
                                    .at(o.span.clone(), "allows the call")
                                    .help("add an ingress rule from the caller cluster's pod range to the callee cluster's node tag")
                                    .in_source(&o.source),
                            );
                        }
                    }
                }
            }
        }
    }
}
