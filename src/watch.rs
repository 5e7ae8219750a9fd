//! `boardpack watch`: build, then rebuild whenever an input of the last
//! build changes.
//!
//! The set of files to watch is exactly what the last build read: the input
//! registry (the build's `inputs`) lists it, including templates a template
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
//! A data source's glob pattern is watched too: the folder it names
//! (with its subfolders when a wildcard stands for a folder), and a rebuild
//! runs when the set of files it matches changes, so a new extract dropped
//! into the folder is read.
//!
//! No save is lost, whenever it happens: the hashes compared are those of
//! the bytes the build read (from the input registry, the spec's taken
//! before it is loaded), and once the watcher is armed after each build,
//! every watched file is hashed and every pattern expanded again. A save
//! made while the build ran, before its events could be heard, shows as a
//! difference there and starts the next build at once; one made later
//! raises an event. After the last save settles, the outputs are those of
//! a fresh build of the files on disk (tested with saves at random moments).
//!
//! A failed rebuild writes nothing (the output set is all-or-nothing), so
//! the last good outputs stay, and the watcher keeps going. Typst's
//! memoisation lives for the process, so unchanged layout work (fonts,
//! the house style) is reused between rebuilds; the build cache under the
//! output folder reuses everything else whose inputs did not change.

mod matched;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecursiveMode, Watcher};

use self::matched::Matched;
use crate::build::{build_with, load, rebuild_with, Build, BuildOptions, Shared};
use crate::error::{Error, ErrorKind, Result};

/// How long events are gathered before a rebuild.
pub const DEBOUNCE: Duration = Duration::from_millis(100);
/// How often `--poll` looks at the files.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// With `--poll`, how often the watch also compares every watched file
/// with what the last build read, whatever the polling watcher reported:
/// the polling watcher can let a save go unreported (the testsuite's poll
/// test saw a spec restored right after a failed build go unnoticed in
/// about one run of six; the cause, likely a save landing while its
/// snapshot is taken, is not pinned down), which would otherwise wait for
/// the next save.
const POLL_RECHECK: Duration = Duration::from_secs(2);

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
        /// The build's warnings, for the command line to render.
        warnings: crate::error::Diagnostics,
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
        // Saved while the build ran, before the watch could hear it.
        changed = state.stale();
        if !changed.is_empty() {
            continue;
        }
        // Said once, and again only when the set changes size.
        if announced != Some(state.hashes.len()) {
            announced = Some(state.hashes.len());
            report(WatchEvent::Watching {
                files: state.hashes.len(),
            });
        }
        changed = wait_for_change(&events, &state, options.poll)?;
    }
}

