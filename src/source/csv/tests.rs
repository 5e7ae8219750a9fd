//! The CSV reader's tests: behaviour, the splitter against the `csv`
//! crate, and the reader against the oracle (the reader as it was).

use super::split::each_record;
use super::*;
use crate::source::keep::KeepRows;

/// A declared column whose only missing text is the empty cell.
pub(in crate::source) fn rule(name: &str, ty: ColumnType, nullable: bool) -> ColumnRule {
    ColumnRule {
        name: name.into(),
        ty,
        nullable,
        missing: vec![String::new()],
    }
}

pub(super) fn cols() -> Vec<ColumnRule> {
    vec![
        rule("id", ColumnType::String, false),
        rule("age", ColumnType::Int, true),
        rule("when", ColumnType::Date, false),
    ]
}

pub(super) fn absent(i: usize, _: &[&str]) -> Error {
    Error::new(ErrorKind::Data, format!("absent {i}"))
}

fn read_str(text: &[u8]) -> Result<Table> {
    read(text, Path::new("d.csv"), &cols(), &absent, None)
}

fn rendered(text: &[u8]) -> Vec<String> {
    read_str(text)
        .unwrap_err()
        .all()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn reads_typed_columns_with_lines() {
    let t = read_str(
        b"id,age,when,extra\na,1,2019-04-01,x\n\"b\nc\",,2020-02-29,y\nd,3,1970-01-01,z\n",
    )
    .unwrap();
    assert_eq!(t.frame.height(), 3);
    assert_eq!(&*t.lines, &[2, 3, 5]);
    let age = t.frame.column("age").unwrap();
    assert_eq!(age.null_count(), 1);
    assert_eq!(age.dtype(), &DataType::Int64);
    assert_eq!(t.frame.column("when").unwrap().dtype(), &DataType::Date);
    assert_eq!(t.frame.width(), 3, "undeclared columns are not loaded");
}

#[test]
fn line_numbers_follow_quoted_newlines() {
    let errs = rendered(b"id,age,when\n\"a\nb\nc\",x,2019-04-01\n");
    assert_eq!(
        errs,
        [
            // The cell's own line and column, not the record's first line.
            r#"d.csv:4:4: column `age`: "x" is not a whole number (hint: fix the cell, or declare `age` with another type in the spec)"#
        ]
    );
    let errs = rendered(b"id,age,when\n\"a\nb\",1,2019-04-01\nc,1,2019-02-30\n");
    assert!(
        errs[0].starts_with("d.csv:4:5: column `when`: \"2019-02-30\" is not a date"),
        "{errs:?}"
    );
}

#[test]
fn reports_every_problem_by_rule() {
    let errs = rendered(b"id,age,when\n,1,2019-04-01\nb,1\nc,1,2019-04-01,x\nd,z,2019-04-01\n");
    assert_eq!(errs.len(), 4, "{errs:?}");
    assert!(
        errs[0].starts_with("d.csv:3: expected 3 fields as in the header, found 2"),
        "{errs:?}"
    );
    assert!(
        errs[1].starts_with("d.csv:4: expected 3 fields as in the header, found 4"),
        "{errs:?}"
    );
    assert!(
        errs[2].starts_with("d.csv:2:1: column `id`: empty cell in a required column"),
        "{errs:?}"
    );
    assert!(
        errs[3].starts_with("d.csv:5:3: column `age`: \"z\" is not"),
        "{errs:?}"
    );
}

#[test]
fn caps_each_rule_and_counts_the_rest() {
    let mut text = b"id,age,when\n".to_vec();
    for _ in 0..25 {
        text.extend_from_slice(b"a,oops,2019-04-01\n");
    }
    let e = read_str(&text).unwrap_err();
    assert_eq!(e.count(), 25);
    let shown: Vec<_> = e.all().collect();
    assert_eq!(shown.len(), 21);
    assert_eq!(
        shown[20].message(),
        "… and 5 more cells in column `age` that are not a whole number"
    );
}

#[test]
fn header_problems_and_binary_files() {
    let errs = rendered(b"id,age,age,when\n");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("column `age` appears twice in the header (fields 2 and 3)"));
    // After blank lines, the header's own line.
    let errs = rendered(b"\r\n\nid,age,age,when\r\n");
    assert!(
        errs[0].starts_with("d.csv:3: column `age` appears twice"),
        "{errs:?}"
    );
    assert!(rendered(b"id,age\n")[0].contains("absent 2"));
    let parquet = rendered(b"PAR1\x15\x04\x15\x00garbage");
    assert_eq!(parquet.len(), 1);
    assert!(
        parquet[0].contains("it looks like a Parquet file"),
        "{parquet:?}"
    );
    assert!(!parquet[0].contains("garbage"));
    assert!(rendered(b"id,age\0,when\n")[0].contains("a binary file"));
    assert!(rendered(b"")[0].contains("the file is empty"));
}

