//! Bad input after a good build: a failed build keeps the previous outputs
//! (of the example: its bundled layout and data links; of the board-paper
//! fixture: a malformed spec). Most error messages are fixture folders in
//! `tests/bad_inputs/` instead. Each case here asserts the exit
//! code, snapshots the exact message
//! (file, line/column or row, what was expected, what to do) and checks that
//! the previous good outputs were left untouched.

use crate::support::{Project, EXAMPLE};

/// Every file in the output folder `out` (not the cache), with its bytes.
fn outputs(p: &Project, out: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(p.path(out))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name() != ".boardpack-cache")
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    files.sort();
    files
}

/// Builds the example once, applies `breakage`, builds again expecting
/// failure with `code`; asserts the first build's outputs survive byte
/// for byte.
fn fails_keeping_outputs(breakage: impl FnOnce(&Project), args: &[&str], code: i32) -> String {
    let p = Project::example();
    fails_keeping_outputs_of(
        &p,
        EXAMPLE,
        "reports/needs-assessment/out",
        breakage,
        args,
        code,
    )
}

/// As `fails_keeping_outputs`, for the spec `spec` of `p` writing to `out`.
fn fails_keeping_outputs_of(
    p: &Project,
    spec: &str,
    out: &str,
    breakage: impl FnOnce(&Project),
    args: &[&str],
    code: i32,
) -> String {
    p.run(&["build", spec]).success();
    let before = outputs(p, out);
    breakage(p);
    let mut all = vec!["build", spec];
    all.extend_from_slice(args);
    let stderr = p.run(&all).failure(code);
    let after = outputs(p, out);
    assert!(
        before == after,
        "a failed build changed the previous outputs"
    );
    let names: Vec<&str> = after.iter().map(|(n, _)| n.as_str()).collect();
    // PDF, DOCX, HTML and the public manifest (the analyst's private one
    // is in `out.private/`).
    assert_eq!(names.len(), 4, "no temporary files left behind: {names:?}");
    stderr
}

#[test]
fn malformed_toml_points_at_line_and_column() {
    // The board-paper fixture with its report name unquoted: a TOML error
    // cannot be stated as a change of keys, so this one edits the text.
    let p = Project::fixture("board-paper");
    let err = fails_keeping_outputs_of(
        &p,
        "report.toml",
        "out",
        |p| p.edit("report.toml", "name = \"paper\"", "name = paper\""),
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
