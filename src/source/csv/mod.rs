//! The CSV reader: one validating pass over a file's bytes, in parts read
//! on parallel threads, that builds typed Arrow columns as it goes.
//!
//! - [`split`]: records into fields (byte offsets; a plain line split in
//!   place, a record with quotes by `csv_core`);
//! - [`part`]: one part of the file, a batch of records at a time: shape
//!   and UTF-8 checks, then each column types its cells;
//! - [`columns`]: the typed buffers, frozen into Arrow arrays (one Polars
//!   chunk per part, no concatenating copy);
//! - [`locate`]: editor lines and columns, worked out only for what is
//!   reported.
//!
//! Every problem names the line an editor shows (header = line 1; after
//! quoted line breaks, blank lines, and with `\r\n` or `\r`-only endings
//! too) and the bad cell's column. Every problem is collected (capped per
//! rule, see [`Problems`]); the frame is returned only if there were none.
//! The cell rules are [`crate::source::cell`]'s, shared with the other
//! readers, so the checked value and the loaded value cannot disagree.

mod locate;
#[cfg(any(test, feature = "reader-oracle"))]
mod oracle;
#[cfg(any(test, feature = "reader-oracle"))]
mod oracle_builder;
mod part;
mod split;
mod stream;
#[cfg(test)]
pub(in crate::source) mod tests;

use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;

use self::part::Part;
use self::stream::Input;
pub(crate) use self::stream::{read_registered, BLOCK};
use super::keep::{Extent, KeepRows};
use super::problems::{Problems, Rule};
use super::{cell, columns};
use crate::error::{Error, ErrorKind, Result};
use crate::spec::ColumnType;

/// What the reader needs to know about one declared column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColumnRule {
    /// The header name.
    pub name: String,
    /// The declared type.
    pub ty: ColumnType,
    /// Whether a missing cell becomes a null (else it is an error).
    pub nullable: bool,
    /// The exact cell texts that count as missing.
    pub missing: Vec<String>,
}

/// A file read into typed columns (every reader's result).
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// The declared columns, in the order given, one row per kept record.
    pub frame: DataFrame,
    /// The physical line each frame row starts on (header = line 1).
    pub lines: Arc<[u32]>,
    /// How many records were read and checked (kept or not).
    pub read: usize,
    /// The period column's extent over every record read, when a
    /// [`KeepRows`] filter was applied (else nothing).
    pub extent: Extent,
}

impl Table {
    /// A table of every record read.
    pub(crate) fn new(frame: DataFrame, lines: Arc<[u32]>) -> Table {
        Table {
            frame,
            read: lines.len(),
            lines,
            extent: Extent::default(),
        }
    }
}

/// Threads pay off from about a megabyte a part.
const MIN_PART: usize = 1 << 20;

/// Reads `bytes` (the contents of `file`) as a comma-separated file with a
/// header row, keeping the declared `columns`. `absent(i, header)` makes the
/// error for declared column `i` missing from the header. Every record is
/// checked; only those `keep` keeps (all, without it) are in the table.
/// Returns every problem found, or the table.
pub(crate) fn read(
    bytes: &[u8],
    file: &Path,
    columns: &[ColumnRule],
    absent: &dyn Fn(usize, &[&str]) -> Error,
    keep: Option<&KeepRows>,
) -> Result<Table> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    stream::read(
        Input::Whole(bytes),
        file,
        columns,
        absent,
        keep,
        (threads, MIN_PART),
    )
}

/// [`read`], reading `source` a block of `block` bytes at a time (see
/// [`stream`]): the same table, or the same problems, without ever
/// holding the whole file.
pub(crate) fn read_stream(
    source: &mut (dyn std::io::Read + Send),
    block: usize,
    r: &super::Request,
) -> Result<Table> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let input = Input::blocks(source, block);
    let split = (threads, MIN_PART);
    stream::read(input, r.file, r.rules, r.absent, r.keep, split)
}

