use crate::check::Context;
use crate::check::rule::{Check, rule};
use crate::diagnostics::Diagnostic;

rule! {
    /// A call's host will not resolve in a cluster where its caller runs.
    ///
    /// ## What it does
    /// Walks the call graph: for every call and every cluster the caller runs in, the callee's
    /// host (`NAME.NS.svc.cluster.local`) must exist there, either because the callee runs
    /// there or because meshc emits a stub Service of its name. A callee with `stub #false`
    /// that does not run in all of its callers' clusters cannot be reached from the others.
    ///
    /// ## Why is this bad?
    /// This is the failure of the multi-cluster pattern: the caller in `cluster1` fails with
    /// "host sample-producer cannot be resolved" because the producer's Service exists only in
    /// `cluster2`. Istio routes to remote endpoints only for hosts that resolve locally.
    ///
    /// ## Example
    /// ```kdl
    /// service "sample-producer" { runs-in "cluster2"; stub #false }
    /// service "sample-caller" { runs-in "cluster1"; calls "sample-producer" }
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// service "sample-producer" { runs-in "cluster2" }
    /// ```
    "M0301" "unresolved-host" Error Check::Model(check)
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let spec = cx.spec;
    for (caller_id, call, callee_id) in spec.edges() {
        let (caller, callee) = (&spec.services[caller_id], &spec.services[callee_id]);
        if callee.stub.value || callee.runs_in.is_empty() {
            continue;
        }
        for cluster in &caller.runs_in {
            if callee.runs_in(cluster) || spec.cluster(cluster).is_none() {
                continue;
            }
            out.push(
                RULE.diag(format!(
                    "`{}` will not resolve in `{}`, where `{}` calls it",
                    callee.host(),
                    cluster.value,
                    caller.name.value
                ))
                .at(
                    call.service.span.clone(),
                    format!("unresolved in `{}`", cluster.value),
                )
                .related(
                    callee.stub.span.clone(),
                    "no stub Service is emitted for it",
                )
                .help(format!(
                    "remove `{}` from `{}`, or run it in `{}` too",
                    match spec.syntax {
                        crate::syntax::Syntax::Kdl => "stub #false",
                        crate::syntax::Syntax::Yaml => "stub: false",
                    },
                    callee.name.value,
                    cluster.value
                )),
            );
        }
    }
}
