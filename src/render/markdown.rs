//! Rendered Markdown → the shared content tree ([`crate::doc`]).
//!
//! CommonMark plus GFM tables, definition lists (bibliography) and heading
//! attributes (`# Bibliography {.unnumbered}`). Raw HTML is kept as literal
//! text: content never smuggles markup into either backend.

use std::collections::BTreeMap;
use std::iter::Peekable;

use pulldown_cmark::{Alignment, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::doc::{
    Align, Block, Caption, CaptionKind, Cell, Column, Definition, Figure, Inline, Table,
};
use crate::value::Value;

mod inline;
#[cfg(test)]
mod tests;

pub use inline::clean;
use inline::{inline_run, inlines, is_inline};

type Events<'a> = Peekable<Parser<'a>>;

/// `![](boardpack:table/N)`: typed table `N` placed by the `table` filter.
pub const TABLE_MARKER: &str = "boardpack:table/";
/// `![title](boardpack:chart/NAME)`: a chart (written by `chart("NAME")`).
pub const CHART_MARKER: &str = "boardpack:chart/";

/// Markdown nested deeper than the limit (`limits.markdown_depth`): the
/// conversion and both backends recurse once per level, so depth is bounded
/// before any of them runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    /// Byte offset in the Markdown of the element that went past the limit.
    pub offset: usize,
    /// The limit.
    pub limit: usize,
}

/// Parses Markdown into blocks, without charts, with the default depth limit.
pub fn parse(markdown: &str) -> Result<Vec<Block>, TooDeep> {
    let limit = crate::spec::Limits::default().markdown_depth;
    parse_with(markdown, &Embeds::default(), limit)
}

/// What placeholders in the Markdown stand for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Embeds<'a> {
    /// Charts by name (`![title](boardpack:chart/NAME)`).
    pub charts: Option<&'a BTreeMap<String, Figure>>,
    /// Typed tables by index (`![](boardpack:table/N)`).
    pub tables: &'a [Table],
}

/// Parses Markdown into blocks, placing charts and typed tables where the
/// text has their placeholders. Captions stay unnumbered: the whole document
/// is numbered once ([`crate::doc::number_captions`]). Elements nested more
/// than `max_depth` deep are an error.
pub fn parse_with(
    markdown: &str,
    embeds: &Embeds,
    max_depth: usize,
) -> Result<Vec<Block>, TooDeep> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_HEADING_ATTRIBUTES;
    check_depth(markdown, options, max_depth)?;
    let mut all = Vec::new();
    for (landscape, part) in landscape_parts(markdown) {
        let parsed = blocks(&mut Parser::new_ext(part, options).peekable());
        if landscape {
            all.push(Block::Landscape(parsed));
        } else {
            all.extend(parsed);
        }
    }
    Ok(resolve_embeds(all, embeds))
}

/// Opens a landscape block: `::: landscape` on a line of its own.
const LANDSCAPE_OPEN: &str = "::: landscape";
/// Closes it: `:::` on a line of its own.
const LANDSCAPE_CLOSE: &str = ":::";

/// Splits Markdown at `::: landscape` … `:::` fences (Pandoc's fenced-div
/// syntax, outside code blocks) into (landscape?, text) parts, in order.
/// An unclosed fence runs to the end of the text, as in Pandoc; a `:::`
/// that closes nothing stays text.
fn landscape_parts(markdown: &str) -> Vec<(bool, &str)> {
    let mut parts = Vec::new();
    let (mut start, mut offset) = (0, 0);
    let (mut inside, mut code) = (false, false);
    for line in markdown.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            code = !code;
        }
        let fence = !code
            && match inside {
                false => t.split_whitespace().eq(LANDSCAPE_OPEN.split_whitespace()),
                true => t == LANDSCAPE_CLOSE,
            };
        if fence {
            parts.push((inside, &markdown[start..offset]));
            inside = !inside;
            start = offset + line.len();
        }
        offset += line.len();
    }
    parts.push((inside, &markdown[start..]));
    parts.retain(|(landscape, text)| *landscape || !text.trim().is_empty());
    parts
}

