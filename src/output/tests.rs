use super::swap::unmovable;
use super::*;

/// The test hooks read the environment, which tests share: a test that
/// sets one holds this lock.
static ENV: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn env_lock() -> std::sync::MutexGuard<'static, ()> {
    ENV.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn set(a: &str, b: &str) -> Vec<(String, Vec<u8>)> {
    vec![
        ("a.pdf".into(), a.as_bytes().to_vec()),
        ("b.docx".into(), b.as_bytes().to_vec()),
    ]
}

#[test]
fn writes_and_replaces_the_set() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_all(&out, &set("one", "uno")).unwrap();
    let written = write_all(&out, &set("two", "dos")).unwrap();
    assert_eq!(fs::read(&written[0]).unwrap(), b"two");
    assert_eq!(fs::read(&written[1]).unwrap(), b"dos");
    assert_eq!(names(&out), ["a.pdf", "b.docx"]);
    assert_eq!(names(root.path()), ["out"], "no staging folder left");
}

#[test]
fn a_failure_at_any_step_leaves_the_old_set() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_all(&out, &set("one", "uno")).unwrap();
    let _env = env_lock();
    std::env::set_var("BOARDPACK_TEST_FAIL_AT", "wrote:fail-here.bin");
    let mut files = set("two", "dos");
    files.push(("fail-here.bin".into(), b"x".to_vec()));
    let err = write_all(&out, &files).unwrap_err();
    std::env::remove_var("BOARDPACK_TEST_FAIL_AT");
    assert_eq!(err.kind(), ErrorKind::Io);
    assert_eq!(fs::read(out.join("a.pdf")).unwrap(), b"one");
    assert_eq!(names(&out), ["a.pdf", "b.docx"]);
    assert_eq!(names(root.path()), ["out"]);
}

#[test]
fn user_files_are_carried_over_and_old_temporaries_dropped() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_all(&out, &set("one", "uno")).unwrap();
    fs::write(out.join("README.txt"), "mine").unwrap();
    fs::write(out.join(".tmpAbC123"), "half").unwrap();
    write_all(&out, &set("two", "dos")).unwrap();
    assert_eq!(names(&out), ["README.txt", "a.pdf", "b.docx"]);
    assert_eq!(fs::read_to_string(out.join("README.txt")).unwrap(), "mine");
}

#[test]
fn a_folder_inside_the_output_folder_is_refused() {
    let root = tempfile::tempdir().unwrap();
    fs::create_dir_all(root.path().join("data")).unwrap();
    fs::write(root.path().join("data/x.csv"), "a\n1\n").unwrap();
    let err = write_all(root.path(), &set("one", "uno")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(err.message().contains("`data`"), "{}", err.message());
    assert!(!root.path().join("a.pdf").exists());
    assert_eq!(names(root.path()), ["data"]);
}

#[test]
fn the_next_build_restores_a_set_moved_aside_and_removes_leftovers() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_all(&out, &set("one", "uno")).unwrap();
    // What a build killed between the fallback's two renames leaves: the
    // old set aside, a complete staging folder, no output folder. Process
    // ids above the kernel's maximum are never running.
    let old = root.path().join(".out.boardpack-old-4294967295");
    let new = root.path().join(".out.boardpack-new-4294967295");
    fs::rename(&out, &old).unwrap();
    fs::create_dir(&new).unwrap();
    fs::write(new.join("a.pdf"), "two").unwrap();
    assert!(recover(root.path(), "out").unwrap());
    assert_eq!(fs::read(out.join("a.pdf")).unwrap(), b"one");
    assert_eq!(names(root.path()), ["out"]);
}

#[test]
fn a_running_builds_staging_folder_is_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let mine = root
        .path()
        .join(format!(".out.boardpack-new-{}", std::process::id()));
    fs::create_dir(&mine).unwrap();
    assert!(!recover(root.path(), "out").unwrap());
    assert!(mine.exists());
}

