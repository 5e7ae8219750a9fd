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

use std::io::Cursor;

use calamine::Reader;

use self::area::Area;
use self::cells::XCell;
use self::limits::{guard, shared_strings, Order};
use self::sheet::Rows;
use super::csv::Table;
use super::Request;
use crate::error::{suggest, Error, ErrorKind, Result};

mod area;
mod cells;
mod limits;
mod sheet;
#[cfg(test)]
mod tests;

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
