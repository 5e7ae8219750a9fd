//! The HTML backend: the whole paper as one self-contained, accessible web
//! page, written by us from the content tree (not Typst's experimental HTML
//! export).
//!
//! One file, no JavaScript and no external asset: the style sheet (screen
//! and print) is inline and charts are inline SVG with `role="img"` and
//! their alternative text as `<title>`. The page follows the PDF: the
//! To/From/Date block, the title, sections numbered "1." and body
//! paragraphs numbered "3.1" exactly as the house style numbers them, the
//! executive summary as Appendix 1, and tables with `<caption>`,
//! `<th scope>` and totals in `<tfoot>`. Same tree, same bytes.

mod blocks;
#[cfg(test)]
mod tests;

use crate::backend::{Backend, Context, Format, Output};
use crate::doc::Document;
use crate::error::Result;
use crate::spec::StyleSection;

/// The style the page applies, resolved from the spec's `[style]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HtmlOptions {
    /// Accent colour for headings and links, `#RRGGBB`.
    pub accent: String,
    /// The body font family (readers without it get a serif fallback).
    pub font: String,
    /// The protective marking shown at the top and the foot of the page.
    pub marking: Option<String>,
}

/// The house style's accent when the spec sets none.
const DEFAULT_ACCENT: &str = "#1f4e79";
/// The house style's body font when the spec sets none.
const DEFAULT_FONT: &str = "Libertinus Serif";

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions {
            accent: DEFAULT_ACCENT.to_string(),
            font: DEFAULT_FONT.to_string(),
            marking: None,
        }
    }
}

impl HtmlOptions {
    /// The options the spec's `[style]` asks for. Values the spec check
    /// refuses never reach the page: a colour that is not `#RRGGBB` or a
    /// font name with characters outside letters, digits, spaces and `-`
    /// fall back to the house defaults (they cannot break out of the CSS).
    pub(crate) fn new(style: &StyleSection) -> HtmlOptions {
        let accent = style
            .accent
            .as_ref()
            .map(|a| a.get_ref().clone())
            .filter(|a| is_hex_colour(a))
            .unwrap_or_else(|| DEFAULT_ACCENT.to_string());
        let font = style
            .body_font
            .as_ref()
            .map(|f| f.get_ref().clone())
            .filter(|f| is_font_name(f))
            .unwrap_or_else(|| DEFAULT_FONT.to_string());
        HtmlOptions {
            accent,
            font,
            marking: style.marking.as_ref().map(|m| m.get_ref().clone()),
        }
    }
}

/// The HTML backend (see [`Backend`]).
pub(crate) struct Html;

impl Backend for Html {
    fn format(&self) -> Format {
        Format::Html
    }

    fn render(&self, cx: &Context, name: &str) -> Result<Output> {
        let siblings: Vec<(Format, &str)> = cx
            .outputs
            .iter()
            .filter(|(f, _)| *f != Format::Html)
            .map(|(f, n)| (*f, n.as_str()))
            .collect();
        Ok(Output {
            format: Format::Html,
            name: name.to_string(),
            bytes: render(cx.doc, cx.html, &siblings).into_bytes(),
            source: None,
            warnings: Default::default(),
        })
    }
}

/// The page for `doc`, linking to `siblings` (the other outputs built with
/// it: format and file name, in the same folder).
pub(crate) fn render(doc: &Document, options: &HtmlOptions, siblings: &[(Format, &str)]) -> String {
    let m = &doc.meta;
    let lang = if m.language.trim().is_empty() {
        "en-GB"
    } else {
        m.language.trim()
    };
    let mut out = String::with_capacity(64 * 1024);
    out += "<!DOCTYPE html>\n";
    out += &format!("<html lang=\"{}\">\n<head>\n", blocks::attr(lang));
    out += "<meta charset=\"utf-8\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out += &format!("<title>{}</title>\n", blocks::text(&m.title));
    out += &format!(
        "<meta name=\"author\" content=\"{}\">\n",
        blocks::attr(&m.from)
    );
    out += "<meta name=\"generator\" content=\"boardpack\">\n";
    out += &format!("<style>\n{}</style>\n</head>\n<body>\n", css(options));
    front(&mut out, doc, options, siblings);
    out += "<main>\n";
    let mut w = blocks::Writer::new(&mut out);
    w.body(&doc.body);
    w.appendix(1, &m.summary_title, &doc.summary);
    if let Some(sources) = doc
        .sources
        .as_ref()
        .filter(|s| s.shown && !s.entries.is_empty())
    {
        w.sources(sources);
    }
    out += "</main>\n";
    if let Some(marking) = &options.marking {
        out += &format!(
            "<footer>\n<p class=\"marking\">{}</p>\n</footer>\n",
            blocks::text(marking)
        );
    }
    out += "</body>\n</html>\n";
    out
}

/// The banner: marking, To/From/Date, the title and links to the other
/// formats.
fn front(out: &mut String, doc: &Document, options: &HtmlOptions, siblings: &[(Format, &str)]) {
    let m = &doc.meta;
    out.push_str("<header>\n");
    if let Some(marking) = &options.marking {
        out.push_str(&format!(
            "<p class=\"marking\">{}</p>\n",
            blocks::text(marking)
        ));
    }
    out.push_str("<dl class=\"front\">\n");
    for (label, value, iso) in [
        ("To:", &m.to, None),
        ("From:", &m.from, None),
        ("Date:", &m.date_display, Some(&m.date_iso)),
    ] {
        let value = match iso {
            Some(iso) if !iso.is_empty() => format!(
                "<time datetime=\"{}\">{}</time>",
                blocks::attr(iso),
                blocks::text(value)
            ),
            _ => blocks::text(value),
        };
        out.push_str(&format!("<div><dt>{label}</dt><dd>{value}</dd></div>\n"));
    }
    out.push_str("</dl>\n");
    out.push_str(&format!("<h1>{}</h1>\n", blocks::text(&m.title)));
    if !siblings.is_empty() {
        out.push_str("<nav class=\"formats\" aria-label=\"Other formats\">\n<ul>\n");
        for (format, name) in siblings {
            out.push_str(&format!(
                "<li><a href=\"{}\" type=\"{}\" download>Download {}</a></li>\n",
                blocks::attr(&blocks::href_for_file(name)),
                mime(*format),
                format.describe()
            ));
        }
        out.push_str("</ul>\n</nav>\n");
    }
    out.push_str("</header>\n");
}

fn mime(format: Format) -> &'static str {
    match format {
        Format::Pdf => "application/pdf",
        Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Format::Html => "text/html",
    }
}

/// The inline style sheet with the style's accent and font filled in.
fn css(options: &HtmlOptions) -> String {
    include_str!("page.css")
        .replace("ACCENT", &options.accent)
        .replace("BODYFONT", &options.font)
}

fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

fn is_font_name(s: &str) -> bool {
    !s.trim().is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
}