#[test]
fn write_file_replaces_one_file() {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join("report.toml");
    fs::write(&path, "old").unwrap();
    fs::write(
        root.path().join(".report.toml.boardpack-new-4294967295"),
        "x",
    )
    .unwrap();
    write_file(&path, b"new").unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"new");
    assert_eq!(names(root.path()), ["report.toml"]);
}

#[test]
fn the_build_cache_moves_with_the_set_and_survives_a_failed_write() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_all(&out, &set("one", "uno")).unwrap();
    let cache = out.join(crate::cache::DIR_NAME);
    fs::create_dir(&cache).unwrap();
    fs::write(cache.join("pdf-abc"), "entry").unwrap();
    write_all(&out, &set("two", "dos")).unwrap();
    assert_eq!(names(&out), [".boardpack-cache", "a.pdf", "b.docx"]);
    assert_eq!(fs::read_to_string(cache.join("pdf-abc")).unwrap(), "entry");
    // A failed write keeps the old set and puts the cache back.
    let env = env_lock();
    std::env::set_var("BOARDPACK_TEST_FAIL_AT", "wrote:fail-cache.bin");
    let mut files = set("three", "tres");
    files.push(("fail-cache.bin".into(), b"x".to_vec()));
    assert!(write_all(&out, &files).is_err());
    std::env::remove_var("BOARDPACK_TEST_FAIL_AT");
    drop(env);
    assert_eq!(fs::read(out.join("a.pdf")).unwrap(), b"two");
    assert_eq!(fs::read_to_string(cache.join("pdf-abc")).unwrap(), "entry");
    // Any other folder is still refused.
    fs::create_dir(out.join("notes")).unwrap();
    assert!(write_all(&out, &set("four", "cuatro")).is_err());
}

#[cfg(unix)]
fn fifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid C string for the call.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[cfg(unix)]
#[test]
fn a_link_in_place_of_the_output_folder_is_refused_and_not_followed() {
    let root = tempfile::tempdir().unwrap();
    let elsewhere = root.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    fs::write(elsewhere.join("a.pdf"), "precious").unwrap();
    fs::write(elsewhere.join("notes.txt"), "mine").unwrap();
    let out = root.path().join("out");
    std::os::unix::fs::symlink(&elsewhere, &out).unwrap();
    let err = write_all(&out, &set("one", "uno")).unwrap_err();
    assert!(
        err.message().contains("it is a link to `"),
        "{}",
        err.message()
    );
    assert!(
        err.message().contains("elsewhere`, not a folder"),
        "{}",
        err.message()
    );
    assert!(fs::symlink_metadata(&out).unwrap().file_type().is_symlink());
    assert_eq!(names(&elsewhere), ["a.pdf", "notes.txt"]);
    assert_eq!(fs::read(elsewhere.join("a.pdf")).unwrap(), b"precious");
    assert_eq!(names(root.path()), ["elsewhere", "out"]);
}

#[cfg(unix)]
#[test]
fn a_pipe_in_place_of_the_output_folder_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    fifo(&out);
    let err = write_all(&out, &set("one", "uno")).unwrap_err();
    assert!(
        err.message().contains("it is a named pipe, not a folder"),
        "{}",
        err.message()
    );
    assert_eq!(names(root.path()), ["out"]);
}

#[test]
fn a_folder_named_like_an_output_is_refused_not_deleted() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_all(&out, &set("one", "uno")).unwrap();
    fs::remove_file(out.join("a.pdf")).unwrap();
    fs::create_dir(out.join("a.pdf")).unwrap();
    fs::write(out.join("a.pdf/work.txt"), "mine").unwrap();
    let err = write_all(&out, &set("two", "dos")).unwrap_err();
    assert!(
        err.message()
            .contains("a.pdf` is a folder, where the build writes a file"),
        "{}",
        err.message()
    );
    assert_eq!(fs::read(out.join("a.pdf/work.txt")).unwrap(), b"mine");
    assert_eq!(fs::read(out.join("b.docx")).unwrap(), b"uno");
    assert_eq!(names(root.path()), ["out"]);
}

