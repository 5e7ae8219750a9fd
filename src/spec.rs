//! The report spec: one TOML file read into typed, validated structs.
//!
//! Unknown keys are errors (a typo must not be silently ignored), every path
//! is resolved against the spec's folder and must stay inside the project
//! root, and errors point at the line and column of the offending value.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::{display_path, suggest, Error, ErrorKind, Result};
use crate::params::{ParamDecl, Params};

/// A parsed, validated report spec and where it lives.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The spec file as the user named it.
    pub path: PathBuf,
    /// The spec's text, for pointing at lines in errors.
    pub text: String,
    /// The folder containing the spec; relative paths resolve against it.
    pub dir: PathBuf,
    /// The project root; nothing outside it is read.
    pub root: PathBuf,
    /// The deserialised TOML.
    pub raw: RawSpec,
    /// The report date, parsed once from `report.date`.
    pub date: jiff::civil::Date,
}

/// The TOML document, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    /// Who the paper is for, what it is called and where it goes.
    pub report: ReportSection,
    /// The content files (Markdown + MiniJinja).
    pub content: ContentSection,
    /// Declared parameters with defaults (overridable with `--set`).
    #[serde(default)]
    pub params: BTreeMap<String, Spanned<ParamDecl>>,
    /// Data sources by table name.
    #[serde(default)]
    pub sources: BTreeMap<String, SourceDecl>,
    /// Intermediate queries other queries can select from (never shown).
    #[serde(default)]
    pub views: BTreeMap<String, ViewDecl>,
    /// Scalar figures by name.
    #[serde(default)]
    pub figures: BTreeMap<String, FigureDecl>,
    /// Tables by name.
    #[serde(default)]
    pub tables: BTreeMap<String, TableDecl>,
    /// Charts over computed tables, by name (`{{ chart("name") }}`).
    #[serde(default)]
    pub charts: BTreeMap<String, Spanned<ChartDecl>>,
    /// Custom data checks in Polars SQL (`[[checks]]`), run after the tables.
    #[serde(default)]
    pub checks: Vec<Spanned<SqlCheckDecl>>,
}

/// `[report]`: front matter and outputs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSection {
    /// Short machine name; default output names derive from it.
    pub name: String,
    /// The paper's title (MiniJinja template).
    pub title: String,
    /// The executive summary's title (MiniJinja template).
    #[serde(default = "default_summary_title")]
    pub summary_title: String,
    /// Addressee.
    pub to: String,
    /// Author.
    pub from: String,
    /// Report date, ISO `yyyy-mm-dd` (string or TOML date).
    pub date: Spanned<toml::Value>,
    /// BCP 47 language tag; only `en-GB` is supported for now.
    #[serde(default = "default_language")]
    pub language: Spanned<String>,
    /// Project root relative to the spec's folder (default: the spec's folder).
    #[serde(default)]
    pub root: Option<Spanned<String>>,
    /// The Typst house style, relative to the spec.
    pub layout: Spanned<String>,
    /// Extra font files the report supplies, relative to the spec.
    #[serde(default)]
    pub fonts: Vec<Spanned<String>>,
    /// Output folder relative to the spec (default `out`).
    #[serde(default)]
    pub out_dir: Option<String>,
    /// Output file names.
    #[serde(default)]
    pub outputs: Outputs,
}

/// `[report.outputs]`: file names inside the output folder.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outputs {
    /// PDF board paper (default `<name>.pdf`).
    pub pdf: Option<String>,
    /// Word executive summary (default `<name>-summary.docx`).
    pub docx: Option<String>,
}

/// `[content]`: Markdown + MiniJinja templates, relative to the spec.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentSection {
    /// The board paper's body.
    pub body: Spanned<String>,
    /// The executive summary (Word file and PDF appendix).
    pub summary: Spanned<String>,
}

