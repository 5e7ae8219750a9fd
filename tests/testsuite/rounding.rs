//! Issue 23: halves round away from zero, as Excel's ROUND and an analyst
//! checking by hand do (234.5 → 235), in the text, the tables and the
//! charts of every output. Rust's own formatting rounds half to even
//! (234.5 → 234), which is what these cases would print if the shared
//! formatter ever fell back to it.

use crate::support::{docx_text, html_text, pdf_text, Project};

const SPEC: &str = r#"
[sources.amounts]
path = "data/amounts.csv"
period_column = "date"
sparse = "a test extract: a few rows chosen for their means"

[sources.amounts.columns]
date = "date"
district = "string"
amount = "int"

[figures.mean_north]
sql = "SELECT AVG(amount) AS mean FROM amounts WHERE district = 'North'"

[figures.share_south]
sql = "SELECT SUM(CASE WHEN amount < 0 THEN 1 ELSE 0 END) * 1.0 / COUNT(*) AS share FROM amounts WHERE district = 'East'"

[tables.means]
sql = """
SELECT district, AVG(amount) AS mean
FROM amounts
GROUP BY district
ORDER BY district
"""
caption = "Mean amount by district, {{ period }}"
columns = [
  { name = "district", label = "District" },
  { name = "mean", label = "Mean amount", format = "integer" },
]
"#;

/// North: 234 and 235 (mean 234.5); South: -5 and 0 (mean -2.5); East:
/// one negative amount in sixteen (a share of 0.0625, 6.25%). All three
/// are exact in binary, so only the rounding rule decides.
fn data() -> String {
    let mut rows = String::from("date,district,amount\n2024-05-01,North,234\n2024-05-02,North,235\n2024-05-03,South,-5\n2024-05-04,South,0\n");
    for day in 1..=16 {
        let amount = if day == 1 { -1 } else { 0 };
        rows.push_str(&format!("2024-06-{day:02},East,{amount}\n"));
    }
    rows.push_str("2023-05-01,North,1\n");
    rows
}

fn project() -> Project {
    let spec = crate::support::small_spec("Rounding case", "") + SPEC;
    let text = "Mean {{ figures.mean_north | number }}; share {{ figures.share_south | percent(1) }}.\n\n{{ tables.means | table }}\n";
    let p = crate::support::small_project(&spec, text, text);
    p.write("data/amounts.csv", &data());
    p
}

#[test]
fn halves_round_away_from_zero_in_every_output() {
    let p = project();
    p.run(&["build", "report.toml"]).success();
    let pdf = pdf_text(&std::fs::read(p.path("out/case.pdf")).unwrap());
    let docx = docx_text(&std::fs::read(p.path("out/case.docx")).unwrap());
    let html = html_text(&p.read("out/case.html"));
    for (name, text) in [("PDF", &pdf), ("Word", &docx), ("HTML", &html)] {
        // Spaces aside: a printed figure is a link, whose text a PDF
        // extractor and the tag-stripped page set off with spaces.
        let tight: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            tight.contains("Mean235;"),
            "{name}: 234.5 is not 235: {text}"
        );
        assert!(
            tight.contains("share6.3%."),
            "{name}: 6.25% is not 6.3%: {text}"
        );
        let south = text
            .find("South")
            .unwrap_or_else(|| panic!("{name}: no South row: {text}"));
        let cell: String = text[south + 5..]
            .chars()
            .filter(|c| !c.is_whitespace())
            .take(2)
            .collect();
        assert_eq!(cell, "-3", "{name}: -2.5 is not -3: {text}");
    }
}
