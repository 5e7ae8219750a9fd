//! Provenance: `<name>.manifest.json`, written beside the outputs and
//! embedded in the PDF. It records what went in (spec, data, templates,
//! layout, fonts — each with its BLAKE3 hash), the resolved params, every
//! figure with the query that defined it, every table's shape and hash (as
//! published), the disclosure control applied, and the hashes of the
//! outputs.
//!
//! That manifest is public: it holds no suppressed value (a hash of a table
//! before suppression could be brute-forced over the few values a
//! suppressed count can take, so only published tables are hashed). When
//! the spec has `[disclosure]`, the analyst's full manifest,
//! `<name>.manifest.private.json`, is written into the private folder
//! beside the output folder (`out.private/`, never among the files to
//! publish): the same record plus a `private` section with the tables as
//! computed and every suppressed cell's true value and audited interval.
//!
//! Paths are relative to the project root with `/` separators, keys are in a
//! fixed order, and nothing depends on the clock or the machine, so the same
//! inputs give the same bytes.

pub(crate) mod content;
mod lineage;
mod record;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::compute::{self, Table};
use crate::error::{Error, ErrorKind, Result};
use crate::params::{ParamValue, Params};
pub use crate::paths::relative;
use crate::publish::Cell;
pub(crate) use record::Record;

/// The manifest, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The boardpack version that built it.
    pub boardpack: String,
    /// The report's name.
    pub report: String,
    /// The spec file, relative to the project root, and its hash.
    pub spec: FileHash,
    /// The report date (ISO).
    pub date: String,
    /// `SOURCE_DATE_EPOCH`, if the build was given one (it sets the outputs'
    /// timestamps, so `verify` needs it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_date_epoch: Option<i64>,
    /// Resolved parameters as `--set` would write them.
    pub params: BTreeMap<String, String>,
    /// The period compared with, and whether it had data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_period: Option<PreviousPeriod>,
    /// Every file the build read.
    pub inputs: Vec<Input>,
    /// Every figure: value, previous value, query.
    pub figures: BTreeMap<String, Figure>,
    /// Every table as published: shape and hash.
    pub tables: BTreeMap<String, TableHash>,
    /// The disclosure control applied (public: no suppressed value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disclosure: Option<DisclosureRecord>,
    /// For the analyst only: never embedded in the PDF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<Private>,
    /// Every declared data check: rule, level, failing rows, first lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<crate::checks::Outcome>,
    /// The batch this paper belongs to, if built by `--for-each`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<BatchRecord>,
    /// The Word summary's captions: the number Word shows beside the
    /// PDF's, so a reference to either ("see Table 5") can be found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub word_captions: Vec<WordCaption>,
    /// The paper's published content (after disclosure control: a
    /// suppressed cell is its marker), for `boardpack diff --docx`'s
    /// redline. Absent in the copy embedded in the PDF (the PDF is that
    /// content) and in manifests written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<content::Content>,
    /// Output file name → BLAKE3 hash. Absent in the copy embedded in the
    /// PDF (a file cannot contain its own hash).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, String>,
}

/// One paper of a batch: which param the batch varies and this paper's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRecord {
    /// The param the batch varies (`[batch] for_each`).
    pub for_each: String,
    /// This paper's value of it.
    pub value: String,
    /// The value as it appears in file names.
    pub slug: String,
}

/// A file and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHash {
    /// Relative to the project root, `/`-separated.
    pub path: String,
    /// BLAKE3, hex.
    pub blake3: String,
}

/// The previous period and whether it could be computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousPeriod {
    /// E.g. `2018/19`.
    pub period: String,
    /// Why there are no comparisons, if there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
}

/// One input file, database source, or query run inside a database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// Relative to the project root, `/`-separated.
    pub path: String,
    /// What it is: `spec`, `template`, `layout`, `font`, `source NAME`.
    pub role: String,
    /// BLAKE3, hex.
    pub blake3: String,
    /// Data rows (sources only), every one read and checked; for a
    /// database, the rows it sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Of those, the rows kept for the build's periods (a source file with
    /// a `period_column`); the others were checked, not loaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_kept: Option<u64>,
    /// A query run inside a database: the SQL sent (`$1…` for the bound
    /// values; never a connection URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// The values bound to its `$1…`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<String>,
    /// BLAKE3 of the SQL and the bound values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_blake3: Option<String>,
    /// A source declared `sparse`: why months of a period may have no rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sparse: Option<String>,
}

/// What `blake3` holds for a database result in the public manifest of a
/// spec under `[disclosure]`: a hash of a few small counts could be
/// brute-forced, so only the private manifest has it.
pub const WITHHELD: &str = "withheld under disclosure control (see the private manifest)";

/// One figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// This period's value.
    pub value: serde_json::Value,
    /// The previous period's value (absent if there is none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<serde_json::Value>,
    /// The figure's declared format (`percent:1`), for showing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The SQL that computed it.
    pub sql: String,
    /// What the figure means (the spec's `description`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What its query read, directly or through views and tables (for
    /// `boardpack explain`).
    #[serde(default, skip_serializing_if = "Lineage::is_empty")]
    pub reads: Lineage,
}

