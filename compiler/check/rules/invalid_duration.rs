use crate::check::rule::{Check, rule};

rule! {
    /// A duration that is not in Go/Istio form.
    ///
    /// ## What it does
    /// Checks timeouts, per-try timeouts and circuit-breaker intervals: a sequence of numbers
    /// each with a unit (`h`, `m`, `s`, `ms`, `us`, `ns`), such as `250ms`, `5s` or `1m30s`.
    ///
    /// ## Why is this bad?
    /// Istio rejects the VirtualService or DestinationRule, and with it the policy the call was
    /// meant to have.
    ///
    /// ## Example
    /// ```kdl
    /// calls "sample-producer" timeout="5"
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// calls "sample-producer" timeout="5s"
    /// ```
    "M0203" "invalid-duration" Error Check::Frontend
}
