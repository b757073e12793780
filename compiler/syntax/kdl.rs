//! KDL → syntax tree (KDL 2.0, spans kept).
//!
//! Two parsers read KDL here. The fast path is `neco-kdl` (a small, dependency-free parser that
//! keeps node and entry spans); it reads a 2,000-service spec in milliseconds, where the `kdl`
//! crate takes hundreds. Whenever the fast path meets anything it does not handle exactly as the
//! `kdl` crate does — a syntax error, a problem the mapping below reports, a type annotation, a
//! node followed by more than spaces before its terminator — the text is read again by the `kdl`
//! crate, whose trees and diagnostics are the ones meshc has always given. Both trees go through
//! one mapping (the `Doc` trait), and the tests hold the two paths to the same tree: same keys,
//! values and byte spans.
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
use neco_kdl::{SpannedKdlEntry, SpannedKdlNode};
use std::cell::Cell;
use std::collections::HashMap;

/// Nodes that repeat: KDL name, the list key they collect into, and the key of their argument.
pub(crate) const REPEATED: &[(&str, &str, &str)] = &[
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
    match fast(text) {
        Some(root) => Ok(root),
        None => reference(text),
    }
}

/// The same conversion through the `kdl` crate alone: the path every diagnostic comes from, and
/// the reference the fast path is tested against.
#[cfg(test)]
pub(crate) fn parse_reference(text: &str) -> Result<Node, Vec<Diagnostic>> {
    check_depth(text)?;
    reference(text)
}

/// The fast path: `None` whenever the `kdl` crate must read the text instead.
fn fast(text: &str) -> Option<Node> {
    let doc = neco_kdl::parse_spanned(text).ok()?;
    if text.contains("/-") && !slashdashes_agree(text, doc.nodes()) {
        return None;
    }
    let fast = Fast {
        text,
        exact: Cell::new(true),
    };
    let mut errors = Vec::new();
    let entries = document(&fast, doc.nodes(), &mut errors);
    (errors.is_empty() && fast.exact.get()).then(|| Node::new(Value::Map(entries), 0..text.len()))
}

/// The `kdl` crate's path. Its error recovery recurses once for every token it cannot read (up
/// to 600 bytes of stack each, in a release build), so enough garbage overflows any fixed stack:
/// it runs on a thread with a stack in proportion to the text (only touched pages are used).
fn reference(text: &str) -> Result<Node, Vec<Diagnostic>> {
    let stack = text
        .len()
        .min(super::MAX_SOURCE_BYTES)
        .saturating_mul(1024)
        .max(16 << 20);
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .stack_size(stack)
            .spawn_scoped(scope, || read_reference(text))
        {
            Ok(thread) => thread.join().unwrap_or_else(|_| {
                Err(vec![syntax_error(
                    0..0,
                    "invalid KDL: the KDL parser failed on this input",
                )])
            }),
            Err(_) => read_reference(text),
        }
    })
}

fn read_reference(text: &str) -> Result<Node, Vec<Diagnostic>> {
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
    let entries = document(&Reference { text }, doc.nodes(), &mut errors);
    if errors.is_empty() {
        Ok(Node::new(Value::Map(entries), span))
    } else {
        Err(errors)
    }
}

/// Both parsers recurse on nesting; refuse deep input before it can exhaust the stack.
///
/// Counts child blocks and block comments (which nest) as KDL reads them: braces inside strings
/// and comments do not count. On valid KDL, which is all the fast path gets past, the count is
/// exact.
fn check_depth(text: &str) -> Result<(), Vec<Diagnostic>> {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while let Some(&b) = bytes.get(i) {
        i = match (b, bytes.get(i + 1)) {
            (b'{', _) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(too_deep(i));
                }
                i + 1
            }
            (b'}', _) => {
                depth = depth.saturating_sub(1);
                i + 1
            }
            (b'/', Some(b'/')) => line_end(text, i + 2),
            (b'/', Some(b'*')) => comment_end(text, i, depth)?,
            (b'"', _) => quoted_end(text, i),
            (b'#', _) => raw_end(text, i),
            _ => i + 1,
        };
    }
    Ok(())
}

fn too_deep(at: usize) -> Vec<Diagnostic> {
    vec![
        syntax_error(
            at..at + 1,
            format!("nesting deeper than {MAX_DEPTH} levels"),
        )
        .help("a mesh spec needs a handful of levels; this input is not a spec"),
    ]
}

