//! The Excel reader (calamine): `.xlsx`/`.xlsm` streamed cell by cell,
//! `.xls` and `.ods` through calamine's sheet range.
//!
//! `sheet` picks the sheet (default: the first); `range = "A1:J50000"`
//! limits the cells read, and its first row is the header (without it, the
//! first row holding anything). Each declared column is found by its
//! header and every cell below it is checked by the same rules as a CSV
//! cell ([`super::cell`]), with Excel's own types taken as they are:
//! - a date cell is a `date` (a time of day other than midnight is an
//!   error); a text cell like `2019-04-01` is also a `date`;
//! - a number cell is an `int` when it is whole (Excel stores every number
//!   as a float), else an error; any number is a `float`;
//! - a `TRUE`/`FALSE` cell is a `bool`;
//! - in a `string` column, numbers read as Excel shows them in General
//!   format (`42`, `3.5`), dates as `2019-04-01`, booleans as `true`/`false`;
//! - an empty cell is the empty text, so the `missing` rules apply as in
//!   CSV; an error cell (`#N/A`) is always an error.
//!
//! Rows with no value in any cell are skipped, as CSV skips blank lines.
//! Problems are located as Excel shows them: `Victims!C1234`.
//!
//! Before any cell is stored, the sheet's declared size (its `dimension`,
//! cut to `range`) is checked against `[limits] sheet_cells`, so a sheet
//! claiming 1,048,576 × 16,384 cells fails at once instead of exhausting
//! memory. (`.xls`/`.ods` files have no cheap declared size: the check
//! runs on the range calamine reads.)

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, DataRef, Reader};

use super::cell::{self, Parsed, Value};
use super::columns::Column;
use super::csv::{ColumnRule, Table};
use super::problems::{column_letters, Place, Problems, Rule};
use super::Request;
use crate::error::{suggest, Error, ErrorKind, Result};
use crate::format::format_number;
use crate::spec::ColumnType;

/// Reads workbook `bytes` against the declared columns of `r`.
pub(crate) fn read(bytes: &[u8], r: &Request) -> Result<Table> {
    let ext = r
        .file
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let area = Area::of(r)?;
    let limit = r.spec.limits.sheet_cells;
    let cursor = Cursor::new(bytes);
    match ext.as_str() {
        "xls" => {
            let wb = calamine::open_workbook_from_rs::<calamine::Xls<_>, _>(cursor);
            read_range(wb.map_err(|e| damaged(r, &e))?, area, limit, r)
        }
        "ods" => {
            let wb = calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(cursor);
            read_range(wb.map_err(|e| damaged(r, &e))?, area, limit, r)
        }
        _ => {
            // calamine reads the whole shared-string table on opening.
            shared_strings(bytes, limit, r)?;
            let mut wb = calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(cursor)
                .map_err(|e| damaged(r, &e))?;
            let sheet = pick_sheet(&wb.sheet_names(), r)?;
            let mut cells = wb
                .worksheet_cells_reader(&sheet)
                .map_err(|e| damaged(r, &e))?;
            let dims = cells.dimensions();
            let declared = Area {
                first: (dims.start.0, dims.start.1),
                last: (dims.end.0, dims.end.1),
            };
            guard(&declared.within(area), limit, &sheet, r)?;
            let mut rows = Rows::new(area, &sheet, r);
            let mut order = Order::default();
            while let Some(c) = cells.next_cell().map_err(|e| damaged(r, &e))? {
                let (row, col) = c.get_position();
                order.check(row, col, limit, &sheet, r)?;
                rows.add(row, col, XCell::from_ref(c.get_value()))?;
            }
            rows.finish()
        }
    }
}

/// The most bytes the shared-string scan unpacks: whatever the zip header
/// claims, a bigger part is refused rather than inflated.
const MAX_PART_BYTES: u64 = 512 << 20;

