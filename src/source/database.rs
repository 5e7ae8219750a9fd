//! Database sources, independent of the database: the small [`Database`]
//! trait a driver implements, the values and types that cross it, and the
//! conversion of returned rows into typed Polars columns checked against
//! the spec's declared schema.
//!
//! PostgreSQL ([`super::postgres`]) is the one driver today. An ODBC driver
//! (SQL Server is common in UK policing) slots in by implementing
//! [`Database`] (connect from a URL or connection string, `describe` a
//! statement's result columns without running it, `query` with bound
//! parameters, returning [`DbColumn`]s) and [`Dialect`] (how identifiers are
//! quoted, how the n-th parameter is written — `?` for ODBC — and how a
//! string comparison is made binary, e.g. `COLLATE Latin1_General_BIN2`);
//! a `odbc = { … }` key beside `postgres` in `SourceDecl` then picks it. The
//! pushdown translator (`source::pushdown`) only speaks through those two.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use polars::prelude::*;

use crate::spec::ColumnType;

/// What a database result column holds, as far as boardpack reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DbType {
    /// A whole number that fits in 64 bits (`smallint`, `integer`, `bigint`:
    /// the name as the database spells it).
    Int(&'static str),
    /// A binary floating-point number (`real`, `double precision`).
    Float,
    /// Text (`text`, `varchar`, `name`).
    Text,
    /// `boolean`.
    Bool,
    /// A calendar date.
    Date,
    /// A date and time of day without a time zone (`timestamp`).
    Timestamp,
    /// Anything else, by the database's own type name (`numeric`, `timestamp`).
    Other(String),
}

impl DbType {
    /// Whether a column of this type can hold a declared column of `ty`.
    pub(crate) fn fits(&self, ty: ColumnType) -> bool {
        matches!(
            (self, ty),
            (DbType::Int(_), ColumnType::Int)
                | (DbType::Float, ColumnType::Float)
                | (DbType::Text, ColumnType::String)
                | (DbType::Bool, ColumnType::Bool)
                | (DbType::Date, ColumnType::Date)
                | (DbType::Timestamp, ColumnType::Datetime)
        )
    }

    /// The type's name as the database spells it, for messages.
    pub(crate) fn name(&self) -> &str {
        match self {
            DbType::Int(n) => n,
            DbType::Float => "double precision",
            DbType::Text => "text",
            DbType::Bool => "boolean",
            DbType::Date => "date",
            DbType::Timestamp => "timestamp",
            DbType::Other(n) => n,
        }
    }
}

/// A value bound to a query parameter (never spliced into SQL text).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DbValue {
    /// A date (the period bounds).
    Date(jiff::civil::Date),
}

impl std::fmt::Display for DbValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbValue::Date(d) => write!(f, "{d}"),
        }
    }
}

/// One returned column's values, typed as the database sent them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DbColumn {
    /// Whole numbers.
    Int(Vec<Option<i64>>),
    /// Floating-point numbers.
    Float(Vec<Option<f64>>),
    /// Text.
    Text(Vec<Option<String>>),
    /// Booleans.
    Bool(Vec<Option<bool>>),
    /// Dates, as days since 1970-01-01.
    Date(Vec<Option<i32>>),
    /// Date-times, as microseconds since 1970-01-01 00:00.
    Timestamp(Vec<Option<i64>>),
}

impl DbColumn {
    /// An empty column for values of `ty` (`None` for a type boardpack does
    /// not read).
    pub(crate) fn for_type(ty: &DbType) -> Option<DbColumn> {
        Some(match ty {
            DbType::Int(_) => DbColumn::Int(Vec::new()),
            DbType::Float => DbColumn::Float(Vec::new()),
            DbType::Text => DbColumn::Text(Vec::new()),
            DbType::Bool => DbColumn::Bool(Vec::new()),
            DbType::Date => DbColumn::Date(Vec::new()),
            DbType::Timestamp => DbColumn::Timestamp(Vec::new()),
            DbType::Other(_) => return None,
        })
    }

