//! Property tests over the CSV reader: any bytes give a typed table, a
//! clear error or a documented null, never a panic; a table has one row per
//! record, and an error counts every bad cell.

use std::path::Path;

use proptest::prelude::*;

use super::csv::{read, ColumnRule};
use crate::error::{Error, ErrorKind};
use crate::spec::ColumnType;

fn rule(name: &str, ty: ColumnType, nullable: bool) -> ColumnRule {
    ColumnRule {
        name: name.into(),
        ty,
        nullable,
        missing: vec![String::new(), "NA".into()],
    }
}

/// `s` string required, `i` int nullable, `d` date required, `f` float
/// nullable.
fn columns() -> Vec<ColumnRule> {
    vec![
        rule("s", ColumnType::String, false),
        rule("i", ColumnType::Int, true),
        rule("d", ColumnType::Date, false),
        rule("f", ColumnType::Float, true),
    ]
}

fn absent(i: usize, _: &[&str]) -> Error {
    Error::new(ErrorKind::Data, format!("column {i} is absent"))
}

/// One cell: its text and whether it is bad in its column.
fn cell(column: usize) -> BoxedStrategy<(String, bool)> {
    let nullable = columns()[column].nullable;
    let missing =
        prop_oneof![Just(String::new()), Just("NA".to_string())].prop_map(move |m| (m, !nullable));
    let good = match column {
        0 => "[a-z ,\"\n]{1,6}".prop_map(|s| (s, false)).boxed(),
        1 => any::<i64>().prop_map(|v| (v.to_string(), false)).boxed(),
        2 => (1900..2100i32, 1..=12u32, 1..=28u32)
            .prop_map(|(y, m, d)| (format!("{y:04}-{m:02}-{d:02}"), false))
            .boxed(),
        _ => (-1e9..1e9f64).prop_map(|v| (v.to_string(), false)).boxed(),
    };
    let bad = match column {
        0 => Just((String::new(), true)).boxed(),
        _ => prop_oneof![
            Just("x"),
            Just(" 1"),
            Just("2019-02-30"),
            Just("1,5"),
            Just("NaN")
        ]
        .prop_map(|s| (s.to_string(), true))
        .boxed(),
    };
    prop_oneof![6 => good, 1 => missing, 1 => bad].boxed()
}

fn row() -> impl Strategy<Value = Vec<(String, bool)>> {
    (cell(0), cell(1), cell(2), cell(3)).prop_map(|(a, b, c, d)| vec![a, b, c, d])
}

/// The file's bytes and each record's expected physical line.
fn write_csv(rows: &[Vec<(String, bool)>]) -> (Vec<u8>, Vec<u32>) {
    let mut out = b"s,i,d,f\n".to_vec();
    let mut lines = Vec::new();
    let mut line = 2;
    for r in rows {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        w.write_record(r.iter().map(|(text, _)| text.as_str()))
            .unwrap();
        let bytes = w.into_inner().unwrap();
        lines.push(line);
        line += bytes.iter().filter(|&&b| b == b'\n').count() as u32;
        out.extend(bytes);
    }
    (out, lines)
}

