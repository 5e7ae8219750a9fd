//! The published content of a paper as the manifest records it (`content`):
//! the words, tables and charts' captions and alternative text of the
//! shared content tree ([`crate::doc::Document`]), after disclosure control
//! (a suppressed cell is its marker, never its value). The redline compares
//! two of these, so last year's paper needs only its manifest.
//!
//! Charts are recorded by name, caption and alternative text (not their
//! SVG); hyperlinks keep their text and target. The form is plain data in
//! a fixed order, so the same paper gives the same JSON.

use serde::{Deserialize, Serialize};

use crate::doc;

/// A paper's content: front matter, body and executive summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Content {
    /// Title, addressee, author and date as shown.
    pub meta: Meta,
    /// The board paper's body.
    pub body: Vec<Block>,
    /// The executive summary (Appendix 1 of the PDF, the Word file).
    pub summary: Vec<Block>,
}

/// Front matter as shown on the paper.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// The paper's title.
    pub title: String,
    /// The addressee.
    pub to: String,
    /// The author (`report.from`): the redline's author too.
    pub from: String,
    /// The report date as shown ("26 November 2020").
    pub date: String,
    /// The report date, ISO `yyyy-mm-dd`: the redline's date.
    pub date_iso: String,
    /// The executive summary's title.
    pub summary_title: String,
    /// The protective marking (`[style] marking`), which the redline
    /// carries as the paper did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marking: Option<String>,
}

/// One block of content. Landscape pages and Word paragraph styles are
/// layout, not content: their blocks are recorded in place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A heading.
    Heading {
        /// 1 for a section, 2 for a sub-heading, and so on.
        level: u8,
        /// Whether the layout numbers it.
        numbered: bool,
        /// Its text.
        text: Vec<Run>,
    },
    /// A paragraph.
    Paragraph {
        /// Its text.
        text: Vec<Run>,
    },
    /// A bulleted or numbered list; each item is a list of blocks.
    List {
        /// Numbered when true.
        ordered: bool,
        /// The items.
        items: Vec<Vec<Block>>,
    },
    /// A table as shown: every cell's text.
    Table {
        /// "Table 3" and its text, if captioned.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<Caption>,
        /// The header row.
        columns: Vec<String>,
        /// The body rows.
        rows: Vec<Vec<String>>,
        /// The totals row, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        totals: Option<Vec<String>>,
    },
    /// A chart: its name in the spec, caption and alternative text.
    Figure {
        /// `[charts.NAME]`.
        name: String,
        /// "Figure 1" and its text.
        caption: Caption,
        /// The alternative text (it states the chart's numbers).
        alt: String,
    },
    /// Label/entries rows (bibliography, contacts).
    Definitions {
        /// Each label with its entries.
        items: Vec<Definition>,
    },
}

/// A numbered caption: the label ("Table 3") and the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caption {
    /// "Table 3" or "Figure 1".
    pub label: String,
    /// The caption's text without its label.
    pub text: String,
}

impl Caption {
    /// "Table 3: Victims by district", as every output shows it.
    pub fn shown(&self) -> String {
        format!("{}: {}", self.label, self.text)
    }
}

/// One label and its entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    /// The label.
    pub term: Vec<Run>,
    /// One entry per line.
    pub entries: Vec<Vec<Run>>,
}

/// A run of text in one formatting; `"\n"` is a line break.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    /// The text.
    pub text: String,
    /// Bold.
    #[serde(default, skip_serializing_if = "is_false")]
    pub strong: bool,
    /// Italic.
    #[serde(default, skip_serializing_if = "is_false")]
    pub emph: bool,
    /// Inline code.
    #[serde(default, skip_serializing_if = "is_false")]
    pub code: bool,
    /// A hyperlink's target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The plain text of runs.
pub(crate) fn plain(runs: &[Run]) -> String {
    runs.iter().map(|r| r.text.as_str()).collect()
}

impl Content {
    /// The published content of a rendered document.
    pub fn of(doc: &doc::Document) -> Content {
        let m = &doc.meta;
        Content {
            meta: Meta {
                title: m.title.clone(),
                to: m.to.clone(),
                from: m.from.clone(),
                date: m.date_display.clone(),
                date_iso: m.date_iso.clone(),
                summary_title: m.summary_title.clone(),
                marking: None,
            },
            body: blocks(&doc.body),
            summary: blocks(&doc.summary),
        }
    }
}

