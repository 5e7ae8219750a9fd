//! Computed values and tables: Polars results turned into the plain values
//! and formatted columns that templates and backends see.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::error::{suggest, ErrorKind, Result};
use crate::format::Format;
use crate::spec::{ComputePart, TableDecl};
pub(crate) use crate::value::Value;

/// A displayed column of a computed table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableColumn {
    /// The query's column name.
    pub name: String,
    /// Header text.
    pub label: String,
    /// Display format.
    pub format: Format,
}

/// A table: columns in display order and rows of cells. Compute makes
/// them of [`Value`]s; publishing makes them of its own cells, which may be
/// withheld (`publish::Cell`), so a later stage cannot be handed a raw count.
#[derive(Debug, Clone, PartialEq)]
pub struct Table<C = Value> {
    /// Displayed columns.
    pub columns: Vec<TableColumn>,
    /// Rows, one cell per column.
    pub rows: Vec<Vec<C>>,
    /// The totals row by column name (empty: none). Filled when the table
    /// is published, from the true values.
    pub totals: BTreeMap<String, C>,
}

impl<C> Default for Table<C> {
    fn default() -> Self {
        Table {
            columns: Vec::new(),
            rows: Vec::new(),
            totals: BTreeMap::new(),
        }
    }
}

impl<C> Table<C> {
    /// The same table with every cell (and total) mapped by `f`.
    pub(crate) fn map<D>(&self, f: impl Fn(&C) -> D) -> Table<D> {
        Table {
            columns: self.columns.clone(),
            rows: self
                .rows
                .iter()
                .map(|r| r.iter().map(&f).collect())
                .collect(),
            totals: self.totals.iter().map(|(k, v)| (k.clone(), f(v))).collect(),
        }
    }
}

impl TableColumn {
    /// A column shown under its own name, as text.
    fn plain(name: &str) -> TableColumn {
        TableColumn {
            name: name.to_string(),
            label: name.to_string(),
            format: Format::Text,
        }
    }
}

/// Everything the queries computed, by name; as published, `C` is the
/// published cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Computed<C = Value> {
    /// Scalar figures.
    pub figures: BTreeMap<String, Value>,
    /// Tables.
    pub tables: BTreeMap<String, Table<C>>,
    /// Every declared data check and its result (this period's build only).
    pub checks: Vec<crate::checks::Outcome>,
    /// Every query that ran inside a database, with its result's hash.
    pub database: Vec<DatabaseResult>,
}

impl<C> Default for Computed<C> {
    fn default() -> Self {
        Computed {
            figures: BTreeMap::new(),
            tables: BTreeMap::new(),
            checks: Vec::new(),
            database: Vec::new(),
        }
    }
}

/// A view, table or figure computed inside a database (pushed down): what
/// was sent and what came back, for provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseResult {
    /// The database source it read.
    pub source: String,
    /// `view NAME`, `table NAME` or `figure NAME`.
    pub query: String,
    /// The SQL sent, with `$1…` for the bound values.
    pub sql: String,
    /// The bound values (the period bounds), as text.
    pub params: Vec<String>,
    /// Rows returned.
    pub rows: u64,
    /// BLAKE3 of the result's canonical bytes.
    pub blake3: String,
}

/// What to do about a NaN or infinite result (almost always a division by
/// zero, or an average of no rows computed by hand).
pub(super) const NOT_FINITE_HINT: &str = "a division by zero gives infinity or NaN: divide by `NULLIF(denominator, 0)` so the value is NULL, and word the sentence for that case";

