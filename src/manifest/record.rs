//! A manifest made from what a build knows ([`Record`]): inputs with their
//! hashes, figures and tables as published, lineage, disclosure control.

use std::collections::BTreeMap;

use super::*;
use crate::compute::{Computed, Previous};
use crate::error::Result;
use crate::params::Params;
use crate::source::Source;
use crate::spec::ManifestPart;

/// What a build knows that the manifest records.
pub(crate) struct Record<'a> {
    /// What the manifest records of the spec.
    pub spec: ManifestPart<'a>,
    /// The build's input registry (every file it read).
    pub inputs: &'a crate::inputs::Inputs,
    /// Resolved params.
    pub params: &'a Params,
    /// `SOURCE_DATE_EPOCH`, if given.
    pub source_date_epoch: Option<i64>,
    /// This period's sources.
    pub sources: &'a BTreeMap<String, Source>,
    /// The previous period's sources (only those read from other files matter).
    pub previous_sources: &'a BTreeMap<String, Source>,
    /// Figures and tables as computed (recorded only in the private part).
    pub computed: &'a Computed,
    /// The previous period's.
    pub previous: &'a Previous,
    /// What the documents show, and the disclosure control applied.
    pub published: &'a crate::publish::Published,
    /// Other files read (templates, layout, fonts) with their roles.
    pub files: Vec<(std::path::PathBuf, String)>,
}

impl Manifest {
    /// The manifest for a build, without outputs.
    pub(crate) fn new(r: &Record) -> Result<Manifest> {
        let spec = r.spec;
        let spec_hash = FileHash {
            path: relative(spec.file.root(), spec.file.path()),
            blake3: hash(spec.file.text().as_bytes()),
        };
        let inputs = inputs(r, &spec_hash)?;
        let (figures, tables) = results(r);
        let (disclosure, private) = disclosure_records(r);
        Ok(Manifest {
            boardpack: env!("CARGO_PKG_VERSION").to_string(),
            report: spec.report.name.clone(),
            spec: spec_hash,
            date: spec.date.to_string(),
            source_date_epoch: r.source_date_epoch,
            params: params_text(r.params),
            previous_period: r.previous.period().map(|fy| PreviousPeriod {
                period: fy.to_string(),
                missing: match r.previous {
                    Previous::Missing { reason, .. } => Some(reason.clone()),
                    _ => None,
                },
            }),
            inputs,
            figures,
            tables,
            disclosure,
            private,
            checks: r.computed.checks.clone(),
            batch: None,
            word_captions: Vec::new(),
            content: None,
            outputs: BTreeMap::new(),
        })
    }
}

/// Every input the build read, with its hash: the spec, the other files,
/// each source (and the previous period's, where another file or fetch),
/// and the results computed inside a database; each path once.
fn inputs(r: &Record, spec_hash: &FileHash) -> Result<Vec<Input>> {
    let spec = r.spec;
    let mut inputs = vec![Input {
        path: spec_hash.path.clone(),
        role: "spec".into(),
        blake3: spec_hash.blake3.clone(),
        ..Input::default()
    }];
    for (path, role) in &r.files {
        // The registry hands back the bytes the build used (read once).
        let file = r
            .inputs
            .read(path, role)
            .map_err(|e| e.to_error(path, spec.file.root()))?;
        inputs.push(Input {
            path: r.inputs.name_of(path),
            role: role.clone(),
            blake3: file.blake3.clone(),
            ..Input::default()
        });
    }
    for (name, s) in r.sources {
        inputs.extend(source_inputs((spec, r.inputs), s, format!("source {name}")));
    }
    inputs.extend(r.computed.database.iter().map(|d| database_input(d, None)));
    if let Some(fy) = r.previous.period() {
        for (name, s) in r.previous_sources {
            let now = r.sources.get(name);
            if now.map(|c| &c.path) != Some(&s.path) {
                inputs.extend(source_inputs(
                    (spec, r.inputs),
                    s,
                    format!("source {name} ({fy})"),
                ));
            } else if s.remote.is_some() && now.map(|c| &c.blake3) != Some(&s.blake3) {
                let mut input = source_input(spec, s, format!("source {name} ({fy})"));
                input.path = format!("{}@{fy}", input.path);
                inputs.push(input);
            }
        }
        if let Some(before) = r.previous.computed() {
            inputs.extend(before.database.iter().map(|d| database_input(d, Some(fy))));
        }
    }
    // A file read in two roles (e.g. a layout that is also a template) is listed once.
    let mut seen = std::collections::BTreeSet::new();
    inputs.retain(|i| seen.insert(i.path.clone()));
    Ok(inputs)
}

/// The published figures and tables as the manifest records them, each
/// with what its query read.
fn results(r: &Record) -> (BTreeMap<String, Figure>, BTreeMap<String, TableHash>) {
    let spec = r.spec;
    let before = r.published.previous.computed();
    let figures = r
        .published
        .current
        .figures
        .iter()
        .map(|(name, v)| {
            let decl = spec.figures.get(name);
            let sql = decl.map(|d| d.sql.get_ref().trim().to_string());
            let figure = Figure {
                value: json(v),
                previous: before.and_then(|c| c.figures.get(name)).map(json),
                format: decl
                    .and_then(|d| d.format_text.as_ref())
                    .map(|f| f.get_ref().clone()),
                sql: sql.unwrap_or_default(),
                description: decl.and_then(|d| d.description.clone()),
                reads: decl
                    .map(|d| lineage::lineage(spec, d.sql.get_ref()))
                    .unwrap_or_default(),
            };
            (name.clone(), figure)
        })
        .collect();
    let mut tables = table_hashes(&r.published.current);
    for (name, t) in tables.iter_mut() {
        if let Some(decl) = spec.tables.get(name) {
            t.reads = lineage::lineage(spec, decl.sql.get_ref());
        }
    }
    (figures, tables)
}

