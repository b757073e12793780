use crate::check::rule::{Check, rule};

rule! {
    /// A key or node that the spec language does not have.
    ///
    /// ## What it does
    /// Reports a key (YAML) or node or property (KDL) that is not part of the spec language at
    /// that place, with the closest known key when there is one.
    ///
    /// ## Why is this bad?
    /// An unknown key is almost always a typo, and a typo'd setting is silently not applied:
    /// `circuit-braker` would leave a service without its circuit breaker.
    ///
    /// ## Example
    /// ```kdl
    /// service "sample-producer" {
    ///     circuit-braker consecutive-5xx=3
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// service "sample-producer" {
    ///     circuit-breaker consecutive-5xx=3
    /// }
    /// ```
    "M0002" "unknown-key" Error Check::Frontend
}
