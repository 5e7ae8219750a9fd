//! Charts for board papers: bar, horizontal bar, grouped bar, line and
//! "table with bars", rendered to a deterministic SVG (for Typst) and to PNG
//! (for Word) with the report's own fonts.
//!
//! Design:
//! - Layout is computed here in points (label widths measured with usvg
//!   and the embedded Libertinus Serif, the same shaper that renders the
//!   PNG and that Typst uses to import the SVG); plotters' SVG backend
//!   draws the primitives. The chart title is NOT drawn in the image: the
//!   documents caption it ("Figure N: title"); it becomes the SVG `<title>`.
//! - All text is Libertinus Serif; numbers are en-GB ("36,845", "16.4%").
//! - Same input → same bytes: integer coordinates, no ids, no clock, no
//!   system fonts.
//!
//! Axis titles: `x_label` is the horizontal axis and `y_label` the vertical
//! one, as drawn. So for `Bar`/`GroupedBar`/`Line`, `x_label` names the
//! categories and `y_label` the values (drawn horizontally above the value
//! axis, not rotated); for `HorizontalBar` and `TableBars`, `x_label` names
//! the values and `y_label` the categories (for `TableBars` they head the
//! value and label columns).

mod build;
mod fonts;
mod layout;
pub(crate) mod palette;
mod png;
mod svg;
#[cfg(test)]
mod tests;
mod ticks;

pub(crate) use build::{draw, png, Drawn, Png};

pub use fonts::Fonts;
pub(crate) use png::{png_pixels, svg_to_png};

use crate::format::format_figure;

thread_local! {
    static DRAW_IN_PARALLEL: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Whether one build's charts are drawn on threads of their own (the
/// default). A batch, which already runs one paper per core, turns it off
/// on its workers so threads are not multiplied.
pub(crate) fn draw_in_parallel() -> bool {
    DRAW_IN_PARALLEL.with(std::cell::Cell::get)
}

/// Sets [`draw_in_parallel`] for builds on the current thread.
pub(crate) fn set_draw_in_parallel(on: bool) {
    DRAW_IN_PARALLEL.with(|c| c.set(on));
}

/// Largest magnitude accepted for a value (beyond it the data is surely wrong).
pub(crate) const MAX_ABS_VALUE: f64 = 1e15;

/// What kind of chart to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChartKind {
    /// Vertical bars, one series.
    Bar,
    /// Horizontal bars, one series; the first category at the top.
    HorizontalBar,
    /// Vertical bars, several series side by side, with a legend.
    GroupedBar,
    /// Lines with point markers, one or more series, over ordered
    /// categories (e.g. years); the value axis starts at 0 unless
    /// `ChartSpec::y_from_zero` is false.
    Line,
    /// A compact table: category label, formatted value and a proportional
    /// horizontal bar per row; one series.
    TableBars,
}

impl ChartKind {
    fn describe(self) -> &'static str {
        match self {
            ChartKind::Bar => "Bar chart",
            ChartKind::HorizontalBar => "Horizontal bar chart",
            ChartKind::GroupedBar => "Grouped bar chart",
            ChartKind::Line => "Line chart",
            ChartKind::TableBars => "Table with bars",
        }
    }

    fn single_series(self) -> bool {
        matches!(
            self,
            ChartKind::Bar | ChartKind::HorizontalBar | ChartKind::TableBars
        )
    }
}

/// How values are shown on axes and labels: the one display format of
/// tables and figures ([`crate::format::Format`]); `Text` shows whole
/// numbers.
pub(crate) use crate::format::Format;

/// What to draw and how big.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChartSpec {
    /// What kind of chart.
    pub kind: ChartKind,
    /// Not drawn in the image (the documents caption the figure); used as
    /// the SVG `<title>`.
    pub title: String,
    /// Horizontal axis title, as drawn (see module docs).
    pub x_label: Option<String>,
    /// Vertical axis title, as drawn (see module docs).
    pub y_label: Option<String>,
    /// Print each bar's or point's value (TableBars always shows values).
    pub value_labels: bool,
    /// Format of ticks and value labels.
    pub format: Format,
    /// Line charts only: start the value axis at 0 (default true). Bar
    /// charts always include 0.
    pub y_from_zero: bool,
    /// Width in points (A4 text width in boardpack's layout is about 450pt).
    pub width_pt: f32,
    /// Height in points.
    pub height_pt: f32,
    /// Values withheld by disclosure control: marked with the report's
    /// marker (not "n/a"), and the description says why.
    pub withheld: Option<Withheld>,
}

