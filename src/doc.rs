//! The rendered content tree shared by every backend.
//!
//! Templates render to Markdown once; Markdown is parsed once into this tree;
//! the Typst and Word backends only lay it out. Both outputs therefore carry
//! the same words and the same figures by construction.
//!
//! Tables are typed ([`Table`]: columns, typed cells, totals) and captions
//! carry their number ([`Caption`]), assigned once for the whole document by
//! [`number_captions`]: every output prints the same "Table 3".

pub use crate::format::Format;
pub use crate::value::Value;

/// A whole report: metadata, the paper's body and its executive summary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// Title, addressees and dates shown on the front of the paper.
    pub meta: Meta,
    /// The board paper's body (numbered sections and paragraphs in the PDF).
    pub body: Vec<Block>,
    /// The executive summary: Appendix 1 of the PDF and the whole Word file.
    pub summary: Vec<Block>,
    /// Where each figure printed in the text comes from ("Sources of the
    /// figures"), filled from the manifest once it is made; `None` until
    /// then.
    pub sources: Option<Sources>,
}

/// The "Sources of the figures" appendix: one entry per figure printed in
/// the body or summary, in order of first appearance. Every backend lays
/// out the same entries; each printed number links to its entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sources {
    /// Whether the PDF and the web page show the appendix (`[report]
    /// sources_appendix`, default on); without it their printed figures
    /// still carry their values, unlinked.
    pub shown: bool,
    /// Whether the Word file shows the appendix too (only when
    /// `sources_appendix = true`); it always has a bookmark per figure.
    pub in_word: bool,
    /// The entries.
    pub entries: Vec<SourceEntry>,
}

/// Where one figure comes from, as the manifest records it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceEntry {
    /// The figure's name (`victims_resident`), or the table's.
    pub figure: String,
    /// Whether the entry is a table's (its cells' source), not a figure's.
    pub table: bool,
    /// The anchor the printed numbers link to (`src-victims_resident`).
    pub id: String,
    /// The value as computed, unrounded (`36845`, `0.16474…`).
    pub value: String,
    /// The declared format (`percent:1`), if any.
    pub format: Option<String>,
    /// What the figure means (the spec's `description`).
    pub description: Option<String>,
    /// The SQL that computed it.
    pub query: String,
    /// What the query read: `source victims`, `view v`, `params`.
    pub reads: Vec<String>,
    /// The input files (or database results) read, each with its BLAKE3.
    pub inputs: Vec<(String, String)>,
}

impl Sources {
    /// The entry of `figure`, if the appendix has one.
    pub fn entry(&self, figure: &str) -> Option<&SourceEntry> {
        self.entries.iter().find(|e| e.figure == figure)
    }
}

/// The sources appendix's title.
pub const SOURCES_TITLE: &str = "Sources of the figures";

/// What the sources appendix is, said once before its entries.
pub const SOURCES_INTRO: &str = "Every figure printed in this paper links here. Each entry gives the value as computed (before rounding), the query that computed it, what the query read and the input files with their BLAKE3 hashes, as recorded in the manifest embedded in this paper; the command boardpack explain prints the same.";

/// An entry's lines as every output shows them, label and text, before
/// its query.
pub fn source_lines(e: &SourceEntry) -> Vec<(&'static str, String)> {
    let mut lines = Vec::new();
    if let Some(d) = &e.description {
        lines.push(("Meaning", d.clone()));
    }
    let format = e
        .format
        .as_deref()
        .map(|f| format!(" (format {f})"))
        .unwrap_or_default();
    let value = if e.table { "Rows" } else { "Value" };
    lines.push((value, format!("{}{format}", e.value)));
    lines.push((
        "Read",
        if e.reads.is_empty() {
            "nothing".to_string()
        } else {
            e.reads.join("; ")
        },
    ));
    let inputs: Vec<String> = e
        .inputs
        .iter()
        .map(|(p, h)| format!("{p} (BLAKE3 {h})"))
        .collect();
    lines.push((
        "Inputs",
        if inputs.is_empty() {
            "none".to_string()
        } else {
            inputs.join("; ")
        },
    ));
    lines.push(("Query", String::new()));
    lines
}

