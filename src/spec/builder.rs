//! [`SpecBuilder`]: a valid spec for a unit test, written part by part,
//! so a test names only what it is about (a source, a table, a
//! `[disclosure]` section) instead of repeating the whole front matter.

use std::path::PathBuf;

use super::Spec;
use crate::error::Result;

/// Builds a spec for a unit test: `[report]` and `[content]` with
/// placeholder values (`name = "t"`, layout `l.typ`, templates `b.md` and
/// `s.md`, dated 2020-11-26) and whatever sections the test adds, in order.
/// The result is loaded and validated as any spec is (as `report.toml` in
/// the current folder), so a test's spans and messages are the real ones.
#[derive(Debug, Clone)]
pub(crate) struct SpecBuilder {
    path: PathBuf,
    report: Vec<String>,
    sections: Vec<String>,
}

impl Default for SpecBuilder {
    fn default() -> Self {
        SpecBuilder::new()
    }
}

impl SpecBuilder {
    /// The placeholder front matter and nothing else.
    pub(crate) fn new() -> SpecBuilder {
        SpecBuilder {
            path: PathBuf::from("report.toml"),
            report: vec!["layout = \"l.typ\"".to_string()],
            sections: Vec::new(),
        }
    }

    /// A `[report]` line, e.g. `out_dir = "build"`; `layout = …` replaces
    /// the placeholder layout.
    pub(crate) fn report(mut self, line: &str) -> SpecBuilder {
        if line.trim_start().starts_with("layout") {
            self.report.retain(|l| !l.starts_with("layout"));
        }
        self.report.push(line.to_string());
        self
    }

    /// `[sources.NAME]` with `body` (TOML keys, one a line; may go on with
    /// sub-tables such as `[sources.NAME.columns]`).
    pub(crate) fn source(self, name: &str, body: &str) -> SpecBuilder {
        self.section(&format!("[sources.{name}]\n{body}"))
    }

    /// `[tables.NAME]` with `sql` and any further keys in `extra`.
    pub(crate) fn table(self, name: &str, sql: &str, extra: &str) -> SpecBuilder {
        self.section(&format!("[tables.{name}]\nsql = {sql:?}\n{extra}"))
    }

    /// `[disclosure]` with `threshold`, controlling every table.
    pub(crate) fn disclosure(self, threshold: i64) -> SpecBuilder {
        self.section(&format!(
            "[disclosure]\nthreshold = {threshold}\napply_to = [\"tables.*\"]"
        ))
    }

    /// Any further TOML, verbatim (sections, `[[checks]]`, …).
    pub(crate) fn section(mut self, toml: &str) -> SpecBuilder {
        self.sections.push(toml.trim_end().to_string());
        self
    }

    /// The spec's text.
    pub(crate) fn text(&self) -> String {
        let mut text = String::from(
            "[report]\nname = \"t\"\ntitle = \"T\"\nto = \"B\"\nfrom = \"A\"\ndate = 2020-11-26\n",
        );
        for line in &self.report {
            text.push_str(line);
            text.push('\n');
        }
        text.push_str("[content]\nbody = \"b.md\"\nsummary = \"s.md\"\n");
        for s in &self.sections {
            text.push_str(s);
            text.push('\n');
        }
        text
    }

    /// The spec loaded and validated, or every problem with it.
    pub(crate) fn load(&self) -> Result<Spec> {
        Spec::from_text(&self.path, self.text())
    }

    /// The spec; panics (the test is wrong) if it is not valid.
    pub(crate) fn build(&self) -> Spec {
        match self.load() {
            Ok(spec) => spec,
            Err(e) => panic!("invalid test spec:\n{e}\n{}", self.text()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_land_in_their_sections_and_load() {
        let spec = SpecBuilder::new()
            .report("out_dir = \"build\"")
            .source("v", "path = \"v.csv\"\ncolumns = { id = \"int\" }")
            .table("t", "SELECT id FROM v", "small = true")
            .disclosure(5)
            .build();
        assert_eq!(spec.report.out_dir.as_ref().unwrap().get_ref(), "build");
        assert_eq!(spec.sources["v"].path.get_ref(), "v.csv");
        assert!(spec.tables["t"].small);
        assert_eq!(*spec.disclosure.unwrap().get_ref().threshold.get_ref(), 5);
    }

    #[test]
    fn a_mistake_is_reported_as_the_loader_reports_it() {
        let e = SpecBuilder::new()
            .report("language = \"fr-FR\"")
            .load()
            .unwrap_err();
        assert_eq!(e.message(), "unsupported language `fr-FR`");
        assert_eq!(e.line_col().map(|l| l.0), Some(8));
    }
}
