//! A summary that uses every block and inline kind, for the Word backend's
//! unit tests.

use crate::doc::{
    Align, Block, Caption, CaptionKind, Cell, Column, Definition, Document, Format, Inline, Meta,
    Table, Value,
};

fn text(s: &str) -> Inline {
    Inline::Text(s.to_string())
}

fn para(inlines: Vec<Inline>) -> Block {
    Block::Paragraph(inlines)
}

fn heading(level: u8, s: &str) -> Block {
    Block::Heading {
        level,
        numbered: level == 1,
        content: vec![text(s)],
    }
}

fn column(label: &str, align: Align, format: Format) -> Column {
    Column {
        label: vec![text(label)],
        align,
        format,
        width: 0,
    }
}

fn cell(value: Value, shown: &str) -> Cell {
    Cell::new(value, shown)
}

fn list(ordered: bool, items: Vec<Vec<Block>>) -> Block {
    Block::List { ordered, items }
}

/// The sample document: headings 1–3, rich paragraphs, bullet, numbered and
/// nested lists, a table with right-aligned numbers, a definition list,
/// markup characters, emoji, Hebrew, a control character and a
/// 10,000-character paragraph.
pub(super) fn sample_document() -> Document {
    let [steps, second_numbered] = numbered_lists();
    let summary = vec![
        heading(1, "Key findings"),
        rich_paragraph(),
        heading(2, "Victims"),
        bullet_list(),
        heading(3, "Steps"),
        steps,
        second_numbered,
        Block::Table(nationality_table()),
        definitions(),
        para(vec![text(&"Long paragraph text. ".repeat(477))]),
    ];
    Document {
        meta: meta(),
        body: vec![para(vec![text("The body is not part of the Word file.")])],
        summary,
        sources: None,
    }
}

/// A paragraph with every inline kind: bold, italic, a link with a query
/// string, code, a line break, markup characters, an emoji, Hebrew and a
/// control character.
fn rich_paragraph() -> Block {
    let link = Inline::Link {
        url: "https://example.org/report?a=1&b=2".into(),
        content: vec![text("the full report")],
    };
    para(vec![
        text("Victims resident in the county: "),
        Inline::Strong(vec![text("36,845")]),
        text(", "),
        Inline::Emph(vec![text("about 120,000 after prevalence")]),
        text(", see "),
        link,
        text(" or run "),
        Inline::Code("boardpack build".into()),
        Inline::LineBreak,
        text("Second line <>&\"' 🙂 שלום \u{7}bell."),
    ])
}

/// A bullet list with a nested list and a continuation paragraph.
fn bullet_list() -> Block {
    list(
        false,
        vec![
            vec![para(vec![text("Domestic abuse: 16.4%")])],
            vec![
                para(vec![text("Age")]),
                list(false, vec![vec![para(vec![text("25–29 highest risk")])]]),
                para(vec![text("Continuation paragraph of the item.")]),
            ],
        ],
    )
}

/// A numbered list nesting numbered and bullet lists, then a second
/// numbered list (which starts again at 1).
fn numbered_lists() -> [Block; 2] {
    let steps = list(
        true,
        vec![
            vec![para(vec![text("Collect")])],
            vec![
                para(vec![text("Compute")]),
                list(true, vec![vec![para(vec![text("Sub-step")])]]),
                list(
                    false,
                    vec![vec![
                        para(vec![text("Mixed")]),
                        list(true, vec![vec![para(vec![text("Deep numbered")])]]),
                    ]],
                ),
            ],
        ],
    );
    let second = list(
        true,
        vec![vec![para(vec![text("A second numbered list starts at 1")])]],
    );
    [steps, second]
}

/// A captioned table of text, right-aligned and centred numbers, with a
/// missing cell and a totals row.
fn nationality_table() -> Table {
    Table {
        columns: vec![
            column("Nationality", Align::Left, Format::Text),
            column("Victims", Align::Right, Format::Integer),
            column("Rank", Align::Center, Format::Integer),
        ],
        rows: vec![
            vec![
                cell(Value::Text("British".into()), "British"),
                cell(Value::Int(30112), "30,112"),
                cell(Value::Int(1), "1"),
            ],
            vec![
                cell(Value::Text("Polish".into()), "Polish"),
                cell(Value::Int(1204), "1,204"),
                cell(Value::Null, ""),
            ],
        ],
        totals: Some(vec![
            cell(Value::Text("Total".into()), "Total"),
            cell(Value::Int(31316), "31,316"),
            cell(Value::Null, ""),
        ]),
        caption: Some(Caption {
            kind: CaptionKind::Table,
            number: 1,
            text: "Victims by nationality".into(),
        }),
        landscape: false,
        small: false,
        source: None,
    }
}

/// A definition list: a term with two entries (one a link), and a term
/// with one.
fn definitions() -> Block {
    Block::Definitions(vec![
        Definition {
            term: vec![text("Source Documents")],
            entries: vec![
                vec![Inline::Link {
                    url: "https://example.org/needs".into(),
                    content: vec![text("Needs Assessment 2019/20")],
                }],
                vec![text("Police and Crime Plan")],
            ],
        },
        Definition {
            term: vec![text("Contact Officer")],
            entries: vec![vec![text("A. Officer, Office of the PCC")]],
        },
    ])
}

/// The paper's details (the Word file's title page and properties).
fn meta() -> Meta {
    Meta {
        title: "Victim and Offender Needs Assessment".into(),
        to: "Business Coordination Board".into(),
        from: "Acting Chief Executive".into(),
        date_display: "26 November 2020".into(),
        date_iso: "2020-11-26".into(),
        language: "en-GB".into(),
        summary_title: "Executive Summary: Needs Assessment 2019/20".into(),
    }
}
