//! The Word file in the house style: built on the bundled office template
//! (`templates/house.docx`) and on one made by another tool
//! (`tests/fixtures/word/foreign.docx`, python-docx), every template part
//! kept byte for byte, styles by name, margins from the template, schema
//! validity, and LibreOffice opening the result with the header intact.

use std::io::Read;
use std::path::Path;

use crate::support::{assert_valid_docx, docx_part, docx_text, Project};

/// The cases start from the board-paper fixture (`tests/projects/`).
const SPEC: &str = "report.toml";
const OUT: &str = "out/paper-summary.docx";

/// Every part of a package: name → bytes.
fn parts(docx: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("zip");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).expect("read entry");
            (f.name().to_string(), bytes)
        })
        .collect()
}

/// Parts a build merges into (body, styles, numbering, relationships,
/// content types) or writes for this document (its properties).
const MERGED: &[&str] = &[
    "[Content_Types].xml",
    "word/document.xml",
    "word/_rels/document.xml.rels",
    "word/styles.xml",
    "word/numbering.xml",
    "docProps/core.xml",
    "docProps/app.xml",
    "docProps/custom.xml",
];

/// Sets `[style]` keys (`keys`, TOML lines) in the spec; the marking is
/// set to `marking`, or removed when it is `None`.
fn set_style(p: &Project, keys: &str, marking: Option<&str>) {
    match marking {
        Some(m) => p.set_toml(SPEC, &format!("[style]\n{keys}\nmarking = \"{m}\"")),
        None => {
            p.remove_toml(SPEC, "style.marking");
            p.set_toml(SPEC, &format!("[style]\n{keys}"));
        }
    }
}

/// Adds a paragraph in `style` to the summary's last section.
fn add_styled_paragraph(p: &Project, style: &str) {
    p.edit(
        "summary.md",
        "# Next steps\n",
        &format!(
            "# Next steps\n\nThe Board is recommended to note the findings. {{.style=\"{style}\"}}\n"
        ),
    );
}

fn build(p: &Project) -> Vec<u8> {
    p.run(&["build", SPEC]).success();
    std::fs::read(p.path(OUT)).expect("docx written")
}

/// Asserts every part of `template` not merged is in `out` byte for byte.
fn assert_sealed(template: &[u8], out: &[u8], also_merged: &[&str]) {
    let out = parts(out);
    for (name, bytes) in parts(template) {
        if MERGED.contains(&name.as_str()) || also_merged.contains(&name.as_str()) {
            continue;
        }
        let got = out.iter().find(|(n, _)| *n == name);
        assert!(got.is_some(), "template part `{name}` is missing");
        assert!(got.unwrap().1 == bytes, "template part `{name}` changed");
    }
}

fn house_docx() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/house.docx"))
        .expect("templates/house.docx")
}