fn blocks(blocks: &[doc::Block]) -> Vec<Block> {
    let mut out = Vec::with_capacity(blocks.len());
    for b in blocks {
        match b {
            doc::Block::Heading {
                level,
                numbered,
                content,
            } => out.push(Block::Heading {
                level: *level,
                numbered: *numbered,
                text: runs(content),
            }),
            doc::Block::Paragraph(content) => out.push(Block::Paragraph {
                text: runs(content),
            }),
            doc::Block::List { ordered, items } => out.push(Block::List {
                ordered: *ordered,
                items: items.iter().map(|i| self::blocks(i)).collect(),
            }),
            doc::Block::Table(t) => out.push(table(t)),
            doc::Block::Figure(f) => out.push(Block::Figure {
                name: f.name.clone(),
                caption: caption(&f.caption),
                alt: f.alt.clone(),
            }),
            doc::Block::Definitions(defs) => out.push(Block::Definitions {
                items: defs
                    .iter()
                    .map(|d| Definition {
                        term: runs(&d.term),
                        entries: d.entries.iter().map(|e| runs(e)).collect(),
                    })
                    .collect(),
            }),
            doc::Block::Landscape(inner) | doc::Block::Styled { blocks: inner, .. } => {
                out.extend(self::blocks(inner))
            }
        }
    }
    out
}

fn table(t: &doc::Table) -> Block {
    let row = |cells: &[doc::Cell]| cells.iter().map(doc::Cell::plain).collect::<Vec<_>>();
    Block::Table {
        caption: t.caption.as_ref().map(caption),
        columns: t
            .columns
            .iter()
            .map(|c| doc::plain_text(&c.label))
            .collect(),
        rows: t.rows.iter().map(|r| row(r)).collect(),
        totals: t.totals.as_deref().map(row),
    }
}

fn caption(c: &doc::Caption) -> Caption {
    Caption {
        label: c.label(),
        text: c.text.clone(),
    }
}

/// Inline content as runs, adjacent runs of one formatting merged.
fn runs(inlines: &[doc::Inline]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    push_runs(&mut out, inlines, &Run::default());
    out
}

fn push_runs(out: &mut Vec<Run>, inlines: &[doc::Inline], format: &Run) {
    use doc::Inline as I;
    for inline in inlines {
        let (text, format) = match inline {
            // A printed figure is its text here (the redline pairs words).
            I::Text(t) | I::Number { text: t, .. } => (t.clone(), format.clone()),
            I::Code(t) => (
                t.clone(),
                Run {
                    code: true,
                    ..format.clone()
                },
            ),
            I::LineBreak => ("\n".to_string(), format.clone()),
            I::Strong(inner) => {
                let f = Run {
                    strong: true,
                    ..format.clone()
                };
                push_runs(out, inner, &f);
                continue;
            }
            I::Emph(inner) => {
                let f = Run {
                    emph: true,
                    ..format.clone()
                };
                push_runs(out, inner, &f);
                continue;
            }
            I::Link { url, content } => {
                let f = Run {
                    link: Some(url.clone()),
                    ..format.clone()
                };
                push_runs(out, content, &f);
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(last) if same_format(last, &format) => last.text.push_str(&text),
            _ => out.push(Run { text, ..format }),
        }
    }
}

fn same_format(a: &Run, b: &Run) -> bool {
    (a.strong, a.emph, a.code, &a.link) == (b.strong, b.emph, b.code, &b.link)
}

#[cfg(test)]
mod tests {
    use super::*;
    use doc::Inline as I;

    #[test]
    fn inlines_become_merged_runs_with_their_formatting() {
        let inl = vec![
            I::Text("a ".into()),
            I::Text("b ".into()),
            I::Strong(vec![I::Emph(vec![I::Text("c".into())])]),
            I::LineBreak,
            I::Link {
                url: "https://x".into(),
                content: vec![I::Text("d".into())],
            },
        ];
        let r = runs(&inl);
        assert_eq!(r.len(), 4, "{r:?}");
        assert_eq!(r[0].text, "a b ");
        assert!(r[1].strong && r[1].emph);
        assert_eq!(r[2].text, "\n");
        assert_eq!(r[3].link.as_deref(), Some("https://x"));
        assert_eq!(plain(&r), "a b c\nd");
    }

    #[test]
    fn landscape_and_styled_blocks_are_recorded_in_place_and_round_trip() {
        let p = |t: &str| doc::Block::Paragraph(vec![I::Text(t.into())]);
        let d = doc::Document {
            body: vec![
                p("a"),
                doc::Block::Landscape(vec![p("b")]),
                doc::Block::Styled {
                    style: "X".into(),
                    blocks: vec![p("c")],
                },
            ],
            ..doc::Document::default()
        };
        let c = Content::of(&d);
        assert_eq!(c.body.len(), 3);
        let json = serde_json::to_string(&c).unwrap();
        assert!(
            json.contains(r#"{"kind":"paragraph","text":[{"text":"b"}]}"#),
            "{json}"
        );
        let back: Content = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
    }
}
