//! Accessibility checks on the rendered content, before any backend runs:
//! what would make the PDF fail PDF/UA-1 or the Word file fail an
//! accessibility check is reported against the template that wrote it.
//!
//! - headings must not skip a level (`#` then `###`), and a part must start
//!   at level 1;
//! - headings and link texts must not be empty;
//! - bullets are real lists, not typed characters (screen readers announce
//!   a list and its length; Word gives it the List Bullet style);
//! - every chart has alternative text (checked when charts are drawn).

use std::path::Path;

use crate::doc::{plain_text, Block, Document, Inline};
use crate::error::{display_path, Error, ErrorKind, Result};

/// Checks both parts of the document.
pub(super) fn check(doc: &Document, body: (&Path, &str), summary: (&Path, &str)) -> Result<()> {
    part(&doc.body, body.0, body.1)?;
    part(&doc.summary, summary.0, summary.1)
}

/// The same checks for blocks that come from no template file (e.g. blocks
/// parsed directly from Markdown): what the build refuses before layout.
pub fn check_blocks(blocks: &[Block]) -> Result<()> {
    part(blocks, Path::new("<markdown>"), "")
}

fn part(blocks: &[Block], file: &Path, source: &str) -> Result<()> {
    let mut previous = 0u8;
    let err = |message: String, hint: &str| {
        Error::new(ErrorKind::Accessibility, message)
            .in_file(file)
            .with_hint(hint.to_string())
    };
    // Point at the template line that wrote a heading, where it can be found.
    let heading_line = |text: &str| {
        let mut offset = 0;
        for line in source.split_inclusive('\n') {
            if line.trim_start().starts_with('#') && line.contains(text) {
                return Some(offset..offset + line.trim_end().len());
            }
            offset += line.len();
        }
        None
    };
    if let Some(text) = heading_in_list(blocks) {
        return Err(err(
            format!("the heading \"{}\" is inside a list item", short(&text)),
            "end the list before the heading (a blank line, then the heading at the start of the line); a `-` or `=` line under list text makes it a heading",
        ));
    }
    for block in blocks {
        if let Block::Heading { level, content, .. } = block {
            let text = plain_text(content);
            if text.trim().is_empty() {
                return Err(err(
                    format!("an empty level-{level} heading in `{}`", display_path(file)),
                    "give the heading text, or remove it: screen readers list headings to navigate",
                ));
            }
            if *level > previous + 1 {
                let hashes = "#".repeat(usize::from(previous + 1));
                let e = err(
                    format!(
                        "heading \"{text}\" skips a level: level {level} after {}",
                        if previous == 0 { "the start".to_string() } else { format!("level {previous}") }
                    ),
                    &format!("use `{hashes}` for it: accessible documents (PDF/UA-1, Word) need headings in order"),
                );
                return Err(match heading_line(&text) {
                    Some(range) => e.at_span(source, range),
                    None => e,
                });
            }
            previous = *level;
        }
        if let Block::Paragraph(p) = block {
            let text = plain_text(p);
            if let Some(c) = text
                .trim_start()
                .chars()
                .next()
                .filter(|c| TYPED_BULLETS.contains(c))
            {
                return Err(err(
                    format!("a paragraph starts with a typed bullet `{c}`: \"{}\"", short(&text)),
                    "write the list in Markdown (`- item` on its own line) so both documents get a real list",
                ));
            }
        }
        links(block, &mut |url| {
            Err(err(
                format!("a link to {url} has no text"),
                "write the link as [what it is](url): readers hear the link text, not the address",
            ))
        })?;
    }
    Ok(())
}

/// The text of the first heading nested in a list item: the document
/// outline (PDF/UA-1, Word navigation) has no place for it.
fn heading_in_list(blocks: &[Block]) -> Option<String> {
    fn within(blocks: &[Block]) -> Option<String> {
        blocks.iter().find_map(|b| match b {
            Block::Heading { content, .. } => Some(plain_text(content)),
            Block::List { items, .. } => items.iter().find_map(|i| within(i)),
            _ => None,
        })
    }
    blocks.iter().find_map(|b| match b {
        Block::List { items, .. } => items.iter().find_map(|i| within(i)),
        _ => None,
    })
}

