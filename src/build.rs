//! The pipeline, in order: spec → params → sources → compute (+ checks)
//! → publish → render → backends → manifest. It loads the spec with the
//! build's input registry, makes the one [`BuildContext`] every stage is
//! lent, and writes nothing; [`Build::write`] does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::context::BuildContext;
use crate::error::{Diagnostic, Diagnostics, Error, ErrorKind, Result};
use crate::guard::{self, Stage};
use crate::inputs::Inputs;
use crate::spec::{Parsed, Spec};
use crate::timings::{self, Stage as T};
use crate::{backend, chart, checks, compute, manifest, output, publish, render, source};

use crate::backend::typst::{Attachment, TypstOptions};
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
    let params = Params::resolve(spec, overrides)?;
    let cache = Arc::new(crate::cache::Cache::disabled());
    Ok(BuildContext::new(spec, registry(spec), cache, params))
}

/// A new registry for a loaded spec: its root, data folders and image
/// limit, the spec's text recorded as its first input.
pub(crate) fn registry(spec: &Spec) -> Arc<Inputs> {
    let inputs = Inputs::with_data_dirs(&spec.root, spec.data_dirs.clone())
        .with_image_limit(spec.limits.image_pixels);
    inputs.record(&spec.path, "spec", spec.text.as_bytes());
    Arc::new(inputs)
}

/// What a batch reads and checks once for all its papers.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// The sources, read and parsed once.
    pub(crate) sources: BTreeMap<String, source::Source>,
    /// Their declared checks' outcomes: they depend on the sources alone,
    /// so a paper whose sources are these very ones does not run them again.
    pub(crate) source_checks: Option<Vec<checks::Outcome>>,
}

impl Shared {
    /// The shared source checks, if `sources` are the shared sources (the
    /// same names, files and hashes; a paper whose path names its batch
    /// value reads a file of its own, and checks it).
    fn checks_for(&self, sources: &BTreeMap<String, source::Source>) -> Option<&[checks::Outcome]> {
        let same = sources.len() == self.sources.len()
            && sources.iter().all(|(name, s)| {
                self.sources
                    .get(name)
                    .is_some_and(|t| t.path == s.path && t.blake3 == s.blake3)
            });
        self.source_checks.as_deref().filter(|_| same)
    }
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
    let style = crate::style::Style::from_spec(&spec, &ctx)?;
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
    let files = layout_files(&spec, &ctx, &typst)?;
    let mut manifest = new_manifest(&spec, &ctx, options, &data, files)?;
    manifest.word_captions =
        manifest::word_captions(&rendered.document, style.word_captions_as_pdf);
    let sources = sources_appendix(&spec, &rendered.document, &manifest);
    rendered.document.tie_numbers(sources);
    attach_manifest(&mut typst, &names, &manifest);
    // Recorded after the PDF's copy is made: the PDF is that content.
    let mut content = crate::redline::Content::of(&rendered.document);
    content.meta.marking = style.marking.clone();
    manifest.content = Some(content);
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
    // A cache asked for but not usable (a link in its place, no key) first.
    if let Some(notice) = ctx.cache.notice() {
        ctx.diagnostics
            .push(Diagnostic::warning(ErrorKind::Io, notice));
    }
    ctx.diagnostics
        .extend(stage_warnings(&data.check_warnings, &rendered, &outputs));
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
    let params = Params::resolve(spec, &options.overrides)?;
    let cache = Arc::new(crate::cache::Cache::new(out_dir, options.cache));
    Ok(BuildContext::new(spec, inputs, cache, params))
}

/// The manifest of what the data stages read and made, and the content
/// files, layout, fonts and logo (`files`); without outputs yet.
fn new_manifest(
    spec: &Spec,
    ctx: &BuildContext,
    options: &BuildOptions,
    data: &DataStages,
    files: Vec<(PathBuf, String)>,
) -> Result<Manifest> {
    Manifest::new(&manifest::Record {
        spec,
        inputs: &ctx.inputs,
        params: &ctx.params,
        source_date_epoch: options.source_date_epoch,
        sources: &data.sources,
        previous_sources: &data.previous_sources,
        computed: &data.computed,
        previous: &data.previous,
        published: &data.published,
        files,
    })
}

