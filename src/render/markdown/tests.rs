use super::*;

fn text(s: &str) -> Inline {
    Inline::Text(s.into())
}

#[test]
fn headings_paragraphs_and_emphasis() {
    let doc =
        parse("# Purpose\n\nThe **36,845** victims\nresident.\n\n# Bibliography {.unnumbered}\n")
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
