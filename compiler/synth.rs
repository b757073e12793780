//! Synthetic meshes, valid by construction: for benchmarks, property tests and the
//! comparison script (`cargo run --release --example genmesh -- N M`).
//!
//! A mesh is generated as the YAML-shaped JSON value of the spec, then written in either
//! syntax, so the two forms of one mesh are the same by construction.

use crate::syntax::kdl::REPEATED;
use serde_json::{Value, json};
use std::fmt::Write;

#[derive(Debug, Clone)]
pub struct Params {
    pub services: usize,
    pub clusters: usize,
    /// Calls per service (to services later in the list, so the graph has no cycles).
    pub calls: usize,
    pub namespaces: usize,
    pub seed: u64,
}

impl Params {
    pub fn new(services: usize, clusters: usize) -> Self {
        Params {
            services,
            clusters: clusters.max(1),
            calls: 3,
            namespaces: (services / 50).clamp(1, 20),
            seed: 1,
        }
    }
}

/// A small deterministic generator (xorshift64*): no dependency, same mesh on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Per tier of the callee: the call's timeout, and the per-try timeout when it retries.
const TIERS: [(&str, &str); 4] = [("8s", "4s"), ("6s", "3s"), ("4s", "2s"), ("2s", "1s")];

const REGIONS: [&str; 4] = ["us-west1", "us-east1", "europe-west1", "asia-east1"];

/// The spec of a synthetic mesh, in its YAML shape.
pub fn generate(p: &Params) -> Value {
    let mut rng = Rng::new(p.seed);
    let clusters: Vec<Value> = (0..p.clusters)
        .map(|i| {
            json!({
                "name": format!("cluster{}", i + 1),
                "project": "synth-proj",
                "network": "default",
                "region": REGIONS[i % REGIONS.len()],
                // 10.0.0.0/8 cut into /16s: room for 256 clusters.
                "podCidr": format!("10.{}.0.0/16", i % 256),
                "nodeTag": format!("gke-cluster{}-node", i + 1),
            })
        })
        .collect();
    let names: Vec<(String, String)> = (0..p.services)
        .map(|i| {
            (
                format!("svc-{i}"),
                format!("ns-{}", i % p.namespaces.max(1)),
            )
        })
        .collect();
    // Calls go to later services, so the graph has no cycles. Services fall in four tiers by
    // position; a call's timeout shrinks with the callee's tier, so no caller gives up before
    // its callee's own calls could finish, and only calls that cross into a deeper tier retry
    // (once, within the timeout): no path amplifies a request more than 2³ times.
    let tier = |i: usize| i * TIERS.len() / p.services.max(1);
    let mut targets: Vec<Vec<usize>> = vec![Vec::new(); p.services];
    let mut called = vec![false; p.services];
    for (i, t) in targets.iter_mut().enumerate() {
        if i + 1 >= p.services {
            break;
        }
        for _ in 0..p.calls {
            let target = i + 1 + rng.below(p.services - i - 1);
            if !t.contains(&target) {
                t.push(target);
                called[target] = true;
            }
        }
    }
    let services: Vec<Value> = (0..p.services)
        .map(|i| {
            let (name, ns) = &names[i];
            // Most services run in one cluster; every fifth in two.
            let first = rng.below(p.clusters);
            let mut runs_in = vec![format!("cluster{}", first + 1)];
            if i % 5 == 0 && p.clusters > 1 {
                runs_in.push(format!("cluster{}", (first + 1) % p.clusters + 1));
            }
            let calls: Vec<Value> = targets[i]
                .iter()
                .map(|&target| {
                    let (tname, tns) = &names[target];
                    let (timeout, per_try) = TIERS[tier(target)];
                    let mut call = json!({"service": tname, "namespace": tns, "timeout": timeout});
                    if tier(target) > tier(i) {
                        call["retries"] = json!({"attempts": 1, "perTryTimeout": per_try});
                    }
                    call
                })
                .collect();
            let mut s = json!({
                "name": name,
                "namespace": ns,
                "image": format!("us-docker.pkg.dev/synth-proj/repo/{name}:1.0.{}", i % 7),
                "ports": [{"port": 8080, "protocol": "http"}],
                "replicas": 2,
                "runsIn": runs_in,
                "probes": {"liveness": "/healthz", "readiness": "/ready"},
                // Services nothing calls are reached from outside the mesh.
                "exposed": !called[i],
            });
            if i % 4 == 0 {
                s["circuitBreaker"] = json!({"consecutive5xx": 5, "interval": "10s", "baseEjectionTime": "30s", "maxEjectionPercent": 50});
            }
            if !calls.is_empty() {
                s["calls"] = Value::Array(calls);
            }
            s
        })
        .collect();
    json!({
        "mesh": {"name": "synth", "trustDomain": "synth-proj.svc.id.goog", "injection": "istio.io/rev=asm-managed"},
        "clusters": clusters,
        "defaults": {"timeout": "10s", "retries": 0},
        "services": services,
    })
}

