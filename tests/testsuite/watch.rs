//! `watch` (issues 13 and 22) on the board-paper fixture project
//! (`tests/projects/board-paper/`): rebuilds after each save (in place or
//! by rename, events or `--poll`), keeps the last good outputs through a
//! broken spec, and loses no save made at a random moment of a build.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::support::Project;

const SPEC: &str = "report.toml";
const OUT: &str = "out";
const HTML: &str = "out/paper.html";

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

fn outputs(p: &Project) -> Vec<(String, Vec<u8>)> {
    outputs_in(p, OUT)
}

/// A running `boardpack watch` and its output lines.
struct Watch {
    child: Child,
    lines: Receiver<String>,
}

impl Watch {
    fn start(p: &Project, extra: &[&str]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_boardpack"))
            .args(["watch", SPEC])
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
    let p = Project::fixture("board-paper");
    let extra: &[&str] = if poll { &["--poll"] } else { &[] };
    let w = Watch::start(&p, extra);
    w.expect("built in");
    w.expect("watching");
    // Outputs and the editor's own files in watched folders change nothing.
    std::fs::write(p.path(".paper.md.swp"), "x").unwrap();
    // A prose edit, saved by rename as editors do.
    let paper = "paper.md";
    let text = p.read(paper).replace(
        "The purpose of this report",
        "The whole purpose of this report",
    );
    std::fs::write(p.path("paper.md.new"), text).unwrap();
    std::fs::rename(p.path("paper.md.new"), p.path(paper)).unwrap();
    let lines = w.expect("built in");
    let last = lines.last().unwrap();
    assert!(last.starts_with("changed `paper.md`: built in "), "{last}");
    assert!(p.read(HTML).contains("The whole purpose of this report"));
    let good = outputs(&p);
    // A broken spec: the diagnostic, and the last good outputs stay.
    let spec = SPEC;
    let original = p.read(spec);
    p.write(spec, &format!("{original}\n[content\n"));
    let lines = w.expect_all(&["build failed", "report.toml:"]);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("changed `report.toml`: build failed after ")),
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

/// One save of the random-saves test: prose (written in place or by
/// rename), the spec's title, or a new file matching the victims' glob.
fn random_save(p: &Project, rng: &mut fastrand::Rng, n: usize, kind: u32) {
    let paper = "paper.md";
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
        2 => p.set_toml(
            SPEC,
            &format!("[report]\ntitle = \"Community Safety Paper ({n})\""),
        ),
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
    let p = Project::fixture("board-paper");
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
    p.set_toml(SPEC, "[sources.victims]\npath = \"data/victims/*.csv\"");
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
        p.run(&["build", SPEC, "--no-cache", "--out", "fresh"])
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
