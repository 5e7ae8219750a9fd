//! Data sources: files read against the spec's declared schema.
//!
//! One reader per kind of file, chosen by the path's extension ([`Kind`]):
//! CSV ([`csv`]), Parquet ([`parquet`]) and Excel/OpenDocument workbooks
//! ([`xlsx`]). Every reader checks every cell of every row against the same
//! declared columns (type, required or nullable, the texts that count as
//! missing) and returns the same [`Table`]; every problem is reported at
//! once, located as the user finds it (`file:LINE` for CSV,
//! `Victims!C1234` for Excel, `row N` for Parquet), and nothing is silently
//! null or dropped. Columns the spec does not declare are not loaded.
//! Rows outside the periods the build computes are checked but not kept
//! ([`keep`]): the frame holds the rows a figure can use.
//!
//! A glob path (`data/victims/*.csv`) reads every matching file, in path
//! order, as one source; each file goes through the input registry and is
//! listed in the manifest with its own hash.
//!
//! A source may instead be a PostgreSQL table or query ([`remote`]): its
//! schema is checked against the database, and its rows are streamed in
//! only when a query must run in Polars (queries over it alone run inside
//! the database, see `pushdown`).

mod cached;
mod cell;
mod columns;
pub(crate) mod csv;
pub(crate) mod database;
pub(crate) mod keep;
pub(crate) mod parquet;
mod paths;
pub(crate) mod postgres;
mod problems;
#[cfg(test)]
mod proptests;
pub(crate) mod pushdown;
pub(crate) mod remote;
pub(crate) mod walk;
pub(crate) mod xlsx;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::prelude::*;

use self::csv::ColumnRule;
use self::keep::{Extent, KeepRows};
use self::paths::{glob_matches, is_glob, missing, source_path};
use crate::context::BuildContext;
use crate::error::{display_path, suggest, Error, ErrorKind, Result};
use crate::params::Params;
use crate::spec::{PeriodFilter, SourceDecl, SourcesPart};

/// The typed rows one reader made from one file (the same for every kind).
pub(crate) type Table = csv::Table;

/// A loaded, typed data source.
#[derive(Debug, Clone)]
pub struct Source {
    /// The table name queries use.
    pub name: String,
    /// The file it came from (relative to where boardpack runs); for a glob,
    /// the pattern.
    pub path: PathBuf,
    /// The typed data: every row of every file that [`Source::keep`] keeps.
    pub frame: DataFrame,
    /// Where each row of `frame` is in its file, for reporting rows as the
    /// user finds them: the physical line it starts on for CSV (header =
    /// line 1), the sheet row for Excel, the row number for Parquet.
    pub lines: std::sync::Arc<[u32]>,
    /// The date column the engine filters to the report period, if any.
    pub period_column: Option<(String, PeriodFilter)>,
    /// BLAKE3 hash of the file's bytes (hex), for the provenance manifest;
    /// for a glob, of every file's name and hash.
    pub blake3: String,
    /// Every file read, in the order their rows appear in `frame`.
    pub files: Vec<SourceFile>,
    /// For a database source: where its rows are and which were fetched.
    pub remote: Option<std::sync::Arc<remote::Remote>>,
    /// The rows of its files kept in `frame` (`None`: every row).
    pub(crate) keep: Option<KeepRows>,
    /// The period column's extent over every row read, when rows were
    /// left out (for the "no data in the period" message).
    pub(crate) extent: Extent,
}

/// One file a source read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where (relative to where boardpack runs, or in a data folder).
    pub path: PathBuf,
    /// BLAKE3 of the bytes parsed, hex.
    pub blake3: String,
    /// How many rows of the frame came from it.
    pub rows: usize,
    /// How many rows were read from it and checked (`rows` of them kept).
    pub rows_read: usize,
}

impl Source {
    /// The file frame row `row` (0-based) came from.
    pub fn file_of(&self, row: usize) -> &Path {
        let mut start = 0;
        for f in &self.files {
            if row < start + f.rows {
                return &f.path;
            }
            start += f.rows;
        }
        self.files.last().map_or(&self.path, |f| &f.path)
    }
}

