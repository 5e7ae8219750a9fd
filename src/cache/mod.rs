//! The build cache: content-addressed results of the expensive stages, on
//! disk under the output folder (`OUT/.boardpack-cache/`).
//!
//! A key is the BLAKE3 of everything the stage's result depends on, with
//! the boardpack version and the stage's name: the bytes of the input files
//! (their registry hashes), the query or source declaration, parameters, and
//! for a layout every file it read (checked again before a hit is used). A
//! changed input is a different key, so nothing is ever invalidated by
//! hand, and a result is reused only when every byte it came from is the
//! same. `--no-cache` bypasses it.
//!
//! The cache is a speed-up, never a source of truth: whoever can write the
//! output folder can write the cache, so an entry is used only if it proves
//! this user's boardpack made it for this very key. Each entry holds its
//! key (which names the input's hash) and its length, tagged with a keyed
//! BLAKE3 under a per-user secret kept outside every project ([`secret`]),
//! and the payload tagged the same way. The length is checked before
//! anything is allocated, the key before the payload is read, the payload's
//! tag after. An entry edited by hand, moved to another entry's name,
//! copied from another machine, or made by anyone without the secret is a
//! miss (and is replaced), never trusted.
//!
//! The folder and its entries are opened without following links
//! ([`dir`]): a link in place of the folder means no cache (with a
//! warning), and a link, pipe, device or folder in place of an entry is a
//! miss that is left alone. Only regular files with an entry's name are
//! ever removed or replaced. Writes go to a temporary file renamed into
//! place, so a reader never sees half an entry. New entries are written
//! only after the build has written its outputs (a failed build or `check`
//! writes nothing), and then entries it did not use are removed, so the
//! folder holds one build's worth.
//!
//! What is cached:
//! - parsed data files (`source::cached`): each source file's typed frame and row
//!   lines, keyed by the file's hash and the declared column rules;
//! - the Typst layout and PDF export, keyed by the generated Typst source,
//!   the values it reads from `sys.inputs`, the fonts, dates and
//!   identifier, and checked against the hashes of every file the layout
//!   read.

pub(crate) mod dir;
mod secret;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use dir::{Dir, Kind, Place};

/// The cache folder's name inside the output folder.
pub(crate) const DIR_NAME: &str = ".boardpack-cache";

/// The first bytes of every entry (format version 2).
const MAGIC: &[u8; 8] = b"BPCACHE2";

/// An entry's header: magic, key, payload length, header tag, payload tag.
const HEADER: usize = 8 + 32 + 8 + 32 + 32;

/// A build's view of its cache (or of no cache, under `--no-cache`).
#[derive(Debug, Default)]
pub struct Cache {
    active: Option<Active>,
    /// Why a cache that was asked for is not used, for the build's warnings.
    notice: Option<String>,
    /// Entries read or written by this build (kept by [`Cache::prune`]).
    used: Mutex<BTreeSet<String>>,
    /// New entries, written by [`Cache::flush`] once the build's outputs
    /// are: a failed build (or `check`) writes nothing at all.
    pending: Mutex<Vec<(Key, Vec<u8>)>>,
}

/// A cache in use: where it is, the open folder and the signing key.
#[derive(Debug)]
struct Active {
    path: PathBuf,
    /// The folder, opened once; `None` until the first write makes it.
    dir: Mutex<Option<Arc<Dir>>>,
    secret: Secret,
}

/// The signing key (never printed).
struct Secret([u8; secret::LEN]);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Cache {
    /// The cache of the output folder `out_dir`; `enabled == false` gives a
    /// cache that never hits and never writes.
    pub fn new(out_dir: &Path, enabled: bool) -> Cache {
        if !enabled {
            return Cache::default();
        }
        // The output folder itself a link (or not a folder): the build
        // refuses to write there, and the cache reads nothing through it.
        if dir::place_of(out_dir) == Place::Other {
            return Cache {
                notice: Some(format!(
                    "the build cache is not used: `{}` is not a folder (a link, a file…)",
                    crate::error::display_path(out_dir)
                )),
                ..Cache::default()
            };
        }
        Cache::open(out_dir.join(DIR_NAME), secret::load)
    }

    /// A cache that never hits and never writes.
    pub fn disabled() -> Cache {
        Cache::default()
    }

    /// The cache folder `path`, signed with the key `secret` gives; off
    /// (with a notice) if the folder is not a real folder or there is no
    /// key.
    fn open(path: PathBuf, secret: impl FnOnce() -> Result<[u8; secret::LEN], String>) -> Cache {
        let shown = crate::error::display_path(&path);
        let off = |why: String| Cache {
            notice: Some(format!("the build cache is not used: {why}")),
            ..Cache::default()
        };
        let dir = match dir::place_of(&path) {
            Place::Absent => None,
            Place::Folder => match Dir::open(&path) {
                Ok(d) => Some(Arc::new(d)),
                Err(e) => return off(format!("`{shown}` cannot be opened: {e}")),
            },
            Place::Other => {
                return off(format!(
                    "`{shown}` is not a folder (a link, a file…), and nothing is read, \
                     written or removed through it; remove it to cache again"
                ))
            }
        };
        match secret() {
            Ok(key) => Cache {
                active: Some(Active {
                    path,
                    dir: Mutex::new(dir),
                    secret: Secret(key),
                }),
                ..Cache::default()
            },
            Err(why) => off(why),
        }
    }

