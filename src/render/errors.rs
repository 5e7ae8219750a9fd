//! Template errors as people read them: the template and line, the
//! spec's own span for a template written in the spec, "did you mean"
//! among the names a template may use, and the hints for common slips.

use super::*;
use crate::error::suggest;
use crate::params::Params;

/// Markdown nested too deeply: names the template and, when the offending
/// line is template text (not produced by an expression), its line.
pub(super) fn too_deep(t: &Template, markdown: &str, e: &markdown::TooDeep) -> Error {
    let start = markdown[..e.offset].rfind('\n').map_or(0, |i| i + 1);
    let end = markdown[e.offset..]
        .find('\n')
        .map_or(markdown.len(), |i| e.offset + i);
    let line = &markdown[start..end];
    let rendered_line = markdown[..start].matches('\n').count() + 1;
    let place = match t.text.find(line).filter(|_| !line.trim().is_empty()) {
        Some(at) => format!("line {}", t.text[..at].matches('\n').count() + 1),
        None => format!("line {rendered_line} of its rendered text"),
    };
    Error::new(
        ErrorKind::Template,
        format!(
            "Markdown nested more than {} levels deep at {place} (`limits.markdown_depth`)",
            e.limit
        ),
    )
    .in_file(&t.path)
    .with_hint("flatten the nested quotes, lists or emphasis; if the report really needs deeper nesting, raise `markdown_depth` under `[limits]` in the spec")
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

/// Attributes of tables, warnings and the period, besides columns (the
/// figures' own are [`figure::FIGURE_ATTRIBUTES`]).
const ATTRIBUTES: &[&str] = &[
    "rows", "columns", "height", "message", "target", "rule", "level", "failing", "lines", "short",
    "slug", "start", "end", "name", "to", "from",
];

impl Names {
    pub(super) fn new(params: &Params, computed: &Period) -> Names {
        let mut attributes: Vec<String> = computed
            .tables
            .values()
            .flat_map(|t| t.columns.iter().map(|c| c.name.clone()))
            .chain(figure::FIGURE_ATTRIBUTES.iter().map(|a| a.to_string()))
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
                        suggest(name, &refs, &format!("declared {ns}"))
                    ));
                }
            }
        }
        self.attribute_hint(text)
    }
}

/// The variables every template sees (see `context`), plus the functions.
const TEMPLATE_VARIABLES: &[&str] = &[
    "figures", "tables", "params", "period", "report", "warnings", "chart",
];

fn quoted(names: &[&str]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    q.join(", ")
}

/// "Did you mean" for an undefined top-level name (`{{ perod }}`).
fn variable_hint(spanned: &str) -> Option<String> {
    let name = spanned.trim();
    let ident = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !ident || TEMPLATE_VARIABLES.contains(&name) {
        return None;
    }
    Some(format!(
        "`{name}` is not defined; {}",
        suggest(name, TEMPLATE_VARIABLES, "template variables")
    ))
}

/// Where the text of a TOML string written at `span` of `toml` starts, if
/// it is written as `text` exactly (no escapes), so template offsets map.
pub(super) fn string_start(toml: &str, span: &std::ops::Range<usize>, text: &str) -> Option<usize> {
    let raw = toml.get(span.clone())?;
    ["\"\"\"", "'''", "\"", "'"].into_iter().find_map(|q| {
        let inner = raw.strip_prefix(q)?.strip_suffix(q)?;
        // A multi-line string drops the newline straight after its opening.
        let skip = match q.len() {
            3 if inner.starts_with("\r\n") => 2,
            3 if inner.starts_with('\n') => 1,
            _ => 0,
        };
        (&inner[skip..] == text).then_some(span.start + q.len() + skip)
    })
}

pub(super) fn template_error(t: &Template, e: &minijinja::Error, names: &Names) -> Error {
    template_error_at(t, e, error_range(t, e), names, None)
}

