//! `Document` → docx-rs tree: the executive summary as Word paragraphs,
//! lists and tables that refer to our styles and numbering by id.
//!
//! What docx-rs cannot express (header rows, ordering, ids) is recorded in
//! [`Built`] and applied afterwards by the XML passes.

use std::collections::BTreeMap;

use docx_rs::{
    AlignmentType, BreakType, Docx, FieldCharType, Hyperlink, HyperlinkData, HyperlinkType,
    IndentLevel, InstrText, NumberingId, PageMargin, Paragraph, Pic, Run, RunFonts,
    Table as WordTable, TableCell, TableLayoutType, TableRow, WidthType,
};

use super::styles::{BULLET_NUM_ID, NUMBER_NUM_ID};
use crate::doc::{
    Align, Block, Caption, CaptionKind, Cell, Definition, Document, Figure, Inline, Table,
};

/// A4 portrait in twentieths of a point.
const PAGE: (u32, u32) = (11906, 16838);
/// 2.54 cm margins all round.
const MARGIN: i32 = 1440;
/// The text column: page width less both margins.
const TEXT_WIDTH: usize = PAGE.0 as usize - 2 * MARGIN as usize;
/// Indent per list level, matching the numbering definitions.
const LIST_INDENT: i32 = 360;
/// Text size of `small` tables, in half-points (9pt against 11pt).
const SMALL_SIZE: usize = 18;
/// The monospace font for inline code, present on every Word installation.
const MONO: &str = "Courier New";

/// The docx-rs document plus what the passes must know about it.
pub(crate) struct Built {
    /// The document, ready for `build().pack()`.
    pub docx: Docx,
    /// What docx-rs cannot express, for the passes.
    pub info: BuildInfo,
}

/// Facts about the built document that the XML passes apply.
pub(crate) struct BuildInfo {
    /// For each table in document order, whether its first row is a header.
    pub header_tables: Vec<bool>,
    /// How many numbered-list numbering instances were used.
    pub ordered_lists: usize,
    /// For each picture in document order: (alternative text, title).
    pub pictures: Vec<(String, String)>,
}

/// Builds the Word document for `doc.summary`, titled `doc.meta.summary_title`.
pub(crate) fn build(doc: &Document, pngs: BTreeMap<String, crate::chart::Png>) -> Built {
    let margin = PageMargin::new()
        .top(MARGIN)
        .bottom(MARGIN)
        .left(MARGIN)
        .right(MARGIN)
        .header(708)
        .footer(708)
        .gutter(0);
    let mut docx = Docx::new().page_size(PAGE.0, PAGE.1).page_margin(margin);
    // Our list styles always refer to numbering.xml, so always relate it.
    docx.document_rels.has_numberings = true;
    let mut b = Builder {
        docx,
        pngs,
        ..Builder::default()
    };
    let title = [Inline::Text(doc.meta.summary_title.clone())];
    let title = b.paragraph(&title, Runs::default()).style("Title");
    b.add_paragraph(title);
    let appendix = doc
        .sources
        .as_ref()
        .filter(|s| s.in_word && !s.entries.is_empty());
    if let Some(sources) = appendix {
        b.sources = (sources.entries.iter().enumerate())
            .map(|(i, e)| (e.figure.clone(), i + 1))
            .collect();
    }
    for block in &doc.summary {
        b.block(block);
    }
    if let Some(sources) = appendix {
        b.sources_appendix(sources);
    }
    let info = BuildInfo {
        header_tables: b.header_tables,
        ordered_lists: b.ordered_lists,
        pictures: b.pictures,
    };
    Built { docx: b.docx, info }
}

/// Applies the escapers' one control-character rule ([`crate::escape`]):
/// tab kept, newline a space, other control characters and U+FFFE/U+FFFF
/// dropped (docx-rs escapes the markup). The render stage strips them too; doing it again
/// here keeps the backend safe on its own. Newlines become spaces (a hard
/// break is [`Inline::LineBreak`]).
pub(crate) fn clean_text(text: &str) -> String {
    crate::escape::xml_chars(text, &['\t'])
}

/// Run formatting inherited from enclosing inlines.
#[derive(Clone, Copy, Default)]
struct Runs {
    bold: bool,
    italic: bool,
    code: bool,
    link: bool,
    small: bool,
}

impl Runs {
    /// A copy with one more property set by `set`.
    fn with(mut self, set: impl FnOnce(&mut Runs)) -> Runs {
        set(&mut self);
        self
    }
}

/// A piece of paragraph content (runs are boxed: a docx-rs `Run` is large).
enum Piece {
    Run(Box<Run>),
    Link(Hyperlink),
    /// A bookmark's start (its id and name) or end (its id).
    BookmarkStart(usize, String),
    BookmarkEnd(usize),
}

