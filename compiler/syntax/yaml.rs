//! YAML → syntax tree, read event by event from `saphyr-parser` so that every node keeps its
//! span and untrusted input is bounded: nesting depth, alias expansion and the number of nodes
//! are capped before any work grows with them (a "billion laughs" file stops at the first alias
//! that would cross the budget).

use super::tree::{Entry, Node, Value};
use super::{MAX_DEPTH, syntax_error};
use crate::diagnostics::{Diagnostic, Span};
use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};
use std::collections::HashMap;

/// The most nodes one file may expand to, aliases included.
pub const MAX_NODES: usize = 4_000_000;

/// Parse a file that must hold exactly one YAML document.
pub fn parse_one(text: &str) -> Result<Node, Vec<Diagnostic>> {
    let mut docs = parse_all(text)?;
    match docs.len() {
        0 => Err(vec![syntax_error(0..0, "the file holds no YAML document")]),
        1 => Ok(docs.remove(0)),
        _ => Err(vec![
            syntax_error(
                docs[1].span.clone(),
                "a spec is one YAML document; this is a second one",
            )
            .help("put the whole mesh in one document"),
        ]),
    }
}

/// Parse every document of a YAML stream (manifests hold many, separated by `---`).
pub fn parse_all(text: &str) -> Result<Vec<Node>, Vec<Diagnostic>> {
    Builder::new(text).run().map_err(|d| vec![d])
}

enum Frame {
    Seq {
        items: Vec<Node>,
        start: usize,
        anchor: usize,
    },
    Map {
        entries: Vec<Entry>,
        /// Each key's index in `entries`: a duplicate is found in constant time, not by a scan
        /// that makes a map of n keys cost n² (an 8 MiB map holds most of a million keys).
        index: HashMap<String, usize>,
        key: Option<(String, Span)>,
        start: usize,
        anchor: usize,
    },
}

struct Anchored {
    node: Node,
    size: usize,
    depth: usize,
}

