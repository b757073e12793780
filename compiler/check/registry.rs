//! The one table of rules: `meshc rules`, `meshc explain`, SARIF and `check` read it.

use super::rule::Rule;
use super::rules::*;

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &syntax_error::RULE,
    &unknown_key::RULE,
    &missing_key::RULE,
    &invalid_value::RULE,
    &unknown_service::RULE,
    &unknown_cluster::RULE,
    &duplicate_name::RULE,
    &self_call::RULE,
    &missing_runs_in::RULE,
    &invalid_name::RULE,
    &invalid_port::RULE,
    &invalid_duration::RULE,
    &overlapping_pod_cidrs::RULE,
    &image_tag::RULE,
    &unresolved_host::RULE,
    &cross_network_call::RULE,
    &unknown_principal::RULE,
    &missing_firewall_rule::RULE,
    &retries_exceed_timeout::RULE,
    &retry_amplification::RULE,
    &timeout_budget_inversion::RULE,
    &call_cycle::RULE,
    &ejection_single_replica::RULE,
    &mtls_permissive::RULE,
    &unreachable_service::RULE,
    &weakened_security::RULE,
    &suppression_without_reason::RULE,
    &suppression_unused::RULE,
    &internal_error::RULE,
];

/// A rule by code (`M0101`) or name (`unknown-service`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| {
        r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_sorted() {
        for pair in RULES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        let mut names: Vec<_> = RULES.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), RULES.len());
    }

    #[test]
    fn every_rule_page_has_the_sections() {
        for r in RULES {
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
            ] {
                assert!(r.doc.contains(section), "{} lacks {section}", r.code);
            }
            assert!(!r.summary().is_empty());
            // The summary is one line of the doc comment: `meshc rules` shows it whole.
            let second = r.doc.lines().nth(1).unwrap_or("").trim();
            assert!(
                second.is_empty(),
                "{}: the summary wraps onto a second line",
                r.code
            );
        }
    }

    #[test]
    fn every_rule_file_is_registered() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/compiler/check/rules");
        let files = std::fs::read_dir(dir).unwrap().count() - 1; // mod.rs
        assert_eq!(
            files,
            RULES.len(),
            "a rule file is missing from RULES (or RULES from rules/)"
        );
    }
}
