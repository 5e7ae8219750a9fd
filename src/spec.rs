//! The report spec: one TOML file read into typed, validated structs.
//!
//! Unknown keys are errors (a typo must not be silently ignored), every path
//! is resolved against the spec's folder and must stay inside the project
//! root, and errors point at the line and column of the offending value.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::error::{display_path, suggest, Error, ErrorKind, Result};
use crate::inputs::{InputFile, Inputs};
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
    /// Every file this spec's build reads, the spec first (see [`Inputs`]).
    pub inputs: Arc<Inputs>,
    /// The build cache (see `cache`); disabled until the build
    /// turns it on.
    pub cache: Arc<crate::cache::Cache>,
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
    /// Statistical disclosure control for published tables.
    #[serde(default)]
    pub disclosure: Option<Spanned<DisclosureSection>>,
    /// Resource limits (`[limits]`); the defaults suit any real report.
    #[serde(default)]
    pub limits: Limits,
    /// Custom data checks in Polars SQL (`[[checks]]`), run after the tables.
    #[serde(default)]
    pub checks: Vec<Spanned<SqlCheckDecl>>,
    /// The house style shared by every output (`[style]`).
    #[serde(default)]
    pub style: StyleSection,
    /// One paper per value of a parameter (`[batch]`), built by
    /// `boardpack build --for-each`.
    #[serde(default)]
    pub batch: Option<Spanned<BatchSection>>,
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

/// `[style]`: one house style for the PDF, the Word file and the charts.
/// Every field is optional; without any the bundled house style applies.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleSection {
    /// Body text font family (bundled, or from `report.fonts`).
    #[serde(default)]
    pub body_font: Option<Spanned<String>>,
    /// Heading font family (default: the body font).
    #[serde(default)]
    pub heading_font: Option<Spanned<String>>,
    /// Accent colour as `#RRGGBB` (headings, table header rules, charts).
    #[serde(default)]
    pub accent: Option<Spanned<String>>,
    /// A logo image (PNG or SVG), relative to the spec.
    #[serde(default)]
    pub logo: Option<Spanned<String>>,
    /// Running header text (every page).
    #[serde(default)]
    pub header: Option<Spanned<String>>,
    /// Running footer text (every page), beside "Page X of Y".
    #[serde(default)]
    pub footer: Option<Spanned<String>>,
    /// Page margins in millimetres.
    #[serde(default)]
    pub margins: Option<Spanned<Margins>>,
    /// Protective marking (UK Government Security Classifications), printed
    /// at the top and bottom of every page and recorded in the properties.
    #[serde(default)]
    pub marking: Option<Spanned<String>>,
    /// A cover page before the paper.
    #[serde(default)]
    pub cover: bool,
    /// A table of contents after the cover (or the front matter).
    #[serde(default)]
    pub toc: bool,
    /// The office's Word template: its parts are kept, only the body is ours.
    #[serde(default)]
    pub reference_docx: Option<Spanned<String>>,
    /// Content role → Word style name (`heading1 = "OPCC Heading 1"`).
    #[serde(default)]
    pub word: BTreeMap<String, Spanned<String>>,
}

/// Page margins in millimetres (`margins = { top = 25, bottom = 25, left = 20, right = 20 }`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Margins {
    /// Top margin.
    pub top: f64,
    /// Bottom margin.
    pub bottom: f64,
    /// Left margin.
    pub left: f64,
    /// Right margin.
    pub right: f64,
}

/// The content roles `[style.word]` maps to Word style names.
pub(crate) const WORD_ROLES: &[&str] = &[
    "title",
    "heading1",
    "heading2",
    "heading3",
    "list_bullet",
    "list_number",
    "caption",
    "table",
    "hyperlink",
];

/// The protective markings `[style] marking` accepts.
pub(crate) const MARKINGS: &[&str] = &["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET"];

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

fn default_true() -> bool {
    true
}

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
    pub fn get(&self, format: crate::backend::Format) -> Option<&String> {
        use crate::backend::Format;
        match format {
            Format::Pdf => self.pdf.as_ref(),
            Format::Docx => self.docx.as_ref(),
            Format::Html => self.html.as_ref(),
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

/// `[limits]`: bounds on what one build may consume, so a runaway template
/// or layout stops with an error instead of exhausting the machine. Each key
/// has a safe range ([`LIMIT_RANGES`]): no value can turn a guard off or let
/// the build crash; a value outside it is a spec error, reported by the loader.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "LimitsDecl")]
pub struct Limits {
    /// How deeply Markdown may nest (quotes, lists, emphasis), counted in
    /// container levels.
    pub markdown_depth: usize,
    /// The most text one content template may produce, in megabytes.
    pub template_output_mb: u64,
    /// MiniJinja instructions one template render may execute.
    pub template_fuel: u64,
    /// Seconds the Typst layout may run.
    pub layout_seconds: u64,
    /// The most cells (rows × columns, within `range` if given) an Excel
    /// sheet may declare or hold; checked before any cell is stored.
    pub sheet_cells: u64,
    /// The most resident memory the build may use, in megabytes (enforced
    /// by the command-line program; see `guard`).
    pub memory_mb: u64,
    /// The most files and folders one source's glob pattern may look at
    /// (a `**` over a huge or looping tree stops with an error).
    pub glob_entries: u64,
    /// The most pixels (width × height, as the file's header claims) an
    /// image the build reads may have; checked before it is decoded.
    pub image_pixels: u64,
    /// Keys written outside their safe range (their fields keep the
    /// default); the spec loader refuses the spec naming each.
    out_of_range: Vec<OutOfRange>,
}

/// A `[limits]` key written outside its safe range.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OutOfRange {
    key: &'static str,
    value: i64,
    span: std::ops::Range<usize>,
}

/// `[limits]` as written: integers with their place, any sign, so that every
/// out-of-range key (a negative one too) is reported at once by the loader
/// rather than the first alone by the TOML reader.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsDecl {
    #[serde(default)]
    markdown_depth: Option<Spanned<i64>>,
    #[serde(default)]
    template_output_mb: Option<Spanned<i64>>,
    #[serde(default)]
    template_fuel: Option<Spanned<i64>>,
    #[serde(default)]
    layout_seconds: Option<Spanned<i64>>,
    #[serde(default)]
    sheet_cells: Option<Spanned<i64>>,
    #[serde(default)]
    memory_mb: Option<Spanned<i64>>,
    #[serde(default)]
    glob_entries: Option<Spanned<i64>>,
    #[serde(default)]
    image_pixels: Option<Spanned<i64>>,
}

/// One `[limits]` key's safe range (inclusive) and why it ends where it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LimitRange {
    /// The key under `[limits]`.
    pub(crate) key: &'static str,
    /// The least safe value.
    pub(crate) min: u64,
    /// The greatest safe value.
    pub(crate) max: u64,
    /// The value without the key (as [`Limits::default`] has it).
    pub(crate) default: u64,
    /// The unit, for messages (`MB`, `seconds`).
    pub(crate) unit: &'static str,
    /// Why a smaller value is refused.
    pub(crate) below: &'static str,
    /// Why a larger value is refused.
    pub(crate) above: &'static str,
}