/// KDL's `newline` characters.
fn is_newline(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// KDL's `unicode-space` characters.
fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// The end of a single-line comment whose text starts at `from`: its newline.
fn line_end(text: &str, from: usize) -> usize {
    text.get(from..)
        .and_then(|rest| rest.find(is_newline))
        .map_or(text.len(), |i| from + i)
}

/// The end of the block comment at `start`, checking the depth its nesting adds to `depth`. An
/// unterminated comment ends after its `/*`: what follows is counted as if it were code.
fn comment_end(text: &str, start: usize, depth: usize) -> Result<usize, Vec<Diagnostic>> {
    let bytes = text.as_bytes();
    let (mut level, mut i) = (0usize, start);
    while let Some(&b) = bytes.get(i) {
        match (b, bytes.get(i + 1)) {
            (b'/', Some(b'*')) => {
                level += 1;
                if depth + level > MAX_DEPTH {
                    return Err(too_deep(i));
                }
                i += 2;
            }
            (b'*', Some(b'/')) => {
                level -= 1;
                i += 2;
                if level == 0 {
                    return Ok(i);
                }
            }
            _ => i += 1,
        }
    }
    // Unterminated: count on as if it were not there.
    Ok(start + 2)
}

/// The end of the quoted string (`"…"` or `"""…"""`) at `start`. Where the string goes wrong
/// (an unknown escape, a forbidden character, a line end in a single-line string) the `kdl`
/// crate recovers by reading on as code, and so does this: the string ends there.
fn quoted_end(text: &str, start: usize) -> usize {
    let rest = text.get(start..).unwrap_or("");
    let multi = rest.starts_with("\"\"\"");
    if multi && !rest.get(3..).is_some_and(|r| r.starts_with(is_newline)) {
        return start + 3;
    }
    let mut chars = rest
        .char_indices()
        .skip(if multi { 3 } else { 1 })
        .peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                // `\` and all the whitespace after it.
                Some((_, w)) if is_space(w) || is_newline(w) => {
                    while chars
                        .next_if(|&(_, w)| is_space(w) || is_newline(w))
                        .is_some()
                    {}
                }
                Some((_, '"' | '\\' | 'b' | 'f' | 'n' | 'r' | 't' | 's')) => {}
                Some((u, 'u')) if unicode_escape(rest.get(u + 1..).unwrap_or("")).is_some() => {
                    while chars.next_if(|&(_, c)| c != '}').is_some() {}
                    chars.next();
                }
                _ => return start + i,
            },
            '"' if !multi => return start + i + 1,
            '"' if rest.get(i..).is_some_and(|r| r.starts_with("\"\"\"")) => return start + i + 3,
            c if (!multi && is_newline(c)) || is_forbidden(c) => return start + i,
            _ => {}
        }
    }
    // Unterminated: the `kdl` crate reads on after the opening quotes.
    start + if multi { 3 } else { 1 }
}

/// The character of a `\u{…}` escape, from the text after its `u`.
fn unicode_escape(after_u: &str) -> Option<char> {
    let hex = after_u.strip_prefix('{')?.split_once('}')?.0;
    let digits = (1..=6).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    digits.then(|| u32::from_str_radix(hex, 16).ok().and_then(char::from_u32))?
}

/// KDL's `disallowed-literal-code-points` (but the BOM, which is allowed at the start).
fn is_forbidden(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{8}'
            | '\u{E}'..='\u{1F}'
            | '\u{7F}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// The end of the raw string (`#"…"#`, `#"""…"""#`, with any number of `#`) at `start`, or of
/// the `#` keyword prefix there. A raw string that goes wrong (a forbidden character, a line end
/// in a single-line string, no end) ends there, or after its opening quotes.
fn raw_end(text: &str, start: usize) -> usize {
    let rest = text.get(start..).unwrap_or("");
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    let body = rest.get(hashes..).unwrap_or("");
    if !body.starts_with('"') {
        return start + hashes;
    }
    let multi = body.starts_with("\"\"\"");
    let quotes = if multi { 3 } else { 1 };
    let open = start + hashes + quotes;
    let inner = text.get(open..).unwrap_or("");
    if multi && !inner.starts_with(is_newline) {
        return open;
    }
    let close: String = std::iter::repeat_n('"', quotes)
        .chain(std::iter::repeat_n('#', hashes))
        .collect();
    let end = inner.find(&close).map(|i| open + i + close.len());
    let wrong = inner
        .find(|c| is_forbidden(c) || (!multi && is_newline(c)))
        .map(|i| open + i);
    match (end, wrong) {
        (Some(end), Some(wrong)) if wrong < end => wrong,
        (Some(end), _) => end,
        (None, Some(wrong)) => wrong,
        (None, None) => open,
    }
}

/// A scalar as a parser read it.
enum Scalar<'a> {
    Str(&'a str),
    /// An integer; `None` when it does not fit an `i64`.
    Int(Option<i64>),
    Float(f64),
    Bool(bool),
    Null,
}

/// What the mapping reads from a parsed document. Both parsers' trees implement it, so the
/// mapping, and every diagnostic it reports, is written once.
trait Doc {
    type Node;
    type Entry;
    fn name<'a>(&self, node: &'a Self::Node) -> &'a str;
    fn name_span(&self, node: &Self::Node) -> Span;
    /// The node from its name to its last entry or child block, without surrounding whitespace.
    fn node_span(&self, node: &Self::Node) -> Span;
    /// The span of the node's type annotation, if it has one.
    fn node_ty(&self, node: &Self::Node) -> Option<Span>;
    fn entries<'a>(&self, node: &'a Self::Node) -> &'a [Self::Entry];
    fn children<'a>(&self, node: &'a Self::Node) -> Option<&'a [Self::Node]>;
    /// A property's key; `None` for an argument.
    fn key<'a>(&self, entry: &'a Self::Entry) -> Option<&'a str>;
    /// The span of a property's key (asked of properties only).
    fn key_span(&self, entry: &Self::Entry) -> Span;
    /// The span of an entry's value (a property's without its `key=`).
    fn value_span(&self, entry: &Self::Entry) -> Span;
    /// The span of the entry's type annotation, if it has one.
    fn entry_ty(&self, entry: &Self::Entry) -> Option<Span>;
    fn scalar<'a>(&self, entry: &'a Self::Entry) -> Scalar<'a>;
}

