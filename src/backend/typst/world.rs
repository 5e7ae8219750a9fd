//! The Typst `World` for one report: everything a compilation may see.
//!
//! Files come only through the build's input registry ([`Inputs`]): inside
//! the project root (virtual paths cannot escape it, and a symbolic link
//! that points out is refused), read once for the whole build. Fonts come
//! only from `typst-assets` plus the report's own font files, the date only
//! from the report (never the clock), and packages are refused (no network
//! at build time). Every file read is recorded so the build can list its
//! dependencies.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Dict};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::error::display_path;
use crate::image_limit;
use crate::inputs::{Inputs, Refusal};

/// One compilation's world.
pub struct ReportWorld {
    root: PathBuf,
    inputs: Arc<Inputs>,
    /// Reads the registry refused, so errors can say why and what to do.
    refused: Mutex<Vec<(PathBuf, Refusal)>>,
    main: Source,
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    today: Datetime,
    /// Files read so far, by id; also the dependency list.
    files: Mutex<BTreeMap<PathBuf, FileResult<Bytes>>>,
}

impl ReportWorld {
    /// A world rooted at `root` whose main file is `main_text`, placed at the
    /// virtual path `main_vpath` (so relative paths in it resolve from there).
    /// Every file it reads comes from `inputs`.
    pub fn new(
        root: &Path,
        registry: Arc<Inputs>,
        main_vpath: &str,
        main_text: String,
        extra_fonts: Vec<Font>,
        date: Datetime,
        inputs: Dict,
    ) -> ReportWorld {
        let vpath = VirtualPath::new(main_vpath)
            .unwrap_or_else(|_| VirtualPath::new("/main.typ").expect("static path"));
        let id = FileId::unique(RootedPath::new(VirtualRoot::Project, vpath));
        let mut fonts = embedded_fonts().clone();
        fonts.extend(extra_fonts);
        ReportWorld {
            root: root.to_path_buf(),
            inputs: registry,
            refused: Mutex::new(Vec::new()),
            main: Source::new(id, main_text),
            library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            today: date,
            files: Mutex::new(BTreeMap::new()),
        }
    }

    /// The real files compilation read, sorted, relative to where boardpack runs.
    pub fn dependencies(&self) -> Vec<PathBuf> {
        let files = self
            .files
            .lock()
            .map(|f| f.keys().cloned().collect())
            .unwrap_or_default();
        files
    }

    /// The project root.
    pub fn root(&self) -> &Path {
        self.inputs.root()
    }

    /// The first read the registry refused (a link out of the project…).
    pub fn first_refusal(&self) -> Option<(PathBuf, Refusal)> {
        let refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        refused.first().cloned()
    }

    /// The generated main source.
    pub fn main_source(&self) -> &Source {
        &self.main
    }

    /// The real path behind a file id, if it is a project file.
    pub fn path_of(&self, id: FileId) -> Option<PathBuf> {
        match id.root() {
            VirtualRoot::Project => id.vpath().realize(&self.root).ok(),
            VirtualRoot::Package(_) => None,
        }
    }

    fn read(&self, id: FileId) -> FileResult<Bytes> {
        let VirtualRoot::Project = id.root() else {
            return Err(FileError::Other(Some(
                "Typst packages are not available: boardpack builds offline; copy the package's files into the project".into(),
            )));
        };
        let path = id.vpath().realize(&self.root).map_err(FileError::Realize)?;
        let mut files = self.files.lock().map_err(|_| FileError::Other(None))?;
        files
            .entry(path.clone())
            .or_insert_with(|| match self.inputs.read(&path, "layout file") {
                // Typst decodes images it is given: a header claiming a
                // huge size is refused first (see `image_limit`).
                Ok(file) => match image_limit::check(&file.bytes, self.inputs.image_pixels()) {
                    Ok(()) => Ok(Bytes::new(file.bytes.clone())),
                    Err(too_big) => Err(self.refuse(&path, Refusal::TooManyPixels(too_big))),
                },
                Err(Refusal::Missing) => Err(FileError::NotFound(path.clone())),
                Err(refusal) => Err(self.refuse(&path, refusal)),
            })
            .clone()
    }

    /// Records a refused read and gives Typst its message.
    fn refuse(&self, path: &Path, refusal: Refusal) -> FileError {
        let written = display_path(path);
        let (message, _) = refusal.explain(&written, self.inputs.root());
        let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
        refused.push((path.to_path_buf(), refusal));
        FileError::Other(Some(message.into()))
    }
}

/// The fonts bundled with `typst-assets`, parsed once per process.
fn embedded_fonts() -> &'static Vec<Font> {
    static FONTS: OnceLock<Vec<Font>> = OnceLock::new();
    FONTS.get_or_init(|| {
        crate::font_files::bundled_fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect()
    })
}

/// Parses font files (`.ttf`, `.otf`, `.ttc`) the report supplies.
pub fn load_fonts(data: Vec<u8>) -> Vec<Font> {
    Font::iter(Bytes::new(data)).collect()
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        let bytes = self.read(id)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_string()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.clone()));
        }
        self.read(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
