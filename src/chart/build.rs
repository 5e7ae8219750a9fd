//! A spec's `[charts.NAME]` over a computed table → a drawn chart: the SVG
//! every output uses (the Word backend rasterises it with [`png`]).

use std::sync::Arc;

use super::{
    png_pixels, render_svg_with, svg_to_png, ChartData, ChartKind, ChartSpec, Fonts, Series,
    Withheld,
};
use crate::compute::{self, Previous, Table};
use crate::error::{suggest, ErrorKind, Result};
use crate::format::Format;
use crate::spec::{ChartDecl, ChartKindDecl, Spec};

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
pub(crate) fn png(svg: &str, fonts: &Fonts) -> std::result::Result<Png, super::ChartError> {
    let bytes = svg_to_png(svg, PNG_DPI, fonts)?;
    Ok(Png {
        size: png_size(&bytes),
        bytes,
    })
}

/// Draws chart `name` from its table; `title` is already rendered.
pub(crate) fn draw(
    spec: &Spec,
    name: &str,
    decl: &ChartDecl,
    (table, previous): (&Table, &Previous),
    title: &str,
    fonts: &Fonts,
) -> Result<Drawn> {
    let chart_err = |message: String, span: std::ops::Range<usize>| {
        spec.error_at(ErrorKind::Spec, message, span)
    };
    let column = |col: &toml::Spanned<String>, wanted: &str| -> Result<usize> {
        table
            .columns
            .iter()
            .position(|c| c.name == *wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
                chart_err(
                    format!(
                        "chart `{name}`: table `{}` has no column `{wanted}`",
                        decl.table.get_ref()
                    ),
                    col.span(),
                )
                .with_hint(suggest(wanted, &names, "columns of the table"))
            })
    };
    let x = column(&decl.x, decl.x.get_ref())?;
    let y_names = decl.y.get_ref().names();
    let y_span = toml::Spanned::new(decl.y.span(), String::new());
    let ys = y_names
        .iter()
        .map(|n| column(&y_span, n))
        .collect::<Result<Vec<_>>>()?;
    let categories = table
        .rows
        .iter()
        .map(|row| crate::compute::format_cell(&row[x], table.columns[x].format))
        .collect();
    let (series, withheld) = series_of(spec, name, decl, (table, previous), (x, &ys))?;
    let format = match &decl.format {
        Some(f) => crate::format::parse_format(f.get_ref())
            .and_then(number_format)
            .ok_or_else(|| {
                chart_err(
                    format!("chart `{name}`: unknown format `{}`", f.get_ref()),
                    f.span(),
                )
                .with_hint("use `integer`, `decimal:N` or `percent:N`")
            })?,
        None => ys
            .first()
            .and_then(|&i| number_format(table.columns[i].format))
            .unwrap_or(Format::Integer),
    };
    let kind = match decl.kind {
        ChartKindDecl::Bar => ChartKind::Bar,
        ChartKindDecl::HorizontalBar => ChartKind::HorizontalBar,
        ChartKindDecl::GroupedBar => ChartKind::GroupedBar,
        ChartKindDecl::Line => ChartKind::Line,
        ChartKindDecl::TableBars => ChartKind::TableBars,
        ChartKindDecl::YearOnYear => ChartKind::GroupedBar,
    };
    let mut chart = ChartSpec::new(kind, title);
    chart.x_label = decl.x_label.clone();
    chart.y_label = decl.y_label.clone();
    chart.value_labels = decl.value_labels;
    chart.format = format;
    chart.y_from_zero = decl.y_from_zero.unwrap_or(true);
    chart.width_pt = decl.width.unwrap_or(chart.width_pt);
    chart.height_pt = decl.height.unwrap_or(chart.height_pt);
    chart.withheld = withheld;
    let data = ChartData { categories, series };
    let fail = |e: super::ChartError| {
        chart_err(
            format!("chart `{name}` cannot be drawn: {e}"),
            decl.table.span(),
        )
        .with_hint("check the chart's table, columns and size in the spec")
    };
    let size_pt = (chart.width_pt, chart.height_pt);
    // The drawing checks the size first (72 to 2000 pt, with its own
    // message); then Word's raster must be drawable too: refused now, with
    // the spec's span, not in the middle of writing the Word file.
    let svg = render_svg_with(&chart, &data, fonts).map_err(fail)?;
    png_pixels(size_pt, PNG_DPI).map_err(fail)?;
    Ok(Drawn {
        svg: svg.into(),
        size_pt,
    })
}

/// The chart's series (for a year-on-year chart, last year's first) and
/// its withheld values.
fn series_of(
    spec: &Spec,
    name: &str,
    decl: &ChartDecl,
    (table, previous): (&Table, &Previous),
    (x, ys): (usize, &[usize]),
) -> Result<(Vec<Series>, Option<Withheld>)> {
    let mut series: Vec<Series> = ys
        .iter()
        .map(|&i| Series {
            name: table.columns[i].label.clone(),
            values: table.rows.iter().map(|row| number(&row[i])).collect(),
        })
        .collect();
    let last = match decl.kind {
        ChartKindDecl::YearOnYear => Some(year_on_year(
            spec,
            name,
            decl,
            (table, previous),
            (x, ys),
            &mut series,
        )?),
        _ => None,
    };
    // Last year's series is drawn first: its withheld cells are series 0.
    let mut withheld_in: Vec<(&Table, Vec<usize>)> = Vec::new();
    if let Some((t, ly)) = &last {
        withheld_in.push((t, vec![*ly]));
    }
    withheld_in.push((table, ys.to_vec()));
    Ok((series, withheld(spec, &withheld_in)))
}

