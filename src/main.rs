//! The `boardpack` command line: parses arguments, calls the library, prints.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use boardpack::display_path;
use boardpack::manifest::Manifest;
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
    Check(CheckArgs),
    /// Move the spec's period and date on a year, rewrite it (comments
    /// kept) and rebuild: next year's paper by one command.
    Refresh(RefreshArgs),
    /// Rebuild in memory and check inputs, figures, tables and outputs
    /// against a manifest; exit 0 only if everything matches.
    Verify(VerifyArgs),
    /// Compare two manifests (e.g. last year's paper and this year's).
    Diff(DiffArgs),
    /// Print a figure's (or table's) lineage from a manifest: query,
    /// parameters, views, inputs with hashes, checks and suppression.
    Explain(ExplainArgs),
    /// Create a new report folder that builds at once.
    Init(InitArgs),
    /// Build, then rebuild whenever a file the build read changes.
    Watch(WatchArgs),
}

#[derive(Debug, clap::Args)]
struct WatchArgs {
    #[command(flatten)]
    build: BuildArgs,
    /// Look at the files every 250 ms instead of waiting for the system's
    /// change events (for network drives, where events do not arrive).
    #[arg(long)]
    poll: bool,
}

#[derive(Debug, clap::Args)]
struct RefreshArgs {
    #[command(flatten)]
    build: BuildArgs,
    /// The new report date (default: the current one plus a year).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<jiff::civil::Date>,
    /// Show what would change; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Also write `NAME-redline.docx` beside the outputs: last year's paper
    /// against the new one as tracked changes (see `diff --docx`).
    #[arg(long)]
    redline: bool,
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// The manifest a build wrote, e.g. `reports/x/out/x.manifest.json`.
    manifest: PathBuf,
    /// The spec to rebuild (default: found above the manifest's folder).
    #[arg(long, value_name = "PATH")]
    spec: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct DiffArgs {
    /// The older manifest.
    a: PathBuf,
    /// The newer manifest.
    b: PathBuf,
    /// Write a Word redline instead: the newer paper's content as tracked
    /// changes against the older one's.
    #[arg(long)]
    docx: bool,
    /// Where `--docx` writes the redline (required with it).
    #[arg(short = 'o', long = "output", value_name = "PATH", requires = "docx")]
    output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct ExplainArgs {
    /// The manifest a build wrote, e.g. `reports/x/out/x.manifest.json`.
    manifest: PathBuf,
    /// The figure or table, as named in the spec (`[figures.NAME]`).
    figure: String,
}

#[derive(Debug, clap::Args)]
struct InitArgs {
    /// The new report's folder, e.g. `reports/my-paper` (must not exist).
    dir: PathBuf,
    /// The paper's title (default: the folder's name in words, each word's
    /// letters as typed: `PCP-performance` gives "PCP Performance").
    #[arg(long)]
    title: Option<String>,
}

/// `check`'s options: those of `build` that change what is checked (it
/// writes no output and uses no cache, so `--out` and `--no-cache` would
/// mean nothing).
#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// The report spec, e.g. `reports/needs-assessment/report.toml`.
    spec: PathBuf,
    /// Override a parameter declared in the spec (repeatable), e.g.
    /// `--set period=2020/21`.
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = boardpack::parse_assignment)]
    set: Vec<(String, String)>,
    /// Fail instead of warning, e.g. when a template compares with a period
    /// that has no data.
    #[arg(long)]
    strict: bool,
    /// Check every paper of the batch `[batch]` declares (e.g.
    /// `--for-each district`).
    #[arg(long, value_name = "PARAM", num_args = 0..=1, default_missing_value = "")]
    for_each: Option<String>,
    /// Print where the check's wall time went, stage by stage, to stderr.
    #[arg(long)]
    timings: bool,
}

impl From<CheckArgs> for BuildArgs {
    fn from(a: CheckArgs) -> BuildArgs {
        BuildArgs {
            spec: a.spec,
            set: a.set,
            out: None,
            strict: a.strict,
            for_each: a.for_each,
            no_cache: true,
            timings: a.timings,
        }
    }
}

