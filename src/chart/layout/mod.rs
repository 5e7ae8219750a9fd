//! Chart layout: where every bar, line, tick and label goes, in points.

mod horizontal;
mod vertical;

use super::fonts::Measurer;
use super::palette::{self, Rgb};
use super::svg::{Anchor, Canvas};
use super::ticks::{nice_ticks, Ticks};
use super::{ChartError, ChartKind, ChartSpec, Prepared};
use crate::format::format_figure;
use horizontal::{horizontal, table_bars};
use vertical::vertical;

/// Outer margin.
const PAD: f64 = 4.0;
/// Tick labels, category labels, legend, table text.
const FS: f64 = 9.0;
/// Value labels on bars and points.
const FS_VALUE: f64 = 8.5;
/// Smallest size labels shrink to when crowded.
const FS_MIN: f64 = 6.5;
/// Line height as a multiple of font size.
const LEADING: f64 = 1.2;
/// Baseline offset from the top of a line box, as a multiple of size.
const ASCENT: f64 = 0.85;
/// Baseline offset below a point so figures look vertically centred on it.
const MID: f64 = 0.33;
/// Gap between tick labels and the plot.
const GAP: f64 = 5.0;
/// Gridline and axis widths.
const GRID_W: f64 = 0.5;
const AXIS_W: f64 = 0.8;

/// Draws the chart on a blank canvas of the spec's size, by the layout of
/// its kind.
pub(crate) fn draw(
    spec: &ChartSpec,
    data: &Prepared,
    fonts: &super::Fonts,
) -> Result<Canvas, ChartError> {
    let mut m = Measurer::new(fonts, fonts.family());
    let (w, h) = size(spec);
    let mut c = Canvas::new(w, h);
    match spec.kind {
        ChartKind::Bar | ChartKind::GroupedBar | ChartKind::Line => {
            vertical(&mut c, spec, data, &mut m)?
        }
        ChartKind::HorizontalBar => horizontal(&mut c, spec, data, &mut m)?,
        ChartKind::TableBars => table_bars(&mut c, spec, data, &mut m)?,
    }
    Ok(c)
}

/// The chart's width and height in points.
fn size(spec: &ChartSpec) -> (f64, f64) {
    (f64::from(spec.width_pt), f64::from(spec.height_pt))
}

/// The axis titles the bar and line layouts share.
mod axis_titles {
    use super::*;

    /// Vertical room an axis title takes (none without one): both are set
    /// flat, `x_label` under the plot and `y_label` above it.
    pub(super) fn height(label: &Option<String>) -> f64 {
        if label.is_some() {
            FS * LEADING + 4.0
        } else {
            0.0
        }
    }

    /// `y_label`, flat above the plot at the left edge.
    pub(super) fn value_title(c: &mut Canvas, spec: &ChartSpec, top: f64) {
        if let Some(t) = &spec.y_label {
            let text = t.replace('\n', " ");
            c.text(
                PAD,
                top + ASCENT * FS,
                &text,
                FS,
                palette::TEXT_MUTED,
                Anchor::Start,
            );
        }
    }

    /// `x_label`, centred at `x` along the bottom edge.
    pub(super) fn category_title(c: &mut Canvas, spec: &ChartSpec, x: f64, h: f64) {
        if let Some(t) = &spec.x_label {
            let text = t.replace('\n', " ");
            c.text(
                x,
                h - PAD - 0.25 * FS,
                &text,
                FS,
                palette::TEXT_MUTED,
                Anchor::Middle,
            );
        }
    }
}

fn too_small(spec: &ChartSpec) -> ChartError {
    ChartError::TooSmall {
        width: spec.width_pt,
        height: spec.height_pt,
    }
}

/// Smallest and largest present value over all series.
fn extent(data: &Prepared) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (_, values) in &data.series {
        for v in values.iter().flatten() {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    (lo, hi)
}

/// Greedy word wrap to `max` pt; explicit newlines always break. A single
/// word wider than `max` stays whole on its own line.
fn wrap(text: &str, max: f64, size: f64, m: &mut Measurer) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if line.is_empty() {
                line.push_str(word);
                continue;
            }
            let candidate = format!("{line} {word}");
            if m.width(&candidate, size) <= max {
                line = candidate;
            } else {
                lines.push(std::mem::take(&mut line));
                line.push_str(word);
            }
        }
        lines.push(line);
    }
    lines
}

fn widest(lines: &[String], size: f64, m: &mut Measurer) -> f64 {
    lines.iter().map(|l| m.width(l, size)).fold(0.0, f64::max)
}

/// A legend laid out in rows: (colour, name, x offset, row).
struct Legend {
    items: Vec<(Rgb, String, f64, usize)>,
    rows: usize,
    line: bool,
}

const SWATCH: f64 = 8.0;
const LINE_SWATCH: f64 = 16.0;

impl Legend {
    fn new(data: &Prepared, width: f64, line: bool, m: &mut Measurer) -> Legend {
        let swatch = if line { LINE_SWATCH } else { SWATCH };
        let mut items = Vec::new();
        let (mut x, mut row) = (0.0, 0);
        for (i, (name, _)) in data.series.iter().enumerate() {
            let name = name.replace('\n', " ");
            let w = swatch + 4.0 + m.width(&name, FS);
            if x > 0.0 && x + w > width {
                x = 0.0;
                row += 1;
            }
            items.push((data.colour(i), name, x, row));
            x += w + 14.0;
        }
        Legend {
            items,
            rows: row + 1,
            line,
        }
    }

