//! `[style]` as validated, and the vocabulary its check and the house
//! style share: the fonts boardpack bundles and the house fonts they stand
//! in for, colours, image formats, Word roles and protective markings.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;
use typst::foundations::Bytes;
use typst::text::Font;

use crate::colour::Rgb;

/// `[style]`: one house style for the PDF, the Word file and the charts.
/// Every field is optional; without any the bundled house style applies.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleSection {
    /// Body text font family (bundled, or from `report.fonts`).
    #[serde(default)]
    pub body_font: Option<Spanned<String>>,
    /// Heading font family (default: the body font).
    #[serde(default)]
    pub heading_font: Option<Spanned<String>>,
    /// Accent colour as `#RRGGBB` (headings, table header rules, charts).
    #[serde(default)]
    pub accent: Option<Spanned<String>>,
    /// A logo image (PNG or SVG), relative to the spec.
    #[serde(default)]
    pub logo: Option<Spanned<String>>,
    /// Running header text (every page).
    #[serde(default)]
    pub header: Option<Spanned<String>>,
    /// Running footer text (every page), beside "Page X of Y".
    #[serde(default)]
    pub footer: Option<Spanned<String>>,
    /// Page margins in millimetres.
    #[serde(default)]
    pub margins: Option<Spanned<Margins>>,
    /// Protective marking (UK Government Security Classifications), printed
    /// at the top and bottom of every page and recorded in the properties.
    #[serde(default)]
    pub marking: Option<Spanned<String>>,
    /// A cover page before the paper.
    #[serde(default)]
    pub cover: bool,
    /// A table of contents after the cover (or the front matter).
    #[serde(default)]
    pub toc: bool,
    /// The office's Word template: its parts are kept, only the body is ours.
    #[serde(default)]
    pub reference_docx: Option<Spanned<String>>,
    /// Content role → Word style name (`heading1 = "OPCC Heading 1"`).
    #[serde(default)]
    pub word: BTreeMap<String, Spanned<String>>,
}

/// Page margins in millimetres (`margins = { top = 25, bottom = 25, left = 20, right = 20 }`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Margins {
    /// Top margin.
    pub top: f64,
    /// Bottom margin.
    pub bottom: f64,
    /// Left margin.
    pub left: f64,
    /// Right margin.
    pub right: f64,
}

/// The content roles `[style.word]` maps to Word style names.
pub(crate) const WORD_ROLES: &[&str] = &[
    "title",
    "heading1",
    "heading2",
    "heading3",
    "list_bullet",
    "list_number",
    "caption",
    "table",
    "hyperlink",
];

/// The protective markings `[style] marking` accepts.
pub(crate) const MARKINGS: &[&str] = &["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET"];

/// The body font when `[style]` names none (bundled with Typst).
pub(crate) const DEFAULT_FONT: &str = "Libertinus Serif";
/// The smallest and largest margin accepted, in millimetres.
pub(crate) const MARGIN_RANGE_MM: std::ops::RangeInclusive<f64> = 5.0..=60.0;
/// The least contrast the accent must have against white: it colours
/// heading text, so WCAG 2.2's text threshold (4.5:1) applies.
pub(crate) const MIN_ACCENT_CONTRAST: f64 = 4.5;

/// The `[style.word]` key that sets how the Word summary numbers captions.
pub(crate) const WORD_CAPTIONS: &str = "captions";

/// Fonts bundled beside Typst's (Libertinus Serif, New Computer Modern,
/// DejaVu Sans Mono), so a sans-serif house style needs no font files:
/// Liberation Sans 2.1.5, metric-compatible with Arial and Helvetica
/// (SIL Open Font License 1.1, `fonts/liberation-sans/OFL.txt`).
const OWN_FONTS: [&[u8]; 4] = [
    include_bytes!("../../fonts/liberation-sans/LiberationSans-Regular.ttf"),
    include_bytes!("../../fonts/liberation-sans/LiberationSans-Bold.ttf"),
    include_bytes!("../../fonts/liberation-sans/LiberationSans-Italic.ttf"),
    include_bytes!("../../fonts/liberation-sans/LiberationSans-BoldItalic.ttf"),
];

/// Every bundled font file: what the PDF, the charts and the font checks
/// know without the report's own files.
pub(crate) fn bundled_fonts() -> impl Iterator<Item = &'static [u8]> {
    typst_assets::fonts().chain(OWN_FONTS)
}

/// House fonts that cannot be bundled (their licences forbid it) and the
/// bundled family set in their place, with how close it is.
const STAND_INS: &[(&str, &str, &str)] = &[
    ("Arial", SANS, "same letter widths"),
    ("Helvetica", SANS, "same letter widths"),
    ("Helvetica Neue", SANS, "nearly the same letter widths"),
    (
        "Calibri",
        SANS,
        "the nearest bundled sans-serif; wider than Calibri",
    ),
    ("Segoe UI", SANS, "the nearest bundled sans-serif"),
    (
        "Verdana",
        SANS,
        "the nearest bundled sans-serif; narrower than Verdana",
    ),
    ("Tahoma", SANS, "the nearest bundled sans-serif"),
    ("Times New Roman", DEFAULT_FONT, "the nearest bundled serif"),
    ("Georgia", DEFAULT_FONT, "the nearest bundled serif"),
    ("Cambria", DEFAULT_FONT, "the nearest bundled serif"),
];

/// The bundled sans-serif family.
const SANS: &str = "Liberation Sans";

/// The bundled family that stands in for house font `family` (any case),
/// and how close it is.
pub(crate) fn stand_in(family: &str) -> Option<(&'static str, &'static str)> {
    STAND_INS
        .iter()
        .find(|(house, _, _)| house.eq_ignore_ascii_case(family.trim()))
        .map(|(_, used, how)| (*used, *how))
}

/// The logo formats every backend can place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// SVG.
    Svg,
}

/// Parses `#RRGGBB` (either case); anything else is `None`.
pub(crate) fn parse_hex(s: &str) -> Option<Rgb> {
    let h = s.strip_prefix('#')?;
    if h.len() != 6 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
}

/// What kind of image `bytes` hold, from their first bytes.
pub(crate) fn image_format(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(ImageFormat::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(ImageFormat::Jpeg);
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    let svg = head.starts_with("<svg") || (head.starts_with("<?xml") && head.contains("<svg"));
    svg.then_some(ImageFormat::Svg)
}

/// The font families the documents can use, named as Typst names them:
/// Typst's bundled fonts and the report's own font files (`extra`),
/// sorted, each once.
pub(crate) fn font_families(extra: &[Arc<[u8]>]) -> Vec<String> {
    let bundled = bundled_fonts().map(Bytes::new);
    let own = extra.iter().map(|b| Bytes::new(b.clone()));
    let mut names: Vec<String> = bundled
        .chain(own)
        .flat_map(Font::iter)
        .map(|f| f.info().family.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}