/// Counts the shared-string table's entries (`<si>`) in one streaming pass
/// before calamine reads them all into memory (150 M strings once took
/// 8 GB): more entries than `[limits] sheet_cells` cannot all be used by a
/// sheet inside the limit, and are refused.
fn shared_strings(bytes: &[u8], limit: u64, r: &Request) -> Result<()> {
    use std::io::{BufReader, Read};
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // calamine says what is wrong with the package
    };
    let name = zip
        .file_names()
        .find(|n| n.eq_ignore_ascii_case("xl/sharedStrings.xml"))
        .map(str::to_string);
    let Some(name) = name else { return Ok(()) };
    let Ok(part) = zip.by_name(&name) else {
        return Ok(());
    };
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(part.take(MAX_PART_BYTES + 1)));
    let (mut count, mut buf) = (0u64, Vec::new());
    let refuse = |message: String, hint: &str| {
        Err(Error::new(ErrorKind::Data, message)
            .in_file(r.file)
            .with_hint(hint))
    };
    loop {
        match xml.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e))
                if e.local_name().as_ref() == b"si" =>
            {
                count += 1;
                if count > limit {
                    return refuse(format!(
                        "the workbook's shared-string table holds more than {} texts: more than a sheet within the limit of {} cells (`limits.sheet_cells`) can use",
                        format_number(limit as f64, 0),
                        format_number(limit as f64, 0)
                    ), "save only the sheet that holds the data in a new workbook, or raise `sheet_cells` in `[limits]`");
                }
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
        buf.clear();
    }
    if xml.buffer_position() > MAX_PART_BYTES {
        return refuse(
            format!(
                "the workbook's shared-string table is more than {} MB unpacked",
                MAX_PART_BYTES >> 20
            ),
            "save only the sheet that holds the data in a new workbook",
        );
    }
    Ok(())
}

/// The order of the cells as the sheet lists them: each row once, rows
/// in order (a row listed twice was counted twice), and no more cells
/// than `[limits] sheet_cells` even where the sheet declares no size.
#[derive(Default)]
struct Order {
    last: Option<(u32, u32)>,
    count: u64,
}

impl Order {
    fn check(&mut self, row: u32, col: u32, limit: u64, sheet: &str, r: &Request) -> Result<()> {
        self.count += 1;
        let refuse = |message: String, hint: &str| {
            Err(Error::new(ErrorKind::Data, message)
                .in_file(r.file)
                .with_hint(hint))
        };
        if self.count > limit {
            return refuse(
                format!("sheet `{sheet}` holds more than {} cells, the limit (`limits.sheet_cells`), though it declares no larger size", format_number(limit as f64, 0)),
                "give the cells that hold the data, like `range = \"A1:J50000\"`, or raise `sheet_cells` in `[limits]`",
            );
        }
        let at = format!("{sheet}!{}{}", column_letters(col), u64::from(row) + 1);
        let fix =
            "the file was not written by Excel or was damaged: open it in Excel and save it again";
        match self.last {
            Some((lr, _)) if row < lr => {
                return refuse(format!("row {} of sheet `{sheet}` comes after row {} (at `{at}`): rows must be in order", u64::from(row) + 1, u64::from(lr) + 1), fix);
            }
            Some((lr, lc)) if row == lr && col <= lc => {
                return refuse(
                    format!(
                        "row {} of sheet `{sheet}` is listed twice (cell `{at}` again)",
                        u64::from(row) + 1
                    ),
                    fix,
                );
            }
            _ => {}
        }
        self.last = Some((row, col));
        Ok(())
    }
}

