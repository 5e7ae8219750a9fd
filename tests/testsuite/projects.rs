//! Success cases: every folder in `tests/projects/` (except those starting
//! with `_`) is a small project that the real CLI runs in a fresh temporary
//! copy (the bundled house style is added as `layout.typ` unless the case
//! has its own). Its `expect.toml` says what must hold afterwards: the exit
//! code, figures in the manifest, files written or not, text each output
//! contains or lacks, and insta snapshots kept in the case folder. Every
//! expectation of every case is checked and all failures are reported at
//! once. See `tests/testsuite/README.md` for the keys.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::support::{docx_text, flat, html_text, pdf_text, Project, Run};

/// A case's `expect.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// Another case folder this one is laid over (its files first, then
    /// this case's own): a variant of a project without a copy of it.
    base: Option<String>,
    /// The arguments after `boardpack` (default `build report.toml`).
    #[serde(default)]
    args: Vec<String>,
    /// The exit code (default 0).
    #[serde(default)]
    exit: i32,
    /// Extra environment variables.
    #[serde(default)]
    env: BTreeMap<String, String>,
    /// The manifest the figures are read from (default: the only
    /// `out/*.manifest.json`).
    manifest: Option<String>,
    /// Figure name → its value, or `{ value, previous }`.
    #[serde(default)]
    figures: BTreeMap<String, toml::Value>,
    /// Files (relative to the case root) that must exist / must not.
    #[serde(default)]
    exist: Vec<String>,
    #[serde(default)]
    absent: Vec<String>,
    /// Text source → strings its text must contain / must not contain.
    #[serde(default)]
    contains: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    lacks: BTreeMap<String, Vec<String>>,
    /// Text sources snapshotted as `<source>.snap` in the case folder
    /// (`figures` is each figure's value and previous value).
    #[serde(default)]
    snapshots: Vec<String>,
}

/// The case folders, in name order.
fn cases() -> Vec<PathBuf> {
    crate::support::case_folders("projects")
}

