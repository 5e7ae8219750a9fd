//! A spec's `[charts.NAME]` over its published table → what the chart
//! library draws ([`ChartSpec`], [`ChartData`]): the columns, the format,
//! last year's series for a year-on-year chart and the withheld cells.
//! The drawing itself knows nothing of the spec ([`crate::chart`]).

use crate::chart::{
    self, ChartData, ChartError, ChartKind, ChartSpec, Drawn, Fonts, Series, Withheld,
};
use crate::error::{suggest, ErrorKind, Result};
use crate::format::Format;
use crate::publish::{Cell, PublishedPrevious as Previous, PublishedTable as Table};
use crate::spec::{ChartDecl, ChartKindDecl, DisclosureSection, RenderPart};
use crate::value::Value;

/// Draws chart `name` from its published table; `title` is already
/// rendered.
pub(super) fn draw(
    spec: RenderPart<'_>,
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
        .map(|row| row[x].format(table.columns[x].format))
        .collect();
    let (series, withheld) = series_of(spec, name, decl, (table, previous), (x, &ys))?;
    let format = match &decl.format {
        // Resolved (and never `Text`) as the spec was loaded.
        Some(f) => *f.get_ref(),
        None => ys
            .first()
            .and_then(|&i| number_format(table.columns[i].format))
            .unwrap_or(Format::Integer),
    };
    let chart = chart_spec(decl, title, format, withheld);
    let data = ChartData { categories, series };
    let fail = |e: ChartError| {
        chart_err(
            format!("chart `{name}` cannot be drawn: {e}"),
            decl.table.span(),
        )
        .with_hint("check the chart's table, columns and size in the spec")
    };
    chart::draw(&chart, &data, fonts).map_err(fail)
}

/// What the chart library draws for `decl`, with its title rendered.
fn chart_spec(
    decl: &ChartDecl,
    title: &str,
    format: Format,
    withheld: Option<Withheld>,
) -> ChartSpec {
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
    chart
}

/// The chart's series (for a year-on-year chart, last year's first) and
/// its withheld values.
fn series_of(
    spec: RenderPart<'_>,
    name: &str,
    decl: &ChartDecl,
    (table, previous): (&Table, &Previous),
    (x, ys): (usize, &[usize]),
) -> Result<(Vec<Series>, Option<Withheld>)> {
    let mut series: Vec<Series> = ys
        .iter()
        .map(|&i| Series {
            name: table.columns[i].label.clone(),
            values: table.rows.iter().map(|row| row[i].number()).collect(),
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
    Ok((
        series,
        withheld(spec.disclosure.as_ref().map(|d| d.get_ref()), &withheld_in),
    ))
}

/// The chart's suppressed values, named by the table's own marker, with
/// the reason the description gives (naming `[disclosure]`'s threshold).
fn withheld(
    disclosure: Option<&DisclosureSection>,
    series: &[(&Table, Vec<usize>)],
) -> Option<Withheld> {
    let mut marker = None;
    let mut cells = Vec::new();
    let columns = series
        .iter()
        .flat_map(|(t, ys)| ys.iter().map(move |&c| (*t, c)));
    for (si, (table, col)) in columns.enumerate() {
        for (i, row) in table.rows.iter().enumerate() {
            if let Cell::Suppressed(m) = &row[col] {
                marker.get_or_insert_with(|| m.clone());
                cells.push((si, i));
            }
        }
    }
    let threshold = disclosure.map(|d| *d.threshold.get_ref());
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
    spec: RenderPart<'_>,
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
    let values = rows.iter().map(|r| r[ly].number()).collect();
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
) -> (Vec<Vec<Cell>>, Vec<String>) {
    let key = |t: &Table, r: &[Cell], c: usize| r[c].format(t.columns[c].format);
    let blank = vec![Cell::Value(Value::Null); last.columns.len()];
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

/// A chart's format: any but `text` (an axis shows numbers).
fn number_format(f: Format) -> Option<Format> {
    (f != Format::Text).then_some(f)
}
