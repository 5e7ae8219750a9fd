//! The report spec: one TOML file read into a validated, runtime-free
//! model ([`Spec`]).
//!
//! Unknown keys are errors (a typo must not be silently ignored), every path
//! is resolved against the spec's folder and must stay inside the project
//! root, and errors point at the line and column of the offending value.
//!
//! - `load`: TOML text → the sections as written → [`Spec`], collecting
//!   every problem (`validate/`, one file per part of the spec);
//! - `model`, `sources`, `tables`, `style`, `params`, `outputs`: the
//!   sections, typed, each keeping where its values were written.
//!
//! The spec knows no registry, cache or stage: the files it names are read
//! through [`Files`] (the build's input registry), and the stages take the
//! sections they need.

#[cfg(test)]
mod builder;
mod file;
mod formats;
mod load;
mod model;
mod outputs;
mod params;
mod parts;
mod sources;
pub(crate) mod style;
mod tables;
#[cfg(test)]
mod tests;
mod validate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::Spanned;

use crate::error::{Error, ErrorKind, Result};
pub(crate) use crate::limits::Limits;
use crate::paths::{DataDir, Files};

#[cfg(test)]
pub(crate) use builder::SpecBuilder;
pub(crate) use file::SpecFile;
pub(crate) use load::Parsed;
pub(crate) use model::{
    BatchSection, ContentSection, DataDirDecl, DisclosureSection, EnvVar, ProtectDecl,
    ReportSection,
};
pub use outputs::{OutputFormat, OutputNames};
pub(crate) use params::{FinancialYear, ParamDecl, ParamKind, ParamValue};
pub(crate) use parts::{
    ChecksPart, ComputePart, ManifestPart, ParamsPart, PublishPart, RenderPart, SourcesPart,
    StylePart,
};
#[cfg(test)]
pub(crate) use sources::SourceColumn;
pub(crate) use sources::{ColumnType, DatabaseDecl, PeriodFilter, SourceDecl};
#[cfg(test)]
pub(crate) use style::WORD_ROLES;
pub(crate) use style::{Margins, StyleSection};
pub(crate) use tables::{
    ChartDecl, ChartKindDecl, CheckDecl, CheckLevel, ColumnDecl, FigureDecl, SqlCheckDecl,
    TableDecl, ViewDecl,
};

/// A validated report spec and where it lives: each section as declared
/// (with where each value was written, for errors), parameter defaults
/// parsed, the date parsed, the data folders resolved.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Where the spec lives and what it says (errors point into it; the
    /// paths it names resolve against it).
    pub file: SpecFile,
    /// The report date, parsed once from `report.date`.
    pub date: jiff::civil::Date,
    /// The declared data folders outside the project, resolved.
    pub data_dirs: Vec<DataDir>,
    /// Who the paper is for, what it is called and where it goes.
    pub report: ReportSection,
    /// The content files (Markdown + MiniJinja).
    pub content: ContentSection,
    /// Declared parameters, their defaults parsed (overridable with `--set`).
    pub params: BTreeMap<String, Spanned<ParamDecl>>,
    /// Data sources by table name.
    pub sources: BTreeMap<String, SourceDecl>,
    /// Intermediate queries other queries can select from (never shown).
    pub views: BTreeMap<String, ViewDecl>,
    /// Scalar figures by name.
    pub figures: BTreeMap<String, FigureDecl>,
    /// Tables by name.
    pub tables: BTreeMap<String, TableDecl>,
    /// Charts over computed tables, by name (`{{ chart("name") }}`).
    pub charts: BTreeMap<String, Spanned<ChartDecl>>,
    /// Statistical disclosure control for published tables.
    pub disclosure: Option<Spanned<DisclosureSection>>,
    /// Resource limits (`[limits]`), each within its safe range.
    pub limits: Limits,
    /// Custom data checks in Polars SQL (`[[checks]]`), run after the tables.
    pub checks: Vec<Spanned<SqlCheckDecl>>,
    /// The house style shared by every output (`[style]`).
    pub style: StyleSection,
    /// One paper per value of a parameter (`[batch]`).
    pub batch: Option<Spanned<BatchSection>>,
}

impl Spec {
    /// An error pointing at a byte range of the spec (see
    /// [`SpecFile::error_at`]).
    pub fn error_at(
        &self,
        kind: ErrorKind,
        message: impl Into<String>,
        span: std::ops::Range<usize>,
    ) -> Error {
        self.file.error_at(kind, message, span)
    }

    /// Resolves a path written in the spec ([`SpecFile::resolve`]).
    pub(crate) fn resolve(&self, files: &dyn Files, value: &Spanned<String>) -> Result<PathBuf> {
        self.file.resolve(files, value)
    }

    /// Reads a file the spec names ([`SpecFile::read`]).
    pub(crate) fn read(
        &self,
        files: &dyn Files,
        value: &Spanned<String>,
        role: &str,
    ) -> Result<Arc<[u8]>> {
        self.file.read(files, value, role)
    }

    /// The output folder: `--out` if given, else `report.out_dir` or `out/`.
    pub fn out_dir(&self, cli_out: Option<&Path>) -> PathBuf {
        match cli_out {
            Some(p) => p.to_path_buf(),
            None => self
                .file
                .dir()
                .join(self.report.out_dir.as_ref().map_or("out", |d| d.get_ref())),
        }
    }
}