/// [`read`], in up to `n` parts read in parallel (see [`parts`]): the same
/// table, or the same problems, as one pass. Records are kept as `keep`
/// says (see [`part`]).
#[cfg(test)]
fn read_in_parts(
    bytes: &[u8],
    file: &Path,
    columns: &[ColumnRule],
    absent: &dyn Fn(usize, &[&str]) -> Error,
    n: usize,
    keep: Option<&KeepRows>,
) -> Result<Table> {
    stream::read(Input::Whole(bytes), file, columns, absent, keep, (n, 1))
}

/// [`read_in_parts`], reading `bytes` `block` bytes at a time.
#[cfg(test)]
fn read_in_blocks(
    bytes: &[u8],
    file: &Path,
    columns: &[ColumnRule],
    absent: &dyn Fn(usize, &[&str]) -> Error,
    keep: Option<&KeepRows>,
    (block, n): (usize, usize),
) -> Result<Table> {
    let mut source = bytes;
    let input = Input::blocks(&mut source, block);
    stream::read(input, file, columns, absent, keep, (n, 1))
}

/// The error for a file that is clearly not CSV text (see [`not_csv`]).
fn not_csv_error(what: &str, file: &Path) -> Error {
    Error::new(
        ErrorKind::Data,
        format!("this is not a CSV file (it looks like {what})"),
    )
    .in_file(file)
    .with_hint(
        "export the data as CSV (comma-separated, UTF-8, with a header row) and point `path` at that file",
    )
}

/// Joins the parts (in file order) into one table, or every problem: each
/// part's column arrays become the chunks of one Polars column.
/// `last`: the line of the file's last record (the header's if there is
/// none) and whether a quote in it is never closed.
fn finish(
    parts: Vec<Part>,
    last: Option<(u64, bool)>,
    file: &Path,
    rules: &[ColumnRule],
) -> Result<Table> {
    let mut problems: Option<Problems> = None;
    let (mut read, mut extent) = (0, Extent::default());
    let mut lines = Vec::new();
    let mut chunks: Vec<Vec<ArrayRef>> = rules.iter().map(|_| Vec::new()).collect();
    for part in parts {
        let empty = part.lines.is_empty();
        read += part.read;
        extent.merge(part.extent);
        match problems.as_mut() {
            None => problems = Some(part.problems),
            Some(p) => p.merge(part.problems),
        }
        if lines.is_empty() {
            lines = part.lines;
        } else {
            lines.extend_from_slice(&part.lines);
        }
        // A part that kept no record (a block that ended inside one, or
        // none in the periods) adds no chunk, unless there is none yet.
        for (column, chunk) in part.columns.into_iter().zip(&mut chunks) {
            if !empty || chunk.is_empty() {
                chunk.push(column.finish());
            }
        }
    }
    let mut problems = problems.expect("at least one part");
    if let Some((line, _)) = last.filter(|(_, unclosed)| *unclosed) {
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        problems.add(Rule::UnclosedQuote, None, line, || {
            "a quoted value on this line is never closed, so it runs to the end of the file"
                .to_string()
        });
    }
    problems.finish()?;
    let columns = rules
        .iter()
        .zip(chunks)
        .map(|(rule, chunks)| columns::into_polars(rule, chunks));
    let frame = DataFrame::new(lines.len(), columns.collect()).map_err(|e| {
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
        read,
        extent,
    })
}

/// What the bytes look like if they are clearly not a CSV text file: a
/// Parquet, Excel/ZIP, gzip or other binary file (a NUL byte never occurs in
/// text), or UTF-16 text. The bytes themselves are never shown.
pub(crate) fn not_csv(bytes: &[u8]) -> Option<&'static str> {
    signature(bytes).or_else(|| memchr::memchr(0, bytes).map(|_| "a binary file"))
}

