//! The JSON Schema of the spec (`schema/meshc.schema.json`), applied to the syntax tree of
//! either syntax, its errors turned into diagnostics with spans.
//!
//! The schema checks shape: keys, types, allowed words, ranges. Names and durations have
//! patterns in the schema for editors, but meshc reports them from `lower` with a precise
//! reason and a fix, so pattern errors are left to it here.

use crate::check::rules::{invalid_port, invalid_value, missing_key, unknown_key};
use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::syntax::{Document, Node, Syntax};
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;
use std::sync::OnceLock;

/// The schema, as shipped in the binary.
pub const SCHEMA: &str = include_str!("../../schema/meshc.schema.json");

fn schema() -> &'static (Value, jsonschema::Validator) {
    static SCHEMA_VALIDATOR: OnceLock<(Value, jsonschema::Validator)> = OnceLock::new();
    SCHEMA_VALIDATOR.get_or_init(|| {
        // The schema is part of the binary and covered by tests: failing here is a build bug.
        let value: Value = serde_json::from_str(SCHEMA).expect("the shipped schema is JSON");
        let validator = jsonschema::draft202012::new(&value).expect("the shipped schema is valid");
        (value, validator)
    })
}

/// Validate a syntax tree against the schema.
pub fn validate(doc: &Document) -> Vec<Diagnostic> {
    let (schema, validator) = schema();
    let json = doc.root.to_json();
    let mut out = Vec::new();
    for error in validator.iter_errors(&json) {
        let path = error.instance_path().to_string();
        if let Some(d) = diagnostic(doc, schema, &path, error.kind(), error.instance()) {
            out.push(d);
        }
    }
    out
}

fn diagnostic(
    doc: &Document,
    schema: &Value,
    path: &str,
    kind: &ValidationErrorKind,
    instance: &Value,
) -> Option<Diagnostic> {
    let root = &doc.root;
    let node_span = root.pointer(path, false).unwrap_or(0..0);
    let spell = |k: &str| doc.syntax.spell(k);
    let context = context(path);
    Some(match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let key = unexpected.first()?;
            let span = root.pointer(&format!("{path}/{key}"), true).unwrap_or(node_span);
            let known = known_keys(schema, &context);
            let spelled: Vec<String> = known.iter().map(|k| spell(k)).collect();
            let written = spell(key);
            let mut d = unknown_key::RULE
                .diag(format!("unknown key `{written}` in {}", describe(&context)))
                .at(span.clone(), "not a key here");
            match did_you_mean(&written, spelled.iter().map(String::as_str)) {
                Some(near) => {
                    d = d
                        .help(format!("did you mean `{near}`?"))
                        .fix(format!("rename to `{near}`"), vec![(span, near.to_string())]);
                }
                None => {
                    d = d.help(format!("known keys here: {}", list(&spelled)));
                }
            }
            d
        }
        ValidationErrorKind::Required { property } => {
            let key = spell(property.as_str()?);
            // Point at the node's name when it has one, not at its whole body.
            let node = root.pointer(path, false);
            let span = match root.at(path).and_then(|n| n.get("name")) {
                Some(name) => name.span.clone(),
                None => node.unwrap_or(0..0),
            };
            let whose = match root.at(path).and_then(|n| n.get("name")).and_then(Node::as_str) {
                Some(name) => format!("{} `{name}`", describe(&context)),
                None => describe(&context),
            };
            missing_key::RULE
                .diag(format!("{whose} is missing `{key}`"))
                .at(span, format!("needs `{key}`"))
                .help(required_help(doc.syntax, &key))
        }
        ValidationErrorKind::Type { kind } => {
            let found = root.at(path).map_or("a value", Node::describe);
            invalid_value::RULE
                .diag(format!("expected {}, found {found}", type_name(&format!("{kind:?}"))))
                .at(node_span, "wrong type")
        }
        ValidationErrorKind::Enum { options } => {
            let words: Vec<&str> = options.as_array()?.iter().filter_map(Value::as_str).collect();
            let given = instance.as_str().map_or_else(|| instance.to_string(), str::to_string);
            let mut d = invalid_value::RULE
                .diag(format!("`{given}` is not one of {}", list(&words)))
                .at(node_span.clone(), "not allowed here");
            if let Some(near) = did_you_mean(&given, words.iter().copied()) {
                let quoted = match doc.syntax {
                    Syntax::Kdl => format!("\"{near}\""),
                    Syntax::Yaml => near.to_string(),
                };
                d = d
                    .help(format!("did you mean `{near}`?"))
                    .fix(format!("replace with `{near}`"), vec![(node_span, quoted)]);
            }
            d
        }
        ValidationErrorKind::Minimum { limit } | ValidationErrorKind::Maximum { limit } => {
            let bound = if matches!(kind, ValidationErrorKind::Minimum { .. }) {
                "at least"
            } else {
                "at most"
            };
            let rule = if path.contains("/ports/") {
                &invalid_port::RULE
            } else {
                &invalid_value::RULE
            };
            let key = path.rsplit('/').next().map(&spell).unwrap_or_default();
            rule.diag(format!("`{key}` is {instance}; it must be {bound} {limit}"))
                .at(node_span, "out of range")
        }
        ValidationErrorKind::MinItems { .. } => invalid_value::RULE
            .diag(format!("`{}` needs at least one item", spell(path.rsplit('/').next()?)))
            .at(node_span, "empty"),
        ValidationErrorKind::OneOfNotValid { .. } if path.ends_with("/retries") => invalid_value::RULE
            .diag("retries are a number of attempts, or attempts with a per-try timeout")
            .at(node_span, "not retries")
            .help(match doc.syntax {
                Syntax::Kdl => "write `retries=2`, or a child node `retries attempts=2 per-try-timeout=\"1s\"`",
                Syntax::Yaml => "write `retries: 2`, or `retries: {attempts: 2, perTryTimeout: 1s}`",
            }),
        // Names and durations: reported by `lower` with the reason and a fix.
        ValidationErrorKind::Pattern { .. } => return None,
        other => invalid_value::RULE
            .diag(format!("invalid value: {}", other.keyword()))
            .at(node_span, "here"),
    })
}

