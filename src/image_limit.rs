//! Images are checked by their header before anything decodes them.
//!
//! A 74-byte PNG whose header claimed 1,000,000 × 1,000,000 pixels made the
//! decoder ask for 4 TB and abort the process (in `check` too). Every image
//! the build hands on to be decoded — the style's logo, and every file the
//! Typst layout reads (`image("…")`, or bytes it `read`s) — is checked here
//! first: the header's claimed width × height against
//! `[limits] image_pixels`, read with `imagesize` (header only, no pixel
//! buffer; already compiled for Typst's PDF writer).
//!
//! Only the raster formats Typst decodes (PNG, JPEG, GIF, WebP) are checked.
//! SVG is drawn as vectors into the PDF: its width and height allocate no
//! pixels. Charts are drawn by boardpack itself at a fixed size.

use crate::format::format_number;

/// A raster image whose header claims more pixels than the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooManyPixels {
    pub width: u64,
    pub height: u64,
    pub limit: u64,
}

impl TooManyPixels {
    /// "claims W × H pixels (N), more than the limit of L".
    pub(crate) fn claims(&self) -> String {
        format!(
            "claims {} × {} pixels ({} pixels), more than the limit of {} (`limits.image_pixels`)",
            format_number(self.width as f64, 0),
            format_number(self.height as f64, 0),
            format_number((self.width * self.height) as f64, 0),
            format_number(self.limit as f64, 0),
        )
    }

    /// What to do.
    pub(crate) fn hint() -> &'static str {
        "save the image at a smaller size (a logo needs a few hundred pixels across, a photo a few thousand); if it really is that large, raise `image_pixels` under `[limits]`"
    }
}

/// Refuses `bytes` if they are a PNG, JPEG, GIF or WebP image whose header
/// claims more than `limit` pixels. Anything else (text, fonts, SVG, a
/// header too broken to read, which the decoder then reports) passes.
pub(crate) fn check(bytes: &[u8], limit: u64) -> Result<(), TooManyPixels> {
    if !is_raster(bytes) {
        return Ok(());
    }
    let Ok(size) = imagesize::blob_size(bytes) else {
        return Ok(());
    };
    let (width, height) = (size.width as u64, size.height as u64);
    if width.saturating_mul(height) <= limit {
        return Ok(());
    }
    Err(TooManyPixels {
        width,
        height,
        limit,
    })
}

/// Whether `bytes` start like a PNG, JPEG, GIF or WebP file.
fn is_raster(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n")
        || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"GIF87a")
        || bytes.starts_with(b"GIF89a")
        || (bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP"))
}

/// A PNG of `width` × `height` pixels as far as its header goes (the
/// signature and a valid IHDR chunk, no pixel data).
#[cfg(test)]
pub(crate) fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32(&ihdr).to_be_bytes());
    png
}

#[cfg(test)]
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_header_is_refused_before_decoding() {
        let png = png_header(1_000_000, 1_000_000);
        let err = check(&png, 50_000_000).unwrap_err();
        assert_eq!((err.width, err.height), (1_000_000, 1_000_000));
        assert!(err
            .claims()
            .starts_with("claims 1,000,000 × 1,000,000 pixels"));
        assert_eq!(check(&png_header(5_000, 10_000), 50_000_000), Ok(()));
    }

    #[test]
    fn other_formats_are_checked_and_non_images_pass() {
        // GIF: logical screen 60,000 × 60,000.
        let mut gif = b"GIF89a".to_vec();
        gif.extend([0x60, 0xEA, 0x60, 0xEA, 0, 0, 0]);
        assert!(check(&gif, 50_000_000).is_err());
        let svg = br#"<svg width="1000000" height="1000000"/>"#;
        assert_eq!(check(svg, 1), Ok(()));
        assert_eq!(check(b"date,district\n", 1), Ok(()));
        // A truncated header is left to the decoder, which reports it.
        assert_eq!(check(b"\x89PNG\r\n\x1a\n", 1), Ok(()));
    }
}
