//! The keep rule: which days are kept, and the CSV reader and the filter
//! for the other readers applying it (every cell still checked).

use std::path::Path;

use super::*;
use crate::source::csv::tests::rule;
use crate::source::csv::{self, ColumnRule};
use crate::spec::ColumnType;

/// Days since 1970-01-01 of `YYYY-MM-DD`.
fn day(text: &str) -> i32 {
    crate::source::cell::parse_date(text).unwrap()
}

fn keep(first: Option<&str>, last: &str) -> KeepRows {
    KeepRows {
        column: "when".into(),
        first: first.map(day),
        last: day(last),
    }
}

#[test]
fn the_days_kept_run_from_the_earliest_period_to_the_latest() {
    let decl = |filter: &str| -> SourceDecl {
        toml::from_str(&format!(
            "path = \"v.csv\"\nperiod_column = \"when\"\nperiod_filter = \"{filter}\"\n[columns]\nwhen = \"date\"\n"
        ))
        .unwrap()
    };
    let fy = |s| FinancialYear::parse(s).unwrap();
    let periods = [fy("2019/20"), fy("2018/19")];
    let k = KeepRows::for_source(&decl("period"), Some(&periods)).unwrap();
    assert_eq!(k, keep(Some("2018-04-01"), "2020-03-31"));
    let k = KeepRows::for_source(&decl("to-date"), Some(&periods)).unwrap();
    assert_eq!(k, keep(None, "2020-03-31"));
    // Periods not known, or no period column: every row.
    assert_eq!(KeepRows::for_source(&decl("period"), None), None);
    assert_eq!(KeepRows::for_source(&decl("period"), Some(&[])), None);
    let bare: SourceDecl =
        toml::from_str("path = \"v.csv\"\n[columns]\nwhen = \"date\"\n").unwrap();
    assert_eq!(KeepRows::for_source(&bare, Some(&periods)), None);
}

#[test]
fn both_ends_are_kept_and_a_date_time_goes_by_its_day() {
    let k = keep(Some("2018-04-01"), "2020-03-31");
    assert!(!k.keeps_day(day("2018-03-31")));
    assert!(k.keeps_day(day("2018-04-01")));
    assert!(k.keeps_day(day("2020-03-31")));
    assert!(!k.keeps_day(day("2020-04-01")));
    let to_date = keep(None, "2020-03-31");
    assert!(to_date.keeps_day(day("1900-01-01")));
    assert!(!to_date.keeps_day(day("2020-04-01")));
    let us = |d: &str, micros: i64| i64::from(day(d)) * MICROS_PER_DAY + micros;
    let last = MICROS_PER_DAY - 1;
    assert!(!k.keeps_micros(us("2018-03-31", last)));
    assert!(k.keeps_micros(us("2018-04-01", 0)));
    assert!(k.keeps_micros(us("2020-03-31", last)));
    assert!(!k.keeps_micros(us("2020-04-01", 0)));
    // Before 1970: 1969-12-31 23:00 is on day -1, not day 0.
    let eve = keep(Some("1969-12-31"), "1969-12-31");
    assert!(eve.keeps_micros(-3_600_000_000));
    assert!(!keep(Some("1970-01-01"), "1970-01-01").keeps_micros(-3_600_000_000));
}

#[test]
fn a_source_read_for_wider_periods_serves_a_narrower_one_only() {
    let wide = keep(Some("2018-04-01"), "2020-03-31");
    let narrow = keep(Some("2019-04-01"), "2020-03-31");
    let earlier = keep(Some("2017-04-01"), "2019-03-31");
    assert!(KeepRows::covers(Some(&wide), Some(&narrow)));
    assert!(!KeepRows::covers(Some(&narrow), Some(&wide)));
    assert!(!KeepRows::covers(Some(&wide), Some(&earlier)));
    assert!(KeepRows::covers(None, Some(&wide)));
    assert!(!KeepRows::covers(Some(&wide), None));
    assert!(KeepRows::covers(
        Some(&keep(None, "2020-03-31")),
        Some(&wide)
    ));
    assert!(!KeepRows::covers(
        Some(&wide),
        Some(&keep(None, "2020-03-31"))
    ));
}

fn read(text: &str, columns: &[ColumnRule], keep: &KeepRows) -> crate::error::Result<Table> {
    let absent = |i: usize, _: &[&str]| Error::new(ErrorKind::Data, format!("absent {i}"));
    csv::read(
        text.as_bytes(),
        Path::new("d.csv"),
        columns,
        &absent,
        Some(keep),
    )
}

fn ids(t: &Table) -> Vec<Option<i64>> {
    t.frame.column("id").unwrap().i64().unwrap().to_vec()
}

