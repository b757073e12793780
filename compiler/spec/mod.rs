//! Lower: syntax tree → the typed spec model.
//!
//! [`lower`] validates the tree against the JSON Schema (`schema/meshc.schema.json`), then reads
//! it into [`model::Spec`], parsing values (names, durations, CIDRs) on the way. Every model node
//! keeps its span. Nothing after this module knows whether the spec was KDL or YAML, except for
//! spelling a key back in the user's syntax inside a message.

pub mod lower;
pub mod model;
pub mod schema;
pub mod values;

pub use lower::lower;
pub use model::*;
