//! The CSV reader as it was before the typed reader (27 November), kept
//! as the test oracle: the differential tests read the same bytes with both
//! and want the same table or the same problems. Not built outside tests.
//!
//! One validating pass over a file's bytes that builds the typed columns as
//! it goes, through Polars' generic builders.
//!
//! The header is read with the `csv` crate; the records by [`Splitter`]: a
//! plain line (no `"`, no stray `\r`) is split at its commas in place, any
//! other record is parsed by `csv_core` (the `csv` crate's own parser, same
//! dialect). Each record's line is counted from its first byte, so every
//! problem names the line an editor shows (header = line 1; after quoted
//! line breaks, blank lines, and with `\r\n` or `\r`-only endings too). The same pass parses
//! each declared cell by the rules in [`crate::source::cell`] and appends the value
//! to its column, so the checked value and the loaded value can never
//! disagree. Every problem is collected (capped per rule, see
//! [`Problems`]); the frame is returned only if there were none.

use std::path::Path;

use polars::prelude::*;

use super::oracle_builder::Builder;
use super::{not_csv, ColumnRule, Table};
use crate::error::{Error, ErrorKind, Result};
use crate::source::cell::{self, Parsed};
use crate::source::problems::{Problems, Rule};

/// Reads `bytes` (the contents of `file`) as a comma-separated file with a
/// header row, keeping the declared `columns`. `absent(i, header)` makes the
/// error for declared column `i` missing from the header. Returns every
/// problem found, or the table.
#[cfg_attr(not(feature = "reader-oracle"), allow(dead_code))]
pub(super) fn read(
    bytes: &[u8],
    file: &Path,
    columns: &[ColumnRule],
    absent: &dyn Fn(usize, &[&str]) -> Error,
) -> Result<Table> {
    // Threads pay off from about a megabyte a part.
    const MIN_PART: usize = 1 << 20;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    read_in_parts(
        bytes,
        file,
        columns,
        absent,
        threads.min(bytes.len() / MIN_PART),
    )
}

/// [`read`], in up to `n` parts read in parallel (see [`parts`]): the same
/// table, or the same problems, as one pass.
pub(super) fn read_in_parts(
    bytes: &[u8],
    file: &Path,
    columns: &[ColumnRule],
    absent: &dyn Fn(usize, &[&str]) -> Error,
    n: usize,
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
    let parts = parts(bytes, n);
    let mut reader = csv_reader(&bytes[..parts[0].end]);
    let mut record = ::csv::ByteRecord::new();
    let mut first = Part::new(file, columns, bytes, &parts[0]);
    if !next_record(&mut reader, &mut record, file)? {
        return Err(Error::new(ErrorKind::Data, "the file is empty")
            .in_file(file)
            .with_hint("a CSV source needs a header row naming its columns"));
    }
    let header = Header::read((&record, bytes), file, columns, absent)?;
    first.last = record.position().map(|p| (p.byte(), p.line()));
    // The records start where the header's reader stopped.
    let after = reader.position();
    let start = after.byte() as usize;
    let line = 1 + line_breaks(bytes, start);
    // The other parts are read on their own threads while this one reads
    // the first; see [`parts`] for why each starts exactly at a record.
    let read = std::thread::scope(|scope| {
        let others: Vec<_> = parts[1..]
            .iter()
            .map(|range| {
                let header = &header;
                scope.spawn(move || {
                    // Its lines start that many line breaks later.
                    let lines_before = line_breaks(bytes, range.start);
                    let mut part = Part::new(file, columns, bytes, range);
                    part.read((0, lines_before + 1), header, columns)?;
                    Ok(part)
                })
            })
            .collect();
        first.read((start, line), &header, columns)?;
        let mut done = vec![first];
        for other in others {
            done.push(
                other
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))?,
            );
        }
        Ok::<_, Error>(done)
    })?;
    finish(read, bytes, file)
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

/// The line breaks in `bytes[..end]` as an editor counts them: each `\n`,
/// and each `\r` not followed by one (a file saved as "CSV (Macintosh)"
/// ends its lines with `\r` alone).
fn line_breaks(bytes: &[u8], end: usize) -> u64 {
    let lf = memchr::memchr_iter(b'\n', &bytes[..end]).count();
    let cr = memchr::memchr_iter(b'\r', &bytes[..end]);
    let lone = cr.filter(|&i| bytes.get(i + 1) != Some(&b'\n')).count();
    (lf + lone) as u64
}

