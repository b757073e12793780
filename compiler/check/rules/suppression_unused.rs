use crate::check::rule::{Check, rule};

rule! {
    /// A suppression that suppresses nothing.
    ///
    /// ## What it does
    /// Reports an `allow` whose code no finding inside its node carries. Errors cannot be
    /// suppressed: they make the output wrong, so an `allow` that names an error is reported
    /// too, whether the error occurs or not.
    ///
    /// ## Why is this bad?
    /// It is stale (the finding was fixed) or misplaced (on the wrong node, or with a typo in
    /// the code), and it would silence a future finding nobody has looked at.
    ///
    /// ## Example
    /// ```kdl
    /// service "sample-caller" {
    ///     allow "M0499" reason="…"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Remove it, or move it to the node that has the finding.
    "M0602" "suppression-unused" Warning Check::Frontend
}