/// The anchor of `figure`'s entry in the sources appendix.
pub fn source_id(figure: &str) -> String {
    format!("src-{figure}")
}

/// The anchor of table `name`'s entry in the sources appendix.
pub fn table_source_id(name: &str) -> String {
    format!("src-table-{name}")
}

/// The computed tables shown in `blocks` (their `source`), in reading
/// order, each once.
pub fn printed_tables(blocks: &[Block]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for b in flow(blocks) {
        match b {
            Block::Table(Table {
                source: Some(s), ..
            }) if !out.contains(s) => out.push(s.clone()),
            Block::List { items, .. } => {
                for item in items {
                    for s in printed_tables(item) {
                        if !out.contains(&s) {
                            out.push(s);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Front-matter of a paper, already formatted for display.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Meta {
    /// The paper's title as written in the spec (layouts may upper-case it).
    pub title: String,
    /// The addressee, e.g. "Business Coordination Board".
    pub to: String,
    /// The author, e.g. "Acting Chief Executive"; also the documents' author.
    pub from: String,
    /// The report date, formatted for display ("26 November 2020").
    pub date_display: String,
    /// The report date as ISO `yyyy-mm-dd`.
    pub date_iso: String,
    /// BCP 47 language tag, e.g. `en-GB`.
    pub language: String,
    /// Title of the executive summary (Word document title, appendix title).
    pub summary_title: String,
}

/// A block-level element.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading; `numbered` is false for headings marked `{.unnumbered}`.
    Heading {
        /// 1 for a section, 2 for a sub-heading, and so on.
        level: u8,
        /// Whether the layout numbers this heading.
        numbered: bool,
        /// The heading text.
        content: Vec<Inline>,
    },
    /// A paragraph of running text.
    Paragraph(Vec<Inline>),
    /// A bulleted (`ordered == false`) or numbered list.
    List {
        /// Numbered list when true.
        ordered: bool,
        /// Each item is a sequence of blocks (usually one paragraph).
        items: Vec<Vec<Block>>,
    },
    /// A table with a header row.
    Table(Table),
    /// A chart with its caption and alternative text.
    Figure(Figure),
    /// A two-column label/content list (a Markdown definition list), used for
    /// the bibliography and contact rows.
    Definitions(Vec<Definition>),
    /// Blocks laid out on landscape pages of their own (wide tables), with
    /// the same running header, footer, marking and page numbering.
    Landscape(Vec<Block>),
    /// Blocks set in a named paragraph style of the Word file
    /// (`{.style="OPCC Recommendation"}` after a paragraph or heading); the
    /// PDF lays them out as usual.
    Styled {
        /// The Word style's name as the reference document shows it.
        style: String,
        /// The styled blocks (one paragraph or heading).
        blocks: Vec<Block>,
    },
}

/// Every block in order, with [`Block::Landscape`] and [`Block::Styled`]
/// groups opened up (the blocks inside them take their place): for checks that read the
/// document's flow, whatever page it sits on.
pub fn flow(blocks: &[Block]) -> Vec<&Block> {
    let mut out = Vec::with_capacity(blocks.len());
    for b in blocks {
        match b {
            Block::Landscape(inner) | Block::Styled { blocks: inner, .. } => {
                out.extend(flow(inner))
            }
            other => out.push(other),
        }
    }
    out
}

/// One label and its entries in a [`Block::Definitions`] list.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// The label column, e.g. "Source Documents".
    pub term: Vec<Inline>,
    /// One entry per `: ...` line.
    pub entries: Vec<Vec<Inline>>,
}

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// Left-aligned (text).
    #[default]
    Left,
    /// Centred.
    Center,
    /// Right-aligned (numbers).
    Right,
}

/// A typed table: declared columns, rows of typed cells, an optional totals
/// row and caption. Built from a published table (never re-parsed from
/// formatted text) or from a Markdown table in a template (text cells).
/// Every row has `columns.len()` cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The columns: header label, alignment, format and width hint.
    pub columns: Vec<Column>,
    /// Body rows.
    pub rows: Vec<Vec<Cell>>,
    /// A totals row shown (bold) after the body; its first cell is usually
    /// the label ("Total").
    pub totals: Option<Vec<Cell>>,
    /// The caption, numbered once for the whole document by
    /// [`number_captions`].
    pub caption: Option<Caption>,
    /// Set on a landscape page (wide tables).
    pub landscape: bool,
    /// Set in a smaller font (wide tables).
    pub small: bool,
    /// The computed table it shows (`[tables.NAME]`), so every output can
    /// tie its cells to their source; `None` for a Markdown table.
    pub source: Option<String>,
}

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Column {
    /// The header cell.
    pub label: Vec<Inline>,
    /// Horizontal alignment of the column's cells (numbers right).
    pub align: Align,
    /// The column's declared display format (`Text` for Markdown tables).
    pub format: Format,
    /// Width hint in characters: the longest formatted text in the column
    /// (body and totals) or the longest word of its label, whichever is
    /// longer. Backends turn it into widths; they never measure data.
    pub width: usize,
}

/// One cell of a [`Table`]: the typed value and the text shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The published value (`Text` for cells of Markdown tables; `Null`
    /// for an empty cell, and for a cell withheld by disclosure control,
    /// whose text is the marker: the tree never holds a withheld count).
    pub value: Value,
    /// The formatted text shown, e.g. `36,845` (inline markup only in
    /// Markdown tables).
    pub text: Vec<Inline>,
}

impl Cell {
    /// A cell showing `text` as formatted by the caller.
    pub fn new(value: Value, text: impl Into<String>) -> Cell {
        let text: String = text.into();
        let text = if text.is_empty() {
            Vec::new()
        } else {
            vec![Inline::Text(text)]
        };
        Cell { value, text }
    }

    /// The shown text as plain text.
    pub fn plain(&self) -> String {
        plain_text(&self.text)
    }
}

/// What a caption labels: each kind is numbered in its own sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptionKind {
    /// "Table N".
    Table,
    /// "Figure N" (charts).
    Figure,
}

impl CaptionKind {
    /// The label word: "Table" or "Figure".
    pub fn word(self) -> &'static str {
        match self {
            CaptionKind::Table => "Table",
            CaptionKind::Figure => "Figure",
        }
    }
}