/// `.xls`/`.ods`: calamine reads the sheet's range; its cells are then
/// checked like a stream.
fn read_range<RS, R>(mut wb: R, area: Option<Area>, limit: u64, r: &Request) -> Result<Table>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let sheet = pick_sheet(&wb.sheet_names(), r)?;
    let range = wb.worksheet_range(&sheet).map_err(|e| damaged(r, &e))?;
    if let (Some(start), Some(end)) = (range.start(), range.end()) {
        let held = Area {
            first: start,
            last: end,
        };
        guard(&held.within(area), limit, &sheet, r)?;
    }
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut rows = Rows::new(area, &sheet, r);
    for (row, col, value) in range.used_cells() {
        let (row, col) = (r0 + row as u32, c0 + col as u32);
        rows.add(row, col, XCell::from_data(value))?;
    }
    rows.finish()
}

/// The sheet to read: `sheet` if given (it must exist), else the first.
fn pick_sheet(names: &[String], r: &Request) -> Result<String> {
    let Some(wanted) = &r.decl.sheet else {
        return names.first().cloned().ok_or_else(|| {
            Error::new(ErrorKind::Data, "the workbook has no sheets")
                .in_file(r.file)
                .with_hint("save the data on a sheet of the workbook")
        });
    };
    if names.contains(wanted.get_ref()) {
        return Ok(wanted.get_ref().clone());
    }
    let listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    let found: Vec<&str> = names.iter().map(String::as_str).collect();
    Err(r
        .spec
        .error_at(
            ErrorKind::Data,
            format!(
                "`{}` has no sheet `{}`; its sheets are {}",
                crate::error::display_path(r.file),
                wanted.get_ref(),
                crate::format::join_prose(&listed, "and")
            ),
            wanted.span(),
        )
        .with_hint(suggest(wanted.get_ref(), &found, "sheets in the workbook")))
}

fn damaged(r: &Request, e: &dyn std::fmt::Display) -> Error {
    Error::new(ErrorKind::Data, format!("cannot read the workbook: {e}"))
        .in_file(r.file)
        .with_hint("open the file in Excel and save it again as an Excel workbook (.xlsx)")
}

/// A rectangle of cells, 0-based (row, column), both corners included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Area {
    first: (u32, u32),
    last: (u32, u32),
}

impl Area {
    /// The declared `range`, if any; a malformed one is an error at it.
    fn of(r: &Request) -> Result<Option<Area>> {
        let Some(range) = &r.decl.range else {
            return Ok(None);
        };
        parse_range(range.get_ref()).map(Some).ok_or_else(|| {
            r.spec
                .error_at(
                    ErrorKind::Spec,
                    format!("`{}` is not a cell range", range.get_ref()),
                    range.span(),
                )
                .with_hint("write the top-left and bottom-right cells, like `range = \"A1:J50000\"`; its first row holds the column names")
        })
    }

    /// This area cut to `range`, if one is given.
    fn within(self, range: Option<Area>) -> Area {
        let Some(b) = range else { return self };
        let first = (self.first.0.max(b.first.0), self.first.1.max(b.first.1));
        let last = (self.last.0.min(b.last.0), self.last.1.min(b.last.1));
        Area { first, last }
    }

    fn cells(&self) -> u64 {
        let rows = u64::from(self.last.0.saturating_sub(self.first.0)) + 1;
        let cols = u64::from(self.last.1.saturating_sub(self.first.1)) + 1;
        if self.last.0 < self.first.0 || self.last.1 < self.first.1 {
            0
        } else {
            rows * cols
        }
    }

    fn contains(&self, row: u32, col: u32) -> bool {
        (self.first.0..=self.last.0).contains(&row) && (self.first.1..=self.last.1).contains(&col)
    }
}

/// `A1:J50000` (with or without `$`) as an area.
fn parse_range(text: &str) -> Option<Area> {
    let (a, b) = text.split_once(':')?;
    let (first, last) = (parse_cell(a)?, parse_cell(b)?);
    (first.0 <= last.0 && first.1 <= last.1).then_some(Area { first, last })
}

