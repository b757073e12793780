//! Syntax tree → spec model. Shape errors come from the schema; this reads the values and
//! reports those the schema cannot judge (names, durations, CIDRs, duplicate ports).

use super::model::*;
use super::schema;
use super::values::{Duration, Injection, dns1123_fix, dns1123_label};
use crate::check::rules::{
    invalid_duration, invalid_name, invalid_port, invalid_value, missing_key,
};
use crate::diagnostics::{Diagnostic, Source};
use crate::syntax::{Document, Node, Syntax};
use ipnet::Ipv4Net;
use std::sync::Arc;

/// The widest pod range accepted: a /8 is already a whole private block.
pub const MIN_POD_PREFIX: u8 = 8;

/// Lower a parsed spec. The spec is `None` when its shape is wrong (schema errors); otherwise
/// it is returned with any value errors, the bad values left out.
pub fn lower(source: &Arc<Source>, doc: &Document) -> (Option<Spec>, Vec<Diagnostic>) {
    let mut diags = schema::validate(doc);
    if !diags.is_empty() {
        return (None, finish(diags, source));
    }
    let mut cx = Lower {
        syntax: doc.syntax,
        diags: Vec::new(),
    };
    let spec = cx.spec(source, &doc.root);
    diags.extend(cx.diags);
    (spec, finish(diags, source))
}

fn finish(diags: Vec<Diagnostic>, source: &Arc<Source>) -> Vec<Diagnostic> {
    diags.into_iter().map(|d| d.in_source(source)).collect()
}

struct Lower {
    syntax: Syntax,
    diags: Vec<Diagnostic>,
}

impl Lower {
    fn spec(&mut self, source: &Arc<Source>, root: &Node) -> Option<Spec> {
        let mesh = self.mesh(root.get("mesh")?);
        let clusters = root
            .get("clusters")?
            .items()
            .iter()
            .map(|c| self.cluster(c, mesh.firewall.value))
            .collect();
        let defaults = root
            .get("defaults")
            .map(|d| self.defaults(d))
            .unwrap_or_default();
        let services = root
            .get("services")
            .map(|s| s.items().iter().filter_map(|s| self.service(s)).collect())
            .unwrap_or_default();
        let mut spec = Spec {
            source: Arc::clone(source),
            syntax: self.syntax,
            mesh,
            clusters,
            defaults,
            services,
            by_name: Default::default(),
        };
        spec.index();
        Some(spec)
    }

    fn mesh(&mut self, node: &Node) -> Mesh {
        let injection = match node.get("injection") {
            Some(n) => match Injection::parse(n.as_str().unwrap_or_default()) {
                Ok(i) => Spanned::new(i, n.span.clone()),
                Err(why) => {
                    self.diags.push(
                        invalid_value::RULE
                            .diag(why)
                            .at(n.span.clone(), "not a label"),
                    );
                    Spanned::new(default_injection(), n.span.clone())
                }
            },
            None => Spanned::new(default_injection(), node.span.clone()),
        };
        Mesh {
            name: self
                .name(node, "name")
                .unwrap_or_else(|| Spanned::new(String::new(), node.span.clone())),
            trust_domain: self
                .string(node, "trustDomain")
                .unwrap_or_else(|| Spanned::new("cluster.local".into(), node.span.clone())),
            mtls: self.word(node, "mtls", Mtls::Strict, |w| match w {
                "permissive" => Some(Mtls::Permissive),
                "strict" => Some(Mtls::Strict),
                _ => None,
            }),
            firewall: self.word(node, "firewall", FirewallMode::PerCall, |w| match w {
                "per-call" => Some(FirewallMode::PerCall),
                "mesh-wide" => Some(FirewallMode::MeshWide),
                "none" => Some(FirewallMode::None),
                _ => None,
            }),
            istio_api: self.word(node, "istioApi", IstioApi::V1, |w| match w {
                "v1" => Some(IstioApi::V1),
                "v1beta1" => Some(IstioApi::V1Beta1),
                _ => None,
            }),
            injection,
            allow: self.allows(node),
            span: node.span.clone(),
        }
    }

