//! Safety: the output set is replaced all-or-nothing (builds failed or
//! killed at every write step leave all old or all new outputs and, after
//! the next build, no temporaries); runaway templates and layouts stop at
//! their limits with a clear error; data text cannot reverse itself.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{docx_part, docx_text, pdf_text, Project};

pub(crate) const SPEC: &str = "reports/small/report.toml";
pub(crate) const OUT: &str = "reports/small/out";
pub(crate) const OLD: &str = "1600000000";
pub(crate) const NEW: &str = "1700000000";

/// A small report (one CSV, one figure, one table) using the example layout.
pub(crate) fn project(body: &str) -> Project {
    let p = Project::example();
    p.write(
        "data/notes.csv",
        "id,note\n1,Leeds \u{202E}drow\u{202C} end\n2,plain\n",
    );
    p.write(
        SPEC,
        r#"
[report]
name = "small"
title = "Small report"
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

[figures.first]
sql = "SELECT note FROM notes WHERE id = 1"

[tables.note_list]
sql = "SELECT id, note FROM notes ORDER BY id"
columns = [{ name = "id", label = "Id", format = "integer" }, { name = "note", label = "Note" }]
"#,
    );
    p.write("reports/small/body.md", body);
    p.write(
        "reports/small/summary.md",
        "# Summary\n\nFirst: {{ figures.first }}\n\n{{ tables.note_list | table }}\n",
    );
    p
}

pub(crate) const BODY: &str =
    "# Notes\n\nFirst: {{ figures.first }}\n\n{{ tables.note_list | table }}\n";

/// Every file in the output folder, by name.
pub(crate) fn snapshot(p: &Project) -> BTreeMap<String, Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(p.path(OUT)) else {
        return BTreeMap::new();
    };
    entries
        .map(|e| e.unwrap())
        // The build cache is not an output (see `crate::cache`).
        .filter(|e| e.file_name() != ".boardpack-cache")
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Names beside the output folder other than the project's own files.
pub(crate) fn leftovers(p: &Project) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(p.path("reports/small"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !["body.md", "summary.md", "report.toml", "out"].contains(&n.as_str()))
        .collect();
    v.sort();
    v
}

fn build(p: &Project, epoch: &str) -> BTreeMap<String, Vec<u8>> {
    p.run_with(&["build", SPEC], &[("SOURCE_DATE_EPOCH", epoch)])
        .success();
    snapshot(p)
}

/// Runs a build that pauses at `step`, kills it there with SIGKILL and
/// returns what it printed.
pub(crate) fn kill_at(p: &Project, step: &str, epoch: &str, extra: &[(&str, &str)]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_boardpack"))
        .args(["build", SPEC])
        .current_dir(p.root())
        .env("SOURCE_DATE_EPOCH", epoch)
        .env("BOARDPACK_TEST_PAUSE_AT", step)
        .envs(extra.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run boardpack");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 {
        seen += &line;
        if line.trim() == format!("paused at {step}") {
            child.kill().unwrap();
            child.wait().unwrap();
            return seen;
        }
        line.clear();
    }
    let status = child.wait().unwrap();
    panic!("the build never reached step `{step}` ({status}):\n{seen}");
}

/// Kills a build at each step; the output folder must hold exactly the old
/// or exactly the new set, and the next build must leave no temporaries.
fn killed_at_every_step(steps: &[(&str, &str)], extra: &[(&str, &str)]) {
    let p = project(BODY);
    let mut sets = [build(&p, NEW), build(&p, OLD)];
    assert_ne!(sets[0], sets[1], "the two builds must differ");
    assert_eq!(sets[1].len(), 3, "{:?}", sets[1].keys());
    let mut epochs = [NEW, OLD];
    for (step, expect) in steps {
        // The folder holds epochs[1]'s set; build epochs[0]'s and kill it.
        kill_at(&p, step, epochs[0], extra);
        let now = snapshot(&p);
        let none = BTreeMap::new();
        let which = match *expect {
            "old" => &sets[1],
            "new" => &sets[0],
            _ => &none,
        };
        assert!(
            now == *which,
            "killed at `{step}`: expected the {expect} set, found {:?}",
            now.keys()
        );
        if now.is_empty() {
            // The old set is aside; `verify` puts it back.
            let manifest = format!("{OUT}/small.manifest.json");
            p.run(&["verify", &manifest]);
            assert!(snapshot(&p) == sets[1], "verify restored the old set");
        }
        assert_eq!(build(&p, epochs[0]), sets[0]);
        assert_eq!(leftovers(&p), Vec::<String>::new(), "after `{step}`");
        sets.swap(0, 1);
        epochs.swap(0, 1);
    }
}

const WRITE_STEPS: [(&str, &str); 5] = [
    ("staged", "old"),
    ("wrote:small.pdf", "old"),
    ("wrote:small-summary.docx", "old"),
    ("wrote:small.manifest.json", "old"),
    ("synced", "old"),
];