/// `[sources.NAME]`: a CSV file with a declared schema.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDecl {
    /// The file, relative to the spec.
    pub path: Spanned<String>,
    /// Column name → type (`string`, `int`, `float`, `bool`, `date`).
    pub columns: BTreeMap<Spanned<String>, Spanned<ColumnType>>,
    /// A date column; the engine keeps only rows in the report period.
    #[serde(default)]
    pub period_column: Option<Spanned<String>>,
    /// `period` (default) keeps rows in the period; `to-date` keeps every row
    /// up to the period's end (for trends).
    #[serde(default)]
    pub period_filter: PeriodFilter,
    /// Declared data checks on every row of the file (`[[sources.NAME.checks]]`).
    #[serde(default)]
    pub checks: Vec<Spanned<CheckDecl>>,
}

/// How a source's `period_column` filters rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PeriodFilter {
    /// Rows whose date falls within the period.
    #[default]
    Period,
    /// Rows whose date is on or before the period's end.
    ToDate,
}

/// A column's declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// Text.
    String,
    /// 64-bit integer.
    Int,
    /// 64-bit float.
    Float,
    /// `true` / `false`.
    Bool,
    /// ISO `yyyy-mm-dd`.
    Date,
}

/// `[views.NAME]`: a named intermediate query (like a SQL view).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewDecl {
    /// The query; later views, tables and figures select from it by name.
    pub sql: Spanned<String>,
}

/// `[figures.NAME]`: a scalar from a Polars SQL query.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureDecl {
    /// The query; must return one row and one column.
    pub sql: Spanned<String>,
    /// What the figure means, for readers of the spec and the manifest.
    #[serde(default)]
    pub description: Option<String>,
    /// `integer`, `decimal:N` or `percent:N` (as for table columns): how
    /// `diff`, `refresh`, `verify` and the manifest show the figure.
    #[serde(default)]
    pub format: Option<Spanned<String>>,
}

/// `[tables.NAME]`: a DataFrame from a Polars SQL query.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDecl {
    /// Caption shown with the table ("Table N: …"); may use `{{ }}`.
    #[serde(default)]
    pub caption: Option<String>,
    /// Columns summed into a totals row at the foot of the table.
    #[serde(default)]
    pub totals: Vec<Spanned<String>>,
    /// The totals row's label (default "Total").
    #[serde(default)]
    pub total_label: Option<String>,
    /// Set in a smaller font, for wide tables.
    #[serde(default)]
    pub small: bool,
    /// The query.
    pub sql: Spanned<String>,
    /// Display columns in order; default: every column, unformatted.
    #[serde(default)]
    pub columns: Vec<ColumnDecl>,
    /// Declared data checks on the computed rows (`[[tables.NAME.checks]]`).
    #[serde(default)]
    pub checks: Vec<Spanned<CheckDecl>>,
}

/// One declared data check on a source's or table's rows: exactly one rule
/// (`unique`, `not_null`, `values`, `range`, `pattern`, `foreign_key`);
/// `values`, `range`, `pattern` and `foreign_key` apply to `column`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckDecl {
    /// The column `values`, `range`, `pattern` and `foreign_key` test.
    #[serde(default)]
    pub column: Option<Spanned<String>>,
    /// Columns whose combination must not repeat.
    #[serde(default)]
    pub unique: Option<Vec<Spanned<String>>>,
    /// Columns that must have a value in every row.
    #[serde(default)]
    pub not_null: Option<Vec<Spanned<String>>>,
    /// The values `column` may take (text or whole numbers).
    #[serde(default)]
    pub values: Option<Spanned<Vec<toml::Value>>>,
    /// `[min, max]`, inclusive: the numbers `column` may take.
    #[serde(default)]
    pub range: Option<Spanned<Vec<f64>>>,
    /// A regular expression every value of `column` must match in full.
    #[serde(default)]
    pub pattern: Option<Spanned<String>>,
    /// `TABLE.COLUMN`: every value of `column` must occur there.
    #[serde(default)]
    pub foreign_key: Option<Spanned<String>>,
    /// `error` (default: the build fails) or `warning`.
    #[serde(default)]
    pub level: CheckLevel,
    /// What a failure means, for the reader (default: the rule in words).
    #[serde(default)]
    pub message: Option<String>,
}

