//! Better places and hints for two template mistakes MiniJinja reports
//! poorly: a misspelt filter (no "did you mean") and a block tag that is
//! never closed (reported at the end of the file, not at the tag).

use std::ops::Range;

use crate::error::did_you_mean;

/// The filters boardpack registers (see `filters::register`).
const OUR_FILTERS: &[&str] = &[
    "number",
    "percent",
    "approx",
    "prose_list",
    "date",
    "table",
    "change",
    "direction",
    "map",
];

/// MiniJinja's built-in filters (with the `builtins` feature).
const BUILTIN_FILTERS: &[&str] = &[
    "safe",
    "escape",
    "e",
    "lower",
    "upper",
    "title",
    "capitalize",
    "replace",
    "length",
    "count",
    "dictsort",
    "items",
    "reverse",
    "trim",
    "join",
    "split",
    "lines",
    "default",
    "d",
    "round",
    "abs",
    "int",
    "float",
    "attr",
    "first",
    "last",
    "min",
    "max",
    "sort",
    "list",
    "string",
    "bool",
    "batch",
    "slice",
    "sum",
    "indent",
    "select",
    "reject",
    "selectattr",
    "rejectattr",
    "groupby",
    "unique",
    "chain",
    "zip",
    "pprint",
    "format",
];

/// "Did you mean" for an unknown filter: the first name after a `|` in
/// `text` (the expression MiniJinja points at) that is no filter.
pub(super) fn filter_hint(text: &str) -> Option<String> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let known = || OUR_FILTERS.iter().chain(BUILTIN_FILTERS).copied();
    let name = text.split('|').skip(1).find_map(|after| {
        let after = after.trim_start();
        let name = &after[..after.find(|c: char| !is_ident(c)).unwrap_or(after.len())];
        (!name.is_empty() && !known().any(|k| k == name)).then_some(name)
    })?;
    Some(match did_you_mean(name, known()) {
        Some(c) => format!("`{name}` is not a filter; did you mean `{c}`?"),
        None => format!(
            "`{name}` is not a filter; {}, besides MiniJinja's own (`default`, `round`, `join`, …)",
            our_filters()
        ),
    })
}

fn our_filters() -> String {
    let list: Vec<String> = OUR_FILTERS.iter().map(|f| format!("`{f}`")).collect();
    format!("boardpack's filters are {}", list.join(", "))
}

/// A block tag that is never closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unclosed {
    /// The opening tag, `{% if … %}` whole.
    pub(super) range: Range<usize>,
    /// Its keyword (`if`).
    pub(super) keyword: &'static str,
}

/// Keywords that open a block, each closed by `end` + the keyword.
const BLOCKS: &[&str] = &[
    "if",
    "for",
    "block",
    "macro",
    "call",
    "filter",
    "with",
    "autoescape",
    "set",
    "raw",
];

/// The innermost block tag of `text` left open at the end, if the syntax
/// error at `error` lies after the last tag (MiniJinja reached the end of
/// the input looking for the end tag).
pub(super) fn unclosed_block(text: &str, error: &Range<usize>) -> Option<Unclosed> {
    let mut open: Vec<Unclosed> = Vec::new();
    let mut last_end = 0;
    let mut at = 0;
    while let Some(start) = text[at..].find("{%").map(|i| at + i) {
        let end = text[start + 2..].find("%}").map(|i| start + 2 + i + 2)?;
        let inner = text[start + 2..end - 2]
            .trim_matches(['-', '+', '~'])
            .trim();
        let word = inner
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .next()?;
        at = end;
        last_end = end;
        if let Some(kw) = BLOCKS.iter().find(|b| **b == word) {
            // `{% set x = 1 %}` is a statement; `{% set x %}…{% endset %}` a block.
            if *kw == "set" && inner.contains('=') {
                continue;
            }
            open.push(Unclosed {
                range: start..end,
                keyword: kw,
            });
            if *kw == "raw" {
                // Nothing inside `raw` is a tag.
                let close = text[end..].find("endraw").map(|i| end + i)?;
                at = text[end..close].rfind("{%").map_or(close, |i| end + i);
            }
        } else if let Some(kw) = word.strip_prefix("end") {
            if open.last().is_some_and(|o| o.keyword == kw) {
                open.pop();
            }
        }
    }
    if error.start < last_end {
        return None;
    }
    open.pop()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_filter_gets_the_closest_name() {
        let hint = filter_hint("{{ figures.x | nuber }}").unwrap();
        assert_eq!(hint, "`nuber` is not a filter; did you mean `number`?");
        let hint = filter_hint("{{ x | round | dfault(1) }}").unwrap();
        assert!(hint.contains("did you mean `default`"), "{hint}");
        assert_eq!(filter_hint("{{ x | number }}"), None);
        let hint = filter_hint("{{ x | zzzzzz }}").unwrap();
        assert!(hint.contains("boardpack's filters are `number`"), "{hint}");
    }

    #[test]
    fn the_open_tag_of_an_unclosed_block_is_found() {
        let text = "a\n{% for r in rows %}\n{% if r.x %}x{% endif %}\n{% set y %}y{% endset %}\n{% set z = 1 %}\nend\n";
        let eof = text.len()..text.len();
        let u = unclosed_block(text, &eof).unwrap();
        assert_eq!(
            (&text[u.range.clone()], u.keyword),
            ("{% for r in rows %}", "for")
        );
        // Closed blocks, or an error before the last tag: nothing to add.
        assert_eq!(unclosed_block("{% if a %}b{% endif %}", &(22..22)), None);
        assert_eq!(
            unclosed_block("{% if a %}{{ x. }}{% if b %}", &(12..14)),
            None
        );
        let raw = "{% raw %}{% if %}{% endraw %}{%- block b -%}";
        let u = unclosed_block(raw, &(raw.len()..raw.len())).unwrap();
        assert_eq!(u.keyword, "block");
    }
}
