use crate::check::rule::{Check, rule};

rule! {
    /// The spec is not valid KDL or YAML, or is empty, too large or too deeply nested.
    ///
    /// ## What it does
    /// Reports text that the KDL or YAML reader cannot read: a missing brace or quote, a tab
    /// where YAML wants spaces, a duplicate key, an alias to nothing. It also refuses input that
    /// is not a spec at all: an empty file, a file over 8 MiB, nesting deeper than 64 levels,
    /// or YAML aliases that expand to more than four million nodes.
    ///
    /// ## Why is this bad?
    /// meshc cannot know what the spec means; nothing is checked or built.
    ///
    /// ## Example
    /// ```kdl
    /// service "sample-caller" {
    ///     port 8080
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// service "sample-caller" {
    ///     port 8080
    /// }
    /// ```
    "M0001" "syntax-error" Error Check::Frontend
}
