//! `--format sarif`: SARIF 2.1.0 for code scanning, one rule entry per registered code.

use super::{Diagnostic, Severity, Source, Span};
use crate::check::registry::RULES;
use serde_json::{Value, json};

pub fn render(diagnostics: &[Diagnostic]) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary()},
                "fullDescription": {"text": r.summary()},
                "help": {"text": r.doc, "markdown": r.doc},
                "defaultConfiguration": {"level": level(r.severity)},
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics.iter().map(result).collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "meshc",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://meshc.dev",
                "rules": rules,
            }},
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn location(source: &Source, span: &Span, message: Option<&str>) -> Value {
    let (start_line, start_column) = source.line_col(span.start);
    let (end_line, end_column) = source.line_col(span.end);
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": source.name},
            "region": {
                "startLine": start_line, "startColumn": start_column,
                "endLine": end_line, "endColumn": end_column,
            }
        }
    });
    if let (Some(m), Some(obj)) = (message, loc.as_object_mut()) {
        obj.insert("message".into(), json!({"text": m}));
    }
    loc
}

fn result(d: &Diagnostic) -> Value {
    let rule_index = RULES.iter().position(|r| r.code == d.code);
    let text = match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    };
    let mut r = json!({
        "ruleId": d.code,
        "level": level(d.severity),
        "message": {"text": text},
    });
    let Some(obj) = r.as_object_mut() else {
        return r;
    };
    if let Some(i) = rule_index {
        obj.insert("ruleIndex".into(), json!(i));
    }
    if let Some(source) = &d.source {
        if let Some(p) = &d.primary {
            obj.insert("locations".into(), json!([location(source, &p.span, None)]));
        }
        if !d.related.is_empty() {
            let related: Vec<Value> = d
                .related
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let mut loc = location(source, &l.span, Some(&l.text));
                    if let Some(o) = loc.as_object_mut() {
                        o.insert("id".into(), json!(i));
                    }
                    loc
                })
                .collect();
            obj.insert("relatedLocations".into(), json!(related));
        }
        if let Some(fix) = &d.fix {
            let replacements: Vec<Value> = fix
                .edits
                .iter()
                .map(|(span, text)| {
                    let region = &location(source, span, None)["physicalLocation"]["region"];
                    json!({"deletedRegion": region, "insertedContent": {"text": text}})
                })
                .collect();
            obj.insert(
                "fixes".into(),
                json!([{
                    "description": {"text": fix.message},
                    "artifactChanges": [{"artifactLocation": {"uri": source.name}, "replacements": replacements}],
                }]),
            );
        }
    }
    r
}
