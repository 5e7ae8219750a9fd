//! Colours: a darkened Okabe–Ito palette for data, near-black text and
//! light gridlines.
//!
//! Okabe–Ito is designed to stay distinguishable under protanopia,
//! deuteranopia and tritanopia. Its light members (orange, sky blue, yellow,
//! reddish purple) fail WCAG 2.2 non-text contrast (3:1 against white), so
//! they are darkened here while keeping their hue; a mid grey closes the
//! set. Order matters: the first two (blue, vermillion) are the most
//! distinct pair under every common colour-vision deficiency, so two-series
//! charts get them.

#[cfg(test)]
use crate::colour::contrast_ratio;
pub(crate) use crate::colour::Rgb;
pub(crate) use crate::colour::WHITE;

/// Series colours, in order of use. Single-series charts use the first.
pub(crate) const SERIES: [Rgb; 6] = [
    Rgb(0x00, 0x72, 0xB2), // blue (Okabe–Ito)
    Rgb(0xD5, 0x5E, 0x00), // vermillion (Okabe–Ito)
    Rgb(0x00, 0x80, 0x60), // bluish green, darkened from #009E73
    Rgb(0xA9, 0x57, 0x8A), // reddish purple, darkened from #CC79A7
    Rgb(0x9A, 0x6A, 0x00), // orange, darkened from #E69F00
    Rgb(0x59, 0x59, 0x59), // grey
];

/// All text.
pub(crate) const TEXT: Rgb = Rgb(0x22, 0x22, 0x22);
/// Secondary text (axis titles, table headers).
pub(crate) const TEXT_MUTED: Rgb = Rgb(0x4D, 0x4D, 0x4D);
/// Gridlines: deliberately low contrast (they are decoration, not data).
pub(crate) const GRID: Rgb = Rgb(0xDD, 0xDD, 0xDD);
/// The zero line / value axis baseline.
pub(crate) const AXIS: Rgb = Rgb(0x59, 0x59, 0x59);
/// The colour of the i-th series (cycles after six).
pub(crate) fn series(i: usize) -> Rgb {
    SERIES[i % SERIES.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_matches_known_values() {
        assert!((contrast_ratio(Rgb(0, 0, 0), WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(WHITE, WHITE) - 1.0).abs() < 1e-9);
        // #767676 is the classic "just passes 4.5:1" grey.
        let grey = contrast_ratio(Rgb(0x76, 0x76, 0x76), WHITE);
        assert!(grey > 4.5 && grey < 4.6, "{grey}");
    }

    #[test]
    fn series_colours_pass_non_text_contrast() {
        for (i, c) in SERIES.iter().enumerate() {
            let ratio = contrast_ratio(*c, WHITE);
            assert!(ratio >= 3.0, "series colour {i} {c:?}: {ratio:.2}:1 < 3:1");
        }
        assert!(contrast_ratio(AXIS, WHITE) >= 3.0);
    }

    #[test]
    fn text_passes_text_contrast() {
        assert!(contrast_ratio(TEXT, WHITE) >= 4.5);
        assert!(contrast_ratio(TEXT_MUTED, WHITE) >= 4.5);
    }

    #[test]
    fn gridlines_are_subtle() {
        assert!(contrast_ratio(GRID, WHITE) < 1.5);
    }

    #[test]
    fn colours_are_distinct() {
        for (i, a) in SERIES.iter().enumerate() {
            for b in &SERIES[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
