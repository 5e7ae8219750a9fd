//! Which rows of a file a reader keeps: those of the periods the build
//! computes. Every row is still read and every declared cell typed and
//! checked; only the kept rows are stored in the source's frame (and so
//! seen by the declared data checks and the queries).
//!
//! A source with a `period_column` keeps the rows whose day (the day a
//! date-time falls on, as `compute::period` filters) is in the union of
//! the build's periods: `[first day of the earliest, last day of the
//! latest]`, or everything up to that last day for `period_filter =
//! "to-date"`. A row with no value in the period column is kept (it is an
//! error, reported as today, never dropped in silence). Without a period
//! column, or when the periods are not known before the data is read (a
//! batch whose query picks the periods), every row is kept.

use polars::prelude::*;

use super::csv::Table;
use crate::error::{Error, ErrorKind, Result};
use crate::params::FinancialYear;
use crate::spec::{PeriodFilter, SourceDecl};

/// Microseconds in a day (a date-time column's unit).
const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The row filter a reader applies to one source's files.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct KeepRows {
    /// The period column, by its declared name.
    pub column: String,
    /// The first day kept (days since 1970-01-01); `None`: every day up to
    /// `last` (a `to-date` source).
    pub first: Option<i32>,
    /// The last day kept.
    pub last: i32,
}

impl KeepRows {
    /// The filter for a file source declared by `decl` in a build that
    /// computes `periods` (`None`: not known, keep every row).
    pub(crate) fn for_source(
        decl: &SourceDecl,
        periods: Option<&[FinancialYear]>,
    ) -> Option<KeepRows> {
        let column = decl.period_column.as_ref()?.get_ref().clone();
        let periods = periods.filter(|p| !p.is_empty())?;
        let first = periods.iter().map(|fy| day_number(fy.start())).min()?;
        let last = periods.iter().map(|fy| day_number(fy.end())).max()?;
        Some(KeepRows {
            column,
            first: (decl.period_filter == PeriodFilter::Period).then_some(first),
            last,
        })
    }

    /// Whether a row whose period cell is the day `day` is kept.
    #[inline]
    pub(crate) fn keeps_day(&self, day: i32) -> bool {
        day <= self.last && self.first.is_none_or(|f| day >= f)
    }

    /// Whether a row whose period cell is the date-time `micros` (since
    /// 1970-01-01 00:00) is kept: by the day it falls on.
    #[inline]
    pub(crate) fn keeps_micros(&self, micros: i64) -> bool {
        let day = micros.div_euclid(MICROS_PER_DAY);
        day <= i64::from(self.last) && self.first.is_none_or(|f| day >= i64::from(f))
    }

    /// Whether a source read with filter `have` holds every row one read
    /// with `need` would (`None`: every row).
    pub(crate) fn covers(have: Option<&KeepRows>, need: Option<&KeepRows>) -> bool {
        match (have, need) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(h), Some(n)) => {
                h.column == n.column
                    && h.last >= n.last
                    && match (h.first, n.first) {
                        (None, _) => true,
                        (Some(_), None) => false,
                        (Some(h), Some(n)) => h <= n,
                    }
            }
        }
    }
}

/// Days since 1970-01-01.
fn day_number(d: jiff::civil::Date) -> i32 {
    (d - jiff::civil::date(1970, 1, 1)).get_days()
}

/// The smallest and largest value seen in a period column (physical:
/// days for a date, microseconds for a date-time), over every row read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Extent(pub Option<(i64, i64)>);

impl Extent {
    /// Widens the extent by `v`.
    #[inline]
    pub(crate) fn see(&mut self, v: i64) {
        self.0 = Some(match self.0 {
            None => (v, v),
            Some((a, b)) => (a.min(v), b.max(v)),
        });
    }

    /// Both extents at once.
    pub(crate) fn merge(&mut self, other: Extent) {
        if let Some((a, b)) = other.0 {
            self.see(a);
            self.see(b);
        }
    }

    /// The extent as a two-row column of `dtype` (first, last), for
    /// messages that show it as the data's own type shows.
    pub(crate) fn to_column(self, name: &str, dtype: &DataType) -> Option<Column> {
        let (a, b) = self.0?;
        let physical = Series::new(name.into(), [a, b]);
        let physical = match dtype {
            DataType::Date => physical.cast(&DataType::Int32).ok()?,
            _ => physical,
        };
        physical.cast(dtype).ok().map(Column::from)
    }
}

/// Applies `keep` to a table read whole (the Excel and Parquet readers
/// filter right after their read): the kept rows, their lines, and the
/// period column's extent over every row.
pub(crate) fn filter(table: Table, keep: &KeepRows) -> Result<Table> {
    let internal = |e: PolarsError| {
        Error::new(
            ErrorKind::Internal,
            format!(
                "cannot keep the period's rows of column `{}`: {}",
                keep.column,
                super::first_line(&e)
            ),
        )
    };
    let column = table.frame.column(&keep.column).map_err(internal)?;
    let (mask, extent): (Vec<bool>, Extent) = match column.dtype() {
        DataType::Date => mask(column.date().map_err(internal)?.physical(), |d| {
            keep.keeps_day(d)
        }),
        DataType::Datetime(TimeUnit::Microseconds, _) => {
            mask(column.datetime().map_err(internal)?.physical(), |us| {
                keep.keeps_micros(us)
            })
        }
        // Not a period column the spec allows: kept whole.
        _ => return Ok(table),
    };
    let rows = mask.iter().filter(|&&k| k).count();
    let lines: Vec<u32> = table
        .lines
        .iter()
        .zip(&mask)
        .filter_map(|(&l, &k)| k.then_some(l))
        .collect();
    let mask = BooleanChunked::from_slice("keep".into(), &mask);
    let columns = table.frame.columns().iter().map(|c| c.filter(&mask));
    let columns = columns
        .collect::<PolarsResult<Vec<_>>>()
        .map_err(internal)?;
    Ok(Table {
        frame: DataFrame::new(rows, columns).map_err(internal)?,
        lines: lines.into(),
        read: table.read,
        extent,
    })
}

/// Which of `values` are kept (a null always is) and their extent.
fn mask<T>(values: &ChunkedArray<T>, keeps: impl Fn(T::Native) -> bool) -> (Vec<bool>, Extent)
where
    T: PolarsNumericType,
    T::Native: Into<i64>,
{
    let mut extent = Extent::default();
    let mask = values
        .iter()
        .map(|v| {
            v.is_none_or(|v| {
                extent.see(v.into());
                keeps(v)
            })
        })
        .collect();
    (mask, extent)
}

#[cfg(test)]
mod tests;
