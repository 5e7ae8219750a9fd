//! `boardpack verify OUT/name.manifest.json`: re-runs the build in memory and
//! checks every input, figure, table and output against the manifest. If an
//! input changed it names the file and the figures that moved.

use std::path::{Path, PathBuf};

use crate::diff::display_as;
use crate::error::{display_path, Error, ErrorKind, Result};
use crate::format::parse_format;
use crate::manifest::{self, Input, Manifest};
use crate::{build, BuildOptions};

/// How one recorded item compares with now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Still the same.
    Matches,
    /// Different now: (was, now), for people.
    Changed(String, String),
    /// Recorded but gone now (or the other way round).
    Missing(String),
}

/// One check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// `input`, `figure`, `table`, `output`.
    pub kind: &'static str,
    /// The file or figure name.
    pub name: String,
    /// The outcome.
    pub status: Status,
}

/// Every check, in manifest order.
#[derive(Debug, Clone)]
pub struct Report {
    /// The spec that was rebuilt (as found).
    pub spec: PathBuf,
    /// The checks.
    pub checks: Vec<Check>,
}

impl Report {
    /// True if everything still matches.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.status == Status::Matches)
    }

    fn failed(&self, kind: &str) -> Vec<&Check> {
        self.checks
            .iter()
            .filter(|c| c.kind == kind && c.status != Status::Matches)
            .collect()
    }

    /// The report for people: a line per check, then a verdict.
    pub fn render(&self) -> String {
        let mut out = format!("rebuilt from {}\n", display_path(&self.spec));
        for kind in ["input", "figure", "table", "output"] {
            let all: Vec<&Check> = self.checks.iter().filter(|c| c.kind == kind).collect();
            let bad = self.failed(kind);
            out += &format!(
                "{kind}s: {} of {} match\n",
                all.len() - bad.len(),
                all.len()
            );
            for c in all {
                let line = match &c.status {
                    Status::Matches => format!("  ok       {}", c.name),
                    Status::Changed(was, now) => {
                        format!("  CHANGED  {}: was {was}, now {now}", c.name)
                    }
                    Status::Missing(why) => format!("  MISSING  {}: {why}", c.name),
                };
                out += &line;
                out.push('\n');
            }
        }
        if self.ok() {
            out += "verified: inputs, figures, tables and outputs all match the manifest\n";
        } else {
            let names = |kind: &str| -> Vec<String> {
                self.failed(kind).iter().map(|c| c.name.clone()).collect()
            };
            let mut parts = Vec::new();
            for (kind, label) in [
                ("input", "inputs changed"),
                ("figure", "figures that moved"),
                ("table", "tables that changed"),
                ("output", "outputs that differ"),
            ] {
                let n = names(kind);
                if !n.is_empty() {
                    parts.push(format!("{label}: {}", n.join(", ")));
                }
            }
            out += &format!("NOT verified: {}\n", parts.join("; "));
        }
        out
    }
}

/// Verifies the build recorded in `manifest_path` (first restoring an
/// output folder a killed build left aside, see `output`). The spec is found by
/// walking up from the manifest's folder to a folder holding the spec's
/// recorded path (the project root), unless `spec` is given.
pub fn verify(manifest_path: &Path, spec: Option<&Path>) -> Result<Report> {
    recover_beside(manifest_path)?;
    let m = Manifest::read(manifest_path)?;
    let spec_path = match spec {
        Some(p) => p.to_path_buf(),
        None => find_spec(manifest_path, &m.spec.path)?,
    };
    let (_, inputs) = crate::build::load(&spec_path)?;
    let (mut checks, database) = input_checks(&m, &inputs);
    let now = rebuild(&m, &spec_path)?;
    for (i, input) in database {
        checks[i].status = database_status(input, &now.manifest().inputs);
    }
    checks.extend(result_checks(&m, now.manifest()));
    let beside = outputs_folder(manifest_path);
    checks.extend(output_checks(&m, now.manifest(), &beside));
    Ok(Report {
        spec: spec_path,
        checks,
    })
}