    fn cluster(&mut self, node: &Node, firewall: FirewallMode) -> Cluster {
        let name = self
            .name(node, "name")
            .unwrap_or_else(|| Spanned::new(String::new(), node.span.clone()));
        let pod_cidr = node.get("podCidr").and_then(|n| {
            let text = n.as_str()?;
            match text.parse::<Ipv4Net>() {
                // The range becomes a firewall source: a short prefix would open it to the world.
                Ok(net) if net.prefix_len() < MIN_POD_PREFIX => {
                    self.diags.push(
                        invalid_value::RULE
                            .diag(format!(
                                "`{text}` is not a cluster's pod range: firewall rules from it would admit {}",
                                match net.prefix_len() {
                                    0 => "every address".to_string(),
                                    p => format!("2^{} addresses", 32 - p),
                                }
                            ))
                            .at(n.span.clone(), "far too wide")
                            .help(format!("give the cluster's own pod range (GKE's default is a /14); meshc accepts /{MIN_POD_PREFIX} or narrower")),
                    );
                    None
                }
                Ok(net) if net.trunc() == net => Some(Spanned::new(net, n.span.clone())),
                Ok(net) => {
                    let fixed = net.trunc().to_string();
                    self.diags.push(
                        invalid_value::RULE
                            .diag(format!(
                                "`{text}` has host bits set; the range is `{fixed}`"
                            ))
                            .at(n.span.clone(), "not a network address")
                            .help(format!("write `{fixed}`"))
                            .fix(
                                format!("replace with `{fixed}`"),
                                vec![(n.span.clone(), self.quote(&fixed))],
                            ),
                    );
                    None
                }
                Err(_) => {
                    self.diags.push(
                        invalid_value::RULE
                            .diag(format!("`{text}` is not an IPv4 range"))
                            .at(n.span.clone(), "not a CIDR")
                            .help(
                                "write the cluster's pod range as ADDRESS/BITS, e.g. `10.4.0.0/14`",
                            ),
                    );
                    None
                }
            }
        });
        let node_tag = self.string(node, "nodeTag");
        if firewall != FirewallMode::None {
            for (key, missing) in [
                ("podCidr", node.get("podCidr").is_none()),
                ("nodeTag", node_tag.is_none()),
            ] {
                if missing {
                    let key = self.syntax.spell(key);
                    self.diags.push(
                        missing_key::RULE
                            .diag(format!("cluster `{}` is missing `{key}`, which the firewall rules need", name.value))
                            .at(name.span.clone(), format!("needs `{key}`"))
                            .help("add it, or set `firewall \"none\"` on the mesh if the firewall is managed elsewhere"),
                    );
                }
            }
        }
        Cluster {
            project: self.string(node, "project"),
            network: self
                .string(node, "network")
                .unwrap_or_else(|| Spanned::new("default".into(), name.span.clone())),
            region: self.string(node, "region"),
            pod_cidr,
            node_tag,
            allow: self.allows(node),
            name,
            span: node.span.clone(),
        }
    }

    fn defaults(&mut self, node: &Node) -> Defaults {
        Defaults {
            timeout: self.duration(node, "timeout"),
            retries: node.get("retries").map(|r| self.retries(r)),
        }
    }

    fn retries(&mut self, node: &Node) -> Retries {
        match node.as_int() {
            Some(n) => Retries {
                attempts: Spanned::new(u32::try_from(n).unwrap_or(0), node.span.clone()),
                per_try_timeout: None,
                on: None,
                span: node.span.clone(),
            },
            None => Retries {
                attempts: self
                    .uint(node, "attempts")
                    .unwrap_or_else(|| Spanned::new(0, node.span.clone())),
                per_try_timeout: self.duration(node, "perTryTimeout"),
                on: self.string(node, "on"),
                span: node.span.clone(),
            },
        }
    }

