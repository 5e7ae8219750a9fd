//! Bad-input fixtures: every folder in `tests/bad_inputs/` (except those
//! starting with `_`) is a small project that must fail to build. The folder
//! is laid over `tests/bad_inputs/_base/` (a project that builds cleanly,
//! with the bundled house style as `layout.typ`) in a fresh temporary
//! folder; `boardpack build report.toml` then runs there. The exit code must
//! be the one in `exit.txt` (default 1), nothing may be written to `out/`,
//! and stderr must match the case's `stderr.snap` (an insta snapshot kept in
//! the case folder). Extra arguments go in `args.txt`, one per line.
//!
//! Adding a case is adding a folder: run the tests, read the new
//! `stderr.snap.new`, and rename it to `stderr.snap` if it says the right
//! thing.

use std::path::{Path, PathBuf};

use crate::support::Project;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

/// The case folders, in name order.
fn cases() -> Vec<PathBuf> {
    crate::support::case_folders("bad_inputs")
}

/// A temporary project: the base, then the case's files over it.
fn project(case: Option<&Path>) -> Project {
    let p = Project::empty();
    let layout = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/board-paper.typ");
    std::fs::copy(layout, p.path("layout.typ")).expect("copy layout");
    overlay(&fixtures().join("_base"), p.root());
    if let Some(case) = case {
        overlay(case, p.root());
    }
    p
}

/// Copies `from` into `to`, skipping the case's own expectations.
fn overlay(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("dir entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if matches!(name.as_str(), "args.txt" | "exit.txt") || name.contains(".snap") {
            continue;
        }
        let (src, dest) = (entry.path(), to.join(&name));
        if src.is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
            overlay(&src, &dest);
        } else {
            std::fs::copy(&src, &dest).expect("copy fixture file");
        }
    }
}

fn read_opt(path: PathBuf) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

#[test]
fn the_base_project_builds() {
    let p = project(None);
    p.run(&["build", "report.toml"]).success();
    assert!(p.path("out/case.pdf").is_file());
}

#[test]
fn every_bad_input_fails_with_its_message() {
    let cases = cases();
    assert!(!cases.is_empty(), "no cases in tests/bad_inputs");
    let mut failed = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let outcome = std::panic::catch_unwind(|| check_case(case));
        if outcome.is_err() {
            failed.push(name);
        }
    }
    assert!(failed.is_empty(), "bad-input cases failed: {failed:?}");
}

fn check_case(case: &Path) {
    let p = project(Some(case));
    let mut args = vec!["build".to_string(), "report.toml".to_string()];
    if let Some(extra) = read_opt(case.join("args.txt")) {
        args.extend(
            extra
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string),
        );
    }
    let code: i32 = read_opt(case.join("exit.txt"))
        .map(|s| s.trim().parse().expect("exit.txt holds a number"))
        .unwrap_or(1);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let stderr = p.run(&args).failure(code);
    let written: Vec<_> = std::fs::read_dir(p.path("out"))
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(
        written.is_empty(),
        "{}: a failed build wrote {written:?}",
        case.display()
    );
    insta::with_settings!({
        snapshot_path => case,
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => format!("boardpack {}", args.join(" ")),
    }, {
        insta::assert_snapshot!("stderr", stderr);
    });
}
