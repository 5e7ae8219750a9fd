//! Short strings written in the spec (titles, captions, alt texts) that
//! may use `{{ }}`: rendered with the template context, errors pointing
//! into the spec, and flattened to plain text.

use minijinja::value::Value;
use minijinja::Environment;

use super::errors::{error_range, string_start, template_error_at, too_deep, Names};
use super::{filters, markdown, Template};
use crate::doc::{plain_text, Block, Meta};
use crate::error::{ErrorKind, Result};
use crate::spec::RenderPart;

/// Renders a short spec string (title, caption, alt text) with the template
/// context and flattens it to plain text. `span` is where the string is
/// written in the spec (`None` for a default): errors point into it.
pub(crate) fn plain(
    spec: RenderPart<'_>,
    env: &Environment,
    ctx: &Value,
    names: &Names,
    (source, span): (&str, Option<std::ops::Range<usize>>),
    field: &str,
) -> Result<String> {
    let md = env.render_str(source, ctx).map_err(|e| {
        let snippet = Template {
            path: spec.file.path().to_path_buf(),
            text: source.to_string(),
        };
        let range = error_range(&snippet, &e);
        match span.clone().filter(|s| !s.is_empty()) {
            Some(span) => {
                // Inside the string as written, or (behind an escape, where
                // offsets differ) the whole string.
                let range = match (string_start(spec.file.text(), &span, source), range) {
                    (Some(at), Some(r)) => at + r.start..at + r.end,
                    _ => span,
                };
                let whole = Template {
                    path: spec.file.path().to_path_buf(),
                    text: spec.file.text().to_string(),
                };
                template_error_at(&whole, &e, Some(range), names, Some(field))
            }
            None => template_error_at(&snippet, &e, range, names, Some(field)),
        }
    })?;
    let blocks = markdown::parse_with(
        &md,
        &markdown::Embeds::default(),
        spec.limits.markdown_depth,
    )
    .map_err(|e| {
        let hint = format!("simplify `{field}` in the spec; if it really needs deeper nesting, raise `markdown_depth` under `[limits]`");
        match span.clone().filter(|s| !s.is_empty()) {
            Some(span) => spec
                .error_at(
                    ErrorKind::Template,
                    format!(
                        "Markdown nested more than {} levels deep in `{field}` (`limits.markdown_depth`)",
                        e.limit
                    ),
                    span,
                )
                .with_hint(hint),
            None => {
                let t = Template {
                    path: spec.file.path().to_path_buf(),
                    text: source.to_string(),
                };
                too_deep(&t, &md, &e).with_hint(hint)
            }
        }
    })?;
    Ok(blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph(p) | Block::Heading { content: p, .. } => plain_text(p),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join(" "))
}

/// Title and summary title may use `{{ }}` too; they are rendered through the
/// same Markdown path and flattened to plain text.
pub(super) fn meta(
    spec: RenderPart<'_>,
    env: &Environment,
    ctx: &Value,
    names: &Names,
) -> Result<Meta> {
    let r = &spec.report;
    let text = |field: &str, source: &toml::Spanned<String>| {
        let at = (source.get_ref().as_str(), Some(source.span()));
        plain(spec, env, ctx, names, at, &format!("report.{field}"))
    };
    let date = spec.date;
    Ok(Meta {
        title: text("title", &r.title)?,
        summary_title: text("summary_title", &r.summary_title)?,
        to: text("to", &r.to)?,
        from: text("from", &r.from)?,
        date_display: filters::format_date(date),
        date_iso: date.to_string(),
        language: r.language.get_ref().clone(),
    })
}
