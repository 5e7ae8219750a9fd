//! Tests of the watch loop's bookkeeping: which events count as changes,
//! what stays watched after a failed build, and glob patterns.

use super::*;

fn event(kind: EventKind, path: &Path) -> notify::Result<notify::Event> {
    Ok(notify::Event::new(kind).add_path(path.to_path_buf()))
}

#[test]
fn only_changes_to_inputs_count() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("paper.md");
    std::fs::write(&input, "a").unwrap();
    let mut state = State::default();
    state.record(vec![(input.clone(), hash_file(&input))], true);
    let real = real_path(&input);
    let mut touched = BTreeSet::new();
    // The build's own read: ignored.
    let open = EventKind::Access(AccessKind::Open(AccessMode::Any));
    collect(event(open, &real), &state, &mut touched);
    // Another file in the folder (an output, an editor's swap file): ignored.
    let modify = EventKind::Modify(notify::event::ModifyKind::Any);
    collect(
        event(modify, &dir.path().join(".paper.md.swp")),
        &state,
        &mut touched,
    );
    assert!(touched.is_empty());
    collect(event(modify, &real), &state, &mut touched);
    assert_eq!(touched.len(), 1);
    // Saved without a change: no rebuild; with one: the file is named.
    assert!(state.really_changed(&touched).is_empty());
    std::fs::write(&input, "b").unwrap();
    assert_eq!(state.really_changed(&touched), std::slice::from_ref(&input));
}

#[test]
fn a_failed_build_keeps_watching_what_the_last_good_one_read() {
    let mut state = State::default();
    state.record(vec![(PathBuf::from("/nonexistent/a.md"), None)], true);
    state.record(vec![(PathBuf::from("/nonexistent/spec.toml"), None)], false);
    assert_eq!(state.hashes.len(), 2);
    state.record(vec![(PathBuf::from("/nonexistent/spec.toml"), None)], true);
    assert_eq!(state.hashes.len(), 1);
}

#[test]
fn a_failing_build_that_did_not_read_a_changed_file_does_not_loop() {
    let dir = tempfile::tempdir().unwrap();
    let (spec, paper) = (dir.path().join("report.toml"), dir.path().join("paper.md"));
    std::fs::write(&spec, "good").unwrap();
    std::fs::write(&paper, "a").unwrap();
    let mut state = State::default();
    let now = |p: &Path| (p.to_path_buf(), hash_file(p));
    state.record(vec![now(&spec), now(&paper)], true);
    // Both saved; the spec is broken, so the build never reads paper.md.
    std::fs::write(&spec, "broken").unwrap();
    std::fs::write(&paper, "b").unwrap();
    assert_eq!(state.stale().len(), 2);
    state.record(vec![now(&spec)], false);
    assert!(state.stale().is_empty(), "no rebuild until the next save");
    std::fs::write(&spec, "fixed").unwrap();
    assert_eq!(state.stale(), std::slice::from_ref(&spec));
}

#[test]
fn a_save_made_during_the_build_is_stale_once_armed() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("paper.md");
    std::fs::write(&input, "read by the build").unwrap();
    let read = hash_file(&input);
    // Saved after the build read it, before any watch was armed.
    std::fs::write(&input, "saved during the build").unwrap();
    let mut state = State::default();
    state.record(vec![(input.clone(), read)], true);
    assert_eq!(state.stale(), std::slice::from_ref(&input));
    // A spec that could not be read then appeared: stale too.
    let spec = dir.path().join("report.toml");
    let mut state = State::default();
    state.record(vec![(spec.clone(), None)], false);
    assert!(state.stale().is_empty());
    std::fs::write(&spec, "x").unwrap();
    assert_eq!(state.stale(), std::slice::from_ref(&spec));
}

#[test]
fn a_new_file_matching_a_glob_source_is_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("data/victims");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("part-0.csv"), "a").unwrap();
    let pattern = folder.join("*.csv");
    let mut state = State::default();
    state.record_patterns(
        vec![(pattern.clone(), vec![folder.join("part-0.csv")])],
        true,
    );
    assert!(state.stale().is_empty());
    let (watched, deep) = state.patterns.values().next().unwrap().watched_folder();
    assert_eq!((watched, deep), (real_path(&folder), false));
    // Not matching: no change. Matching: the pattern is named.
    std::fs::write(folder.join("notes.txt"), "x").unwrap();
    assert!(state.stale().is_empty());
    std::fs::write(folder.join("part-1.csv"), "b").unwrap();
    assert_eq!(state.stale(), std::slice::from_ref(&pattern));
    // An event for the new file reaches the pattern.
    let mut touched = BTreeSet::new();
    let create = EventKind::Create(notify::event::CreateKind::File);
    collect(
        event(create, &real_path(&folder.join("part-1.csv"))),
        &state,
        &mut touched,
    );
    assert_eq!(
        state.really_changed(&touched),
        std::slice::from_ref(&pattern)
    );
}

#[test]
fn a_pattern_over_folders_is_watched_deep_and_a_missing_folder_from_above() {
    let dir = tempfile::tempdir().unwrap();
    let root = real_path(dir.path());
    let deep = Matched::new(&dir.path().join("data/*/x.csv"), &[]);
    // `data` does not exist yet: its parent is watched, and its
    // creation changes the pattern's state.
    assert_eq!(deep.watched_folder(), (root.clone(), false));
    assert!(deep.may_change(&root.join("data")));
    assert!(!deep.may_change(&root.join("other")));
    std::fs::create_dir_all(dir.path().join("data/2024")).unwrap();
    assert!(deep.changed());
    assert_eq!(deep.watched_folder(), (root.join("data"), true));
}
