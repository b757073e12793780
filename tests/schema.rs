//! The JSON Schema of the spec: it accepts every example, rejects wrong specs, and stays in
//! step with the model (every key the lowering reads is in the schema, and every schema key is
//! read).

use meshc::spec::schema::SCHEMA;
use meshc::syntax::{self, Syntax};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    jsonschema::draft202012::new(&schema).expect("a valid 2020-12 schema")
}

fn json_of(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let syntax = syntax::syntax_for(&path.display().to_string()).unwrap();
    let source = meshc::diagnostics::Source::new(path.display().to_string(), text);
    syntax::parse(&source, syntax).unwrap().root.to_json()
}

fn example_specs() -> Vec<std::path::PathBuf> {
    let mut specs = Vec::new();
    for dir in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            if syntax::syntax_for(&p.display().to_string()).is_some() {
                specs.push(p);
            }
        }
    }
    specs.sort();
    specs
}

#[test]
fn the_committed_schema_is_the_shipped_one() {
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/meshc.schema.json"),
    )
    .unwrap();
    assert_eq!(committed, SCHEMA);
    let v: Value = serde_json::from_str(SCHEMA).unwrap();
    assert_eq!(v["$schema"], "https://json-schema.org/draft/2020-12/schema");
}

#[test]
fn accepts_every_example_in_both_syntaxes() {
    let v = validator();
    let specs = example_specs();
    assert!(specs.len() >= 5);
    for spec in specs {
        let json = json_of(&spec);
        let errors: Vec<String> = v
            .iter_errors(&json)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", spec.display());
    }
}

/// A change that makes a valid spec wrong.
type Mutation = Box<dyn Fn(&mut Value)>;

#[test]
fn rejects_wrong_specs() {
    let v = validator();
    let seed = json_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed/mesh.yaml"));
    let mutations: Vec<(&str, Mutation)> = vec![
        (
            "unknown key",
            Box::new(|s| s["services"][0]["circuitBraker"] = Value::Bool(true)),
        ),
        (
            "missing image",
            Box::new(|s| {
                s["services"][0].as_object_mut().unwrap().remove("image");
            }),
        ),
        (
            "mtls word",
            Box::new(|s| s["mesh"]["mtls"] = "strikt".into()),
        ),
        (
            "port range",
            Box::new(|s| s["services"][0]["ports"][0]["port"] = 70000.into()),
        ),
        (
            "port type",
            Box::new(|s| s["services"][0]["ports"][0]["port"] = "8080".into()),
        ),
        (
            "no clusters",
            Box::new(|s| s["clusters"] = Value::Array(vec![])),
        ),
        (
            "bad name",
            Box::new(|s| s["services"][0]["name"] = "Sample_Producer".into()),
        ),
        (
            "bad duration",
            Box::new(|s| s["defaults"]["timeout"] = "5".into()),
        ),
        (
            "ejection percent",
            Box::new(|s| s["services"][0]["circuitBreaker"]["maxEjectionPercent"] = 150.into()),
        ),
        (
            "retries form",
            Box::new(|s| s["defaults"]["retries"] = serde_json::json!({"perTryTimeout": "1s"})),
        ),
        (
            "no mesh",
            Box::new(|s| {
                s.as_object_mut().unwrap().remove("mesh");
            }),
        ),
    ];
    for (what, mutate) in mutations {
        let mut spec = seed.clone();
        mutate(&mut spec);
        assert!(!v.is_valid(&spec), "the schema accepts a spec with: {what}");
    }
}

/// Every property name the schema defines, anywhere.
fn schema_keys() -> BTreeSet<String> {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Object(props)) = m.get("properties") {
                    out.extend(props.keys().cloned());
                }
                m.values().for_each(|c| walk(c, out));
            }
            Value::Array(a) => a.iter().for_each(|c| walk(c, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(&serde_json::from_str(SCHEMA).unwrap(), &mut out);
    out
}

/// Every key the lowering reads: the string literal in `get("key")` and in the readers
/// `self.string(node, "key")`, `uint`, `boolean`, `word`, `name`, `duration`.
fn lowered_keys() -> BTreeSet<String> {
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("compiler/spec/lower.rs"),
    )
    .unwrap();
    let mut out = BTreeSet::new();
    for (i, _) in src.match_indices('"') {
        let before = &src[..i];
        // `x.get("key")`, or `.reader(node, "key")` (rustfmt may break the line before the `.`).
        let reads = before.rsplit_once('.').is_some_and(|(_, call)| {
            call == "get("
                || [
                    "string(",
                    "uint(",
                    "boolean(",
                    "word(",
                    "name(",
                    "duration(",
                ]
                .iter()
                .any(|f| {
                    call.strip_prefix(f)
                        .and_then(|arg| arg.strip_suffix(", "))
                        .is_some_and(|arg| arg.chars().all(|c| c.is_alphanumeric() || c == '_'))
                })
        });
        if !reads {
            continue;
        }
        let rest = &src[i + 1..];
        if let Some(end) = rest.find('"') {
            out.insert(rest[..end].to_string());
        }
    }
    out
}

#[test]
fn schema_and_model_are_in_step() {
    let schema = schema_keys();
    let lowered = lowered_keys();
    assert!(
        lowered.len() > 30,
        "the scan found the lowering's keys: {lowered:?}"
    );
    let unread: Vec<_> = schema.difference(&lowered).collect();
    let undocumented: Vec<_> = lowered.difference(&schema).collect();
    assert!(
        unread.is_empty(),
        "schema keys the lowering never reads: {unread:?}"
    );
    assert!(
        undocumented.is_empty(),
        "keys the lowering reads that the schema lacks: {undocumented:?}"
    );
}

#[test]
fn the_yaml_shape_of_kdl_only_uses_schema_keys() {
    // The KDL front-end maps onto the YAML shape: its output for every example is schema-valid
    // (checked above), and the syntax never changes the tree.
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed");
    assert_eq!(
        json_of(&seed.join("mesh.kdl")),
        json_of(&seed.join("mesh.yaml"))
    );
    let _ = Syntax::Kdl;
}
