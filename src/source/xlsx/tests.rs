//! The Excel reader on workbooks written by `rust_xlsxwriter`.

use super::area::{parse_cell, parse_range};
use super::cells::number_text;
use crate::source::problems::column_letters;
use crate::source::{test_read, test_spec};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const COLUMNS: &str = "[sources.s.columns]\nid = \"string\"\nage = { type = \"int\", nullable = true }\nwhen = \"date\"\nok = \"bool\"\n";

/// A workbook with a sheet `Notes` first, then `Victims`: header in
/// row 2 (B2:E2), data below; `rows` are (id, age, when, ok).
#[allow(clippy::type_complexity)]
fn workbook(rows: &[(&str, Option<f64>, (u16, u8, u8), bool)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    wb.add_worksheet().set_name("Notes").unwrap();
    let ws = wb.add_worksheet().set_name("Victims").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, name) in ["id", "age", "when", "ok"].iter().enumerate() {
        ws.write_string(1, 1 + c as u16, *name).unwrap();
    }
    for (i, (id, age, (y, m, d), ok)) in rows.iter().enumerate() {
        let r = 2 + i as u32;
        ws.write_string(r, 1, *id).unwrap();
        if let Some(a) = age {
            ws.write_number(r, 2, *a).unwrap();
        }
        let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
        ws.write_datetime_with_format(r, 3, &dt, &date).unwrap();
        ws.write_boolean(r, 4, *ok).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

fn spec(extra: &str) -> crate::spec::Spec {
    test_spec(&format!("path = \"v.xlsx\"\n{extra}\n{COLUMNS}"))
}

#[test]
fn reads_dates_whole_numbers_and_booleans() {
    let bytes = workbook(&[
        ("a", Some(30.0), (2019, 4, 1), true),
        ("b", None, (2020, 2, 29), false),
    ]);
    let t = test_read(&spec("sheet = \"Victims\""), "v.xlsx", &bytes).unwrap();
    assert_eq!(t.frame.height(), 2);
    assert_eq!(&*t.lines, &[3, 4], "sheet rows, as Excel numbers them");
    let age = t.frame.column("age").unwrap();
    assert_eq!(age.dtype(), &polars::prelude::DataType::Int64);
    assert_eq!(age.null_count(), 1);
    let when = t
        .frame
        .column("when")
        .unwrap()
        .cast(&polars::prelude::DataType::Int32)
        .unwrap();
    assert_eq!(when.get(0).unwrap().extract::<i32>(), Some(17_987));
}

#[test]
fn a_fraction_in_an_int_column_names_the_cell() {
    let bytes = workbook(&[
        ("a", Some(30.0), (2019, 4, 1), true),
        ("b", Some(30.5), (2019, 4, 1), true),
    ]);
    let e = test_read(&spec("sheet = \"Victims\""), "v.xlsx", &bytes).unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("v.xlsx, Victims!C4, column `age`: the number 30.5 is not a whole number"),
        "{e:?}"
    );
}

#[test]
fn the_first_sheet_by_default_and_unknown_sheets_listed() {
    let bytes = workbook(&[("a", Some(1.0), (2019, 4, 1), true)]);
    let e = test_read(&spec(""), "v.xlsx", &bytes).unwrap_err();
    assert!(e[0].contains("sheet `Notes` is empty"), "{e:?}");
    let e = test_read(&spec("sheet = \"Victim\""), "v.xlsx", &bytes).unwrap_err();
    assert!(
        e[0].contains("has no sheet `Victim`; its sheets are `Notes` and `Victims`"),
        "{e:?}"
    );
    assert!(e[0].contains("did you mean `Victims`"), "{e:?}");
}

#[test]
fn a_range_picks_the_header_row_and_cuts_rows() {
    let bytes = workbook(&[
        ("a", Some(1.0), (2019, 4, 1), true),
        ("b", Some(2.0), (2019, 4, 2), true),
    ]);
    let t = test_read(
        &spec("sheet = \"Victims\"\nrange = \"B2:E3\""),
        "v.xlsx",
        &bytes,
    )
    .unwrap();
    assert_eq!(t.frame.height(), 1);
    let e = test_read(
        &spec("sheet = \"Victims\"\nrange = \"B3:E4\""),
        "v.xlsx",
        &bytes,
    )
    .unwrap_err();
    assert!(
        e[0].contains("absent"),
        "the header is the range's first row: {e:?}"
    );
    let e = test_read(
        &spec("sheet = \"Victims\"\nrange = \"2:E4\""),
        "v.xlsx",
        &bytes,
    )
    .unwrap_err();
    assert!(e[0].contains("is not a cell range"), "{e:?}");
}

#[test]
fn absurd_declared_dimensions_fail_before_reading() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "id").unwrap();
    ws.write_string(1_048_575, 16_383, "far").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let s = test_spec("path = \"v.xlsx\"\n[sources.s.columns]\nid = \"string\"\n");
    let e = test_read(&s, "v.xlsx", &bytes).unwrap_err();
    assert!(
        e[0].contains("declares 1,048,576 rows × 16,384 columns (17,179,869,184 cells), more than the limit of 100,000,000"),
        "{e:?}"
    );
    let s =
        test_spec("path = \"v.xlsx\"\nrange = \"A1:A10\"\n[sources.s.columns]\nid = \"string\"\n");
    let t = test_read(&s, "v.xlsx", &bytes).unwrap();
    assert_eq!(t.frame.height(), 0, "a range keeps within the limit");
}

#[test]
fn text_cells_follow_the_csv_rules() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, v) in ["id", "age", "when", "ok"].iter().enumerate() {
        ws.write_string(0, c as u16, *v).unwrap();
    }
    for (c, v) in ["7", "NA", "2019-04-01", "true"].iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    ws.write_number(2, 0, 12.0).unwrap();
    ws.write_string(2, 1, "x").unwrap();
    ws.write_string(2, 2, "2019-02-30").unwrap();
    ws.write_number(2, 3, 1.0).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let s = test_spec(&format!(
        "path = \"v.xlsx\"\nmissing = [\"\", \"NA\"]\n{COLUMNS}"
    ));
    let e = test_read(&s, "v.xlsx", &bytes).unwrap_err();
    assert_eq!(e.len(), 3, "{e:?}");
    assert!(
        e.iter()
            .any(|m| m.starts_with("v.xlsx, Sheet1!B3, column `age`: \"x\" is not a whole number")),
        "{e:?}"
    );
    assert!(
        e.iter().any(
            |m| m.starts_with("v.xlsx, Sheet1!C3, column `when`: \"2019-02-30\" is not a date")
        ),
        "{e:?}"
    );
    assert!(
        e.iter().any(|m| m
            .starts_with("v.xlsx, Sheet1!D3, column `ok`: the number 1 is not `true` or `false`")),
        "{e:?}"
    );
}

#[test]
fn cell_references() {
    assert_eq!(parse_cell("A1"), Some((0, 0)));
    assert_eq!(parse_cell("$J$50000"), Some((49_999, 9)));
    assert_eq!(parse_cell("XFD1048576"), Some((1_048_575, 16_383)));
    assert_eq!(parse_cell("XFE1"), None);
    assert_eq!(parse_cell("A0"), None);
    assert_eq!(column_letters(0), "A");
    assert_eq!(column_letters(26), "AA");
    assert_eq!(column_letters(16_383), "XFD");
    assert_eq!(parse_range("B2:A1"), None, "corners in order");
    assert_eq!(number_text(42.0), "42");
    assert_eq!(number_text(3.5), "3.5");
}