#[test]
fn an_unclosed_quote_cannot_swallow_the_rest_of_the_file() {
    let errs = rendered(
        b"id,age,when\na,1,2019-04-01\nb,2,\"2019-04-01\nc,3,2019-04-02\nd,4,2019-04-03\n",
    );
    assert!(
        errs[0].starts_with("d.csv:3: a quoted value on this line is never closed"),
        "{errs:?}"
    );
    let t = read_str(b"id,age,when\n\"a\nb\",1,2019-04-01\n\n").unwrap();
    assert_eq!(
        t.frame.height(),
        1,
        "a closed multi-line value and a trailing blank line are fine"
    );
}

#[test]
fn non_utf8_names_the_line() {
    let errs = rendered(b"id,age,when\na,1,2019-04-01\ncaf\xe9,1,2019-04-01\n");
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].starts_with("d.csv:3: this line is not valid UTF-8 (hint: re-save"),
        "{errs:?}"
    );
}

/// `rows` data lines, every `bad`th one broken in some way (0: none),
/// with blank lines and CRLF endings mixed in.
pub(super) fn big(rows: usize, bad: usize) -> Vec<u8> {
    let mut text = b"id,age,when\r\n".to_vec();
    for i in 0..rows {
        let line = match (bad > 0).then(|| i % bad) {
            Some(0) => format!("a{i},x,2019-04-01\n"),
            Some(1) => format!("a{i},1\n"),
            Some(2) => format!(",{i},2019-04-01\r\n"),
            Some(3) => format!("caf\u{e9}{i},{i},2019-02-30\n"),
            _ if i % 50 == 7 => "\n".to_string(),
            _ => format!("a{i},{i},2019-04-{:02}\n", i % 30 + 1),
        };
        text.extend_from_slice(line.as_bytes());
    }
    text
}

pub(super) fn in_parts(text: &[u8], n: usize) -> Result<Table> {
    read_in_parts(text, Path::new("d.csv"), &cols(), &absent, n, None)
}

#[test]
fn parts_read_in_parallel_give_what_one_pass_gives() {
    let clean = big(5_000, 0);
    let one = in_parts(&clean, 1).unwrap();
    for n in [2, 3, 7] {
        assert_eq!(parts(&clean, n).len(), n);
        let many = in_parts(&clean, n).unwrap();
        assert!(many.frame.equals_missing(&one.frame), "{n} parts");
        assert_eq!(many.lines, one.lines, "{n} parts");
    }
    let mut broken = big(5_000, 41);
    broken.extend_from_slice(b"z,1,\"2019-04-01\nz,2,2019-04-02\n");
    let render = |r: Result<Table>| -> Vec<String> {
        let e = r.unwrap_err();
        let mut all: Vec<String> = e.all().map(ToString::to_string).collect();
        all.push(e.count().to_string());
        all
    };
    let one = render(in_parts(&broken, 1));
    assert!(one.iter().any(|e| e.contains("never closed")), "{one:?}");
    assert!(one.iter().any(|e| e.contains("… and ")), "{one:?}");
    for n in [2, 5] {
        assert_eq!(render(in_parts(&broken, n)), one, "{n} parts");
    }
}

#[test]
fn parts_start_only_before_the_first_quote() {
    let mut text = big(2_000, 0);
    let quote_at = text.len() / 3;
    let at = quote_at + text[quote_at..].iter().position(|&b| b == b'\n').unwrap() + 1;
    text.splice(at..at, b"\"q\nr\",1,2019-04-01\n".iter().copied());
    let ranges = parts(&text, 4);
    assert!(ranges.iter().all(|r| r.start < at), "{ranges:?}");
    assert!(in_parts(&text, 4)
        .unwrap()
        .frame
        .equals_missing(&in_parts(&text, 1).unwrap().frame));
    let bom = b"id\na\n\xEF\xBB\xBFb\nc\n";
    let starts: Vec<usize> = parts(bom, 3).iter().map(|r| r.start).collect();
    assert_eq!(starts, [0, 10], "a BOM never starts a part");
}

