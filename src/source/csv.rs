//! The CSV reader: one validating pass over a file's bytes that builds the
//! typed columns as it goes.
//!
//! The header is read with the `csv` crate; the records by [`Splitter`]: a
//! plain line (no `"`, no stray `\r`) is split at its commas in place, any
//! other record is parsed by `csv_core` (the `csv` crate's own parser, same
//! dialect). Each record's line is counted from its first byte, so every
//! problem names the line an editor shows (header = line 1; after quoted
//! line breaks, blank lines, and with `\r\n` or `\r`-only endings too). The same pass parses
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

/// A CSV file read into typed columns.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// The declared columns, in the order given, one row per record.
    pub frame: DataFrame,
    /// The physical line each frame row starts on (header = line 1).
    pub lines: Arc<[u32]>,
}

/// Reads `bytes` (the contents of `file`) as a comma-separated file with a
/// header row, keeping the declared `columns`. `absent(i, header)` makes the
/// error for declared column `i` missing from the header. Returns every
/// problem found, or the table.
pub(crate) fn read(
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
fn read_in_parts(
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
                super::first_line(&e)
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
    Ok(Table {
        frame,
        lines: lines.into(),
    })
}

/// What the bytes look like if they are clearly not a CSV text file: a
/// Parquet, Excel/ZIP, gzip or other binary file (a NUL byte never occurs in
/// text), or UTF-16 text. The bytes themselves are never shown.
pub(crate) fn not_csv(bytes: &[u8]) -> Option<&'static str> {
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
    /// line breaks moves the fields after it to later lines.
    fn place(&self, field: usize) -> (u32, u32) {
        let (bytes, start) = self.raw;
        let (mut line, mut line_start, mut at) = (self.line, start, 0);
        let mut quoted = false;
        let mut i = start;
        while at < field && i < bytes.len() {
            match bytes[i] {
                b'"' => quoted = !quoted,
                b',' if !quoted => at += 1,
                b'\n' if quoted => {
                    line += 1;
                    line_start = i + 1;
                }
                b'\r' if quoted && bytes.get(i + 1) != Some(&b'\n') => {
                    line += 1;
                    line_start = i + 1;
                }
                b'\n' => break,
                _ => {}
            }
            i += 1;
        }
        if at < field {
            return (self.line, 1);
        }
        let col = String::from_utf8_lossy(&bytes[line_start..i])
            .chars()
            .count();
        (line, u32::try_from(col + 1).unwrap_or(u32::MAX))
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
    fn big(rows: usize, bad: usize) -> Vec<u8> {
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

    fn in_parts(text: &[u8], n: usize) -> Result<Table> {
        read_in_parts(text, Path::new("d.csv"), &cols(), &absent, n)
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
            Ok(())
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
}