/// `C1234` as 0-based (row, column).
fn parse_cell(text: &str) -> Option<(u32, u32)> {
    let text: String = text.chars().filter(|&c| c != '$').collect();
    let split = text.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut col: u32 = 0;
    for b in letters.bytes() {
        if !b.is_ascii_alphabetic() {
            return None;
        }
        col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1;
    }
    let row: u32 = digits.parse().ok()?;
    ((1..=1_048_576).contains(&row) && col <= 16_384).then_some((row - 1, col - 1))
}

/// Refuses a sheet whose (declared) size exceeds `[limits] sheet_cells`.
fn guard(area: &Area, limit: u64, sheet: &str, r: &Request) -> Result<()> {
    let cells = area.cells();
    if cells <= limit {
        return Ok(());
    }
    let rows = u64::from(area.last.0 - area.first.0) + 1;
    let cols = u64::from(area.last.1 - area.first.1) + 1;
    Err(Error::new(
        ErrorKind::Data,
        format!(
            "sheet `{sheet}` declares {} rows × {} columns ({} cells), more than the limit of {}",
            format_number(rows as f64, 0),
            format_number(cols as f64, 0),
            format_number(cells as f64, 0),
            format_number(limit as f64, 0)
        ),
    )
    .in_file(r.file)
    .with_hint("give the cells that hold the data, like `range = \"A1:J50000\"`, or raise `sheet_cells` in `[limits]`"))
}

/// One cell's value, borrowed where calamine lends it.
#[derive(Debug, Clone, PartialEq)]
enum XCell<'a> {
    Empty,
    Int(i64),
    Float(f64),
    Text(Cow<'a, str>),
    Bool(bool),
    /// A date-time cell: (year, month, day) and (hour, minute, second,
    /// millisecond), all zero at midnight.
    Date((u16, u8, u8), (u8, u8, u8, u16)),
    /// An ISO 8601 date or date-time (OpenDocument).
    Iso(Cow<'a, str>),
    /// An Excel error (`#N/A`) or a duration: never a value.
    Error(String),
}

impl<'a> XCell<'a> {
    fn from_ref(v: &'a DataRef<'a>) -> XCell<'a> {
        match v {
            DataRef::Int(i) => XCell::Int(*i),
            DataRef::Float(f) => XCell::Float(*f),
            DataRef::String(s) => XCell::Text(Cow::Borrowed(s)),
            DataRef::SharedString(s) => XCell::Text(Cow::Borrowed(s)),
            DataRef::Bool(b) => XCell::Bool(*b),
            DataRef::DateTime(d) => date_time(d),
            DataRef::DateTimeIso(s) => XCell::Iso(Cow::Borrowed(s)),
            DataRef::DurationIso(s) => XCell::Error(format!("the duration {s}")),
            DataRef::Error(e) => XCell::Error(e.to_string()),
            DataRef::Empty => XCell::Empty,
        }
    }

    fn from_data(v: &'a Data) -> XCell<'a> {
        match v {
            Data::Int(i) => XCell::Int(*i),
            Data::Float(f) => XCell::Float(*f),
            Data::String(s) => XCell::Text(Cow::Borrowed(s)),
            Data::Bool(b) => XCell::Bool(*b),
            Data::DateTime(d) => date_time(d),
            Data::DateTimeIso(s) => XCell::Iso(Cow::Borrowed(s)),
            Data::DurationIso(s) => XCell::Error(format!("the duration {s}")),
            Data::Error(e) => XCell::Error(e.to_string()),
            Data::Empty => XCell::Empty,
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, XCell::Empty) || matches!(self, XCell::Text(t) if t.is_empty())
    }

    /// The cell as text: what a `string` column holds and messages show.
    fn text(&self) -> Cow<'a, str> {
        match self {
            XCell::Empty => Cow::Borrowed(""),
            XCell::Int(i) => Cow::Owned(i.to_string()),
            XCell::Float(f) => Cow::Owned(number_text(*f)),
            XCell::Text(t) => t.clone(),
            XCell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            XCell::Date((y, m, d), (0, 0, 0, 0)) => Cow::Owned(format!("{y:04}-{m:02}-{d:02}")),
            XCell::Date((y, m, d), (h, min, s, 0)) => {
                Cow::Owned(format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}"))
            }
            XCell::Date((y, m, d), (h, min, s, ms)) => Cow::Owned(format!(
                "{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}.{ms:03}"
            )),
            XCell::Iso(s) => s.clone(),
            XCell::Error(e) => Cow::Owned(e.clone()),
        }
    }

    /// The value of a cell whose own Excel type fits the column's type;
    /// `None` to fall back to the text rules (text cells) or report it.
    fn native(&self, ty: ColumnType) -> Option<Value<'static>> {
        match (self, ty) {
            (XCell::Int(i), ColumnType::Int) => Some(Value::Int(*i)),
            (XCell::Int(i), ColumnType::Float) => Some(Value::Float(*i as f64)),
            (XCell::Float(f), ColumnType::Int) => whole(*f).map(Value::Int),
            (XCell::Float(f), ColumnType::Float) => Some(Value::Float(*f)),
            (XCell::Bool(b), ColumnType::Bool) => Some(Value::Bool(*b)),
            (XCell::Date(_, (0, 0, 0, 0)), ColumnType::Date) => {
                cell::parse_date(&self.text()).map(Value::Date)
            }
            (XCell::Iso(s), ColumnType::Date) => {
                let day = s.strip_suffix("T00:00:00").unwrap_or(s);
                cell::parse_date(day).map(Value::Date)
            }
            // Any date or date-time cell: Excel stores a time of day to the
            // millisecond, which `text` shows in full.
            (XCell::Date(..) | XCell::Iso(_), ColumnType::Datetime) => {
                cell::parse_datetime(&self.text()).map(Value::Datetime)
            }
            _ => None,
        }
    }
}