/// The schema definition that a JSON pointer into the spec lands in.
fn context(path: &str) -> String {
    let last = path
        .split('/')
        .skip(1)
        .filter(|t| t.parse::<usize>().is_err())
        .last()
        .unwrap_or("");
    match last {
        "" => "",
        "services" => "service",
        "clusters" => "cluster",
        "ports" => "port",
        "calls" => "call",
        other => other,
    }
    .to_string()
}

fn describe(context: &str) -> String {
    match context {
        "" => "the spec".to_string(),
        "service" | "cluster" | "port" | "call" | "mesh" => context.to_string(),
        other => format!("`{}`", other),
    }
}

fn known_keys(schema: &Value, context: &str) -> Vec<String> {
    let def = if context.is_empty() {
        Some(schema)
    } else {
        schema.pointer(&format!("/$defs/{context}"))
    };
    let def = def.map(|d| match d.get("oneOf") {
        // retries: the map form is the one with keys.
        Some(Value::Array(alts)) => alts
            .iter()
            .find(|a| a.get("properties").is_some())
            .unwrap_or(d),
        _ => d,
    });
    def.and_then(|d| d.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

fn required_help(syntax: Syntax, key: &str) -> String {
    match syntax {
        Syntax::Kdl => format!("add `{key} …` to it"),
        Syntax::Yaml => format!("add `{key}: …` to it"),
    }
}

fn type_name(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    let word = [
        "integer", "string", "boolean", "array", "object", "number", "null",
    ]
    .into_iter()
    .find(|w| lower.contains(w))
    .unwrap_or("another type");
    match word {
        "integer" => "an integer",
        "string" => "a string",
        "boolean" => "a boolean (`#true`/`#false` in KDL, `true`/`false` in YAML)",
        "array" => "a list",
        "object" => "a map",
        "number" => "a number",
        "null" => "nothing",
        _ => "another type",
    }
    .to_string()
}

fn list<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| format!("`{}`", w.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}
