use crate::check::rule::{Check, rule};

rule! {
    /// An authorization principal names a service account that no cluster has.
    ///
    /// ## What it does
    /// Reported by the verifier (`meshc verify`, and `build` on its own output): every principal
    /// (`TRUST-DOMAIN/ns/NS/sa/SA`) in an AuthorizationPolicy must name a ServiceAccount that
    /// exists in some cluster of the mesh.
    ///
    /// ## Why is this bad?
    /// A principal that matches no workload lets no one in: the caller it was meant for is
    /// denied with a 403 (RBAC: access denied), usually because of a typo in the namespace or
    /// the service account name.
    ///
    /// ## Example
    /// ```yaml
    /// principals: ["sample-proj.svc.id.goog/ns/istio-apps/sa/sample-caler-sa"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// principals: ["sample-proj.svc.id.goog/ns/istio-apps/sa/sample-caller-sa"]
    /// ```
    "M0303" "unknown-principal" Error Check::Frontend
}
