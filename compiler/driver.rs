//! The phases in order: read → parse → lower → check → plan → emit → verify.

use crate::check;
use crate::check::rules::{internal_error, syntax_error};
use crate::diagnostics::{self, Diagnostic, Source};
use crate::emit::{self, Files};
use crate::plan;
use crate::spec::{self, Spec};
use crate::syntax::{self, Syntax};
use crate::verify;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// A spec read from disk (or given in memory), with its syntax.
pub struct Input {
    pub source: Arc<Source>,
    pub syntax: Syntax,
}

/// Why meshc could not run at all (exit status 2), as opposed to finding problems (1).
#[derive(Debug)]
pub struct Fatal(pub String);

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Input {
    pub fn new(name: &str, text: &str, syntax: Syntax) -> Self {
        Input {
            source: Source::new(name, text),
            syntax,
        }
    }

    /// Read a spec file. Bytes that are not UTF-8 become a diagnostic, not a failure to run.
    pub fn read(path: &Path) -> Result<Result<Input, Diagnostic>, Fatal> {
        let name = path.display().to_string();
        let syntax = syntax::syntax_for(&name).ok_or_else(|| {
            Fatal(format!(
                "{name}: cannot tell the syntax from the file name; use .kdl, .yaml or .yml"
            ))
        })?;
        let file = std::fs::File::open(path).map_err(|e| Fatal(format!("{name}: {e}")))?;
        let file_size = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        let mut bytes = Vec::new();
        // Read one byte past the limit to know whether the file exceeds it, without reading it all.
        file.take(syntax::MAX_SOURCE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Fatal(format!("{name}: {e}")))?;
        if bytes.len() > syntax::MAX_SOURCE_BYTES {
            // Only the first bytes were read: the size, when the file system knows it, comes
            // from the metadata (a pipe or a device has none worth quoting).
            let size = file_size.filter(|&n| n > syntax::MAX_SOURCE_BYTES as u64);
            return Ok(Err(
                syntax::input_too_large(size).in_source(&Source::new(name, ""))
            ));
        }
        Ok(match String::from_utf8(bytes) {
            Ok(text) => Ok(Input {
                source: Source::new(name, text),
                syntax,
            }),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let start = lossy
                    .char_indices()
                    .nth(lossy[..at].chars().count())
                    .map_or(at, |(i, _)| i);
                Err(syntax_error::RULE
                    .diag(format!(
                        "the file is not UTF-8 text (invalid byte at offset {at})"
                    ))
                    // The byte became U+FFFD in the lossy text: the label covers all of it.
                    .at(
                        start..start + char::REPLACEMENT_CHARACTER.len_utf8(),
                        "not UTF-8",
                    )
                    .help("save the spec as UTF-8")
                    .in_source(&Source::new(name, lossy)))
            }
        })
    }
}

/// The result of reading and checking a spec.
pub struct Checked {
    /// The model, when the spec could be read into one.
    pub spec: Option<Spec>,
    /// Every finding, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        diagnostics::has_errors(&self.diagnostics)
    }
}

/// Parse, lower and check a spec: everything `lint` does.
pub fn check(input: &Input) -> Checked {
    let doc = match syntax::parse(&input.source, input.syntax) {
        Ok(doc) => doc,
        Err(diagnostics) => {
            return Checked {
                spec: None,
                diagnostics,
            };
        }
    };
    let (spec, mut diagnostics) = spec::lower(&input.source, &doc);
    if let Some(spec) = &spec {
        diagnostics.extend(check::check(spec));
    }
    diagnostics::sort(&mut diagnostics);
    Checked { spec, diagnostics }
}

/// Plan, emit and verify a spec that checked without errors. A verification failure is a
/// meshc bug: it comes back as internal-error diagnostics and nothing is to be written.
pub fn compile(spec: &Spec) -> Result<Files, Vec<Diagnostic>> {
    let plan = plan::plan(spec);
    let files = emit::emit(&plan);
    let problems = verify::verify_files(&files);
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems
            .into_iter()
            .map(|p| {
                internal_error::RULE
                    .diag(format!("meshc's output failed verification: {p}"))
                    .help("this is a bug in meshc: please report it with the spec")
            })
            .collect())
    }
}
