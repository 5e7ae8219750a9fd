//! The PDF backend: content tree → Typst source → PDF, with Typst embedded
//! as a library (no CLI, no system fonts, no network).

mod cached;
mod diag;
pub mod source;
#[cfg(test)]
mod sql_tests;
pub mod world;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use typst::diag::{SourceResult, Warned};
use typst::foundations::{Datetime, Dict, IntoValue, Smart, Str};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::doc::Document;
use crate::error::{Error, ErrorKind, Result};
use world::ReportWorld;

/// What to compile and how.
pub struct TypstOptions<'a> {
    /// The project root (Typst cannot read outside it).
    pub root: &'a Path,
    /// The build's input registry: every file Typst reads comes from it.
    pub inputs: Arc<crate::inputs::Inputs>,
    /// The house-style `.typ` file, inside the root.
    pub layout: PathBuf,
    /// Where the generated main file notionally lives (the spec's folder).
    pub main_dir: &'a Path,
    /// Font files the report supplies.
    pub fonts: Vec<Vec<u8>>,
    /// A stable document identifier (the report name).
    pub ident: &'a str,
    /// The report date (Typst's `today`).
    pub date: jiff::civil::Date,
    /// The PDF's creation date: the report date or `SOURCE_DATE_EPOCH`.
    pub timestamp: jiff::Timestamp,
    /// Files embedded in the PDF (the provenance manifest).
    pub attachments: Vec<Attachment>,
    /// How long the layout may run (`limits.layout_seconds`).
    pub time_limit: std::time::Duration,
    /// The house style (`[style]`), given to the layout as
    /// `sys.inputs.at("boardpack-style")`.
    pub style: crate::style::Style,
}

/// The `sys.inputs` key holding the house style.
pub const STYLE_KEY: &str = "boardpack-style";

/// A file embedded in the PDF as an attachment.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The file name readers show.
    pub name: String,
    /// Its MIME type.
    pub mime_type: String,
    /// What it is, for readers.
    pub description: String,
    /// The (UTF-8) content.
    pub text: String,
}

/// A compiled PDF and what went into it.
#[derive(Debug, Clone)]
pub struct PdfOutput {
    /// The PDF bytes.
    pub pdf: Vec<u8>,
    /// The generated Typst source (for snapshots and debugging).
    pub source: String,
    /// Files Typst read (layout, images, fonts), sorted.
    pub dependencies: Vec<PathBuf>,
    /// Typst's warnings, each with its place.
    pub warnings: crate::error::Diagnostics,
}

/// The PDF backend (see the `Backend` trait).
pub struct Pdf;

impl crate::backend::Backend for Pdf {
    fn format(&self) -> crate::backend::Format {
        crate::backend::Format::Pdf
    }

    fn render(&self, cx: &crate::backend::Context, name: &str) -> Result<crate::backend::Output> {
        let pdf = render_cached(cx.doc, cx.typst, cx.cache)?;
        Ok(crate::backend::Output {
            format: self.format(),
            name: name.to_string(),
            bytes: pdf.pdf,
            source: Some(pdf.source),
            warnings: pdf.warnings,
        })
    }
}

/// Lays out `doc` with the house style and exports a tagged PDF.
pub fn render(doc: &Document, options: &TypstOptions) -> Result<PdfOutput> {
    render_cached(doc, options, &crate::cache::Cache::disabled())
}

/// [`render`], reusing `cache`'s PDF when nothing the layout sees changed.
pub fn render_cached(
    doc: &Document,
    options: &TypstOptions,
    cache: &crate::cache::Cache,
) -> Result<PdfOutput> {
    let layout_vpath = virtual_path(options.root, &options.layout);
    let main_vpath = format!(
        "{}/.boardpack-main.typ",
        virtual_path(options.root, options.main_dir).trim_end_matches('/')
    );
    let text = source::generate(
        doc,
        &layout_vpath,
        &options.attachments,
        options.style.marking.as_deref(),
    );
    let inputs = sys_inputs(doc, options);
    let (today, created) = dates(options)?;
    let key = cached::key(
        &main_vpath,
        &text,
        &inputs,
        &options.fonts,
        &today,
        &created,
        options.ident,
    );
    if let Some(hit) = cached::lookup(cache, &key, &options.inputs, &text) {
        return Ok(hit);
    }
    let (world, document, warnings) = lay_out(options, &main_vpath, text.clone(), today, inputs)?;
    let pdf = export(&world, &document, options.ident, created)?;
    let out = PdfOutput {
        pdf,
        source: text,
        dependencies: world.dependencies(),
        warnings,
    };
    cached::store(cache, &key, &out, &options.inputs);
    Ok(out)
}

