//! The diagnostic type every phase reports with, and its renderers.
//!
//! A diagnostic is data: a stable code, a severity, a message, a primary span in a source file,
//! related spans, a help line and, where the change is mechanical, a fix. Rendering (miette's
//! graphical report, JSON, SARIF) is separate and lives in the submodules.

pub mod human;
pub mod json;
pub mod sarif;

use std::ops::Range;
use std::sync::Arc;

/// A byte range in a source text.
pub type Span = Range<usize>;

/// A named source text (a spec, or a manifest the verifier read).
#[derive(Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Arc::new(Source {
            name: name.into(),
            text,
            line_starts,
        })
    }

    /// The byte offset where a 0-based line starts (the end of the text past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A span with the text that says what is at that place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// A mechanical fix: replace each span with its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    pub edits: Vec<(Span, String)>,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The file the spans point into; `None` for diagnostics about no place (I/O, internal).
    pub source: Option<Arc<Source>>,
    pub primary: Option<Label>,
    pub related: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(
        code: &'static str,
        name: &'static str,
        severity: Severity,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            name,
            severity,
            message: message.into(),
            source: None,
            primary: None,
            related: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some(Label {
            span,
            text: label.into(),
        });
        self
    }

    pub fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push(Label {
            span,
            text: label.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn fix(mut self, message: impl Into<String>, edits: Vec<(Span, String)>) -> Self {
        self.fix = Some(Fix {
            message: message.into(),
            edits,
        });
        self
    }

    pub fn in_source(mut self, source: &Arc<Source>) -> Self {
        if self.source.is_none() {
            self.source = Some(Arc::clone(source));
        }
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Line and column (1-based) of the primary span's start and end, if it has one.
    pub fn region(&self) -> Option<Region> {
        let (source, label) = (self.source.as_ref()?, self.primary.as_ref()?);
        let (line, column) = source.line_col(label.span.start);
        let (end_line, end_column) = source.line_col(label.span.end);
        Some(Region {
            file: source.name.clone(),
            line,
            column,
            end_line,
            end_column,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// The diagnostics of one run, in a stable order (by file, position, then code).
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (
                d.source.as_ref().map(|s| s.name.clone()),
                d.primary.as_ref().map(|l| (l.span.start, l.span.end)),
                d.code,
                d.message.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
}

pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// The closest candidate to `word` by edit distance, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let len = word.chars().count();
    // A typo of a name or key is short; a longer word is no typo to correct, and comparing it
    // costs its length squared per candidate.
    if len > MAX_SUGGESTION_LEN {
        return None;
    }
    let limit = (len / 3).max(1);
    candidates
        .into_iter()
        // The distance is at least the difference in length: skip what cannot be close.
        .filter(|c| c.chars().count().abs_diff(len) <= limit)
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// The longest word meshc looks for a near miss of (names are at most 63 characters).
const MAX_SUGGESTION_LEN: usize = 128;

/// Edit distance counting a swap of two neighbouring characters as one edit (optimal string
/// alignment): `eats` is one edit from `east`, as a typist would count it.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let s = Source::new("x", "ab\né c\n");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(3), (2, 1));
        assert_eq!(s.line_col(6), (2, 3));
        assert_eq!(s.line_col(100), (3, 1));
    }

    #[test]
    fn suggests_near_misses_only() {
        let names = ["sample-producer", "sample-caller"];
        assert_eq!(
            did_you_mean("sample-prodcuer", names),
            Some("sample-producer")
        );
        assert_eq!(did_you_mean("billing", names), None);
        assert_eq!(did_you_mean("eats", ["east", "west"]), Some("east"));
        let huge = "k".repeat(1_000_000);
        assert_eq!(
            did_you_mean(&huge, [huge.as_str()]),
            None,
            "no n² comparison of a huge word"
        );
    }
}
