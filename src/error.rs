//! The one error type: one or more error [`Diagnostic`]s (what went wrong,
//! where — file, line/column or data row — and what to do about it), so a
//! pass reports every problem it found at once. The library never prints;
//! the CLI renders errors.

use std::fmt;
use std::ops::Range;
use std::path::Path;

pub(crate) use crate::diagnostic::line_col;
pub use crate::diagnostic::{display_path, ErrorKind};
pub(crate) use crate::diagnostic::{Diagnostic, Diagnostics, Severity};

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A boardpack error: one or more error diagnostics, the headline first
/// (further problems found in the same pass are reported together, so the
/// user fixes everything at once instead of one error per run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Never empty; every one of severity [`Severity::Error`].
    diagnostics: Vec<Diagnostic>,
}

impl Error {
    /// Creates an error of `kind` with a one-line message (no trailing period).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error::from_diagnostic(Diagnostic::error(kind, message))
    }

    /// The diagnostic as an error (its severity made [`Severity::Error`]).
    /// A named function, not `From`: a second `From` impl would leave
    /// `?` in closures without a type to infer.
    pub fn from_diagnostic(d: Diagnostic) -> Self {
        Error {
            diagnostics: vec![d.with_severity(Severity::Error)],
        }
    }

    /// Applies `f` to the headline.
    fn map_head(mut self, f: impl FnOnce(Diagnostic) -> Diagnostic) -> Self {
        let head = self.diagnostics.remove(0);
        self.diagnostics.insert(0, f(head));
        self
    }

    fn head(&self) -> &Diagnostic {
        &self.diagnostics[0]
    }

    /// Marks this entry as standing for `n` problems that are not listed
    /// one by one (a "… and 1,234 more" line), so [`Error::count`] and the
    /// rendered total stay true.
    pub fn standing_for(self, n: usize) -> Self {
        self.map_head(|d| d.standing_for(n))
    }

    /// `Ok(())` if `errors` is empty, else one error carrying all of them
    /// (the first is the headline; [`Error::all`] yields every one).
    pub fn collect(errors: Vec<Error>) -> Result<()> {
        let diagnostics: Vec<Diagnostic> = errors.into_iter().flat_map(|e| e.diagnostics).collect();
        if diagnostics.is_empty() {
            Ok(())
        } else {
            Err(Error { diagnostics })
        }
    }

    /// Every problem this error carries, the headline first.
    pub fn all(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter()
    }

    /// How many problems this error carries (at least one), counting
    /// those a summary entry stands for.
    pub fn count(&self) -> usize {
        self.all().map(Diagnostic::weight).sum()
    }

    /// Splits into single errors, the headline first.
    pub fn into_all(self) -> Vec<Error> {
        self.diagnostics
            .into_iter()
            .map(Error::from_diagnostic)
            .collect()
    }

    /// Every problem as a diagnostic, the headline first.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    /// Every problem, reported as a warning instead (a failed `warning`
    /// check): place, excerpt and hints kept.
    pub fn into_warnings(self) -> impl Iterator<Item = Diagnostic> {
        self.diagnostics
            .into_iter()
            .map(|d| d.with_severity(Severity::Warning))
    }

    /// Names the file the error is about (as the user would type it).
    pub fn in_file(self, file: impl AsRef<Path>) -> Self {
        self.map_head(|d| d.in_file(file))
    }

    /// Points at a byte range of a text file's contents.
    pub fn at_span(self, text: &str, range: Range<usize>) -> Self {
        self.map_head(|d| d.at_span(text, range))
    }

    /// Points at a data file's line as an editor shows it (1-based, the
    /// header is line 1; a record spanning lines is at its first) and column.
    pub fn at_row(self, row: usize, column: Option<&str>) -> Self {
        self.map_head(|d| d.at_row(row, column))
    }

    /// Adds where in the line (characters from 1, as an editor counts) a
    /// data file's cell starts, to an error placed with [`Error::at_row`].
    pub fn at_char(self, at: Option<usize>) -> Self {
        self.map_head(|d| d.at_char(at))
    }

    /// Points at a spreadsheet cell: `sheet!cell` (an A1 reference), in
    /// declared column `column` if any.
    pub fn at_cell(self, sheet: &str, cell: &str, column: Option<&str>) -> Self {
        self.map_head(|d| d.at_cell(sheet, cell, column))
    }

    /// Points at row `row` (1-based, the first row of data is 1) of a file
    /// without lines, such as Parquet, and optionally a column.
    pub fn at_record(self, row: usize, column: Option<&str>) -> Self {
        self.map_head(|d| d.at_record(row, column))
    }

    /// Sets the hint that says what to do, replacing any so far.
    pub fn with_hint(self, hint: impl Into<String>) -> Self {
        self.map_head(|d| d.with_hint(hint))
    }

    /// Adds a further hint after those so far.
    pub fn add_hint(self, hint: impl Into<String>) -> Self {
        self.map_head(|d| d.add_hint(hint))
    }

    /// The class of error.
    pub fn kind(&self) -> ErrorKind {
        self.head().kind()
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        self.head().message()
    }

    /// The file the error is about, if any.
    pub fn file(&self) -> Option<&Path> {
        self.head().file()
    }

    /// The first hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.head().hint()
    }

    /// Every hint of the headline, in the order shown.
    pub fn hints(&self) -> &[String] {
        self.head().hints()
    }

    /// 1-based line and column for span errors.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        self.head().line_col()
    }

    /// Renders the error for people: message, `file:line:col`, the offending
    /// line with a caret, and the hints. Plain text, no colour. An error
    /// carrying several problems renders each, then a count.
    pub fn render(&self) -> String {
        if let [one] = self.diagnostics.as_slice() {
            if one.weight() == 1 {
                return one.render();
            }
        }
        let mut out = String::new();
        for d in self.all() {
            out += &d.render();
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
}

/// One line: the headline as `file:line:col: message (hint: …)`, and how
/// many more problems there are.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.head())?;
        if self.diagnostics.len() > 1 {
            write!(f, " (and {} more problems)", self.count() - 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl Diagnostics {
    /// Fails with every error diagnostic collected so far (taken out of
    /// the sink, all reported at once); warnings and notes stay.
    pub fn check(&mut self) -> Result<()> {
        match self.take_errors() {
            Some(diagnostics) => Err(Error { diagnostics }),
            None => Ok(()),
        }
    }
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
        let messages: Vec<_> = e.all().map(Diagnostic::message).collect();
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

    #[test]
    fn an_error_reported_as_warnings_keeps_places_and_hints() {
        let e = Error::collect(vec![
            Error::new(ErrorKind::Data, "age over 120")
                .in_file("v.csv")
                .at_row(2, Some("age"))
                .with_hint("fix the cell"),
            Error::new(ErrorKind::Data, "… and 3 more").standing_for(3),
        ])
        .unwrap_err();
        let warnings: Diagnostics = e.into_warnings().collect();
        assert!(warnings.iter().all(|w| w.severity() == Severity::Warning));
        assert_eq!(
            warnings.render(),
            "warning: age over 120\n  --> v.csv:2, column `age`\n  = hint: fix the cell\nwarning: … and 3 more\n"
        );
    }

    #[test]
    fn builders_act_on_the_headline_and_hints_accumulate() {
        let e = Error::collect(vec![
            Error::new(ErrorKind::Spec, "first"),
            Error::new(ErrorKind::Data, "second"),
        ])
        .unwrap_err()
        .with_hint("a")
        .add_hint("b");
        assert_eq!(e.hints(), ["a", "b"]);
        assert_eq!(e.all().nth(1).unwrap().hints(), [] as [String; 0]);
        assert_eq!(e.to_string(), "first (hint: a; b) (and 1 more problems)");
        assert_eq!(e.clone().with_hint("c").hints(), ["c"]);
        let back: Vec<Error> = e.into_all();
        assert_eq!(back[1].kind(), ErrorKind::Data);
    }

    #[test]
    fn a_sink_fails_with_all_its_errors_and_keeps_the_rest() {
        let mut sink = Diagnostics::default();
        assert!(sink.check().is_ok());
        sink.push(Diagnostic::error(ErrorKind::Spec, "a"));
        sink.push(Diagnostic::warning(ErrorKind::Data, "w"));
        sink.push(Diagnostic::note(ErrorKind::Spec, "n"));
        sink.push(Diagnostic::error(ErrorKind::Data, "b"));
        let e = sink.check().unwrap_err();
        assert_eq!(e.count(), 2);
        assert_eq!(sink.render(), "warning: w\nnote: n\n");
        assert!(sink.check().is_ok());
    }

    #[test]
    fn a_warning_made_an_error_renders_as_one() {
        let w = Diagnostic::warning(ErrorKind::Template, "no previous value");
        let e = Error::from_diagnostic(w);
        assert_eq!(e.all().next().unwrap().severity(), Severity::Error);
        assert_eq!(e.render(), "error: no previous value\n");
    }
}
