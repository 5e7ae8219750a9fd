//! Expanding a source's glob pattern (`data/**/*.csv`) into files.
//!
//! Our own walk instead of `glob::glob`, which follows directory links
//! without looking back: a link to a folder above it made `**` count one
//! file 41 times, and two self-referring links made it run until memory
//! ran out. Here:
//! - directory links are followed (a data folder may well be a link), but a
//!   folder already on the way down (the same device and inode) is a loop,
//!   refused with a message naming the link;
//! - each real file counts once: two routes to one file (a link beside its
//!   target, two links to one folder) give the first path in path order;
//! - an entry the pattern matches that is a link leading nowhere (missing
//!   target, or a link to itself) is refused, not skipped;
//! - the walk visits at most `[limits] glob_entries` entries and goes at
//!   most [`MAX_DEPTH`] folders below the pattern's fixed folder.
//!
//! Names match one path component at a time with `glob::Pattern`, with
//! the options `glob::glob` used (`*` matches a leading dot), so patterns
//! mean what they meant before.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// How many folders below the pattern's fixed folder the walk may go.
pub(crate) const MAX_DEPTH: usize = 64;

/// Why a pattern could not be expanded.
#[derive(Debug)]
pub(crate) enum WalkError {
    /// A component is not a valid pattern.
    Pattern(String),
    /// `link` leads back to `folder`, a folder above it.
    Loop { link: PathBuf, folder: PathBuf },
    /// A matching entry is a link whose target does not exist (or is itself).
    BrokenLink(PathBuf),
    /// More than `limit` entries were visited.
    TooMany { limit: u64 },
    /// `path` is more than [`MAX_DEPTH`] folders deep.
    TooDeep(PathBuf),
    /// A folder could not be listed.
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// One component of the pattern after its fixed folder.
enum Part {
    Literal(OsString),
    Wild(glob::Pattern),
    /// `**`: this folder and every folder below it.
    AnyDirs,
}

/// The files `pattern` matches, each real file once, in path order.
pub(crate) fn expand(pattern: &Path, max_entries: u64) -> Result<Vec<PathBuf>, WalkError> {
    let mut base = PathBuf::new();
    let mut parts = Vec::new();
    for component in pattern.components() {
        let text = component.as_os_str().to_string_lossy();
        let wild = text.contains(['*', '?', '[']);
        if parts.is_empty() && !wild {
            base.push(component);
            continue;
        }
        parts.push(match component {
            Component::Normal(_) if text == "**" => Part::AnyDirs,
            Component::Normal(_) if wild => Part::Wild(
                glob::Pattern::new(&text).map_err(|e| WalkError::Pattern(e.msg.to_string()))?,
            ),
            other => Part::Literal(other.as_os_str().to_os_string()),
        });
    }
    if base.as_os_str().is_empty() {
        base.push(".");
    }
    let mut walk = Walk {
        parts,
        max_entries,
        visited: 0,
        above: Vec::new(),
        found: BTreeMap::new(),
    };
    walk.visit(&base, 0)?;
    let mut files: Vec<PathBuf> = walk.found.into_values().collect();
    files.sort();
    Ok(files)
}

struct Walk {
    parts: Vec<Part>,
    max_entries: u64,
    visited: u64,
    /// The folders on the way down: (device, inode) and the path taken.
    above: Vec<((u64, u64), PathBuf)>,
    /// Real path → the first path that reached it.
    found: BTreeMap<PathBuf, PathBuf>,
}

impl Walk {
    /// `path` as the match of the parts before `i`.
    fn visit(&mut self, path: &Path, i: usize) -> Result<(), WalkError> {
        let meta = match fs::metadata(path) {
            Ok(meta) => meta,
            // A name the pattern matched that is a link to nothing: refused,
            // it would otherwise vanish from the data without a word.
            Err(_) if i == self.parts.len() && is_link(path) => {
                return Err(WalkError::BrokenLink(path.into()))
            }
            Err(_) => return Ok(()),
        };
        if i == self.parts.len() {
            if meta.is_file() {
                let real = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
                let shown = self.found.entry(real).or_insert_with(|| path.to_path_buf());
                if path < shown.as_path() {
                    *shown = path.to_path_buf();
                }
            }
            return Ok(());
        }
        if !meta.is_dir() {
            return Ok(());
        }
        let id = dir_id(&meta);
        if let Some((_, folder)) = self.above.iter().find(|(seen, _)| *seen == id) {
            return Err(WalkError::Loop {
                link: path.into(),
                folder: folder.clone(),
            });
        }
        if self.above.len() > MAX_DEPTH {
            return Err(WalkError::TooDeep(path.into()));
        }
        self.above.push((id, path.to_path_buf()));
        let result = self.inside(path, i);
        self.above.pop();
        result
    }

