//! The subcommands, as library functions: each takes its options and returns what to print
//! and the exit status. `main.rs` only parses flags and prints.

use crate::check::registry::{self, RULES};
use crate::diagnostics::{self, Diagnostic, Severity};
use crate::driver::{self, Fatal, Input};
use crate::output;
use crate::spec::schema::SCHEMA;
use std::path::{Path, PathBuf};

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
    Sarif,
}

/// What a command prints and how it exits: 0 clean, 1 problems found, 2 could not run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub status: u8,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    fn fatal(e: Fatal) -> Self {
        Outcome {
            status: 2,
            stderr: format!("error: {e}\n"),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Render {
    pub format: Format,
    pub color: bool,
}

impl Render {
    /// Diagnostics in the chosen format; human reports go to stderr, machine formats to stdout.
    fn put(&self, diagnostics: &[Diagnostic], out: &mut Outcome) {
        match self.format {
            Format::Human => {
                if !diagnostics.is_empty() {
                    out.stderr
                        .push_str(&diagnostics::human::render(diagnostics, self.color));
                }
            }
            Format::Json => out.stdout.push_str(&diagnostics::json::render(diagnostics)),
            Format::Sarif => out
                .stdout
                .push_str(&diagnostics::sarif::render(diagnostics)),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    pub spec: PathBuf,
    pub render: Render,
    /// `--deny warnings`: warnings fail the run like errors.
    pub deny_warnings: bool,
}

fn read(spec: &Path) -> Result<Result<Input, Diagnostic>, Fatal> {
    Input::read(spec)
}

/// `meshc lint SPEC`.
pub fn lint(opts: &LintOptions) -> Outcome {
    lint_all(
        std::slice::from_ref(&opts.spec),
        &opts.render,
        opts.deny_warnings,
    )
}

/// `meshc lint SPEC...`: every spec's findings in one report (pre-commit passes several).
pub fn lint_all(specs: &[PathBuf], render: &Render, deny_warnings: bool) -> Outcome {
    let mut out = Outcome::default();
    let mut all = Vec::new();
    let mut clean = Vec::new();
    for spec in specs {
        let diagnostics = match read(spec) {
            Err(e) => return Outcome::fatal(e),
            Ok(Err(d)) => vec![d],
            Ok(Ok(input)) => driver::check(&input).diagnostics,
        };
        if diagnostics.is_empty() {
            clean.push(spec);
        }
        all.extend(diagnostics.into_iter().map(|d| {
            if deny_warnings && d.severity == Severity::Warning {
                d.with_severity(Severity::Error)
            } else {
                d
            }
        }));
    }
    render.put(&all, &mut out);
    if render.format == Format::Human {
        for spec in clean {
            out.stderr
                .push_str(&format!("{}: no problems found\n", spec.display()));
        }
    }
    out.status = u8::from(diagnostics::has_errors(&all));
    out
}

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub spec: PathBuf,
    pub out: PathBuf,
    pub check: bool,
    pub force: bool,
    pub render: Render,
}

/// `meshc build SPEC -o OUT [--check]`.
pub fn build(opts: &BuildOptions) -> Outcome {
    let mut out = Outcome::default();
    let input = match read(&opts.spec) {
        Err(e) => return Outcome::fatal(e),
        Ok(Err(d)) => {
            opts.render.put(&[d], &mut out);
            out.status = 1;
            return out;
        }
        Ok(Ok(input)) => input,
    };
    let checked = driver::check(&input);
    let spec = match (&checked.spec, checked.has_errors()) {
        (Some(spec), false) => spec,
        _ => {
            opts.render.put(&checked.diagnostics, &mut out);
            out.status = 1;
            return out;
        }
    };
    let files = match driver::compile(spec) {
        Ok(files) => files,
        Err(diagnostics) => {
            opts.render.put(&diagnostics, &mut out);
            out.status = 1;
            return out;
        }
    };
    // The spec checked without errors: what it found are warnings and infos, shown with the build.
    if opts.render.format != Format::Human || !checked.diagnostics.is_empty() {
        opts.render.put(&checked.diagnostics, &mut out);
    }
    if opts.check {
        match output::diff(&opts.out, &files) {
            Err(e) => return Outcome::fatal(e),
            Ok(None) => out
                .stderr
                .push_str(&format!("{} is up to date\n", opts.out.display())),
            Ok(Some(diff)) => {
                out.stdout.push_str(&diff);
                out.stderr.push_str(&format!(
                    "{} is out of date: run `meshc build {} -o {}`\n",
                    opts.out.display(),
                    opts.spec.display(),
                    opts.out.display()
                ));
                out.status = 1;
            }
        }
        return out;
    }
    match output::write(&opts.out, &files, opts.force) {
        Err(e) => Outcome::fatal(e),
        Ok(report) => {
            let clusters = input_clusters(&files);
            out.stderr.push_str(&format!(
                "wrote {} ({} clusters, {} files: {} written, {} unchanged, {} removed)\n",
                opts.out.display(),
                clusters,
                files.len(),
                report.written,
                report.unchanged,
                report.removed
            ));
            out
        }
    }
}

fn input_clusters(files: &crate::emit::Files) -> usize {
    let mut dirs: Vec<&str> = files
        .keys()
        .filter_map(|k| k.split_once('/').map(|(d, _)| d))
        .filter(|d| *d != "firewall")
        .collect();
    dirs.dedup();
    dirs.len()
}

/// `meshc verify DIR`.
pub fn verify(dir: &Path, render: &Render) -> Outcome {
    let mut out = Outcome::default();
    match crate::verify::verify_dir(dir) {
        Err(e) => Outcome::fatal(e),
        Ok(diagnostics) => {
            let mut diagnostics = diagnostics;
            diagnostics::sort(&mut diagnostics);
            render.put(&diagnostics, &mut out);
            if render.format == Format::Human && diagnostics.is_empty() {
                out.stderr.push_str(&format!(
                    "{}: every host resolves, every principal exists\n",
                    dir.display()
                ));
            }
            out.status = u8::from(diagnostics::has_errors(&diagnostics));
            out
        }
    }
}

/// `meshc schema`.
pub fn schema() -> Outcome {
    Outcome {
        stdout: SCHEMA.to_string(),
        ..Default::default()
    }
}

/// `meshc rules`.
pub fn rules() -> Outcome {
    let mut stdout = String::new();
    for r in RULES {
        stdout.push_str(&format!(
            "{}  {:<28} {:<8} {}\n",
            r.code,
            r.name,
            r.severity.as_str(),
            r.summary()
        ));
    }
    Outcome {
        stdout,
        ..Default::default()
    }
}

/// `meshc explain CODE`.
pub fn explain(code: &str) -> Outcome {
    match registry::find(code) {
        Some(r) => Outcome {
            stdout: format!(
                "# {} {} ({})\n\n{}",
                r.code,
                r.name,
                r.severity.as_str(),
                r.doc
            ),
            ..Default::default()
        },
        None => Outcome {
            status: 2,
            stderr: format!("error: no rule `{code}`; `meshc rules` lists them\n"),
            ..Default::default()
        },
    }
}
