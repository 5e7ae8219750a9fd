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

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecursiveMode, Watcher};

use crate::build::{build_with, load, rebuild_with, Build, BuildOptions, Shared};
use crate::error::{Error, ErrorKind, Result};

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
        changed = wait_for_change(&events, &state)?;
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

/// A glob pattern of a source and what it matched.
struct Matched {
    /// The pattern with its fixed part's folder resolved (real path).
    real: PathBuf,
    /// The fixed leading folder (before the first wildcard), real path.
    base: PathBuf,
    /// Whether a wildcard stands for a folder (the base is watched with
    /// its subfolders).
    deep: bool,
    /// Whether the base folder existed, and the real paths matched.
    seen: (bool, BTreeSet<PathBuf>),
}

impl Matched {
    fn new(pattern: &Path, files: &[PathBuf]) -> Matched {
        let mut fixed = PathBuf::new();
        let mut rest = Vec::new();
        for part in pattern.components() {
            let wild = part.as_os_str().to_string_lossy().contains(['*', '?', '[']);
            if rest.is_empty() && !wild {
                fixed.push(part);
            } else {
                rest.push(part);
            }
        }
        let base = real_path(&fixed);
        let real = rest.iter().fold(base.clone(), |p, part| p.join(part));
        let matched = files.iter().map(|f| real_path(f)).collect();
        Matched {
            deep: rest.len() > 1,
            seen: (base.is_dir(), matched),
            real,
            base,
        }
    }

    /// What the pattern matches now, as the build would expand it.
    fn now(&self) -> (bool, BTreeSet<PathBuf>) {
        // The build's own walk (loops refused, bounded). With the default
        // bound: a spec that raised `glob_entries` only costs an extra
        // rebuild when its folder changes, never a hang.
        let limit = crate::spec::Limits::default().glob_entries;
        let matched = crate::source::walk::expand(&self.real, limit)
            .map(|paths| paths.iter().map(|p| real_path(p)).collect())
            .unwrap_or_default();
        (self.base.is_dir(), matched)
    }

    fn changed(&self) -> bool {
        self.now() != self.seen
    }

    /// The folder to watch: the base, or while it does not exist the
    /// nearest folder above it that does (its creation is then seen).
    fn watched_folder(&self) -> (PathBuf, bool) {
        if self.base.is_dir() {
            return (self.base.clone(), self.deep);
        }
        let above = self.base.ancestors().skip(1).find(|p| p.is_dir());
        (above.unwrap_or(Path::new("/")).to_path_buf(), false)
    }

    /// Whether an event at `path` may change what the pattern matches: a
    /// file in its folder, or a folder on the way to it.
    fn may_change(&self, path: &Path) -> bool {
        path.starts_with(&self.base) || self.base.starts_with(path)
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
        state.record(vec![(input.clone(), hash_file(&input))], true);
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

    #[test]
    fn a_failing_build_that_did_not_read_a_changed_file_does_not_loop() {
        let dir = tempfile::tempdir().unwrap();
        let (spec, paper) = (dir.path().join("report.toml"), dir.path().join("paper.md"));
        std::fs::write(&spec, "good").unwrap();
        std::fs::write(&paper, "a").unwrap();
        let mut state = State::default();
        let now = |p: &Path| (p.to_path_buf(), hash_file(p));
        state.record(vec![now(&spec), now(&paper)], true);
        // Both saved; the spec is broken, so the build never reads paper.md.
        std::fs::write(&spec, "broken").unwrap();
        std::fs::write(&paper, "b").unwrap();
        assert_eq!(state.stale().len(), 2);
        state.record(vec![now(&spec)], false);
        assert!(state.stale().is_empty(), "no rebuild until the next save");
        std::fs::write(&spec, "fixed").unwrap();
        assert_eq!(state.stale(), std::slice::from_ref(&spec));
    }

    #[test]
    fn a_save_made_during_the_build_is_stale_once_armed() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("paper.md");
        std::fs::write(&input, "read by the build").unwrap();
        let read = hash_file(&input);
        // Saved after the build read it, before any watch was armed.
        std::fs::write(&input, "saved during the build").unwrap();
        let mut state = State::default();
        state.record(vec![(input.clone(), read)], true);
        assert_eq!(state.stale(), std::slice::from_ref(&input));
        // A spec that could not be read then appeared: stale too.
        let spec = dir.path().join("report.toml");
        let mut state = State::default();
        state.record(vec![(spec.clone(), None)], false);
        assert!(state.stale().is_empty());
        std::fs::write(&spec, "x").unwrap();
        assert_eq!(state.stale(), std::slice::from_ref(&spec));
    }

    #[test]
    fn a_new_file_matching_a_glob_source_is_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("data/victims");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("part-0.csv"), "a").unwrap();
        let pattern = folder.join("*.csv");
        let mut state = State::default();
        state.record_patterns(
            vec![(pattern.clone(), vec![folder.join("part-0.csv")])],
            true,
        );
        assert!(state.stale().is_empty());
        let (watched, deep) = state.patterns.values().next().unwrap().watched_folder();
        assert_eq!((watched, deep), (real_path(&folder), false));
        // Not matching: no change. Matching: the pattern is named.
        std::fs::write(folder.join("notes.txt"), "x").unwrap();
        assert!(state.stale().is_empty());
        std::fs::write(folder.join("part-1.csv"), "b").unwrap();
        assert_eq!(state.stale(), std::slice::from_ref(&pattern));
        // An event for the new file reaches the pattern.
        let mut touched = BTreeSet::new();
        let create = EventKind::Create(notify::event::CreateKind::File);
        collect(
            event(create, &real_path(&folder.join("part-1.csv"))),
            &state,
            &mut touched,
        );
        assert_eq!(
            state.really_changed(&touched),
            std::slice::from_ref(&pattern)
        );
    }

    #[test]
    fn a_pattern_over_folders_is_watched_deep_and_a_missing_folder_from_above() {
        let dir = tempfile::tempdir().unwrap();
        let root = real_path(dir.path());
        let deep = Matched::new(&dir.path().join("data/*/x.csv"), &[]);
        // `data` does not exist yet: its parent is watched, and its
        // creation changes the pattern's state.
        assert_eq!(deep.watched_folder(), (root.clone(), false));
        assert!(deep.may_change(&root.join("data")));
        assert!(!deep.may_change(&root.join("other")));
        std::fs::create_dir_all(dir.path().join("data/2024")).unwrap();
        assert!(deep.changed());
        assert_eq!(deep.watched_folder(), (root.join("data"), true));
    }
}
