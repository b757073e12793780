use crate::check::Context;
use crate::check::rule::{Check, rule};
use crate::diagnostics::Diagnostic;

rule! {
    /// Two clusters' pod ranges overlap.
    ///
    /// ## What it does
    /// Compares every pair of clusters' `pod-cidr`.
    ///
    /// ## Why is this bad?
    /// A multi-cluster mesh on one network routes pod to pod: an address that belongs to both
    /// clusters reaches either, and firewall rules written for one cluster's range open the
    /// other's too.
    ///
    /// ## Example
    /// ```kdl
    /// cluster "cluster1" pod-cidr="10.4.0.0/14" …
    /// cluster "cluster2" pod-cidr="10.6.0.0/16" …
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// cluster "cluster2" pod-cidr="10.8.0.0/14" …
    /// ```
    "M0204" "overlapping-pod-cidrs" Error Check::Model(check)
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let clusters = &cx.spec.clusters;
    for (i, a) in clusters.iter().enumerate() {
        for b in &clusters[i + 1..] {
            let (Some(ra), Some(rb)) = (&a.pod_cidr, &b.pod_cidr) else {
                continue;
            };
            if a.network.value != b.network.value {
                continue; // separate networks may reuse ranges
            }
            if ra.contains(&rb.network()) || rb.contains(&ra.network()) {
                out.push(
                    RULE.diag(format!(
                        "the pod ranges of `{}` ({}) and `{}` ({}) overlap",
                        a.name.value, ra.value, b.name.value, rb.value
                    ))
                    .at(rb.span.clone(), "overlaps")
                    .related(ra.span.clone(), "this range")
                    .help("give every cluster on a network its own pod range"),
                );
            }
        }
    }
}