    /// Whether this cache reads and writes at all.
    pub fn enabled(&self) -> bool {
        self.active.is_some()
    }

    /// Why a cache that was asked for is not used (a warning for the
    /// build log), if it is not.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// The entry for `key`, if present, a regular file, and made by this
    /// user's boardpack for exactly this key.
    pub fn get(&self, key: &Key) -> Option<Vec<u8>> {
        let active = self.active.as_ref()?;
        self.mark_used(key);
        let dir = active.dir()?;
        let name = key.file_name();
        // Not a regular file (a link, pipe, device, folder): a miss, and
        // not ours to remove.
        let file = dir.open_file(&name).ok()??;
        let payload = read_entry(file, key, &active.secret);
        if payload.is_none() && dir.kind(&name) == Kind::File {
            // Damaged or forged: never trusted; the next flush replaces it.
            let _ = dir.remove(&name);
        }
        payload
    }

    /// Keeps `payload` for `key`, to be written by [`Cache::flush`].
    pub fn put(&self, key: &Key, payload: Vec<u8>) {
        if self.active.is_none() {
            return;
        }
        self.mark_used(key);
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.push((key.clone(), payload));
    }

    /// After a successful write of the outputs: writes the new entries and
    /// removes those this build did not use (and stray temporaries).
    pub fn flush(&self) {
        let Some(active) = &self.active else {
            return;
        };
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        let Some(dir) = active.dir_or_create(!pending.is_empty()) else {
            return;
        };
        for (key, payload) in pending {
            write_entry(&dir, &key, &payload, &active.secret);
        }
        self.prune(&dir);
    }

    /// Removes the regular files named like entries (or their temporaries)
    /// that this build did not use; anything else in the folder stays.
    fn prune(&self, dir: &Dir) {
        let Ok(entries) = dir.list() else {
            return;
        };
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        for (name, kind) in entries {
            if kind == Kind::File && is_entry_name(&name) && !used.contains(&name) {
                let _ = dir.remove(&name);
            }
        }
    }

    fn mark_used(&self, key: &Key) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        used.insert(key.file_name());
    }
}

impl Active {
    fn dir(&self) -> Option<Arc<Dir>> {
        self.dir.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The open folder, made now if `create` and there is none yet (a link
    /// put in its place meanwhile is refused by [`Dir::create`]).
    fn dir_or_create(&self, create: bool) -> Option<Arc<Dir>> {
        let mut dir = self.dir.lock().unwrap_or_else(|e| e.into_inner());
        if dir.is_none() && create {
            *dir = Dir::create(&self.path).ok().map(Arc::new);
        }
        dir.clone()
    }
}

/// The payload of `file` if it is an intact entry for `key` signed with
/// `secret`. Reads the fixed header first and at most the length it
/// vouches for, so a huge or endless file costs nothing.
fn read_entry(mut file: std::fs::File, key: &Key, secret: &Secret) -> Option<Vec<u8>> {
    let size = file.metadata().ok()?.len();
    let mut header = [0u8; HEADER];
    file.read_exact(&mut header).ok()?;
    let (magic, rest) = header.split_first_chunk::<8>()?;
    let (stored_key, rest) = rest.split_first_chunk::<32>()?;
    let (len, rest) = rest.split_first_chunk::<8>()?;
    let (head_tag, rest) = rest.split_first_chunk::<32>()?;
    let body_tag = rest.first_chunk::<32>()?;
    let len = u64::from_le_bytes(*len);
    // `Hash` compares in constant time.
    let head = header_tag(secret, key, len);
    let genuine = magic == MAGIC
        && stored_key == key.hash.as_bytes()
        && head == blake3::Hash::from_bytes(*head_tag)
        && size == HEADER as u64 + len;
    if !genuine {
        return None;
    }
    let payload = dir::read_exact_vec(&mut file, usize::try_from(len).ok()?).ok()?;
    (payload_tag(secret, &head, &payload) == blake3::Hash::from_bytes(*body_tag)).then_some(payload)
}

/// Writes one entry. Best effort: a cache that cannot be written only
/// makes the next build slower, never different. Something other than a
/// regular file at the entry's name is not ours and is left in place.
fn write_entry(dir: &Dir, key: &Key, payload: &[u8], secret: &Secret) {
    let name = key.file_name();
    if dir.kind(&name) == Kind::Other {
        return;
    }
    let tmp = format!(".{}.tmp-{}", key.hex(), std::process::id());
    if dir.kind(&tmp) == Kind::File {
        let _ = dir.remove(&tmp);
    }
    let Ok(mut file) = dir.create_new(&tmp) else {
        return;
    };
    let len = payload.len() as u64;
    let head = header_tag(secret, key, len);
    let mut header = Vec::with_capacity(HEADER);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(key.hash.as_bytes());
    header.extend_from_slice(&len.to_le_bytes());
    header.extend_from_slice(head.as_bytes());
    header.extend_from_slice(payload_tag(secret, &head, payload).as_bytes());
    let written = file
        .write_all(&header)
        .and_then(|()| file.write_all(payload));
    drop(file);
    if written.is_err() || dir.rename(&tmp, &name).is_err() {
        let _ = dir.remove(&tmp);
    }
}

/// The tag of an entry's header: what it is for and how long it is.
fn header_tag(secret: &Secret, key: &Key, len: u64) -> blake3::Hash {
    let mut h = blake3::Hasher::new_keyed(&secret.0);
    h.update(b"boardpack cache entry header\0")
        .update(MAGIC)
        .update(key.hash.as_bytes())
        .update(&len.to_le_bytes());
    h.finalize()
}

/// The tag of an entry's payload, bound to its header's.
fn payload_tag(secret: &Secret, head: &blake3::Hash, payload: &[u8]) -> blake3::Hash {
    let mut h = blake3::Hasher::new_keyed(&secret.0);
    h.update(b"boardpack cache entry payload\0")
        .update(head.as_bytes())
        .update(payload);
    h.finalize()
}

/// Whether `name` is an entry's (`stage-HEX`) or a temporary's
/// (`.HEX.tmp-PID`): the only names the cache removes.
fn is_entry_name(name: &str) -> bool {
    let hex64 = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(rest) = name.strip_prefix('.') {
        return rest.split_once(".tmp-").is_some_and(|(hex, pid)| {
            hex64(hex) && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
        });
    }
    name.split_once('-').is_some_and(|(stage, hex)| {
        !stage.is_empty() && stage.bytes().all(|b| b.is_ascii_lowercase()) && hex64(hex)
    })
}

/// A cache key: a stage name and the BLAKE3 of what its result depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    stage: &'static str,
    hash: blake3::Hash,
}

impl Key {
    /// Starts a key for `stage`; the boardpack version is always part of it
    /// (a new version may compute differently).
    pub fn builder(stage: &'static str) -> KeyBuilder {
        let mut b = KeyBuilder {
            stage,
            hasher: blake3::Hasher::new(),
        };
        b.add("boardpack", env!("CARGO_PKG_VERSION").as_bytes());
        b.add("stage", stage.as_bytes());
        b
    }

