//! The pipeline, in order: spec → params → sources → compute (+ checks)
//! → publish → render → backends → manifest. It loads the spec with the
//! build's input registry, makes the one [`BuildContext`] every stage is
//! lent, and writes nothing; [`Build::write`] does.

use std::path::{Path, PathBuf};
use std::sync::Arc;

mod data;
mod options;
mod record;
mod write;

pub use self::data::DataInputs;
pub(crate) use self::data::Shared;
pub(crate) use self::write::write_both;

use self::data::{data_stages, reusable};
use self::options::{docx_options, output_names, report_fonts, timestamp, typst_options};
use self::record::complete_manifest;
use crate::context::BuildContext;
use crate::error::{Diagnostic, Diagnostics, Error, ErrorKind, Result};
use crate::guard::{self, Stage};
use crate::inputs::Inputs;
use crate::spec::{Parsed, Spec};
use crate::timings::{self, Stage as T};
use crate::{backend, chart, manifest, publish, render};

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
    /// Reuse and keep results under `OUT/.boardpack-cache/` (see
    /// `cache`); off unless asked for, so library callers and
    /// `verify` compute everything afresh.
    pub cache: bool,
    /// Set when this paper is one of a batch (`--for-each`): its value is
    /// among `overrides`, and its outputs are named after it.
    pub batch: Option<manifest::BatchRecord>,
}

/// A finished build, in memory: every stage's result and all outputs.
#[derive(Debug, Clone)]
pub struct Build {
    /// The validated spec.
    spec: Spec,
    /// Resolved parameters.
    params: Params,
    /// Figures and tables.
    computed: Computed,
    /// The previous period's figures and tables, for comparisons.
    previous: Previous,
    /// What the documents show: totals added, small counts suppressed.
    published: publish::Published,
    /// Rendered Markdown and the shared content tree.
    rendered: Rendered,
    /// The outputs the spec declares, in [`backend::Format::ALL`] order.
    outputs: Vec<backend::Output>,
    /// Provenance, including the outputs' hashes.
    manifest: Manifest,
    /// Where outputs go.
    out_dir: PathBuf,
    /// Output file names.
    names: OutputNames,
    /// Things the reader of the build log should know (not errors), each
    /// with its place, in stage order.
    warnings: Diagnostics,
    /// The house style every output applies (`[style]`, resolved once).
    style: crate::style::Style,
    /// The cache this build read and filled.
    cache: std::sync::Arc<crate::cache::Cache>,
    /// The loaded data, for [`rebuild`].
    data: DataInputs,
}

/// A build's results, read-only: the stages' values are the build's own.
impl Build {
    /// Figures and tables as computed (before disclosure control).
    pub fn computed(&self) -> &Computed {
        &self.computed
    }

    /// Rendered Markdown and the shared content tree.
    pub fn rendered(&self) -> &Rendered {
        &self.rendered
    }

    /// Provenance, including the outputs' hashes.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Where outputs go.
    pub fn out_dir(&self) -> &std::path::Path {
        &self.out_dir
    }

    /// Output file names.
    pub fn names(&self) -> &OutputNames {
        &self.names
    }

    /// Things the reader of the build log should know (not errors).
    pub fn warnings(&self) -> &Diagnostics {
        &self.warnings
    }

    /// The house style every output applies.
    pub fn style(&self) -> &crate::style::Style {
        &self.style
    }
}

/// The file names a build writes (declared by the spec).
pub use crate::spec::OutputNames;

/// Runs the whole pipeline in memory; writes nothing.
pub fn build(options: &BuildOptions) -> Result<Build> {
    let (spec, inputs) = load(&options.spec)?;
    build_reusing(spec, inputs, options, None, &Shared::default())
}

/// Runs the whole pipeline for an already loaded spec (e.g. one `refresh`
/// has rewritten in memory), with a registry of its own; writes nothing.
pub fn build_spec(spec: Spec, options: &BuildOptions) -> Result<Build> {
    let inputs = registry(&spec);
    build_reusing(spec, inputs, options, None, &Shared::default())
}

/// Loading a spec needs the registry the files it names are read
/// through, and the build is what makes registries: so these live here.
impl Spec {
    /// Reads and validates the spec at `path`.
    pub fn load(path: &Path) -> Result<Spec> {
        load(path).map(|(spec, _)| spec)
    }

