//! The key that signs cache entries: 32 random bytes kept per user, outside
//! every project and output folder (`$XDG_CACHE_HOME/boardpack/cache-key`,
//! else `~/.cache/boardpack/cache-key`; on Windows under `%LOCALAPPDATA%`),
//! created on first use, readable by its owner only.
//!
//! Anyone who can write a project's output folder can write its cache; only
//! the user's own builds know this key, so only their entries verify. A
//! cache copied from another machine or user, or edited by hand, is a miss.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The key's length in bytes.
pub(super) const LEN: usize = 32;

/// The user's cache key, created if there is none yet; `Err` says why the
/// cache cannot be used.
pub(super) fn load() -> Result<[u8; LEN], String> {
    let path = location().ok_or_else(|| {
        "there is no place for the cache's key (set `HOME` or `XDG_CACHE_HOME`)".to_string()
    })?;
    load_from(&path)
}

/// The key at `path`, created there if there is none.
pub(super) fn load_from(path: &Path) -> Result<[u8; LEN], String> {
    let shown = path.display();
    match read(path) {
        Ok(key) => return Ok(key),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("its key `{shown}` cannot be used: {e}")),
    }
    create(path).map_err(|e| format!("its key `{shown}` cannot be created: {e}"))?;
    read(path).map_err(|e| format!("its key `{shown}` cannot be read: {e}"))
}

fn location() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| {
        let p = PathBuf::from(v);
        p.is_absolute().then_some(p)
    };
    let base = if cfg!(windows) {
        std::env::var_os("LOCALAPPDATA").and_then(absolute)?
    } else {
        match std::env::var_os("XDG_CACHE_HOME").and_then(absolute) {
            Some(p) => p,
            None => std::env::var_os("HOME").and_then(absolute)?.join(".cache"),
        }
    };
    Some(base.join("boardpack").join("cache-key"))
}

/// Reads the key: a regular file (not a link), exactly [`LEN`] bytes, and
/// on Unix owned by this user and closed to everyone else.
fn read(path: &Path) -> std::io::Result<[u8; LEN]> {
    let mut options = std::fs::File::options();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let mut file = options.open(path)?;
    let meta = file.metadata()?;
    let invalid = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    if !meta.file_type().is_file() || meta.len() != LEN as u64 {
        return Err(invalid("not a 32-byte file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions.
        if meta.uid() != unsafe { libc::geteuid() } || meta.mode() & 0o077 != 0 {
            return Err(invalid(
                "it must belong to you and be readable by you only (chmod 600)",
            ));
        }
    }
    let mut key = [0u8; LEN];
    file.read_exact(&mut key)?;
    Ok(key)
}

/// Writes a new random key beside `path` and links it into place, so two
/// builds starting at once agree on one key (the second link fails and
/// both read the first).
fn create(path: &Path) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let tmp = dir.join(format!(".cache-key.tmp-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::File::options();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&tmp).and_then(|mut f| {
        f.write_all(&random()?)?;
        f.sync_all()
    });
    let linked = written.and_then(|()| match std::fs::hard_link(&tmp, path) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e),
        _ => Ok(()),
    });
    let _ = std::fs::remove_file(&tmp);
    linked
}

/// 32 bytes from the system's random source.
#[cfg(unix)]
fn random() -> std::io::Result<[u8; LEN]> {
    let mut key = [0u8; LEN];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut key)?;
    Ok(key)
}

/// 32 bytes from the system's random source: the standard library seeds
/// each `RandomState` from it.
#[cfg(not(unix))]
fn random() -> std::io::Result<[u8; LEN]> {
    use std::hash::{BuildHasher, Hasher};
    let mut key = [0u8; LEN];
    for chunk in key.chunks_mut(8) {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write(chunk);
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_private_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/cache-key");
        let first = load_from(&path).unwrap();
        assert_eq!(load_from(&path).unwrap(), first);
        let other = tempfile::tempdir().unwrap();
        assert_ne!(load_from(&other.path().join("k")).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            // Opened up to others: refused, not silently used.
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(load_from(&path).unwrap_err().contains("chmod 600"));
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_or_a_short_file_is_not_a_key() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        load_from(&real).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(load_from(&link).is_err());
        let short = dir.path().join("short");
        std::fs::write(&short, b"abc").unwrap();
        assert!(load_from(&short).is_err());
    }
}