/// The safe range of every `[limits]` key (the README's Safety table lists
/// the same). The maximum of each is where the guard would stop guarding;
/// `markdown_depth`'s is also far below where the renderer's recursion runs
/// out of stack (about 2,000 levels on a 2 MB thread, measured).
pub(crate) const LIMIT_RANGES: [LimitRange; 8] = [
    LimitRange {
        key: "markdown_depth",
        min: 8,
        max: 64,
        default: 32,
        unit: "levels",
        below: "fewer levels would refuse ordinary papers (a list in a quote, with emphasis)",
        above: "Typst cannot lay out elements nested more than 64 deep, and deeper nesting would exhaust the renderer's stack",
    },
    LimitRange {
        key: "template_output_mb",
        min: 1,
        max: 1024,
        default: 16,
        unit: "MB",
        below: "below 1 MB every template would be refused",
        above: "more text than any paper holds would only fill memory before the cap stops a runaway loop",
    },
    LimitRange {
        key: "template_fuel",
        min: 10_000,
        max: 1_000_000_000,
        default: 50_000_000,
        unit: "steps",
        below: "fewer steps cannot render a template with a table",
        above: "a runaway loop would then run for many minutes before it is stopped",
    },
    LimitRange {
        key: "layout_seconds",
        min: 1,
        max: 3600,
        default: 60,
        unit: "seconds",
        below: "below 1 second every layout would stop before it starts",
        above: "a layout stuck in a loop would then hold the build for hours",
    },
    LimitRange {
        key: "sheet_cells",
        min: 1,
        max: 1_000_000_000,
        default: 100_000_000,
        unit: "cells",
        below: "below 1 cell every sheet would be refused",
        above: "a sheet that size cannot be held in memory; split the data or export it as CSV",
    },
    LimitRange {
        key: "memory_mb",
        min: 256,
        max: 65_536,
        default: 8192,
        unit: "MB",
        below: "0 would turn the memory guard off, and below 256 MB no build can start",
        above: "beyond the memory of the machine the guard could never fire",
    },
    LimitRange {
        key: "glob_entries",
        min: 1,
        max: 10_000_000,
        default: 100_000,
        unit: "entries",
        below: "below 1 entry no glob could look at its folder",
        above: "a `**` over a huge or looping tree would then run for many minutes before it is stopped",
    },
    LimitRange {
        key: "image_pixels",
        min: 1,
        max: 500_000_000,
        default: 50_000_000,
        unit: "pixels",
        below: "below 1 pixel every image would be refused",
        above: "an image that size takes 2 GB to decode; the check before decoding would no longer protect the build",
    },
];

impl Default for Limits {
    fn default() -> Self {
        Limits {
            markdown_depth: 32,
            template_output_mb: 16,
            template_fuel: 50_000_000,
            layout_seconds: 60,
            sheet_cells: 100_000_000,
            memory_mb: 8192,
            glob_entries: 100_000,
            image_pixels: 50_000_000,
            out_of_range: Vec::new(),
        }
    }
}

impl From<LimitsDecl> for Limits {
    fn from(d: LimitsDecl) -> Limits {
        let mut bad = Vec::new();
        let l = Limits::default();
        let mut take = |key: &'static str, v: Option<Spanned<i64>>, default: u64| match v {
            None => default,
            Some(v) => checked_limit(key, &v).unwrap_or_else(|| {
                bad.push(OutOfRange {
                    key,
                    value: *v.get_ref(),
                    span: v.span(),
                });
                default
            }),
        };
        let depth = take("markdown_depth", d.markdown_depth, l.markdown_depth as u64);
        Limits {
            // At most 64: the range check makes the conversion exact.
            markdown_depth: usize::try_from(depth).unwrap_or(l.markdown_depth),
            template_output_mb: take(
                "template_output_mb",
                d.template_output_mb,
                l.template_output_mb,
            ),
            template_fuel: take("template_fuel", d.template_fuel, l.template_fuel),
            layout_seconds: take("layout_seconds", d.layout_seconds, l.layout_seconds),
            sheet_cells: take("sheet_cells", d.sheet_cells, l.sheet_cells),
            memory_mb: take("memory_mb", d.memory_mb, l.memory_mb),
            glob_entries: take("glob_entries", d.glob_entries, l.glob_entries),
            image_pixels: take("image_pixels", d.image_pixels, l.image_pixels),
            out_of_range: bad,
        }
    }
}

/// `key`'s value if it is within its safe range.
fn checked_limit(key: &str, v: &Spanned<i64>) -> Option<u64> {
    let range = limit_range(key);
    u64::try_from(*v.get_ref())
        .ok()
        .filter(|n| (range.min..=range.max).contains(n))
}

fn limit_range(key: &str) -> &'static LimitRange {
    LIMIT_RANGES
        .iter()
        .find(|r| r.key == key)
        .unwrap_or(&LIMIT_RANGES[0])
}

/// `[sources.NAME]`: a data file (CSV, Parquet or an Excel workbook, by
/// its extension; a glob reads every matching file) or a PostgreSQL table
/// or query, with a declared schema.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDecl {
    /// The file, relative to the spec, or `@NAME/…` inside a declared data
    /// folder; may be a glob (`data/victims/*.csv`). Exactly one of `path`
    /// and `postgres`.
    #[serde(default = "no_path")]
    pub path: Spanned<String>,
    /// A PostgreSQL table or query instead of a file.
    #[serde(default)]
    pub postgres: Option<Spanned<DatabaseDecl>>,
    /// Excel only: the sheet to read (default: the first).
    #[serde(default)]
    pub sheet: Option<Spanned<String>>,
    /// Excel only: the cells to read, `A1:J50000`; its first row is the
    /// header (default: the whole sheet).
    #[serde(default)]
    pub range: Option<Spanned<String>>,
    /// Column name → type (`string`, `int`, `float`, `bool`, `date`), or
    /// the table form `{ type = "int", nullable = true, missing = ["NA"] }`.
    pub columns: BTreeMap<Spanned<String>, Spanned<SourceColumn>>,
    /// The cell texts that count as missing in every column that does not
    /// say otherwise (default: only the empty cell).
    #[serde(default)]
    pub missing: Option<Vec<String>>,
    /// A date column; the engine keeps only rows in the report period.
    #[serde(default)]
    pub period_column: Option<Spanned<String>>,
    /// Why some months of a period may have no rows (rare events). Without
    /// it, a month of the period with no rows is an error: the extract
    /// looks incomplete.
    #[serde(default)]
    pub sparse: Option<Spanned<String>>,
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
    /// ISO `yyyy-mm-dd hh:mm[:ss[.ffffff]]` (or `T` between), a local
    /// wall-clock time with no time zone.
    Datetime,
}

