//! Hostile input: a spec, layout or template trying to read files outside
//! the project (SQL table functions, symbolic links, `import`/`include`
//! through a link) or to write over an input. Each case asserts the clear
//! error, that nothing from outside reaches any output or the message, and
//! that the previous outputs are byte-unchanged. The cases start from the
//! board-paper fixture project (`tests/projects/board-paper/`) and state
//! what they change with `Project::set_toml`.

use crate::support::Project;

const SPEC: &str = "report.toml";
const OUT: &str = "out";
/// What the file outside the project holds; it must never be printed.
const SECRET: &str = "SECRET-OUTSIDE-THE-PROJECT";

/// A folder outside the project holding a CSV and a Typst file with the
/// secret in them.
fn outside() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("secret.csv"),
        format!("district,age_band,population\n{SECRET},x,1\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("secret.typ"),
        format!("#let leaked = \"{SECRET}\"\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("secret.md"), format!("{SECRET}\n")).unwrap();
    dir
}

/// Builds once, applies `breakage`, builds again expecting exit code 1;
/// asserts the outputs are byte-unchanged and the secret appears nowhere.
/// Returns stderr.
fn refused(breakage: impl FnOnce(&Project), args: &[&str]) -> String {
    let p = Project::fixture("board-paper");
    p.run(&["build", SPEC]).success();
    let before = p.outputs(OUT);
    breakage(&p);
    let mut all = vec!["build", SPEC];
    all.extend_from_slice(args);
    let stderr = p.run(&all).failure(1);
    let after = p.outputs(OUT);
    assert!(before == after, "a refused build changed the outputs");
    let secret = SECRET.as_bytes();
    for (name, bytes) in &after {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret),
            "`{name}` contains the file from outside the project"
        );
    }
    assert!(!stderr.contains(SECRET), "{stderr}");
    stderr
}

#[cfg(unix)]
fn link(target: &std::path::Path, at: std::path::PathBuf) {
    let _ = std::fs::remove_file(&at);
    std::os::unix::fs::symlink(target, at).unwrap();
}

fn add_query(p: &Project, toml: &str) {
    p.set_toml(SPEC, toml);
}

#[test]
fn a_table_function_in_a_table_is_refused_before_running() {
    let dir = outside();
    let file = dir.path().join("secret.csv");
    let err = refused(
        |p| {
            add_query(
                p,
                &format!(
                    "[tables.leak]\nsql = \"SELECT * FROM read_csv('{}')\"",
                    file.display()
                ),
            )
        },
        &[],
    );
    assert!(
        err.contains("table `leak` calls the table function `read_csv`: queries may only read declared sources"),
        "{err}"
    );
    assert!(err.contains("hint: declare the file as a source"), "{err}");
}

#[test]
fn every_undeclared_relation_is_reported_at_once() {
    let err = refused(
        |p| {
            add_query(
                p,
                "[figures.pw]\nsql = \"SELECT count(*) FROM read_csv('/etc/passwd')\"\n\
                 [figures.other]\nsql = \"SELECT count(*) FROM victimz\"",
            )
        },
        &[],
    );
    assert!(
        err.contains("figure `pw` calls the table function `read_csv`"),
        "{err}"
    );
    assert!(
        err.contains("figure `other` reads `victimz`, which is not declared"),
        "{err}"
    );
    assert!(err.contains("did you mean `victims`?"), "{err}");
    assert!(err.contains("2 problems found"), "{err}");
    assert!(!err.contains("root:"), "nothing from /etc/passwd: {err}");
}

