//! The machine formats: `meshc lint --format json|sarif` on a spec with findings of every
//! severity, compared with committed goldens (`tests/formats/{kdl,yaml}.{json,sarif}`), and
//! checked for the structure their consumers rely on.
//!
//! `UPDATE_GOLDEN=1 cargo test --test formats` rewrites the goldens.

use meshc::check::registry::RULES;
use meshc::commands::{self, Format, LintOptions, Outcome, Render};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::{at_root, compare};

mod support;

const SPECS: &[(&str, &str)] = &[
    ("kdl", "tests/formats/mesh.kdl"),
    ("yaml", "tests/formats/mesh.yaml"),
];

fn lint(spec: &str, format: Format) -> Outcome {
    at_root();
    commands::lint(&LintOptions {
        spec: PathBuf::from(spec),
        render: Render {
            format,
            color: false,
        },
        deny_warnings: false,
    })
}

fn parse(outcome: &Outcome) -> Value {
    serde_json::from_str(&outcome.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", outcome.stdout))
}

#[test]
fn json_and_sarif_match_their_goldens() {
    let mut failures = Vec::new();
    for (syntax, spec) in SPECS {
        for (format, ext) in [(Format::Json, "json"), (Format::Sarif, "sarif")] {
            let out = lint(spec, format);
            assert_eq!(out.status, 1, "{spec} has an error: {}", out.stderr);
            assert!(
                out.stderr.is_empty(),
                "machine formats print to stdout only"
            );
            let expected = Path::new("tests/formats").join(format!("{syntax}.{ext}"));
            failures.extend(compare(&expected, &out.stdout, "formats"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The fixture's findings, which both goldens must carry, in both syntaxes.
const EXPECTED_CODES: &[&str] = &["M0101", "M0205", "M0401", "M0501", "M0502"];

#[test]
fn json_has_the_documented_fields() {
    for (_, spec) in SPECS {
        let v = parse(&lint(spec, Format::Json));
        assert_eq!(v["version"], 1);
        let diagnostics = v["diagnostics"].as_array().expect("diagnostics");
        let codes: BTreeSet<&str> = diagnostics
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert_eq!(codes, EXPECTED_CODES.iter().copied().collect(), "{spec}");
        for d in diagnostics {
            for key in [
                "code",
                "name",
                "severity",
                "message",
                "file",
                "line",
                "column",
                "end_line",
                "end_column",
                "help",
            ] {
                assert!(
                    d.get(key).is_some(),
                    "{spec}: a diagnostic lacks `{key}`: {d}"
                );
            }
            let rule = RULES
                .iter()
                .find(|r| r.code == d["code"])
                .unwrap_or_else(|| panic!("unregistered code in {d}"));
            assert_eq!(d["name"], rule.name);
            assert!(
                ["error", "warning", "info"].contains(&d["severity"].as_str().unwrap_or("")),
                "{d}"
            );
            assert_eq!(d["file"], *spec, "paths stay as given: relative");
            let at = |k: &str| d[k].as_u64().unwrap_or(0);
            assert!(at("line") >= 1 && at("column") >= 1, "{d}");
            assert!(
                (at("end_line"), at("end_column")) >= (at("line"), at("column")),
                "{d}"
            );
            assert!(
                d["help"].is_string(),
                "every finding here has a help line: {d}"
            );
            for r in d["related"].as_array().into_iter().flatten() {
                assert!(
                    r["message"].is_string() && r["region"]["line"].as_u64() >= Some(1),
                    "{r}"
                );
            }
        }
        let count = |s: &str| diagnostics.iter().filter(|d| d["severity"] == s).count();
        assert_eq!(v["summary"]["errors"], count("error"));
        assert_eq!(v["summary"]["warnings"], count("warning"));
        assert_eq!(v["summary"]["infos"], count("info"));
        assert!(count("error") > 0 && count("warning") > 0 && count("info") > 0);
    }
}

#[test]
fn sarif_is_2_1_0_and_self_consistent() {
    for (_, spec) in SPECS {
        let v = parse(&lint(spec, Format::Sarif));
        assert_eq!(v["version"], "2.1.0");
        assert!(
            v["$schema"]
                .as_str()
                .is_some_and(|s| s.contains("sarif-2.1.0"))
        );
        let run = &v["runs"][0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "meshc");
        let rules = driver["rules"].as_array().expect("tool.driver.rules");
        let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
        assert_eq!(ids, RULES.iter().map(|r| r.code).collect::<Vec<_>>());
        for r in rules {
            assert!(
                r["shortDescription"]["text"]
                    .as_str()
                    .is_some_and(|t| !t.is_empty()),
                "{r}"
            );
            assert!(
                ["error", "warning", "note"]
                    .contains(&r["defaultConfiguration"]["level"].as_str().unwrap_or("")),
                "{r}"
            );
        }
        let results = run["results"].as_array().expect("results");
        let codes: BTreeSet<&str> = results
            .iter()
            .filter_map(|r| r["ruleId"].as_str())
            .collect();
        assert_eq!(codes, EXPECTED_CODES.iter().copied().collect(), "{spec}");
        for result in results {
            let id = result["ruleId"].as_str().unwrap_or("");
            let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert!(ids.contains(&id), "{id} is not in tool.driver.rules");
            assert_eq!(ids.get(index), Some(&id), "ruleIndex points at its rule");
            assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap_or("")));
            assert!(
                result["message"]["text"]
                    .as_str()
                    .is_some_and(|t| !t.is_empty())
            );
            let locations = result["locations"].as_array().expect("locations");
            assert_eq!(locations.len(), 1);
            let related = result["relatedLocations"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for loc in locations.iter().chain(&related) {
                let physical = &loc["physicalLocation"];
                assert_eq!(physical["artifactLocation"]["uri"], *spec);
                let region = &physical["region"];
                for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                    assert!(region[key].as_u64() >= Some(1), "{key} in {region}");
                }
            }
            for (i, loc) in related.iter().enumerate() {
                assert_eq!(loc["id"], i, "related locations are numbered");
                assert!(loc["message"]["text"].is_string());
            }
            for fix in result["fixes"].as_array().into_iter().flatten() {
                let change = &fix["artifactChanges"][0];
                assert_eq!(change["artifactLocation"]["uri"], *spec);
                let replacement = &change["replacements"][0];
                assert!(replacement["deletedRegion"]["startLine"].as_u64() >= Some(1));
                assert!(replacement["insertedContent"]["text"].is_string());
            }
        }
    }
}

#[test]
fn the_formats_agree_on_the_findings() {
    // Human, JSON and SARIF show the same findings, at the same places, in the same order.
    for (_, spec) in SPECS {
        let json = parse(&lint(spec, Format::Json));
        let sarif = parse(&lint(spec, Format::Sarif));
        let human = lint(spec, Format::Human).stderr;
        let from_json: Vec<(String, u64, u64)> = json["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| {
                (
                    d["code"].as_str().unwrap_or("").to_string(),
                    d["line"].as_u64().unwrap_or(0),
                    d["column"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        let from_sarif: Vec<(String, u64, u64)> = sarif["runs"][0]["results"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let region = &r["locations"][0]["physicalLocation"]["region"];
                (
                    r["ruleId"].as_str().unwrap_or("").to_string(),
                    region["startLine"].as_u64().unwrap_or(0),
                    region["startColumn"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        assert_eq!(from_json, from_sarif, "{spec}");
        for (code, _, _) in &from_json {
            assert!(
                human.contains(code.as_str()),
                "{spec}: human output lacks {code}"
            );
        }
    }
    // And the two syntaxes report the same codes in the same order.
    let order = |spec: &str| -> Vec<String> {
        parse(&lint(spec, Format::Json))["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["code"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(order(SPECS[0].1), order(SPECS[1].1));
}
