//! The problems found in one data file, grouped by rule (and column) and
//! capped: the first [`CAP`] of each group are listed with their lines, the
//! rest counted in one "… and 1,234 more" entry.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::cell::type_phrase;
use super::csv::ColumnRule;
use crate::error::{Error, ErrorKind, Result};
use crate::format::format_number;

/// How many problems of one rule (and column) are listed per file.
pub(super) const CAP: usize = 20;

/// A rule a record or cell can break, in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Rule {
    /// A quote never closed, so the last value runs to the end of the file
    /// (first: it explains the problems of that record).
    UnclosedQuote,
    /// The line is not UTF-8.
    NotUtf8,
    /// Fewer fields than the header.
    TooFewFields,
    /// More fields than the header.
    TooManyFields,
    /// A missing value in a required column.
    Missing,
    /// A cell that is not of its column's type.
    Type,
    /// A cell holding a Unicode non-character (U+FFFE, U+FFFF, …): not text.
    NotText,
}

/// How a file's rows are named in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Place {
    /// By the line an editor shows (CSV; the header is line 1).
    Line,
    /// By row number, the first row of data is 1 (Parquet).
    Record,
    /// By sheet and A1 cell (`Victims!C1234`); `columns` holds the sheet
    /// column (0-based) of each declared column.
    Sheet {
        /// The sheet's name.
        name: String,
        /// The sheet column of each declared column.
        columns: Vec<u32>,
    },
}

/// Problems collected while reading one file.
pub(super) struct Problems {
    file: PathBuf,
    place: Place,
    /// The declared columns, to name the column of a cell problem.
    columns: Vec<ColumnRule>,
    groups: BTreeMap<(Rule, Option<usize>), Group>,
}

/// One rule's (and column's) problems: the first [`CAP`] as (line, column
/// in the line if known, message), the rest counted.
#[derive(Default)]
struct Group {
    shown: Vec<(u32, Option<u32>, String)>,
    more: usize,
}

impl Problems {
    /// No problems yet in `file`, whose declared columns are `columns`.
    pub(super) fn new(file: &Path, columns: &[ColumnRule]) -> Problems {
        Problems::at(file, columns, Place::Line)
    }

    /// No problems yet in `file`, whose rows are named as `place` says.
    pub(super) fn at(file: &Path, columns: &[ColumnRule], place: Place) -> Problems {
        Problems {
            file: file.to_path_buf(),
            place,
            columns: columns.to_vec(),
            groups: BTreeMap::new(),
        }
    }

    /// Records a problem of `rule` on `line` (in declared column `column`,
    /// if a cell's); `message` is only made for the problems listed.
    pub(super) fn add(
        &mut self,
        rule: Rule,
        column: Option<usize>,
        line: u32,
        message: impl FnOnce() -> String,
    ) {
        self.add_at(rule, column, || (line, None), message);
    }

    /// Records a problem of `rule` in declared column `column` of a text
    /// file, at the (line, character column) `place` finds; both closures
    /// run only for the problems listed.
    pub(super) fn add_cell(
        &mut self,
        rule: Rule,
        column: usize,
        place: impl FnOnce() -> (u32, u32),
        message: impl FnOnce() -> String,
    ) {
        let place = || {
            let (line, col) = place();
            (line, Some(col))
        };
        self.add_at(rule, Some(column), place, message);
    }

    fn add_at(
        &mut self,
        rule: Rule,
        column: Option<usize>,
        place: impl FnOnce() -> (u32, Option<u32>),
        message: impl FnOnce() -> String,
    ) {
        let group = self.groups.entry((rule, column)).or_default();
        if group.shown.len() >= CAP {
            group.more += 1;
            return;
        }
        let (line, col) = place();
        group.shown.push((line, col, message()));
    }

    /// Adds the problems `later` found in the rest of the same file (read
    /// in parallel, every line after this part's): the result is what one
    /// pass over both parts would have collected.
    pub(super) fn merge(&mut self, later: Problems) {
        for (key, group) in later.groups {
            let mine = self.groups.entry(key).or_default();
            for entry in group.shown {
                if mine.shown.len() < CAP {
                    mine.shown.push(entry);
                } else {
                    mine.more += 1;
                }
            }
            mine.more += group.more;
        }
    }

