//! The input registry: every file any stage of one build reads.
//!
//! The spec, the content templates and their includes, the Typst layout and
//! everything it reads, font files and CSV data all come through
//! [`Inputs::read`]. In one place it resolves symbolic links, refuses
//! anything outside the project root (an absolute path, a `..` that climbs
//! out, or a link that points out), reads each file once straight into
//! shared memory (an `Arc`, never copied again) and hashes exactly those
//! bytes with BLAKE3 for the manifest (on every core for a large file; the
//! registry's lock is not held while a file is read). No stage opens a
//! file any other way, so what the manifest lists is what the build used.
//!
//! Besides the root, a spec may declare data folders outside the project
//! (`[report.data_dirs]`, e.g. the shared drive). A path `@NAME/rest` reads
//! `rest` inside the folder declared as `NAME`, with the same checks; the
//! manifest names such a file `@NAME/rest`, never by its absolute path.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::paths::{non_empty, normalize, within};
pub(crate) use crate::paths::{DataDir, Refusal};

mod stream;

/// From this size a buffer is hashed on every core.
const PARALLEL_HASH_FROM: usize = 1 << 20;

/// One file the build read: where, in which role, its bytes and their hash.
#[derive(Debug)]
pub struct InputFile {
    /// The path as the build named it (relative to where boardpack runs).
    pub path: PathBuf,
    /// What the file is for (`spec`, `template body`, `layout file`…): the
    /// role of its first read.
    pub role: String,
    /// The bytes every stage uses.
    pub bytes: Arc<[u8]>,
    /// BLAKE3 of `bytes`, hex.
    pub blake3: String,
    /// Whether `bytes` are the file's bytes. The registry's own record of a
    /// data file ([`Inputs::read_data`]) keeps only the path and hash:
    /// there `bytes` is empty and this is `false`.
    pub held: bool,
}

/// The files of one build, read once each, all inside one project root.
#[derive(Debug)]
pub struct Inputs {
    root: PathBuf,
    real_root: Option<PathBuf>,
    /// Declared data folders outside the project, by name.
    data_dirs: Vec<DataDir>,
    /// By real (canonical) path, so two names for one file read it once.
    files: Mutex<BTreeMap<PathBuf, Arc<InputFile>>>,
    /// Each glob pattern a source expanded and the files it matched, so
    /// `watch` can see a new file that matches.
    patterns: Mutex<BTreeMap<PathBuf, Vec<PathBuf>>>,
    /// `[limits] image_pixels`, for the images the layout reads.
    image_pixels: u64,
}

impl Inputs {
    /// A registry for the project root `root` (lexically normalised,
    /// relative to where boardpack runs; empty means the current folder).
    pub fn new(root: &Path) -> Inputs {
        Inputs::with_data_dirs(root, Vec::new())
    }

    /// A registry for the project root `root` that may also read inside the
    /// declared data folders `dirs` (see [`DataDir`]).
    pub fn with_data_dirs(root: &Path, dirs: Vec<DataDir>) -> Inputs {
        Inputs {
            root: root.to_path_buf(),
            real_root: non_empty(root).canonicalize().ok(),
            data_dirs: dirs,
            files: Mutex::new(BTreeMap::new()),
            patterns: Mutex::new(BTreeMap::new()),
            image_pixels: crate::limits::Limits::default().image_pixels,
        }
    }

    /// The registry with `[limits] image_pixels` set to `pixels`.
    pub(crate) fn with_image_limit(mut self, pixels: u64) -> Inputs {
        self.image_pixels = pixels;
        self
    }

    /// The most pixels an image the layout reads may claim.
    pub(crate) fn image_pixels(&self) -> u64 {
        self.image_pixels
    }