/// A table's or figure's caption. `number` is 0 until [`number_captions`]
/// has numbered the whole document; backends print it, never count.
#[derive(Debug, Clone, PartialEq)]
pub struct Caption {
    /// Table or figure.
    pub kind: CaptionKind,
    /// The number in the whole document's reading order (body, then
    /// summary), from 1.
    pub number: u32,
    /// The caption's text without its label ("Victims by district").
    pub text: String,
}

impl Caption {
    /// An unnumbered caption of `kind` (numbered later, once).
    pub fn new(kind: CaptionKind, text: impl Into<String>) -> Caption {
        Caption {
            kind,
            number: 0,
            text: text.into(),
        }
    }

    /// "Table 3".
    pub fn label(&self) -> String {
        format!("{} {}", self.kind.word(), self.number)
    }
}

impl std::fmt::Display for Caption {
    /// "Table 3: Victims by district".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.label(), self.text)
    }
}

/// A chart, drawn once as SVG: the PDF and the web page place it as it is,
/// Word gets it rasterised from the same SVG.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The chart's name in the spec.
    pub name: String,
    /// The caption: the chart's title, numbered "Figure N" once.
    pub caption: Caption,
    /// Alternative text for readers who cannot see it.
    pub alt: String,
    /// The chart as SVG.
    pub svg: std::sync::Arc<str>,
    /// Size on the page in points.
    pub size_pt: (f32, f32),
}

