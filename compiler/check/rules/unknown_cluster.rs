use super::unknown_service::spec_quote;
use crate::check::Context;
use crate::check::rule::{Check, rule};
use crate::diagnostics::{Diagnostic, did_you_mean};

rule! {
    /// A service runs in a cluster the spec does not define.
    ///
    /// ## What it does
    /// Checks every name in `runs-in` against the spec's clusters.
    ///
    /// ## Why is this bad?
    /// meshc has no folder, pod range or node tag for that cluster: the workload would be
    /// deployed nowhere, and its callers could not reach it.
    ///
    /// ## Example
    /// ```kdl
    /// cluster "cluster1" …
    /// service "sample-producer" { runs-in "cluster-1" }
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// service "sample-producer" { runs-in "cluster1" }
    /// ```
    "M0102" "unknown-cluster" Error Check::Model(check)
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let spec = cx.spec;
    let names = || spec.clusters.iter().map(|c| c.name.value.as_str());
    for s in &spec.services {
        for c in &s.runs_in {
            if spec.cluster(c).is_some() {
                continue;
            }
            let mut d = RULE
                .diag(format!(
                    "`{}` runs in `{}`, which is not a cluster of this mesh",
                    s.name.value, c.value
                ))
                .at(c.span.clone(), "unknown cluster");
            match did_you_mean(c, names()) {
                Some(near) => {
                    d = d.help(format!("did you mean `{near}`?")).fix(
                        format!("use `{near}`"),
                        vec![(c.span.clone(), spec_quote(spec.syntax, near))],
                    )
                }
                None => {
                    let known: Vec<String> = names().map(|n| format!("`{n}`")).collect();
                    d = d.help(format!("the clusters are {}", known.join(", ")))
                }
            }
            out.push(d);
        }
    }
}