    /// Validates spec `text` as if it were the file at `path`.
    pub fn from_text(path: &Path, text: String) -> Result<Spec> {
        load_text(path, text).map(|(spec, _)| spec)
    }
}

/// Reads and validates the spec at `path`, with the registry that read it
/// (the spec first, then the fonts and logo its check reads).
pub(crate) fn load(path: &Path) -> Result<(Spec, Arc<Inputs>)> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(ErrorKind::Io, format!("cannot read the spec: {e}"))
            .in_file(path)
            .with_hint("check the path; a spec is a `report.toml` file")
    })?;
    load_text(path, text)
}

/// [`load`] for spec `text` as if it were the file at `path`.
pub(crate) fn load_text(path: &Path, text: String) -> Result<(Spec, Arc<Inputs>)> {
    let parsed = Parsed::new(path, text)?;
    let inputs = Arc::new(
        Inputs::with_data_dirs(parsed.root(), parsed.data_dirs().to_vec())
            .with_image_limit(parsed.limits().image_pixels),
    );
    inputs.record(parsed.path(), "spec", parsed.text().as_bytes());
    let spec = parsed.validate(&*inputs)?;
    Ok((spec, inputs))
}

/// The context [`build`] makes for `spec` (with `overrides`, no cache),
/// for running the stages one at a time (`stages`, the stage benchmark).
#[doc(hidden)]
pub fn stage_context(spec: &Spec, overrides: &[(String, String)]) -> Result<BuildContext> {
    let params = Params::resolve(spec.params_part(), overrides)?;
    let cache = Arc::new(crate::cache::Cache::disabled());
    Ok(BuildContext::new(
        &spec.limits,
        registry(spec),
        cache,
        params,
    ))
}

/// A new registry for a loaded spec: its root, data folders and image
/// limit, the spec's text recorded as its first input.
pub(crate) fn registry(spec: &Spec) -> Arc<Inputs> {
    let inputs = Inputs::with_data_dirs(spec.file.root(), spec.data_dirs.clone())
        .with_image_limit(spec.limits.image_pixels);
    inputs.record(spec.file.path(), "spec", spec.file.text().as_bytes());
    Arc::new(inputs)
}

/// [`build_spec`], reusing what a batch loaded once: a source in `shared`
/// read from the same file is not read or parsed again, nor checked again.
pub(crate) fn build_with(
    spec: Spec,
    inputs: Arc<Inputs>,
    options: &BuildOptions,
    shared: &Shared,
) -> Result<Build> {
    build_reusing(spec, inputs, options, None, shared)
}

impl Build {
    /// What the build output notes without warning (nothing `--strict`
    /// refuses): each bundled font standing in for a house font.
    pub fn notes(&self) -> Diagnostics {
        self.style
            .stand_ins
            .iter()
            .map(|s| Diagnostic::note(ErrorKind::Spec, s.note()))
            .collect()
    }
}

/// [`build_spec`] again after an edit (`watch`): the data stages' results
/// (sources, figures, tables, publication) are taken from `last` when
/// nothing they read changed — the same spec text, parameters and
/// `--strict`, every data file (this and the previous period's) re-read
/// with the same hash, and a previous period that had data (a file that
/// did not exist may have appeared). Otherwise everything is computed.
pub fn rebuild(spec: Spec, options: &BuildOptions, last: &Build) -> Result<Build> {
    let inputs = registry(&spec);
    rebuild_with(spec, inputs, options, last)
}

/// [`rebuild`] reading through `inputs` (which `watch` keeps, to see
/// what the build read even when it fails).
pub(crate) fn rebuild_with(
    spec: Spec,
    inputs: Arc<Inputs>,
    options: &BuildOptions,
    last: &Build,
) -> Result<Build> {
    build_reusing(spec, inputs, options, Some(last), &Shared::default())
}

