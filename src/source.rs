//! Data sources: CSV files read by Polars against the spec's declared schema.
//!
//! Every cell is read as text first and cast to its declared type; a cell
//! that does not fit is reported by file, row and column instead of becoming
//! a silent null. Columns the spec does not declare are not loaded.

use std::collections::BTreeMap;
use std::path::PathBuf;

use polars::prelude::*;

use crate::error::{display_path, suggest, Error, ErrorKind, Result};
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
}

/// Loads every source declared in the spec, in name order.
pub fn load_all(spec: &Spec) -> Result<BTreeMap<String, Source>> {
    spec.raw
        .sources
        .iter()
        .map(|(name, decl)| Ok((name.clone(), load(spec, name, decl)?)))
        .collect()
}

fn load(spec: &Spec, name: &str, decl: &SourceDecl) -> Result<Source> {
    let path = spec.resolve(&decl.path)?;
    if !path.is_file() {
        return Err(spec
            .error_at(
                ErrorKind::Data,
                format!(
                    "data file `{}` of source `{name}` does not exist",
                    display_path(&path)
                ),
                decl.path.span(),
            )
            .with_hint("check `path`; it is relative to the spec's folder"));
    }
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
    })
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