#[test]
fn the_reader_keeps_the_rows_in_range_and_the_ones_without_a_date() {
    let columns = [
        rule("id", ColumnType::Int, false),
        rule("when", ColumnType::Date, true),
    ];
    let text =
        "id,when\n1,2018-03-31\n2,2018-04-01\n3,\n4,2020-03-31\n5,2020-04-01\n6,2019-06-15\n";
    let t = read(text, &columns, &keep(Some("2018-04-01"), "2020-03-31")).unwrap();
    assert_eq!(ids(&t), [Some(2), Some(3), Some(4), Some(6)]);
    assert_eq!(&*t.lines, [3, 4, 5, 7]);
    assert_eq!(t.read, 6);
    assert_eq!(
        t.extent,
        Extent(Some((
            i64::from(day("2018-03-31")),
            i64::from(day("2020-04-01"))
        )))
    );
    let when = t.frame.column("when").unwrap();
    assert_eq!(when.null_count(), 1);
    // To date: everything up to the last day.
    let t = read(text, &columns, &keep(None, "2020-03-31")).unwrap();
    assert_eq!(ids(&t), [Some(1), Some(2), Some(3), Some(4), Some(6)]);
    // Nothing in range: an empty frame, every row still read.
    let t = read(text, &columns, &keep(Some("2030-04-01"), "2031-03-31")).unwrap();
    assert_eq!(
        (t.frame.height(), t.read),
        (1, 6),
        "only the row without a date"
    );
}

#[test]
fn a_bad_cell_in_a_row_left_out_is_still_reported() {
    let columns = [
        rule("id", ColumnType::Int, false),
        rule("when", ColumnType::Date, false),
        rule("ok", ColumnType::Bool, true),
    ];
    let text = "id,when,ok\n1,2019-06-01,true\nx,2010-06-01,true\n3,2010-06-01,maybe\n4,2010-06-01\n5,2019-13-01,true\n6,,true\n";
    let e = read(text, &columns, &keep(Some("2018-04-01"), "2020-03-31")).unwrap_err();
    let all: Vec<String> = e.all().map(ToString::to_string).collect();
    let whole: Vec<String> = {
        let absent = |i: usize, _: &[&str]| Error::new(ErrorKind::Data, format!("absent {i}"));
        csv::read(text.as_bytes(), Path::new("d.csv"), &columns, &absent, None)
            .unwrap_err()
            .all()
            .map(ToString::to_string)
            .collect()
    };
    assert_eq!(all, whole, "the same problems as with every row kept");
    assert_eq!(all.len(), 5, "{all:#?}");
    for (place, what) in [
        ("d.csv:3:1", "\"x\" is not a whole number"),
        ("d.csv:4:14", "\"maybe\" is not `true` or `false`"),
        ("d.csv:5:", "expected 3 fields"),
        ("d.csv:6:3", "\"2019-13-01\" is not a date"),
        ("d.csv:7:3", "empty cell in a required column"),
    ] {
        let found = all.iter().any(|m| m.starts_with(place) && m.contains(what));
        assert!(found, "{place} {what}: {all:#?}");
    }
}

#[test]
fn a_date_time_period_column_keeps_rows_by_their_day() {
    let columns = [
        rule("id", ColumnType::Int, false),
        rule("when", ColumnType::Datetime, false),
    ];
    let text = "id,when\n1,2018-03-31 23:59:59.999999\n2,2018-04-01 00:00\n3,2020-03-31 23:59:59\n4,2020-04-01T00:00:00\n";
    let t = read(text, &columns, &keep(Some("2018-04-01"), "2020-03-31")).unwrap();
    assert_eq!(ids(&t), [Some(2), Some(3)]);
    assert_eq!(t.read, 4);
}

#[test]
fn the_other_readers_filter_after_reading_by_the_same_rule() {
    let when = Series::new(
        "when".into(),
        [
            Some(day("2018-03-31")),
            Some(day("2018-04-01")),
            None,
            Some(day("2020-04-01")),
        ],
    )
    .cast(&DataType::Date)
    .unwrap();
    let id = Series::new("id".into(), [1i64, 2, 3, 4]);
    let frame = DataFrame::new(4, vec![id.into(), when.into()]).unwrap();
    let table = Table::new(frame, vec![2, 3, 4, 5].into());
    let t = filter(table, &keep(Some("2018-04-01"), "2020-03-31")).unwrap();
    assert_eq!(ids(&t), [Some(2), Some(3)]);
    assert_eq!(&*t.lines, [3, 4]);
    assert_eq!(t.read, 4);
    let extent = Extent(Some((
        i64::from(day("2018-03-31")),
        i64::from(day("2020-04-01")),
    )));
    assert_eq!(t.extent, extent);
    let shown = extent.to_column("when", &DataType::Date).unwrap();
    assert_eq!(
        format!("{}", shown.get(1).unwrap()),
        "2020-04-01",
        "shown as a date"
    );
}
