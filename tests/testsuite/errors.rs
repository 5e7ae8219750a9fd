//! Bad input: each case asserts the exit code, snapshots the exact message
//! (file, line/column or row, what was expected, what to do) and checks that
//! the previous good outputs were left untouched.

use crate::support::{Project, EXAMPLE};

const SPEC: &str = "reports/needs-assessment/report.toml";

/// Builds once, applies `breakage`, builds again expecting failure with
/// `code`; asserts the first build's outputs survive byte for byte.
fn fails_keeping_outputs(breakage: impl FnOnce(&Project), args: &[&str], code: i32) -> String {
    let p = Project::example();
    let (pdf, docx) = p.build_example(&[]);
    let manifest_path = p.path("reports/needs-assessment/out/needs-assessment.manifest.json");
    let manifest = std::fs::read(&manifest_path).unwrap();
    breakage(&p);
    let mut all = vec!["build", EXAMPLE];
    all.extend_from_slice(args);
    let stderr = p.run(&all).failure(code);
    let (pdf2, docx2) = (
        std::fs::read(p.path("reports/needs-assessment/out/needs-assessment.pdf")).unwrap(),
        std::fs::read(p.path("reports/needs-assessment/out/needs-assessment-summary.docx"))
            .unwrap(),
    );
    assert!(
        pdf == pdf2 && docx == docx2 && manifest == std::fs::read(&manifest_path).unwrap(),
        "a failed build changed the previous outputs"
    );
    let leftovers: Vec<_> = std::fs::read_dir(p.path("reports/needs-assessment/out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        leftovers.len(),
        3,
        "no temporary files left behind: {leftovers:?}"
    );
    stderr
}

#[test]
fn malformed_toml_points_at_line_and_column() {
    let err = fails_keeping_outputs(
        |p| {
            p.edit(
                SPEC,
                "name = \"needs-assessment\"",
                "name = needs-assessment\"",
            )
        },
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn unknown_key_in_spec_is_rejected() {
    let err = fails_keeping_outputs(
        |p| p.edit(SPEC, "language = \"en-GB\"", "langauge = \"en-GB\""),
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn missing_data_file_names_the_path() {
    let err = fails_keeping_outputs(
        |p| std::fs::remove_file(p.path("data/population.csv")).unwrap(),
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn unknown_column_in_a_query_suggests_the_right_one() {
    let err = fails_keeping_outputs(
        |p| p.edit(SPEC, "MIN(victim_age) AS age", "MIN(victim_agee) AS age"),
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn unknown_column_in_a_schema_suggests_the_right_one() {
    let err = fails_keeping_outputs(
        |p| p.edit(SPEC, "victim_age = \"int\"", "victim_agee = \"int\""),
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn wrong_type_in_a_data_row_names_row_and_column() {
    let err = fails_keeping_outputs(
        |p| {
            let text = p.read("data/population.csv");
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let cells: Vec<&str> = lines[3].rsplitn(2, ',').collect();
            lines[3] = format!("{},many", cells[1]);
            p.write("data/population.csv", &(lines.join("\n") + "\n"));
        },
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn undefined_template_variable_points_into_the_template() {
    let err = fails_keeping_outputs(
        |p| {
            p.edit(
                "reports/needs-assessment/summary.md",
                "figures.victims_resident",
                "figures.victims_residnt",
            )
        },
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn unknown_param_in_set_suggests_the_declared_one() {
    let err = fails_keeping_outputs(|_| {}, &["--set", "peroid=2020/21"], 2);
    insta::assert_snapshot!(err);
}

#[test]
fn invalid_param_value_says_what_is_expected() {
    let err = fails_keeping_outputs(|_| {}, &["--set", "period=2020"], 2);
    insta::assert_snapshot!(err);
}

#[test]
fn path_outside_the_project_root_is_refused() {
    let err = fails_keeping_outputs(
        |p| {
            p.edit(
                SPEC,
                "\"../../data/population.csv\"",
                "\"../../../population.csv\"",
            )
        },
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn missing_spec_is_a_clear_error() {
    let p = Project::empty();
    let err = p.run(&["build", "nope/report.toml"]).failure(1);
    insta::assert_snapshot!(err);
}

#[test]
fn broken_layout_reports_the_typst_error_in_the_template() {
    let err = fails_keeping_outputs(
        |p| p.edit("templates/board-paper.typ", "upper(title)", "upper(titel)"),
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn a_table_named_like_a_source_is_rejected() {
    let err = fails_keeping_outputs(
        |p| p.edit(SPEC, "[tables.top_nationalities]", "[tables.population]"),
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn a_period_without_data_names_the_period_and_the_file() {
    let err = fails_keeping_outputs(|_| {}, &["--set", "period=2025/26"], 1);
    insta::assert_snapshot!(err);
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_project_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("population.csv"),
        "district,age_band,population\n",
    )
    .unwrap();
    let err = fails_keeping_outputs(
        |p| {
            std::fs::remove_file(p.path("data/population.csv")).unwrap();
            std::os::unix::fs::symlink(
                outside.path().join("population.csv"),
                p.path("data/population.csv"),
            )
            .unwrap();
        },
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn text_no_font_can_show_fails_the_accessible_pdf() {
    let err = fails_keeping_outputs(
        |p| {
            p.edit(
                "reports/needs-assessment/summary.md",
                "# Victims\n",
                "# Victims\n\nWell done 🙂\n",
            )
        },
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn a_chart_without_alt_text_fails_naming_the_chart() {
    let err = fails_keeping_outputs(
        |p| {
            let spec = p.read(SPEC);
            let start = spec
                .find(
                    "alt = \"\"\"\nBar chart of resident victims per 1,000 population by district",
                )
                .unwrap();
            let end = start + spec[start..].find("\"\"\"\n\n").unwrap() + 4;
            p.write(SPEC, &format!("{}{}", &spec[..start], &spec[end..]));
        },
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn a_skipped_heading_level_fails_naming_the_template() {
    let err = fails_keeping_outputs(
        |p| {
            p.edit(
                "reports/needs-assessment/summary.md",
                "## Domestic abuse",
                "### Domestic abuse",
            )
        },
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn an_unknown_chart_in_a_template_suggests_the_declared_one() {
    let err = fails_keeping_outputs(
        |p| {
            p.edit(
                "reports/needs-assessment/summary.md",
                "chart(\"fte_trend\")",
                "chart(\"fte_trends\")",
            )
        },
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}

#[test]
fn a_chart_column_that_does_not_exist_suggests_the_right_one() {
    let err = fails_keeping_outputs(
        |p| p.edit(SPEC, "y = \"rate_per_1000\"", "y = \"rate_per_100\""),
        &[],
        1,
    );
    insta::assert_snapshot!(err);
}