    /// How the manifest names `path`: relative to the project root, or
    /// `@NAME/rest` inside a declared data folder; never absolute.
    pub fn name_of(&self, path: &Path) -> String {
        let path = normalize(path);
        let in_root = !path.is_absolute() || self.root.is_absolute();
        if in_root && within(&path, &self.root) {
            return crate::paths::relative(&self.root, &path);
        }
        if let Some(real) = self.real_root.as_ref().filter(|r| within(&path, r)) {
            return crate::paths::relative(real, &path);
        }
        for d in &self.data_dirs {
            if within(&path, &d.path) {
                let rest = crate::paths::relative(&d.path, &path);
                return format!("@{}/{rest}", d.name);
            }
        }
        crate::paths::relative(&self.root, &path)
    }

    /// The file a manifest name (see [`Inputs::name_of`]) stands for.
    pub fn path_of(&self, name: &str) -> PathBuf {
        if let Some((dir, rest)) = self.split_data_dir(name) {
            if let Some(d) = self.data_dirs.iter().find(|d| d.name == dir) {
                return d.path.join(rest);
            }
        }
        self.root.join(name)
    }

    /// `@NAME/rest` → (`NAME`, `rest`).
    fn split_data_dir<'a>(&self, written: &'a str) -> Option<(&'a str, &'a str)> {
        let rest = written.strip_prefix('@')?;
        Some(rest.split_once(['/', '\\']).unwrap_or((rest, "")))
    }

    /// The project root as given.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Resolves `written` (as it appears in the spec) against `dir`, and
    /// checks it stays inside the root, following links if it exists.
    /// Does not read it; a missing file is not an error here.
    pub fn locate(&self, dir: &Path, written: &str) -> Result<PathBuf, Refusal> {
        if let Some((name, rest)) = self.split_data_dir(written) {
            let Some(d) = self.data_dirs.iter().find(|d| d.name == name) else {
                return Err(Refusal::UnknownDataDir(name.to_string()));
            };
            let path = normalize(&d.path.join(rest));
            if Path::new(rest).is_absolute() || !within(&path, &d.path) {
                return Err(Refusal::LeavesRoot);
            }
            return match self.real(&path) {
                Ok(_) | Err(Refusal::Missing) => Ok(path),
                Err(r) => Err(r),
            };
        }
        let path = normalize(&dir.join(written));
        if !self.inside(&path) {
            return Err(match Path::new(written).is_absolute() {
                true => Refusal::Absolute,
                false => Refusal::LeavesRoot,
            });
        }
        match self.real(&path) {
            Ok(_) | Err(Refusal::Missing) => Ok(path),
            Err(r) => Err(r),
        }
    }

    /// Reads the file at `path` (already resolved, e.g. by [`Inputs::locate`])
    /// once: later reads of the same file get the same bytes.
    pub fn read(&self, path: &Path, role: &str) -> Result<Arc<InputFile>, Refusal> {
        self.read_keeping(path, role, true)
    }

    /// Reads a data file as [`Inputs::read`] does (same checks, same hash of
    /// the very bytes returned), but the registry records only its path and
    /// hash: the bytes belong to the caller, which parses them once, and
    /// are freed with its last use, so an extract of a hundred megabytes is
    /// not held for the whole build beside the frame made from it. A later
    /// read of the same file reads it again and is refused if its bytes
    /// changed in between, so every stage still sees the same bytes.
    pub fn read_data(&self, path: &Path, role: &str) -> Result<Arc<InputFile>, Refusal> {
        self.read_keeping(path, role, false)
    }

    /// The BLAKE3 of the file at `path` as it is now, with the checks of
    /// [`Inputs::read`] (inside the root, links resolved) but recorded
    /// nowhere: for asking "is this input unchanged?" (a cached PDF's
    /// dependencies, `verify`) without making it an input of this build.
    pub(crate) fn hash_of(&self, path: &Path) -> Result<String, Refusal> {
        let (_, real) = self.checked(path)?;
        stream::hash_file(&real).map_err(|e| io_refusal(&e))
    }

    /// `path` normalised and where it really is, if a read may open it:
    /// inside the root, every link resolved and checked.
    fn checked(&self, path: &Path) -> Result<(PathBuf, PathBuf), Refusal> {
        let path = normalize(path);
        if !self.inside(&path) {
            return Err(match path.is_absolute() {
                true => Refusal::Absolute,
                false => Refusal::LeavesRoot,
            });
        }
        let real = self.real(&path)?;
        Ok((path, real))
    }

    /// Records that the data file `real` (named `path`) hashes to `blake3`,
    /// keeping no bytes; refused if an earlier read found other bytes.
    fn note_data(
        &self,
        real: PathBuf,
        path: PathBuf,
        role: &str,
        blake3: &str,
    ) -> Result<(), Refusal> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        // Two stages reading one file: the first record stands.
        if let Some(first) = files.get(&real) {
            return match first.blake3 == blake3 {
                true => Ok(()),
                false => Err(changed_underneath()),
            };
        }
        let record = InputFile {
            path,
            role: role.to_string(),
            bytes: Arc::from(&[][..]),
            blake3: blake3.to_string(),
            held: false,
        };
        files.insert(real, Arc::new(record));
        Ok(())
    }

    fn read_keeping(&self, path: &Path, role: &str, keep: bool) -> Result<Arc<InputFile>, Refusal> {
        let (path, real) = self.checked(path)?;
        let known = {
            let files = self.files.lock().unwrap_or_else(|e| e.into_inner());
            files.get(&real).cloned()
        };
        // Read and hashed outside the lock: a stage reading another file
        // (the Typst world, a rebuild) is not kept waiting.
        if let Some(f) = known {
            if f.held {
                return Ok(f);
            }
            let (bytes, blake3) = read_and_hash(&real).map_err(|e| io_refusal(&e))?;
            if blake3 != f.blake3 {
                return Err(changed_underneath());
            }
            return Ok(Arc::new(InputFile {
                path: f.path.clone(),
                role: f.role.clone(),
                bytes,
                blake3,
                held: true,
            }));
        }
        let (bytes, blake3) = read_and_hash(&real).map_err(|e| io_refusal(&e))?;
        let file = Arc::new(InputFile {
            path,
            role: role.to_string(),
            blake3,
            bytes,
            held: true,
        });
        let record = match keep {
            true => file.clone(),
            false => Arc::new(InputFile {
                path: file.path.clone(),
                role: file.role.clone(),
                bytes: Arc::from(&[][..]),
                blake3: file.blake3.clone(),
                held: false,
            }),
        };
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        // Two stages reading one file at once: the first record stands.
        if let Some(first) = files.get(&real) {
            if first.blake3 != file.blake3 {
                return Err(changed_underneath());
            }
            return Ok(file);
        }
        files.insert(real, record);
        Ok(file)
    }

    /// Records bytes the build already holds (the spec's text) as the file
    /// at `path`, so the manifest lists them like any other input.
    pub fn record(&self, path: &Path, role: &str, bytes: &[u8]) {
        let path = normalize(path);
        let key = non_empty(&path)
            .canonicalize()
            .unwrap_or_else(|_| path.clone());
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        files.entry(key).or_insert_with(|| {
            Arc::new(InputFile {
                path,
                role: role.to_string(),
                blake3: hash(bytes),
                bytes: bytes.into(),
                held: true,
            })
        });
    }

    /// Records that the glob `pattern` matched `files` (for `watch`).
    pub fn record_pattern(&self, pattern: &Path, files: &[PathBuf]) {
        let mut patterns = self.patterns.lock().unwrap_or_else(|e| e.into_inner());
        patterns.insert(pattern.to_path_buf(), files.to_vec());
    }

    /// Every glob pattern expanded so far, with the files it matched.
    pub fn patterns(&self) -> Vec<(PathBuf, Vec<PathBuf>)> {
        let patterns = self.patterns.lock().unwrap_or_else(|e| e.into_inner());
        patterns
            .iter()
            .map(|(p, f)| (p.clone(), f.clone()))
            .collect()
    }

    /// Every file read so far, by path.
    pub fn files(&self) -> Vec<Arc<InputFile>> {
        let files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let mut all: Vec<_> = files.values().cloned().collect();
        all.sort_by(|a, b| a.path.cmp(&b.path));
        all
    }

    /// Whether `path` names (through any links) a file the build read.
    pub fn contains(&self, path: &Path) -> bool {
        let files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let real = non_empty(path).canonicalize();
        let lexical = normalize(path);
        files
            .iter()
            .any(|(k, f)| real.as_ref().is_ok_and(|r| r == k) || f.path == lexical)
    }

    /// Whether `path` lies lexically inside the root; an absolute path is
    /// compared with the real root when the root is relative.
    fn inside(&self, path: &Path) -> bool {
        let in_root = match (path.is_absolute(), self.root.is_absolute(), &self.real_root) {
            (true, false, Some(real)) => within(path, real),
            (true, false, None) => false,
            _ => within(path, &self.root),
        };
        in_root || self.data_dirs.iter().any(|d| within(path, &d.path))
    }

    /// The real path of `path`, refused unless it lies inside the real root.
    fn real(&self, path: &Path) -> Result<PathBuf, Refusal> {
        let real = non_empty(path).canonicalize().map_err(|e| io_refusal(&e))?;
        let allowed = self
            .real_root
            .iter()
            .chain(self.data_dirs.iter().filter_map(|d| d.real.as_ref()));
        for root in allowed {
            if real.starts_with(root) {
                return Ok(real);
            }
        }
        Err(Refusal::LinkOut)
    }
}

