//! Deployment: the workload, hardened by default (kube-linter's and checkov's expectations).

use super::{ClusterContext, Object, labels, metadata, object};
use crate::plan::{Probe, Workload};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, EmptyDirVolumeSource, HTTPGetAction,
    PodSecurityContext, PodSpec, PodTemplateSpec, Probe as K8sProbe, ResourceRequirements,
    SeccompProfile, SecurityContext, TCPSocketAction, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

pub fn emit(cx: &ClusterContext, out: &mut Vec<Object>) {
    for w in &cx.cluster.workloads {
        let name = format!("{}-{}", w.name, w.version);
        out.push(object(
            "Deployment",
            Some(&w.namespace),
            &name,
            &deployment(w, &name),
        ));
    }
}

fn deployment(w: &Workload, name: &str) -> Deployment {
    let pod_labels = labels(Some(&w.name), Some(&w.version));
    let mut match_labels = BTreeMap::new();
    match_labels.insert("app".to_string(), w.name.clone());
    match_labels.insert("version".to_string(), w.version.clone());
    let uid = w.security.run_as_user;
    Deployment {
        metadata: metadata(name, Some(&w.namespace), pod_labels.clone(), None),
        spec: DeploymentSpec {
            replicas: Some(i32::try_from(w.replicas).unwrap_or(i32::MAX)),
            selector: LabelSelector {
                match_labels: Some(match_labels),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    service_account_name: Some(w.service_account.clone()),
                    automount_service_account_token: Some(w.security.service_account_token),
                    security_context: Some(PodSecurityContext {
                        run_as_non_root: Some(uid != 0),
                        run_as_user: Some(uid),
                        run_as_group: Some(uid),
                        fs_group: Some(uid),
                        seccomp_profile: Some(SeccompProfile {
                            type_: "RuntimeDefault".into(),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }),
                    containers: vec![container(w)],
                    // A writable /tmp, since the root filesystem is read-only.
                    volumes: Some(vec![Volume {
                        name: "tmp".into(),
                        empty_dir: Some(EmptyDirVolumeSource::default()),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }),
            },
            ..Default::default()
        },
        ..Default::default()
    }
}

fn container(w: &Workload) -> Container {
    let quantities = |(cpu, memory): &(String, String)| {
        BTreeMap::from([
            ("cpu".to_string(), Quantity(cpu.clone())),
            ("memory".to_string(), Quantity(memory.clone())),
        ])
    };
    Container {
        name: w.name.clone(),
        image: Some(w.image.clone()),
        image_pull_policy: Some("Always".into()),
        ports: Some(
            w.ports
                .iter()
                .map(|p| ContainerPort {
                    name: Some(p.name.clone()),
                    container_port: i32::from(p.number),
                    protocol: Some("TCP".into()),
                    ..Default::default()
                })
                .collect(),
        ),
        resources: Some(ResourceRequirements {
            requests: Some(quantities(&w.requests)),
            limits: Some(quantities(&w.limits)),
            ..Default::default()
        }),
        liveness_probe: Some(probe(&w.liveness)),
        readiness_probe: Some(probe(&w.readiness)),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            privileged: Some(false),
            read_only_root_filesystem: Some(w.security.read_only_root_filesystem),
            run_as_non_root: Some(w.security.run_as_user != 0),
            run_as_user: Some(w.security.run_as_user),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".into()]),
                ..Default::default()
            }),
            ..Default::default()
        }),
        volume_mounts: Some(vec![VolumeMount {
            name: "tmp".into(),
            mount_path: "/tmp".into(),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

fn probe(p: &Probe) -> K8sProbe {
    match p {
        Probe::Http { path, port } => K8sProbe {
            http_get: Some(HTTPGetAction {
                path: Some(path.clone()),
                port: IntOrString::String(port.clone()),
                ..Default::default()
            }),
            ..Default::default()
        },
        Probe::Tcp { port } => K8sProbe {
            tcp_socket: Some(TCPSocketAction {
                port: IntOrString::String(port.clone()),
                ..Default::default()
            }),
            ..Default::default()
        },
    }
}
