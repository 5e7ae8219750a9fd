//! Horizontal bars and the table with bars: categories down the left,
//! values across.

use super::*;

/// HorizontalBar: categories down the left (first at the top), values across.
pub(super) fn horizontal(
    c: &mut Canvas,
    spec: &ChartSpec,
    data: &Prepared,
    m: &mut Measurer,
) -> Result<(), ChartError> {
    let h = c.height;
    let f = HorizontalFrame::settle(spec, data, m)?;
    let x = scale(&f.ticks, f.left, f.right);
    let zero = x(base_value(&f.ticks));
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
    horizontal_bars(c, spec, data, &f, (&x, zero));
    c.line(
        vec![(zero, f.plot_top), (zero, f.plot_bottom)],
        palette::AXIS,
        AXIS_W,
    );
    axis_titles::value_title(c, spec, f.y_title_top);
    axis_titles::category_title(c, spec, (f.left + f.right) / 2.0, h);
    Ok(())
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
        let (w, h) = size(spec);
        let n = data.categories.len();
        let y_title_top = PAD;
        let plot_top = y_title_top + axis_titles::height(&spec.y_label);
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
            .map(|v| format_figure(*v, spec.format))
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
    let fmt = |v: f64| format_figure(v, spec.format);
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
pub(super) fn table_bars(
    c: &mut Canvas,
    spec: &ChartSpec,
    data: &Prepared,
    m: &mut Measurer,
) -> Result<(), ChartError> {
    let texts = value_texts(spec, data);
    let f = TableFrame::settle(spec, data, &texts, m)?;
    if f.header {
        table_header(c, spec, &f);
    }
    table_rows(c, data, &f, &texts);
    if f.lo < 0.0 {
        let zero = f.x(0.0);
        let bottom = f.top + f.row * data.categories.len() as f64;
        c.line(vec![(zero, f.top), (zero, bottom)], palette::AXIS, GRID_W);
    }
    Ok(())
}

/// The first series' values as the table prints them: formatted, or the
/// gap label where one is missing.
fn value_texts(spec: &ChartSpec, data: &Prepared) -> Vec<String> {
    data.series[0]
        .1
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.map_or_else(
                || spec.gap_label(0, i).to_string(),
                |v| format_figure(v, spec.format),
            )
        })
        .collect()
}

/// Where a table with bars puts its parts: a header line with the axis
/// titles (if either is set), then one row per category: its wrapped
/// label at the left, its value right-aligned at `value_right`, its bar
/// between `bar_left` and `bar_right` over the values `lo..hi` (zero
/// included).
struct TableFrame {
    header: bool,
    header_top: f64,
    /// Where the rows start.
    top: f64,
    /// The height of one row.
    row: f64,
    labels: Vec<Vec<String>>,
    /// The size of the labels and the values.
    size: f64,
    value_right: f64,
    bar_left: f64,
    bar_right: f64,
    lo: f64,
    hi: f64,
}

impl TableFrame {
    /// Lays the table out, or says the chart is too small for its rows.
    fn settle(
        spec: &ChartSpec,
        data: &Prepared,
        texts: &[String],
        m: &mut Measurer,
    ) -> Result<TableFrame, ChartError> {
        let (w, h) = size(spec);
        let header = spec.x_label.is_some() || spec.y_label.is_some();
        let header_top = PAD;
        let mut top = header_top;
        if header {
            top += FS * LEADING + 5.0;
        }
        let row = ((h - top - PAD) / data.categories.len() as f64).min(24.0);
        if row < FS_MIN {
            return Err(too_small(spec));
        }
        let (labels, size) = row_labels(&data.categories, w * 0.42, row, m);
        let (label_w, value_w) = column_widths(spec, &labels, texts, size, m);
        let value_right = PAD + label_w + 12.0 + value_w;
        let bar_left = value_right + 10.0;
        let bar_right = w - PAD;
        if bar_right - bar_left < 30.0 {
            return Err(too_small(spec));
        }
        let (dmin, dmax) = extent(data);
        Ok(TableFrame {
            header,
            header_top,
            top,
            row,
            labels,
            size,
            value_right,
            bar_left,
            bar_right,
            lo: dmin.min(0.0),
            hi: dmax.max(0.0),
        })
    }

    /// The horizontal position of value `v` on the bars' scale.
    fn x(&self, v: f64) -> f64 {
        linear(self.lo, self.hi, self.bar_left, self.bar_right)(v)
    }
}

/// The widths of the label and value columns: their widest entry, or
/// their header's title (within a share of the width) when that is wider.
fn column_widths(
    spec: &ChartSpec,
    labels: &[Vec<String>],
    texts: &[String],
    size: f64,
    m: &mut Measurer,
) -> (f64, f64) {
    let w = f64::from(spec.width_pt);
    let mut label_w = labels
        .iter()
        .map(|l| widest(l, size, m))
        .fold(0.0, f64::max);
    let mut value_w = texts.iter().map(|t| m.width(t, size)).fold(0.0, f64::max);
    if let Some(t) = &spec.y_label {
        label_w = label_w.max(m.width(t, FS).min(w * 0.42));
    }
    if let Some(t) = &spec.x_label {
        value_w = value_w.max(m.width(t, FS).min(w * 0.25));
    }
    (label_w, value_w)
}

/// The header line: `y_label` over the labels, `x_label` over the values
/// (right-aligned), and a rule under them.
fn table_header(c: &mut Canvas, spec: &ChartSpec, f: &TableFrame) {
    let baseline = f.header_top + ASCENT * FS;
    let titles = [
        (&spec.y_label, PAD, Anchor::Start),
        (&spec.x_label, f.value_right, Anchor::End),
    ];
    for (title, x, anchor) in titles {
        if let Some(t) = title {
            let text = t.replace('\n', " ");
            c.text(x, baseline, &text, FS, palette::TEXT_MUTED, anchor);
        }
    }
    let (w, rule) = (c.width, f.top - 2.0);
    c.line(vec![(PAD, rule), (w - PAD, rule)], palette::AXIS, GRID_W);
}

/// The rows: label, value (muted where it is missing), bar, and a rule
/// between each row and the next.
fn table_rows(c: &mut Canvas, data: &Prepared, f: &TableFrame, texts: &[String]) {
    let n = data.categories.len();
    let values = &data.series[0].1;
    let color = data.colour(0);
    let thick = (f.row * 0.6).min(12.0);
    let zero = f.x(0.0);
    for i in 0..n {
        let cy = f.top + f.row * (i as f64 + 0.5);
        draw_row_label(c, &f.labels[i], PAD, cy, f.size, Anchor::Start);
        let vcolor = if values[i].is_some() {
            palette::TEXT
        } else {
            palette::TEXT_MUTED
        };
        let baseline = cy + MID * f.size;
        c.text(
            f.value_right,
            baseline,
            &texts[i],
            f.size,
            vcolor,
            Anchor::End,
        );
        if let Some(v) = values[i] {
            c.rect(zero, cy - thick / 2.0, f.x(v), cy + thick / 2.0, color);
        }
        if i + 1 < n {
            let yy = f.top + f.row * (i as f64 + 1.0);
            c.line(vec![(PAD, yy), (c.width - PAD, yy)], palette::GRID, GRID_W);
        }
    }
}
