//! Human output: miette's graphical report, one per diagnostic, and a summary line.

use super::Source;
use super::{Diagnostic, Severity};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

/// miette's view of a meshc diagnostic.
struct View<'a> {
    d: &'a Diagnostic,
    code: String,
    help: Option<String>,
    source: Option<Named<'a>>,
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Without a span there is no snippet to name the file: say it in the message.
        match (&self.d.source, &self.d.primary) {
            (Some(source), None) => write!(f, "{}: {}", source.name, self.d.message),
            _ => f.write_str(&self.d.message),
        }
    }
}

impl std::error::Error for View<'_> {}

impl miette::Diagnostic for View<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let primary = self
            .d
            .primary
            .iter()
            .map(|l| LabeledSpan::new_primary_with_span(Some(l.text.clone()), l.span.clone()));
        let related = self
            .d
            .related
            .iter()
            .map(|l| LabeledSpan::new_with_span(Some(l.text.clone()), l.span.clone()));
        Some(Box::new(primary.chain(related)))
    }
}

/// A source with its file name, borrowed (miette's `NamedSource` wants to own it).
struct Named<'a>(&'a Source);

impl SourceCode for Named<'_> {
    /// miette reads a span by scanning from the start of the text; on a large spec with many
    /// findings that is quadratic. Hand it a window that starts a few lines before the span,
    /// found with the source's line index, and shift the result back.
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let source = self.0;
        let (line, _) = source.line_col(span.offset());
        let first_line = (line - 1).saturating_sub(context_lines_before);
        let window_start = source.line_start(first_line);
        let window = &source.text[window_start..];
        let local = SourceSpan::new((span.offset() - window_start).into(), span.len());
        let inner = window.read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            source.name.clone(),
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + window_start).into(),
                inner.span().len(),
            ),
            inner.line() + first_line,
            inner.column(),
            inner.line_count() + first_line,
        )))
    }
}

/// Render diagnostics as miette reports; `color` picks the coloured unicode theme.
pub fn render(diagnostics: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for d in diagnostics {
        let help = match (&d.help, &d.fix) {
            (Some(h), Some(f)) if !h.contains(&f.message) => {
                Some(format!("{h}\nfix: {}", f.message))
            }
            (Some(h), _) => Some(h.clone()),
            (None, Some(f)) => Some(format!("fix: {}", f.message)),
            (None, None) => None,
        };
        let view = View {
            d,
            code: format!("{} {}", d.code, d.name),
            help,
            source: d
                .source
                .as_ref()
                .filter(|_| d.primary.is_some())
                .map(|s| Named(s)),
        };
        if handler.render_report(&mut out, &view).is_err() {
            out.push_str(&format!("{}: {}\n", d.severity.as_str(), d.message));
        }
        out.push('\n');
    }
    out.push_str(&summary(diagnostics));
    out.push('\n');
    out
}

/// `2 errors, 1 warning` or `no problems found`.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let mut parts = Vec::new();
    for (sev, one, many) in [
        (Severity::Error, "error", "errors"),
        (Severity::Warning, "warning", "warnings"),
        (Severity::Info, "info", "infos"),
    ] {
        match count(sev) {
            0 => {}
            1 => parts.push(format!("1 {one}")),
            n => parts.push(format!("{n} {many}")),
        }
    }
    if parts.is_empty() {
        "no problems found".to_string()
    } else {
        parts.join(", ")
    }
}
