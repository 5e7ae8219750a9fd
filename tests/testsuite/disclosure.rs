//! Disclosure control: the example's two-way table as the reader sees it in
//! the PDF and the Word file, re-audited from the published numbers alone;
//! the public manifest without a suppressed value; a hand-made exposed
//! pattern failing the build.

use boardpack::manifest::Manifest;
use boardpack::stages::{intervals, PublishedGrid};

use crate::support::{docx_text, pdf_text, Project};

const CAPTION: &str = "Resident victims of robbery by district and age band";
const DISTRICTS: [&str; 6] = [
    "Cambridge",
    "East Cambridgeshire",
    "Fenland",
    "Huntingdonshire",
    "Peterborough",
    "South Cambridgeshire",
];
const OUT: &str = "reports/needs-assessment/out";

/// A shown cell: a count, or `None` for the marker.
fn cell(text: &str) -> Option<i64> {
    match text {
        "[c]" => None,
        n => Some(
            n.replace(',', "")
                .parse()
                .unwrap_or_else(|_| panic!("not a count: `{n}`")),
        ),
    }
}

/// The grid as published: rows of interior cells with a row total at the
/// end, then the totals row (its first cell is the label).
fn grid(rows: Vec<Vec<Option<i64>>>, totals: Vec<Option<i64>>) -> PublishedGrid {
    let known = |v: &Option<i64>| v.expect("totals are never suppressed");
    let row_totals = rows.iter().map(|r| known(r.last().unwrap())).collect();
    let cells: Vec<Vec<Option<i64>>> = rows.iter().map(|r| r[..r.len() - 1].to_vec()).collect();
    let column_totals = totals[..totals.len() - 1].iter().map(known).collect();
    PublishedGrid {
        cells,
        row_totals: Some(row_totals),
        column_totals: Some(column_totals),
    }
}

/// Asserts that the grid hides something and that nothing hidden can be
/// narrowed below the threshold; returns how many cells are hidden.
fn assert_protected(g: &PublishedGrid) -> usize {
    let audited = intervals(g).expect("the published numbers add up");
    assert!(
        !audited.is_empty(),
        "the example table needs suppression: {g:?}"
    );
    for (at, iv) in &audited {
        assert!(
            iv.protects(5),
            "cell {at:?} can be narrowed to {iv:?} in {g:?}"
        );
    }
    audited.len()
}

/// The table in the PDF text (a stream of words): each row is its label
/// followed by six cells; the totals row follows the last district.
fn pdf_grid(text: &str) -> PublishedGrid {
    let start = text.find(CAPTION).expect("caption in the PDF");
    let text = &text[start..];
    let cells_after = |at: usize| -> Vec<Option<i64>> {
        text[at..].split_whitespace().take(6).map(cell).collect()
    };
    let mut end = 0;
    let rows = DISTRICTS
        .iter()
        .map(|d| {
            let label = format!(" {d} ");
            let at = text
                .find(&label)
                .unwrap_or_else(|| panic!("no row `{d}` in the PDF table: {text}"));
            end = end.max(at + label.len());
            cells_after(at + label.len())
        })
        .collect();
    // The header repeats if the table breaks across pages: the totals row
    // is the `Total` followed by a number.
    let totals = text[end..]
        .match_indices("Total ")
        .map(|(i, m)| end + i + m.len())
        .find(|&i| {
            text[i..]
                .split_whitespace()
                .next()
                .is_some_and(|w| w.replace(',', "").parse::<i64>().is_ok())
        })
        .expect("totals row in the PDF");
    grid(rows, cells_after(totals))
}

/// The table's cells in the Word text: one paragraph per cell, the rows in
/// order after the header (which ends with `Total` too).
fn docx_grid(text: &str) -> PublishedGrid {
    let start = text.find(CAPTION).expect("caption in Word");
    let paras: Vec<&str> = text[start..].lines().collect();
    let width = 7; // District, five age bands, Total
    let mut from = paras.iter().position(|p| *p == "Total").expect("header") + 1;
    let mut row = |label: &str| -> Vec<Option<i64>> {
        let i = from
            + paras[from..]
                .iter()
                .position(|p| *p == label)
                .unwrap_or_else(|| panic!("no row `{label}` in the Word table"));
        from = i + width;
        paras[i + 1..i + width].iter().map(|c| cell(c)).collect()
    };
    let rows = DISTRICTS.iter().map(|d| row(d)).collect();
    grid(rows, row("Total"))
}

#[test]
fn no_suppressed_value_can_be_recovered_from_either_document() {
    let p = Project::example();
    let (pdf, docx) = p.build_example(&[]);
    let from_pdf = pdf_grid(&pdf_text(&pdf));
    let from_docx = docx_grid(&docx_text(&docx));
    assert_eq!(from_pdf, from_docx, "both documents publish the same table");
    let hidden = assert_protected(&from_pdf);

    // The public manifest says how many, and holds no suppressed value.
    let public = Manifest::read(&p.path(&format!("{OUT}/needs-assessment.manifest.json"))).unwrap();
    let d = public.disclosure.as_ref().expect("disclosure recorded");
    assert_eq!(d.tables["robbery_by_age"].suppressed, hidden);
    assert_eq!(d.tables["fte_trend"].status, "opted out");
    assert!(public.private.is_none());
    // The analyst's manifest has each cell's value and audited interval.
    let private = Manifest::read(&p.path(&format!(
        "{OUT}.private/needs-assessment.manifest.private.json"
    )))
    .unwrap();
    let cells = &private.private.as_ref().expect("private part").suppressed["robbery_by_age"];
    assert_eq!(cells.len(), hidden);
    for c in cells {
        assert!(
            c.lo <= c.value && c.hi.is_none_or(|hi| c.value <= hi && hi - c.lo >= 5),
            "{c:?}"
        );
    }
    assert!(cells.iter().any(|c| c.reason == "primary" && c.value < 5));
    // No private field, and no table hash before suppression, reaches the PDF.
    let (_, embedded) = crate::pdf::attachments(&pdf)
        .into_iter()
        .next()
        .expect("attachment");
    let embedded: Manifest = serde_json::from_slice(&embedded).unwrap();
    assert!(embedded.private.is_none());
    let raw = &private.private.as_ref().unwrap().computed_tables["robbery_by_age"].blake3;
    assert!(!String::from_utf8_lossy(&pdf).contains(raw.as_str()));
    assert_ne!(&public.tables["robbery_by_age"].blake3, raw);
}

#[test]
fn an_exposed_hand_made_pattern_fails_the_build() {
    // The board-paper fixture's two-way robbery table hides one small
    // count; without secondary suppression the totals give it away.
    let p = Project::fixture("board-paper");
    p.set_toml(
        "report.toml",
        r#"[tables.robbery_by_age]
protect = { rows = "district", columns = "age_band", value = "victims", secondary = false }"#,
    );
    let err = p.run(&["build", "report.toml"]).failure(1);
    assert!(
        err.contains("table `robbery_by_age` would disclose a suppressed count"),
        "{err}"
    );
    assert!(err.contains("report.toml:"), "names the spec line: {err}");
    assert!(!p.path("out/paper.pdf").exists(), "nothing written");
}