/// The chart's suppressed values, named by the table's own marker, with
/// the reason the description gives.
fn withheld(spec: &Spec, series: &[(&Table, Vec<usize>)]) -> Option<Withheld> {
    let mut marker = None;
    let mut cells = Vec::new();
    let columns = series
        .iter()
        .flat_map(|(t, ys)| ys.iter().map(move |&c| (*t, c)));
    for (si, (table, col)) in columns.enumerate() {
        for (i, row) in table.rows.iter().enumerate() {
            if let compute::Value::Suppressed(m) = &row[col] {
                marker.get_or_insert_with(|| m.clone());
                cells.push((si, i));
            }
        }
    }
    let threshold = spec
        .disclosure
        .as_ref()
        .map(|d| *d.get_ref().threshold.get_ref());
    let reason = match threshold {
        Some(t) => format!("suppressed to protect small counts (fewer than {t})"),
        None => "suppressed to protect small counts".to_string(),
    };
    Some(Withheld {
        marker: marker?,
        reason,
        cells,
    })
}

/// A year-on-year chart's series: this period's one value column named by
/// its period, and the previous period's same column (its rows matched by
/// category) put first; a category last year lacks is missing ("n/a").
/// Returns the previous table, its rows in this one's category order, and
/// its value column, for the withheld cells.
fn year_on_year(
    spec: &Spec,
    name: &str,
    decl: &ChartDecl,
    (table, previous): (&Table, &Previous),
    (x, ys): (usize, &[usize]),
    series: &mut Vec<Series>,
) -> Result<(Table, usize)> {
    let err = |message: String, hint: String| {
        Err(spec
            .error_at(ErrorKind::Spec, message, decl.table.span())
            .with_hint(hint))
    };
    let &[y] = ys else {
        return err(
            format!(
                "chart `{name}`: a year-on-year chart shows one value column, not {}",
                ys.len()
            ),
            "give `y` one column: the chart puts last year's beside it".to_string(),
        );
    };
    let Some(fy) = previous.period() else {
        return err(
            format!("chart `{name}`: a year-on-year chart needs the report's `period` parameter"),
            "declare `[params.period]` with `type = \"financial-year\"`, or use `kind = \"grouped-bar\"`".to_string(),
        );
    };
    let Some(last) = previous
        .computed()
        .and_then(|c| c.tables.get(decl.table.get_ref()))
    else {
        return err(
            format!("chart `{name}`: {fy} has no data, so a year-on-year chart cannot show it"),
            "add the previous year's data, or use another `kind` for this paper".to_string(),
        );
    };
    let col = |t: &Table, n: &str| t.columns.iter().position(|c| c.name == n);
    let (Some(lx), Some(ly)) = (
        col(last, &table.columns[x].name),
        col(last, &table.columns[y].name),
    ) else {
        return err(
            format!("chart `{name}`: the previous period's table lacks its columns"),
            String::new(),
        );
    };
    let (rows, extra) = aligned((table, x), (last, lx));
    // Categories only last year had would be silently dropped: refuse.
    if !extra.is_empty() {
        return err(
            format!(
                "chart `{name}`: {fy} has categories this period lacks: {}",
                extra.join(", ")
            ),
            "make the query return every category in both years (e.g. with a zero count)"
                .to_string(),
        );
    }
    series[0].name = fy.next().to_string();
    let values = rows.iter().map(|r| number(&r[ly])).collect();
    series.insert(
        0,
        Series {
            name: fy.to_string(),
            values,
        },
    );
    let last = Table {
        columns: last.columns.clone(),
        rows,
        totals: Default::default(),
    };
    Ok((last, ly))
}

/// The previous table's rows in this table's category order (a row of
/// NULLs where it lacks a category), and the categories only it has.
fn aligned(
    (table, x): (&Table, usize),
    (last, lx): (&Table, usize),
) -> (Vec<Vec<compute::Value>>, Vec<String>) {
    let key = |t: &Table, r: &[compute::Value], c: usize| {
        compute::format_cell(&r[c], t.columns[c].format)
    };
    let blank = vec![compute::Value::Null; last.columns.len()];
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let k = key(table, row, x);
            let found = last.rows.iter().find(|r| key(last, r, lx) == k);
            found.unwrap_or(&blank).clone()
        })
        .collect();
    let extra = last
        .rows
        .iter()
        .map(|r| key(last, r, lx))
        .filter(|k| !table.rows.iter().any(|r| key(table, r, x) == *k))
        .collect();
    (rows, extra)
}

fn number(v: &compute::Value) -> Option<f64> {
    match v {
        compute::Value::Int(i) => Some(*i as f64),
        compute::Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// A chart's format: any but `text` (an axis shows numbers).
fn number_format(f: Format) -> Option<Format> {
    (f != Format::Text).then_some(f)
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    let be = |i: usize| {
        png.get(i..i + 4)
            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    (be(16), be(20))
}
