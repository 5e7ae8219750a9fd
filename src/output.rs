//! Writing outputs all-or-nothing: a build's files (PDF, Word, manifest…)
//! replace the previous set as one, or not at all.
//!
//! Every file is written and synced into a fresh staging folder beside the
//! output folder (`.NAME.boardpack-new-PID`), then the two folders are
//! swapped with one `renameat2(RENAME_EXCHANGE)` and the old one is removed.
//! Where that call is missing (not Linux, or a file system without it) the
//! old folder is renamed aside (`.NAME.boardpack-old-PID`) and the staging
//! folder renamed into its place; a build killed between those two renames
//! leaves no output folder, and the next build (or `verify`) puts the old
//! set back. Either way the folder a reader sees holds all old or all new
//! outputs, and the next build removes whatever a killed build left behind.
//!
//! The output folder belongs to the build: files in it that the build does
//! not write (a README the user put there) are carried over into the new
//! set by hard link, or copied where links are impossible; a folder inside it
//! is refused, so the project itself can never be swapped out. The one
//! exception is the build cache, `.boardpack-cache/` ([`crate::cache`]): not
//! an output (no manifest lists it), it is moved into the new set as it is,
//! and a failed write puts it back.
//!
//! Test hooks (documented, not for users): `BOARDPACK_TEST_FAIL_AT=STEP`
//! fails the write at `STEP` (`staged`, `wrote:FILE` for each file, or
//! `synced`), `BOARDPACK_TEST_PAUSE_AT=STEP` prints `paused at STEP` to
//! stderr and sleeps so a test can kill the process at any step (those, then
//! `exchanged` or `moved-old` and `moved-new`, then `removed-old`), and
//! `BOARDPACK_TEST_NO_EXCHANGE=1` uses the fallback instead of the exchange.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{display_path, Error, ErrorKind, Result};

/// Replaces the output folder `dir` with exactly `files` (name → bytes),
/// plus any files of the user's that were already there; returns the paths
/// written. On error the previous outputs are untouched.
pub(crate) fn write_all(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    let target = Target::new(dir)?;
    recover(&target.parent, &target.name)?;
    let foreign = foreign_entries(&target, files)?;
    let stage = target.sibling("new");
    fresh_dir(&stage).map_err(|e| io_error(&stage, "cannot create a staging folder", &e))?;
    let result = stage_and_swap(&target, &stage, files, &foreign);
    if result.is_err() {
        // The cache goes back where it was (best effort: it is only a cache).
        let _ = move_cache(&stage, &target.real());
        // Best effort: the next build removes what is left.
        let _ = fs::remove_dir_all(&stage);
    }
    result?;
    Ok(files.iter().map(|(name, _)| dir.join(name)).collect())
}

/// Replaces one file atomically (a temporary file beside it, synced, then
/// renamed over it), e.g. the spec that `refresh` rewrites.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let target = Target::new(path)?;
    recover(&target.parent, &target.name)?;
    let tmp = target.sibling("new");
    let written = write_synced(&tmp, bytes)
        .and_then(|_| hook("synced"))
        .and_then(|_| {
            fs::rename(&tmp, &target.path).map_err(|e| io_error(path, "cannot replace", &e))
        });
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written?;
    sync_dir(&target.parent);
    Ok(())
}

/// Puts back an output set a killed build left half-replaced and removes
/// staging folders and temporary files of builds that are no longer
/// running. Returns true if an old output folder was restored.
pub(crate) fn recover(parent: &Path, name: &str) -> Result<bool> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(false);
    };
    let prefix = format!(".{name}.boardpack-");
    let target = parent.join(name);
    let mut restored = false;
    let mut stale: Vec<(PathBuf, &str)> = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let Some((kind, pid)) = rest.split_once('-') else {
            continue;
        };
        match pid.parse::<u32>() {
            Ok(pid) if !running(pid) => {}
            _ => continue,
        }
        stale.push((entry.path(), if kind == "old" { "old" } else { "new" }));
    }
    // An old set renamed aside and never replaced: put it back first.
    for (path, kind) in &stale {
        if *kind == "old" && !exists(&target) {
            fs::rename(path, &target)
                .map_err(|e| io_error(&target, "cannot restore the previous outputs", &e))?;
            restored = true;
        }
    }
    for (path, _) in stale {
        remove_any(&path).map_err(|e| io_error(&path, "cannot remove a stale temporary", &e))?;
    }
    if restored {
        sync_dir(parent);
    }
    Ok(restored)
}