struct Builder<'a> {
    text: &'a str,
    /// Byte offset of each character, when the text is not ASCII (saphyr counts characters).
    char_bytes: Option<Vec<usize>>,
    /// Anchored nodes by id, with their size in nodes and their depth in collections.
    anchors: HashMap<usize, Anchored>,
    nodes: usize,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Self {
        let char_bytes = (!text.is_ascii()).then(|| {
            text.char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .collect()
        });
        Builder {
            text,
            char_bytes,
            anchors: HashMap::new(),
            nodes: 0,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.char_bytes {
            None => char_index.min(self.text.len()),
            Some(table) => table.get(char_index).copied().unwrap_or(self.text.len()),
        }
    }

    fn span(&self, s: &YSpan) -> Span {
        let start = self.byte(s.start.index());
        let end = self.byte(s.end.index()).max(start);
        start..end
    }

    fn count(&mut self, n: usize, span: &Span) -> Result<(), Diagnostic> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(syntax_error(
                span.clone(),
                format!("the document expands to more than {MAX_NODES} nodes"),
            )
            .help("aliases that expand to huge trees (a \"billion laughs\") are refused; write the values out"));
        }
        Ok(())
    }

    fn run(mut self) -> Result<Vec<Node>, Diagnostic> {
        let mut docs = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut parser = Parser::new_from_str(self.text);
        let mut root: Option<Node> = None;
        while let Some(event) = parser.next_event() {
            let (event, yspan) = event.map_err(|e| {
                let at = self.byte(e.marker().index());
                syntax_error(at..at, format!("invalid YAML: {}", e.info()))
            })?;
            let span = self.span(&yspan);
            let done: Option<Node> = match event {
                Event::StreamStart | Event::StreamEnd | Event::Nothing => None,
                Event::DocumentStart(_) => {
                    root = None;
                    None
                }
                Event::DocumentEnd => {
                    // An empty document (`---` alone) holds null.
                    docs.push(root.take().unwrap_or(Node::new(Value::Null, span)));
                    None
                }
                Event::Alias(id) => {
                    let Some(&Anchored { size, depth, .. }) = self.anchors.get(&id) else {
                        return Err(syntax_error(
                            span,
                            "this alias names no anchor defined before it",
                        ));
                    };
                    // An alias of a nested node nests it again: without this, a chain of
                    // anchors builds a tree thousands of levels deep from a few lines.
                    if stack.len() + depth > MAX_DEPTH {
                        return Err(too_deep(span).help(
                            "this alias puts its anchor's nesting under this place's; a mesh spec needs a handful of levels",
                        ));
                    }
                    self.count(size, &span)?;
                    self.anchors.get(&id).map(|a| a.node.clone())
                }
                Event::Scalar(text, style, anchor, tag) => {
                    if let Some(Frame::Map {
                        key: key @ None, ..
                    }) = stack.last_mut()
                    {
                        *key = Some((text.into_owned(), span));
                        continue;
                    }
                    self.count(1, &span)?;
                    let is_str_tag = tag.as_ref().is_some_and(|t| t.suffix == "str");
                    let value = scalar(&text, style, is_str_tag);
                    let node = Node::new(value, span);
                    if anchor > 0 {
                        self.anchors.insert(
                            anchor,
                            Anchored {
                                node: node.clone(),
                                size: 1,
                                depth: 0,
                            },
                        );
                    }
                    Some(node)
                }
                Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                    if let Some(Frame::Map { key: None, .. }) = stack.last() {
                        return Err(syntax_error(span, "only plain keys are supported here"));
                    }
                    if stack.len() >= MAX_DEPTH {
                        return Err(too_deep(span).help(
                            "a mesh spec needs a handful of levels; this input is not a spec",
                        ));
                    }
                    self.count(1, &span)?;
                    let start = span.start;
                    stack.push(if matches!(event, Event::SequenceStart(..)) {
                        Frame::Seq {
                            items: Vec::new(),
                            start,
                            anchor,
                        }
                    } else {
                        Frame::Map {
                            entries: Vec::new(),
                            index: HashMap::new(),
                            key: None,
                            start,
                            anchor,
                        }
                    });
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let (value, start, anchor) = match stack.pop() {
                        Some(Frame::Seq {
                            items,
                            start,
                            anchor,
                        }) => (Value::List(items), start, anchor),
                        Some(Frame::Map {
                            entries,
                            start,
                            anchor,
                            ..
                        }) => (Value::Map(entries), start, anchor),
                        None => return Err(syntax_error(span, "unbalanced YAML collection")),
                    };
                    // A collection ends where its last child ends, not at the next token.
                    let end = match &value {
                        Value::List(items) => items.last().map(|n| n.span.end),
                        Value::Map(entries) => entries.last().map(|e| e.value.span.end),
                        _ => None,
                    }
                    .unwrap_or(span.end)
                    .max(start);
                    let node = Node::new(value, start..end);
                    if anchor > 0 {
                        let (size, depth) = measure(&node);
                        self.anchors.insert(
                            anchor,
                            Anchored {
                                node: node.clone(),
                                size,
                                depth,
                            },
                        );
                    }
                    Some(node)
                }
            };
            if let Some(node) = done {
                match stack.last_mut() {
                    None => root = Some(node),
                    Some(Frame::Seq { items, .. }) => items.push(node),
                    Some(Frame::Map {
                        entries,
                        index,
                        key,
                        ..
                    }) => {
                        let Some((key, key_span)) = key.take() else {
                            return Err(syntax_error(
                                node.span,
                                "only plain keys are supported here",
                            ));
                        };
                        if let Some(first) = index.get(&key).and_then(|&i| entries.get(i)) {
                            return Err(syntax_error(key_span, format!("duplicate key `{key}`"))
                                .related(first.key_span.clone(), "first defined here")
                                .help("each key may appear once in a map"));
                        }
                        index.insert(key.clone(), entries.len());
                        entries.push(Entry {
                            key,
                            key_span,
                            value: node,
                        });
                    }
                }
            }
        }
        Ok(docs)
    }
}

fn too_deep(span: Span) -> Diagnostic {
    syntax_error(span, format!("nesting deeper than {MAX_DEPTH} levels"))
}

