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
    let end = col(column.as_str()).lt_eq(date_lit(fy.end()));
    match filter {
        PeriodFilter::Period => {
            lf.filter(col(column.as_str()).gt_eq(date_lit(fy.start())).and(end))
        }
        PeriodFilter::ToDate => lf.filter(end),
    }
}

/// [`period_frame`], filtered once: every query over the source then reads
/// the period's rows (already in memory) instead of filtering every row of
/// the file again (a paper runs a dozen queries per source, twice with the
/// previous period). A source without a period filter is left as it is.
pub(super) fn filtered_once(
    source: &Source,
    period: Option<FinancialYear>,
) -> crate::error::Result<LazyFrame> {
    let lf = period_frame(source, period);
    if source.period_column.is_none() || period.is_none() {
        return Ok(lf);
    }
    let df = lf.collect().map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!(
                "cannot filter source `{}` to the period: {}",
                source.name,
                crate::source::first_line(&e)
            ),
        )
    })?;
    Ok(df.lazy())
}

/// Whether a period-filtered source has no rows in the period; if so, what
/// it does cover, for the error ("`data/offenders.csv`: `assessment_date`
/// runs from 2018-04-01 to 2021-03-31").
pub(super) fn empty_in_period(source: &Source, column: &str, frame: LazyFrame) -> Option<String> {
    let rows = frame
        .select([len()])
        .collect()
        .ok()
        .and_then(|df| df.columns()[0].get(0).ok()?.extract::<u64>());
    if rows != Some(0) {
        return None;
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
        }
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
        let once = filtered_once(&s, Some(fy)).unwrap().collect().unwrap();
        assert_eq!(
            once.column("other").unwrap().i64().unwrap().to_vec(),
            [Some(2), Some(3)]
        );
        let to_date = filtered_once(&source(PeriodFilter::ToDate), Some(fy))
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(to_date.height(), 3);
        // No period: the source as it is.
        assert_eq!(
            filtered_once(&s, None).unwrap().collect().unwrap().height(),
            4
        );
    }

    #[test]
    fn epoch_days() {
        assert_eq!(days_since_epoch(jiff::civil::date(1970, 1, 2)), 1);
        assert_eq!(days_since_epoch(jiff::civil::date(2019, 4, 1)), 17987);
    }
}
