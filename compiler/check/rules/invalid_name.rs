use crate::check::rule::{Check, rule};

rule! {
    /// A name that is not a Kubernetes DNS-1123 label.
    ///
    /// ## What it does
    /// Checks the names of the mesh, clusters, services, namespaces and call targets: at most
    /// 63 characters, lowercase letters, digits and `-`, starting and ending with a letter or
    /// digit. The fix lowercases the name and replaces other characters with `-`.
    ///
    /// ## Why is this bad?
    /// The name becomes a Kubernetes object name and a DNS host (`NAME.NS.svc.cluster.local`);
    /// the API server rejects the object, and the host never resolves.
    ///
    /// ## Example
    /// ```kdl
    /// service "Sample_Producer" { }
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// service "sample-producer" { }
    /// ```
    "M0201" "invalid-name" Error Check::Frontend
}
