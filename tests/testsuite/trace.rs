//! Traceable figures: `boardpack explain` prints a figure's lineage from the
//! manifest alone.

use crate::support::{amounts_csv, CaseOutputs, Project, AMOUNTS_SOURCE, EXAMPLE};

const MANIFEST: &str = "reports/needs-assessment/out/needs-assessment.manifest.json";

#[test]
fn explain_prints_a_figures_query_views_inputs_checks_and_suppression() {
    let p = Project::example();
    p.run(&["build", EXAMPLE]).success();
    // Reads `params` and a view chain down to the victims source.
    let out = p.run(&["explain", MANIFEST, "victims_estimate"]).success();
    insta::assert_snapshot!(out);
    for must in [
        "views read: `county_victims`, `resident_victims`",
        "sources read: `victims`",
        "data/",
        "blake3 ",
    ] {
        assert!(out.contains(must), "`{must}` missing:\n{out}");
    }
    // A figure that reads no `params` says so rather than listing them all.
    let share = p.run(&["explain", MANIFEST, "fte_latest"]).success();
    assert!(
        share.contains("parameters: none selected from `params`"),
        "{share}"
    );
    assert!(!share.contains("source victims"), "{share}");
}

#[test]
fn explain_of_a_table_lists_its_lineage() {
    let p = Project::example();
    p.run(&["build", EXAMPLE]).success();
    let out = p.run(&["explain", MANIFEST, "age_risk"]).success();
    assert!(out.starts_with("table `age_risk`\n"), "{out}");
    assert!(out.contains("sources read: "), "{out}");
}

#[test]
fn explain_of_an_unknown_figure_suggests_the_closest_name() {
    let p = Project::example();
    p.run(&["build", EXAMPLE]).success();
    let err = p.run(&["explain", MANIFEST, "victims_resdent"]).failure(2);
    assert!(err.contains("did you mean `victims_resident`?"), "{err}");
    insta::assert_snapshot!(err);
}

/// A small paper printing three figures, each in both parts: an average
/// (234.5, printed "235" by `number`), a share (0.0625, "6.3%" by
/// `percent(1)`) and a text ("East"), and a table in the paper;
/// `appendix` is `[report]
/// sources_appendix` (none: the default).
fn traced_project(appendix: Option<bool>) -> Project {
    let setting = appendix
        .map(|b| format!("sources_appendix = {b}\n"))
        .unwrap_or_default();
    let spec = crate::support::small_spec("Traced figures", &setting)
        + AMOUNTS_SOURCE
        + r#"
[figures.mean_north]
sql = "SELECT AVG(amount) AS mean FROM amounts WHERE district = 'North'"
description = "Mean amount in the North"

[figures.share_negative]
sql = "SELECT SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END) * 1.0 / COUNT(*) AS share FROM amounts WHERE district = 'East'"

[tables.by_district]
sql = "SELECT district, COUNT(*) AS records FROM amounts GROUP BY district ORDER BY district"
caption = "Records by district"
columns = [
  { name = "district", label = "District" },
  { name = "records", label = "Records", format = "integer" },
]

[figures.top]
sql = "SELECT district FROM (SELECT district, COUNT(*) AS n FROM amounts GROUP BY district) ORDER BY n DESC, district LIMIT 1"
"#;
    let text = "Mean {{ figures.mean_north | number }}; share {{ figures.share_negative | percent(1) }}; most in {{ figures.top }}.\n";
    let paper = format!("{text}\n{{{{ tables.by_district | table }}}}\n");
    let p = crate::support::small_project(&spec, &paper, text);
    p.write("data/amounts.csv", &amounts_csv(""));
    p
}

/// (figure, as printed, the manifest's value as JSON text).
const PRINTED: [(&str, &str, &str); 3] = [
    ("mean_north", "235", "234.5"),
    ("share_negative", "6.3%", "0.0625"),
    ("top", "East", "East"),
];

/// The PDF's link annotations: (internal links, links to a URL).
fn pdf_links(pdf: &[u8]) -> (usize, usize) {
    let doc = lopdf::Document::load_mem(pdf).expect("PDF parses");
    let (mut internal, mut external) = (0, 0);
    for (_, page) in doc.get_pages() {
        for annot in doc.get_page_annotations(page).unwrap_or_default() {
            if annot.get(b"Subtype").and_then(|s| s.as_name()).ok() != Some(b"Link".as_slice()) {
                continue;
            }
            let action = annot.get(b"A").ok().and_then(|a| match a {
                lopdf::Object::Reference(r) => doc.get_dictionary(*r).ok(),
                lopdf::Object::Dictionary(d) => Some(d),
                _ => None,
            });
            let uri = action.is_some_and(|a| a.has(b"URI"));
            if uri {
                external += 1;
            } else if annot.has(b"Dest") || action.is_some_and(|a| a.has(b"D")) {
                internal += 1;
            }
        }
    }
    (internal, external)
}

