//! [`SpecFile`]: where the spec lives and what it says, the one thing
//! every stage needs from the spec besides its own section: to point an
//! error at the value it is about, and to resolve and read the files the
//! spec names. Cheap to clone (one `Arc`), so a stage can keep it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::Spanned;

use crate::error::{Error, ErrorKind, Result};
use crate::paths::{Files, Refusal};

/// The spec's file: its path, text, folder and project root.
#[derive(Debug, Clone)]
pub struct SpecFile(Arc<Place>);

#[derive(Debug)]
struct Place {
    path: PathBuf,
    text: String,
    dir: PathBuf,
    root: PathBuf,
}

impl SpecFile {
    /// The spec `text` read from `path`, in folder `dir` of project `root`.
    pub(crate) fn new(path: PathBuf, text: String, dir: PathBuf, root: PathBuf) -> SpecFile {
        SpecFile(Arc::new(Place {
            path,
            text,
            dir,
            root,
        }))
    }

    /// The spec file as the user named it.
    pub fn path(&self) -> &Path {
        &self.0.path
    }

    /// The spec's text, for pointing at lines in errors.
    pub fn text(&self) -> &str {
        &self.0.text
    }

    /// The folder containing the spec; relative paths resolve against it.
    pub fn dir(&self) -> &Path {
        &self.0.dir
    }

    /// The project root; nothing outside it is read.
    pub fn root(&self) -> &Path {
        &self.0.root
    }

    /// An error pointing at a byte range of the spec.
    pub fn error_at(
        &self,
        kind: ErrorKind,
        message: impl Into<String>,
        span: std::ops::Range<usize>,
    ) -> Error {
        Error::new(kind, message)
            .in_file(self.path())
            .at_span(self.text(), span)
    }

    /// The error for a path written at `value` that `files` refused.
    pub(crate) fn refused(&self, kind: ErrorKind, r: &Refusal, value: &Spanned<String>) -> Error {
        let (message, hint) = r.explain(value.get_ref(), self.root());
        self.error_at(kind, message, value.span()).with_hint(hint)
    }

    /// Resolves a path written in the spec (relative to its folder) with
    /// `files`, refusing anything that leaves the project root.
    pub(crate) fn resolve(&self, files: &dyn Files, value: &Spanned<String>) -> Result<PathBuf> {
        files
            .locate_path(self.dir(), value.get_ref())
            .map_err(|r| self.refused(ErrorKind::Spec, &r, value))
    }

    /// Reads a file the spec names through `files`; errors point at `value`.
    pub(crate) fn read(
        &self,
        files: &dyn Files,
        value: &Spanned<String>,
        role: &str,
    ) -> Result<Arc<[u8]>> {
        let path = self.resolve(files, value)?;
        files
            .read_bytes(&path, role)
            .map_err(|r| self.refused(ErrorKind::Io, &r, value))
    }
}