/// How serious a failed check is.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum CheckLevel {
    /// The build fails.
    #[default]
    Error,
    /// The build warns (and fails under `--strict`); templates can list it.
    Warning,
}

/// `[[checks]]`: a custom check in Polars SQL over the sources (filtered to
/// the period), views and tables.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlCheckDecl {
    /// The query; it selects the offending rows.
    pub sql: Spanned<String>,
    /// `no rows` (the only expectation for now; the default).
    #[serde(default)]
    pub expect: Option<Spanned<String>>,
    /// What a failure means, for the reader.
    pub message: String,
    /// `error` (default) or `warning`.
    #[serde(default)]
    pub level: CheckLevel,
}

/// One displayed column of a table.
/// `[charts.NAME]`: a chart over a computed table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartDecl {
    /// The `[tables]` entry it draws.
    pub table: Spanned<String>,
    /// `bar`, `horizontal-bar`, `grouped-bar`, `line` or `table-bars`.
    pub kind: ChartKindDecl,
    /// The column of category labels.
    pub x: Spanned<String>,
    /// The value column, or several (one series each) for grouped bars and lines.
    pub y: Spanned<OneOrMany>,
    /// The caption ("Figure N: title"); may use `{{ }}`.
    pub title: String,
    /// Alternative text for readers who cannot see the chart; may use `{{ }}`
    /// to state the figures. Required: accessible PDF (PDF/UA-1) and Word
    /// need it.
    #[serde(default)]
    pub alt: Option<Spanned<String>>,
    /// Horizontal axis title.
    #[serde(default)]
    pub x_label: Option<String>,
    /// Vertical axis title.
    #[serde(default)]
    pub y_label: Option<String>,
    /// Print each value on its bar or point.
    #[serde(default)]
    pub value_labels: bool,
    /// `integer`, `decimal:N` or `percent:N` (default: the table column's).
    #[serde(default)]
    pub format: Option<Spanned<String>>,
    /// Start a line chart's value axis at zero (default true).
    #[serde(default)]
    pub y_from_zero: Option<bool>,
    /// Size in points (default 440 × 260).
    #[serde(default)]
    pub width: Option<f32>,
    /// Height in points.
    #[serde(default)]
    pub height: Option<f32>,
}

/// The chart kinds a spec may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChartKindDecl {
    /// Vertical bars.
    Bar,
    /// Horizontal bars.
    HorizontalBar,
    /// Several series side by side.
    GroupedBar,
    /// A trend line.
    Line,
    /// A table with a bar per row.
    TableBars,
}