/// Counts how deeply elements nest (a list item in a list in a quote is
/// three levels, its paragraph a fourth) without recursing.
fn check_depth(markdown: &str, options: Options, limit: usize) -> Result<(), TooDeep> {
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        match event {
            Event::Start(_) => {
                depth += 1;
                if depth > limit {
                    return Err(TooDeep {
                        offset: range.start,
                        limit,
                    });
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Replaces chart and table placeholders (paragraphs holding only one)
/// with the figure or typed table they name, here and in list items.
fn resolve_embeds(blocks: Vec<Block>, embeds: &Embeds) -> Vec<Block> {
    blocks
        .into_iter()
        .map(|block| match block {
            Block::List { ordered, items } => Block::List {
                ordered,
                items: items
                    .into_iter()
                    .map(|item| resolve_embeds(item, embeds))
                    .collect(),
            },
            Block::Landscape(inner) => Block::Landscape(resolve_embeds(inner, embeds)),
            Block::Paragraph(p) => match p.as_slice() {
                [Inline::Link { url, content }] if url.starts_with("boardpack:") => {
                    embed(url, content, embeds)
                }
                _ => Block::Paragraph(p),
            },
            other => other,
        })
        .collect()
}

/// The block a placeholder stands for; one that names nothing keeps its
/// text.
fn embed(url: &str, content: &[Inline], embeds: &Embeds) -> Block {
    let text = crate::doc::plain_text(content);
    if let Some(name) = url.strip_prefix(CHART_MARKER) {
        if let Some(fig) = embeds.charts.and_then(|c| c.get(name)) {
            let mut fig = fig.clone();
            fig.caption = Caption::new(CaptionKind::Figure, text);
            return Block::Figure(fig);
        }
    } else if let Some(index) = url.strip_prefix(TABLE_MARKER) {
        let table = index
            .parse::<usize>()
            .ok()
            .and_then(|i| embeds.tables.get(i));
        return match table {
            // `landscape = true` on the table: a landscape page of its own.
            Some(t) if t.landscape => Block::Landscape(vec![Block::Table(t.clone())]),
            Some(t) => Block::Table(t.clone()),
            // Written by hand, not by `| table`: shown as written.
            None => Block::Paragraph(vec![Inline::Text(format!("![{text}]({url})"))]),
        };
    }
    Block::Paragraph(vec![Inline::Text(text)])
}

/// Reads blocks until the end tag of the enclosing container (consumed) or
/// the end of input.
fn blocks(ev: &mut Events) -> Vec<Block> {
    let mut out = Vec::new();
    while let Some(event) = ev.peek() {
        if is_inline(event) {
            out.push(Block::Paragraph(inline_run(ev)));
            continue;
        }
        let Some(event) = ev.next() else { break };
        match event {
            Event::End(_) => break,
            Event::Start(tag) => block(ev, tag, &mut out),
            Event::Html(h) => out.push(Block::Paragraph(vec![Inline::Text(clean(&h))])),
            _ => {}
        }
    }
    out
}

fn block(ev: &mut Events, tag: Tag, out: &mut Vec<Block>) {
    match tag {
        Tag::Paragraph => {
            let mut content = inlines(ev);
            let style = take_style_attribute(&mut content);
            out.push(styled(style, Block::Paragraph(content)));
        }
        Tag::Heading {
            level,
            classes,
            attrs,
            ..
        } => {
            let style = heading_style(&classes, &attrs);
            let heading = Block::Heading {
                level: heading_level(level),
                numbered: !classes.iter().any(|c| c.as_ref() == "unnumbered"),
                content: inlines(ev),
            };
            out.push(styled(style, heading));
        }
        Tag::List(start) => out.push(list(ev, start.is_some())),
        Tag::Table(aligns) => out.push(Block::Table(table(ev, &aligns))),
        Tag::DefinitionList => out.push(Block::Definitions(definitions(ev))),
        Tag::CodeBlock(_) => {
            let text: String = inlines(ev)
                .iter()
                .map(|i| crate::doc::plain_text(std::slice::from_ref(i)))
                .collect();
            out.push(Block::Paragraph(vec![Inline::Code(text)]));
        }
        // Containers we do not style (quotes, footnotes…): keep their content.
        _ => out.extend(blocks(ev)),
    }
}

/// Wraps `block` in [`Block::Styled`] when it names a Word style.
fn styled(style: Option<String>, block: Block) -> Block {
    match style {
        Some(style) => Block::Styled {
            style,
            blocks: vec![block],
        },
        None => block,
    }
}

/// Removes a trailing `{.style="NAME"}` from a paragraph's text and returns
/// NAME. The attribute must end the paragraph; anything else is left as text.
fn take_style_attribute(content: &mut Vec<Inline>) -> Option<String> {
    let Some(Inline::Text(text)) = content.last_mut() else {
        return None;
    };
    let trimmed = text.trim_end();
    let inner = trimmed.strip_suffix("\"}")?;
    let start = inner.rfind("{.style=\"")?;
    let name = &inner[start + "{.style=\"".len()..];
    if name.contains('"') || name.trim().is_empty() {
        return None;
    }
    let name = name.trim().to_string();
    text.truncate(start);
    let kept = text.trim_end().len();
    text.truncate(kept);
    if text.is_empty() {
        content.pop();
    }
    Some(name)
}

/// The style named by `{.style="NAME"}` in a heading's attribute block.
/// pulldown-cmark splits the block at spaces (`.style="OPCC` is a class,
/// `Heading"` an attribute), so the name is joined back from the pieces.
fn heading_style(
    classes: &[pulldown_cmark::CowStr],
    attrs: &[(pulldown_cmark::CowStr, Option<pulldown_cmark::CowStr>)],
) -> Option<String> {
    let first = classes.iter().find_map(|c| c.strip_prefix("style=\""))?;
    let mut name = first.to_string();
    let mut rest = attrs.iter().map(|(k, v)| match v {
        Some(v) => format!("{k}={v}"),
        None => k.to_string(),
    });
    while !name.ends_with('"') {
        name.push(' ');
        name.push_str(&rest.next()?);
    }
    let name = name.trim_end_matches('"').trim().to_string();
    (!name.is_empty()).then_some(name)
}

fn list(ev: &mut Events, ordered: bool) -> Block {
    let mut items = Vec::new();
    while let Some(event) = ev.next() {
        match event {
            Event::Start(Tag::Item) => items.push(blocks(ev)),
            Event::End(_) => break,
            _ => {}
        }
    }
    Block::List { ordered, items }
}

/// A Markdown table in a template: a typed table of text cells (its
/// alignment from `:--`/`--:`), without caption or totals.
fn table(ev: &mut Events, aligns: &[Alignment]) -> Table {
    let align = |i: usize| match aligns.get(i) {
        Some(Alignment::Right) => Align::Right,
        Some(Alignment::Center) => Align::Center,
        _ => Align::Left,
    };
    let mut header = Vec::new();
    let mut rows = Vec::new();
    while let Some(event) = ev.next() {
        match event {
            Event::Start(Tag::TableHead) => header = cells(ev),
            Event::Start(Tag::TableRow) => rows.push(cells(ev)),
            Event::End(TagEnd::Table) => break,
            _ => {}
        }
    }
    let width = aligns.len().max(header.len());
    let columns = (0..width)
        .map(|i| Column {
            label: header.get(i).cloned().unwrap_or_default(),
            align: align(i),
            ..Column::default()
        })
        .collect();
    let text_cell = |inlines: Vec<Inline>| Cell {
        value: Value::Text(crate::doc::plain_text(&inlines)),
        text: inlines,
    };
    let rows = rows
        .into_iter()
        .map(|mut row| {
            // GFM pads short rows and drops cells past the header.
            row.resize_with(width, Vec::new);
            row.into_iter().map(text_cell).collect()
        })
        .collect();
    let mut t = Table {
        columns,
        rows,
        ..Table::default()
    };
    t.measure();
    t
}

fn cells(ev: &mut Events) -> Vec<Vec<Inline>> {
    let mut row = Vec::new();
    while let Some(event) = ev.next() {
        match event {
            Event::Start(Tag::TableCell) => row.push(inlines(ev)),
            Event::End(_) => break,
            _ => {}
        }
    }
    row
}

fn definitions(ev: &mut Events) -> Vec<Definition> {
    let mut defs: Vec<Definition> = Vec::new();
    while let Some(event) = ev.next() {
        match event {
            Event::Start(Tag::DefinitionListTitle) => defs.push(Definition {
                term: inlines(ev),
                entries: Vec::new(),
            }),
            Event::Start(Tag::DefinitionListDefinition) => {
                let entries = blocks(ev).into_iter().filter_map(|b| match b {
                    Block::Paragraph(p) => Some(p),
                    _ => None,
                });
                match defs.last_mut() {
                    Some(d) => d.entries.extend(entries),
                    None => defs.push(Definition {
                        term: Vec::new(),
                        entries: entries.collect(),
                    }),
                }
            }
            Event::End(TagEnd::DefinitionList) => break,
            _ => {}
        }
    }
    defs
}

/// The level of a Markdown heading, 1 to 6.
fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}