    /// One listed problem as an error, located as `place` names rows.
    fn error(
        &self,
        column: Option<usize>,
        (line, col): (u32, Option<u32>),
        message: String,
    ) -> Error {
        let name = column
            .and_then(|i| self.columns.get(i))
            .map(|c| c.name.as_str());
        let e = Error::new(ErrorKind::Data, message).in_file(&self.file);
        match &self.place {
            Place::Line => e
                .at_row(line as usize, name)
                .at_char(col.map(|c| c as usize)),
            Place::Record => e.at_record(line as usize, name),
            Place::Sheet {
                name: sheet,
                columns,
            } => {
                let cell = match column.and_then(|i| columns.get(i)) {
                    Some(&c) => format!("{}{line}", column_letters(c)),
                    None => format!("{line}:{line}"),
                };
                e.at_cell(sheet, &cell, name)
            }
        }
    }

    /// `Ok` if nothing was found, else every problem, grouped.
    pub(super) fn finish(mut self) -> Result<()> {
        let mut all = Vec::new();
        let groups = std::mem::take(&mut self.groups);
        for ((rule, column), group) in groups {
            let col = column.and_then(|i| self.columns.get(i));
            for (i, (line, at, message)) in group.shown.into_iter().enumerate() {
                let mut e = self.error(column, (line, at), message);
                if i == 0 {
                    e = e.with_hint(hint(rule, col));
                }
                all.push(e);
            }
            if group.more > 0 {
                let message = format!(
                    "… and {} more {}",
                    format_number(group.more as f64, 0),
                    what(rule, col)
                );
                all.push(
                    Error::new(ErrorKind::Data, message)
                        .in_file(&self.file)
                        .standing_for(group.more),
                );
            }
        }
        Error::collect(all)
    }
}

/// A 0-based sheet column as Excel's letters: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub(super) fn column_letters(mut col: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// What the first problem of each group says to do.
fn hint(rule: Rule, column: Option<&ColumnRule>) -> String {
    let c = column.map_or("?", |c| c.name.as_str());
    let ty = column.map_or("string", |c| spec_name(c.ty));
    match rule {
        Rule::NotUtf8 => super::cell::UTF8_HINT.to_string(),
        Rule::TooFewFields => {
            "a value or comma is missing on this line (or an unclosed quote joined lines)".to_string()
        }
        Rule::TooManyFields => {
            "quote a value that contains a comma, like `\"Smith, J\"`".to_string()
        }
        Rule::Missing => format!(
            "fill it in, or declare `{c} = {{ type = \"{ty}\", nullable = true }}` if a value may be missing"
        ),
        Rule::Type => format!("fix the cell, or declare `{c}` with another type in the spec"),
        Rule::NotText => {
            "remove the character: it is not text (often a broken export or encoding); re-save the file as UTF-8".to_string()
        }
        Rule::UnclosedQuote => {
            "add the closing `\"` (a quote inside a quoted value is written twice: `\"\"`)"
                .to_string()
        }
    }
}

/// The problems a rule finds, plural, for "… and 5 more …".
fn what(rule: Rule, column: Option<&ColumnRule>) -> String {
    let c = column.map_or("?", |c| c.name.as_str());
    match rule {
        Rule::NotUtf8 => "lines that are not valid UTF-8".to_string(),
        Rule::TooFewFields => "lines with too few fields".to_string(),
        Rule::TooManyFields => "lines with too many fields".to_string(),
        Rule::UnclosedQuote => "unclosed quotes".to_string(),
        Rule::Missing => format!("missing values in required column `{c}`"),
        Rule::NotText => format!("cells in column `{c}` holding non-characters"),
        Rule::Type => format!(
            "cells in column `{c}` that are not {}",
            column.map_or("of its type", |c| type_phrase(c.ty))
        ),
    }
}

/// A type as the spec spells it.
fn spec_name(ty: crate::spec::ColumnType) -> &'static str {
    use crate::spec::ColumnType;
    match ty {
        ColumnType::String => "string",
        ColumnType::Int => "int",
        ColumnType::Float => "float",
        ColumnType::Bool => "bool",
        ColumnType::Date => "date",
        ColumnType::Datetime => "datetime",
    }
}
