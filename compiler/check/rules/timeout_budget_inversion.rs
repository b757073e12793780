use crate::check::Context;
use crate::check::graph::{routes_http, service_label};
use crate::check::rule::{Check, rule};
use crate::diagnostics::Diagnostic;
use crate::spec::values::Duration;
use crate::spec::{Call, ServiceId, Spec};

rule! {
    /// A caller's timeout is shorter than what its callee may wait for below it.
    ///
    /// ## What it does
    /// For every service S, meshc computes *wait(S)*: the longest S may spend waiting on one
    /// of its calls — the longest single chain of calls below S, measured by its timeouts:
    ///
    /// - a call with a timeout (its own, else the one of `defaults`) waits at most that long;
    ///   whatever happens further down is cut off by it, so nested timeouts do not add up;
    /// - a call without a timeout waits as long as the service it calls does: its wait;
    /// - wait(S) is the largest of these over S's calls. Calls are not added together, since
    ///   meshc does not know whether S makes them one after another or at once.
    ///
    /// The rule reports a call A → S whose timeout is shorter than wait(S), and names the
    /// chain below S that can outlast it. A timeout equal to wait(S) is not reported, though
    /// S's own work makes it a close race. Around a cycle, calls without a timeout are followed
    /// until the waits stop growing.
    ///
    /// ## Why is this bad?
    /// A gives up and answers its own caller with a 504 while S still waits for its callee:
    /// S's work, and everything it started below, is wasted, and if A retries, the next try
    /// piles onto a service that is still busy with the first. Timeouts should shrink with
    /// depth, so that the innermost caller gives up first and the outer ones see its error.
    ///
    /// ## Example
    /// ```kdl
    /// service "frontend" { calls "orders" timeout="2s" }
    /// service "orders" { calls "payments" timeout="5s" }
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// service "frontend" { calls "orders" timeout="6s" }
    /// service "orders" { calls "payments" timeout="5s" }
    /// ```
    "M0403" "timeout-budget-inversion" Warning Check::Model(check)
}

/// One call: (caller, index of the call in the caller's `calls`, callee).
type Step = (ServiceId, usize, ServiceId);

/// The longest a service may wait on one call, and the chain of calls down to the timeout
/// that bounds it (the last step has the timeout).
#[derive(Clone)]
struct Wait {
    micros: u64,
    chain: Vec<Step>,
}

/// A call's effective timeout, which only HTTP calls get; zero disables the timeout in Envoy,
/// so it counts as none.
fn timeout<'a>(spec: &'a Spec, &(caller, ci, callee): &Step) -> Option<&'a Duration> {
    if !routes_http(&spec.services[callee]) {
        return None;
    }
    spec.call_timeout(&spec.services[caller].calls[ci])
        .map(|t| &t.value)
        .filter(|t| t.micros > 0)
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let spec = cx.spec;
    let mut wait: Vec<Option<Wait>> = vec![None; spec.services.len()];
    // Callees' components first, so that a call out of a component finds its callee's wait
    // final. Within a component (a cycle), waits are relaxed until they stop growing: they only
    // grow, and only to one of finitely many timeouts, so this ends.
    for component in &cx.graph.components {
        loop {
            let mut grew = false;
            for &s_id in component {
                let s = &spec.services[s_id];
                for (ci, call) in s.calls.iter().enumerate() {
                    let Some(callee) = spec.resolve_call(s, call) else {
                        continue;
                    };
                    let step = (s_id, ci, callee);
                    let candidate = match (timeout(spec, &step), &wait[callee]) {
                        (Some(t), _) => Wait {
                            micros: t.micros,
                            chain: vec![step],
                        },
                        (None, Some(below)) => Wait {
                            micros: below.micros,
                            chain: std::iter::once(step)
                                .chain(below.chain.iter().copied())
                                .collect(),
                        },
                        (None, None) => continue,
                    };
                    if wait[s_id]
                        .as_ref()
                        .is_none_or(|w| candidate.micros > w.micros)
                    {
                        wait[s_id] = Some(candidate);
                        grew = true;
                    }
                }
            }
            if !grew {
                break;
            }
        }
    }
    for (caller, service) in spec.services.iter().enumerate() {
        for (ci, call) in service.calls.iter().enumerate() {
            let Some(callee) = spec.resolve_call(service, call) else {
                continue;
            };
            if caller == callee {
                continue; // self-call reports it
            }
            let step = (caller, ci, callee);
            let (Some(given), Some(below)) = (timeout(spec, &step), &wait[callee]) else {
                continue;
            };
            if given.micros < below.micros {
                out.push(diagnostic(spec, step, given, below));
            }
        }
    }
}

fn diagnostic(spec: &Spec, step: Step, given: &Duration, below: &Wait) -> Diagnostic {
    let name = |id: ServiceId| service_label(spec, id);
    let (caller, ci, callee) = step;
    let call = &spec.services[caller].calls[ci];
    let (a, s) = (name(caller), name(callee));
    let Some(&(x, ci, y)) = below.chain.last() else {
        return RULE.diag(format!("`{a}` gives up on `{s}` before `{s}` does"));
    };
    let timed = &spec.services[x].calls[ci];
    let limit = timeout(spec, &(x, ci, y))
        .map(|t| t.text.clone())
        .unwrap_or_default();
    let chain = if below.chain.len() == 1 {
        format!("`{s}` may wait {limit} for `{}`", name(y))
    } else {
        let mut shown = format!("`{s}`");
        for link in &below.chain {
            let note = match timeout(spec, link) {
                Some(_) => limit.clone(),
                None => "no timeout".to_string(),
            };
            shown.push_str(&format!(" → `{}` ({note})", name(link.2)));
        }
        format!("`{s}` may wait {limit} below it: {shown}")
    };
    let inherited = |c: &Call| {
        if c.timeout.is_none() {
            " (from `defaults`)"
        } else {
            ""
        }
    };
    let (timed_span, timed_label) = match &timed.timeout {
        Some(t) => (
            t.span.clone(),
            format!("`{}` waits up to {limit} for `{}`", name(x), name(y)),
        ),
        None => (
            timed.service.span.clone(),
            format!(
                "`{}` waits up to {limit} for `{}` (the `defaults` timeout)",
                name(x),
                name(y)
            ),
        ),
    };
    RULE.diag(format!(
        "`{a}` gives up on `{s}` after {given}, but {chain}"
    ))
    .at(
        call.service.span.clone(),
        format!("gives up after {given}{}", inherited(call)),
    )
    .related(timed_span, timed_label)
    .help(format!(
        "a caller's timeout should cover the waits below it: give this call a timeout above {limit}, or let `{}` give up on `{}` within {given}",
        name(x),
        name(y)
    ))
}