#[test]
fn a_build_killed_at_any_step_leaves_all_old_or_all_new_outputs() {
    let mut steps = WRITE_STEPS.to_vec();
    steps.extend([("exchanged", "new"), ("removed-old", "new")]);
    killed_at_every_step(&steps, &[]);
}

#[test]
fn without_an_atomic_exchange_a_killed_build_is_repaired() {
    let mut steps = WRITE_STEPS.to_vec();
    steps.extend([
        ("moved-old", "none"),
        ("moved-new", "new"),
        ("removed-old", "new"),
    ]);
    killed_at_every_step(&steps, &[("BOARDPACK_TEST_NO_EXCHANGE", "1")]);
}

#[test]
fn a_build_failing_at_any_step_leaves_the_old_outputs() {
    let p = project(BODY);
    let old = build(&p, OLD);
    for (step, _) in WRITE_STEPS {
        let run = p.run_with(
            &["build", SPEC],
            &[("SOURCE_DATE_EPOCH", NEW), ("BOARDPACK_TEST_FAIL_AT", step)],
        );
        let err = run.failure(1);
        assert!(err.contains(&format!("failing at step `{step}`")), "{err}");
        assert!(snapshot(&p) == old, "failed at `{step}`: outputs changed");
        assert_eq!(leftovers(&p), Vec::<String>::new(), "after `{step}`");
    }
}

#[test]
fn files_the_user_put_in_the_output_folder_survive_a_build() {
    let p = project(BODY);
    build(&p, OLD);
    p.write(&format!("{OUT}/README.txt"), "mine");
    p.write(
        &format!("{OUT}/.tmpK1LL3D"),
        "a killed build of an older boardpack",
    );
    let new = build(&p, NEW);
    assert_eq!(new.get("README.txt").map(Vec::as_slice), Some(&b"mine"[..]));
    assert!(!new.contains_key(".tmpK1LL3D"));
    p.write(&format!("{OUT}/notes/x.txt"), "a folder");
    let err = p
        .run_with(&["build", SPEC], &[("SOURCE_DATE_EPOCH", OLD)])
        .failure(1);
    assert!(
        err.contains("holds folders boardpack did not write: `notes`"),
        "{err}"
    );
    let pdf = std::fs::read(p.path(&format!("{OUT}/small.pdf"))).unwrap();
    assert_eq!(
        Some(&pdf),
        new.get("small.pdf"),
        "the refused build changed nothing"
    );
}

/// Builds once, swaps in a runaway body, builds again: exit 1, the message
/// returned, the old outputs byte-unchanged, nothing left behind.
fn runaway(body: &str, limits: &str) -> (String, Duration) {
    let p = project(BODY);
    let old = build(&p, OLD);
    p.write("reports/small/body.md", body);
    if !limits.is_empty() {
        p.set_toml(SPEC, &format!("[limits]\n{limits}"));
    }
    let start = Instant::now();
    let err = p
        .run_with(&["build", SPEC], &[("SOURCE_DATE_EPOCH", NEW)])
        .failure(1);
    let took = start.elapsed();
    assert!(snapshot(&p) == old, "a failed build changed the outputs");
    assert_eq!(leftovers(&p), Vec::<String>::new());
    (err, took)
}

#[test]
fn fifty_thousand_nested_quotes_stop_at_the_depth_limit() {
    let body = format!("# Deep\n\n{}x\n", "> ".repeat(50_000));
    let (err, _) = runaway(&body, "");
    assert!(
        err.contains("Markdown nested more than 32 levels deep at line 3")
            && err.contains("body.md")
            && err.contains("markdown_depth"),
        "{err}"
    );
}

#[test]
fn a_list_nested_twenty_thousand_deep_stops_at_the_depth_limit() {
    let body = format!("# Deep\n\n{}x\n", "- ".repeat(20_000));
    let (err, _) = runaway(&body, "");
    assert!(
        err.contains("Markdown nested more than 32 levels deep"),
        "{err}"
    );
}

#[test]
fn nesting_within_the_limit_builds() {
    let p = project(&format!("# Deep\n\n{}deep text\n", "> ".repeat(12)));
    build(&p, OLD);
    let p = project(&format!("# Deep\n\n{}deep item\n", "- ".repeat(10)));
    build(&p, OLD);
    let pdf = std::fs::read(p.path(&format!("{OUT}/small.pdf"))).unwrap();
    assert!(pdf_text(&pdf).contains("deep item"));
}

#[test]
fn the_deepest_nesting_the_safe_range_allows_builds_without_a_crash() {
    // `markdown_depth` stops at 64: quotes 63 deep plus their paragraph.
    let p = project(&format!("# Deep\n\n{}deepest text\n", "> ".repeat(63)));
    p.set_toml(SPEC, "[limits]\nmarkdown_depth = 64");
    build(&p, OLD);
    let pdf = std::fs::read(p.path(&format!("{OUT}/small.pdf"))).unwrap();
    assert!(pdf_text(&pdf).contains("deepest text"));
    // One more level is refused when the spec is read, not by a crash.
    p.set_toml(SPEC, "[limits]\nmarkdown_depth = 65");
    let err = p.run_with(&["build", SPEC], &[]).failure(1);
    assert!(
        err.contains("`limits.markdown_depth` must be from 8 to 64 levels, not 65"),
        "{err}"
    );
}

