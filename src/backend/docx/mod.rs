//! Word backend: the executive summary as an editable, schema-valid `.docx`.
//!
//! docx-rs builds the document tree (`build`); its package is then read
//! back and corrected by small, named XML passes (`passes`) and our own
//! parts (`styles`, `parts`), and rewritten as a deterministic zip
//! (`package`). Same input and timestamp give byte-identical output.
//!
//! Styles are resolved by name (`stylemap`). Without a reference document
//! the house style (`house`) sets fonts, accent, margins, the running
//! header and footer and the protective marking; with one, the template is
//! kept as a sealed package and only the body is ours (`reference`).

mod build;
mod house;
mod package;
mod parts;
mod passes;
mod reference;
mod schema;
mod sections;
mod stylemap;
mod styles;
mod xml;

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::Arc;

use crate::doc::Document;
use crate::error::{display_path, Error, ErrorKind, Result};
use package::Package;

/// Options for the Word backend.
#[derive(Debug, Clone, Default)]
pub struct DocxOptions {
    /// The document's creation and modification time: written to
    /// `docProps/core.xml` and as every zip entry's time. Never the clock.
    pub timestamp: jiff::Timestamp,
    /// The Word side of `[style]`.
    pub style: WordStyle,
    /// The office's Word template (`[style] reference_docx`), read by the
    /// build through the input registry.
    pub reference: Option<Reference>,
    /// The fonts the charts were drawn with, to rasterise them for Word.
    pub chart_fonts: crate::chart::Fonts,
}

/// The house style as the Word file applies it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WordStyle {
    /// Body font family (document default).
    pub body_font: Option<String>,
    /// Heading font family (title and headings).
    pub heading_font: Option<String>,
    /// Accent colour as `RRGGBB` (no `#`), for the title and headings.
    pub accent: Option<String>,
    /// Page margins in millimetres: top, bottom, left, right.
    pub margins_mm: Option<[f64; 4]>,
    /// Running header text.
    pub header: Option<String>,
    /// Running footer text (beside "Page X of Y").
    pub footer: Option<String>,
    /// Protective marking, e.g. `OFFICIAL`.
    pub marking: Option<String>,
    /// `[style.word]`: content role → Word style name.
    pub roles: BTreeMap<String, String>,
    /// `[style.word] captions = "as-pdf"`: captions keep the whole
    /// document's numbers (the PDF appendix's); by default (`own`) the
    /// summary's are numbered from 1, as a paper standing alone.
    pub captions_as_pdf: bool,
}

/// A reference document: its path as the spec names it (for messages) and
/// its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The file, for messages.
    pub path: PathBuf,
    /// The `.docx`/`.dotx` bytes.
    pub bytes: Arc<[u8]>,
}

/// The Word backend (see the `Backend` trait).
pub struct Docx;

impl crate::backend::Backend for Docx {
    fn format(&self) -> crate::backend::Format {
        crate::backend::Format::Docx
    }

    fn render(&self, cx: &crate::backend::Context, name: &str) -> Result<crate::backend::Output> {
        Ok(crate::backend::Output {
            format: self.format(),
            name: name.to_string(),
            bytes: render(cx.doc, cx.docx)?,
            source: None,
            warnings: Default::default(),
        })
    }
}

/// Renders `doc.summary` (preceded by `doc.meta.summary_title` in the
/// `Title` style) as a `.docx` file.
pub fn render(doc: &Document, options: &DocxOptions) -> Result<Vec<u8>> {
    let own;
    let doc = if options.style.captions_as_pdf {
        doc
    } else {
        let mut d = doc.clone();
        crate::doc::number_summary_alone(&mut d);
        own = d;
        &own
    };
    let pngs = rasterise(doc, &options.chart_fonts)?;
    let build::Built { docx, info } = build::build(doc, pngs);
    let mut package = packed(docx, doc, &info, options)?;
    let package = match &options.reference {
        None => {
            apply_house_style(&mut package, &options.style)?;
            package
        }
        Some(r) => with_reference(&package, r, &options.style)?,
    };
    let mut package = package;
    package.edit_xml(DOCUMENT, sections::apply)?;
    package.write(options.timestamp)
}

/// docx-rs's document packed, read back as a package and given the
/// passes every Word file of ours gets ([`fix_package`]).
fn packed(
    docx: docx_rs::Docx,
    doc: &Document,
    info: &build::BuildInfo,
    options: &DocxOptions,
) -> Result<Package> {
    let mut raw = Cursor::new(Vec::new());
    docx.build().pack(&mut raw).map_err(|e| {
        Error::new(
            ErrorKind::Docx,
            format!("docx-rs could not write the document: {e}"),
        )
    })?;
    let mut package = Package::read(raw.get_ref())?;
    fix_package(&mut package, doc, info, options)?;
    Ok(package)
}