/// [`build_spec`] after an optional earlier build; the build's context is
/// made here and nowhere else.
fn build_reusing(
    spec: Spec,
    inputs: Arc<Inputs>,
    options: &BuildOptions,
    last: Option<&Build>,
    shared: &Shared,
) -> Result<Build> {
    guard::limit(spec.limits.memory_mb);
    let out_dir = spec.out_dir(options.out_dir.as_deref());
    let ctx = context(&spec, inputs, options, &out_dir)?;
    let data = match last.and_then(|l| reusable(l, &spec, &ctx, options.strict)) {
        Some(data) => data,
        None => data_stages(&spec, &ctx, options.strict, shared)?,
    };
    let style = crate::style::Style::from_spec(spec.style_part(), &ctx)?;
    let font_files = report_fonts(&spec, &ctx)?;
    let chart_fonts = chart::Fonts::new(&font_files).styled(&style.body_font, style.accent);
    guard::enter(Stage::Render);
    let mut rendered = timings::time(
        T::Render,
        || "templates, tables and charts".into(),
        || render_stage(&spec, &ctx, &data.published, &chart_fonts, options.strict),
    )?;
    let manifest_started = std::time::Instant::now();
    let timestamp = timestamp(&spec, options.source_date_epoch)?;
    let docx = docx_options(&spec, &ctx, &style, (timestamp, &chart_fonts))?;
    let names = output_names(&spec, options)?;
    let mut typst = typst_options(&spec, &ctx, (timestamp, &style), font_files)?;
    let mut manifest = record::record(
        (&spec, &ctx, options),
        &data,
        &mut rendered,
        &style,
        (&names, &mut typst),
    )?;
    timings::record_since(
        T::Manifest,
        "manifest and sources appendix",
        manifest_started,
    );
    guard::enter(Stage::Outputs);
    let outputs = backend::render_all(&backend::Context {
        doc: &rendered.document,
        outputs: &names.outputs,
        typst: &typst,
        docx: &docx,
        html: &backend::html::HtmlOptions::new(&spec.style),
        cache: &ctx.cache,
    })?;
    spec.check_outputs_against_inputs(&out_dir, &*ctx.inputs)?;
    complete_manifest(&mut manifest, &ctx.inputs, &outputs);
    manifest.batch = options.batch.clone();
    collect_warnings(&ctx, &data.check_warnings, &rendered, &outputs);
    Ok(Build {
        out_dir,
        names,
        warnings: ctx.diagnostics.all(),
        params: ctx.params.clone(),
        spec,
        computed: data.computed,
        previous: data.previous,
        published: data.published,
        rendered,
        outputs,
        manifest,
        style,
        cache: ctx.cache.clone(),
        data: DataInputs {
            sources: data.sources,
            previous_sources: data.previous_sources,
            check_warnings: data.check_warnings,
            strict: options.strict,
        },
    })
}

/// The build's context: its registry, a cache in the output folder
/// `out_dir`, the parameters with `--set` applied, the spec's limits.
fn context(
    spec: &Spec,
    inputs: Arc<Inputs>,
    options: &BuildOptions,
    out_dir: &Path,
) -> Result<BuildContext> {
    let params = Params::resolve(spec.params_part(), &options.overrides)?;
    let cache = Arc::new(crate::cache::Cache::new(out_dir, options.cache));
    Ok(BuildContext::new(&spec.limits, inputs, cache, params))
}

/// Puts the build's warnings into its diagnostics: a cache asked for but
/// not usable (a link in its place, no key) first, then the stages'.
fn collect_warnings(
    ctx: &BuildContext,
    checks: &Diagnostics,
    rendered: &Rendered,
    outputs: &[backend::Output],
) {
    if let Some(notice) = ctx.cache.notice() {
        ctx.diagnostics
            .push(Diagnostic::warning(ErrorKind::Io, notice));
    }
    ctx.diagnostics
        .extend(stage_warnings(checks, rendered, outputs));
}

/// Every warning of a build, in stage order: data checks, rendering, each
/// output.
fn stage_warnings(
    checks: &Diagnostics,
    rendered: &Rendered,
    outputs: &[backend::Output],
) -> Diagnostics {
    checks
        .iter()
        .chain(&rendered.warnings)
        .chain(outputs.iter().flat_map(|o| &o.warnings))
        .cloned()
        .collect()
}

/// The rendered document; under `--strict`, its warnings (e.g. a
/// comparison with a period that has no data) are errors, all reported.
fn render_stage(
    spec: &Spec,
    ctx: &BuildContext,
    published: &publish::Published,
    chart_fonts: &chart::Fonts,
    strict: bool,
) -> Result<Rendered> {
    let rendered = render::render(spec.render_part(), ctx, published, chart_fonts)?;
    if strict {
        Error::collect(rendered.warnings.iter().map(|w| Error::from_diagnostic(w.clone())
            .with_hint("guard the comparison with `{% if figures.NAME.has_previous %}`, add the missing data, or build without `--strict`")).collect())?;
    }
    Ok(rendered)
}

#[cfg(test)]
mod tests;
