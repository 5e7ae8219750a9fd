use super::*;

fn key(part: &str) -> Key {
    Key::builder("test").add("part", part.as_bytes()).finish()
}

/// A cache whose one entry for `key("a")` holds `payload`; its file.
fn filled(out: &Path, payload: &[u8]) -> (Cache, PathBuf) {
    let cache = for_tests(out);
    cache.put(&key("a"), payload.to_vec());
    cache.flush();
    let file = out.join(DIR_NAME).join(key("a").file_name());
    (for_tests(out), file)
}

#[test]
fn keys_depend_on_every_part_and_its_boundaries() {
    assert_eq!(key("a"), key("a"));
    assert_ne!(key("a"), key("b"));
    let ab = Key::builder("t").add("x", b"ab").add("y", b"").finish();
    let a_b = Key::builder("t").add("x", b"a").add("y", b"b").finish();
    assert_ne!(ab, a_b);
}

#[test]
fn an_entry_round_trips_and_a_damaged_one_is_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let cache = for_tests(dir.path());
    let k = key("a");
    assert_eq!(cache.get(&k), None);
    cache.put(&k, b"payload".to_vec());
    assert_eq!(cache.get(&k), None, "nothing is written before the flush");
    cache.flush();
    assert_eq!(cache.get(&k).as_deref(), Some(&b"payload"[..]));
    let file = dir.path().join(DIR_NAME).join(k.file_name());
    let good = std::fs::read(&file).unwrap();
    // Truncated, one byte flipped, one byte more, empty, or not ours.
    let mut flipped = good.clone();
    *flipped.last_mut().unwrap() ^= 1;
    let longer = [&good[..], b"x"].concat();
    for bad in [
        &good[..good.len() - 1],
        &flipped[..],
        &longer[..],
        &[][..],
        &b"BPCACHE2 nonsense"[..],
    ] {
        std::fs::write(&file, bad).unwrap();
        assert_eq!(cache.get(&k), None);
        assert!(!file.exists(), "a bad entry is removed");
    }
}

#[test]
fn an_edited_entry_with_its_length_and_checksums_redone_is_a_miss() {
    // The attack of issue 22: change the payload, then recompute every
    // length and plain checksum in the file. Without the key the tags
    // cannot be redone, whatever else is.
    let dir = tempfile::tempdir().unwrap();
    let (cache, file) = filled(dir.path(), b"figure: 100");
    let good = std::fs::read(&file).unwrap();
    let forged_payload = b"figure: 999";
    let mut forged = good[..HEADER].to_vec();
    forged[48..80].copy_from_slice(blake3::hash(forged_payload).as_bytes());
    forged[80..112].copy_from_slice(blake3::hash(forged_payload).as_bytes());
    forged.extend_from_slice(forged_payload);
    std::fs::write(&file, &forged).unwrap();
    assert_eq!(cache.get(&key("a")), None);
    // Signed with another key (another user, another machine): a miss too.
    let other = Cache::open(dir.path().join(DIR_NAME), || Ok([8; secret::LEN]));
    other.put(&key("a"), forged_payload.to_vec());
    other.flush();
    assert_eq!(for_tests(dir.path()).get(&key("a")), None);
}

#[test]
fn an_entry_is_only_good_for_the_key_it_was_made_for() {
    let dir = tempfile::tempdir().unwrap();
    let (cache, file) = filled(dir.path(), b"frame of input a");
    // A genuine entry copied to another key's name (an input with other
    // bytes): a miss.
    let other = dir.path().join(DIR_NAME).join(key("b").file_name());
    std::fs::copy(&file, &other).unwrap();
    assert_eq!(cache.get(&key("b")), None);
    assert_eq!(
        cache.get(&key("a")).as_deref(),
        Some(&b"frame of input a"[..])
    );
}

#[test]
fn disabled_cache_never_hits_or_writes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path(), false);
    cache.put(&key("a"), b"x".to_vec());
    cache.flush();
    assert_eq!(cache.get(&key("a")), None);
    assert!(!dir.path().join(DIR_NAME).exists());
    assert_eq!(cache.notice(), None);
}

#[test]
fn prune_keeps_only_what_this_build_used_and_what_is_not_ours() {
    let dir = tempfile::tempdir().unwrap();
    let first = for_tests(dir.path());
    first.put(&key("old"), b"x".to_vec());
    first.flush();
    let folder = dir.path().join(DIR_NAME);
    std::fs::write(folder.join("notes.txt"), "mine").unwrap();
    std::fs::create_dir(folder.join(key("dir").file_name())).unwrap();
    let cache = for_tests(dir.path());
    cache.put(&key("new"), b"y".to_vec());
    cache.flush();
    let again = for_tests(dir.path());
    assert_eq!(again.get(&key("old")), None);
    assert_eq!(again.get(&key("new")).as_deref(), Some(&b"y"[..]));
    assert_eq!(std::fs::read(folder.join("notes.txt")).unwrap(), b"mine");
    assert!(folder.join(key("dir").file_name()).is_dir());
}