fn date_time(d: &calamine::ExcelDateTime) -> XCell<'static> {
    if d.is_duration() {
        return XCell::Error(format!("a duration of {} days", d.as_f64()));
    }
    let (y, m, day, h, min, s, ms) = d.to_ymd_hms_milli();
    XCell::Date((y, m, day), (h, min, s, ms))
}

/// A float as Excel's General format shows it: whole numbers without `.0`.
fn number_text(f: f64) -> String {
    match whole(f) {
        Some(i) => i.to_string(),
        None => f.to_string(),
    }
}

/// `f` as an integer if it is whole and exactly representable.
fn whole(f: f64) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    (f.fract() == 0.0 && f.abs() <= EXACT).then_some(f as i64)
}

/// Assembles streamed cells (in row order) into the header and typed rows.
struct Rows<'r> {
    r: &'r Request<'r>,
    sheet: String,
    area: Option<Area>,
    header_row: Option<u32>,
    header: Vec<(u32, String)>,
    /// The sheet column of each declared column, once the header is read.
    at: Vec<u32>,
    problems: Option<Problems>,
    builders: Vec<Column>,
    lines: Vec<u32>,
    row: Option<u32>,
    cells: Vec<XCell<'static>>,
    filled: bool,
}

impl<'r> Rows<'r> {
    fn new(area: Option<Area>, sheet: &str, r: &'r Request<'r>) -> Rows<'r> {
        Rows {
            r,
            sheet: sheet.to_string(),
            area,
            header_row: area.map(|a| a.first.0),
            header: Vec::new(),
            at: Vec::new(),
            problems: None,
            builders: r.rules.iter().map(|rule| Column::new(rule, 0)).collect(),
            lines: Vec::new(),
            row: None,
            cells: vec![XCell::Empty; r.rules.len()],
            filled: false,
        }
    }

    /// Takes the next cell of the sheet (cells come row by row).
    fn add(&mut self, row: u32, col: u32, value: XCell) -> Result<()> {
        if self.area.is_some_and(|a| !a.contains(row, col)) {
            return Ok(());
        }
        if self.header_row.is_none() && !value.is_empty() {
            self.header_row = Some(row);
        }
        match self.header_row {
            Some(h) if row == h => {
                self.header.push((col, value.text().into_owned()));
                return Ok(());
            }
            Some(h) if row > h => {}
            _ => return Ok(()),
        }
        if self.problems.is_none() {
            self.read_header()?;
        }
        if self.row != Some(row) {
            self.flush();
            self.row = Some(row);
        }
        self.filled |= !value.is_empty();
        if let Some(i) = self.at.iter().position(|&c| c == col) {
            self.cells[i] = owned(value);
        }
        Ok(())
    }

    /// Finds each declared column in the header row; an absent or doubled
    /// name is an error (all at once).
    fn read_header(&mut self) -> Result<()> {
        let names: Vec<&str> = self.header.iter().map(|(_, n)| n.as_str()).collect();
        let mut errors = Vec::new();
        for (k, (col, name)) in self.header.iter().enumerate() {
            let first = names.iter().position(|n| *n == name.as_str()).unwrap_or(k);
            if first < k && !name.is_empty() {
                let cell =
                    |c: u32| format!("{}{}", column_letters(c), self.header_row.unwrap_or(0) + 1);
                errors.push(
                    Error::new(
                        ErrorKind::Data,
                        format!(
                            "column `{name}` appears twice in the header ({} and {})",
                            cell(self.header[first].0),
                            cell(*col)
                        ),
                    )
                    .in_file(self.r.file)
                    .at_cell(&self.sheet, &cell(*col), None)
                    .with_hint("rename one of them so every column has its own name"),
                );
            }
        }
        let mut at = Vec::with_capacity(self.r.rules.len());
        for (i, rule) in self.r.rules.iter().enumerate() {
            match self.header.iter().find(|(_, n)| *n == rule.name) {
                Some((col, _)) => at.push(*col),
                None => {
                    errors.push((self.r.absent)(i, &names));
                    at.push(u32::MAX);
                }
            }
        }
        Error::collect(errors)?;
        self.problems = Some(Problems::at(
            self.r.file,
            self.r.rules,
            Place::Sheet {
                name: self.sheet.clone(),
                columns: at.clone(),
            },
        ));
        self.at = at;
        Ok(())
    }

    /// Checks and stores the row just read (a row with nothing in it is
    /// skipped).
    fn flush(&mut self) {
        let Some(row) = self.row.take() else { return };
        let cells = std::mem::replace(&mut self.cells, vec![XCell::Empty; self.r.rules.len()]);
        if !std::mem::take(&mut self.filled) {
            return;
        }
        let line = row + 1;
        let Some(problems) = self.problems.as_mut() else {
            return;
        };
        for (i, (value, rule)) in cells.iter().zip(self.r.rules).enumerate() {
            put(value, rule, &mut self.builders[i], problems, i, line);
        }
        self.lines.push(line);
    }

    /// The table, or every problem found.
    fn finish(mut self) -> Result<Table> {
        if self.problems.is_none() {
            if self.header_row.is_none() {
                return Err(Error::new(ErrorKind::Data, format!("sheet `{}` is empty", self.sheet))
                    .in_file(self.r.file)
                    .with_hint("a sheet source needs a header row naming its columns; check `sheet` and `range`"));
            }
            self.read_header()?;
        }
        self.flush();
        if let Some(p) = self.problems.take() {
            p.finish()?;
        }
        let height = self.lines.len();
        let columns = (self.builders.into_iter().zip(self.r.rules))
            .map(|(b, rule)| b.into_polars(rule))
            .collect();
        let frame = polars::prelude::DataFrame::new(height, columns).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!(
                    "the checked columns do not line up: {}",
                    super::first_line(&e)
                ),
            )
            .in_file(self.r.file)
        })?;
        Ok(Table {
            frame,
            lines: self.lines.into(),
        })
    }
}