/// The kinds of source file, chosen by the path's extension. Each has one
/// reader with the same contract ([`Kind::read`]: bytes + declared columns
/// → [`Table`] or every problem). A database kind (PostgreSQL, ODBC) has no
/// file and no extension: its declaration (`postgres = {…}` instead of
/// `path`) picks it, and it yields the same [`Source`] from its own `load`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Comma-separated text with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// An Excel (`.xlsx`, `.xlsm`, `.xls`) or OpenDocument (`.ods`) workbook.
    Excel,
}

/// The extensions a source path may have, as messages list them.
pub(crate) const EXTENSIONS: &str = "`.csv`, `.parquet`, `.xlsx`, `.xlsm`, `.xls` or `.ods`";

/// What a reader needs besides the bytes.
pub(crate) struct Request<'a> {
    /// The sources' part of the spec (for errors pointing at it, and
    /// `[limits]`).
    pub spec: SourcesPart<'a>,
    /// The source's declaration (`sheet`, `range`).
    pub decl: &'a SourceDecl,
    /// The file as messages name it.
    pub file: &'a Path,
    /// The declared columns.
    pub rules: &'a [ColumnRule],
    /// The error for declared column `i` missing from the file, given the
    /// columns found.
    pub absent: &'a dyn Fn(usize, &[&str]) -> Error,
    /// The rows to keep (every row is checked); `None`: every row.
    pub keep: Option<&'a KeepRows>,
}

impl Kind {
    /// The kind of `path` by its extension (case-insensitive); an unknown
    /// extension, or `sheet`/`range` on a file that is not a workbook, is
    /// an error pointing at the spec.
    fn of(spec: SourcesPart<'_>, name: &str, decl: &SourceDecl, path: &Path) -> Result<Kind> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        let kind = match ext.as_deref() {
            Some("csv") => Kind::Csv,
            Some("parquet") => Kind::Parquet,
            Some("xlsx" | "xlsm" | "xls" | "ods") => Kind::Excel,
            other => {
                let what = other.map_or("no extension".to_string(), |e| {
                    format!("the extension `.{e}`")
                });
                return Err(spec
                    .error_at(
                        ErrorKind::Spec,
                        format!("source `{name}`: `{}` has {what}, so boardpack cannot tell how to read it", display_path(path)),
                        decl.path.span(),
                    )
                    .with_hint(format!("a source file ends in {EXTENSIONS}; export the data in one of those formats")));
            }
        };
        let misplaced = [("sheet", &decl.sheet), ("range", &decl.range)];
        if kind != Kind::Excel {
            if let Some((key, Some(v))) = misplaced.iter().find(|(_, v)| v.is_some()) {
                return Err(spec
                    .error_at(ErrorKind::Spec, format!("`{key}` applies only to Excel and OpenDocument workbooks, but source `{name}` reads `{}`", display_path(path)), v.span())
                    .with_hint(format!("remove `{key}`, or point `path` at the workbook")));
            }
        }
        Ok(kind)
    }

    /// Reads `bytes` (one file of this kind) against the declared columns,
    /// keeping the rows `r.keep` keeps: the CSV reader as it reads, the
    /// others right after reading the whole file.
    pub(crate) fn read(self, bytes: &[u8], r: &Request) -> Result<Table> {
        let table = match self {
            Kind::Csv => return csv::read(bytes, r.file, r.rules, r.absent, r.keep),
            Kind::Parquet => parquet::read(bytes, r)?,
            Kind::Excel => xlsx::read(bytes, r)?,
        };
        match r.keep {
            Some(keep) => keep::filter(table, keep),
            None => Ok(table),
        }
    }
}

