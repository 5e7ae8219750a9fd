//! The report period applied to the inputs: period-filtered sources, the
//! one-row `params` table, and a clear error for a period with no data.

use polars::prelude::*;

use super::value::{to_value, Value};
use crate::error::{Error, ErrorKind};
use crate::params::{FinancialYear, ParamValue, Params};
use crate::source::Source;
use crate::spec::PeriodFilter;

/// A source restricted to the period by its `period_column`.
pub(super) fn period_frame(source: &Source, period: Option<FinancialYear>) -> LazyFrame {
    let lf = source.frame.clone().lazy();
    let (Some((column, filter)), Some(fy)) = (&source.period_column, period) else {
        return lf;
    };
    // Compared as days: a date-time compared with a date is compared with
    // its midnight, and the period's last day would be lost (a period is
    // `[start 00:00, end + 1 day 00:00)`). A cast of a date is a no-op.
    let day = || col(column.as_str()).cast(DataType::Date);
    let end = day().lt_eq(date_lit(fy.end()));
    match filter {
        PeriodFilter::Period => lf.filter(day().gt_eq(date_lit(fy.start())).and(end)),
        PeriodFilter::ToDate => lf.filter(end),
    }
}

/// What a period filter found in a source: how many rows fall in the
/// period and which of the period's months have any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Coverage {
    /// Rows kept by the filter.
    pub rows: usize,
    /// Bit `i` set when month `i` of the period (April = 0) has a row.
    pub months: u16,
}

/// [`period_frame`], filtered once: every query over the source then reads
/// the period's rows (already in memory) instead of filtering every row of
/// the file again (a paper runs a dozen queries per source, twice with the
/// previous period). The same pass over the dates counts the rows and the
/// months it keeps ([`Coverage`]). A source without a period filter is left
/// as it is, with no coverage.
pub(super) fn filtered_once(
    source: &Source,
    period: Option<FinancialYear>,
) -> crate::error::Result<(LazyFrame, Option<Coverage>)> {
    let (Some((column, filter)), Some(fy)) = (&source.period_column, period) else {
        return Ok((source.frame.clone().lazy(), None));
    };
    let _timed = crate::timings::span(crate::timings::Stage::Period, || {
        format!("source `{}` to {fy}", source.name)
    });
    let internal = |e: PolarsError| {
        Error::new(
            ErrorKind::Internal,
            format!(
                "cannot filter source `{}` to the period: {}",
                source.name,
                crate::source::first_line(&e)
            ),
        )
    };
    let dates = source.frame.column(column).ok().map(Column::dtype);
    if matches!(dates, Some(DataType::Date | DataType::Datetime(_, None))) {
        // One pass over the day numbers: the mask and the coverage. A
        // date-time is in the period when the day it falls on is.
        let days = source.frame.column(column).map_err(internal)?;
        let days = days.cast(&DataType::Date).map_err(internal)?;
        let days = days.date().map_err(internal)?.physical();
        let (mask, coverage) = scan(days, fy, *filter);
        // Every row in the period (a source already split to it, see
        // `split`): the frame as it is, not a copy.
        if coverage.rows == source.frame.height() {
            return Ok((source.frame.clone().lazy(), Some(coverage)));
        }
        // Column by column on this thread: `DataFrame::filter` waits for
        // Polars' pool, which the other period's queries keep busy.
        let columns = source.frame.columns().iter().map(|c| c.filter(&mask));
        let columns = columns
            .collect::<PolarsResult<Vec<_>>>()
            .map_err(internal)?;
        let df = DataFrame::new(coverage.rows, columns).map_err(internal)?;
        return Ok((df.lazy(), Some(coverage)));
    }
    // Dates of another type: Polars compares them; then count what it kept.
    let df = period_frame(source, period).collect().map_err(internal)?;
    let coverage = df
        .column(column)
        .ok()
        .and_then(|c| c.cast(&DataType::Date).ok())
        .and_then(|c| Some(scan(c.date().ok()?.physical(), fy, *filter).1))
        // Never a month check skipped in silence.
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Internal,
                format!(
                    "the period column `{column}` of source `{}` is not a date",
                    source.name
                ),
            )
            .with_hint("this is a bug in boardpack; please report it with the spec")
        })?;
    Ok((df.lazy(), Some(coverage)))
}

