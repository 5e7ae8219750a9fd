//! The spec's charts: titles and alternative text rendered like any other
//! template text, each chart drawn once (SVG + PNG), and the `chart("NAME")`
//! template function that places one.

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::value::Value;
use minijinja::Environment;

use super::markdown::CHART_MARKER;
use super::table::escape_markdown;
use super::{plain, Names};
use crate::chart::{self, Fonts};
use crate::doc::{Caption, CaptionKind, Figure};
use crate::error::{suggest, Error, ErrorKind, Result};
use crate::publish::{Period, PublishedPrevious};
use crate::spec::RenderPart;

/// Draws every declared chart; the figures' captions hold the bare title
/// until the document numbers them.
pub(super) fn draw_all(
    spec: RenderPart<'_>,
    env: &Environment,
    ctx: &Value,
    (computed, previous): (&Period, &PublishedPrevious),
    fonts: &Fonts,
    names: &Names,
) -> Result<BTreeMap<String, Figure>> {
    let texts = chart_texts(spec, env, ctx, names)?;
    // Rasterising is the slow part: one thread per chart, unless the build
    // is one of a batch that already keeps every core busy.
    let draw = |(name, decl, title, _): &ChartTexts| {
        let table = &computed.tables[decl.table.get_ref()];
        super::chart_data::draw(spec, name, decl, (table, previous), title, fonts)
    };
    let draw = &draw;
    let drawn: Vec<Result<chart::Drawn>> = if !chart::draw_in_parallel() {
        texts.iter().map(draw).collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = texts.iter().map(|t| scope.spawn(move || draw(t))).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(crate::Error::new(
                            ErrorKind::Internal,
                            "a chart thread panicked",
                        ))
                    })
                })
                .collect()
        })
    };
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for ((name, _, title, alt), drawn) in texts.into_iter().zip(drawn) {
        let d = match drawn {
            Ok(d) => d,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        out.insert(
            name.clone(),
            Figure {
                name: name.clone(),
                caption: Caption::new(CaptionKind::Figure, title),
                alt,
                svg: d.svg,
                size_pt: d.size_pt,
            },
        );
    }
    Error::collect(errors)?;
    Ok(out)
}

/// Each chart's title and alt text, rendered as plain text; every problem
/// (a template error, an empty alt text) at once.
fn chart_texts<'s>(
    spec: RenderPart<'s>,
    env: &Environment,
    ctx: &Value,
    names: &Names,
) -> Result<Vec<ChartTexts<'s>>> {
    let mut texts = Vec::new();
    let mut errors = Vec::new();
    for (name, decl) in spec.charts {
        let decl = decl.get_ref();
        let field = format!("charts.{name}.title");
        let at = (decl.title.get_ref().as_str(), Some(decl.title.span()));
        let title = plain(spec, env, ctx, names, at, &field);
        let at = decl
            .alt
            .as_ref()
            .map_or(("", None), |a| (a.get_ref().as_str(), Some(a.span())));
        let field = format!("charts.{name}.alt");
        let alt = plain(spec, env, ctx, names, at, &field).and_then(|alt| {
            if alt.trim().is_empty() {
                let span = decl.alt.as_ref().map_or(0..0, |a| a.span());
                return Err(spec
                    .error_at(ErrorKind::Spec, format!("chart `{name}` has empty alternative text"), span)
                    .with_hint("the alt text must say what the chart shows: the accessible PDF (PDF/UA-1) and Word need it"));
            }
            Ok(alt)
        });
        match (title, alt) {
            (Ok(title), Ok(alt)) => texts.push((name, decl, title, alt)),
            (title, alt) => errors.extend(title.err().into_iter().chain(alt.err())),
        }
    }
    Error::collect(errors)?;
    Ok(texts)
}

/// A chart's name and declaration with its rendered title and alt text.
type ChartTexts<'s> = (&'s String, &'s crate::spec::ChartDecl, String, String);

/// Registers `chart("NAME")`, which places a chart as its own paragraph.
pub(super) fn register(env: &mut Environment, charts: &BTreeMap<String, Figure>) {
    let titles: Arc<BTreeMap<String, String>> = Arc::new(
        charts
            .iter()
            .map(|(k, f)| (k.clone(), f.caption.text.clone()))
            .collect(),
    );
    env.add_function("chart", move |name: &str| {
        let Some(title) = titles.get(name) else {
            let known: Vec<&str> = titles.keys().map(String::as_str).collect();
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!(
                    "no chart `{name}`: {}",
                    suggest(name, &known, "declared charts")
                ),
            ));
        };
        Ok(Value::from_safe_string(format!(
            "\n\n![{}]({CHART_MARKER}{name})\n\n",
            escape_markdown(title)
        )))
    });
}
