//! Charts and accessible documents: the PDF is PDF/UA-1 with described
//! figures and header cells; the Word file has described pictures, header
//! rows and headings in order; charts are the same bytes every build.

use std::collections::BTreeMap;

use crate::pdf::{structure, xmp};
use crate::support::{docx_part, pdf_text, Project, EXAMPLE};

#[test]
fn the_pdf_is_pdf_ua_1_with_described_figures_and_header_cells() {
    let p = Project::example();
    let (pdf, _) = p.build_example(&[]);
    let meta = xmp(&pdf);
    assert!(
        meta.contains("pdfuaid:part>1<") || meta.contains("pdfuaid:part=\"1\""),
        "{meta}"
    );
    let tree = structure(&pdf);
    let figures: Vec<&Option<String>> = tree
        .iter()
        .filter(|(kind, _)| kind == "Figure")
        .map(|(_, alt)| alt)
        .collect();
    assert_eq!(figures.len(), 4, "{tree:?}");
    for alt in &figures {
        let alt = alt.as_deref().expect("every figure has /Alt");
        assert!(alt.ends_with('.') && alt.len() > 60, "{alt}");
    }
    let first = figures[0].as_deref().unwrap();
    assert!(
        first.starts_with("Bar chart of resident victims per 1,000 population by district in 2019/20: Peterborough 65.8;"),
        "{first}"
    );
    let kinds: BTreeMap<&str, usize> = tree.iter().fold(BTreeMap::new(), |mut m, (k, _)| {
        *m.entry(k.as_str()).or_default() += 1;
        m
    });
    for needed in [
        "Document", "H1", "H2", "Table", "TH", "TD", "Caption", "L", "LI",
    ] {
        assert!(kinds.contains_key(needed), "no {needed} in {kinds:?}");
    }
    let text = pdf_text(&pdf);
    for caption in [
        "Figure 1: Resident victims per 1,000 population by district, 2019/20",
        "Figure 4: First-time entrants to the criminal justice system, 2015/16 to 2019/20",
        "Table 1: Resident victims and victimisation rates by district, 2019/20",
    ] {
        let flat = crate::support::flat(&text);
        assert!(flat.contains(caption), "no `{caption}` in\n{flat}");
    }
}

#[test]
fn the_docx_has_described_pictures_header_rows_totals_and_ordered_headings() {
    let p = Project::example();
    let (_, docx) = p.build_example(&[]);
    let doc = docx_part(&docx, "word/document.xml");
    let described: Vec<&str> = doc
        .split("<wp:docPr ")
        .skip(1)
        .map(|s| {
            let s = &s[s.find("descr=\"").expect("descr") + 7..];
            &s[..s.find('"').unwrap()]
        })
        .collect();
    assert_eq!(described.len(), 4);
    assert!(described[0]
        .starts_with("Bar chart of resident victims per 1,000 population by district in 2019/20"));
    // Each picture is at least 200 dpi at its size on the page.
    for i in 1..=4 {
        let png = crate::support::docx_bytes(&docx, &format!("word/media/rIdImage{i}.png"));
        let width_px = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        let at = doc.find(&format!("r:embed=\"rIdImage{i}\"")).unwrap();
        let ext = &doc[..at];
        let ext = &ext[ext.rfind("<wp:extent cx=\"").unwrap() + 15..];
        let cx: f64 = ext[..ext.find('"').unwrap()].parse().unwrap();
        let dpi = f64::from(width_px) / (cx / 914_400.0);
        assert!(dpi >= 199.5, "picture {i} is {dpi:.0} dpi");
    }
    // Tables: header rows repeat; the district table ends in a bold total.
    assert_eq!(doc.matches("<w:tblHeader/>").count(), 5, "five data tables");
    assert!(doc.contains("<w:pStyle w:val=\"Caption\"/>"));
    // Word's own caption numbering, so Insert Caption and a Table of
    // Figures work on the editable summary.
    assert_eq!(doc.matches(" SEQ Figure \\* ARABIC ").count(), 4);
    assert_eq!(doc.matches(" SEQ Table \\* ARABIC ").count(), 5);
    // Headings in order, never skipping a level.
    let mut levels = Vec::new();
    for part in doc.split("<w:pStyle w:val=\"Heading").skip(1) {
        levels.push(part[..1].parse::<u8>().unwrap());
    }
    let mut previous = 0;
    for l in &levels {
        assert!(*l <= previous + 1, "heading levels {levels:?}");
        previous = *l;
    }
    let core = docx_part(&docx, "docProps/core.xml");
    assert!(core.contains("<dc:title>"), "{core}");
    assert!(core.contains("<dc:language>en-GB</dc:language>"), "{core}");
    crate::support::assert_valid_docx(
        &p.path("reports/needs-assessment/out/needs-assessment-summary.docx"),
    );
}

