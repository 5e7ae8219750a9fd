use super::*;
use crate::error::display_path;

fn project() -> (tempfile::TempDir, tempfile::TempDir) {
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("data")).unwrap();
    std::fs::write(root.path().join("data/a.csv"), "x\n1\n").unwrap();
    std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
    (root, outside)
}

#[test]
fn reads_once_and_hashes_the_bytes_used() {
    let (root, _outside) = project();
    let inputs = Inputs::new(root.path());
    let a = inputs
        .read(&root.path().join("data/a.csv"), "data")
        .unwrap();
    std::fs::write(root.path().join("data/a.csv"), "changed").unwrap();
    let b = inputs
        .read(&root.path().join("data/../data/a.csv"), "again")
        .unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(&*b.bytes, b"x\n1\n");
    assert_eq!(b.blake3, blake3::hash(b"x\n1\n").to_hex().to_string());
    assert_eq!(inputs.files().len(), 1);
}

#[test]
fn large_and_empty_files_read_and_hash_as_plain_reads_do() {
    let dir = tempfile::tempdir().unwrap();
    // Over the parallel-hash threshold, and not a multiple of a chunk.
    let big: Vec<u8> = (0..3_000_017u32).map(|i| (i % 251) as u8).collect();
    for content in [&big[..], b"", b"a,b\n1,2\n"] {
        let path = dir.path().join("f.csv");
        std::fs::write(&path, content).unwrap();
        let (bytes, hash) = read_and_hash(&path).unwrap();
        assert_eq!(&*bytes, content);
        assert_eq!(hash, blake3::hash(content).to_hex().to_string());
    }
}

#[test]
fn data_files_keep_their_hash_not_their_bytes_and_never_change_underneath() {
    let (root, _outside) = project();
    let inputs = Inputs::new(root.path());
    let path = root.path().join("data/a.csv");
    let a = inputs.read_data(&path, "source a").unwrap();
    assert_eq!(&*a.bytes, b"x\n1\n");
    assert!(a.held);
    let kept = inputs.files();
    assert_eq!(kept.len(), 1);
    assert!(kept[0].bytes.is_empty() && !kept[0].held);
    assert_eq!(kept[0].blake3, a.blake3);
    // Read again: the same bytes, from the file.
    let b = inputs.read(&path, "again").unwrap();
    assert_eq!(&*b.bytes, b"x\n1\n");
    assert_eq!(b.blake3, a.blake3);
    // Changed in between: refused, never a second version of the file.
    std::fs::write(&path, "x\n2\n").unwrap();
    let e = inputs.read_data(&path, "again").unwrap_err();
    assert!(
        matches!(&e, Refusal::Unreadable(why) if why.contains("changed")),
        "{e:?}"
    );
}

#[test]
fn hash_of_checks_like_a_read_and_records_nothing() {
    let (root, outside) = project();
    let inputs = Inputs::new(root.path());
    let a = root.path().join("data/a.csv");
    assert_eq!(
        inputs.hash_of(&a),
        Ok(blake3::hash(b"x\n1\n").to_hex().to_string())
    );
    let secret = outside.path().join("secret.txt");
    assert_eq!(inputs.hash_of(&secret), Err(Refusal::Absolute));
    let up = root.path().join("data/../../x.csv");
    assert!(inputs.hash_of(&up).is_err());
    #[cfg(unix)]
    {
        let link = root.path().join("data/link.txt");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        assert_eq!(inputs.hash_of(&link), Err(Refusal::LinkOut));
    }
    let missing = root.path().join("data/nope.csv");
    assert_eq!(inputs.hash_of(&missing), Err(Refusal::Missing));
    assert!(inputs.files().is_empty(), "hash_of records no input");
}

