//! Writing outputs all-or-nothing: a build's files (PDF, Word, manifest…)
//! replace the previous set as one, or not at all.
//!
//! Every file is written into a fresh staging folder beside the output
//! folder (`.NAME.boardpack-new-PID`), all of them are synced (several at
//! once, so the file system commits them together), then the two folders are
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
//! Nothing in the output folder is followed or opened unless it is a
//! regular file ([`place`]): the folder is opened once without following a
//! link and its entries are read relative to it; a link, pipe, device or
//! folder in place of the folder or of an output is refused before anything
//! is written. A folder that cannot be renamed (a mount point) has its
//! files replaced inside it instead ([`in_place`]).
//!
//! Test hooks (documented, not for users): `BOARDPACK_TEST_FAIL_AT=STEP`
//! fails the write at `STEP` (`staged`, `wrote:FILE` for each file, or
//! `synced`), `BOARDPACK_TEST_PAUSE_AT=STEP` prints `paused at STEP` to
//! stderr and sleeps so a test can kill the process at any step (those, then
//! `exchanged` or `moved-old` and `moved-new`, then `removed-old`; in place,
//! `marked`, `moved:FILE` for each file, `removed-stage`),
//! `BOARDPACK_TEST_NO_EXCHANGE=1` uses the fallback instead of the exchange
//! and `BOARDPACK_TEST_IN_PLACE=1` replaces the files in place as for a
//! mount point (tests cannot mount one).

mod in_place;
mod place;
mod swap;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use self::swap::{running, stage_and_swap, Target};
use crate::cache::dir::Dir;
use crate::error::{display_path, Error, ErrorKind, Result};

/// [`write_set`] for a public set with nothing dropped (the tests' form).
#[cfg(test)]
fn write_all(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    write_set(dir, files, &[], Audience::Public)
}

/// Who may read a set of files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audience {
    /// Files to publish: folder and files as the umask allows.
    Public,
    /// The private manifest: a new folder is its owner's alone (0700).
    Private,
}

/// Replaces the output folder `dir` with exactly `files` (name → bytes),
/// plus any files of the user's that were already there; returns the paths
/// written. On error the previous outputs are untouched. Names in `dropped`
/// are not carried over but removed with the old set (a private manifest
/// an older boardpack wrote among the files to publish).
pub(crate) fn write_set(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    dropped: &[String],
    audience: Audience,
) -> Result<Vec<PathBuf>> {
    let target = Target::new(dir)?;
    recover(&target.parent, &target.name)?;
    let mut names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    names.extend(dropped.iter().map(String::as_str));
    let dropped: Vec<&str> = dropped.iter().map(String::as_str).collect();
    let real = target.real();
    let old = place::inspect(&real, &target.path, &target.parent, &names)?;
    if old.is_some() {
        // A folder its owner made read-only is not swapped for a writable
        // one behind their back (renaming it needs no write permission).
        writable(&real).map_err(|e| write_error(&target.path, "cannot write to", &e))?;
    }
    let written = Ok(files.iter().map(|(name, _)| dir.join(name)).collect());
    if let Some(old) = old.as_ref().filter(|o| o.mounted || forced_in_place()) {
        in_place::write(&old.dir, &target.path, files, &dropped)?;
        return written;
    }
    let stage = target.sibling("new");
    fresh_dir(&stage, audience).map_err(|e| {
        write_error(
            &target.shown_parent(),
            "cannot create a staging folder in",
            &e,
        )
    })?;
    let result = Dir::open(&stage)
        .map_err(|e| io_error(&stage, "cannot open the staging folder", &e))
        .and_then(|staged| {
            let swapped = stage_and_swap(&target, old.as_ref(), (&stage, &staged), files);
            if !matches!(swapped, Ok(true)) {
                // The cache goes back where it was (best effort: it is
                // only a cache).
                if let Some(old) = &old {
                    let cache = crate::cache::DIR_NAME;
                    let _ = staged.move_into(cache, &old.dir, cache);
                }
            }
            swapped
        });
    if !matches!(result, Ok(true)) {
        // Best effort: the next build removes what is left.
        let _ = fs::remove_dir_all(&stage);
    }
    match (result?, old) {
        (true, _) => {}
        // The folder cannot be renamed: nothing changed, so the files are
        // replaced inside it instead.
        (false, Some(old)) => in_place::write(&old.dir, &target.path, files, &dropped)?,
        (false, None) => {
            return Err(Error::new(
                ErrorKind::Internal,
                "no output folder to replace in place",
            ))
        }
    }
    written
}

