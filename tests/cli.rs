//! The real binary on temporary folders: exit codes, messages, and what `build` does to OUT.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn meshc(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run meshc")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A temporary folder holding a copy of the seed spec.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("mesh.kdl");
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed/mesh.kdl"),
        &spec,
    )
    .unwrap();
    (tmp, spec)
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn version_and_help() {
    let (tmp, _) = workspace();
    let v = meshc(&["--version"], tmp.path());
    assert!(v.status.success());
    assert!(text(&v.stdout).starts_with("meshc "));
    let h = meshc(&["--help"], tmp.path());
    assert!(text(&h.stdout).contains("meshc build examples/seed/mesh.kdl -o deploy/"));
}

#[test]
fn build_then_check_then_drift() {
    let (tmp, _) = workspace();
    let out = meshc(&["build", "mesh.kdl", "-o", "deploy"], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("wrote deploy (2 clusters, 21 files"));

    let check = meshc(
        &["build", "mesh.kdl", "-o", "deploy", "--check"],
        tmp.path(),
    );
    assert_eq!(check.status.code(), Some(0));
    assert!(text(&check.stderr).contains("deploy is up to date"));

    let vs = tmp
        .path()
        .join("deploy/cluster1/virtualservice.istio-apps.sample-producer.yaml");
    fs::write(
        &vs,
        fs::read_to_string(&vs)
            .unwrap()
            .replace("timeout: 5s", "timeout: 7s"),
    )
    .unwrap();
    let before = snapshot(&tmp.path().join("deploy"));
    let drift = meshc(
        &["build", "mesh.kdl", "-o", "deploy", "--check"],
        tmp.path(),
    );
    assert_eq!(drift.status.code(), Some(1));
    let diff = text(&drift.stdout);
    assert!(
        diff.contains("--- a/cluster1/virtualservice.istio-apps.sample-producer.yaml"),
        "{diff}"
    );
    assert!(
        diff.contains("-    timeout: 7s\n+    timeout: 5s"),
        "{diff}"
    );
    assert_eq!(
        before,
        snapshot(&tmp.path().join("deploy")),
        "--check writes nothing"
    );

    // A rebuild puts it right, writing only the changed file.
    let again = meshc(&["build", "mesh.kdl", "-o", "deploy"], tmp.path());
    assert!(
        text(&again.stderr).contains("1 written, 20 unchanged, 0 removed"),
        "{}",
        text(&again.stderr)
    );
}

#[test]
fn a_rebuild_removes_what_the_spec_no_longer_asks_for() {
    let (tmp, spec) = workspace();
    assert!(
        meshc(&["build", "mesh.kdl", "-o", "deploy"], tmp.path())
            .status
            .success()
    );
    let src = fs::read_to_string(&spec).unwrap();
    fs::write(
        &spec,
        src.replace(
            "    calls \"sample-producer\" timeout=\"5s\" retries=0\n",
            "",
        ),
    )
    .unwrap();
    let out = meshc(&["build", "mesh.kdl", "-o", "deploy"], tmp.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !tmp.path()
            .join("deploy/cluster1/service.istio-apps.sample-producer.yaml")
            .exists()
    );
    let firewall = fs::read_to_string(tmp.path().join("deploy/firewall/firewall.tf.json")).unwrap();
    assert!(!firewall.contains("cluster1-to-cluster2"), "{firewall}");
}

#[test]
fn a_failed_build_leaves_out_as_it_was() {
    let (tmp, spec) = workspace();
    assert!(
        meshc(&["build", "mesh.kdl", "-o", "deploy"], tmp.path())
            .status
            .success()
    );
    let before = snapshot(&tmp.path().join("deploy"));
    let src = fs::read_to_string(&spec).unwrap();
    fs::write(
        &spec,
        src.replace("calls \"sample-producer\"", "calls \"sample-prodcuer\""),
    )
    .unwrap();
    let out = meshc(&["build", "mesh.kdl", "-o", "deploy"], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("M0101 unknown-service"), "{err}");
    assert!(err.contains("did you mean `sample-producer`?"), "{err}");
    assert!(err.contains("mesh.kdl:"), "{err}");
    assert_eq!(before, snapshot(&tmp.path().join("deploy")));
    // No temporary folder is left beside OUT.
    let leftovers: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("meshc-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn foreign_files_are_refused_unless_forced_and_then_kept() {
    let (tmp, _) = workspace();
    fs::create_dir_all(tmp.path().join("deploy")).unwrap();
    fs::write(tmp.path().join("deploy/notes.txt"), "mine").unwrap();
    let out = meshc(&["build", "mesh.kdl", "-o", "deploy"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("holds files meshc did not write (notes.txt)"));
    assert!(!tmp.path().join("deploy/cluster1").exists());

    let forced = meshc(
        &["build", "mesh.kdl", "-o", "deploy", "--force"],
        tmp.path(),
    );
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    assert_eq!(
        fs::read_to_string(tmp.path().join("deploy/notes.txt")).unwrap(),
        "mine"
    );
    assert!(
        tmp.path()
            .join("deploy/cluster1/kustomization.yaml")
            .exists()
    );
    // The kept file is still not meshc's: a later build without --force refuses again.
    let again = meshc(&["build", "mesh.kdl", "-o", "deploy"], tmp.path());
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn could_not_run_exits_2() {
    let (tmp, _) = workspace();
    for args in [
        vec!["lint", "missing.kdl"],
        vec!["lint", "mesh.txt"],
        vec!["explain", "M9999"],
        vec!["lint", "mesh.kdl", "--format", "xml"],
        vec!["verify", "nowhere"],
    ] {
        let out = meshc(&args, tmp.path());
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn lint_exit_codes_and_formats() {
    let (tmp, spec) = workspace();
    let clean = meshc(&["lint", "mesh.kdl"], tmp.path());
    assert_eq!(clean.status.code(), Some(0));
    assert!(text(&clean.stderr).contains("no problems found"));

    let json = meshc(&["lint", "mesh.kdl", "--format", "json"], tmp.path());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["summary"]["errors"], 0);

    fs::write(
        &spec,
        fs::read_to_string(&spec)
            .unwrap()
            .replace("runs-in \"cluster2\"", "runs-in \"cluster3\""),
    )
    .unwrap();
    let bad = meshc(&["lint", "mesh.kdl", "--format", "json"], tmp.path());
    assert_eq!(bad.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "M0102");
    assert_eq!(d["file"], "mesh.kdl");
    assert_eq!(d["line"], 25);
    assert_eq!(d["column"], 13);

    let sarif = meshc(&["lint", "mesh.kdl", "--format", "sarif"], tmp.path());
    let v: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "M0102");
}

#[test]
fn schema_rules_explain() {
    let (tmp, _) = workspace();
    let schema = meshc(&["schema"], tmp.path());
    let v: serde_json::Value = serde_json::from_slice(&schema.stdout).unwrap();
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let rules = text(&meshc(&["rules"], tmp.path()).stdout);
    assert!(rules.contains("M0301  unresolved-host"));
    let page = text(&meshc(&["explain", "unresolved-host"], tmp.path()).stdout);
    assert!(page.starts_with("# M0301 unresolved-host (error)"));
    assert!(page.contains("## Why is this bad?"));
}

#[test]
fn verify_on_the_golden_seed() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/seed");
    let out = meshc(
        &["verify", golden.to_str().unwrap()],
        Path::new(env!("CARGO_MANIFEST_DIR")),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}
