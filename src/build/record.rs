//! The build's record: the manifest of what the data stages read and
//! made, the content files, layout, fonts and logo, the sources appendix
//! from it, the copy embedded in the PDF, and the outputs' hashes.

use std::path::PathBuf;

use super::data::DataStages;
use super::{BuildOptions, OutputNames};
use crate::backend;
use crate::backend::typst::{Attachment, TypstOptions};
use crate::context::BuildContext;
use crate::error::Result;
use crate::inputs::Inputs;
use crate::manifest::{self, Manifest};
use crate::render::Rendered;
use crate::spec::Spec;

/// The manifest of the data stages, the content files and the document:
/// the sources appendix is made from it and tied into `rendered`, the
/// public copy attached to the PDF (`typst`), and the document's content
/// recorded for the redline after that copy is made.
pub(super) fn record(
    (spec, ctx, options): (&Spec, &BuildContext, &BuildOptions),
    data: &DataStages,
    rendered: &mut Rendered,
    style: &crate::style::Style,
    (names, typst): (&OutputNames, &mut TypstOptions),
) -> Result<Manifest> {
    let files = layout_files(spec, ctx, typst)?;
    let mut manifest = new_manifest(spec, ctx, options, data, files)?;
    manifest.word_captions =
        manifest::word_captions(&rendered.document, style.word_captions_as_pdf);
    let sources = sources_appendix(spec, &rendered.document, &manifest);
    rendered.document.tie_numbers(sources);
    attach_manifest(typst, names, &manifest);
    // Recorded after the PDF's copy is made: the PDF is that content.
    let mut content = crate::redline::Content::of(&rendered.document);
    content.meta.marking = style.marking.clone();
    manifest.content = Some(content);
    Ok(manifest)
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
        spec: spec.manifest_part(),
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

/// The content files, layout, fonts and logo, with their roles, as the
/// manifest lists them (the layout is read through the registry here, so
/// a missing one fails before any output is made).
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
        files.push((ctx.resolve(&spec.file, value)?, format!("template {key}")));
    }
    ctx.read(&spec.file, &spec.report.layout, "layout")?;
    files.push((typst.layout.clone(), "layout".to_string()));
    for f in &spec.report.fonts {
        files.push((ctx.resolve(&spec.file, f)?, "font".to_string()));
    }
    if let Some(logo) = &spec.style.logo {
        files.push((ctx.resolve(&spec.file, logo)?, "logo".to_string()));
    }
    Ok(files)
}

/// Adds what only the finished outputs know to the manifest: every file
/// the registry read that it does not list yet (images and includes the
/// layout read, template includes) and each output's hash.
pub(super) fn complete_manifest(
    manifest: &mut Manifest,
    inputs: &Inputs,
    outputs: &[backend::Output],
) {
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