#[test]
fn entry_names_are_recognised_exactly() {
    let hex = "0123456789abcdef".repeat(4);
    assert!(is_entry_name(&format!("csv-{hex}")));
    assert!(is_entry_name(&format!(".{hex}.tmp-42")));
    for not in [
        "notes.txt".to_string(),
        format!("csv-{}", &hex[1..]),
        format!("Csv-{hex}"),
        format!(".{hex}.tmp-"),
        format!("-{hex}"),
    ] {
        assert!(!is_entry_name(&not), "{not}");
    }
}

#[test]
fn records_read_back_in_order_and_refuse_short_input() {
    let mut r = Record::new();
    r.field(b"one").field(b"").field("drei".as_bytes());
    let bytes = r.into_bytes();
    let mut f = Fields::new(&bytes);
    assert_eq!(f.bytes(), Some(&b"one"[..]));
    assert_eq!(f.bytes(), Some(&b""[..]));
    assert_eq!(f.text(), Some("drei"));
    assert!(f.is_done());
    let mut short = Fields::new(&bytes[..bytes.len() - 1]);
    short.bytes();
    short.bytes();
    assert_eq!(short.bytes(), None);
}

#[cfg(unix)]
mod unix {
    use super::*;
    use std::os::unix::fs::symlink;

    /// Every file under `dir` with its bytes.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut all: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                let bytes = std::fs::read(&p).unwrap();
                (p, bytes)
            })
            .collect();
        all.sort();
        all
    }

    #[test]
    fn a_linked_cache_folder_is_not_used_and_its_target_is_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::create_dir(&victim).unwrap();
        // Files the old prune removed, entry-like names included.
        std::fs::write(victim.join("thesis.md"), "years of work").unwrap();
        std::fs::write(victim.join(key("a").file_name()), "not a cache entry").unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        symlink(&victim, out.join(DIR_NAME)).unwrap();
        let before = snapshot(&victim);
        let cache = for_tests(&out);
        assert!(!cache.enabled());
        assert!(cache.notice().unwrap().contains("is not a folder"));
        assert_eq!(cache.get(&key("a")), None);
        cache.put(&key("b"), b"x".to_vec());
        cache.flush();
        assert_eq!(snapshot(&victim), before);
    }

    #[test]
    fn a_folder_swapped_for_a_link_after_opening_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let victim = dir.path().join("victim");
        std::fs::create_dir_all(&victim).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        let (cache, _) = filled(&out, b"x");
        std::fs::write(victim.join(key("old").file_name()), "precious").unwrap();
        // The real folder moves away; a link to the victim takes its place.
        std::fs::rename(out.join(DIR_NAME), dir.path().join("moved")).unwrap();
        symlink(&victim, out.join(DIR_NAME)).unwrap();
        cache.put(&key("b"), b"y".to_vec());
        cache.flush();
        assert_eq!(
            std::fs::read(victim.join(key("old").file_name())).unwrap(),
            b"precious"
        );
        assert_eq!(std::fs::read_dir(&victim).unwrap().count(), 1);
        assert!(dir
            .path()
            .join("moved")
            .join(key("b").file_name())
            .is_file());
    }

    #[test]
    fn links_pipes_devices_and_folders_in_place_of_entries_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let (_, file) = filled(dir.path(), b"x");
        let genuine = std::fs::read(&file).unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, &genuine).unwrap();
        let fifo = std::ffi::CString::new(file.as_os_str().as_encoded_bytes()).unwrap();
        type Plant<'a> = Box<dyn Fn() + 'a>;
        let plants: Vec<(&str, Plant)> = vec![
            // A link to a genuine entry: still not followed.
            (
                "link to an entry",
                Box::new(|| symlink(&elsewhere, &file).unwrap()),
            ),
            (
                "link to a device",
                Box::new(|| symlink("/dev/zero", &file).unwrap()),
            ),
            ("folder", Box::new(|| std::fs::create_dir(&file).unwrap())),
            (
                "named pipe",
                // SAFETY: a valid C string; mkfifo only creates a name.
                Box::new(|| assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0)),
            ),
        ];
        for (what, plant) in plants {
            let _ = std::fs::remove_file(&file);
            plant();
            let cache = for_tests(dir.path());
            // Returns at once (a pipe is never waited on) with a miss.
            assert_eq!(cache.get(&key("a")), None, "{what}");
            cache.put(&key("a"), b"new".to_vec());
            cache.flush();
            let meta = std::fs::symlink_metadata(&file).unwrap();
            assert!(
                !meta.file_type().is_file(),
                "{what}: not ours, left in place"
            );
            let _ = std::fs::remove_dir(&file);
        }
        assert_eq!(std::fs::read(&elsewhere).unwrap(), genuine);
    }
}

#[cfg(unix)]
#[test]
fn a_link_in_place_of_the_output_folder_turns_the_cache_off() {
    let root = tempfile::tempdir().unwrap();
    let elsewhere = root.path().join("elsewhere");
    std::fs::create_dir_all(elsewhere.join(DIR_NAME)).unwrap();
    let out = root.path().join("out");
    std::os::unix::fs::symlink(&elsewhere, &out).unwrap();
    let cache = Cache::new(&out, true);
    assert!(!cache.enabled());
    assert!(cache.notice().unwrap().contains("is not a folder"));
}
