//! The pipeline, in order: spec → params → sources → compute (+ checks)
//! → publish → render → backends → manifest. It owns the build's input
//! registry (through the spec) and writes nothing; [`Build::write`] does.

use std::path::PathBuf;

use crate::error::{Error, ErrorKind, Result};
use crate::spec::Spec;
use crate::{backend, chart, checks, compute, manifest, output, publish, render, source};

use crate::backend::typst::{Attachment, PdfOutput, TypstOptions};
use crate::compute::{Computed, Previous};
use crate::manifest::Manifest;
use crate::params::Params;
use crate::render::Rendered;

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
    /// Treat warnings (e.g. a comparison with a period that has no data) as
    /// errors.
    pub strict: bool,
}

/// A finished build, in memory: every stage's result and all outputs.
#[derive(Debug, Clone)]
pub struct Build {
    /// The validated spec.
    pub spec: Spec,
    /// Resolved parameters.
    pub params: Params,
    /// Figures and tables.
    pub computed: Computed,
    /// The previous period's figures and tables, for comparisons.
    pub previous: Previous,
    /// What the documents show: totals added, small counts suppressed.
    pub published: publish::Published,
    /// Rendered Markdown and the shared content tree.
    pub rendered: Rendered,
    /// The PDF board paper.
    pub pdf: PdfOutput,
    /// The Word executive summary.
    pub docx: Vec<u8>,
    /// Provenance, including the outputs' hashes.
    pub manifest: Manifest,
    /// Where outputs go.
    pub out_dir: PathBuf,
    /// Output file names.
    pub names: OutputNames,
    /// Things the reader of the build log should know (not errors).
    pub warnings: Vec<String>,
}

/// The file names a build writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputNames {
    /// The PDF board paper.
    pub pdf: String,
    /// The Word summary.
    pub docx: String,
    /// The provenance manifest (public: no suppressed value).
    pub manifest: String,
    /// The analyst's full manifest, written when the spec has
    /// `[disclosure]`.
    pub private_manifest: String,
}

/// Runs the whole pipeline in memory; writes nothing.
pub fn build(options: &BuildOptions) -> Result<Build> {
    build_spec(Spec::load(&options.spec)?, options)
}

/// Runs the whole pipeline for an already loaded spec (e.g. one `refresh`
/// has rewritten in memory); writes nothing.
pub fn build_spec(spec: Spec, options: &BuildOptions) -> Result<Build> {
    let params = spec.params(&options.overrides)?;
    // Queries may only read declared tables: refuse before reading any data.
    compute::check_queries(&spec)?;
    let sources = source::load_all(&spec, &params, &Default::default())?;
    let (computed, check_warnings) = compute_checked(&spec, &sources, &params, options.strict)?;
    let (previous, previous_sources) = compute::previous(&spec, &sources, &params)?;
    let font_files = report_fonts(&spec)?;
    let chart_fonts = chart::Fonts::new(&font_files);
    let published = publish::publish(&spec, &computed, &previous)?;
    let rendered = render::render(&spec, &params, &published, &chart_fonts)?;
    if options.strict {
        if let Some(w) = rendered.warnings.first() {
            return Err(Error::new(ErrorKind::Template, w.clone())
                .with_hint("guard the comparison with `{% if figures.NAME.has_previous %}`, add the missing data, or build without `--strict`"));
        }
    }
    let timestamp = timestamp(&spec, options.source_date_epoch)?;
    let docx = backend::docx::render(
        &rendered.document,
        &backend::docx::DocxOptions { timestamp },
    )?;
    let names = spec.output_names();
    let mut typst = typst_options(&spec, timestamp, font_files)?;
    let mut files = Vec::new();
    for (key, value) in [
        ("body", &spec.raw.content.body),
        ("summary", &spec.raw.content.summary),
    ] {
        files.push((spec.resolve(value)?, format!("template {key}")));
    }
    spec.read(&spec.raw.report.layout, "layout")?;
    files.push((typst.layout.clone(), "layout".to_string()));
    for f in &spec.raw.report.fonts {
        files.push((spec.resolve(f)?, "font".to_string()));
    }
    let mut manifest = Manifest::new(&manifest::Record {
        spec: &spec,
        params: &params,
        source_date_epoch: options.source_date_epoch,
        sources: &sources,
        previous_sources: &previous_sources,
        computed: &computed,
        previous: &previous,
        published: &published,
        files,
    })?;
    typst.attachments.push(Attachment {
        name: names.manifest.clone(),
        mime_type: "application/json".into(),
        description: "boardpack provenance manifest: inputs, parameters, figures and queries"
            .into(),
        text: manifest.public().to_json(),
    });
    let pdf = backend::typst::render(&rendered.document, &typst)?;
    // Files the layout itself read (images, includes) and template
    // includes are inputs too: the registry holds every file read.
    for file in spec.inputs.files() {
        let path = manifest::relative(&spec.root, &file.path);
        if !manifest.inputs.iter().any(|i| i.path == path) {
            manifest.inputs.push(manifest::Input {
                path,
                role: file.role.clone(),
                blake3: file.blake3.clone(),
                ..manifest::Input::default()
            });
        }
    }
    let out_dir = spec.out_dir(options.out_dir.as_deref());
    spec.check_outputs_against_inputs(&out_dir)?;
    manifest
        .outputs
        .insert(names.pdf.clone(), manifest::hash(&pdf.pdf));
    manifest
        .outputs
        .insert(names.docx.clone(), manifest::hash(&docx));
    let mut warnings = check_warnings;
    warnings.extend(rendered.warnings.iter().cloned());
    warnings.extend(pdf.warnings.iter().cloned());
    Ok(Build {
        out_dir,
        names,
        spec,
        params,
        computed,
        previous,
        published,
        rendered,
        pdf,
        docx,
        manifest,
        warnings,
    })
}

