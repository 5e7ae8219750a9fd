//! The one diagnostic type: what is wrong (or worth a warning), where
//! (file, and a line/column span with the offending line, or a data row or
//! cell) and what to do about it (any number of hints). Errors
//! (`Error`, in the module above this one) carry one or more; warnings are collected into
//! [`Diagnostics`] during a build and returned with it. The library never
//! prints: the command line renders both, the same way.
//!
//! The ground of the crate: this module imports no other part of it.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{self as codespan, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::NoColor};
use serde::{Deserialize, Serialize};

/// Whether a diagnostic stops the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    /// The build fails.
    Error,
    /// The build goes on; the reader of the build log should know
    /// (`--strict` makes some warnings errors).
    Warning,
    /// Changes nothing the build decided, but a reader should know (which
    /// bundled font stands in for a house font); never an error.
    Note,
}

impl Severity {
    /// The word a rendered diagnostic starts with.
    fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// What class of input a diagnostic is about; callers match on this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The report spec (TOML) is malformed or inconsistent.
    Spec,
    /// A data source is missing, malformed or does not match its schema.
    Data,
    /// A figure or table query failed.
    Query,
    /// A content template failed to render.
    Template,
    /// The Typst layout failed to compile.
    Layout,
    /// Writing the Word document failed.
    Docx,
    /// A file could not be read or written.
    Io,
    /// A command-line argument is wrong.
    Usage,
    /// The documents would not be accessible (PDF/UA-1, Word).
    Accessibility,
    /// A published table would let a suppressed count be worked out.
    Disclosure,
    /// The build passed one of its `[limits]` (memory).
    Limit,
    /// A bug in boardpack.
    Internal,
}

/// Where in a file a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Location {
    /// A byte range in a text file whose text we hold (spec, template).
    Span {
        /// The whole file text, to show the offending line.
        text: String,
        /// The offending bytes.
        range: Range<usize>,
    },
    /// A line of a data file as an editor shows it (the header is line 1)
    /// and optionally a column name.
    Row {
        /// The physical line, header = line 1: where the cell at fault is,
        /// or where the record starts.
        row: usize,
        /// Where the cell starts in the line, in characters from 1, if known.
        char: Option<usize>,
        /// The column at fault, if known.
        column: Option<String>,
    },
    /// A cell of a spreadsheet, as the user finds it: sheet and A1
    /// reference (`Victims!C1234`).
    Cell {
        /// The sheet's name.
        sheet: String,
        /// The cell's A1 reference (`C1234`), or a row (`1234:1234`).
        cell: String,
        /// The declared column the cell belongs to, if any.
        column: Option<String>,
    },
    /// A row of a file without lines (Parquet): 1-based, the first row of
    /// data is row 1.
    Record {
        /// The row number, 1-based.
        row: usize,
        /// The column at fault, if known.
        column: Option<String>,
    },
}

/// One problem or warning: severity, class, message, place and hints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    severity: Severity,
    kind: ErrorKind,
    message: String,
    file: Option<PathBuf>,
    /// Boxed: the common case (no place, or a row) stays small.
    location: Option<Box<Location>>,
    /// What to do, in the order shown.
    hints: Vec<String>,
    /// How many problems this entry stands for: 1, or more for a summary
    /// line such as "… and 1,234 more" (see [`Diagnostic::standing_for`]).
    weight: usize,
}

