//! Blocks and inlines of the content tree → HTML elements, numbering
//! sections and body paragraphs as the house style does.

use crate::doc::{Align, Block, Cell, Definition, Figure, Inline, Table};

/// Writes blocks, keeping the section and paragraph counters.
pub(super) struct Writer<'a> {
    out: &'a mut String,
    /// The last numbered level-1 heading's number (0 before the first).
    section: u32,
    /// Body paragraphs since the last level-1 heading.
    paragraph: u32,
    /// Paragraph ids given so far: a number the layout repeats (paragraphs
    /// under an unnumbered section restart) links only its first use.
    ids: std::collections::BTreeSet<String>,
}

/// Where a block sits: the numbered body, the appendix (nothing numbered,
/// headings one level down) or inside a list item.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Body,
    Appendix,
    Nested,
}

impl<'a> Writer<'a> {
    pub(super) fn new(out: &'a mut String) -> Writer<'a> {
        Writer {
            out,
            section: 0,
            paragraph: 0,
            ids: Default::default(),
        }
    }

    /// The paper's body.
    pub(super) fn body(&mut self, blocks: &[Block]) {
        for b in blocks {
            self.block(b, Mode::Body);
        }
    }

    /// Appendix `number` with its title, holding `blocks`.
    pub(super) fn appendix(&mut self, number: u32, title: &str, blocks: &[Block]) {
        let id = format!("appendix-{number}");
        self.out.push_str(&format!(
            "<section class=\"appendix\" aria-labelledby=\"{id}\">\n<h2 id=\"{id}\">Appendix {number}: <span class=\"appendix-title\">{}</span></h2>\n",
            text(title)
        ));
        for b in blocks {
            self.block(b, Mode::Appendix);
        }
        self.out.push_str("</section>\n");
    }

    /// Appendix 2, "Sources of the figures": an entry per printed figure,
    /// its heading the target the printed numbers link to.
    pub(super) fn sources(&mut self, sources: &crate::doc::Sources) {
        let id = "appendix-2";
        self.out.push_str(&format!(
            "<section class=\"appendix sources\" aria-labelledby=\"{id}\">\n<h2 id=\"{id}\">Appendix 2: <span class=\"appendix-title\">{}</span></h2>\n<p>{}</p>\n",
            text(crate::doc::SOURCES_TITLE),
            text(crate::doc::SOURCES_INTRO)
        ));
        for e in &sources.entries {
            self.out.push_str(&format!(
                "<h3 id=\"{}\"><code>{}</code></h3>\n<dl>\n",
                attr(&e.id),
                text(&e.figure)
            ));
            for (label, line) in crate::doc::source_lines(e) {
                let line = match label {
                    "Query" => format!("<pre><code>{}</code></pre>", text(&e.query)),
                    _ => text(&line),
                };
                self.out.push_str(&format!(
                    "<div><dt>{}</dt><dd>{line}</dd></div>\n",
                    text(label)
                ));
            }
            self.out.push_str("</dl>\n");
        }
        self.out.push_str("</section>\n");
    }

    fn block(&mut self, b: &Block, mode: Mode) {
        match b {
            Block::Heading {
                level,
                numbered,
                content,
            } => self.heading(*level, *numbered, content, mode),
            Block::Paragraph(p) if mode == Mode::Body => {
                self.paragraph += 1;
                let n = format!("{}.{}", self.section, self.paragraph);
                let id = format!("para-{}-{}", self.section, self.paragraph);
                let id = match self.ids.insert(id.clone()) {
                    true => format!(" id=\"{id}\""),
                    false => String::new(),
                };
                self.out.push_str(&format!(
                    "<p class=\"np\"{id}><span class=\"pn\">{n}</span>{}</p>\n",
                    inlines(p)
                ));
            }
            Block::Paragraph(p) => self.out.push_str(&format!("<p>{}</p>\n", inlines(p))),
            Block::List { ordered, items } => self.list(*ordered, items),
            Block::Table(t) => table(self.out, t),
            Block::Figure(f) => figure(self.out, f),
            Block::Definitions(d) => definitions(self.out, d),
            // A web page has no page orientation: a wide table scrolls
            // (see the stylesheet); a Word style changes nothing here.
            Block::Landscape(blocks) | Block::Styled { blocks, .. } => {
                for b in blocks {
                    self.block(b, mode);
                }
            }
        }
    }

    /// Body level 1 is `<h2>` (the title is `<h1>`); appendix headings sit
    /// one level lower, under the appendix's own `<h2>`. As in the PDF,
    /// only numbered body headings of level 1 show "N." and every level-1
    /// heading restarts the paragraph numbers.
    fn heading(&mut self, level: u8, numbered: bool, content: &[Inline], mode: Mode) {
        let shift = if mode == Mode::Body { 1 } else { 2 };
        let h = level.saturating_add(shift).clamp(2, 6);
        let numbered = numbered && mode == Mode::Body;
        let mut number = String::new();
        if mode == Mode::Body && level == 1 {
            self.paragraph = 0;
            if numbered {
                self.section += 1;
                number = format!("<span class=\"sn\">{}.</span> ", self.section);
            }
        }
        let class = match (numbered, level) {
            (false, 1) if mode == Mode::Body => " class=\"unnumbered\"",
            _ => "",
        };
        self.out.push_str(&format!(
            "<h{h}{class}>{number}{}</h{h}>\n",
            inlines(content)
        ));
    }

    fn list(&mut self, ordered: bool, items: &[Vec<Block>]) {
        let tag = if ordered { "ol" } else { "ul" };
        self.out.push_str(&format!("<{tag}>\n"));
        for item in items {
            self.out.push_str("<li>");
            match item.as_slice() {
                [Block::Paragraph(p)] => self.out.push_str(&inlines(p)),
                blocks => {
                    self.out.push('\n');
                    for b in blocks {
                        self.block(b, Mode::Nested);
                    }
                }
            }
            self.out.push_str("</li>\n");
        }
        self.out.push_str(&format!("</{tag}>\n"));
    }
}

/// A table: caption, header row in `<thead>`, the first column as row
/// headers when it holds labels (left-aligned text), totals in `<tfoot>`.
fn table(out: &mut String, t: &Table) {
    let class = match (t.small, t.landscape) {
        (false, false) => "",
        (true, false) => " class=\"small\"",
        (false, true) => " class=\"wide\"",
        (true, true) => " class=\"small wide\"",
    };
    out.push_str(&format!("<table{class}>\n"));
    match (&t.caption, &t.source) {
        // The caption links to where the table's numbers come from.
        (Some(c), Some(name)) => out.push_str(&format!(
            "<caption><a class=\"figure\" href=\"#{}\">{}</a></caption>\n",
            attr(&crate::doc::table_source_id(name)),
            text(&c.to_string())
        )),
        (Some(c), None) => out.push_str(&format!("<caption>{}</caption>\n", text(&c.to_string()))),
        (None, _) => {}
    }
    let row_headers = t.columns.len() > 1 && t.columns[0].align == Align::Left;
    out.push_str("<thead>\n<tr>");
    for column in &t.columns {
        let cls = align_class(Some(&column.align));
        if crate::doc::plain_text(&column.label).trim().is_empty() {
            out.push_str(&format!("<td{cls}></td>"));
        } else {
            out.push_str(&format!(
                "<th scope=\"col\"{cls}>{}</th>",
                inlines(&column.label)
            ));
        }
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in &t.rows {
        table_row(out, t, row, row_headers);
    }
    out.push_str("</tbody>\n");
    if let Some(totals) = &t.totals {
        out.push_str("<tfoot>\n");
        table_row(out, t, totals, row_headers);
        out.push_str("</tfoot>\n");
    }
    out.push_str("</table>\n");
}

fn table_row(out: &mut String, t: &Table, row: &[Cell], row_headers: bool) {
    out.push_str("<tr>");
    for (i, cell) in row.iter().enumerate() {
        let cls = align_class(t.columns.get(i).map(|c| &c.align));
        if i == 0 && row_headers {
            out.push_str(&format!(
                "<th scope=\"row\"{cls}>{}</th>",
                inlines(&cell.text)
            ));
        } else {
            out.push_str(&format!("<td{cls}>{}</td>", inlines(&cell.text)));
        }
    }
    out.push_str("</tr>\n");
}

fn align_class(align: Option<&Align>) -> &'static str {
    match align {
        Some(Align::Right) => " class=\"r\"",
        Some(Align::Center) => " class=\"c\"",
        _ => "",
    }
}

/// A chart: its SVG inline, named by the spec's alternative text (the
/// `<title>`, which `role="img"` makes its accessible name), with its
/// numbered caption below.
fn figure(out: &mut String, f: &Figure) {
    out.push_str("<figure class=\"chart\">\n");
    out.push_str(&inline_svg(&f.svg, &f.alt));
    out.push_str(&format!(
        "<figcaption>{}</figcaption>\n</figure>\n",
        text(&f.caption.to_string())
    ));
}

/// The chart's SVG for embedding: the XML prologue dropped, `role="img"` on
/// the root and its `<title>` replaced by `alt`.
pub(super) fn inline_svg(svg: &str, alt: &str) -> String {
    let Some(start) = svg.find("<svg") else {
        return String::new();
    };
    let svg = &svg[start..];
    let Some(open_end) = svg.find('>') else {
        return String::new();
    };
    let mut open = svg[..open_end].to_string();
    if !open.contains("role=") {
        open.push_str(" role=\"img\"");
    }
    let mut rest = &svg[open_end + 1..];
    let trimmed = rest.trim_start();
    if trimmed.starts_with("<title>") {
        if let Some(end) = trimmed.find("</title>") {
            rest = &trimmed[end + "</title>".len()..];
        }
    }
    format!("{open}>\n<title>{}</title>{}\n", text(alt), rest.trim_end())
}

/// The label/content list (bibliography, contact rows) as a description
/// list.
fn definitions(out: &mut String, defs: &[Definition]) {
    out.push_str("<dl class=\"defs\">\n");
    for d in defs {
        out.push_str(&format!("<div><dt>{}</dt>", inlines(&d.term)));
        for e in &d.entries {
            out.push_str(&format!("<dd>{}</dd>", inlines(e)));
        }
        out.push_str("</div>\n");
    }
    out.push_str("</dl>\n");
}

/// Inline content; text is always escaped, never markup.
pub(super) fn inlines(content: &[Inline]) -> String {
    let mut out = String::new();
    for i in content {
        match i {
            Inline::Text(t) => out.push_str(&text(t)),
            Inline::Strong(c) => out.push_str(&format!("<strong>{}</strong>", inlines(c))),
            Inline::Emph(c) => out.push_str(&format!("<em>{}</em>", inlines(c))),
            Inline::Code(t) => out.push_str(&format!("<code>{}</code>", text(t))),
            Inline::Link { url, content } => match safe_href(url) {
                Some(href) => out.push_str(&format!(
                    "<a href=\"{}\">{}</a>",
                    attr(&href),
                    inlines(content)
                )),
                None => out.push_str(&inlines(content)),
            },
            Inline::LineBreak => out.push_str("<br>"),
            // The value as computed, machine-readable; linked to where it
            // comes from when the page has the sources appendix.
            Inline::Number {
                figure,
                text: shown,
                value,
                linked,
            } => {
                let data = format!("<data value=\"{}\">{}</data>", attr(value), text(shown));
                if *linked {
                    out.push_str(&format!(
                        "<a class=\"figure\" href=\"#{}\">{data}</a>",
                        attr(&crate::doc::source_id(figure))
                    ));
                } else {
                    out.push_str(&data);
                }
            }
        }
    }
    out
}

/// The link target if it is one a reader can follow safely: `http`,
/// `https` and `mailto` URLs, or a relative reference. Anything else
/// (`javascript:`, `data:`, `file:`…) keeps its text and loses the link.
pub(super) fn safe_href(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    match url.find(':') {
        Some(colon) if !url[..colon].contains(['/', '?', '#']) => {
            let scheme = url[..colon].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto").then(|| url.to_string())
        }
        _ => Some(url.to_string()),
    }
}

/// A relative link to a file beside the page (`./` so a name with a colon
/// is never read as a scheme; spaces and `%`, `#`, `?` percent-encoded).
pub(super) fn href_for_file(name: &str) -> String {
    let mut out = String::from("./");
    for c in name.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

pub(super) use crate::escape::{html_attr as attr, html_text as text};