#[derive(Debug, clap::Args)]
struct BuildArgs {
    /// The report spec, e.g. `reports/needs-assessment/report.toml`.
    spec: PathBuf,
    /// Override a parameter declared in the spec (repeatable), e.g.
    /// `--set period=2020/21`.
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = boardpack::parse_assignment)]
    set: Vec<(String, String)>,
    /// Output folder (default: the spec's `out_dir`, or `out/` beside the spec).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Fail instead of warning, e.g. when a template compares with a period
    /// that has no data.
    #[arg(long)]
    strict: bool,
    /// Build one paper per value of the param `[batch]` declares (e.g.
    /// `--for-each district`), in parallel, as one output set.
    #[arg(long, value_name = "PARAM", num_args = 0..=1, default_missing_value = "")]
    for_each: Option<String>,
    /// Compute everything afresh: neither read nor write the build cache
    /// (`OUT/.boardpack-cache/`). The outputs are the same either way.
    #[arg(long)]
    no_cache: bool,
    /// Print where the build's wall time went, stage by stage, to stderr
    /// (also `BOARDPACK_TIMINGS=1`); never into the outputs.
    #[arg(long)]
    timings: bool,
}

/// glibc's malloc gives threads that meet contention arenas of their own,
/// up to eight per core, and memory freed in one arena is not reused by a
/// thread allocating in another: Polars decodes and groups on its pool's
/// threads, boardpack splits and renders on others. Measured on two cores
/// (benches/RESULTS.md, 4 December): a rebuild from the cache at 10 M rows
/// peaked at 2.15–2.20 GB with the default and 1.76–1.78 GB with one arena
/// per core, a first build at 1.1 M rows at 353–409 MB against 318–344 MB,
/// in the same time. So one arena per core, before any thread starts; a
/// user's own `MALLOC_ARENA_MAX` (or `GLIBC_TUNABLES`) is left to glibc.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn one_malloc_arena_per_core() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some()
        || std::env::var_os("GLIBC_TUNABLES").is_some()
    {
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cores = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
    // SAFETY: sets one of malloc's parameters; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, cores);
    }
}

fn main() -> ExitCode {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    one_malloc_arena_per_core();
    let cli = Cli::parse();
    // A panic is a bug, never the user's fault: report it as one, exit 2.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error: {info}");
        eprintln!("  = hint: this is a bug in boardpack; please report it with the spec and data that trigger it");
    }));
    // `[limits] memory_mb`: stop a runaway build with an error (exit 1).
    boardpack::enforce_memory_limit();
    let started = std::time::Instant::now();
    let result = std::panic::catch_unwind(|| run(cli));
    // `--timings`: after the build and its messages, never into an output.
    eprint!(
        "{}",
        boardpack::timings_report(started.elapsed().as_secs_f64() * 1000.0)
    );
    match result {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprint!("{}", e.render());
            match e.kind() {
                ErrorKind::Usage | ErrorKind::Internal => ExitCode::from(2),
                _ => ExitCode::from(1),
            }
        }
        Err(_) => ExitCode::from(2),
    }
}

