//! The cache folder, opened once without following a link, and its entries
//! named relative to that open folder (`openat` and friends). A link in
//! place of the folder, or one swapped in while the build runs, is never
//! followed; a link, pipe, device or folder in place of an entry is never
//! opened for reading, written through or removed.

use std::fs::File;
use std::io;
use std::path::Path;

/// What a name in the cache folder is, without following it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Nothing has this name.
    Absent,
    /// A regular file (possibly ours).
    File,
    /// A link, folder, pipe, socket or device: never ours.
    Other,
}

/// What is at the cache folder's place, itself (not where a link points).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// Nothing: the folder is made when the first entry is written.
    Absent,
    /// A real folder.
    Folder,
    /// A link, file, pipe…: never used.
    Other,
}

/// What is at `path` itself.
pub(crate) fn place_of(path: &Path) -> Place {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_dir() => Place::Folder,
        Ok(_) => Place::Other,
        Err(_) => Place::Absent,
    }
}

#[cfg(unix)]
pub(crate) use unix::Dir;

#[cfg(not(unix))]
pub(crate) use portable::Dir;

#[cfg(unix)]
mod unix {
    use std::ffi::{CStr, CString};
    use std::fs::File;
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::Path;

    use super::Kind;

    /// An open cache folder.
    #[derive(Debug)]
    pub(crate) struct Dir {
        fd: OwnedFd,
    }

    impl Dir {
        /// Opens the folder `path`; fails if it is a link or not a folder.
        pub(crate) fn open(path: &Path) -> io::Result<Dir> {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_NONBLOCK)
                .open(path)?;
            Ok(Dir { fd: file.into() })
        }

        /// Creates the folder `path` (its parent must exist) and opens it.
        pub(crate) fn create(path: &Path) -> io::Result<Dir> {
            match std::fs::create_dir(path) {
                Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
                _ => {}
            }
            Dir::open(path)
        }

        /// The entry `name` for reading, only if it is a regular file: a
        /// link is not followed and a pipe or device is not waited on.
        pub(crate) fn open_file(&self, name: &str) -> io::Result<Option<File>> {
            let flags = libc::O_RDONLY | libc::O_NONBLOCK;
            let file = self.openat(name, flags, 0)?;
            Ok(file.metadata()?.file_type().is_file().then_some(file))
        }

        /// A new file `name` for writing; fails if anything has that name.
        pub(crate) fn create_new(&self, name: &str) -> io::Result<File> {
            let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL;
            self.openat(name, flags, 0o600)
        }

        /// [`Dir::create_new`] readable by others as the umask allows (an
        /// output to publish, not a cache entry).
        pub(crate) fn create_new_shared(&self, name: &str) -> io::Result<File> {
            let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL;
            self.openat(name, flags, 0o666)
        }

        /// What `name` is, without following it.
        pub(crate) fn kind(&self, name: &str) -> Kind {
            let Ok(c) = cstr(name) else {
                return Kind::Other;
            };
            // SAFETY: `st` is plain data that fstatat fills; `c` is a valid
            // C string for the call's duration.
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            let rc = unsafe {
                libc::fstatat(
                    self.fd.as_raw_fd(),
                    c.as_ptr(),
                    &mut st,
                    libc::AT_SYMLINK_NOFOLLOW,
                )
            };
            if rc != 0 {
                return match io::Error::last_os_error().kind() {
                    io::ErrorKind::NotFound => Kind::Absent,
                    _ => Kind::Other,
                };
            }
            if st.st_mode & libc::S_IFMT == libc::S_IFREG {
                Kind::File
            } else {
                Kind::Other
            }
        }

        /// Renames `from` to `to`, both in this folder.
        pub(crate) fn rename(&self, from: &str, to: &str) -> io::Result<()> {
            let (from, to) = (cstr(from)?, cstr(to)?);
            let fd = self.fd.as_raw_fd();
            // SAFETY: valid descriptors and C strings for the call.
            let rc = unsafe { libc::renameat(fd, from.as_ptr(), fd, to.as_ptr()) };
            check(rc)
        }

        /// Removes the name `name` (a link itself, never what it points to).
        pub(crate) fn remove(&self, name: &str) -> io::Result<()> {
            let c = cstr(name)?;
            // SAFETY: a valid descriptor and C string for the call.
            let rc = unsafe { libc::unlinkat(self.fd.as_raw_fd(), c.as_ptr(), 0) };
            check(rc)
        }

        /// Opens the folder `name` in this folder (never through a link).
        pub(crate) fn open_dir(&self, name: &str) -> io::Result<Dir> {
            let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NONBLOCK;
            Ok(Dir {
                fd: self.openat(name, flags, 0)?.into(),
            })
        }

        /// Creates the folder `name` in this folder and opens it.
        pub(crate) fn create_dir(&self, name: &str) -> io::Result<Dir> {
            let c = cstr(name)?;
            // SAFETY: a valid descriptor and C string for the call.
            check(unsafe { libc::mkdirat(self.fd.as_raw_fd(), c.as_ptr(), 0o777) })?;
            self.open_dir(name)
        }

