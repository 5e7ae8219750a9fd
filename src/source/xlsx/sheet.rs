//! The sheet's rows: the header row found, each declared column located,
//! each row's declared cells checked and appended.

use super::area::Area;
use super::cells::{owned, put, XCell};
use super::Request;
use crate::error::{Error, ErrorKind, Result};
use crate::source::columns::Column;
use crate::source::csv::Table;
use crate::source::problems::{column_letters, Place, Problems};

/// Assembles streamed cells (in row order) into the header and typed rows.
pub(super) struct Rows<'r> {
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
    pub(super) fn new(area: Option<Area>, sheet: &str, r: &'r Request<'r>) -> Rows<'r> {
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
    pub(super) fn add(&mut self, row: u32, col: u32, value: XCell) -> Result<()> {
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
    pub(super) fn read_header(&mut self) -> Result<()> {
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
    pub(super) fn flush(&mut self) {
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
    pub(super) fn finish(mut self) -> Result<Table> {
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
                    crate::source::first_line(&e)
                ),
            )
            .in_file(self.r.file)
        })?;
        Ok(Table::new(frame, self.lines.into()))
    }
}