/// The `kdl` crate's tree.
struct Reference<'t> {
    text: &'t str,
}

impl Doc for Reference<'_> {
    type Node = KdlNode;
    type Entry = KdlEntry;

    fn name<'a>(&self, node: &'a KdlNode) -> &'a str {
        node.name().value()
    }

    fn name_span(&self, node: &KdlNode) -> Span {
        tight(span_of(node.name().span(), self.text), self.text)
    }

    fn node_span(&self, node: &KdlNode) -> Span {
        tight(span_of(node.span(), self.text), self.text)
    }

    fn node_ty(&self, node: &KdlNode) -> Option<Span> {
        node.ty()
            .map(|ty| tight(span_of(ty.span(), self.text), self.text))
    }

    fn entries<'a>(&self, node: &'a KdlNode) -> &'a [KdlEntry] {
        node.entries()
    }

    fn children<'a>(&self, node: &'a KdlNode) -> Option<&'a [KdlNode]> {
        node.children().map(KdlDocument::nodes)
    }

    fn key<'a>(&self, entry: &'a KdlEntry) -> Option<&'a str> {
        entry.name().map(|k| k.value())
    }

    fn key_span(&self, entry: &KdlEntry) -> Span {
        match entry.name() {
            Some(key) => tight(span_of(key.span(), self.text), self.text),
            None => self.value_span(entry),
        }
    }

    fn value_span(&self, entry: &KdlEntry) -> Span {
        let whole = tight(span_of(entry.span(), self.text), self.text);
        match entry.name() {
            Some(key) => {
                let key_end = tight(span_of(key.span(), self.text), self.text).end;
                after_key(self.text, key_end, whole)
            }
            None => whole,
        }
    }

    fn entry_ty(&self, entry: &KdlEntry) -> Option<Span> {
        entry
            .ty()
            .map(|ty| tight(span_of(ty.span(), self.text), self.text))
    }

    fn scalar<'a>(&self, entry: &'a KdlEntry) -> Scalar<'a> {
        match entry.value() {
            KdlValue::String(s) => Scalar::Str(s),
            KdlValue::Integer(i) => Scalar::Int(i64::try_from(*i).ok()),
            KdlValue::Float(f) => Scalar::Float(*f),
            KdlValue::Bool(b) => Scalar::Bool(*b),
            KdlValue::Null => Scalar::Null,
        }
    }
}

/// `neco-kdl`'s tree. It spans whole nodes and entries; name and key spans are found by reading
/// the token at the start of those spans. Where its spans could differ from the `kdl` crate's,
/// it clears `exact` and the text goes to the `kdl` crate.
struct Fast<'t> {
    text: &'t str,
    exact: Cell<bool>,
}

impl Fast<'_> {
    fn inexact(&self) -> Span {
        self.exact.set(false);
        0..0
    }

    /// The string token (identifier, quoted or raw string) at `start`, which spells `value` if it
    /// is an identifier, and ends by `limit`.
    fn token(&self, start: usize, limit: usize, value: &str) -> Span {
        // Most tokens are identifiers: the name itself, then a character that ends it.
        let rest = self.text.get(start..).unwrap_or("");
        if !rest.starts_with(['"', '#'])
            && let Some(after) = rest.strip_prefix(value)
            && !after.starts_with(is_identifier_char)
            && start + value.len() <= limit
            && !value.is_empty()
        {
            return start..start + value.len();
        }
        match token_end(self.text, start) {
            Some((end, quoted))
                if end <= limit && (quoted || self.text.get(start..end) == Some(value)) =>
            {
                start..end
            }
            _ => self.inexact(),
        }
    }
}

