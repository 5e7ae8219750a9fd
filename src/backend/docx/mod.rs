//! Word backend: the executive summary as an editable, schema-valid `.docx`.
//!
//! docx-rs builds the document tree ([`build`]); its package is then read
//! back and corrected by small, named XML passes ([`passes`]) and our own
//! parts ([`styles`], [`parts`]), and rewritten as a deterministic zip
//! ([`package`]). Same input and timestamp give byte-identical output.

mod build;
mod package;
mod parts;
mod passes;
mod schema;
mod styles;
mod xml;

use std::io::Cursor;

use crate::doc::Document;
use crate::error::{Error, ErrorKind, Result};
use package::Package;

/// Options for the Word backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocxOptions {
    /// The document's creation and modification time: written to
    /// `docProps/core.xml` and as every zip entry's time. Never the clock.
    pub timestamp: jiff::Timestamp,
}

/// The Word backend (see [`crate::backend::Backend`]).
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
            warnings: Vec::new(),
        })
    }
}

/// Renders `doc.summary` (preceded by `doc.meta.summary_title` in the
/// `Title` style) as a `.docx` file.
pub fn render(doc: &Document, options: &DocxOptions) -> Result<Vec<u8>> {
    let build::Built { docx, info } = build::build(doc);
    let mut raw = Cursor::new(Vec::new());
    docx.build().pack(&mut raw).map_err(|e| {
        Error::new(
            ErrorKind::Docx,
            format!("docx-rs could not write the document: {e}"),
        )
    })?;
    let mut package = Package::read(raw.get_ref())?;
    fix_package(&mut package, doc, &info, options)?;
    package.write(options.timestamp)
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
    let rels: Vec<String> = package
        .names()
        .filter(|n| n.ends_with(".rels"))
        .map(str::to_string)
        .collect();
    for name in rels {
        package.edit_xml(&name, passes::sort_relationships)?;
    }
    Ok(())
}

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod tests;