fn csv_reader(bytes: &[u8]) -> ::csv::Reader<&[u8]> {
    ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
}

/// One part of the file, read: its typed columns, lines and problems.
struct Part<'a> {
    builders: Vec<Builder>,
    lines: Vec<u32>,
    problems: Problems,
    /// The part's bytes and where they start in the file.
    range: std::ops::Range<usize>,
    /// The file (for the unclosed-quote check on the last record).
    file: &'a Path,
    /// Where the part's last record starts in the file: (byte, line).
    last: Option<(u64, u64)>,
    /// The whole file, to place a bad cell at its line and column.
    bytes: &'a [u8],
}

impl<'a> Part<'a> {
    fn new(
        file: &'a Path,
        columns: &[ColumnRule],
        bytes: &'a [u8],
        range: &std::ops::Range<usize>,
    ) -> Part<'a> {
        // Rows are about one per line: sized once, not grown by copying.
        let rows = memchr::memchr_iter(b'\n', &bytes[range.clone()]).count();
        Part {
            builders: columns.iter().map(|c| Builder::new(c, rows)).collect(),
            lines: Vec::with_capacity(rows),
            problems: Problems::new(file, columns),
            range: range.clone(),
            file,
            last: None,
            bytes,
        }
    }

    /// Reads, checks and loads every record of the part from `(byte,
    /// line)`: the byte within the part where its first record starts and
    /// that byte's line in the file.
    fn read(&mut self, from: (usize, u64), header: &Header, columns: &[ColumnRule]) -> Result<()> {
        let (bytes, offset, file) = (self.bytes, self.range.start, self.file);
        each_record(&bytes[self.range.clone()], from, |record, line, at| {
            let start = offset + at;
            self.last = Some((start as u64, line));
            let line = u32::try_from(line).map_err(|_| too_many_lines(file))?;
            self.record(record, (line, start), header, columns);
            self.lines.push(line);
            Ok(())
        })
    }

    /// Checks one record and loads its cells.
    fn record(
        &mut self,
        record: &Record,
        (line, start): (u32, usize),
        header: &Header,
        columns: &[ColumnRule],
    ) {
        let problems = &mut self.problems;
        if let Some((text, ascii)) = check_record(record, line, header, problems) {
            let cells = Cells {
                text,
                bounds: record.bounds,
                line,
                ascii,
                raw: (self.bytes, start),
            };
            read_cells(&cells, header, columns, &mut self.builders, problems);
        }
    }
}

/// Calls `each` with every record of `part` from `(byte, line)` (see
/// [`Part::read`]), its line and its first byte in `part`.
fn each_record(
    part: &[u8],
    (mut at, mut line): (usize, u64),
    mut each: impl FnMut(&Record, u64, usize) -> Result<()>,
) -> Result<()> {
    let mut splitter = Splitter::new();
    while at < part.len() {
        // Blank lines are not records (as the `csv` crate reads them).
        match part[at] {
            b'\n' => line += 1,
            b'\r' => line += u64::from(part.get(at + 1) != Some(&b'\n')),
            _ => {
                let record = splitter.next(&part[at..]);
                each(&record, line, at)?;
                line += record.lines;
                at += record.len;
                continue;
            }
        }
        at += 1;
    }
    Ok(())
}

/// One record, split into fields: `text[bounds[i].0..bounds[i].1]` is field
/// `i`'s value (quotes removed); `len` bytes and `lines` line breaks read.
struct Record<'a> {
    text: &'a [u8],
    bounds: &'a [(usize, usize)],
    len: usize,
    lines: u64,
}

/// Splits records. A line with no `"` and no `\r` (but a last one before
/// its `\n`) is one record whose fields lie between its commas: they are
/// taken straight from the file's bytes. Any other record is read by
/// `csv_core`, the parser the `csv` crate runs (same dialect: `,`, `"`
/// quoting with `""` inside, `\r`, `\n` or `\r\n` ending a record), into a
/// buffer. Most extracts take the first road for every line: reading is
/// then a search for line breaks and commas, with no copy.
struct Splitter {
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    bounds: Vec<(usize, usize)>,
}

