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

/// Reads inline content up to (and including) the enclosing end tag.
fn inlines(ev: &mut Events) -> Vec<Inline> {
    let mut out = Vec::new();
    while let Some(event) = ev.next() {
        if matches!(event, Event::End(_)) {
            break;
        }
        inline(ev, event, &mut out);
    }
    merge_text(out)
}

/// Reads a run of inline events not wrapped in a paragraph (tight lists).
fn inline_run(ev: &mut Events) -> Vec<Inline> {
    let mut out = Vec::new();
    while ev.peek().is_some_and(is_inline) {
        if let Some(event) = ev.next() {
            inline(ev, event, &mut out);
        }
    }
    merge_text(out)
}

fn inline(ev: &mut Events, event: Event, out: &mut Vec<Inline>) {
    match event {
        Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => out.push(Inline::Text(clean(&t))),
        Event::Code(t) => out.push(Inline::Code(clean(&t))),
        Event::SoftBreak => out.push(Inline::Text(" ".into())),
        Event::HardBreak => out.push(Inline::LineBreak),
        Event::Start(Tag::Strong) => out.push(Inline::Strong(inlines(ev))),
        Event::Start(Tag::Emphasis) => out.push(Inline::Emph(inlines(ev))),
        Event::Start(Tag::Link { dest_url, .. }) => out.push(Inline::Link {
            url: clean(&dest_url),
            content: inlines(ev),
        }),
        // boardpack's own markers (charts, table captions) are resolved
        // after parsing; other images keep only their text.
        Event::Start(Tag::Image { dest_url, .. }) if dest_url.starts_with("boardpack:") => out
            .push(Inline::Link {
                url: dest_url.to_string(),
                content: inlines(ev),
            }),
        Event::Start(_) => out.extend(inlines(ev)),
        _ => {}
    }
}

fn is_inline(event: &Event) -> bool {
    match event {
        Event::Text(_)
        | Event::Code(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::InlineHtml(_) => true,
        Event::Start(tag) => matches!(
            tag,
            Tag::Emphasis | Tag::Strong | Tag::Link { .. } | Tag::Image { .. } | Tag::Strikethrough
        ),
        _ => false,
    }
}

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

/// Drops control characters other than tab and newline (they cannot appear
/// in Word XML and have no meaning on a page) and bidirectional formatting
/// controls (they would let text hide or reverse itself; see
/// `text`). Both backends see the result.
pub fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n'))
        .filter(|c| !crate::text::is_bidi_control(*c))
        .collect()
}

fn merge_text(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for i in inlines {
        match (out.last_mut(), i) {
            (Some(Inline::Text(prev)), Inline::Text(t)) => prev.push_str(&t),
            (_, i) => out.push(i),
        }
    }
    out.into_iter().flat_map(numbers).collect()
}