    /// The key as hex.
    pub fn hex(&self) -> String {
        self.hash.to_hex().to_string()
    }

    fn file_name(&self) -> String {
        format!("{}-{}", self.stage, self.hash.to_hex())
    }
}

/// Feeds a key's parts; each is labelled and length-prefixed, so no two
/// different sequences of parts give the same bytes.
pub struct KeyBuilder {
    stage: &'static str,
    hasher: blake3::Hasher,
}

impl KeyBuilder {
    /// Adds a labelled part.
    pub fn add(&mut self, label: &str, bytes: &[u8]) -> &mut Self {
        for part in [label.as_bytes(), bytes] {
            self.hasher.update(&(part.len() as u64).to_le_bytes());
            self.hasher.update(part);
        }
        self
    }

    /// Adds a value through its `Debug` form (derived `Debug` shows every
    /// field, floats exactly).
    pub fn debug(&mut self, label: &str, value: &impl std::fmt::Debug) -> &mut Self {
        self.add(label, format!("{value:?}").as_bytes())
    }

    /// The finished key.
    pub fn finish(&self) -> Key {
        Key {
            stage: self.stage,
            hash: self.hasher.finalize(),
        }
    }
}

/// A payload of length-prefixed fields, written in order.
#[derive(Debug, Default)]
pub(crate) struct Record(Vec<u8>);

impl Record {
    /// An empty record.
    pub(crate) fn new() -> Record {
        Record::default()
    }

    /// Appends one field.
    pub(crate) fn field(&mut self, bytes: &[u8]) -> &mut Self {
        self.0
            .extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        self.0.extend_from_slice(bytes);
        self
    }

    /// The bytes to store.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

/// Reads a [`Record`]'s fields back in order; `None` on any inconsistency.
#[derive(Debug)]
pub(crate) struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    /// A reader over a stored record.
    pub(crate) fn new(bytes: &'a [u8]) -> Fields<'a> {
        Fields(bytes)
    }

    /// The next field's bytes.
    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let (len, rest) = self.0.split_first_chunk::<8>()?;
        let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
        if rest.len() < len {
            return None;
        }
        let (field, rest) = rest.split_at(len);
        self.0 = rest;
        Some(field)
    }

    /// The next field as UTF-8 text.
    pub(crate) fn text(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }

    /// Whether every field has been read.
    pub(crate) fn is_done(&self) -> bool {
        self.0.is_empty()
    }
}

/// A cache in `out_dir` signed with a fixed key, for tests.
#[cfg(test)]
pub(crate) fn for_tests(out_dir: &Path) -> Cache {
    Cache::open(out_dir.join(DIR_NAME), || Ok([7; secret::LEN]))
}

#[cfg(test)]
mod tests;