/// One declared source column: `col = "int"`, or the table form
/// `col = { type = "int", nullable = true, missing = ["", "NA"] }`.
///
/// Every column is required unless `nullable = true`: a missing cell (by
/// default only the empty cell; `missing` lists the texts that count as
/// missing) is then a null, and in a required column an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceColumn {
    /// The declared type.
    pub ty: ColumnType,
    /// Whether a missing cell becomes a null instead of an error.
    pub nullable: bool,
    /// The cell texts that count as missing in this column; `None` means
    /// the source's `missing`, or else only the empty cell.
    pub missing: Option<Vec<String>>,
}

/// The table form of [`SourceColumn`], with unknown keys rejected.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceColumnTable {
    #[serde(rename = "type")]
    ty: ColumnType,
    #[serde(default)]
    nullable: bool,
    #[serde(default)]
    missing: Option<Vec<String>>,
}

impl<'de> Deserialize<'de> for SourceColumn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = SourceColumn;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a column type (`string`, `int`, `float`, `bool`, `date`) or a table like `{ type = \"int\", nullable = true }`",
                )
            }
            fn visit_str<E: serde::de::Error>(
                self,
                v: &str,
            ) -> std::result::Result<Self::Value, E> {
                let ty = ColumnType::deserialize(serde::de::value::StrDeserializer::<E>::new(v))?;
                Ok(SourceColumn {
                    ty,
                    nullable: false,
                    missing: None,
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let t = SourceColumnTable::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )?;
                Ok(SourceColumn {
                    ty: t.ty,
                    nullable: t.nullable,
                    missing: t.missing,
                })
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// `postgres = { url_env = "BOARDPACK_PG_URL", table = "victims" }` (or
/// `query = "SELECT …"` instead of `table`): where a database source's rows
/// come from. The connection URL is read from the environment variable
/// `url_env` names, never from the spec.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseDecl {
    /// The environment variable holding the connection URL.
    pub url_env: Spanned<String>,
    /// A table (or view) name, optionally `schema.table`.
    #[serde(default)]
    pub table: Option<Spanned<String>>,
    /// A `SELECT` whose result is the source.
    #[serde(default)]
    pub query: Option<Spanned<String>>,
}

/// `path` left out (a database source): an empty path with an empty span.
fn no_path() -> Spanned<String> {
    Spanned::new(0..0, String::new())
}

impl SourceDecl {
    /// Whether the source is read from a database rather than a file.
    pub fn is_database(&self) -> bool {
        self.postgres.is_some()
    }

    /// The cell texts that count as missing in `column` (its own `missing`,
    /// else the source's, else only the empty cell).
    pub fn missing_for(&self, column: &SourceColumn) -> Vec<String> {
        column
            .missing
            .clone()
            .or_else(|| self.missing.clone())
            .unwrap_or_else(|| vec![String::new()])
    }
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
    /// The figure counts people: under `[disclosure]` the build fails if it
    /// is a small count (text cannot show a suppressed figure).
    #[serde(default)]
    pub count: bool,
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
    pub caption: Option<Spanned<String>>,
    /// Columns summed into a totals row at the foot of the table.
    #[serde(default)]
    pub totals: Vec<Spanned<String>>,
    /// The totals row's label (default "Total").
    #[serde(default)]
    pub total_label: Option<String>,
    /// Set in a smaller font, for wide tables.
    #[serde(default)]
    pub small: bool,
    /// Laid out on a landscape page of its own, for wide tables.
    #[serde(default)]
    pub landscape: bool,
    /// The query.
    pub sql: Spanned<String>,
    /// Display columns in order; default: every column, unformatted.
    #[serde(default)]
    pub columns: Vec<ColumnDecl>,
    /// Columns the query returns for disclosure control only (e.g. the
    /// count a shown rate is derived from): `protect` may name them, and
    /// they are never printed or published.
    #[serde(default)]
    pub hidden: Vec<Spanned<String>>,
    /// `true` puts the table under `[disclosure]` control, `false` opts it
    /// out of `disclosure.apply_to` (with `disclosure_reason`).
    #[serde(default)]
    pub disclosure: Option<Spanned<bool>>,
    /// Why a table is opted out (recorded in the manifest).
    #[serde(default)]
    pub disclosure_reason: Option<String>,
    /// Which columns are counts, for disclosure control.
    #[serde(default)]
    pub protect: Option<Spanned<ProtectDecl>>,
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
    /// `bar`, `horizontal-bar`, `grouped-bar`, `line`, `table-bars` or
    /// `year-on-year`.
    pub kind: ChartKindDecl,
    /// The column of category labels.
    pub x: Spanned<String>,
    /// The value column, or several (one series each) for grouped bars and lines.
    pub y: Spanned<OneOrMany>,
    /// The caption ("Figure N: title"); may use `{{ }}`.
    pub title: Spanned<String>,
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
    /// One value column, this period beside the previous one per category
    /// (e.g. quarter): grouped bars, last year first.
    YearOnYear,
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
    /// What the totals row shows for this column: `sum` (as if listed in
    /// the table's `totals`), `rate` (`numerator` total ÷ `denominator`
    /// total × `per`, recomputed from the totals, never summed) or `none`.
    #[serde(default)]
    pub total: Option<Spanned<String>>,
    /// For `total = "rate"`: the totalled column the rate counts.
    #[serde(default)]
    pub numerator: Option<Spanned<String>>,
    /// For `total = "rate"`: the totalled column the rate divides by.
    #[serde(default)]
    pub denominator: Option<Spanned<String>>,
    /// For `total = "rate"`: the multiplier (1000 for "per 1,000"; default
    /// 1, right for `percent:N` shares).
    #[serde(default)]
    pub per: Option<Spanned<f64>>,
}

fn default_language() -> Spanned<String> {
    Spanned::new(0..0, "en-GB".to_string())
}

/// The default summary title; not written in the spec, so its span is empty.
fn default_summary_title() -> Spanned<String> {
    Spanned::new(0..0, "Executive Summary".to_string())
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
        let (data_dirs, dir_errors) = data_dirs(path, &text, &dir, &raw.report.data_dirs);
        let inputs = Arc::new(
            Inputs::with_data_dirs(&root, data_dirs).with_image_limit(raw.limits.image_pixels),
        );
        inputs.record(path, "spec", text.as_bytes());
        let mut spec = Spec {
            path: path.to_path_buf(),
            text,
            dir,
            root,
            raw,
            date: jiff::civil::Date::default(),
            inputs,
            cache: Arc::default(),
        };
        let mut errors = dir_errors;
        match spec.parse_date() {
            Ok(date) => spec.date = date,
            Err(e) => errors.push(e),
        }
        spec.validate(&mut errors);
        // Reported in the order they appear in the file.
        errors.sort_by_key(Error::line_col);
        Error::collect(errors)?;
        Ok(spec)
    }

    /// Reads a file the spec names (`value`, relative to the spec's folder)
    /// through the build's [`Inputs`]; errors point at `value`.
    pub fn read(&self, value: &Spanned<String>, role: &str) -> Result<Arc<InputFile>> {
        let path = self.resolve(value)?;
        self.inputs.read(&path, role).map_err(|r| {
            let (message, hint) = r.explain(value.get_ref(), &self.root);
            self.error_at(ErrorKind::Io, message, value.span())
                .with_hint(hint)
        })
    }

    /// Resolves a path written in the spec (relative to its folder), refusing
    /// anything that leaves the project root.
    pub fn resolve(&self, value: &Spanned<String>) -> Result<PathBuf> {
        self.inputs.locate(&self.dir, value.get_ref()).map_err(|r| {
            let (message, hint) = r.explain(value.get_ref(), &self.root);
            self.error_at(ErrorKind::Spec, message, value.span())
                .with_hint(hint)
        })
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
            None => self.dir.join(
                self.raw
                    .report
                    .out_dir
                    .as_ref()
                    .map_or("out", |d| d.get_ref()),
            ),
        }
    }

    /// The declared outputs' file names (default: PDF and DOCX) and the
    /// manifests'.
    pub fn output_names(&self) -> crate::OutputNames {
        use crate::backend::Format;
        let r = &self.raw.report;
        let listed: Vec<(Format, String)> = Format::ALL
            .into_iter()
            .filter_map(|f| r.outputs.get(f).map(|n| (f, n.clone())))
            .collect();
        let outputs = if listed.is_empty() {
            [Format::Pdf, Format::Docx]
                .into_iter()
                .map(|f| (f, f.default_name(&r.name)))
                .collect()
        } else {
            listed
        };
        crate::OutputNames {
            outputs,
            manifest: format!("{}.manifest.json", r.name),
            private_manifest: format!("{}.manifest.private.json", r.name),
        }
    }

    /// Resolves the declared parameters, applying `--set NAME=VALUE` overrides.
    pub fn params(&self, overrides: &[(String, String)]) -> Result<Params> {
        Params::resolve(
            &self.raw.params,
            overrides,
            (&self.path, &|k, m, s| self.error_at(k, m, s)),
        )
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

    /// Runs every check, collecting each problem instead of stopping at the
    /// first, so one run reports everything wrong with the spec.
    fn validate(&self, errors: &mut Vec<Error>) {
        let lang = &self.raw.report.language;
        if lang.get_ref() != "en-GB" {
            errors.push(
                self.error_at(
                    ErrorKind::Spec,
                    format!("unsupported language `{}`", lang.get_ref()),
                    lang.span(),
                )
                .with_hint("only `en-GB` is supported"),
            );
        }
        self.check_table_names(errors);
        self.check_charts(errors);
        self.check_period_columns(errors);
        self.check_source_kinds(errors);
        self.check_paths(errors);
        self.check_formats(errors);
        self.check_output_names(errors);
        self.check_out_dir(errors);
        self.check_style(errors);
        self.check_batch(errors);
        self.check_word_roles(errors);
        self.check_limits(errors);
        if let Err(e) = self.params(&[]) {
            errors.extend(e.into_all());
        }
    }

    /// Every `[limits]` key written outside its safe range, at its value.
    fn check_limits(&self, errors: &mut Vec<Error>) {
        let n = |v: u64| crate::format::format_number(v as f64, 0);
        for bad in &self.raw.limits.out_of_range {
            let r = limit_range(bad.key);
            let why = if bad.value < i64::try_from(r.min).unwrap_or(i64::MAX) {
                r.below
            } else {
                r.above
            };
            errors.push(
                self.error_at(
                    ErrorKind::Spec,
                    format!(
                        "`limits.{}` must be from {} to {} {}, not {}",
                        bad.key,
                        n(r.min),
                        n(r.max),
                        r.unit,
                        bad.value
                    ),
                    bad.span.clone(),
                )
                .with_hint(format!(
                    "{why}; set a value in that range, or remove the key for the default ({})",
                    n(r.default)
                )),
            );
        }
    }

    fn check_batch(&self, errors: &mut Vec<Error>) {
        let Some(batch) = &self.raw.batch else {
            return;
        };
        let b = batch.get_ref();
        let param = b.for_each.get_ref();
        match self.raw.params.get(param) {
            None => {
                let names: Vec<&str> = self.raw.params.keys().map(String::as_str).collect();
                errors.push(
                    self.error_at(
                        ErrorKind::Spec,
                        format!(
                            "`[batch] for_each` names `{param}`, which is not a declared param"
                        ),
                        b.for_each.span(),
                    )
                    .with_hint(suggest(param, &names, "declared params")),
                );
            }
            Some(d) if d.get_ref().kind == crate::params::ParamKind::FinancialYear => {
                errors.push(
                    self.error_at(
                        ErrorKind::Spec,
                        format!("`[batch] for_each` cannot vary the period param `{param}`"),
                        b.for_each.span(),
                    )
                    .with_hint("a batch builds one paper per district, partnership or similar; build each year with `--set`"),
                );
            }
            Some(_) => {}
        }
        match (&b.values, &b.query) {
            (Some(_), Some(q)) => errors.push(
                self.error_at(
                    ErrorKind::Spec,
                    "`[batch]` has both `values` and `query`",
                    q.span(),
                )
                .with_hint("keep one: list the values, or select them with a query"),
            ),
            (None, None) => errors.push(
                self.error_at(
                    ErrorKind::Spec,
                    "`[batch]` says which param varies but not its values",
                    batch.span(),
                )
                .with_hint(format!(
                    "add `values = [\"…\", \"…\"]` or `query = \"SELECT DISTINCT {param} FROM …\"`"
                )),
            ),
            (Some(v), None) if v.get_ref().is_empty() => errors.push(
                self.error_at(ErrorKind::Spec, "`[batch] values` is empty", v.span())
                    .with_hint("list at least one value"),
            ),
            _ => {}
        }
        if let Some(o) = &b.output {
            if !o.get_ref().contains("slug") && !o.get_ref().contains("value") {
                errors.push(
                    self.error_at(ErrorKind::Spec, "`[batch] output` names every paper alike", o.span())
                        .with_hint("include `{{ slug }}` so each paper gets its own files, e.g. `{{ stem }}-{{ slug }}`"),
                );
            }
        }
    }

    fn check_style(&self, errors: &mut Vec<Error>) {
        self.check_style_fonts(errors);
        self.check_style_look(errors);
        if let Some(m) = &self.raw.style.marking {
            if !MARKINGS.contains(&m.get_ref().as_str()) {
                errors.push(
                    self.error_at(
                        ErrorKind::Spec,
                        format!("unknown protective marking `{}`", m.get_ref()),
                        m.span(),
                    )
                    .with_hint(format!("use one of: {}", MARKINGS.join(", "))),
                );
            }
        }
    }

    /// `[style.word]` keys name content roles; a typo is an error with
    /// "did you mean" (the style names are checked against the Word
    /// template when the Word file is written).
    fn check_word_roles(&self, errors: &mut Vec<Error>) {
        let roles = WORD_ROLES;
        for (key, value) in &self.raw.style.word {
            if roles.contains(&key.as_str()) {
                continue;
            }
            if key == crate::style::WORD_CAPTIONS {
                if !["own", "as-pdf"].contains(&value.get_ref().as_str()) {
                    errors.push(
                        self.error_at(
                            ErrorKind::Spec,
                            format!("unknown caption numbering `{}` in `[style.word] captions`", value.get_ref()),
                            value.span(),
                        )
                        .with_hint("use `own` (the summary's tables and figures numbered from 1) or `as-pdf` (the numbers of the PDF's appendix)"),
                    );
                }
                continue;
            }
            errors.push(
                self.error_at(
                    ErrorKind::Spec,
                    format!("unknown Word style role `{key}` in `[style.word]`"),
                    value.span(),
                )
                .with_hint(crate::error::suggest(key, roles, "roles")),
            );
        }
    }

    /// `body_font` and `heading_font` name a bundled family or one of the
    /// report's font files (a font file that cannot be read is reported
    /// when it is loaded, so the families are then not checked).
    fn check_style_fonts(&self, errors: &mut Vec<Error>) {
        let st = &self.raw.style;
        let named: Vec<(&str, &Spanned<String>)> = [
            ("body_font", &st.body_font),
            ("heading_font", &st.heading_font),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
        .collect();
        if named.is_empty() {
            return;
        }
        let mut files = Vec::new();
        for f in &self.raw.report.fonts {
            match self.read(f, "font") {
                Ok(file) => files.push(file.bytes.clone()),
                Err(_) => return,
            }
        }
        let families = crate::style::font_families(&files);
        let names: Vec<&str> = families.iter().map(String::as_str).collect();
        for (key, v) in named {
            // A house font with a bundled stand-in is set in it, with a note.
            let stands_in = crate::style::stand_in(v.get_ref()).is_some();
            if !stands_in && !families.iter().any(|f| f == v.get_ref()) {
                let list = names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let hint = match crate::error::did_you_mean(v.get_ref(), names.iter().copied()) {
                    Some(c) => format!("did you mean `{c}`? The fonts available are {list}"),
                    None => format!("the fonts available are {list}"),
                };
                errors.push(
                    self.error_at(
                        ErrorKind::Spec,
                        format!("`style.{key}`: no font family `{}`", v.get_ref()),
                        v.span(),
                    )
                    .with_hint(format!(
                        "{hint}; a font of your own goes in `fonts = [\"…\"]` under `[report]`"
                    )),
                );
            }
        }
    }

    /// The accent is a readable `#RRGGBB`, the logo an image inside the
    /// project, the margins sane.
    fn check_style_look(&self, errors: &mut Vec<Error>) {
        let st = &self.raw.style;
        if let Some(a) = &st.accent {
            match crate::style::parse_hex(a.get_ref()) {
                None => errors.push(
                    self.error_at(
                        ErrorKind::Spec,
                        format!(
                            "`style.accent` must be a colour like `#1F4E79`, not `{}`",
                            a.get_ref()
                        ),
                        a.span(),
                    )
                    .with_hint("write `#` and six hexadecimal digits (red, green, blue)"),
                ),
                Some(c) => {
                    let ratio =
                        crate::chart::palette::contrast_ratio(c, crate::chart::palette::WHITE);
                    if ratio < crate::style::MIN_ACCENT_CONTRAST {
                        errors.push(
                            self.error_at(ErrorKind::Spec, format!("`style.accent` `{}` is too light to read on white ({ratio:.1}:1)", a.get_ref()), a.span())
                                .with_hint(format!("the accent colours headings and chart bars, which need a contrast of at least {}:1 (WCAG 2.2); choose a darker shade of the same colour", crate::style::MIN_ACCENT_CONTRAST)),
                        );
                    }
                }
            }
        }
        if let Some(l) = &st.logo {
            match self.read(l, "logo") {
                Err(e) => errors.push(e),
                Ok(file) if crate::style::image_format(&file.bytes).is_none() => errors.push(
                    self.error_at(
                        ErrorKind::Spec,
                        format!(
                            "`style.logo` `{}` is not a PNG, JPEG or SVG image",
                            l.get_ref()
                        ),
                        l.span(),
                    )
                    .with_hint("save the logo as PNG or SVG and point `logo` at that file"),
                ),
                // Before the layout decodes it (see `image_limit`).
                Ok(file) => {
                    let limit = self.raw.limits.image_pixels;
                    if let Err(too_big) = crate::image_limit::check(&file.bytes, limit) {
                        errors.push(
                            self.error_at(
                                ErrorKind::Spec,
                                format!("`style.logo` `{}` {}", l.get_ref(), too_big.claims()),
                                l.span(),
                            )
                            .with_hint(crate::image_limit::TooManyPixels::hint()),
                        );
                    }
                }
            }
        }
        if let Some(r) = &st.reference_docx {
            if let Err(e) = self.resolve(r) {
                errors.push(e);
            }
        }
        if let Some(m) = &st.margins {
            let v = m.get_ref();
            let range = crate::style::MARGIN_RANGE_MM;
            let bad: Vec<String> = [
                ("top", v.top),
                ("bottom", v.bottom),
                ("left", v.left),
                ("right", v.right),
            ]
            .into_iter()
            .filter(|(_, mm)| !range.contains(mm))
            .map(|(k, mm)| format!("`{k} = {mm}`"))
            .collect();
            if !bad.is_empty() {
                errors.push(
                    self.error_at(ErrorKind::Spec, format!("`style.margins`: {} out of range", bad.join(", ")), m.span())
                        .with_hint(format!("margins are millimetres, each from {} to {}; e.g. `margins = {{ top = 22, bottom = 25, left = 25, right = 25 }}`", range.start(), range.end())),
                );
            }
        }
    }

    fn check_period_columns(&self, errors: &mut Vec<Error>) {
        for (name, source) in &self.raw.sources {
            if let Some(why) = source
                .sparse
                .as_ref()
                .filter(|w| w.get_ref().trim().is_empty())
            {
                errors.push(
                    self.error_at(
                        ErrorKind::Spec,
                        format!("`sparse` of source `{name}` gives no reason"),
                        why.span(),
                    )
                    .with_hint("say why a month of the period may have no rows, e.g. `sparse = \"homicides: most months have none\"`; it is recorded in the manifest"),
                );
            }
            let Some(col) = &source.period_column else {
                continue;
            };
            let declared = source
                .columns
                .iter()
                .find(|(k, _)| k.get_ref() == col.get_ref());
            if let Some((_, t)) = declared.filter(|(_, t)| t.get_ref().nullable) {
                errors.push(
                    self.error_at(
                        ErrorKind::Spec,
                        format!("`period_column` of source `{name}` must not be nullable"),
                        t.span(),
                    )
                    .with_hint("a row without a date would silently drop out of every period; remove `nullable = true` and fill in the dates"),
                );
            } else if !matches!(declared, Some((_, t)) if matches!(t.get_ref().ty, ColumnType::Date | ColumnType::Datetime))
            {
                let names: Vec<&str> = source
                    .columns
                    .keys()
                    .map(|k| k.get_ref().as_str())
                    .collect();
                errors.push(
                    self.error_at(
                        ErrorKind::Spec,
                        format!("`period_column` of source `{name}` must name a `date` or `datetime` column"),
                        col.span(),
                    )
                    .with_hint(suggest(
                        col.get_ref(),
                        &names,
                        "declared columns",
                    )),
                );
            }
        }
    }

    /// Each source has exactly one of `path` and `postgres`, and a database
    /// source exactly one of `table` and `query`.
    fn check_source_kinds(&self, errors: &mut Vec<Error>) {
        for (name, source) in &self.raw.sources {
            let header = format!("[sources.{name}]");
            let at = self
                .text
                .find(&header)
                .map_or(0..0, |i| i..i + header.len());
            let has_path = !source.path.get_ref().is_empty() || source.path.span() != (0..0);
            let Some(db) = &source.postgres else {
                if !has_path {
                    errors.push(
                        self.error_at(ErrorKind::Spec, format!("source `{name}` has neither `path` nor `postgres`"), at)
                            .with_hint("add `path = \"data/FILE.csv\"`, or `postgres = { url_env = \"BOARDPACK_PG_URL\", table = \"TABLE\" }`"),
                    );
                }
                continue;
            };
            if has_path {
                errors.push(
                    self.error_at(ErrorKind::Spec, format!("source `{name}` has both `path` and `postgres`"), db.span())
                        .with_hint("a source reads one thing: keep either the file `path` or the `postgres` table"),
                );
            }
            let db = db.get_ref();
            if db.table.is_some() == db.query.is_some() {
                let both = db.table.is_some();
                let span = db.query.as_ref().map_or(at.clone(), |q| q.span());
                errors.push(
                    self.error_at(
                        ErrorKind::Spec,
                        format!(
                            "the `postgres` source `{name}` needs exactly one of `table` and `query`, found {}",
                            if both { "both" } else { "neither" }
                        ),
                        if both { span } else { at.clone() },
                    )
                    .with_hint("write `table = \"victims\"` for a whole table, or `query = \"SELECT …\"` for a query's result"),
                );
            }
            let var = db.url_env.get_ref();
            let valid =
                !var.is_empty() && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                errors.push(
                    self.error_at(ErrorKind::Spec, format!("`url_env` of source `{name}` must name an environment variable (letters, digits and `_`)"), db.url_env.span())
                        // Never echoed: it may be a pasted URL with a password.
                        .with_hint("name the variable holding the connection URL, e.g. `url_env = \"BOARDPACK_PG_URL\"`; never write the URL itself in the spec"),
                );
            }
        }
    }

    /// Every path the spec names stays inside the project root (a source
    /// path with `{{ }}` is checked when it is filled in).
    fn check_paths(&self, errors: &mut Vec<Error>) {
        let r = &self.raw.report;
        let c = &self.raw.content;
        let sources = self
            .raw
            .sources
            .values()
            .filter(|s| !s.is_database())
            .map(|s| &s.path)
            .filter(|p| !p.get_ref().contains("{{") && !p.get_ref().contains("{%"));
        let paths = [&r.layout, &c.body, &c.summary]
            .into_iter()
            .chain(&r.fonts)
            .chain(sources);
        errors.extend(paths.filter_map(|p| self.resolve(p).err()));
    }

    /// Table column and chart formats are ones boardpack knows.
    fn check_formats(&self, errors: &mut Vec<Error>) {
        let tables = self.raw.tables.iter().flat_map(|(name, t)| {
            t.columns
                .iter()
                .filter_map(move |c| c.format.as_ref().map(|f| (format!("table `{name}`"), f)))
        });
        let charts = self.raw.charts.iter().filter_map(|(name, c)| {
            c.get_ref()
                .format
                .as_ref()
                .map(|f| (format!("chart `{name}`"), f))
        });
        for (what, f) in tables.chain(charts) {
            if crate::format::parse_format(f.get_ref()).is_none() {
                errors.push(
                    self.error_at(
                        ErrorKind::Spec,
                        format!("unknown format `{}` in {what}", f.get_ref()),
                        f.span(),
                    )
                    .with_hint("use `text`, `integer`, `decimal:N` or `percent:N` (N from 0 to 6)"),
                );
            }
        }
    }

    /// `report.name` and `[report.outputs]` are plain file names: an output
    /// must never land outside the output folder or on an input.
    fn check_output_names(&self, errors: &mut Vec<Error>) {
        for (key, value) in self.output_spans() {
            let example = match key {
                "report.name" => "needs-assessment",
                "report.outputs.docx" => "summary.docx",
                "report.outputs.html" => "paper.html",
                _ => "paper.pdf",
            };
            if let Some(why) = not_a_file_name(value.get_ref()) {
                errors.push(
                    self.error_at(
                        ErrorKind::Spec,
                        format!("`{key}` must be a plain file name, but `{}` {why}", value.get_ref()),
                        value.span(),
                    )
                    .with_hint(format!("write a name such as `{example}`; outputs always go into the output folder (`out_dir` in `[report]`, or `--out`)")),
                );
            }
        }
        self.check_distinct_outputs(errors);
    }

    /// `report.out_dir` stays inside the project: a spec is untrusted, and
    /// may no more write outside its project than read there. The person
    /// running the build may choose any folder with `--out`.
    fn check_out_dir(&self, errors: &mut Vec<Error>) {
        let Some(out) = &self.raw.report.out_dir else {
            return;
        };
        let path = Path::new(out.get_ref());
        let inside = !path.is_absolute()
            && normalize(&self.dir.join(path))
                .strip_prefix(&self.root)
                .is_ok_and(|rel| !matches!(rel.components().next(), Some(Component::ParentDir)));
        if !inside {
            errors.push(
                self.error_at(
                    ErrorKind::Spec,
                    format!("`report.out_dir` must be a folder inside the project, but `{}` is outside it", out.get_ref()),
                    out.span(),
                )
                .with_hint("a spec writes only inside its project, as it reads only there: name a folder such as `out`, or choose any folder when you build with `--out DIR`"),
            );
        }
    }

    /// Two outputs (or an output and a manifest) may not share a file name:
    /// one would silently replace the other.
    fn check_distinct_outputs(&self, errors: &mut Vec<Error>) {
        let names = self.output_names();
        let spans = self.output_spans();
        let mut seen: Vec<&str> = vec![&names.manifest, &names.private_manifest];
        for (format, name) in &names.outputs {
            if seen.contains(&name.as_str()) {
                let span = spans
                    .iter()
                    .find(|(k, _)| *k == format.spec_key())
                    .map_or(0..0, |(_, v)| v.span());
                errors.push(
                    self.error_at(
                        ErrorKind::Spec,
                        format!("`{}` names `{name}`, a file another output of this report already writes", format.spec_key()),
                        span,
                    )
                    .with_hint(format!("give each output its own name, e.g. `{}`", format.default_name(&self.raw.report.name))),
                );
            }
            seen.push(name);
        }
    }

    /// `report.name` and the output names as written, with their places.
    fn output_spans(&self) -> Vec<(&'static str, Spanned<String>)> {
        #[derive(Deserialize)]
        struct Doc {
            report: Report,
        }
        #[derive(Deserialize)]
        struct Report {
            name: Spanned<String>,
            #[serde(default)]
            outputs: Option<Out>,
        }
        #[derive(Deserialize)]
        struct Out {
            pdf: Option<Spanned<String>>,
            docx: Option<Spanned<String>>,
            html: Option<Spanned<String>>,
        }
        let Ok(doc) = toml::from_str::<Doc>(&self.text) else {
            return Vec::new();
        };
        let mut out = vec![("report.name", doc.report.name)];
        if let Some(o) = doc.report.outputs {
            out.extend(o.pdf.map(|p| ("report.outputs.pdf", p)));
            out.extend(o.docx.map(|d| ("report.outputs.docx", d)));
            out.extend(o.html.map(|h| ("report.outputs.html", h)));
        }
        out
    }

    /// Refuses output names that would overwrite a file the build read
    /// (e.g. `--out` pointing at the templates folder).
    pub fn check_outputs_against_inputs(&self, out_dir: &Path) -> Result<()> {
        let names = self.output_names();
        let mut written: Vec<(&str, &String)> = names
            .outputs
            .iter()
            .map(|(f, name)| (f.spec_key(), name))
            .collect();
        written.push(("report.name", &names.manifest));
        let spans = self.output_spans();
        let mut errors = Vec::new();
        for (key, name) in written {
            if !self.inputs.contains(&out_dir.join(name)) {
                continue;
            }
            let key = match spans.iter().any(|(k, _)| *k == key) {
                true => key,
                false => "report.name",
            };
            let span = spans
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(0..0, |(_, v)| v.span());
            errors.push(
                self.error_at(
                    ErrorKind::Spec,
                    format!("output `{name}` would overwrite `{}`, an input of this build", display_path(&out_dir.join(name))),
                    span,
                )
                .with_hint("choose another output name, or another output folder (`out_dir` in `[report]`, or `--out`)"),
            );
        }
        Error::collect(errors)
    }
}

