//! Property tests (proptest; cargo-fuzz needs a nightly toolchain with
//! sanitizer-instrumented builds of Polars and Typst, which this project's
//! machines cannot afford). Random Markdown full of markup characters must
//! give a PDF that compiles and shows the text literally and a Word file
//! that is well-formed (a sample checked by the OOXML schema validator);
//! any text given to the spec loader must give a spec or an error, never a
//! panic.
//!
//! `cargo test` runs a modest number of cases. For a long run set
//! `BOARDPACK_PROPTEST_SECONDS=600` (each property runs batches until the
//! time is up and prints how many cases it ran) and optionally
//! `BOARDPACK_PROPTEST_CASES` (cases per batch).

use std::path::Path;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

use boardpack::doc::{plain_text, Block, Document, Meta};
use boardpack::docx::{self, DocxOptions};
use boardpack::stages::markdown;
use boardpack::typst::{self as typst_backend, TypstOptions};

use crate::support::{docx_text, pdf_text};

/// Runs `test` on values of `strategy`: `default` cases, or batches until
/// `BOARDPACK_PROPTEST_SECONDS` have passed. Returns the number of cases.
fn run<S: Strategy>(
    name: &str,
    strategy: S,
    default: u32,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> u64 {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let seconds = env("BOARDPACK_PROPTEST_SECONDS");
    let batch = env("BOARDPACK_PROPTEST_CASES").map_or(default, |n| n as u32);
    let start = Instant::now();
    let mut cases = 0u64;
    loop {
        let config = Config {
            cases: batch,
            failure_persistence: None,
            ..Config::default()
        };
        // The short run in `cargo test` (and CI) is deterministic, so a test
        // never passes or fails by luck; long runs explore new cases.
        let mut runner = match seconds {
            None => {
                TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
            }
            Some(_) => TestRunner::new(config),
        };
        if let Err(e) = runner.run(&strategy, &test) {
            panic!("{name}: {e}");
        }
        cases += u64::from(batch);
        match seconds {
            Some(s) if start.elapsed() < Duration::from_secs(s) => continue,
            _ => break,
        }
    }
    if seconds.is_some() {
        eprintln!("{name}: {cases} cases in {:.0?}", start.elapsed());
    }
    cases
}

/// Text with every character that means something to Markdown, Typst,
/// XML or MiniJinja, accents and bidi controls (which are dropped), plus,
/// if `rtl`, right-to-left script (PDF text extraction gives that in visual
/// order, so the PDF property leaves it to `escaping.rs`).
fn text(rtl: bool) -> impl Strategy<Value = String> {
    let extra = if rtl { "שלום" } else { "" };
    proptest::string::string_regex(&format!(
        r#"[a-z0-9 *_`#$@<>\[\]\\/~"'|{{}}=+\-.:&;()!^%é£—\u{{202E}}\u{{2066}}{extra}]{{1,40}}"#
    ))
    .expect("regex")
}

/// Markdown with headings, paragraphs, lists, quotes, tables and emphasis.
fn markdown(rtl: bool) -> impl Strategy<Value = String> {
    let text = move || text(rtl);
    let block = prop_oneof![
        text().prop_map(|t| format!("# H {t}\n")),
        text().prop_map(|t| format!("{t}\n")),
        (text(), text()).prop_map(|(a, b)| format!("- {a}\n- {b}\n")),
        (text(), text()).prop_map(|(a, b)| format!("1. {a}\n   - {b}\n")),
        text().prop_map(|t| format!("> {t}\n")),
        (text(), text()).prop_map(|(a, b)| format!("**{a}** and _{b}_\n")),
        (text(), text()).prop_map(|(a, b)| format!(
            "| A | B |\n| --- | --: |\n| {} | {} |\n",
            a.replace('|', "\\|"),
            b.replace('|', "\\|")
        )),
        text().prop_map(|t| format!("`{}`\n", t.replace('`', ""))),
    ];
    proptest::collection::vec(block, 1..6).prop_map(|blocks| blocks.join("\n"))
}

fn document(blocks: Vec<Block>) -> Document {
    Document {
        meta: Meta {
            title: "Property".into(),
            to: "Board".into(),
            from: "Tests".into(),
            date_display: "26 November 2020".into(),
            date_iso: "2020-11-26".into(),
            language: "en-GB".into(),
            summary_title: "Summary".into(),
        },
        body: blocks,
        summary: Vec::new(),
        sources: None,
    }
}

/// Every piece of text in the blocks, in order.
fn all_text(blocks: &[Block], out: &mut String) {
    for b in blocks {
        match b {
            Block::Paragraph(p) | Block::Heading { content: p, .. } => {
                out.push_str(&plain_text(p));
            }
            Block::List { items, .. } => items.iter().for_each(|i| all_text(i, out)),
            Block::Table(t) => {
                for c in &t.columns {
                    out.push_str(&plain_text(&c.label));
                }
                for cell in t.rows.iter().flatten() {
                    out.push_str(&plain_text(&cell.text));
                }
            }
            Block::Definitions(defs) => {
                for d in defs {
                    out.push_str(&plain_text(&d.term));
                    d.entries.iter().for_each(|e| out.push_str(&plain_text(e)));
                }
            }
            Block::Figure(f) => out.push_str(&f.caption.to_string()),
            Block::Styled { blocks, .. } | Block::Landscape(blocks) => all_text(blocks, out),
        }
    }
}

/// True if `needle`'s characters appear in `hay` in order (line breaks,
/// hyphenation and list markers may come between them).
fn in_order(needle: &str, hay: &str) -> bool {
    let mut hay = hay.chars();
    needle.chars().all(|c| hay.any(|h| h == c))
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn pdf(doc: &Document) -> boardpack::Result<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let options = TypstOptions {
        root,
        inputs: std::sync::Arc::new(boardpack::stages::Inputs::new(root)),
        layout: root.join("templates/board-paper.typ"),
        main_dir: root,
        fonts: Vec::new(),
        ident: "property",
        date: jiff::civil::date(2020, 11, 26),
        timestamp: jiff::Timestamp::from_second(1_600_000_000).expect("timestamp"),
        attachments: Vec::new(),
        time_limit: Duration::from_secs(60),
        style: Default::default(),
    };
    Ok(typst_backend::render(doc, &options)?.pdf)
}

#[test]
fn markdown_to_typst_compiles_and_shows_the_text_literally() {
    run("markdown → PDF", markdown(false), 12, |md| {
        let blocks = markdown::parse(&md).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        // What the build refuses before layout with an accessibility error
        // (an empty heading, a heading inside a list item, a skipped level)
        // never reaches Typst: the property is about the rest.
        prop_assume!(boardpack::stages::check_accessible(&blocks).is_ok());
        let doc = document(blocks);
        let bytes = pdf(&doc).map_err(|e| TestCaseError::fail(e.render()))?;
        let mut want = String::new();
        all_text(&doc.body, &mut want);
        // The house style may set headings in capitals: compare letters
        // case-insensitively.
        let got = squeeze(&pdf_text(&bytes)).to_lowercase();
        prop_assert!(
            in_order(&squeeze(&want).to_lowercase(), &got),
            "markdown {md:?}\nwant {want:?}\ngot {got:?}"
        );
        Ok(())
    });
}

#[test]
fn markdown_to_word_is_always_a_valid_docx() {
    let dir = tempfile::tempdir().expect("temp dir");
    let n = std::cell::Cell::new(0u64);
    run("markdown → DOCX", markdown(true), 24, |md| {
        let blocks = markdown::parse(&md).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let doc = Document {
            summary: blocks,
            ..document(Vec::new())
        };
        let options = DocxOptions {
            timestamp: jiff::Timestamp::from_second(1_600_000_000).expect("timestamp"),
            ..Default::default()
        };
        let bytes = docx::render(&doc, &options).map_err(|e| TestCaseError::fail(e.render()))?;
        let mut want = String::new();
        all_text(&doc.summary, &mut want);
        let got = squeeze(&docx_text(&bytes));
        prop_assert!(
            in_order(&squeeze(&want), &got),
            "markdown {md:?}\ngot {got:?}"
        );
        // The schema validator takes about a second: check one case in 8.
        n.set(n.get() + 1);
        if n.get() % 8 == 1 {
            let path = dir.path().join("case.docx");
            std::fs::write(&path, &bytes).expect("write");
            let report = crate::support::validate_docx(&path);
            prop_assert!(report.errors == 0, "markdown {md:?}\n{}", report.text);
        }
        Ok(())
    });
}

/// Edits of the example spec: lines dropped, duplicated or cut, characters
/// inserted.
fn spec_text() -> impl Strategy<Value = String> {
    let example = include_str!("../../reports/needs-assessment/report.toml");
    let lines: Vec<String> = example.lines().map(str::to_string).collect();
    let n = lines.len();
    let edit = prop_oneof![
        (0..n).prop_map(|i| (i, 0u8, String::new())),
        (0..n).prop_map(|i| (i, 1u8, String::new())),
        (0..n, "[ -~]{0,12}").prop_map(|(i, s)| (i, 2u8, s)),
        (0..n, r#"[\[\]{}="'.,#a-z0-9 \n]{0,12}"#).prop_map(|(i, s)| (i, 3u8, s)),
    ];
    proptest::collection::vec(edit, 1..8).prop_map(move |edits| {
        let mut lines = lines.clone();
        for (i, op, s) in edits {
            let i = i.min(lines.len().saturating_sub(1));
            if lines.is_empty() {
                break;
            }
            match op {
                0 => {
                    lines.remove(i);
                }
                1 => lines.insert(i, lines[i].clone()),
                2 => lines[i] = s,
                _ => {
                    let cut = lines[i].len() / 2;
                    let cut = (0..=cut)
                        .rev()
                        .find(|c| lines[i].is_char_boundary(*c))
                        .unwrap_or(0);
                    lines[i].insert_str(cut, &s);
                }
            }
        }
        lines.join("\n")
    })
}

#[test]
fn any_spec_text_gives_a_spec_or_an_error() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/needs-assessment/report.toml");
    let any = prop_oneof![spec_text(), "\\PC{0,200}"];
    run("spec loader", any, 256, |text| {
        if let Err(e) = boardpack::Spec::from_text(&path, text) {
            // Not just any text: an error that names the spec it is about.
            let r = e.render();
            prop_assert!(r.starts_with("error"), "{}", r);
            prop_assert!(r.contains("report.toml"), "{}", r);
        }
        Ok(())
    });
}
