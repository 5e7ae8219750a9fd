//! Paths as the spec writes them and the registry reads them: lexical
//! normalisation, "inside this root", the names the manifest gives files,
//! the declared data folders, why a path is refused, and [`Files`], the
//! file access the spec's validation needs (the input registry provides
//! it; the spec does not know the registry).
//!
//! A ground module: it imports only `error` and `image_limit`.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::error::{display_path, Error, ErrorKind};

/// The file access validating a spec needs: where a path the spec writes
/// leads, a file's bytes, and whether the build read a file. The input
/// registry (`inputs::Inputs`) is the one implementation outside tests.
pub(crate) trait Files {
    /// Resolves `written` against `dir`, refusing anything outside the
    /// root (see `Inputs::locate`).
    fn locate_path(&self, dir: &Path, written: &str) -> Result<PathBuf, Refusal>;
    /// Reads a resolved file once, recording it (see `Inputs::read`).
    fn read_bytes(&self, path: &Path, role: &str) -> Result<Arc<[u8]>, Refusal>;
    /// Whether `path` names (through any links) a file the build read.
    fn has_read(&self, path: &Path) -> bool;
}

/// Why a file may not or cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// An absolute path that is not inside the project root.
    Absolute,
    /// A relative path whose `..` climbs above the project root.
    LeavesRoot,
    /// The path is (or passes through) a symbolic link that points outside
    /// the project root.
    LinkOut,
    /// `@NAME/…` names a data folder the spec does not declare.
    UnknownDataDir(String),
    /// Nothing at that path.
    Missing,
    /// The file exists but cannot be read (permissions, a folder…).
    Unreadable(String),
    /// A raster image whose header claims more pixels than
    /// `[limits] image_pixels`: refused before anything decodes it.
    TooManyPixels(crate::image_limit::TooManyPixels),
}

impl Refusal {
    /// The message and hint for a path `written` (as the user wrote it)
    /// inside the project root `root`.
    pub fn explain(&self, written: &str, root: &Path) -> (String, String) {
        let root = display_path(root);
        let outside = declare_hint(written, &root);
        match self {
            Refusal::Absolute => (
                format!("`{written}` is an absolute path outside the project"),
                outside,
            ),
            Refusal::LeavesRoot => (
                format!("`{written}` leaves the project: its `..` goes above the project root"),
                outside,
            ),
            Refusal::UnknownDataDir(name) => (
                format!("`{written}` names the data folder `{name}`, which the spec does not declare"),
                format!("declare it in the spec: `[report.data_dirs]` then `{name} = \"/path/to/the/folder\"` (or `{name} = {{ env = \"VARIABLE\" }}` to take it from the environment)"),
            ),
            Refusal::LinkOut => (
                format!("`{written}` leads through a symbolic link to a file outside the project"),
                format!("copy the file into the project instead of linking to it, or declare the folder it points into in `[report.data_dirs]`: links are followed only while they stay inside the project root `{root}` or a declared data folder"),
            ),
            Refusal::Missing => (
                format!("`{written}` does not exist"),
                "check the path; it is relative to the spec's folder".to_string(),
            ),
            Refusal::Unreadable(e) => (format!("cannot read `{written}`: {e}"), "check that it is a readable file".to_string()),
            Refusal::TooManyPixels(t) => (
                format!("the image `{written}` {}", t.claims()),
                crate::image_limit::TooManyPixels::hint().to_string(),
            ),
        }
    }

    /// A spec-independent error (for files named outside the spec, e.g. by
    /// the layout): kind [`ErrorKind::Io`] for missing or unreadable files,
    /// [`ErrorKind::Spec`] for refused paths.
    pub fn to_error(&self, path: &Path, root: &Path) -> Error {
        let (message, hint) = self.explain(&display_path(path), root);
        let kind = match self {
            Refusal::Missing | Refusal::Unreadable(_) => ErrorKind::Io,
            _ => ErrorKind::Spec,
        };
        Error::new(kind, message).in_file(path).with_hint(hint)
    }
}

/// A declared data folder outside the project (`[report.data_dirs]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    /// The name paths use (`@NAME/…`) and the manifest records.
    pub name: String,
    /// The folder, lexically normalised.
    pub path: PathBuf,
    /// The folder with links resolved (`None` if it does not exist).
    pub real: Option<PathBuf>,
}

impl DataDir {
    /// The data folder `name` at `path`.
    pub fn new(name: &str, path: &Path) -> DataDir {
        let path = normalize(path);
        DataDir {
            name: name.to_string(),
            real: non_empty(&path).canonicalize().ok(),
            path,
        }
    }
}

/// The hint for a path outside the project: declare the folder that holds
/// it as a data folder and name the file through it.
fn declare_hint(written: &str, root: &str) -> String {
    let path = Path::new(written);
    let folder = path
        .parent()
        .map(display_path)
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| ".".to_string());
    let file = path
        .file_name()
        .map_or_else(|| "FILE".to_string(), |f| f.to_string_lossy().into_owned());
    format!(
        "files inside the project root `{root}` are read as they are; to read from a folder outside it, \
         declare the folder in the spec (`[report.data_dirs]` then `extracts = \"{folder}\"`, \
         or `extracts = {{ env = \"VARIABLE\" }}`) and write `path = \"@extracts/{file}\"`"
    )
}

/// Lexically normalises a path (`a/./b/../c` → `a/c`) without touching the
/// file system, so root checks work on paths that do not exist yet.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to `root`, `/`-separated (never absolute, so it does not
/// depend on where the project is checked out).
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

/// `.` for the empty path (the current folder), so it can be canonicalised.
pub(crate) fn non_empty(path: &Path) -> &Path {
    if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    }
}

/// Whether `path` lies inside `root` (both lexically normalised).
pub(crate) fn within(path: &Path, root: &Path) -> bool {
    match path.strip_prefix(root) {
        Ok(rest) => !rest
            .components()
            .any(|c| c == std::path::Component::ParentDir),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_removes_dot_segments() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("a/../../c")), PathBuf::from("../c"));
    }
}