/// Why `name` is not a plain file name, if it is not.
fn not_a_file_name(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("is empty")
    } else if name.contains('/') || name.contains('\\') {
        Some("contains a path separator")
    } else if name == "." || name == ".." {
        Some("is a folder")
    } else if name.contains(':') || name.chars().any(char::is_control) {
        Some("contains `:` or a control character")
    } else {
        None
    }
}

impl Spec {
    /// Sources, views and tables share one SQL namespace (with `params`), so
    /// a name used twice would silently hide one of them.
    fn check_table_names(&self, errors: &mut Vec<Error>) {
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
                errors.push(self
                    .error_at(ErrorKind::Spec, format!("{what} `{name}` has the same name as {first} `{name}`"), at)
                    .with_hint("sources, views and tables are tables in one SQL namespace: rename one of them"));
            }
        }
    }
}

impl Spec {
    /// Every chart draws a declared table and has alternative text: an
    /// accessible document (PDF/UA-1) cannot contain an undescribed chart.
    fn check_charts(&self, errors: &mut Vec<Error>) {
        for (name, chart) in &self.raw.charts {
            let c = chart.get_ref();
            if !self.raw.tables.contains_key(c.table.get_ref()) {
                let names: Vec<&str> = self.raw.tables.keys().map(String::as_str).collect();
                errors.push(
                    self.error_at(
                        ErrorKind::Spec,
                        format!(
                            "chart `{name}` draws table `{}`, which is not declared",
                            c.table.get_ref()
                        ),
                        c.table.span(),
                    )
                    .with_hint(suggest(
                        c.table.get_ref(),
                        &names,
                        "declared tables",
                    )),
                );
            }
            let alt_missing = c.alt.as_ref().is_none_or(|a| a.get_ref().trim().is_empty());
            if alt_missing {
                let span = c.alt.as_ref().map_or(chart.span(), |a| a.span());
                errors.push(self
                    .error_at(
                        ErrorKind::Spec,
                        format!("chart `{name}` has no alternative text"),
                        span,
                    )
                    .with_hint("add `alt = \"…\"` describing what the chart shows (it may use {{ figures }}): the accessible PDF (PDF/UA-1) and Word need it for readers who cannot see the chart"));
            }
        }
    }
}