/// Loads every source declared in the spec for `params`, in name order,
/// keeping the rows of the periods `ctx` computes and of `params`' period.
/// A source in `reuse` read from the same file, holding those rows, is not
/// read again (the previous period's comparison shares every file whose
/// path does not name the period). Every source's problems are reported
/// at once.
pub fn load_all(
    spec: SourcesPart<'_>,
    ctx: &BuildContext,
    params: &Params,
    reuse: &BTreeMap<String, Source>,
) -> Result<BTreeMap<String, Source>> {
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, decl) in spec.sources {
        if decl.is_database() {
            // Every row fetched serves every period; otherwise the
            // database filters (or aggregates) for this period again.
            let loaded = match reuse.get(name) {
                Some(s)
                    if s.remote
                        .as_ref()
                        .is_some_and(|r| r.fetched == remote::Fetched::All) =>
                {
                    Ok(s.clone())
                }
                _ => remote::load(spec, name, decl, params),
            };
            match loaded {
                Ok(source) => {
                    out.insert(name.clone(), source);
                }
                Err(e) => errors.push(e),
            }
            continue;
        }
        let keep = keep_rows(decl, ctx, params);
        let loaded =
            source_path(spec, ctx, name, decl, params).and_then(|path| match reuse.get(name) {
                Some(s) if s.path == path && KeepRows::covers(s.keep.as_ref(), keep.as_ref()) => {
                    Ok(s.clone())
                }
                _ => load((spec, ctx), name, decl, path, (params, keep)),
            });
        match loaded {
            Ok(source) => {
                out.insert(name.clone(), source);
            }
            Err(e) => errors.push(e),
        }
    }
    Error::collect(errors)?;
    Ok(out)
}

/// The rows a source's files keep in a load for `params`: those of the
/// periods `ctx` computes and of `params`' own.
fn keep_rows(decl: &SourceDecl, ctx: &BuildContext, params: &Params) -> Option<KeepRows> {
    let mut periods = ctx.periods.clone()?;
    periods.extend(params.period());
    KeepRows::for_source(decl, Some(&periods))
}