/// The "Sources of the figures" appendix from the manifest, shown as
/// `[report] sources_appendix` says.
fn sources_appendix(
    spec: &Spec,
    doc: &crate::doc::Document,
    manifest: &Manifest,
) -> crate::doc::Sources {
    let setting = spec.report.sources_appendix;
    let mut printed = crate::doc::printed_figures(&doc.body);
    for f in crate::doc::printed_figures(&doc.summary) {
        if !printed.contains(&f) {
            printed.push(f);
        }
    }
    let mut tables = crate::doc::printed_tables(&doc.body);
    for t in crate::doc::printed_tables(&doc.summary) {
        if !tables.contains(&t) {
            tables.push(t);
        }
    }
    let tables: Vec<(String, String)> = tables
        .into_iter()
        .filter_map(|t| {
            let decl = spec.tables.get(&t)?;
            // A table computing columns withheld from publication (`hidden`,
            // for disclosure control) gets no entry: its query would name
            // them.
            if !decl.hidden.is_empty() {
                return None;
            }
            Some((t, decl.sql.get_ref().clone()))
        })
        .collect();
    crate::explain::appendix(
        manifest,
        &printed,
        &tables,
        (setting != Some(false), setting == Some(true)),
    )
}

/// The outputs' file names: the spec's, or a batch member's.
fn output_names(spec: &Spec, options: &BuildOptions) -> Result<OutputNames> {
    match &options.batch {
        Some(member) => batch_names(&spec.output_names(), spec, member),
        None => Ok(spec.output_names()),
    }
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

/// The content files, layout, fonts and logo, with their roles, as the
/// manifest lists them (the layout is read through the registry here, so
/// a missing one fails before any output is made).
/// The rendered document; under `--strict`, its warnings (e.g. a
/// comparison with a period that has no data) are errors, all reported.
fn render_stage(
    spec: &Spec,
    ctx: &BuildContext,
    published: &publish::Published,
    chart_fonts: &chart::Fonts,
    strict: bool,
) -> Result<Rendered> {
    let rendered = render::render(spec, ctx, published, chart_fonts)?;
    if strict {
        Error::collect(rendered.warnings.iter().map(|w| Error::from_diagnostic(w.clone())
            .with_hint("guard the comparison with `{% if figures.NAME.has_previous %}`, add the missing data, or build without `--strict`")).collect())?;
    }
    Ok(rendered)
}

/// The public manifest, embedded in the PDF (PDF/A-3 attachment).
fn attach_manifest(typst: &mut TypstOptions, names: &OutputNames, manifest: &Manifest) {
    typst.attachments.push(Attachment {
        name: names.manifest.clone(),
        mime_type: "application/json".into(),
        description: "boardpack provenance manifest: inputs, parameters, figures and queries"
            .into(),
        text: manifest.public().to_json(),
    });
}

fn layout_files(
    spec: &Spec,
    ctx: &BuildContext,
    typst: &TypstOptions,
) -> Result<Vec<(PathBuf, String)>> {
    let mut files = Vec::new();
    for (key, value) in [
        ("body", &spec.content.body),
        ("summary", &spec.content.summary),
    ] {
        files.push((ctx.resolve(spec, value)?, format!("template {key}")));
    }
    ctx.read(spec, &spec.report.layout, "layout")?;
    files.push((typst.layout.clone(), "layout".to_string()));
    for f in &spec.report.fonts {
        files.push((ctx.resolve(spec, f)?, "font".to_string()));
    }
    if let Some(logo) = &spec.style.logo {
        files.push((ctx.resolve(spec, logo)?, "logo".to_string()));
    }
    Ok(files)
}

/// Adds what only the finished outputs know to the manifest: every file
/// the registry read that it does not list yet (images and includes the
/// layout read, template includes) and each output's hash.
fn complete_manifest(manifest: &mut Manifest, inputs: &Inputs, outputs: &[backend::Output]) {
    for file in inputs.files() {
        let path = inputs.name_of(&file.path);
        if !manifest.inputs.iter().any(|i| i.path == path) {
            manifest.inputs.push(manifest::Input {
                path,
                role: file.role.clone(),
                blake3: file.blake3.clone(),
                ..manifest::Input::default()
            });
        }
    }
    for output in outputs {
        manifest
            .outputs
            .insert(output.name.clone(), manifest::hash(&output.bytes));
    }
}

/// What the data stages produce: the loaded sources of both periods, the
/// figures and tables with their checks, and what may be published.
struct DataStages {
    sources: BTreeMap<String, source::Source>,
    previous_sources: BTreeMap<String, source::Source>,
    computed: Computed,
    check_warnings: Diagnostics,
    previous: Previous,
    published: publish::Published,
}

/// Sources → compute (with every data check, beside the previous period)
/// → publish, each stage timed.
fn data_stages(
    spec: &Spec,
    ctx: &BuildContext,
    strict: bool,
    shared: &Shared,
) -> Result<DataStages> {
    let params = &ctx.params;
    // Queries may only read declared tables: refuse before reading any data.
    timings::time(
        T::Spec,
        || "query check".into(),
        || compute::check_queries(spec),
    )?;
    guard::enter(Stage::Sources);
    let sources = timings::time(
        T::Sources,
        || "every source (read, hash, reader)".into(),
        || source::load_all(spec, ctx, params, &shared.sources),
    )?;
    let checked = shared.checks_for(&sources);
    guard::enter(Stage::Queries);
    // The previous period's queries run alongside the current ones over
    // the same loaded sources (no file is read again).
    let (current, previous) = std::thread::scope(|s| {
        let (scope, loaded) = (timings::scope(), &sources);
        let previous = s.spawn(move || {
            timings::scoped(&scope, || {
                timings::scoped("previous period", || {
                    compute::previous(spec, ctx, loaded, params)
                })
            })
        });
        let current = compute_checked(spec, &sources, params, (strict, checked));
        let previous = previous
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (current, previous)
    });
    let (computed, check_warnings) = current?;
    let (previous, previous_sources) = previous?;
    let published = timings::time(
        T::Publish,
        || "publish".into(),
        || publish::publish(spec, &computed, &previous),
    )?;
    Ok(DataStages {
        sources,
        previous_sources,
        computed,
        check_warnings,
        previous,
        published,
    })
}

/// The data stages' results, taken over from `last` if nothing they read
/// changed (see [`rebuild`]); their data files are read again through
/// `spec`'s registry, so the new build lists (and `watch` watches) them.
fn reusable(last: &Build, spec: &Spec, ctx: &BuildContext, strict: bool) -> Option<DataStages> {
    let same = last.spec.text == spec.text
        && last.params == ctx.params
        && last.data.strict == strict
        && !matches!(last.previous, Previous::Missing { .. });
    if !same {
        return None;
    }
    let d = &last.data;
    for (name, s) in d.sources.iter().chain(&d.previous_sources) {
        let file = ctx.inputs.read(&s.path, &format!("source {name}")).ok()?;
        if file.blake3 != s.blake3 {
            return None;
        }
    }
    Some(DataStages {
        sources: d.sources.clone(),
        previous_sources: d.previous_sources.clone(),
        computed: last.computed.clone(),
        check_warnings: d.check_warnings.clone(),
        previous: last.previous.clone(),
        published: last.published.clone(),
    })
}

/// What [`rebuild`] needs of a build besides its public results.
#[derive(Debug, Clone)]
pub struct DataInputs {
    sources: std::collections::BTreeMap<String, source::Source>,
    previous_sources: std::collections::BTreeMap<String, source::Source>,
    check_warnings: Diagnostics,
    strict: bool,
}

/// The names of one paper of a batch: each file's stem (the name up to
/// its first `.`) through `[batch] output` (default
/// `{{ stem }}-{{ slug }}`), the rest kept: `needs-assessment.pdf` →
/// `needs-assessment-fenland.pdf`.
fn batch_names(
    names: &OutputNames,
    spec: &Spec,
    member: &manifest::BatchRecord,
) -> Result<OutputNames> {
    let batch = spec.batch.as_ref().map(|b| b.get_ref());
    let pattern = batch
        .and_then(|b| b.output.as_ref())
        .map_or("{{ stem }}-{{ slug }}", |o| o.get_ref().as_str());
    let span = batch
        .and_then(|b| b.output.as_ref())
        .map_or(0..0, |o| o.span());
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let rename = |name: &str| -> Result<String> {
        let (stem, rest) = name.split_at(name.find('.').unwrap_or(name.len()));
        let ctx = minijinja::context! { stem, slug => &member.slug, value => &member.value };
        let new = env.render_str(pattern, ctx).map_err(|e| {
            spec.error_at(
                ErrorKind::Spec,
                format!("cannot fill in `[batch] output`: {}", e.kind()),
                span.clone(),
            )
            .with_hint("the pattern may use `{{ stem }}`, `{{ slug }}` and `{{ value }}`")
        })?;
        if new.is_empty() || new.contains(['/', '\\']) || new.starts_with('.') {
            return Err(spec
                .error_at(ErrorKind::Spec, format!("`[batch] output` makes `{new}{rest}` for `{}`, which is not a plain file name", member.value), span.clone())
                .with_hint("use `{{ slug }}` (letters, digits and dashes) rather than `{{ value }}` in file names"));
        }
        Ok(format!("{new}{rest}"))
    };
    let mut outputs = Vec::new();
    for (format, name) in &names.outputs {
        outputs.push((*format, rename(name)?));
    }
    Ok(OutputNames {
        outputs,
        manifest: rename(&names.manifest)?,
        private_manifest: rename(&names.private_manifest)?,
    })
}

/// Computes the figures and tables and runs the declared data checks: the
/// sources' first (a failed one explains a query failure after it), then the
/// tables' and the SQL checks. Returns the warnings of failed `warning` checks.
/// `checked`: the sources' check outcomes, if a batch already ran them.
fn compute_checked(
    spec: &Spec,
    sources: &std::collections::BTreeMap<String, source::Source>,
    params: &Params,
    (strict, checked): (bool, Option<&[checks::Outcome]>),
) -> Result<(Computed, Diagnostics)> {
    let mut outcomes = match checked {
        Some(outcomes) => outcomes.to_vec(),
        None => timings::time(
            T::Checks,
            || "sources' checks".into(),
            || checks::check_sources(spec, sources),
        )?,
    };
    checks::settle(&outcomes, strict)?;
    let (mut computed, mut frames) = compute::compute_frames(spec, sources, params)?;
    outcomes.extend(timings::time(
        T::Checks,
        || "tables' and SQL checks".into(),
        || checks::check_computed(spec, sources, &mut frames),
    )?);
    let warnings = checks::settle(&outcomes, strict)?;
    computed.checks = outcomes;
    Ok((computed, warnings))
}

impl Build {
    /// The output of `format`, if the spec declares it.
    pub fn output(&self, format: backend::Format) -> Option<&backend::Output> {
        self.outputs.iter().find(|o| o.format == format)
    }

    /// The files a build publishes: (name, bytes), the declared outputs and
    /// the public manifest.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = self
            .outputs
            .iter()
            .map(|o| (o.name.clone(), o.bytes.clone()))
            .collect();
        files.push((
            self.names.manifest.clone(),
            self.manifest.public().to_json().into_bytes(),
        ));
        files
    }

    /// The files that must not be published: under `[disclosure]`, the
    /// analyst's private manifest (true small counts), written into the
    /// private folder beside the output folder ([`private_dir`]).
    pub fn private_files(&self) -> Vec<(String, Vec<u8>)> {
        match self.manifest.private {
            Some(_) => vec![(
                self.names.private_manifest.clone(),
                self.manifest.to_json().into_bytes(),
            )],
            None => Vec::new(),
        }
    }

    /// Writes the outputs and public manifest atomically into the output
    /// folder and, under `[disclosure]`, the private manifest into the
    /// private folder beside it.
    pub fn write(&self) -> Result<Vec<PathBuf>> {
        self.write_public(&self.files())
    }

    /// [`Build::write`] with `public` as the files to publish (the build's
    /// own and, say, a redline), all one set.
    pub(crate) fn write_public(&self, public: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
        let dropped = [self.names.private_manifest.clone()];
        let written = timings::time(
            T::Outputs,
            || "write the output set".into(),
            || write_both(&self.out_dir, public, &self.private_files(), &dropped),
        )?;
        self.cache.flush();
        Ok(written)
    }
}

