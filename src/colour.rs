//! Colours and the WCAG 2.2 contrast between them: the vocabulary the
//! spec's `[style]` check, the house style and the charts share.
//!
//! A ground module: it imports nothing of the crate.

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// Background.
pub(crate) const WHITE: Rgb = Rgb(0xFF, 0xFF, 0xFF);

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
