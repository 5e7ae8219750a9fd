//! The swap itself: the destination split into what the renames need, the
//! staging folder filled and swapped in with one exchange (or the two
//! renames of the fallback), and the user's own files carried over.

use std::fs;
use std::path::{Path, PathBuf};

use super::{exists, hook, io_error, pause, place, sync_dir, write_error};
use crate::cache::dir::{Dir, Kind};
use crate::error::{display_path, Error, ErrorKind, Result};

/// The destination split into what the renames need.
pub(super) struct Target {
    /// The destination as the user gave it (for messages).
    pub(super) path: PathBuf,
    /// The real folder holding it.
    pub(super) parent: PathBuf,
    /// Its file name.
    pub(super) name: String,
}

impl Target {
    pub(super) fn new(path: &Path) -> Result<Target> {
        let bad = |why: &str| {
            Error::new(
                ErrorKind::Usage,
                format!("cannot write outputs to `{}`: {why}", display_path(path)),
            )
            .with_hint("choose an output folder of its own, e.g. `--out out`")
        };
        let name = match path.file_name() {
            Some(n) => n.to_string_lossy().into_owned(),
            None => return Err(bad("it must be a folder of its own, not `.`, `..` or `/`")),
        };
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)
            .map_err(|e| io_error(&parent, "cannot create the folder", &e))?;
        let parent = parent
            .canonicalize()
            .map_err(|e| io_error(&parent, "cannot resolve the folder", &e))?;
        Ok(Target {
            path: path.to_path_buf(),
            parent,
            name,
        })
    }

    /// `.NAME.boardpack-KIND-PID` beside the destination.
    pub(super) fn sibling(&self, kind: &str) -> PathBuf {
        self.parent.join(format!(
            ".{}.boardpack-{kind}-{}",
            self.name,
            std::process::id()
        ))
    }

    pub(super) fn real(&self) -> PathBuf {
        self.parent.join(&self.name)
    }

    /// The folder holding the destination, as the user gave it.
    pub(super) fn shown_parent(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

/// Fills the staging folder (`stage`, open as `staged`), syncs it and
/// swaps it in; `Ok(false)` if the output folder cannot be renamed.
pub(super) fn stage_and_swap(
    target: &Target,
    old: Option<&place::Old>,
    (stage, staged): (&Path, &Dir),
    files: &[(String, Vec<u8>)],
) -> Result<bool> {
    hook("staged")?;
    for (name, bytes) in files {
        write_new(&stage.join(name), bytes)?;
        hook(&format!("wrote:{name}"))?;
    }
    sync_files(stage, files)?;
    if let Some(old) = old {
        for (name, kind) in &old.carried {
            carry_over(&old.dir, name, *kind, (stage, staged))?;
        }
        if old.cache {
            // Only a cache: if it cannot move, the next build recomputes.
            let cache = crate::cache::DIR_NAME;
            let _ = old.dir.move_into(cache, staged, cache);
        }
    }
    sync_dir(stage);
    hook("synced")?;
    swap(target, stage)
}

/// Makes the staging folder the output folder; `Ok(false)`, nothing
/// changed, if the output folder cannot be renamed (a mount point).
pub(super) fn swap(target: &Target, stage: &Path) -> Result<bool> {
    let real = target.real();
    let fail =
        |e: std::io::Error| write_error(&target.path, "cannot replace the output folder", &e);
    if !exists(&real) {
        fs::rename(stage, &real).map_err(fail)?;
        sync_dir(&target.parent);
        return Ok(true);
    }
    // From here on the new set is (or is about to be) in place: no error
    // may leave the folder missing, and leftovers are the next build's.
    let previous = match exchange(stage, &real) {
        Ok(true) => {
            sync_dir(&target.parent);
            pause("exchanged");
            stage.to_path_buf()
        }
        Err(e) if unmovable(&e) => return Ok(false),
        Err(e) => return Err(fail(e)),
        Ok(false) => {
            let old = target.sibling("old");
            match fs::rename(&real, &old) {
                Err(e) if unmovable(&e) => return Ok(false),
                r => r.map_err(fail)?,
            }
            pause("moved-old");
            if let Err(e) = fs::rename(stage, &real) {
                let _ = fs::rename(&old, &real);
                return Err(fail(e));
            }
            sync_dir(&target.parent);
            pause("moved-new");
            old
        }
    };
    let _ = fs::remove_dir_all(previous);
    pause("removed-old");
    Ok(true)
}

/// A rename refused because the folder is a mount point (busy) or on
/// another file system than its staging folder.
pub(super) fn unmovable(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(e.raw_os_error(), Some(libc::EBUSY | libc::EXDEV))
    }
    #[cfg(not(unix))]
    {
        e.kind() == std::io::ErrorKind::CrossesDevices
    }
}

