//! The "Sources of the figures" appendix: its entries, the lines every
//! output shows for one, the anchors printed numbers link to, and tying
//! each printed number to its entry.

use super::{Block, Document, Inline};

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
