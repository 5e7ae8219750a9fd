//! `boardpack watch`: build, then rebuild whenever an input of the last
//! build changes.
//!
//! The set of files to watch is exactly what the last build read: the input
//! registry (`spec.inputs`) lists it, including templates a template
//! included and files the Typst layout read. A failed build still reports
//! what it had read before it failed, so fixing any of those files (or the
//! spec) triggers the next attempt.
//!
//! The watcher listens to the folders holding those files, not the files:
//! editors that save by writing a new file and renaming it over the old one
//! replace the inode a file watch would hold, while the folder's watch sees
//! the new name arrive. Events are filtered to the input set, gathered for
//! ~100 ms (an editor's save is several events; a `git checkout` many), and
//! a rebuild runs only if a file's bytes really differ from what the last
//! build read (its BLAKE3), so touching a file or the build's own reads do
//! not loop. `--poll` uses a polling watcher instead, for network drives
//! whose changes raise no events.
//!
//! A failed rebuild writes nothing (the output set is all-or-nothing), so
//! the last good outputs stay, and the watcher keeps going. Typst's
//! memoisation lives for the process, so unchanged layout work (fonts,
//! the house style) is reused between rebuilds; the build cache under the
//! output folder reuses everything else whose inputs did not change.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecursiveMode, Watcher};

use crate::build::{build_spec, rebuild, Build, BuildOptions};
use crate::error::{Error, ErrorKind, Result};
use crate::spec::Spec;

/// How long events are gathered before a rebuild.
pub const DEBOUNCE: Duration = Duration::from_millis(100);
/// How often `--poll` looks at the files.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// What `watch` does.
#[derive(Debug, Clone, Default)]
pub struct WatchOptions {
    /// The build to repeat (spec, `--set`, `--out`…).
    pub build: BuildOptions,
    /// Poll the files instead of waiting for the system's events.
    pub poll: bool,
}

/// What happened, for the command line to print.
#[derive(Debug)]
pub enum WatchEvent {
    /// A build finished and its outputs were written.
    Built {
        /// The inputs whose change started it (empty for the first build).
        changed: Vec<PathBuf>,
        /// Wall time of the build and write.
        elapsed: Duration,
        /// The files written.
        written: Vec<PathBuf>,
        /// The build's warnings.
        warnings: Vec<String>,
    },
    /// A build failed; the previous outputs are untouched.
    Failed {
        /// The inputs whose change started it (empty for the first build).
        changed: Vec<PathBuf>,
        /// Wall time until the failure.
        elapsed: Duration,
        /// What went wrong.
        error: Error,
    },
    /// Waiting for changes to this many files.
    Watching {
        /// How many input files are watched.
        files: usize,
    },
}

/// Builds, then rebuilds on every change to an input, calling `report`
/// after each build; returns only if the watcher itself fails.
pub fn watch(options: &WatchOptions, mut report: impl FnMut(WatchEvent)) -> Result<()> {
    let (send, events) = mpsc::channel();
    let mut watcher = new_watcher(options.poll, send)?;
    let mut state = State::default();
    let mut changed = Vec::new();
    let mut announced = None;
    loop {
        let event = state.build_once(&options.build, changed);
        report(event);
        state.arm(watcher.as_mut())?;
        // Said once, and again only when the set changes size.
        if announced != Some(state.hashes.len()) {
            announced = Some(state.hashes.len());
            report(WatchEvent::Watching {
                files: state.hashes.len(),
            });
        }
        changed = wait_for_change(&events, &state)?;
    }
}

/// The watcher's memory between builds.
#[derive(Default)]
struct State {
    /// Every watched input (real path) and its hash when last read
    /// (`None`: it did not exist or could not be read).
    hashes: BTreeMap<PathBuf, Option<String>>,
    /// Folders currently watched.
    folders: BTreeSet<PathBuf>,
    /// How each watched file was named (for messages).
    shown: BTreeMap<PathBuf, PathBuf>,
    /// The last good build: its data stages are reused while no data file,
    /// parameter or spec line changed (see [`crate::rebuild`]).
    last: Option<Build>,
}

