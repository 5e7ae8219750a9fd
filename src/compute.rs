//! Figures and tables: the spec's Polars SQL queries, run over the sources
//! filtered to the report period, with parameters bound as a one-row
//! `params` table (values, never SQL text).

use std::collections::BTreeMap;

use polars::prelude::*;
use polars::sql::SQLContext;
use toml::Spanned;

use crate::error::{suggest, Error, ErrorKind, Result};
use crate::params::{FinancialYear, ParamValue, Params};
use crate::source::{first_line, Source};
use crate::spec::{PeriodFilter, Spec, TableDecl};

/// A computed scalar, as it reaches templates.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Missing.
    Null,
    /// A boolean.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A decimal number.
    Float(f64),
    /// Text.
    Text(String),
    /// A calendar date.
    Date(jiff::civil::Date),
}

/// How a table column is displayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// As written (text left-aligned).
    #[default]
    Text,
    /// Whole number with thousands separators.
    Integer,
    /// Number with N decimal places.
    Decimal(u8),
    /// A ratio shown as a percentage with N decimal places.
    Percent(u8),
}

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

/// A computed table: columns in display order and rows of values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Displayed columns.
    pub columns: Vec<TableColumn>,
    /// Rows, one value per column.
    pub rows: Vec<Vec<Value>>,
}

/// Everything the queries computed, by name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Computed {
    /// Scalar figures.
    pub figures: BTreeMap<String, Value>,
    /// Tables.
    pub tables: BTreeMap<String, Table>,
}

/// Runs every figure and table query for `params`.
pub fn compute(
    spec: &Spec,
    sources: &BTreeMap<String, Source>,
    params: &Params,
) -> Result<Computed> {
    let mut ctx = SQLContext::new();
    for (name, source) in sources {
        let frame = period_frame(source, params.period());
        if let (Some(fy), Some((column, PeriodFilter::Period))) =
            (params.period(), &source.period_column)
        {
            ensure_rows(source, column, fy, frame.clone())?;
        }
        ctx.register(name, frame);
    }
    ctx.register("params", params_frame(params).lazy());
    let columns = known_columns(sources);
    let mut out = Computed::default();
    for (name, is_view) in query_order(spec)? {
        if is_view {
            let sql = &spec.raw.views[name].sql;
            let df = run(spec, &mut ctx, sql, &columns, &format!("view `{name}`"))?;
            ctx.register(name, df.lazy());
        } else {
            let decl = &spec.raw.tables[name];
            let df = run(
                spec,
                &mut ctx,
                &decl.sql,
                &columns,
                &format!("table `{name}`"),
            )?;
            out.tables
                .insert(name.to_string(), to_table(spec, name, decl, &df)?);
            ctx.register(name, df.lazy());
        }
    }
    for (name, decl) in &spec.raw.figures {
        let df = run(
            spec,
            &mut ctx,
            &decl.sql,
            &columns,
            &format!("figure `{name}`"),
        )?;
        if df.height() != 1 || df.width() != 1 {
            return Err(spec
                .error_at(
                    ErrorKind::Query,
                    format!(
                        "figure `{name}` must return one row and one column, got {} row(s) × {} column(s)",
                        df.height(),
                        df.width()
                    ),
                    decl.sql.span(),
                )
                .with_hint("aggregate to a single value, or declare it under `[tables]`"));
        }
        let value = df.columns()[0].get(0).map(to_value).unwrap_or(Value::Null);
        out.figures.insert(name.clone(), value);
    }
    Ok(out)
}

/// Views and tables in an order where each comes after those it selects
/// from (`true` marks a view). Ties break by name, so the order is stable.
fn query_order(spec: &Spec) -> Result<Vec<(&str, bool)>> {
    let raw = &spec.raw;
    let nodes: BTreeMap<&str, (&Spanned<String>, bool)> = raw
        .views
        .iter()
        .map(|(n, v)| (n.as_str(), (&v.sql, true)))
        .chain(
            raw.tables
                .iter()
                .map(|(n, t)| (n.as_str(), (&t.sql, false))),
        )
        .collect();
    let deps: BTreeMap<&str, Vec<&str>> = nodes
        .iter()
        .map(|(n, (sql, _))| {
            (
                *n,
                nodes
                    .keys()
                    .copied()
                    .filter(|d| d != n && mentions(sql.get_ref(), d))
                    .collect(),
            )
        })
        .collect();
    let mut done: Vec<(&str, bool)> = Vec::new();
    while done.len() < nodes.len() {
        let ready = nodes.keys().copied().find(|n| {
            !done.iter().any(|(d, _)| d == n)
                && deps[n].iter().all(|d| done.iter().any(|(x, _)| x == d))
        });
        let Some(next) = ready else {
            let (name, (sql, _)) = nodes
                .iter()
                .find(|(n, _)| !done.iter().any(|(d, _)| d == *n))
                .expect("a node is left");
            return Err(spec
                .error_at(
                    ErrorKind::Spec,
                    format!("`{name}` selects from itself through other views or tables"),
                    sql.span(),
                )
                .with_hint(
                    "views and tables may only select from sources and each other without cycles",
                ));
        };
        done.push((next, nodes[next].1));
    }
    Ok(done)
}