/// What a query read, directly or through the views and tables it selects
/// from: names in sorted order, so the record does not depend on the spec's
/// layout.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineage {
    /// Views (`[views.NAME]`) read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<String>,
    /// Tables (`[tables.NAME]`) read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<String>,
    /// Sources (`[sources.NAME]`) read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Whether it selects from `params` (the resolved parameters).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub params: bool,
}

impl Lineage {
    /// Nothing recorded (a manifest written before lineage was).
    pub fn is_empty(&self) -> bool {
        *self == Lineage::default()
    }
}

/// One caption of the Word summary and its number in each output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordCaption {
    /// `Table` or `Figure`.
    pub kind: String,
    /// The number in the Word file.
    pub word: u32,
    /// The number in the PDF (its appendix).
    pub pdf: u32,
    /// The caption's text.
    pub text: String,
}

/// The Word summary's captions with both numbers: `doc` is numbered as
/// the PDF is; with `own` numbering Word's are the summary's from 1.
pub fn word_captions(doc: &crate::doc::Document, as_pdf: bool) -> Vec<WordCaption> {
    let mut own = doc.clone();
    let pdf = crate::doc::number_summary_alone(&mut own);
    crate::doc::captions(&own.summary)
        .into_iter()
        .zip(pdf)
        .map(|(c, pdf)| WordCaption {
            kind: c.kind.word().to_string(),
            word: if as_pdf { pdf } else { c.number },
            pdf,
            text: c.text.clone(),
        })
        .collect()
}

/// One table's shape and content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableHash {
    /// Rows.
    pub rows: u64,
    /// Column names.
    pub columns: Vec<String>,
    /// BLAKE3 of the table's values (see [`table_hash`]).
    pub blake3: String,
    /// What its query read (absent in the private record of tables as
    /// computed, which has the same lineage).
    #[serde(default, skip_serializing_if = "Lineage::is_empty")]
    pub reads: Lineage,
}

/// `[disclosure]` as applied: the rule and what happened to each table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureRecord {
    /// Counts below this are suppressed; audited intervals are at least
    /// this wide.
    pub threshold: i64,
    /// What a suppressed cell shows.
    pub marker: String,
    /// The rounding base, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round_to: Option<i64>,
    /// Table name → what was done.
    pub tables: BTreeMap<String, DisclosureTable>,
}

/// What disclosure control did to one table (public).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureTable {
    /// `protected` or `opted out`.
    pub status: String,
    /// Why it was opted out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How many cells are suppressed.
    #[serde(default)]
    pub suppressed: usize,
}

/// The analyst's part of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Private {
    /// Every table as computed, before publication.
    pub computed_tables: BTreeMap<String, TableHash>,
    /// Table name → its suppressed cells.
    pub suppressed: BTreeMap<String, Vec<SuppressedCell>>,
}

/// One suppressed cell, its true value and what the audit found an
/// intruder could narrow it to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuppressedCell {
    /// The row's label.
    pub row: String,
    /// The column.
    pub column: String,
    /// `primary` (a small count) or `secondary` (complementary).
    pub reason: String,
    /// The true value.
    pub value: i64,
    /// The least value the published table allows.
    pub lo: i64,
    /// The greatest (absent: unbounded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hi: Option<i64>,
}

