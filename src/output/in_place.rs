//! Replacing the outputs inside an output folder that cannot itself be
//! renamed: a mount point (a network share, a Docker volume, tmpfs), where
//! `rename` fails with "Device or resource busy" or crosses file systems.
//!
//! The new set is written and synced into a staging folder inside the
//! output folder (`.boardpack-new-PID`), then a marker file
//! (`.boardpack-complete`) is written and synced into it: from that moment
//! the new set is committed. Each file is then renamed into place (one step
//! per file, within one file system) and the staging folder removed. A
//! build that fails or is killed before the marker leaves the old outputs
//! untouched (the next build removes the staging folder); a build killed
//! after it leaves some files new and some old until the next build or
//! `verify` finishes the renames from the marked staging folder. A reader
//! never sees a half-written file, but may see the set mixed for the
//! moment the renames take.

use std::io::Write;
use std::path::Path;

use crate::cache::dir::{Dir, Kind};
use crate::error::Result;

use super::place::What;

/// The staging folder's name before its process id.
const STAGE: &str = ".boardpack-new-";

/// The marker a complete staging folder holds.
const DONE: &str = ".boardpack-complete";

/// Whether `name` is a staging folder of this mode.
pub(super) fn is_stage(name: &str) -> bool {
    name.starts_with(STAGE)
}

/// Replaces the files `files` in the output folder `dir` (shown as
/// `shown`); names in `dropped` are removed once the new set is in.
pub(super) fn write(
    dir: &Dir,
    shown: &Path,
    files: &[(String, Vec<u8>)],
    dropped: &[&str],
) -> Result<()> {
    // `recover` has removed any leftover under this id.
    let name = format!("{STAGE}{}", std::process::id());
    let stage = dir
        .create_dir(&name)
        .map_err(|e| super::write_error(shown, "cannot create a staging folder in", &e))?;
    if let Err(e) = fill(&stage, shown, files) {
        // Best effort: the next build removes what is left.
        remove_stage(dir, &name);
        return Err(e);
    }
    super::pause("marked");
    // In the set's order: the manifest, last, is new only once all are.
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    commit(dir, &stage, shown, &names)?;
    for d in dropped {
        if dir.kind(d) == Kind::File {
            let _ = dir.remove(d);
        }
    }
    let _ = dir.sync();
    remove_stage(dir, &name);
    super::pause("removed-stage");
    Ok(())
}

/// Writes and syncs every file, then the marker that commits the set.
fn fill(stage: &Dir, shown: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    super::hook("staged")?;
    for (name, bytes) in files {
        write_synced(stage, shown, name, bytes)?;
        super::hook(&format!("wrote:{name}"))?;
    }
    let _ = stage.sync();
    super::hook("synced")?;
    write_synced(stage, shown, DONE, b"")?;
    stage
        .sync()
        .map_err(|e| super::io_error(shown, "cannot sync", &e))
}

fn write_synced(stage: &Dir, shown: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let mut f = stage
        .create_new_shared(name)
        .map_err(|e| super::write_error(shown, "cannot create a file in", &e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| super::io_error(&shown.join(name), "cannot write", &e))
        .map_err(|e| e.with_hint("check that the folder is writable and the disk not full"))
}

/// Moves the files `names` of the marked staging folder `stage` into `dir`,
/// in that order (one already moved is skipped).
fn commit(dir: &Dir, stage: &Dir, shown: &Path, names: &[&str]) -> Result<()> {
    for &name in names {
        if name == DONE || stage.kind(name) != Kind::File {
            continue;
        }
        stage.move_into(name, dir, name).map_err(|e| {
            super::io_error(&shown.join(name), "cannot move the new output into place", &e)
                .with_hint("the new set is complete in its staging folder: fix the cause, then build again (or run `boardpack verify`) to finish moving it in")
        })?;
        super::pause(&format!("moved:{name}"));
    }
    let _ = dir.sync();
    Ok(())
}

/// Removes the staging folder `name` of `dir` and the names in it, all
/// relative to the open folder: a link planted in it goes itself, never
/// what it points to; a folder planted in it keeps it for the user to see.
fn remove_stage(dir: &Dir, name: &str) {
    if let Ok(stage) = dir.open_dir(name) {
        for (entry, _) in stage.list().unwrap_or_default() {
            let _ = stage.remove(&entry);
        }
    }
    let _ = dir.remove_dir(name);
}

/// Finishes or removes the staging folders that builds no longer running
/// left in the output folder `real`: a marked one is moved in (its set was
/// committed), an unmarked one removed. Returns true if a set was moved in.
pub(super) fn recover(real: &Path, shown: &Path) -> Result<bool> {
    if What::of(real) != What::Folder {
        return Ok(false);
    }
    let Ok(dir) = Dir::open(real) else {
        return Ok(false);
    };
    let entries = dir.list().unwrap_or_default();
    let mut finished = false;
    for (name, _) in entries {
        let Some(pid) = name.strip_prefix(STAGE) else {
            continue;
        };
        // This process's own id: a dead process's leftover (ids are
        // reused), since this process writes one set at a time.
        let own = pid.parse::<u32>().is_ok_and(|p| p == std::process::id());
        if !own && pid.parse::<u32>().is_ok_and(super::running) {
            continue;
        }
        if What::of(&real.join(&name)) != What::Folder {
            // Not ours to follow: only the name goes.
            let _ = dir.remove(&name);
            continue;
        }
        let stage = dir
            .open_dir(&name)
            .map_err(|e| super::io_error(&shown.join(&name), "cannot open", &e))?;
        if stage.kind(DONE) == Kind::File {
            let mut names = stage
                .list()
                .map_err(|e| super::io_error(&shown.join(&name), "cannot read", &e))?;
            // Manifests last, as the build moves them.
            names.sort_by_key(|(n, _)| (n.contains(".manifest."), n.clone()));
            let names: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
            commit(&dir, &stage, shown, &names)?;
            finished = true;
        }
        remove_stage(&dir, &name);
    }
    Ok(finished)
}
