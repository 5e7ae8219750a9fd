//! The Parquet reader: Polars reads the declared columns only (projection)
//! straight from the bytes the input registry hashed; then every column is
//! checked against its declaration.
//!
//! - A column stored with another type than declared is one error naming
//!   the Parquet type and the declared one. Integers of any width are
//!   `int` (unsigned 64-bit values above `i64::MAX` are errors), integers
//!   and floats are `float`, a `Datetime` column is a `date` when every
//!   value is at midnight.
//! - A null in a required column, a float that is not finite (as in CSV),
//!   a text cell equal to one of the column's `missing` texts (null if the
//!   column is nullable, else an error) and text that is not text (a
//!   Unicode non-character) are reported by row (the first row of data is
//!   row 1), capped per rule like CSV.
//!
//! Every row is read and checked (the period filter cannot be pushed into
//! this read: every cell is checked); the rows outside the build's periods
//! are then left out (`super::keep`), and compute filters each period.

use std::io::Cursor;

use polars::prelude::*;

use super::cell::{self, Parsed};
use super::columns;
use super::csv::{ColumnRule, Table};
use super::problems::{Place, Problems, Rule};
use super::Request;
use crate::error::{Error, ErrorKind, Result};
use crate::spec::ColumnType;

/// Reads Parquet `bytes` against the declared columns of `r`.
pub(crate) fn read(bytes: &[u8], r: &Request) -> Result<Table> {
    if !bytes.starts_with(b"PAR1") {
        let looks = super::csv::not_csv(bytes).unwrap_or("text");
        return Err(Error::new(
            ErrorKind::Data,
            format!("this is not a Parquet file (it looks like {looks})"),
        )
        .in_file(r.file)
        .with_hint("point `path` at the Parquet file, or give the file its real extension"));
    }
    let cannot = |e: PolarsError| {
        Error::new(
            ErrorKind::Data,
            format!("cannot read Parquet: {}", super::first_line(&e)),
        )
        .in_file(r.file)
        .with_hint("the file may be damaged or cut short; export it again")
    };
    let schema = ParquetReader::new(Cursor::new(bytes))
        .schema()
        .map_err(cannot)?;
    let found: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
    let mut errors = Vec::new();
    for (i, rule) in r.rules.iter().enumerate() {
        if !found.contains(&rule.name.as_str()) {
            errors.push((r.absent)(i, &found));
        }
    }
    Error::collect(errors)?;
    let names = r.rules.iter().map(|c| c.name.clone()).collect();
    let frame = ParquetReader::new(Cursor::new(bytes))
        .with_columns(Some(names))
        .finish()
        .map_err(cannot)?;
    check(&frame, r)
}

/// Checks and converts every declared column of `frame`.
fn check(frame: &DataFrame, r: &Request) -> Result<Table> {
    let mut problems = Problems::at(r.file, r.rules, Place::Record);
    let mut errors = Vec::new();
    let mut columns = Vec::with_capacity(r.rules.len());
    for (i, rule) in r.rules.iter().enumerate() {
        let series = match frame.column(&rule.name) {
            Ok(c) => c.as_materialized_series().clone(),
            Err(e) => return Err(internal(r, &e)),
        };
        match typed(&series, rule) {
            Ok(s) => columns.push(column(&s, i, rule, &mut problems)),
            Err(stored) => errors.push(
                Error::new(
                    ErrorKind::Data,
                    format!(
                        "column `{}` is stored as {stored}, not {}",
                        rule.name,
                        cell::type_phrase(rule.ty)
                    ),
                )
                .in_file(r.file)
                .with_hint(format!(
                    "convert the column when writing the file, or declare `{}` with the type it holds",
                    rule.name
                )),
            ),
        }
    }
    if let Err(e) = problems.finish() {
        errors.extend(e.into_all());
    }
    Error::collect(errors)?;
    let height = frame.height();
    let frame = DataFrame::new(height, columns).map_err(|e| internal(r, &e))?;
    let rows = u32::try_from(height).map_err(|_| {
        Error::new(ErrorKind::Data, "the file has more than 4,294,967,295 rows")
            .in_file(r.file)
            .with_hint("split the file; one source file holds at most 4,294,967,295 rows")
    })?;
    Ok(Table::new(frame, (1..=rows).collect()))
}