impl Diagnostic {
    /// A diagnostic of `severity` and `kind` with a one-line message (no
    /// trailing period).
    pub fn new(severity: Severity, kind: ErrorKind, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            kind,
            message: message.into(),
            file: None,
            location: None,
            hints: Vec::new(),
            weight: 1,
        }
    }

    /// An error diagnostic (see [`Diagnostic::new`]).
    pub fn error(kind: ErrorKind, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, kind, message)
    }

    /// A warning (see [`Diagnostic::new`]).
    pub fn warning(kind: ErrorKind, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, kind, message)
    }

    /// A note (see [`Diagnostic::new`]).
    pub fn note(kind: ErrorKind, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Note, kind, message)
    }

    /// The same diagnostic with another severity (a failed `warning` check
    /// is made an error by `--strict`; an error may be reported as a
    /// warning).
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Marks this entry as standing for `n` problems that are not listed
    /// one by one (a "… and 1,234 more" line), so counts stay true.
    pub fn standing_for(mut self, n: usize) -> Self {
        self.weight = n.max(1);
        self
    }

    /// Names the file the diagnostic is about (as the user would type it).
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    /// Points at a byte range of a text file's contents.
    pub fn at_span(mut self, text: &str, range: Range<usize>) -> Self {
        let end = range.end.min(text.len());
        let start = range.start.min(end);
        self.location = Some(Box::new(Location::Span {
            text: text.to_string(),
            range: start..end,
        }));
        self
    }

    /// Points at a data file's line as an editor shows it (1-based, the
    /// header is line 1; a record spanning lines is at its first) and column.
    pub fn at_row(mut self, row: usize, column: Option<&str>) -> Self {
        self.location = Some(Box::new(Location::Row {
            row,
            char: None,
            column: column.map(str::to_string),
        }));
        self
    }

    /// Adds where in the line (characters from 1, as an editor counts) a
    /// data file's cell starts, to a diagnostic placed with
    /// [`Diagnostic::at_row`].
    pub fn at_char(mut self, at: Option<usize>) -> Self {
        if let Some(Location::Row { char, .. }) = self.location.as_deref_mut() {
            *char = at;
        }
        self
    }

    /// Points at a spreadsheet cell: `sheet!cell` (an A1 reference), in
    /// declared column `column` if any.
    pub fn at_cell(mut self, sheet: &str, cell: &str, column: Option<&str>) -> Self {
        self.location = Some(Box::new(Location::Cell {
            sheet: sheet.to_string(),
            cell: cell.to_string(),
            column: column.map(str::to_string),
        }));
        self
    }

    /// Points at row `row` (1-based, the first row of data is 1) of a file
    /// without lines, such as Parquet, and optionally a column.
    pub fn at_record(mut self, row: usize, column: Option<&str>) -> Self {
        self.location = Some(Box::new(Location::Record {
            row,
            column: column.map(str::to_string),
        }));
        self
    }

    /// Sets the hint that says what to do, replacing any hints so far.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints = vec![hint.into()];
        self
    }

    /// Adds a further hint after those so far.
    pub fn add_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Whether it stops the build.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The class of problem.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The file the diagnostic is about, if any.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The first hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hints.first().map(String::as_str)
    }

    /// Every hint, in the order shown.
    pub fn hints(&self) -> &[String] {
        &self.hints
    }

    /// How many problems this entry stands for (at least one).
    pub fn weight(&self) -> usize {
        self.weight
    }

    /// 1-based line and column for diagnostics pointing into a text file.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        match self.location.as_deref() {
            Some(Location::Span { text, range }) => Some(line_col(text, range.start)),
            _ => None,
        }
    }

    /// Renders it for people: `error:` or `warning:` and the message,
    /// `file:line:col` with the offending line and a caret (or the data
    /// row or cell), then each hint. Plain text, no colour.
    pub fn render(&self) -> String {
        let name = self.file.as_deref().map(display_path).unwrap_or_default();
        if let Some(Location::Span { text, range }) = self.location.as_deref() {
            let file = SimpleFile::new(name.as_str(), text.as_str());
            let severity = match self.severity {
                Severity::Error => codespan::Severity::Error,
                Severity::Warning => codespan::Severity::Warning,
                Severity::Note => codespan::Severity::Note,
            };
            let diag = codespan::Diagnostic::new(severity)
                .with_message(&self.message)
                .with_labels(vec![Label::primary((), range.clone())])
                .with_notes(self.hints.iter().map(|h| format!("hint: {h}")).collect());
            let mut out = NoColor::new(Vec::new());
            let config = term::Config::default();
            if term::emit_to_write_style(&mut out, &config, &file, &diag).is_ok() {
                return String::from_utf8_lossy(&out.into_inner()).into_owned();
            }
        }
        self.render_plain(&name)
    }

    fn render_plain(&self, name: &str) -> String {
        let mut out = format!("{}: {}\n", self.severity.word(), self.message);
        match (self.location.as_deref(), name.is_empty()) {
            (Some(Location::Row { row, char, column }), false) => {
                out += &format!("  --> {name}:{row}");
                if let Some(c) = char {
                    out += &format!(":{c}");
                }
                if let Some(c) = column {
                    out += &format!(", column `{c}`");
                }
                out.push('\n');
            }
            (Some(loc @ (Location::Cell { .. } | Location::Record { .. })), false) => {
                out += &format!("  --> {name}, {}\n", place(loc));
            }
            (_, false) => out += &format!("  --> {name}\n"),
            _ => {}
        }
        for hint in &self.hints {
            out += &format!("  = hint: {hint}\n");
        }
        out
    }
}

/// One line: `file:line:col: message (hint: …)`.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", display_path(file))?;
            match self.location.as_deref() {
                Some(Location::Span { text, range }) => {
                    let (l, c) = line_col(text, range.start);
                    write!(f, ":{l}:{c}")?;
                }
                Some(Location::Row { row, char, column }) => {
                    write!(f, ":{row}")?;
                    if let Some(c) = char {
                        write!(f, ":{c}")?;
                    }
                    if let Some(c) = column {
                        write!(f, ": column `{c}`")?;
                    }
                }
                Some(loc @ (Location::Cell { .. } | Location::Record { .. })) => {
                    write!(f, ", {}", place(loc))?;
                }
                None => {}
            }
            write!(f, ": ")?;
        }
        write!(f, "{}", self.message)?;
        if !self.hints.is_empty() {
            write!(f, " (hint: {})", self.hints.join("; "))?;
        }
        Ok(())
    }
}

