//! KDL → syntax tree, through the `kdl` crate (KDL 2.0, spans kept).
//!
//! The spec's KDL form is mapped onto the YAML form's shape by a few rules:
//! - a node with one argument and nothing else is a scalar: `timeout "5s"` → `timeout: 5s`;
//! - a node with properties or children is a map of them: `retries attempts=2` →
//!   `retries: {attempts: 2}`; a named node puts its first argument under its name key
//!   (`service "a"` → `{name: a}`);
//! - repeated nodes collect into a list under their plural key (`service` → `services`,
//!   `port` → `ports`); list nodes take all their arguments (`runs-in "c1" "c2"`);
//! - kebab-case names become the model's camelCase keys.

use super::tree::{Entry, Node, Value, camel};
use super::{MAX_DEPTH, syntax_error};
use crate::diagnostics::{Diagnostic, Span};
use kdl::{KdlDocument, KdlEntry, KdlNode, KdlValue};

/// Nodes that repeat: KDL name, the list key they collect into, and the key of their argument.
const REPEATED: &[(&str, &str, &str)] = &[
    ("cluster", "clusters", "name"),
    ("service", "services", "name"),
    ("port", "ports", "port"),
    ("calls", "calls", "service"),
    ("allow", "allow", "code"),
];
/// Nodes that are maps and take their first argument as a name.
const NAMED: &[(&str, &str)] = &[("mesh", "name")];
/// Nodes whose arguments form a list.
const LISTS: &[&str] = &["runs-in"];

pub fn parse(text: &str) -> Result<Node, Vec<Diagnostic>> {
    check_depth(text)?;
    let doc = KdlDocument::parse_v2(text).map_err(|e| {
        e.diagnostics
            .iter()
            .map(|d| {
                let start = d.span.offset().min(text.len());
                let end = (start + d.span.len()).min(text.len());
                let mut diag = syntax_error(
                    start..end,
                    format!(
                        "invalid KDL: {}",
                        d.message.as_deref().unwrap_or("unexpected input")
                    ),
                );
                if let Some(label) = &d.label
                    && let Some(primary) = diag.primary.as_mut()
                {
                    primary.text.clone_from(label);
                }
                if let Some(help) = &d.help {
                    diag = diag.help(help.clone());
                }
                diag
            })
            .collect::<Vec<_>>()
    })?;
    let mut errors = Vec::new();
    let span = 0..text.len();
    let root = Node::new(Value::Map(document(&doc, text, &mut errors)), span);
    if errors.is_empty() {
        Ok(root)
    } else {
        Err(errors)
    }
}

/// The `kdl` parser recurses on nesting; refuse deep input before it can exhaust the stack.
fn check_depth(text: &str) -> Result<(), Vec<Diagnostic>> {
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if in_str {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' => depth += 1,
            b'/' if bytes.get(i + 1) == Some(&b'*') => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'*' if bytes.get(i + 1) == Some(&b'/') => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_DEPTH {
            return Err(vec![
                syntax_error(i..i + 1, format!("nesting deeper than {MAX_DEPTH} levels"))
                    .help("a mesh spec needs a handful of levels; this input is not a spec"),
            ]);
        }
    }
    Ok(())
}

fn span_of(s: miette::SourceSpan, text: &str) -> Span {
    let start = s.offset().min(text.len());
    start..(start + s.len()).min(text.len())
}

/// Trim the whitespace a KDL span may carry around a token.
fn tight(span: Span, text: &str) -> Span {
    let slice = &text[span.clone()];
    let start = span.start + (slice.len() - slice.trim_start().len());
    let end = span.end - (slice.len() - slice.trim_end().len());
    start..end.max(start)
}