/// What the first bytes say the file is, if clearly not CSV text (see
/// [`not_csv`]).
fn signature(bytes: &[u8]) -> Option<&'static str> {
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
    bytes.starts_with(b"\xFE\xFF").then_some("UTF-16 text")
}

/// The byte ranges read in parallel: the whole file, or up to `n` parts
/// that each start right after a
/// line break with no `"` anywhere before it. With no quote before it, a
/// line break cannot be inside a quoted value, so it ends a record (or a
/// blank line) and the reader starts the next part in exactly the state
/// one pass would be in there. A part never starts with a byte-order mark
/// (only the first record's is skipped). Anything else: one part.
fn parts(bytes: &[u8], n: usize) -> Vec<std::ops::Range<usize>> {
    let quote_free = memchr::memchr(b'"', bytes).unwrap_or(bytes.len());
    let header_end = memchr::memchr(b'\n', bytes).map_or(bytes.len(), |i| i + 1);
    let mut starts = vec![0];
    for k in 1..n {
        let aim = bytes.len() * k / n;
        let Some(at) = memchr::memchr(b'\n', &bytes[aim..]).map(|i| aim + i + 1) else {
            break;
        };
        let ok = at > header_end
            && at < quote_free
            && at > *starts.last().unwrap_or(&0)
            && !bytes[at..].starts_with(b"\xEF\xBB\xBF");
        if ok && at < bytes.len() {
            starts.push(at);
        }
    }
    let ends = starts.iter().skip(1).copied().chain([bytes.len()]);
    starts.iter().zip(ends).map(|(&s, e)| s..e).collect()
}

fn csv_reader(bytes: &[u8]) -> ::csv::Reader<&[u8]> {
    ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
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
    /// The header `record`, read from the file's `bytes`.
    fn read(
        (record, bytes): (&::csv::ByteRecord, &[u8]),
        file: &Path,
        columns: &[ColumnRule],
        absent: &dyn Fn(usize, &[&str]) -> Error,
    ) -> Result<Header> {
        let at = record.position().map_or(0, |pos| pos.byte() as usize);
        let line = locate::line_at(bytes, at, file)?;
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
    file: &Path,
) -> Result<bool> {
    reader.read_byte_record(record).map_err(|e| {
        let at = e.position().map(|p| p.line() as usize);
        let err = Error::new(ErrorKind::Data, format!("cannot read CSV: {e}")).in_file(file);
        match at {
            Some(line) => err.at_row(line, None),
            None => err,
        }
    })
}

/// For `benches/reader.rs` only: reads `bytes` with the declared columns
/// (`(name, type as the spec spells it)`, required, only the empty cell
/// missing) and gives the rows read, or the first problem. With
/// `oracle`, the reader as it was (feature `reader-oracle`).
#[doc(hidden)]
pub fn read_csv(
    bytes: &[u8],
    columns: &[(&str, &str)],
    oracle: bool,
) -> std::result::Result<usize, String> {
    let rules: Vec<ColumnRule> = columns
        .iter()
        .map(|(name, ty)| {
            let ty = toml::Value::String((*ty).to_string());
            Ok(ColumnRule {
                name: (*name).to_string(),
                ty: ty.try_into().map_err(|e| format!("{e}"))?,
                nullable: false,
                missing: vec![String::new()],
            })
        })
        .collect::<std::result::Result<_, String>>()?;
    let file = Path::new("bench.csv");
    let absent = |i: usize, _: &[&str]| Error::new(ErrorKind::Data, format!("absent {i}"));
    let table = if oracle {
        #[cfg(feature = "reader-oracle")]
        let read = oracle::read(bytes, file, &rules, &absent);
        #[cfg(not(feature = "reader-oracle"))]
        let read = Err(Error::new(
            ErrorKind::Internal,
            "built without `reader-oracle`",
        ));
        read
    } else {
        read(bytes, file, &rules, &absent, None)
    };
    table.map(|t| t.frame.height()).map_err(|e| e.to_string())
}
