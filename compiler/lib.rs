//! meshc: a compiler and linter for multi-cluster service meshes.
//!
//! The phases, in order (see ARCHITECTURE.md): [`syntax`] parses, [`spec`] lowers, [`check`]
//! diagnoses, [`plan`] decides what each cluster holds, [`emit`] renders typed objects, and
//! [`verify`] proves the result. [`driver`] strings them together for the CLI.

pub mod check;
pub mod commands;
pub mod diagnostics;
pub mod driver;
pub mod emit;
pub mod output;
pub mod plan;
pub mod spec;
pub mod syntax;
pub mod synth;
pub mod verify;