#[cfg(unix)]
#[test]
fn typst_read_through_a_link_out_of_the_project_is_refused() {
    let dir = outside();
    let err = refused(
        |p| {
            link(&dir.path().join("secret.csv"), p.path("pw.txt"));
            let layout = p.read("layout.typ");
            p.write(
                "layout.typ",
                &format!("{layout}\n#let leaked = read(\"pw.txt\")\n"),
            );
        },
        &[],
    );
    assert!(
        err.contains("leads through a symbolic link to a file outside the project"),
        "{err}"
    );
    assert!(err.contains("layout.typ"), "{err}");
    assert!(
        err.contains("hint: copy the file into the project"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn typst_import_through_a_link_out_of_the_project_is_refused() {
    let dir = outside();
    let err = refused(
        |p| {
            link(&dir.path().join("secret.typ"), p.path("ext.typ"));
            let layout = p.read("layout.typ");
            p.write(
                "layout.typ",
                &format!("#import \"ext.typ\": leaked\n{layout}"),
            );
        },
        &[],
    );
    assert!(
        err.contains("leads through a symbolic link to a file outside the project"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_folder_link_out_of_the_project_is_refused_for_data() {
    let dir = outside();
    let err = refused(
        |p| {
            link(dir.path(), p.path("data/ext"));
            p.set_toml(SPEC, "[sources.population]\npath = \"data/ext/secret.csv\"");
        },
        &[],
    );
    insta::assert_snapshot!(err);
}

#[cfg(unix)]
#[test]
fn a_template_include_through_a_link_is_refused() {
    let dir = outside();
    let err = refused(
        |p| {
            link(&dir.path().join("secret.md"), p.path("inc.md"));
            let paper = p.read("paper.md");
            p.write(
                "paper.md",
                &format!("{paper}\n{{% include \"inc.md\" %}}\n"),
            );
        },
        &[],
    );
    assert!(
        err.contains("`inc.md` leads through a symbolic link to a file outside the project"),
        "{err}"
    );
    assert!(
        err.contains("hint: copy the file into the project"),
        "{err}"
    );
}

#[test]
fn a_template_include_inside_the_project_is_read_and_listed() {
    let p = Project::fixture("board-paper");
    p.write("inc.md", "Included from {{ period }}.\n");
    let paper = p.read("paper.md");
    p.write(
        "paper.md",
        &format!("{paper}\n{{% include \"inc.md\" %}}\n"),
    );
    p.run(&["build", SPEC]).success();
    let pdf = std::fs::read(p.path(&format!("{OUT}/paper.pdf"))).unwrap();
    assert!(
        crate::support::pdf_text(&pdf).contains("Included from 2024/25."),
        "the include is rendered"
    );
    let manifest = p.read(&format!("{OUT}/paper.manifest.json"));
    assert!(manifest.contains("\"path\": \"inc.md\""), "{manifest}");
    assert!(manifest.contains("template include"), "{manifest}");
}

#[test]
fn an_output_name_that_is_a_path_is_refused() {
    let err = refused(
        |p| p.set_toml(SPEC, "[report.outputs]\npdf = \"../paper.md\""),
        &[],
    );
    insta::assert_snapshot!(err);
}

#[test]
fn an_output_over_an_input_is_refused() {
    let p_err = refused(
        |p| p.set_toml(SPEC, "[report.outputs]\npdf = \"paper.md\""),
        &["--out", "."],
    );
    assert!(
        p_err.contains("output `paper.md` would overwrite `paper.md`, an input of this build"),
        "{p_err}"
    );
}

#[test]
fn an_absolute_data_path_says_it_is_absolute() {
    let dir = outside();
    let file = dir.path().join("secret.csv");
    let err = refused(
        |p| {
            p.set_toml(
                SPEC,
                &format!("[sources.population]\npath = \"{}\"", file.display()),
            )
        },
        &[],
    );
    assert!(
        err.contains("is an absolute path outside the project"),
        "{err}"
    );
    // The hint shows how to declare the folder as a data folder.
    let folder = dir.path().display().to_string();
    assert!(
        err.contains(&format!(
            "`[report.data_dirs]` then `extracts = \"{folder}\"`"
        )),
        "{err}"
    );
    assert!(
        err.contains("write `path = \"@extracts/secret.csv\"`"),
        "{err}"
    );
}

#[test]
fn a_spec_with_three_mistakes_reports_all_three() {
    let err = refused(
        |p| {
            p.set_toml(
                SPEC,
                "[report]\nlanguage = \"fr-FR\"\n\
                 [report.outputs]\ndocx = \"a/b.docx\"\n\
                 [sources.population]\npath = \"../population.csv\"",
            );
        },
        &[],
    );
    insta::assert_snapshot!(err);
    assert!(err.contains("3 problems found"), "{err}");
}