/// A spec value written as YAML.
pub fn to_yaml(spec: &Value) -> String {
    serde_saphyr::to_string(spec).unwrap_or_default()
}

/// A spec value written as KDL (the inverse of the KDL front-end's mapping).
pub fn to_kdl(spec: &Value) -> String {
    let mut out = String::new();
    if let Some(map) = spec.as_object() {
        write_entries(&mut out, map, 0);
    }
    out
}

fn kebab(key: &str) -> String {
    crate::syntax::Syntax::Kdl.spell(key)
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Bool(true) => "#true".into(),
        Value::Bool(false) => "#false".into(),
        Value::Null => "#null".into(),
        other => other.to_string(),
    }
}

fn write_entries(out: &mut String, map: &serde_json::Map<String, Value>, depth: usize) {
    let pad = "    ".repeat(depth);
    for (key, value) in map {
        if let Some(&(node, _, arg)) = REPEATED.iter().find(|r| r.1 == key) {
            for item in value.as_array().into_iter().flatten() {
                write_node(out, &pad, node, item, Some(arg), depth);
            }
        } else if key == "mesh" {
            write_node(out, &pad, "mesh", value, Some("name"), depth);
        } else {
            match value {
                Value::Array(items) => {
                    let args: Vec<String> = items.iter().map(scalar).collect();
                    let _ = writeln!(out, "{pad}{} {}", kebab(key), args.join(" "));
                }
                Value::Object(_) => write_node(out, &pad, &kebab(key), value, None, depth),
                other => {
                    let _ = writeln!(out, "{pad}{} {}", kebab(key), scalar(other));
                }
            }
        }
    }
}

/// A map as a node: its argument, scalar entries as properties, the rest as children.
fn write_node(
    out: &mut String,
    pad: &str,
    name: &str,
    value: &Value,
    arg: Option<&str>,
    depth: usize,
) {
    let Some(map) = value.as_object() else {
        let _ = writeln!(out, "{pad}{name} {}", scalar(value));
        return;
    };
    let mut line = format!("{pad}{name}");
    if let Some(a) = arg.and_then(|a| map.get(a)) {
        let _ = write!(line, " {}", scalar(a));
    }
    let mut children = serde_json::Map::new();
    for (k, v) in map {
        if Some(k.as_str()) == arg {
            continue;
        }
        match v {
            Value::Array(_) | Value::Object(_) => {
                children.insert(k.clone(), v.clone());
            }
            other => {
                let _ = write!(line, " {}={}", kebab(k), scalar(other));
            }
        }
    }
    out.push_str(&line);
    if children.is_empty() {
        out.push('\n');
    } else {
        out.push_str(" {\n");
        write_entries(out, &children, depth + 1);
        let _ = writeln!(out, "{pad}}}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::{Input, check};
    use crate::syntax::Syntax;

    #[test]
    fn generated_meshes_are_clean_in_both_syntaxes() {
        let spec = generate(&Params::new(60, 3));
        for (text, syntax) in [(to_kdl(&spec), Syntax::Kdl), (to_yaml(&spec), Syntax::Yaml)] {
            let checked = check(&Input::new("synth", &text, syntax));
            let errors: Vec<_> = checked
                .diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect();
            assert!(!checked.has_errors(), "{errors:?}\n{text}");
        }
    }

    #[test]
    fn kdl_writer_inverts_the_kdl_front_end() {
        let spec = generate(&Params::new(20, 2));
        let root = crate::syntax::kdl::parse(&to_kdl(&spec)).unwrap();
        assert_eq!(root.to_json(), spec);
    }
}
