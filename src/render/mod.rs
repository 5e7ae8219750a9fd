//! Content templates (Markdown + MiniJinja) → Markdown → the content tree.
//!
//! Every value printed with `{{ }}` is escaped for Markdown unless a filter
//! marks it safe (only `table` does), so data never becomes markup.

mod a11y;
mod capped;
mod chart_data;
mod charts;
mod errors;
pub(crate) mod figure;
pub(crate) mod filters;
pub mod markdown;
mod syntax;

pub use a11y::check_blocks as check_accessible;
pub(crate) mod table;
pub(crate) mod value;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use minijinja::value::Value;
use minijinja::{Environment, UndefinedBehavior};

use crate::chart;
use crate::compute::Previous;
use crate::context::BuildContext;
use crate::doc::{plain_text, Block, Document, Meta};
use crate::error::{suggest, Diagnostic, Diagnostics, Error, ErrorKind, Result};
use crate::params::Params;
use crate::publish::Published;
use crate::publish::{Period, PublishedPrevious};
use crate::spec::RenderPart;
use capped::render_capped;
use errors::{error_range, string_start, template_error, template_error_at, too_deep, Names};
use figure::{FigureObject, PreviousValue};
use table::{escape_markdown, PlacedTables, TableDisplay, TableObject};
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

/// Lets templates `{% include "NAME" %}` other files: names resolve against
/// the spec's folder and are read through the build's input registry (so an
/// include cannot leave the project, even through a link). Returns where the
/// hint of a refused include is left for the error.
fn includes(
    env: &mut Environment<'static>,
    spec: RenderPart<'_>,
    build: &BuildContext,
) -> Arc<Mutex<Option<String>>> {
    let refused = Arc::new(Mutex::new(None));
    let (inputs, dir) = (build.inputs.clone(), spec.file.dir().to_path_buf());
    let cell = refused.clone();
    env.set_loader(move |name| {
        let read = inputs
            .locate(&dir, name)
            .and_then(|path| inputs.read(&path, "template include"));
        let file = match read {
            Ok(file) => file,
            Err(crate::inputs::Refusal::Missing) => return Ok(None),
            Err(r) => {
                let (message, hint) = r.explain(name, inputs.root());
                *cell.lock().unwrap_or_else(|e| e.into_inner()) = Some(hint);
                return Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    message,
                ));
            }
        };
        String::from_utf8(file.bytes.to_vec())
            .map(Some)
            .map_err(|_| {
                minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("`{name}` is not UTF-8 text"),
                )
            })
    });
    refused
}

/// The MiniJinja environment: strict undefined values, the fuel limit, our
/// formatter and filters, and every template that parses; with the syntax
/// error of each that does not, by template key.
fn environment(
    templates: &BTreeMap<&str, Template>,
    limits: &crate::spec::Limits,
    names: &Names,
) -> (Environment<'static>, BTreeMap<String, Error>) {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(limits.template_fuel));
    env.set_formatter(|out, state, value| {
        if let Some(fig) = value.downcast_object_ref::<FigureObject>() {
            if fig.is_empty() {
                return Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!("figure `{0}` has no value (its query returned NULL or empty text), so it would print as nothing; fix its query, or guard it with `{{% if figures.{0} %}}`", fig.name),
                ));
            }
        }
        if value.is_none() {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                "this value is empty (null), so it would print as nothing; guard it with `{% if … %}` or give `| default(\"…\")`",
            ));
        }
        let text = if value.is_safe() {
            value.as_str().unwrap_or_default().to_string()
        } else {
            escape_markdown(&value.to_string())
        };
        // Data readers reject non-characters at the cell; this catches any
        // that arrive another way, at the template line that prints them.
        if let Err(why) = crate::text::check_text(&text) {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!("the value printed here is not text: it holds {why}"),
            ));
        }
        if let Some(c) = text.chars().find(|c| value::is_mark(*c)) {
            return Err(minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!("the value printed here holds the private-use character U+{:04X}, which boardpack reserves to tie printed figures to their sources", u32::from(c)),
            ));
        }
        match printed_figure(state, value) {
            // The figure's name is escaped too, so Markdown reads it as text.
            Some(name) => write!(
                out,
                "{}{}{}{text}{}",
                value::OPEN,
                escape_markdown(name),
                value::SEP,
                value::CLOSE
            )?,
            None => out.write_str(&text)?,
        }
        Ok(())
    });
    filters::register(&mut env);
    // A template that does not parse is not added; its error is returned
    // (with hints that know the report's names) and reported when it would
    // render, beside the other template's problems.
    let unparsed = templates
        .iter()
        .filter_map(|(key, t)| {
            env.add_template_owned(key.to_string(), t.text.clone())
                .err()
                .map(|e| (key.to_string(), template_error(t, &e, names)))
        })
        .collect();
    (env, unparsed)
}

