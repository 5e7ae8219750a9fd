//! A data file read in blocks: the registry's checks at open, the BLAKE3
//! of every byte read, and the hash recorded when the stream is closed.
//!
//! A ten-million-row extract is about a gigabyte: read whole (as
//! [`Inputs::read_data`] does) its bytes sit in memory beside the frame
//! being built from them. Read through a [`DataStream`] only a block at a
//! time is, and the hash is still of exactly the bytes the reader parsed.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{io_refusal, Inputs, Refusal, PARALLEL_HASH_FROM};

/// A data file open for reading (see [`Inputs::open_data`]): every byte
/// read is hashed; an I/O error is kept for [`Inputs::close_data`].
#[derive(Debug)]
pub(crate) struct DataStream {
    file: File,
    hasher: blake3::Hasher,
    /// The path as the build named it, and the file's real path.
    path: PathBuf,
    real: PathBuf,
    role: String,
    /// The first read error: the stream then reads as ended.
    error: Option<io::Error>,
    /// Time spent reading and hashing (for `--timings`).
    busy: Duration,
}

impl Read for DataStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.error.is_some() {
            return Ok(0);
        }
        let start = Instant::now();
        let n = loop {
            match self.file.read(buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let shown = io::Error::new(e.kind(), e.to_string());
                    self.error = Some(e);
                    return Err(shown);
                }
            }
        };
        if n >= PARALLEL_HASH_FROM {
            self.hasher.update_rayon(&buf[..n]);
        } else {
            self.hasher.update(&buf[..n]);
        }
        self.busy += start.elapsed();
        Ok(n)
    }
}

impl DataStream {
    /// Reads (and hashes) the rest of the file.
    fn drain(&mut self) -> io::Result<()> {
        let mut block = vec![0; block_for(&self.file)];
        while self.read(&mut block)? > 0 {}
        Ok(())
    }
}

impl Inputs {
    /// Opens the data file at `path` to be read in blocks, with the checks
    /// of [`Inputs::read`] (inside the root or a declared data folder,
    /// links resolved; the same refusals). Close it with
    /// [`Inputs::close_data`], which records its hash.
    pub(crate) fn open_data(&self, path: &Path, role: &str) -> Result<DataStream, Refusal> {
        let (path, real) = self.checked(path)?;
        let file = File::open(&real).map_err(|e| io_refusal(&e))?;
        Ok(DataStream {
            file,
            hasher: blake3::Hasher::new(),
            path,
            real,
            role: role.to_string(),
            error: None,
            busy: Duration::ZERO,
        })
    }

    /// Reads what is left of `stream` (so the hash is of the whole file),
    /// then records the file as [`Inputs::read_data`] does: its path and
    /// hash, not its bytes. Refused if a read failed, or if the file was
    /// read before in this build with other bytes.
    pub(crate) fn close_data(&self, mut stream: DataStream) -> Result<String, Refusal> {
        let rest = stream.drain();
        if let Some(e) = stream.error.take() {
            return Err(io_refusal(&e));
        }
        rest.map_err(|e| io_refusal(&e))?;
        let blake3 = stream.hasher.finalize().to_hex().to_string();
        if crate::timings::enabled() {
            // The reads are spread over the parse: their sum, as one span.
            let start = Instant::now().checked_sub(stream.busy);
            if let Some(start) = start {
                let name = stream.real.file_name().unwrap_or_default();
                let what = name.to_string_lossy();
                crate::timings::record_since(crate::timings::Stage::ReadHash, &what, start);
            }
        }
        self.note_data(stream.real, stream.path, &stream.role, &blake3)?;
        Ok(blake3)
    }

    /// The BLAKE3 of the data file at `path`, read in blocks (never whole)
    /// and recorded like [`Inputs::close_data`]: for a reader that needs
    /// the hash before it parses (the frames cache is keyed by it).
    pub(crate) fn hash_data(&self, path: &Path, role: &str) -> Result<String, Refusal> {
        let stream = self.open_data(path, role)?;
        self.close_data(stream)
    }
}

/// BLAKE3 of the file at `real` as hex, read a block at a time (never
/// whole), a large block hashed on every core.
pub(super) fn hash_file(real: &Path) -> io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    let mut file = File::open(real)?;
    let mut block = vec![0; block_for(&file)];
    loop {
        let n = match file.read(&mut block) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n >= PARALLEL_HASH_FROM {
            hasher.update_rayon(&block[..n]);
        } else {
            hasher.update(&block[..n]);
        }
    }
    Ok(hasher.finalize().to_hex().to_string())
}

/// How much [`hash_file`] reads at a time.
const HASH_BLOCK: usize = 16 << 20;

/// The block to read `file` with: its length (at least a page), at most
/// [`HASH_BLOCK`]; a small file is not read through a zeroed 16 MB buffer.
fn block_for(file: &File) -> usize {
    let len = file.metadata().map_or(0, |m| m.len());
    usize::try_from(len).map_or(HASH_BLOCK, |n| n.clamp(1 << 12, HASH_BLOCK))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        blake3::hash(bytes).to_hex().to_string()
    }

    #[test]
    fn a_stream_hashes_every_byte_and_records_the_hash_not_the_bytes() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("a.csv");
        // Over the parallel-hash size, and not a multiple of a block.
        let big: Vec<u8> = (0..3_000_017u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &big).unwrap();
        let inputs = Inputs::new(root.path());
        let mut stream = inputs.open_data(&path, "source a").unwrap();
        let mut head = vec![0; 1000];
        stream.read_exact(&mut head).unwrap();
        assert_eq!(head, big[..1000]);
        // Closing reads the rest: the hash is the whole file's.
        assert_eq!(inputs.close_data(stream), Ok(hex(&big)));
        let kept = inputs.files();
        assert_eq!(kept.len(), 1);
        assert!(!kept[0].held && kept[0].bytes.is_empty());
        assert_eq!(kept[0].blake3, hex(&big));
        assert_eq!(inputs.hash_data(&path, "again"), Ok(hex(&big)));
        assert_eq!(inputs.hash_of(&path), Ok(hex(&big)));
        // Changed since: refused, never a second version of the file.
        std::fs::write(&path, b"x\n").unwrap();
        let e = inputs.hash_data(&path, "again").unwrap_err();
        assert!(
            matches!(&e, Refusal::Unreadable(why) if why.contains("changed")),
            "{e:?}"
        );
        assert_eq!(inputs.read(&path, "whole").unwrap_err(), e);
    }

    #[test]
    fn a_stream_is_refused_where_a_read_is() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.csv");
        std::fs::write(&secret, "s\n").unwrap();
        let inputs = Inputs::new(root.path());
        let refusal = |p: &Path| inputs.open_data(p, "source").unwrap_err();
        assert_eq!(refusal(&secret), Refusal::Absolute);
        assert_eq!(refusal(Path::new("../x.csv")), Refusal::LeavesRoot);
        assert_eq!(refusal(&root.path().join("nope.csv")), Refusal::Missing);
        #[cfg(unix)]
        {
            let link = root.path().join("link.csv");
            std::os::unix::fs::symlink(&secret, &link).unwrap();
            assert_eq!(refusal(&link), Refusal::LinkOut);
        }
        assert!(inputs.files().is_empty());
    }
}