/// Which of a chart's missing values were withheld, and how they are named:
/// the same marker the tables show, so a reader meets one name for them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Withheld {
    /// The disclosure marker (e.g. `[c]`).
    pub marker: String,
    /// Why, for the description (e.g. "suppressed to protect small counts").
    pub reason: String,
    /// (series, category) of each withheld value.
    pub cells: Vec<(usize, usize)>,
}

impl ChartSpec {
    /// The label of the missing value of series `si` at category `i`: the
    /// disclosure marker when it was withheld, else "n/a".
    pub(crate) fn gap_label(&self, si: usize, i: usize) -> &str {
        match &self.withheld {
            Some(w) if w.cells.contains(&(si, i)) => &w.marker,
            _ => "n/a",
        }
    }
}

impl ChartSpec {
    /// A spec with defaults: 440×260pt, no axis titles, no value labels,
    /// integers, line charts from zero.
    pub(crate) fn new(kind: ChartKind, title: impl Into<String>) -> ChartSpec {
        ChartSpec {
            kind,
            title: title.into(),
            x_label: None,
            y_label: None,
            value_labels: false,
            format: Format::Integer,
            y_from_zero: true,
            width_pt: 440.0,
            height_pt: 260.0,
            withheld: None,
        }
    }
}

/// One named series: one value per category; `None` is missing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    /// Legend and `<desc>` name.
    pub name: String,
    /// One value per category, in category order.
    pub values: Vec<Option<f64>>,
}

/// Categories (in display order) and the series over them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChartData {
    /// Category labels in display order (a newline forces a line break).
    pub categories: Vec<String>,
    /// The series drawn over the categories.
    pub series: Vec<Series>,
}

/// Why a chart could not be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // variant fields are described by the messages
pub(crate) enum ChartError {
    /// No categories.
    #[error("the chart has no categories to show (the query returned no rows?)")]
    NoCategories,
    /// No series.
    #[error("the chart has no data series")]
    NoSeries,
    /// A single-series kind was given several.
    #[error("a {kind} shows one series, but {found} were given; use a grouped bar or line chart for several")]
    TooManySeries { kind: &'static str, found: usize },
    /// A series has more or fewer values than there are categories.
    #[error("series `{series}` has {found} values but there are {expected} categories; each category needs exactly one value (missing ones as empty)")]
    SeriesLength {
        series: String,
        expected: usize,
        found: usize,
    },
    /// NaN or infinity.
    #[error(
        "series `{series}` has a value that is not a number ({value}) for category `{category}`"
    )]
    NotFinite {
        series: String,
        category: String,
        value: String,
    },
    /// Beyond ±[`MAX_ABS_VALUE`].
    #[error("series `{series}` has a value too large to chart ({value}) for category `{category}`; the limit is ±10^15")]
    TooLarge {
        series: String,
        category: String,
        value: f64,
    },
    /// Every value is `None`.
    #[error("every value in the chart is missing, so there is nothing to draw")]
    AllMissing,
    /// Width or height outside 72..=2000pt (or not a number).
    #[error("the chart size {width}×{height}pt is not usable; give a width and height between 72 and 2000pt")]
    BadSize { width: f32, height: f32 },
    /// The labels leave no room for the plot.
    #[error("the chart is too small ({width}×{height}pt) to fit its labels; make it larger or the labels shorter")]
    TooSmall { width: f32, height: f32 },
    /// A dpi that is not positive or makes an absurdly large image.
    #[error("the resolution {0} dpi is not usable; give a positive dpi that keeps the image under 20,000 pixels a side")]
    BadDpi(f32),
    /// The SVG given to [`svg_to_png`] could not be parsed.
    #[error("the chart SVG could not be read: {0}")]
    Svg(String),
    /// Plotters failed to draw (should not happen).
    #[error("the chart could not be drawn: {0}")]
    Draw(String),
    /// Allocating or encoding the PNG failed.
    #[error("the chart PNG could not be written: {0}")]
    Png(String),
}

