use crate::check::Context;
use crate::check::rule::{Check, rule};
use crate::diagnostics::Diagnostic;

rule! {
    /// A call crosses between clusters on different VPC networks.
    ///
    /// ## What it does
    /// For every call, compares the network of each cluster the caller runs in with the network
    /// of each cluster the callee runs in.
    ///
    /// ## Why is this bad?
    /// Istio's flat-network multi-cluster model sends traffic pod to pod. Across VPC networks
    /// the pod ranges are not routable: the call needs an east-west gateway, which meshc does
    /// not generate yet, so the call would time out.
    ///
    /// ## Example
    /// ```kdl
    /// cluster "cluster1" network="vpc-a" …
    /// cluster "cluster2" network="vpc-b" …
    /// ```
    ///
    /// ## Use instead
    /// Put both clusters on one network (or a Shared VPC), or run the callee on the caller's
    /// network too.
    "M0302" "cross-network-call" Error Check::Model(check)
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let spec = cx.spec;
    for (caller_id, call, callee_id) in spec.edges() {
        let (caller, callee) = (&spec.services[caller_id], &spec.services[callee_id]);
        for from in caller.runs_in.iter().filter_map(|c| spec.cluster(c)) {
            for to in callee.runs_in.iter().filter_map(|c| spec.cluster(c)) {
                if from.network.value == to.network.value {
                    continue;
                }
                out.push(
                    RULE.diag(format!(
                        "`{}` in `{}` (network `{}`) calls `{}` in `{}` (network `{}`)",
                        caller.name.value, from.name.value, from.network.value,
                        callee.name.value, to.name.value, to.network.value
                    ))
                    .at(call.service.span.clone(), "crosses VPC networks")
                    .related(from.network.span.clone(), "caller's network")
                    .related(to.network.span.clone(), "callee's network")
                    .help("multi-network meshes need an east-west gateway, which meshc does not generate yet; put the clusters on one network"),
                );
            }
        }
    }
}
