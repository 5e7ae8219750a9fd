//! What is at the output folder's place and in it, looked at without
//! following anything: a link, named pipe, device or folder where the build
//! would write is refused before anything is written, never followed,
//! opened or deleted through.

use std::path::{Path, PathBuf};

use crate::cache::dir::{Dir, Kind};
use crate::error::{display_path, Error, ErrorKind, Result};

/// What a name is, itself (a link is not followed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum What {
    Absent,
    Folder,
    File,
    Link(PathBuf),
    Pipe,
    Socket,
    Device,
    /// Something this system reports but we do not name.
    Other,
}

impl What {
    /// What is at `path` itself (`lstat`, and the link's text if a link).
    pub(super) fn of(path: &Path) -> What {
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return What::Absent;
        };
        let t = meta.file_type();
        if t.is_symlink() {
            return What::Link(std::fs::read_link(path).unwrap_or_default());
        }
        if t.is_dir() {
            return What::Folder;
        }
        if t.is_file() {
            return What::File;
        }
        special(&t)
    }

    /// For people: "a link to `X`", "a named pipe"…
    pub(super) fn describe(&self) -> String {
        match self {
            What::Absent => "nothing".into(),
            What::Folder => "a folder".into(),
            What::File => "a file".into(),
            What::Link(to) => format!("a link to `{}`", display_path(to)),
            What::Pipe => "a named pipe".into(),
            What::Socket => "a socket".into(),
            What::Device => "a device".into(),
            What::Other => "neither a file nor a folder".into(),
        }
    }
}

#[cfg(unix)]
fn special(t: &std::fs::FileType) -> What {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        What::Pipe
    } else if t.is_socket() {
        What::Socket
    } else if t.is_block_device() || t.is_char_device() {
        What::Device
    } else {
        What::Other
    }
}

#[cfg(not(unix))]
fn special(_t: &std::fs::FileType) -> What {
    What::Other
}

/// The output folder as it is before a build replaces it.
pub(super) struct Old {
    /// The folder, opened without following a link.
    pub(super) dir: Dir,
    /// Entries the new set does not write, to carry over: the user's files
    /// and links (a link is carried as a link, never followed).
    pub(super) carried: Vec<(String, Kind)>,
    /// Whether it holds the build cache folder.
    pub(super) cache: bool,
    /// On another file system than the folder holding it (a mount point: a
    /// network share, a Docker volume, tmpfs), so it cannot be renamed.
    pub(super) mounted: bool,
}

/// Opens the output folder `real` (shown as `shown`) and sorts its
/// entries; `None` if there is none yet. Refuses, naming every problem at
/// once, a folder that is a link or not a folder, a name the build writes
/// (in `files` or `dropped`) that is not a regular file, and an entry of
/// the user's that is a folder, pipe, socket or device.
pub(super) fn inspect(
    real: &Path,
    shown: &Path,
    parent: &Path,
    names: &[&str],
) -> Result<Option<Old>> {
    match What::of(real) {
        What::Absent => return Ok(None),
        What::Folder => {}
        what => return Err(not_a_folder(shown, &what)),
    }
    // Opened without following: a link swapped in since is refused here.
    let dir = Dir::open(real).map_err(|e| super::io_error(shown, "cannot open", &e))?;
    let mut entries = dir
        .list()
        .map_err(|e| super::io_error(shown, "cannot read", &e))?;
    // Problems in name order, whatever order the system lists them in.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut old = Old {
        mounted: mounted(&dir, parent),
        dir,
        carried: Vec::new(),
        cache: false,
    };
    let (mut wrong, mut folders) = (Vec::new(), Vec::new());
    for (name, kind) in entries {
        if super::skipped(&name) {
            continue;
        }
        let what = || What::of(&real.join(&name));
        if name == crate::cache::DIR_NAME && what() == What::Folder {
            old.cache = true;
        } else if names.contains(&name.as_str()) {
            if kind != Kind::File {
                wrong.push(output_in_the_way(shown, &name, &what()));
            }
        } else if kind == Kind::File {
            old.carried.push((name, kind));
        } else {
            match what() {
                What::Folder => folders.push(name),
                What::Link(_) => old.carried.push((name, kind)),
                other => wrong.push(not_carried(shown, &name, &other)),
            }
        }
    }
    if !folders.is_empty() {
        wrong.push(foreign_folders(shown, folders));
    }
    Error::collect(wrong)?;
    Ok(Some(old))
}

/// Whether `dir` is on another file system than `parent`.
fn mounted(dir: &Dir, parent: &Path) -> bool {
    let Ok(parent) = Dir::open(parent) else {
        return false;
    };
    matches!((dir.device(), parent.device()), (Ok(a), Ok(b)) if a != b)
}

pub(super) fn not_a_folder(shown: &Path, what: &What) -> Error {
    let hint = match what {
        What::Link(_) => "boardpack never writes through a link: remove the link (the folder it points to is not touched), or give the real folder with `--out`",
        What::File => "choose an output folder with `--out` or `report.out_dir`",
        _ => "remove it, or choose another output folder with `--out` or `report.out_dir`",
    };
    Error::new(
        ErrorKind::Io,
        format!(
            "cannot write outputs to `{}`: it is {}, not a folder",
            display_path(shown),
            what.describe()
        ),
    )
    .with_hint(hint)
}

fn output_in_the_way(shown: &Path, name: &str, what: &What) -> Error {
    let path = shown.join(name);
    let hint = match what {
        What::Link(_) => "boardpack never writes through a link: remove the link (what it points to is not touched) and build again; the build writes the file itself".to_string(),
        What::Folder => format!("a build would replace it with its output: move the folder out of `{}`, or choose another output folder with `--out`", display_path(shown)),
        _ => format!("remove it (a build writes this name itself), or choose another output folder with `--out`; nothing in `{}` was changed", display_path(shown)),
    };
    Error::new(
        ErrorKind::Io,
        format!(
            "cannot write the output `{name}`: `{}` is {}, where the build writes a file",
            display_path(&path),
            what.describe()
        ),
    )
    .with_hint(hint)
}

fn not_carried(shown: &Path, name: &str, what: &What) -> Error {
    Error::new(
        ErrorKind::Io,
        format!(
            "the output folder `{}` holds `{name}`, {} boardpack did not write",
            display_path(shown),
            what.describe()
        ),
    )
    .with_hint("a build carries over only your files and links: move it out, or choose a folder of its own with `--out`")
}

fn foreign_folders(shown: &Path, mut folders: Vec<String>) -> Error {
    folders.sort();
    Error::new(
        ErrorKind::Io,
        format!(
            "the output folder `{}` holds folders boardpack did not write: {}",
            display_path(shown),
            folders
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .with_hint("a build replaces its output folder as a whole: move them out, or choose a folder of its own with `--out`")
}
