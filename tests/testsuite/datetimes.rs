//! Issue 23: `datetime` columns. A date-time extract used as the period
//! column: a period is `[start 00:00, end + 1 day 00:00)`, the same from a
//! CSV, an Excel workbook (date-time cells) and a Parquet file (a
//! timestamp column); a time zone is refused, never guessed at.

use boardpack::manifest::Manifest;
use polars::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::support::Project;

/// The rows: (date-time, district). 2024/25 runs from 2024-04-01 00:00 to
/// 2025-03-31 24:00; the first and last rows are a second outside it.
const ROWS: [(&str, &str); 6] = [
    ("2024-03-31 23:59:59", "North"),
    ("2024-04-01 00:00:00", "North"),
    ("2024-09-15 12:30:00", "South"),
    ("2025-03-31 00:00:00", "South"),
    ("2025-03-31 23:59:59", "South"),
    ("2025-04-01 00:00:00", "North"),
];

fn spec(path: &str) -> String {
    crate::support::small_spec("Date-time case", "")
        + &format!(
            r#"
[sources.calls]
path = "{path}"
period_column = "at"
sparse = "a test extract of a few calls"

[sources.calls.columns]
at = "datetime"
district = "string"

[figures.calls]
sql = "SELECT COUNT(*) AS calls FROM calls"

[figures.south]
sql = "SELECT COUNT(*) AS calls FROM calls WHERE district = 'South'"
"#
        )
}

fn project(path: &str) -> Project {
    let text = "Calls: {{ figures.calls | number }}, South {{ figures.south | number }}.\n";
    let p = crate::support::small_project(&spec(path), text, text);
    std::fs::create_dir_all(p.path("data")).unwrap();
    p
}

fn csv() -> String {
    let mut s = String::from("at,district\n");
    for (at, district) in ROWS {
        s.push_str(&format!("{at},{district}\n"));
    }
    s
}

/// This year's and last year's count of `figure`.
fn counts(p: &Project, figure: &str) -> (f64, Option<f64>) {
    let m = Manifest::read(&p.path("out/case.manifest.json")).unwrap();
    let f = &m.figures[figure];
    let json = serde_json::to_value(f).unwrap();
    let number = |v: &serde_json::Value| v.as_f64();
    (
        number(&json["value"]).unwrap_or_else(|| panic!("{json}")),
        json.get("previous").and_then(number),
    )
}

fn builds_with_the_periods_own_rows(p: &Project) {
    p.run(&["build", "report.toml"]).success();
    // In 2024/25: 1 April 00:00, 15 September, 31 March 00:00 and 23:59:59.
    assert_eq!(counts(p, "calls").0, 4.0);
    assert_eq!(counts(p, "south").0, 3.0);
}

#[test]
fn a_csv_date_time_is_in_the_period_its_day_is_in() {
    let p = project("data/calls.csv");
    p.write("data/calls.csv", &csv());
    builds_with_the_periods_own_rows(&p);
    // The same rows with `T` and fractions of a second.
    p.write(
        "data/calls.csv",
        &csv()
            .replace(" 23:59:59", "T23:59:59.999999")
            .replace(" 00:00:00", "T00:00"),
    );
    builds_with_the_periods_own_rows(&p);
}

#[test]
fn an_excel_date_time_cell_is_read_to_the_second() {
    let p = project("data/calls.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let style = Format::new().set_num_format("dd/mm/yyyy hh:mm:ss");
    ws.write_string(0, 0, "at").unwrap();
    ws.write_string(0, 1, "district").unwrap();
    for (i, (at, district)) in ROWS.iter().enumerate() {
        let r = 1 + i as u32;
        let t = ExcelDateTime::parse_from_str(at).unwrap();
        ws.write_datetime_with_format(r, 0, &t, &style).unwrap();
        ws.write_string(r, 1, *district).unwrap();
    }
    wb.save(p.path("data/calls.xlsx")).unwrap();
    builds_with_the_periods_own_rows(&p);
}

#[test]
fn a_parquet_timestamp_column_is_read_in_its_own_unit() {
    let p = project("data/calls.parquet");
    let mut df = CsvReadOptions::default()
        .with_parse_options(CsvParseOptions::default().with_try_parse_dates(true))
        .into_reader_with_file_handle(std::io::Cursor::new(csv().into_bytes()))
        .finish()
        .unwrap();
    let at = df.column("at").unwrap().clone();
    assert!(
        matches!(at.dtype(), DataType::Datetime(_, None)),
        "{:?}",
        at.dtype()
    );
    let at = at
        .cast(&DataType::Datetime(TimeUnit::Nanoseconds, None))
        .unwrap();
    df.with_column(at).unwrap();
    let file = std::fs::File::create(p.path("data/calls.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    builds_with_the_periods_own_rows(&p);
    // A time zone decides which day an instant falls on: refused.
    let at = df.column("at").unwrap().clone();
    let utc = at
        .cast(&DataType::Datetime(
            TimeUnit::Nanoseconds,
            Some(TimeZone::UTC),
        ))
        .unwrap();
    df.with_column(utc).unwrap();
    let file = std::fs::File::create(p.path("data/calls.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    let err = p.run(&["build", "report.toml"]).failure(1);
    assert!(err.contains("date-times in time zone UTC"), "{err}");
    assert!(err.contains("`at`"), "{err}");
}

#[test]
fn a_time_zone_or_an_impossible_time_is_refused_at_its_line_and_column() {
    let p = project("data/calls.csv");
    let data = csv()
        .replace("2024-09-15 12:30:00", "2024-09-15T12:30:00Z")
        .replace("2025-03-31 00:00:00", "2025-03-31 24:00:00");
    p.write("data/calls.csv", &data);
    let err = p.run(&["build", "report.toml"]).failure(1);
    assert!(
        err.contains("\"2024-09-15T12:30:00Z\" is not a local date-time like 2019-04-01 13:45:00 (no time zone)"),
        "{err}"
    );
    assert!(err.contains("data/calls.csv:4:1"), "{err}");
    assert!(err.contains("\"2025-03-31 24:00:00\" is not"), "{err}");
    assert!(err.contains("data/calls.csv:5:1"), "{err}");
    assert!(!p.path("out/case.pdf").exists());
}

#[test]
fn a_postgresql_timestamp_is_in_the_period_its_day_is_in() {
    let var = "BOARDPACK_PG_URL";
    assert!(
        std::env::var(var).is_ok_and(|u| !u.is_empty()),
        "`{var}` is not set: run `source .ci/postgres.sh` first (CI does); this test never skips"
    );
    // The rows as a query of `kind` values (`TIMESTAMP` or `TIMESTAMPTZ`).
    let source = |kind: &str| {
        let rows: Vec<String> = ROWS
            .iter()
            .map(|(at, district)| format!("({kind} '{at}', '{district}')"))
            .collect();
        let query = format!(
            "SELECT * FROM (VALUES {}) AS v(at, district)",
            rows.join(", ")
        );
        format!("[sources.calls]\npostgres = {{ url_env = \"{var}\", query = \"{query}\" }}")
    };
    let p = project("unused");
    p.remove_toml("report.toml", "sources.calls.path");
    p.set_toml("report.toml", &source("TIMESTAMP"));
    builds_with_the_periods_own_rows(&p);
    // `timestamptz` is an instant: which day it falls on needs a zone.
    p.set_toml("report.toml", &source("TIMESTAMPTZ"));
    let err = p.run(&["build", "report.toml"]).failure(1);
    assert!(err.contains("is `timestamptz` in PostgreSQL"), "{err}");
}