/// The declared data folders, resolved: a path relative to the spec's
/// folder `dir`, or an environment variable's value. A variable that is not
/// set, a name that cannot appear in a path, or a folder that does not exist
/// is an error.
fn data_dirs(
    path: &Path,
    text: &str,
    dir: &Path,
    decls: &BTreeMap<String, Spanned<DataDirDecl>>,
) -> (Vec<crate::inputs::DataDir>, Vec<Error>) {
    let (mut dirs, mut errors) = (Vec::new(), Vec::new());
    let error = |message: String, span, hint: &str| {
        Error::new(ErrorKind::Spec, message)
            .in_file(path)
            .at_span(text, span)
            .with_hint(hint)
    };
    for (name, decl) in decls {
        let ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            errors.push(error(
                format!("data folder name `{name}` may only hold letters, digits, `_` and `-`"),
                decl.span(),
                "sources name it as `@NAME/file.csv`; rename it",
            ));
            continue;
        }
        let folder = match decl.get_ref() {
            DataDirDecl::Path(p) => dir.join(p),
            DataDirDecl::Env(EnvVar { env }) => match std::env::var_os(env) {
                Some(v) if !v.is_empty() => PathBuf::from(v),
                _ => {
                    errors.push(error(
                        format!("data folder `{name}` comes from the environment variable `{env}`, which is not set"),
                        decl.span(),
                        &format!("set `{env}` to the folder's path (e.g. `export {env}=/srv/extracts`) before building"),
                    ));
                    continue;
                }
            },
        };
        if !folder.is_dir() {
            errors.push(error(
                format!(
                    "data folder `{name}` is `{}`, which is not a folder",
                    display_path(&folder)
                ),
                decl.span(),
                "check the path (relative paths start at the spec's folder), or mount the shared drive",
            ));
            continue;
        }
        dirs.push(crate::inputs::DataDir::new(name, &folder));
    }
    (dirs, errors)
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let message = e.message().trim_end_matches('\n').replace('\n', "; ");
    let mut err = Error::new(ErrorKind::Spec, format!("invalid spec: {message}")).in_file(path);
    if let Some(span) = e.span() {
        err = err.at_span(text, span);
    }
    err.with_hint("fix the TOML here: text values need quotes, sections are `[name]`, and only the documented keys are allowed")
}

