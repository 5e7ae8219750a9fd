//! Chart layout: where every bar, line, tick and label goes, in points.

use super::fonts::Measurer;
use super::format::{format_value, nice_ticks, Ticks};
use super::palette::{self, Rgb};
use super::svg::{Anchor, Canvas};
use super::{ChartError, ChartKind, ChartSpec, Prepared};

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

pub(crate) fn draw(
    spec: &ChartSpec,
    data: &Prepared,
    fonts: &super::Fonts,
) -> Result<Canvas, ChartError> {
    let mut m = Measurer::new(fonts, fonts.family());
    match spec.kind {
        ChartKind::Bar | ChartKind::GroupedBar | ChartKind::Line => vertical(spec, data, &mut m),
        ChartKind::HorizontalBar => horizontal(spec, data, &mut m),
        ChartKind::TableBars => table_bars(spec, data, &mut m),
    }
}

/// The axis titles the bar and line layouts share.
mod axis_titles {
    use super::*;

    /// Vertical room a horizontal axis title takes (none without one).
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
    let (lo, hi) = (t.min(), t.max());
    let span = if hi > lo { hi - lo } else { 1.0 };
    move |v| a + (v - lo) / span * (b - a)
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

/// Bar, GroupedBar and Line: categories along the bottom, values up.
fn vertical(spec: &ChartSpec, data: &Prepared, m: &mut Measurer) -> Result<Canvas, ChartError> {
    let (w, h) = (f64::from(spec.width_pt), f64::from(spec.height_pt));
    let mut c = Canvas::new(w, h);
    let is_line = spec.kind == ChartKind::Line;

    let mut top = PAD;
    let legend = (spec.kind == ChartKind::GroupedBar || data.series.len() > 1)
        .then(|| Legend::new(data, w - 2.0 * PAD, is_line, m));
    let legend_top = top;
    if let Some(l) = &legend {
        top += l.height();
    }
    let y_title_top = top;
    if spec.y_label.is_some() {
        top += FS * LEADING + 4.0;
    }
    let f = VerticalFrame::settle(spec, data, top, m)?;

    // Gridlines and tick labels.
    for (v, label) in f.ticks.values() {
        let yy = f.y(v);
        c.line(vec![(f.left, yy), (f.right, yy)], palette::GRID, GRID_W);
        c.text(
            f.left - GAP,
            yy + MID * FS,
            &label,
            FS,
            palette::TEXT,
            Anchor::End,
        );
    }
    if let Some(l) = &legend {
        l.draw(&mut c, PAD, legend_top);
    }
    axis_titles::value_title(&mut c, spec, y_title_top);

    if is_line {
        line_series(&mut c, spec, data, &f, m);
    } else {
        bar_series(&mut c, spec, data, &f, m);
    }
    let zero = f.zero();
    c.line(vec![(f.left, zero), (f.right, zero)], palette::AXIS, AXIS_W);
    f.category_labels(&mut c);
    axis_titles::category_title(&mut c, spec, (f.left + f.right) / 2.0, h);
    Ok(c)
}

/// Where a vertical chart's plot sits, its value ticks and its category
/// labels, which depend on each other through the plot's size.
struct VerticalFrame {
    left: f64,
    right: f64,
    plot_top: f64,
    plot_bottom: f64,
    /// Width of one category's band.
    band: f64,
    ticks: Ticks,
    cats: CategoryLabels,
}

impl VerticalFrame {
    /// Settles the frame for a plot starting below `top` (legend and value
    /// title): tick labels set the left edge, the plot width sets the
    /// category labels, their height the plot height; two passes settle it.
    fn settle(
        spec: &ChartSpec,
        data: &Prepared,
        top: f64,
        m: &mut Measurer,
    ) -> Result<VerticalFrame, ChartError> {
        let (w, h) = (f64::from(spec.width_pt), f64::from(spec.height_pt));
        let is_line = spec.kind == ChartKind::Line;
        let n = data.categories.len();
        // Room above the highest tick for its label or value labels.
        let plot_top = top
            + if spec.value_labels {
                FS_VALUE * 1.6
            } else {
                FS * 0.6
            };
        let x_title_h = axis_titles::height(&spec.x_label);
        let (dmin, dmax) = extent(data);
        let (lo, hi) = if is_line && !spec.y_from_zero {
            (dmin, dmax)
        } else {
            (dmin.min(0.0), dmax.max(0.0))
        };
        let mut bottom_h = FS * LEADING * 2.0 + GAP;
        let mut left = PAD + 30.0;
        let mut ticks = nice_ticks(lo, hi, 5, spec.format);
        let mut cats = category_labels(&data.categories, 1.0, m);
        for _ in 0..2 {
            let plot_h = h - plot_top - bottom_h - x_title_h - PAD;
            if plot_h < 30.0 {
                return Err(too_small(spec));
            }
            let target = (plot_h / 40.0).round().clamp(2.0, 8.0) as usize;
            ticks = nice_ticks(lo, hi, target, spec.format);
            // Negative bars put value labels below their ends: make room.
            if spec.value_labels && !is_line && dmin < 0.0 {
                let per_pt = (ticks.max() - ticks.min()) / plot_h;
                if dmin - FS_VALUE * 1.6 * per_pt < ticks.min() {
                    ticks.extend_down();
                }
            }
            let tick_w = ticks
                .values()
                .iter()
                .map(|(_, l)| m.width(l, FS))
                .fold(0.0, f64::max);
            left = PAD + tick_w + GAP;
            let plot_w = w - left - PAD;
            if plot_w < 30.0 {
                return Err(too_small(spec));
            }
            cats = category_labels(&data.categories, plot_w / n as f64, m);
            bottom_h = cats.height + GAP;
        }
        let right = w - PAD;
        Ok(VerticalFrame {
            left,
            right,
            plot_top,
            plot_bottom: h - PAD - x_title_h - bottom_h,
            band: (right - left) / n as f64,
            ticks,
            cats,
        })
    }

