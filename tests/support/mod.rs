//! Helpers shared by the golden-file tests (`ui.rs`, `formats.rs`, `robustness.rs`).

#![allow(dead_code)] // each test crate uses its own subset

use similar::TextDiff;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run from the crate root, so that spec paths, and the paths in rendered output, are relative
/// and the expected files are the same on every machine.
pub fn at_root() {
    if std::env::current_dir().ok().as_deref() != Some(root().as_path()) {
        std::env::set_current_dir(root()).expect("cd to the crate root");
    }
}

/// Whether expected files are to be rewritten (`UPDATE_GOLDEN=1`).
pub fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| !v.is_empty())
}

/// Compare `actual` with the file at `expected`, or rewrite the file under `UPDATE_GOLDEN`.
/// Returns a description of the mismatch, with a unified diff, if there is one.
pub fn compare(expected: &Path, actual: &str, test: &str) -> Option<String> {
    let current = std::fs::read_to_string(expected).ok();
    if current.as_deref() == Some(actual) {
        return None;
    }
    if updating() {
        std::fs::write(expected, actual).unwrap_or_else(|e| panic!("{}: {e}", expected.display()));
        return None;
    }
    Some(match current {
        None => format!(
            "{} is missing; `UPDATE_GOLDEN=1 cargo test --test {test}` writes it. It would hold:\n{actual}",
            expected.display()
        ),
        Some(current) => format!(
            "{} differs; `UPDATE_GOLDEN=1 cargo test --test {test}` accepts the new output:\n{}",
            expected.display(),
            TextDiff::from_lines(&current, actual)
                .unified_diff()
                .context_radius(3)
                .header(&expected.display().to_string(), "actual")
        ),
    })
}
