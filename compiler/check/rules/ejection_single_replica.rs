use crate::check::Context;
use crate::check::rule::{Check, rule};
use crate::diagnostics::Diagnostic;

rule! {
    /// Outlier detection may eject every endpoint of a service that runs one replica per cluster.
    ///
    /// ## What it does
    /// Reports a service whose circuit breaker has `max-ejection-percent=100` and which runs a
    /// single replica in a cluster (`replicas` counts per cluster: each cluster in `runs-in`
    /// runs that many).
    ///
    /// ## Why is this bad?
    /// Outlier detection takes an endpoint that fails `consecutive-5xx` times in a row out of
    /// the load-balancing pool for `base-ejection-time`. Below 100%, Envoy keeps some endpoint
    /// in the pool; at 100% it may eject all of them. With one replica, one bad moment of that
    /// replica (a slow start, a burst of 503s under load) ejects the only endpoint of its
    /// cluster: callers there fail over to another cluster, across regions, or, where the
    /// service runs in one cluster only, every call fails with `503 no healthy upstream` until
    /// the ejection ends, even once the replica is healthy again.
    ///
    /// The seed's producer runs 2 replicas with `max-ejection-percent=100`, which is fine: one
    /// replica can be ejected while the other serves.
    ///
    /// ## Example
    /// ```kdl
    /// service "sample-producer" {
    ///     replicas 1
    ///     circuit-breaker consecutive-5xx=3 max-ejection-percent=100
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// service "sample-producer" {
    ///     replicas 2
    ///     circuit-breaker consecutive-5xx=3 max-ejection-percent=100
    /// }
    /// ```
    "M0405" "ejection-single-replica" Warning Check::Model(check)
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let spec = cx.spec;
    for s in &spec.services {
        let Some(percent) = s
            .circuit_breaker
            .as_ref()
            .and_then(|cb| cb.max_ejection_percent.as_ref())
        else {
            continue;
        };
        if percent.value < 100 || s.replicas.value != 1 || s.runs_in.is_empty() {
            continue;
        }
        let clusters: Vec<String> = s.runs_in.iter().map(|c| format!("`{}`", c.value)).collect();
        let (message, consequence) = match clusters.as_slice() {
            [one] => (
                format!(
                    "`{}` runs one replica, in {one}, and outlier detection may eject 100% of its endpoints",
                    s.name.value
                ),
                "once it is ejected, every call fails with `503 no healthy upstream` until the ejection ends",
            ),
            _ => (
                format!(
                    "`{}` runs one replica in each of {}, and outlier detection may eject 100% of its endpoints",
                    s.name.value,
                    clusters.join(", ")
                ),
                "an ejected replica sends its cluster's callers to another region, and once all are ejected every call fails",
            ),
        };
        // The lowering gives a default `replicas` the service name's span.
        let replicas = if s.replicas.span == s.name.span {
            "1 replica per cluster (the default)"
        } else {
            "1 replica per cluster"
        };
        let key = spec.syntax.spell("maxEjectionPercent");
        out.push(
            RULE.diag(format!("{message}: {consequence}"))
                .at(percent.span.clone(), "ejects every endpoint")
                .related(s.replicas.span.clone(), replicas)
                .help(format!(
                    "run at least 2 replicas, or lower `{key}` so that an endpoint stays in the pool"
                )),
        );
    }
}