fn document(doc: &KdlDocument, text: &str, errors: &mut Vec<Diagnostic>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for node in doc.nodes() {
        let name = node.name().value();
        let name_span = tight(span_of(node.name().span(), text), text);
        let node_span = tight(span_of(node.span(), text), text);
        if let Some(ty) = node.ty() {
            errors.push(syntax_error(
                tight(span_of(ty.span(), text), text),
                "type annotations are not used by meshc",
            ));
        }
        if let Some(&(_, list_key, arg_key)) = REPEATED.iter().find(|r| r.0 == name) {
            let item = map_node(node, Some(arg_key), text, errors);
            push_to_list(
                &mut entries,
                list_key,
                name_span,
                Node::new(item, node_span),
            );
            continue;
        }
        if LISTS.contains(&name) {
            let key = camel(name);
            if !node.entries().iter().all(|e| e.name().is_none()) || node.children().is_some() {
                errors.push(syntax_error(
                    node_span.clone(),
                    format!("`{name}` takes only arguments: `{name} \"a\" \"b\"`"),
                ));
            }
            for e in node.entries().iter().filter(|e| e.name().is_none()) {
                let item = Node::new(value(e.value(), e, text, errors), entry_span(e, text));
                push_to_list(&mut entries, &key, name_span.clone(), item);
            }
            continue;
        }
        let args: Vec<&KdlEntry> = node
            .entries()
            .iter()
            .filter(|e| e.name().is_none())
            .collect();
        let has_props = node.entries().len() > args.len();
        let named = NAMED.iter().find(|n| n.0 == name).map(|n| n.1);
        let value = if has_props || node.children().is_some() || named.is_some() {
            map_node(node, named, text, errors)
        } else {
            match args.as_slice() {
                [] => {
                    errors.push(
                        syntax_error(name_span.clone(), format!("`{name}` needs a value"))
                            .help(format!("write it as `{name} \"…\"`")),
                    );
                    Value::Null
                }
                [one] => value(one.value(), one, text, errors),
                many => Value::List(
                    many.iter()
                        .map(|e| Node::new(value(e.value(), e, text, errors), entry_span(e, text)))
                        .collect(),
                ),
            }
        };
        let span = match (args.as_slice(), has_props || node.children().is_some()) {
            ([one], false) => entry_span(one, text),
            _ => node_span,
        };
        push_unique(
            &mut entries,
            camel(name),
            name_span,
            Node::new(value, span),
            errors,
        );
    }
    entries
}

/// A node as a map: its named argument, its properties, its children.
fn map_node(
    node: &KdlNode,
    arg_key: Option<&str>,
    text: &str,
    errors: &mut Vec<Diagnostic>,
) -> Value {
    let mut entries = Vec::new();
    let mut args = node.entries().iter().filter(|e| e.name().is_none());
    if let Some(key) = arg_key
        && let Some(arg) = args.next()
    {
        let span = entry_span(arg, text);
        entries.push(Entry {
            key: key.to_string(),
            key_span: span.clone(),
            value: Node::new(value(arg.value(), arg, text, errors), span),
        });
    }
    for extra in args {
        errors.push(
            syntax_error(
                entry_span(extra, text),
                format!("unexpected argument to `{}`", node.name().value()),
            )
            .help("write it as a property (`key=value`) or as a child node"),
        );
    }
    for prop in node.entries().iter() {
        let Some(key) = prop.name() else { continue };
        let key_span = tight(span_of(key.span(), text), text);
        let node = Node::new(
            value(prop.value(), prop, text, errors),
            entry_span(prop, text),
        );
        push_unique(&mut entries, camel(key.value()), key_span, node, errors);
    }
    if let Some(children) = node.children() {
        for child in document(children, text, errors) {
            if let Some(existing) = entries.iter_mut().find(|e| e.key == child.key) {
                match (&mut existing.value.value, child.value.value) {
                    // `port` nodes collected both from here and a sibling document merge.
                    (Value::List(items), Value::List(more)) => items.extend(more),
                    _ => errors.push(duplicate(
                        &child.key,
                        child.key_span,
                        existing.key_span.clone(),
                    )),
                }
            } else {
                entries.push(child);
            }
        }
    }
    Value::Map(entries)
}

/// The span of an entry's value (a property's span without its `key=`).
fn entry_span(e: &KdlEntry, text: &str) -> Span {
    let whole = tight(span_of(e.span(), text), text);
    match e.name() {
        Some(name) => {
            let key_end = tight(span_of(name.span(), text), text).end;
            let rest = &text[key_end.min(whole.end)..whole.end];
            let skip = rest.find('=').map_or(0, |i| i + 1);
            tight((key_end + skip).min(whole.end)..whole.end, text)
        }
        None => whole,
    }
}

