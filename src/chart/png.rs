//! SVG → PNG with resvg, using only the fonts in [`Fonts`].

use resvg::{tiny_skia, usvg};

use super::{ChartError, Fonts};

/// Largest PNG side accepted (pixels), to refuse absurd dpi values.
const MAX_SIDE_PX: f32 = 20_000.0;

/// Rasterises a chart SVG at `dpi`. The pixel size is the SVG's size in
/// points × dpi / 72, rounded (440pt at 200 dpi → 1222 px). The background
/// is opaque white. Same SVG, dpi and fonts → identical bytes.
pub fn svg_to_png(svg: &str, dpi: f32, fonts: &Fonts) -> Result<Vec<u8>, ChartError> {
    if !dpi.is_finite() || dpi <= 0.0 {
        return Err(ChartError::BadDpi(dpi));
    }
    let opts = fonts.usvg_options();
    let tree = usvg::Tree::from_str(svg, &opts).map_err(|e| ChartError::Svg(e.to_string()))?;
    // usvg reports sizes in CSS px (96 per inch): "440pt" becomes 586.67.
    let size = tree.size();
    let scale = dpi / 96.0;
    let (w, h) = (size.width() * scale, size.height() * scale);
    if w.round() > MAX_SIDE_PX || h.round() > MAX_SIDE_PX {
        return Err(ChartError::BadDpi(dpi));
    }
    let (wp, hp) = (w.round().max(1.0) as u32, h.round().max(1.0) as u32);
    let mut pixmap = tiny_skia::Pixmap::new(wp, hp)
        .ok_or_else(|| ChartError::Png(format!("cannot allocate a {wp}×{hp} image")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let transform =
        tiny_skia::Transform::from_scale(wp as f32 / size.width(), hp as f32 / size.height());
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| ChartError::Png(e.to_string()))
}
