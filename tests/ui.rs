//! UI tests: every rule's diagnostics, as a user sees them.
//!
//! Each folder under `tests/ui/` that holds a `mesh.kdl` or `mesh.yaml` is a fixture. The
//! first folder below `tests/ui/` names the rule the fixture is for (`tests/ui/M0101/` and
//! `tests/ui/M0101/ambiguous/` are both M0101's). Each spec is linted with the human renderer
//! without colour, with its path relative to the crate root so that the output is the same on
//! every machine, and compared with the committed `kdl.stderr` / `yaml.stderr` beside it: the
//! exit status on the first line, then what `meshc lint` prints to stderr.
//!
//! `UPDATE_GOLDEN=1 cargo test --test ui` rewrites the expected files.

use meshc::check::registry::RULES;
use meshc::commands::{self, Format, LintOptions, Outcome, Render};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use support::{at_root, compare};

mod support;

/// Codes only the verifier reports, from emitted manifests rather than from a spec: no spec
/// produces them, so they have no fixture here. tests/verify.rs covers M0303 and M0304; M9001
/// is a bug in meshc by definition.
const VERIFIER_ONLY: &[&str] = &["M0303", "M0304", "M9001"];

/// The spec files a fixture folder may hold, and the expected file of each.
const SPECS: &[(&str, &str)] = &[("mesh.kdl", "kdl.stderr"), ("mesh.yaml", "yaml.stderr")];

/// Every fixture folder, relative to the crate root, sorted.
fn fixtures() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        if SPECS.iter().any(|(spec, _)| dir.join(spec).is_file()) {
            out.push(dir.to_path_buf());
        }
        for e in entries {
            if e.is_dir() {
                walk(&e, out);
            }
        }
    }
    at_root();
    let mut out = Vec::new();
    walk(Path::new("tests/ui"), &mut out);
    out
}

/// The rule a fixture is for: the folder right below `tests/ui/`.
fn code_of(fixture: &Path) -> String {
    fixture
        .strip_prefix("tests/ui")
        .ok()
        .and_then(|p| p.components().next())
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn lint(spec: &Path, format: Format) -> Outcome {
    commands::lint(&LintOptions {
        spec: spec.to_path_buf(),
        render: Render {
            format,
            color: false,
        },
        deny_warnings: false,
    })
}

/// What the expected file holds: the exit status, then stderr (and stdout, should there be any).
fn rendered(outcome: &Outcome) -> String {
    let mut text = format!("status: {}\n{}", outcome.status, outcome.stderr);
    if !outcome.stdout.is_empty() {
        text.push_str("--- stdout ---\n");
        text.push_str(&outcome.stdout);
    }
    text
}

/// The codes a spec's diagnostics carry, from the JSON rendering.
fn codes(spec: &Path) -> BTreeSet<String> {
    let out = lint(spec, Format::Json);
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: JSON output does not parse: {e}", spec.display()));
    v["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn fixtures_match_their_expected_output() {
    let fixtures = fixtures();
    assert!(!fixtures.is_empty(), "no fixtures under tests/ui");
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let code = code_of(fixture);
        for (spec, expected) in SPECS {
            let spec = fixture.join(spec);
            let expected = fixture.join(expected);
            if !spec.is_file() {
                if expected.exists() {
                    failures.push(format!(
                        "{} has no spec {}: remove it",
                        expected.display(),
                        spec.display()
                    ));
                }
                continue;
            }
            let outcome = lint(&spec, Format::Human);
            if outcome.status > 1 {
                failures.push(format!(
                    "{}: meshc could not run (status {}): {}",
                    spec.display(),
                    outcome.status,
                    outcome.stderr
                ));
            }
            // A fixture that stops producing its code no longer tests its rule.
            let found = codes(&spec);
            if !found.contains(&code) {
                failures.push(format!(
                    "{} is {code}'s fixture but does not report {code} (it reports {found:?})",
                    spec.display()
                ));
            }
            if let Some(mismatch) = compare(&expected, &rendered(&outcome), "ui") {
                failures.push(mismatch);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} UI failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_rule_has_a_fixture() {
    let fixtures = fixtures();
    let covered: BTreeSet<String> = fixtures.iter().map(|f| code_of(f)).collect();
    let missing: Vec<&str> = RULES
        .iter()
        .map(|r| r.code)
        .filter(|c| !VERIFIER_ONLY.contains(c) && !covered.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a fixture under tests/ui/: {missing:?}"
    );
    // The exemption stays honest: a verifier-only code that gains a fixture leaves the list.
    for code in VERIFIER_ONLY {
        assert!(
            RULES.iter().any(|r| r.code == *code),
            "{code} is exempt but not a rule"
        );
        assert!(
            !covered.contains(*code),
            "{code} has a fixture: take it off VERIFIER_ONLY"
        );
    }
}

#[test]
fn fixture_folders_name_rules_and_hold_specs() {
    at_root();
    for entry in fs::read_dir("tests/ui")
        .expect("tests/ui")
        .filter_map(Result::ok)
    {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            path.is_dir(),
            "{}: only rule folders belong here",
            path.display()
        );
        assert!(
            RULES.iter().any(|r| r.code == name),
            "tests/ui/{name} is not a rule code"
        );
    }
    // Every folder below tests/ui is a fixture or holds fixtures: no stray, empty cases.
    let fixtures = fixtures();
    for f in &fixtures {
        for e in fs::read_dir(f).unwrap().filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            let known = e.path().is_dir()
                || SPECS
                    .iter()
                    .any(|(spec, expected)| name == *spec || name == *expected);
            assert!(
                known,
                "{}: unexpected file in a fixture",
                e.path().display()
            );
        }
    }
}

#[test]
fn every_fixture_has_both_syntaxes() {
    // Both front-ends must give the same diagnostics with spans: each case is written twice.
    for f in fixtures() {
        for (spec, _) in SPECS {
            assert!(f.join(spec).is_file(), "{} lacks {spec}", f.display());
        }
    }
}
