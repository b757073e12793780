use crate::check::Context;
use crate::check::graph::{routes_http, service_label};
use crate::check::rule::{Check, rule};
use crate::diagnostics::Diagnostic;
use crate::spec::values::Duration;

rule! {
    /// A call's tries do not fit in its timeout: the later retries are cut short or never run.
    ///
    /// ## What it does
    /// Takes each call's effective policy (its own `timeout` and `retries`, else those of
    /// `defaults`) and compares the time its tries may take with the timeout of the whole call.
    /// In Istio, `attempts` counts retries: a call makes up to `attempts + 1` tries, each
    /// bounded by `per-try-timeout`, and the route `timeout` bounds all of them together. The
    /// rule reports a call where `(attempts + 1) × per-try-timeout` exceeds `timeout` (the
    /// family of istio/istio#5260). It says which try is cut off and which never start.
    ///
    /// Calls without retries, without a per-try timeout (each try may then use the whole
    /// timeout) or without a timeout are not reported, nor are calls to a service that serves
    /// only TCP: timeouts and retries are HTTP route settings, which TCP calls do not get. Envoy's back-off between retries (25ms
    /// and growing) is left out, so the real margin is smaller than the one computed.
    ///
    /// ## Why is this bad?
    /// The policy promises retries that cannot happen. Retries after fast failures (a 503, a
    /// reset) still fit, but after a try that *times out*, the case `per-try-timeout` exists
    /// for, the timeout of the whole call runs out first: the caller gets a 504 where the
    /// configuration suggests it would have had another chance, and the retry budget someone
    /// reasoned about is not the one deployed.
    ///
    /// ## Example
    /// ```kdl
    /// calls "sample-producer" timeout="5s" {
    ///     retries attempts=2 per-try-timeout="2s"
    /// }
    /// ```
    /// Three tries of 2s need 6s: if the first two time out, the third is cut off after 1s.
    ///
    /// ## Use instead
    /// ```kdl
    /// calls "sample-producer" timeout="5s" {
    ///     retries attempts=2 per-try-timeout="1500ms"
    /// }
    /// ```
    "M0401" "retries-exceed-timeout" Warning Check::Model(check)
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let spec = cx.spec;
    let spell = |key: &str| spec.syntax.spell(key);
    for (caller, call, callee) in spec.edges() {
        if !routes_http(&spec.services[callee]) {
            continue; // TCP only: no timeout, no retries
        }
        let (Some(timeout), Some(retries)) = (spec.call_timeout(call), spec.call_retries(call))
        else {
            continue;
        };
        let Some(per_try) = &retries.per_try_timeout else {
            continue;
        };
        let attempts = u64::from(retries.attempts.value);
        let (total, each) = (timeout.micros, per_try.micros);
        // A zero duration disables the timeout in Envoy.
        if attempts == 0 || total == 0 || each == 0 {
            continue;
        }
        let tries = attempts + 1;
        let needed = tries.saturating_mul(each);
        if needed <= total {
            continue;
        }
        // Tries that can run to their per-try timeout, and what is left for the next one.
        let full = total / each;
        let rest = total - full * each;
        let (t, p, need) = (&timeout.value, &per_try.value, text(needed));
        // Fast failures are retried at once; the tries lost are those after tries time out.
        let first = if full == 1 {
            "the 1st try times out".to_string()
        } else {
            format!("the first {full} tries time out")
        };
        let consequence = if full == 0 {
            format!(
                "the per-try timeout ({p}) is longer than the whole call's, so a try that times out is never retried"
            )
        } else if rest > 0 {
            let later = if full + 2 <= tries {
                " and later ones never start"
            } else {
                ""
            };
            format!(
                "if {first}, the {} is cut off after {}{later}",
                ordinal(full + 1),
                text(rest)
            )
        } else {
            format!("if {first}, no time is left for the {}", ordinal(full + 1))
        };
        let inherited = |own: bool| if own { "" } else { " (from `defaults`)" };
        let mut options = Vec::new();
        if full >= 2 {
            options.push(format!("lower `attempts` to {}", full - 1));
        }
        let fitting = total / tries;
        let fitting = if fitting >= 1000 {
            fitting - fitting % 1000
        } else {
            fitting
        };
        if fitting > 0 {
            options.push(format!(
                "lower `{}` to {}",
                spell("perTryTimeout"),
                text(fitting)
            ));
        }
        options.push(format!("raise `timeout` to {need}"));
        let help = match options.as_slice() {
            [one] => one.clone(),
            [init @ .., last] => format!("{}, or {last}", init.join(", ")),
            [] => String::new(),
        };
        out.push(
            RULE.diag(format!(
                "`{}` → `{}`: {tries} tries of {p} need {need}, but the call times out after {t}; {consequence}",
                service_label(spec, caller),
                service_label(spec, callee),
            ))
            .at(
                call.service.span.clone(),
                format!("{tries} × {p} = {need}, over the {t} timeout"),
            )
            .related(
                per_try.span.clone(),
                format!("{p} per try{}", inherited(call.retries.is_some())),
            )
            .related(
                timeout.span.clone(),
                format!("{t} for the whole call{}", inherited(call.timeout.is_some())),
            )
            .help(help),
        );
    }
}

fn text(micros: u64) -> String {
    Duration::from_micros(micros).text
}

fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_english() {
        let words: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            words,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"
            ]
        );
    }
}