/// The destination split into what the renames need.
struct Target {
    /// The destination as the user gave it (for messages).
    path: PathBuf,
    /// The real folder holding it.
    parent: PathBuf,
    /// Its file name.
    name: String,
}

impl Target {
    fn new(path: &Path) -> Result<Target> {
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
    fn sibling(&self, kind: &str) -> PathBuf {
        self.parent.join(format!(
            ".{}.boardpack-{kind}-{}",
            self.name,
            std::process::id()
        ))
    }

    fn real(&self) -> PathBuf {
        self.parent.join(&self.name)
    }
}

/// Entries of the output folder the new set does not write: files to carry
/// over. A folder among them is an error (the output folder would be the
/// project, or hold someone's work).
fn foreign_entries(target: &Target, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    let real = target.real();
    if !exists(&real) {
        return Ok(Vec::new());
    }
    if !real.is_dir() {
        return Err(Error::new(
            ErrorKind::Io,
            format!(
                "cannot write outputs to `{}`: it is a file",
                display_path(&target.path)
            ),
        )
        .with_hint("choose an output folder with `--out` or `report.out_dir`"));
    }
    let entries = fs::read_dir(&real).map_err(|e| io_error(&target.path, "cannot read", &e))?;
    let mut carried = Vec::new();
    let mut folders = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_error(&target.path, "cannot read", &e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // Temporary files of the writer before this one (tempfile's names).
        if name.starts_with(".tmp") || files.iter().any(|(n, _)| *n == name) {
            continue;
        }
        // The cache moves with the set (see `keep_cache`).
        if name == crate::cache::DIR_NAME && entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => folders.push(name),
            _ => carried.push(entry.path()),
        }
    }
    if !folders.is_empty() {
        folders.sort();
        return Err(Error::new(
            ErrorKind::Io,
            format!(
                "the output folder `{}` holds folders boardpack did not write: {}",
                display_path(&target.path),
                folders.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
            ),
        )
        .with_hint("a build replaces its output folder as a whole: move them out, or choose a folder of its own with `--out`"));
    }
    Ok(carried)
}

/// Fills the staging folder, syncs it and swaps it in.
fn stage_and_swap(
    target: &Target,
    stage: &Path,
    files: &[(String, Vec<u8>)],
    foreign: &[PathBuf],
) -> Result<()> {
    hook("staged")?;
    for (name, bytes) in files {
        write_synced(&stage.join(name), bytes)?;
        hook(&format!("wrote:{name}"))?;
    }
    for path in foreign {
        carry_over(path, stage)?;
    }
    // Only a cache: if it cannot move, the next build recomputes.
    let _ = move_cache(&target.real(), stage);
    sync_dir(stage);
    hook("synced")?;
    swap(target, stage)
}

/// Makes the staging folder the output folder.
fn swap(target: &Target, stage: &Path) -> Result<()> {
    let real = target.real();
    let fail = |e: std::io::Error| io_error(&target.path, "cannot replace the output folder", &e);
    if !exists(&real) {
        fs::rename(stage, &real).map_err(fail)?;
        sync_dir(&target.parent);
        return Ok(());
    }
    // From here on the new set is (or is about to be) in place: no error
    // may leave the folder missing, and leftovers are the next build's.
    let previous = if exchange(stage, &real).map_err(fail)? {
        sync_dir(&target.parent);
        pause("exchanged");
        stage.to_path_buf()
    } else {
        let old = target.sibling("old");
        fs::rename(&real, &old).map_err(fail)?;
        pause("moved-old");
        if let Err(e) = fs::rename(stage, &real) {
            let _ = fs::rename(&old, &real);
            return Err(fail(e));
        }
        sync_dir(&target.parent);
        pause("moved-new");
        old
    };
    let _ = fs::remove_dir_all(previous);
    pause("removed-old");
    Ok(())
}

