//! The CSV reader: one validating pass over a file's bytes that builds the
//! typed columns as it goes.
//!
//! Each record is read with the `csv` crate, which knows the physical line
//! where the record starts (header = line 1, right after quoted newlines),
//! so every problem names the line an editor shows. The same pass parses
//! each declared cell by the rules in [`super::cell`] and appends the value
//! to its column, so the checked value and the loaded value can never
//! disagree. Every problem is collected (capped per rule, see
//! [`Problems`]); the frame is returned only if there were none.

use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;

use super::cell::{self, Builder, Parsed};
use super::problems::{Problems, Rule};
use crate::error::{Error, ErrorKind, Result};
use crate::spec::ColumnType;

/// What the reader needs to know about one declared column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRule {
    /// The header name.
    pub name: String,
    /// The declared type.
    pub ty: ColumnType,
    /// Whether a missing cell becomes a null (else it is an error).
    pub nullable: bool,
    /// The exact cell texts that count as missing.
    pub missing: Vec<String>,
}

/// A CSV file read into typed columns.
#[derive(Debug, Clone)]
pub struct Table {
    /// The declared columns, in the order given, one row per record.
    pub frame: DataFrame,
    /// The physical line each frame row starts on (header = line 1).
    pub lines: Arc<[u32]>,
}

/// Reads `bytes` (the contents of `file`) as a comma-separated file with a
/// header row, keeping the declared `columns`. `absent(i, header)` makes the
/// error for declared column `i` missing from the header. Returns every
/// problem found, or the table.
pub fn read(
    bytes: &[u8],
    file: &Path,
    columns: &[ColumnRule],
    absent: &dyn Fn(usize, &[&str]) -> Error,
) -> Result<Table> {
    if let Some(what) = not_csv(bytes) {
        return Err(Error::new(
            ErrorKind::Data,
            format!("this is not a CSV file (it looks like {what})"),
        )
        .in_file(file)
        .with_hint(
            "export the data as CSV (comma-separated, UTF-8, with a header row) and point `path` at that file",
        ));
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = ::csv::ByteRecord::new();
    let mut problems = Problems::new(file, columns);
    if !next_record(&mut reader, &mut record, &mut problems)? {
        return Err(Error::new(ErrorKind::Data, "the file is empty")
            .in_file(file)
            .with_hint("a CSV source needs a header row naming its columns"));
    }
    let header = Header::read(&record, file, columns, absent)?;
    let mut builders: Vec<Builder> = columns.iter().map(Builder::new).collect();
    let mut lines = Vec::new();
    let mut last = record.position().cloned();
    while next_record(&mut reader, &mut record, &mut problems)? {
        let line = line_of(&record, file)?;
        if check_record(&record, line, &header, &mut problems) {
            read_cells(
                &record,
                line,
                &header,
                columns,
                &mut builders,
                &mut problems,
            );
        }
        lines.push(line);
        last = record.position().cloned();
    }
    if let Some(start) = last.filter(|p| unclosed_quote(&bytes[p.byte() as usize..])) {
        let line = u32::try_from(start.line()).unwrap_or(u32::MAX);
        problems.add(Rule::UnclosedQuote, None, line, || {
            "a quoted value on this line is never closed, so it runs to the end of the file"
                .to_string()
        });
    }
    problems.finish()?;
    let height = lines.len();
    let frame_columns = builders.into_iter().map(Builder::finish).collect();
    let frame = DataFrame::new(height, frame_columns).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!(
                "the checked columns do not line up: {}",
                super::first_line(&e)
            ),
        )
        .in_file(file)
    })?;
    Ok(Table {
        frame,
        lines: lines.into(),
    })
}

/// What the bytes look like if they are clearly not a CSV text file: a
/// Parquet, Excel/ZIP, gzip or other binary file (a NUL byte never occurs in
/// text), or UTF-16 text. The bytes themselves are never shown.
pub fn not_csv(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: [(&[u8], &str); 5] = [
        (b"PAR1", "a Parquet file"),
        (b"PK\x03\x04", "an Excel workbook or another ZIP archive"),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "an old Excel (.xls) workbook",
        ),
        (b"\x1F\x8B", "a gzip-compressed file"),
        (b"\xFF\xFE", "UTF-16 text"),
    ];
    if let Some((_, what)) = SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
    {
        return Some(what);
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Some("UTF-16 text");
    }
    bytes.contains(&0).then_some("a binary file")
}

/// Whether the last record (`rest`: its bytes to the end of the file) spans
/// lines only because a quote was never closed. In a well-formed record the
/// quotes pair up (`"a, b"`, `""` inside quotes), so an odd count means the
/// reader took every following line into one value.
fn unclosed_quote(rest: &[u8]) -> bool {
    let rest = rest.trim_ascii_end();
    rest.contains(&b'\n') && rest.iter().filter(|&&b| b == b'"').count() % 2 == 1
}

/// The header: how many fields a record must have and where each declared
/// column is (`None` when it is absent or ambiguous, already reported).
struct Header {
    width: usize,
    index: Vec<Option<usize>>,
}

