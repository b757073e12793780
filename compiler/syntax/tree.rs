//! The syntax tree both front-ends produce: plain values, each with its span.

use crate::diagnostics::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Kdl,
    Yaml,
}

impl Syntax {
    /// How a model key (camelCase, the YAML spelling) is written in this syntax.
    pub fn spell(self, key: &str) -> String {
        match self {
            Syntax::Yaml => key.to_string(),
            Syntax::Kdl => {
                let mut out = String::with_capacity(key.len() + 4);
                for (i, c) in key.char_indices() {
                    if c.is_ascii_uppercase() && i > 0 {
                        out.push('-');
                    }
                    out.push(c.to_ascii_lowercase());
                }
                // `consecutive5xx` is written `consecutive-5xx` in KDL.
                out.replace("consecutive5xx", "consecutive-5xx")
            }
        }
    }
}

/// KDL's kebab-case name → the model's camelCase key.
pub fn camel(kebab: &str) -> String {
    let mut out = String::with_capacity(kebab.len());
    let mut upper = false;
    for c in kebab.chars() {
        if c == '-' {
            upper = true;
        } else if upper && c.is_ascii_alphabetic() {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
            upper = false;
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub root: Node,
    pub syntax: Syntax,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key in the model's spelling (camelCase).
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    pub fn new(value: Value, span: Span) -> Self {
        Node { value, span }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::List(items) => items,
            _ => std::slice::from_ref(self),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self.value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The node at a JSON pointer (`/spec/hosts/0`).
    pub fn at(&self, pointer: &str) -> Option<&Node> {
        let mut node = self;
        for token in pointer.split('/').skip(1) {
            node = match &node.value {
                Value::List(items) => items.get(token.parse::<usize>().ok()?)?,
                Value::Map(_) => node.get(token)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The list at a JSON pointer; empty when there is none.
    pub fn list_at(&self, pointer: &str) -> &[Node] {
        match self.at(pointer).map(|n| &n.value) {
            Some(Value::List(items)) => items,
            _ => &[],
        }
    }

    /// The string at a JSON pointer.
    pub fn str_at(&self, pointer: &str) -> Option<&str> {
        self.at(pointer)?.as_str()
    }

    /// Follow a JSON pointer (`/services/0/name`); for a map key, the key's own span is returned
    /// when `key_span` is set and the pointer ends on that key.
    pub fn pointer(&self, pointer: &str, key_span: bool) -> Option<Span> {
        let mut node = self;
        let mut last_key: Option<&Entry> = None;
        for token in pointer.split('/').skip(1) {
            let token = token.replace("~1", "/").replace("~0", "~");
            match &node.value {
                Value::Map(entries) => {
                    let e = entries.iter().find(|e| e.key == token)?;
                    last_key = Some(e);
                    node = &e.value;
                }
                Value::List(items) => {
                    node = items.get(token.parse::<usize>().ok()?)?;
                    last_key = None;
                }
                _ => return None,
            }
        }
        match (key_span, last_key) {
            (true, Some(e)) => Some(e.key_span.clone()),
            _ => Some(node.span.clone()),
        }
    }

    /// The tree as JSON, for schema validation.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::List(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    pub fn describe(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::List(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spells_keys_per_syntax() {
        assert_eq!(Syntax::Kdl.spell("perTryTimeout"), "per-try-timeout");
        assert_eq!(Syntax::Kdl.spell("consecutive5xx"), "consecutive-5xx");
        assert_eq!(Syntax::Yaml.spell("perTryTimeout"), "perTryTimeout");
        assert_eq!(camel("per-try-timeout"), "perTryTimeout");
        assert_eq!(camel("consecutive-5xx"), "consecutive5xx");
    }
}
