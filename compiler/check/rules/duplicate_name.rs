use crate::check::Context;
use crate::check::rule::{Check, rule};
use crate::diagnostics::Diagnostic;
use std::collections::HashMap;

rule! {
    /// A cluster or service is defined twice, or a service lists a cluster twice.
    ///
    /// ## What it does
    /// Reports two clusters of one name, two services of one name in one namespace, and a
    /// cluster named twice in a service's `runs-in`; the finding is at the second definition
    /// and points at the first.
    ///
    /// ## Why is this bad?
    /// Both would be written to the same Kubernetes objects: one silently replaces the other,
    /// and calls to the name reach whichever was applied last.
    ///
    /// ## Example
    /// ```kdl
    /// service "sample-producer" namespace="istio-apps" { … }
    /// service "sample-producer" namespace="istio-apps" { … }
    /// ```
    ///
    /// ## Use instead
    /// Rename one, or put it in another namespace.
    "M0103" "duplicate-name" Error Check::Model(check)
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let spec = cx.spec;
    let mut clusters = HashMap::new();
    for c in &spec.clusters {
        if let Some(first) = clusters.insert(c.name.value.as_str(), c.name.span.clone()) {
            out.push(
                RULE.diag(format!("cluster `{}` is defined twice", c.name.value))
                    .at(c.name.span.clone(), "defined again here")
                    .related(first, "first defined here")
                    .help("give each cluster its own name"),
            );
        }
    }
    let mut services = HashMap::new();
    for s in &spec.services {
        let key = (s.namespace.value.as_str(), s.name.value.as_str());
        if let Some(first) = services.insert(key, s.name.span.clone()) {
            out.push(
                RULE.diag(format!(
                    "service `{}` is defined twice in namespace `{}`",
                    s.name.value, s.namespace.value
                ))
                .at(s.name.span.clone(), "defined again here")
                .related(first, "first defined here")
                .help("rename one of them, or move it to another namespace"),
            );
        }
        for (i, c) in s.runs_in.iter().enumerate() {
            if let Some(first) = s.runs_in[..i].iter().find(|o| o.value == c.value) {
                out.push(
                    RULE.diag(format!(
                        "`{}` lists cluster `{}` twice",
                        s.name.value, c.value
                    ))
                    .at(c.span.clone(), "again here")
                    .related(first.span.clone(), "first here")
                    .fix("remove the repeat", vec![(c.span.clone(), String::new())]),
                );
            }
        }
    }
}
