//! Both periods' frames of a source made in one pass, and the source's
//! frame of every kept row let go as they are made.
//!
//! A build keeps the rows of the current and the previous period in each
//! period-filtered source ([`crate::source::keep`]); each period's queries
//! then read only that period's rows ([`super::period`]). Made one period
//! at a time, both periods' frames and the frame they came from are alive
//! together, at 10 M rows the largest part of a build's memory. Here one
//! scan of the period column gives both periods' masks, each column is
//! filtered to both and then dropped, and each period's source is left
//! holding its own rows only (its `keep` narrowed to say so). The period
//! filter of each period's queries then keeps every row, and keeps the
//! frame as it is, without a copy ([`super::period::filtered_once`]).
//!
//! Exact by construction: a period's frame holds the rows the period
//! filter would keep (by the same day test; a row with no date in none),
//! in the same order. Only file sources whose period column is a date or
//! date-time are split; a source some later stage reads whole (the target
//! of a table check's foreign key) is left as it is.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use polars::prelude::*;

use crate::error::{Error, ErrorKind, Result};
use crate::params::FinancialYear;
use crate::source::keep::{Extent, KeepRows};
use crate::source::Source;
use crate::spec::PeriodFilter;

/// Splits every period-filtered file source of `current` (computed for
/// `fy`) and of the `previous` period's sources into each period's rows.
/// A source both periods read from the same file (the same rows kept) is
/// split in one pass; one read from a file of its own is narrowed alone.
/// The sources named in `whole` keep every row.
pub(crate) fn split_periods(
    (current, fy): (&mut BTreeMap<String, Source>, FinancialYear),
    mut previous: Option<(FinancialYear, &mut BTreeMap<String, Source>)>,
    whole: &BTreeSet<&str>,
) -> Result<()> {
    let _timed = crate::timings::span(crate::timings::Stage::Period, || {
        "every source, to both periods in one pass".to_string()
    });
    for (name, source) in current.iter_mut() {
        if whole.contains(name.as_str()) || !splittable(source) {
            continue;
        }
        let before = match previous.as_mut() {
            Some((p, sources)) => sources.get_mut(name).map(|s| (*p, s)),
            None => None,
        };
        match before {
            Some((p, old)) if same_rows(source, old) => {
                let extent = full_extent(source);
                let frame = std::mem::take(&mut source.frame);
                // The previous period's copy shares the same columns: let
                // it go, so each column is freed once it is split.
                old.frame = DataFrame::empty();
                let [now, then] = split(frame, &source.lines, [(fy, &*source), (p, &*old)])?;
                settle(source, now, fy, extent);
                settle(old, then, p, extent);
            }
            other => {
                narrow(source, fy)?;
                if let Some((p, old)) = other.filter(|(_, old)| splittable(old)) {
                    narrow(old, p)?;
                }
            }
        }
    }
    Ok(())
}

/// One period's rows of a source: its frame and the line of each row.
type Part = (DataFrame, Arc<[u32]>);

/// Whether `source` is split: a file source filtered by a date or
/// date-time period column (other types are filtered by Polars, as ever).
fn splittable(source: &Source) -> bool {
    let Some((column, _)) = &source.period_column else {
        return false;
    };
    let dates = source.frame.column(column).ok().map(Column::dtype);
    source.remote.is_none() && matches!(dates, Some(DataType::Date | DataType::Datetime(_, None)))
}

/// Whether two loads of a source hold the very same rows: the same file
/// (by its hash), the same rows kept, the same period column and filter.
fn same_rows(a: &Source, b: &Source) -> bool {
    a.path == b.path
        && a.blake3 == b.blake3
        && a.keep == b.keep
        && a.period_column == b.period_column
        && a.frame.height() == b.frame.height()
}

/// Narrows one period's source to the period's rows.
fn narrow(source: &mut Source, fy: FinancialYear) -> Result<()> {
    let extent = full_extent(source);
    let frame = std::mem::take(&mut source.frame);
    let [part] = split(frame, &source.lines, [(fy, &*source)])?;
    settle(source, part, fy, extent);
    Ok(())
}

/// Leaves `source` holding `part`, the rows of `fy`: its frame, lines,
/// the rows it keeps, and the extent of every row read.
fn settle(source: &mut Source, (frame, lines): Part, fy: FinancialYear, extent: Extent) {
    source.frame = frame;
    source.lines = lines;
    source.extent = extent;
    if let Some((column, filter)) = &source.period_column {
        source.keep = Some(KeepRows {
            column: column.clone(),
            first: (*filter == PeriodFilter::Period).then(|| day_number(fy.start())),
            last: day_number(fy.end()),
        });
    }
}

