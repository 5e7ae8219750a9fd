//! Content templates (Markdown + MiniJinja) → Markdown → the content tree.
//!
//! Every value printed with `{{ }}` is escaped for Markdown unless a filter
//! marks it safe (only `table` does), so data never becomes markup.

mod a11y;
mod charts;
pub mod figure;
pub mod filters;
pub mod markdown;
pub mod table;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use minijinja::value::Value;
use minijinja::{Environment, UndefinedBehavior};

use crate::chart;
use crate::compute::{Computed, Previous};
use crate::doc::{plain_text, Block, Document, Meta};
use crate::error::{suggest, Error, ErrorKind, Result};
use crate::params::Params;
use crate::spec::Spec;
use figure::{FigureObject, MissingUses, PreviousValue};
use table::{escape_markdown, TableDisplay, TableObject};

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
    pub warnings: Vec<String>,
}

/// A loaded template: its path (for errors) and text.
struct Template {
    path: PathBuf,
    text: String,
}

/// Renders the spec's content templates with the computed figures.
pub fn render(
    spec: &Spec,
    params: &Params,
    computed: &Computed,
    previous: &Previous,
    fonts: &chart::Fonts,
) -> Result<Rendered> {
    let content = &spec.raw.content;
    let mut templates = BTreeMap::new();
    for (key, value) in [("body", &content.body), ("summary", &content.summary)] {
        let path = spec.resolve(value)?;
        let text = std::fs::read_to_string(&path).map_err(|e| {
            spec.error_at(
                ErrorKind::Template,
                format!("cannot read content template: {e}"),
                value.span(),
            )
            .with_hint("check `content` paths; they are relative to the spec's folder")
        })?;
        templates.insert(key, Template { path, text });
    }
    let mut env = environment(&templates)?;
    let uses = MissingUses::default();
    let names = Names::new(params, computed);
    let displays = table_displays(spec, &env, params, computed, &names)?;
    let ctx = context(spec, params, computed, previous, &uses, &displays);
    let charts = charts::draw_all(spec, &env, &ctx, computed, fonts, &names)?;
    charts::register(&mut env, &charts);
    let mut warnings = Vec::new();
    let mut render = |key: &str| {
        let t = env.get_template(key).and_then(|t| t.render(&ctx));
        let out = t.map_err(|e| template_error(&templates[key], &e, &names))?;
        for what in uses.take() {
            warnings.push(missing_warning(&templates[key].path, &what, previous));
        }
        Ok::<_, Error>(out)
    };
    let body_markdown = render("body")?;
    let summary_markdown = render("summary")?;
    let meta = meta(spec, &env, &ctx, &names)?;
    let document = Document {
        meta,
        body: markdown::parse_with(&body_markdown, &charts),
        summary: markdown::parse_with(&summary_markdown, &charts),
    };
    let part = |key: &str| (templates[key].path.as_path(), templates[key].text.as_str());
    a11y::check(&document, part("body"), part("summary"))?;
    Ok(Rendered {
        body_markdown,
        summary_markdown,
        document,
        warnings,
    })
}

fn missing_warning(path: &std::path::Path, what: &str, previous: &Previous) -> String {
    let file = crate::error::display_path(path);
    match previous {
        Previous::Missing { reason, .. } => format!(
            "`{file}` uses `{what}`, but there is nothing to compare with: {reason}; it is shown as \"n/a\""
        ),
        _ => format!("`{file}` uses `{what}`, which has no value; it is shown as \"n/a\""),
    }
}

fn environment(templates: &BTreeMap<&str, Template>) -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_formatter(|out, _state, value| {
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
        if value.is_safe() {
            out.write_str(value.as_str().unwrap_or_default())?;
        } else {
            out.write_str(&escape_markdown(&value.to_string()))?;
        }
        Ok(())
    });
    filters::register(&mut env);
    for (key, t) in templates {
        env.add_template_owned(key.to_string(), t.text.clone())
            .map_err(|e| template_error(t, &e, &Names::default()))?;
    }
    Ok(env)
}

