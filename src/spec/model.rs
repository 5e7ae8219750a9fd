//! The validated spec's sections: what `[report]`, `[content]`, `[batch]`
//! and `[disclosure]` say, typed, with the place each value was written
//! (`Spanned`) so later stages can point at it. Runtime-free: no registry,
//! no cache, nothing read.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::outputs::OutputFormat;

/// `[report]`: front matter and outputs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSection {
    /// Short machine name; default output names derive from it.
    pub name: String,
    /// The paper's title (MiniJinja template).
    pub title: Spanned<String>,
    /// The executive summary's title (MiniJinja template).
    #[serde(default = "default_summary_title")]
    pub summary_title: Spanned<String>,
    /// Addressee (MiniJinja template).
    pub to: Spanned<String>,
    /// Author (MiniJinja template).
    pub from: Spanned<String>,
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
    /// Output folder relative to the spec (default `out`); inside the
    /// project (`--out` may name any folder).
    #[serde(default)]
    pub out_dir: Option<Spanned<String>>,
    /// Output file names.
    #[serde(default)]
    pub outputs: Outputs,
    /// The "Sources of the figures" appendix: `true` in every output,
    /// `false` in none; unset, in the PDF and the web page only (the Word
    /// file always has a bookmark per printed figure).
    #[serde(default)]
    pub sources_appendix: Option<bool>,
    /// Data folders outside the project, by name (`[report.data_dirs]`):
    /// a source path `@NAME/file.csv` reads inside the folder `NAME`.
    #[serde(default)]
    pub data_dirs: BTreeMap<String, Spanned<DataDirDecl>>,
}

/// Where a data folder outside the project is: a path (absolute, or
/// relative to the spec's folder) or `{ env = "VARIABLE" }`, an environment
/// variable holding the path (so each machine can mount the share where it
/// likes).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum DataDirDecl {
    /// The folder's path.
    Path(String),
    /// An environment variable naming the folder.
    Env(EnvVar),
}

/// `{ env = "VARIABLE" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvVar {
    /// The variable's name.
    pub env: String,
}

/// `[report.outputs]`: which outputs to build and their file names inside
/// the output folder. The formats listed are the ones built; with none
/// listed (or no table), the PDF and the Word file under default names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outputs {
    /// PDF board paper (default `<name>.pdf`).
    pub pdf: Option<String>,
    /// Word executive summary (default `<name>-summary.docx`).
    pub docx: Option<String>,
    /// The whole paper as one accessible HTML page (default `<name>.html`).
    pub html: Option<String>,
}

impl Outputs {
    /// The name the spec gives `format`'s file, if it lists that format.
    pub fn get(&self, format: OutputFormat) -> Option<&String> {
        match format {
            OutputFormat::Pdf => self.pdf.as_ref(),
            OutputFormat::Docx => self.docx.as_ref(),
            OutputFormat::Html => self.html.as_ref(),
        }
    }
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

/// `[batch]`: the values a batch of papers is built for, one paper each.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchSection {
    /// The declared parameter each paper sets (`district`).
    pub for_each: Spanned<String>,
    /// The values, listed.
    #[serde(default)]
    pub values: Option<Spanned<Vec<String>>>,
    /// Or a query returning them (first column, in the query's order),
    /// run over the sources like any figure.
    #[serde(default)]
    pub query: Option<Spanned<String>>,
    /// Each output's file name stem for one paper, a template over `stem`
    /// (the single paper's stem, e.g. `needs-assessment`), `slug` and `value`;
    /// default `{{ stem }}-{{ slug }}`.
    #[serde(default)]
    pub output: Option<Spanned<String>>,
}

/// `[disclosure]`: small counts are suppressed, and the published tables
/// are audited so that no suppressed count can be worked out from the rest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureSection {
    /// Counts `1..threshold` are suppressed (primary suppression); every
    /// suppressed cell's feasible interval must be at least this wide.
    pub threshold: Spanned<i64>,
    /// What a suppressed cell shows (default `[c]`, the UK government
    /// statistics symbol for confidential).
    #[serde(default = "default_marker")]
    pub marker: String,
    /// Round published counts and totals to this base (e.g. 5).
    #[serde(default)]
    pub round_to: Option<Spanned<i64>>,
    /// Which tables are controlled: `tables.NAME` patterns, `*` matching
    /// any run of characters (e.g. `["tables.*"]`).
    #[serde(default)]
    pub apply_to: Vec<Spanned<String>>,
    /// Whether a zero count may be published (default true).
    #[serde(default = "default_true")]
    pub zero_safe: bool,
}

/// `[tables.NAME.protect]`: which columns of a controlled table are counts.
///
/// One-way tables name their count columns (`counts`, default: the table's
/// `totals`) and the columns computed from them (`derived`); two-way tables
/// name the long-form query's `rows`, `columns` and `value` columns, and are
/// published pivoted, with row and column totals.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtectDecl {
    /// Count columns (one-way tables).
    #[serde(default)]
    pub counts: Vec<Spanned<String>>,
    /// Column → the count it is computed from (a rate or share): suppressed
    /// whenever that count is.
    #[serde(default)]
    pub derived: BTreeMap<String, Spanned<String>>,
    /// Numeric columns that are not counts of people and need no control
    /// (e.g. a population estimate or an age bound).
    #[serde(default)]
    pub public: Vec<Spanned<String>>,
    /// Two-way: the column whose values label the rows.
    #[serde(default)]
    pub rows: Option<Spanned<String>>,
    /// Two-way: the column whose values become the columns.
    #[serde(default)]
    pub columns: Option<Spanned<String>>,
    /// Two-way: the count in each cell.
    #[serde(default)]
    pub value: Option<Spanned<String>>,
    /// Add complementary suppressions as needed (default true); `false`
    /// means the primary pattern must pass the audit as it is.
    #[serde(default = "default_true")]
    pub secondary: bool,
}

fn default_marker() -> String {
    "[c]".to_string()
}

pub(super) fn default_true() -> bool {
    true
}

fn default_language() -> Spanned<String> {
    Spanned::new(0..0, "en-GB".to_string())
}

/// The default summary title; not written in the spec, so its span is empty.
fn default_summary_title() -> Spanned<String> {
    Spanned::new(0..0, "Executive Summary".to_string())
}