impl Doc for Fast<'_> {
    type Node = SpannedKdlNode;
    type Entry = SpannedKdlEntry;

    fn name<'a>(&self, node: &'a SpannedKdlNode) -> &'a str {
        node.name()
    }

    fn name_span(&self, node: &SpannedKdlNode) -> Span {
        let span = node.span();
        self.token(span.start, span.end, node.name())
    }

    fn node_span(&self, node: &SpannedKdlNode) -> Span {
        // `neco-kdl` ends a node at its last element; the `kdl` crate runs on over whatever
        // follows up to the terminator (a block comment, an escaped newline). They agree when
        // only spaces come before the terminator.
        let span = node.span();
        let rest = self
            .text
            .get(span.end..)
            .unwrap_or("")
            .trim_start_matches([' ', '\t']);
        if rest.is_empty() || rest.starts_with(['\n', '\r', ';', '}']) || rest.starts_with("//") {
            span.start..span.end
        } else {
            self.inexact()
        }
    }

    fn node_ty(&self, node: &SpannedKdlNode) -> Option<Span> {
        node.ty().map(|_| self.inexact())
    }

    fn entries<'a>(&self, node: &'a SpannedKdlNode) -> &'a [SpannedKdlEntry] {
        node.entries()
    }

    fn children<'a>(&self, node: &'a SpannedKdlNode) -> Option<&'a [SpannedKdlNode]> {
        node.children()
    }

    fn key<'a>(&self, entry: &'a SpannedKdlEntry) -> Option<&'a str> {
        match entry.entry() {
            neco_kdl::KdlEntry::Property { key, .. } => Some(key),
            neco_kdl::KdlEntry::Argument { .. } => None,
        }
    }

    fn key_span(&self, entry: &SpannedKdlEntry) -> Span {
        let span = entry.span();
        match self.key(entry) {
            Some(key) => self.token(span.start, span.end, key),
            None => span.start..span.end,
        }
    }

    fn value_span(&self, entry: &SpannedKdlEntry) -> Span {
        let span = entry.span();
        match self.key(entry) {
            Some(_) => {
                let key = self.key_span(entry);
                after_key(self.text, key.end, span.start..span.end)
            }
            None => span.start..span.end,
        }
    }

    fn entry_ty(&self, entry: &SpannedKdlEntry) -> Option<Span> {
        entry.entry().ty().map(|_| self.inexact())
    }

    fn scalar<'a>(&self, entry: &'a SpannedKdlEntry) -> Scalar<'a> {
        match entry.entry().value() {
            neco_kdl::KdlValue::String(s) => Scalar::Str(s),
            neco_kdl::KdlValue::Bool(b) => Scalar::Bool(*b),
            neco_kdl::KdlValue::Null => Scalar::Null,
            neco_kdl::KdlValue::Number(n) => {
                // The `kdl` crate reads a decimal with a fraction or an exponent, and the
                // keywords `#inf`, `#-inf`, `#nan`, as floats; every other number as an integer.
                let raw = n.raw();
                let digits = raw.strip_prefix(['+', '-']).unwrap_or(raw);
                let radix = ["0x", "0o", "0b"].iter().any(|p| digits.starts_with(p));
                if raw.starts_with('#') || (!radix && digits.contains(['.', 'e', 'E'])) {
                    match n.as_f64() {
                        Some(f) => Scalar::Float(f),
                        None => {
                            self.inexact();
                            Scalar::Null
                        }
                    }
                } else {
                    Scalar::Int(n.as_i64())
                }
            }
        }
    }
}

/// Whether the `kdl` crate reads the slashdashes (`/-`) in `text` as `neco-kdl` does. It does not
/// where `neco-kdl` accepts a slashdash glued to the token before it (`node "a"/-1`), which KDL
/// rejects; nor where a slashdashed node ends with `;` (`/- a; b`), which KDL allows and the
/// `kdl` crate rejects. Slashdashed nodes sit in the gaps between the nodes `neco-kdl` returns;
/// a gap with a `;` after a `/-` is left to the `kdl` crate.
fn slashdashes_agree(text: &str, nodes: &[SpannedKdlNode]) -> bool {
    let spaced = text.match_indices("/-").all(|(i, _)| {
        i == 0
            || matches!(
                text.as_bytes().get(i - 1),
                Some(b' ' | b'\t' | b'\n' | b'\r' | b';' | b'{')
            )
    });
    spaced && gaps_agree(text, nodes, 0, text.len())
}

/// See [`slashdashes_agree`]: the gaps between `nodes`, which lie in `lo..hi`.
fn gaps_agree(text: &str, nodes: &[SpannedKdlNode], lo: usize, hi: usize) -> bool {
    let clean = |gap: Option<&str>| {
        gap.is_some_and(|gap| gap.find("/-").is_none_or(|i| !gap[i..].contains(';')))
    };
    let mut at = lo;
    for node in nodes {
        let span = node.span();
        if !clean(text.get(at..span.start)) {
            return false;
        }
        if let Some(children) = node.children()
            && !gaps_agree(text, children, span.start, span.end)
        {
            return false;
        }
        at = span.end;
    }
    clean(text.get(at..hi))
}

/// Where the string token at `start` ends, and whether it is quoted (or raw) rather than an
/// identifier. `None` when it cannot be told cheaply (the caller then defers to the `kdl` crate).
fn token_end(text: &str, start: usize) -> Option<(usize, bool)> {
    let rest = text.get(start..)?;
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    let body = rest.get(hashes..)?;
    if !body.starts_with('"') {
        let len = rest
            .find(|c: char| !is_identifier_char(c))
            .unwrap_or(rest.len());
        return (hashes == 0 && len > 0).then_some((start + len, false));
    }
    if hashes > 0 {
        // A raw string ends at the first `"` followed by as many `#`.
        let close: String = std::iter::once('"')
            .chain(std::iter::repeat_n('#', hashes))
            .collect();
        let open = hashes + 1;
        let at = body.get(1..)?.find(&close)?;
        return Some((start + open + at + close.len(), true));
    }
    let multi = body.starts_with("\"\"\"");
    let mut chars = body.char_indices().skip(if multi { 3 } else { 1 });
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' if !multi => return Some((start + i + 1, true)),
            '"' if body.get(i..)?.starts_with("\"\"\"") => return Some((start + i + 3, true)),
            '\n' | '\r' if !multi => return None,
            _ => {}
        }
    }
    None
}