/// Which of `days` (days since 1970-01-01) fall in `fy` by `filter` (nulls
/// never do), and the [`Coverage`] of those in the period itself.
fn scan(
    days: &Int32Chunked,
    fy: FinancialYear,
    filter: PeriodFilter,
) -> (BooleanChunked, Coverage) {
    // The first day of each month of the period, and the day after it.
    let starts: Vec<i32> = (0..=12).map(|i| days_since_epoch(fy.month(i))).collect();
    let (first, end) = (starts[0], days_since_epoch(fy.end()));
    let mut coverage = Coverage { rows: 0, months: 0 };
    let mut keep = |v: i32| {
        let kept = v <= end && (filter == PeriodFilter::ToDate || v >= first);
        coverage.rows += usize::from(kept);
        if kept && v >= first {
            let month = starts[1..12].partition_point(|&s| s <= v);
            coverage.months |= 1 << month;
        }
        kept
    };
    let kept: Vec<bool> = match days.null_count() {
        0 => days.into_no_null_iter().map(&mut keep).collect(),
        // Nulls are never kept.
        _ => days.iter().map(|v| v.is_some_and(&mut keep)).collect(),
    };
    let mask = BooleanChunked::from_slice("in_period".into(), &kept);
    (mask, coverage)
}

/// Whether a period-filtered source has no rows in the period; if so, what
/// it does cover, for the error ("`data/offenders.csv`: `assessment_date`
/// runs from 2018-04-01 to 2021-03-31").
pub(super) fn empty_in_period(source: &Source, column: &str, coverage: Coverage) -> Option<String> {
    if coverage.rows != 0 {
        return None;
    }
    // Over every row read: the frame may hold only the build's periods.
    let read = source
        .frame
        .column(column)
        .ok()
        .and_then(|c| source.extent.to_column(column, c.dtype()));
    let dates = read
        .as_ref()
        .or(source.frame.column(column).ok())
        .and_then(|c| {
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
    let file = crate::error::display_path(&source.path);
    Some(match dates {
        Some(range) => format!("`{file}` (`{column}` runs from {range})"),
        None => format!("`{file}` (no rows at all)"),
    })
}

/// [`empty_in_period`] for a database source whose rows the database
/// counted ([`crate::source::remote::Coverage`]).
pub(super) fn remote_empty(
    source: &Source,
    column: &str,
    coverage: &crate::source::remote::Coverage,
) -> Option<String> {
    if coverage.in_period != 0 {
        return None;
    }
    let file = crate::error::display_path(&source.path);
    Some(match &coverage.range {
        Some((first, last)) => format!("`{file}` (`{column}` runs from {first} to {last})"),
        None => format!("`{file}` (no rows at all)"),
    })
}

/// A period with no rows in its period-filtered sources is almost always a
/// missing extract, not a year with no crime: say so, naming every file
/// looked at, instead of computing empty figures.
/// The months of `fy` in which a source has no row, as `(year, month)`,
/// by its [`Coverage`]; empty if every month has rows, or none has (that
/// is [`empty_in_period`]'s error).
pub(super) fn empty_months(coverage: Coverage, fy: FinancialYear) -> Vec<(i16, i8)> {
    if coverage.rows == 0 {
        return Vec::new();
    }
    (0..12)
        .filter(|i| coverage.months & (1 << i) == 0)
        .map(|i| {
            let d = fy.month(i);
            (d.year(), d.month())
        })
        .collect()
}

/// The error for a period with months that have no rows: the extract
/// looks incomplete, and every figure over it would count part of the year.
pub(super) fn months_missing(fy: FinancialYear, source: &Source, months: &[(i16, i8)]) -> Error {
    let name = |(y, m): (i16, i8)| {
        const NAMES: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        format!("{} {y}", NAMES[(m - 1) as usize])
    };
    // Consecutive months as one range: "October 2024 to March 2025".
    let mut runs: Vec<((i16, i8), (i16, i8))> = Vec::new();
    for &m in months {
        match runs.last_mut() {
            Some((_, last)) if next_month(*last) == m => *last = m,
            _ => runs.push((m, m)),
        }
    }
    let runs: Vec<String> = runs
        .into_iter()
        .map(|(a, b)| match a == b {
            true => name(a),
            false => format!("{} to {}", name(a), name(b)),
        })
        .collect();
    Error::new(
        ErrorKind::Data,
        format!(
            "source `{}` has no rows in {} of {fy} ({} to {}): the extract looks incomplete, and every figure over it would count only part of the period",
            source.name,
            crate::format::join_prose(&runs, "and"),
            fy.start(),
            fy.end()
        ),
    )
    .in_file(&source.path)
    .with_hint(format!(
        "add the missing months to the extract, or choose another period with `--set period=...`; if the source really has months with nothing in them (rare events), say why under `[sources.{}]`: `sparse = \"…\"`",
        source.name
    ))
}

fn next_month((y, m): (i16, i8)) -> (i16, i8) {
    match m {
        12 => (y + 1, 1),
        _ => (y, m + 1),
    }
}

pub(super) fn no_data(fy: FinancialYear, empty: &[(&Source, String)]) -> Error {
    let names: Vec<String> = empty.iter().map(|(s, _)| format!("`{}`", s.name)).collect();
    let files: Vec<&str> = empty.iter().map(|(_, f)| f.as_str()).collect();
    let mut err = Error::new(
        ErrorKind::Data,
        format!(
            "no data for {fy} ({} to {}): no rows of source {} fall in it",
            fy.start(),
            fy.end(),
            crate::format::join_prose(&names, "or")
        ),
    );
    if let Some((first, _)) = empty.first() {
        err = err.in_file(&first.path);
    }
    err.with_hint(format!(
        "looked at {}; add the {fy} extract or choose another period with `--set period=...`",
        crate::format::join_prose(
            &files.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "and"
        )
    ))
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
pub(super) fn params_frame(params: &Params) -> DataFrame {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A source of four dates around the 2019/20 financial year.
    fn source(filter: PeriodFilter) -> Source {
        let days: Vec<i32> = [(2019, 3, 31), (2019, 4, 1), (2020, 3, 31), (2020, 4, 1)]
            .iter()
            .map(|&(y, m, d)| days_since_epoch(jiff::civil::date(y, m, d)))
            .collect();
        let when = Series::new("when".into(), days)
            .cast(&DataType::Date)
            .unwrap();
        let other = Series::new("other".into(), [1i64, 2, 3, 4]);
        Source {
            name: "v".into(),
            path: "v.csv".into(),
            frame: DataFrame::new(4, vec![when.into(), other.into()]).unwrap(),
            lines: vec![2, 3, 4, 5].into(),
            period_column: Some(("when".into(), filter)),
            blake3: String::new(),
            files: Vec::new(),
            remote: None,
            keep: None,
            extent: Default::default(),
        }
    }

    #[test]
    fn months_without_rows_are_found_and_named_as_ranges() {
        let fy = FinancialYear::parse("2019/20").unwrap();
        let s = source(PeriodFilter::Period);
        // Rows on 1 April 2019 and 31 March 2020 only: May to February empty.
        let (_, coverage) = filtered_once(&s, Some(fy)).unwrap();
        let coverage = coverage.unwrap();
        assert_eq!(coverage.rows, 2);
        let months = empty_months(coverage, fy);
        assert_eq!(months.len(), 10, "{months:?}");
        assert_eq!((months[0], months[9]), ((2019, 5), (2020, 2)));
        let e = months_missing(fy, &s, &months);
        assert!(
            e.message()
                .contains("no rows in May 2019 to February 2020 of 2019/20"),
            "{}",
            e.message()
        );
        let gaps = [(2019, 6), (2019, 10), (2019, 11), (2019, 12), (2020, 1)];
        let e = months_missing(fy, &s, &gaps);
        assert!(
            e.message()
                .contains("in June 2019 and October 2019 to January 2020 of"),
            "{}",
            e.message()
        );
        assert!(e.hint().unwrap().contains("sparse = "));
    }

    #[test]
    fn the_period_filter_is_applied_in_the_scan_and_once() {
        let fy = FinancialYear::parse("2019/20").unwrap();
        let s = source(PeriodFilter::Period);
        // The optimised plan: the period filter (both bounds) straight on
        // the scan of the loaded frame, nothing in between. (Polars 0.55
        // keeps it as a FILTER node over an in-memory frame.)
        let plan = period_frame(&s, Some(fy)).explain(true).unwrap();
        let lines: Vec<&str> = plan.lines().map(str::trim).collect();
        assert!(lines[0].starts_with("FILTER"), "{plan}");
        assert!(
            lines[0].contains("2019-04-01") && lines[0].contains("2020-03-31"),
            "{plan}"
        );
        assert_eq!(lines[1], "FROM", "{plan}");
        assert!(lines[2].starts_with("DF [\"when\", \"other\"]"), "{plan}");
        // Filtered once: the frame every query reads holds the period's
        // rows only (both ends inclusive).
        let once = filtered_once(&s, Some(fy)).unwrap().0.collect().unwrap();
        assert_eq!(
            once.column("other").unwrap().i64().unwrap().to_vec(),
            [Some(2), Some(3)]
        );
        let to_date = filtered_once(&source(PeriodFilter::ToDate), Some(fy))
            .unwrap()
            .0
            .collect()
            .unwrap();
        assert_eq!(to_date.height(), 3);
        // No period: the source as it is.
        assert_eq!(
            filtered_once(&s, None)
                .unwrap()
                .0
                .collect()
                .unwrap()
                .height(),
            4
        );
    }

    #[test]
    fn a_date_time_is_in_the_period_when_its_day_is() {
        let fy = FinancialYear::parse("2019/20").unwrap();
        let at = |y, m, d, us: i64| {
            i64::from(days_since_epoch(jiff::civil::date(y, m, d))) * 86_400_000_000 + us
        };
        let last = 86_400_000_000 - 1;
        let micros = [
            at(2019, 3, 31, last),
            at(2019, 4, 1, 0),
            at(2020, 3, 31, last),
            at(2020, 4, 1, 0),
        ];
        let mut s = source(PeriodFilter::Period);
        let when = Series::new("when".into(), micros.to_vec())
            .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
            .unwrap();
        let other = Series::new("other".into(), [1i64, 2, 3, 4]);
        s.frame = DataFrame::new(4, vec![when.into(), other.into()]).unwrap();
        // 1 April 00:00 and 31 March 23:59:59.999999 are in; a minute
        // either side is out; both months at the ends are covered.
        let (once, coverage) = filtered_once(&s, Some(fy)).unwrap();
        let kept = once.collect().unwrap();
        assert_eq!(
            kept.column("other").unwrap().i64().unwrap().to_vec(),
            [Some(2), Some(3)]
        );
        let coverage = coverage.unwrap();
        assert_eq!((coverage.rows, coverage.months), (2, 1 | 1 << 11));
        let lazy = period_frame(&s, Some(fy)).collect().unwrap();
        assert_eq!(lazy.height(), 2);
    }

    #[test]
    fn epoch_days() {
        assert_eq!(days_since_epoch(jiff::civil::date(1970, 1, 2)), 1);
        assert_eq!(days_since_epoch(jiff::civil::date(2019, 4, 1)), 17987);
    }
}