    /// Matches the parts from `i` on inside the folder `dir`.
    fn inside(&mut self, dir: &Path, i: usize) -> Result<(), WalkError> {
        match self.parts.get(i) {
            None => Ok(()),
            Some(Part::Literal(name)) => {
                let name = name.clone();
                self.visit(&dir.join(name), i + 1)
            }
            Some(Part::Wild(pattern)) => {
                let options = glob::MatchOptions::new();
                let pattern = pattern.clone();
                for entry in self.list(dir)? {
                    let name = entry.file_name().unwrap_or_default().to_string_lossy();
                    if pattern.matches_with(&name, options) {
                        self.visit(&entry, i + 1)?;
                    }
                }
                Ok(())
            }
            Some(Part::AnyDirs) => {
                // Zero folders: the rest of the pattern right here.
                self.inside(dir, i + 1)?;
                for entry in self.list(dir)? {
                    if entry.is_dir() {
                        self.visit(&entry, i)?;
                    }
                }
                Ok(())
            }
        }
    }

    /// The entries of `dir` in name order, counted against the limit.
    fn list(&mut self, dir: &Path) -> Result<Vec<PathBuf>, WalkError> {
        let io = |error| WalkError::Io {
            path: dir.to_path_buf(),
            error,
        };
        let mut entries = Vec::new();
        for entry in fs::read_dir(dir).map_err(io)? {
            self.visited += 1;
            if self.visited > self.max_entries {
                return Err(WalkError::TooMany {
                    limit: self.max_entries,
                });
            }
            entries.push(entry.map_err(io)?.path());
        }
        entries.sort();
        Ok(entries)
    }
}

fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

#[cfg(unix)]
fn dir_id(meta: &fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// Without inodes (Windows), no loop is detected by identity; the depth
/// limit still ends the walk.
#[cfg(not(unix))]
fn dir_id(_meta: &fs::Metadata) -> (u64, u64) {
    (0, 0)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("data/a/b")).unwrap();
        fs::write(dir.path().join("data/one.csv"), "x").unwrap();
        fs::write(dir.path().join("data/a/b/two.csv"), "x").unwrap();
        fs::write(dir.path().join("data/a/.hidden.csv"), "x").unwrap();
        dir
    }

    fn names(dir: &Path, files: &[PathBuf]) -> Vec<String> {
        let files = files.iter().map(|f| f.strip_prefix(dir).unwrap());
        files.map(|f| f.display().to_string()).collect()
    }

    #[test]
    fn matches_like_glob_did() {
        let dir = tree();
        let found = expand(&dir.path().join("data/**/*.csv"), 100).unwrap();
        let want = ["data/a/.hidden.csv", "data/a/b/two.csv", "data/one.csv"];
        assert_eq!(names(dir.path(), &found), want);
        let found = expand(&dir.path().join("data/*/b/t?o.csv"), 100).unwrap();
        assert_eq!(names(dir.path(), &found), ["data/a/b/two.csv"]);
    }

    #[test]
    fn a_loop_is_refused_naming_the_link() {
        let dir = tree();
        symlink("../..", dir.path().join("data/a/b/up")).unwrap();
        let err = expand(&dir.path().join("data/**/*.csv"), 100).unwrap_err();
        let WalkError::Loop { link, folder } = err else {
            panic!("{err:?}")
        };
        assert_eq!(link, dir.path().join("data/a/b/up"));
        assert_eq!(folder, dir.path().join("data"));
    }

    #[test]
    fn self_links_and_dangling_links_end() {
        let dir = tree();
        symlink("self", dir.path().join("data/a/self")).unwrap();
        // Not matched by `*.csv`: skipped without a word.
        assert_eq!(
            expand(&dir.path().join("data/**/*.csv"), 100)
                .unwrap()
                .len(),
            3
        );
        symlink("gone.csv", dir.path().join("data/a/link.csv")).unwrap();
        let err = expand(&dir.path().join("data/**/*.csv"), 100).unwrap_err();
        assert!(matches!(&err, WalkError::BrokenLink(p) if p.ends_with("data/a/link.csv")));
    }

    #[test]
    fn two_routes_to_one_file_count_once() {
        let dir = tree();
        symlink("a", dir.path().join("data/also")).unwrap();
        symlink("one.csv", dir.path().join("data/same.csv")).unwrap();
        let found = expand(&dir.path().join("data/**/*.csv"), 100).unwrap();
        let want = ["data/a/.hidden.csv", "data/a/b/two.csv", "data/one.csv"];
        assert_eq!(names(dir.path(), &found), want);
    }

    #[test]
    fn the_walk_is_bounded() {
        let dir = tree();
        let err = expand(&dir.path().join("data/**/*.csv"), 3).unwrap_err();
        assert!(matches!(err, WalkError::TooMany { limit: 3 }));
        let mut deep = dir.path().join("deep");
        for _ in 0..=MAX_DEPTH + 1 {
            deep.push("d");
        }
        fs::create_dir_all(&deep).unwrap();
        let err = expand(&dir.path().join("deep/**/*.csv"), 10_000).unwrap_err();
        assert!(matches!(err, WalkError::TooDeep(_)));
    }
}