/// The extent of the period column over every row read: the reader's, or
/// (when it kept every row) the frame's own, taken before it is split (the
/// "no data in the period" message shows it).
fn full_extent(source: &Source) -> Extent {
    let Some((column, _)) = source
        .period_column
        .as_ref()
        .filter(|_| source.extent.0.is_none())
    else {
        return source.extent;
    };
    let physical = source
        .frame
        .column(column)
        .ok()
        .and_then(|c| c.to_physical_repr().cast(&DataType::Int64).ok());
    match physical.as_ref().and_then(|c| c.i64().ok()) {
        Some(values) => Extent(values.min().zip(values.max())),
        None => source.extent,
    }
}

/// Splits `frame` (whose rows are at `lines`) into the rows of each
/// period, each by its source's period filter, with one scan of the period
/// column; each column is dropped as soon as it is split.
fn split<const N: usize>(
    frame: DataFrame,
    lines: &[u32],
    periods: [(FinancialYear, &Source); N],
) -> Result<[Part; N]> {
    let name = &periods[0].1.name;
    let internal = |e: PolarsError| {
        Error::new(
            ErrorKind::Internal,
            format!(
                "cannot split source `{name}` into its periods: {}",
                crate::source::first_line(&e)
            ),
        )
    };
    let bounds = periods.map(|(fy, s)| bounds(fy, s));
    let column = bounds[0].0.as_str();
    let days = frame.column(column).map_err(internal)?;
    let days = days.cast(&DataType::Date).map_err(internal)?;
    let masks = masks(days.date().map_err(internal)?.physical(), &bounds);
    let rows = masks.each_ref().map(|m| m.iter().filter(|&&k| k).count());
    let kept_lines = masks.each_ref().map(|m| {
        lines
            .iter()
            .zip(m)
            .filter_map(|(&l, &k)| k.then_some(l))
            .collect()
    });
    let masks = masks.map(|m| BooleanChunked::from_slice("in_period".into(), &m));
    // Column by column, each freed once split: the first half of the
    // columns on this thread, the second beside it (the order is kept).
    let mut first = frame.into_columns();
    let second = first.split_off(first.len().div_ceil(2));
    let each = |half: Vec<Column>| -> Vec<[PolarsResult<Column>; N]> {
        half.into_iter()
            .map(|c| masks.each_ref().map(|mask| c.filter(mask)))
            .collect()
    };
    let (first, second) = std::thread::scope(|s| {
        let second = s.spawn(|| each(second));
        let first = each(first);
        let second = second
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first, second)
    });
    let mut columns: [Vec<Column>; N] = std::array::from_fn(|_| Vec::new());
    for split in first.into_iter().chain(second) {
        for (out, c) in columns.iter_mut().zip(split) {
            out.push(c.map_err(internal)?);
        }
    }
    let parts = columns.into_iter().zip(rows).zip(kept_lines);
    let parts = parts
        .map(|((columns, rows), lines)| Ok((DataFrame::new(rows, columns)?, lines)))
        .collect::<PolarsResult<Vec<Part>>>()
        .map_err(internal)?;
    // One part a period, by construction.
    <[Part; N]>::try_from(parts).map_err(|_| internal(polars_err!(ComputeError: "a period lost")))
}

/// A period's test as a source's filter sets it: the period column, the
/// first day kept (`None`: every day up to the last, `to-date`), the last.
fn bounds(fy: FinancialYear, source: &Source) -> (String, Option<i32>, i32) {
    let (column, filter) = source
        .period_column
        .clone()
        .unwrap_or_else(|| (String::new(), PeriodFilter::Period));
    let first = (filter == PeriodFilter::Period).then(|| day_number(fy.start()));
    (column, first, day_number(fy.end()))
}

/// Which of `days` (days since 1970-01-01) each period keeps, in one pass;
/// a row without a day is in no period.
fn masks<const N: usize>(
    days: &Int32Chunked,
    bounds: &[(String, Option<i32>, i32); N],
) -> [Vec<bool>; N] {
    let mut masks: [Vec<bool>; N] = std::array::from_fn(|_| Vec::with_capacity(days.len()));
    for day in days.iter() {
        for (mask, (_, first, last)) in masks.iter_mut().zip(bounds) {
            mask.push(day.is_some_and(|d| d <= *last && first.is_none_or(|f| d >= f)));
        }
    }
    masks
}

/// Days since 1970-01-01.
fn day_number(d: jiff::civil::Date) -> i32 {
    (d - jiff::civil::date(1970, 1, 1)).get_days()
}

#[cfg(test)]
mod tests;
