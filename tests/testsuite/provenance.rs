//! Provenance: the manifest beside and inside the PDF, `verify`, `diff`, and
//! the same bytes on any machine.

use boardpack::manifest::{hash, Manifest};

use crate::pdf::attachments;
use crate::support::{pdf_text, Project, EXAMPLE};

const OUT: &str = "reports/needs-assessment/out";
const MANIFEST: &str = "reports/needs-assessment/out/needs-assessment.manifest.json";

fn manifest(p: &Project, rel: &str) -> Manifest {
    Manifest::read(&p.path(rel)).expect("manifest parses")
}

#[test]
fn manifest_records_inputs_figures_tables_and_outputs() {
    let p = Project::example();
    let (pdf, docx) = p.build_example(&[]);
    let m = manifest(&p, MANIFEST);
    assert_eq!(m.report, "needs-assessment");
    assert_eq!(m.spec.path, "reports/needs-assessment/report.toml");
    assert_eq!(m.spec.blake3, hash(p.read(EXAMPLE).as_bytes()));
    assert_eq!(m.params["period"], "2019/20");
    assert_eq!(m.previous_period.as_ref().unwrap().period, "2018/19");
    let victims = m
        .inputs
        .iter()
        .find(|i| i.path == "data/victims.csv")
        .expect("victims input");
    assert_eq!(victims.role, "source victims");
    assert_eq!(
        victims.blake3,
        hash(&std::fs::read(p.path("data/victims.csv")).unwrap())
    );
    assert_eq!(victims.rows, Some(146_458));
    for role in ["spec", "template body", "template summary", "layout"] {
        assert!(m.inputs.iter().any(|i| i.role == role), "no {role} input");
    }
    let v = &m.figures["victims_resident"];
    assert_eq!(v.value, serde_json::json!(36845));
    assert_eq!(v.previous, Some(serde_json::json!(35912)));
    assert!(v.sql.contains("FROM resident_victims"), "{}", v.sql);
    let t = &m.tables["rates_by_district"];
    assert_eq!((t.rows, t.columns.len()), (6, 4));
    assert_eq!(m.outputs["needs-assessment.pdf"], hash(&pdf));
    assert_eq!(m.outputs["needs-assessment-summary.docx"], hash(&docx));
    // Nothing about this machine: no absolute path, no temp folder name.
    let text = p.read(MANIFEST);
    let root = p.root().to_string_lossy().into_owned();
    assert!(!text.contains(&root), "absolute path leaked");
    assert!(!text.contains("\"/"), "absolute path leaked:\n{text}");
}

#[test]
fn the_pdf_carries_its_own_manifest() {
    let p = Project::example();
    let (pdf, _) = p.build_example(&[]);
    let files = attachments(&pdf);
    assert_eq!(files.len(), 1, "one attachment");
    let (name, data) = &files[0];
    assert_eq!(name, "needs-assessment.manifest.json");
    let embedded: Manifest = serde_json::from_slice(data).expect("embedded manifest parses");
    // The copy inside cannot hold the PDF's own hash, nor the paper's
    // content (the PDF is that content; the redline reads the file beside
    // it); the rest is the same.
    let mut written = manifest(&p, MANIFEST);
    assert!(embedded.outputs.is_empty());
    assert!(embedded.content.is_none() && written.content.is_some());
    written.outputs.clear();
    written.content = None;
    assert_eq!(embedded, written);
}

#[test]
fn verify_passes_then_names_the_changed_input_and_the_figures_that_moved() {
    let p = Project::example();
    p.build_example(&[]);
    let ok = p.run(&["verify", MANIFEST]).success();
    assert!(
        ok.ends_with("verified: inputs, figures, tables and outputs all match the manifest\n"),
        "{ok}"
    );
    assert!(ok.contains("  ok       data/victims.csv\n"), "{ok}");
    // One CSV cell: 2019/20's first-time entrants, 703 → 704.
    p.edit(
        "data/first_time_entrants.csv",
        "2019-04-01,2019/20,703",
        "2019-04-01,2019/20,704",
    );
    let run = p.run(&["verify", MANIFEST]);
    assert_eq!(run.0.status.code(), Some(1), "{}", run.stderr());
    let out = run.stdout();
    assert!(
        out.contains("  CHANGED  data/first_time_entrants.csv: was blake3 "),
        "{out}"
    );
    assert!(
        out.contains("  CHANGED  fte_latest: was 703, now 704\n"),
        "{out}"
    );
    assert!(out.contains("  ok       victims_resident\n"), "{out}");
    let verdict = out.lines().last().unwrap();
    assert!(
        verdict.starts_with("NOT verified: inputs changed: data/first_time_entrants.csv; figures that moved: fte_latest;"),
        "{verdict}"
    );
}