/// Lexically normalises a path (`a/./b/../c` → `a/c`) without touching the
/// file system, so root checks work on paths that do not exist yet.
pub(crate) fn normalize(path: &Path) -> PathBuf {
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

    fn spec(report_extra: &str, rest: &str) -> Result<Spec> {
        let text = format!(
            "[report]\nname = \"t\"\ntitle = \"T\"\nto = \"B\"\nfrom = \"A\"\ndate = 2020-11-26\n{report_extra}\n[content]\nbody = \"b.md\"\nsummary = \"s.md\"\n{rest}"
        );
        Spec::from_text(Path::new("report.toml"), text)
    }

    #[test]
    fn a_spec_with_three_mistakes_reports_all_three() {
        let e = spec(
            "language = \"fr-FR\"\nlayout = \"../l.typ\"\n[report.outputs]\npdf = \"../paper.md\"",
            "[tables.t]\nsql = \"SELECT 1\"\ncolumns = [{ name = \"a\", format = \"pct\" }]\n",
        )
        .unwrap_err();
        let found: Vec<(&str, usize)> = e
            .all()
            .map(|e| (e.message(), e.line_col().map_or(0, |l| l.0)))
            .collect();
        assert_eq!(
            found,
            [
                ("unsupported language `fr-FR`", 7),
                ("`../l.typ` leaves the project: its `..` goes above the project root", 8),
                ("`report.outputs.pdf` must be a plain file name, but `../paper.md` contains a path separator", 10),
                ("unknown format `pct` in table `t`", 16),
            ]
        );
        assert!(e.all().all(|e| e.kind() == ErrorKind::Spec));
    }

    #[test]
    fn style_mistakes_are_reported_together() {
        let e = spec(
            "layout = \"l.typ\"",
            "[style]\nbody_font = \"Libertinus Sarif\"\naccent = \"#FFEE00\"\nmargins = { top = 0, bottom = 25, left = 25, right = 200 }\nmarking = \"RESTRICTED\"\nheading_font = \"Comic Sans\"\nlogo = \"nope.png\"\n",
        )
        .unwrap_err();
        let found: Vec<(String, usize)> = e
            .all()
            .map(|e| (e.message().to_string(), e.line_col().map_or(0, |l| l.0)))
            .collect();
        let expected = [
            ("`style.body_font`: no font family `Libertinus Sarif`", 12),
            (
                "`style.accent` `#FFEE00` is too light to read on white (1.2:1)",
                13,
            ),
            ("`style.margins`: `top = 0`, `right = 200` out of range", 14),
            ("unknown protective marking `RESTRICTED`", 15),
            ("`style.heading_font`: no font family `Comic Sans`", 16),
            ("`nope.png` does not exist", 17),
        ];
        let expected: Vec<(String, usize)> =
            expected.iter().map(|(m, l)| (m.to_string(), *l)).collect();
        assert_eq!(found, expected);
        let hint = e
            .all()
            .next()
            .and_then(|e| e.hint())
            .unwrap_or_default()
            .to_string();
        assert!(
            hint.starts_with("did you mean `Libertinus Serif`?"),
            "{hint}"
        );
        assert!(hint.contains("`DejaVu Sans Mono`"), "{hint}");
    }

    #[test]
    fn a_valid_style_resolves_once() {
        let s = spec(
            "layout = \"l.typ\"",
            "[style]\nbody_font = \"DejaVu Sans Mono\"\naccent = \"#7a1f3d\"\nmarking = \"OFFICIAL\"\nfooter = \"OPCC\"\nmargins = { top = 20, bottom = 20, left = 18, right = 18 }\ntoc = true\n",
        )
        .unwrap();
        let style = crate::style::Style::from_spec(&s).unwrap();
        assert_eq!(style.body_font, "DejaVu Sans Mono");
        assert_eq!(style.heading_font, "DejaVu Sans Mono");
        assert_eq!(style.accent_hex(), "#7A1F3D");
        assert_eq!(style.marking.as_deref(), Some("OFFICIAL"));
        assert_eq!(style.footer.as_deref(), Some("OPCC"));
        assert_eq!(style.header, None);
        assert_eq!(style.margins.left, 18.0);
        assert!(style.toc && !style.cover);
        let default = spec("layout = \"l.typ\"", "").unwrap();
        assert_eq!(
            crate::style::Style::from_spec(&default).unwrap(),
            crate::style::Style::default()
        );
    }

    #[test]
    fn every_limit_out_of_its_safe_range_is_reported_at_its_value() {
        let e = spec(
            "layout = \"l.typ\"",
            "[limits]\nmemory_mb = 0\nmarkdown_depth = 1000000\ntemplate_fuel = -1\nlayout_seconds = 60\n",
        )
        .unwrap_err();
        let found: Vec<(&str, Option<(usize, usize)>)> =
            e.all().map(|e| (e.message(), e.line_col())).collect();
        assert_eq!(
            found,
            [
                (
                    "`limits.memory_mb` must be from 256 to 65,536 MB, not 0",
                    Some((12, 13))
                ),
                (
                    "`limits.markdown_depth` must be from 8 to 64 levels, not 1000000",
                    Some((13, 18))
                ),
                (
                    "`limits.template_fuel` must be from 10,000 to 1,000,000,000 steps, not -1",
                    Some((14, 17))
                ),
            ]
        );
        let hint = e.hint().unwrap();
        assert!(
            hint.contains("turn the memory guard off") && hint.contains("(8,192)"),
            "{hint}"
        );
    }

    #[test]
    fn limits_in_range_are_taken_and_the_defaults_lie_in_their_ranges() {
        let s = spec(
            "layout = \"l.typ\"",
            "[limits]\nmemory_mb = 256\nmarkdown_depth = 64\n",
        )
        .unwrap();
        assert_eq!(
            (s.raw.limits.memory_mb, s.raw.limits.markdown_depth),
            (256, 64)
        );
        let d = Limits::default();
        let values = [
            d.markdown_depth as u64,
            d.template_output_mb,
            d.template_fuel,
            d.layout_seconds,
            d.sheet_cells,
            d.memory_mb,
            d.glob_entries,
            d.image_pixels,
        ];
        for (r, v) in LIMIT_RANGES.iter().zip(values) {
            assert_eq!(r.default, v, "{}", r.key);
            assert!(r.min <= v && v <= r.max && r.min > 0, "{}", r.key);
        }
    }

    #[test]
    fn the_readme_lists_every_limit_with_its_range() {
        let readme = include_str!("../README.md");
        let n = |v: u64| crate::format::format_number(v as f64, 0);
        for r in LIMIT_RANGES {
            let row = format!(
                "| `{}` | {} | {} to {} {} |",
                r.key,
                n(r.default),
                n(r.min),
                n(r.max),
                r.unit
            );
            assert!(readme.contains(&row), "README lacks {row}");
        }
    }

    #[test]
    fn the_deepest_markdown_allowed_renders_on_a_small_stack() {
        // Batch papers and the backends render on 2 MB threads: the most
        // deeply nested Markdown the range allows must convert there.
        let max = LIMIT_RANGES[0].max as usize;
        let md = format!("{}text", "> ".repeat(max - 1));
        let blocks = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                crate::render::markdown::parse_with(&md, &Default::default(), max).map(|b| b.len())
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(blocks, Ok(1));
    }

    #[test]
    fn output_names_are_plain_file_names() {
        for bad in ["a/b.pdf", "..", "", "/abs.pdf", "c:\\x.pdf"] {
            assert!(not_a_file_name(bad).is_some(), "{bad}");
        }
        assert_eq!(not_a_file_name("paper 2020.pdf"), None);
        let e = spec("layout = \"l.typ\"", "").map(|s| s.output_names().outputs[0].1.clone());
        assert_eq!(e.unwrap(), "t.pdf");
    }

    #[test]
    fn normalize_removes_dot_segments() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("a/../../c")), PathBuf::from("../c"));
    }
}
