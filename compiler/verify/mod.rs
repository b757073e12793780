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
use index::{Fact, Index, Object};
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
    Ok(match load_dir(dir)? {
        Ok(m) => verify(&m),
        Err(diags) => diags,
    })
}

/// Everything read from one output tree.
pub struct Manifests {
    pub clusters: Vec<(String, Vec<Object>)>,
    pub firewall: Option<load::FirewallFile>,
}

/// A finding about an object, placed at its name.
fn at(o: &Object, d: Diagnostic, label: &str) -> Diagnostic {
    match &o.place {
        Some((source, span)) => d.at(span.clone(), label).in_source(source),
        None => d,
    }
}

pub fn verify(m: &Manifests) -> Vec<Diagnostic> {
    let index = Index::new(m);
    let mut out = Vec::new();
    for (cluster, objects) in &m.clusters {
        for o in objects {
            match &o.fact {
                Fact::VirtualService {
                    hosts,
                    destinations,
                } => {
                    for host in hosts {
                        check_host(&index, cluster, o, host, None, &mut out);
                    }
                    for (host, port) in destinations {
                        check_host(&index, cluster, o, host, *port, &mut out);
                    }
                }
                Fact::DestinationRule { host } => {
                    check_host(&index, cluster, o, host, None, &mut out)
                }
                Fact::AuthorizationPolicy { app, rules } => {
                    let allowed = Allowed {
                        cluster,
                        policy: o,
                        callee: app.as_deref(),
                    };
                    for (ports, principals) in rules {
                        check_authorization(&index, m, &allowed, ports, principals, &mut out);
                    }
                }
                _ => {}
            }
        }
    }
    out
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
    let what = format!("{} {}/{}", o.kind, o.namespace, o.name);
    match index.service(cluster, &ns, &name) {
        None => out.push(at(
            o,
            unresolved_host::RULE
                .diag(format!(
                    "{what}: host `{host}` has no Service in cluster `{cluster}`"
                ))
                .help(format!(
                    "add a Service `{name}` in namespace `{ns}` to `{cluster}`"
                )),
            "refers to it",
        )),
        Some(ports) => {
            if let Some(p) = port.filter(|p| !ports.contains(p)) {
                out.push(at(
                    o,
                    unresolved_host::RULE.diag(format!(
                        "{what}: Service `{ns}/{name}` in `{cluster}` has no port {p}"
                    )),
                    "names the port",
                ));
            }
        }
    }
}

/// An AuthorizationPolicy being checked: where it is, and the `app` it protects.
struct Allowed<'a> {
    cluster: &'a str,
    policy: &'a Object,
    callee: Option<&'a str>,
}

/// One rule of an AuthorizationPolicy: its principals exist, and the calls it allows resolve
/// (and pass the firewall) from every cluster the callers run in.
fn check_authorization(
    index: &Index,
    m: &Manifests,
    allowed: &Allowed,
    ports: &[u16],
    principals: &[String],
    out: &mut Vec<Diagnostic>,
) {
    let (cluster, o) = (allowed.cluster, allowed.policy);
    for principal in principals {
        let Some((ns, sa)) = index::parse_principal(principal) else {
            continue;
        };
        if ns == "istio-system" {
            continue; // the mesh's own gateways: not part of the manifests
        }
        if !index.service_account_exists(&ns, &sa) {
            out.push(at(
                o,
                unknown_principal::RULE
                    .diag(format!(
                        "AuthorizationPolicy {}/{} in `{cluster}` allows `{principal}`, but no cluster has ServiceAccount `{ns}/{sa}`",
                        o.namespace, o.name
                    ))
                    .help("the principal never matches: fix the namespace or service account name"),
                "allows it",
            ));
            continue;
        }
        let Some(callee) = allowed.callee else {
            continue;
        };
        // The call this policy allows must resolve wherever the caller runs.
        for caller_cluster in index.clusters_running_sa(&ns, &sa) {
            match index.service(&caller_cluster, &o.namespace, callee) {
                None => out.push(at(
                    o,
                    unresolved_host::RULE
                        .diag(format!(
                            "`{ns}/{sa}` calls `{callee}.{}` from `{caller_cluster}`, where no Service `{callee}` resolves",
                            o.namespace
                        ))
                        .help(format!("add a Service `{callee}` in namespace `{}` to `{caller_cluster}`", o.namespace)),
                    "allows the call",
                )),
                Some(have) => {
                    for p in ports.iter().filter(|p| !have.contains(p)) {
                        out.push(at(
                            o,
                            unresolved_host::RULE.diag(format!(
                                "`{callee}.{}` in `{caller_cluster}` has no port {p}, which `{ns}/{sa}` is allowed to call",
                                o.namespace
                            )),
                            "allows the port",
                        ));
                    }
                }
            }
            if caller_cluster != cluster
                && let Some(fw) = &m.firewall
            {
                for p in ports {
                    if !fw.allows(&caller_cluster, cluster, *p) {
                        out.push(at(
                            o,
                            missing_firewall_rule::RULE
                                .diag(format!(
                                    "no firewall rule lets pods of `{caller_cluster}` reach `{callee}` on nodes of `{cluster}`, port {p}"
                                ))
                                .help("add an ingress rule from the caller cluster's pod range to the callee cluster's node tag"),
                            "allows the call",
                        ));
                    }
                }
            }
        }
    }
}
