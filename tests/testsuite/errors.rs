//! Bad input that needs the full example (a failed build keeps the previous
//! outputs; the bundled layout; links). Most error messages are fixture
//! folders in `tests/bad_inputs/` instead. Each case here asserts the exit
//! code, snapshots the exact message
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
        .filter(|n| n != ".boardpack-cache")
        .collect();
    // PDF, DOCX, HTML and the public manifest (the analyst's private one
    // is in `out.private/`).
    assert_eq!(
        leftovers.len(),
        4,
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