/// Characters people type to fake a bulleted list.
const TYPED_BULLETS: &[char] = &['•', '◦', '▪', '●', '○', '■', '□', '➢', '►'];

fn short(text: &str) -> String {
    let t: String = text.trim().chars().take(40).collect();
    if text.trim().chars().count() > 40 {
        format!("{t}…")
    } else {
        t
    }
}

/// Calls `empty` for the first link without text in `block`.
fn links(block: &Block, empty: &mut dyn FnMut(&str) -> Result<()>) -> Result<()> {
    let inlines: Vec<&Vec<Inline>> = match block {
        Block::Heading { content, .. } | Block::Paragraph(content) => vec![content],
        Block::List { items, .. } => {
            for item in items {
                for b in item {
                    links(b, empty)?;
                }
            }
            vec![]
        }
        Block::Table(t) => t
            .columns
            .iter()
            .map(|c| &c.label)
            .chain(
                t.rows
                    .iter()
                    .chain(t.totals.as_ref())
                    .flatten()
                    .map(|c| &c.text),
            )
            .collect(),
        Block::Definitions(defs) => defs
            .iter()
            .flat_map(|d| std::iter::once(&d.term).chain(d.entries.iter()))
            .collect(),
        Block::Figure(_) => vec![],
    };
    for run in inlines {
        walk(run, empty)?;
    }
    Ok(())
}

fn walk(inlines: &[Inline], empty: &mut dyn FnMut(&str) -> Result<()>) -> Result<()> {
    for i in inlines {
        match i {
            Inline::Link { url, content } => {
                if plain_text(content).trim().is_empty() {
                    empty(url)?;
                }
                walk(content, empty)?;
            }
            Inline::Strong(c) | Inline::Emph(c) => walk(c, empty)?,
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(level: u8, text: &str) -> Block {
        Block::Heading {
            level,
            numbered: true,
            content: vec![Inline::Text(text.into())],
        }
    }

    #[test]
    fn a_heading_inside_a_list_item_is_an_error() {
        // Found by the Markdown → PDF property test: `1. a\n   -  \n`.
        let blocks = crate::render::markdown::parse("1. a\n   -  \n").unwrap();
        let e = part(&blocks, Path::new("paper.md"), "").unwrap_err();
        assert_eq!(e.message(), "the heading \"a\" is inside a list item");
    }

    #[test]
    fn skipped_heading_level_is_an_error() {
        let f = Path::new("summary.md");
        assert!(part(&[heading(1, "A"), heading(2, "B"), heading(1, "C")], f, "").is_ok());
        let e = part(&[heading(1, "A"), heading(3, "B")], f, "# A\n### B\n").unwrap_err();
        assert_eq!(
            e.message(),
            "heading \"B\" skips a level: level 3 after level 1"
        );
        assert_eq!(e.line_col(), Some((2, 1)));
        let e = part(&[heading(2, "B")], f, "").unwrap_err();
        assert!(e.message().contains("after the start"));
    }

    #[test]
    fn typed_bullets_are_an_error() {
        let p = Block::Paragraph(vec![Inline::Text("• first point".into())]);
        let e = part(&[p], Path::new("paper.md"), "").unwrap_err();
        assert_eq!(
            e.message(),
            "a paragraph starts with a typed bullet `•`: \"• first point\""
        );
    }

    #[test]
    fn empty_link_text_is_an_error() {
        let f = Path::new("paper.md");
        let p = Block::Paragraph(vec![Inline::Link {
            url: "https://x.org".into(),
            content: vec![],
        }]);
        let e = part(&[p], f, "").unwrap_err();
        assert_eq!(e.message(), "a link to https://x.org has no text");
    }
}