#[test]
fn header_only_is_an_empty_table() {
    let t = read_str(b"\xEF\xBB\xBFid,age,when\r\n").unwrap();
    assert_eq!(t.frame.height(), 0);
    assert_eq!(t.frame.width(), 3);
}

/// Every record as the splitter reads it after a header line: its
/// line and fields.
fn split(text: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
    let after = memchr::memchr(b'\n', text).map_or(text.len(), |i| i + 1);
    let mut out = Vec::new();
    each_record(text, (after, 2), |r, line, _| {
        let fields = r.bounds.iter().map(|&(a, b)| r.text[a..b].to_vec());
        out.push((line, fields.collect()));
        Ok::<_, ()>(())
    })
    .unwrap();
    out
}

/// The same, as the `csv` crate reads the text in one pass. Its
/// record's position is where the last one ended, before the `\n` of a
/// `\r\n` and any blank lines: the record's own line is counted from
/// its first byte.
fn csv_crate(text: &[u8]) -> Vec<(u64, Vec<Vec<u8>>)> {
    let mut reader = csv_reader(text);
    let mut record = ::csv::ByteRecord::new();
    let mut out = Vec::new();
    let mut first = true;
    while reader.read_byte_record(&mut record).unwrap() {
        let mut at = record.position().unwrap().byte() as usize;
        while matches!(text.get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        // Line breaks as an editor shows them: `\n`, or `\r` alone.
        let breaks = text[..at]
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && text.get(i + 1) != Some(&b'\n')));
        let line = 1 + breaks.count() as u64;
        if !std::mem::take(&mut first) {
            out.push((line, record.iter().map(<[u8]>::to_vec).collect()));
        }
    }
    out
}

#[test]
fn the_splitter_reads_what_the_csv_crate_reads() {
    for text in [
        &b"h\na,b\r\nc,\"d\r\ne\"\r\n\r\n\n\"\",x\rf,g\n\xEF\xBB\xBF\"q\",1"[..],
        b"h\n\"unclosed,1\n2,3\n",
        b"h\na\"b,c\n\xEF\xBB\xBFd,e",
    ] {
        assert_eq!(
            split(text),
            csv_crate(text),
            "{:?}",
            String::from_utf8_lossy(text)
        );
    }
}

proptest::proptest! {
    /// Any text of commas, quotes, line breaks, carriage returns and
    /// byte-order marks is split into the same records, on the same
    /// lines, as one pass of the `csv` crate.
    #[test]
    fn the_splitter_agrees_with_the_csv_crate_on_any_text(
        pieces in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just("a"), proptest::strategy::Just("bc"),
                proptest::strategy::Just(","), proptest::strategy::Just("\""),
                proptest::strategy::Just("\n"), proptest::strategy::Just("\r"),
                proptest::strategy::Just("\r\n"), proptest::strategy::Just("\u{feff}"),
                proptest::strategy::Just("é"),
            ],
            0..40,
        )
    ) {
        let text = format!("h\n{}", pieces.concat());
        proptest::prop_assert_eq!(split(text.as_bytes()), csv_crate(text.as_bytes()));
    }
}

/// The differential test's columns: every type, required and nullable,
/// declared in another order than the header's (which also holds an
/// undeclared column `x`).
fn every_type() -> Vec<ColumnRule> {
    let mut cols = vec![
        rule("t", ColumnType::Datetime, true),
        rule("s", ColumnType::String, false),
        rule("i", ColumnType::Int, true),
        rule("d", ColumnType::Date, false),
        rule("f", ColumnType::Float, true),
        rule("b", ColumnType::Bool, false),
        rule("n", ColumnType::String, true),
    ];
    cols[2].missing = vec![String::new(), "NA".into()];
    cols[6].missing = vec!["-".into()];
    cols
}

const EVERY_TYPE_HEADER: &str = "s,i,x,d,f,b,t,n";

