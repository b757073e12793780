use crate::check::Context;
use crate::check::graph::{routes_http, service_label};
use crate::check::rule::{Check, rule};
use crate::diagnostics::Diagnostic;
use crate::spec::{ServiceId, Spec};
use crate::syntax::Syntax;
use std::collections::HashSet;

/// The most requests one request may become at the end of a path before the rule reports it.
pub const LIMIT: u128 = 10;

rule! {
    /// Retries multiply along a call path: one request can become more than 10 at its end.
    ///
    /// ## What it does
    /// Walks the call graph from the services nobody calls. Every call makes up to
    /// `1 + attempts` tries (its effective `retries`: its own, else those of `defaults`), so
    /// along a path the tries multiply: three calls with `attempts=2` turn one request into
    /// 3 × 3 × 3 = 27 requests at the deepest service. For each place where a path ends, the
    /// rule takes the path with the largest product and reports it when the product exceeds
    /// 10, once, at the first call of the path that retries, with the factor and the path.
    ///
    /// Calls on a cycle are left out (call-cycle reports those). Calls without retries count
    /// ×1: Istio's own default (2 retries where a VirtualService sets none) is not counted, as
    /// it retries connection failures and a few gRPC codes, requests that mostly never reached
    /// the service and add little load to it.
    ///
    /// ## Why is this bad?
    /// Retries are meant for a service that fails now and then; they are most active when a
    /// service is failing because it is overloaded. Then every layer above it retries, each
    /// layer's retries multiply the layer's below, and the struggling service receives many
    /// times the traffic that broke it: the retry storm turns a slowdown into an outage.
    ///
    /// ## Example
    /// ```kdl
    /// defaults { retries attempts=2 }
    /// service "frontend" { calls "orders" }
    /// service "orders" { calls "payments" }
    /// service "payments" { calls "ledger" }
    /// ```
    /// One request to `frontend` can become 27 requests to `ledger`.
    ///
    /// ## Use instead
    /// Retry at one layer of the path, and set `retries=0` on the other calls:
    /// ```kdl
    /// service "orders" { calls "payments" retries=0 }
    /// service "payments" { calls "ledger" retries=0 }
    /// ```
    "M0402" "retry-amplification" Warning Check::Model(check)
}

/// One call on a path: (caller, index of the call in the caller's `calls`, callee).
type Step = (ServiceId, usize, ServiceId);

/// How many tries one call makes: 1 plus its effective retries, which only HTTP calls get.
fn tries(spec: &Spec, &(caller, ci, callee): &Step) -> u128 {
    if !routes_http(&spec.services[callee]) {
        return 1;
    }
    let call = &spec.services[caller].calls[ci];
    1 + spec
        .call_retries(call)
        .map_or(0, |r| u128::from(r.attempts.value))
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let spec = cx.spec;
    let n = spec.services.len();
    // The largest product of tries on a path ending at each service, and the last call of
    // that path.
    let mut best: Vec<u128> = vec![1; n];
    let mut last: Vec<Option<Step>> = vec![None; n];
    for caller in cx.graph.callers_first() {
        let s = &spec.services[caller];
        for (ci, call) in s.calls.iter().enumerate() {
            let Some(callee) = spec.resolve_call(s, call) else {
                continue;
            };
            if cx.graph.on_cycle(caller, callee) {
                continue;
            }
            let product = best[caller].saturating_mul(tries(spec, &(caller, ci, callee)));
            if product > best[callee] {
                best[callee] = product;
                last[callee] = Some((caller, ci, callee));
            }
        }
    }
    // A service whose best path another service's best path extends is not where it ends.
    let extended: HashSet<ServiceId> = last.iter().flatten().map(|&(caller, ..)| caller).collect();
    let mut reported: HashSet<Vec<Step>> = HashSet::new();
    for (end, &factor) in best.iter().enumerate() {
        if factor <= LIMIT || extended.contains(&end) {
            continue;
        }
        let mut path: Vec<Step> = Vec::new();
        let mut at = end;
        while let Some(step) = last[at] {
            path.push(step);
            at = step.0;
        }
        path.reverse();
        // Calls without retries at either end of the path add nothing to it.
        let first = path.iter().position(|s| tries(spec, s) > 1);
        let end_at = path.iter().rposition(|s| tries(spec, s) > 1);
        let (Some(first), Some(end_at)) = (first, end_at) else {
            continue;
        };
        let path = path[first..=end_at].to_vec();
        if !reported.insert(path.clone()) {
            continue;
        }
        out.push(diagnostic(spec, &path, factor));
    }
}

fn diagnostic(spec: &Spec, path: &[Step], factor: u128) -> Diagnostic {
    let call_of = |&(caller, ci, _): &Step| &spec.services[caller].calls[ci];
    let (Some(first), Some(last)) = (path.first(), path.last()) else {
        return RULE.diag("retries multiply along a call path");
    };
    let (start, end) = (service_label(spec, first.0), service_label(spec, last.2));
    let mut shown = format!("`{start}`");
    for step in path {
        shown.push_str(&format!(
            " → `{}` (×{})",
            service_label(spec, step.2),
            tries(spec, step)
        ));
    }
    let inherited = |step: &Step| {
        if call_of(step).retries.is_none() {
            " (retries from `defaults`)"
        } else {
            ""
        }
    };
    let times = |step: &Step| format!("×{}", tries(spec, step));
    let mut d = RULE
        .diag(format!(
            "one request to `{start}` can become {factor} requests to `{end}`: {shown}"
        ))
        .at(
            call_of(first).service.span.clone(),
            format!(
                "{} here{}, ×{factor} by `{end}`",
                times(first),
                inherited(first)
            ),
        );
    for step in &path[1..] {
        d = d.related(
            call_of(step).service.span.clone(),
            format!("{}{}", times(step), inherited(step)),
        );
    }
    let zero = match spec.syntax {
        Syntax::Kdl => "retries=0",
        Syntax::Yaml => "retries: 0",
    };
    d.help(format!(
        "retry at one layer of the path and set `{zero}` on the other calls, so that no more than {LIMIT} requests reach `{end}`"
    ))
}