impl State {
    /// Runs one build and write, then records what it read.
    fn build_once(&mut self, options: &BuildOptions, changed: Vec<PathBuf>) -> WatchEvent {
        let start = Instant::now();
        let mut read = Vec::new();
        let result = Spec::load(&options.spec).and_then(|spec| {
            let inputs = spec.inputs.clone();
            let built = match &self.last {
                Some(last) => rebuild(spec, options, last),
                None => build_spec(spec, options),
            };
            read = inputs.files();
            let built = built?;
            let written = built.write()?;
            let warnings = built.warnings.clone();
            self.last = Some(built);
            Ok((written, warnings))
        });
        // The spec is watched even when it could not be read or parsed.
        let mut files: Vec<(PathBuf, Option<String>)> = vec![(options.spec.clone(), None)];
        files.extend(
            read.iter()
                .map(|f| (f.path.clone(), Some(f.blake3.clone()))),
        );
        self.record(files, result.is_ok());
        let elapsed = start.elapsed();
        match result {
            Ok((written, warnings)) => WatchEvent::Built {
                changed,
                elapsed,
                written,
                warnings,
            },
            Err(error) => WatchEvent::Failed {
                changed,
                elapsed,
                error,
            },
        }
    }

    /// Takes `files` (path, hash read) as the watched set. After a failure
    /// the previous set is kept too: the failed build may have stopped
    /// before reading files it will need once fixed.
    fn record(&mut self, files: Vec<(PathBuf, Option<String>)>, ok: bool) {
        if ok {
            self.hashes.clear();
            self.shown.clear();
        }
        for (path, hash) in files {
            let real = real_path(&path);
            let hash = hash.or_else(|| hash_file(&real));
            self.shown.insert(real.clone(), path);
            self.hashes.insert(real, hash);
        }
    }

    /// Watches the folders of the watched files (and only those).
    fn arm(&mut self, watcher: &mut dyn Watcher) -> Result<()> {
        let wanted: BTreeSet<PathBuf> = self
            .hashes
            .keys()
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            .filter(|p| p.is_dir())
            .collect();
        for gone in self.folders.difference(&wanted) {
            let _ = watcher.unwatch(gone);
        }
        for new in wanted.difference(&self.folders) {
            watcher
                .watch(new, RecursiveMode::NonRecursive)
                .map_err(|e| watch_error(new, &e))?;
        }
        self.folders = wanted;
        Ok(())
    }

    /// The watched files among `paths` whose bytes differ from the last
    /// read, as the build named them.
    fn really_changed(&self, paths: &BTreeSet<PathBuf>) -> Vec<PathBuf> {
        paths
            .iter()
            .filter(|p| self.hashes.get(*p).is_some_and(|old| *old != hash_file(p)))
            .map(|p| self.shown.get(p).cloned().unwrap_or_else(|| p.clone()))
            .collect()
    }
}

/// Waits for events until an input's bytes changed; returns the changed
/// inputs.
fn wait_for_change(
    events: &Receiver<notify::Result<notify::Event>>,
    state: &State,
) -> Result<Vec<PathBuf>> {
    loop {
        let mut touched = BTreeSet::new();
        // Block for the first relevant event, then gather until quiet.
        let first = events.recv().map_err(|_| stopped())?;
        collect(first, state, &mut touched);
        if touched.is_empty() {
            continue;
        }
        let mut deadline = Instant::now() + DEBOUNCE;
        loop {
            match events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(e) => {
                    let before = touched.len();
                    collect(e, state, &mut touched);
                    if touched.len() > before {
                        deadline = Instant::now() + DEBOUNCE;
                    }
                }
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return Err(stopped()),
            }
        }
        let changed = state.really_changed(&touched);
        if !changed.is_empty() {
            return Ok(changed);
        }
    }
}

