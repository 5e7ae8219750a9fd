//! Data sources: CSV files read against the spec's declared schema.
//!
//! One validating pass over the file's bytes ([`csv::read`]) checks every
//! record and cell and builds the typed columns; every problem is reported
//! at once by file, line (as an editor shows it) and column, and nothing is
//! silently null or dropped. Columns the spec does not declare are not
//! loaded.
//!
//! A source may instead be a PostgreSQL table or query ([`remote`]): its
//! schema is checked against the database, and its rows are streamed in
//! only when a query must run in Polars (queries over it alone run inside
//! the database, see `compute::pushdown`).

mod cell;
pub mod csv;
pub(crate) mod database;
pub(crate) mod postgres;
mod problems;
#[cfg(test)]
mod proptests;
pub mod remote;

use std::collections::BTreeMap;
use std::path::PathBuf;

use polars::prelude::*;

use self::csv::ColumnRule;
use crate::error::{display_path, suggest, Error, ErrorKind, Result};
use crate::params::Params;
use crate::spec::{PeriodFilter, SourceDecl, Spec};

/// A loaded, typed data source.
#[derive(Debug, Clone)]
pub struct Source {
    /// The table name queries use.
    pub name: String,
    /// The file it came from (relative to where boardpack runs).
    pub path: PathBuf,
    /// The typed data, every row of the file.
    pub frame: DataFrame,
    /// The physical line (header = line 1) each row of `frame` starts on,
    /// for reporting rows by the line an editor shows.
    pub lines: std::sync::Arc<[u32]>,
    /// The date column the engine filters to the report period, if any.
    pub period_column: Option<(String, PeriodFilter)>,
    /// BLAKE3 hash of the file's bytes (hex), for the provenance manifest;
    /// for a database source, of the rows fetched (canonical bytes).
    pub blake3: String,
    /// For a database source: where its rows are and which were fetched.
    pub remote: Option<std::sync::Arc<remote::Remote>>,
}

/// Loads every source declared in the spec for `params`, in name order.
/// A source in `reuse` read from the same file is not read again (the
/// previous period's comparison shares every file whose path does not name
/// the period).
pub fn load_all(
    spec: &Spec,
    params: &Params,
    reuse: &BTreeMap<String, Source>,
) -> Result<BTreeMap<String, Source>> {
    let mut out = BTreeMap::new();
    for (name, decl) in &spec.raw.sources {
        if decl.is_database() {
            // Every row fetched serves every period; otherwise the
            // database filters (or aggregates) for this period again.
            let source = match reuse.get(name) {
                Some(s)
                    if s.remote
                        .as_ref()
                        .is_some_and(|r| r.fetched == remote::Fetched::All) =>
                {
                    s.clone()
                }
                _ => remote::load(spec, name, decl, params)?,
            };
            out.insert(name.clone(), source);
            continue;
        }
        let path = source_path(spec, name, decl, params)?;
        let source = match reuse.get(name) {
            Some(s) if s.path == path => s.clone(),
            _ => load(spec, name, decl, path, params)?,
        };
        out.insert(name.clone(), source);
    }
    Ok(out)
}

/// The file a source reads for `params`: its `path`, with `{{ period.slug }}`
/// and other template expressions filled in (so next year's extract drops
/// into place), resolved inside the project root.
fn source_path(spec: &Spec, name: &str, decl: &SourceDecl, params: &Params) -> Result<PathBuf> {
    let written = decl.path.get_ref();
    if !written.contains("{{") && !written.contains("{%") {
        return spec.resolve(&decl.path);
    }
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let values = params.template_values();
    let ctx = minijinja::context! { period => values.get("period").cloned(), params => values };
    let rendered = env.render_str(written, ctx).map_err(|e| {
        spec.error_at(
            ErrorKind::Spec,
            format!("cannot fill in the path of source `{name}`: {}", e.kind()),
            decl.path.span(),
        )
        .with_hint("a path may use `{{ period.slug }}` (2019-20), `{{ period.short }}` (19/20) or `{{ params.NAME }}`")
    })?;
    spec.resolve(&toml::Spanned::new(decl.path.span(), rendered))
}

fn load(
    spec: &Spec,
    name: &str,
    decl: &SourceDecl,
    path: PathBuf,
    params: &Params,
) -> Result<Source> {
    // Bytes and hash come from the build's input registry (inside the
    // project root, links resolved, read once); the parse below uses the
    // very bytes that were hashed.
    let file = match spec.inputs.read(&path, &format!("source {name}")) {
        Ok(file) => file,
        Err(crate::inputs::Refusal::Missing) => {
            return Err(missing(spec, name, decl, &path, params))
        }
        Err(r) => {
            let (message, hint) = r.explain(&display_path(&path), &spec.root);
            return Err(spec
                .error_at(ErrorKind::Spec, message, decl.path.span())
                .with_hint(hint));
        }
    };
    let (bytes, blake3) = (&file.bytes, file.blake3.clone());
    let rules: Vec<ColumnRule> = decl
        .columns
        .iter()
        .map(|(c, t)| ColumnRule {
            name: c.get_ref().clone(),
            ty: t.get_ref().ty,
            nullable: t.get_ref().nullable,
            missing: decl.missing_for(t.get_ref()),
        })
        .collect();
    let keys: Vec<_> = decl.columns.keys().collect();
    let absent = |i: usize, found: &[&str]| {
        let col = keys[i];
        spec.error_at(
            ErrorKind::Data,
            format!(
                "column `{}` is declared for source `{name}` but `{}` has no such column",
                col.get_ref(),
                display_path(&path)
            ),
            col.span(),
        )
        .with_hint(suggest(col.get_ref(), found, "columns in the file"))
    };
    let table = csv::read(bytes, &path, &rules, &absent)?;
    Ok(Source {
        name: name.to_string(),
        path,
        frame: table.frame,
        lines: table.lines,
        period_column: decl
            .period_column
            .as_ref()
            .map(|c| (c.get_ref().clone(), decl.period_filter)),
        blake3,
        remote: None,
    })
}

/// "No such file", saying which period lacks data for a period-templated path.
fn missing(
    spec: &Spec,
    name: &str,
    decl: &SourceDecl,
    path: &std::path::Path,
    params: &Params,
) -> Error {
    let templated = decl.path.get_ref().contains("{{");
    let (message, hint) = match params.period() {
        Some(fy) if templated => (
            format!(
                "no data for {fy}: data file `{}` of source `{name}` does not exist",
                display_path(path)
            ),
            format!("add the {fy} extract at that path, or choose another period with `--set period=...`"),
        ),
        _ => (
            format!(
                "data file `{}` of source `{name}` does not exist",
                display_path(path)
            ),
            "check `path`; it is relative to the spec's folder".to_string(),
        ),
    };
    spec.error_at(ErrorKind::Data, message, decl.path.span())
        .with_hint(hint)
}

/// The first line of a Polars error (the rest is often a long backtrace hint).
pub fn first_line(e: &PolarsError) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{ColumnType, SourceColumn};

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
