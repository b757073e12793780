use crate::check::Context;
use crate::check::rule::{Check, rule};
use crate::diagnostics::{Diagnostic, did_you_mean};

rule! {
    /// A call names a service the spec does not define, or one it cannot tell apart.
    ///
    /// ## What it does
    /// Resolves every `calls` target: a service of that name in the call's `namespace`, else in
    /// the caller's namespace, else the only service of that name. It reports a name with no
    /// service (with the closest name when there is one) and a name that several namespaces
    /// define when the call does not say which.
    ///
    /// ## Why is this bad?
    /// The caller's requests go to a host that nothing serves: in the cluster they fail with
    /// "host cannot be resolved" or a 503, and no policy, firewall rule or authorization can be
    /// derived for the call.
    ///
    /// ## Example
    /// ```kdl
    /// service "sample-caller" {
    ///     calls "sample-prodcuer"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// service "sample-caller" {
    ///     calls "sample-producer"
    /// }
    /// ```
    "M0101" "unknown-service" Error Check::Model(check)
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let spec = cx.spec;
    for caller in &spec.services {
        for call in &caller.calls {
            if spec.resolve_call(caller, call).is_some() {
                continue;
            }
            let name = &call.service;
            let namesakes: Vec<&str> = spec
                .services
                .iter()
                .filter(|s| s.name.value == name.value)
                .map(|s| s.namespace.value.as_str())
                .collect();
            let d = if namesakes.len() > 1 && call.namespace.is_none() {
                RULE.diag(format!(
                    "`{}` is defined in namespaces {}; the call does not say which",
                    name.value,
                    quoted(&namesakes)
                ))
                .at(name.span.clone(), "ambiguous")
                .help(format!(
                    "add `namespace` to the call, e.g. `{}`",
                    match spec.syntax {
                        crate::syntax::Syntax::Kdl => format!("namespace=\"{}\"", namesakes[0]),
                        crate::syntax::Syntax::Yaml => format!("namespace: {}", namesakes[0]),
                    }
                ))
            } else if let (Some(ns), false) = (&call.namespace, namesakes.is_empty()) {
                RULE.diag(format!(
                    "no service `{}` in namespace `{}`",
                    name.value, ns.value
                ))
                .at(ns.span.clone(), "not here")
                .help(format!("`{}` is in {}", name.value, quoted(&namesakes)))
            } else {
                let mut d = RULE
                    .diag(format!(
                        "`{}` calls `{}`, which is not a service of this mesh",
                        caller.name.value, name.value
                    ))
                    .at(name.span.clone(), "unknown service");
                let names = spec.services.iter().map(|s| s.name.value.as_str());
                match did_you_mean(&name.value, names) {
                    Some(near) => {
                        d = d.help(format!("did you mean `{near}`?")).fix(
                            format!("call `{near}`"),
                            vec![(name.span.clone(), spec_quote(spec.syntax, near))],
                        )
                    }
                    None => d = d.help("define the service, or remove the call"),
                }
                d
            };
            out.push(d);
        }
    }
}

pub(crate) fn spec_quote(syntax: crate::syntax::Syntax, text: &str) -> String {
    match syntax {
        crate::syntax::Syntax::Kdl => format!("\"{text}\""),
        crate::syntax::Syntax::Yaml => text.to_string(),
    }
}

/// `a`, `b`: names as a message lists them.
fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
