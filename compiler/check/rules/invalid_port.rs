use crate::check::rule::{Check, rule};

rule! {
    /// A port outside 1–65535, or given twice on one service.
    ///
    /// ## What it does
    /// Checks every service port: it must be a TCP port number from 1 to 65535, and each port
    /// (and each port name) may appear once per service.
    ///
    /// ## Why is this bad?
    /// Kubernetes rejects the Service and the Deployment; a duplicated port makes both invalid.
    ///
    /// ## Example
    /// ```kdl
    /// port 80800
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// port 8080
    /// ```
    "M0202" "invalid-port" Error Check::Frontend
}
