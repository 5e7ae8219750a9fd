//! A paper read as one sequence of units: its paragraphs and tables in
//! reading order, each with its style, its place (section and paragraph)
//! and, where it has one, the name that identifies it in either paper.

use crate::manifest::content::{Block, Content, Run};

/// One paragraph or table of a paper, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Unit {
    /// A paragraph (heading, list item, caption, …).
    Para(Para),
    /// A table's grid (its caption is the paragraph before it).
    Table(Grid),
}

/// A paragraph and what identifies it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Para {
    /// How it is shown.
    pub style: Style,
    /// Its text.
    pub runs: Vec<Run>,
    /// A name that identifies it in either paper (front matter, charts).
    pub key: Option<String>,
    /// Its place: `body 2.1 ¶3`.
    pub place: String,
}

/// How a paragraph is shown; paragraphs pair only with the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// The paper's or the summary's title.
    Title,
    /// Running text (front matter lines, definitions too).
    Plain,
    /// A heading of this level.
    Heading(u8),
    /// A list item's first paragraph: numbered or not, nesting level, and
    /// which list of its paper it belongs to.
    Item {
        /// Numbered list.
        ordered: bool,
        /// Nesting, from 0.
        level: usize,
        /// The list's number in its paper.
        list: usize,
    },
    /// A list item's later paragraph, indented to this nesting level.
    Continued(usize),
    /// A table's or chart's caption.
    Caption,
    /// A chart's alternative text (standing in for the picture).
    Alt,
}

impl Style {
    pub(super) fn kind(self) -> u8 {
        match self {
            Style::Title => 0,
            Style::Plain | Style::Continued(_) => 1,
            Style::Heading(_) => 2,
            Style::Item { .. } => 3,
            Style::Caption => 4,
            Style::Alt => 5,
        }
    }
}

/// A table's cells.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grid {
    /// Its caption without the number, or else its header.
    pub key: String,
    /// The header row.
    pub columns: Vec<String>,
    /// Body rows.
    pub rows: Vec<Vec<String>>,
    /// The totals row.
    pub totals: Option<Vec<String>>,
}

/// A paper's paragraphs and tables in reading order: title, "To:",
/// "From:", "Date:", the body, the summary's title, the summary.
pub(crate) fn units(c: &Content) -> Vec<Unit> {
    let mut w = Walk::default();
    let m = &c.meta;
    w.meta(Style::Title, "title", &m.title);
    w.meta(Style::Plain, "to", &format!("To: {}", m.to));
    w.meta(Style::Plain, "from", &format!("From: {}", m.from));
    w.meta(Style::Plain, "date", &format!("Date: {}", m.date));
    w.part = "body";
    w.blocks(&c.body, 0);
    w.meta(Style::Title, "summary", &m.summary_title);
    w.part = "summary";
    w.section = Vec::new();
    w.blocks(&c.summary, 0);
    w.out
}

/// The walk's state: where it is and what it has made.
#[derive(Default)]
struct Walk {
    out: Vec<Unit>,
    part: &'static str,
    /// Numbered heading counters by level.
    section: Vec<u32>,
    /// Paragraphs since the last heading.
    paragraph: u32,
    lists: usize,
}

impl Walk {
    fn meta(&mut self, style: Style, key: &str, text: &str) {
        self.push(style, plain_runs(text), Some(format!("meta {key}")));
    }

    fn push(&mut self, style: Style, runs: Vec<Run>, key: Option<String>) {
        self.paragraph += 1;
        let numbers: Vec<String> = self.section.iter().map(u32::to_string).collect();
        let place = format!("{} {} ¶{}", self.part, numbers.join("."), self.paragraph);
        self.out.push(Unit::Para(Para {
            style,
            runs,
            key,
            place,
        }));
    }

    fn blocks(&mut self, blocks: &[Block], level: usize) {
        for b in blocks {
            self.block(b, level);
        }
    }

    fn block(&mut self, block: &Block, level: usize) {
        match block {
            Block::Heading {
                level: l,
                numbered,
                text,
            } => {
                let depth = usize::from((*l).max(1));
                if *numbered {
                    self.section.resize(depth, 0);
                    self.section[depth - 1] += 1;
                }
                self.paragraph = 0;
                self.push(Style::Heading(*l), text.clone(), None);
            }
            Block::Paragraph { text } if level > 0 => {
                self.push(Style::Continued(level - 1), text.clone(), None)
            }
            Block::Paragraph { text } => self.push(Style::Plain, text.clone(), None),
            Block::List { ordered, items } => {
                self.lists += 1;
                let list = self.lists;
                for item in items {
                    self.item(*ordered, level, list, item);
                }
            }
            Block::Table {
                caption,
                columns,
                rows,
                totals,
            } => {
                if let Some(c) = caption {
                    let key = format!("table {}", without_numbers(&c.text));
                    self.push(Style::Caption, plain_runs(&c.shown()), Some(key));
                }
                let key = match caption {
                    Some(c) => without_numbers(&c.text),
                    None => columns.join("\u{1f}"),
                };
                self.out.push(Unit::Table(Grid {
                    key,
                    columns: columns.clone(),
                    rows: rows.clone(),
                    totals: totals.clone(),
                }));
            }
            Block::Figure { name, caption, alt } => {
                self.push(
                    Style::Alt,
                    plain_runs(alt),
                    Some(format!("chart {name} alt")),
                );
                let key = Some(format!("chart {name} caption"));
                self.push(Style::Caption, plain_runs(&caption.shown()), key);
            }
            Block::Definitions { items } => {
                for d in items {
                    self.push(Style::Plain, d.term.clone(), None);
                    for e in &d.entries {
                        self.push(Style::Plain, e.clone(), None);
                    }
                }
            }
        }
    }

    /// A list item: its first paragraph carries the bullet or number.
    fn item(&mut self, ordered: bool, level: usize, list: usize, item: &[Block]) {
        for (i, b) in item.iter().enumerate() {
            match b {
                Block::Paragraph { text } if i == 0 => {
                    let style = Style::Item {
                        ordered,
                        level,
                        list,
                    };
                    self.push(style, text.clone(), None)
                }
                other => self.block(other, level + 1),
            }
        }
    }
}

/// A caption as a table's name: its numbers (the period, mostly) as `#`,
/// so "Victims by district, 2019/20" pairs with its 2020/21 successor.
pub(super) fn without_numbers(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c.is_ascii_digit() {
            true if out.ends_with('#') => {}
            true => out.push('#'),
            false => out.push(c),
        }
    }
    out
}

/// `text` as one unformatted run.
pub(super) fn plain_runs(text: &str) -> Vec<Run> {
    vec![Run {
        text: text.to_string(),
        ..Run::default()
    }]
}
