//! Content templates (Markdown + MiniJinja) → Markdown → the content tree.
//!
//! Every value printed with `{{ }}` is escaped for Markdown unless a filter
//! marks it safe (only `table` does), so data never becomes markup.

mod a11y;
mod capped;
mod chart_data;
mod charts;
mod context;
mod environment;
mod errors;
pub(crate) mod figure;
pub(crate) mod filters;
pub mod markdown;
mod spec_text;
mod syntax;

pub use a11y::check_blocks as check_accessible;
pub(crate) mod table;
pub(crate) mod value;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::chart;
use crate::compute::Previous;
use crate::context::BuildContext;
use crate::doc::{Document, Meta};
use crate::error::{Diagnostic, Diagnostics, Error, ErrorKind, Result};
use crate::publish::Published;
use crate::publish::{Period, PublishedPrevious};
use crate::spec::RenderPart;
use capped::render_capped;
use context::{context, table_displays, Shown};
use environment::{environment, includes, without_marks};
use errors::{too_deep, Names};
use spec_text::{meta, plain};
use table::PlacedTables;
use value::MissingUses;

/// The rendered Markdown of both content files and the tree built from it.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The board paper's body as Markdown.
    pub body_markdown: String,
    /// The executive summary as Markdown.
    pub summary_markdown: String,
    /// The shared content tree.
    pub document: Document,
    /// Uses of previous-period values that do not exist (shown as "n/a");
    /// `--strict` makes them errors.
    pub warnings: Diagnostics,
}

/// A loaded template: its path (for errors) and text.
struct Template {
    path: PathBuf,
    text: String,
}

/// Renders the spec's content templates with the published figures and
/// tables (this period's and the previous period's): templates, tables and
/// charts never see a suppressed value.
pub fn render(
    spec: RenderPart<'_>,
    build: &BuildContext,
    published: &Published,
    fonts: &chart::Fonts,
) -> Result<Rendered> {
    let params = &build.params;
    let (computed, previous) = (&published.current, &published.previous);
    let templates = read_templates(spec, build)?;
    check_text_values(computed)?;
    let limits = build.limits.clone();
    let names = Names::new(params, computed);
    let (mut env, mut unparsed) = environment(&templates, &limits, &names);
    let refused = includes(&mut env, spec, build);
    let uses = MissingUses::default();
    // Captions, chart titles and alt texts: every problem at once.
    let (displays, mut errors) = table_displays(spec, &env, params, computed, &names);
    let placed = PlacedTables::default();
    let shown = Shown {
        uses: &uses,
        displays: &displays,
        placed: &placed,
    };
    let ctx = context(spec, params, computed, previous, &shown);
    let charts = crate::timings::time(
        crate::timings::Stage::Charts,
        || "every chart".into(),
        || charts::draw_all(spec, &env, &ctx, (computed, previous), fonts, &names),
    );
    if let Err(e) = &charts {
        errors.push(e.clone());
    }
    Error::collect(errors)?;
    let charts = charts?;
    charts::register(&mut env, &charts);
    let mut warnings = Diagnostics::default();
    let mut render = |key: &str| {
        if let Some(syntax) = unparsed.remove(key) {
            return Err(syntax);
        }
        let out =
            render_capped(&env, &templates[key], key, &ctx, &limits, &names).map_err(|err| {
                match refused.lock().unwrap_or_else(|e| e.into_inner()).take() {
                    Some(hint) => err.with_hint(hint),
                    None => err,
                }
            })?;
        for what in uses.take() {
            warnings.push(missing_warning(&templates[key].path, &what, previous));
        }
        Ok::<_, Error>(out)
    };
    // Both templates render even if the first fails: every problem at once.
    let (body, summary) = (render("body"), render("summary"));
    Error::collect(
        [&body, &summary]
            .into_iter()
            .filter_map(|r| r.as_ref().err().cloned())
            .collect(),
    )?;
    let (body_markdown, summary_markdown) = (body?, summary?);
    let meta = meta(spec, &env, &ctx, &names)?;
    let markdown = [body_markdown.as_str(), summary_markdown.as_str()];
    let embeds = (&charts, placed.tables());
    let document = parse_document(&templates, markdown, meta, embeds, limits.markdown_depth)?;
    Ok(Rendered {
        body_markdown: without_marks(&body_markdown),
        summary_markdown: without_marks(&summary_markdown),
        document,
        warnings,
    })
}