/// One cell's text as written in the file: a good value of some type, a
/// bad one, a missing marker, text with quotes, line breaks, non-ASCII,
/// non-characters or bytes that are not UTF-8.
fn any_cell() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    let texts = prop_oneof![
        Just(""),
        Just("NA"),
        Just("-"),
        Just("a"),
        Just("Cambridge"),
        Just("a long value past twelve bytes"),
        Just("12"),
        Just("-7"),
        Just("+3"),
        Just("99999999999999999999"),
        Just("1.5"),
        Just("1e3"),
        Just("NaN"),
        Just("inf"),
        Just("true"),
        Just("false"),
        Just("True"),
        Just("2019-04-01"),
        Just("2020-02-29"),
        Just("2019-02-30"),
        Just("2019-04-01 13:45"),
        Just("2019-04-01T23:59:59.5"),
        Just("2019-04-01 12:00Z"),
        Just(" 5"),
        Just("é"),
        Just("caf\u{e9} au lait, très"),
        Just("\u{fffe}"),
        Just("\"q\"\"x\""),
        Just("\"a,b\""),
        Just("\"l1\nl2\""),
        Just("\"l1\r\nl2\""),
        Just("\"l1\rl2\""),
        Just("\""),
        Just("\u{feff}"),
    ]
    .prop_map(|s: &str| s.as_bytes().to_vec());
    prop_oneof![
        20 => texts,
        1 => Just(b"caf\xe9".to_vec()),
        2 => "[a-z0-9 .:\"-]{0,16}".prop_map(String::into_bytes),
    ]
}

/// A good cell of header field `k` (`s,i,x,d,f,b,t,n`), sometimes quoted.
fn good_cell(k: usize) -> proptest::strategy::BoxedStrategy<Vec<u8>> {
    use proptest::prelude::*;
    let text: BoxedStrategy<String> = match k {
        0 => "[a-zé ,\"\n\r.-]{1,20}".boxed(),
        1 => prop_oneof![
            any::<i64>().prop_map(|v| v.to_string()),
            Just(String::new()),
            Just("NA".into())
        ]
        .boxed(),
        3 => (1900..2100i32, 1..=12u32, 1..=28u32)
            .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
            .boxed(),
        4 => prop_oneof![
            (-1e9..1e9f64).prop_map(|v| v.to_string()),
            Just(String::new())
        ]
        .boxed(),
        5 => prop_oneof![Just("true".to_string()), Just("false".to_string())].boxed(),
        6 => prop_oneof![
            (0..24u32, 0..60u32, 0..60u32)
                .prop_map(|(h, m, s)| format!("2019-04-01 {h:02}:{m:02}:{s:02}")),
            Just(String::new()),
        ]
        .boxed(),
        7 => "[a-zé-]{0,14}".boxed(),
        _ => "[a-z,\"]{0,5}".boxed(),
    };
    (text, 0..4)
        .prop_map(|(t, q)| {
            let needs = t.contains([',', '"', '\n', '\r']);
            if needs || q == 0 {
                format!("\"{}\"", t.replace('"', "\"\"")).into_bytes()
            } else {
                t.into_bytes()
            }
        })
        .boxed()
}

/// A row of the header's eight fields: good cells, each replaced by any
/// cell one time in `bad` (0: never); now and then a field short or over.
fn any_row(bad: u32) -> impl proptest::strategy::Strategy<Value = Vec<Vec<u8>>> {
    use proptest::prelude::*;
    let cells: Vec<_> = (0..8)
        .map(|k| {
            let good = good_cell(k);
            if bad == 0 {
                good
            } else {
                prop_oneof![bad => good, 1 => any_cell()].boxed()
            }
        })
        .collect();
    let shape = if bad == 0 { 0..1u32 } else { 0..30u32 };
    (cells, shape).prop_map(|(mut cells, shape)| {
        match shape {
            1 => drop(cells.pop()),
            2 => cells.push(b"extra".to_vec()),
            _ => {}
        }
        cells
    })
}