fn table_hashes<C: AsJson>(c: &Computed<C>) -> BTreeMap<String, TableHash> {
    c.tables
        .iter()
        .map(|(name, t)| {
            let entry = TableHash {
                rows: t.rows.len() as u64,
                columns: t.columns.iter().map(|c| c.name.clone()).collect(),
                blake3: table_hash(t),
                reads: Lineage::default(),
            };
            (name.clone(), entry)
        })
        .collect()
}

/// The public record of disclosure control and the analyst's private one.
fn disclosure_records(r: &Record) -> (Option<DisclosureRecord>, Option<Private>) {
    use crate::publish::TableControl;
    let Some(d) = &r.published.disclosure else {
        return (None, None);
    };
    let mut tables = BTreeMap::new();
    let mut suppressed = BTreeMap::new();
    for (name, control) in &d.tables {
        let entry = match control {
            TableControl::OptedOut(reason) => DisclosureTable {
                status: "opted out".into(),
                reason: Some(reason.clone()),
                suppressed: 0,
            },
            TableControl::Protected(cells) => {
                let list = cells
                    .iter()
                    .map(|c| SuppressedCell {
                        row: c.row.clone(),
                        column: c.column.clone(),
                        reason: c.reason.as_str().into(),
                        value: c.value,
                        lo: c.interval.lo,
                        hi: c.interval.hi,
                    })
                    .collect();
                suppressed.insert(name.clone(), list);
                DisclosureTable {
                    status: "protected".into(),
                    reason: None,
                    suppressed: cells.len(),
                }
            }
        };
        tables.insert(name.clone(), entry);
    }
    let public = DisclosureRecord {
        threshold: d.threshold,
        marker: d.marker.clone(),
        round_to: d.round_to,
        tables,
    };
    let private = Private {
        computed_tables: table_hashes(r.computed),
        suppressed,
    };
    (Some(public), Some(private))
}

/// One input per file a source read (a glob reads several), named as the
/// registry names it (`@NAME/…` in a data folder, never absolute).
fn source_inputs(
    (spec, inputs): (ManifestPart<'_>, &crate::inputs::Inputs),
    s: &Source,
    role: String,
) -> Vec<Input> {
    if s.remote.is_some() {
        return vec![source_input(spec, s, role)];
    }
    s.files
        .iter()
        .map(|f| Input {
            path: inputs.name_of(&f.path),
            role: role.clone(),
            blake3: f.blake3.clone(),
            rows: Some(f.rows_read as u64),
            rows_kept: s.keep.as_ref().map(|_| f.rows as u64),
            sparse: sparse(spec, s),
            ..Input::default()
        })
        .collect()
}

/// Why the source's months may be empty, if it is declared `sparse`.
fn sparse(spec: ManifestPart<'_>, s: &Source) -> Option<String> {
    let decl = spec.sources.get(&s.name)?;
    decl.sparse.as_ref().map(|w| w.get_ref().clone())
}

/// A database source as one input: its rows fetched, hashed canonically.
fn source_input(spec: ManifestPart<'_>, s: &Source, role: String) -> Input {
    use crate::source::remote::Fetched;
    let rows = Some(s.frame.height() as u64);
    let (role, rows) = match s.remote.as_ref().map(|r| r.fetched) {
        None => (role, rows),
        Some(Fetched::Nothing) => (format!("{role}, PostgreSQL: no rows fetched"), None),
        Some(Fetched::Period(fy)) => (format!("{role}, PostgreSQL: rows for {fy} fetched"), rows),
        Some(Fetched::All) => (format!("{role}, PostgreSQL: every row fetched"), rows),
    };
    Input {
        path: relative(spec.file.root(), &s.path),
        role,
        blake3: s.blake3.clone(),
        rows,
        sparse: sparse(spec, s),
        ..Input::default()
    }
}

/// A query that ran inside a database: `postgres:SOURCE/KIND.NAME` (with
/// `@PERIOD` for the previous period's), its SQL, bound values and result
/// hash.
fn database_input(
    d: &compute::DatabaseResult,
    previous: Option<crate::params::FinancialYear>,
) -> Input {
    let name = d.query.replacen(' ', ".", 1);
    let (path, role) = match previous {
        None => (
            format!("postgres:{}/{name}", d.source),
            format!("query {}", d.query),
        ),
        Some(fy) => (
            format!("postgres:{}/{name}@{fy}", d.source),
            format!("query {} ({fy})", d.query),
        ),
    };
    let query_blake3 = hash(format!("{}\u{1e}{}", d.sql, d.params.join("\u{1f}")).as_bytes());
    Input {
        path,
        role,
        blake3: d.blake3.clone(),
        rows: Some(d.rows),
        sql: Some(d.sql.clone()),
        params: d.params.clone(),
        query_blake3: Some(query_blake3),
        ..Input::default()
    }
}
