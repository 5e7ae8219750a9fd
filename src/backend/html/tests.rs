use super::blocks::{inline_svg, safe_href};
use super::*;
use crate::compute::Value;
use crate::doc::{
    Align, Block, Caption, CaptionKind, Cell, Column, Definition, Inline, Meta, Table,
};

fn t(s: &str) -> Inline {
    Inline::Text(s.to_string())
}

fn heading(level: u8, numbered: bool, s: &str) -> Block {
    Block::Heading {
        level,
        numbered,
        content: vec![t(s)],
    }
}

fn para(s: &str) -> Block {
    Block::Paragraph(vec![t(s)])
}

fn doc() -> Document {
    Document {
        meta: Meta {
            title: "Needs <Assessment>".into(),
            to: "Board".into(),
            from: "Chief Executive".into(),
            date_display: "26 November 2020".into(),
            date_iso: "2020-11-26".into(),
            language: "en-GB".into(),
            summary_title: "Executive Summary".into(),
        },
        body: vec![
            heading(1, true, "Purpose"),
            para("first"),
            para("second"),
            heading(2, true, "Detail"),
            para("third"),
            heading(1, false, "Contact"),
            para("fourth"),
            heading(1, true, "Background"),
            para("fifth"),
        ],
        summary: vec![heading(1, true, "Victims"), para("summary text")],
        sources: None,
    }
}

#[test]
fn paragraphs_are_numbered_as_in_the_pdf() {
    let html = render(&doc(), &HtmlOptions::default(), &[]);
    // Numbered sections count; a sub-heading does not restart paragraphs;
    // an unnumbered level-1 heading restarts them under the same section.
    for expected in [
        "<h2><span class=\"sn\">1.</span> Purpose</h2>",
        "<span class=\"pn\">1.1</span>first",
        "<span class=\"pn\">1.2</span>second",
        "<h3>Detail</h3>",
        "<span class=\"pn\">1.3</span>third",
        "<h2 class=\"unnumbered\">Contact</h2>",
        "<span class=\"pn\">1.1</span>fourth",
        "<h2><span class=\"sn\">2.</span> Background</h2>",
        "<span class=\"pn\">2.1</span>fifth",
    ] {
        assert!(html.contains(expected), "missing {expected} in\n{html}");
    }
    // The appendix is not numbered and sits one level down.
    assert!(
        html.contains("<h3>Victims</h3>\n<p>summary text</p>"),
        "{html}"
    );
}

#[test]
fn page_is_self_contained_and_escaped() {
    let options = HtmlOptions {
        marking: Some("OFFICIAL".into()),
        ..HtmlOptions::default()
    };
    let html = render(&doc(), &options, &[(Format::Pdf, "paper 1.pdf")]);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"));
    assert!(html.contains("<title>Needs &lt;Assessment&gt;</title>"));
    assert!(html.contains("<a href=\"./paper%201.pdf\" type=\"application/pdf\" download>"));
    assert_eq!(html.matches("<p class=\"marking\">OFFICIAL</p>").count(), 2);
    for banned in ["<script", " src=", "<link", "@import", "url("] {
        assert!(!html.contains(banned), "{banned}");
    }
    // Deterministic: the same tree gives the same bytes.
    assert_eq!(
        html,
        render(&doc(), &options, &[(Format::Pdf, "paper 1.pdf")])
    );
}

#[test]
fn tables_have_caption_scoped_headers_and_totals_in_tfoot() {
    let column = |label: &str, align| Column {
        label: vec![t(label)],
        align,
        ..Column::default()
    };
    let cell = |s: &str| Cell::new(Value::Text(s.into()), s);
    let mut caption = Caption::new(CaptionKind::Table, "Victims by district");
    caption.number = 1;
    let table = Table {
        columns: vec![
            column("District", Align::Left),
            column("Victims", Align::Right),
        ],
        rows: vec![vec![cell("Cambridge"), cell("1,234")]],
        totals: Some(vec![cell("Total"), cell("1,234")]),
        caption: Some(caption),
        ..Table::default()
    };
    let mut d = doc();
    d.body = vec![Block::Table(table)];
    let html = render(&d, &HtmlOptions::default(), &[]);
    assert!(html.contains("<caption>Table 1: Victims by district</caption>"));
    assert!(
        html.contains("<th scope=\"col\">District</th><th scope=\"col\" class=\"r\">Victims</th>")
    );
    assert!(html
        .contains("<tbody>\n<tr><th scope=\"row\">Cambridge</th><td class=\"r\">1,234</td></tr>"));
    assert!(html.contains("<tfoot>\n<tr><th scope=\"row\">Total</th>"));
}

#[test]
fn links_are_kept_only_when_safe() {
    assert_eq!(
        safe_href("https://x.org/a?b#c").as_deref(),
        Some("https://x.org/a?b#c")
    );
    assert_eq!(
        safe_href("mailto:a@b.org").as_deref(),
        Some("mailto:a@b.org")
    );
    assert_eq!(safe_href("#para-1-1").as_deref(), Some("#para-1-1"));
    assert_eq!(safe_href("docs/a:b").as_deref(), Some("docs/a:b"));
    for bad in [
        "javascript:alert(1)",
        "JavaScript:x",
        "data:text/html,x",
        "file:///etc",
        "java\nscript:x",
    ] {
        assert_eq!(safe_href(bad), None, "{bad}");
    }
    let mut d = doc();
    d.body = vec![Block::Paragraph(vec![Inline::Link {
        url: "javascript:alert(1)".into(),
        content: vec![t("click \"me\"")],
    }])];
    let html = render(&d, &HtmlOptions::default(), &[]);
    assert!(!html.contains("javascript"));
    assert!(html.contains("click \"me\""));
}

#[test]
fn charts_are_inline_svg_named_by_their_alt_text() {
    let svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\" role=\"img\">\n<title>Chart title</title>\n<desc>data</desc>\n<rect/>\n</svg>\n";
    let out = inline_svg(svg, "Bars <rising>");
    assert!(out.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\" role=\"img\">\n<title>Bars &lt;rising&gt;</title>"), "{out}");
    assert!(!out.contains("Chart title") && !out.contains("<?xml"));
    assert!(out.contains("<desc>data</desc>"));
}

#[test]
fn definitions_are_a_description_list() {
    let mut d = doc();
    d.body = vec![Block::Definitions(vec![Definition {
        term: vec![t("Contact")],
        entries: vec![vec![t("A")], vec![t("B")]],
    }])];
    let html = render(&d, &HtmlOptions::default(), &[]);
    assert!(html.contains("<dl class=\"defs\">\n<div><dt>Contact</dt><dd>A</dd><dd>B</dd></div>"));
}

#[test]
fn style_values_cannot_break_out_of_the_css() {
    assert!(is_hex_colour("#1F4e79"));
    assert!(!is_hex_colour("red;}body{x"));
    assert!(is_font_name("Source Sans 3"));
    assert!(!is_font_name("x\";}</style>"));
}