        /// A second name `to` in the folder `dest` for the entry `name`
        /// (a link is linked itself, never what it points to).
        pub(crate) fn link_into(&self, name: &str, dest: &Dir, to: &str) -> io::Result<()> {
            let (from, to) = (cstr(name)?, cstr(to)?);
            // SAFETY: valid descriptors and C strings for the call; flags 0
            // means a link is not followed.
            let rc = unsafe {
                libc::linkat(
                    self.fd.as_raw_fd(),
                    from.as_ptr(),
                    dest.fd.as_raw_fd(),
                    to.as_ptr(),
                    0,
                )
            };
            check(rc)
        }

        /// Renames the entry `name` to `to` in the folder `dest` (one step
        /// when both are on one file system).
        pub(crate) fn move_into(&self, name: &str, dest: &Dir, to: &str) -> io::Result<()> {
            let (from, to) = (cstr(name)?, cstr(to)?);
            // SAFETY: valid descriptors and C strings for the call.
            let rc = unsafe {
                libc::renameat(
                    self.fd.as_raw_fd(),
                    from.as_ptr(),
                    dest.fd.as_raw_fd(),
                    to.as_ptr(),
                )
            };
            check(rc)
        }

        /// Where the link `name` points (the link is read, not followed).
        pub(crate) fn read_link(&self, name: &str) -> io::Result<std::path::PathBuf> {
            use std::os::unix::ffi::OsStrExt;
            let c = cstr(name)?;
            let mut buf = vec![0u8; libc::PATH_MAX as usize];
            // SAFETY: `buf` is writable for its length; readlinkat writes
            // at most that many bytes and returns how many.
            let n = unsafe {
                libc::readlinkat(
                    self.fd.as_raw_fd(),
                    c.as_ptr(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                )
            };
            let n = usize::try_from(n).map_err(|_| io::Error::last_os_error())?;
            buf.truncate(n);
            Ok(std::ffi::OsStr::from_bytes(&buf).into())
        }

        /// The id of the file system holding this folder.
        pub(crate) fn device(&self) -> io::Result<u64> {
            // SAFETY: `st` is plain data that fstat fills.
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            check(unsafe { libc::fstat(self.fd.as_raw_fd(), &mut st) })?;
            #[allow(clippy::useless_conversion)]
            Ok(u64::from(st.st_dev))
        }

        /// Syncs the folder, so renames in it survive a power cut.
        pub(crate) fn sync(&self) -> io::Result<()> {
            // SAFETY: a valid descriptor.
            check(unsafe { libc::fsync(self.fd.as_raw_fd()) })
        }

        /// Removes the empty folder `name` (a link is not followed).
        pub(crate) fn remove_dir(&self, name: &str) -> io::Result<()> {
            let c = cstr(name)?;
            // SAFETY: a valid descriptor and C string for the call.
            let rc = unsafe { libc::unlinkat(self.fd.as_raw_fd(), c.as_ptr(), libc::AT_REMOVEDIR) };
            check(rc)
        }

        /// Every name in the folder with what it is.
        pub(crate) fn list(&self) -> io::Result<Vec<(String, Kind)>> {
            // A new open of the same folder, so the listing's position is
            // its own.
            let own = self.openat(".", libc::O_RDONLY | libc::O_DIRECTORY, 0)?;
            let fd: OwnedFd = own.into();
            let raw = std::os::fd::IntoRawFd::into_raw_fd(fd);
            // SAFETY: fdopendir takes ownership of `raw` (closed by
            // closedir below); on failure we close it ourselves.
            let dirp = unsafe { libc::fdopendir(raw) };
            if dirp.is_null() {
                let e = io::Error::last_os_error();
                // SAFETY: `raw` is still ours when fdopendir failed.
                unsafe { libc::close(raw) };
                return Err(e);
            }
            let mut names = Vec::new();
            loop {
                // SAFETY: `dirp` is open; the entry is valid until the next
                // readdir, and its name is copied out before that.
                let entry = unsafe { libc::readdir(dirp) };
                if entry.is_null() {
                    break;
                }
                let name = unsafe { CStr::from_ptr((*entry).d_name.as_ptr()) };
                if let Ok(name) = name.to_str() {
                    if name != "." && name != ".." {
                        names.push(name.to_string());
                    }
                }
            }
            // SAFETY: `dirp` came from fdopendir and is closed once.
            unsafe { libc::closedir(dirp) };
            Ok(names
                .into_iter()
                .map(|n| {
                    let k = self.kind(&n);
                    (n, k)
                })
                .collect())
        }

        fn openat(&self, name: &str, flags: libc::c_int, mode: libc::c_uint) -> io::Result<File> {
            let c = cstr(name)?;
            let flags = flags | libc::O_NOFOLLOW | libc::O_CLOEXEC;
            // SAFETY: a valid descriptor and C string; the returned
            // descriptor is owned by the File.
            let fd = unsafe { libc::openat(self.fd.as_raw_fd(), c.as_ptr(), flags, mode) };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(unsafe { File::from_raw_fd(fd) })
        }
    }

