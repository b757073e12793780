use crate::check::rule::{Check, rule};

rule! {
    /// A value of the wrong type, outside its range, or not one of the allowed words.
    ///
    /// ## What it does
    /// Reports a value that the spec language does not accept at that place: a string where a
    /// number belongs, `mtls "strikt"`, a negative replica count, `max-ejection-percent=150`,
    /// a cluster's pod CIDR that is not an IPv4 range, an injection label that is not KEY=VALUE.
    ///
    /// ## Why is this bad?
    /// The value cannot be turned into a valid Kubernetes or Istio field.
    ///
    /// ## Example
    /// ```kdl
    /// mesh "sample" { mtls "strikt" }
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// mesh "sample" { mtls "strict" }
    /// ```
    "M0004" "invalid-value" Error Check::Frontend
}
