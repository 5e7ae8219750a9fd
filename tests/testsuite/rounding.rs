//! Issue 23: halves round away from zero, as Excel's ROUND and an analyst
//! checking by hand do (234.5 → 235), in the text, the tables and the
//! charts of every output. Rust's own formatting rounds half to even
//! (234.5 → 234), which is what these cases would print if the shared
//! formatter ever fell back to it.

use crate::support::{amounts_csv, docx_text, html_text, pdf_text, Project, AMOUNTS_SOURCE};

const SPEC: &str = r#"
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

fn project() -> Project {
    let spec = crate::support::small_spec("Rounding case", "") + AMOUNTS_SOURCE + SPEC;
    let text = "Mean {{ figures.mean_north | number }}; share {{ figures.share_south | percent(1) }}.\n\n{{ tables.means | table }}\n";
    let p = crate::support::small_project(&spec, text, text);
    // South: -5 and 0, a mean of -2.5; and a row of the previous year.
    let extra = "2024-05-03,South,-5\n2024-05-04,South,0\n2023-05-01,North,1\n";
    p.write("data/amounts.csv", &amounts_csv(extra));
    p
}

#[test]
fn halves_round_away_from_zero_in_every_output() {
    let out = project().build_case();
    let pdf = pdf_text(&out.pdf);
    let docx = docx_text(&out.docx);
    let html = html_text(&out.html);
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