/// One column name or several.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// `y = "rate"`.
    One(String),
    /// `y = ["2018/19", "2019/20"]`.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The names, in order.
    pub fn names(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDecl {
    /// The query's column name.
    pub name: Spanned<String>,
    /// Header text (default: the name).
    #[serde(default)]
    pub label: Option<String>,
    /// `text`, `integer`, `decimal:N` or `percent:N`.
    #[serde(default)]
    pub format: Option<Spanned<String>>,
}

fn default_language() -> Spanned<String> {
    Spanned::new(0..0, "en-GB".to_string())
}

fn default_summary_title() -> String {
    "Executive Summary".to_string()
}

impl Spec {
    /// Reads and validates the spec at `path`.
    pub fn load(path: &Path) -> Result<Spec> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::new(ErrorKind::Io, format!("cannot read the spec: {e}"))
                .in_file(path)
                .with_hint("check the path; a spec is a `report.toml` file")
        })?;
        Spec::from_text(path, text)
    }

    /// Validates spec `text` as if it were the file at `path`.
    pub fn from_text(path: &Path, text: String) -> Result<Spec> {
        let raw: RawSpec = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let root = match &raw.report.root {
            Some(r) => normalize(&dir.join(r.get_ref())),
            None => normalize(&dir),
        };
        let mut spec = Spec {
            path: path.to_path_buf(),
            text,
            dir,
            root,
            raw,
            date: jiff::civil::Date::default(),
        };
        spec.date = spec.parse_date()?;
        spec.validate()?;
        Ok(spec)
    }

    /// Resolves a path written in the spec (relative to its folder), refusing
    /// anything that leaves the project root.
    pub fn resolve(&self, value: &Spanned<String>) -> Result<PathBuf> {
        let joined = normalize(&self.dir.join(value.get_ref()));
        // Lexically inside, and (for files that exist) not a symlink out.
        let root = match self.root.as_os_str().is_empty() {
            true => Path::new("."),
            false => self.root.as_path(),
        };
        let escapes_by_link = match (joined.canonicalize(), root.canonicalize()) {
            (Ok(real), Ok(root)) => !real.starts_with(root),
            _ => false,
        };
        if escapes_by_link {
            return Err(self
                .error_at(
                    ErrorKind::Spec,
                    format!(
                        "`{}` links to a file outside the project root",
                        value.get_ref()
                    ),
                    value.span(),
                )
                .with_hint("copy the file into the project instead of linking to it"));
        }
        if Path::new(value.get_ref()).is_absolute() || !within(&joined, &self.root) {
            return Err(self
                .error_at(
                    ErrorKind::Spec,
                    format!("`{}` is outside the project root", value.get_ref()),
                    value.span(),
                )
                .with_hint(format!(
                    "use a path relative to the spec inside `{}`, or set `report.root`",
                    display_path(&self.root)
                )));
        }
        Ok(joined)
    }

    /// An error pointing at a byte range of the spec.
    pub fn error_at(
        &self,
        kind: ErrorKind,
        message: impl Into<String>,
        span: std::ops::Range<usize>,
    ) -> Error {
        Error::new(kind, message)
            .in_file(&self.path)
            .at_span(&self.text, span)
    }

    /// The output folder: `--out` if given, else `report.out_dir` or `out/`.
    pub fn out_dir(&self, cli_out: Option<&Path>) -> PathBuf {
        match cli_out {
            Some(p) => p.to_path_buf(),
            None => self
                .dir
                .join(self.raw.report.out_dir.as_deref().unwrap_or("out")),
        }
    }

    /// The PDF, DOCX and manifest file names.
    pub fn output_names(&self) -> crate::OutputNames {
        let r = &self.raw.report;
        crate::OutputNames {
            pdf: r
                .outputs
                .pdf
                .clone()
                .unwrap_or_else(|| format!("{}.pdf", r.name)),
            docx: r
                .outputs
                .docx
                .clone()
                .unwrap_or_else(|| format!("{}-summary.docx", r.name)),
            manifest: format!("{}.manifest.json", r.name),
        }
    }

    /// Resolves the declared parameters, applying `--set NAME=VALUE` overrides.
    pub fn params(&self, overrides: &[(String, String)]) -> Result<Params> {
        Params::resolve(self, overrides)
    }

    fn parse_date(&self) -> Result<jiff::civil::Date> {
        let v = &self.raw.report.date;
        let text = match v.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) => d.to_string(),
            _ => String::new(),
        };
        text.parse::<jiff::civil::Date>().map_err(|_| {
            self.error_at(
                ErrorKind::Spec,
                "`report.date` must be a date like `2020-11-26`",
                v.span(),
            )
        })
    }

    fn validate(&self) -> Result<()> {
        let lang = &self.raw.report.language;
        if lang.get_ref() != "en-GB" {
            return Err(self
                .error_at(
                    ErrorKind::Spec,
                    format!("unsupported language `{}`", lang.get_ref()),
                    lang.span(),
                )
                .with_hint("only `en-GB` is supported"));
        }
        self.check_table_names()?;
        self.check_charts()?;
        for (name, source) in &self.raw.sources {
            if let Some(col) = &source.period_column {
                let declared = source
                    .columns
                    .iter()
                    .find(|(k, _)| k.get_ref() == col.get_ref());
                if !matches!(declared, Some((_, t)) if *t.get_ref() == ColumnType::Date) {
                    let names: Vec<&str> = source
                        .columns
                        .keys()
                        .map(|k| k.get_ref().as_str())
                        .collect();
                    return Err(self
                        .error_at(
                            ErrorKind::Spec,
                            format!("`period_column` of source `{name}` must name a `date` column"),
                            col.span(),
                        )
                        .with_hint(suggest(col.get_ref(), &names, "columns")));
                }
            }
        }
        Ok(())
    }
}