fn internal(r: &Request, e: &PolarsError) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!(
            "the checked Parquet columns do not line up: {}",
            super::first_line(e)
        ),
    )
    .in_file(r.file)
}

/// The column cast to the declared type's Polars type, or what it is stored
/// as when that is not the declared type.
fn typed(s: &Series, rule: &ColumnRule) -> std::result::Result<Series, String> {
    use DataType as D;
    let dt = s.dtype();
    let ok = match (rule.ty, dt) {
        (ColumnType::String, D::String) | (ColumnType::Bool, D::Boolean) => true,
        (ColumnType::Int, d) => d.is_integer(),
        (ColumnType::Float, d) => d.is_primitive_numeric(),
        (ColumnType::Date, D::Date) => true,
        (ColumnType::Date, D::Datetime(..)) => at_midnight(s),
        // A time zone would decide which day an instant falls on: only
        // local (naive) date-times, or dates (their midnight).
        (ColumnType::Datetime, D::Datetime(_, None) | D::Date) => true,
        _ => false,
    };
    if !ok {
        return Err(stored_as(dt));
    }
    let target = match (rule.ty, dt) {
        // The file's own unit: nanoseconds are not cut to microseconds.
        (ColumnType::Datetime, D::Datetime(unit, None)) => D::Datetime(*unit, None),
        _ => typed_target(rule.ty),
    };
    // Strict: an unsigned value above i64::MAX fails instead of becoming null.
    s.strict_cast(&target)
        .map_err(|_| format!("{} with values too large for a whole number", stored_as(dt)))
}

/// The Polars type a declared type is read as.
fn typed_target(ty: ColumnType) -> DataType {
    use DataType as D;
    match ty {
        ColumnType::String => D::String,
        ColumnType::Int => D::Int64,
        ColumnType::Float => D::Float64,
        ColumnType::Bool => D::Boolean,
        ColumnType::Date => D::Date,
        ColumnType::Datetime => D::Datetime(TimeUnit::Microseconds, None),
    }
}

/// Whether every value of a `Datetime` column is at midnight, so the
/// column holds dates.
fn at_midnight(s: &Series) -> bool {
    s.cast(&DataType::Date)
        .and_then(|d| d.cast(s.dtype()))
        .and_then(|back| s.equal_missing(&back))
        .is_ok_and(|eq| eq.all())
}

/// The Parquet type as messages name it.
fn stored_as(dt: &DataType) -> String {
    match dt {
        DataType::String => "text".to_string(),
        DataType::Boolean => "true/false".to_string(),
        DataType::Date => "dates".to_string(),
        DataType::Datetime(_, Some(tz)) => format!("date-times in time zone {tz}"),
        DataType::Datetime(..) => "date-times with a time of day".to_string(),
        d if d.is_integer() => format!("whole numbers ({d})"),
        d if d.is_float() => format!("numbers with decimals ({d})"),
        d => format!("`{d}`"),
    }
}

/// The checked column: nulls and `missing` texts by the column's rules,
/// floats finite, text without non-characters. Problems go to `problems`.
fn column(s: &Series, i: usize, rule: &ColumnRule, problems: &mut Problems) -> Column {
    let row = |k: usize| u32::try_from(k + 1).unwrap_or(u32::MAX);
    match rule.ty {
        ColumnType::String => {
            let Ok(ca) = s.str() else {
                return Column::from(s.clone());
            };
            let mut b = columns::Column::new(rule, ca.len());
            for (k, v) in ca.iter().enumerate() {
                let text = v.unwrap_or("");
                let parsed = match v {
                    None if rule.nullable => Parsed::Null,
                    None => Parsed::MissingButRequired,
                    Some(t) => cell::parse(t, rule),
                };
                match parsed {
                    Parsed::Value(value) => {
                        if let Err(why) = crate::text::check_text(text) {
                            problems.add(Rule::NotText, Some(i), row(k), || {
                                format!("the cell holds {why}")
                            });
                        }
                        b.push(Some(value));
                    }
                    Parsed::Null => b.push(None),
                    Parsed::MissingButRequired => missing(problems, i, row(k), v),
                    Parsed::NotA => problems.add(Rule::Type, Some(i), row(k), || {
                        cell::type_message(text, rule.ty)
                    }),
                }
            }
            b.into_polars(rule)
        }
        _ => {
            if !rule.nullable && s.null_count() > 0 {
                for (k, null) in s.is_null().iter().enumerate() {
                    if null == Some(true) {
                        missing(problems, i, row(k), None);
                    }
                }
            }
            if let Ok(ca) = s.f64() {
                for (k, x) in ca.iter().enumerate() {
                    if let Some(x) = x.filter(|x| !x.is_finite()) {
                        problems.add(Rule::Type, Some(i), row(k), || {
                            cell::type_message(&x.to_string(), rule.ty)
                        });
                    }
                }
            }
            Column::from(s.clone())
        }
    }
}