/// The registry is the file access the spec's validation uses.
impl crate::paths::Files for Inputs {
    fn locate_path(&self, dir: &Path, written: &str) -> Result<PathBuf, Refusal> {
        self.locate(dir, written)
    }

    fn read_bytes(&self, path: &Path, role: &str) -> Result<Arc<[u8]>, Refusal> {
        self.read(path, role).map(|f| f.bytes.clone())
    }

    fn has_read(&self, path: &Path) -> bool {
        self.contains(path)
    }
}

/// A whole file's bytes, read straight into shared memory (an extract of a
/// hundred megabytes is not copied a second time into an `Arc`), and their
/// BLAKE3 hash, computed on every core for a large file.
fn read_and_hash(real: &Path) -> io::Result<(Arc<[u8]>, String)> {
    use std::io::Read;
    let _timed = crate::timings::span(crate::timings::Stage::ReadHash, || {
        real.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    });
    let mut file = std::fs::File::open(real)?;
    let len = usize::try_from(file.metadata()?.len()).map_err(io::Error::other)?;
    // SAFETY: all-zero bytes are valid `u8`s.
    let mut bytes: Arc<[u8]> = unsafe { Arc::<[u8]>::new_zeroed_slice(len).assume_init() };
    let buffer = Arc::get_mut(&mut bytes).expect("a new Arc has one owner");
    let whole = file.read_exact(buffer).is_ok() && file.read(&mut [0u8; 1])? == 0;
    if !whole {
        // The length changed under us (a file being written, or a special
        // file): read to the end the ordinary way.
        bytes = std::fs::read(real)?.into();
    }
    let blake3 = hash(&bytes);
    Ok((bytes, blake3))
}

/// BLAKE3 of `bytes` as hex; large inputs are hashed on every core.
fn hash(bytes: &[u8]) -> String {
    let mut hasher = blake3::Hasher::new();
    if bytes.len() >= PARALLEL_HASH_FROM {
        hasher.update_rayon(bytes);
    } else {
        hasher.update(bytes);
    }
    hasher.finalize().to_hex().to_string()
}

/// A file whose bytes differ between two reads in one build.
fn changed_underneath() -> Refusal {
    Refusal::Unreadable(
        "the file changed while boardpack was reading it; build again once it is saved".to_string(),
    )
}

fn io_refusal(e: &io::Error) -> Refusal {
    match e.kind() {
        io::ErrorKind::NotFound => Refusal::Missing,
        _ => Refusal::Unreadable(e.to_string()),
    }
}

#[cfg(test)]
mod tests;