/// The watcher's memory between builds.
#[derive(Default)]
struct State {
    /// Every watched input (real path) and its hash when last read
    /// (`None`: it did not exist or could not be read).
    hashes: BTreeMap<PathBuf, Option<String>>,
    /// Each source's glob pattern (real folder), with the real paths of
    /// the files it matched when the build expanded it.
    patterns: BTreeMap<PathBuf, Matched>,
    /// Folders currently watched, and whether with their subfolders.
    folders: BTreeMap<PathBuf, bool>,
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
        let mut patterns = Vec::new();
        // Before loading: a save after this is seen as a change.
        let spec_hash = hash_file(&options.spec);
        let result = load(&options.spec).and_then(|(spec, inputs)| {
            let built = match &self.last {
                Some(last) => rebuild_with(spec, inputs.clone(), options, last),
                None => build_with(spec, inputs.clone(), options, &Shared::default()),
            };
            read = inputs.files();
            patterns = inputs.patterns();
            let built = built?;
            let written = built.write()?;
            let warnings = built.warnings().clone();
            self.last = Some(built);
            Ok((written, warnings))
        });
        // The spec is watched even when it could not be read or parsed
        // (the registry's hash, if it has one, comes later and wins).
        let mut files: Vec<(PathBuf, Option<String>)> = vec![(options.spec.clone(), spec_hash)];
        files.extend(
            read.iter()
                .map(|f| (f.path.clone(), Some(f.blake3.clone()))),
        );
        self.record(files, result.is_ok());
        self.record_patterns(patterns, result.is_ok());
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
        } else {
            // Kept files this attempt did not read count as seen as they
            // are now: otherwise a change to one of them would restart
            // the same failing build forever. (Whatever they hold, the
            // fixed build reads it.)
            for (path, hash) in &mut self.hashes {
                *hash = hash_file(path);
            }
        }
        for (path, hash) in files {
            let real = real_path(&path);
            self.shown.insert(real.clone(), path);
            self.hashes.insert(real, hash);
        }
    }

    /// Takes the build's glob patterns and what each matched (after a
    /// failure, as [`State::record`], the previous ones are kept too).
    fn record_patterns(&mut self, patterns: Vec<(PathBuf, Vec<PathBuf>)>, ok: bool) {
        if ok {
            self.patterns.clear();
        } else {
            for m in self.patterns.values_mut() {
                m.seen = m.now();
            }
        }
        for (pattern, files) in patterns {
            let matched = Matched::new(&pattern, &files);
            self.shown.insert(matched.real.clone(), pattern);
            self.patterns.insert(matched.real.clone(), matched);
        }
    }

    /// Watches the folders of the watched files and of the patterns (and
    /// only those).
    fn arm(&mut self, watcher: &mut dyn Watcher) -> Result<()> {
        let mut wanted: BTreeMap<PathBuf, bool> = BTreeMap::new();
        for folder in self.hashes.keys().filter_map(|p| p.parent()) {
            if folder.is_dir() {
                wanted.entry(folder.to_path_buf()).or_insert(false);
            }
        }
        for m in self.patterns.values() {
            let (folder, deep) = m.watched_folder();
            *wanted.entry(folder).or_insert(deep) |= deep;
        }
        for (folder, deep) in &self.folders {
            if wanted.get(folder) != Some(deep) {
                let _ = watcher.unwatch(folder);
            }
        }
        for (folder, deep) in &wanted {
            if self.folders.get(folder) != Some(deep) {
                let mode = if *deep {
                    RecursiveMode::Recursive
                } else {
                    RecursiveMode::NonRecursive
                };
                watcher
                    .watch(folder, mode)
                    .map_err(|e| watch_error(folder, &e))?;
            }
        }
        self.folders = wanted;
        Ok(())
    }

    /// Every watched file whose bytes, and every pattern whose matches,
    /// differ from what the last build read.
    fn stale(&self) -> Vec<PathBuf> {
        let all = self.hashes.keys().chain(self.patterns.keys()).cloned();
        self.really_changed(&all.collect())
    }

    /// The watched files among `paths` whose bytes differ from the last
    /// read, and the patterns whose matches differ, as the build named
    /// them.
    fn really_changed(&self, paths: &BTreeSet<PathBuf>) -> Vec<PathBuf> {
        paths
            .iter()
            .filter(|p| {
                self.hashes.get(*p).is_some_and(|old| *old != hash_file(p))
                    || self.patterns.get(*p).is_some_and(Matched::changed)
            })
            .map(|p| self.shown.get(p).cloned().unwrap_or_else(|| p.clone()))
            .collect()
    }
}

/// Waits for events until an input's bytes changed; returns the changed
/// inputs.
fn wait_for_change(
    events: &Receiver<notify::Result<notify::Event>>,
    state: &State,
    poll: bool,
) -> Result<Vec<PathBuf>> {
    loop {
        let mut touched = BTreeSet::new();
        // Block for the first relevant event, then gather until quiet.
        let first = if poll {
            match events.recv_timeout(POLL_RECHECK) {
                Ok(e) => e,
                Err(RecvTimeoutError::Timeout) => {
                    let stale = state.stale();
                    if !stale.is_empty() {
                        return Ok(stale);
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return Err(stopped()),
            }
        } else {
            events.recv().map_err(|_| stopped())?
        };
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
        // A lost or failed event: look at every file and pattern.
        touched.extend(state.hashes.keys().cloned());
        touched.extend(state.patterns.keys().cloned());
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
        for (real, m) in &state.patterns {
            if m.may_change(&path) {
                touched.insert(real.clone());
            }
        }
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

/// The BLAKE3 of a regular file's bytes; `None` if it is missing or not a
/// regular file (a pipe put in an input's place is not waited on).
fn hash_file(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut options = std::fs::File::options();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let mut file = options.open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    Some(blake3::hash(&bytes).to_hex().to_string())
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
mod tests;