/// Checks one cell by its column's rules and appends it (or reports it).
fn put(
    value: &XCell,
    rule: &ColumnRule,
    b: &mut Column,
    problems: &mut Problems,
    i: usize,
    line: u32,
) {
    if let XCell::Error(e) = value {
        problems.add(Rule::Type, Some(i), line, || {
            format!("the cell holds {e}, not {}", cell::type_phrase(rule.ty))
        });
        return;
    }
    let text = value.text();
    let native = value.native(rule.ty);
    let parsed = match (&native, value) {
        _ if rule.missing.iter().any(|m| *m == *text) => cell::parse(&text, rule),
        (Some(v), _) => Parsed::Value(*v),
        (None, XCell::Text(_)) => cell::parse(&text, rule),
        (None, _) if rule.ty == ColumnType::String => Parsed::Value(Value::Str(&text)),
        (None, _) => Parsed::NotA,
    };
    match parsed {
        Parsed::Value(v) => {
            if let Value::Str(s) = v {
                if let Err(why) = crate::text::check_text(s) {
                    problems.add(Rule::NotText, Some(i), line, || {
                        format!("the cell holds {why}")
                    });
                    return;
                }
            }
            b.push(Some(v));
        }
        Parsed::Null => b.push(None),
        Parsed::MissingButRequired => problems.add(Rule::Missing, Some(i), line, || {
            cell::missing_message(&text)
        }),
        Parsed::NotA => problems.add(Rule::Type, Some(i), line, || not_a(value, &text, rule.ty)),
    }
}