#[test]
fn absolute_dotdot_and_links_out_are_refused_distinctly() {
    let (root, outside) = project();
    let inputs = Inputs::new(root.path());
    let dir = root.path().join("data");
    let secret = outside.path().join("secret.txt");
    let abs = secret.to_string_lossy().into_owned();
    assert_eq!(inputs.locate(&dir, &abs), Err(Refusal::Absolute));
    // With a relative root (the usual case) too.
    let relative = Inputs::new(Path::new(""));
    assert_eq!(relative.locate(Path::new(""), &abs), Err(Refusal::Absolute));
    assert_eq!(inputs.locate(&dir, "../../x.csv"), Err(Refusal::LeavesRoot));
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&secret, dir.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.join("out")).unwrap();
        assert_eq!(inputs.locate(&dir, "link.txt"), Err(Refusal::LinkOut));
        assert_eq!(inputs.locate(&dir, "out/secret.txt"), Err(Refusal::LinkOut));
        let read = inputs.read(&dir.join("link.txt"), "layout file");
        assert_eq!(read.unwrap_err(), Refusal::LinkOut);
        // A link that stays inside is fine.
        std::os::unix::fs::symlink(dir.join("a.csv"), dir.join("b.csv")).unwrap();
        assert!(inputs.read(&dir.join("b.csv"), "data").is_ok());
    }
    assert!(inputs.files().iter().all(|f| &*f.bytes != b"secret"));
    assert_eq!(inputs.locate(&dir, "nope.csv"), Ok(dir.join("nope.csv")));
    let missing = inputs.read(&dir.join("nope.csv"), "data");
    assert_eq!(missing.unwrap_err(), Refusal::Missing);
}

#[test]
fn messages_say_what_the_path_is() {
    let root = Path::new("project");
    let (m, hint) = Refusal::Absolute.explain("/etc/passwd", root);
    assert_eq!(m, "`/etc/passwd` is an absolute path outside the project");
    assert!(hint.contains("declare the folder in the spec"), "{hint}");
    let (m, _) = Refusal::LeavesRoot.explain("../x.csv", root);
    assert!(m.contains("`..` goes above the project root"), "{m}");
    let (m, hint) = Refusal::LinkOut.explain("data/x.csv", root);
    assert!(
        m.contains("through a symbolic link to a file outside"),
        "{m}"
    );
    assert!(hint.contains("copy the file into the project"), "{hint}");
}

#[test]
fn data_dirs_are_further_roots_named_without_their_path() {
    let (root, outside) = project();
    std::fs::write(outside.path().join("v.csv"), "x\n1\n").unwrap();
    let dirs = vec![DataDir::new("extracts", outside.path())];
    let inputs = Inputs::with_data_dirs(root.path(), dirs);
    let p = inputs.locate(root.path(), "@extracts/v.csv").unwrap();
    assert_eq!(&*inputs.read(&p, "data").unwrap().bytes, b"x\n1\n");
    assert_eq!(inputs.name_of(&p), "@extracts/v.csv");
    assert_eq!(inputs.path_of("@extracts/v.csv"), p);
    assert_eq!(inputs.path_of("data/a.csv"), root.path().join("data/a.csv"));
    let abs = outside.path().join("v.csv");
    let written = abs.to_string_lossy().into_owned();
    assert_eq!(inputs.locate(root.path(), &written), Ok(abs.clone()));
    assert_eq!(inputs.name_of(&abs), "@extracts/v.csv", "never absolute");
    assert_eq!(
        inputs.locate(root.path(), "@extracts/../x.csv"),
        Err(Refusal::LeavesRoot)
    );
    assert_eq!(
        inputs.locate(root.path(), "@other/v.csv"),
        Err(Refusal::UnknownDataDir("other".into()))
    );
    // Without the declaration the same file is refused.
    let plain = Inputs::new(root.path());
    assert_eq!(plain.locate(root.path(), &written), Err(Refusal::Absolute));
    let (_, hint) = Refusal::Absolute.explain(&written, root.path());
    let folder = display_path(outside.path());
    assert!(
        hint.contains(&format!(
            "`[report.data_dirs]` then `extracts = \"{folder}\"`"
        )),
        "{hint}"
    );
    assert!(hint.contains("`path = \"@extracts/v.csv\"`"), "{hint}");
}

#[test]
fn within_rejects_escapes() {
    assert!(within(Path::new("../../data/v.csv"), Path::new("../..")));
    assert!(!within(Path::new("../../../v.csv"), Path::new("../..")));
    assert!(!within(Path::new("../v.csv"), Path::new("")));
    assert!(within(Path::new("data/v.csv"), Path::new("")));
}
