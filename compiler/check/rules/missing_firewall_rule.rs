use crate::check::rule::{Check, rule};

rule! {
    /// No firewall rule lets a caller cluster's pods reach the callee's cluster.
    ///
    /// ## What it does
    /// Reported by the verifier when the output tree has firewall rules: for every call that
    /// crosses clusters, some rule must allow ingress from the caller cluster's pod range to
    /// the callee cluster's node tag on the called port.
    ///
    /// ## Why is this bad?
    /// GCP drops the packets: the call times out, with nothing in the mesh's telemetry to say
    /// why.
    ///
    /// ## Example
    /// A hand-written rule that opens port 8080 when the callee listens on 9090.
    ///
    /// ## Use instead
    /// Let meshc write the rules (`firewall "per-call"`), or open the callee's ports.
    "M0304" "missing-firewall-rule" Error Check::Frontend
}
