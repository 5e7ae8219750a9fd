//! `boardpack init reports/my-paper`: a new report that builds at once and
//! explains itself in comments — spec, content templates, the house style
//! and a tiny sample CSV — so an analyst can start a paper without reading
//! Rust. Refuses to touch an existing folder.

use std::path::{Path, PathBuf};

use crate::error::{display_path, Error, ErrorKind, Result};

/// The house style, copied into the new report so it can be edited there.
const LAYOUT: &str = include_str!("../templates/board-paper.typ");

const SPEC: &str = r#"# {{TITLE}}: a boardpack report.
#
# Build the PDF paper, the Word summary and the provenance manifest (into out/):
#   boardpack build {{DIR}}/report.toml
# Check everything without writing:
#   boardpack check {{DIR}}/report.toml
# Next year's paper: moves `period` and `date` below on a year, keeps these
# comments, and rebuilds:
#   boardpack refresh {{DIR}}/report.toml
#
# Every number in the paper is computed by the SQL below from the files in
# data/; paper.md and summary.md only say how to word it.

[report]
name = "{{NAME}}"
title = {{TITLE}}
to = "Board"
from = "Chief Executive"
# The date printed on the paper. The clock is never read, so a rebuild gives
# identical files.
date = 2025-06-30
# The house style (Typst): page, fonts, numbering. Edit it to restyle.
layout = "layout.typ"

[content]
# The board paper (PDF) and the executive summary (the Word file, and the
# PDF's appendix). Markdown with {{ figures.NAME }} and {% if %} from MiniJinja.
body = "paper.md"
summary = "summary.md"

# Parameters can be overridden per build: --set period=2023/24
[params.period]
type = "financial-year"
default = "2024/25"
description = "The financial year the paper reports on"

# A data source is a CSV file; every column used must be declared with its
# type (string, int, float, bool, date). Every declared column is required: an
# empty cell is an error unless the column says `{ type = "int", nullable = true }`.
# Every bad cell is reported by line and column.
[sources.incidents]
path = "data/incidents.csv"
# Only rows whose `date` falls in the period are used; the previous period's
# rows give the comparisons (`figures.NAME.previous`, `| change`).
period_column = "date"

[sources.incidents.columns]
date = "date"
district = "string"
category = "string"

# Figures: SQL returning one value. Sources, views and tables are SQL tables.
[figures.incidents]
description = "Incidents recorded in the period"
sql = "SELECT COUNT(*) AS incidents FROM incidents"

# A query can select from a table defined below.
[figures.busiest_district]
sql = "SELECT district FROM by_district LIMIT 1"

# Tables: SQL returning rows; `columns` picks, labels and formats them
# (text, integer, decimal:N, percent:N).
[tables.by_district]
sql = """
WITH d AS (SELECT district, COUNT(*) AS incidents FROM incidents GROUP BY district),
     t AS (SELECT SUM(incidents) AS total FROM d)
SELECT d.district, d.incidents, d.incidents * 1.0 / t.total AS share
FROM d CROSS JOIN t
ORDER BY d.incidents DESC, d.district
"""
caption = "Incidents by district, {{ period }}"
totals = ["incidents"]
columns = [
  { name = "district", label = "District" },
  { name = "incidents", label = "Incidents", format = "integer" },
  { name = "share", label = "Share", format = "percent:1" },
]

# Charts are drawn from a table: vector in the PDF, a picture in Word.
# `alt` is read out to people who cannot see the chart: say what it shows.
# Place it in paper.md or summary.md with {{ chart("by_district") }}.
[charts.by_district]
table = "by_district"
kind = "bar"                  # bar, horizontal-bar, grouped-bar, line, table-bars
x = "district"
y = "incidents"
title = "Incidents by district, {{ period }}"
value_labels = true
alt = """
Bar chart of incidents by district in {{ period }}:
{% for r in tables.by_district.rows %}{{ r.district }} {{ r.incidents }}{{ "; " if not loop.last else "." }}{% endfor %}
"""
"#;

const PAPER: &str = r#"{#- The board paper. `#` headings are numbered sections and every paragraph
    under them is numbered by the house style; `##` headings are not. -#}
# Purpose

This paper sets out the incidents recorded in {{ period }} ({{ period.start | date }} to {{ period.end | date }}).

# Findings

{{ figures.incidents | number }} incidents were recorded in {{ period }}.
{%- if figures.incidents.has_previous %} The number {{ figures.incidents | direction("rose", "fell", "did not change") }}: {{ figures.incidents | change }}, from {{ figures.incidents.previous | number }}.{% endif %}

The busiest district was {{ figures.busiest_district }}.

{{ tables.by_district | table }}

{{ chart("by_district") }}

# Recommendation

The Board is asked to note this paper.
"#;

const SUMMARY: &str = r#"{#- The executive summary: the Word document, and the PDF's appendix. -#}
# Summary

- {{ figures.incidents | number }} incidents in {{ period }}{% if figures.incidents.has_previous %} ({{ figures.incidents | change }}){% endif %}.
- Most were in {{ tables.by_district.rows[:2] | map(attribute="district") | prose_list }}.
"#;