fn value(v: &KdlValue, e: &KdlEntry, text: &str, errors: &mut Vec<Diagnostic>) -> Value {
    if let Some(ty) = e.ty() {
        errors.push(syntax_error(
            tight(span_of(ty.span(), text), text),
            "type annotations are not used by meshc",
        ));
    }
    match v {
        KdlValue::String(s) => Value::Str(s.clone()),
        KdlValue::Integer(i) => match i64::try_from(*i) {
            Ok(i) => Value::Int(i),
            Err(_) => {
                errors.push(syntax_error(
                    entry_span(e, text),
                    "this number is too large",
                ));
                Value::Null
            }
        },
        KdlValue::Float(f) => Value::Float(*f),
        KdlValue::Bool(b) => Value::Bool(*b),
        KdlValue::Null => Value::Null,
    }
}

fn push_to_list(entries: &mut Vec<Entry>, key: &str, key_span: Span, item: Node) {
    if let Some(existing) = entries.iter_mut().find(|e| e.key == key)
        && let Value::List(items) = &mut existing.value.value
    {
        existing.value.span.end = existing.value.span.end.max(item.span.end);
        items.push(item);
        return;
    }
    let span = item.span.clone();
    entries.push(Entry {
        key: key.to_string(),
        key_span,
        value: Node::new(Value::List(vec![item]), span),
    });
}

fn push_unique(
    entries: &mut Vec<Entry>,
    key: String,
    key_span: Span,
    value: Node,
    errors: &mut Vec<Diagnostic>,
) {
    if let Some(first) = entries.iter().find(|e| e.key == key) {
        errors.push(duplicate(&key, key_span, first.key_span.clone()));
        return;
    }
    entries.push(Entry {
        key,
        key_span,
        value,
    });
}

fn duplicate(key: &str, span: Span, first: Span) -> Diagnostic {
    let kebab = super::Syntax::Kdl.spell(key);
    syntax_error(span, format!("`{kebab}` is given twice"))
        .related(first, "first given here")
        .help(format!("give `{kebab}` once"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_nodes_onto_the_yaml_shape() {
        let text = r#"
mesh "m" { mtls "strict" }
cluster "c1" pod-cidr="10.0.0.0/14"
service "a" namespace="ns" {
    port 8080 protocol="http"
    port 9090
    runs-in "c1" "c2"
    calls "b" timeout="1s"
}
"#;
        let root = parse(text).unwrap();
        let json = root.to_json();
        assert_eq!(
            json,
            serde_json::json!({
                "mesh": {"name": "m", "mtls": "strict"},
                "clusters": [{"name": "c1", "podCidr": "10.0.0.0/14"}],
                "services": [{"name": "a", "namespace": "ns",
                    "ports": [{"port": 8080, "protocol": "http"}, {"port": 9090}],
                    "runsIn": ["c1", "c2"],
                    "calls": [{"service": "b", "timeout": "1s"}]}]
            })
        );
        let svc = &root.get("services").unwrap().items()[0];
        assert_eq!(&text[svc.get("namespace").unwrap().span.clone()], "\"ns\"");
        assert_eq!(
            &text[svc.entry("namespace").unwrap().key_span.clone()],
            "namespace"
        );
        let cidr = root.get("clusters").unwrap().items()[0]
            .get("podCidr")
            .unwrap();
        assert_eq!(&text[cidr.span.clone()], "\"10.0.0.0/14\"");
    }

    #[test]
    fn reports_syntax_errors_with_spans() {
        let err = parse("service \"a\" {\n  port 80\n").unwrap_err();
        assert!(err[0].message.starts_with("invalid KDL"));
        assert!(err[0].primary.is_some());
    }

    #[test]
    fn refuses_duplicates_and_deep_nesting() {
        let err = parse("mesh \"m\" { mtls \"strict\"; mtls \"permissive\" }").unwrap_err();
        assert!(err[0].message.contains("`mtls` is given twice"));
        let deep = "a ".to_string() + &"{ a ".repeat(10_000) + &"}".repeat(10_000);
        let err = parse(&deep).unwrap_err();
        assert!(err[0].message.contains("nesting deeper"));
    }
}