/// A missing value (`None`: a null) in a required column.
fn missing(problems: &mut Problems, i: usize, row: u32, text: Option<&str>) {
    problems.add(Rule::Missing, Some(i), row, || match text {
        Some(t) => cell::missing_message(t),
        None => "null in a required column".to_string(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{test_read, test_spec};

    fn parquet(mut df: DataFrame) -> Vec<u8> {
        let mut out = Vec::new();
        ParquetWriter::new(&mut out).finish(&mut df).unwrap();
        out
    }

    const COLUMNS: &str = "[sources.s.columns]\nid = \"string\"\nage = { type = \"int\", nullable = true }\nwhen = \"date\"\n";

    fn spec() -> crate::spec::Spec {
        test_spec(&format!(
            "path = \"v.parquet\"\nmissing = [\"\", \"NA\"]\n{COLUMNS}"
        ))
    }

    #[test]
    fn reads_declared_columns_with_widened_types() {
        let df = df!(
            "id" => ["a", "b"],
            "age" => [Some(30i32), None],
            "when" => [17_987i32, 17_988],
            "extra" => [1.5, 2.5],
        )
        .unwrap();
        let df = df
            .lazy()
            .with_column(col("when").cast(DataType::Date))
            .collect()
            .unwrap();
        let t = test_read(&spec(), "v.parquet", &parquet(df)).unwrap();
        assert_eq!(t.frame.width(), 3, "undeclared columns are not loaded");
        assert_eq!(t.frame.column("age").unwrap().dtype(), &DataType::Int64);
        assert_eq!(&*t.lines, &[1, 2]);
    }

    #[test]
    fn wrong_types_and_nulls_are_all_reported() {
        let df = df!(
            "id" => [Some("a"), None, Some("NA")],
            "age" => ["1", "2", "3"],
            "when" => [1.0, 2.0, 3.0],
        )
        .unwrap();
        let e = test_read(&spec(), "v.parquet", &parquet(df)).unwrap_err();
        assert_eq!(e.len(), 4, "type and row problems at once: {e:?}");
        assert!(
            e[0].starts_with("v.parquet: column `age` is stored as text, not a whole number"),
            "{e:?}"
        );
        assert!(
            e[1].contains("column `when` is stored as numbers with decimals (f64), not a date"),
            "{e:?}"
        );
        let df = df!(
            "id" => [Some("a"), None, Some("NA")],
            "age" => [1i64, 2, 3],
            "when" => [1i32, 2, 3],
        )
        .unwrap()
        .lazy()
        .with_column(col("when").cast(DataType::Date))
        .collect()
        .unwrap();
        let e = test_read(&spec(), "v.parquet", &parquet(df)).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[0].starts_with("v.parquet, row 2, column `id`: null in a required column"),
            "{e:?}"
        );
        assert!(
            e[1].starts_with("v.parquet, row 3, column `id`: \"NA\" marks a missing value"),
            "{e:?}"
        );
    }

    #[test]
    fn midnight_datetimes_are_dates_and_not_parquet_is_said() {
        let df = df!("id" => ["a"], "age" => [1i64], "when" => [1_554_076_800_000i64])
            .unwrap()
            .lazy()
            .with_column(col("when").cast(DataType::Datetime(TimeUnit::Milliseconds, None)))
            .collect()
            .unwrap();
        let t = test_read(&spec(), "v.parquet", &parquet(df)).unwrap();
        assert_eq!(t.frame.column("when").unwrap().dtype(), &DataType::Date);
        let e = test_read(&spec(), "v.parquet", b"id,age,when\n").unwrap_err();
        assert!(
            e[0].contains("this is not a Parquet file (it looks like text)"),
            "{e:?}"
        );
    }
}
