use crate::check::Context;
use crate::check::graph::service_label;
use crate::check::rule::{Check, rule};
use crate::diagnostics::Diagnostic;
use crate::spec::{ServiceId, Spec};
use std::collections::{HashMap, HashSet, VecDeque};

rule! {
    /// Services call each other in a cycle.
    ///
    /// ## What it does
    /// Finds the strongly connected components of the call graph (Tarjan's algorithm): groups
    /// of services where each can reach every other through calls. It reports each group
    /// once, at the first call of its shortest cycle through the group's first service, and
    /// names the other services of the group that lie on other cycles. A service that calls
    /// itself is self-call's.
    ///
    /// ## Why is this bad?
    /// A request can come back to a service that is still waiting on its own call: under load
    /// both sides hold their workers and connections while they wait for each other, and the
    /// loop stalls until timeouts break it. Timeouts and retries cannot be budgeted around a
    /// loop (retry-amplification and timeout-budget-inversion leave cycles out for that
    /// reason), one failing member takes the others with it, and none of them can be started,
    /// drained or rolled back on its own.
    ///
    /// Some cycles are deliberate, such as a callback that never calls back again; suppress
    /// those with a reason.
    ///
    /// ## Example
    /// ```kdl
    /// service "orders" { calls "payments" }
    /// service "payments" { calls "orders" }
    /// ```
    ///
    /// ## Use instead
    /// Make one direction asynchronous (a queue or an event), or move the shared logic into
    /// a service both call.
    "M0404" "call-cycle" Warning Check::Model(check)
}

/// One call: (caller, index of the call in the caller's `calls`, callee).
type Step = (ServiceId, usize, ServiceId);

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let spec = cx.spec;
    let mut groups: Vec<Vec<ServiceId>> = cx
        .graph
        .components
        .iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut c = c.clone();
            c.sort_unstable();
            c
        })
        .collect();
    groups.sort();
    for members in groups {
        let within: HashSet<ServiceId> = members.iter().copied().collect();
        let Some(&start) = members.first() else {
            continue;
        };
        let Some(cycle) = shortest_cycle(spec, start, &within) else {
            continue;
        };
        out.push(diagnostic(spec, &members, &cycle));
    }
}

/// The shortest cycle from `start` back to it through services of `within` (breadth first).
fn shortest_cycle(spec: &Spec, start: ServiceId, within: &HashSet<ServiceId>) -> Option<Vec<Step>> {
    let mut into: HashMap<ServiceId, Step> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(u) = queue.pop_front() {
        let s = &spec.services[u];
        for (ci, call) in s.calls.iter().enumerate() {
            let Some(v) = spec.resolve_call(s, call) else {
                continue;
            };
            if v == u || !within.contains(&v) {
                continue;
            }
            if v == start {
                let mut cycle = vec![(u, ci, v)];
                let mut at = u;
                while at != start {
                    let step = *into.get(&at)?;
                    cycle.push(step);
                    at = step.0;
                }
                cycle.reverse();
                return Some(cycle);
            }
            if let std::collections::hash_map::Entry::Vacant(e) = into.entry(v) {
                e.insert((u, ci, v));
                queue.push_back(v);
            }
        }
    }
    None
}

fn diagnostic(spec: &Spec, members: &[ServiceId], cycle: &[Step]) -> Diagnostic {
    let name = |id: ServiceId| format!("`{}`", service_label(spec, id));
    let call_span = |&(caller, ci, _): &Step| spec.services[caller].calls[ci].service.span.clone();
    let arrow = |&(caller, _, callee): &Step| format!("{} → {}", name(caller), name(callee));
    let mut shown = cycle.first().map(|s| name(s.0)).unwrap_or_default();
    for step in cycle {
        shown.push_str(&format!(" → {}", name(step.2)));
    }
    let on_cycle: HashSet<ServiceId> = cycle.iter().map(|s| s.0).collect();
    let others: Vec<String> = members
        .iter()
        .filter(|m| !on_cycle.contains(m))
        .map(|&m| name(m))
        .collect();
    let also = match others.as_slice() {
        [] => String::new(),
        [one] => format!("; {one} is on another cycle through them"),
        [init @ .., last] => format!(
            "; {} and {last} are on other cycles through them",
            init.join(", ")
        ),
    };
    let Some(first) = cycle.first() else {
        return RULE.diag(format!(
            "services call each other in a cycle: {shown}{also}"
        ));
    };
    let mut d = RULE
        .diag(format!(
            "services call each other in a cycle: {shown}{also}"
        ))
        .at(call_span(first), arrow(first));
    for step in &cycle[1..] {
        d = d.related(call_span(step), arrow(step));
    }
    d.help(
        "break the cycle: make one of these calls asynchronous (a queue or an event), or move what both need into a service they both call",
    )
}
