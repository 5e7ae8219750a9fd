//! The parts of the spec each stage reads: borrowed views [`Spec`] makes,
//! each holding the spec's file (for errors pointing into it) and the
//! sections that stage needs, under the names `Spec` gives them. A stage
//! that takes its part cannot read a section it was not given.

use std::collections::BTreeMap;

use toml::Spanned;

use super::{
    BatchSection, ChartDecl, ContentSection, DisclosureSection, FigureDecl, Limits, ParamDecl,
    ReportSection, SourceDecl, Spec, SpecFile, SqlCheckDecl, StyleSection, TableDecl, ViewDecl,
};
use crate::error::{Error, ErrorKind};

/// Gives a part `error_at`, pointing into the spec as `Spec::error_at` does.
macro_rules! points_into_the_spec {
    ($($part:ident),*) => {$(
        impl $part<'_> {
            /// An error pointing at a byte range of the spec.
            pub(crate) fn error_at(
                &self,
                kind: ErrorKind,
                message: impl Into<String>,
                span: std::ops::Range<usize>,
            ) -> Error {
                self.file.error_at(kind, message, span)
            }
        }
    )*};
}

points_into_the_spec!(ChecksPart, ComputePart, PublishPart, RenderPart, StylePart);

/// What reading the sources needs: their declarations and `[limits]`, and
/// the queries and checks that read them (a database source sends only the
/// rows some query or check run in Polars needs, see
/// [`crate::source::pushdown`]).
#[derive(Debug, Clone, Copy)]
pub struct SourcesPart<'a> {
    /// The spec's file.
    pub file: &'a SpecFile,
    /// Data sources by table name.
    pub sources: &'a BTreeMap<String, SourceDecl>,
    /// Resource limits.
    pub limits: &'a Limits,
    /// Intermediate queries (read only to decide what a database sends).
    pub views: &'a BTreeMap<String, ViewDecl>,
    /// Scalar figures by name (likewise).
    pub figures: &'a BTreeMap<String, FigureDecl>,
    /// Tables by name (likewise, and their `checks`).
    pub tables: &'a BTreeMap<String, TableDecl>,
    /// The SQL checks (`[[checks]]`, likewise).
    pub checks: &'a [Spanned<SqlCheckDecl>],
}

/// What the declared checks need: the sources' and tables' checks and
/// `[[checks]]`.
#[derive(Debug, Clone, Copy)]
pub struct ChecksPart<'a> {
    /// The spec's file.
    pub file: &'a SpecFile,
    /// Data sources by table name (their `checks`).
    pub sources: &'a BTreeMap<String, SourceDecl>,
    /// Tables by name (their `checks`).
    pub tables: &'a BTreeMap<String, TableDecl>,
    /// The SQL checks (`[[checks]]`).
    pub checks: &'a [Spanned<SqlCheckDecl>],
}

/// What computing the figures needs: the queries (views, figures,
/// tables, the batch's), the checks run over them, and the sources'
/// declarations (what a query may read, which are `sparse`, which a
/// database runs a query for). The previous period's sources are read by
/// the caller (see `compute::previous`).
#[derive(Debug, Clone, Copy)]
pub struct ComputePart<'a> {
    /// The spec's file.
    pub file: &'a SpecFile,
    /// Data sources by table name.
    pub sources: &'a BTreeMap<String, SourceDecl>,
    /// Intermediate queries.
    pub views: &'a BTreeMap<String, ViewDecl>,
    /// Scalar figures by name.
    pub figures: &'a BTreeMap<String, FigureDecl>,
    /// Tables by name.
    pub tables: &'a BTreeMap<String, TableDecl>,
    /// The SQL checks (`[[checks]]`).
    pub checks: &'a [Spanned<SqlCheckDecl>],
    /// `[batch]` (its `query` runs over the sources).
    pub batch: &'a Option<Spanned<BatchSection>>,
    /// Resource limits.
    pub limits: &'a Limits,
}

impl<'a> ComputePart<'a> {
    /// The sources' part, to read the previous period's.
    pub fn sources_part(&self) -> SourcesPart<'a> {
        SourcesPart {
            file: self.file,
            sources: self.sources,
            limits: self.limits,
            views: self.views,
            figures: self.figures,
            tables: self.tables,
            checks: self.checks,
        }
    }

    /// The checks' part, to run the checks over the tables.
    pub fn checks_part(&self) -> ChecksPart<'a> {
        ChecksPart {
            file: self.file,
            sources: self.sources,
            tables: self.tables,
            checks: self.checks,
        }
    }
}

/// What resolving the parameters needs: their declarations (the
/// defaults, already parsed) and the spec's file (an unknown `--set`
/// names it).
#[derive(Debug, Clone, Copy)]
pub struct ParamsPart<'a> {
    /// The spec's file.
    pub file: &'a SpecFile,
    /// Declared parameters by name.
    pub params: &'a BTreeMap<String, Spanned<ParamDecl>>,
}

