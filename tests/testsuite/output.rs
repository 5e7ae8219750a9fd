//! The output folder: nothing in it is followed, opened or deleted unless
//! it is a regular file the build wrote; a folder that cannot be renamed (a
//! mount point) has its files replaced in place, all-or-nothing once
//! finished; the private manifest is never among the files to publish.

use std::collections::BTreeMap;
use std::path::Path;

use crate::safety::{kill_at, leftovers, project, snapshot, BODY, NEW, OLD, OUT, SPEC};
use crate::support::{Project, EXAMPLE};

fn build(p: &Project, epoch: &str, env: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    let mut env = env.to_vec();
    env.push(("SOURCE_DATE_EPOCH", epoch));
    p.run_with(&["build", SPEC], &env).success();
    snapshot(p)
}

fn refused(p: &Project) -> String {
    p.run_with(&["build", SPEC], &[("SOURCE_DATE_EPOCH", NEW)])
        .failure(1)
}

#[cfg(unix)]
#[test]
fn output_folder_a_link_in_its_place_is_refused_and_not_followed() {
    let p = project(BODY);
    let old = build(&p, OLD, &[]);
    // The folder moved elsewhere and a link left in its place.
    std::fs::rename(p.path(OUT), p.path("elsewhere")).unwrap();
    std::os::unix::fs::symlink(p.path("elsewhere"), p.path(OUT)).unwrap();
    let err = refused(&p);
    assert!(
        err.contains("cannot write outputs to `reports/small/out`: it is a link to `"),
        "{err}"
    );
    assert!(err.contains("elsewhere`, not a folder"), "{err}");
    assert!(err.contains("remove the link"), "{err}");
    std::fs::remove_file(p.path(OUT)).unwrap();
    std::fs::rename(p.path("elsewhere"), p.path(OUT)).unwrap();
    assert!(snapshot(&p) == old, "nothing was written through the link");
    assert_eq!(leftovers(&p), Vec::<String>::new());
}

#[test]
fn output_folder_a_folder_named_like_an_output_is_refused_not_deleted() {
    let p = project(BODY);
    build(&p, OLD, &[]);
    let pdf = format!("{OUT}/small.pdf");
    std::fs::remove_file(p.path(&pdf)).unwrap();
    p.write(&format!("{pdf}/work.txt"), "a week of work");
    let before = std::fs::read(p.path(&format!("{OUT}/small.manifest.json"))).unwrap();
    let err = refused(&p);
    assert!(
        err.contains("`reports/small/out/small.pdf` is a folder, where the build writes a file"),
        "{err}"
    );
    assert!(
        err.contains("move the folder out of `reports/small/out`"),
        "{err}"
    );
    assert_eq!(p.read(&format!("{pdf}/work.txt")), "a week of work");
    let after = std::fs::read(p.path(&format!("{OUT}/small.manifest.json"))).unwrap();
    assert_eq!(before, after, "the refused build changed nothing");
}

#[cfg(unix)]
#[test]
fn output_folder_pipes_and_links_where_outputs_go_are_refused_without_waiting() {
    let p = project(BODY);
    let old = build(&p, OLD, &[]);
    let manifest = p.path(&format!("{OUT}/small.manifest.json"));
    std::fs::remove_file(&manifest).unwrap();
    mkfifo(&manifest);
    let secret = p.path("secret.txt");
    std::fs::write(&secret, "keep").unwrap();
    let pdf = p.path(&format!("{OUT}/small.pdf"));
    std::fs::remove_file(&pdf).unwrap();
    std::os::unix::fs::symlink(&secret, &pdf).unwrap();
    // Opening the pipe for reading or writing would wait here forever.
    let err = refused(&p);
    assert!(
        err.contains("`reports/small/out/small.manifest.json` is a named pipe, where the build writes a file"),
        "{err}"
    );
    assert!(
        err.contains("`reports/small/out/small.pdf` is a link to `"),
        "{err}"
    );
    assert!(err.contains("2 problems found"), "{err}");
    assert_eq!(std::fs::read(&secret).unwrap(), b"keep");
    assert!(std::fs::symlink_metadata(&pdf)
        .unwrap()
        .file_type()
        .is_symlink());
    let docx = std::fs::read(p.path(&format!("{OUT}/small-summary.docx"))).unwrap();
    assert_eq!(Some(&docx), old.get("small-summary.docx"));
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success());
}

#[cfg(unix)]
fn inode(p: &Project) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p.path(OUT)).unwrap().ino()
}

/// The output folder's files, leaving out the build's hidden folders (the
/// cache, an in-place staging folder).
fn files(p: &Project) -> BTreeMap<String, Vec<u8>> {
    let mut all = BTreeMap::new();
    for e in std::fs::read_dir(p.path(OUT)).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            let name = e.file_name().to_string_lossy().into_owned();
            all.insert(name, std::fs::read(e.path()).unwrap());
        }
    }
    all
}

fn hidden_folders(p: &Project) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(p.path(OUT))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".boardpack-cache")
        .collect();
    v.sort();
    v
}

