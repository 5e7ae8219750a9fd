//! `[charts]`: charts draw declared tables and have alternative text
//! (formats are resolved as the spec is loaded, `spec/formats.rs`).

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