impl Piece {
    fn run(run: Run) -> Piece {
        Piece::Run(Box::new(run))
    }
}

/// Walks the blocks, adding them to the document and recording what the
/// passes need.
#[derive(Default)]
struct Builder {
    docx: Docx,
    header_tables: Vec<bool>,
    ordered_lists: usize,
    links: usize,
    pictures: Vec<(String, String)>,
    /// The charts, rasterised, by name.
    pngs: BTreeMap<String, crate::chart::Png>,
    /// The last table and figure numbers shown (for the `SEQ` fields).
    shown: (u32, u32),
    /// Bookmarks made so far (their ids count from 1).
    bookmarks: usize,
    /// The sources appendix entries shown in this file, by figure: printed
    /// figures link to them.
    sources: BTreeMap<String, usize>,
}

impl Builder {
    fn add_paragraph(&mut self, p: Paragraph) {
        self.docx = std::mem::take(&mut self.docx).add_paragraph(p);
    }

    /// Adds a table and an empty paragraph after it: Word and LibreOffice
    /// merge tables that touch into one, and Word always keeps a paragraph
    /// after a table (it also spaces the table from the following text).
    fn add_table(&mut self, t: WordTable) {
        self.docx = std::mem::take(&mut self.docx).add_table(t);
        self.add_paragraph(Paragraph::new());
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Heading { level, content, .. } => {
                // Word styles go to heading 3 here; deeper levels share it.
                let style = format!("Heading{}", (*level).clamp(1, 3));
                let p = self.paragraph(content, Runs::default()).style(&style);
                self.add_paragraph(p);
            }
            Block::Paragraph(content) => {
                let p = self.paragraph(content, Runs::default());
                self.add_paragraph(p);
            }
            Block::List { ordered, items } => self.list(*ordered, items, 0, None),
            Block::Table(table) => {
                // Word puts a table's caption above it.
                if let Some(c) = &table.caption {
                    let p = self.caption(c).keep_next(true);
                    self.add_paragraph(p);
                }
                let t = self.table(table);
                self.add_table(t);
            }
            Block::Figure(f) => self.figure(f),
            // Word reports a table without rows as damaged; skip it.
            Block::Definitions(defs) if defs.is_empty() => {}
            Block::Definitions(defs) => {
                let t = self.definitions(defs);
                self.add_table(t);
            }
            Block::Styled { style, blocks } => self.styled(style, blocks),
            Block::Landscape(blocks) => {
                // Marker paragraphs end the portrait section before and the
                // landscape section after (see `sections`).
                self.add_paragraph(Paragraph::new().style(super::sections::PORTRAIT_END));
                for b in blocks {
                    self.block(b);
                }
                self.add_paragraph(Paragraph::new().style(super::sections::LANDSCAPE_END));
            }
        }
    }

    /// Paragraphs and headings in a named style (resolved against the
    /// styles part later, see `stylemap`); other blocks as usual.
    fn styled(&mut self, style: &str, blocks: &[Block]) {
        let id = super::stylemap::custom_id(style);
        for block in blocks {
            match block {
                Block::Paragraph(content) | Block::Heading { content, .. } => {
                    let p = self.paragraph(content, Runs::default()).style(&id);
                    self.add_paragraph(p);
                }
                other => self.block(other),
            }
        }
    }

    /// A list at nesting `level`. A numbered list nested directly in a
    /// numbered list continues its numbering instance one level down (Word
    /// restarts the sub-level by itself); any other numbered list gets a
    /// fresh instance so it starts at 1.
    fn list(&mut self, ordered: bool, items: &[Vec<Block>], level: usize, parent: Option<usize>) {
        let (num_id, style) = match (ordered, parent) {
            (false, _) => (BULLET_NUM_ID, "ListBullet"),
            (true, Some(id)) => (id, "ListNumber"),
            (true, None) => {
                self.ordered_lists += 1;
                (NUMBER_NUM_ID + self.ordered_lists, "ListNumber")
            }
        };
        let level = level.min(8);
        for item in items {
            self.list_item(item, style, num_id, level, ordered);
        }
    }

    /// One item: its first paragraph carries the number or bullet, later
    /// paragraphs are indented to the item's text, nested lists go one
    /// level deeper.
    fn list_item(
        &mut self,
        item: &[Block],
        style: &str,
        num_id: usize,
        level: usize,
        ordered: bool,
    ) {
        let mut first = true;
        for block in item {
            match block {
                Block::Paragraph(content) if first => {
                    let p = self
                        .paragraph(content, Runs::default())
                        .style(style)
                        .numbering(NumberingId::new(num_id), IndentLevel::new(level));
                    self.add_paragraph(p);
                }
                Block::Paragraph(content) => {
                    let indent = LIST_INDENT * (level as i32 + 1);
                    let p = self.paragraph(content, Runs::default()).indent(
                        Some(indent),
                        None,
                        None,
                        None,
                    );
                    self.add_paragraph(p);
                }
                Block::List {
                    ordered: inner,
                    items,
                } => {
                    let parent = (ordered && *inner).then_some(num_id);
                    self.list(*inner, items, level + 1, parent);
                }
                other => self.block(other),
            }
            first = false;
        }
    }

    /// A chart: the PNG inline in its own paragraph (kept with the caption
    /// below it), sized as in the PDF and never wider than the text column;
    /// the passes add its alternative text.
    fn figure(&mut self, f: &Figure) {
        const EMU_PER_PT: f32 = 12700.0;
        const EMU_PER_TWIP: f32 = 635.0;
        let max_w = TEXT_WIDTH as f32 * EMU_PER_TWIP;
        let (mut w, mut h) = (f.size_pt.0 * EMU_PER_PT, f.size_pt.1 * EMU_PER_PT);
        if w > max_w {
            h *= max_w / w;
            w = max_w;
        }
        self.pictures.push((f.alt.clone(), f.caption.to_string()));
        let Some(png) = self.pngs.get(&f.name) else {
            unreachable!("every summary figure is rasterised before the build");
        };
        let mut pic = Pic::new_with_dimensions(png.bytes.clone(), png.size.0, png.size.1)
            .size(w.round() as u32, h.round() as u32);
        // docx-rs numbers images from a process-wide counter: use our own.
        pic.id = format!("rIdImage{}", self.pictures.len());
        let p = Paragraph::new()
            .add_run(Run::new().add_image(pic))
            .keep_next(true);
        self.add_paragraph(p);
        let caption = self.caption(&f.caption);
        self.add_paragraph(caption);
    }

    /// A caption paragraph in Word's own form: "Table ", a `SEQ Table` field
    /// showing the number the document was given, then ": text", so Word's
    /// Insert Caption continues the numbering and a Table of Figures finds
    /// it. The numbers are the summary's own, or with `captions = "as-pdf"`
    /// the whole document's; where they do not run on from the previous
    /// caption of the kind (the first table of the summary may be Table 3), the
    /// field restarts at that number (`\r`), so updating fields in Word
    /// keeps them.
    fn caption(&mut self, c: &Caption) -> Paragraph {
        let last = match c.kind {
            CaptionKind::Table => &mut self.shown.0,
            CaptionKind::Figure => &mut self.shown.1,
        };
        let restart = if c.number == *last + 1 {
            String::new()
        } else {
            format!("\\r {} ", c.number)
        };
        *last = c.number;
        let label = c.kind.word();
        Paragraph::new()
            .style("Caption")
            .add_run(Run::new().add_text(format!("{label} ")))
            .add_run(Run::new().add_field_char(FieldCharType::Begin, false))
            .add_run(Run::new().add_instr_text(InstrText::Unsupported(format!(
                " SEQ {label} {restart}\\* ARABIC "
            ))))
            .add_run(Run::new().add_field_char(FieldCharType::Separate, false))
            .add_run(Run::new().add_text(c.number.to_string()))
            .add_run(Run::new().add_field_char(FieldCharType::End, false))
            .add_run(text_run(&format!(": {}", c.text), Runs::default()))
    }

    fn paragraph(&mut self, content: &[Inline], runs: Runs) -> Paragraph {
        let mut pieces = Vec::new();
        self.inlines(content, runs, &mut pieces);
        pieces
            .into_iter()
            .fold(Paragraph::new(), |p, piece| match piece {
                Piece::Run(r) => p.add_run(*r),
                Piece::Link(h) => p.add_hyperlink(h),
                Piece::BookmarkStart(id, name) => p.add_bookmark_start(id, name),
                Piece::BookmarkEnd(id) => p.add_bookmark_end(id),
            })
    }

    /// A printed figure: its run inside a bookmark named after it
    /// (`fig3_victims_resident`), linked to its entry in the sources
    /// appendix when the file has one.
    fn number(&mut self, figure: &str, text: &str, runs: Runs, out: &mut Vec<Piece>) {
        self.bookmarks += 1;
        let id = self.bookmarks;
        let name: String = format!("fig{id}_{figure}")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .take(40)
            .collect();
        out.push(Piece::BookmarkStart(id, name));
        match self.sources.get(figure) {
            Some(entry) if !runs.link => {
                let link = Hyperlink::new(format!("src{entry}"), HyperlinkType::Anchor)
                    .add_run(text_run(text, runs.with(|r| r.link = true)));
                out.push(Piece::Link(link));
            }
            _ => out.push(Piece::run(text_run(text, runs))),
        }
        out.push(Piece::BookmarkEnd(id));
    }

    /// The "Sources of the figures" appendix: a heading, then per entry a
    /// bookmarked heading (`src1`, … the printed figures' link targets),
    /// its lines and its query.
    fn sources_appendix(&mut self, sources: &crate::doc::Sources) {
        let title = [Inline::Text(crate::doc::SOURCES_TITLE.into())];
        let p = self.paragraph(&title, Runs::default()).style("Heading1");
        self.add_paragraph(p);
        let intro = [Inline::Text(crate::doc::SOURCES_INTRO.into())];
        let p = self.paragraph(&intro, Runs::default());
        self.add_paragraph(p);
        for (i, e) in sources.entries.iter().enumerate() {
            self.bookmarks += 1;
            let id = self.bookmarks;
            let p = Paragraph::new()
                .style("Heading2")
                .add_bookmark_start(id, format!("src{}", i + 1))
                .add_run(text_run(&e.figure, Runs::default().with(|r| r.code = true)))
                .add_bookmark_end(id);
            self.add_paragraph(p);
            for (label, line) in crate::doc::source_lines(e) {
                let line = if label == "Query" {
                    e.query.as_str()
                } else {
                    line.as_str()
                };
                let code = label == "Query";
                let p = Paragraph::new()
                    .add_run(text_run(
                        &format!("{label}: "),
                        Runs::default().with(|r| r.bold = true),
                    ))
                    .add_run(text_run(line, Runs::default().with(|r| r.code = code)));
                self.add_paragraph(p);
            }
        }
    }

    fn inlines(&mut self, content: &[Inline], runs: Runs, out: &mut Vec<Piece>) {
        for inline in content {
            match inline {
                Inline::Strong(inner) => self.inlines(inner, runs.with(|r| r.bold = true), out),
                Inline::Emph(inner) => self.inlines(inner, runs.with(|r| r.italic = true), out),
                // A link inside a link cannot be expressed; keep its text.
                Inline::Link { content, .. } if runs.link => self.inlines(content, runs, out),
                Inline::Link { url, content } => {
                    let link = self.link(url, content, runs);
                    out.push(Piece::Link(link));
                }
                Inline::Text(text) if text.is_empty() => {}
                Inline::Text(text) => out.push(Piece::run(text_run(text, runs))),
                Inline::Code(text) => {
                    out.push(Piece::run(text_run(text, runs.with(|r| r.code = true))));
                }
                Inline::LineBreak => {
                    out.push(Piece::run(Run::new().add_break(BreakType::TextWrapping)));
                }
                Inline::Number { figure, text, .. } => self.number(figure, text, runs, out),
            }
        }
    }

    /// An external hyperlink. docx-rs numbers link relationships from a
    /// process-wide counter, so we overwrite the id with our own sequence.
    fn link(&mut self, url: &str, content: &[Inline], runs: Runs) -> Hyperlink {
        self.links += 1;
        let mut link = Hyperlink::new(clean_text(url), HyperlinkType::External);
        if let HyperlinkData::External { rid, .. } = &mut link.link {
            *rid = format!("rIdLink{}", self.links);
        }
        let mut pieces = Vec::new();
        self.inlines(content, runs.with(|r| r.link = true), &mut pieces);
        pieces.into_iter().fold(link, |l, piece| match piece {
            Piece::Run(r) => l.add_run(*r),
            // Inside a link a figure is only its text (`runs.link`).
            Piece::BookmarkStart(..) | Piece::BookmarkEnd(_) => l,
            Piece::Link(_) => unreachable!("links inside links are flattened"),
        })
    }
}

/// A run of text; tabs become real tab characters (`w:tab`).
fn text_run(text: &str, runs: Runs) -> Run {
    let clean = clean_text(text);
    let mut run = Run::new();
    for (i, part) in clean.split('\t').enumerate() {
        if i > 0 {
            run = run.add_tab();
        }
        if !part.is_empty() {
            run = run.add_text(part);
        }
    }
    format_run(run, runs)
}

fn format_run(mut run: Run, runs: Runs) -> Run {
    if runs.link {
        run = run.style("Hyperlink");
    }
    if runs.bold {
        run = run.bold();
    }
    if runs.italic {
        run = run.italic();
    }
    if runs.code {
        run = run.fonts(RunFonts::new().ascii(MONO).hi_ansi(MONO).cs(MONO));
    }
    if runs.small {
        run = run.size(SMALL_SIZE);
    }
    run
}

#[path = "build_tables.rs"]
mod tables;