/// A file: optional BOM, the header, rows with `\n`, `\r\n` or `\r`
/// endings, blank lines, and maybe no final break; clean (every cell
/// good), or with a bad cell one time in 40 or in 3.
fn any_file() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    let ending =
        prop_oneof![6 => Just("\n"), 2 => Just("\r\n"), 1 => Just("\r"), 1 => Just("\n\n")];
    let rows = prop_oneof![Just(0u32), Just(40), Just(3)]
        .prop_flat_map(move |bad| proptest::collection::vec((any_row(bad), ending.clone()), 0..40));
    (any::<bool>(), rows, any::<bool>()).prop_map(|(bom, rows, last_break)| {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice("\u{feff}".as_bytes());
        }
        out.extend_from_slice(EVERY_TYPE_HEADER.as_bytes());
        out.push(b'\n');
        let n = rows.len();
        for (k, (cells, ending)) in rows.into_iter().enumerate() {
            out.extend_from_slice(&cells.join(&b","[..]));
            if k + 1 < n || last_break {
                out.extend_from_slice(ending.as_bytes());
            }
        }
        out
    })
}

/// A read as the tests compare it: the frame (its columns' names, types
/// and values), lines, and the records read with the period column's
/// extent, or every message and the count.
#[derive(Debug, PartialEq)]
enum Outcome {
    Table(
        Vec<(String, DataType, Vec<String>)>,
        Vec<u32>,
        (usize, crate::source::keep::Extent),
    ),
    Problems(Vec<String>, usize),
}

fn outcome(read: Result<Table>) -> Outcome {
    match read {
        Ok(t) => {
            let columns = t.frame.columns().iter().map(|c| {
                let s = c.as_materialized_series();
                let values = (0..s.len()).map(|i| format!("{:?}", s.get(i).unwrap()));
                (s.name().to_string(), s.dtype().clone(), values.collect())
            });
            Outcome::Table(columns.collect(), t.lines.to_vec(), (t.read, t.extent))
        }
        Err(e) => Outcome::Problems(e.all().map(ToString::to_string).collect(), e.count()),
    }
}

/// Both readers on `text` in `n` parts.
fn both(text: &[u8], n: usize) -> (Outcome, Outcome) {
    let cols = every_type();
    let new = read_in_parts(text, Path::new("d.csv"), &cols, &absent, n, None);
    let old = oracle::read_in_parts(text, Path::new("d.csv"), &cols, &absent, n);
    (outcome(new), outcome(old))
}

/// Both readers on `text` in `n` parts, keeping the rows `keep` keeps:
/// the reader as it reads, the oracle's whole table filtered afterwards
/// (as the Excel and Parquet readers are).
fn both_keeping(text: &[u8], n: usize, keep: &KeepRows) -> (Outcome, Outcome) {
    let cols = every_type();
    let new = read_in_parts(text, Path::new("d.csv"), &cols, &absent, n, Some(keep));
    let old = oracle::read_in_parts(text, Path::new("d.csv"), &cols, &absent, n)
        .and_then(|t| crate::source::keep::filter(t, keep));
    (outcome(new), outcome(old))
}

/// A keep rule on the date column `d` (years 1900 to 2099 in
/// [`any_file`]) or on the date-time column `t` (1 April 2019): a range of
/// days, or every day up to one.
fn any_keep() -> impl proptest::strategy::Strategy<Value = KeepRows> {
    use proptest::prelude::*;
    let day = |y: i32| cell::parse_date(&format!("{y:04}-01-01")).unwrap();
    let on_d =
        (1890..2110i32, 0..100i32, any::<bool>()).prop_map(move |(y, years, to_date)| KeepRows {
            column: "d".into(),
            first: (!to_date).then(|| day(y)),
            last: day(y) + years * 365,
        });
    let april = cell::parse_date("2019-04-01").unwrap();
    let on_t = (-2..2i32, 0..3i32, any::<bool>()).prop_map(move |(from, span, to_date)| KeepRows {
        column: "t".into(),
        first: (!to_date).then_some(april + from),
        last: april + from + span,
    });
    prop_oneof![3 => on_d, 1 => on_t]
}