    fn height(&self) -> f64 {
        self.rows as f64 * FS * 1.5 + 4.0
    }

    fn draw(&self, c: &mut Canvas, x0: f64, top: f64) {
        for (color, name, x, row) in &self.items {
            let baseline = top + *row as f64 * FS * 1.5 + ASCENT * FS;
            let x = x0 + x;
            let mid = baseline - MID * FS;
            let swatch = if self.line {
                c.line(vec![(x, mid), (x + LINE_SWATCH, mid)], *color, 1.75);
                marker(c, x + LINE_SWATCH / 2.0, mid, *color);
                LINE_SWATCH
            } else {
                c.rect(
                    x,
                    mid - SWATCH / 2.0,
                    x + SWATCH,
                    mid + SWATCH / 2.0,
                    *color,
                );
                SWATCH
            };
            c.text(
                x + swatch + 4.0,
                baseline,
                name,
                FS,
                palette::TEXT,
                Anchor::Start,
            );
        }
    }
}

fn marker(c: &mut Canvas, x: f64, y: f64, color: Rgb) {
    c.dot(x, y, 3.3, palette::WHITE);
    c.dot(x, y, 2.5, color);
}

/// Maps a value to a position along an axis from `a` (at ticks.min) to `b`.
fn scale(t: &Ticks, a: f64, b: f64) -> impl Fn(f64) -> f64 {
    linear(t.min(), t.max(), a, b)
}

/// Maps a value to a position from `a` (at `lo`) to `b` (at `hi`); an
/// empty range counts as one unit wide.
fn linear(lo: f64, hi: f64, a: f64, b: f64) -> impl Fn(f64) -> f64 {
    let span = if hi > lo { hi - lo } else { 1.0 };
    move |v| a + (v - lo) / span * (b - a)
}

/// The value bars start from: zero, or the axis end nearest to it when
/// zero is off the axis.
fn base_value(t: &Ticks) -> f64 {
    if t.min() > 0.0 {
        t.min()
    } else {
        0.0_f64.min(t.max())
    }
}

/// How the category labels under a vertical chart are set.
struct CategoryLabels {
    lines: Vec<Vec<String>>,
    size: f64,
    rotated: bool,
    height: f64,
}

fn category_labels(cats: &[String], band: f64, m: &mut Measurer) -> CategoryLabels {
    let room = (band - 4.0).max(1.0);
    let mut size = FS;
    while size >= FS_MIN {
        let lines: Vec<Vec<String>> = cats.iter().map(|c| wrap(c, room, size, m)).collect();
        let fits = lines
            .iter()
            .all(|l| l.len() <= 3 && widest(l, size, m) <= room);
        if fits {
            let n = lines.iter().map(Vec::len).max().unwrap_or(1) as f64;
            return CategoryLabels {
                lines,
                size,
                rotated: false,
                height: n * size * LEADING,
            };
        }
        size -= 0.5;
    }
    // Too narrow even when small: set them vertically, one line each.
    let size = (band * 0.8 / LEADING).clamp(FS_MIN - 1.5, FS);
    let lines: Vec<Vec<String>> = cats.iter().map(|c| vec![c.replace('\n', " ")]).collect();
    let height = lines.iter().map(|l| widest(l, size, m)).fold(0.0, f64::max);
    CategoryLabels {
        lines,
        size,
        rotated: true,
        height,
    }
}

/// Value label size so the widest label fits in `room` pt.
fn fit_size(data: &Prepared, room: f64, fmt: &dyn Fn(f64) -> String, m: &mut Measurer) -> f64 {
    let widest = data
        .series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten())
        .map(|v| m.width(&fmt(*v), FS_VALUE))
        .fold(0.0, f64::max);
    if widest <= room || widest <= 0.0 {
        FS_VALUE
    } else {
        (FS_VALUE * room / widest).max(FS_MIN)
    }
}

/// Category labels wrapped to `max` pt at a size that fits `row` pt rows.
fn row_labels(cats: &[String], max: f64, row: f64, m: &mut Measurer) -> (Vec<Vec<String>>, f64) {
    let mut size = FS;
    loop {
        let lines: Vec<Vec<String>> = cats.iter().map(|c| wrap(c, max, size, m)).collect();
        let most = lines.iter().map(Vec::len).max().unwrap_or(1) as f64;
        if most * size * LEADING <= row || size <= FS_MIN {
            return (lines, size);
        }
        size -= 0.5;
    }
}

fn draw_row_label(c: &mut Canvas, lines: &[String], x: f64, cy: f64, size: f64, anchor: Anchor) {
    let n = lines.len() as f64;
    for (i, line) in lines.iter().enumerate() {
        let yy = cy + MID * size + (i as f64 - (n - 1.0) / 2.0) * size * LEADING;
        c.text(x, yy, line, size, palette::TEXT, anchor);
    }
}