#[test]
fn a_template_printing_200_mb_stops_at_the_output_cap() {
    // 100,000 × 100 × 20 bytes (MiniJinja's `range` stops at 100,000).
    let body = "# Big\n\n{% for i in range(100000) %}{% for j in range(100) %}xxxxxxxxxxxxxxxxxxxx{% endfor %}{% endfor %}\n";
    let (err, took) = runaway(body, "");
    assert!(
        err.contains("the template produced more than 16 MB of text")
            && err.contains("template_output_mb"),
        "{err}"
    );
    assert!(took < Duration::from_secs(60), "took {took:?}");
}

#[test]
fn a_template_looping_without_output_runs_out_of_fuel() {
    let body = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
    let (err, _) = runaway(body, "template_fuel = 1000000");
    assert!(
        err.contains("the template ran more than 1000000 steps") && err.contains("template_fuel"),
        "{err}"
    );
}

#[test]
fn a_layout_that_loops_stops_at_the_time_limit() {
    let p = project(BODY);
    let old = build(&p, OLD);
    let layout = p.read("templates/board-paper.typ");
    p.write(
        "templates/board-paper.typ",
        &format!("#for i in range(100000000) {{}}\n{layout}"),
    );
    p.set_toml(SPEC, "[limits]\nlayout_seconds = 2");
    let start = Instant::now();
    let err = p
        .run_with(&["build", SPEC], &[("SOURCE_DATE_EPOCH", NEW)])
        .failure(1);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    assert!(
        err.contains("the Typst layout did not finish within 2 s")
            && err.contains("layout_seconds"),
        "{err}"
    );
    assert!(snapshot(&p) == old);
}

#[test]
fn a_right_to_left_override_in_data_cannot_reverse_the_text() {
    let p = project(BODY);
    let set = build(&p, OLD);
    let pdf = pdf_text(&set["small.pdf"]);
    assert!(!pdf.contains('\u{202E}'), "{pdf}");
    assert!(pdf.contains("Leeds drow end"), "{pdf}");
    let xml = docx_part(&set["small-summary.docx"], "word/document.xml");
    assert!(!xml.contains('\u{202E}') && !xml.contains('\u{202C}'));
    assert!(docx_text(&set["small-summary.docx"]).contains("Leeds drow end"));
}

#[test]
fn a_non_character_in_data_is_an_error_naming_where_it_is() {
    let p = project(BODY);
    let old = build(&p, OLD);
    p.write("data/notes.csv", "id,note\n1,bad \u{FFFF} cell\n2,plain\n");
    let err = p
        .run_with(&["build", SPEC], &[("SOURCE_DATE_EPOCH", NEW)])
        .failure(1);
    // The data reader names the cell; failing that, the figure and table
    // cell that hold it. Never the generated Typst source.
    assert!(err.contains("U+FFFF"), "{err}");
    assert!(
        err.contains("notes.csv")
            || err.contains("table `note_list`, row 1, column `note` is not text"),
        "{err}"
    );
    assert!(!err.contains(".boardpack-main.typ"), "{err}");
    assert!(snapshot(&p) == old);
}

/// Issue 22: a 68-byte PNG whose header claims 1,000,000 × 1,000,000
/// pixels aborted the process (a 4 TB allocation), in `check` too. As the
/// logo it is refused from the spec; read by the layout itself it is
/// refused before Typst decodes it; in both `build` and `check`.
#[test]
fn an_image_whose_header_claims_a_huge_size_is_refused_before_decoding() {
    let huge = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/bad_inputs/style-logo-huge-header/logo.png");
    let p = project(BODY);
    let old = build(&p, OLD);
    std::fs::copy(&huge, p.path("templates/huge.png")).unwrap();
    let layout = p.read("templates/board-paper.typ");
    p.write(
        "templates/board-paper.typ",
        &format!("{layout}\n#image(\"huge.png\")\n"),
    );
    for command in ["build", "check"] {
        let err = p.run(&[command, SPEC]).failure(1);
        assert!(
            err.contains("the image `templates/huge.png` claims 1,000,000 × 1,000,000 pixels (1,000,000,000,000 pixels), more than the limit of 50,000,000 (`limits.image_pixels`)"),
            "{command}: {err}"
        );
        assert!(
            err.contains("raise `image_pixels` under `[limits]`"),
            "{err}"
        );
    }
    assert!(snapshot(&p) == old);
    // As the logo, it is refused at its line of the spec.
    p.write("templates/board-paper.typ", &layout);
    std::fs::copy(&huge, p.path("reports/small/logo.png")).unwrap();
    p.set_toml(SPEC, "[style]\nlogo = \"logo.png\"");
    for command in ["build", "check"] {
        let err = p.run(&[command, SPEC]).failure(1);
        assert!(
            err.contains("`style.logo` `logo.png` claims 1,000,000 × 1,000,000 pixels"),
            "{command}: {err}"
        );
    }
    assert!(snapshot(&p) == old);
}