/// The folder holding the outputs a manifest records: its own folder, or
/// for a private manifest in `OUT.private/`, `OUT/`.
fn outputs_folder(manifest_path: &Path) -> PathBuf {
    let dir = manifest_path.parent().unwrap_or(Path::new(""));
    match dir.file_name().and_then(|n| n.to_str()) {
        Some(name) if name.ends_with(".private") && name.len() > ".private".len() => {
            dir.with_file_name(&name[..name.len() - ".private".len()])
        }
        _ => dir.to_path_buf(),
    }
}

/// A build killed while swapping its outputs in may have left the old set
/// aside (or the private set beside it): put it back before reading it.
fn recover_beside(manifest_path: &Path) -> Result<()> {
    let own = manifest_path.parent().unwrap_or(Path::new(""));
    recover_folder(own)?;
    let outputs = outputs_folder(manifest_path);
    if outputs != own {
        recover_folder(&outputs)?;
    }
    Ok(())
}

/// [`crate::output::recover`] for the folder `dir`.
fn recover_folder(dir: &Path) -> Result<()> {
    if let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) {
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        crate::output::recover(parent, &name.to_string_lossy())?;
    }
    Ok(())
}

/// Each recorded input file hashed again; database inputs are placeholders
/// (with their index) settled against the rebuild.
fn input_checks<'m>(
    m: &'m Manifest,
    inputs: &crate::inputs::Inputs,
) -> (Vec<Check>, Vec<(usize, &'m Input)>) {
    let mut checks = Vec::new();
    let mut database = Vec::new();
    for input in &m.inputs {
        if input.path.starts_with("postgres:") {
            // Compared with the rebuild: a database has no file.
            database.push((checks.len(), input));
            checks.push(Check {
                kind: "input",
                name: input.path.clone(),
                status: Status::Matches,
            });
            continue;
        }
        let path = inputs.path_of(&input.path);
        // Through the registry's checks: a manifest naming a file outside
        // the project (edited, or from elsewhere) is refused, not read.
        let status = match inputs.hash_of(&path) {
            Ok(hash) => compare_hash(&input.blake3, &hash),
            Err(refusal) => Status::Missing(refusal.explain(&input.path, inputs.root()).0),
        };
        checks.push(Check {
            kind: "input",
            name: input.path.clone(),
            status,
        });
    }
    (checks, database)
}

/// The recorded build run again, with the recorded parameters and clock.
fn rebuild(m: &Manifest, spec_path: &Path) -> Result<crate::Build> {
    let options = BuildOptions {
        spec: spec_path.to_path_buf(),
        overrides: m.params.clone().into_iter().collect(),
        out_dir: None,
        source_date_epoch: m.source_date_epoch,
        strict: false,
        // A batch paper rebuilds under its own names (the embedded manifest
        // names them).
        batch: m.batch.clone(),
        // Verification recomputes everything: it never trusts a cache.
        cache: false,
    };
    build(&options).map_err(|e| {
        let mut err = Error::new(
            e.kind(),
            format!("the recorded build no longer succeeds: {}", e.message()),
        );
        if let Some(f) = e.file() {
            err = err.in_file(f);
        }
        match e.hints() {
            [] => err.with_hint("fix the input named above, then verify again"),
            hints => hints.iter().fold(err, |err, h| err.add_hint(h)),
        }
    })
}

/// Every recorded figure and table against the rebuild's, and the
/// figures the rebuild has that the record does not.
fn result_checks(m: &Manifest, now: &Manifest) -> Vec<Check> {
    let mut checks = Vec::new();
    for (name, fig) in &m.figures {
        let status = match now.figures.get(name) {
            Some(f) if manifest::stored(&f.value) == fig.value => Status::Matches,
            Some(f) => changed_figure(&fig.value, &f.value, fig.format.as_deref()),
            None => Status::Missing("the spec no longer defines it".into()),
        };
        checks.push(Check {
            kind: "figure",
            name: name.clone(),
            status,
        });
    }
    for name in now.figures.keys() {
        if !m.figures.contains_key(name) {
            checks.push(Check {
                kind: "figure",
                name: name.clone(),
                status: Status::Missing("new since the manifest was written".into()),
            });
        }
    }
    for (name, t) in &m.tables {
        let status = match now.tables.get(name) {
            Some(n) if n == t => Status::Matches,
            Some(n) => Status::Changed(
                format!("{} rows, {}", t.rows, short(&t.blake3)),
                format!("{} rows, {}", n.rows, short(&n.blake3)),
            ),
            None => Status::Missing("the spec no longer defines it".into()),
        };
        checks.push(Check {
            kind: "table",
            name: name.clone(),
            status,
        });
    }
    checks
}

/// Each recorded output against the rebuild's and, if present, the file
/// `beside` the manifest.
fn output_checks(m: &Manifest, now: &Manifest, beside: &Path) -> Vec<Check> {
    let mut checks = Vec::new();
    for (name, recorded) in &m.outputs {
        let status = match now.outputs.get(name) {
            None => Status::Missing("the build no longer writes it".into()),
            Some(h) if h != recorded => compare_hash(recorded, h),
            Some(_) => match crate::output::read_output(&beside.join(name)) {
                // The rebuild matches the record; the file beside the
                // manifest, if there is one, must match too.
                Ok(Some(bytes)) => match compare_hash(recorded, &manifest::hash(&bytes)) {
                    Status::Changed(was, now) => Status::Changed(was, format!("{now} on disk")),
                    s => s,
                },
                Ok(None) => Status::Matches,
                // A link or pipe in its place: not followed, not waited on.
                Err(what) => Status::Missing(what),
            },
        };
        checks.push(Check {
            kind: "output",
            name: name.clone(),
            status,
        });
    }
    checks
}

/// A figure that moved, shown in its format; if the format rounds both to
/// the same text, the stored values are shown in full so the change shows.
fn changed_figure(
    was: &serde_json::Value,
    now: &serde_json::Value,
    format: Option<&str>,
) -> Status {
    let format = format.and_then(parse_format);
    let (a, b) = (display_as(was, format), display_as(now, format));
    if a == b {
        Status::Changed(was.to_string(), manifest::stored(now).to_string())
    } else {
        Status::Changed(a, b)
    }
}

/// A database input (source rows or a query's result) against the
/// rebuild's: a different hash means the data in the database changed.
fn database_status(was: &manifest::Input, now: &[manifest::Input]) -> Status {
    let Some(n) = now.iter().find(|i| i.path == was.path) else {
        return Status::Missing("the build no longer reads it from the database".into());
    };
    let same = if was.blake3 == manifest::WITHHELD {
        // The public manifest of a controlled report has no result hash.
        was.query_blake3 == n.query_blake3 && was.rows == n.rows
    } else {
        was.blake3 == n.blake3 && was.query_blake3 == n.query_blake3
    };
    if same {
        return Status::Matches;
    }
    let rows = |i: &manifest::Input| i.rows.map_or(String::new(), |r| format!("{r} rows, "));
    Status::Changed(
        format!("{}blake3 {}", rows(was), short(&was.blake3)),
        format!(
            "{}{} (the data in the database changed since the build)",
            rows(n),
            short(&n.blake3)
        ),
    )
}

fn compare_hash(was: &str, now: &str) -> Status {
    if was == now {
        Status::Matches
    } else {
        Status::Changed(format!("blake3 {}", short(was)), short(now).to_string())
    }
}

fn short(h: &str) -> &str {
    h.get(..12).unwrap_or(h)
}

/// Finds `spec_rel` (root-relative) above the manifest's folder.
fn find_spec(manifest_path: &Path, spec_rel: &str) -> Result<PathBuf> {
    let dir = manifest_path.parent().unwrap_or(Path::new(""));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut here = Some(dir.to_path_buf());
    while let Some(d) = here {
        let candidate = d.join(spec_rel);
        if candidate.is_file() {
            return Ok(crate::paths::normalize(&candidate));
        }
        here = match d.canonicalize() {
            Ok(real) if real.parent().is_some() => Some(d.join("..")),
            _ => None,
        };
    }
    Err(Error::new(
        ErrorKind::Io,
        format!("cannot find the spec `{spec_rel}` the manifest was built from"),
    )
    .in_file(manifest_path)
    .with_hint("it is looked for above the manifest's folder; pass `--spec PATH` to name it"))
}
