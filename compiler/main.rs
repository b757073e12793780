//! The `meshc` binary: flags in, library calls, output out.

use clap::{Parser, Subcommand, ValueEnum};
use meshc::commands::{self, BuildOptions, Format, Outcome, Render};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// A compiler and linter for multi-cluster Istio / Anthos Service Mesh topologies.
///
/// One spec (KDL or YAML) describes the mesh: its clusters, services and the calls between
/// them. meshc checks it and writes, for every cluster, the Kubernetes and Istio objects it
/// needs, plus the GCP firewall rules between clusters.
#[derive(Parser)]
#[command(
    name = "meshc",
    version,
    after_help = "\
Examples:
  meshc lint examples/seed/mesh.kdl
  meshc build examples/seed/mesh.kdl -o deploy/
  meshc build examples/seed/mesh.kdl -o deploy/ --check
  meshc verify deploy/
  meshc explain M0301"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a spec and report problems (exit 0 clean, 1 errors, 2 could not run).
    Lint {
        /// The specs: .kdl, .yaml or .yml files.
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        #[command(flatten)]
        output: OutputFlags,
        /// Treat warnings as errors (`--deny warnings`).
        #[arg(long, value_name = "LEVEL", value_parser = ["warnings"])]
        deny: Option<String>,
    },
    /// Write every cluster's manifests and the firewall rules into OUT.
    Build {
        /// The spec: a .kdl, .yaml or .yml file.
        spec: PathBuf,
        /// The output folder, owned by meshc (one folder per cluster, plus firewall/).
        #[arg(short, long, value_name = "OUT")]
        out: PathBuf,
        /// Write nothing; print the diff to OUT and exit 1 if OUT is out of date.
        #[arg(long)]
        check: bool,
        /// Write into an OUT that holds files meshc did not write (they are kept).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        output: OutputFlags,
    },
    /// Check manifests (one folder per cluster): hosts resolve, principals exist, firewall covers calls.
    Verify {
        /// A folder with one sub-folder of YAML manifests per cluster.
        dir: PathBuf,
        #[command(flatten)]
        output: OutputFlags,
    },
    /// Print the JSON Schema of the YAML spec.
    Schema,
    /// List the lint rules.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// A code (M0301) or name (unresolved-host).
        code: String,
    },
}

#[derive(clap::Args)]
struct OutputFlags {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Json,
    Sarif,
}

impl OutputFlags {
    fn render(&self) -> Render {
        let format = match self.format {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
        };
        let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stderr().is_terminal();
        Render { format, color }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome: Outcome = match cli.command {
        Command::Lint {
            specs,
            output,
            deny,
        } => commands::lint_all(&specs, &output.render(), deny.is_some()),
        Command::Build {
            spec,
            out,
            check,
            force,
            output,
        } => commands::build(&BuildOptions {
            spec,
            out,
            check,
            force,
            render: output.render(),
        }),
        Command::Verify { dir, output } => commands::verify(&dir, &output.render()),
        Command::Schema => commands::schema(),
        Command::Rules => commands::rules(),
        Command::Explain { code } => commands::explain(&code),
    };
    // A closed pipe (`meshc rules | head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(outcome.stdout.as_bytes());
    let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
    ExitCode::from(outcome.status)
}