/// The figure a value printed in the body or summary shows (the figure
/// itself, or a figure formatted by `number`, `percent` or `approx`), so
/// the printed text can be tied to its source; `None` elsewhere (captions,
/// alt text, titles: plain text).
fn printed_figure<'a>(state: &minijinja::State, value: &'a Value) -> Option<&'a str> {
    if !matches!(state.name(), "body" | "summary") {
        return None;
    }
    if let Some(fig) = value.downcast_object_ref::<FigureObject>() {
        return Some(&fig.name);
    }
    value
        .downcast_object_ref::<value::Traced>()
        .map(|t| t.figure.as_str())
}

/// Markdown as people read it: each marked figure (see `value::OPEN`) as
/// its printed text alone.
fn without_marks(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut in_name = false;
    for c in markdown.chars() {
        match c {
            value::OPEN => in_name = true,
            value::SEP => in_name = false,
            value::CLOSE => {}
            c if !in_name => out.push(c),
            _ => {}
        }
    }
    out
}

/// What the template context shares with the render: where missing
/// previous values are recorded, how tables are shown and where `| table`
/// places them.
struct Shown<'a> {
    uses: &'a MissingUses,
    displays: &'a BTreeMap<String, Arc<TableDisplay>>,
    placed: &'a PlacedTables,
}

fn context(
    spec: RenderPart<'_>,
    params: &Params,
    computed: &Period,
    previous: &PublishedPrevious,
    shown: &Shown,
) -> Value {
    let Shown {
        uses,
        displays,
        placed,
    } = *shown;
    let p = params.template_values();
    let before = previous.computed();
    let figures: BTreeMap<&str, Value> = computed
        .figures
        .iter()
        .map(|(k, v)| {
            let prev = match (previous, before.and_then(|c| c.figures.get(k))) {
                (Previous::NotApplicable, _) => PreviousValue::NotApplicable,
                (Previous::Computed { period, .. }, Some(v)) => {
                    PreviousValue::Value(*period, v.clone())
                }
                (Previous::Computed { period, .. } | Previous::Missing { period, .. }, _) => {
                    PreviousValue::Missing(*period)
                }
            };
            let format = spec.figures.get(k).and_then(|d| d.format.as_ref());
            let fig = FigureObject {
                name: k.clone(),
                value: v.clone(),
                previous: prev,
                uses: uses.clone(),
                format: format.map(|f| *f.get_ref()),
            };
            (k.as_str(), Value::from_object(fig))
        })
        .collect();
    let tables: BTreeMap<&str, Value> = computed
        .tables
        .iter()
        .map(|(k, t)| {
            let prev = match (previous, before.and_then(|c| c.tables.get(k))) {
                (Previous::NotApplicable, _) => None,
                (Previous::Computed { .. }, Some(t)) => Some(Ok(t.clone())),
                (Previous::Computed { period, .. } | Previous::Missing { period, .. }, _) => {
                    Some(Err(*period))
                }
            };
            let obj = TableObject {
                name: k.clone(),
                table: t.clone(),
                previous: prev,
                uses: uses.clone(),
                display: displays.get(k).cloned().unwrap_or_default(),
                placed: placed.clone(),
            };
            (k.as_str(), Value::from_object(obj))
        })
        .collect();
    let r = &spec.report;
    minijinja::context! {
        period => p.get("period").cloned(),
        params => p,
        figures => figures,
        tables => tables,
        warnings => Value::from_serialize(crate::checks::warnings(&computed.checks)),
        report => minijinja::context! { name => r.name, to => r.to, from => r.from },
    }
}

/// Captions and sizes of the spec's tables; captions may use `{{ }}`
/// (over params and figures, rendered as plain text). With every caption
/// that fails to render.
fn table_displays(
    spec: RenderPart<'_>,
    env: &Environment,
    params: &Params,
    computed: &Period,
    names: &Names,
) -> (BTreeMap<String, Arc<TableDisplay>>, Vec<Error>) {
    let shown = Shown {
        uses: &MissingUses::default(),
        displays: &BTreeMap::new(),
        placed: &PlacedTables::default(),
    };
    let ctx = context(spec, params, computed, &Previous::NotApplicable, &shown);
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, decl) in spec.tables {
        if !computed.tables.contains_key(name) {
            continue;
        }
        let field = format!("tables.{name}.caption");
        let caption = match decl.caption.as_ref().map(|c| {
            plain(
                spec,
                env,
                &ctx,
                names,
                (c.get_ref(), Some(c.span())),
                &field,
            )
        }) {
            Some(Err(e)) => {
                errors.push(e);
                continue;
            }
            Some(Ok(caption)) => Some(caption),
            None => None,
        };
        let display = TableDisplay {
            caption,
            total_label: decl.total_label.clone().unwrap_or_else(|| "Total".into()),
            small: decl.small,
            landscape: decl.landscape,
        };
        out.insert(name.clone(), Arc::new(display));
    }
    (out, errors)
}

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
fn meta(spec: RenderPart<'_>, env: &Environment, ctx: &Value, names: &Names) -> Result<Meta> {
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