/// KDL's `identifier-char`, roughly: any character but spaces, newlines and `\/(){};[]"#=`
/// (a mismatch only sends the text to the `kdl` crate, as the token is checked against the name).
fn is_identifier_char(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\\' | '/' | '(' | ')' | '{' | '}' | ';' | '[' | ']' | '"' | '#' | '='
        ))
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

/// A property's value span: the entry's span after its key and `=`.
fn after_key(text: &str, key_end: usize, whole: Span) -> Span {
    let rest = text.get(key_end.min(whole.end)..whole.end).unwrap_or("");
    let skip = rest.find('=').map_or(0, |i| i + 1);
    tight((key_end + skip).min(whole.end)..whole.end, text)
}

fn document<D: Doc>(d: &D, nodes: &[D::Node], errors: &mut Vec<Diagnostic>) -> Vec<Entry> {
    let mut entries = Entries::default();
    for node in nodes {
        let name = d.name(node);
        let name_span = d.name_span(node);
        let node_span = d.node_span(node);
        if let Some(ty) = d.node_ty(node) {
            errors.push(syntax_error(ty, "type annotations are not used by meshc"));
        }
        if let Some(&(_, list_key, arg_key)) = REPEATED.iter().find(|r| r.0 == name) {
            let item = map_node(d, node, Some(arg_key), errors);
            entries.push_to_list(list_key, name_span, Node::new(item, node_span));
            continue;
        }
        let has_children = d.children(node).is_some();
        if LISTS.contains(&name) {
            let key = camel(name);
            if !d.entries(node).iter().all(|e| d.key(e).is_none()) || has_children {
                errors.push(syntax_error(
                    node_span.clone(),
                    format!("`{name}` takes only arguments: `{name} \"a\" \"b\"`"),
                ));
            }
            for e in d.entries(node).iter().filter(|e| d.key(e).is_none()) {
                let item = Node::new(value(d, e, errors), d.value_span(e));
                entries.push_to_list(&key, name_span.clone(), item);
            }
            continue;
        }
        let args: Vec<&D::Entry> = d
            .entries(node)
            .iter()
            .filter(|e| d.key(e).is_none())
            .collect();
        let has_props = d.entries(node).len() > args.len();
        let named = NAMED.iter().find(|n| n.0 == name).map(|n| n.1);
        let value = if has_props || has_children || named.is_some() {
            map_node(d, node, named, errors)
        } else {
            match args.as_slice() {
                [] => {
                    errors.push(
                        syntax_error(name_span.clone(), format!("`{name}` needs a value"))
                            .help(format!("write it as `{name} \"…\"`")),
                    );
                    Value::Null
                }
                [one] => value(d, one, errors),
                many => Value::List(
                    many.iter()
                        .map(|e| Node::new(value(d, e, errors), d.value_span(e)))
                        .collect(),
                ),
            }
        };
        let span = match (args.as_slice(), has_props || has_children) {
            ([one], false) => d.value_span(one),
            _ => node_span,
        };
        entries.push_unique(camel(name), name_span, Node::new(value, span), errors);
    }
    entries.list
}

/// A node as a map: its named argument, its properties, its children.
fn map_node<D: Doc>(
    d: &D,
    node: &D::Node,
    arg_key: Option<&str>,
    errors: &mut Vec<Diagnostic>,
) -> Value {
    let mut entries = Entries::default();
    let mut args = d.entries(node).iter().filter(|e| d.key(e).is_none());
    if let Some(key) = arg_key
        && let Some(arg) = args.next()
    {
        let span = d.value_span(arg);
        let value = Node::new(value(d, arg, errors), span.clone());
        entries.push_unique(key.to_string(), span, value, errors);
    }
    for extra in args {
        errors.push(
            syntax_error(
                d.value_span(extra),
                format!("unexpected argument to `{}`", d.name(node)),
            )
            .help("write it as a property (`key=value`) or as a child node"),
        );
    }
    for prop in d.entries(node) {
        let Some(key) = d.key(prop) else { continue };
        let key_span = d.key_span(prop);
        let node = Node::new(value(d, prop, errors), d.value_span(prop));
        entries.push_unique(camel(key), key_span, node, errors);
    }
    if let Some(children) = d.children(node) {
        for child in document(d, children, errors) {
            entries.merge(child, errors);
        }
    }
    Value::Map(entries.list)
}

fn value<D: Doc>(d: &D, e: &D::Entry, errors: &mut Vec<Diagnostic>) -> Value {
    if let Some(ty) = d.entry_ty(e) {
        errors.push(syntax_error(ty, "type annotations are not used by meshc"));
    }
    match d.scalar(e) {
        Scalar::Str(s) => Value::Str(s.to_string()),
        Scalar::Int(Some(i)) => Value::Int(i),
        Scalar::Int(None) => {
            errors.push(syntax_error(d.value_span(e), "this number is too large"));
            Value::Null
        }
        Scalar::Float(f) => Value::Float(f),
        Scalar::Bool(b) => Value::Bool(b),
        Scalar::Null => Value::Null,
    }
}

