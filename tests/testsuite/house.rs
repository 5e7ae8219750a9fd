//! Issue 26: what a house's own conventions need from a build. A small
//! project (incidents by district, laid over `tests/bad_inputs/_base`) with
//! a controlled table whose rate is derived from a hidden count, a chart of
//! that rate, and a house font that is not bundled.

use std::path::Path;

use boardpack::manifest::Manifest;

use crate::support::{docx_part, docx_text, pdf_text, Project};

/// The table's query: a shown count and rate, and the burglary count the
/// rate comes from, which only disclosure control reads.
const TABLE: &str = r#"
[tables.by_district]
sql = """
SELECT district, COUNT(*) AS incidents,
  SUM(CASE WHEN category = 'Burglary' THEN 1 ELSE 0 END) AS burglaries,
  100.0 * SUM(CASE WHEN category = 'Burglary' THEN 1 ELSE 0 END) / COUNT(*) AS pct_burglary
FROM incidents
GROUP BY district
ORDER BY district
"""
caption = "Incidents by district, {{ period }}"
totals = ["incidents"]
hidden = ["burglaries"]
columns = [
  { name = "district", label = "District" },
  { name = "incidents", label = "Incidents", format = "integer" },
  { name = "pct_burglary", label = "Burglary share", format = "decimal:1" },
]

[tables.by_district.protect]
counts = ["incidents", "burglaries"]
derived = { pct_burglary = "burglaries" }

[charts.share]
table = "by_district"
kind = "bar"
x = "district"
y = "pct_burglary"
format = "decimal:1"
title = "Burglary share by district"
alt = "Bar chart of the burglary share by district: {% for r in tables.by_district.rows %}{{ r.district }} {{ r.pct_burglary }}{{ '; ' if not loop.last }}{% endfor %}."

[disclosure]
threshold = 5
apply_to = ["tables.*"]
"#;

/// The base project with [`TABLE`] in place of its table, both parts
/// showing the table and the chart, and `style` as `[style]`.
fn project(style: &str) -> Project {
    let p = Project::empty();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs/_base");
    let spec = std::fs::read_to_string(base.join("report.toml")).unwrap();
    let cut = spec.find("[tables.by_district]").unwrap();
    let spec = format!(
        "{}{TABLE}\n[report.outputs]\npdf = \"case.pdf\"\ndocx = \"case.docx\"\nhtml = \"case.html\"\n\n[style]\n{style}\n",
        &spec[..cut]
    );
    // `[report.outputs]` must follow `[report]`'s keys: TOML allows the
    // sub-table anywhere after them.
    p.write("report.toml", &spec);
    let both = "{{ tables.by_district | table }}\n\n{{ chart(\"share\") }}\n";
    p.write("paper.md", &format!("# Findings\n\nBody.\n\n{both}"));
    p.write("summary.md", &format!("# Summary\n\nIn short.\n\n{both}"));
    std::fs::create_dir_all(p.path("data")).unwrap();
    std::fs::copy(
        base.join("data/incidents.csv"),
        p.path("data/incidents.csv"),
    )
    .unwrap();
    let layout = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/board-paper.typ");
    std::fs::copy(layout, p.path("layout.typ")).unwrap();
    p
}

fn outputs(p: &Project) -> (String, Vec<u8>, String, Manifest) {
    let pdf = pdf_text(&std::fs::read(p.path("out/case.pdf")).unwrap());
    let docx = std::fs::read(p.path("out/case.docx")).unwrap();
    let html = p.read("out/case.html");
    let manifest = Manifest::read(&p.path("out/case.manifest.json")).unwrap();
    (pdf, docx, html, manifest)
}

#[test]
fn a_rate_is_protected_by_a_hidden_count_that_is_never_printed() {
    let p = project("");
    p.run(&["build", "report.toml"]).success();
    let (pdf, docx, html, manifest) = outputs(&p);
    let word = docx_text(&docx);
    // East has 4 burglaries (under 5): its share is withheld everywhere.
    for (what, text) in [("PDF", &pdf), ("Word", &word), ("HTML", &html)] {
        assert!(text.contains("[c]"), "{what}: {text}");
        assert!(
            !text.contains("burglaries"),
            "{what} names the hidden column"
        );
    }
    // Three columns shown: East's incidents, then the marker for its share.
    assert!(
        pdf.contains("Burglary share East 12 [c] North 24 41.7"),
        "{pdf}"
    );
    // The public record of the table is its published shape: three columns.
    let public = serde_json::to_string(&manifest.public()).unwrap();
    assert!(!public.contains("burglaries"), "{public}");
    assert_eq!(
        manifest.tables["by_district"].columns,
        ["district", "incidents", "pct_burglary"]
    );
}

#[test]
fn a_withheld_bar_is_named_by_the_marker_with_the_reason() {
    let p = project("");
    p.run(&["build", "report.toml"]).success();
    let (_, _, html, _) = outputs(&p);
    assert!(
        !html.contains("East n/a") && !html.contains("East missing"),
        "{html}"
    );
    assert!(html.contains("East [c]"), "{html}");
    assert!(
        html.contains("[c]: suppressed to protect small counts (fewer than 5)."),
        "{html}"
    );
}

/// The table's `columns`, with `extra` (a line) before the share column.
fn columns(extra: Option<&str>) -> String {
    format!(
        "[tables.by_district]\ncolumns = [\n  \
         {{ name = \"district\", label = \"District\" }},\n  \
         {{ name = \"incidents\", label = \"Incidents\", format = \"integer\" }},\n\
         {}  {{ name = \"pct_burglary\", label = \"Burglary share\", format = \"decimal:1\" }},\n]",
        extra.unwrap_or("")
    )
}