impl Header {
    fn read(
        record: &::csv::ByteRecord,
        file: &Path,
        columns: &[ColumnRule],
        absent: &dyn Fn(usize, &[&str]) -> Error,
    ) -> Result<Header> {
        let line = line_of(record, file)?;
        let Ok(names) = record
            .iter()
            .map(std::str::from_utf8)
            .collect::<Result<Vec<&str>, _>>()
        else {
            return Err(Error::new(ErrorKind::Data, "the header is not valid UTF-8")
                .in_file(file)
                .at_row(line as usize, None)
                .with_hint(cell::UTF8_HINT));
        };
        let mut errors = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let first = names.iter().position(|n| n == name).unwrap_or(i);
            if first < i && !name.is_empty() {
                errors.push(
                    Error::new(
                        ErrorKind::Data,
                        format!(
                            "column `{name}` appears twice in the header (fields {} and {})",
                            first + 1,
                            i + 1
                        ),
                    )
                    .in_file(file)
                    .at_row(line as usize, None)
                    .with_hint("rename one of them so every column has its own name"),
                );
            }
        }
        let mut index = Vec::with_capacity(columns.len());
        for (i, c) in columns.iter().enumerate() {
            let at: Vec<usize> = (0..names.len()).filter(|&j| names[j] == c.name).collect();
            if at.is_empty() {
                errors.push(absent(i, &names));
            }
            index.push((at.len() == 1).then(|| at[0]));
        }
        Error::collect(errors)?;
        Ok(Header {
            width: names.len(),
            index,
        })
    }
}

/// Reads the next record; `false` at the end of the file.
fn next_record(
    reader: &mut ::csv::Reader<&[u8]>,
    record: &mut ::csv::ByteRecord,
    problems: &mut Problems,
) -> Result<bool> {
    reader.read_byte_record(record).map_err(|e| {
        let at = e.position().map(|p| p.line() as usize);
        let err =
            Error::new(ErrorKind::Data, format!("cannot read CSV: {e}")).in_file(problems.file());
        match at {
            Some(line) => err.at_row(line, None),
            None => err,
        }
    })
}

/// The physical line a record starts on (header = line 1).
fn line_of(record: &::csv::ByteRecord, file: &Path) -> Result<u32> {
    let line = record.position().map_or(0, ::csv::Position::line);
    u32::try_from(line).map_err(|_| {
        Error::new(
            ErrorKind::Data,
            "the file has more than 4,294,967,295 lines",
        )
        .in_file(file)
        .with_hint("split the file; one source reads at most 4,294,967,295 lines")
    })
}

/// Checks a record's shape (field count, UTF-8); `true` if its cells can be
/// read.
fn check_record(
    record: &::csv::ByteRecord,
    line: u32,
    header: &Header,
    problems: &mut Problems,
) -> bool {
    let found = record.len();
    if found != header.width {
        let rule = if found < header.width {
            Rule::TooFewFields
        } else {
            Rule::TooManyFields
        };
        problems.add(rule, None, line, || {
            format!(
                "expected {} fields as in the header, found {found}",
                header.width
            )
        });
        return false;
    }
    if record.iter().any(|f| std::str::from_utf8(f).is_err()) {
        problems.add(Rule::NotUtf8, None, line, || {
            "this line is not valid UTF-8".to_string()
        });
        return false;
    }
    true
}

/// Parses each declared cell of a well-shaped record into its column.
fn read_cells(
    record: &::csv::ByteRecord,
    line: u32,
    header: &Header,
    columns: &[ColumnRule],
    builders: &mut [Builder],
    problems: &mut Problems,
) {
    for (i, rule) in columns.iter().enumerate() {
        let Some(text) = header.index[i]
            .and_then(|j| record.get(j))
            .and_then(|f| std::str::from_utf8(f).ok())
        else {
            continue;
        };
        if let Err(why) = crate::text::check_text(text) {
            problems.add(Rule::NotText, Some(i), line, || {
                format!("the cell holds {why}")
            });
            continue;
        }
        match cell::parse(text, rule) {
            Parsed::Value(v) => builders[i].push(Some(v)),
            Parsed::Null => builders[i].push(None),
            Parsed::MissingButRequired => {
                problems.add(Rule::Missing, Some(i), line, || cell::missing_message(text))
            }
            Parsed::NotA => problems.add(Rule::Type, Some(i), line, || {
                cell::type_message(text, rule.ty)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str, ty: ColumnType, nullable: bool) -> ColumnRule {
        ColumnRule {
            name: name.into(),
            ty,
            nullable,
            missing: vec![String::new()],
        }
    }

    fn cols() -> Vec<ColumnRule> {
        vec![
            rule("id", ColumnType::String, false),
            rule("age", ColumnType::Int, true),
            rule("when", ColumnType::Date, false),
        ]
    }

    fn absent(i: usize, _: &[&str]) -> Error {
        Error::new(ErrorKind::Data, format!("absent {i}"))
    }

    fn read_str(text: &[u8]) -> Result<Table> {
        read(text, Path::new("d.csv"), &cols(), &absent)
    }

    fn rendered(text: &[u8]) -> Vec<String> {
        read_str(text)
            .unwrap_err()
            .all()
            .map(Error::to_string)
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
                r#"d.csv:2: column `age`: "x" is not a whole number (hint: fix the cell, or declare `age` with another type in the spec)"#
            ]
        );
        let errs = rendered(b"id,age,when\n\"a\nb\",1,2019-04-01\nc,1,2019-02-30\n");
        assert!(
            errs[0].starts_with("d.csv:4: column `when`: \"2019-02-30\" is not a date"),
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
            errs[2].starts_with("d.csv:2: column `id`: empty cell in a required column"),
            "{errs:?}"
        );
        assert!(
            errs[3].starts_with("d.csv:5: column `age`: \"z\" is not"),
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

    #[test]
    fn header_only_is_an_empty_table() {
        let t = read_str(b"\xEF\xBB\xBFid,age,when\r\n").unwrap();
        assert_eq!(t.frame.height(), 0);
        assert_eq!(t.frame.width(), 3);
    }
}
