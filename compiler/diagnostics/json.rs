//! `--format json`: one object with every diagnostic and its regions.

use super::{Diagnostic, Severity, Source, Span};
use serde_json::{Value, json};

pub fn render(diagnostics: &[Diagnostic]) -> String {
    let list: Vec<Value> = diagnostics.iter().map(diagnostic).collect();
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let doc = json!({
        "version": 1,
        "diagnostics": list,
        "summary": {
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
            "infos": count(Severity::Info),
        }
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn region(source: Option<&Source>, span: &Span) -> Value {
    match source {
        Some(s) => {
            let (line, column) = s.line_col(span.start);
            let (end_line, end_column) = s.line_col(span.end);
            json!({"line": line, "column": column, "end_line": end_line, "end_column": end_column,
                   "byte_start": span.start, "byte_end": span.end})
        }
        None => Value::Null,
    }
}

fn diagnostic(d: &Diagnostic) -> Value {
    let source = d.source.as_deref();
    let mut v = json!({
        "code": d.code,
        "name": d.name,
        "severity": d.severity.as_str(),
        "message": d.message,
        "file": source.map(|s| s.name.clone()),
        "line": Value::Null, "column": Value::Null, "end_line": Value::Null, "end_column": Value::Null,
        "help": d.help,
    });
    if let (Some(primary), Some(obj)) = (&d.primary, v.as_object_mut())
        && let Value::Object(r) = region(source, &primary.span)
    {
        obj.extend(r);
        obj.insert("label".into(), json!(primary.text));
    }
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "related".into(),
            d.related
                .iter()
                .map(|l| json!({"message": l.text, "region": region(source, &l.span)}))
                .collect(),
        );
        obj.insert(
            "fix".into(),
            d.fix.as_ref().map_or(Value::Null, |f| {
                json!({
                    "message": f.message,
                    "edits": f.edits.iter().map(|(span, text)| json!({"region": region(source, span), "replacement": text})).collect::<Vec<_>>(),
                })
            }),
        );
    }
    v
}
