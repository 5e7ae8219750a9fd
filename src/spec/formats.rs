//! Every `format = "…"` (figures, table columns, charts) resolved once, as
//! the spec is loaded: the typed [`Format`] is stored beside the text as
//! written, so no later stage parses a format again, and every unknown one
//! is reported with the rest of the spec's problems.

use toml::Spanned;

use super::Spec;
use crate::error::{Error, ErrorKind};
use crate::format::{parse_format, Format};

/// What a format belongs to; it decides the message and what is allowed.
enum Owner<'a> {
    Figure(&'a str),
    Table(&'a str),
    Chart(&'a str),
}

/// Fills every declaration's `format` from its `format_text`; an unknown
/// format (or `text` for a chart, which draws numbers) adds an error and
/// leaves `format` unset.
pub(super) fn resolve(spec: &mut Spec, errors: &mut Vec<Error>) {
    let mut figures = std::mem::take(&mut spec.figures);
    for (name, f) in &mut figures {
        f.format = resolve_one(spec, f.format_text.as_ref(), Owner::Figure(name), errors);
    }
    spec.figures = figures;
    let mut tables = std::mem::take(&mut spec.tables);
    for (name, t) in &mut tables {
        for c in &mut t.columns {
            c.format = resolve_one(spec, c.format_text.as_ref(), Owner::Table(name), errors);
        }
    }
    spec.tables = tables;
    let mut charts = std::mem::take(&mut spec.charts);
    for (name, c) in &mut charts {
        let c = c.get_mut();
        c.format = resolve_one(spec, c.format_text.as_ref(), Owner::Chart(name), errors);
    }
    spec.charts = charts;
}

/// `text` as a format for `owner`, or the problem with it.
fn resolve_one(
    spec: &Spec,
    text: Option<&Spanned<String>>,
    owner: Owner,
    errors: &mut Vec<Error>,
) -> Option<Spanned<Format>> {
    let text = text?;
    let (written, span) = (text.get_ref(), text.span());
    let (message, hint) = match (parse_format(written), &owner) {
        (Some(Format::Text), Owner::Chart(name)) => (
            format!("chart `{name}`: unknown format `{written}`"),
            "use `integer`, `decimal:N` or `percent:N`",
        ),
        (Some(format), _) => return Some(Spanned::new(span, format)),
        (None, Owner::Figure(name)) => (
            format!("unknown format `{written}` for figure `{name}`"),
            "use `text`, `integer`, `decimal:N` or `percent:N` (N up to 6), as for table columns",
        ),
        (None, Owner::Table(name)) => (
            format!("unknown format `{written}` in table `{name}`"),
            "use `text`, `integer`, `decimal:N` or `percent:N` (N from 0 to 6)",
        ),
        (None, Owner::Chart(name)) => (
            format!("unknown format `{written}` in chart `{name}`"),
            "use `text`, `integer`, `decimal:N` or `percent:N` (N from 0 to 6)",
        ),
    };
    errors.push(
        spec.error_at(ErrorKind::Spec, message, span)
            .with_hint(hint),
    );
    None
}

#[cfg(test)]
mod tests {
    use crate::error::ErrorKind;
    use crate::format::Format;
    use crate::spec::SpecBuilder;

    /// A spec with a figure, a table column and a chart, each with `format`.
    fn with_formats(figure: &str, column: &str, chart: &str) -> SpecBuilder {
        SpecBuilder::new()
            .section(&format!(
                "[figures.f]\nsql = \"SELECT 1\"\nformat = \"{figure}\""
            ))
            .table(
                "t",
                "SELECT 'a' AS x, 1 AS y",
                &format!("columns = [{{ name = \"x\" }}, {{ name = \"y\", format = \"{column}\" }}]"),
            )
            .section(&format!(
                "[charts.c]\ntable = \"t\"\nkind = \"bar\"\nx = \"x\"\ny = \"y\"\ntitle = \"T\"\nalt = \"A\"\nformat = \"{chart}\""
            ))
    }

    #[test]
    fn formats_are_resolved_once_as_the_spec_loads() {
        let spec = with_formats("percent:1", "integer", "decimal:2").build();
        let figure = spec.figures["f"].format.as_ref().map(|f| *f.get_ref());
        assert_eq!(figure, Some(Format::Percent(1)));
        let columns: Vec<Option<Format>> = spec.tables["t"]
            .columns
            .iter()
            .map(|c| c.format.as_ref().map(|f| *f.get_ref()))
            .collect();
        assert_eq!(columns, [None, Some(Format::Integer)]);
        let chart = spec.charts["c"].get_ref().format.as_ref();
        assert_eq!(chart.map(|f| *f.get_ref()), Some(Format::Decimal(2)));
        // The text as written stays for the manifest.
        let written = spec.figures["f"].format_text.as_ref().map(|f| f.get_ref());
        assert_eq!(written.map(String::as_str), Some("percent:1"));
    }

    #[test]
    fn every_unknown_format_is_reported_at_once_where_it_is_written() {
        let builder = with_formats("percentage:1", "pct", "text");
        let line_of = |needle: &str| {
            let text = builder.text();
            let at = text.find(needle).unwrap_or_default();
            text[..at].lines().count()
        };
        let e = builder.load().unwrap_err();
        let found: Vec<(&str, usize)> = e
            .all()
            .map(|e| (e.message(), e.line_col().map_or(0, |l| l.0)))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "unknown format `percentage:1` for figure `f`",
                    line_of("\"percentage:1\"")
                ),
                ("unknown format `pct` in table `t`", line_of("\"pct\"")),
                ("chart `c`: unknown format `text`", line_of("\"text\"")),
            ]
        );
        assert!(e.all().all(|e| e.kind() == ErrorKind::Spec));
    }
}