/// Computes the figures and tables and runs the declared data checks: the
/// sources' first (a failed one explains a query failure after it), then the
/// tables' and the SQL checks. Returns the warnings of failed `warning` checks.
fn compute_checked(
    spec: &Spec,
    sources: &std::collections::BTreeMap<String, source::Source>,
    params: &Params,
    strict: bool,
) -> Result<(Computed, Vec<String>)> {
    let mut outcomes = checks::check_sources(spec, sources)?;
    checks::settle(&outcomes, strict)?;
    let (mut computed, mut frames) = compute::compute_frames(spec, sources, params)?;
    outcomes.extend(checks::check_computed(spec, sources, &mut frames)?);
    let warnings = checks::settle(&outcomes, strict)?;
    computed.checks = outcomes;
    Ok((computed, warnings))
}

impl Build {
    /// The files a build writes: (name, bytes), PDF, DOCX, the public
    /// manifest and, under `[disclosure]`, the analyst's private one.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files = vec![
            (self.names.pdf.clone(), self.pdf.pdf.clone()),
            (self.names.docx.clone(), self.docx.clone()),
            (
                self.names.manifest.clone(),
                self.manifest.public().to_json().into_bytes(),
            ),
        ];
        if self.manifest.private.is_some() {
            files.push((
                self.names.private_manifest.clone(),
                self.manifest.to_json().into_bytes(),
            ));
        }
        files
    }

    /// Writes the PDF, DOCX and manifest atomically into the output folder.
    pub fn write(&self) -> Result<Vec<PathBuf>> {
        output::write_all(&self.out_dir, &self.files())
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

/// The font files `report.fonts` names.
fn report_fonts(spec: &Spec) -> Result<Vec<Vec<u8>>> {
    let mut fonts = Vec::new();
    for f in &spec.raw.report.fonts {
        fonts.push(spec.read(f, "font")?.bytes.to_vec());
    }
    Ok(fonts)
}

fn typst_options(
    spec: &Spec,
    timestamp: jiff::Timestamp,
    fonts: Vec<Vec<u8>>,
) -> Result<TypstOptions<'_>> {
    let r = &spec.raw.report;
    let layout = spec.resolve(&r.layout)?;
    Ok(TypstOptions {
        root: &spec.root,
        inputs: spec.inputs.clone(),
        layout,
        main_dir: &spec.dir,
        fonts,
        ident: &r.name,
        date: spec.date,
        timestamp,
        attachments: Vec::new(),
        time_limit: std::time::Duration::from_secs(spec.raw.limits.layout_seconds),
    })
}