fn context(
    spec: &Spec,
    params: &Params,
    computed: &Computed,
    previous: &Previous,
    uses: &MissingUses,
    displays: &BTreeMap<String, Arc<TableDisplay>>,
) -> Value {
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
            let format = spec.raw.figures.get(k).and_then(|d| d.format.as_ref());
            let fig = FigureObject {
                name: k.clone(),
                value: v.clone(),
                previous: prev,
                uses: uses.clone(),
                format: format.and_then(|f| crate::compute::parse_format(f.get_ref())),
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
            };
            (k.as_str(), Value::from_object(obj))
        })
        .collect();
    let r = &spec.raw.report;
    minijinja::context! {
        period => p.get("period").cloned(),
        params => p,
        figures => figures,
        tables => tables,
        warnings => Value::from_serialize(crate::checks::warnings(&computed.checks)),
        report => minijinja::context! { name => r.name, to => r.to, from => r.from },
    }
}

/// Captions, totals and sizes of the spec's tables; captions may use `{{ }}`
/// (over params and figures, rendered as plain text).
fn table_displays(
    spec: &Spec,
    env: &Environment,
    params: &Params,
    computed: &Computed,
    names: &Names,
) -> Result<BTreeMap<String, Arc<TableDisplay>>> {
    let ctx = context(
        spec,
        params,
        computed,
        &Previous::NotApplicable,
        &MissingUses::default(),
        &BTreeMap::new(),
    );
    let mut out = BTreeMap::new();
    for (name, decl) in &spec.raw.tables {
        let Some(table) = computed.tables.get(name) else {
            continue;
        };
        for col in &decl.totals {
            if !table.columns.iter().any(|c| c.name == *col.get_ref()) {
                let cols: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
                return Err(spec
                    .error_at(
                        ErrorKind::Spec,
                        format!(
                            "table `{name}` cannot total `{}`: it shows no such column",
                            col.get_ref()
                        ),
                        col.span(),
                    )
                    .with_hint(suggest(col.get_ref(), &cols, "shown columns")));
            }
        }
        let caption = match &decl.caption {
            Some(c) => Some(plain(
                spec,
                env,
                &ctx,
                names,
                c,
                &format!("tables.{name}.caption"),
            )?),
            None => None,
        };
        let display = TableDisplay {
            caption,
            totals: decl.totals.iter().map(|c| c.get_ref().clone()).collect(),
            total_label: decl.total_label.clone().unwrap_or_else(|| "Total".into()),
            small: decl.small,
        };
        out.insert(name.clone(), Arc::new(display));
    }
    Ok(out)
}

