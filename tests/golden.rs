//! Every example builds, from KDL and YAML alike, to exactly its committed golden tree.
//! `UPDATE_GOLDEN=1 cargo test --test golden` rewrites the trees.

use meshc::driver::{self, Input};
use meshc::emit::Files;
use meshc::output;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn build(spec: &Path) -> Files {
    let rel = spec.strip_prefix(root()).unwrap_or(spec);
    let input = match Input::read(&root().join(rel)) {
        Ok(Ok(input)) => input,
        _ => panic!("cannot read {}", rel.display()),
    };
    let checked = driver::check(&input);
    assert!(
        !checked.has_errors(),
        "{} has errors: {:#?}",
        rel.display(),
        checked.diagnostics
    );
    let spec = checked.spec.expect("a checked spec has a model");
    driver::compile(&spec)
        .unwrap_or_else(|d| panic!("{} failed verification: {d:#?}", rel.display()))
}

fn examples() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 2, "the seed and at least one larger example");
    dirs
}

#[test]
fn examples_build_to_their_golden_trees() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for dir in examples() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let kdl = build(&dir.join("mesh.kdl"));
        let golden = root().join("golden").join(&name);
        if dir.join("mesh.yaml").exists() {
            let yaml = build(&dir.join("mesh.yaml"));
            assert!(
                kdl == yaml,
                "{name}: mesh.kdl and mesh.yaml build different trees"
            );
        }
        if update {
            output::write(&golden, &kdl, false).expect("write golden");
            continue;
        }
        match output::diff(&golden, &kdl).expect("read golden") {
            None => {}
            Some(diff) => failures.push(format!(
                "golden/{name} differs (UPDATE_GOLDEN=1 to accept):\n{diff}"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn builds_are_deterministic() {
    for dir in examples() {
        let a = build(&dir.join("mesh.kdl"));
        let b = build(&dir.join("mesh.kdl"));
        assert_eq!(a, b, "{}", dir.display());
    }
}

#[test]
fn golden_trees_pass_the_verifier_from_disk() {
    for dir in examples() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let diags =
            meshc::verify::verify_dir(&root().join("golden").join(&name)).expect("readable");
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert!(messages.is_empty(), "golden/{name}: {messages:#?}");
    }
}