/// A node's size in nodes and its depth in collections (a scalar is 0 deep). The recursion is
/// bounded: no tree built here is more than `MAX_DEPTH` collections deep.
fn measure(node: &Node) -> (usize, usize) {
    let children: Box<dyn Iterator<Item = &Node>> = match &node.value {
        Value::List(items) => Box::new(items.iter()),
        Value::Map(entries) => Box::new(entries.iter().map(|e| &e.value)),
        _ => return (1, 0),
    };
    let (mut size, mut depth) = (1, 0);
    for child in children {
        let (s, d) = measure(child);
        size += s;
        depth = depth.max(d);
    }
    (size, depth + 1)
}

/// YAML 1.2 core schema resolution of a scalar.
fn scalar(text: &str, style: ScalarStyle, force_str: bool) -> Value {
    if style != ScalarStyle::Plain || force_str {
        return Value::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let int = if let Some(hex) = text.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(oct) = text.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()
    } else if text
        .trim_start_matches(['-', '+'])
        .chars()
        .all(|c| c.is_ascii_digit())
    {
        text.parse::<i64>().ok()
    } else {
        None
    };
    if let Some(i) = int {
        return Value::Int(i);
    }
    let looks_float = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && text.chars().any(|c| c.is_ascii_digit());
    if looks_float && let Ok(f) = text.parse::<f64>() {
        return Value::Float(f);
    }
    Value::Str(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_spans_and_types() {
        let text = "a: 1\nb: [x, \"2\"]\nc: {d: true}\n";
        let root = parse_one(text).unwrap();
        assert_eq!(root.get("a").unwrap().as_int(), Some(1));
        let b = root.get("b").unwrap().items();
        assert_eq!(b[1].as_str(), Some("2"));
        assert_eq!(&text[b[0].span.clone()], "x");
        assert_eq!(&text[root.entry("c").unwrap().key_span.clone()], "c");
        assert_eq!(
            root.get("c").unwrap().get("d").unwrap().as_bool(),
            Some(true)
        );
    }

    #[test]
    fn spans_are_bytes_in_non_ascii_text() {
        let text = "é: ü\nname: x\n";
        let root = parse_one(text).unwrap();
        assert_eq!(&text[root.get("name").unwrap().span.clone()], "x");
    }

    #[test]
    fn refuses_duplicate_keys() {
        let err = parse_one("a: 1\na: 2\n").unwrap_err();
        assert!(err[0].message.contains("duplicate key `a`"));
    }

    #[test]
    fn stops_billion_laughs_early() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text += &format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            );
        }
        let err = parse_one(&text).unwrap_err();
        assert!(err[0].message.contains("expands to more than"));
    }

    #[test]
    fn aliases_count_toward_nesting() {
        // 40 levels aliased under 40 more: each line alone is within the limit.
        let text = format!(
            "a: &a {}x{}\nb: {}*a{}\n",
            "[".repeat(40),
            "]".repeat(40),
            "[".repeat(40),
            "]".repeat(40)
        );
        let err = parse_one(&text).unwrap_err();
        assert!(err[0].message.contains("nesting deeper"), "{err:?}");
        assert_eq!(&text[err[0].primary.as_ref().unwrap().span.clone()], "*a");
    }

    #[test]
    fn stops_deep_nesting() {
        let text = "[".repeat(50_000) + &"]".repeat(50_000);
        let err = parse_one(&text).unwrap_err();
        // saphyr's own recursion limit answers flow nesting; ours answers block nesting.
        assert!(
            err[0].message.contains("recursion limit"),
            "{}",
            err[0].message
        );
        let block =
            "a:\n".to_string() + &(1..100).map(|i| " ".repeat(i) + "- \n").collect::<String>();
        let err = parse_one(&block).unwrap_err();
        assert!(
            err[0].message.contains("nesting deeper"),
            "{}",
            err[0].message
        );
    }

    #[test]
    fn reads_many_documents() {
        let docs = parse_all("a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 2);
    }
}
