//! One part of a file, read: records split, checked and typed a batch at
//! a time. The splitter fills a batch with the declared cells' byte
//! offsets; then each column types its cells of the batch in one tight
//! loop (one type, one sink), so the per-cell work is a parse and a push.
//!
//! With a [`KeepRows`] filter, the period column's cells of the batch are
//! read first into the batch's keep mask; then every column types every
//! cell as before (each bad one reported), but pushes only the kept rows'.

use std::ops::Range;
use std::path::Path;

use super::split::{Record, Splitter};
use super::{locate, ColumnRule, Header};
use crate::error::Result;
use crate::source::cell;
use crate::source::columns::{Column, Sink};
use crate::source::keep::{Extent, KeepRows};
use crate::source::problems::{Problems, Rule};
use crate::spec::ColumnType;

/// Records typed together: enough to amortise the switch between
/// columns, few enough that their offsets stay in the cache.
const BATCH: usize = 1024;

/// One part of the file, read: its typed columns, lines and problems.
pub(super) struct Part {
    pub(super) columns: Vec<Column>,
    /// The kept records' lines.
    pub(super) lines: Vec<u32>,
    pub(super) problems: Problems,
    /// Where the part's last record starts in `bytes`: (byte, line).
    pub(super) last: Option<(u64, u64)>,
    /// Where the part stopped in `bytes`: (byte, line). Its end, unless
    /// more of the file follows and its last record may go on there.
    pub(super) stop: (usize, u64),
    /// How many records were read (kept or not).
    pub(super) read: usize,
    /// The period column's extent over every record read (with a filter).
    pub(super) extent: Extent,
}

/// What the part's reader shares with its batches.
pub(super) struct Context<'a> {
    /// The bytes read (the whole file, or a block of it), to place a bad
    /// cell at its line and column.
    pub(super) bytes: &'a [u8],
    /// Whether more of the file follows `bytes` (see [`read`]).
    pub(super) more: bool,
    pub(super) file: &'a Path,
    pub(super) header: &'a Header,
    pub(super) columns: &'a [ColumnRule],
    /// The rows to keep, if not all.
    pub(super) keep: Option<Keep<'a>>,
}

/// A [`KeepRows`] filter on declared column `index`.
#[derive(Clone, Copy)]
pub(super) struct Keep<'a> {
    index: usize,
    ty: ColumnType,
    missing: &'a [String],
    rows: &'a KeepRows,
}

impl<'a> Keep<'a> {
    /// `keep` on its column among `columns` (none if it is not declared:
    /// the spec check makes sure it is).
    pub(super) fn of(columns: &'a [ColumnRule], keep: Option<&'a KeepRows>) -> Option<Keep<'a>> {
        let rows = keep?;
        let index = columns.iter().position(|c| c.name == rows.column)?;
        Some(Keep {
            index,
            ty: columns[index].ty,
            missing: &columns[index].missing,
            rows,
        })
    }

    /// Whether a row whose period cell holds `text` is kept, widening
    /// `extent` by its value. A cell that is missing or not a date is
    /// kept: it is reported (or null) as without a filter.
    #[inline]
    fn keeps(&self, text: &str, extent: &mut Extent) -> bool {
        if self.missing.iter().any(|m| m == text) {
            return true;
        }
        match self.ty {
            ColumnType::Date => cell::parse_date(text).is_none_or(|d| {
                extent.see(i64::from(d));
                self.rows.keeps_day(d)
            }),
            ColumnType::Datetime => cell::parse_datetime(text).is_none_or(|us| {
                extent.see(us);
                self.rows.keeps_micros(us)
            }),
            _ => true,
        }
    }
}

/// A well-shaped record in the batch.
#[derive(Clone, Copy)]
struct Row {
    /// Its first byte in the file.
    start: usize,
    line: u32,
    /// Whether its cells are in the batch's `side` buffer (a record with
    /// quotes), not in the part's bytes.
    side: bool,
    /// Whether it is all ASCII (else each cell is checked for
    /// non-characters).
    ascii: bool,
}