/// As for a mount point (which a test cannot make): the files are
/// replaced inside the same folder; a build killed before its set is
/// committed leaves the old set, one killed after it is finished by
/// `verify` or the next build.
#[cfg(unix)]
#[test]
fn output_folder_that_cannot_be_renamed_has_its_files_replaced_in_place() {
    const IN_PLACE: (&str, &str) = ("BOARDPACK_TEST_IN_PLACE", "1");
    let p = project(BODY);
    let new = build(&p, NEW, &[]);
    let old = build(&p, OLD, &[]);
    assert_ne!(new, old);
    p.write(&format!("{OUT}/README.txt"), "mine");
    let folder = inode(&p);
    build(&p, NEW, &[IN_PLACE]);
    assert_eq!(inode(&p), folder, "the folder itself stayed");
    let mut expected = new.clone();
    expected.insert("README.txt".into(), b"mine".to_vec());
    assert!(files(&p) == expected, "{:?}", files(&p).keys());

    // Killed while writing, before the set is committed: the old set.
    kill_at(&p, "synced", OLD, &[IN_PLACE]);
    assert!(files(&p) == expected, "killed at `synced`");
    // Killed once committed: `verify` finishes moving the new set in.
    kill_at(&p, "marked", OLD, &[IN_PLACE]);
    assert!(
        files(&p) == expected,
        "killed at `marked`: nothing moved yet"
    );
    assert_eq!(hidden_folders(&p).len(), 1, "the marked staging folder");
    p.run(&["verify", &format!("{OUT}/small.manifest.json")]);
    let mut old_expected = old.clone();
    old_expected.insert("README.txt".into(), b"mine".to_vec());
    assert!(
        files(&p) == old_expected,
        "verify finished the old build's set"
    );
    assert_eq!(hidden_folders(&p), Vec::<String>::new());
    // Killed midway through the moves: the next build puts its own set in.
    kill_at(&p, "moved:small.pdf", NEW, &[IN_PLACE]);
    assert_eq!(files(&p)["small.pdf"], new["small.pdf"]);
    assert_eq!(files(&p)["small.manifest.json"], old["small.manifest.json"]);
    build(&p, NEW, &[IN_PLACE]);
    assert!(files(&p) == expected, "{:?}", files(&p).keys());
    assert_eq!(hidden_folders(&p), Vec::<String>::new());
    assert_eq!(leftovers(&p), Vec::<String>::new());
    assert_eq!(inode(&p), folder);
}

const EX_OUT: &str = "reports/needs-assessment/out";
const PRIVATE: &str = "needs-assessment.manifest.private.json";

#[test]
fn output_folder_holds_nothing_private_and_verify_finds_the_private_manifest() {
    let p = Project::example();
    // An older boardpack wrote the private manifest among the outputs.
    p.write(&format!("{EX_OUT}/{PRIVATE}"), "{\"true\": \"counts\"}");
    p.run(&["build", EXAMPLE]).success();
    let published: Vec<String> = std::fs::read_dir(p.path(EX_OUT))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".boardpack-cache")
        .collect();
    assert!(
        published.iter().all(|n| !n.contains("private")),
        "{published:?}"
    );
    let private = p.read(&format!("{EX_OUT}.private/{PRIVATE}"));
    assert!(private.contains("\"private\""), "the full record");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(p.path(&format!("{EX_OUT}.private")))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o700,
            "the private folder is its owner's alone"
        );
    }
    let public = p.read(&format!("{EX_OUT}/needs-assessment.manifest.json"));
    assert!(!public.contains("\"private\""));

    // `verify` given the private manifest checks the outputs in `out/`.
    let manifest = format!("{EX_OUT}.private/{PRIVATE}");
    let ok = p.run(&["verify", &manifest]).success();
    assert!(ok.contains("verified:"), "{ok}");
    p.write(&format!("{EX_OUT}/needs-assessment.html"), "tampered");
    let run = p.run(&["verify", &manifest]);
    let text = run.stdout();
    assert!(
        text.contains("CHANGED  needs-assessment.html") && text.contains("on disk"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn output_folder_verify_neither_follows_a_link_nor_waits_on_a_pipe() {
    let p = project(BODY);
    build(&p, OLD, &[]);
    let pdf = p.path(&format!("{OUT}/small.pdf"));
    std::fs::remove_file(&pdf).unwrap();
    mkfifo(&pdf);
    let docx = p.path(&format!("{OUT}/small-summary.docx"));
    std::fs::remove_file(&docx).unwrap();
    p.write("elsewhere.txt", "not an output");
    std::os::unix::fs::symlink(p.path("elsewhere.txt"), &docx).unwrap();
    let manifest = format!("{OUT}/small.manifest.json");
    let run = p.run_with(&["verify", &manifest], &[("SOURCE_DATE_EPOCH", OLD)]);
    let text = run.stdout() + &run.stderr();
    assert!(
        text.contains(
            "MISSING  small.pdf: `reports/small/out/small.pdf` is a named pipe, not a file"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "MISSING  small-summary.docx: `reports/small/out/small-summary.docx` is a link to `"
        ),
        "{text}"
    );
    assert!(text.contains("NOT verified"), "{text}");
    // A manifest that is a pipe is refused, not waited on.
    let err = p.run(&["verify", &format!("{OUT}/small.pdf")]).failure(1);
    assert!(
        err.contains("cannot read the manifest: not a regular file"),
        "{err}"
    );
}