/// Renders a chart to an SVG document (UTF-8), sized in points, in the
/// default chart font and colours.
#[cfg(test)]
pub(crate) fn render_svg(spec: &ChartSpec, data: &ChartData) -> Result<String, ChartError> {
    render_svg_with(spec, data, fonts::measuring_fonts())
}

/// Renders a chart in the house style `fonts` carries: text in its family
/// (measured with its files), the first series in its accent.
pub(crate) fn render_svg_with(
    spec: &ChartSpec,
    data: &ChartData,
    fonts: &Fonts,
) -> Result<String, ChartError> {
    let mut prepared = validate(spec, data)?;
    prepared.first_colour = fonts.accent().unwrap_or(palette::SERIES[0]);
    let canvas = layout::draw(spec, &prepared, fonts)?;
    let title = clean(&spec.title);
    svg::to_svg(&canvas, &title, &describe(spec, &prepared), fonts.family())
}

/// Validated data with labels cleaned of control characters.
pub(crate) struct Prepared {
    pub categories: Vec<String>,
    pub series: Vec<(String, Vec<Option<f64>>)>,
    /// The first series' colour (the house accent, or the palette's first).
    pub first_colour: palette::Rgb,
}

impl Prepared {
    /// The colour of series `i`: the palette, its first colour replaced by
    /// the house accent.
    pub(crate) fn colour(&self, i: usize) -> palette::Rgb {
        match i % palette::SERIES.len() {
            0 => self.first_colour,
            _ => palette::series(i),
        }
    }
}

fn validate(spec: &ChartSpec, data: &ChartData) -> Result<Prepared, ChartError> {
    let (w, h) = (spec.width_pt, spec.height_pt);
    if !(72.0..=2000.0).contains(&w) || !(72.0..=2000.0).contains(&h) {
        return Err(ChartError::BadSize {
            width: w,
            height: h,
        });
    }
    if data.categories.is_empty() {
        return Err(ChartError::NoCategories);
    }
    if data.series.is_empty() {
        return Err(ChartError::NoSeries);
    }
    if spec.kind.single_series() && data.series.len() > 1 {
        return Err(ChartError::TooManySeries {
            kind: spec.kind.describe(),
            found: data.series.len(),
        });
    }
    let mut any = false;
    for s in &data.series {
        if s.values.len() != data.categories.len() {
            return Err(ChartError::SeriesLength {
                series: s.name.clone(),
                expected: data.categories.len(),
                found: s.values.len(),
            });
        }
        for (v, cat) in s.values.iter().zip(&data.categories) {
            let Some(v) = v else { continue };
            if !v.is_finite() {
                return Err(ChartError::NotFinite {
                    series: s.name.clone(),
                    category: cat.clone(),
                    value: format!("{v}"),
                });
            }
            if v.abs() > MAX_ABS_VALUE {
                return Err(ChartError::TooLarge {
                    series: s.name.clone(),
                    category: cat.clone(),
                    value: *v,
                });
            }
            any = true;
        }
    }
    if !any {
        return Err(ChartError::AllMissing);
    }
    Ok(Prepared {
        categories: data.categories.iter().map(|c| clean(c)).collect(),
        series: data
            .series
            .iter()
            .map(|s| (clean(&s.name), s.values.clone()))
            .collect(),
        first_colour: palette::SERIES[0],
    })
}

/// Control characters become spaces (newlines are kept: they break lines).
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect()
}

/// A short text description for `<desc>`: kind and every value.
fn describe(spec: &ChartSpec, data: &Prepared) -> String {
    let mut out = String::from(spec.kind.describe());
    out.push('.');
    for (si, (name, values)) in data.series.iter().enumerate() {
        out.push(' ');
        if data.series.len() > 1 || !name.is_empty() {
            out.push_str(name);
            out.push_str(": ");
        }
        let items: Vec<String> = data
            .categories
            .iter()
            .zip(values)
            .enumerate()
            .map(|(i, (c, v))| {
                let v = v.map_or_else(
                    || spec.gap_label(si, i).to_string(),
                    |v| format_figure(v, spec.format),
                );
                format!("{} {v}", c.replace('\n', " "))
            })
            .collect();
        out.push_str(&items.join(", "));
        out.push('.');
    }
    if let Some(w) = spec.withheld.as_ref().filter(|w| !w.cells.is_empty()) {
        out.push_str(&format!(" {}: {}.", w.marker, w.reason));
    }
    out
}