impl Spec {
    /// Sources, views and tables share one SQL namespace (with `params`), so
    /// a name used twice would silently hide one of them.
    fn check_table_names(&self) -> Result<()> {
        let raw = &self.raw;
        let mut seen: BTreeMap<&str, &str> = BTreeMap::from([("params", "the parameters table")]);
        let named = raw
            .sources
            .keys()
            .map(|n| (n, "source"))
            .chain(raw.views.keys().map(|n| (n, "view")))
            .chain(raw.tables.keys().map(|n| (n, "table")));
        for (name, what) in named {
            if let Some(first) = seen.insert(name, what) {
                let key = format!("{what}s.{name}");
                let at = self.text.find(&key).map_or(0..0, |i| i..i + key.len());
                return Err(self
                    .error_at(ErrorKind::Spec, format!("{what} `{name}` has the same name as {first} `{name}`"), at)
                    .with_hint("sources, views and tables are tables in one SQL namespace: rename one of them"));
            }
        }
        Ok(())
    }
}

impl Spec {
    /// Every chart draws a declared table and has alternative text: an
    /// accessible document (PDF/UA-1) cannot contain an undescribed chart.
    fn check_charts(&self) -> Result<()> {
        for (name, chart) in &self.raw.charts {
            let c = chart.get_ref();
            if !self.raw.tables.contains_key(c.table.get_ref()) {
                let names: Vec<&str> = self.raw.tables.keys().map(String::as_str).collect();
                return Err(self
                    .error_at(
                        ErrorKind::Spec,
                        format!(
                            "chart `{name}` draws table `{}`, which is not declared",
                            c.table.get_ref()
                        ),
                        c.table.span(),
                    )
                    .with_hint(suggest(c.table.get_ref(), &names, "tables")));
            }
            let alt_missing = c.alt.as_ref().is_none_or(|a| a.get_ref().trim().is_empty());
            if alt_missing {
                let span = c.alt.as_ref().map_or(chart.span(), |a| a.span());
                return Err(self
                    .error_at(
                        ErrorKind::Spec,
                        format!("chart `{name}` has no alternative text"),
                        span,
                    )
                    .with_hint("add `alt = \"…\"` describing what the chart shows (it may use {{ figures }}): the accessible PDF (PDF/UA-1) and Word need it for readers who cannot see the chart"));
            }
        }
        Ok(())
    }
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let message = e.message().trim_end_matches('\n').replace('\n', "; ");
    let mut err = Error::new(ErrorKind::Spec, format!("invalid spec: {message}")).in_file(path);
    if let Some(span) = e.span() {
        err = err.at_span(text, span);
    }
    err.with_hint("fix the TOML here: text values need quotes, sections are `[name]`, and only the documented keys are allowed")
}

/// Whether `path` lies inside `root` (both lexically normalised).
fn within(path: &Path, root: &Path) -> bool {
    match path.strip_prefix(root) {
        Ok(rest) => !rest.components().any(|c| c == Component::ParentDir),
        Err(_) => false,
    }
}

/// Lexically normalises a path (`a/./b/../c` → `a/c`) without touching the
/// file system, so root checks work on paths that do not exist yet.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_removes_dot_segments() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("a/../../c")), PathBuf::from("../c"));
    }

    #[test]
    fn within_rejects_escapes() {
        assert!(within(Path::new("../../data/v.csv"), Path::new("../..")));
        assert!(!within(Path::new("../../../v.csv"), Path::new("../..")));
        assert!(!within(Path::new("../v.csv"), Path::new("")));
        assert!(within(Path::new("data/v.csv"), Path::new("")));
    }
}