    /// The 0-based rows holding a null.
    pub(crate) fn nulls(&self) -> Vec<usize> {
        fn at<T>(v: &[Option<T>]) -> Vec<usize> {
            v.iter()
                .enumerate()
                .filter(|(_, x)| x.is_none())
                .map(|(i, _)| i)
                .collect()
        }
        match self {
            DbColumn::Int(v) => at(v),
            DbColumn::Float(v) => at(v),
            DbColumn::Text(v) => at(v),
            DbColumn::Bool(v) => at(v),
            DbColumn::Date(v) => at(v),
            DbColumn::Timestamp(v) => at(v),
        }
    }

    /// The column as a Polars series named `name`.
    pub(crate) fn into_series(self, name: &str) -> PolarsResult<Series> {
        let name: PlSmallStr = name.into();
        Ok(match self {
            DbColumn::Int(v) => Series::new(name, v),
            DbColumn::Float(v) => Series::new(name, v),
            DbColumn::Text(v) => Series::new(name, v),
            DbColumn::Bool(v) => Series::new(name, v),
            DbColumn::Date(v) => Series::new(name, v).cast(&DataType::Date)?,
            DbColumn::Timestamp(v) => {
                Series::new(name, v).cast(&DataType::Datetime(TimeUnit::Microseconds, None))?
            }
        })
    }
}

/// A failure the database reported, without the connection URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DbError {
    /// The database's message (e.g. `relation "victimz" does not exist`).
    pub message: String,
    /// The SQLSTATE code, if the server sent one (`42P01`: no such table).
    pub code: Option<String>,
    /// The connection itself failed (unreachable, refused, bad password).
    pub connection: bool,
}

/// A result: its columns' names and values.
pub(crate) type DbRows = Vec<(String, DbColumn)>;

/// A connection to one database: everything boardpack asks of a driver.
pub(crate) trait Database: Send {
    /// The result columns of `sql` (names and types), without running it;
    /// `$n` parameters are allowed.
    fn describe(&mut self, sql: &str) -> Result<Vec<(String, DbType)>, DbError>;
    /// Runs `sql` with `params` bound to its parameters, streaming every row
    /// into typed columns.
    fn query(&mut self, sql: &str, params: &[DbValue]) -> Result<DbRows, DbError>;
}

/// How a driver's SQL is written: what the pushdown translator emits.
pub(crate) trait Dialect {
    /// A quoted identifier.
    fn ident(&self, name: &str) -> String;
    /// The `n`-th (1-based) bound parameter.
    fn param(&self, n: usize) -> String;
    /// `expr` compared and ordered byte-wise, as Polars compares strings.
    fn binary_text(&self, expr: &str) -> String;
}

/// Open connections by connection URL, so every source and query of one
/// process shares one session per database.
type Pool = Mutex<BTreeMap<String, Box<dyn Database>>>;

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(Default::default)
}

/// Runs `f` on the connection for `url`, opening it with `connect` first if
/// there is none (or the last one failed).
pub(crate) fn with_connection<T>(
    url: &str,
    connect: impl FnOnce() -> Result<Box<dyn Database>, DbError>,
    f: impl FnOnce(&mut dyn Database) -> Result<T, DbError>,
) -> Result<T, DbError> {
    let mut pool = pool().lock().unwrap_or_else(|e| e.into_inner());
    if !pool.contains_key(url) {
        pool.insert(url.to_string(), connect()?);
    }
    let db = pool.get_mut(url).expect("inserted above");
    let result = f(db.as_mut());
    if matches!(&result, Err(e) if e.connection) {
        pool.remove(url);
    }
    result
}

