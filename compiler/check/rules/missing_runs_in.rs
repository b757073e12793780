use crate::check::Context;
use crate::check::rule::{Check, rule};
use crate::diagnostics::Diagnostic;

rule! {
    /// A service runs in no cluster.
    ///
    /// ## What it does
    /// Reports a service without `runs-in`, or with an empty one.
    ///
    /// ## Why is this bad?
    /// meshc emits its workload nowhere, and every call to it fails: there is no endpoint to
    /// route to in any cluster.
    ///
    /// ## Example
    /// ```kdl
    /// service "sample-producer" { port 8080 }
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// service "sample-producer" {
    ///     port 8080
    ///     runs-in "cluster2"
    /// }
    /// ```
    "M0105" "missing-runs-in" Error Check::Model(check)
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for s in &cx.spec.services {
        if s.runs_in.is_empty() {
            let clusters: Vec<String> = cx
                .spec
                .clusters
                .iter()
                .map(|c| format!("`{}`", c.name.value))
                .collect();
            out.push(
                RULE.diag(format!("service `{}` runs in no cluster", s.name.value))
                    .at(s.name.span.clone(), "needs `runs-in`")
                    .help(format!(
                        "add `runs-in` with one or more of {}",
                        clusters.join(", ")
                    )),
            );
        }
    }
}