/// Whether `sql` names `table` as a whole identifier.
fn mentions(sql: &str, table: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    sql.match_indices(table).any(|(i, _)| {
        let before = sql[..i].chars().next_back();
        let after = sql[i + table.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// A source restricted to the period by its `period_column`.
fn period_frame(source: &Source, period: Option<FinancialYear>) -> LazyFrame {
    let lf = source.frame.clone().lazy();
    let (Some((column, filter)), Some(fy)) = (&source.period_column, period) else {
        return lf;
    };
    let end = col(column.as_str()).lt_eq(date_lit(fy.end()));
    match filter {
        PeriodFilter::Period => {
            lf.filter(col(column.as_str()).gt_eq(date_lit(fy.start())).and(end))
        }
        PeriodFilter::ToDate => lf.filter(end),
    }
}

/// A period with no rows in a period-filtered source is almost always a
/// missing extract, not a year with no crime: say so instead of computing
/// empty figures.
fn ensure_rows(source: &Source, column: &str, fy: FinancialYear, frame: LazyFrame) -> Result<()> {
    let rows = frame
        .select([len()])
        .collect()
        .ok()
        .and_then(|df| df.columns()[0].get(0).ok()?.extract::<u64>());
    if rows != Some(0) {
        return Ok(());
    }
    let dates = source.frame.column(column).ok().and_then(|c| {
        let (min, max) = (
            c.as_materialized_series().min_reduce().ok()?,
            c.as_materialized_series().max_reduce().ok()?,
        );
        Some(format!(
            "{} to {}",
            to_display(min.value()),
            to_display(max.value())
        ))
    });
    Err(Error::new(
        ErrorKind::Data,
        format!(
            "no rows of source `{}` fall in {fy} ({} to {})",
            source.name,
            fy.start(),
            fy.end()
        ),
    )
    .in_file(&source.path)
    .with_hint(match dates {
        Some(range) => format!("`{column}` in this file runs from {range}; add the {fy} extract or choose another period with `--set period=...`"),
        None => format!("add the {fy} extract or choose another period with `--set period=...`"),
    }))
}

fn to_display(v: &AnyValue) -> String {
    match to_value(v.clone()) {
        Value::Date(d) => d.to_string(),
        _ => v.to_string(),
    }
}

fn date_lit(d: jiff::civil::Date) -> Expr {
    lit(days_since_epoch(d)).cast(DataType::Date)
}

fn days_since_epoch(d: jiff::civil::Date) -> i32 {
    let epoch = jiff::civil::date(1970, 1, 1);
    (d - epoch).get_days()
}

/// The one-row `params` table: a financial year `p` gives `p` (label),
/// `p_start` and `p_end` (dates).
fn params_frame(params: &Params) -> DataFrame {
    let mut cols = Vec::new();
    for (name, value) in &params.values {
        let n = name.as_str();
        match value {
            ParamValue::FinancialYear(fy) => {
                cols.push(Column::new(n.into(), [fy.to_string()]));
                cols.push(date_column(&format!("{n}_start"), fy.start()));
                cols.push(date_column(&format!("{n}_end"), fy.end()));
            }
            ParamValue::String(s) => cols.push(Column::new(n.into(), [s.as_str()])),
            ParamValue::Number(f) => cols.push(Column::new(n.into(), [*f])),
            ParamValue::Integer(i) => cols.push(Column::new(n.into(), [*i])),
            ParamValue::Date(d) => cols.push(date_column(n, *d)),
        }
    }
    DataFrame::new_infer_height(cols).unwrap_or_default()
}

fn date_column(name: &str, d: jiff::civil::Date) -> Column {
    let c = Column::new(name.into(), [days_since_epoch(d)]);
    c.cast(&DataType::Date).unwrap_or(c)
}

fn known_columns(sources: &BTreeMap<String, Source>) -> Vec<String> {
    let mut cols: Vec<String> = sources
        .values()
        .flat_map(|s| {
            s.frame
                .get_column_names()
                .into_iter()
                .map(|n| n.to_string())
        })
        .collect();
    cols.sort();
    cols.dedup();
    cols
}

fn run(
    spec: &Spec,
    ctx: &mut SQLContext,
    sql: &Spanned<String>,
    columns: &[String],
    what: &str,
) -> Result<DataFrame> {
    ctx.execute(sql.get_ref())
        .and_then(LazyFrame::collect)
        .map_err(|e| query_error(spec, sql, columns, what, &e))
}

/// Turns a Polars error into one that points at the query in the spec and,
/// for a misspelt column, at the name itself with a "did you mean".
fn query_error(
    spec: &Spec,
    sql: &Spanned<String>,
    columns: &[String],
    what: &str,
    e: &PolarsError,
) -> Error {
    let msg = first_line(e);
    let span = sql.span();
    if let PolarsError::ColumnNotFound(_) = e {
        if let Some(name) = quoted(&msg) {
            let names: Vec<&str> = columns.iter().map(String::as_str).collect();
            let at = spec.text.get(span.clone()).and_then(|t| t.find(&name));
            let range = at.map_or(span.clone(), |i| {
                span.start + i..span.start + i + name.len()
            });
            let hint = if names.contains(&name.as_str()) {
                format!("`{name}` is a column of another source or view: check the `FROM` clause")
            } else {
                suggest(&name, &names, "columns")
            };
            return spec
                .error_at(
                    ErrorKind::Query,
                    format!("unknown column `{name}` in {what}"),
                    range,
                )
                .with_hint(hint);
        }
    }
    spec.error_at(ErrorKind::Query, format!("{what} failed: {msg}"), span)
        .with_hint(
            "check the SQL; it can select from `[sources]`, `[views]`, `[tables]` and `params`",
        )
}

fn quoted(msg: &str) -> Option<String> {
    let start = msg.find('"')? + 1;
    let len = msg[start..].find('"')?;
    Some(msg[start..start + len].to_string())
}

fn to_table(spec: &Spec, name: &str, decl: &TableDecl, df: &DataFrame) -> Result<Table> {
    let columns: Vec<TableColumn> = if decl.columns.is_empty() {
        df.get_column_names()
            .into_iter()
            .map(|n| TableColumn {
                name: n.to_string(),
                label: n.to_string(),
                format: Format::Text,
            })
            .collect()
    } else {
        decl.columns
            .iter()
            .map(|c| {
                let format = match &c.format {
                    Some(f) => parse_format(f.get_ref()).ok_or_else(|| {
                        spec.error_at(
                            ErrorKind::Spec,
                            format!("unknown format `{}` in table `{name}`", f.get_ref()),
                            f.span(),
                        )
                        .with_hint("use `text`, `integer`, `decimal:N` or `percent:N`")
                    })?,
                    None => Format::Text,
                };
                let label = c.label.clone().unwrap_or_else(|| c.name.get_ref().clone());
                Ok(TableColumn {
                    name: c.name.get_ref().clone(),
                    label,
                    format,
                })
            })
            .collect::<Result<_>>()?
    };
    let mut series = Vec::new();
    for (c, d) in columns
        .iter()
        .zip(decl.columns.iter().map(Some).chain(std::iter::repeat(None)))
    {
        let s = df.column(&c.name).map_err(|_| {
            let found: Vec<&str> = df
                .get_column_names()
                .into_iter()
                .map(|n| n.as_str())
                .collect();
            let span = d.map_or(decl.sql.span(), |d| d.name.span());
            spec.error_at(
                ErrorKind::Spec,
                format!("table `{name}` has no column `{}`", c.name),
                span,
            )
            .with_hint(suggest(&c.name, &found, "columns the query returns"))
        })?;
        series.push(s);
    }
    let rows = (0..df.height())
        .map(|i| {
            series
                .iter()
                .map(|s| s.get(i).map(to_value).unwrap_or(Value::Null))
                .collect()
        })
        .collect();
    Ok(Table { columns, rows })
}

/// Parses `text`, `integer`, `decimal:N`, `percent:N`.
pub fn parse_format(s: &str) -> Option<Format> {
    let (kind, digits) = s.split_once(':').unwrap_or((s, ""));
    let n = if digits.is_empty() {
        Some(0)
    } else {
        digits.parse::<u8>().ok().filter(|n| *n <= 6)
    };
    match kind {
        "text" if digits.is_empty() => Some(Format::Text),
        "integer" if digits.is_empty() => Some(Format::Integer),
        "decimal" => n.map(Format::Decimal),
        "percent" => n.map(Format::Percent),
        _ => None,
    }
}

fn to_value(v: AnyValue) -> Value {
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

    #[test]
    fn formats_parse() {
        assert_eq!(parse_format("decimal:1"), Some(Format::Decimal(1)));
        assert_eq!(parse_format("percent"), Some(Format::Percent(0)));
        assert_eq!(parse_format("integer"), Some(Format::Integer));
        assert_eq!(parse_format("money"), None);
        assert_eq!(parse_format("decimal:x"), None);
    }

    #[test]
    fn mentions_matches_whole_identifiers() {
        assert!(mentions("SELECT * FROM age_risk LIMIT 1", "age_risk"));
        assert!(!mentions("SELECT * FROM age_risk_2", "age_risk"));
        assert!(!mentions("SELECT my_age_risk FROM t", "age_risk"));
    }

    #[test]
    fn epoch_days() {
        assert_eq!(days_since_epoch(jiff::civil::date(1970, 1, 2)), 1);
        assert_eq!(days_since_epoch(jiff::civil::date(2019, 4, 1)), 17987);
    }
}
