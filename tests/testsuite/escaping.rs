//! Data can never become markup: text cells full of Typst, Markdown, XML and
//! MiniJinja syntax, accents, right-to-left text and a 10,000-character cell
//! build, and arrive literally in both the PDF and the Word file.

use crate::support::{docx_text, pdf_text, Project};

const SPECIAL: &str =
    r#"# * _ $ @ < > [ ] \ // ~ ` & " ' | {{ x }} {% if %} =h -l +e 1. /t: <b>&amp;</b>"#;

fn project() -> Project {
    let p = Project::example();
    let long = "x".repeat(9_990) + "END-OF-LONG";
    let csv_cell = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    p.write(
        "data/notes.csv",
        &format!(
            "id,note\n1,{}\n2,{}\n3,{}\n4,{}\n",
            csv_cell(SPECIAL),
            csv_cell("accents é ü ñ — and Hebrew שלום"),
            csv_cell(&long),
            csv_cell("tab\there"),
        ),
    );
    p.write(
        "reports/escape/report.toml",
        r#"
[report]
name = "escape"
title = "Escaping {{ figures.special }}"
to = "Board"
from = "Analyst"
date = "2020-11-26"
root = "../.."
layout = "../../templates/board-paper.typ"

[content]
body = "body.md"
summary = "summary.md"

[sources.notes]
path = "../../data/notes.csv"
columns = { id = "int", note = "string" }

[figures.special]
sql = "SELECT note FROM notes WHERE id = 1"

[figures.international]
sql = "SELECT note FROM notes WHERE id = 2"

[figures.long]
sql = "SELECT note FROM notes WHERE id = 3"

[tables.note_list]
sql = "SELECT id, note FROM notes WHERE id <> 3 ORDER BY id"
columns = [{ name = "id", label = "Id", format = "integer" }, { name = "note", label = "Note <&>" }]
"#,
    );
    let content = "# Data\n\nSpecial: {{ figures.special }}\n\n- {{ figures.international }}\n\n{{ figures.long }}\n\n{{ tables.note_list | table }}\n";
    p.write("reports/escape/body.md", content);
    p.write("reports/escape/summary.md", content);
    p
}

fn outputs(p: &Project) -> (String, String) {
    p.run(&["build", "reports/escape/report.toml"]).success();
    let pdf = std::fs::read(p.path("reports/escape/out/escape.pdf")).unwrap();
    let docx = std::fs::read(p.path("reports/escape/out/escape-summary.docx")).unwrap();
    (pdf_text(&pdf), docx_text(&docx))
}

#[test]
fn special_characters_arrive_literally_in_the_pdf() {
    let (pdf, _) = outputs(&project());
    let flat: String = crate::support::flat(&pdf);
    let short = || flat.chars().take(600).collect::<String>();
    assert!(flat.contains(SPECIAL), "PDF text:\n{}", short());
    assert!(flat.contains("accents é ü ñ — and Hebrew"), "{}", short());
    // Extraction yields right-to-left text in visual order.
    assert!(
        flat.contains("שלום") || flat.contains("םולש"),
        "{}",
        short()
    );
    assert!(
        flat.replace(' ', "")
            .contains(&("x".repeat(200) + "END-OF-LONG")),
        "long cell"
    );
}

#[test]
fn special_characters_arrive_literally_in_the_docx() {
    let p = project();
    let (_, docx) = outputs(&p);
    assert!(docx.contains(SPECIAL), "DOCX text:\n{docx}");
    assert!(docx.contains("accents é ü ñ — and Hebrew שלום"));
    assert!(docx.contains(&("x".repeat(9_990) + "END-OF-LONG")));
    assert!(docx.contains("Note <&>"), "header labels are escaped too");
    crate::support::assert_valid_docx(&p.path("reports/escape/out/escape-summary.docx"));
}
