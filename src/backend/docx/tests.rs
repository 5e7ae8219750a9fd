//! Whole-backend tests: render the fixture and inspect the package.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};

use super::fixture::sample_document;
use super::xml::{parse, Element};
use super::*;
use crate::doc::{Block, Inline};

fn options() -> DocxOptions {
    DocxOptions {
        timestamp: "2020-11-26T09:00:00Z".parse().unwrap(),
        ..Default::default()
    }
}

/// The rendered parts by name, in zip order.
fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            (file.name().to_string(), text)
        })
        .collect()
}

fn parts(doc: &Document) -> BTreeMap<String, String> {
    unzip(&render(doc, &options()).unwrap())
        .into_iter()
        .collect()
}

/// Values of attribute `attr` on every element called `name`.
fn values(root: &Element, name: &str, attr: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut root = root.clone();
    root.walk_mut(&mut |e| {
        if e.name == name {
            out.extend(e.attr(attr).map(str::to_string));
        }
    });
    out
}

#[test]
fn document_has_styles_lists_tables_and_text() {
    let parts = parts(&sample_document());
    let document = &parts["word/document.xml"];
    for want in [
        r#"<w:pStyle w:val="Title"/>"#,
        r#"<w:pStyle w:val="Heading1"/>"#,
        r#"<w:pStyle w:val="Heading2"/>"#,
        r#"<w:pStyle w:val="Heading3"/>"#,
        r#"<w:pStyle w:val="ListBullet"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/>"#,
        r#"<w:pStyle w:val="ListBullet"/><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/>"#,
        r#"<w:pStyle w:val="ListNumber"/><w:numPr><w:ilvl w:val="1"/><w:numId w:val="3"/>"#,
        r#"<w:tblStyle w:val="TableGrid"/><w:tblW w:w="9026" w:type="dxa"/>"#,
        r#"<w:tblLayout w:type="fixed"/>"#,
        r#"<w:tr><w:trPr><w:tblHeader/></w:trPr>"#,
        r#"<w:pPr><w:jc w:val="right"/><w:rPr/></w:pPr><w:r><w:rPr/><w:t xml:space="preserve">30,112</w:t>"#,
        r#"<w:rPr><w:b/><w:bCs/></w:rPr><w:t xml:space="preserve">Victims</w:t>"#,
        r#"<w:hyperlink r:id="rIdLink1" w:history="1"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/>"#,
        r#"<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/>"#,
        r#"<w:br w:type="textWrapping"/>"#,
        "Second line &lt;&gt;&amp;&quot;&apos; 🙂 שלום bell.",
        r#"<w:pgSz w:w="11906" w:h="16838"/>"#,
    ] {
        assert!(document.contains(want), "missing {want}");
    }
    assert_eq!(
        document.matches("<w:tblHeader/>").count(),
        1,
        "only the data table has a header"
    );
    assert!(document.contains(&"Long paragraph text. ".repeat(477)));
    assert!(!document.contains("paraId") && !document.contains('\u{7}'));
    assert!(
        !document.contains("The body is not part"),
        "renders the summary, not the body"
    );
}

#[test]
fn every_referenced_style_is_defined() {
    let parts = parts(&sample_document());
    let document = parse(parts["word/document.xml"].as_bytes()).unwrap();
    let styles = parse(parts["word/styles.xml"].as_bytes()).unwrap();
    let numbering = parse(parts["word/numbering.xml"].as_bytes()).unwrap();
    let defined = values(&styles, "w:style", "w:styleId");
    let expected: BTreeSet<String> = styles::STYLE_IDS.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        defined, expected,
        "STYLE_IDS lists exactly the defined styles"
    );
    let mut used = BTreeSet::new();
    for (root, name) in [
        (&document, "w:pStyle"),
        (&document, "w:rStyle"),
        (&document, "w:tblStyle"),
        (&numbering, "w:pStyle"),
        (&styles, "w:basedOn"),
        (&styles, "w:next"),
    ] {
        used.extend(values(root, name, "w:val"));
    }
    let undefined: Vec<_> = used.difference(&defined).collect();
    assert!(undefined.is_empty(), "undefined styles: {undefined:?}");
}

