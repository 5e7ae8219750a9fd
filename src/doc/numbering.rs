//! Caption numbering: every table and figure caption gets its number once,
//! for the whole document, so every output prints the same "Table 3".

use super::{Block, Caption, CaptionKind, Document};

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

/// Numbers `block`'s caption (and those of the blocks inside it) from
/// `next`.
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
