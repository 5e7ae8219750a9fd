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

mod numbering;
mod sources;
#[cfg(test)]
mod tests;

pub use numbering::{captions, number_captions, number_summary_alone};
pub use sources::{
    source_id, source_lines, table_source_id, SourceEntry, Sources, SOURCES_INTRO, SOURCES_TITLE,
};

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