/// Renders a short spec string (title, caption, alt text) with the template
/// context and flattens it to plain text.
pub(crate) fn plain(
    spec: &Spec,
    env: &Environment,
    ctx: &Value,
    names: &Names,
    source: &str,
    field: &str,
) -> Result<String> {
    let md = env.render_str(source, ctx).map_err(|e| {
        let t = Template {
            path: spec.path.clone(),
            text: source.to_string(),
        };
        template_error(&t, &e, names).with_hint(format!("check `{field}` in the spec"))
    })?;
    Ok(markdown::parse(&md)
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
fn meta(spec: &Spec, env: &Environment, ctx: &Value, names: &Names) -> Result<Meta> {
    let r = &spec.raw.report;
    let text = |field: &str, source: &str| {
        plain(spec, env, ctx, names, source, &format!("report.{field}"))
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

/// Names templates may refer to, for "did you mean" hints.
#[derive(Default)]
pub(crate) struct Names {
    figures: Vec<String>,
    tables: Vec<String>,
    params: Vec<String>,
    /// Every attribute a row, figure or table has (column names included).
    attributes: Vec<String>,
}

/// Attributes of figures, tables, warnings and the period, besides columns.
const ATTRIBUTES: &[&str] = &[
    "value",
    "previous",
    "has_previous",
    "previous_period",
    "difference",
    "ratio",
    "rows",
    "columns",
    "height",
    "message",
    "target",
    "rule",
    "level",
    "failing",
    "lines",
    "short",
    "slug",
    "start",
    "end",
    "name",
    "to",
    "from",
];

impl Names {
    fn new(params: &Params, computed: &Computed) -> Names {
        let mut attributes: Vec<String> = computed
            .tables
            .values()
            .flat_map(|t| t.columns.iter().map(|c| c.name.clone()))
            .chain(ATTRIBUTES.iter().map(|a| a.to_string()))
            .collect();
        attributes.sort();
        attributes.dedup();
        Names {
            figures: computed.figures.keys().cloned().collect(),
            tables: computed.tables.keys().cloned().collect(),
            params: params.values.keys().cloned().collect(),
            attributes,
        }
    }

    /// A hint for the first `.name` or `attribute="name"` in `text` that is
    /// no column or attribute but close to one (a misspelt column).
    fn attribute_hint(&self, text: &str) -> Option<String> {
        let is_ident = |c: char| c.is_alphanumeric() || c == '_';
        let known: Vec<&str> = self.attributes.iter().map(String::as_str).collect();
        let other = |n: &str| {
            [&self.figures, &self.tables, &self.params]
                .iter()
                .any(|l| l.iter().any(|x| x == n))
        };
        let mut candidates = Vec::new();
        for (i, _) in text.match_indices('.') {
            let rest = &text[i + 1..];
            candidates.push(&rest[..rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len())]);
        }
        for (i, m) in text.match_indices("attribute=") {
            let rest = text[i + m.len()..].trim_start_matches(['"', '\'']);
            candidates.push(&rest[..rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len())]);
        }
        candidates.into_iter().find_map(|name| {
            if name.is_empty()
                || known.contains(&name)
                || other(name)
                || name.chars().all(|c| c.is_ascii_digit())
            {
                return None;
            }
            crate::error::did_you_mean(name, known.iter().copied())
                .map(|c| format!("`{name}` is not a column or attribute; did you mean `{c}`?"))
        })
    }

    /// A hint for the first `figures.x` / `tables.x` / `params.x` in `text`
    /// that names nothing the report defines.
    fn hint(&self, text: &str) -> Option<String> {
        let is_ident = |c: char| c.is_alphanumeric() || c == '_';
        for (ns, list) in [
            ("figures", &self.figures),
            ("tables", &self.tables),
            ("params", &self.params),
        ] {
            for (i, _) in text.match_indices(&format!("{ns}.")) {
                if text[..i].chars().next_back().is_some_and(is_ident) {
                    continue;
                }
                let rest = &text[i + ns.len() + 1..];
                let name = &rest[..rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len())];
                if !name.is_empty() && !list.iter().any(|n| n == name) {
                    let refs: Vec<&str> = list.iter().map(String::as_str).collect();
                    return Some(format!(
                        "`{ns}.{name}` is not defined; {}",
                        suggest(name, &refs, ns)
                    ));
                }
            }
        }
        self.attribute_hint(text)
    }
}

fn template_error(t: &Template, e: &minijinja::Error, names: &Names) -> Error {
    let message = match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    };
    let range = e.range().or_else(|| {
        let line = e.line()?;
        let start: usize = t
            .text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
        let len = t.text[start..].find('\n').unwrap_or(t.text.len() - start);
        Some(start..start + len)
    });
    let mut err = Error::new(ErrorKind::Template, message).in_file(&t.path);
    let mut hint = None;
    if let Some(r) = range {
        // The error points at an expression or filter; the misspelt name is
        // usually elsewhere on the same line.
        let line_start = t.text[..r.start.min(t.text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line_end = t.text[r.start.min(t.text.len())..]
            .find('\n')
            .map_or(t.text.len(), |i| r.start + i);
        hint = t
            .text
            .get(line_start..line_end)
            .and_then(|line| names.hint(line));
        err = err.at_span(&t.text, r);
    }
    let hint = hint.unwrap_or_else(|| match e.kind() {
        minijinja::ErrorKind::UndefinedError => {
            "templates can use `figures`, `tables`, `params`, `period` and `report`".to_string()
        }
        _ => "see the MiniJinja syntax: `{{ value | filter }}`, `{% if %}…{% endif %}`".to_string(),
    });
    err.with_hint(hint)
}
