//! The `boardpack` command line: parses arguments, calls the library, prints.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use boardpack::{BuildOptions, ErrorKind};
use clap::{Parser, Subcommand};

/// Reproducible board papers: one TOML spec → a PDF board paper and an
/// editable Word executive summary, every figure computed from data.
#[derive(Debug, Parser)]
#[command(name = "boardpack", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the PDF and DOCX of a report into its output folder.
    Build(BuildArgs),
    /// Validate spec, data, templates and layout; write nothing.
    Check(BuildArgs),
}

#[derive(Debug, clap::Args)]
struct BuildArgs {
    /// The report spec, e.g. `reports/needs-assessment/report.toml`.
    spec: PathBuf,
    /// Override a parameter declared in the spec (repeatable), e.g.
    /// `--set period=2020/21`.
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = boardpack::params::parse_assignment)]
    set: Vec<(String, String)>,
    /// Output folder (default: the spec's `out_dir`, or `out/` beside the spec).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Fail instead of warning, e.g. when a template compares with a period
    /// that has no data.
    #[arg(long)]
    strict: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A panic is a bug, never the user's fault: report it as one, exit 2.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error: {info}");
        eprintln!("  = hint: this is a bug in boardpack; please report it with the spec and data that trigger it");
    }));
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprint!("{}", e.render());
            match e.kind() {
                ErrorKind::Usage => ExitCode::from(2),
                _ => ExitCode::from(1),
            }
        }
        Err(_) => ExitCode::from(2),
    }
}

fn run(cli: Cli) -> boardpack::Result<()> {
    let (args, write) = match cli.command {
        Command::Build(a) => (a, true),
        Command::Check(a) => (a, false),
    };
    let options = BuildOptions {
        spec: args.spec,
        overrides: args.set,
        out_dir: args.out,
        source_date_epoch: source_date_epoch()?,
        strict: args.strict,
    };
    let build = boardpack::build(&options)?;
    print_warnings(&build.warnings);
    // Output is a courtesy: a closed pipe (`| head`) must not fail the build.
    let mut out = std::io::stdout().lock();
    if write {
        for path in build.write()? {
            let _ = writeln!(out, "wrote {}", boardpack::error::display_path(&path));
        }
    } else {
        let c = &build.computed;
        let _ = writeln!(
            out,
            "ok: {} figures, {} tables, spec, data, templates and layout are valid",
            c.figures.len(),
            c.tables.len()
        );
    }
    Ok(())
}

fn print_warnings(warnings: &[String]) {
    for w in warnings {
        let w = w.strip_prefix("warning: ").unwrap_or(w);
        eprintln!("warning: {}", w.trim_end());
    }
}

/// Reads `SOURCE_DATE_EPOCH` (reproducible-builds.org) if set.
fn source_date_epoch() -> boardpack::Result<Option<i64>> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v.trim().parse().map(Some).map_err(|_| {
            boardpack::Error::new(
                ErrorKind::Usage,
                format!("`SOURCE_DATE_EPOCH` is not a number: `{v}`"),
            )
            .with_hint("set it to whole seconds since 1970-01-01, or unset it")
        }),
        Err(_) => Ok(None),
    }
}