#[test]
fn house_template_is_kept_sealed_and_styles_resolve_by_name() {
    let p = Project::fixture("board-paper");
    std::fs::write(p.path("house.docx"), house_docx()).expect("copy template");
    set_style(
        &p,
        "reference_docx = \"house.docx\"",
        Some("OFFICIAL-SENSITIVE"),
    );
    add_styled_paragraph(&p, "OPCC Recommendation");
    let docx = build(&p);
    let template = house_docx();
    // Theme, settings, font table, the logo: byte-identical.
    let running = ["word/header1.xml", "word/footer1.xml"];
    assert_sealed(&template, &docx, &running);
    // Header and footer: byte-identical but for the marking fields' result.
    for part in running {
        let want = docx_part(&template, part)
            .replace("<w:t>OFFICIAL</w:t>", "<w:t>OFFICIAL-SENSITIVE</w:t>");
        assert_eq!(docx_part(&docx, part), want, "{part}");
    }
    for part in [
        "word/header1.xml",
        "word/footer1.xml",
        "word/media/logo.png",
    ] {
        assert!(parts(&docx).iter().any(|(n, _)| n == part), "{part}");
    }
    let document = docx_part(&docx, "word/document.xml");
    assert!(
        document.contains(r#"<w:pStyle w:val="OPCCRecommendation"/>"#),
        "the custom style is used by id"
    );
    // The template's section: its margins and its header and footer.
    assert!(document.contains(r#"w:top="1134""#), "template margins");
    assert!(document.contains(r#"<w:headerReference w:type="default" r:id="rId6"/>"#));
    // The template's styles are all still there, in its order, ours after.
    let styles = docx_part(&docx, "word/styles.xml");
    let theirs = docx_part(&template, "word/styles.xml");
    let theirs = theirs.strip_suffix("</w:styles>").expect("styles end");
    assert!(styles.starts_with(theirs), "template styles rewritten");
    assert!(
        styles.contains(r#"<w:name w:val="List Bullet"/>"#),
        "latent style defined"
    );
    // Our lists take numbering ids above the template's one list.
    let numbering = docx_part(&docx, "word/numbering.xml");
    assert!(numbering.contains(r#"<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#));
    assert!(
        !document.contains(r#"<w:numId w:val="1"/>"#),
        "a list uses the template's list"
    );
    // The marking: the property the header and footer fields show.
    let custom = docx_part(&docx, "docProps/custom.xml");
    assert!(
        custom.contains("<vt:lpwstr>OFFICIAL-SENSITIVE</vt:lpwstr>"),
        "{custom}"
    );
    assert!(
        custom.contains(r#"name="Department""#),
        "template property kept"
    );
    assert_eq!(custom.matches(r#"name="Classification""#).count(), 1);
    assert!(docx_part(&docx, "docProps/core.xml")
        .contains("<cp:category>OFFICIAL-SENSITIVE</cp:category>"));
    assert!(docx_text(&docx).contains("The Board is recommended to note the findings."));
    let path = p.path(OUT);
    assert_valid_docx(&path);
    libreoffice_shows(
        &path,
        &[
            "Office of the Police and Crime Commissioner",
            "OFFICIAL-SENSITIVE",
            "Page {page} of",
        ],
    );
}

#[test]
fn foreign_template_is_kept_sealed() {
    let p = Project::fixture("board-paper");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/word/foreign.docx");
    std::fs::copy(&fixture, p.path("foreign.docx")).expect("copy fixture");
    set_style(&p, "reference_docx = \"foreign.docx\"", None);
    add_styled_paragraph(&p, "Force Note");
    let docx = build(&p);
    let template = std::fs::read(&fixture).expect("fixture");
    assert_sealed(&template, &docx, &[]);
    for part in [
        "word/header1.xml",
        "word/media/image1.png",
        "customXml/item1.xml",
        "word/webSettings.xml",
        "docProps/thumbnail.jpeg",
    ] {
        assert!(parts(&docx).iter().any(|(n, _)| n == part), "{part}");
    }
    let document = docx_part(&docx, "word/document.xml");
    assert!(
        document.contains(r#"<w:pStyle w:val="ForceNote"/>"#),
        "custom style by name"
    );
    // 3 cm top margin, 2.5 cm left, as python-docx set them.
    assert!(document.contains(r#"w:top="1701""#) && document.contains(r#"w:left="1417""#));
    assert!(
        !document.contains("Template body text"),
        "the template's body is replaced"
    );
    let path = p.path(OUT);
    assert_valid_docx(&path);
    libreoffice_shows(
        &path,
        &[
            "Foreign Constabulary Corporate Template",
            "Made with python-docx",
        ],
    );
}

#[test]
fn generated_word_file_carries_the_marking_and_page_numbers() {
    let p = Project::fixture("board-paper");
    set_style(&p, "header = \"Cambridgeshire OPCC\"", Some("OFFICIAL"));
    let docx = build(&p);
    let header = docx_part(&docx, "word/header1.xml");
    let footer = docx_part(&docx, "word/footer1.xml");
    assert!(header.contains("<w:t>OFFICIAL</w:t>") && header.contains("Cambridgeshire OPCC"));
    assert!(footer.contains("<w:t>OFFICIAL</w:t>"));
    assert!(footer.contains(" PAGE ") && footer.contains(" NUMPAGES "));
    let custom = docx_part(&docx, "docProps/custom.xml");
    assert!(
        custom.contains("<vt:lpwstr>OFFICIAL</vt:lpwstr>"),
        "{custom}"
    );
    let path = p.path(OUT);
    assert_valid_docx(&path);
    libreoffice_shows(
        &path,
        &["OFFICIAL", "Cambridgeshire OPCC", "Page {page} of"],
    );
}

/// Converts `docx` to PDF with LibreOffice (headless) and asserts every
/// page's text has each of `wanted` (header and footer are on every page;
/// `{page}` stands for the page's number).
/// Without LibreOffice the test fails, never skips: `.ci/run` installs it.
fn libreoffice_shows(docx: &Path, wanted: &[&str]) {
    let text = crate::support::libreoffice_text(docx);
    // pdftotext ends every page with a form feed.
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(
        pages.len() > 1,
        "LibreOffice laid out {} page(s)",
        pages.len()
    );
    for (i, page) in pages.iter().enumerate() {
        for w in wanted {
            let w = w.replace("{page}", &(i + 1).to_string());
            assert!(page.contains(&w), "page {} lacks {w:?}:\n{page}", i + 1);
        }
    }
}

/// The python-docx template with `footer` as its footer's paragraphs.
fn foreign_with_footer(p: &Project, paragraphs: &str) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/word/foreign.docx");
    let template = std::fs::read(fixture).expect("fixture");
    let edited = crate::support::replace_docx_part(&template, "word/footer1.xml", |xml| {
        xml.replace(
            "<w:t>Made with python-docx</w:t></w:r></w:p>",
            &format!("<w:t>Made with python-docx</w:t></w:r></w:p>{paragraphs}"),
        )
    });
    std::fs::write(p.path("foreign.docx"), edited).expect("write template");
    set_style(p, "reference_docx = \"foreign.docx\"", Some("OFFICIAL"));
}

/// How often `needle` is a paragraph's whole text in a part.
fn paragraphs_reading(xml: &str, needle: &str) -> usize {
    xml.split("</w:p>")
        .filter(|p| {
            let text: String = p
                .split("<w:t")
                .skip(1)
                .filter_map(|t| {
                    t.split_once('>')
                        .map(|(_, rest)| rest.split('<').next().unwrap_or(""))
                })
                .collect();
            text.trim() == needle
        })
        .count()
}

#[test]
fn a_template_showing_the_marking_as_typed_text_is_used_as_it_is() {
    let p = Project::fixture("board-paper");
    // Typed, and split over two runs as Word often stores it.
    foreign_with_footer(
        &p,
        "<w:p><w:r><w:t>OFF</w:t></w:r><w:r><w:t>ICIAL</w:t></w:r></w:p>",
    );
    let docx = build(&p);
    let footer = docx_part(&docx, "word/footer1.xml");
    assert_eq!(
        paragraphs_reading(&footer, "OFFICIAL"),
        1,
        "kept, not added twice: {footer}"
    );
    // The header showed none: the marking is added to it.
    let header = docx_part(&docx, "word/header1.xml");
    assert_eq!(paragraphs_reading(&header, "OFFICIAL"), 1, "{header}");
    assert_valid_docx(&p.path(OUT));
}

#[test]
fn a_template_showing_no_marking_gets_it_in_header_and_footer() {
    let p = Project::fixture("board-paper");
    foreign_with_footer(&p, "");
    let docx = build(&p);
    for part in ["word/header1.xml", "word/footer1.xml"] {
        assert_eq!(
            paragraphs_reading(&docx_part(&docx, part), "OFFICIAL"),
            1,
            "{part}"
        );
    }
    assert_valid_docx(&p.path(OUT));
}

#[test]
fn a_template_showing_another_marking_is_refused_naming_the_part() {
    let p = Project::fixture("board-paper");
    foreign_with_footer(&p, "<w:p><w:r><w:t>OFFICIAL-SENSITIVE</w:t></w:r></w:p>");
    let err = p.run(&["build", SPEC]).failure(1);
    assert!(
        err.contains("shows the protective marking `OFFICIAL-SENSITIVE` in `word/footer1.xml`, but the spec's marking is `OFFICIAL`"),
        "{err}"
    );
    assert!(!err.contains("header1"), "{err}");
}