/// A tiny, deterministic sample: two financial years of incidents.
fn sample_csv() -> String {
    let districts = ["North", "South", "East", "West"];
    let categories = ["Burglary", "Theft", "Criminal damage"];
    let mut out = String::from("date,district,category\n");
    let mut n = 0usize;
    for (year, per_month) in [(2023, 5usize), (2024, 4usize)] {
        for m in 0..12 {
            let (y, month) = if m < 9 {
                (year, m + 4)
            } else {
                (year + 1, m - 8)
            };
            for k in 0..per_month + (m % 3) {
                n += 1;
                let day = 1 + (k * 7 + m) % 28;
                // Uneven, so there is a busiest district: 4 : 3 : 2 : 1.
                let district = districts[match n % 10 {
                    0..=3 => 0,
                    4..=6 => 1,
                    7..=8 => 2,
                    _ => 3,
                }];
                let category = categories[(n + m) % 3];
                out += &format!("{y}-{month:02}-{day:02},{district},{category}\n");
            }
        }
    }
    out
}

/// What [`init`] made.
#[derive(Debug)]
pub struct Made {
    /// The files written.
    pub files: Vec<PathBuf>,
    /// The title the spec was given.
    pub title: String,
}

/// The title a folder name gives: its words, each with its first letter
/// raised and the rest as typed, so an acronym typed in capitals stays one
/// (`PCP-performance` gives "PCP Performance"); `pcp` cannot be told from a
/// word, which is why `init` prints the title it chose.
fn title_of(folder: &str) -> String {
    let words: Vec<String> = folder
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    if words.is_empty() {
        "My Paper".to_string()
    } else {
        words.join(" ")
    }
}

/// Creates a new report in `dir`, titled `title` (default: the folder's
/// name in words); returns what it made.
pub fn init(dir: &Path, title: Option<&str>) -> Result<Made> {
    if dir.exists() {
        return Err(Error::new(
            ErrorKind::Usage,
            format!("`{}` already exists", display_path(dir)),
        )
        .with_hint("`init` never overwrites: choose a new folder name, or remove that one first"));
    }
    let folder = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name: String = folder
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_matches('-')
        .to_string();
    let name = if name.is_empty() {
        "my-paper".to_string()
    } else {
        name
    };
    let title = title.map_or_else(|| title_of(&folder), str::to_string);
    let shown = display_path(dir);
    let spec = SPEC
        .replace("{{TITLE}}", &toml::Value::String(title.clone()).to_string())
        .replace("{{NAME}}", &name)
        .replace("{{DIR}}", &shown);
    let files: [(&str, String); 5] = [
        ("report.toml", spec),
        ("paper.md", PAPER.to_string()),
        ("summary.md", SUMMARY.to_string()),
        ("layout.typ", LAYOUT.to_string()),
        ("data/incidents.csv", sample_csv()),
    ];
    // Write into a sibling temporary folder, then rename it into place, so a
    // failure leaves nothing half-made.
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| io(parent, &e))?;
    let tmp = tempfile::Builder::new()
        .prefix(".boardpack-init-")
        .tempdir_in(parent)
        .map_err(|e| io(parent, &e))?;
    for (rel, text) in &files {
        let path = tmp.path().join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| io(p, &e))?;
        }
        std::fs::write(&path, text).map_err(|e| io(&path, &e))?;
    }
    let staged = tmp.keep();
    set_dir_mode(&staged);
    std::fs::rename(&staged, dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&staged);
        io(dir, &e)
    })?;
    Ok(Made {
        files: files.iter().map(|(rel, _)| dir.join(rel)).collect(),
        title,
    })
}

/// Temporary folders are private (0700); a report folder is ordinary.
fn set_dir_mode(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
    }
    #[cfg(not(unix))]
    let _ = dir;
}

fn io(path: &Path, e: &std::io::Error) -> Error {
    Error::new(
        ErrorKind::Io,
        format!("cannot create `{}`: {e}", display_path(path)),
    )
    .with_hint("check that the folder is writable")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_covers_two_years_deterministically() {
        let a = sample_csv();
        assert_eq!(a, sample_csv());
        assert!(a.contains("2023-04-"));
        assert!(a.contains("2025-03-"));
        assert!(!a.contains("2025-04-"));
    }

    #[test]
    fn titles_keep_acronyms_as_typed() {
        assert_eq!(title_of("PCP-performance"), "PCP Performance");
        assert_eq!(title_of("pcp-performance"), "Pcp Performance");
        assert_eq!(title_of("OPCC_board paper"), "OPCC Board Paper");
        assert_eq!(title_of("--"), "My Paper");
    }

    #[test]
    fn a_title_with_quotes_is_valid_toml() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("p");
        let made = init(&target, Some(r#"The "PCP" \ paper"#)).unwrap();
        let text = std::fs::read_to_string(target.join("report.toml")).unwrap();
        let spec: toml::Table = text.parse().unwrap();
        assert_eq!(spec["report"]["title"].as_str(), Some(made.title.as_str()));
        assert_eq!(made.title, r#"The "PCP" \ paper"#);
    }

    #[test]
    fn refuses_existing_folder() {
        let dir = tempfile::tempdir().unwrap();
        let err = init(dir.path(), None).unwrap_err();
        assert!(err.message().contains("already exists"));
    }
}
