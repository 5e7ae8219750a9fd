//! Data sources: CSV files read by Polars against the spec's declared schema.
//!
//! Every cell is read as text first and cast to its declared type; a cell
//! that does not fit is reported by file, row and column instead of becoming
//! a silent null. Columns the spec does not declare are not loaded.

use std::collections::BTreeMap;
use std::path::PathBuf;

use polars::prelude::*;

use crate::error::{display_path, suggest, Error, ErrorKind, Result};
use crate::params::Params;
use crate::spec::{ColumnType, PeriodFilter, SourceDecl, Spec};

/// A loaded, typed data source.
#[derive(Debug, Clone)]
pub struct Source {
    /// The table name queries use.
    pub name: String,
    /// The file it came from (relative to where boardpack runs).
    pub path: PathBuf,
    /// The typed data, every row of the file.
    pub frame: DataFrame,
    /// The date column the engine filters to the report period, if any.
    pub period_column: Option<(String, PeriodFilter)>,
    /// BLAKE3 hash of the file's bytes (hex), for the provenance manifest.
    pub blake3: String,
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
    // project root, links resolved, read once).
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
    let blake3 = file.blake3.clone();
    let data_err = |e: PolarsError| {
        Error::new(
            ErrorKind::Data,
            format!("cannot read CSV: {}", first_line(&e)),
        )
        .in_file(&path)
        .with_hint("the file must be comma-separated UTF-8 with a header row")
    };
    let pl_path = PlRefPath::try_from_path(&path).map_err(data_err)?;
    // Schema inference over zero rows reads every column as text.
    let mut raw = LazyCsvReader::new(pl_path)
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .finish()
        .map_err(data_err)?;
    let header = raw.collect_schema().map_err(data_err)?;
    let found: Vec<&str> = header.iter_names().map(|n| n.as_str()).collect();
    for col in decl.columns.keys() {
        if !found.contains(&col.get_ref().as_str()) {
            return Err(spec
                .error_at(
                    ErrorKind::Data,
                    format!(
                        "column `{}` is declared for source `{name}` but `{}` has no such column",
                        col.get_ref(),
                        display_path(&path)
                    ),
                    col.span(),
                )
                .with_hint(suggest(col.get_ref(), &found, "columns in the file")));
        }
    }
    let typed: Vec<Expr> = decl
        .columns
        .iter()
        .map(|(c, t)| typed_expr(c.get_ref(), *t.get_ref()))
        .collect();
    // Parse the file once (declared columns only); the type check and the
    // cast then both work on the in-memory text columns.
    let declared: Vec<Expr> = decl
        .columns
        .keys()
        .map(|c| col(c.get_ref().as_str()))
        .collect();
    let text = raw.select(declared).collect().map_err(data_err)?.lazy();
    check_types(text.clone(), decl, &path)?;
    let frame = text.select(typed).collect().map_err(data_err)?;
    Ok(Source {
        name: name.to_string(),
        path,
        frame,
        period_column: decl
            .period_column
            .as_ref()
            .map(|c| (c.get_ref().clone(), decl.period_filter)),
        blake3,
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

/// The cast from text to the declared type; cells that do not parse become
/// null here and are caught by [`check_types`].
fn typed_expr(name: &str, ty: ColumnType) -> Expr {
    let c = col(name);
    match ty {
        ColumnType::String => c,
        ColumnType::Int => c.cast(DataType::Int64),
        ColumnType::Float => c.cast(DataType::Float64),
        ColumnType::Bool => when(c.clone().eq(lit("true")))
            .then(lit(true))
            .when(c.eq(lit("false")))
            .then(lit(false))
            .otherwise(lit(NULL).cast(DataType::Boolean)),
        ColumnType::Date => c.str().to_date(StrptimeOptions {
            format: Some("%Y-%m-%d".into()),
            strict: false,
            exact: true,
            cache: true,
        }),
    }
    .alias(name)
}

/// Finds the first cell whose text is present but does not parse as its
/// column's type, and reports its row (header = row 1) and column.
fn check_types(raw: LazyFrame, decl: &SourceDecl, path: &std::path::Path) -> Result<()> {
    let checked: Vec<(&str, ColumnType)> = decl
        .columns
        .iter()
        .filter(|(_, t)| *t.get_ref() != ColumnType::String)
        .map(|(c, t)| (c.get_ref().as_str(), *t.get_ref()))
        .collect();
    if checked.is_empty() {
        return Ok(());
    }
    let bad = |(c, t): &(&str, ColumnType)| col(*c).is_not_null().and(typed_expr(c, *t).is_null());
    let any_bad = checked
        .iter()
        .map(bad)
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false));
    let mut cols = vec![col("__row")];
    cols.extend(checked.iter().map(|(c, _)| col(*c)));
    let first = raw
        .with_row_index("__row", None)
        .filter(any_bad)
        .select(cols)
        .limit(1)
        .collect()
        .map_err(|e| Error::new(ErrorKind::Data, first_line(&e)).in_file(path))?;
    if first.height() == 0 {
        return Ok(());
    }
    let row = first
        .column("__row")
        .ok()
        .and_then(|c| c.get(0).ok())
        .and_then(|v| v.extract::<usize>())
        .unwrap_or(0);
    for (c, t) in &checked {
        let cell = first
            .column(c)
            .ok()
            .and_then(|s| s.str().ok()?.get(0).map(str::to_string));
        let Some(cell) = cell else { continue };
        let one = DataFrame::new_infer_height(vec![Column::new((*c).into(), [cell.as_str()])])
            .and_then(|df| df.lazy().select([typed_expr(c, *t)]).collect());
        let parses = one
            .ok()
            .and_then(|df| df.column(c).ok().map(|s| s.null_count() == 0));
        if parses != Some(true) {
            return Err(Error::new(
                ErrorKind::Data,
                format!("expected {}, found `{}`", type_phrase(*t), truncate(&cell)),
            )
            .in_file(path)
            .at_row(row + 2, Some(c))
            .with_hint(format!(
                "fix the cell, or declare `{c}` with another type in the spec"
            )));
        }
    }
    Ok(())
}

fn type_phrase(t: ColumnType) -> &'static str {
    match t {
        ColumnType::String => "text",
        ColumnType::Int => "a whole number",
        ColumnType::Float => "a number",
        ColumnType::Bool => "`true` or `false`",
        ColumnType::Date => "a date like `2019-04-01`",
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The first line of a Polars error (the rest is often a long backtrace hint).
pub fn first_line(e: &PolarsError) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}
