use crate::check::rule::{Check, rule};

rule! {
    /// meshc's own output failed its verification: a bug in meshc.
    ///
    /// ## What it does
    /// After `build` emits the objects of every cluster, the verifier re-reads them and proves
    /// that every call's host resolves in each caller's cluster on the called ports, that every
    /// authorization principal names a ServiceAccount that exists, and that the firewall covers
    /// every cross-cluster call. A failure is reported with this code and nothing is written.
    ///
    /// ## Why is this bad?
    /// The output would not work as the spec says; meshc refuses to write it.
    ///
    /// ## Example
    /// Any spec that exposes the bug.
    ///
    /// ## Use instead
    /// Report the spec and the message to the meshc maintainers.
    "M9001" "internal-error" Error Check::Frontend
}
