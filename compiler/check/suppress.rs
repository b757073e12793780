//! Suppressions: `allow "M0401" reason="…"` on a node silences that code on findings whose
//! primary span lies inside the node. A suppression without a reason, or one that silences
//! nothing, is itself reported.

use super::registry;
use super::rules::{suppression_unused, suppression_without_reason};
use crate::diagnostics::{Diagnostic, Severity};
use crate::spec::{Allow, Spec};

pub fn apply(spec: &Spec, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    // Each suppression with the span of the node it is scoped to.
    let mut scopes: Vec<(&Allow, std::ops::Range<usize>)> = Vec::new();
    scopes.extend(spec.mesh.allow.iter().map(|a| (a, spec.mesh.span.clone())));
    for c in &spec.clusters {
        scopes.extend(c.allow.iter().map(|a| (a, c.span.clone())));
    }
    for s in &spec.services {
        scopes.extend(s.allow.iter().map(|a| (a, s.span.clone())));
        for call in &s.calls {
            scopes.extend(call.allow.iter().map(|a| (a, call.span.clone())));
        }
    }
    let mut used = vec![false; scopes.len()];
    let mut out: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| {
            // Errors make the output wrong: they cannot be suppressed.
            if d.severity == Severity::Error {
                return true;
            }
            let Some(primary) = &d.primary else {
                return true;
            };
            let hit = scopes.iter().position(|(a, scope)| {
                (a.code.value == d.code || a.code.value == d.name)
                    && scope.start <= primary.span.start
                    && primary.span.end <= scope.end
            });
            if let Some(i) = hit {
                used[i] = true;
            }
            hit.is_none()
        })
        .collect();
    for ((allow, _), used) in scopes.iter().zip(used) {
        if allow
            .reason
            .as_ref()
            .is_none_or(|r| r.value.trim().is_empty())
        {
            out.push(
                suppression_without_reason::RULE
                    .diag(format!(
                        "suppression of `{}` gives no reason",
                        allow.code.value
                    ))
                    .at(allow.span.clone(), "no reason")
                    .help("say why the finding does not apply: `reason=\"…\"`"),
            );
        }
        if !used {
            let code = &allow.code.value;
            // An allow naming an error did not go stale: it never could have worked.
            let (message, label, help) = match registry::find(code) {
                Some(rule) if rule.severity == Severity::Error => (
                    format!(
                        "`{code}` ({}) is an error, and errors cannot be suppressed",
                        rule.name
                    ),
                    "cannot be suppressed",
                    "an error makes the output wrong: fix it, and remove the suppression",
                ),
                _ => (
                    format!("`{code}` is suppressed here but nothing reports it"),
                    "suppresses nothing",
                    "remove the suppression",
                ),
            };
            out.push(
                suppression_unused::RULE
                    .diag(message)
                    .at(allow.code.span.clone(), label)
                    .help(help)
                    .fix(
                        "remove the suppression",
                        vec![(allow.span.clone(), String::new())],
                    ),
            );
        }
    }
    out
}