/// What reaches Typst as `sys.inputs` rather than as source text: the
/// attachments' data, the house style, the SQL grammar and the charts' SVGs.
fn sys_inputs(doc: &Document, options: &TypstOptions) -> Dict {
    let mut inputs = Dict::new();
    for (i, a) in options.attachments.iter().enumerate() {
        inputs.insert(
            source::attachment_key(i).into(),
            Str::from(a.text.as_str()).into_value(),
        );
    }
    inputs.insert(STYLE_KEY.into(), style_dict(&options.style, options.root));
    inputs.insert(
        source::SQL_SYNTAX_KEY.into(),
        Str::from(source::SQL_SYNTAX).into_value(),
    );
    for f in figures(doc) {
        inputs.insert(
            source::chart_key(&f.name).into(),
            Str::from(&*f.svg).into_value(),
        );
    }
    inputs
}

/// The report date (Typst's `today`) and the PDF's creation time, as Typst
/// dates.
fn dates(options: &TypstOptions) -> Result<(Datetime, Datetime)> {
    let date = options.date;
    let today = Datetime::from_ymd(date.year().into(), date.month() as u8, date.day() as u8)
        .ok_or_else(|| Error::new(ErrorKind::Layout, "report date is out of range"))?;
    let ts = options
        .timestamp
        .to_zoned(jiff::tz::TimeZone::UTC)
        .datetime();
    let created = Datetime::from_ymd_hms(
        ts.year().into(),
        ts.month() as u8,
        ts.day() as u8,
        ts.hour() as u8,
        ts.minute() as u8,
        ts.second() as u8,
    )
    .ok_or_else(|| Error::new(ErrorKind::Layout, "build timestamp is out of range"))?;
    Ok((today, created))
}

/// Builds the Typst world for the main file `text` (at `main_vpath`) and
/// lays it out: the world (for its dependencies and for placing errors),
/// the document and Typst's warnings.
fn lay_out(
    options: &TypstOptions,
    main_vpath: &str,
    text: String,
    today: Datetime,
    inputs: Dict,
) -> Result<(Arc<ReportWorld>, PagedDocument, crate::error::Diagnostics)> {
    let fonts = options
        .fonts
        .iter()
        .flat_map(|f| world::load_fonts(f.clone()))
        .collect();
    let _world_timed = crate::timings::span(crate::timings::Stage::Backend, || {
        "pdf: typst world (fonts, library)".into()
    });
    let world = Arc::new(ReportWorld::new(
        options.root,
        options.inputs.clone(),
        main_vpath,
        text,
        fonts,
        today,
        inputs,
    ));
    drop(_world_timed);
    let Warned { output, warnings } = crate::timings::time(
        crate::timings::Stage::Backend,
        || "pdf: typst layout".into(),
        || compile(&world, options.time_limit),
    )?;
    let warnings = diag::warnings(&world, &warnings);
    let document = output.map_err(|errors| diag::first_error(&world, &errors, &[]))?;
    Ok((world, document, warnings))
}