#[test]
fn numbering_has_bullets_numbers_and_one_instance_per_numbered_list() {
    let parts = parts(&sample_document());
    let numbering = &parts["word/numbering.xml"];
    assert!(numbering.contains(
        r#"<w:numFmt w:val="bullet"/><w:pStyle w:val="ListBullet"/><w:lvlText w:val="•"/>"#
    ));
    assert!(numbering.contains(
        r#"<w:numFmt w:val="decimal"/><w:pStyle w:val="ListNumber"/><w:lvlText w:val="%1."/>"#
    ));
    let root = parse(numbering.as_bytes()).unwrap();
    let ids: Vec<String> = values(&root, "w:num", "w:numId").into_iter().collect();
    // Bullets, the ListNumber style, and the three numbered lists that start anew.
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
}

#[test]
fn styles_define_defaults_and_language() {
    let mut doc = sample_document();
    doc.meta.language = "cy-GB".into();
    let styles = &parts(&doc)["word/styles.xml"];
    assert!(styles.contains(r#"<w:rFonts w:ascii="Arial""#));
    assert!(styles.contains(r#"<w:lang w:val="cy-GB"/>"#), "{styles}");
    assert!(styles.contains(r#"<w:name w:val="heading 1"/>"#));
    assert!(styles.contains(r#"<w:outlineLvl w:val="2"/>"#));
    doc.meta.language = String::new();
    assert!(parts(&doc)["word/styles.xml"].contains(r#"<w:lang w:val="en-GB"/>"#));
}

#[test]
fn links_are_external_relationships_and_unused_parts_are_gone() {
    let parts = parts(&sample_document());
    let rels = &parts["word/_rels/document.xml.rels"];
    assert!(rels.contains(r#"Id="rIdLink1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://example.org/report?a=1&amp;b=2" TargetMode="External""#), "{rels}");
    assert!(rels.contains(r#"Target="theme/theme1.xml""#));
    let names: Vec<&str> = parts.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "[Content_Types].xml",
            "_rels/.rels",
            "docProps/app.xml",
            "docProps/core.xml",
            "word/_rels/document.xml.rels",
            "word/document.xml",
            "word/fontTable.xml",
            "word/footer1.xml",
            "word/numbering.xml",
            "word/settings.xml",
            "word/styles.xml",
            "word/theme/theme1.xml",
        ]
    );
    assert!(!parts["[Content_Types].xml"].contains("comments"));
}

#[test]
fn core_properties_use_the_given_timestamp() {
    let core = &parts(&sample_document())["docProps/core.xml"];
    assert!(core.contains(
        r#"<dcterms:created xsi:type="dcterms:W3CDTF">2020-11-26T09:00:00Z</dcterms:created>"#
    ));
    assert!(core.contains("<dc:title>Executive Summary: Needs Assessment 2019/20</dc:title>"));
}

#[test]
fn renders_are_byte_identical_across_calls_and_threads() {
    let doc = sample_document();
    let first = render(&doc, &options()).unwrap();
    assert_eq!(first, render(&doc, &options()).unwrap());
    // docx-rs's id counters are per thread and per process.
    let other = std::thread::spawn(move || render(&doc, &options()).unwrap());
    assert_eq!(first, other.join().unwrap());
}

#[test]
fn timestamp_only_changes_dates() {
    let doc = sample_document();
    let a = unzip(&render(&doc, &options()).unwrap());
    let later = DocxOptions {
        timestamp: "2021-01-02T03:04:05Z".parse().unwrap(),
        ..Default::default()
    };
    let b = unzip(&render(&doc, &later).unwrap());
    let changed: Vec<&str> = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x.0.as_str())
        .collect();
    assert_eq!(changed, ["docProps/core.xml"]);
}

#[test]
fn control_characters_are_removed() {
    assert_eq!(
        build::clean_text("a\u{0}b\u{1b}c\td\ne\u{FFFF}"),
        "abc\td e"
    );
}

#[test]
fn empty_summary_still_has_its_title() {
    let mut doc = Document::default();
    doc.meta.summary_title = "Summary".into();
    let document = &parts(&doc)["word/document.xml"];
    assert!(document.contains(r#"<w:pStyle w:val="Title"/>"#) && document.contains(">Summary<"));
}

#[test]
fn small_document_snapshot() {
    let doc = Document {
        summary: vec![
            Block::Heading {
                level: 1,
                numbered: true,
                content: vec![Inline::Text("Findings".into())],
            },
            Block::List {
                ordered: true,
                items: vec![vec![Block::Paragraph(vec![Inline::Text("One".into())])]],
            },
        ],
        ..Document::default()
    };
    let document = parts(&doc).remove("word/document.xml").unwrap();
    let body = &document[document.find("<w:body>").unwrap()..];
    // No module prefix: the file name must not depend on the crate's name.
    insta::with_settings!({ prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("docx_small_document", body.replace("</w:p>", "</w:p>\n"));
    });
}

/// Our own rendering with part `name` replaced (or added) by `bytes`.
fn with_part(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let zopts = zip::write::SimpleFileOptions::default();
    let mut seen = false;
    for (part, text) in unzip(&render(&sample_document(), &options()).unwrap()) {
        let body = if part == name {
            seen = true;
            bytes.to_vec()
        } else {
            text.into_bytes()
        };
        out.start_file(part, zopts).unwrap();
        std::io::Write::write_all(&mut out, &body).unwrap();
    }
    if !seen {
        out.start_file(name, zopts).unwrap();
        std::io::Write::write_all(&mut out, bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_hostile_reference_document_is_refused_naming_the_part() {
    let rels = "word/_rels/settings.xml.rels";
    let external = |target: &str| {
        format!(
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="{target}" TargetMode="External"/></Relationships>"#
        )
    };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            rels,
            external("https://evil.example/t.dotm").into_bytes(),
            "outside the package",
        ),
        (
            rels,
            external("file:///C:/t.dotm").into_bytes(),
            "outside the package",
        ),
        (
            rels,
            external(r"\\server\share\t.dotm").into_bytes(),
            "outside the package",
        ),
        ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0".to_vec(), "macro"),
        ("../../x.xml", b"<x/>".to_vec(), "outside the package"),
        (
            "word/webSettings.xml",
            b"<!DOCTYPE w [<!ENTITY a \"b\">]><w:webSettings xmlns:w=\"x\">&a;</w:webSettings>"
                .to_vec(),
            "DTD",
        ),
        (
            "word/webSettings.xml",
            b"<w:webSettings xmlns:w=\"x\">&a;</w:webSettings>".to_vec(),
            "&a;",
        ),
        (
            "word/webSettings.xml",
            b"<?xml version=\xfc'1.0'?><w:x xmlns:w=\"x\"/>".to_vec(),
            "UTF-8",
        ),
        (
            "word/webSettings.xml",
            b"<w:x xmlns:w=\"x\"><w:y></w:x>".to_vec(),
            "well-formed",
        ),
        (
            "word/webSettings.xml",
            b"<?xml version='1.0' encoding='UTF-8<!DOCTYPE x>'?><w:x xmlns:w=\"x\"/>".to_vec(),
            "declaration",
        ),
    ];
    for (part, bytes, why) in cases {
        let err = reference::open(&with_part(part, &bytes)).expect_err(part);
        assert!(
            err.contains(part.trim_start_matches("../../")) && err.contains(why),
            "{part}: {err}"
        );
    }
    // A web link in a template stays (a reader follows it only by choice).
    let link = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://www.example.org/" TargetMode="External"/></Relationships>"#;
    assert!(reference::open(&with_part(rels, link.as_bytes())).is_ok());
}