    /// The vertical position of value `v`.
    fn y(&self, v: f64) -> f64 {
        scale(&self.ticks, self.plot_bottom, self.plot_top)(v)
    }

    /// The centre of category `i`.
    fn x(&self, i: usize) -> f64 {
        self.left + self.band * (i as f64 + 0.5)
    }

    /// Where bars start: zero, or the nearest tick when zero is off the axis.
    fn zero(&self) -> f64 {
        self.y(if self.ticks.min() > 0.0 {
            self.ticks.min()
        } else {
            0.0_f64.min(self.ticks.max())
        })
    }

    /// The category labels under the plot (wrapped, or rotated).
    fn category_labels(&self, c: &mut Canvas) {
        for (i, lines) in self.cats.lines.iter().enumerate() {
            if self.cats.rotated {
                c.text_up(
                    self.x(i),
                    self.plot_bottom + GAP,
                    &lines[0],
                    self.cats.size,
                    palette::TEXT,
                );
            } else {
                for (li, line) in lines.iter().enumerate() {
                    let yy = self.plot_bottom
                        + GAP
                        + ASCENT * self.cats.size
                        + li as f64 * self.cats.size * LEADING;
                    c.text(
                        self.x(i),
                        yy,
                        line,
                        self.cats.size,
                        palette::TEXT,
                        Anchor::Middle,
                    );
                }
            }
        }
    }
}

/// A line chart's series: lines broken at missing values, markers, and
/// value labels (every point when they fit, else each series' ends).
fn line_series(
    c: &mut Canvas,
    spec: &ChartSpec,
    data: &Prepared,
    f: &VerticalFrame,
    m: &mut Measurer,
) {
    let fmt = |v: f64| format_value(v, spec.format);
    for (si, (_, values)) in data.series.iter().enumerate() {
        let color = data.colour(si);
        let mut run: Vec<(f64, f64)> = Vec::new();
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => run.push((f.x(i), f.y(*v))),
                None => {
                    if run.len() > 1 {
                        c.line(std::mem::take(&mut run), color, 1.75);
                    }
                    run.clear();
                }
            }
        }
        if run.len() > 1 {
            c.line(run, color, 1.75);
        }
    }
    for (si, (_, values)) in data.series.iter().enumerate() {
        for (i, v) in values.iter().enumerate() {
            if let Some(v) = v {
                marker(c, f.x(i), f.y(*v), data.colour(si));
            }
        }
    }
    if !spec.value_labels {
        return;
    }
    // Labels need some air between them; when they cannot have it even
    // when small, label only each series' first and last point.
    let room = f.band * 0.8;
    let size = fit_size(data, room, &fmt, m);
    let every = data
        .series
        .iter()
        .flat_map(|(_, v)| v.iter().flatten())
        .all(|v| m.width(&fmt(*v), size) <= room);
    let size = if every { size } else { FS_VALUE };
    for (_, values) in &data.series {
        let first = values.iter().position(Option::is_some);
        let last = values.iter().rposition(Option::is_some);
        for (i, v) in values.iter().enumerate() {
            let Some(v) = *v else { continue };
            if !every && Some(i) != first && Some(i) != last {
                continue;
            }
            // Above the point unless another series is higher here.
            let highest = data.series.iter().all(|(_, o)| o[i].is_none_or(|o| o <= v));
            let yy = if highest {
                f.y(v) - 5.5
            } else {
                f.y(v) + 5.5 + size * 0.7
            };
            c.text(f.x(i), yy, &fmt(v), size, palette::TEXT, Anchor::Middle);
        }
    }
}

