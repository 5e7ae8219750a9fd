//! The font files bundled in the binary: what the PDF, the charts and the
//! font checks know without the report's own files. At the ground of the
//! module order: the style, the charts and the Typst backend all read it.

/// Fonts bundled beside Typst's (Libertinus Serif, New Computer Modern,
/// DejaVu Sans Mono), so a sans-serif house style needs no font files:
/// Liberation Sans 2.1.5, metric-compatible with Arial and Helvetica
/// (SIL Open Font License 1.1, `fonts/liberation-sans/OFL.txt`).
const OWN_FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/liberation-sans/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/liberation-sans/LiberationSans-Bold.ttf"),
    include_bytes!("../fonts/liberation-sans/LiberationSans-Italic.ttf"),
    include_bytes!("../fonts/liberation-sans/LiberationSans-BoldItalic.ttf"),
];

/// Every bundled font file.
pub(crate) fn bundled_fonts() -> impl Iterator<Item = &'static [u8]> {
    typst_assets::fonts().chain(OWN_FONTS)
}
