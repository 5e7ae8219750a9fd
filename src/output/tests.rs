use super::*;

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
    // Hooks read the environment, which tests share: use a step name only
    // this test writes.
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
    std::env::set_var("BOARDPACK_TEST_FAIL_AT", "wrote:fail-cache.bin");
    let mut files = set("three", "tres");
    files.push(("fail-cache.bin".into(), b"x".to_vec()));
    assert!(write_all(&out, &files).is_err());
    std::env::remove_var("BOARDPACK_TEST_FAIL_AT");
    assert_eq!(fs::read(out.join("a.pdf")).unwrap(), b"two");
    assert_eq!(fs::read_to_string(cache.join("pdf-abc")).unwrap(), "entry");
    // Any other folder is still refused.
    fs::create_dir(out.join("notes")).unwrap();
    assert!(write_all(&out, &set("four", "cuatro")).is_err());
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
