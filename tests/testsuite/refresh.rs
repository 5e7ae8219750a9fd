//! Next year's paper: `refresh`, period-templated source paths, comparisons
//! with a period that has no data, and `init`.

use std::collections::BTreeMap;

use boardpack::manifest::Manifest;

use crate::support::{docx_text, pdf_text, Project, EXAMPLE};

const MANIFEST: &str = "reports/needs-assessment/out/needs-assessment.manifest.json";

/// Resident victims and their domestic-abuse share for a financial year,
/// computed straight from the CSV (no Polars, no SQL): the check on the
/// engine's figures.
fn independent_victims(p: &Project, start_year: i32) -> (u64, f64) {
    let csv = p.read("data/victims.csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (id, date, da, resident) = (
        col("victim_id"),
        col("offence_date"),
        col("domestic_abuse"),
        col("resident_in_county"),
    );
    let (from, to) = (
        format!("{start_year}-04-01"),
        format!("{}-03-31", start_year + 1),
    );
    let mut victims: BTreeMap<String, bool> = BTreeMap::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let d = cells[date];
        if cells[resident] == "true" && d >= from.as_str() && d <= to.as_str() {
            *victims.entry(cells[id].to_string()).or_default() |= cells[da] == "true";
        }
    }
    let n = victims.len() as u64;
    let da_share = victims.values().filter(|v| **v).count() as f64 / n as f64;
    (n, da_share)
}