/// Up to [`BATCH`] well-shaped records: the declared cells' offsets,
/// `cells[r * columns + i]` for declared column `i` of row `r`.
struct Batch {
    rows: Vec<Row>,
    cells: Vec<(usize, usize)>,
    side: Vec<u8>,
    width: usize,
    /// Whether each row is kept (with a filter).
    keep: Vec<bool>,
}

impl Batch {
    /// Adds a record whose text is valid UTF-8; `at` is its first byte in
    /// the part, whose first byte is `offset` in the file.
    fn push(
        &mut self,
        record: &Record,
        (at, offset): (usize, usize),
        line: u32,
        ascii: bool,
        header: &Header,
    ) {
        let base = if record.plain {
            at
        } else {
            let base = self.side.len();
            self.side.extend_from_slice(record.text);
            base
        };
        for j in &header.index {
            let (a, b) = j.map_or((0, 0), |j| record.bounds[j]);
            self.cells.push((base + a, base + b));
        }
        self.rows.push(Row {
            start: offset + at,
            line,
            side: !record.plain,
            ascii,
        });
    }

    /// Declared column `i`'s cell of row `r`; `part` is the part's bytes.
    #[inline]
    fn cell<'s>(&'s self, part: &'s [u8], r: usize, i: usize) -> &'s str {
        let (a, b) = self.cells[r * self.width + i];
        let text = if self.rows[r].side { &self.side } else { part };
        // SAFETY: the record was checked to be UTF-8 (the whole part, or
        // this record), and its fields split at ASCII commas.
        unsafe { std::str::from_utf8_unchecked(&text[a..b]) }
    }

    fn clear(&mut self) {
        self.rows.clear();
        self.cells.clear();
        self.side.clear();
    }
}

/// Reads, checks and types every record of the file's bytes `range` from
/// `(byte, line)`: the byte within the part where its first record
/// starts and that byte's line in the file.
pub(super) fn read(cx: &Context, range: Range<usize>, from: (usize, u64)) -> Result<Part> {
    let text = &cx.bytes[range.clone()];
    // Rows are about one per line: sized once, not grown by copying.
    let rows = memchr::memchr_iter(b'\n', text).count();
    let mut part = Part {
        columns: cx.columns.iter().map(|c| Column::new(c, rows)).collect(),
        lines: Vec::with_capacity(rows),
        problems: Problems::new(cx.file, cx.columns),
        last: None,
        stop: (range.end, 0),
        read: 0,
        extent: Extent::default(),
    };
    // A record (or a `\r`) that reaches the end of `bytes` may go on in
    // the next block: the part stops before it.
    let open_end = cx.more && range.end == cx.bytes.len();
    // Most files are ASCII: then every record is UTF-8 and holds no
    // non-character, settled here once.
    let ascii = text[from.0.min(text.len())..].is_ascii();
    let mut batch = Batch {
        rows: Vec::with_capacity(BATCH),
        cells: Vec::with_capacity(BATCH * cx.columns.len()),
        side: Vec::new(),
        width: cx.columns.len(),
        keep: Vec::with_capacity(BATCH),
    };
    let (mut at, mut line) = from;
    let mut splitter = Splitter::new();
    while at < text.len() {
        // Blank lines are not records (as the `csv` crate reads them).
        match text[at] {
            b'\n' => line += 1,
            b'\r' if open_end && at + 1 == text.len() => break,
            b'\r' => line += u64::from(text.get(at + 1) != Some(&b'\n')),
            _ => {
                let record = splitter.next(&text[at..]);
                if open_end && at + record.len >= text.len() {
                    break;
                }
                part.last = Some(((range.start + at) as u64, line));
                let line32 = u32::try_from(line).map_err(|_| locate::too_many_lines(cx.file))?;
                part.read += 1;
                if let Some(ascii) =
                    check_record(&record, line32, ascii, cx.header, &mut part.problems)
                {
                    batch.push(&record, (at, range.start), line32, ascii, cx.header);
                    if batch.rows.len() == BATCH {
                        type_batch(cx, text, &mut batch, &mut part);
                        batch.clear();
                    }
                }
                line += record.lines;
                at += record.len;
                continue;
            }
        }
        at += 1;
    }
    type_batch(cx, text, &mut batch, &mut part);
    part.stop = (range.start + at, line);
    Ok(part)
}

