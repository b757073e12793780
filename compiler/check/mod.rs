//! Check: the spec model → diagnostics.
//!
//! Every rule is one file under `rules/`, with its code, its documentation (its doc comment)
//! and its check; [`registry::RULES`] lists them. [`check`] runs the model rules, then applies
//! the spec's suppressions (`allow`).

pub mod graph;
pub mod registry;
pub mod rule;
pub mod rules;
pub mod suppress;

use crate::diagnostics::Diagnostic;
use crate::spec::Spec;
pub use graph::CallGraph;

/// What a rule sees: the model and the call graph built from it once.
pub struct Context<'a> {
    pub spec: &'a Spec,
    pub graph: CallGraph,
}

/// Run every model rule over the spec, then apply suppressions.
pub fn check(spec: &Spec) -> Vec<Diagnostic> {
    let cx = Context {
        spec,
        graph: CallGraph::new(spec),
    };
    let mut out = Vec::new();
    for rule in registry::RULES {
        if let rule::Check::Model(check) = rule.check {
            check(&cx, &mut out);
        }
    }
    let mut out = suppress::apply(spec, out);
    for d in &mut out {
        if d.source.is_none() {
            d.source = Some(std::sync::Arc::clone(&spec.source));
        }
    }
    out
}