    fn service(&mut self, node: &Node) -> Option<Service> {
        let name = self.name(node, "name")?;
        let namespace = self
            .name(node, "namespace")
            .unwrap_or_else(|| Spanned::new("default".into(), name.span.clone()));
        let version = self
            .name(node, "version")
            .unwrap_or_else(|| Spanned::new("v1".into(), name.span.clone()));
        let ports = self.ports(node.get("ports"));
        let runs_in = node
            .get("runsIn")
            .map(|r| {
                r.items()
                    .iter()
                    .filter_map(|c| self.name_value(c))
                    .collect()
            })
            .unwrap_or_default();
        let probes = node.get("probes").map_or_else(Probes::default, |p| Probes {
            liveness: self.string(p, "liveness"),
            readiness: self.string(p, "readiness"),
        });
        let circuit_breaker = node.get("circuitBreaker").map(|cb| CircuitBreaker {
            consecutive_5xx: self.uint(cb, "consecutive5xx"),
            interval: self.duration(cb, "interval"),
            base_ejection_time: self.duration(cb, "baseEjectionTime"),
            max_ejection_percent: self.uint(cb, "maxEjectionPercent"),
            max_connections: self.uint(cb, "maxConnections"),
            max_pending_requests: self.uint(cb, "maxPendingRequests"),
            max_requests_per_connection: self.uint(cb, "maxRequestsPerConnection"),
            span: cb.span.clone(),
        });
        let resources = node
            .get("resources")
            .map_or_else(Resources::default, |r| Resources {
                cpu: self.string(r, "cpu"),
                memory: self.string(r, "memory"),
                cpu_limit: self.string(r, "cpuLimit"),
                memory_limit: self.string(r, "memoryLimit"),
            });
        let security = node
            .get("security")
            .map_or_else(Security::default, |s| Security {
                run_as_user: s
                    .get("runAsUser")
                    .and_then(|n| Some(Spanned::new(n.as_int()?, n.span.clone()))),
                read_only_root_filesystem: self.boolean(s, "readOnlyRootFilesystem"),
                service_account_token: self.boolean(s, "serviceAccountToken"),
            });
        let calls = node
            .get("calls")
            .map(|cs| {
                cs.items()
                    .iter()
                    .filter_map(|c| {
                        Some(Call {
                            service: self.name(c, "service")?,
                            namespace: self.name(c, "namespace"),
                            timeout: self.duration(c, "timeout"),
                            retries: c.get("retries").map(|r| self.retries(r)),
                            allow: self.allows(c),
                            span: c.span.clone(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Service {
            namespace,
            version,
            image: self
                .string(node, "image")
                .unwrap_or_else(|| Spanned::new(String::new(), name.span.clone())),
            ports,
            replicas: self
                .uint(node, "replicas")
                .unwrap_or_else(|| Spanned::new(1, name.span.clone())),
            runs_in,
            probes,
            circuit_breaker,
            resources,
            security,
            stub: self
                .boolean(node, "stub")
                .unwrap_or_else(|| Spanned::new(true, name.span.clone())),
            exposed: self
                .boolean(node, "exposed")
                .unwrap_or_else(|| Spanned::new(false, name.span.clone())),
            calls,
            allow: self.allows(node),
            span: node.span.clone(),
            name,
        })
    }

    fn ports(&mut self, node: Option<&Node>) -> Vec<Port> {
        let Some(node) = node else { return Vec::new() };
        let mut ports: Vec<Port> = Vec::new();
        let items = node.items();
        for item in items {
            let Some(n) = item.get("port") else { continue };
            let Some(number) = n
                .as_int()
                .and_then(|i| u16::try_from(i).ok())
                .filter(|&p| p > 0)
            else {
                continue; // out of range: reported by the schema
            };
            let protocol = self.word(item, "protocol", Protocol::Http, |w| match w {
                "http" => Some(Protocol::Http),
                "http2" => Some(Protocol::Http2),
                "grpc" => Some(Protocol::Grpc),
                "tcp" => Some(Protocol::Tcp),
                _ => None,
            });
            let shared_protocol = items
                .iter()
                .filter(|o| {
                    o.get("protocol").and_then(Node::as_str).unwrap_or("http") == protocol.as_str()
                })
                .count()
                > 1;
            let name = match self.name(item, "name") {
                Some(name) => name,
                None if shared_protocol => {
                    Spanned::new(format!("{}-{number}", protocol.as_str()), n.span.clone())
                }
                None => Spanned::new(protocol.as_str().to_string(), n.span.clone()),
            };
            if let Some(first) = ports.iter().find(|p| *p.number == number) {
                self.diags.push(
                    invalid_port::RULE
                        .diag(format!("port {number} is given twice"))
                        .at(n.span.clone(), "again here")
                        .related(first.number.span.clone(), "first here"),
                );
                continue;
            }
            if let Some(first) = ports.iter().find(|p| p.name.value == name.value) {
                self.diags.push(
                    invalid_port::RULE
                        .diag(format!("two ports are named `{}`", name.value))
                        .at(name.span.clone(), "again here")
                        .related(first.name.span.clone(), "first here")
                        .help("give each port its own `name`"),
                );
                continue;
            }
            ports.push(Port {
                number: Spanned::new(number, n.span.clone()),
                protocol,
                name,
                span: item.span.clone(),
            });
        }
        ports
    }

    fn allows(&mut self, node: &Node) -> Vec<Allow> {
        node.get("allow")
            .map(|a| {
                a.items()
                    .iter()
                    .filter_map(|item| {
                        Some(Allow {
                            code: self.string(item, "code")?,
                            reason: self.string(item, "reason"),
                            span: item.span.clone(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    // ---- scalar readers ----

    fn string(&mut self, node: &Node, key: &str) -> Option<Spanned<String>> {
        let n = node.get(key)?;
        Some(Spanned::new(n.as_str()?.to_string(), n.span.clone()))
    }

    fn uint(&mut self, node: &Node, key: &str) -> Option<Spanned<u32>> {
        let n = node.get(key)?;
        Some(Spanned::new(
            u32::try_from(n.as_int()?).ok()?,
            n.span.clone(),
        ))
    }

    fn boolean(&mut self, node: &Node, key: &str) -> Option<Spanned<bool>> {
        let n = node.get(key)?;
        Some(Spanned::new(n.as_bool()?, n.span.clone()))
    }

    fn word<T>(
        &mut self,
        node: &Node,
        key: &str,
        default: T,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Spanned<T> {
        match node.get(key) {
            Some(n) => match n.as_str().and_then(&parse) {
                Some(v) => Spanned::new(v, n.span.clone()),
                None => Spanned::new(default, n.span.clone()), // reported by the schema
            },
            None => Spanned::new(default, node.span.clone()),
        }
    }

    fn name(&mut self, node: &Node, key: &str) -> Option<Spanned<String>> {
        self.name_value(node.get(key)?)
    }

    fn name_value(&mut self, n: &Node) -> Option<Spanned<String>> {
        let text = n.as_str()?;
        if let Err(why) = dns1123_label(text) {
            let mut d = invalid_name::RULE
                .diag(why)
                .at(n.span.clone(), "not a DNS-1123 label")
                .help("names become Kubernetes object names and DNS hosts");
            if let Some(fixed) = dns1123_fix(text) {
                d = d.fix(
                    format!("rename to `{fixed}`"),
                    vec![(n.span.clone(), self.quote(&fixed))],
                );
            }
            self.diags.push(d);
        }
        Some(Spanned::new(text.to_string(), n.span.clone()))
    }

    fn duration(&mut self, node: &Node, key: &str) -> Option<Spanned<Duration>> {
        let n = node.get(key)?;
        match Duration::parse(n.as_str()?) {
            Ok(d) => Some(Spanned::new(d, n.span.clone())),
            Err(why) => {
                self.diags.push(
                    invalid_duration::RULE
                        .diag(why)
                        .at(n.span.clone(), "not a duration")
                        .help("durations are numbers with units: `250ms`, `5s`, `1m`"),
                );
                None
            }
        }
    }

    /// A replacement string as the user's syntax writes it.
    fn quote(&self, text: &str) -> String {
        match self.syntax {
            Syntax::Kdl => format!("\"{text}\""),
            Syntax::Yaml => text.to_string(),
        }
    }
}

fn default_injection() -> Injection {
    Injection {
        key: "istio-injection".into(),
        value: "enabled".into(),
    }
}
