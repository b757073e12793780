//! meshc: a compiler and linter for multi-cluster service meshes.

pub mod diagnostics;
pub mod syntax;
