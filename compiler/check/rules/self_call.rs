use crate::check::Context;
use crate::check::rule::{Check, rule};
use crate::diagnostics::Diagnostic;

rule! {
    /// A service calls itself.
    ///
    /// ## What it does
    /// Reports a `calls` edge whose target is the calling service.
    ///
    /// ## Why is this bad?
    /// A service reaches itself in-process; through the mesh, the call goes out through the
    /// sidecar and back in, doubling its retries and timeouts, and the authorization policy has
    /// to let the service call itself. It is almost always a copy-paste mistake.
    ///
    /// ## Example
    /// ```kdl
    /// service "sample-producer" { calls "sample-producer" }
    /// ```
    ///
    /// ## Use instead
    /// Remove the call, or name the service it was meant to call.
    "M0104" "self-call" Error Check::Model(check)
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (i, s) in cx.spec.services.iter().enumerate() {
        for call in &s.calls {
            if cx.spec.resolve_call(s, call) == Some(i) {
                out.push(
                    RULE.diag(format!("`{}` calls itself", s.name.value))
                        .at(call.service.span.clone(), "the caller's own name")
                        .related(s.name.span.clone(), "the service")
                        .help("remove the call, or name the service it was meant to call")
                        .fix("remove the call", vec![(call.span.clone(), String::new())]),
                );
            }
        }
    }
}
