//! Typed tables as the real documents show them: captions numbered once
//! across the body and the appendix (PDF) and the summary (Word), header
//! rows that never sit at a page foot without two rows under them, Word
//! column widths from the content, and computed rate totals.

use crate::pdf::pages;
use crate::support::{docx_part, docx_text, pdf_text, Project};

/// The numbers of every "Table N:" caption in `text`, in order.
fn table_numbers(text: &str) -> Vec<u32> {
    let flat = crate::support::flat(text);
    flat.split("Table ")
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let after = rest[digits.len()..].starts_with(':');
            (after && !digits.is_empty()).then(|| digits.parse().unwrap())
        })
        .collect()
}

#[test]
fn captions_are_numbered_once_across_the_body_and_the_appendix() {
    // The board-paper fixture's body shows the offence-group table too (its
    // summary, four captioned tables, already does): one table, two
    // places, two numbers.
    let p = Project::fixture("board-paper");
    p.edit(
        "paper.md",
        "Key findings will inform",
        "{{ tables.offence_groups | table }}\n\nKey findings will inform",
    );
    let build = |p: &Project| {
        p.run(&["build", "report.toml"]).success();
        let read = |f: &str| std::fs::read(p.path(&format!("out/{f}"))).unwrap();
        (read("paper.pdf"), read("paper-summary.docx"))
    };
    let (pdf, docx) = build(&p);
    let text = pdf_text(&pdf);
    assert_eq!(table_numbers(&text), [1, 2, 3, 4, 5], "{text}");
    let flat = crate::support::flat(&text);
    assert!(flat.contains("Table 1: Resident victims by offence group"));
    assert!(flat.contains("Table 5: Resident victims by offence group"));
    // The Word file is the summary alone: by default its own numbers,
    // from 1, with no restarted field.
    let words = docx_text(&docx);
    assert_eq!(table_numbers(&words), [1, 2, 3, 4], "{words}");
    let xml = docx_part(&docx, "word/document.xml");
    assert_eq!(xml.matches(" SEQ Table \\r").count(), 0);
    assert_eq!(xml.matches(" SEQ Table \\* ARABIC ").count(), 4);
    // `captions = "as-pdf"`: the same numbers as the PDF's appendix, never
    // a second "Table 1"; Word's field restarts there.
    p.set_toml("report.toml", "[style.word]\ncaptions = \"as-pdf\"");
    let (_, docx) = build(&p);
    let words = docx_text(&docx);
    assert_eq!(table_numbers(&words), [2, 3, 4, 5], "{words}");
    let xml = docx_part(&docx, "word/document.xml");
    assert_eq!(xml.matches(" SEQ Table \\r 2 \\* ARABIC ").count(), 1);
    assert_eq!(xml.matches(" SEQ Table \\* ARABIC ").count(), 3);
}

/// A project with a 42-row table (seven districts by seven age bands, from
/// its own population file), placed eight times in the summary after 1 to
/// 8 short paragraphs, so that its starts fall at many heights on the
/// page, some of them near the foot.
fn long_tables() -> Project {
    let spec = crate::support::small_spec("Long tables", "")
        + r#"
[sources.population]
path = "data/population.csv"
columns = { district = "string", age_band = "string", population = "int" }

[tables.population_detail]
sql = "SELECT district, age_band, population FROM population ORDER BY district, age_band"
caption = "Population by district and age band"
totals = ["population"]
columns = [
  { name = "district", label = "District" },
  { name = "age_band", label = "Age band" },
  { name = "population", label = "Population", format = "integer" },
]
"#;
    let mut summary = String::from("The population of each district.\n");
    for copy in 1..=8 {
        for line in 1..=copy {
            summary += &format!("\nFiller {copy}.{line}.\n");
        }
        summary += "\n{{ tables.population_detail | table }}\n";
    }
    let p = crate::support::small_project(&spec, "The population.\n", &summary);
    let mut csv = String::from("district,age_band,population\n");
    for (d, district) in DISTRICTS.iter().enumerate() {
        for (b, band) in BANDS.iter().enumerate() {
            csv += &format!("{district},{band},{}\n", 10_000 + 1_000 * d + 37 * b);
        }
    }
    p.write("data/population.csv", &csv);
    p
}