#[cfg(unix)]
#[test]
fn links_and_pipes_among_the_outputs_are_refused_all_at_once_without_waiting() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_all(&out, &set("one", "uno")).unwrap();
    let secret = root.path().join("secret.txt");
    fs::write(&secret, "keep").unwrap();
    fs::remove_file(out.join("a.pdf")).unwrap();
    std::os::unix::fs::symlink(&secret, out.join("a.pdf")).unwrap();
    fs::remove_file(out.join("b.docx")).unwrap();
    fifo(&out.join("b.docx"));
    fifo(&out.join("queue"));
    // A pipe opened for reading would block this test forever.
    let err = write_all(&out, &set("two", "dos")).unwrap_err();
    assert_eq!(err.count(), 3, "{}", err.render());
    let all: Vec<&str> = err.all().map(|e| e.message()).collect();
    assert!(all[0].contains("a.pdf` is a link to `"), "{all:?}");
    assert!(all[1].contains("b.docx` is a named pipe, where"), "{all:?}");
    assert!(
        all[2].contains("holds `queue`, a named pipe boardpack did not write"),
        "{all:?}"
    );
    assert_eq!(fs::read(&secret).unwrap(), b"keep");
    assert!(fs::symlink_metadata(out.join("a.pdf"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[cfg(unix)]
#[test]
fn a_users_link_is_carried_over_as_a_link_never_followed() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_all(&out, &set("one", "uno")).unwrap();
    std::os::unix::fs::symlink("../missing/target", out.join("latest")).unwrap();
    write_all(&out, &set("two", "dos")).unwrap();
    assert_eq!(
        fs::read_link(out.join("latest")).unwrap(),
        Path::new("../missing/target")
    );
}

/// The inode of a path: the same folder, not one renamed into its place.
#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    fs::symlink_metadata(path).unwrap().ino()
}

#[cfg(unix)]
#[test]
fn in_place_the_files_are_replaced_inside_the_same_folder() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_all(&out, &set("one", "uno")).unwrap();
    fs::write(out.join("README.txt"), "mine").unwrap();
    fs::write(out.join("old.private.json"), "secret").unwrap();
    let before = inode(&out);
    let dir = Dir::open(&out).unwrap();
    in_place::write(&dir, &out, &set("two", "dos"), &["old.private.json"]).unwrap();
    assert_eq!(inode(&out), before);
    assert_eq!(names(&out), ["README.txt", "a.pdf", "b.docx"]);
    assert_eq!(fs::read(out.join("a.pdf")).unwrap(), b"two");
    assert_eq!(fs::read(out.join("b.docx")).unwrap(), b"dos");
    // Readable as any file the user writes there (not a cache entry's 0600).
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode();
    assert_eq!(mode(&out.join("a.pdf")), mode(&out.join("README.txt")));
}

#[cfg(unix)]
#[test]
fn in_place_a_failure_before_the_marker_leaves_the_old_set() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_all(&out, &set("one", "uno")).unwrap();
    let dir = Dir::open(&out).unwrap();
    let mut files = set("two", "dos");
    files.push(("fail-in-place.bin".into(), b"x".to_vec()));
    let env = env_lock();
    std::env::set_var("BOARDPACK_TEST_FAIL_AT", "wrote:fail-in-place.bin");
    let err = in_place::write(&dir, &out, &files, &[]).unwrap_err();
    std::env::remove_var("BOARDPACK_TEST_FAIL_AT");
    drop(env);
    assert!(
        err.message().contains("failing at step"),
        "{}",
        err.message()
    );
    assert_eq!(names(&out), ["a.pdf", "b.docx"]);
    assert_eq!(fs::read(out.join("a.pdf")).unwrap(), b"one");
}