/// A bar chart's series: side by side within each category, value labels
/// above (or below, for negative values), `n/a` for a missing value.
fn bar_series(
    c: &mut Canvas,
    spec: &ChartSpec,
    data: &Prepared,
    f: &VerticalFrame,
    m: &mut Measurer,
) {
    let fmt = |v: f64| format_value(v, spec.format);
    let k = data.series.len();
    let group = if k == 1 {
        (f.band * 0.65).min(60.0)
    } else {
        (f.band * 0.8).min(k as f64 * 40.0)
    };
    let slot = group / k as f64;
    let gap = if k == 1 { 0.0 } else { (slot * 0.1).min(1.5) };
    let size = fit_size(data, slot + 2.0, &fmt, m);
    let zero = f.zero();
    for (si, (_, values)) in data.series.iter().enumerate() {
        let color = data.colour(si);
        for (i, v) in values.iter().enumerate() {
            let x0 = f.x(i) - group / 2.0 + si as f64 * slot + gap / 2.0;
            let x1 = x0 + slot - gap;
            let mid = (x0 + x1) / 2.0;
            match v {
                Some(v) => {
                    c.rect(x0, zero, x1, f.y(*v), color);
                    if spec.value_labels {
                        let yy = if *v >= 0.0 {
                            f.y(*v) - 3.0
                        } else {
                            f.y(*v) + 3.0 + size * 0.7
                        };
                        c.text(mid, yy, &fmt(*v), size, palette::TEXT, Anchor::Middle);
                    }
                }
                None => c.text(
                    mid,
                    zero - 3.0,
                    spec.gap_label(si, i),
                    size,
                    palette::TEXT_MUTED,
                    Anchor::Middle,
                ),
            }
        }
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

/// HorizontalBar: categories down the left (first at the top), values across.
fn horizontal(spec: &ChartSpec, data: &Prepared, m: &mut Measurer) -> Result<Canvas, ChartError> {
    let (w, h) = (f64::from(spec.width_pt), f64::from(spec.height_pt));
    let mut c = Canvas::new(w, h);
    let f = HorizontalFrame::settle(spec, data, m)?;
    let x = scale(&f.ticks, f.left, f.right);
    let zero = x(if f.ticks.min() > 0.0 {
        f.ticks.min()
    } else {
        0.0_f64.min(f.ticks.max())
    });
    for (v, label) in f.ticks.values() {
        let xx = x(v);
        c.line(
            vec![(xx, f.plot_top), (xx, f.plot_bottom)],
            palette::GRID,
            GRID_W,
        );
        c.text(
            xx,
            f.plot_bottom + GAP + ASCENT * FS,
            &label,
            FS,
            palette::TEXT,
            Anchor::Middle,
        );
    }
    horizontal_bars(&mut c, spec, data, &f, (&x, zero));
    c.line(
        vec![(zero, f.plot_top), (zero, f.plot_bottom)],
        palette::AXIS,
        AXIS_W,
    );
    axis_titles::value_title(&mut c, spec, f.y_title_top);
    axis_titles::category_title(&mut c, spec, (f.left + f.right) / 2.0, h);
    Ok(c)
}

/// Where a horizontal bar chart's parts go: one band per category between
/// the plot's top and bottom, the wrapped category labels (at `lsize`) left
/// of `left`, and the value axis's ticks from `left` to `right`.
struct HorizontalFrame {
    y_title_top: f64,
    plot_top: f64,
    plot_bottom: f64,
    band: f64,
    labels: Vec<Vec<String>>,
    lsize: f64,
    left: f64,
    right: f64,
    ticks: Ticks,
}

impl HorizontalFrame {
    /// Lays the frame out, or says the chart is too small for its data.
    fn settle(
        spec: &ChartSpec,
        data: &Prepared,
        m: &mut Measurer,
    ) -> Result<HorizontalFrame, ChartError> {
        let (w, h) = (f64::from(spec.width_pt), f64::from(spec.height_pt));
        let n = data.categories.len();
        let mut top = PAD;
        let y_title_top = top;
        if spec.y_label.is_some() {
            top += FS * LEADING + 4.0;
        }
        let plot_top = top;
        let x_title_h = axis_titles::height(&spec.x_label);
        let plot_bottom = h - PAD - x_title_h - FS * LEADING - GAP;
        let plot_h = plot_bottom - plot_top;
        if plot_h < 20.0 {
            return Err(too_small(spec));
        }
        let band = plot_h / n as f64;
        let (labels, lsize) = row_labels(&data.categories, w * 0.42, band, m);
        let label_w = labels
            .iter()
            .map(|l| widest(l, lsize, m))
            .fold(0.0, f64::max);
        let left = PAD + label_w + 6.0;
        let (right, ticks) = horizontal_axis(spec, data, m, left)?;
        Ok(HorizontalFrame {
            y_title_top,
            plot_top,
            plot_bottom,
            band,
            labels,
            lsize,
            left,
            right,
            ticks,
        })
    }
}

/// The value axis of a horizontal chart starting at `left`: its right end
/// (room for the last tick label and the value labels of bars that reach
/// it) and its ticks, settled in two rounds.
fn horizontal_axis(
    spec: &ChartSpec,
    data: &Prepared,
    m: &mut Measurer,
    left: f64,
) -> Result<(f64, Ticks), ChartError> {
    let w = f64::from(spec.width_pt);
    let (dmin, dmax) = extent(data);
    let (lo, hi) = (dmin.min(0.0), dmax.max(0.0));
    let value_w = if spec.value_labels {
        data.series[0]
            .1
            .iter()
            .flatten()
            .map(|v| format_value(*v, spec.format))
            .chain((0..data.categories.len()).map(|i| spec.gap_label(0, i).to_string()))
            .map(|t| m.width(&t, FS_VALUE))
            .fold(0.0, f64::max)
            + 4.0
    } else {
        0.0
    };
    let mut ticks = nice_ticks(lo, hi, 5, spec.format);
    let mut right = w - PAD;
    for _ in 0..2 {
        let plot_w = right - left;
        if plot_w < 30.0 {
            return Err(too_small(spec));
        }
        let target = (plot_w / 70.0).round().clamp(2.0, 8.0) as usize;
        ticks = nice_ticks(lo, hi, target, spec.format);
        if spec.value_labels && dmin < 0.0 {
            let per_pt = (ticks.max() - ticks.min()) / plot_w;
            if dmin - value_w * per_pt < ticks.min() {
                ticks.extend_down();
            }
        }
        let last = ticks
            .values()
            .last()
            .map(|(_, l)| m.width(l, FS))
            .unwrap_or(0.0);
        right = w - PAD - (last / 2.0).max(value_w);
    }
    Ok((right, ticks))
}

/// A horizontal chart's bars, with their category labels and (if asked)
/// value labels; a missing value is marked "n/a" at the axis.
fn horizontal_bars(
    c: &mut Canvas,
    spec: &ChartSpec,
    data: &Prepared,
    f: &HorizontalFrame,
    (x, zero): (&dyn Fn(f64) -> f64, f64),
) {
    let color = data.colour(0);
    let fmt = |v: f64| format_value(v, spec.format);
    let thick = (f.band * 0.65).min(22.0);
    let vsize = FS_VALUE.min((f.band * 0.9 / LEADING).max(FS_MIN));
    for (i, v) in data.series[0].1.iter().enumerate() {
        let cy = f.plot_top + f.band * (i as f64 + 0.5);
        draw_row_label(c, &f.labels[i], f.left - 6.0, cy, f.lsize, Anchor::End);
        match v {
            Some(v) => {
                c.rect(zero, cy - thick / 2.0, x(*v), cy + thick / 2.0, color);
                if spec.value_labels {
                    let (xx, anchor) = if *v >= 0.0 {
                        (x(*v) + 3.0, Anchor::Start)
                    } else {
                        (x(*v) - 3.0, Anchor::End)
                    };
                    c.text(xx, cy + MID * vsize, &fmt(*v), vsize, palette::TEXT, anchor);
                }
            }
            None => c.text(
                zero + 3.0,
                cy + MID * vsize,
                spec.gap_label(0, i),
                vsize,
                palette::TEXT_MUTED,
                Anchor::Start,
            ),
        }
    }
}

/// TableBars: rows of label, formatted value and a proportional bar.
fn table_bars(spec: &ChartSpec, data: &Prepared, m: &mut Measurer) -> Result<Canvas, ChartError> {
    let (w, h) = (f64::from(spec.width_pt), f64::from(spec.height_pt));
    let mut c = Canvas::new(w, h);
    let n = data.categories.len();
    let values = &data.series[0].1;
    let color = data.colour(0);
    let fmt = |v: f64| format_value(v, spec.format);
    let texts: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| v.map_or_else(|| spec.gap_label(0, i).to_string(), fmt))
        .collect();

    let header = spec.x_label.is_some() || spec.y_label.is_some();
    let mut top = PAD;
    let header_top = top;
    if header {
        top += FS * LEADING + 5.0;
    }
    let avail = h - top - PAD;
    let row = (avail / n as f64).min(24.0);
    if row < FS_MIN {
        return Err(too_small(spec));
    }
    let (labels, lsize) = row_labels(&data.categories, w * 0.42, row, m);
    let vsize = lsize;
    let mut label_w = labels
        .iter()
        .map(|l| widest(l, lsize, m))
        .fold(0.0, f64::max);
    let mut value_w = texts.iter().map(|t| m.width(t, vsize)).fold(0.0, f64::max);
    if let Some(t) = &spec.y_label {
        label_w = label_w.max(m.width(t, FS).min(w * 0.42));
    }
    if let Some(t) = &spec.x_label {
        value_w = value_w.max(m.width(t, FS).min(w * 0.25));
    }
    let label_x = PAD;
    let value_right = PAD + label_w + 12.0 + value_w;
    let bar_left = value_right + 10.0;
    let bar_right = w - PAD;
    if bar_right - bar_left < 30.0 {
        return Err(too_small(spec));
    }

    let (dmin, dmax) = extent(data);
    let (lo, hi) = (dmin.min(0.0), dmax.max(0.0));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let x = |v: f64| bar_left + (v - lo) / span * (bar_right - bar_left);
    let zero = x(0.0);

    if header {
        let baseline = header_top + ASCENT * FS;
        if let Some(t) = &spec.y_label {
            c.text(
                label_x,
                baseline,
                &t.replace('\n', " "),
                FS,
                palette::TEXT_MUTED,
                Anchor::Start,
            );
        }
        if let Some(t) = &spec.x_label {
            c.text(
                value_right,
                baseline,
                &t.replace('\n', " "),
                FS,
                palette::TEXT_MUTED,
                Anchor::End,
            );
        }
        c.line(
            vec![(PAD, top - 2.0), (w - PAD, top - 2.0)],
            palette::AXIS,
            GRID_W,
        );
    }
    let thick = (row * 0.6).min(12.0);
    for i in 0..n {
        let cy = top + row * (i as f64 + 0.5);
        draw_row_label(&mut c, &labels[i], label_x, cy, lsize, Anchor::Start);
        let vcolor = if values[i].is_some() {
            palette::TEXT
        } else {
            palette::TEXT_MUTED
        };
        c.text(
            value_right,
            cy + MID * vsize,
            &texts[i],
            vsize,
            vcolor,
            Anchor::End,
        );
        if let Some(v) = values[i] {
            c.rect(zero, cy - thick / 2.0, x(v), cy + thick / 2.0, color);
        }
        if i + 1 < n {
            let yy = top + row * (i as f64 + 1.0);
            c.line(vec![(PAD, yy), (w - PAD, yy)], palette::GRID, GRID_W);
        }
    }
    if lo < 0.0 {
        c.line(
            vec![(zero, top), (zero, top + row * n as f64)],
            palette::AXIS,
            GRID_W,
        );
    }
    Ok(c)
}
