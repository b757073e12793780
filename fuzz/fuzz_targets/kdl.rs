//! The KDL front-end on arbitrary text: it must answer with a tree or diagnostics, never
//! panic, overflow the stack or hang, and every span it hands on must slice the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meshc_fuzz::{check_diagnostic_spans, check_tree_spans};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match meshc::syntax::kdl::parse(text) {
        Ok(root) => check_tree_spans(&root, text),
        Err(diagnostics) => check_diagnostic_spans(&diagnostics, text),
    }
});
