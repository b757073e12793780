//! kustomization.yaml: lists a cluster's files, so `kubectl apply -k OUT/CLUSTER` applies them.

use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Kustomization<'a> {
    api_version: &'static str,
    kind: &'static str,
    resources: &'a [String],
}

pub fn render(files: &[String]) -> String {
    super::to_yaml(&Kustomization {
        api_version: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: files,
    })
}