#[test]
fn a_killed_in_place_write_is_finished_if_marked_and_dropped_if_not() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_all(&out, &set("one", "uno")).unwrap();
    // Killed after the marker, one file already moved in: process ids
    // above the kernel's maximum are never running.
    let stage = out.join(".boardpack-new-4294967295");
    fs::create_dir(&stage).unwrap();
    fs::write(out.join("a.pdf"), "two").unwrap();
    fs::write(stage.join("b.docx"), "dos").unwrap();
    fs::write(stage.join(".boardpack-complete"), "").unwrap();
    assert!(recover(root.path(), "out").unwrap());
    assert_eq!(names(&out), ["a.pdf", "b.docx"]);
    assert_eq!(fs::read(out.join("b.docx")).unwrap(), b"dos");
    // Killed before the marker: the staged files are dropped; a link
    // planted among them goes itself, not what it points to.
    let stage = out.join(".boardpack-new-4294967294");
    fs::create_dir(&stage).unwrap();
    fs::write(stage.join("a.pdf"), "three").unwrap();
    let precious = root.path().join("precious.txt");
    fs::write(&precious, "keep").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&precious, stage.join("b.docx")).unwrap();
    assert!(!recover(root.path(), "out").unwrap());
    assert_eq!(fs::read(&precious).unwrap(), b"keep");
    assert_eq!(names(&out), ["a.pdf", "b.docx"]);
    assert_eq!(fs::read(out.join("a.pdf")).unwrap(), b"two");
}

#[cfg(unix)]
#[test]
fn a_folder_that_cannot_be_renamed_or_written_is_named() {
    use std::io::Error as IoError;
    assert!(unmovable(&IoError::from_raw_os_error(libc::EBUSY)));
    assert!(unmovable(&IoError::from_raw_os_error(libc::EXDEV)));
    assert!(!unmovable(&IoError::from_raw_os_error(libc::ENOSPC)));
    for code in [libc::EROFS, libc::EACCES] {
        let err = write_error(
            Path::new("reports/x/out"),
            "cannot replace",
            &IoError::from_raw_os_error(code),
        );
        assert!(
            err.message()
                .contains("the folder `reports/x/out` is read-only ("),
            "{}",
            err.message()
        );
        assert!(err.hint().unwrap().contains("chmod u+w reports/x/out"));
    }
    let err = write_error(
        Path::new("out"),
        "cannot replace",
        &IoError::from_raw_os_error(libc::ENOSPC),
    );
    assert!(!err.message().contains("read-only"), "{}", err.message());
}

/// A folder the user cannot write: refused by name, the old set kept. The
/// superuser writes anyway, so as root (as in CI containers) this checks
/// only that the build succeeds; the message itself is checked above.
#[cfg(unix)]
#[test]
fn a_read_only_output_folder_is_refused_by_name() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    write_all(&out, &set("one", "uno")).unwrap();
    fs::set_permissions(&out, fs::Permissions::from_mode(0o555)).unwrap();
    let result = write_all(&out, &set("two", "dos"));
    fs::set_permissions(&out, fs::Permissions::from_mode(0o755)).unwrap();
    // SAFETY: geteuid only reads the process's id.
    if unsafe { libc::geteuid() } == 0 {
        assert!(result.is_ok(), "root may write a 0555 folder");
        return;
    }
    let err = result.unwrap_err();
    assert!(
        err.message().contains("out` is read-only"),
        "{}",
        err.message()
    );
    assert_eq!(fs::read(out.join("a.pdf")).unwrap(), b"one");
    assert_eq!(names(root.path()), ["out"]);
}

#[test]
fn io_hints_follow_the_error_kind_not_its_text() {
    let long = std::io::Error::from_raw_os_error(libc::ENAMETOOLONG);
    assert!(super::io_hint(&long).contains("too long"), "{long}");
    let full = std::io::Error::from_raw_os_error(libc::ENOSPC);
    assert!(super::io_hint(&full).contains("disk is full"), "{full}");
    let denied = std::io::Error::from_raw_os_error(libc::EACCES);
    assert!(!super::io_hint(&denied).contains("disk"), "{denied}");
    // A real over-long name, as a batch value could make it.
    let dir = tempfile::tempdir().unwrap();
    let e = std::fs::File::create(dir.path().join("x".repeat(300))).unwrap_err();
    assert!(super::io_hint(&e).contains("too long"), "{e}");
}