const DISTRICTS: [&str; 6] = [
    "Cambridge",
    "East Cambridgeshire",
    "Fenland",
    "Huntingdonshire",
    "Peterborough",
    "South Cambridgeshire",
];
const BANDS: [&str; 7] = ["0-17", "18-24", "25-29", "30-39", "40-49", "50-64", "65+"];

#[test]
fn a_table_header_never_ends_a_page_with_fewer_than_two_rows_under_it() {
    let p = long_tables();
    p.run(&["build", "report.toml"]).success();
    let pdf = std::fs::read(p.path("out/case.pdf")).unwrap();
    // Table cells may all share one text line in the extracted text, so
    // rows are counted as words: a row is a district, an age band and a
    // number; a page's rows end at the first word that is none of those.
    let row_words = [
        "Cambridge",
        "East",
        "Cambridgeshire",
        "Fenland",
        "Huntingdonshire",
        "Peterborough",
        "South",
    ];
    let bands = BANDS;
    let is_number = |w: &str| w.chars().all(|c| c.is_ascii_digit() || c == ',');
    let mut headers = 0;
    for (n, page) in pages(&pdf).iter().enumerate() {
        let flat = crate::support::flat(page);
        for (at, _) in flat.match_indices("District Age band Population") {
            headers += 1;
            let after = flat[at..].split(' ').skip(4);
            let rows = after
                .take_while(|w| row_words.contains(w) || bands.contains(w) || is_number(w))
                .filter(|w| bands.contains(w))
                .count();
            assert!(
                rows >= 2,
                "page {} ends with the header and {rows} row(s):\n{flat}",
                n + 1
            );
        }
    }
    // Each copy starts once and breaks at least once (the header repeats).
    assert!(headers >= 16, "{headers} headers");
}

#[test]
fn word_columns_are_as_wide_as_their_longest_text() {
    let p = Project::example();
    let (_, docx) = p.build_example(&[]);
    let xml = docx_part(&docx, "word/document.xml");
    // The district table: fixed layout, grid and cells in twips that add up
    // to the text width, the first column wide enough for
    // "South Cambridgeshire" on one line (20 characters × 121 + margins).
    let table = &xml[xml.find("<w:tbl>").expect("a table")..];
    let table = &table[..table.find("</w:tbl>").unwrap()];
    assert!(table.contains("<w:tblLayout w:type=\"fixed\"/>"), "{table}");
    let grid: Vec<usize> = table
        .split("<w:gridCol w:w=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect();
    assert_eq!(grid.len(), 4, "{table}");
    assert_eq!(grid.iter().sum::<usize>(), 11906 - 2 * 1440);
    assert!(grid[0] >= 20 * 121 + 216, "{grid:?}");
    assert!(table.contains("South Cambridgeshire"));
    let first_cell = &table[table.find("<w:tcW ").unwrap()..];
    assert!(
        first_cell.starts_with(&format!("<w:tcW w:w=\"{}\" w:type=\"dxa\"/>", grid[0])),
        "{first_cell:.80}"
    );
    // Header row repeats; numbers right-aligned.
    assert!(table.contains("<w:tblHeader/>"));
    assert!(table.contains("<w:jc w:val=\"right\"/>"));
}

#[test]
fn the_totals_row_shows_the_rate_computed_from_the_totals() {
    let p = Project::example();
    let (pdf, docx) = p.build_example(&[]);
    let flat = crate::support::flat(&pdf_text(&pdf));
    // 36,845 victims ÷ 856,397 residents × 1,000 = 43.02…: the county's
    // rate, not the sum or mean of the districts' rates.
    assert!(flat.contains("Total 36,845 856,397 43.0"), "{flat}");
    assert!(docx_text(&docx).contains("Total\n36,845\n856,397\n43.0"));
}
