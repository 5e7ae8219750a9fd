//! Bar, grouped bar and line charts: categories along the bottom, values
//! up.

use super::*;

/// Bar, GroupedBar and Line: categories along the bottom, values up.
pub(super) fn vertical(
    c: &mut Canvas,
    spec: &ChartSpec,
    data: &Prepared,
    m: &mut Measurer,
) -> Result<(), ChartError> {
    let (w, h) = size(spec);
    let is_line = spec.kind == ChartKind::Line;

    let mut top = PAD;
    let legend = (spec.kind == ChartKind::GroupedBar || data.series.len() > 1)
        .then(|| Legend::new(data, w - 2.0 * PAD, is_line, m));
    let legend_top = top;
    if let Some(l) = &legend {
        top += l.height();
    }
    let y_title_top = top;
    top += axis_titles::height(&spec.y_label);
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
        l.draw(c, PAD, legend_top);
    }
    axis_titles::value_title(c, spec, y_title_top);

    if is_line {
        line_series(c, spec, data, &f, m);
    } else {
        bar_series(c, spec, data, &f, m);
    }
    let zero = f.zero();
    c.line(vec![(f.left, zero), (f.right, zero)], palette::AXIS, AXIS_W);
    f.category_labels(c);
    axis_titles::category_title(c, spec, (f.left + f.right) / 2.0, h);
    Ok(())
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
        let (w, h) = size(spec);
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
        self.y(base_value(&self.ticks))
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
    let fmt = |v: f64| format_figure(v, spec.format);
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
    let fmt = |v: f64| format_figure(v, spec.format);
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