#[test]
fn totals_rows_sum_the_declared_columns() {
    let p = Project::example();
    let (pdf, docx) = p.build_example(&[]);
    let flat = crate::support::flat(&pdf_text(&pdf));
    assert!(flat.contains("Total 36,845 856,397"), "{flat}");
    let doc = docx_part(&docx, "word/document.xml");
    let total = doc.find(">Total<").expect("totals row in Word");
    assert!(
        doc[..total].rfind("<w:b/>").unwrap() > doc[..total].rfind("<w:tr").unwrap(),
        "bold total"
    );
}

#[test]
fn charts_are_the_same_bytes_every_build() {
    let build = || {
        boardpack::build(&boardpack::BuildOptions {
            spec: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE),
            ..Default::default()
        })
        .expect("example builds")
    };
    let figures = |b: &boardpack::Build| -> Vec<boardpack::doc::Figure> {
        b.rendered()
            .document
            .summary
            .iter()
            .filter_map(|block| match block {
                boardpack::doc::Block::Figure(f) => Some(f.clone()),
                _ => None,
            })
            .collect()
    };
    let (a, b) = (figures(&build()), figures(&build()));
    assert_eq!(a.len(), 4);
    assert_eq!(a, b, "SVG and PNG bytes identical");
    let district = a.iter().find(|f| f.name == "victims_by_district").unwrap();
    insta::assert_snapshot!("victims_by_district_svg", &*district.svg);
    let ages = a.iter().find(|f| f.name == "victims_by_age").unwrap();
    // 25-29 is visibly highest: its value label is the largest drawn.
    assert!(
        ages.alt.contains("highest for those aged 25-29"),
        "{}",
        ages.alt
    );
}

/// The board-paper fixture (three charts: by district, by age band, by
/// offence group) with its age table small and a grouped-bar chart of it
/// placed after the age chart.
#[test]
fn grouped_bars_and_small_tables_from_the_spec() {
    let p = Project::fixture("board-paper");
    p.set_toml(
        "report.toml",
        r#"
[tables.victims_by_age]
small = true

[charts.age_grouped]
table = "victims_by_age"
kind = "grouped-bar"
x = "age_band"
y = ["victims", "rate_per_1000"]
title = "Victims and rates by age band"
alt = "Grouped bars of resident victims and their rate per 1,000 by age band."
"#,
    );
    p.edit(
        "summary.md",
        "{{ chart(\"victims_by_age\") }}",
        "{{ chart(\"victims_by_age\") }}\n\n{{ chart(\"age_grouped\") }}",
    );
    p.run(&["build", "report.toml"]).success();
    let pdf = std::fs::read(p.path("out/paper.pdf")).unwrap();
    let docx = std::fs::read(p.path("out/paper-summary.docx")).unwrap();
    let tree = structure(&pdf);
    assert_eq!(tree.iter().filter(|(k, _)| k == "Figure").count(), 4);
    let flat = crate::support::flat(&pdf_text(&pdf));
    assert!(
        flat.contains("Figure 3: Victims and rates by age band"),
        "{flat}"
    );
    assert!(
        flat.contains("Figure 4: Resident victims by offence group"),
        "renumbered: {flat}"
    );
    let doc = docx_part(&docx, "word/document.xml");
    let table = doc.find("Resident victims by age band").unwrap();
    let rest = &doc[table..];
    let table_end = rest.find("</w:tbl>").unwrap();
    assert!(
        rest[..table_end].contains("<w:sz w:val=\"18\"/>"),
        "small table in Word"
    );
    assert!(doc.contains("descr=\"Grouped bars of resident victims"));
}