#[test]
fn every_printed_figure_agrees_with_its_manifest_value_and_appendix_entry_in_all_outputs() {
    let CaseOutputs {
        pdf: pdf_bytes,
        docx,
        html,
        manifest,
    } = traced_project(Some(true)).build_case();
    let pdf = crate::support::pdf_text(&pdf_bytes);
    // Words as the extractor spaces them (a link's text is set off).
    let pdf = crate::support::flat(&pdf);
    let xml = crate::support::docx_part(&docx, "word/document.xml");
    let word = crate::support::docx_text(&docx);
    assert!(pdf.contains("Sources of the figures"), "{pdf}");
    assert!(word.contains("Sources of the figures"), "{word}");
    for (i, (figure, printed, value)) in PRINTED.iter().enumerate() {
        // The manifest holds the unrounded value the text was printed from.
        assert_eq!(
            manifest.figures[*figure]
                .value
                .to_string()
                .trim_matches('"'),
            *value
        );
        // HTML: the printed text carries the value and links to its entry,
        // which names the same value.
        let link = format!("<a class=\"figure\" href=\"#src-{figure}\"><data value=\"{value}\">{printed}</data></a>");
        assert_eq!(
            html.matches(&link).count(),
            2,
            "{link} in both parts:\n{html}"
        );
        let entry = &html[html
            .find(&format!("<h3 id=\"src-{figure}\">"))
            .expect("entry")..];
        let entry = &entry[..entry.find("</dl>").unwrap()];
        assert!(
            entry.contains(&format!("<dt>Value</dt><dd>{value}")),
            "{entry}"
        );
        // PDF: printed in the text; the appendix has the value.
        assert!(pdf.contains(printed), "{printed}: {pdf}");
        assert!(pdf.contains(&format!("Value: {value}")), "{value}: {pdf}");
        // Word: the printed run sits in the figure's bookmark, linked to
        // the appendix entry, which has the value.
        let name = format!("w:name=\"fig{}_{figure}\"", i + 1);
        let start = xml.find(&name).unwrap_or_else(|| panic!("{name}: {xml}"));
        let inside = &xml[start..start + xml[start..].find("w:bookmarkEnd").unwrap()];
        assert!(inside.contains(&format!(">{printed}</w:t>")), "{inside}");
        assert!(
            inside.contains(&format!("w:anchor=\"src{}\"", i + 1)),
            "{inside}"
        );
        assert!(xml.contains(&format!("w:name=\"src{}\"", i + 1)), "{xml}");
        assert!(word.contains(&format!("Value: {value}")), "{word}");
    }
    // The table's caption links to its entry: its rows, the hash of its
    // values (the manifest's) and its query.
    let table = &manifest.tables["by_district"];
    assert!(
        html.contains("<caption><a class=\"figure\" href=\"#src-table-by_district\">Table 1: Records by district</a></caption>"),
        "{html}"
    );
    let entry = &html[html
        .find("<h3 id=\"src-table-by_district\">")
        .expect("table entry")..];
    let entry = &entry[..entry.find("</dl>").unwrap()];
    let rows = format!("<dt>Rows</dt><dd>2 (values BLAKE3 {})", table.blake3);
    assert!(entry.contains(&rows), "{entry}");
    assert!(entry.contains("GROUP BY district"), "{entry}");
    assert!(
        pdf.contains(&format!("Rows: 2 (values BLAKE3 {})", table.blake3)),
        "{pdf}"
    );
    // Each of the six printed figures and the caption is an internal
    // link, none a URL (a screen reader then reads the text, not an
    // address).
    let (internal, external) = pdf_links(&pdf_bytes);
    assert_eq!((internal, external), (7, 0));
    // The appendix is the manifest's record: the query and the input's hash.
    let input = manifest
        .inputs
        .iter()
        .find(|i| i.path == "data/amounts.csv")
        .unwrap();
    assert!(html.contains(&input.blake3));
    assert!(pdf.contains(&input.blake3), "{pdf}");
}

#[test]
fn without_the_appendix_figures_keep_their_values_but_link_nowhere() {
    let out = traced_project(Some(false)).build_case();
    let html = &out.html;
    assert!(html.contains("<data value=\"234.5\">235</data>"), "{html}");
    assert!(!html.contains("Sources of the figures") && !html.contains("href=\"#src-"));
    assert!(!crate::support::pdf_text(&out.pdf).contains("Sources of the figures"));
    assert_eq!(pdf_links(&out.pdf), (0, 0));
    // By default: in the PDF and the web page, not in the Word file, which
    // still bookmarks each printed figure.
    let out = traced_project(None).build_case();
    assert!(out.html.contains("Sources of the figures"));
    assert!(!crate::support::docx_text(&out.docx).contains("Sources of the figures"));
    let xml = crate::support::docx_part(&out.docx, "word/document.xml");
    assert!(xml.contains("w:name=\"fig1_mean_north\""), "{xml}");
}