/// An output file as it is on disk, for checking: `Ok(None)` if there is
/// none; `Err` saying what is there instead if it is not a regular file (a
/// link is not followed, a pipe not waited on).
pub(crate) fn read_output(path: &Path) -> std::result::Result<Option<Vec<u8>>, String> {
    match place::What::of(path) {
        place::What::Absent => Ok(None),
        place::What::File => read_regular(path, false)
            .map(Some)
            .map_err(|e| format!("cannot read `{}`: {e}", display_path(path))),
        what => Err(format!(
            "`{}` is {}, not a file",
            display_path(path),
            what.describe()
        )),
    }
}

/// Reads `path` only if it is a regular file, never waiting on a named
/// pipe or device; a link is followed only if `follow` (a path the user
/// named, such as a manifest to verify).
pub(crate) fn read_regular(path: &Path, follow: bool) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
        options.custom_flags(libc::O_NONBLOCK | nofollow);
    }
    #[cfg(not(unix))]
    let _ = follow;
    let mut file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a named pipe, a device or a folder)",
        ));
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// `BOARDPACK_TEST_IN_PLACE=1` (see the module docs).
fn forced_in_place() -> bool {
    std::env::var_os("BOARDPACK_TEST_IN_PLACE").is_some_and(|v| v == "1")
}

/// Names in the output folder that are neither carried over nor checked:
/// temporaries of an older writer (tempfile's names) and staging folders
/// of the in-place mode (finished or removed by [`recover`]).
fn skipped(name: &str) -> bool {
    name.starts_with(".tmp") || in_place::is_stage(name)
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
        if *kind == "old" && !exists(&target) && place::What::of(path) == place::What::Folder {
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
    // A set committed in place but not all moved in: finish it.
    let finished = in_place::recover(&target, &target)?;
    Ok(restored || finished)
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

fn fresh_dir(path: &Path, audience: Audience) -> std::io::Result<()> {
    if exists(path) {
        remove_any(path)?;
    }
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    if audience == Audience::Private {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    #[cfg(not(unix))]
    let _ = audience;
    builder.create(path)
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

/// [`io_error`], except that a folder that refuses writing (read-only, or
/// not writable by this user) gets its own message naming it.
fn write_error(folder: &Path, what: &str, e: &std::io::Error) -> Error {
    if !read_only(e) {
        return io_error(folder, what, e);
    }
    let shown = display_path(folder);
    Error::new(
        ErrorKind::Io,
        format!("cannot write outputs: the folder `{shown}` is read-only ({e})"),
    )
    .in_file(folder)
    .with_hint(format!("make it writable (e.g. `chmod u+w {shown}`, or mount it read-write), or choose another output folder with `--out`; the previous outputs are unchanged"))
}

/// Whether this user may write in the folder `path` (a read-only mount, or
/// permissions that exclude them, give the error).
#[cfg(unix)]
fn writable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: a valid C string for the call; faccessat only reads it.
    let rc = unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), libc::W_OK, libc::AT_EACCESS) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(unix))]
fn writable(path: &Path) -> std::io::Result<()> {
    match fs::metadata(path) {
        Ok(m) if m.permissions().readonly() => Err(std::io::ErrorKind::PermissionDenied.into()),
        _ => Ok(()),
    }
}

/// Whether an error means the folder refuses writing.
fn read_only(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(
            e.raw_os_error(),
            Some(libc::EROFS | libc::EACCES | libc::EPERM)
        )
    }
    #[cfg(not(unix))]
    {
        e.kind() == std::io::ErrorKind::PermissionDenied
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