impl Splitter {
    fn new() -> Splitter {
        let mut core = csv_core::Reader::new();
        // A fresh parser strips a byte-order mark from its first record;
        // past the header, one is part of the value (as one pass reads
        // it). A blank line is read first: it is no record, and the parser
        // is then no longer fresh.
        let _ = core.read_record(b"\n", &mut [], &mut []);
        Splitter {
            core,
            out: vec![0; 1 << 12],
            ends: vec![0; 64],
            bounds: Vec::new(),
        }
    }

    /// The record that starts `rest` (which does not start with a line
    /// break).
    fn next<'s, 'b: 's>(&'s mut self, rest: &'b [u8]) -> Record<'s> {
        // One pass to the line break, noting the commas and whether the
        // line is plain (fields are short: a byte loop beats a search per
        // comma).
        self.bounds.clear();
        let (mut from, mut plain, mut eol) = (0, true, None);
        for (i, &b) in rest.iter().enumerate() {
            match b {
                b',' => {
                    self.bounds.push((from, i));
                    from = i + 1;
                }
                b'\n' => {
                    eol = Some(i);
                    break;
                }
                b'"' => plain = false,
                b'\r' => plain &= rest.get(i + 1).is_none_or(|&n| n == b'\n'),
                _ => {}
            }
        }
        if plain {
            let body = &rest[..eol.unwrap_or(rest.len())];
            let text = body.strip_suffix(b"\r").unwrap_or(body);
            self.bounds.push((from, text.len()));
            return Record {
                text,
                bounds: &self.bounds,
                len: eol.map_or(rest.len(), |i| i + 1),
                lines: u64::from(eol.is_some()),
            };
        }
        let (len, out) = self.parse(rest);
        Record {
            text: &self.out[..out],
            bounds: &self.bounds,
            len,
            lines: line_breaks(rest, len),
        }
    }

    /// Parses the record at the start of `rest` with `csv_core`: the bytes
    /// it took (up to its terminator), and its text's length in `out`.
    fn parse(&mut self, rest: &[u8]) -> (usize, usize) {
        use csv_core::ReadRecordResult as R;
        let (mut taken, mut out, mut ends) = (0, 0, 0);
        loop {
            let (result, i, o, e) =
                self.core
                    .read_record(&rest[taken..], &mut self.out[out..], &mut self.ends[ends..]);
            (taken, out, ends) = (taken + i, out + o, ends + e);
            match result {
                // At the end of the part (an empty input is the end of
                // input): the record ends there.
                R::InputEmpty if i == 0 && taken == rest.len() => {}
                R::InputEmpty => continue,
                R::OutputFull => {
                    let n = self.out.len() * 2;
                    self.out.resize(n, 0);
                    continue;
                }
                R::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                    continue;
                }
                R::Record | R::End => {}
            }
            break;
        }
        self.bounds.clear();
        let mut from = 0;
        for &end in &self.ends[..ends] {
            self.bounds.push((from, end));
            from = end;
        }
        (taken, out)
    }
}

fn too_many_lines(file: &Path) -> Error {
    Error::new(
        ErrorKind::Data,
        "the file has more than 4,294,967,295 lines",
    )
    .in_file(file)
    .with_hint("split the file; one source reads at most 4,294,967,295 lines")
}

