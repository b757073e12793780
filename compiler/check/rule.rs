//! What a rule is: a code, a name, a default severity, its documentation and its check.

use super::Context;
use crate::diagnostics::{Diagnostic, Severity};

/// Where a rule's findings come from.
#[derive(Clone, Copy)]
pub enum Check {
    /// Reported while the spec is read (parse, schema, lower): the rule documents it.
    Frontend,
    /// A check over the lowered model.
    Model(fn(&Context, &mut Vec<Diagnostic>)),
}

pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// The rule's page, from its doc comment; the first line is its summary.
    pub doc: &'static str,
    pub check: Check,
}

impl Rule {
    pub fn summary(&self) -> &'static str {
        self.doc.lines().next().unwrap_or("").trim()
    }

    /// A diagnostic of this rule, at its default severity.
    pub fn diag(&'static self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.code, self.name, self.severity, message)
    }
}

/// Declare a rule; its doc comment is its `meshc explain` page.
macro_rules! rule {
    ($(#[doc = $doc:literal])* $code:literal $name:literal $severity:ident $check:expr) => {
        pub static RULE: $crate::check::rule::Rule = $crate::check::rule::Rule {
            code: $code,
            name: $name,
            severity: $crate::diagnostics::Severity::$severity,
            doc: concat!($($doc, "\n"),*),
            check: $check,
        };
    };
}
pub(crate) use rule;
