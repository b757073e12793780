//! Parse: source text → a syntax tree with spans.
//!
//! Both front-ends produce the same [`tree::Node`] shape (the YAML form of the spec), so that
//! schema validation and lowering are written once. KDL's nodes, arguments and properties are
//! mapped onto that shape by [`kdl`]; YAML is read event by event by [`yaml`], with limits.

pub mod kdl;
pub mod tree;
pub mod yaml;

use crate::diagnostics::{Diagnostic, Severity, Source, Span};
use std::sync::Arc;
pub use tree::{Document, Node, Syntax, Value};

/// Inputs larger than this are refused before parsing: a spec is hand-written text.
pub const MAX_SOURCE_BYTES: usize = 8 * 1024 * 1024;
/// Deepest nesting accepted in either syntax (the spec itself needs five levels).
pub const MAX_DEPTH: usize = 64;

/// Which syntax a file is written in, by its extension (`.kdl`, `.yaml`/`.yml`).
pub fn syntax_for(path: &str) -> Option<Syntax> {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    match ext.as_str() {
        "kdl" => Some(Syntax::Kdl),
        "yaml" | "yml" => Some(Syntax::Yaml),
        _ => None,
    }
}

/// Parse a spec source into a syntax tree.
pub fn parse(source: &Arc<Source>, syntax: Syntax) -> Result<Document, Vec<Diagnostic>> {
    if source.text.len() > MAX_SOURCE_BYTES {
        return Err(vec![
            input_too_large(u64::try_from(source.text.len()).ok()).in_source(source),
        ]);
    }
    if source.text.trim().is_empty() {
        return Err(vec![
            Diagnostic::new(
                "M0001",
                "syntax-error",
                Severity::Error,
                "the spec is empty",
            )
            .at(0..0, "nothing here")
            .help("a spec needs at least a `mesh`, a `cluster` and a `service`")
            .in_source(source),
        ]);
    }
    let root = match syntax {
        Syntax::Kdl => kdl::parse(&source.text),
        Syntax::Yaml => yaml::parse_one(&source.text),
    }
    .map_err(|ds| {
        ds.into_iter()
            .map(|d| d.in_source(source))
            .collect::<Vec<_>>()
    })?;
    Ok(Document { root, syntax })
}

/// The finding for an input over [`MAX_SOURCE_BYTES`]; `len` is its size, when known (a pipe's
/// is not, and meshc never reads more than one byte past the limit to learn it).
pub fn input_too_large(len: Option<u64>) -> Diagnostic {
    let size = match len {
        Some(len) => format!("the file is {len} bytes"),
        None => format!("the file is larger than {MAX_SOURCE_BYTES} bytes"),
    };
    Diagnostic::new(
        "M0001",
        "syntax-error",
        Severity::Error,
        format!("{size}; meshc reads at most {MAX_SOURCE_BYTES} bytes"),
    )
    .help("split the file, or check that this is the file you meant")
}

pub(crate) fn syntax_error(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new("M0001", "syntax-error", Severity::Error, message).at(span, "here")
}
