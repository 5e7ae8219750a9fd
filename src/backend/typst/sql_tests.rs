//! The sources appendix's SQL grammar, laid out by the real Typst: each
//! kind of token gets the colour Typst's default theme gives its scope.

use std::sync::Arc;

use typst::foundations::{Dict, IntoValue, Str};
use typst::layout::{Frame, FrameItem};
use typst::visualize::{Color, Paint};
use typst_layout::PagedDocument;

use super::source::{SQL_SYNTAX, SQL_SYNTAX_KEY};
use super::world::ReportWorld;

/// Every text run of the laid-out `main`, with its fill as `#rrggbb`.
fn runs(main: &str) -> Vec<(String, String)> {
    let dir = std::env::temp_dir();
    let inputs = Arc::new(crate::inputs::Inputs::new(&dir));
    let mut dict = Dict::new();
    dict.insert(SQL_SYNTAX_KEY.into(), Str::from(SQL_SYNTAX).into_value());
    let world = ReportWorld::new(
        &dir,
        inputs,
        "/main.typ",
        main.into(),
        Vec::new(),
        typst::foundations::Datetime::from_ymd(2020, 1, 1).expect("date"),
        dict,
    );
    let doc = typst::compile::<PagedDocument>(&world)
        .output
        .expect("the grammar loads and the SQL lays out");
    let mut out = Vec::new();
    for page in doc.pages() {
        collect(&page.frame, &mut out);
    }
    out
}

fn collect(frame: &Frame, out: &mut Vec<(String, String)>) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(g) => collect(&g.frame, out),
            FrameItem::Text(t) => {
                let Paint::Solid(c) = &t.fill else { continue };
                out.push((t.text.to_string(), hex(c)));
            }
            _ => {}
        }
    }
}

fn hex(c: &Color) -> String {
    c.to_hex().to_string()
}

#[test]
fn every_kind_of_token_gets_its_colour() {
    let runs = runs(&format!(
        "#set raw(syntaxes: bytes(sys.inputs.at(\"{SQL_SYNTAX_KEY}\")))\n\
         #raw(block: true, lang: \"sql\", \"select COUNT(x) * 2 AS n FROM t WHERE s = 'it''s' -- why\")\n"
    ));
    let colour = |word: &str| {
        runs.iter()
            .find(|(t, _)| t.trim() == word)
            .map(|(_, c)| c.clone())
            .unwrap_or_else(|| panic!("no run {word:?} in {runs:?}"))
    };
    let keyword = "#d73948";
    assert_eq!(colour("select"), keyword, "keywords in any case");
    assert_eq!(colour("AS"), keyword);
    assert_eq!(colour("FROM"), keyword);
    assert_eq!(colour("COUNT"), "#4b69c6", "a function");
    assert_eq!(colour("2"), "#b60157", "a number");
    assert_eq!(colour("*"), keyword, "an operator");
    assert_eq!(colour("-- why"), "#74747c", "a comment");
    // The string, with its doubled quote, is one string-coloured span.
    let string: String = runs
        .iter()
        .filter(|(_, c)| c == "#198810" || c == "#1d6c76")
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(string, "'it''s'");
    // Column and table names are left in the text colour.
    assert_eq!(colour("(x)"), "#000000");
    assert_eq!(colour("t"), "#000000");
}
