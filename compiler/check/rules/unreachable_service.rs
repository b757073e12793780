use crate::check::Context;
use crate::check::rule::{Check, rule};
use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::syntax::Syntax;
use std::collections::HashSet;

rule! {
    /// A service nobody calls and that is not `exposed`: every request to it is denied.
    ///
    /// ## What it does
    /// Reports a service that no `calls` reaches and that is not marked `exposed` (reached from
    /// the ingress gateway). A service named by a call that does not resolve is left to
    /// unknown-service.
    ///
    /// ## Why is this bad?
    /// meshc derives each workload's AuthorizationPolicy from the call graph: it allows exactly
    /// the service's callers. With no callers, the policy allows no one, and every request to
    /// the service is denied with `403 RBAC: access denied`. That is right for a worker or a job
    /// that only makes calls; for anything else a caller is missing from the spec, or `exposed`
    /// is.
    ///
    /// ## Example
    /// ```kdl
    /// service "sample-caller" {
    ///     calls "sample-producer"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// service "sample-caller" {
    ///     exposed #true
    ///     calls "sample-producer"
    /// }
    /// ```
    "M0502" "unreachable-service" Info Check::Model(check)
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let spec = cx.spec;
    let unresolved: HashSet<&str> = spec
        .services
        .iter()
        .flat_map(|s| {
            s.calls
                .iter()
                .filter(move |c| spec.resolve_call(s, c).is_none())
        })
        .map(|c| c.service.value.as_str())
        .collect();
    let exposed = match spec.syntax {
        Syntax::Kdl => "exposed #true",
        Syntax::Yaml => "exposed: true",
    };
    for (id, s) in spec.services.iter().enumerate() {
        // A call that does not resolve may be meant for this service (exactly, in another
        // namespace, or with a typo): M0101 reports that, and this would only add noise.
        let meant = unresolved.contains(s.name.value.as_str())
            || unresolved
                .iter()
                .any(|u| did_you_mean(u, [s.name.value.as_str()]).is_some());
        if s.exposed.value || cx.graph.callers(id).next().is_some() || meant {
            continue;
        }
        let calls = if s.calls.is_empty() {
            ""
        } else {
            "; fine if it only makes calls, like a worker or a job"
        };
        out.push(
            RULE.diag(format!(
                "no service calls `{}` and it is not exposed: its AuthorizationPolicy denies every request",
                s.name.value
            ))
            .at(s.name.span.clone(), "called by nobody")
            .help(format!(
                "add the missing `calls` to its callers, or `{exposed}` if it is reached from outside the mesh{calls}"
            )),
        );
    }
}