pub(super) fn to_table(
    spec: ComputePart<'_>,
    name: &str,
    decl: &TableDecl,
    df: &DataFrame,
) -> Result<Table> {
    let columns = table_columns(spec, name, decl, df)?;
    let mut series = Vec::new();
    let mut errors = Vec::new();
    for (c, span) in &columns {
        match df.column(&c.name) {
            Ok(s) => series.push(s),
            Err(_) => {
                let found: Vec<&str> = df
                    .get_column_names()
                    .into_iter()
                    .map(|n| n.as_str())
                    .collect();
                errors.push(
                    spec.error_at(
                        ErrorKind::Spec,
                        format!("table `{name}` has no column `{}`", c.name),
                        span.clone(),
                    )
                    .with_hint(suggest(
                        &c.name,
                        &found,
                        "columns the query returns",
                    )),
                );
            }
        }
    }
    crate::error::Error::collect(errors)?;
    let columns: Vec<TableColumn> = columns.into_iter().map(|(c, _)| c).collect();
    let rows: Vec<Vec<Value>> = (0..df.height())
        .map(|i| {
            series
                .iter()
                .map(|s| s.get(i).map(to_value).unwrap_or(Value::Null))
                .collect()
        })
        .collect();
    // Every cell that is not a finite number, at once (capped).
    let mut bad = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if let Value::Float(x) = v {
                if !x.is_finite() {
                    bad.push(format!("row {} `{}` ({x})", r + 1, columns[c].name));
                }
            }
        }
    }
    if !bad.is_empty() {
        let more = bad.len().saturating_sub(5);
        bad.truncate(5);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        return Err(spec
            .error_at(
                ErrorKind::Query,
                format!(
                    "table `{name}` has cells that are not finite numbers: {}{tail}",
                    bad.join(", ")
                ),
                decl.sql.span(),
            )
            .with_hint(NOT_FINITE_HINT));
    }
    Ok(Table {
        columns,
        rows,
        totals: BTreeMap::new(),
    })
}

/// The table's columns and where the spec names each: the displayed ones
/// (declared, or every column the query returns but the hidden ones), then
/// the hidden ones, which disclosure control reads and publishing drops.
fn table_columns(
    spec: ComputePart<'_>,
    name: &str,
    decl: &TableDecl,
    df: &DataFrame,
) -> Result<Vec<(TableColumn, std::ops::Range<usize>)>> {
    let hidden = |n: &str| decl.hidden.iter().any(|h| h.get_ref() == n);
    let mut columns: Vec<(TableColumn, std::ops::Range<usize>)> = if decl.columns.is_empty() {
        df.get_column_names()
            .into_iter()
            .filter(|n| !hidden(n.as_str()))
            .map(|n| (TableColumn::plain(n.as_str()), decl.sql.span()))
            .collect()
    } else {
        decl.columns
            .iter()
            .map(|c| {
                let format = c.format.as_ref().map_or(Format::Text, |f| *f.get_ref());
                let label = c.label.clone().unwrap_or_else(|| c.name.get_ref().clone());
                let column = TableColumn {
                    name: c.name.get_ref().clone(),
                    label,
                    format,
                };
                (column, c.name.span())
            })
            .collect()
    };
    if let Some((c, span)) = columns.iter().find(|(c, _)| hidden(&c.name)) {
        return Err(spec
            .error_at(
                ErrorKind::Spec,
                format!("table `{name}` both shows and hides column `{}`", c.name),
                span.clone(),
            )
            .with_hint(
                "a hidden column is never printed: remove it from `columns` or from `hidden`",
            ));
    }
    columns.extend(
        decl.hidden
            .iter()
            .map(|h| (TableColumn::plain(h.get_ref()), h.span())),
    );
    Ok(columns)
}

pub(super) fn to_value(v: AnyValue) -> Value {
    match v {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(b),
        AnyValue::String(s) => Value::Text(s.to_string()),
        AnyValue::StringOwned(s) => Value::Text(s.to_string()),
        AnyValue::Float32(f) => Value::Float(f as f64),
        AnyValue::Float64(f) => Value::Float(f),
        AnyValue::Date(days) => {
            let epoch = jiff::civil::date(1970, 1, 1);
            epoch
                .checked_add(jiff::Span::new().days(days as i64))
                .map(Value::Date)
                .unwrap_or(Value::Null)
        }
        other => match other.extract::<i64>() {
            Some(i) if other.is_integer() => Value::Int(i),
            _ => Value::Text(other.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::parse_format;

    #[test]
    fn formats_parse() {
        assert_eq!(parse_format("decimal:1"), Some(Format::Decimal(1)));
        assert_eq!(parse_format("percent"), Some(Format::Percent(0)));
        assert_eq!(parse_format("integer"), Some(Format::Integer));
        assert_eq!(parse_format("money"), None);
        assert_eq!(parse_format("decimal:x"), None);
    }
}