/// A frame from returned columns, each cast to `schema`'s type (a count
/// the database returns as `bigint` becomes Polars' `u32`, a `MAX` of an
/// `integer` stays `i32`), with `schema`'s names.
pub(crate) fn to_frame(rows: DbRows, schema: &Schema) -> PolarsResult<DataFrame> {
    if rows.len() != schema.len() {
        return Err(PolarsError::ShapeMismatch(
            format!(
                "the database returned {} column(s) where Polars gives {}",
                rows.len(),
                schema.len()
            )
            .into(),
        ));
    }
    let mut columns = Vec::with_capacity(rows.len());
    for ((_, column), (name, dtype)) in rows.into_iter().zip(schema.iter()) {
        let s = column.into_series(name.as_str())?;
        columns.push(s.strict_cast(dtype)?.into_column());
    }
    DataFrame::new_infer_height(columns)
}

/// [`frame_hash`] of a query result with its rows sorted first: a
/// database may return an unordered result (`GROUP BY` without `ORDER BY`)
/// in any order, and the same rows must hash the same.
pub(crate) fn result_hash(df: &DataFrame) -> String {
    let names: Vec<PlSmallStr> = df.get_column_names_owned();
    let sorted = df.sort(names, SortMultipleOptions::default());
    frame_hash(sorted.as_ref().unwrap_or(df))
}

/// BLAKE3 of a frame's canonical bytes: each column's name and type, then
/// every value (floats by their bits, text length-prefixed), so equal
/// results hash equal whatever the database or driver.
pub(crate) fn frame_hash(df: &DataFrame) -> String {
    let mut h = blake3::Hasher::new();
    for c in df.columns() {
        h.update(format!("{}:{}\u{1f}", c.name(), c.dtype()).as_bytes());
    }
    h.update(&(df.height() as u64).to_le_bytes());
    for c in df.columns() {
        let s = c.as_materialized_series();
        for i in 0..s.len() {
            let v = s.get(i).unwrap_or(AnyValue::Null);
            let text = match v {
                AnyValue::Null => "\u{0}".to_string(),
                AnyValue::Float64(f) => format!("f{:016x}", f.to_bits()),
                AnyValue::Float32(f) => format!("f{:08x}", f.to_bits()),
                AnyValue::String(s) => format!("s{}:{s}", s.len()),
                AnyValue::StringOwned(s) => format!("s{}:{s}", s.len()),
                other => format!("v{other}"),
            };
            h.update(text.as_bytes());
            h.update(b"\x1e");
        }
    }
    h.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_become_typed_series_cast_to_the_schema() {
        let rows: DbRows = vec![
            ("n".into(), DbColumn::Int(vec![Some(3), Some(4)])),
            ("d".into(), DbColumn::Date(vec![Some(1), None])),
        ];
        let schema = Schema::from_iter([
            Field::new("victims".into(), DataType::UInt32),
            Field::new("day".into(), DataType::Date),
        ]);
        let df = to_frame(rows, &schema).unwrap();
        assert_eq!(df.get_column_names(), ["victims", "day"]);
        assert_eq!(df.column("victims").unwrap().dtype(), &DataType::UInt32);
        assert_eq!(df.column("day").unwrap().null_count(), 1);
        // A value that does not fit is an error, never a silent null.
        let rows: DbRows = vec![("n".into(), DbColumn::Int(vec![Some(-1)]))];
        let schema = Schema::from_iter([Field::new("n".into(), DataType::UInt32)]);
        assert!(to_frame(rows, &schema).is_err());
    }

    #[test]
    fn the_hash_sees_values_types_and_names() {
        let a = df!("x" => [1i64, 2]).unwrap();
        let b = df!("x" => [1i64, 3]).unwrap();
        let c = df!("x" => [1i32, 2]).unwrap();
        let d = df!("y" => [1i64, 2]).unwrap();
        let hashes = [&a, &b, &c, &d].map(frame_hash);
        let distinct: std::collections::BTreeSet<&String> = hashes.iter().collect();
        assert_eq!(distinct.len(), 4, "{hashes:?}");
        assert_eq!(frame_hash(&a), frame_hash(&a.clone()));
        assert_eq!(DbColumn::Text(vec![None, Some("a".into())]).nulls(), [0]);
    }
}
