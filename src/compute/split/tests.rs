use super::*;
use crate::compute::period::{filtered_once, period_frame};

/// Days since 1970-01-01 of `(y, m, d)`.
fn day(y: i16, m: i8, d: i8) -> i32 {
    day_number(jiff::civil::date(y, m, d))
}

/// A source of eight rows over three financial years (one with no date),
/// filtered by `filter`, read from `path`.
fn source(filter: PeriodFilter, path: &str) -> Source {
    let days = [
        Some(day(2018, 4, 1)),
        Some(day(2019, 3, 31)),
        None,
        Some(day(2019, 4, 1)),
        Some(day(2020, 3, 31)),
        Some(day(2018, 12, 25)),
        Some(day(2020, 4, 1)),
        Some(day(2017, 6, 1)),
    ];
    let when = Series::new("when".into(), days.to_vec())
        .cast(&DataType::Date)
        .unwrap();
    let text = [
        "a",
        "b",
        "a long text, past twelve bytes",
        "d",
        "e",
        "f",
        "g",
        "h",
    ];
    let text = Series::new("text".into(), text.to_vec());
    let n = Series::new("n".into(), (0..8i64).collect::<Vec<_>>());
    Source {
        name: "v".into(),
        path: path.into(),
        frame: DataFrame::new(8, vec![when.into(), text.into(), n.into()]).unwrap(),
        lines: (2..10u32).collect::<Vec<_>>().into(),
        period_column: Some(("when".into(), filter)),
        blake3: "h".into(),
        files: Vec::new(),
        remote: None,
        keep: None,
        extent: Extent::default(),
    }
}

fn fy(s: &str) -> FinancialYear {
    FinancialYear::parse(s).unwrap()
}

/// The `n` of each row of `frame`.
fn ns(frame: &DataFrame) -> Vec<i64> {
    let n = frame.column("n").unwrap().i64().unwrap();
    n.into_no_null_iter().collect()
}

/// Splits one source read by both periods (2019/20 and 2018/19).
fn split_both(filter: PeriodFilter, whole: &[&str]) -> (Source, Source) {
    let mut now = BTreeMap::from([("v".to_string(), source(filter, "v.csv"))]);
    let mut then = now.clone();
    let whole = whole.iter().copied().collect();
    split_periods(
        (&mut now, fy("2019/20")),
        Some((fy("2018/19"), &mut then)),
        &whole,
    )
    .unwrap();
    (now.remove("v").unwrap(), then.remove("v").unwrap())
}

#[test]
fn one_pass_gives_exactly_the_rows_each_period_filter_keeps() {
    for filter in [PeriodFilter::Period, PeriodFilter::ToDate] {
        let (now, then) = split_both(filter, &[]);
        let whole = source(filter, "v.csv");
        for (split, period) in [(&now, "2019/20"), (&then, "2018/19")] {
            let filtered = period_frame(&whole, Some(fy(period))).collect().unwrap();
            assert!(split.frame.equals_missing(&filtered), "{filter:?} {period}");
            // Each row's line goes with it.
            let lines: Vec<u32> = ns(&filtered).iter().map(|&n| n as u32 + 2).collect();
            assert_eq!(&*split.lines, &lines[..], "{filter:?} {period}");
        }
        // The row without a date is in neither period.
        assert!(!ns(&now.frame).contains(&2) && !ns(&then.frame).contains(&2));
    }
    let (now, then) = split_both(PeriodFilter::Period, &[]);
    assert_eq!(
        (ns(&now.frame), ns(&then.frame)),
        (vec![3, 4], vec![0, 1, 5])
    );
    let (now, then) = split_both(PeriodFilter::ToDate, &[]);
    assert_eq!(ns(&now.frame), [0, 1, 3, 4, 5, 7]);
    assert_eq!(ns(&then.frame), [0, 1, 5, 7]);
}

#[test]
fn a_split_source_says_what_it_holds_and_what_was_read() {
    let (now, then) = split_both(PeriodFilter::Period, &[]);
    let keep = |first, last| KeepRows {
        column: "when".into(),
        first: Some(first),
        last,
    };
    assert_eq!(now.keep, Some(keep(day(2019, 4, 1), day(2020, 3, 31))));
    assert_eq!(then.keep, Some(keep(day(2018, 4, 1), day(2019, 3, 31))));
    // The extent of every row read, for the "no data" message.
    let all = Some((i64::from(day(2017, 6, 1)), i64::from(day(2020, 4, 1))));
    assert_eq!((now.extent.0, then.extent.0), (all, all));
    // A reader's own extent (over rows it did not keep) is kept.
    let mut read = source(PeriodFilter::Period, "v.csv");
    read.extent = Extent(Some((1, 99_999)));
    let mut now = BTreeMap::from([("v".to_string(), read)]);
    split_periods((&mut now, fy("2019/20")), None, &BTreeSet::new()).unwrap();
    assert_eq!(now["v"].extent.0, Some((1, 99_999)));
    assert_eq!(ns(&now["v"].frame), [3, 4]);
}

#[test]
fn the_period_filter_then_keeps_the_split_frame_as_it_is() {
    let (now, _) = split_both(PeriodFilter::Period, &[]);
    let whole = source(PeriodFilter::Period, "v.csv");
    let (frame, coverage) = filtered_once(&now, Some(fy("2019/20"))).unwrap();
    let (_, before) = filtered_once(&whole, Some(fy("2019/20"))).unwrap();
    assert_eq!(coverage, before);
    assert!(frame.collect().unwrap().equals_missing(&now.frame));
}

#[test]
fn sources_read_apart_or_read_whole_later_are_not_split_together() {
    // A source a table's foreign key reads is left whole in both periods.
    let (now, then) = split_both(PeriodFilter::Period, &["v"]);
    assert_eq!((now.frame.height(), then.frame.height()), (8, 8));
    assert_eq!(now.keep, None);
    // The previous period read from a file of its own: each narrowed alone.
    let mut now = BTreeMap::from([("v".to_string(), source(PeriodFilter::Period, "v-2019.csv"))]);
    let mut then = BTreeMap::from([("v".to_string(), source(PeriodFilter::Period, "v-2018.csv"))]);
    let periods = (fy("2019/20"), fy("2018/19"));
    split_periods(
        (&mut now, periods.0),
        Some((periods.1, &mut then)),
        &BTreeSet::new(),
    )
    .unwrap();
    assert_eq!(
        (ns(&now["v"].frame), ns(&then["v"].frame)),
        (vec![3, 4], vec![0, 1, 5])
    );
    // A period column that is not a date: left to Polars' filter.
    let mut text = source(PeriodFilter::Period, "v.csv");
    text.period_column = Some(("text".into(), PeriodFilter::Period));
    let mut now = BTreeMap::from([("v".to_string(), text)]);
    split_periods((&mut now, periods.0), None, &BTreeSet::new()).unwrap();
    assert_eq!(now["v"].frame.height(), 8);
}
