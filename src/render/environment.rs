//! The MiniJinja environment templates render in: strict undefined values,
//! the fuel limit, the formatter that escapes every printed value and marks
//! each printed figure (and `without_marks`, which takes the marks out
//! again), the filters, and includes read through the input registry.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use minijinja::value::Value;
use minijinja::{Environment, UndefinedBehavior};

use super::errors::{template_error, Names};
use super::figure::FigureObject;
use super::table::escape_markdown;
use super::{filters, value, Template};
use crate::context::BuildContext;
use crate::error::Error;
use crate::spec::RenderPart;

/// Lets templates `{% include "NAME" %}` other files: names resolve against
/// the spec's folder and are read through the build's input registry (so an
/// include cannot leave the project, even through a link). Returns where the
/// hint of a refused include is left for the error.
pub(super) fn includes(
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
pub(super) fn environment(
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
pub(super) fn without_marks(markdown: &str) -> String {
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
