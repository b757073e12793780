//! The YAML front-end on arbitrary text (every document of the stream, as `meshc verify`
//! reads manifests): a tree or a diagnostic, never a panic, stack overflow or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use meshc_fuzz::{check_diagnostic_spans, check_tree_spans};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match meshc::syntax::yaml::parse_all(text) {
        Ok(docs) => docs.iter().for_each(|root| check_tree_spans(root, text)),
        Err(diagnostics) => check_diagnostic_spans(&diagnostics, text),
    }
});
