//! Declared data checks and figure formats on the example, through the real
//! CLI (failing checks and strict-template errors are `tests/bad_inputs/`
//! cases: `checks-*`, `template-*`, `figure-*`).

use crate::support::{Project, EXAMPLE};

const VICTIM_1: &str = "CR-0000001,V-000001,2018-04-01,Stalking and harassment,Peterborough,47,";

fn build(p: &Project) -> crate::support::Run {
    p.run(&["build", EXAMPLE])
}

#[test]
fn a_warning_check_warns_is_listed_to_templates_and_fails_under_strict() {
    let p = Project::example();
    p.edit(
        "data/victims.csv",
        VICTIM_1,
        &VICTIM_1.replace(",47,", ",130,"),
    );
    p.edit(
        "reports/needs-assessment/report.toml",
        "range = [0, 120]\n",
        "range = [0, 120]\nlevel = \"warning\"\nmessage = \"an age over 120 is probably a typing error\"\n",
    );
    p.edit(
        "reports/needs-assessment/paper.md",
        "The top five nationalities",
        "{% for w in warnings %}Caveat: {{ w.message }} ({{ w.failing }} record, line {{ w.lines[0] }}). {% endfor %}The top five nationalities",
    );
    let options = boardpack::BuildOptions {
        spec: p.path(EXAMPLE),
        ..Default::default()
    };
    let built = boardpack::build(&options).expect("a warning does not fail the build");
    assert!(
        built
            .rendered
            .body_markdown
            .contains("Caveat: an age over 120 is probably a typing error (1 record, line 2). "),
        "{}",
        built.rendered.body_markdown
    );
    let check = built
        .manifest
        .checks
        .iter()
        .find(|c| c.failing > 0)
        .expect("recorded");
    assert_eq!(
        (check.rule.as_str(), check.lines.as_slice()),
        ("range(victim_age: 0 to 120)", &[2][..])
    );
    let run = build(&p);
    // Rendered as an error would be, with its place and hint.
    assert!(
        run.stderr().starts_with("warning: check failed on 1 of ")
            && run.stderr().contains(
                " rows of source `victims`: an age over 120 is probably a typing error\n  --> data/victims.csv:2, column `victim_age`\n  = hint: found at line 2 (`130`)"
            ),
        "{}",
        run.stderr()
    );
    let strict = p.run(&["build", EXAMPLE, "--strict"]).failure(1);
    assert!(strict.contains("made an error by `--strict`"), "{strict}");
}

#[test]
fn every_check_is_recorded_in_the_manifest() {
    let p = Project::example();
    p.build_example(&[]);
    let m = p.read("reports/needs-assessment/out/needs-assessment.manifest.json");
    assert!(
        m.contains("\"rule\": \"unique(crime_id, victim_id)\""),
        "{m}"
    );
    assert!(
        m.contains("\"rule\": \"foreign_key(district → population.district)\""),
        "{m}"
    );
    assert!(m.contains("\"failing\": 0"), "{m}");
}

#[test]
fn verify_of_an_unchanged_paper_with_float_figures_passes() {
    let p = Project::example();
    p.build_example(&[]);
    let m = p.read("reports/needs-assessment/out/needs-assessment.manifest.json");
    assert!(m.contains("\"format\": \"decimal:1\""), "{m}");
    let ok = p
        .run(&[
            "verify",
            "reports/needs-assessment/out/needs-assessment.manifest.json",
        ])
        .success();
    assert!(ok.contains("  ok       top_age_rate\n"), "{ok}");
    assert!(ok.contains("  ok       domestic_abuse_share\n"), "{ok}");
    assert!(ok.ends_with("all match the manifest\n"), "{ok}");
}
