//! The whole of `meshc lint` and `meshc build` in memory, on arbitrary bytes read as both
//! syntaxes: check, render the findings, and, when the spec has no errors, compile it. A spec
//! that checks clean but fails verification is a meshc bug, so that panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    meshc_fuzz::lint_and_build(data);
});
