//! `[sources.NAME]` as validated: where a source's rows come from, its
//! declared columns and checks.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::tables::CheckDecl;

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
    /// Declared data checks on the rows of the periods the build uses
    /// (`[[sources.NAME.checks]]`; every row without a `period_column`).
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