/// Swaps two paths in one step; `Ok(false)` if the system cannot.
#[cfg(target_os = "linux")]
pub(super) fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    if std::env::var_os("BOARDPACK_TEST_NO_EXCHANGE").is_some() {
        return Ok(false);
    }
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both arguments are valid NUL-terminated strings that outlive
    // the call; renameat2 does not keep them.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP) => Ok(false),
        _ => Err(e),
    }
}

/// Swaps two paths in one step; `Ok(false)` if the system cannot.
#[cfg(not(target_os = "linux"))]
pub(super) fn exchange(_a: &Path, _b: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Whether a process with this id is running (a staging folder of a build
/// still in progress must not be removed).
#[cfg(unix)]
pub(super) fn running(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid == 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Whether a process with this id is running; without a way to ask, only
/// this process counts.
#[cfg(not(unix))]
pub(super) fn running(pid: u32) -> bool {
    pid == std::process::id()
}

/// A user's file or link from the old output folder into the new one:
/// linked (a link is linked itself), else copied only if a regular file
/// (opened without following, never waiting on a pipe) or re-made as a
/// link to the same text.
pub(super) fn carry_over(
    old: &Dir,
    name: &str,
    kind: Kind,
    (stage, staged): (&Path, &Dir),
) -> Result<()> {
    if old.link_into(name, staged, name).is_ok() {
        return Ok(());
    }
    let fail = |e: std::io::Error| {
        io_error(
            &stage.join(name),
            "cannot carry over into the new outputs",
            &e,
        )
    };
    if kind == Kind::File {
        let Some(mut from) = old.open_file(name).map_err(fail)? else {
            return Err(fail(std::io::ErrorKind::InvalidInput.into()));
        };
        let mut to = staged.create_new_shared(name).map_err(fail)?;
        return std::io::copy(&mut from, &mut to).map(|_| ()).map_err(fail);
    }
    let link = old.read_link(name).map_err(fail)?;
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(link, stage.join(name)).map_err(fail)
    }
    #[cfg(not(unix))]
    {
        let _ = link;
        Err(fail(std::io::ErrorKind::Unsupported.into()))
    }
}

/// Creates `path` with `bytes`, not yet synced (see [`sync_files`]).
fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut f = fs::File::create(path).map_err(|e| io_error(path, "cannot create", &e))?;
    f.write_all(bytes)
        .map_err(|e| io_error(path, "cannot write", &e))
}

/// The most threads [`sync_files`] waits on the disk with.
const SYNC_THREADS: usize = 8;

/// Syncs the staged `files` to the disk, a few at a time: each sync waits
/// for the file system to commit (~1–4 ms here), and syncs waiting
/// together are committed together, where one after another they took
/// ~90 ms for a batch's 31 files. Each file is opened again (for writing,
/// which every system accepts for a sync), so no more than
/// [`SYNC_THREADS`] files are open at once. The error, if any, is the
/// first file's in `files`' order.
fn sync_files(stage: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    let sync = |name: &String| {
        let path = stage.join(name);
        fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .and_then(|f| f.sync_all())
            .map_err(|e| io_error(&path, "cannot write", &e))
    };
    let chunk = files.len().div_ceil(SYNC_THREADS).max(1);
    let synced: Vec<Result<()>> = std::thread::scope(|scope| {
        let running: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|(n, _)| sync(n)).collect::<Vec<_>>()))
            .collect();
        running
            .into_iter()
            .flat_map(|r| r.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    synced.into_iter().collect()
}