/// Why a cell is not of its column's type, in Excel's terms.
fn not_a(value: &XCell, text: &str, ty: ColumnType) -> String {
    match (value, ty) {
        (XCell::Float(_), ColumnType::Int) => format!("the number {text} is not a whole number"),
        (XCell::Date(..), ColumnType::Date) => {
            format!("the date-time {text} has a time of day; a `date` column holds whole days (declare the column `datetime` to keep the time)")
        }
        (XCell::Date(..), _) => format!("the date {text} is not {}", cell::type_phrase(ty)),
        (XCell::Int(_) | XCell::Float(_), _) => {
            format!("the number {text} is not {}", cell::type_phrase(ty))
        }
        (XCell::Bool(_), _) => format!(
            "the {} cell is not {}",
            text.to_uppercase(),
            cell::type_phrase(ty)
        ),
        _ => cell::type_message(text, ty),
    }
}

/// Owns a cell's borrowed text (only declared cells are kept).
fn owned(v: XCell) -> XCell<'static> {
    match v {
        XCell::Text(t) => XCell::Text(Cow::Owned(t.into_owned())),
        XCell::Iso(s) => XCell::Iso(Cow::Owned(s.into_owned())),
        XCell::Empty => XCell::Empty,
        XCell::Int(i) => XCell::Int(i),
        XCell::Float(f) => XCell::Float(f),
        XCell::Bool(b) => XCell::Bool(b),
        XCell::Date(d, m) => XCell::Date(d, m),
        XCell::Error(e) => XCell::Error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
            e[0].starts_with(
                "v.xlsx, Victims!C4, column `age`: the number 30.5 is not a whole number"
            ),
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
        let s = test_spec(
            "path = \"v.xlsx\"\nrange = \"A1:A10\"\n[sources.s.columns]\nid = \"string\"\n",
        );
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
                .any(|m| m
                    .starts_with("v.xlsx, Sheet1!B3, column `age`: \"x\" is not a whole number")),
            "{e:?}"
        );
        assert!(
            e.iter()
                .any(|m| m
                    .starts_with("v.xlsx, Sheet1!C3, column `when`: \"2019-02-30\" is not a date")),
            "{e:?}"
        );
        assert!(
            e.iter().any(|m| m.starts_with(
                "v.xlsx, Sheet1!D3, column `ok`: the number 1 is not `true` or `false`"
            )),
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
}