#[test]
fn refresh_moves_the_period_keeps_comments_and_rebuilds_correct_figures() {
    let p = Project::example();
    let before = p.read(EXAMPLE);
    let out = p.run(&["refresh", EXAMPLE]).success();
    let after = p.read(EXAMPLE);
    // Exactly two values changed; every comment and line is otherwise kept.
    assert_eq!(
        after,
        before
            .replacen("date = 2020-11-26", "date = 2021-11-26", 1)
            .replacen("default = \"2019/20\"", "default = \"2020/21\"", 1)
    );
    assert!(after.contains("# The engine keeps only rows whose offence date falls in the period."));
    assert!(
        out.starts_with(
            "period: 2019/20 → 2020/21\nreport date: 26 November 2020 → 26 November 2021\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("wrote reports/needs-assessment/report.toml"),
        "{out}"
    );

    let m = Manifest::read(&p.path(MANIFEST)).unwrap();
    assert_eq!(m.params["period"], "2020/21");
    assert_eq!(m.date, "2021-11-26");
    let (victims, da) = independent_victims(&p, 2020);
    let (victims_before, da_before) = independent_victims(&p, 2019);
    assert_ne!(victims, victims_before, "the years differ");
    assert_eq!(
        m.figures["victims_resident"].value,
        serde_json::json!(victims)
    );
    assert_eq!(
        m.figures["victims_resident"].previous,
        Some(serde_json::json!(victims_before))
    );
    let share = m.figures["domestic_abuse_share"].value.as_f64().unwrap();
    assert!((share - da).abs() < 1e-12, "{share} vs {da}");
    let text = pdf_text(
        &std::fs::read(p.path("reports/needs-assessment/out/needs-assessment.pdf")).unwrap(),
    )
    .split_whitespace()
    .collect::<Vec<_>>()
    .join(" ");
    let fmt = |n: u64| {
        let s = n.to_string();
        format!("{},{}", &s[..s.len() - 3], &s[s.len() - 3..])
    };
    // The narrative follows the data: the direction word and the comparison.
    let word = if victims < victims_before {
        "fell"
    } else {
        "rose"
    };
    let expected = format!(
        "The number of resident victims {word} from {} in 2019/20",
        fmt(victims_before)
    );
    assert!(text.contains(&expected), "{expected}\n{text}");
    let points = ((da - da_before) * 100.0).abs();
    assert!(
        text.contains(&format!(
            "({} {points:.1} percentage points)",
            if da > da_before { "up" } else { "down" }
        )),
        "{text}"
    );
    assert!(text.contains("Date: 26 November 2021"), "{text}");
}

#[test]
fn refresh_dry_run_writes_nothing_and_date_can_be_given() {
    let p = Project::example();
    let before = p.read(EXAMPLE);
    let out = p
        .run(&["refresh", EXAMPLE, "--dry-run", "--date", "2021-12-02"])
        .success();
    assert_eq!(p.read(EXAMPLE), before, "dry run left the spec alone");
    assert!(
        !p.path("reports/needs-assessment/out").exists(),
        "no outputs"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn refresh_into_a_year_without_data_fails_and_keeps_the_spec() {
    // The board-paper fixture reports on 2024/25, its data's last year.
    let p = Project::fixture("board-paper");
    let before = p.read("report.toml");
    let err = p.run(&["refresh", "report.toml"]).failure(1);
    assert_eq!(p.read("report.toml"), before);
    assert!(!p.path("out").exists());
    insta::assert_snapshot!(err);
}

#[test]
fn period_templated_paths_read_each_years_extract() {
    let p = Project::fixture("board-paper");
    let all = p.read("data/victims.csv");
    let mut lines = all.lines();
    let header = lines.next().unwrap();
    let mut by_year: BTreeMap<&str, String> = BTreeMap::new();
    for line in lines {
        let date = &line.split(',').nth(2).unwrap()[..7];
        let slug = match date {
            d if ("2023-04".."2024-04").contains(&d) => "2023-24",
            d if ("2024-04".."2025-04").contains(&d) => "2024-25",
            _ => "2022-23",
        };
        let file = by_year.entry(slug).or_insert_with(|| format!("{header}\n"));
        file.push_str(line);
        file.push('\n');
    }
    for (slug, text) in &by_year {
        p.write(&format!("data/victims/{slug}.csv"), text);
    }
    p.set_toml(
        "report.toml",
        "[sources.victims]\npath = \"data/victims/{{ period.slug }}.csv\"",
    );
    p.run(&["build", "report.toml"]).success();
    let m = Manifest::read(&p.path("out/paper.manifest.json")).unwrap();
    assert_eq!(m.figures["victims_resident"].value, serde_json::json!(63));
    assert_eq!(
        m.figures["victims_resident"].previous,
        Some(serde_json::json!(33))
    );
    let roles: Vec<(&str, &str)> = m
        .inputs
        .iter()
        .filter(|i| i.path.starts_with("data/victims/"))
        .map(|i| (i.path.as_str(), i.role.as_str()))
        .collect();
    assert_eq!(
        roles,
        [
            ("data/victims/2024-25.csv", "source victims"),
            ("data/victims/2023-24.csv", "source victims (2023/24)"),
        ]
    );
    // The next year's extract is not there yet: the error names the year
    // and the file.
    let err = p
        .run(&["build", "report.toml", "--set", "period=2025/26"])
        .failure(1);
    insta::assert_snapshot!(err);
}

#[test]
fn a_comparison_with_a_year_without_data_warns_or_fails_under_strict() {
    let p = Project::example();
    p.edit(
        "reports/needs-assessment/summary.md",
        "# Victims\n",
        "# Victims\n\nLast year: {{ figures.victims_resident.previous }}.\n",
    );
    let run = p.run(&["build", EXAMPLE, "--set", "period=2018/19"]);
    run.success();
    insta::assert_snapshot!("missing_previous_warning", run.stderr());
    let docx = std::fs::read(p.path("reports/needs-assessment/out/needs-assessment-summary.docx"))
        .unwrap();
    assert!(docx_text(&docx).contains("Last year: n/a."));
    let err = p
        .run(&["build", EXAMPLE, "--set", "period=2018/19", "--strict"])
        .failure(1);
    insta::assert_snapshot!("missing_previous_strict", err);
    // The guarded comparisons in the example itself never warn.
    let p = Project::example();
    let run = p.run(&["build", EXAMPLE, "--set", "period=2018/19", "--strict"]);
    run.success();
    assert_eq!(run.stderr(), "");
}

#[test]
fn init_creates_a_report_that_builds_at_once_and_never_overwrites() {
    let p = Project::empty();
    let out = p.run(&["init", "reports/my-paper"]).success();
    assert!(
        out.contains("created reports/my-paper/report.toml\n"),
        "{out}"
    );
    assert!(
        out.ends_with("next: boardpack build reports/my-paper/report.toml\n"),
        "{out}"
    );
    let spec = p.read("reports/my-paper/report.toml");
    assert!(spec.contains("name = \"my-paper\""));
    assert!(
        spec.contains("# Next year's paper"),
        "explains itself in comments"
    );
    p.run(&["build", "reports/my-paper/report.toml"]).success();
    let pdf = std::fs::read(p.path("reports/my-paper/out/my-paper.pdf")).unwrap();
    let text = crate::support::flat(&pdf_text(&pdf));
    assert!(text.contains("60 incidents were recorded in 2024/25. The number fell: down 16.7% on 2023/24, from 72."), "{text}");
    let docx = std::fs::read(p.path("reports/my-paper/out/my-paper-summary.docx")).unwrap();
    assert!(docx_text(&docx).contains("60 incidents in 2024/25 (down 16.7% on 2023/24)."));
    let before = p.read("reports/my-paper/report.toml");
    let err = p.run(&["init", "reports/my-paper"]).failure(2);
    insta::assert_snapshot!(err);
    assert_eq!(p.read("reports/my-paper/report.toml"), before);
}

#[test]
fn init_keeps_acronyms_as_typed_and_takes_a_title() {
    let p = Project::empty();
    let out = p.run(&["init", "reports/PCP-performance"]).success();
    assert!(out.contains("title: \"PCP Performance\""), "{out}");
    assert!(p
        .read("reports/PCP-performance/report.toml")
        .contains("title = \"PCP Performance\""));
    p.run(&["init", "reports/x", "--title", "OPCC \"Annual\" Report"])
        .success();
    let spec = p.read("reports/x/report.toml");
    assert!(
        spec.contains(r#"title = 'OPCC "Annual" Report'"#)
            || spec.contains(r#"title = "OPCC \"Annual\" Report""#),
        "{spec}"
    );
    p.run(&["check", "reports/x/report.toml"]).success();
}

#[test]
fn check_offers_only_the_options_it_uses() {
    let p = Project::empty();
    let help = p.run(&["check", "--help"]).success();
    for used in ["--set", "--strict", "--for-each"] {
        assert!(help.contains(used), "{used} missing:\n{help}");
    }
    for ignored in ["--out", "--no-cache"] {
        assert!(!help.contains(ignored), "{ignored} listed:\n{help}");
    }
    p.run(&["check", "--out", "x", "spec.toml"]).failure(2);
}
