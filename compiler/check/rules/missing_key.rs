use crate::check::rule::{Check, rule};

rule! {
    /// A required key is missing.
    ///
    /// ## What it does
    /// Reports a node that lacks a key it needs: a service without `image` or `port`, a cluster
    /// without `pod-cidr` or `node-tag` when firewall rules are to be emitted, a spec without
    /// `mesh`.
    ///
    /// ## Why is this bad?
    /// meshc cannot emit the object that needs the value, and will not guess it.
    ///
    /// ## Example
    /// ```kdl
    /// service "sample-producer" {
    ///     port 8080
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// service "sample-producer" {
    ///     image "us-docker.pkg.dev/sample-proj/docker-repo/sample-producer:1.4.2"
    ///     port 8080
    /// }
    /// ```
    "M0003" "missing-key" Error Check::Frontend
}