/// An inline (run-level) element.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    /// Literal text; backends escape it, it is never markup.
    Text(String),
    /// Bold.
    Strong(Vec<Inline>),
    /// Italic.
    Emph(Vec<Inline>),
    /// Inline code, shown in a monospace font.
    Code(String),
    /// A hyperlink.
    Link {
        /// The target URL.
        url: String,
        /// The link text.
        content: Vec<Inline>,
    },
    /// A hard line break inside a paragraph.
    LineBreak,
    /// A figure as printed in the text (`36,845`): its text, and the
    /// figure it shows, so every output can tie it to its source.
    Number {
        /// The figure's name.
        figure: String,
        /// The text as printed.
        text: String,
        /// The value as computed (the manifest's, unrounded); empty until
        /// [`Document::tie_numbers`] fills it in.
        value: String,
        /// Whether the PDF and the web page link it to its entry in the
        /// sources appendix (set with `value`).
        linked: bool,
    },
}

impl Table {
    /// Sets every column's width hint from the table's content: the longest
    /// shown text of its cells (body and totals) or the longest word of its
    /// label, in characters.
    pub fn measure(&mut self) {
        for (i, column) in self.columns.iter_mut().enumerate() {
            let label = plain_text(&column.label);
            let word = label.split_whitespace().map(|w| w.chars().count()).max();
            let cells = self
                .rows
                .iter()
                .chain(self.totals.as_ref())
                .filter_map(|row| row.get(i))
                .map(|c| c.plain().chars().count());
            column.width = cells.chain(word).max().unwrap_or(0);
        }
    }
}

/// Numbers every caption once, in reading order over the whole document
/// (the body, then the summary): tables and figures each from 1. A table
/// shown in both parts gets two numbers, so no number repeats in the PDF;
/// the Word file (the summary alone) prints the same numbers as the PDF's
/// appendix. Tables without a caption are not numbered.
pub fn number_captions(doc: &mut Document) {
    let mut next = Numbers::default();
    for block in doc.body.iter_mut().chain(doc.summary.iter_mut()) {
        number_block(block, &mut next);
    }
}

/// Numbers the summary's captions again, on their own from 1: the Word
/// file is the summary alone, and "Table 5" with no Tables 1 to 4 before it
/// reads as a mistake. Returns the PDF's number of each caption, in order.
pub fn number_summary_alone(doc: &mut Document) -> Vec<u32> {
    let pdf = captions(&doc.summary).iter().map(|c| c.number).collect();
    let mut next = Numbers::default();
    for block in doc.summary.iter_mut() {
        number_block(block, &mut next);
    }
    pdf
}

