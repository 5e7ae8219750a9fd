//! Writing outputs safely: every file of a build is first written to a
//! temporary file beside its destination, and only when all of them are
//! written are they renamed into place. A failed build leaves the previous
//! outputs untouched and no half-written file behind.

use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{display_path, Error, ErrorKind, Result};

/// Writes `files` (name → bytes) into `dir` atomically; returns the paths written.
pub fn write_all(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| io_error(dir, "cannot create the output folder", &e))?;
    let mut staged = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let dest = dir.join(name);
        let mut tmp = NamedTempFile::new_in(dir)
            .map_err(|e| io_error(dir, "cannot create a temporary file", &e))?;
        tmp.write_all(bytes)
            .and_then(|_| readable(&tmp))
            .and_then(|_| tmp.as_file().sync_all())
            .map_err(|e| io_error(&dest, "cannot write", &e))?;
        staged.push((tmp, dest));
    }
    // Everything is on disk: now replace the old outputs. Dropping `staged`
    // on an early return removes the remaining temporary files.
    let mut written = Vec::with_capacity(staged.len());
    for (tmp, dest) in staged {
        tmp.persist(&dest)
            .map_err(|e| io_error(&dest, "cannot replace", &e.error))?;
        written.push(dest);
    }
    Ok(written)
}

/// Temporary files are created private (0600); outputs are ordinary
/// documents, readable by others like any file the user saves.
fn readable(tmp: &NamedTempFile) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = tmp;
    Ok(())
}

fn io_error(path: &Path, what: &str, e: &std::io::Error) -> Error {
    Error::new(
        ErrorKind::Io,
        format!("{what} `{}`: {e}", display_path(path)),
    )
    .in_file(path)
    .with_hint("check that the folder exists and is writable, or choose another with `--out`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_files() {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &[("a.txt".into(), b"one".to_vec())]).unwrap();
        let written = write_all(dir.path(), &[("a.txt".into(), b"two".to_vec())]).unwrap();
        assert_eq!(std::fs::read(&written[0]).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from("a.txt")],
            "no temporary files left"
        );
    }
}
