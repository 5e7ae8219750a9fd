//! The build cache: content-addressed results of the expensive stages, on
//! disk under the output folder (`OUT/.boardpack-cache/`).
//!
//! A key is the BLAKE3 of everything the stage's result depends on, with
//! the boardpack version and the stage's name: the bytes of the input files
//! (their registry hashes), the query or source declaration, parameters, and
//! for a layout every file it read (checked again before a hit is used). A
//! changed input is a different key, so nothing is ever invalidated by
//! hand, and a result is reused only when every byte it came from is the
//! same: the cache cannot change an output. `--no-cache` bypasses it.
//!
//! Every entry carries its own length and BLAKE3; a truncated, garbled or
//! foreign file is a miss (and is replaced), never trusted. Writes go to a
//! temporary file renamed into place, so a reader never sees half an entry.
//! New entries are written only after the build has written its outputs
//! (a failed build or `check` writes nothing), and then entries it did not
//! use are removed, so the folder holds one build's worth.
//!
//! What is cached:
//! - parsed data files ([`frames`]): each source file's typed frame and row
//!   lines, keyed by the file's hash and the declared column rules;
//! - the Typst layout and PDF export, keyed by the generated Typst source,
//!   the values it reads from `sys.inputs`, the fonts, dates and
//!   identifier, and checked against the hashes of every file the layout
//!   read.

pub(crate) mod frames;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The cache folder's name inside the output folder.
pub(crate) const DIR_NAME: &str = ".boardpack-cache";

/// The first bytes of every entry (format version 1).
const MAGIC: &[u8; 8] = b"BPCACHE1";

/// A build's view of its cache (or of no cache, under `--no-cache`).
#[derive(Debug, Default)]
pub struct Cache {
    dir: Option<PathBuf>,
    /// Entries read or written by this build (kept by [`Cache::prune`]).
    used: Mutex<BTreeSet<String>>,
    /// New entries, written by [`Cache::flush`] once the build's outputs
    /// are: a failed build (or `check`) writes nothing at all.
    pending: Mutex<Vec<(Key, Vec<u8>)>>,
}

impl Cache {
    /// The cache of the output folder `out_dir`; `enabled == false` gives a
    /// cache that never hits and never writes.
    pub fn new(out_dir: &Path, enabled: bool) -> Cache {
        Cache {
            dir: enabled.then(|| out_dir.join(DIR_NAME)),
            ..Cache::default()
        }
    }

    /// A cache that never hits and never writes.
    pub fn disabled() -> Cache {
        Cache::default()
    }

    /// Whether this cache reads and writes at all.
    pub fn enabled(&self) -> bool {
        self.dir.is_some()
    }