/// The diagnostics a build collects as it goes (its warnings), in the
/// order found, returned with the build and rendered once by the command
/// line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Each, in the order found.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// The first, if any.
    pub fn first(&self) -> Option<&Diagnostic> {
        self.0.first()
    }

    /// Those of `severity`.
    pub fn of(&self, severity: Severity) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(move |d| d.severity == severity)
    }

    /// Takes out the error diagnostics, if any, as one error carrying them
    /// all (every problem at once); warnings and notes stay.
    pub fn take_errors(&mut self) -> Option<Vec<Diagnostic>> {
        let (errors, rest) = std::mem::take(&mut self.0)
            .into_iter()
            .partition::<Vec<_>, _>(|d| d.severity == Severity::Error);
        self.0 = rest;
        (!errors.is_empty()).then_some(errors)
    }

    /// Each rendered (see [`Diagnostic::render`]), in order: a one-line
    /// diagnostic stays one line, one with an excerpt ends with a blank line.
    pub fn render(&self) -> String {
        self.0.iter().map(Diagnostic::render).collect()
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A cell or record location as the user looks it up: `Victims!C1234,
/// column `age`` or `row 12, column `age``.
fn place(loc: &Location) -> String {
    let (at, column) = match loc {
        Location::Cell {
            sheet,
            cell,
            column,
        } => (format!("{}!{cell}", sheet_ref(sheet)), column),
        Location::Record { row, column } => (format!("row {row}"), column),
        Location::Row { row, column, .. } => (row.to_string(), column),
        Location::Span { .. } => return String::new(),
    };
    match column {
        Some(c) => format!("{at}, column `{c}`"),
        None => at,
    }
}

/// A sheet name as Excel writes it in a reference: quoted when it holds
/// anything but letters, digits and `_` (`'Victims 2019'!A1`).
fn sheet_ref(sheet: &str) -> String {
    if !sheet.is_empty() && sheet.chars().all(|c| c.is_alphanumeric() || c == '_') {
        sheet.to_string()
    } else {
        format!("'{}'", sheet.replace('\'', "''"))
    }
}

/// A path as shown to people: forward slashes, no `./` prefix.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s);
    if s.is_empty() {
        ".".to_string()
    } else {
        s.to_string()
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn a_warning_keeps_its_place_and_excerpt() {
        let text = "[report]\nname = 1\n";
        let w = Diagnostic::warning(ErrorKind::Spec, "odd name")
            .in_file("report.toml")
            .at_span(text, 16..17)
            .with_hint("quote it");
        assert_eq!(
            w.render(),
            "warning: odd name\n  ┌─ report.toml:2:8\n  │\n2 │ name = 1\n  │        ^\n  │\n  = hint: quote it\n\n"
        );
        assert_eq!(w.to_string(), "report.toml:2:8: odd name (hint: quote it)");
    }

    #[test]
    fn a_row_warning_renders_like_an_error() {
        let d = Diagnostic::warning(ErrorKind::Data, "age over 120")
            .in_file("data/v.csv")
            .at_row(3, Some("age"))
            .at_char(Some(5));
        assert_eq!(
            d.render(),
            "warning: age over 120\n  --> data/v.csv:3:5, column `age`\n"
        );
        let e = d.with_severity(Severity::Error);
        assert!(e.render().starts_with("error: age over 120\n"));
    }

    #[test]
    fn every_hint_is_shown_in_order() {
        let d = Diagnostic::error(ErrorKind::Layout, "bad")
            .with_hint("first")
            .add_hint("second");
        assert_eq!(
            d.render(),
            "error: bad\n  = hint: first\n  = hint: second\n"
        );
        assert_eq!(d.to_string(), "bad (hint: first; second)");
        assert_eq!(d.clone().with_hint("only").hints(), ["only"]);
    }

    #[test]
    fn cells_and_records_are_placed_as_users_look_them_up() {
        let cell = Diagnostic::error(ErrorKind::Data, "x")
            .in_file("v.xlsx")
            .at_cell("Victims 2019", "C3", Some("age"));
        assert_eq!(
            cell.to_string(),
            "v.xlsx, 'Victims 2019'!C3, column `age`: x"
        );
        let record = Diagnostic::error(ErrorKind::Data, "x")
            .in_file("v.parquet")
            .at_record(2, None);
        assert_eq!(record.render(), "error: x\n  --> v.parquet, row 2\n");
    }

    #[test]
    fn the_sink_keeps_order_and_renders_each_once() {
        let mut sink = Diagnostics::default();
        assert!(sink.is_empty());
        sink.push(Diagnostic::warning(ErrorKind::Template, "one"));
        sink.extend([Diagnostic::warning(ErrorKind::Io, "two")]);
        assert_eq!(sink.len(), 2);
        assert_eq!(sink.render(), "warning: one\nwarning: two\n");
        let kinds: Vec<ErrorKind> = sink.iter().map(Diagnostic::kind).collect();
        assert_eq!(kinds, [ErrorKind::Template, ErrorKind::Io]);
        assert_eq!(sink.of(Severity::Error).count(), 0);
    }

    #[test]
    fn a_diagnostic_survives_a_round_trip_through_json() {
        let d = Diagnostic::warning(ErrorKind::Layout, "w")
            .in_file("layout.typ")
            .at_span("a\nb", 2..3)
            .add_hint("h");
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<Diagnostic>(&json).unwrap(), d);
    }
}