/// The folder for what must not be published, beside the output folder
/// `out`: `out.private` (so copying `out/` to a web server publishes
/// nothing private).
pub(crate) fn private_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    out.with_file_name(format!("{name}.private"))
}

/// Writes the private files (if any) into [`private_dir`] first, so a
/// published set never lacks its audit record, then the public set, from
/// which the names in `dropped` (a private file an older boardpack wrote
/// there) are removed. Each folder is replaced all-or-nothing. Returns the
/// public paths, then the private ones.
pub(crate) fn write_both(
    out: &Path,
    public: &[(String, Vec<u8>)],
    private: &[(String, Vec<u8>)],
    dropped: &[String],
) -> Result<Vec<PathBuf>> {
    let private = if private.is_empty() {
        Vec::new()
    } else {
        output::write_set(&private_dir(out), private, &[], output::Audience::Private)?
    };
    let mut written = output::write_set(out, public, dropped, output::Audience::Public)?;
    written.extend(private);
    Ok(written)
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

/// The Word backend's options: the Word side of the house style and the
/// reference document, read through the input registry.
fn docx_options(
    spec: &Spec,
    ctx: &BuildContext,
    style: &crate::style::Style,
    (timestamp, chart_fonts): (jiff::Timestamp, &chart::Fonts),
) -> Result<backend::docx::DocxOptions> {
    let reference = match &spec.style.reference_docx {
        Some(path) => Some(backend::docx::Reference {
            path: manifest::relative(&spec.root, &ctx.resolve(spec, path)?).into(),
            bytes: ctx.read(spec, path, "reference docx")?.bytes.clone(),
        }),
        None => None,
    };
    let m = style.margins;
    Ok(backend::docx::DocxOptions {
        timestamp,
        style: backend::docx::WordStyle {
            body_font: Some(style.word_font("body_font")),
            heading_font: Some(style.word_font("heading_font")),
            accent: Some(
                crate::style::hex(style.accent)
                    .trim_start_matches('#')
                    .to_string(),
            ),
            margins_mm: Some([m.top, m.bottom, m.left, m.right]),
            header: style.header.clone(),
            footer: style.footer.clone(),
            marking: style.marking.clone(),
            roles: style
                .word
                .iter()
                .map(|(k, v)| (k.clone(), v.get_ref().clone()))
                .collect(),
            captions_as_pdf: style.word_captions_as_pdf,
        },
        reference,
        chart_fonts: chart_fonts.clone(),
    })
}

/// The font files `report.fonts` names.
fn report_fonts(spec: &Spec, ctx: &BuildContext) -> Result<Vec<Vec<u8>>> {
    let mut fonts = Vec::new();
    for f in &spec.report.fonts {
        fonts.push(ctx.read(spec, f, "font")?.bytes.to_vec());
    }
    Ok(fonts)
}

/// The PDF backend's options: the layout, fonts and house style.
fn typst_options<'a>(
    spec: &'a Spec,
    ctx: &BuildContext,
    (timestamp, style): (jiff::Timestamp, &crate::style::Style),
    fonts: Vec<Vec<u8>>,
) -> Result<TypstOptions<'a>> {
    let r = &spec.report;
    let layout = ctx.resolve(spec, &r.layout)?;
    Ok(TypstOptions {
        root: &spec.root,
        inputs: ctx.inputs.clone(),
        layout,
        main_dir: &spec.dir,
        fonts,
        ident: &r.name,
        date: spec.date,
        timestamp,
        attachments: Vec::new(),
        time_limit: std::time::Duration::from_secs(spec.limits.layout_seconds),
        style: style.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str, blake3: &str) -> source::Source {
        source::Source {
            name: "v".into(),
            path: path.into(),
            frame: polars::prelude::DataFrame::empty(),
            lines: Vec::new().into(),
            period_column: None,
            blake3: blake3.into(),
            files: Vec::new(),
            remote: None,
        }
    }

    #[test]
    fn a_batch_s_source_checks_serve_only_papers_reading_the_same_files() {
        let outcome = checks::Outcome {
            target: "source v".into(),
            rule: "not_null(a)".into(),
            level: checks::CheckLevel::Error,
            message: "m".into(),
            failing: 0,
            lines: Vec::new(),
            report: None,
        };
        let shared = Shared {
            sources: BTreeMap::from([("v".to_string(), source("d/v.csv", "h1"))]),
            source_checks: Some(vec![outcome.clone()]),
        };
        let same = BTreeMap::from([("v".to_string(), source("d/v.csv", "h1"))]);
        assert_eq!(shared.checks_for(&same), Some(&[outcome][..]));
        // The paper read another file, or the same file changed: its own checks.
        let other = BTreeMap::from([("v".to_string(), source("d/fenland.csv", "h1"))]);
        assert_eq!(shared.checks_for(&other), None);
        let changed = BTreeMap::from([("v".to_string(), source("d/v.csv", "h2"))]);
        assert_eq!(shared.checks_for(&changed), None);
        assert_eq!(Shared::default().checks_for(&same), None);
    }
}