#[test]
fn the_reader_reads_what_the_oracle_reads() {
    let good = "s,i,x,d,f,b,t,n\na,1,,2019-04-01,1.5,true,2019-04-01 13:45,-\n\"q\nr\",NA,z,2020-02-29,,false,,caf\u{e9}\r\n";
    let (new, old) = both(good.as_bytes(), 1);
    assert!(matches!(new, Outcome::Table(..)), "{new:?}");
    assert_eq!(new, old);
    let mut big = EVERY_TYPE_HEADER.as_bytes().to_vec();
    big.push(b'\n');
    for i in 0..3_000 {
        let row = format!(
            "id {i} with a long name,{i},x,2019-04-{:02},{i}.5,{},,{}\n",
            i % 30 + 1,
            i % 2 == 0,
            if i % 7 == 0 { "-" } else { "ok" }
        );
        big.extend_from_slice(row.as_bytes());
    }
    for n in [1, 2, 3] {
        let (new, old) = both(&big, n);
        assert!(matches!(new, Outcome::Table(..)), "{n}: {new:?}");
        assert_eq!(new, old, "{n} parts");
    }
    big.extend_from_slice(b"oops,1.5,x,2019-13-01,x,yes,2019,\n");
    assert!(matches!(both(&big, 2).0, Outcome::Problems(..)));
    assert_eq!(both(&big, 2).0, both(&big, 2).1);
}

#[test]
fn the_random_files_give_tables_and_problems() {
    use proptest::strategy::{Strategy, ValueTree};
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut tables, mut problems) = (0, 0);
    for _ in 0..300 {
        let text = any_file().new_tree(&mut runner).unwrap().current();
        match outcome(read_in_parts(
            &text,
            Path::new("d.csv"),
            &every_type(),
            &absent,
            1,
            None,
        )) {
            Outcome::Table(_, lines, _) if lines.len() > 3 => tables += 1,
            Outcome::Table(..) => {}
            Outcome::Problems(..) => problems += 1,
        }
    }
    assert!(
        tables > 50 && problems > 50,
        "{tables} tables, {problems} problems"
    );
}

#[test]
fn kept_rows_are_the_oracle_s_rows_filtered() {
    let mut big = EVERY_TYPE_HEADER.as_bytes().to_vec();
    big.push(b'\n');
    for i in 0..3_000 {
        let row = format!("id {i},{i},x,{}-06-01,1.5,true,,-\n", 2000 + i % 30);
        big.extend_from_slice(row.as_bytes());
    }
    let keep = KeepRows {
        column: "d".into(),
        first: cell::parse_date("2010-01-01"),
        last: cell::parse_date("2011-12-31").unwrap(),
    };
    for n in [1, 2, 3] {
        let (new, old) = both_keeping(&big, n, &keep);
        let Outcome::Table(_, lines, (read, _)) = &new else {
            panic!("{new:?}");
        };
        assert_eq!((lines.len(), *read), (200, 3_000), "two years in thirty");
        assert_eq!(new, old, "{n} parts");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
    /// Any file of good, bad and missing cells of every type, quotes, line
    /// breaks of every kind, byte-order marks, non-ASCII and broken UTF-8
    /// gives the same table, or the same problems, from the typed reader as
    /// from the oracle, in one part or several.
    #[test]
    fn the_reader_agrees_with_the_oracle_on_any_file(text in any_file(), n in 1usize..4) {
        let (new, old) = both(&text, n);
        proptest::prop_assert_eq!(new, old);
    }

    /// With a keep rule: the oracle's table filtered by the same rule (a
    /// row without a date kept), or the same problems (every row checked).
    #[test]
    fn kept_rows_agree_with_the_oracle_filtered(
        text in any_file(),
        n in 1usize..4,
        keep in any_keep(),
    ) {
        let (new, old) = both_keeping(&text, n, &keep);
        proptest::prop_assert_eq!(new, old);
    }

    /// The same, read a small block at a time (records, quoted line breaks,
    /// `\r\n` and byte-order marks cut anywhere by a block's end), with or
    /// without a keep rule.
    #[test]
    fn the_reader_in_blocks_agrees_with_the_oracle_on_any_file(
        text in any_file(),
        block in 1usize..160,
        n in 1usize..4,
        keep in proptest::option::of(any_keep()),
    ) {
        let cols = every_type();
        let keep = keep.as_ref();
        let new = read_in_blocks(&text, Path::new("d.csv"), &cols, &absent, keep, (block, n));
        let old = oracle::read_in_parts(&text, Path::new("d.csv"), &cols, &absent, 1)
            .and_then(|t| match keep {
                Some(k) => crate::source::keep::filter(t, k),
                None => Ok(t),
            });
        proptest::prop_assert_eq!(outcome(new), outcome(old));
    }
}