    /// The entry for `key`, if present and intact.
    pub fn get(&self, key: &Key) -> Option<Vec<u8>> {
        let path = self.path(key)?;
        self.mark_used(key);
        let bytes = std::fs::read(&path).ok()?;
        match unwrap_entry(&bytes) {
            Some(payload) => Some(payload.to_vec()),
            None => {
                // Corrupt or foreign: never trusted; the next put replaces it.
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Keeps `payload` for `key`, to be written by [`Cache::flush`].
    pub fn put(&self, key: &Key, payload: Vec<u8>) {
        if self.dir.is_none() {
            return;
        }
        self.mark_used(key);
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.push((key.clone(), payload));
    }

    /// After a successful write of the outputs: writes the new entries and
    /// removes those this build did not use (and stray temporaries).
    pub fn flush(&self) {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        for (key, payload) in pending {
            self.write(&key, &payload);
        }
        self.prune();
    }

    /// Writes one entry. Best effort: a cache that cannot be written only
    /// makes the next build slower, never different.
    fn write(&self, key: &Key, payload: &[u8]) {
        let Some(path) = self.path(key) else {
            return;
        };
        let Some(dir) = path.parent() else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let tmp = dir.join(format!(".{}.tmp-{}", key.hex(), std::process::id()));
        let written = std::fs::File::create(&tmp).and_then(|mut f| {
            f.write_all(MAGIC)?;
            f.write_all(&(payload.len() as u64).to_le_bytes())?;
            f.write_all(blake3::hash(payload).as_bytes())?;
            f.write_all(payload)
        });
        if written.is_err() || std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    fn prune(&self) {
        let Some(dir) = &self.dir else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !used.contains(&name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    fn path(&self, key: &Key) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(key.file_name()))
    }

    fn mark_used(&self, key: &Key) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        used.insert(key.file_name());
    }
}

/// The payload of an intact entry: right magic, right length, right hash.
fn unwrap_entry(bytes: &[u8]) -> Option<&[u8]> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (len, rest) = rest.split_first_chunk::<8>()?;
    let (hash, payload) = rest.split_first_chunk::<32>()?;
    let intact = u64::from_le_bytes(*len) == payload.len() as u64
        && blake3::hash(payload) == blake3::Hash::from_bytes(*hash);
    intact.then_some(payload)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn key(part: &str) -> Key {
        Key::builder("test").add("part", part.as_bytes()).finish()
    }

    #[test]
    fn keys_depend_on_every_part_and_its_boundaries() {
        assert_eq!(key("a"), key("a"));
        assert_ne!(key("a"), key("b"));
        let ab = Key::builder("t").add("x", b"ab").add("y", b"").finish();
        let a_b = Key::builder("t").add("x", b"a").add("y", b"b").finish();
        assert_ne!(ab, a_b);
    }

    #[test]
    fn an_entry_round_trips_and_a_damaged_one_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path(), true);
        let k = key("a");
        assert_eq!(cache.get(&k), None);
        cache.put(&k, b"payload".to_vec());
        assert_eq!(cache.get(&k), None, "nothing is written before the flush");
        cache.flush();
        assert_eq!(cache.get(&k).as_deref(), Some(&b"payload"[..]));
        let file = dir.path().join(DIR_NAME).join(k.file_name());
        let good = std::fs::read(&file).unwrap();
        // Truncated, one byte flipped, empty, or not ours: all misses.
        let mut flipped = good.clone();
        *flipped.last_mut().unwrap() ^= 1;
        for bad in [
            &good[..good.len() - 1],
            &flipped[..],
            &[][..],
            &b"BPCACHE1 nonsense"[..],
        ] {
            std::fs::write(&file, bad).unwrap();
            assert_eq!(cache.get(&k), None);
            assert!(!file.exists(), "a bad entry is removed");
        }
    }

    #[test]
    fn disabled_cache_never_hits_or_writes() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path(), false);
        cache.put(&key("a"), b"x".to_vec());
        cache.flush();
        assert_eq!(cache.get(&key("a")), None);
        assert!(!dir.path().join(DIR_NAME).exists());
    }

    #[test]
    fn prune_keeps_only_what_this_build_used() {
        let dir = tempfile::tempdir().unwrap();
        let first = Cache::new(dir.path(), true);
        first.put(&key("old"), b"x".to_vec());
        first.flush();
        let cache = Cache::new(dir.path(), true);
        cache.put(&key("new"), b"y".to_vec());
        cache.flush();
        let again = Cache::new(dir.path(), true);
        assert_eq!(again.get(&key("old")), None);
        assert_eq!(again.get(&key("new")).as_deref(), Some(&b"y"[..]));
    }

    #[test]
    fn records_read_back_in_order_and_refuse_short_input() {
        let mut r = Record::new();
        r.field(b"one").field(b"").field("drei".as_bytes());
        let bytes = r.into_bytes();
        let mut f = Fields::new(&bytes);
        assert_eq!(f.bytes(), Some(&b"one"[..]));
        assert_eq!(f.bytes(), Some(&b""[..]));
        assert_eq!(f.text(), Some("drei"));
        assert!(f.is_done());
        let mut short = Fields::new(&bytes[..bytes.len() - 1]);
        short.bytes();
        short.bytes();
        assert_eq!(short.bytes(), None);
    }
}