/// Exports the laid-out document as a tagged PDF/UA-1 and PDF/A-3a file.
fn export(
    world: &ReportWorld,
    document: &PagedDocument,
    ident: &str,
    created: Datetime,
) -> Result<Vec<u8>> {
    let pdf_options = PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some("boardpack".to_string())),
        timestamp: Some(Timestamp::new_utc(created)),
        page_ranges: None,
        // PDF/UA-1 (tagged, titled, every figure described) and PDF/A-3a
        // (archival; lets the provenance manifest ride along as an
        // associated file). Typst refuses to export a document that breaks
        // either, so an inaccessible paper is a failed build.
        standards: PdfStandards::new(&[PdfStandard::Ua_1, PdfStandard::A_3a]).map_err(|e| {
            Error::new(ErrorKind::Layout, format!("PDF standards: {}", e.message()))
        })?,
        tagged: true,
        pretty: false,
    };
    crate::timings::time(
        crate::timings::Stage::Backend,
        || "pdf: export (PDF/UA-1, PDF/A-3a)".into(),
        || typst_pdf::pdf(document, &pdf_options),
    )
    .map_err(|errors| diag::first_error(world, &errors, &diag::missing_glyphs(document)))
}

/// Compiles on a thread of its own with a deadline: Typst has no fuel, and
/// a layout can loop for hours. On time-out the thread is left to finish on
/// its own (the CLI exits right after the error). The thread's large stack
/// also gives deep documents room.
fn compile(
    world: &Arc<ReportWorld>,
    limit: Duration,
) -> Result<Warned<SourceResult<PagedDocument>>> {
    let (send, receive) = mpsc::channel();
    let w = Arc::clone(world);
    std::thread::Builder::new()
        .name("typst-layout".into())
        .stack_size(256 << 20)
        .spawn(move || {
            let _ = send.send(typst::compile::<PagedDocument>(&*w));
        })
        .map_err(|e| Error::new(ErrorKind::Internal, format!("cannot start the layout: {e}")))?;
    match receive.recv_timeout(limit) {
        Ok(done) => Ok(done),
        Err(RecvTimeoutError::Timeout) => Err(Error::new(
            ErrorKind::Layout,
            format!(
                "the Typst layout did not finish within {} s (`limits.layout_seconds`)",
                limit.as_secs()
            ),
        )
        .with_hint("look for a loop in the layout file that runs too long; if the report really needs longer, raise `layout_seconds` under `[limits]` in the spec")),
        Err(RecvTimeoutError::Disconnected) => Err(Error::new(
            ErrorKind::Internal,
            "the Typst layout stopped without a result",
        )),
    }
}

/// The house style as the layout reads it: names as in `[style]` (with
/// `-`), margins in millimetres, the accent as `#RRGGBB`, the logo as a
/// root-relative path (Typst reads it through the registry), and `none`
/// for what the spec leaves out.
fn style_dict(style: &crate::style::Style, root: &Path) -> typst::foundations::Value {
    use typst::foundations::Value;
    let text = |v: &Option<String>| match v {
        Some(s) => Str::from(s.as_str()).into_value(),
        None => Value::None,
    };
    let m = &style.margins;
    let mut margins = Dict::new();
    for (k, mm) in [
        ("top", m.top),
        ("bottom", m.bottom),
        ("left", m.left),
        ("right", m.right),
    ] {
        margins.insert(k.into(), mm.into_value());
    }
    let mut d = Dict::new();
    d.insert(
        "body-font".into(),
        Str::from(style.body_font.as_str()).into_value(),
    );
    d.insert(
        "heading-font".into(),
        Str::from(style.heading_font.as_str()).into_value(),
    );
    d.insert("accent".into(), Str::from(style.accent_hex()).into_value());
    d.insert("margins".into(), margins.into_value());
    d.insert("header".into(), text(&style.header));
    d.insert("footer".into(), text(&style.footer));
    d.insert("marking".into(), text(&style.marking));
    let logo = style.logo.as_ref().map(|l| virtual_path(root, &l.path));
    d.insert("logo".into(), text(&logo));
    d.insert("cover".into(), style.cover.into_value());
    d.insert("toc".into(), style.toc.into_value());
    d.into_value()
}

/// Every chart in the document (body, then summary).
fn figures(doc: &Document) -> Vec<&crate::doc::Figure> {
    let mut out = crate::doc::figures(&doc.body);
    out.extend(crate::doc::figures(&doc.summary));
    out
}

/// `root/templates/x.typ` → `/templates/x.typ`.
fn virtual_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    format!("/{}", parts.join("/"))
}