impl Manifest {
    /// The manifest without its private part: what the PDF carries. Under
    /// `[disclosure]` the hashes of results computed inside a database are
    /// [`WITHHELD`] (a few small counts hash to a value that can be
    /// brute-forced).
    pub fn public(&self) -> Manifest {
        let mut inputs = self.inputs.clone();
        if self.disclosure.is_some() {
            for i in inputs.iter_mut().filter(|i| i.sql.is_some()) {
                i.blake3 = WITHHELD.to_string();
            }
        }
        Manifest {
            private: None,
            inputs,
            ..self.clone()
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads a manifest file.
    pub fn read(path: &Path) -> Result<Manifest> {
        // A named pipe is refused, not waited on.
        let bytes = crate::output::read_regular(path, true);
        let text =
            bytes
                .and_then(|b| String::from_utf8(b).map_err(std::io::Error::other))
                .map_err(|e| {
                    Error::new(ErrorKind::Io, format!("cannot read the manifest: {e}"))
                .in_file(path)
                .with_hint("a manifest is the `<name>.manifest.json` a build writes beside the PDF")
                })?;
        serde_json::from_str(&text).map_err(|e| {
            let offset = text
                .split_inclusive('\n')
                .take(e.line().saturating_sub(1))
                .map(str::len)
                .sum::<usize>()
                + e.column().saturating_sub(1);
            let offset = offset.min(text.len());
            Error::new(
                ErrorKind::Spec,
                format!(
                    "not a boardpack manifest: {}",
                    strip_position(&e.to_string())
                ),
            )
            .in_file(path)
            .at_span(&text, offset..offset)
            .with_hint("pass the `.manifest.json` file a build wrote; rebuild to get a fresh one")
        })
    }
}

/// Params as `--set` text: `2019/20`, `3.26`, `Cambridgeshire & Peterborough`.
pub(crate) fn params_text(params: &Params) -> BTreeMap<String, String> {
    params
        .values
        .iter()
        .map(|(k, v)| {
            let text = match v {
                ParamValue::FinancialYear(fy) => fy.to_string(),
                ParamValue::String(s) => s.clone(),
                ParamValue::Number(f) => f.to_string(),
                ParamValue::Integer(i) => i.to_string(),
                ParamValue::Date(d) => d.to_string(),
            };
            (k.clone(), text)
        })
        .collect()
}

/// BLAKE3 of bytes, hex.
pub fn hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// A table cell as JSON: a computed value ([`json`]), or a published cell
/// (a withheld one is its marker).
pub(crate) trait AsJson {
    /// The cell as the manifest records it.
    fn as_json(&self) -> serde_json::Value;
}

impl AsJson for compute::Value {
    fn as_json(&self) -> serde_json::Value {
        json(self)
    }
}

impl AsJson for Cell {
    fn as_json(&self) -> serde_json::Value {
        match self {
            Cell::Value(v) => json(v),
            Cell::Suppressed(marker) => marker.clone().into(),
        }
    }
}

/// BLAKE3 of a table's column names and values in JSON (one line per row,
/// then the totals row if any), so equal tables hash equal however they
/// were computed.
pub(crate) fn table_hash<C: AsJson>(t: &Table<C>) -> String {
    let mut h = blake3::Hasher::new();
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    h.update(serde_json::to_string(&names).unwrap_or_default().as_bytes());
    for row in &t.rows {
        let values: Vec<serde_json::Value> = row.iter().map(AsJson::as_json).collect();
        h.update(b"\n");
        h.update(
            serde_json::to_string(&values)
                .unwrap_or_default()
                .as_bytes(),
        );
    }
    if !t.totals.is_empty() {
        let totals: BTreeMap<&str, serde_json::Value> = t
            .totals
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_json()))
            .collect();
        h.update(b"\ntotals ");
        h.update(
            serde_json::to_string(&totals)
                .unwrap_or_default()
                .as_bytes(),
        );
    }
    h.finalize().to_hex().to_string()
}

/// A computed value as JSON (dates as ISO strings; NaN as null).
pub fn json(v: &compute::Value) -> serde_json::Value {
    use compute::Value as V;
    match v {
        V::Null => serde_json::Value::Null,
        V::Bool(b) => (*b).into(),
        V::Int(i) => (*i).into(),
        V::Float(f) => serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into),
        V::Text(s) => s.clone().into(),
        V::Date(d) => d.to_string().into(),
    }
}

/// A value as a manifest stores it: written as JSON text and read back, so a
/// value just computed compares equal to the same value read from a
/// manifest file (floats are written in their shortest round-trip form;
/// reading them back must give the same bits either way).
pub fn stored(v: &serde_json::Value) -> serde_json::Value {
    serde_json::from_str(&v.to_string()).unwrap_or_else(|_| v.clone())
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::TableColumn;
    use crate::format::Format;

    #[test]
    fn table_hash_depends_on_values_and_names() {
        let col = |n: &str| TableColumn {
            name: n.into(),
            label: n.into(),
            format: Format::Integer,
        };
        let t = Table {
            columns: vec![col("a")],
            rows: vec![vec![compute::Value::Int(1)]],
            ..Table::default()
        };
        let mut u = t.clone();
        assert_eq!(table_hash(&t), table_hash(&u));
        u.rows[0][0] = compute::Value::Int(2);
        assert_ne!(table_hash(&t), table_hash(&u));
        let mut w = t.clone();
        w.columns[0].name = "b".into();
        assert_ne!(table_hash(&t), table_hash(&w));
    }

    #[test]
    fn floats_compare_equal_after_the_json_round_trip() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut floats = vec![
            989.6,
            989.5999999999999,
            0.1 + 0.2,
            1.0 / 3.0,
            6043.0 / 36845.0,
        ];
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            floats.push((x >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi((x % 12) as i32));
        }
        for f in floats {
            let figure = Figure {
                value: json(&compute::Value::Float(f)),
                previous: None,
                format: None,
                sql: String::new(),
                description: None,
                reads: Lineage::default(),
            };
            let read: Figure =
                serde_json::from_str(&serde_json::to_string_pretty(&figure).unwrap()).unwrap();
            assert_eq!(read.value, stored(&figure.value), "{f:?}");
            // A real change is still a change.
            assert_ne!(
                read.value,
                stored(&json(&compute::Value::Float(f + 0.1))),
                "{f:?}"
            );
        }
    }

    #[test]
    fn json_values() {
        assert_eq!(
            json(&compute::Value::Float(f64::NAN)),
            serde_json::Value::Null
        );
        assert_eq!(
            json(&compute::Value::Date(jiff::civil::date(2020, 11, 26))),
            serde_json::Value::from("2020-11-26")
        );
    }
}
