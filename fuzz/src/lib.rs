//! What the fuzz targets share: the invariants they check on every input.

use meshc::diagnostics::{self, Diagnostic};
use meshc::driver::{self, Input};
use meshc::syntax::{Node, Syntax, Value};

/// Every span in a syntax tree lies inside the text and on character boundaries: later phases
/// and the renderers slice the source with them.
pub fn check_tree_spans(root: &Node, text: &str) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        check_span(&node.span, text, "node");
        match &node.value {
            Value::List(items) => stack.extend(items),
            Value::Map(entries) => {
                for e in entries {
                    check_span(&e.key_span, text, "key");
                    stack.push(&e.value);
                }
            }
            _ => {}
        }
    }
}

/// Every label of every diagnostic slices the text it points into.
pub fn check_diagnostic_spans(diagnostics: &[Diagnostic], text: &str) {
    for d in diagnostics {
        let text = d.source.as_ref().map_or(text, |s| s.text.as_str());
        for label in d.primary.iter().chain(&d.related) {
            check_span(&label.span, text, &d.message);
        }
    }
}

fn check_span(span: &std::ops::Range<usize>, text: &str, what: &str) {
    assert!(
        span.start <= span.end && text.get(span.clone()).is_some(),
        "span {span:?} does not slice the text ({} bytes): {what}",
        text.len()
    );
}

/// Lint the bytes as KDL and as YAML, render what is found in every format, and build what
/// checks without errors.
pub fn lint_and_build(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for syntax in [Syntax::Kdl, Syntax::Yaml] {
        let input = Input::new("fuzz", &text, syntax);
        let checked = driver::check(&input);
        check_diagnostic_spans(&checked.diagnostics, &text);
        let _ = diagnostics::human::render(&checked.diagnostics, false);
        let _ = diagnostics::json::render(&checked.diagnostics);
        let _ = diagnostics::sarif::render(&checked.diagnostics);
        if checked.has_errors() {
            continue;
        }
        let Some(spec) = checked.spec else {
            panic!("a spec without errors has no model: {syntax:?}\n{text}");
        };
        if let Err(problems) = driver::compile(&spec) {
            let messages: Vec<&str> = problems.iter().map(|d| d.message.as_str()).collect();
            panic!("a spec without errors failed verification ({syntax:?}): {messages:#?}\n{text}");
        }
    }
}