/// Every caption in `blocks`, in reading order.
pub fn captions(blocks: &[Block]) -> Vec<&Caption> {
    fn walk<'a>(blocks: &'a [Block], out: &mut Vec<&'a Caption>) {
        for b in blocks {
            match b {
                Block::Table(t) => out.extend(t.caption.as_ref()),
                Block::Figure(f) => out.push(&f.caption),
                Block::List { items, .. } => items.iter().for_each(|i| walk(i, out)),
                Block::Landscape(blocks) => walk(blocks, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(blocks, &mut out);
    out
}

/// The last number given to each kind of caption.
#[derive(Default)]
struct Numbers {
    tables: u32,
    figures: u32,
}

fn number_block(block: &mut Block, next: &mut Numbers) {
    let caption = match block {
        Block::Table(t) => t.caption.as_mut(),
        Block::Figure(f) => Some(&mut f.caption),
        Block::List { items, .. } => {
            for b in items.iter_mut().flatten() {
                number_block(b, next);
            }
            None
        }
        Block::Landscape(inner) => {
            for b in inner {
                number_block(b, next);
            }
            None
        }
        _ => None,
    };
    if let Some(c) = caption {
        let counter = match c.kind {
            CaptionKind::Table => &mut next.tables,
            CaptionKind::Figure => &mut next.figures,
        };
        *counter += 1;
        c.number = *counter;
    }
}

/// Concatenates the plain text of inline content (for titles, alt text, tests).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain(&mut out, inlines);
    out
}

fn push_plain(out: &mut String, inlines: &[Inline]) {
    for inline in inlines {
        match inline {
            Inline::Text(t) | Inline::Code(t) | Inline::Number { text: t, .. } => out.push_str(t),
            Inline::Strong(c) | Inline::Emph(c) | Inline::Link { content: c, .. } => {
                push_plain(out, c)
            }
            Inline::LineBreak => out.push('\n'),
        }
    }
}

impl Document {
    /// Sets `sources` and gives every printed figure its unrounded value
    /// from them.
    pub fn tie_numbers(&mut self, sources: Sources) {
        fn inl(inlines: &mut [Inline], s: &Sources) {
            for i in inlines {
                match i {
                    Inline::Number {
                        figure,
                        value,
                        linked,
                        ..
                    } => {
                        if let Some(e) = s.entry(figure) {
                            value.clone_from(&e.value);
                            *linked = s.shown;
                        }
                    }
                    Inline::Strong(c) | Inline::Emph(c) | Inline::Link { content: c, .. } => {
                        inl(c, s)
                    }
                    _ => {}
                }
            }
        }
        fn walk(blocks: &mut [Block], s: &Sources) {
            for b in blocks {
                match b {
                    Block::Heading { content, .. } | Block::Paragraph(content) => inl(content, s),
                    Block::List { items, .. } => items.iter_mut().for_each(|i| walk(i, s)),
                    Block::Table(t) => {
                        for row in t.rows.iter_mut().chain(t.totals.iter_mut()) {
                            row.iter_mut().for_each(|c| inl(&mut c.text, s));
                        }
                        // A table links to its entry only if there is one.
                        let id = t.source.as_deref().map(table_source_id);
                        if !s.shown || !s.entries.iter().any(|e| Some(&e.id) == id.as_ref()) {
                            t.source = None;
                        }
                    }
                    Block::Definitions(defs) => {
                        for d in defs {
                            inl(&mut d.term, s);
                            d.entries.iter_mut().for_each(|e| inl(e, s));
                        }
                    }
                    Block::Landscape(inner) | Block::Styled { blocks: inner, .. } => walk(inner, s),
                    Block::Figure(_) => {}
                }
            }
        }
        walk(&mut self.body, &sources);
        walk(&mut self.summary, &sources);
        self.sources = Some(sources);
    }
}

/// The figures printed in `blocks` ([`Inline::Number`]), in reading order,
/// each once.
pub fn printed_figures(blocks: &[Block]) -> Vec<String> {
    fn inl(inlines: &[Inline], out: &mut Vec<String>) {
        for i in inlines {
            match i {
                Inline::Number { figure, .. } if !out.contains(figure) => out.push(figure.clone()),
                Inline::Strong(c) | Inline::Emph(c) | Inline::Link { content: c, .. } => {
                    inl(c, out)
                }
                _ => {}
            }
        }
    }
    fn walk(blocks: &[Block], out: &mut Vec<String>) {
        for b in blocks {
            match b {
                Block::Heading { content, .. } | Block::Paragraph(content) => inl(content, out),
                Block::List { items, .. } => items.iter().for_each(|i| walk(i, out)),
                Block::Table(t) => {
                    for row in t.rows.iter().chain(&t.totals) {
                        for cell in row {
                            inl(&cell.text, out);
                        }
                    }
                }
                Block::Definitions(defs) => {
                    for d in defs {
                        inl(&d.term, out);
                        d.entries.iter().for_each(|e| inl(e, out));
                    }
                }
                Block::Landscape(inner) | Block::Styled { blocks: inner, .. } => walk(inner, out),
                Block::Figure(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(blocks, &mut out);
    out
}

/// Every chart in `blocks`, in reading order (inside lists, styled blocks
/// and landscape pages too).
pub fn figures(blocks: &[Block]) -> Vec<&Figure> {
    fn walk<'a>(blocks: &'a [Block], out: &mut Vec<&'a Figure>) {
        for b in blocks {
            match b {
                Block::Figure(f) => out.push(f),
                Block::List { items, .. } => items.iter().for_each(|i| walk(i, out)),
                Block::Styled { blocks, .. } | Block::Landscape(blocks) => walk(blocks, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(blocks, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_flattens_nested_runs() {
        let inl = vec![
            Inline::Text("a ".into()),
            Inline::Strong(vec![Inline::Emph(vec![Inline::Text("b".into())])]),
            Inline::Link {
                url: "https://x".into(),
                content: vec![Inline::Text(" c".into())],
            },
        ];
        assert_eq!(plain_text(&inl), "a b c");
    }

    fn captioned(text: &str) -> Block {
        Block::Table(Table {
            caption: Some(Caption::new(CaptionKind::Table, text)),
            ..Table::default()
        })
    }

    fn numbers(blocks: &[Block]) -> Vec<String> {
        let mut out = Vec::new();
        for b in blocks {
            match b {
                Block::Table(Table {
                    caption: Some(c), ..
                }) => out.push(c.to_string()),
                Block::List { items, .. } => out.extend(numbers(&items.concat())),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn captions_are_numbered_once_across_body_and_summary() {
        let mut doc = Document {
            body: vec![
                captioned("A"),
                Block::Table(Table::default()),
                Block::List {
                    ordered: false,
                    items: vec![vec![captioned("B")]],
                },
            ],
            summary: vec![captioned("A"), captioned("C")],
            ..Document::default()
        };
        number_captions(&mut doc);
        assert_eq!(numbers(&doc.body), ["Table 1: A", "Table 2: B"]);
        assert_eq!(numbers(&doc.summary), ["Table 3: A", "Table 4: C"]);
        // Landscape pages are numbered in their place.
        doc.body.push(Block::Landscape(vec![captioned("L")]));
        number_captions(&mut doc);
        let Block::Landscape(inner) = &doc.body[3] else {
            panic!()
        };
        assert_eq!(numbers(inner), ["Table 3: L"]);
        assert_eq!(numbers(&doc.summary), ["Table 4: A", "Table 5: C"]);
        doc.body.pop();
        // Numbering again gives the same numbers (it never accumulates).
        number_captions(&mut doc);
        assert_eq!(numbers(&doc.summary), ["Table 3: A", "Table 4: C"]);
    }

    #[test]
    fn width_hints_are_the_longest_text_or_label_word() {
        let text = |s: &str| vec![Inline::Text(s.into())];
        let column = |label: &str| Column {
            label: text(label),
            ..Column::default()
        };
        let mut t = Table {
            columns: vec![column("District"), column("Resident victims per 1,000")],
            rows: vec![
                vec![
                    Cell::new(
                        Value::Text("South Cambridgeshire".into()),
                        "South Cambridgeshire",
                    ),
                    Cell::new(Value::Float(12.25), "12.3"),
                ],
                vec![Cell::new(Value::Text("Ely".into()), "Ely")],
            ],
            totals: Some(vec![
                Cell::new(Value::Text("Total".into()), "Total"),
                Cell::new(Value::Int(1_234_567), "1,234,567"),
            ]),
            ..Table::default()
        };
        t.measure();
        assert_eq!(t.columns[0].width, 20);
        assert_eq!(
            t.columns[1].width, 9,
            "\"Resident\" and \"1,234,567\" are longest"
        );
    }

    #[test]
    fn flow_opens_landscape_groups_in_place() {
        let p = |t: &str| Block::Paragraph(vec![Inline::Text(t.into())]);
        let blocks = vec![
            p("a"),
            Block::Landscape(vec![p("b"), Block::Landscape(vec![p("c")])]),
            p("d"),
        ];
        let texts: Vec<String> = flow(&blocks)
            .into_iter()
            .map(|b| match b {
                Block::Paragraph(i) => plain_text(i),
                _ => String::new(),
            })
            .collect();
        assert_eq!(texts, ["a", "b", "c", "d"]);
    }
}