/// What the manifest records of the spec: its file (path and hash), the
/// report's name and date, and the queries with what they read (each
/// figure's and table's lineage, each source's `sparse`).
#[derive(Debug, Clone, Copy)]
pub struct ManifestPart<'a> {
    /// The spec's file.
    pub file: &'a SpecFile,
    /// The report date.
    pub date: jiff::civil::Date,
    /// `[report]` (its name).
    pub report: &'a ReportSection,
    /// Data sources by table name.
    pub sources: &'a BTreeMap<String, SourceDecl>,
    /// Intermediate queries.
    pub views: &'a BTreeMap<String, ViewDecl>,
    /// Scalar figures by name.
    pub figures: &'a BTreeMap<String, FigureDecl>,
    /// Tables by name.
    pub tables: &'a BTreeMap<String, TableDecl>,
}

/// What publishing needs: `[disclosure]` and the figures' and tables'
/// declarations (what each column is, which are totals).
#[derive(Debug, Clone, Copy)]
pub struct PublishPart<'a> {
    /// The spec's file.
    pub file: &'a SpecFile,
    /// Statistical disclosure control.
    pub disclosure: &'a Option<Spanned<DisclosureSection>>,
    /// Scalar figures by name.
    pub figures: &'a BTreeMap<String, FigureDecl>,
    /// Tables by name.
    pub tables: &'a BTreeMap<String, TableDecl>,
}

/// What rendering needs: the front matter, the content, the figures',
/// tables' and charts' declarations, `[disclosure]` (its marker) and
/// `[limits]`.
#[derive(Debug, Clone, Copy)]
pub struct RenderPart<'a> {
    /// The spec's file.
    pub file: &'a SpecFile,
    /// The report date.
    pub date: jiff::civil::Date,
    /// `[report]`.
    pub report: &'a ReportSection,
    /// `[content]`.
    pub content: &'a ContentSection,
    /// Scalar figures by name.
    pub figures: &'a BTreeMap<String, FigureDecl>,
    /// Tables by name.
    pub tables: &'a BTreeMap<String, TableDecl>,
    /// Charts by name.
    pub charts: &'a BTreeMap<String, Spanned<ChartDecl>>,
    /// Statistical disclosure control.
    pub disclosure: &'a Option<Spanned<DisclosureSection>>,
    /// Resource limits.
    pub limits: &'a Limits,
}

/// What the house style needs: `[style]` and `[report]` (the layout, the
/// report's fonts).
#[derive(Debug, Clone, Copy)]
pub struct StylePart<'a> {
    /// The spec's file.
    pub file: &'a SpecFile,
    /// `[style]`.
    pub style: &'a StyleSection,
    /// `[report]`.
    pub report: &'a ReportSection,
}

impl Spec {
    /// What reading the sources needs.
    pub fn sources_part(&self) -> SourcesPart<'_> {
        self.compute_part().sources_part()
    }

    /// What the declared checks need.
    pub fn checks_part(&self) -> ChecksPart<'_> {
        self.compute_part().checks_part()
    }

    /// What computing the figures needs.
    pub fn compute_part(&self) -> ComputePart<'_> {
        ComputePart {
            file: &self.file,
            sources: &self.sources,
            views: &self.views,
            figures: &self.figures,
            tables: &self.tables,
            checks: &self.checks,
            batch: &self.batch,
            limits: &self.limits,
        }
    }

    /// What resolving the parameters needs.
    pub fn params_part(&self) -> ParamsPart<'_> {
        ParamsPart {
            file: &self.file,
            params: &self.params,
        }
    }

    /// What the manifest records of the spec.
    pub fn manifest_part(&self) -> ManifestPart<'_> {
        ManifestPart {
            file: &self.file,
            date: self.date,
            report: &self.report,
            sources: &self.sources,
            views: &self.views,
            figures: &self.figures,
            tables: &self.tables,
        }
    }

    /// What publishing needs.
    pub fn publish_part(&self) -> PublishPart<'_> {
        PublishPart {
            file: &self.file,
            disclosure: &self.disclosure,
            figures: &self.figures,
            tables: &self.tables,
        }
    }

    /// What rendering needs.
    pub fn render_part(&self) -> RenderPart<'_> {
        RenderPart {
            file: &self.file,
            date: self.date,
            report: &self.report,
            content: &self.content,
            figures: &self.figures,
            tables: &self.tables,
            charts: &self.charts,
            disclosure: &self.disclosure,
            limits: &self.limits,
        }
    }

    /// What the house style needs.
    pub fn style_part(&self) -> StylePart<'_> {
        StylePart {
            file: &self.file,
            style: &self.style,
            report: &self.report,
        }
    }
}