/// Swaps two paths in one step; `Ok(false)` if the system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
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
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Whether a process with this id is running (a staging folder of a build
/// still in progress must not be removed).
#[cfg(unix)]
fn running(pid: u32) -> bool {
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
fn running(pid: u32) -> bool {
    pid == std::process::id()
}

/// Moves the build cache folder from the folder `from` into `to`, if there
/// is one (a folder, not a link).
fn move_cache(from: &Path, to: &Path) -> std::io::Result<()> {
    let cache = from.join(crate::cache::DIR_NAME);
    match fs::symlink_metadata(&cache) {
        Ok(m) if m.is_dir() => fs::rename(&cache, to.join(crate::cache::DIR_NAME)),
        _ => Ok(()),
    }
}

/// A user's file from the old output folder, into the new one.
fn carry_over(path: &Path, stage: &Path) -> Result<()> {
    let Some(name) = path.file_name() else {
        return Ok(());
    };
    let dest = stage.join(name);
    let meta = fs::symlink_metadata(path).map_err(|e| io_error(path, "cannot read", &e))?;
    #[cfg(unix)]
    {
        if meta.file_type().is_symlink() {
            let link = fs::read_link(path).map_err(|e| io_error(path, "cannot read", &e))?;
            return std::os::unix::fs::symlink(link, &dest)
                .map_err(|e| io_error(&dest, "cannot carry over", &e));
        }
    }
    let _ = meta;
    fs::hard_link(path, &dest)
        .or_else(|_| fs::copy(path, &dest).map(|_| ()))
        .map_err(|e| io_error(path, "cannot carry over into the new outputs", &e))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = fs::File::create(path).map_err(|e| io_error(path, "cannot create", &e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| io_error(path, "cannot write", &e))
}

/// Syncs a folder so a rename in it survives a power cut (best effort:
/// not every system can open a folder).
fn sync_dir(dir: &Path) {
    if let Ok(f) = fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

fn fresh_dir(path: &Path) -> std::io::Result<()> {
    if exists(path) {
        remove_any(path)?;
    }
    fs::create_dir(path)
}

fn remove_any(path: &Path) -> std::io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// The test hooks described in the module docs: fail or pause at `step`.
fn hook(step: &str) -> Result<()> {
    if std::env::var("BOARDPACK_TEST_FAIL_AT").is_ok_and(|s| s == step) {
        return Err(Error::new(
            ErrorKind::Io,
            format!("cannot write outputs: failing at step `{step}` (BOARDPACK_TEST_FAIL_AT)"),
        )
        .with_hint("unset `BOARDPACK_TEST_FAIL_AT`; it is for boardpack's own tests"));
    }
    pause(step);
    Ok(())
}

/// The pause test hook alone (for steps after the swap, where failing
/// would make no sense: the new set is already in place).
fn pause(step: &str) {
    if std::env::var("BOARDPACK_TEST_PAUSE_AT").is_ok_and(|s| s == step) {
        let mut err = std::io::stderr();
        let _ = writeln!(err, "paused at {step}");
        let _ = err.flush();
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

fn io_error(path: &Path, what: &str, e: &std::io::Error) -> Error {
    Error::new(
        ErrorKind::Io,
        format!("{what} `{}`: {e}", display_path(path)),
    )
    .in_file(path)
    .with_hint(io_hint(e))
}

/// What to do about a failed file operation, by the error's kind (never
/// its text, which differs between systems and languages).
fn io_hint(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    let os = e.raw_os_error();
    match e.kind() {
        K::InvalidFilename => "the file name is too long for the file system (most allow 255 bytes): shorten `report.name`, the names in `[report.outputs]` or `[batch] output`",
        K::StorageFull => "the disk is full: free some space, or choose another folder with `--out`",
        _ if os == Some(libc::EDQUOT) => "the disk quota is used up: free some space, or choose another folder with `--out`",
        K::PermissionDenied | K::ReadOnlyFilesystem => "the folder is not writable: change its permissions, or choose another with `--out`",
        K::NotFound => "the folder does not exist: create it, or choose another with `--out`",
        _ => "check that the folder exists and is writable, or choose another with `--out`",
    }
}

#[cfg(test)]
mod tests;