/// Reads the file (or every file a glob matches, in path order) of one
/// source into one frame, keeping the rows `keep` keeps.
fn load(
    (spec, ctx): (SourcesPart<'_>, &BuildContext),
    name: &str,
    decl: &SourceDecl,
    path: PathBuf,
    (params, keep): (&Params, Option<KeepRows>),
) -> Result<Source> {
    let paths = if is_glob(&path) {
        glob_matches(spec, ctx, name, decl, &path)?
    } else {
        vec![path.clone()]
    };
    let rules = column_rules(decl);
    let mut tables = Vec::new();
    let mut errors = Vec::new();
    for file in &paths {
        match read_file(
            (spec, ctx),
            name,
            decl,
            file,
            params,
            (&rules, keep.as_ref()),
        ) {
            Ok(read) => tables.push(read),
            Err(e) => errors.push(e),
        }
    }
    Error::collect(errors)?;
    let (frame, lines, files, extent) = combine(tables)?;
    let blake3 = match &files[..] {
        [one] => one.blake3.clone(),
        many => combined_hash(&ctx.inputs, many),
    };
    Ok(Source {
        name: name.to_string(),
        path,
        frame,
        lines,
        period_column: decl
            .period_column
            .as_ref()
            .map(|c| (c.get_ref().clone(), decl.period_filter)),
        blake3,
        files,
        remote: None,
        keep,
        extent,
    })
}

/// How messages name a source file: a file in a data folder as `@NAME/…`,
/// never by the folder's absolute path.
fn shown_path(ctx: &BuildContext, path: &Path) -> PathBuf {
    match ctx.inputs.name_of(path) {
        n if n.starts_with('@') => PathBuf::from(n),
        _ => path.to_path_buf(),
    }
}

/// A declared column the file does not have.
fn absent_column(
    spec: SourcesPart<'_>,
    name: &str,
    col: &toml::Spanned<String>,
    shown: &Path,
    found: &[&str],
) -> Error {
    spec.error_at(
        ErrorKind::Data,
        format!(
            "column `{}` is declared for source `{name}` but `{}` has no such column",
            col.get_ref(),
            display_path(shown)
        ),
        col.span(),
    )
    .with_hint(suggest(col.get_ref(), found, "columns in the file"))
}

/// Reads one file of a source through the input registry (inside the
/// project root or a declared data folder, links resolved, read once; the
/// reader parses the very bytes that were hashed) with the reader its
/// extension names.
fn read_file(
    (spec, ctx): (SourcesPart<'_>, &BuildContext),
    name: &str,
    decl: &SourceDecl,
    path: &Path,
    params: &Params,
    (rules, keep): (&[ColumnRule], Option<&KeepRows>),
) -> Result<(Table, SourceFile)> {
    let kind = Kind::of(spec, name, decl, path)?;
    let role = format!("source {name}");
    let refused = |r: crate::inputs::Refusal| match r {
        crate::inputs::Refusal::Missing => missing(spec, name, decl, path, params),
        r => {
            let (message, hint) = r.explain(&display_path(path), spec.file.root());
            spec.error_at(ErrorKind::Spec, message, decl.path.span())
                .with_hint(hint)
        }
    };
    // A CSV file is read a block at a time (see `csv::read_registered`);
    // of another file the registry keeps the hash, not the bytes: they are
    // freed once parsed.
    let file = match kind {
        Kind::Csv => None,
        _ => Some(ctx.inputs.read_data(path, &role).map_err(refused)?),
    };
    let shown = shown_path(ctx, path);
    let keys: Vec<_> = decl.columns.keys().collect();
    let absent = |i: usize, found: &[&str]| absent_column(spec, name, keys[i], &shown, found);
    let request = Request {
        spec,
        decl,
        file: &shown,
        rules,
        absent: &absent,
        keep,
    };
    // Parsed once per file content, kind, sheet/range, column rules and
    // rows kept (see `crate::cache`).
    let (sheet, range) = (
        decl.sheet.as_ref().map(|s| s.get_ref()),
        decl.range.as_ref().map(|r| r.get_ref()),
    );
    let key = (kind, sheet, range, &request.rules, keep);
    let (table, blake3) = match file {
        None => csv::read_registered(
            (&ctx.inputs, &ctx.cache),
            (path, &role),
            &refused,
            &key,
            &|s| csv::read_stream(s, csv::BLOCK, &request),
        )?,
        Some(file) => {
            let table = cached::csv(&ctx.cache, &file.blake3, &key, || {
                kind.read(&file.bytes, &request)
            })?;
            (table, file.blake3.clone())
        }
    };
    let read = SourceFile {
        path: path.to_path_buf(),
        blake3,
        rows: table.frame.height(),
        rows_read: table.read,
    };
    Ok((table, read))
}

/// The tables of a source's files, in order: one frame, the lines, the
/// files and the period column's extent.
type Combined = (DataFrame, Arc<[u32]>, Vec<SourceFile>, Extent);

/// One frame from the tables of a source's files, in order.
fn combine(tables: Vec<(Table, SourceFile)>) -> Result<Combined> {
    let mut files = Vec::with_capacity(tables.len());
    let mut lines = Vec::new();
    let mut extent = Extent::default();
    let mut frame: Option<DataFrame> = None;
    for (table, file) in tables {
        lines.extend_from_slice(&table.lines);
        extent.merge(table.extent);
        files.push(file);
        match frame.as_mut() {
            None => frame = Some(table.frame),
            Some(f) => {
                f.vstack_mut(&table.frame).map_err(|e| {
                    Error::new(
                        ErrorKind::Internal,
                        format!(
                            "the files' checked columns do not line up: {}",
                            first_line(&e)
                        ),
                    )
                })?;
            }
        }
    }
    // Not rechunked: the parts' chunks are used as they are (a rechunk
    // would copy every column while the parts are still alive).
    let frame = frame.unwrap_or_default();
    Ok((frame, lines.into(), files, extent))
}

/// A glob's files share one hash in the source's summary: BLAKE3 over each
/// file's manifest name and hash, in order (each file is also listed with
/// its own hash).
fn combined_hash(inputs: &crate::inputs::Inputs, files: &[SourceFile]) -> String {
    let mut h = blake3::Hasher::new();
    for f in files {
        h.update(inputs.name_of(&f.path).as_bytes());
        h.update(b"\0");
        h.update(f.blake3.as_bytes());
        h.update(b"\n");
    }
    h.finalize().to_hex().to_string()
}

/// The declared columns as every reader checks them.
fn column_rules(decl: &SourceDecl) -> Vec<ColumnRule> {
    decl.columns
        .iter()
        .map(|(c, t)| ColumnRule {
            name: c.get_ref().clone(),
            ty: t.get_ref().ty,
            nullable: t.get_ref().nullable,
            missing: decl.missing_for(t.get_ref()),
        })
        .collect()
}

/// The first line of a Polars error (the rest is often a long backtrace hint).
pub(crate) fn first_line(e: &PolarsError) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// A spec with one source `s` declared by `source` (TOML after
/// `[sources.s]`), for the readers' tests.
#[cfg(test)]
pub(crate) fn test_spec(source: &str) -> crate::spec::Spec {
    crate::spec::SpecBuilder::new().source("s", source).build()
}

/// Reads `bytes` as the file `file` of source `s` in `spec`; errors
/// rendered one per line (`Display`).
#[cfg(test)]
pub(crate) fn test_read(
    spec: &crate::spec::Spec,
    file: &str,
    bytes: &[u8],
) -> std::result::Result<Table, Vec<String>> {
    let decl = &spec.sources["s"];
    let rules = column_rules(decl);
    let absent = |i: usize, found: &[&str]| {
        Error::new(
            ErrorKind::Data,
            format!("absent {} among {found:?}", rules[i].name),
        )
    };
    let path = Path::new(file);
    let request = Request {
        spec: spec.sources_part(),
        decl,
        file: path,
        rules: &rules,
        absent: &absent,
        keep: None,
    };
    let kind = Kind::of(spec.sources_part(), "s", decl, path).map_err(|e| vec![e.to_string()])?;
    kind.read(bytes, &request)
        .map_err(|e| e.all().map(ToString::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{ColumnType, SourceColumn};

    #[test]
    fn the_extension_picks_the_reader() {
        let spec = test_spec("path = \"v.txt\"\n[sources.s.columns]\nid = \"int\"\n");
        let e = test_read(&spec, "v.txt", b"id\n1\n").unwrap_err();
        assert!(e[0].contains("has the extension `.txt`"), "{e:?}");
        assert!(e[0].contains("`.csv`, `.parquet`, `.xlsx`"), "{e:?}");
        let t = test_read(&spec, "v.CSV", b"id\n1\n").unwrap();
        assert_eq!(t.frame.height(), 1);
        let spec =
            test_spec("path = \"v.csv\"\nsheet = \"A\"\n[sources.s.columns]\nid = \"int\"\n");
        let e = test_read(&spec, "v.csv", b"id\n1\n").unwrap_err();
        assert!(e[0].contains("`sheet` applies only to Excel"), "{e:?}");
    }

    fn decl(toml_text: &str) -> std::result::Result<SourceDecl, toml::de::Error> {
        toml::from_str(toml_text)
    }

    #[test]
    fn columns_take_a_type_or_a_table() {
        let d = decl(
            r#"
            path = "v.csv"
            missing = ["", "NA"]
            [columns]
            id = "string"
            age = { type = "int", nullable = true }
            note = { type = "string", nullable = true, missing = ["-"] }
            "#,
        )
        .unwrap();
        let get = |name: &str| {
            d.columns
                .iter()
                .find(|(k, _)| k.get_ref() == name)
                .map(|(_, v)| v.get_ref().clone())
                .unwrap()
        };
        assert_eq!(
            get("id"),
            SourceColumn {
                ty: ColumnType::String,
                nullable: false,
                missing: None
            }
        );
        assert!(get("age").nullable);
        assert_eq!(d.missing_for(&get("age")), ["", "NA"]);
        assert_eq!(d.missing_for(&get("note")), ["-"]);
        let bare = decl("path = \"v.csv\"\n[columns]\nid = \"int\"\n").unwrap();
        let id = bare.columns.values().next().unwrap().get_ref();
        assert_eq!(bare.missing_for(id), [""], "only the empty cell by default");
    }

    #[test]
    fn column_declarations_reject_typos() {
        let e = decl("path = \"v.csv\"\n[columns]\nid = { type = \"int\", nulable = true }\n")
            .unwrap_err();
        assert!(e.to_string().contains("unknown field `nulable`"), "{e}");
        let e = decl("path = \"v.csv\"\n[columns]\nid = \"integer\"\n").unwrap_err();
        assert!(e.to_string().contains("unknown variant `integer`"), "{e}");
        let e = decl("path = \"v.csv\"\n[columns]\nid = 3\n").unwrap_err();
        assert!(e.to_string().contains("a column type"), "{e}");
    }
}
