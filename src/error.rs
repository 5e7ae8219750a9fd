//! The one error type: what went wrong, where (file, line/column or data row)
//! and what to do about it. The library never prints; the CLI renders errors.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::NoColor};

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What class of input an error is about; callers match on this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Where in a file an error points.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// A boardpack error: a message, an optional place and an optional hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    file: Option<PathBuf>,
    /// Boxed: errors travel in every `Result`, so the common case stays small.
    location: Option<Box<Location>>,
    hint: Option<String>,
    /// Further problems found in the same pass (reported together, so the
    /// user fixes everything at once instead of one error per run).
    also: Vec<Error>,
    /// How many problems this entry stands for: 1, or more for a summary
    /// line such as "… and 1,234 more" (see [`Error::standing_for`]).
    weight: usize,
}

impl Error {
    /// Creates an error of `kind` with a one-line message (no trailing period).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            file: None,
            location: None,
            hint: None,
            also: Vec::new(),
            weight: 1,
        }
    }

    /// Marks this entry as standing for `n` problems that are not listed
    /// one by one (a "… and 1,234 more" line), so [`Error::count`] and the
    /// rendered total stay true.
    pub fn standing_for(mut self, n: usize) -> Self {
        self.weight = n.max(1);
        self
    }

    /// `Ok(())` if `errors` is empty, else one error carrying all of them
    /// (the first is the headline; [`Error::all`] yields every one).
    pub fn collect(errors: Vec<Error>) -> Result<()> {
        let mut all = errors.into_iter().flat_map(Error::into_all);
        match all.next() {
            None => Ok(()),
            Some(mut first) => {
                first.also = all.collect();
                Err(first)
            }
        }
    }

    /// Every problem this error carries, the headline first.
    pub fn all(&self) -> impl Iterator<Item = &Error> {
        std::iter::once(self).chain(self.also.iter())
    }

    /// How many problems this error carries (at least one), counting
    /// those a summary entry stands for.
    pub fn count(&self) -> usize {
        self.all().map(|e| e.weight).sum()
    }

    /// Splits into single errors, the headline first.
    pub fn into_all(mut self) -> Vec<Error> {
        let also = std::mem::take(&mut self.also);
        let mut v = vec![self];
        v.extend(also.into_iter().flat_map(Error::into_all));
        v
    }

    /// Names the file the error is about (as the user would type it).
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
    /// data file's cell starts, to an error placed with [`Error::at_row`].
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

    /// Adds a hint that says what to do.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The class of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The file the error is about, if any.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// 1-based line and column for span errors.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        match self.location.as_deref() {
            Some(Location::Span { text, range }) => Some(line_col(text, range.start)),
            _ => None,
        }
    }

    /// Renders the error for people: message, `file:line:col`, the offending
    /// line with a caret, and the hint. Plain text, no colour. An error
    /// carrying several problems renders each, then a count.
    pub fn render(&self) -> String {
        if self.also.is_empty() && self.weight == 1 {
            return self.render_one();
        }
        let mut out = String::new();
        for e in self.all() {
            out += &e.render_one();
            if !out.ends_with("\n\n") {
                out.push('\n');
            }
        }
        out += &format!(
            "error: {} problems found; fix them all and build again\n",
            crate::format::format_number(self.count() as f64, 0)
        );
        out
    }

    fn render_one(&self) -> String {
        let name = self
            .file
            .as_ref()
            .map(|p| display_path(p))
            .unwrap_or_default();
        match self.location.as_deref() {
            Some(Location::Span { text, range }) => {
                let file = SimpleFile::new(name.as_str(), text.as_str());
                let mut diag = Diagnostic::error()
                    .with_message(&self.message)
                    .with_labels(vec![Label::primary((), range.clone())]);
                if let Some(hint) = &self.hint {
                    diag = diag.with_notes(vec![format!("hint: {hint}")]);
                }
                let mut out = NoColor::new(Vec::new());
                let config = term::Config::default();
                if term::emit_to_write_style(&mut out, &config, &file, &diag).is_ok() {
                    return String::from_utf8_lossy(&out.into_inner()).into_owned();
                }
                self.render_plain(&name)
            }
            _ => self.render_plain(&name),
        }
    }

    fn render_plain(&self, name: &str) -> String {
        let mut out = format!("error: {}\n", self.message);
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
        if let Some(hint) = &self.hint {
            out += &format!("  = hint: {hint}\n");
        }
        out
    }
}

impl fmt::Display for Error {
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
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        if !self.also.is_empty() {
            write!(f, " (and {} more problems)", self.count() - 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

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

/// The candidate closest to `name` by edit distance, for "did you mean".
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Formats a "did you mean" hint, or lists the allowed names.
pub(crate) fn suggest(name: &str, candidates: &[&str], what: &str) -> String {
    match did_you_mean(name, candidates.iter().copied()) {
        Some(c) => format!("did you mean `{c}`?"),
        None if candidates.is_empty() => format!("there are no {what}"),
        None => {
            let list: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
            format!("the {what} are {}", list.join(", "))
        }
    }
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
    fn suggests_close_names() {
        let cols = ["victim_age", "victim_sex", "district"];
        assert_eq!(did_you_mean("victim_agee", cols), Some("victim_age"));
        assert_eq!(did_you_mean("zzz", cols), None);
    }

    #[test]
    fn collect_reports_every_problem() {
        assert!(Error::collect(vec![]).is_ok());
        let a = Error::new(ErrorKind::Spec, "first");
        let b = Error::new(ErrorKind::Data, "second");
        let c = Error::new(ErrorKind::Data, "third");
        let nested = Error::collect(vec![b, c]).unwrap_err();
        let e = Error::collect(vec![a, nested]).unwrap_err();
        assert_eq!(e.count(), 3);
        let messages: Vec<_> = e.all().map(Error::message).collect();
        assert_eq!(messages, ["first", "second", "third"]);
        let text = e.render();
        assert!(text.contains("first") && text.contains("third"), "{text}");
        assert!(text.ends_with("error: 3 problems found; fix them all and build again\n"));
    }

    #[test]
    fn display_names_file_row_and_column() {
        let e = Error::new(ErrorKind::Data, "expected an integer, found `x`")
            .in_file("data/v.csv")
            .at_row(3, Some("victim_age"))
            .with_hint("fix the cell");
        assert_eq!(
            e.to_string(),
            "data/v.csv:3: column `victim_age`: expected an integer, found `x` (hint: fix the cell)"
        );
        let plain = e.render();
        assert!(
            plain.contains("  --> data/v.csv:3, column `victim_age`\n"),
            "{plain}"
        );
    }

    #[test]
    fn a_summary_entry_counts_what_it_stands_for() {
        let shown = Error::new(ErrorKind::Data, "bad cell")
            .in_file("d.csv")
            .at_row(2, None);
        let rest = Error::new(ErrorKind::Data, "… and 5 more").standing_for(5);
        let e = Error::collect(vec![shown, rest]).unwrap_err();
        assert_eq!(e.count(), 6);
        assert!(e
            .render()
            .ends_with("error: 6 problems found; fix them all and build again\n"));
    }
}