/// A map's entries in order, with an index by key: a KDL node with n children costs n, not n².
#[derive(Default)]
struct Entries {
    list: Vec<Entry>,
    index: HashMap<String, usize>,
}

impl Entries {
    fn get_mut(&mut self, key: &str) -> Option<&mut Entry> {
        self.index.get(key).map(|&i| &mut self.list[i])
    }

    fn push(&mut self, entry: Entry) {
        self.index.insert(entry.key.clone(), self.list.len());
        self.list.push(entry);
    }

    /// Add an item to the list under `key` (a repeated node such as `port`).
    fn push_to_list(&mut self, key: &str, key_span: Span, item: Node) {
        if let Some(existing) = self.get_mut(key)
            && let Value::List(items) = &mut existing.value.value
        {
            existing.value.span.end = existing.value.span.end.max(item.span.end);
            items.push(item);
            return;
        }
        let span = item.span.clone();
        self.push(Entry {
            key: key.to_string(),
            key_span,
            value: Node::new(Value::List(vec![item]), span),
        });
    }

    /// Add a key that may be given once.
    fn push_unique(
        &mut self,
        key: String,
        key_span: Span,
        value: Node,
        errors: &mut Vec<Diagnostic>,
    ) {
        if let Some(&i) = self.index.get(&key) {
            errors.push(duplicate(&key, key_span, self.list[i].key_span.clone()));
            return;
        }
        self.push(Entry {
            key,
            key_span,
            value,
        });
    }

    /// Add a child node's entry: lists merge (`port` nodes from here and from the children),
    /// anything else may be given once.
    fn merge(&mut self, child: Entry, errors: &mut Vec<Diagnostic>) {
        let Some(existing) = self.get_mut(&child.key) else {
            self.push(child);
            return;
        };
        match (&mut existing.value.value, child.value.value) {
            (Value::List(items), Value::List(more)) => items.extend(more),
            _ => errors.push(duplicate(
                &child.key,
                child.key_span,
                existing.key_span.clone(),
            )),
        }
    }
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
    use crate::synth::{Params, generate, to_kdl};
    use proptest::prelude::*;
    use std::path::{Path, PathBuf};

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

    #[test]
    fn refuses_nesting_hidden_behind_strings_and_comments() {
        for prefix in [
            "a #\"\\\"# ",
            "a ##\"x\"#\"## ",
            "a \"\\ \n\" ",
            "a // \"\n",
            "a /* \"*/ ",
            // Malformed: the `kdl` crate reads on after the error, and finds the braces.
            "a \"\\q ",
            "a \"\\u{zz} ",
            "a \"\"\"\nx ",
            "a #\"\"\"\n",
            "a \"\"\"x ",
            "a #\"\"\"x ",
            "a #\"\u{7f} ",
            "a /* ",
        ] {
            let text = format!("{prefix}{}{}", "{a ".repeat(200), "}".repeat(200));
            let err = parse(&text).unwrap_err();
            assert!(
                err[0].message.contains("nesting deeper"),
                "{prefix:?}: {err:?}"
            );
        }
    }

    #[test]
    fn survives_the_kdl_crate_recovering_from_much_garbage() {
        // Each unreadable token costs the `kdl` crate a stack frame: 30,000 of them overflowed
        // the main thread's stack before the reference path got its own.
        for garbage in [")", "}", "="] {
            assert!(parse(&garbage.repeat(30_000)).is_err());
        }
    }