/// Joins the parts (in file order) into one table, or every problem.
fn finish(parts: Vec<Part>, bytes: &[u8], file: &Path) -> Result<Table> {
    let mut parts = parts.into_iter();
    let mut first = parts.next().expect("at least one part");
    let mut last = first.last;
    let mut builders = vec![(std::mem::take(&mut first.builders), first.lines.len())];
    for part in parts {
        if part.last.is_some() {
            last = part.last;
        }
        first.problems.merge(part.problems);
        first.lines.extend_from_slice(&part.lines);
        builders.push((part.builders, part.lines.len()));
    }
    let mut problems = first.problems;
    if let Some((_, line)) = last.filter(|(b, _)| unclosed_quote(&bytes[*b as usize..])) {
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        problems.add(Rule::UnclosedQuote, None, line, || {
            "a quoted value on this line is never closed, so it runs to the end of the file"
                .to_string()
        });
    }
    problems.finish()?;
    let lines = first.lines;
    let internal = |e: PolarsError| {
        Error::new(
            ErrorKind::Internal,
            format!(
                "the checked columns do not line up: {}",
                crate::source::first_line(&e)
            ),
        )
        .in_file(file)
    };
    let mut frames = builders.into_iter().map(|(part, height)| {
        DataFrame::new(height, part.into_iter().map(Builder::finish).collect())
    });
    let mut frame = frames
        .next()
        .expect("at least one part")
        .map_err(internal)?;
    for df in frames {
        // Appends the part's chunks; nothing is copied.
        let df = df.map_err(internal)?;
        if frame.width() == 0 {
            frame = DataFrame::new(frame.height() + df.height(), Vec::new()).map_err(internal)?;
        } else {
            frame.vstack_mut_owned(df).map_err(internal)?;
        }
    }
    Ok(Table::new(frame, lines.into()))
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
        let line = line_of(record, bytes, file)?;
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

/// The physical line the header starts on. The `csv` crate's position is
/// where the last record ended (here: the file's start), so the line is
/// counted from the record's first byte, past any blank lines.
fn line_of(record: &::csv::ByteRecord, bytes: &[u8], file: &Path) -> Result<u32> {
    let mut at = record.position().map_or(0, |p| p.byte() as usize);
    while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
        at += 1;
    }
    let line = 1 + line_breaks(bytes, at.min(bytes.len()));
    u32::try_from(line).map_err(|_| too_many_lines(file))
}

/// Checks a record's shape (field count, UTF-8); `Some((its text, all
/// ASCII))` if its cells can be read.
fn check_record<'r>(
    record: &Record<'r>,
    line: u32,
    header: &Header,
    problems: &mut Problems,
) -> Option<(&'r str, bool)> {
    let found = record.bounds.len();
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
        return None;
    }
    // One UTF-8 check for the whole record: fields join at ASCII commas
    // (or end to end), so the text is UTF-8 exactly when every field is.
    // Most extracts are plain ASCII, which also settles non-characters
    // (never ASCII) for all its cells.
    let Ok(text) = std::str::from_utf8(record.text) else {
        problems.add(Rule::NotUtf8, None, line, || {
            "this line is not valid UTF-8".to_string()
        });
        return None;
    };
    Some((text, text.is_ascii()))
}

/// A well-shaped record: its fields, line, and whether it is all ASCII.
struct Cells<'a> {
    /// The record's text; field `i` is `text[bounds[i].0..bounds[i].1]`.
    text: &'a str,
    bounds: &'a [(usize, usize)],
    line: u32,
    ascii: bool,
    /// The file and where the record starts in it.
    raw: (&'a [u8], usize),
}

impl Cells<'_> {
    /// Field `j`'s value.
    fn get(&self, j: usize) -> Option<&str> {
        self.bounds.get(j).and_then(|&(a, b)| self.text.get(a..b))
    }

    /// Where field `field` starts as an editor shows it: (line, column),
    /// both 1-based; the column counts characters. A quoted value holding
    /// line breaks moves the fields after it to later lines. Placed by the
    /// reader's own [`super::locate::place`] (4 December: this copy toggled
    /// "quoted" at every `"`, so a `"` inside an unquoted value sent it past
    /// the record's end, to a later line).
    fn place(&self, field: usize) -> (u32, u32) {
        let (bytes, start) = self.raw;
        super::locate::place(bytes, start, self.line, field)
    }
}

/// Parses each declared cell of a well-shaped record into its column.
fn read_cells(
    cells: &Cells,
    header: &Header,
    columns: &[ColumnRule],
    builders: &mut [Builder],
    problems: &mut Problems,
) {
    for (i, rule) in columns.iter().enumerate() {
        let Some(text) = header.index[i].and_then(|j| cells.get(j)) else {
            continue;
        };
        let checked = if cells.ascii {
            Ok(())
        } else {
            crate::text::check_text(text)
        };
        let place = || cells.place(header.index[i].unwrap_or(0));
        if let Err(why) = checked {
            problems.add_cell(Rule::NotText, i, place, || format!("the cell holds {why}"));
            continue;
        }
        match cell::parse(text, rule) {
            Parsed::Value(v) => builders[i].push(Some(v)),
            Parsed::Null => builders[i].push(None),
            Parsed::MissingButRequired => {
                problems.add_cell(Rule::Missing, i, place, || cell::missing_message(text))
            }
            Parsed::NotA => {
                problems.add_cell(Rule::Type, i, place, || cell::type_message(text, rule.ty))
            }
        }
    }
}