/// A Word file in this backend's styles, numbering and properties whose
/// body is `body`: block-level WordprocessingML written by the caller (the
/// redline, whose tracked changes docx-rs cannot all express), with
/// `ordered_lists` restarting numbering instances for its numbered lists.
pub(crate) fn render_body(
    meta: &crate::doc::Meta,
    body: &str,
    ordered_lists: usize,
    options: &DocxOptions,
) -> Result<Vec<u8>> {
    let doc = Document {
        meta: meta.clone(),
        ..Document::default()
    };
    let build::Built { docx, mut info } = build::build(&doc, BTreeMap::new());
    info.ordered_lists = ordered_lists;
    let mut package = packed(docx, &doc, &info, options)?;
    let wrapped = format!("<w:body>{body}</w:body>");
    let ours = xml::parse(wrapped.as_bytes()).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("the body written is not XML: {e}"),
        )
    })?;
    package.edit_xml(DOCUMENT, |root| {
        if let Some(b) = root.child_mut("w:body") {
            // Keep only the final section properties, after our blocks.
            b.children
                .retain(|n| matches!(n, xml::Node::Element(e) if e.name == "w:sectPr"));
            let mut blocks = ours.children;
            blocks.append(&mut b.children);
            b.children = blocks;
        }
    })?;
    apply_house_style(&mut package, &options.style)?;
    package.write(options.timestamp)
}

/// The summary's charts as PNG, by name. Word is the only output that
/// needs pixels, so they are drawn here, while the PDF is laid out on
/// another thread (see [`crate::backend::render_all`]).
fn rasterise(
    doc: &Document,
    fonts: &crate::chart::Fonts,
) -> Result<BTreeMap<String, crate::chart::Png>> {
    let mut pngs = BTreeMap::new();
    for figure in crate::doc::figures(&doc.summary) {
        if pngs.contains_key(&figure.name) {
            continue;
        }
        let png = crate::chart::png(&figure.svg, fonts).map_err(|e| {
            Error::new(
                ErrorKind::Docx,
                format!("chart `{}` cannot be drawn for Word: {e}", figure.name),
            )
            .with_hint("make the chart smaller (`width` and `height` in its `[charts.NAME]`)")
        })?;
        pngs.insert(figure.name.clone(), png);
    }
    Ok(pngs)
}

/// Our own package in the house style: styles by name (against our own
/// styles part), fonts, accent, margins, header, footer and marking.
fn apply_house_style(package: &mut Package, style: &WordStyle) -> Result<()> {
    let ours = parse_part(package, STYLES)?;
    let document = parse_part(package, DOCUMENT)?;
    let used = stylemap::used_ids(&document);
    let resolved = stylemap::resolve(&ours, &ours, &used, &style.roles)
        .map_err(|missing| style_errors(&missing, &ours, None))?;
    package.edit_xml(DOCUMENT, |root| {
        stylemap::rename(root, &resolved.ids);
        if let Some(mm) = style.margins_mm {
            house::set_margins(root, mm);
        }
    })?;
    package.edit_xml(STYLES, |root| house::style_fonts(root, style))?;
    house::add_header_footer(package, style, ("rIdHeader1", "rIdFooter1"))?;
    if let Some(marking) = &style.marking {
        house::record_marking(package, marking)?;
    }
    Ok(())
}

/// The template with our body, styles it lacks, numbering, charts, links
/// and document properties (see [`reference`]).
fn with_reference(ours: &Package, r: &Reference, style: &WordStyle) -> Result<Package> {
    let shown = display_path(&r.path);
    let mut template = reference::open(&r.bytes).map_err(|why| {
        Error::new(
            ErrorKind::Docx,
            format!("the reference document `{shown}` cannot be used: {why}"),
        )
        .in_file(&r.path)
        .with_hint(
            "save it from Word (or LibreOffice) as a Word document (.docx) or template (.dotx)",
        )
    })?;
    let theirs = parse_part(&template, STYLES)?;
    let our_styles = parse_part(ours, STYLES)?;
    let mut ours = ours.clone();
    let used = stylemap::used_ids(&parse_part(&ours, DOCUMENT)?);
    let resolved = stylemap::resolve(&theirs, &our_styles, &used, &style.roles)
        .map_err(|missing| style_errors(&missing, &theirs, Some(r)))?;
    ours.edit_xml(DOCUMENT, |root| stylemap::rename(root, &resolved.ids))?;
    let numbering = parse_part(&ours, NUMBERING)?;
    reference::merge(
        &mut template,
        reference::Ours {
            package: &ours,
            numbering,
            styles: resolved.added,
        },
    )?;
    for (name, content_type, rel) in reference::PROPERTY_PARTS {
        let bytes = ours.get(name).unwrap_or_default().to_vec();
        reference::put_package_part(&mut template, name, content_type, rel, bytes)?;
    }
    if let Some(marking) = &style.marking {
        house::record_marking(&mut template, marking)?;
        reference::show_marking(&mut template, style, r)?;
    }
    Ok(template)
}