#[test]
fn verify_finds_the_spec_from_anywhere_and_checks_files_on_disk() {
    let p = Project::example();
    p.build_example(&[]);
    // A tampered PDF beside the manifest is reported even though the
    // rebuild matches the record.
    let pdf = p.path(&format!("{OUT}/needs-assessment.pdf"));
    let mut bytes = std::fs::read(&pdf).unwrap();
    bytes.extend_from_slice(b"%tampered\n");
    std::fs::write(&pdf, bytes).unwrap();
    let run = p.run(&["verify", MANIFEST]);
    assert_eq!(run.0.status.code(), Some(1));
    assert!(
        run.stdout()
            .contains("  CHANGED  needs-assessment.pdf: was blake3 "),
        "{}",
        run.stdout()
    );
    assert!(run.stdout().contains("on disk"), "{}", run.stdout());
}

#[test]
fn verify_of_a_file_that_is_not_a_manifest_says_so() {
    let p = Project::example();
    p.write("notes.json", "{\"hello\": 1}\n");
    let err = p.run(&["verify", "notes.json"]).failure(1);
    insta::assert_snapshot!(err);
}

#[test]
fn diff_prints_figures_that_changed_with_old_new_and_change() {
    let p = Project::example();
    p.run(&["build", EXAMPLE, "--out", "last-year"]).success();
    p.run(&[
        "build",
        EXAMPLE,
        "--set",
        "period=2020/21",
        "--out",
        "this-year",
    ])
    .success();
    let out = p
        .run(&[
            "diff",
            "last-year/needs-assessment.manifest.json",
            "this-year/needs-assessment.manifest.json",
        ])
        .success();
    assert!(
        out.contains("  victims_resident       36,845   34,296  down 2,549 (-6.9%)\n"),
        "{out}"
    );
    // Figures show in their declared format, a share's change in points.
    assert!(
        out.contains("  domestic_abuse_share    16.4%    18.1%  up 1.7 percentage points\n"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

/// Same spec and data ⇒ same bytes, whatever the folder, time zone, locale,
/// user or time of day.
#[test]
fn builds_on_different_machines_are_byte_identical() {
    let outputs = |p: &Project| -> Vec<Vec<u8>> {
        [
            "needs-assessment.pdf",
            "needs-assessment-summary.docx",
            "needs-assessment.html",
            "needs-assessment.manifest.json",
        ]
        .iter()
        .map(|f| std::fs::read(p.path(&format!("{OUT}/{f}"))).unwrap())
        .collect()
    };
    let a = Project::example();
    a.run_with(
        &["build", EXAMPLE],
        &[
            ("TZ", "UTC"),
            ("LANG", "C"),
            ("LC_ALL", "C"),
            ("USER", "analyst"),
            ("HOME", "/home/analyst"),
        ],
    )
    .success();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let b = Project::example();
    b.run_with(
        &["build", EXAMPLE],
        &[
            ("TZ", "Pacific/Auckland"),
            ("LANG", "de_DE.UTF-8"),
            ("LC_ALL", "de_DE.UTF-8"),
            ("USER", "someone-else"),
            ("HOME", "/tmp"),
        ],
    )
    .success();
    assert_ne!(a.root(), b.root());
    let (oa, ob) = (outputs(&a), outputs(&b));
    for (i, name) in ["PDF", "DOCX", "manifest"].iter().enumerate() {
        assert!(oa[i] == ob[i], "{name} differs between the two machines");
    }
    // With SOURCE_DATE_EPOCH the timestamps move, and stay reproducible.
    for p in [&a, &b] {
        p.run_with(&["build", EXAMPLE], &[("SOURCE_DATE_EPOCH", "1700000000")])
            .success();
    }
    let (ea, eb) = (outputs(&a), outputs(&b));
    assert_eq!(ea, eb);
    assert_ne!(ea[0], oa[0], "SOURCE_DATE_EPOCH changes the PDF's dates");
    assert!(pdf_text(&ea[0]).contains("36,845"));
}
