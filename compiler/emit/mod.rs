//! Emit: a plan → typed objects → the files of the output tree.
//!
//! Each output kind is one file here, listed once in [`CLUSTER_KINDS`] (per-cluster objects)
//! or in [`firewall`]. Objects are k8s-openapi types or the typed Istio structs in [`istio`],
//! serialized to YAML by serde; nothing is rendered from string templates. Emit never decides:
//! every name, value and placement comes from the plan.

pub mod authorization_policy;
pub mod deployment;
pub mod destination_rule;
pub mod firewall;
pub mod istio;
pub mod kustomization;
pub mod namespace;
pub mod network_policy;
pub mod peer_authentication;
pub mod service;
pub mod service_account;
pub mod virtual_service;

use crate::plan::{ClusterPlan, MeshSettings, Plan};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// The label every emitted object carries.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "meshc");
/// The annotation that says which service or call asked for an object.
pub const REASON: &str = "meshc.dev/reason";

/// What an emitter sees: the mesh settings and one cluster's plan.
pub struct ClusterContext<'a> {
    pub mesh: &'a MeshSettings,
    pub cluster: &'a ClusterPlan,
}

/// One emitted object, serialized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub kind: &'static str,
    pub namespace: Option<String>,
    pub name: String,
    pub yaml: String,
}

impl Object {
    /// `KIND.NAMESPACE.NAME.yaml`, lowercase: `.` cannot occur in the names, so no two objects
    /// share a file.
    pub fn file_name(&self) -> String {
        let kind = self.kind.to_ascii_lowercase();
        match &self.namespace {
            Some(ns) => format!("{kind}.{ns}.{}.yaml", self.name),
            None => format!("{kind}.{}.yaml", self.name),
        }
    }
}

/// An emitter of one output kind for one cluster.
pub type Emitter = fn(&ClusterContext, &mut Vec<Object>);

/// Every per-cluster output kind. A new kind is one file and one line here.
pub const CLUSTER_KINDS: &[Emitter] = &[
    namespace::emit,
    service_account::emit,
    deployment::emit,
    service::emit,
    network_policy::emit,
    virtual_service::emit,
    destination_rule::emit,
    peer_authentication::emit,
    authorization_policy::emit,
];

/// The output tree: relative path → contents, in path order.
pub type Files = BTreeMap<String, String>;

/// Render a plan into the files of the output tree. Clusters are rendered in parallel.
pub fn emit(plan: &Plan) -> Files {
    let per_cluster: Vec<Files> = plan
        .clusters
        .par_iter()
        .map(|cluster| {
            let cx = ClusterContext {
                mesh: &plan.mesh,
                cluster,
            };
            let mut objects = Vec::new();
            for emit in CLUSTER_KINDS {
                emit(&cx, &mut objects);
            }
            let mut files: Files = objects
                .into_iter()
                .map(|o| (format!("{}/{}", cluster.name, o.file_name()), o.yaml))
                .collect();
            let names: Vec<String> = files
                .keys()
                .map(|k| k.rsplit('/').next().unwrap_or(k).to_string())
                .collect();
            files.insert(
                format!("{}/kustomization.yaml", cluster.name),
                kustomization::render(&names),
            );
            files
        })
        .collect();
    let mut files: Files = per_cluster.into_iter().flatten().collect();
    if let Some(fw) = &plan.firewall {
        files.extend(firewall::emit(&plan.mesh, fw));
    }
    files
}

/// Serialize a typed object to YAML.
pub fn to_yaml<T: Serialize>(value: &T) -> String {
    // Serializing plain structs of strings, numbers, maps and lists cannot fail; if the
    // serializer ever did, the verifier would reject the empty object.
    serde_saphyr::to_string(value).unwrap_or_default()
}

pub fn object<T: Serialize>(
    kind: &'static str,
    namespace: Option<&str>,
    name: &str,
    value: &T,
) -> Object {
    Object {
        kind,
        namespace: namespace.map(str::to_string),
        name: name.to_string(),
        yaml: to_yaml(value),
    }
}

/// Labels: `managed-by`, plus `app` and `version` where given.
pub fn labels(app: Option<&str>, version: Option<&str>) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::from([(MANAGED_BY.0.to_string(), MANAGED_BY.1.to_string())]);
    if let Some(app) = app {
        labels.insert("app".into(), app.into());
    }
    if let Some(version) = version {
        labels.insert("version".into(), version.into());
    }
    labels
}

pub fn metadata(
    name: &str,
    namespace: Option<&str>,
    labels: BTreeMap<String, String>,
    reason: Option<&str>,
) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: Some(labels),
        annotations: reason.map(|r| BTreeMap::from([(REASON.to_string(), r.to_string())])),
        ..Default::default()
    }
}

/// Metadata of an object about one app (its workload, host or policy): named after the app,
/// labelled with it, with the reason it exists where there is one.
pub fn app_metadata(app: &str, namespace: &str, reason: Option<&str>) -> ObjectMeta {
    metadata(app, Some(namespace), labels(Some(app), None), reason)
}

pub fn selector(app: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("app".to_string(), app.to_string())])
}

pub fn istio_api(mesh: &MeshSettings) -> istio::IstioApi {
    match mesh.istio_api {
        crate::spec::IstioApi::V1 => istio::IstioApi::V1,
        crate::spec::IstioApi::V1Beta1 => istio::IstioApi::V1Beta1,
    }
}