fn parse_part(package: &Package, name: &str) -> Result<xml::Element> {
    let bytes = package
        .get(name)
        .ok_or_else(|| Error::new(ErrorKind::Docx, format!("the package has no `{name}`")))?;
    xml::parse(bytes)
        .map_err(|e| Error::new(ErrorKind::Docx, format!("cannot parse `{name}`: {e}")))
}

/// One error per style name that is not defined, each with "did you mean"
/// and the list of paragraph styles the styles part defines.
fn style_errors(
    missing: &[stylemap::Missing],
    styles: &xml::Element,
    r: Option<&Reference>,
) -> Error {
    let names = stylemap::listed_names(styles);
    let listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    let errors = missing
        .iter()
        .map(|m| {
            let by = if m.asked_by.is_empty() {
                String::new()
            } else {
                format!(" (named by {})", m.asked_by)
            };
            let near = crate::error::did_you_mean(&m.name, names.iter().map(String::as_str))
                .map(|n| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            let (message, hint) = match r {
                Some(r) => (
                    format!(
                        "the reference document `{}` has no style `{}`{by}",
                        display_path(&r.path),
                        m.name
                    ),
                    format!("{near}its paragraph styles are {}", listed.join(", ")),
                ),
                None => (
                    format!("the Word file has no style `{}`{by}", m.name),
                    format!(
                        "{near}without `[style] reference_docx` the styles are {}; name the office's template in `[style] reference_docx` to use its styles",
                        listed.join(", ")
                    ),
                ),
            };
            let e = Error::new(ErrorKind::Docx, message).with_hint(hint);
            match r {
                Some(r) => e.in_file(&r.path),
                None => e,
            }
        })
        .collect();
    match Error::collect(errors) {
        Err(e) => e,
        Ok(()) => Error::new(ErrorKind::Internal, "no style was missing"),
    }
}

const DOCUMENT: &str = "word/document.xml";
const STYLES: &str = "word/styles.xml";
const NUMBERING: &str = "word/numbering.xml";
const SETTINGS: &str = "word/settings.xml";

/// Parts docx-rs always writes that this document never uses: empty
/// comments and footnotes (the first two not even related from the
/// document) and empty custom properties.
const UNUSED_PARTS: &[&str] = &[
    "word/comments.xml",
    "word/commentsExtended.xml",
    "word/footnotes.xml",
    "docProps/custom.xml",
];

/// Language used when the spec gives none.
const DEFAULT_LANGUAGE: &str = "en-GB";

/// Applies every pass and replacement part to docx-rs's package.
fn fix_package(
    package: &mut Package,
    doc: &Document,
    info: &build::BuildInfo,
    options: &DocxOptions,
) -> Result<()> {
    package.edit_xml(DOCUMENT, |root| {
        passes::strip_para_ids(root);
        passes::remove_undeclared_attributes(root);
        passes::mark_header_rows(root, &info.header_tables);
        passes::describe_pictures(root, &info.pictures);
        passes::order_properties(root);
    })?;
    package.edit_xml(SETTINGS, passes::fix_settings)?;
    let language = match doc.meta.language.trim() {
        "" => DEFAULT_LANGUAGE,
        tag => tag,
    };
    package.put(STYLES, styles::STYLES_XML.as_bytes().to_vec());
    package.edit_xml(STYLES, |root| passes::set_default_language(root, language))?;
    package.put(NUMBERING, styles::numbering_xml(info.ordered_lists));
    package.put(parts::CORE, parts::core_xml(&doc.meta, options.timestamp));
    package.put(parts::APP, parts::app_xml(&doc.meta));
    for name in UNUSED_PARTS {
        package.remove_part(name)?;
    }
    package.add_part(&parts::THEME, parts::THEME_XML.as_bytes().to_vec())?;
    // docx-rs lists hyperlink relationships in hash-map order.
    for name in package.rels_names() {
        package.edit_xml(&name, passes::sort_relationships)?;
    }
    Ok(())
}

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod house_template;
#[cfg(test)]
mod tests;