    fn cstr(name: &str) -> io::Result<CString> {
        if name.contains('/') {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        CString::new(name).map_err(|_| io::ErrorKind::InvalidInput.into())
    }

    fn check(rc: libc::c_int) -> io::Result<()> {
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
}

/// Elsewhere: the same checks by path, each just before its use (a link
/// swapped in between two steps is not caught as it is on Unix).
#[cfg(not(unix))]
mod portable {
    use std::fs::File;
    use std::io;
    use std::path::{Path, PathBuf};

    use super::{place_of, Kind, Place};

    /// A cache folder.
    #[derive(Debug)]
    pub(crate) struct Dir {
        path: PathBuf,
    }

    impl Dir {
        pub(crate) fn open(path: &Path) -> io::Result<Dir> {
            match place_of(path) {
                Place::Folder => Ok(Dir {
                    path: path.to_path_buf(),
                }),
                _ => Err(io::ErrorKind::InvalidInput.into()),
            }
        }

        pub(crate) fn create(path: &Path) -> io::Result<Dir> {
            let _ = std::fs::create_dir(path);
            Dir::open(path)
        }

        fn at(&self, name: &str) -> io::Result<PathBuf> {
            if place_of(&self.path) != Place::Folder || name.contains(['/', '\\']) {
                return Err(io::ErrorKind::InvalidInput.into());
            }
            Ok(self.path.join(name))
        }

        pub(crate) fn open_file(&self, name: &str) -> io::Result<Option<File>> {
            if self.kind(name) != Kind::File {
                return Ok(None);
            }
            let file = File::open(self.at(name)?)?;
            Ok(file.metadata()?.file_type().is_file().then_some(file))
        }

        pub(crate) fn create_new(&self, name: &str) -> io::Result<File> {
            File::options()
                .write(true)
                .create_new(true)
                .open(self.at(name)?)
        }

        pub(crate) fn create_new_shared(&self, name: &str) -> io::Result<File> {
            self.create_new(name)
        }

        pub(crate) fn kind(&self, name: &str) -> Kind {
            match self.at(name).map(|p| std::fs::symlink_metadata(p)) {
                Ok(Ok(m)) if m.file_type().is_file() => Kind::File,
                Ok(Err(e)) if e.kind() == io::ErrorKind::NotFound => Kind::Absent,
                _ => Kind::Other,
            }
        }

        pub(crate) fn rename(&self, from: &str, to: &str) -> io::Result<()> {
            std::fs::rename(self.at(from)?, self.at(to)?)
        }

        pub(crate) fn remove(&self, name: &str) -> io::Result<()> {
            std::fs::remove_file(self.at(name)?)
        }

        pub(crate) fn remove_dir(&self, name: &str) -> io::Result<()> {
            std::fs::remove_dir(self.at(name)?)
        }

        pub(crate) fn open_dir(&self, name: &str) -> io::Result<Dir> {
            Dir::open(&self.at(name)?)
        }

        pub(crate) fn create_dir(&self, name: &str) -> io::Result<Dir> {
            std::fs::create_dir(self.at(name)?)?;
            self.open_dir(name)
        }

        pub(crate) fn link_into(&self, name: &str, dest: &Dir, to: &str) -> io::Result<()> {
            std::fs::hard_link(self.at(name)?, dest.at(to)?)
        }

        pub(crate) fn move_into(&self, name: &str, dest: &Dir, to: &str) -> io::Result<()> {
            std::fs::rename(self.at(name)?, dest.at(to)?)
        }

        pub(crate) fn read_link(&self, name: &str) -> io::Result<PathBuf> {
            std::fs::read_link(self.at(name)?)
        }

        /// Without a portable device id, every folder counts as one file
        /// system (a failed rename still falls back).
        pub(crate) fn device(&self) -> io::Result<u64> {
            Ok(0)
        }

        pub(crate) fn sync(&self) -> io::Result<()> {
            Ok(())
        }

        pub(crate) fn list(&self) -> io::Result<Vec<(String, Kind)>> {
            let mut names = Vec::new();
            for e in std::fs::read_dir(self.at(".")?)? {
                let e = e?;
                let name = e.file_name().to_string_lossy().into_owned();
                let kind = match e.file_type() {
                    Ok(t) if t.is_file() => Kind::File,
                    _ => Kind::Other,
                };
                names.push((name, kind));
            }
            Ok(names)
        }
    }
}

/// Reads exactly `len` bytes from `file` (never more, however large the
/// file claims or turns out to be).
pub(crate) fn read_exact_vec(file: &mut File, len: usize) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(len)
        .map_err(|_| io::ErrorKind::OutOfMemory)?;
    file.by_ref().take(len as u64).read_to_end(&mut bytes)?;
    if bytes.len() != len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(bytes)
}
