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

fn captioned(text: &str) -> Block {
    Block::Table(Table {
        caption: Some(Caption::new(CaptionKind::Table, text)),
        ..Table::default()
    })
}

fn numbers(blocks: &[Block]) -> Vec<String> {
    let mut out = Vec::new();
    for b in blocks {
        match b {
            Block::Table(Table {
                caption: Some(c), ..
            }) => out.push(c.to_string()),
            Block::List { items, .. } => out.extend(numbers(&items.concat())),
            _ => {}
        }
    }
    out
}

#[test]
fn captions_are_numbered_once_across_body_and_summary() {
    let mut doc = Document {
        body: vec![
            captioned("A"),
            Block::Table(Table::default()),
            Block::List {
                ordered: false,
                items: vec![vec![captioned("B")]],
            },
        ],
        summary: vec![captioned("A"), captioned("C")],
        ..Document::default()
    };
    number_captions(&mut doc);
    assert_eq!(numbers(&doc.body), ["Table 1: A", "Table 2: B"]);
    assert_eq!(numbers(&doc.summary), ["Table 3: A", "Table 4: C"]);
    // Landscape pages are numbered in their place.
    doc.body.push(Block::Landscape(vec![captioned("L")]));
    number_captions(&mut doc);
    let Block::Landscape(inner) = &doc.body[3] else {
        panic!()
    };
    assert_eq!(numbers(inner), ["Table 3: L"]);
    assert_eq!(numbers(&doc.summary), ["Table 4: A", "Table 5: C"]);
    doc.body.pop();
    // Numbering again gives the same numbers (it never accumulates).
    number_captions(&mut doc);
    assert_eq!(numbers(&doc.summary), ["Table 3: A", "Table 4: C"]);
}

#[test]
fn width_hints_are_the_longest_text_or_label_word() {
    let text = |s: &str| vec![Inline::Text(s.into())];
    let column = |label: &str| Column {
        label: text(label),
        ..Column::default()
    };
    let mut t = Table {
        columns: vec![column("District"), column("Resident victims per 1,000")],
        rows: vec![
            vec![
                Cell::new(
                    Value::Text("South Cambridgeshire".into()),
                    "South Cambridgeshire",
                ),
                Cell::new(Value::Float(12.25), "12.3"),
            ],
            vec![Cell::new(Value::Text("Ely".into()), "Ely")],
        ],
        totals: Some(vec![
            Cell::new(Value::Text("Total".into()), "Total"),
            Cell::new(Value::Int(1_234_567), "1,234,567"),
        ]),
        ..Table::default()
    };
    t.measure();
    assert_eq!(t.columns[0].width, 20);
    assert_eq!(
        t.columns[1].width, 9,
        "\"Resident\" and \"1,234,567\" are longest"
    );
}

#[test]
fn flow_opens_landscape_groups_in_place() {
    let p = |t: &str| Block::Paragraph(vec![Inline::Text(t.into())]);
    let blocks = vec![
        p("a"),
        Block::Landscape(vec![p("b"), Block::Landscape(vec![p("c")])]),
        p("d"),
    ];
    let texts: Vec<String> = flow(&blocks)
        .into_iter()
        .map(|b| match b {
            Block::Paragraph(i) => plain_text(i),
            _ => String::new(),
        })
        .collect();
    assert_eq!(texts, ["a", "b", "c", "d"]);
}
