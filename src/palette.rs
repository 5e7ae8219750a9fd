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

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

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
/// Background.
pub(crate) const WHITE: Rgb = Rgb(0xFF, 0xFF, 0xFF);

/// The colour of the i-th series (cycles after six).
pub(crate) fn series(i: usize) -> Rgb {
    SERIES[i % SERIES.len()]
}

/// WCAG 2.2 relative luminance.
pub(crate) fn relative_luminance(c: Rgb) -> f64 {
    fn channel(v: u8) -> f64 {
        let s = f64::from(v) / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    }
    0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
}

/// WCAG 2.2 contrast ratio between two colours (1 to 21).
pub(crate) fn contrast_ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    let (hi, lo) = if la >= lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
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