/// Adds the watched files an event may have changed to `touched`. Opening
/// or reading a file (the build's own reads) changes nothing.
fn collect(event: notify::Result<notify::Event>, state: &State, touched: &mut BTreeSet<PathBuf>) {
    let Ok(event) = event else {
        // A lost or failed event: look at every file.
        touched.extend(state.hashes.keys().cloned());
        return;
    };
    let relevant = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    };
    if !relevant {
        return;
    }
    for path in event.paths {
        if state.hashes.contains_key(&path) {
            touched.insert(path);
        } else {
            let real = real_path(&path);
            if state.hashes.contains_key(&real) {
                touched.insert(real);
            }
        }
    }
}

/// The system's watcher, or the polling one.
fn new_watcher(
    poll: bool,
    send: mpsc::Sender<notify::Result<notify::Event>>,
) -> Result<Box<dyn Watcher>> {
    let handler = move |e| {
        let _ = send.send(e);
    };
    let watcher: notify::Result<Box<dyn Watcher>> = if poll {
        let config = notify::Config::default()
            .with_poll_interval(POLL_INTERVAL)
            .with_compare_contents(true);
        notify::PollWatcher::new(handler, config).map(|w| Box::new(w) as Box<dyn Watcher>)
    } else {
        notify::recommended_watcher(handler).map(|w| Box::new(w) as Box<dyn Watcher>)
    };
    watcher.map_err(|e| {
        Error::new(ErrorKind::Io, format!("cannot watch for file changes: {e}"))
            .with_hint("try `boardpack watch --poll`, which looks at the files every 250 ms instead of waiting for the system to say they changed")
    })
}

/// The real path of `path` (links resolved) if it exists, else its
/// absolute form with the real folder.
fn real_path(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let name = path.file_name().map(Path::new).unwrap_or(Path::new(""));
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    parent
        .canonicalize()
        .map(|p| p.join(name))
        .unwrap_or_else(|_| path.to_path_buf())
}

fn hash_file(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| blake3::hash(&b).to_hex().to_string())
}

fn watch_error(path: &Path, e: &notify::Error) -> Error {
    Error::new(
        ErrorKind::Io,
        format!("cannot watch `{}`: {e}", crate::error::display_path(path)),
    )
    .with_hint(
        "check the folder exists and is readable; on a network drive use `boardpack watch --poll`",
    )
}

fn stopped() -> Error {
    Error::new(ErrorKind::Internal, "the file watcher stopped")
        .with_hint("start `boardpack watch` again; if it keeps stopping, try `--poll`")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind, path: &Path) -> notify::Result<notify::Event> {
        Ok(notify::Event::new(kind).add_path(path.to_path_buf()))
    }

    #[test]
    fn only_changes_to_inputs_count() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("paper.md");
        std::fs::write(&input, "a").unwrap();
        let mut state = State::default();
        state.record(vec![(input.clone(), None)], true);
        let real = real_path(&input);
        let mut touched = BTreeSet::new();
        // The build's own read: ignored.
        let open = EventKind::Access(AccessKind::Open(AccessMode::Any));
        collect(event(open, &real), &state, &mut touched);
        // Another file in the folder (an output, an editor's swap file): ignored.
        let modify = EventKind::Modify(notify::event::ModifyKind::Any);
        collect(
            event(modify, &dir.path().join(".paper.md.swp")),
            &state,
            &mut touched,
        );
        assert!(touched.is_empty());
        collect(event(modify, &real), &state, &mut touched);
        assert_eq!(touched.len(), 1);
        // Saved without a change: no rebuild; with one: the file is named.
        assert!(state.really_changed(&touched).is_empty());
        std::fs::write(&input, "b").unwrap();
        assert_eq!(state.really_changed(&touched), std::slice::from_ref(&input));
    }

    #[test]
    fn a_failed_build_keeps_watching_what_the_last_good_one_read() {
        let mut state = State::default();
        state.record(vec![(PathBuf::from("/nonexistent/a.md"), None)], true);
        state.record(vec![(PathBuf::from("/nonexistent/spec.toml"), None)], false);
        assert_eq!(state.hashes.len(), 2);
        state.record(vec![(PathBuf::from("/nonexistent/spec.toml"), None)], true);
        assert_eq!(state.hashes.len(), 1);
    }
}