#[test]
fn every_fixture_project_builds_and_its_expectations_hold() {
    let cases = cases();
    assert!(!cases.is_empty(), "no cases in tests/projects");
    let mut failed = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let problems = std::panic::catch_unwind(|| check_case(case))
            .unwrap_or_else(|_| vec!["panicked (see above)".to_string()]);
        for problem in problems {
            failed.push(format!("{name}: {problem}"));
        }
    }
    assert!(
        failed.is_empty(),
        "{} expectation(s) failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// Every expectation of `case` that does not hold, in words.
fn check_case(case: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(case.join("expect.toml")).unwrap_or_default();
    let expect: Expect = match toml::from_str(&text) {
        Ok(e) => e,
        Err(e) => return vec![format!("expect.toml: {e}")],
    };
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let p = match &expect.base {
        Some(base) => {
            let p = Project::fixture(base);
            p.overlay(case);
            p
        }
        None => Project::fixture(&name),
    };
    let mut args = expect.args.clone();
    if args.is_empty() {
        args = vec!["build".into(), "report.toml".into()];
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let env: Vec<(&str, &str)> = expect
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let run = p.run_with(&argv, &env);
    let mut problems = Vec::new();
    if run.0.status.code() != Some(expect.exit) {
        problems.push(format!(
            "exit code {:?}, expected {}; stderr:\n{}",
            run.0.status.code(),
            expect.exit,
            run.stderr()
        ));
        return problems;
    }
    problems.extend(check_files(&p, &expect));
    problems.extend(check_figures(&p, &expect));
    problems.extend(check_texts(&p, &run, &expect));
    problems.extend(check_snapshots(case, &p, &run, &expect, &args));
    problems
}

fn check_files(p: &Project, expect: &Expect) -> Vec<String> {
    let mut problems = Vec::new();
    for f in &expect.exist {
        if !p.path(f).exists() {
            problems.push(format!("`{f}` was not written"));
        }
    }
    for f in &expect.absent {
        if p.path(f).exists() {
            problems.push(format!("`{f}` exists but must not"));
        }
    }
    problems
}

/// The manifest's `figures` object, or why there is none.
fn figures(p: &Project, expect: &Expect) -> Result<serde_json::Value, String> {
    let path = match &expect.manifest {
        Some(m) => p.path(m),
        None => {
            let found = files_ending(p, "out", ".manifest.json");
            match found.as_slice() {
                [one] => one.clone(),
                _ => return Err(format!("name the manifest: `out/` holds {found:?}")),
            }
        }
    };
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    Ok(json["figures"].clone())
}

fn check_figures(p: &Project, expect: &Expect) -> Vec<String> {
    if expect.figures.is_empty() {
        return Vec::new();
    }
    let all = match figures(p, expect) {
        Ok(f) => f,
        Err(e) => return vec![e],
    };
    let mut problems = Vec::new();
    for (name, want) in &expect.figures {
        let got = &all[name];
        let pairs: Vec<(&str, &toml::Value)> = match want {
            toml::Value::Table(t) => t.iter().map(|(k, v)| (k.as_str(), v)).collect(),
            v => vec![("value", v)],
        };
        for (field, want) in pairs {
            let want = serde_json::to_value(want).expect("TOML value as JSON");
            if !same_number_or_value(&got[field], &want) {
                problems.push(format!(
                    "figure `{name}` {field} is {}, expected {want}",
                    got[field]
                ));
            }
        }
    }
    problems
}

/// JSON equality, with 36845 and 36845.0 equal.
fn same_number_or_value(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn check_texts(p: &Project, run: &Run, expect: &Expect) -> Vec<String> {
    let mut problems = Vec::new();
    for (source, wanted, present) in expect
        .contains
        .iter()
        .map(|(s, w)| (s, w, true))
        .chain(expect.lacks.iter().map(|(s, w)| (s, w, false)))
    {
        let text = match text_of(p, run, source) {
            Ok(t) => flat(&t),
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        for w in wanted {
            if text.contains(&flat(w)) != present {
                let verb = if present { "lacks" } else { "contains" };
                problems.push(format!("{source} {verb} `{w}`:\n{text}"));
            }
        }
    }
    problems
}

/// A text source: `stdout`, `stderr`, `pdf`, `docx`, `html` (the text of
/// the only such output in `out/`), a path relative to the case root (its
/// text, read by its extension: a PDF's text, a Word file's body text, an
/// HTML page's text without tags), or `file:PATH` (the file as it is).
fn text_of(p: &Project, run: &Run, source: &str) -> Result<String, String> {
    match source {
        "stdout" => return Ok(run.stdout()),
        "stderr" => return Ok(run.stderr()),
        _ => {}
    }
    if let Some(rel) = source.strip_prefix("file:") {
        return std::fs::read_to_string(p.path(rel)).map_err(|e| format!("{rel}: {e}"));
    }
    let path = if source.contains('/') || source.contains('.') {
        p.path(source)
    } else {
        let found = files_ending(p, "out", &format!(".{source}"));
        match found.as_slice() {
            [one] => one.clone(),
            _ => return Err(format!("`{source}`: `out/` holds {found:?}; name the file")),
        }
    };
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(match path.extension().and_then(|e| e.to_str()) {
        Some("pdf") => pdf_text(&bytes),
        Some("docx") => docx_text(&bytes),
        Some("html") => html_text(&String::from_utf8_lossy(&bytes)),
        _ => String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// The files in `dir` whose names end in `suffix`, sorted.
fn files_ending(p: &Project, dir: &str, suffix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(p.path(dir))
        .map(|d| d.map(|e| e.expect("dir entry").path()).collect())
        .unwrap_or_default();
    found.retain(|f| f.to_string_lossy().ends_with(suffix));
    found.sort();
    found
}

/// The figures as `name: value (previous: value)` lines: what a reader
/// checks, without the queries and lineage the manifest also holds.
fn figure_values(figures: &serde_json::Value) -> String {
    let Some(all) = figures.as_object() else {
        return format!("no figures: {figures}");
    };
    all.iter()
        .map(|(name, f)| match f.get("previous") {
            Some(prev) if !prev.is_null() => {
                format!("{name}: {} (previous: {prev})\n", f["value"])
            }
            _ => format!("{name}: {}\n", f["value"]),
        })
        .collect()
}

fn check_snapshots(
    case: &Path,
    p: &Project,
    run: &Run,
    expect: &Expect,
    args: &[String],
) -> Vec<String> {
    let mut problems = Vec::new();
    for source in &expect.snapshots {
        let text = if source == "figures" {
            figures(p, expect).map(|f| figure_values(&f))
        } else {
            text_of(p, run, source)
        };
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let name = source.replace(['/', '.'], "_");
        let held = std::panic::catch_unwind(|| {
            insta::with_settings!({
                snapshot_path => case,
                prepend_module_to_snapshot => false,
                omit_expression => true,
                description => format!("{source} of boardpack {}", args.join(" ")),
            }, {
                insta::assert_snapshot!(name.as_str(), text);
            });
        });
        if held.is_err() {
            problems.push(format!(
                "snapshot `{name}` differs: review `{name}.snap.new`"
            ));
        }
    }
    problems
}
