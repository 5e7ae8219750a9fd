//! Declared data checks and figure formats on the example and the
//! board-paper fixture, through the real CLI (failing checks and strict-template errors are `tests/bad_inputs/`
//! cases: `checks-*`, `template-*`, `figure-*`).

use crate::support::Project;

/// The board-paper fixture with one victim aged 130 on data line 2 and its
/// age range check made a warning, which the paper lists as a caveat.
fn paper_with_a_warning() -> Project {
    let p = Project::fixture("board-paper");
    let csv = p.read("data/victims.csv");
    let mut lines: Vec<String> = csv.lines().map(str::to_string).collect();
    let mut cells: Vec<&str> = lines[1].split(',').collect();
    cells[5] = "130";
    lines[1] = cells.join(",");
    p.write("data/victims.csv", &(lines.join("\n") + "\n"));
    p.set_toml(
        "report.toml",
        r#"
[[sources.victims.checks]]
unique = ["crime_id", "victim_id"]

[[sources.victims.checks]]
column = "victim_age"
range = [0, 120]
level = "warning"
message = "an age over 120 is probably a typing error"
"#,
    );
    p.edit(
        "paper.md",
        "Key findings will inform",
        "{% for w in warnings %}Caveat: {{ w.message }} ({{ w.failing }} record, line {{ w.lines[0] }}). {% endfor %}Key findings will inform",
    );
    p
}

#[test]
fn a_warning_check_warns_is_listed_to_templates_and_fails_under_strict() {
    let p = paper_with_a_warning();
    let run = p.run(&["build", "report.toml"]);
    run.success();
    let page = crate::support::html_text(&p.read("out/paper.html"));
    let page = crate::support::flat(&page);
    assert!(
        page.contains("Caveat: an age over 120 is probably a typing error (1 record, line 2). "),
        "{page}"
    );
    let m: serde_json::Value =
        serde_json::from_str(&p.read("out/paper.manifest.json")).expect("manifest");
    let failing: Vec<&serde_json::Value> = m["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["failing"].as_u64() > Some(0))
        .collect();
    assert_eq!(failing.len(), 1, "{failing:?}");
    assert_eq!(failing[0]["rule"], "range(victim_age: 0 to 120)");
    assert_eq!(failing[0]["lines"], serde_json::json!([2]));
    // Rendered as an error would be, with its place and hint.
    assert!(
        run.stderr().starts_with("warning: check failed on 1 of ")
            && run.stderr().contains(
                " rows of source `victims`: an age over 120 is probably a typing error\n  --> data/victims.csv:2, column `victim_age`\n  = hint: found at line 2 (`130`)"
            ),
        "{}",
        run.stderr()
    );
    let strict = p.run(&["build", "report.toml", "--strict"]).failure(1);
    assert!(strict.contains("made an error by `--strict`"), "{strict}");
}

#[test]
fn every_check_is_recorded_in_the_manifest() {
    let p = Project::example();
    p.build_example(&[]);
    let m = p.read("reports/needs-assessment/out/needs-assessment.manifest.json");
    assert!(
        m.contains("\"rule\": \"unique(crime_id, victim_id)\""),
        "{m}"
    );
    assert!(
        m.contains("\"rule\": \"foreign_key(district → population.district)\""),
        "{m}"
    );
    assert!(m.contains("\"failing\": 0"), "{m}");
}

#[test]
fn verify_of_an_unchanged_paper_with_float_figures_passes() {
    let p = Project::example();
    p.build_example(&[]);
    let m = p.read("reports/needs-assessment/out/needs-assessment.manifest.json");
    assert!(m.contains("\"format\": \"decimal:1\""), "{m}");
    let ok = p
        .run(&[
            "verify",
            "reports/needs-assessment/out/needs-assessment.manifest.json",
        ])
        .success();
    assert!(ok.contains("  ok       top_age_rate\n"), "{ok}");
    assert!(ok.contains("  ok       domestic_abuse_share\n"), "{ok}");
    assert!(ok.ends_with("all match the manifest\n"), "{ok}");
}
