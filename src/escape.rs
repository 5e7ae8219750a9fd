//! One escaper per output language, all with one control-character rule:
//! XML (the Word redline's parts, the chart SVGs), HTML (text and
//! attributes) and Typst (string literals, the only way the Typst source
//! carries text).
//!
//! The rule: tab, newline and carriage return become a space (unless the
//! language keeps them), so the words either side stay apart; every other
//! control character (C0, DEL, C1) and U+FFFE and U+FFFF, which are not
//! characters and which XML cannot carry, are dropped, as the render stage
//! drops them from all document text (`render::markdown::clean`). The
//! escapers apply the rule again so each output is safe on its own.

/// What `c` becomes under the rule, `keep` naming the controls the
/// language carries as they are.
fn control_rule(c: char, keep: &[char]) -> Option<char> {
    match c {
        c if keep.contains(&c) => Some(c),
        '\t' | '\n' | '\r' => Some(' '),
        '\u{FFFE}' | '\u{FFFF}' => None,
        c if c.is_control() => None,
        c => Some(c),
    }
}

/// `s` under the rule, for a writer that escapes markup itself (docx-rs
/// for the Word backend), `keep` naming the controls it carries.
pub(crate) fn xml_chars(s: &str, keep: &[char]) -> String {
    s.chars().filter_map(|c| control_rule(c, keep)).collect()
}

/// Text for XML character data or a (single- or double-quoted) attribute.
pub(crate) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter_map(|c| control_rule(c, &[])) {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for HTML content (newlines kept).
pub(crate) fn html_text(s: &str) -> String {
    html(s, false)
}

/// Text for a double-quoted HTML attribute value.
pub(crate) fn html_attr(s: &str) -> String {
    html(s, true)
}

fn html(s: &str, attribute: bool) -> String {
    let keep: &[char] = if attribute { &[] } else { &['\n'] };
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter_map(|c| control_rule(c, keep)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A Typst string literal holding `s` (newline, carriage return and tab
/// as escapes, so they survive).
pub(crate) fn typst_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s
        .chars()
        .filter_map(|c| control_rule(c, &['\n', '\r', '\t']))
    {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_spaces_line_ends_and_drops_controls() {
        assert_eq!(xml(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("a\u{1}b\tc\nd\re\u{7f}f\u{85}g"), "ab c d efg");
        assert_eq!(xml("x\u{FFFE}y\u{FFFF}"), "xy");
        assert_eq!(xml("£ عربي"), "£ عربي");
        assert_eq!(xml_chars("a<\tb\nc\u{1}\u{FFFE}", &['\t']), "a<\tb c");
    }

    #[test]
    fn html_keeps_newlines_in_text_only() {
        assert_eq!(html_text("a<b>&\"\n\u{7}\t"), "a&lt;b&gt;&amp;\"\n ");
        assert_eq!(html_attr("a\"b\nc"), "a&quot;b c");
        assert_eq!(html_text("\u{FFFF}"), "");
    }

    #[test]
    fn typst_strings_escape_backslash_quote_and_line_ends() {
        assert_eq!(typst_string(r#"a\b"c"#), r#""a\\b\"c""#);
        assert_eq!(typst_string("a\nb\r\tc\u{1}"), r#""a\nb\r\tc""#);
        assert_eq!(typst_string("#[x] $y$"), "\"#[x] $y$\"");
    }
}
