//! Backends lay out the one shared content tree: Typst for the PDF board
//! paper, docx-rs (plus our XML layer) for the editable Word summary, and
//! our own writer for the accessible HTML page.
//!
//! Each output format is a [`Backend`]: a name, a default file name and one
//! verb, `render`, from the already-computed [`Context`] to bytes. The build
//! renders the formats the spec declares (`[report.outputs]`) in the order
//! of [`Format::ALL`]; adding a format is a new module and a line in
//! [`backend`], not edits across the pipeline.

pub mod docx;
pub(crate) mod html;
pub mod typst;

use crate::doc::Document;
use crate::error::Result;

/// One output format a build can write (declared by the spec).
pub use crate::spec::OutputFormat as Format;

/// Everything a backend may use: the content tree and each format's
/// options, already resolved by the build. No backend reads data; files
/// (the Typst layout, fonts) come only through the input registry.
pub(crate) struct Context<'a> {
    /// The one content tree every output lays out.
    pub doc: &'a Document,
    /// The outputs this build writes, in [`Format::ALL`] order (so a page
    /// can link to its siblings).
    pub outputs: &'a [(Format, String)],
    /// The PDF backend's options (layout, fonts, attachments).
    pub typst: &'a typst::TypstOptions<'a>,
    /// The Word backend's options.
    pub docx: &'a docx::DocxOptions,
    /// The HTML backend's options.
    pub html: &'a html::HtmlOptions,
    /// The build cache (a backend may reuse its own earlier output).
    pub cache: &'a crate::cache::Cache,
}

/// One rendered output file.
#[derive(Debug, Clone)]
pub struct Output {
    /// Which backend made it.
    pub format: Format,
    /// Its file name inside the output folder.
    pub name: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The intermediate source the backend generated, if any (the Typst
    /// source of the PDF), for snapshots and debugging.
    pub source: Option<String>,
    /// What the backend warned about, each with its place.
    pub warnings: crate::error::Diagnostics,
}

/// A backend: one output format from the content tree.
pub(crate) trait Backend {
    /// The format this backend writes.
    fn format(&self) -> Format;
    /// Lays out `cx.doc` as a file named `name`.
    fn render(&self, cx: &Context, name: &str) -> Result<Output>;
}

/// The backend for `format`.
pub(crate) fn backend(format: Format) -> &'static dyn Backend {
    match format {
        Format::Pdf => &typst::Pdf,
        Format::Docx => &docx::Docx,
        Format::Html => &html::Html,
    }
}

/// Renders every output `cx.outputs` declares, each on its own thread
/// (they share only the finished content tree: the PDF's layout and the
/// Word file's charts run side by side), returned in declared order.
/// The first failure in that order is the error.
pub(crate) fn render_all(cx: &Context) -> Result<Vec<Output>> {
    std::thread::scope(|scope| {
        let running: Vec<_> = cx
            .outputs
            .iter()
            .map(|(format, name)| {
                let timed = crate::timings::scope();
                scope.spawn(move || {
                    crate::timings::scoped(&timed, || {
                        let what = || format!("{} ({name})", format.key());
                        let _t = crate::timings::span(crate::timings::Stage::Backend, what);
                        backend(*format).render(cx, name)
                    })
                })
            })
            .collect();
        running
            .into_iter()
            .map(|r| r.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}
