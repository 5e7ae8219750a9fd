//! boardpack: a report spec (TOML) → figures computed by Polars → content
//! rendered by MiniJinja → a PDF board paper (Typst) and an editable Word
//! executive summary (docx-rs), reproducibly.
//!
//! The modules follow the data: [`spec`] → [`params`] → [`source`] →
//! [`compute`] → [`render`] (into the shared [`doc`] tree) → [`backend`]
//! (Typst, Word) → [`output`].

pub mod backend;
pub mod compute;
pub mod doc;
pub mod error;
pub mod output;
pub mod params;
pub mod render;
pub mod source;
pub mod spec;

use std::path::{Path, PathBuf};

pub use error::{Error, ErrorKind, Result};
pub use spec::Spec;

use backend::typst::{PdfOutput, TypstOptions};
use compute::Computed;
use params::Params;
use render::Rendered;

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The spec file.
    pub spec: PathBuf,
    /// `--set NAME=VALUE` overrides, in order.
    pub overrides: Vec<(String, String)>,
    /// `--out DIR`, overriding the spec's output folder.
    pub out_dir: Option<PathBuf>,
    /// `SOURCE_DATE_EPOCH`, if set: the outputs' timestamps instead of the
    /// report date (never the clock).
    pub source_date_epoch: Option<i64>,
}

/// A finished build, in memory: every stage's result and both outputs.
#[derive(Debug, Clone)]
pub struct Build {
    /// The validated spec.
    pub spec: Spec,
    /// Resolved parameters.
    pub params: Params,
    /// Figures and tables.
    pub computed: Computed,
    /// Rendered Markdown and the shared content tree.
    pub rendered: Rendered,
    /// The PDF board paper.
    pub pdf: PdfOutput,
    /// The Word executive summary.
    pub docx: Vec<u8>,
    /// Where outputs go.
    pub out_dir: PathBuf,
    /// Output file names (PDF, DOCX).
    pub names: (String, String),
}

/// Runs the whole pipeline in memory; writes nothing.
pub fn build(options: &BuildOptions) -> Result<Build> {
    let spec = Spec::load(&options.spec)?;
    let params = spec.params(&options.overrides)?;
    let sources = source::load_all(&spec)?;
    let computed = compute::compute(&spec, &sources, &params)?;
    let rendered = render::render(&spec, &params, &computed)?;
    let timestamp = timestamp(&spec, options.source_date_epoch)?;
    let pdf = backend::typst::render(&rendered.document, &typst_options(&spec, timestamp)?)?;
    let docx = backend::docx::render(
        &rendered.document,
        &backend::docx::DocxOptions { timestamp },
    )?;
    Ok(Build {
        out_dir: spec.out_dir(options.out_dir.as_deref()),
        names: spec.output_names(),
        spec,
        params,
        computed,
        rendered,
        pdf,
        docx,
    })
}

impl Build {
    /// Writes the PDF and DOCX atomically into the output folder.
    pub fn write(&self) -> Result<Vec<PathBuf>> {
        let files = [
            (self.names.0.clone(), self.pdf.pdf.clone()),
            (self.names.1.clone(), self.docx.clone()),
        ];
        output::write_all(&self.out_dir, &files)
    }
}

/// The outputs' timestamp: `SOURCE_DATE_EPOCH` if given, else the report
/// date at midnight UTC.
fn timestamp(spec: &Spec, epoch: Option<i64>) -> Result<jiff::Timestamp> {
    match epoch {
        Some(secs) => jiff::Timestamp::from_second(secs).map_err(|e| {
            Error::new(
                ErrorKind::Usage,
                format!("`SOURCE_DATE_EPOCH` is out of range: {e}"),
            )
            .with_hint("set it to seconds since 1970-01-01, or unset it")
        }),
        None => spec
            .date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| Error::new(ErrorKind::Spec, format!("report date is out of range: {e}"))),
    }
}

fn typst_options(spec: &Spec, timestamp: jiff::Timestamp) -> Result<TypstOptions<'_>> {
    let r = &spec.raw.report;
    let layout = spec.resolve(&r.layout)?;
    let mut fonts = Vec::new();
    for f in &r.fonts {
        let path = spec.resolve(f)?;
        fonts.push(read(&path).map_err(|e| e.with_hint("check `report.fonts`"))?);
    }
    Ok(TypstOptions {
        root: &spec.root,
        layout,
        main_dir: &spec.dir,
        fonts,
        ident: &r.name,
        date: spec.date,
        timestamp,
    })
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot read `{}`: {e}", error::display_path(path)),
        )
        .in_file(path)
    })
}