    /// The same tree: keys, values (floats bit for bit) and spans.
    fn same(a: &Node, b: &Node) -> bool {
        a.span == b.span
            && match (&a.value, &b.value) {
                (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
                (Value::List(x), Value::List(y)) => {
                    x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
                }
                (Value::Map(x), Value::Map(y)) => {
                    x.len() == y.len()
                        && x.iter().zip(y).all(|(a, b)| {
                            a.key == b.key && a.key_span == b.key_span && same(&a.value, &b.value)
                        })
                }
                (x, y) => x == y,
            }
    }

    /// Hold the fast path to the `kdl` crate on `text`: when it answers, the `kdl` crate accepts
    /// the text and builds the same tree; and `parse` answers exactly what the reference does.
    /// Returns whether the fast path answered.
    fn check(text: &str) -> bool {
        let reference = parse_reference(text);
        let fast = check_depth(text).ok().and_then(|()| fast(text));
        if let Some(fast) = &fast {
            match &reference {
                Ok(tree) => assert!(
                    same(fast, tree),
                    "the fast path differs from the kdl crate on {text:?}:\n{fast:?}\n{tree:?}"
                ),
                Err(e) => {
                    panic!("the fast path accepts what the kdl crate rejects: {text:?}: {e:?}")
                }
            }
        }
        let parsed = parse(text);
        assert_eq!(
            format!("{parsed:?}"),
            format!("{reference:?}"),
            "on {text:?}"
        );
        fast.is_some()
    }

    fn kdl_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                kdl_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "kdl") {
                out.push(path);
            }
        }
    }

    #[test]
    fn the_fast_path_builds_the_kdl_crate_tree_for_every_spec() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (mut examples, mut fixtures) = (Vec::new(), Vec::new());
        kdl_files(&root.join("examples"), &mut examples);
        kdl_files(&root.join("tests"), &mut fixtures);
        assert!(!examples.is_empty());
        for path in &examples {
            let text = std::fs::read_to_string(path).unwrap();
            assert!(
                check(&text),
                "{} did not take the fast path",
                path.display()
            );
        }
        for path in &fixtures {
            // Some fixtures are not UTF-8 on purpose; those never reach this parser.
            if let Ok(text) = std::fs::read_to_string(path) {
                check(&text);
            }
        }
        for (services, clusters, seed) in [(1, 1, 1), (7, 2, 2), (60, 3, 3), (300, 6, 4)] {
            let mut params = Params::new(services, clusters);
            params.seed = seed;
            let text = to_kdl(&generate(&params));
            assert!(check(&text), "a generated mesh did not take the fast path");
        }
    }

    #[test]
    fn meshc_errors_come_from_the_kdl_crate_path() {
        for (text, message) in [
            (
                "mesh \"m\" { mtls \"a\"; mtls \"b\" }",
                "`mtls` is given twice",
            ),
            ("defaults { timeout }", "`timeout` needs a value"),
            ("service \"a\" \"b\"", "unexpected argument to `service`"),
            ("service (t)\"a\"", "type annotations are not used by meshc"),
            (
                "(t)defaults { timeout \"1s\" }",
                "type annotations are not used by meshc",
            ),
            (
                "service \"a\" { replicas 9223372036854775808 }",
                "this number is too large",
            ),
            (
                "service \"a\" { runs-in \"c\" k=1 }",
                "`runs-in` takes only arguments",
            ),
        ] {
            check(text);
            let err = parse(text).unwrap_err();
            assert!(err[0].message.contains(message), "{text}: {err:?}");
        }
    }

    #[test]
    fn the_fast_path_keeps_exact_spans() {
        let text = "service \"a\" k = \"v\" \"quoted key\"=1 #\"raw\"#=#true {\n  port 80;port 81 // c\n  runs-in \"c1\" /-\"c2\" \"c3\"\n}\n";
        assert!(check(text));
        let root = parse(text).unwrap();
        let svc = &root.get("services").unwrap().items()[0];
        let at = |span: &Span| &text[span.clone()];
        assert_eq!(at(&svc.get("k").unwrap().span), "\"v\"");
        assert_eq!(
            at(&svc.entry("quoted key").unwrap().key_span),
            "\"quoted key\""
        );
        assert_eq!(at(&svc.entry("raw").unwrap().key_span), "#\"raw\"#");
        assert_eq!(at(&svc.get("raw").unwrap().span), "#true");
        assert_eq!(at(&svc.get("ports").unwrap().items()[1].span), "port 81");
        assert_eq!(at(&svc.get("runsIn").unwrap().items()[1].span), "\"c3\"");
    }

    /// A small spec that uses most of what a spec can: children, properties, lists, comments.
    const SPEC: &str = r#"// a mesh
mesh "m" {
    mtls "strict"; firewall "per-call"
}
cluster "c1" project="p" network="default" region="us-west1" \
    pod-cidr="10.0.0.0/14" node-tag="n1"
