//! `[tables]` and `[charts]`: charts draw declared tables and have
//! alternative text; every format is one boardpack knows.

use crate::error::{suggest, Error, ErrorKind};
use crate::spec::Spec;

/// Every chart draws a declared table and has alternative text: an
/// accessible document (PDF/UA-1) cannot contain an undescribed chart.
pub(super) fn check_charts(spec: &Spec, errors: &mut Vec<Error>) {
    for (name, chart) in &spec.charts {
        let c = chart.get_ref();
        if !spec.tables.contains_key(c.table.get_ref()) {
            let names: Vec<&str> = spec.tables.keys().map(String::as_str).collect();
            errors.push(
                spec.error_at(
                    ErrorKind::Spec,
                    format!(
                        "chart `{name}` draws table `{}`, which is not declared",
                        c.table.get_ref()
                    ),
                    c.table.span(),
                )
                .with_hint(suggest(c.table.get_ref(), &names, "declared tables")),
            );
        }
        let alt_missing = c.alt.as_ref().is_none_or(|a| a.get_ref().trim().is_empty());
        if alt_missing {
            let span = c.alt.as_ref().map_or(chart.span(), |a| a.span());
            errors.push(spec
                .error_at(
                    ErrorKind::Spec,
                    format!("chart `{name}` has no alternative text"),
                    span,
                )
                .with_hint("add `alt = \"…\"` describing what the chart shows (it may use {{ figures }}): the accessible PDF (PDF/UA-1) and Word need it for readers who cannot see the chart"));
        }
    }
}

/// Table column and chart formats are ones boardpack knows.
pub(super) fn check_formats(spec: &Spec, errors: &mut Vec<Error>) {
    let tables = spec.tables.iter().flat_map(|(name, t)| {
        t.columns
            .iter()
            .filter_map(move |c| c.format.as_ref().map(|f| (format!("table `{name}`"), f)))
    });
    let charts = spec.charts.iter().filter_map(|(name, c)| {
        c.get_ref()
            .format
            .as_ref()
            .map(|f| (format!("chart `{name}`"), f))
    });
    for (what, f) in tables.chain(charts) {
        if crate::format::parse_format(f.get_ref()).is_none() {
            errors.push(
                spec.error_at(
                    ErrorKind::Spec,
                    format!("unknown format `{}` in {what}", f.get_ref()),
                    f.span(),
                )
                .with_hint("use `text`, `integer`, `decimal:N` or `percent:N` (N from 0 to 6)"),
            );
        }
    }
}
