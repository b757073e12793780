use super::unknown_service::spec_quote;
use crate::check::Context;
use crate::check::rule::{Check, rule};
use crate::diagnostics::Diagnostic;
use crate::spec::Mtls;

rule! {
    /// The mesh accepts plaintext: `mtls "permissive"`.
    ///
    /// ## What it does
    /// Reports `mtls "permissive"` on the mesh; meshc then writes every namespace's
    /// PeerAuthentication in PERMISSIVE mode instead of STRICT.
    ///
    /// ## Why is this bad?
    /// In permissive mode each sidecar accepts plaintext connections as well as mutual TLS.
    /// Traffic that should be encrypted and authenticated between clusters may travel in the
    /// clear, and a client without a sidecar is no longer refused at the connection: only the
    /// authorization policies, which match mTLS principals, still stand between it and the
    /// workload. Istio means permissive mode for migrating workloads into the mesh, not to
    /// stay.
    ///
    /// ## Example
    /// ```kdl
    /// mesh "sample" { mtls "permissive" }
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// mesh "sample" { mtls "strict" }
    /// ```
    "M0501" "mtls-permissive" Warning Check::Model(check)
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let spec = cx.spec;
    let mtls = &spec.mesh.mtls;
    if mtls.value != Mtls::Permissive {
        return;
    }
    out.push(
        RULE.diag(format!(
            "mesh `{}` accepts plaintext connections: mTLS is permissive",
            spec.mesh.name.value
        ))
        .at(mtls.span.clone(), "plaintext accepted")
        .help("permissive mode is for moving workloads into the mesh; once every client has a sidecar, use `strict`")
        .fix(
            "use `strict`",
            vec![(mtls.span.clone(), spec_quote(spec.syntax, "strict"))],
        ),
    );
}
