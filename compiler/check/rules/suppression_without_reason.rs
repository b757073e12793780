use crate::check::rule::{Check, rule};

rule! {
    /// A suppression that does not say why.
    ///
    /// ## What it does
    /// Reports an `allow` without a `reason`, or with an empty one.
    ///
    /// ## Why is this bad?
    /// The next reader cannot tell a considered exception from a silenced warning, and cannot
    /// tell when it stops applying.
    ///
    /// ## Example
    /// ```kdl
    /// allow "M0401"
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// allow "M0401" reason="the producer is idempotent and answers in 50ms"
    /// ```
    "M0601" "suppression-without-reason" Warning Check::Frontend
}