fn run(cli: Cli) -> boardpack::Result<ExitCode> {
    // Output is a courtesy: a closed pipe (`| head`) must not fail the build.
    let mut out = std::io::stdout().lock();
    let (args, write) = match cli.command {
        Command::Build(a) => (a, true),
        Command::Check(a) => (a.into(), false),
        Command::Refresh(a) => return run_refresh(a, &mut out),
        Command::Verify(a) => {
            let report = boardpack::verify::verify(&a.manifest, a.spec.as_deref())?;
            let _ = write!(out, "{}", report.render());
            return Ok(if report.ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            });
        }
        Command::Diff(a) if a.docx => return diff_docx(a, &mut out),
        Command::Diff(a) => {
            let (x, y) = (Manifest::read(&a.a)?, Manifest::read(&a.b)?);
            let _ = write!(out, "{}", boardpack::diff::diff(&x, &y));
            return Ok(ExitCode::SUCCESS);
        }
        Command::Explain(a) => {
            let manifest = Manifest::read(&a.manifest)?;
            let _ = write!(
                out,
                "{}",
                boardpack::explain::explain(&manifest, &a.figure)?
            );
            return Ok(ExitCode::SUCCESS);
        }
        Command::Init(a) => return run_init(a, &mut out),
        Command::Watch(a) => {
            let options = boardpack::watch::WatchOptions {
                build: build_options(a.build)?,
                poll: a.poll,
            };
            boardpack::watch::watch(&options, print_watch_event)?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    if let Some(param) = args.for_each.clone() {
        let mut options = build_options(args)?;
        options.cache &= write;
        let named = Some(param.as_str()).filter(|p| !p.is_empty());
        return run_batch(&options, named, write, &mut out);
    }
    let mut options = build_options(args)?;
    // `check` writes nothing, not even the cache.
    options.cache &= write;
    let build = boardpack::build(&options)?;
    print_warnings(build.warnings());
    print_notes(&build.notes());
    if write {
        for path in build.write()? {
            let _ = writeln!(out, "wrote {}", display_path(&path));
        }
    } else {
        print_check(&build, &mut out);
    }
    Ok(ExitCode::SUCCESS)
}

/// `refresh`: next year's paper, its summary and any redline printed,
/// then written unless it is a dry run.
fn run_refresh(a: RefreshArgs, out: &mut impl Write) -> boardpack::Result<ExitCode> {
    let options = boardpack::refresh::RefreshOptions {
        build: build_options(a.build)?,
        date: a.date,
        redline: a.redline,
    };
    let refreshed = boardpack::refresh::refresh(&options)?;
    print_warnings(refreshed.build.warnings());
    let _ = write!(out, "{}", refreshed.summary());
    if let Some((_, r)) = &refreshed.redline {
        let _ = write!(out, "{}", r.summary);
    }
    if a.dry_run {
        let _ = writeln!(out, "dry run: nothing written");
    } else {
        for path in refreshed.write()? {
            let _ = writeln!(out, "wrote {}", display_path(&path));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `init`: a new report, the files made and the next command printed.
fn run_init(a: InitArgs, out: &mut impl Write) -> boardpack::Result<ExitCode> {
    let made = boardpack::init::init(&a.dir, a.title.as_deref())?;
    for path in &made.files {
        let _ = writeln!(out, "created {}", display_path(path));
    }
    if a.title.is_none() {
        let _ = writeln!(
            out,
            "title: \"{}\" (change it in report.toml, or give --title)",
            made.title
        );
    }
    let spec = display_path(&a.dir.join("report.toml"));
    let _ = writeln!(out, "next: boardpack build {spec}");
    Ok(ExitCode::SUCCESS)
}

/// What `check` prints for a build that passed every check.
fn print_check(build: &boardpack::Build, out: &mut impl Write) {
    let c = build.computed();
    let doc = &build.rendered().document;
    let charts = boardpack::doc::flow(&doc.body)
        .into_iter()
        .chain(boardpack::doc::flow(&doc.summary))
        .filter(|b| matches!(b, boardpack::doc::Block::Figure(_)))
        .count();
    let _ = writeln!(
        out,
        "ok: {} figures, {} tables, spec, data, templates and layout are valid",
        c.figures.len(),
        c.tables.len()
    );
    let _ = writeln!(
        out,
        "accessible: PDF/UA-1 and PDF/A-3a export passed, {charts} chart(s) with alternative text, headings in order, no empty links or typed bullets"
    );
}

/// Builds a batch, prints one line per paper (and each failed paper's
/// error), writes the built ones; exit 1 if any failed.
fn run_batch(
    options: &BuildOptions,
    for_each: Option<&str>,
    write: bool,
    out: &mut impl Write,
) -> boardpack::Result<ExitCode> {
    let batch = boardpack::batch::build_batch(options, for_each)?;
    let width = batch
        .papers
        .iter()
        .map(|p| p.value.chars().count())
        .max()
        .unwrap_or(0);
    // Written first: a paper is reported built only once its files are.
    let written = if write { Some(batch.write()) } else { None };
    let stored = !matches!(written, Some(Err(_)));
    for paper in &batch.papers {
        match &paper.result {
            Ok(build) if stored => {
                print_warnings(build.warnings());
                print_notes(&build.notes());
                let first = build
                    .names()
                    .outputs
                    .first()
                    .map_or(build.names().manifest.as_str(), |(_, n)| n.as_str());
                let _ = writeln!(out, "built   {:width$}  {first}", paper.value);
            }
            Ok(_) => {}
            Err(e) => {
                let _ = writeln!(out, "FAILED  {:width$}  (see the error below)", paper.value);
                eprint!(
                    "error in the paper for {} = {}:\n{}",
                    batch.for_each,
                    paper.value,
                    e.render()
                );
            }
        }
    }
    if let Some(written) = written {
        for path in written? {
            let _ = writeln!(out, "wrote {}", display_path(&path));
        }
    }
    let (failed, all) = (batch.failed(), batch.papers.len());
    let _ = writeln!(
        out,
        "{} of {all} papers built{}",
        all - failed,
        if failed > 0 {
            format!(", {failed} failed (their previous outputs are kept)")
        } else {
            String::new()
        }
    );
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn build_options(args: BuildArgs) -> boardpack::Result<BuildOptions> {
    boardpack::enable_timings(args.timings);
    Ok(BuildOptions {
        spec: args.spec,
        overrides: args.set,
        out_dir: args.out,
        source_date_epoch: source_date_epoch()?,
        strict: args.strict,
        batch: None,
        cache: !args.no_cache,
    })
}

/// One line per build under `watch` (a failed one adds its diagnostic).
fn print_watch_event(event: boardpack::watch::WatchEvent) {
    use boardpack::watch::WatchEvent;
    let changed = |paths: &[PathBuf]| -> String {
        match paths {
            [] => String::new(),
            _ => {
                let names: Vec<String> = paths
                    .iter()
                    .map(|p| format!("`{}`", display_path(p)))
                    .collect();
                format!("changed {}: ", names.join(", "))
            }
        }
    };
    let mut out = std::io::stdout().lock();
    match event {
        WatchEvent::Built {
            changed: c,
            elapsed,
            written,
            warnings,
        } => {
            print_warnings(&warnings);
            eprint!(
                "{}",
                boardpack::timings_report(elapsed.as_secs_f64() * 1000.0)
            );
            let _ = writeln!(
                out,
                "{}built in {} ms: {} files in `{}`",
                changed(&c),
                elapsed.as_millis(),
                written.len(),
                written
                    .first()
                    .and_then(|p| p.parent())
                    .map(display_path)
                    .unwrap_or_default()
            );
        }
        WatchEvent::Failed {
            changed: c,
            elapsed,
            error,
        } => {
            let _ = writeln!(
                out,
                "{}build failed after {} ms; the last good outputs are kept",
                changed(&c),
                elapsed.as_millis()
            );
            let _ = out.flush();
            eprint!("{}", error.render());
            eprint!(
                "{}",
                boardpack::timings_report(elapsed.as_secs_f64() * 1000.0)
            );
        }
        WatchEvent::Watching { files } => {
            let _ = writeln!(
                out,
                "watching {files} input files for changes (Ctrl-C stops)"
            );
        }
    }
    let _ = out.flush();
}

/// Notes that change nothing the build decided but a reader should know
/// (e.g. which bundled font stands in for the house font).
fn print_notes(notes: &boardpack::Diagnostics) {
    eprint!("{}", notes.render());
}

/// The build's warnings, each as an error would show (place, excerpt,
/// hints), rendered once here: the library never prints.
fn print_warnings(warnings: &boardpack::Diagnostics) {
    eprint!("{}", warnings.render());
}

/// `diff --docx A B -o X`: the redline of two manifests, and what it paired.
fn diff_docx(a: DiffArgs, out: &mut impl Write) -> boardpack::Result<ExitCode> {
    let output = redline_output(a.output)?;
    let redline = boardpack::redline::from_files(&a.a, &a.b)?;
    let _ = write!(out, "{}", redline.summary);
    redline.write(&output)?;
    let _ = writeln!(out, "wrote {}", display_path(&output));
    Ok(ExitCode::SUCCESS)
}

/// Where `diff --docx` writes: `-o` is required, so an existing file is
/// never overwritten by a default name.
fn redline_output(output: Option<PathBuf>) -> boardpack::Result<PathBuf> {
    output.ok_or_else(|| {
        boardpack::Error::new(
            ErrorKind::Usage,
            "`diff --docx` needs `-o PATH`: where to write the redline",
        )
        .with_hint(
            "e.g. `boardpack diff --docx last.manifest.json new.manifest.json -o redline.docx`",
        )
    })
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
