//! Typst's diagnostics as ours: each points into the layout file (or the
//! generated source) with Typst's own hints. Where we know better what to
//! do, the hint is chosen by the failure's typed cause, read from the laid
//! out document, never from the wording of Typst's message.

use std::path::PathBuf;

use typst::diag::{Severity, SourceDiagnostic};
use typst::layout::{Frame, FrameItem};
use typst::syntax::{DiagSpan, Span};
use typst::{World, WorldExt};
use typst_layout::PagedDocument;

use super::source;
use super::world::ReportWorld;
use crate::error::{Diagnostic, Diagnostics, Error, ErrorKind};

/// Why the layout or its export failed, as far as typed data tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    /// Text set in glyph 0 ("notdef", the empty box): no font had the
    /// character, and PDF/UA-1 refuses text it cannot show.
    MissingGlyph,
    /// Anything else: Typst's own hints say what to do.
    Other,
}

/// Where the laid-out document shows a character no font has (glyph 0),
/// as the spans the PDF export reports them at.
pub(super) fn missing_glyphs(document: &PagedDocument) -> Vec<Span> {
    let mut spans = Vec::new();
    for page in document.pages() {
        notdef_in(&page.frame, &mut spans);
    }
    spans
}

fn notdef_in(frame: &Frame, spans: &mut Vec<Span>) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => notdef_in(&group.frame, spans),
            FrameItem::Text(text) => spans.extend(
                text.glyphs
                    .iter()
                    .filter(|g| g.id == 0 && !g.span.0.is_detached())
                    .map(|g| g.span.0),
            ),
            _ => {}
        }
    }
}

/// The build's error for a failed compilation or export: the first of
/// Typst's errors. `missing_glyphs` are the document's characters without
/// a glyph (see [`missing_glyphs`]; empty when compiling failed).
pub(super) fn first_error(
    world: &ReportWorld,
    diags: &[SourceDiagnostic],
    missing_glyphs: &[Span],
) -> Error {
    let diag = diags
        .iter()
        .find(|d| d.severity == Severity::Error)
        .or(diags.first());
    let err: Error = match diag {
        Some(d) => {
            let cause = if missing_glyphs.iter().any(|s| DiagSpan::from(*s) == d.span) {
                Cause::MissingGlyph
            } else {
                Cause::Other
            };
            Error::from_diagnostic(error(world, d, cause))
        }
        None => Error::new(ErrorKind::Layout, "Typst failed without a message"),
    };
    // A read the registry refused says what to do about the file.
    match world.first_refusal() {
        Some((path, refusal)) => {
            let (_, hint) = refusal.explain(&crate::error::display_path(&path), world.root());
            err.with_hint(hint)
        }
        None => err,
    }
}

/// Typst's warnings, each with its place and hints.
pub(super) fn warnings(world: &ReportWorld, diags: &[SourceDiagnostic]) -> Diagnostics {
    diags
        .iter()
        .map(|d| {
            let w = Diagnostic::warning(ErrorKind::Layout, format!("layout: {}", d.message));
            with_hints(placed(world, d, w), d)
        })
        .collect()
}

/// A Typst error as ours, with the hint its cause calls for.
fn error(world: &ReportWorld, d: &SourceDiagnostic, cause: Cause) -> Diagnostic {
    let err = Diagnostic::error(ErrorKind::Layout, format!("layout failed: {}", d.message));
    let err = placed(world, d, err);
    match cause {
        // Typst's own hint ("try using a different font") does not say
        // which fonts a report can use.
        Cause::MissingGlyph => err.with_hint(
            "no bundled font has this character (emoji usually): add a font file that has it to `report.fonts`, or remove it from the data or template",
        ),
        Cause::Other if d.hints.is_empty() => err.with_hint(format!(
            "the house style must define {}",
            source::LAYOUT_FUNCTIONS
                .map(|f| format!("`{f}`"))
                .join(", ")
        )),
        Cause::Other => with_hints(err, d),
    }
}

/// `to` pointing where `d` does: the layout file or the generated source.
fn placed(world: &ReportWorld, d: &SourceDiagnostic, mut to: Diagnostic) -> Diagnostic {
    if let (Some(id), Some(range)) = (d.span.id(), world.range(d.span)) {
        let text = world.source(id).ok().map(|s| s.text().to_string());
        let name = if id == world.main_source().id() {
            PathBuf::from("<generated Typst source>")
        } else {
            world.path_of(id).unwrap_or_default()
        };
        to = to.in_file(&name);
        if let Some(text) = text {
            to = to.at_span(&text, range);
        }
    }
    to
}

fn with_hints(to: Diagnostic, d: &SourceDiagnostic) -> Diagnostic {
    d.hints
        .iter()
        .fold(to, |to, h| to.add_hint(h.v.to_string()))
}
