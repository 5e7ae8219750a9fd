//! Warnings through the real CLI: each is rendered once, as an error would
//! be (its place, the offending line, its hints), and a PDF taken from the
//! build cache reports the same warnings as the compilation that made it.

use crate::support::{small_project, small_spec};

#[test]
fn a_layout_warning_shows_its_line_and_survives_the_cache() {
    let p = small_project(&small_spec("Warning case", ""), "Text.\n", "Text.\n");
    let layout = p.read("layout.typ");
    let line = layout.lines().count() + 1;
    p.write(
        "layout.typ",
        &format!("{layout}#set text(font: (\"No Such Font\", \"Libertinus Serif\"))\n"),
    );
    let first = p.run(&["build", "report.toml"]);
    first.success();
    let expected = format!(
        "warning: layout: unknown font family: no such font\n    ┌─ layout.typ:{line}:17\n"
    );
    assert!(first.stderr().starts_with(&expected), "{}", first.stderr());
    assert!(
        first.stderr().contains(&format!(
            "{line} │ #set text(font: (\"No Such Font\", \"Libertinus Serif\"))\n"
        )),
        "{}",
        first.stderr()
    );
    assert_eq!(first.stderr().matches("warning:").count(), 1);
    // The second build's PDF comes from the cache, with its warning.
    let second = p.run(&["build", "report.toml"]);
    second.success();
    assert_eq!(second.stderr(), first.stderr());
}