#[test]
fn protecting_a_column_the_query_does_not_declare_suggests_hidden() {
    let p = project("");
    p.remove_toml("report.toml", "tables.by_district.hidden");
    p.set_toml(
        "report.toml",
        &columns(Some("  { name = \"burglaries\" },\n")),
    );
    // Shown and protected: builds, and prints the count (the old way).
    p.run(&["build", "report.toml"]).success();
    p.set_toml("report.toml", &columns(None));
    let err = p.run(&["build", "report.toml"]).failure(1);
    assert!(
        err.contains("has no column `burglaries`") && err.contains("hidden = [\"burglaries\"]"),
        "{err}"
    );
    p.set_toml(
        "report.toml",
        "[tables.by_district]\nhidden = [\"burglary\"]",
    );
    let err = p.run(&["build", "report.toml"]).failure(1);
    assert!(err.contains("did you mean `burglaries`?"), "{err}");
}

#[test]
fn word_captions_are_the_summarys_own_unless_asked_as_in_the_pdf() {
    let p = project("");
    p.run(&["build", "report.toml"]).success();
    let (pdf, docx, _, manifest) = outputs(&p);
    // The PDF's appendix repeats the body's table and chart as the second.
    assert!(pdf.contains("Table 2") && pdf.contains("Figure 2"), "{pdf}");
    let word = docx_text(&docx);
    assert!(
        word.contains("Table 1") && word.contains("Figure 1"),
        "{word}"
    );
    assert!(
        !word.contains("Table 2") && !word.contains("Figure 2"),
        "{word}"
    );
    let numbers: Vec<(&str, u32, u32)> = manifest
        .word_captions
        .iter()
        .map(|c| (c.kind.as_str(), c.word, c.pdf))
        .collect();
    assert_eq!(numbers, [("Table", 1, 2), ("Figure", 1, 2)]);

    let p = project("[style.word]\ncaptions = \"as-pdf\"");
    p.run(&["build", "report.toml"]).success();
    let (_, docx, _, manifest) = outputs(&p);
    let word = docx_text(&docx);
    assert!(
        word.contains("Table 2") && word.contains("Figure 2"),
        "{word}"
    );
    let xml = docx_part(&docx, "word/document.xml");
    assert!(xml.contains("SEQ Table \\r 2"), "{xml}");
    assert!(manifest.word_captions.iter().all(|c| c.word == c.pdf));

    let p = project("[style.word]\ncaptions = \"pdf\"");
    let err = p.run(&["build", "report.toml"]).failure(1);
    assert!(err.contains("unknown caption numbering `pdf`"), "{err}");
}

#[test]
fn a_sans_serif_house_font_is_set_in_the_bundled_stand_in() {
    let p = project("body_font = \"Arial\"");
    let run = p.run(&["build", "report.toml"]);
    run.success();
    let err = run.stderr();
    assert!(
        err.contains("note: `style.body_font` \"Arial\" is not bundled: the PDF and the charts use \"Liberation Sans\""),
        "{err}"
    );
    let pdf = std::fs::read(p.path("out/case.pdf")).unwrap();
    let embedded = String::from_utf8_lossy(&pdf);
    assert!(
        embedded.contains("LiberationSans"),
        "no Liberation Sans in the PDF"
    );
    let html = p.read("out/case.html");
    // The chart (inline in the page) is set in the stand-in too.
    assert!(html.contains("font-family=\"Liberation Sans\""), "{html}");
    // Word names the house font: its readers have Arial.
    let docx = std::fs::read(p.path("out/case.docx")).unwrap();
    let styles = docx_part(&docx, "word/styles.xml");
    assert!(styles.contains("w:ascii=\"Arial\""), "{styles}");
    // Without a stand-in, an unknown font is still refused.
    let p = project("body_font = \"Comic Sans\"");
    let err = p.run(&["build", "report.toml"]).failure(1);
    assert!(err.contains("no font family `Comic Sans`"), "{err}");
}

#[test]
fn quarters_of_the_financial_year_this_year_against_last() {
    let p = project("");
    let spec = p.read("report.toml");
    p.write(
        "report.toml",
        &format!(
            "{spec}\n{}",
            r#"
[tables.by_quarter]
sql = "SELECT fy_quarter(date) AS quarter, COUNT(*) AS incidents FROM incidents GROUP BY quarter ORDER BY quarter"
disclosure = false
disclosure_reason = "quarterly totals are published"

[charts.quarters]
table = "by_quarter"
kind = "year-on-year"
x = "quarter"
y = "incidents"
title = "Incidents by quarter"
alt = "{% for q in period.quarters %}{{ q.label }} ({{ q.months }}, from {{ q.start }}){{ '; ' if not loop.last }}{% endfor %}"
"#
        ),
    );
    p.edit(
        "summary.md",
        "In short.",
        "In short.\n\n{{ chart(\"quarters\") }}",
    );
    p.run(&["build", "report.toml"]).success();
    let html = p.read("out/case.html");
    // Q1 is April to June; each quarter of 2023/24 had 18, of 2024/25 15.
    assert!(
        html.contains(
            "Grouped bar chart. 2023/24: 1 18, 2 18, 3 18, 4 18. 2024/25: 1 15, 2 15, 3 15, 4 15."
        ),
        "{html}"
    );
    assert!(
        html.contains(
            "Q1 (April to June, from 2024-04-01); Q2 (July to September, from 2024-07-01)"
        ),
        "{html}"
    );
    // One value column only: the chart draws last year's beside it.
    p.set_toml(
        "report.toml",
        "[charts.quarters]\ny = [\"incidents\", \"quarter\"]",
    );
    let err = p.run(&["build", "report.toml"]).failure(1);
    assert!(
        err.contains("a year-on-year chart shows one value column, not 2"),
        "{err}"
    );
}