/// The body and summary templates, read through the build's registry; a
/// file that is not UTF-8 is refused at its place in the spec.
fn read_templates(
    spec: RenderPart<'_>,
    build: &BuildContext,
) -> Result<BTreeMap<&'static str, Template>> {
    let content = &spec.content;
    let mut templates = BTreeMap::new();
    for (key, value) in [("body", &content.body), ("summary", &content.summary)] {
        let file = build.read(spec.file, value, &format!("template {key}"))?;
        let text = String::from_utf8(file.bytes.to_vec()).map_err(|_| {
            spec.error_at(
                ErrorKind::Template,
                "content template is not UTF-8 text",
                value.span(),
            )
            .with_hint("save the file as UTF-8")
        })?;
        let path = file.path.clone();
        templates.insert(key, Template { path, text });
    }
    Ok(templates)
}

/// The rendered Markdown of the body and summary parsed into the one
/// document every backend prints: charts and placed tables embedded,
/// captions numbered once, then checked for accessibility.
fn parse_document(
    templates: &BTreeMap<&'static str, Template>,
    [body_markdown, summary_markdown]: [&str; 2],
    meta: Meta,
    (charts, tables): (
        &BTreeMap<String, crate::doc::Figure>,
        Vec<crate::doc::Table>,
    ),
    depth: usize,
) -> Result<Document> {
    let embeds = markdown::Embeds {
        charts: Some(charts),
        tables: &tables,
    };
    let parse = |key: &str, md: &str| {
        markdown::parse_with(md, &embeds, depth).map_err(|e| too_deep(&templates[key], md, &e))
    };
    let mut document = Document {
        meta,
        body: parse("body", body_markdown)?,
        summary: parse("summary", summary_markdown)?,
        sources: None,
    };
    // Once, over the whole document: every output prints these numbers.
    crate::doc::number_captions(&mut document);
    let part = |key: &str| (templates[key].path.as_path(), templates[key].text.as_str());
    a11y::check(&document, part("body"), part("summary"))?;
    Ok(document)
}

fn missing_warning(path: &std::path::Path, what: &str, previous: &PublishedPrevious) -> Diagnostic {
    let file = crate::error::display_path(path);
    let message = match previous {
        Previous::Missing { reason, .. } => format!(
            "`{file}` uses `{what}`, but there is nothing to compare with: {reason}; it is shown as \"n/a\""
        ),
        _ => format!("`{file}` uses `{what}`, which has no value; it is shown as \"n/a\""),
    };
    Diagnostic::warning(ErrorKind::Template, message)
}

/// Rejects figures and table cells holding Unicode non-characters (which no
/// document can show), naming each, before any template prints them.
fn check_text_values(computed: &Period) -> Result<()> {
    use crate::value::Value as V;
    let bad = |what: String, v: &V| match v {
        V::Text(t) => crate::text::check_text(t).err().map(|why| {
            Error::new(
                ErrorKind::Data,
                format!("{what} is not text: it holds {why}"),
            )
            .with_hint("fix the data file the value comes from")
        }),
        _ => None,
    };
    let mut errors: Vec<Error> = Vec::new();
    for (name, v) in &computed.figures {
        errors.extend(bad(format!("figure `{name}`"), v));
    }
    for (name, t) in &computed.tables {
        for (i, row) in t.rows.iter().enumerate() {
            for (c, v) in t.columns.iter().zip(row) {
                let what = format!("table `{name}`, row {}, column `{}`", i + 1, c.name);
                errors.extend(v.value().and_then(|v| bad(what, v)));
            }
        }
    }
    Error::collect(errors)
}
