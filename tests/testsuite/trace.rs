//! Traceable figures: `boardpack explain` prints a figure's lineage from the
//! manifest alone.

use crate::support::{Project, EXAMPLE};

const MANIFEST: &str = "reports/needs-assessment/out/needs-assessment.manifest.json";

#[test]
fn explain_prints_a_figures_query_views_inputs_checks_and_suppression() {
    let p = Project::example();
    p.run(&["build", EXAMPLE]).success();
    // Reads `params` and a view chain down to the victims source.
    let out = p.run(&["explain", MANIFEST, "victims_estimate"]).success();
    insta::assert_snapshot!(out);
    for must in [
        "views read: `county_victims`, `resident_victims`",
        "sources read: `victims`",
        "data/",
        "blake3 ",
    ] {
        assert!(out.contains(must), "`{must}` missing:\n{out}");
    }
    // A figure that reads no `params` says so rather than listing them all.
    let share = p.run(&["explain", MANIFEST, "fte_latest"]).success();
    assert!(
        share.contains("parameters: none selected from `params`"),
        "{share}"
    );
    assert!(!share.contains("source victims"), "{share}");
}

#[test]
fn explain_of_a_table_lists_its_lineage() {
    let p = Project::example();
    p.run(&["build", EXAMPLE]).success();
    let out = p.run(&["explain", MANIFEST, "age_risk"]).success();
    assert!(out.starts_with("table `age_risk`\n"), "{out}");
    assert!(out.contains("sources read: "), "{out}");
}

#[test]
fn explain_of_an_unknown_figure_suggests_the_closest_name() {
    let p = Project::example();
    p.run(&["build", EXAMPLE]).success();
    let err = p.run(&["explain", MANIFEST, "victims_resdent"]).failure(2);
    assert!(err.contains("did you mean `victims_resident`?"), "{err}");
    insta::assert_snapshot!(err);
}
