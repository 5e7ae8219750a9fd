//! What keeps a workbook within `[limits] sheet_cells` before its cells
//! are stored: the shared-string table's size, the sheet's declared size,
//! and the order and number of the cells it lists.

use std::io::Cursor;

use super::area::Area;
use super::Request;
use crate::error::{Error, ErrorKind, Result};
use crate::format::format_number;
use crate::source::problems::column_letters;

/// The most bytes the shared-string scan unpacks: whatever the zip header
/// claims, a bigger part is refused rather than inflated.
pub(super) const MAX_PART_BYTES: u64 = 512 << 20;

/// Counts the shared-string table's entries (`<si>`) in one streaming pass
/// before calamine reads them all into memory (150 M strings once took
/// 8 GB): more entries than `[limits] sheet_cells` cannot all be used by a
/// sheet inside the limit, and are refused.
pub(super) fn shared_strings(bytes: &[u8], limit: u64, r: &Request) -> Result<()> {
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
pub(super) struct Order {
    last: Option<(u32, u32)>,
    count: u64,
}

impl Order {
    pub(super) fn check(
        &mut self,
        row: u32,
        col: u32,
        limit: u64,
        sheet: &str,
        r: &Request,
    ) -> Result<()> {
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

/// Refuses a sheet whose (declared) size exceeds `[limits] sheet_cells`.
pub(super) fn guard(area: &Area, limit: u64, sheet: &str, r: &Request) -> Result<()> {
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