/// A template error at `range` of `t`'s text; `field` names the spec field
/// it came from when `t` is the spec.
pub(super) fn template_error_at(
    t: &Template,
    e: &minijinja::Error,
    range: Option<std::ops::Range<usize>>,
    names: &Names,
    field: Option<&str>,
) -> Error {
    let message = match (e.detail(), field) {
        (Some(d), None) => format!("{}: {d}", e.kind()),
        (None, None) => e.kind().to_string(),
        (Some(d), Some(f)) => format!("{} in `{f}`: {d}", e.kind()),
        (None, Some(f)) => format!("{} in `{f}`", e.kind()),
    };
    // A template file only: in the spec, a field's text is one string of many.
    if e.kind() == minijinja::ErrorKind::SyntaxError && field.is_none() {
        if let Some(open) = range
            .as_ref()
            .and_then(|r| syntax::unclosed_block(&t.text, r))
        {
            return unclosed(t, &open);
        }
    }
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
        hint = if e.kind() == minijinja::ErrorKind::UnknownFilter {
            // The expression first; the line if the span is the tag's.
            [r.clone(), line_start..line_end]
                .into_iter()
                .find_map(|at| t.text.get(at).and_then(syntax::filter_hint))
        } else {
            t.text
                .get(line_start..line_end)
                .and_then(|line| names.hint(line))
        };
        if hint.is_none() && e.kind() == minijinja::ErrorKind::UndefinedError {
            hint = t.text.get(r.clone()).and_then(variable_hint);
        }
        err = err.at_span(&t.text, r);
    }
    let hint = hint.or_else(|| match e.kind() {
        minijinja::ErrorKind::OutOfFuel => Some(
            "look for a loop that runs too long; if the report really needs more, raise `template_fuel` under `[limits]` in the spec".to_string()
        ),
        minijinja::ErrorKind::UndefinedError => {
            Some(format!("templates can use {}", quoted(TEMPLATE_VARIABLES)))
        }
        // Our filters' and objects' refusals say what to do themselves.
        minijinja::ErrorKind::InvalidOperation => None,
        _ => Some("see the MiniJinja syntax: `{{ value | filter }}`, `{% if %}…{% endif %}`".to_string()),
    });
    match hint {
        Some(hint) => err.with_hint(hint),
        None => err,
    }
}

/// A block tag never closed, at the tag (MiniJinja points at the end of
/// the file, where it gave up looking for the end tag).
pub(super) fn unclosed(t: &Template, open: &syntax::Unclosed) -> Error {
    let kw = open.keyword;
    Error::new(
        ErrorKind::Template,
        format!("`{{% {kw} %}}` is never closed: `{{% end{kw} %}}` is missing"),
    )
    .in_file(&t.path)
    .at_span(&t.text, open.range.clone())
    .with_hint(format!(
        "add `{{% end{kw} %}}` where the `{kw}` block should end"
    ))
}

/// Where in the template a MiniJinja error points: its span, else its line.
pub(super) fn error_range(t: &Template, e: &minijinja::Error) -> Option<std::ops::Range<usize>> {
    e.range().or_else(|| {
        let line = e.line()?;
        let start: usize = t
            .text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
        let len = t.text[start..].find('\n').unwrap_or(t.text.len() - start);
        Some(start..start + len)
    })
}

#[cfg(test)]
mod tests {
    use super::string_start;

    #[test]
    fn template_offsets_map_into_the_spec_only_where_the_string_is_verbatim() {
        let toml = "a = \"x {{ y }}\"\nb = '''\n{{ z }}'''\nc = \"t\\u0041 {{ w }}\"\n";
        let span = |s: &str| {
            let start = toml.find(s).unwrap();
            start..start + s.len()
        };
        let at = string_start(toml, &span("\"x {{ y }}\""), "x {{ y }}").unwrap();
        assert_eq!(&toml[at..at + 9], "x {{ y }}");
        let at = string_start(toml, &span("'''\n{{ z }}'''"), "{{ z }}").unwrap();
        assert_eq!(&toml[at..at + 7], "{{ z }}");
        // Behind an escape the offsets would be wrong: no mapping.
        let escaped = span("\"t\\u0041 {{ w }}\"");
        assert_eq!(string_start(toml, &escaped, "tA {{ w }}"), None);
    }
}