/// A text's marked figures (see [`super::value::OPEN`]) as
/// [`Inline::Number`]s between the text around them. A mark that is not
/// part of a whole `OPEN name SEP text CLOSE` is dropped.
fn numbers(inline: Inline) -> Vec<Inline> {
    use super::value::{is_mark, CLOSE, OPEN, SEP};
    let text = match inline {
        Inline::Text(t) if t.contains(is_mark) => t,
        Inline::Code(t) if t.contains(is_mark) => {
            return vec![Inline::Code(t.replace(is_mark, ""))]
        }
        other => return vec![other],
    };
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find(OPEN) {
        let marked = rest[start + OPEN.len_utf8()..]
            .split_once(CLOSE)
            .and_then(|(inner, after)| Some((inner.split_once(SEP)?, after)))
            .filter(|((name, shown), _)| !name.contains(is_mark) && !shown.contains(is_mark));
        let Some(((figure, shown), after)) = marked else {
            break;
        };
        if start > 0 {
            out.push(Inline::Text(rest[..start].to_string()));
        }
        out.push(Inline::Number {
            figure: figure.to_string(),
            text: shown.to_string(),
            value: String::new(),
            linked: false,
        });
        rest = after;
    }
    if !rest.is_empty() {
        out.push(Inline::Text(rest.replace(is_mark, "")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn headings_paragraphs_and_emphasis() {
        let doc = parse(
            "# Purpose\n\nThe **36,845** victims\nresident.\n\n# Bibliography {.unnumbered}\n",
        )
        .unwrap();
        assert_eq!(
            doc,
            vec![
                Block::Heading {
                    level: 1,
                    numbered: true,
                    content: vec![text("Purpose")]
                },
                Block::Paragraph(vec![
                    text("The "),
                    Inline::Strong(vec![text("36,845")]),
                    text(" victims resident.")
                ]),
                Block::Heading {
                    level: 1,
                    numbered: false,
                    content: vec![text("Bibliography")]
                },
            ]
        );
    }

    #[test]
    fn landscape_fences_wrap_their_blocks() {
        let doc = parse("a\n\n::: landscape\n| x |\n|---|\n| 1 |\n:::\n\nb\n").unwrap();
        assert_eq!(doc.len(), 3, "{doc:?}");
        assert_eq!(doc[0], Block::Paragraph(vec![text("a")]));
        let Block::Landscape(inner) = &doc[1] else {
            panic!("{doc:?}")
        };
        assert!(matches!(inner.as_slice(), [Block::Table(_)]), "{inner:?}");
        assert_eq!(doc[2], Block::Paragraph(vec![text("b")]));
    }

    #[test]
    fn fences_in_code_and_stray_closers_stay_text() {
        let parts = landscape_parts("```\n::: landscape\n```\n:::\n");
        assert_eq!(parts, [(false, "```\n::: landscape\n```\n:::\n")]);
        // Unclosed: runs to the end, as in Pandoc.
        let parts = landscape_parts("x\n:::  landscape \ny\n");
        assert_eq!(parts, [(false, "x\n"), (true, "y\n")]);
    }

    #[test]
    fn a_landscape_table_gets_a_landscape_page() {
        let table = Table {
            landscape: true,
            small: true,
            caption: Some(Caption::new(CaptionKind::Table, "Wide")),
            ..Table::default()
        };
        let tables = [table];
        let embeds = Embeds {
            charts: None,
            tables: &tables,
        };
        let md = format!("![]({TABLE_MARKER}0)\n");
        let doc = parse_with(&md, &embeds, 32).unwrap();
        let [Block::Landscape(inner)] = doc.as_slice() else {
            panic!("{doc:?}")
        };
        let [Block::Table(t)] = inner.as_slice() else {
            panic!("{inner:?}")
        };
        assert!(t.small);
        assert_eq!(t.caption.as_ref().map(|c| c.text.as_str()), Some("Wide"));
    }

    #[test]
    fn tight_list_items_become_paragraphs() {
        let doc = parse("- one\n- *two*\n").unwrap();
        let Block::List { ordered, items } = &doc[0] else {
            panic!("{doc:?}")
        };
        assert!(!ordered);
        assert_eq!(
            items[1],
            vec![Block::Paragraph(vec![Inline::Emph(vec![text("two")])])]
        );
    }

    #[test]
    fn tables_keep_alignment_and_escaped_pipes() {
        let doc = parse("| A | B |\n| :-- | --: |\n| x \\| y | 1,234 |\n").unwrap();
        let Block::Table(t) = &doc[0] else {
            panic!("{doc:?}")
        };
        let align: Vec<Align> = t.columns.iter().map(|c| c.align).collect();
        assert_eq!(align, vec![Align::Left, Align::Right]);
        assert_eq!(t.rows[0][0].text, vec![text("x | y")]);
        assert_eq!(t.rows[0][0].value, Value::Text("x | y".into()));
        assert_eq!(t.columns[1].label, vec![text("B")]);
        assert_eq!(t.columns[1].width, 5);
    }

    #[test]
    fn table_placeholders_become_the_typed_tables_they_name() {
        let typed = Table {
            columns: vec![Column {
                label: vec![text("Victims")],
                align: Align::Right,
                format: crate::format::Format::Integer,
                width: 7,
            }],
            rows: vec![vec![Cell::new(Value::Int(1234), "1,234")]],
            ..Table::default()
        };
        let embeds = Embeds {
            charts: None,
            tables: std::slice::from_ref(&typed),
        };
        let md = format!("Intro\n\n![]({TABLE_MARKER}0)\n\n- item\n\n  ![]({TABLE_MARKER}0)\n\n![]({TABLE_MARKER}9)\n");
        let doc = parse_with(&md, &embeds, 32).unwrap();
        assert_eq!(doc[1], Block::Table(typed.clone()));
        let Block::List { items, .. } = &doc[2] else {
            panic!("{doc:?}")
        };
        assert_eq!(items[0][1], Block::Table(typed));
        // A placeholder naming no table is shown as written.
        assert_eq!(
            doc[3],
            Block::Paragraph(vec![text("![](boardpack:table/9)")])
        );
    }

    #[test]
    fn definition_lists_and_links() {
        let doc = parse("Source Documents\n: Needs assessment <https://example.org/a>\n: Older ones\n\nContact Officer\n: Jo Bloggs\n").unwrap();
        let Block::Definitions(d) = &doc[0] else {
            panic!("{doc:?}")
        };
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].entries.len(), 2);
        assert!(
            matches!(&d[0].entries[0][1], Inline::Link { url, .. } if url == "https://example.org/a")
        );
    }

    #[test]
    fn marked_figures_become_numbers_and_stray_marks_are_dropped() {
        let md = "Up \u{E000}victims\\_resident\u{E001}36\\,845\u{E002} and \u{E000}broken.";
        let blocks = parse(md).unwrap();
        assert_eq!(
            blocks,
            vec![Block::Paragraph(vec![
                text("Up "),
                Inline::Number {
                    figure: "victims_resident".into(),
                    text: "36,845".into(),
                    value: String::new(),
                    linked: false,
                },
                text(" and broken."),
            ])]
        );
    }

    #[test]
    fn raw_html_and_control_characters_are_literal_text() {
        let doc = parse("a <b>bold</b>\u{1} c").unwrap();
        assert_eq!(doc, vec![Block::Paragraph(vec![text("a <b>bold</b> c")])]);
    }

    #[test]
    fn nesting_past_the_limit_is_an_error_not_a_crash() {
        let quotes = format!("{}deep\n", "> ".repeat(50_000));
        let err = parse(&quotes).unwrap_err();
        assert_eq!(err.limit, 32);
        assert!(err.offset < 100, "points at the first line: {err:?}");
        let list = format!("{}x\n", "- ".repeat(20_000));
        assert!(parse(&list).is_err());
        let emphasis = format!("{}x{}", "*a ".repeat(20_000), " a*".repeat(20_000));
        assert!(parse(&emphasis).is_err());
    }

    #[test]
    fn nesting_within_the_limit_is_kept() {
        let doc = parse(&format!("{}x\n", "> ".repeat(10))).unwrap();
        assert_eq!(doc, vec![Block::Paragraph(vec![text("x")])]);
    }

    #[test]
    fn style_attribute_wraps_paragraphs_and_headings() {
        let md = "Do this now. {.style=\"OPCC Recommendation\"}\n\n## Next steps {.unnumbered .style=\"OPCC Heading 2\"}\n\nPlain {.x}\n";
        let blocks = parse(md).unwrap();
        assert_eq!(
            blocks[0],
            Block::Styled {
                style: "OPCC Recommendation".into(),
                blocks: vec![Block::Paragraph(vec![text("Do this now.")])],
            }
        );
        assert_eq!(
            blocks[1],
            Block::Styled {
                style: "OPCC Heading 2".into(),
                blocks: vec![Block::Heading {
                    level: 2,
                    numbered: false,
                    content: vec![text("Next steps")],
                }],
            }
        );
        assert_eq!(blocks[2], Block::Paragraph(vec![text("Plain {.x}")]));
    }

    #[test]
    fn malformed_style_attribute_stays_text() {
        for md in ["A {.style=\"\"}", "A {.style=\"x\"} more", "A {.style=x}"] {
            let blocks = parse(md).unwrap();
            assert!(
                matches!(&blocks[0], Block::Paragraph(_)),
                "{md}: {blocks:?}"
            );
        }
    }
}