proptest! {
    #[test]
    fn any_bytes_give_a_table_or_a_clear_error(
        bytes in proptest::collection::vec(
            prop_oneof![
                Just(b'a'), Just(b'1'), Just(b'-'), Just(b','), Just(b'"'),
                Just(b'\n'), Just(b'\r'), Just(b' '), Just(0xE9u8), Just(b'N'), Just(b'A'),
            ],
            0..200,
        ),
        header in prop_oneof![Just(&b"s,i,d,f\n"[..]), Just(&b""[..])],
    ) {
        let mut text = header.to_vec();
        text.extend(bytes);
        match read(&text, Path::new("p.csv"), &columns(), &absent, None) {
            Ok(t) => {
                prop_assert_eq!(t.frame.height(), t.lines.len());
                prop_assert!(t.lines.windows(2).all(|w| w[0] < w[1]));
                let newlines = text.iter().filter(|&&b| b == b'\n' || b == b'\r').count();
                prop_assert!(t.lines.iter().all(|&l| l >= 2 && l as usize <= newlines + 1));
            }
            Err(e) => {
                prop_assert!(e.all().all(|p| p.kind() == ErrorKind::Data || p.message().contains("absent")));
                prop_assert!(e.all().all(|p| p.file().is_some() || p.message().contains("absent")));
                prop_assert!(!e.render().contains('\0'));
            }
        }
    }

    #[test]
    fn every_record_is_a_row_and_every_bad_cell_is_counted(
        rows in proptest::collection::vec(row(), 0..40),
    ) {
        let (bytes, lines) = write_csv(&rows);
        let bad: usize = rows.iter().flatten().filter(|(_, bad)| *bad).count();
        match read(&bytes, Path::new("p.csv"), &columns(), &absent, None) {
            Ok(t) => {
                prop_assert_eq!(bad, 0);
                prop_assert_eq!(t.frame.height(), rows.len());
                prop_assert_eq!(&*t.lines, &lines[..]);
                for (i, name) in ["s", "i", "d", "f"].iter().enumerate() {
                    let missing = rows.iter().filter(|r| r[i].0.is_empty() || r[i].0 == "NA").count();
                    prop_assert_eq!(t.frame.column(name).unwrap().null_count(), missing);
                }
            }
            Err(e) => {
                prop_assert_eq!(e.count(), bad, "{}", e.render());
                let text = String::from_utf8_lossy(&bytes);
                let physical: Vec<&str> = text.split('\n').collect();
                for p in e.all() {
                    // `p.csv:LINE:CHAR: column …`: within one record's
                    // lines, and at the start of a field.
                    let shown = p.to_string();
                    let mut at = shown.split(':').skip(1).map(|n| n.parse::<usize>().ok());
                    let (Some(Some(line)), Some(Some(char))) = (at.next(), at.next()) else {
                        continue;
                    };
                    let first = lines.iter().rev().find(|&&l| l as usize <= line);
                    prop_assert!(first.is_some(), "{} is before the first record", line);
                    let before: Vec<char> = physical[line - 1].chars().take(char - 1).collect();
                    prop_assert_eq!(before.len(), char - 1, "{} is past the end of line {}", char, line);
                    prop_assert!(char == 1 || before.last() == Some(&','), "{}:{} does not start a field", line, char);
                }
            }
        }
    }
}

/// The base project's spec with `district`'s declaration replaced.
fn spec_with_district(value: &str) -> String {
    let base = include_str!("../../tests/bad_inputs/_base/report.toml");
    base.replacen("district = \"string\"", &format!("district = {value}"), 1)
}

fn type_name() -> impl Strategy<Value = (&'static str, ColumnType)> {
    prop_oneof![
        Just(("string", ColumnType::String)),
        Just(("int", ColumnType::Int)),
        Just(("float", ColumnType::Float)),
        Just(("bool", ColumnType::Bool)),
        Just(("date", ColumnType::Date)),
    ]
}

/// A valid table form, its TOML text and the declaration it means.
fn column_table() -> impl Strategy<Value = (String, crate::spec::SourceColumn)> {
    let missing = proptest::collection::vec("[a-zA-Z #/-]{0,4}", 0..3);
    (
        type_name(),
        proptest::option::of(any::<bool>()),
        proptest::option::of(missing),
    )
        .prop_map(|((name, ty), nullable, missing)| {
            let mut text = format!("{{ type = \"{name}\"");
            if let Some(n) = nullable {
                text += &format!(", nullable = {n}");
            }
            if let Some(m) = &missing {
                let items: Vec<String> = m.iter().map(|s| format!("\"{s}\"")).collect();
                text += &format!(", missing = [{}]", items.join(", "));
            }
            text += " }";
            let decl = crate::spec::SourceColumn {
                ty,
                nullable: nullable.unwrap_or(false),
                missing,
            };
            (text, decl)
        })
}

fn district_decl(spec: &crate::spec::Spec) -> crate::spec::SourceColumn {
    let source = &spec.sources["incidents"];
    let (_, decl) = source
        .columns
        .iter()
        .find(|(k, _)| k.get_ref() == "district")
        .expect("district is declared");
    decl.get_ref().clone()
}

proptest! {
    #[test]
    fn the_spec_loader_reads_every_valid_column_form((text, expected) in column_table()) {
        let spec = crate::spec::Spec::from_text(Path::new("report.toml"), spec_with_district(&text));
        let spec = spec.map_err(|e| TestCaseError::fail(e.render()))?;
        prop_assert_eq!(district_decl(&spec), expected);
    }

    #[test]
    fn the_spec_loader_never_panics_on_a_column_declaration(junk in "\\PC{0,24}") {
        let text = spec_with_district(&junk);
        match crate::spec::Spec::from_text(Path::new("report.toml"), text) {
            Ok(spec) => {
                let _ = district_decl(&spec);
            }
            Err(e) => {
                prop_assert!(e.all().all(|p| p.kind() == ErrorKind::Spec), "{}", e.render());
                prop_assert!(e.line_col().is_some(), "{}", e.render());
            }
        }
    }
}
