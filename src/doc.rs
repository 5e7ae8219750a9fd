//! The rendered content tree shared by every backend.
//!
//! Templates render to Markdown once; Markdown is parsed once into this tree;
//! the Typst and Word backends only lay it out. Both outputs therefore carry
//! the same words and the same figures by construction.

/// A whole report: metadata, the paper's body and its executive summary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    /// Title, addressees and dates shown on the front of the paper.
    pub meta: Meta,
    /// The board paper's body (numbered sections and paragraphs in the PDF).
    pub body: Vec<Block>,
    /// The executive summary: Appendix 1 of the PDF and the whole Word file.
    pub summary: Vec<Block>,
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
    /// the same running header, footer, marking and page numbers.
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

/// The blocks with every [`Block::Styled`] and [`Block::Landscape`]
/// replaced by its content, for checks that ignore styles and page shape.
pub fn unstyled(blocks: &[Block]) -> Vec<&Block> {
    let mut out = Vec::with_capacity(blocks.len());
    for b in blocks {
        match b {
            Block::Styled { blocks, .. } | Block::Landscape(blocks) => out.extend(unstyled(blocks)),
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

/// A table: one header row, then body rows; every row has `align.len()` cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Alignment per column.
    pub align: Vec<Align>,
    /// The header row's cells.
    pub header: Vec<Vec<Inline>>,
    /// Body rows.
    pub rows: Vec<Vec<Vec<Inline>>>,
    /// A totals row shown (bold) after the body.
    pub totals: Option<Vec<Vec<Inline>>>,
    /// The numbered caption, e.g. "Table 1: Victims by district".
    pub caption: Option<String>,
    /// Set in a smaller font (wide tables).
    pub small: bool,
}

/// A chart, rendered once: vector (SVG) for the PDF, raster (PNG) for Word,
/// from the same drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The chart's name in the spec.
    pub name: String,
    /// The numbered caption, e.g. "Figure 1: Victims per 1,000 by district".
    pub caption: String,
    /// Alternative text for readers who cannot see it.
    pub alt: String,
    /// The chart as SVG.
    pub svg: std::sync::Arc<str>,
    /// The same chart as PNG (at least 200 dpi).
    pub png: std::sync::Arc<[u8]>,
    /// The PNG's size in pixels.
    pub png_size: (u32, u32),
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
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Strong(c) | Inline::Emph(c) | Inline::Link { content: c, .. } => {
                push_plain(out, c)
            }
            Inline::LineBreak => out.push('\n'),
        }
    }
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
}
