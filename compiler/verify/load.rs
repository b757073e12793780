//! Reading manifests: every YAML document of every file, per cluster folder; and the firewall
//! rules, when the tree has them.

use super::Manifests;
use super::index::Object;
use crate::check::rules::syntax_error;
use crate::diagnostics::{Diagnostic, Source};
use crate::driver::Fatal;
use crate::emit::Files;
use crate::emit::firewall::{TERRAFORM_FILE, TerraformFile};
use crate::syntax::yaml;
use ipnet::Ipv4Net;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The firewall rules, with the clusters' pod ranges and node tags.
pub struct FirewallFile {
    pub file: TerraformFile,
}

impl FirewallFile {
    /// Whether some rule lets pods of `from` reach nodes of `to` on TCP `port`.
    pub fn allows(&self, from: &str, to: &str, port: u16) -> bool {
        let facts = &self.file.locals.meshc_clusters;
        let (Some(a), Some(b)) = (facts.get(from), facts.get(to)) else {
            return true; // clusters the file does not describe are not ours to judge
        };
        let Ok(pods) = a.pod_cidr.parse::<Ipv4Net>() else {
            return false;
        };
        self.file
            .resource
            .google_compute_firewall
            .values()
            .any(|r| {
                let source = r
                    .source_ranges
                    .iter()
                    .filter_map(|s| s.parse::<Ipv4Net>().ok())
                    .any(|range| range.contains(&pods));
                let target = r.target_tags.contains(&b.node_tag);
                let port_ok = r.allow.iter().any(|a| {
                    matches!(a.protocol.as_str(), "tcp" | "all")
                        && (a.ports.is_empty() || a.ports.iter().any(|p| port_in(p, port)))
                });
                source && target && port_ok
            })
    }
}

fn port_in(spec: &str, port: u16) -> bool {
    match spec.split_once('-') {
        Some((lo, hi)) => {
            matches!((lo.parse::<u16>(), hi.parse::<u16>()), (Ok(lo), Ok(hi)) if lo <= port && port <= hi)
        }
        None => spec.parse::<u16>() == Ok(port),
    }
}

/// The objects of one file, or why it could not be read.
type Parsed = Result<Vec<Object>, Vec<Diagnostic>>;

fn is_manifest(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    (file.ends_with(".yaml") || file.ends_with(".yml")) && !file.starts_with("kustomization.")
}

/// Read an output tree held in memory (`CLUSTER/FILE` → text).
pub fn load_files(files: &Files) -> Result<Manifests, Vec<Diagnostic>> {
    load_files_in(files, None)
}

/// Read an output tree; sources are named by their path under `root`, when given.
fn load_files_in(files: &Files, root: Option<&Path>) -> Result<Manifests, Vec<Diagnostic>> {
    let name =
        |rel: &str| root.map_or_else(|| rel.to_string(), |r| r.join(rel).display().to_string());
    let mut clusters: BTreeMap<String, Vec<Object>> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut firewall = None;
    if let Some(text) = files.get(TERRAFORM_FILE) {
        firewall = Some(parse_firewall(&name(TERRAFORM_FILE), text).map_err(|d| vec![d])?);
    }
    let manifests: Vec<(&str, &String, &String)> = files
        .iter()
        .filter_map(|(path, text)| {
            let (cluster, _) = path.split_once('/')?;
            (cluster != "firewall" && is_manifest(path)).then_some((cluster, path, text))
        })
        .collect();
    // Files are independent: parse them on every core.
    let parsed: Vec<(&str, Parsed)> = manifests
        .par_iter()
        .map(|&(cluster, path, text)| (cluster, objects(&Source::new(name(path), text.clone()))))
        .collect();
    for (cluster, result) in parsed {
        match result {
            Ok(objs) => clusters
                .entry(cluster.to_string())
                .or_default()
                .extend(objs),
            Err(d) => errors.extend(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Manifests {
        clusters: clusters.into_iter().collect(),
        firewall,
    })
}

/// Read a folder with one sub-folder of manifests per cluster (and `firewall/`, if any).
pub fn load_dir(dir: &Path) -> Result<Result<Manifests, Vec<Diagnostic>>, Fatal> {
    let read_dir =
        |p: &Path| std::fs::read_dir(p).map_err(|e| Fatal(format!("{}: {e}", p.display())));
    let mut files = Files::new();
    let mut entries: Vec<_> = read_dir(dir)?.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    if !entries.iter().any(|e| e.path().is_dir()) {
        return Err(Fatal(format!(
            "{}: expected one folder per cluster",
            dir.display()
        )));
    }
    for cluster in entries.into_iter().filter(|e| e.path().is_dir()) {
        let name = cluster.file_name().to_string_lossy().into_owned();
        let mut inner: Vec<_> = read_dir(&cluster.path())?.filter_map(Result::ok).collect();
        inner.sort_by_key(|e| e.file_name());
        for f in inner.into_iter().filter(|e| e.path().is_file()) {
            let file = f.file_name().to_string_lossy().into_owned();
            let rel = format!("{name}/{file}");
            if !(is_manifest(&rel) || rel == TERRAFORM_FILE) {
                continue;
            }
            let text = std::fs::read_to_string(f.path())
                .map_err(|e| Fatal(format!("{}: {e}", f.path().display())))?;
            files.insert(rel, text);
        }
    }
    Ok(load_files_in(&files, Some(dir)))
}

fn parse_firewall(path: &str, text: &str) -> Result<FirewallFile, Diagnostic> {
    serde_json::from_str::<TerraformFile>(text)
        .map(|file| FirewallFile { file })
        .map_err(|e| {
            syntax_error::RULE
                .diag(format!("{path}: not meshc's Terraform JSON: {e}"))
                .in_source(&Source::new(path, text))
        })
}

fn objects(source: &Arc<Source>) -> Result<Vec<Object>, Vec<Diagnostic>> {
    let docs = yaml::parse_all(&source.text).map_err(|ds| {
        ds.into_iter()
            .map(|d| d.in_source(source))
            .collect::<Vec<_>>()
    })?;
    Ok(docs
        .into_iter()
        .filter_map(|doc| Object::from_doc(doc, source))
        .collect())
}
