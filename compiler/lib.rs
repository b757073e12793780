//! meshc: a compiler and linter for multi-cluster service meshes.
//!
//! The phases, in order (see ARCHITECTURE.md): [`syntax`] parses, [`spec`] lowers, [`check`]
//! diagnoses, [`plan`] decides what each cluster holds, [`emit`] renders typed objects, and
//! [`verify`] proves the result. [`driver`] strings them together for the CLI.

// A `Diagnostic` is meshc's product, not an exceptional path: returning one by value keeps
// every phase's code plain, and no hot loop returns them.
#![allow(clippy::result_large_err)]

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
