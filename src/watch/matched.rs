//! A source's glob pattern under watch: the folder it starts from, what it
//! matched at the last build, and whether a file event may change that.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::real_path;

/// A glob pattern of a source and what it matched.
pub(super) struct Matched {
    /// The pattern with its fixed part's folder resolved (real path).
    pub(super) real: PathBuf,
    /// The fixed leading folder (before the first wildcard), real path.
    pub(super) base: PathBuf,
    /// Whether a wildcard stands for a folder (the base is watched with
    /// its subfolders).
    pub(super) deep: bool,
    /// Whether the base folder existed, and the real paths matched.
    pub(super) seen: (bool, BTreeSet<PathBuf>),
}

impl Matched {
    pub(super) fn new(pattern: &Path, files: &[PathBuf]) -> Matched {
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
    pub(super) fn now(&self) -> (bool, BTreeSet<PathBuf>) {
        // The build's own walk (loops refused, bounded). With the default
        // bound: a spec that raised `glob_entries` only costs an extra
        // rebuild when its folder changes, never a hang.
        let limit = crate::spec::Limits::default().glob_entries;
        let matched = crate::source::walk::expand(&self.real, limit)
            .map(|paths| paths.iter().map(|p| real_path(p)).collect())
            .unwrap_or_default();
        (self.base.is_dir(), matched)
    }

    pub(super) fn changed(&self) -> bool {
        self.now() != self.seen
    }

    /// The folder to watch: the base, or while it does not exist the
    /// nearest folder above it that does (its creation is then seen).
    pub(super) fn watched_folder(&self) -> (PathBuf, bool) {
        if self.base.is_dir() {
            return (self.base.clone(), self.deep);
        }
        let above = self.base.ancestors().skip(1).find(|p| p.is_dir());
        (above.unwrap_or(Path::new("/")).to_path_buf(), false)
    }

    /// Whether an event at `path` may change what the pattern matches: a
    /// file in its folder, or a folder on the way to it.
    pub(super) fn may_change(&self, path: &Path) -> bool {
        path.starts_with(&self.base) || self.base.starts_with(path)
    }
}
