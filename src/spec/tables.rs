//! `[views]`, `[figures]`, `[tables]`, `[[checks]]` and `[charts]` as
//! validated: the queries and how their results are shown.

use serde::Deserialize;
use toml::Spanned;

use super::model::ProtectDecl;
use crate::format::Format;

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
    /// `integer`, `decimal:N` or `percent:N` (as for table columns), as
    /// written: the manifest records it so.
    #[serde(default, rename = "format")]
    pub format_text: Option<Spanned<String>>,
    /// The format, resolved as the spec is loaded: how `diff`, `refresh`,
    /// `verify` and the manifest show the figure.
    #[serde(skip)]
    pub format: Option<Spanned<Format>>,
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
    /// `integer`, `decimal:N` or `percent:N` (default: the table column's),
    /// as written.
    #[serde(default, rename = "format")]
    pub format_text: Option<Spanned<String>>,
    /// The format, resolved as the spec is loaded (never `Text`).
    #[serde(skip)]
    pub format: Option<Spanned<Format>>,
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
    /// `text`, `integer`, `decimal:N` or `percent:N`, as written.
    #[serde(default, rename = "format")]
    pub format_text: Option<Spanned<String>>,
    /// The format, resolved as the spec is loaded.
    #[serde(skip)]
    pub format: Option<Spanned<Format>>,
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
