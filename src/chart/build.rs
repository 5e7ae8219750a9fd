//! A chart drawn: the SVG every output uses (the Word backend rasterises
//! it with [`png`]).

use std::sync::Arc;

use super::{png_pixels, render_svg_with, svg_to_png, ChartData, ChartError, ChartSpec, Fonts};

/// Word gets the chart rasterised at this resolution (the floor).
pub(super) const PNG_DPI: f32 = 200.0;

/// A chart drawn once, as SVG (rasterised for Word by [`png`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Drawn {
    /// The SVG.
    pub svg: Arc<str>,
    /// Size on the page in points.
    pub size_pt: (f32, f32),
}

/// A chart rasterised for Word.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Png {
    /// The PNG file.
    pub bytes: Vec<u8>,
    /// Its size in pixels.
    pub size: (u32, u32),
}

/// Rasterises a drawn chart's SVG at [`PNG_DPI`]. The size was checked
/// when the chart was drawn, so this fails only on a broken SVG or when
/// the image cannot be allocated.
pub(crate) fn png(svg: &str, fonts: &Fonts) -> Result<Png, ChartError> {
    let bytes = svg_to_png(svg, PNG_DPI, fonts)?;
    Ok(Png {
        size: png_size(&bytes),
        bytes,
    })
}

/// Draws `chart` once as SVG, and checks that Word's raster of it can be
/// drawn too: the drawing checks the size first (72 to 2000 pt, with its
/// own message); then the raster must fit, refused now rather than in the
/// middle of writing the Word file.
pub(crate) fn draw(
    chart: &ChartSpec,
    data: &ChartData,
    fonts: &Fonts,
) -> Result<Drawn, ChartError> {
    let size_pt = (chart.width_pt, chart.height_pt);
    let svg = render_svg_with(chart, data, fonts)?;
    png_pixels(size_pt, PNG_DPI)?;
    Ok(Drawn {
        svg: svg.into(),
        size_pt,
    })
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    let be = |i: usize| {
        png.get(i..i + 4)
            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    (be(16), be(20))
}