defaults timeout="5s" {
    retries attempts=2 per-try-timeout="2s" on="5xx"
}
service "a" namespace="ns" replicas=2 exposed=#true {
    port 8080 protocol="http"
    port 9090
    runs-in "c1" "c2"
    /- calls "x"
    circuit-breaker consecutive-5xx=3 interval="5s" max-ejection-percent=100
    calls "b" timeout="1s" retries=0
}
"#;

    const PIECES: &[&str] = &[
        "{",
        "}",
        ";",
        "\n",
        "\r\n",
        " ",
        "\t",
        "\\",
        "/-",
        "/*",
        "*/",
        "//",
        "\"",
        "\"\"\"",
        "#",
        "#\"",
        "\"#",
        "=",
        "(t)",
        "(",
        ")",
        "1",
        "-1",
        "0x1F",
        "1.5",
        "1e3",
        "1_0",
        "#true",
        "#null",
        "#inf",
        "#nan",
        "99999999999999999999",
        "\u{a0}",
        "\u{2028}",
        "\u{feff}",
        "é",
        "x",
        "port",
        "service",
        "calls",
        "runs-in",
        "mesh",
        " k=1",
        "mtls",
        "\\u{41}",
        "\\n",
    ];

    fn bases() -> Vec<String> {
        vec![SPEC.to_string(), to_kdl(&generate(&Params::new(3, 2)))]
    }

    /// A valid spec with a few random edits.
    fn mutated() -> impl Strategy<Value = String> {
        let edits = prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                0..3u8,
                prop::sample::select(PIECES),
            ),
            1..6,
        );
        (prop::sample::select(bases()), edits).prop_map(|(mut text, edits)| {
            for (at, op, piece) in edits {
                let start = floor_char(&text, at.index(text.len() + 1));
                let end = floor_char(&text, (start + piece.len()).min(text.len()));
                match op {
                    0 => text.insert_str(start, piece),
                    1 => text.replace_range(start..end, ""),
                    _ => text.replace_range(start..end, piece),
                }
            }
            text
        })
    }

    fn floor_char(text: &str, mut i: usize) -> usize {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    }

    const NAMES: &[&str] = &[
        "mesh",
        "cluster",
        "service",
        "port",
        "calls",
        "runs-in",
        "allow",
        "timeout",
        "retries",
        "mtls",
        "x",
        "a-b",
        "consecutive-5xx",
        "\"quoted name\"",
        "#\"raw\"#",
        "\"e\\\"q\"",
        "(t)n",
        "n.1",
        "-n",
        "\u{e9}t\u{e9}",
        "\"\"\"\n  ml\n  \"\"\"",
        "a\u{200b}b",
        "\"\"",
    ];
    const KEYS: &[&str] = &[
        "k",
        "name",
        "port",
        "timeout",
        "per-try-timeout",
        "\"quoted key\"",
        "#\"raw\"#",
        "\"e\\\"q\"",
        "k2",
        "#\"a\"b\"#",
    ];
    const EQUALS: &[&str] = &["=", " = ", "=\\\n", "= /* c */ "];
    const VALUES: &[&str] = &[
        "\"s\"",
        "\"\"",
        "1",
        "-2",
        "0x10",
        "-0x1f",
        "0o17",
        "0b101",
        "1.5",
        "1e3",
        "-1.5E-3",
        "1_000",
        "+3",
        "-0.0",
        "#true",
        "#false",
        "#null",
        "#inf",
        "#-inf",
        "#nan",
        "bare",
        "#\"raw\"#",
        "##\"r\"#\"##",
        "\"e\\n\\t\\u{1F600}\"",
        "\"\"\"\n  a\n   b\n  \"\"\"",
        "#\"\"\"\n  raw\n  \"\"\"#",
        "\"a\\   b\"",
        "99999999999999999999",
        "(t)1",
        "\"\u{e9}\u{4e2d}\"",
    ];
    const GAPS: &[&str] = &[
        " ",
        "  ",
        "\t",
        " /* c */ ",
        " \\\n  ",
        " \\ // c\n ",
        "\u{a0}",
        "\u{3000}",
        "/**/",
        " \\\r\n",
        " /* a /* b */ c */ ",
    ];
    const LEADS: &[&str] = &[
        "", "\n", "  ", "/* c */ ", "// c\n", "/- x 1\n", "\r\n", "\u{feff}",
    ];
    const TAILS: &[&str] = &[
        "", " ", "  // c", " /* c */", " \\\n", "\t", "\u{a0}", " //",
    ];
    const ENDS: &[&str] = &[
        "\n", ";", "\r\n", "\n\n", "; ", "\r", "\u{85}", "\u{2028}", "\x0c", ";\n",
    ];

    fn entry() -> impl Strategy<Value = String> {
        let key = prop::option::of((prop::sample::select(KEYS), prop::sample::select(EQUALS)));
        (
            prop::sample::select(GAPS),
            prop::bool::weighted(0.1),
            key,
            prop::sample::select(VALUES),
        )
            .prop_map(|(gap, slashdash, key, value)| {
                let key = key.map(|(k, eq)| format!("{k}{eq}")).unwrap_or_default();
                format!("{gap}{}{key}{value}", if slashdash { "/-" } else { "" })
            })
    }

    fn nodes(children: BoxedStrategy<String>) -> impl Strategy<Value = String> {
        let node = (
            prop::sample::select(LEADS),
            prop::sample::select(NAMES),
            prop::collection::vec(entry(), 0..4),
            prop::option::weighted(0.3, (0..3u8, children)),
            prop::sample::select(TAILS),
            prop::sample::select(ENDS),
        )
            .prop_map(|(lead, name, entries, children, tail, end)| {
                let children = match children {
                    Some((0, doc)) => format!(" {{\n{doc}}}"),
                    Some((1, doc)) => format!(" {{{doc}}}"),
                    Some((_, doc)) => format!(" /-{{{doc}}} {{ x 1 }}"),
                    None => String::new(),
                };
                format!("{lead}{name}{}{children}{tail}{end}", entries.concat())
            });
        prop::collection::vec(node, 0..5).prop_map(|nodes| nodes.concat())
    }

    /// KDL documents built from the grammar, with every kind of token, gap and comment.
    fn documents() -> impl Strategy<Value = String> {
        nodes(Just(String::new()).boxed()).prop_recursive(3, 40, 5, |inner| nodes(inner.boxed()))
    }

    proptest! {
        #[test]
        fn random_text_never_panics_and_both_paths_agree(
            text in prop_oneof![
                any::<String>(),
                prop::collection::vec(any::<u8>(), 0..300)
                    .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
            ]
        ) {
            check(&text);
        }

        #[test]
        fn mutated_specs_never_panic_and_both_paths_agree(text in mutated()) {
            check(&text);
        }

        #[test]
        fn generated_documents_never_panic_and_both_paths_agree(text in documents()) {
            check(&text);
        }
    }
}
