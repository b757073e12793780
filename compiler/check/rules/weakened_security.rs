use crate::check::Context;
use crate::check::rule::{Check, rule};
use crate::diagnostics::Diagnostic;

/// The UID of Istio's sidecar proxy, whose traffic the sidecar does not intercept.
pub const ISTIO_PROXY_UID: i64 = 1337;

rule! {
    /// A `security` setting that weakens the hardened workload defaults.
    ///
    /// ## What it does
    /// meshc's Deployments run as UID 10001, non-root, with a read-only root filesystem, all
    /// capabilities dropped and no Kubernetes API token mounted. The rule reports each
    /// `security` setting that gives one of these up, at the setting:
    ///
    /// - `run-as-user 0`: the container runs as root;
    /// - `run-as-user 1337`: the container runs as Istio's proxy user;
    /// - `read-only-root-filesystem #false`: the container can write its root filesystem;
    /// - `service-account-token #true`: the pod gets a token for the Kubernetes API.
    ///
    /// Settings that keep the defaults (`run-as-user 10001`, `read-only-root-filesystem
    /// #true`, `service-account-token #false`), and other non-root UIDs, are not reported.
    ///
    /// ## Why is this bad?
    /// Root in a container is one kernel bug away from root on the node. UID 1337 is worse
    /// than it looks: the sidecar's iptables rules let the proxy's own traffic (UID 1337) out
    /// without redirecting it, so an application running as 1337 bypasses its sidecar — its
    /// calls leave without mTLS (and are refused by STRICT peers), without the timeouts,
    /// retries and circuit breakers meshc configured, and outside the telemetry. A writable
    /// root filesystem lets an intruder replace binaries and persist; a mounted API token lets
    /// them act on the cluster with the service account's rights. kube-linter and checkov
    /// flag the same settings.
    ///
    /// ## Example
    /// ```kdl
    /// service "sample-producer" {
    ///     security run-as-user=0 read-only-root-filesystem=#false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Remove the settings, or give a non-root UID other than 1337 and mount a writable
    /// `emptyDir` where the application must write.
    "M0503" "weakened-security" Warning Check::Model(check)
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let spec = cx.spec;
    let spell = |key: &str| spec.syntax.spell(key);
    for s in &spec.services {
        let name = &s.name.value;
        let sec = &s.security;
        if let Some(uid) = &sec.run_as_user {
            let found = match uid.value {
                0 => Some((
                    format!("`{name}` runs as root (UID 0)"),
                    "root",
                    "use a non-root UID, or remove the setting to run as 10001".to_string(),
                )),
                ISTIO_PROXY_UID => Some((
                    format!(
                        "`{name}` runs as UID 1337, Istio's proxy user: its outbound traffic bypasses the sidecar, without mTLS or the call policies"
                    ),
                    "the sidecar's UID",
                    "use another non-root UID, or remove the setting to run as 10001".to_string(),
                )),
                _ => None,
            };
            if let Some((message, label, help)) = found {
                out.push(
                    RULE.diag(message)
                        .at(uid.span.clone(), label)
                        .help(format!("{help} (`{}`)", spell("runAsUser"))),
                );
            }
        }
        if let Some(ro) = sec.read_only_root_filesystem.as_ref().filter(|v| !v.value) {
            out.push(
                RULE.diag(format!("`{name}` can write to its root filesystem"))
                    .at(ro.span.clone(), "writable root filesystem")
                    .help(format!(
                        "remove `{}`: meshc mounts a writable /tmp for the application's scratch files",
                        spell("readOnlyRootFilesystem")
                    )),
            );
        }
        if let Some(token) = sec.service_account_token.as_ref().filter(|v| v.value) {
            out.push(
                RULE.diag(format!(
                    "`{name}` mounts a Kubernetes API token for its service account"
                ))
                .at(token.span.clone(), "API token mounted")
                .help(format!(
                    "remove `{}` unless the application calls the Kubernetes API; the sidecar does not need it",
                    spell("serviceAccountToken")
                )),
            );
        }
    }
}