/// Checks a record's shape (field count, UTF-8 unless the part is
/// ASCII); `Some(whether it is all ASCII)` if its cells can be read.
fn check_record(
    record: &Record,
    line: u32,
    ascii: bool,
    header: &Header,
    problems: &mut Problems,
) -> Option<bool> {
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
    if ascii {
        return Some(true);
    }
    // One UTF-8 check for the whole record: fields join at ASCII commas
    // (or end to end), so the text is UTF-8 exactly when every field is.
    let Ok(text) = std::str::from_utf8(record.text) else {
        problems.add(Rule::NotUtf8, None, line, || {
            "this line is not valid UTF-8".to_string()
        });
        return None;
    };
    Some(text.is_ascii())
}

/// Types every declared column's cells of `batch`, keeping the rows
/// the filter keeps (all, without one).
fn type_batch(cx: &Context, part: &[u8], batch: &mut Batch, out: &mut Part) {
    let filtered = keep_mask(cx, part, batch, out);
    let batch = &*batch;
    let keep = filtered.then_some(&batch.keep[..]);
    for (i, column) in out.columns.iter_mut().enumerate() {
        let problems = &mut out.problems;
        let at = (part, batch, keep);
        match column {
            Column::Str(c) => fill(c, cx, at, i, problems),
            Column::Int(c) => fill(c, cx, at, i, problems),
            Column::Float(c) => fill(c, cx, at, i, problems),
            Column::Bool(c) => fill(c, cx, at, i, problems),
            Column::Date(c) => fill(c, cx, at, i, problems),
            Column::Datetime(c) => fill(c, cx, at, i, problems),
        }
    }
}

/// Marks the rows of `batch` the filter keeps in `batch.keep` (`false`:
/// no filter, every row kept) and adds their lines to `out`: a first pass
/// over the period column's cells.
fn keep_mask(cx: &Context, part: &[u8], batch: &mut Batch, out: &mut Part) -> bool {
    let Some(k) = cx.keep.filter(|k| cx.header.index[k.index].is_some()) else {
        out.lines.extend(batch.rows.iter().map(|row| row.line));
        return false;
    };
    batch.keep.clear();
    for r in 0..batch.rows.len() {
        let kept = k.keeps(batch.cell(part, r, k.index), &mut out.extent);
        batch.keep.push(kept);
    }
    let kept = batch.rows.iter().zip(&batch.keep).filter(|(_, &k)| k);
    out.lines.extend(kept.map(|(row, _)| row.line));
    true
}

/// Types declared column `i`'s cells of the batch into `sink`: a cell
/// that is missing becomes a null (or a problem in a required column), any
/// other must be a value of the column's type. A row `keep` does not keep
/// is checked the same way, but nothing of it is pushed.
fn fill<S: Sink>(
    sink: &mut S,
    cx: &Context,
    (part, batch, keep): (&[u8], &Batch, Option<&[bool]>),
    i: usize,
    problems: &mut Problems,
) {
    let rule = &cx.columns[i];
    let Some(field) = cx.header.index[i] else {
        return;
    };
    for (r, row) in batch.rows.iter().enumerate() {
        let text = batch.cell(part, r, i);
        let place = || locate::place(cx.bytes, row.start, row.line, field);
        if !row.ascii {
            if let Err(why) = crate::text::check_text(text) {
                problems.add_cell(Rule::NotText, i, place, || format!("the cell holds {why}"));
                continue;
            }
        }
        let kept = keep.is_none_or(|k| k[r]);
        if rule.missing.iter().any(|m| m == text) {
            if !rule.nullable {
                problems.add_cell(Rule::Missing, i, place, || cell::missing_message(text));
            } else if kept {
                sink.null();
            }
            continue;
        }
        let typed = if kept {
            sink.value(text)
        } else {
            S::valid(text)
        };
        if !typed {
            problems.add_cell(Rule::Type, i, place, || cell::type_message(text, rule.ty));
        }
    }
}
