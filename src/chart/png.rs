//! SVG → PNG with resvg, using only the fonts in [`Fonts`].

use resvg::{tiny_skia, usvg};

use super::{ChartError, Fonts};

/// Largest PNG side accepted (pixels), to refuse absurd dpi values.
const MAX_SIDE_PX: f32 = 20_000.0;

/// Rasterises a chart SVG at `dpi`. The pixel size is the SVG's size in
/// points × dpi / 72, rounded (440pt at 200 dpi → 1222 px). The background
/// is opaque white. Same SVG, dpi and fonts → identical bytes.
pub(crate) fn svg_to_png(svg: &str, dpi: f32, fonts: &Fonts) -> Result<Vec<u8>, ChartError> {
    let mut key = blake3::Hasher::new();
    key.update(&dpi.to_le_bytes())
        .update(&fonts.identity())
        .update(svg.as_bytes());
    let key = *key.finalize().as_bytes();
    if let Some(png) = drawn().lock().ok().and_then(|d| d.get(&key).cloned()) {
        return Ok(png);
    }
    let png = rasterise(svg, dpi, fonts)?;
    if let Ok(mut d) = drawn().lock() {
        if d.len() >= DRAWN_MAX {
            d.clear();
        }
        d.insert(key, png.clone());
    }
    Ok(png)
}

/// At most this many rasters are kept (~55 KB each at 200 dpi).
const DRAWN_MAX: usize = 64;

/// The rasters drawn so far in this process, by SVG, resolution and fonts:
/// the same chart in every paper of a batch (one that reads no parameter)
/// is rasterised once. The bytes are the same either way.
fn drawn() -> &'static std::sync::Mutex<std::collections::HashMap<[u8; 32], Vec<u8>>> {
    static DRAWN: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<[u8; 32], Vec<u8>>>,
    > = std::sync::OnceLock::new();
    DRAWN.get_or_init(Default::default)
}

/// [`svg_to_png`], drawn afresh.
fn rasterise(svg: &str, dpi: f32, fonts: &Fonts) -> Result<Vec<u8>, ChartError> {
    if !dpi.is_finite() || dpi <= 0.0 {
        return Err(ChartError::BadDpi(dpi));
    }
    let opts = fonts.usvg_options();
    let tree = usvg::Tree::from_str(svg, &opts).map_err(|e| ChartError::Svg(e.to_string()))?;
    // usvg reports sizes in CSS px (96 per inch): "440pt" becomes 586.67.
    let size = tree.size();
    let (wp, hp) = pixels((size.width(), size.height()), dpi)?;
    let mut pixmap = tiny_skia::Pixmap::new(wp, hp)
        .ok_or_else(|| ChartError::Png(format!("cannot allocate a {wp}×{hp} image")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let transform =
        tiny_skia::Transform::from_scale(wp as f32 / size.width(), hp as f32 / size.height());
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    encode_rgb(&pixmap)
}

/// The pixel size [`svg_to_png`] gives a chart of `size_pt` points at
/// `dpi`, or why it cannot draw it (known before drawing anything).
pub(crate) fn png_pixels(size_pt: (f32, f32), dpi: f32) -> Result<(u32, u32), ChartError> {
    // Through CSS px, as usvg gives the size to [`svg_to_png`], so both
    // round the same value the same way.
    let css = |pt: f32| pt * 96.0 / 72.0;
    pixels((css(size_pt.0), css(size_pt.1)), dpi)
}

/// A size in CSS px (96 per inch) at `dpi`, in whole pixels, or why not.
fn pixels(size_css: (f32, f32), dpi: f32) -> Result<(u32, u32), ChartError> {
    if !dpi.is_finite() || dpi <= 0.0 {
        return Err(ChartError::BadDpi(dpi));
    }
    let scale = dpi / 96.0;
    let (w, h) = ((size_css.0 * scale).round(), (size_css.1 * scale).round());
    if !(w.is_finite() && h.is_finite()) || w > MAX_SIDE_PX || h > MAX_SIDE_PX {
        return Err(ChartError::BadDpi(dpi));
    }
    Ok((w.max(1.0) as u32, h.max(1.0) as u32))
}

/// Encodes an opaque pixmap as an 8-bit RGB PNG. The background is white,
/// so every pixel is opaque and dropping alpha loses nothing (a quarter
/// less to compress). `Compression::Fast` (fdeflate, made for PNG) took
/// the encoding from ~20 ms to ~6 ms a chart (measured on the example's
/// four); the files are about twice as large (~55 KB a chart), still the
/// same bytes for the same drawing.
fn encode_rgb(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, ChartError> {
    let mut rgb = Vec::with_capacity(pixmap.data().len() / 4 * 3);
    for px in pixmap.data().chunks_exact(4) {
        rgb.extend_from_slice(&px[..3]);
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let fail = |e: png::EncodingError| ChartError::Png(e.to_string());
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(&rgb).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}
