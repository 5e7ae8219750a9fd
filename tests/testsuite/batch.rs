//! Batches: `build --for-each district` builds one paper per district, each
//! with its own figures, and one failing value does not stop the others.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::{Project, EXAMPLE};

fn manifest(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("manifest")).expect("json")
}

/// Distinct victims resident in each district with an offence in 2019/20,
/// counted straight from the CSV (not through boardpack or Polars).
fn resident_victims_by_district(csv: &Path) -> BTreeMap<String, usize> {
    let text = std::fs::read_to_string(csv).expect("victims.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (id, date, district, resident) = (
        col("victim_id"),
        col("offence_date"),
        col("district"),
        col("resident_in_county"),
    );
    let mut victims: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f[resident] == "true" && ("2019-04-01"..="2020-03-31").contains(&f[date]) {
            victims
                .entry(f[district].to_string())
                .or_default()
                .insert(f[id].to_string());
        }
    }
    victims.into_iter().map(|(d, v)| (d, v.len())).collect()
}

#[test]
fn one_paper_per_district_each_with_its_own_figures() {
    let p = Project::example();
    let out = p
        .run(&["build", EXAMPLE, "--for-each", "district"])
        .success();
    assert!(out.contains("6 of 6 papers built"), "{out}");
    let dir = p.path("reports/needs-assessment/out");
    let expected = resident_victims_by_district(&p.path("data/victims.csv"));
    let batch = manifest(&dir.join("needs-assessment.batch.json"));
    let papers = batch["papers"].as_array().expect("papers");
    assert_eq!(papers.len(), 6);
    for paper in papers {
        let (value, slug) = (
            paper["value"].as_str().expect("value"),
            paper["slug"].as_str().expect("slug"),
        );
        assert_eq!(paper["status"], "built", "{paper}");
        let m = manifest(&dir.join(format!("needs-assessment-{slug}.manifest.json")));
        assert_eq!(m["params"]["district"], value);
        assert_eq!(m["batch"]["value"], value);
        let got = m["figures"]["victims_resident"]["value"]
            .as_u64()
            .expect("victims_resident");
        assert_eq!(got as usize, expected[value], "resident victims in {value}");
        // The paper's own district table shows that district only.
        let pdf = std::fs::read(dir.join(format!("needs-assessment-{slug}.pdf"))).expect("pdf");
        let text = crate::support::pdf_text(&pdf);
        assert!(text.contains(value), "{value} paper does not name it");
        assert!(dir
            .join(format!("needs-assessment-summary-{slug}.docx"))
            .exists());
        // The analyst's manifest is beside the outputs, never among them,
        // and the public batch record names neither it nor its hash.
        let private = format!("needs-assessment-{slug}.manifest.private.json");
        assert!(!dir.join(&private).exists());
        let private = manifest(&dir.with_file_name("out.private").join(&private));
        assert!(private["private"].is_object(), "{slug}: the full record");
        let outputs = paper["outputs"].as_object().expect("outputs");
        assert!(outputs.keys().all(|k| !k.contains("private")), "{paper}");
    }
    // The six districts add up to the county-wide figure.
    let county = p.run(&["build", EXAMPLE]).success();
    assert!(county.contains("needs-assessment.pdf"));
    let whole = manifest(&dir.join("needs-assessment.manifest.json"));
    let sum: u64 = papers
        .iter()
        .map(|paper| {
            let slug = paper["slug"].as_str().expect("slug");
            manifest(&dir.join(format!("needs-assessment-{slug}.manifest.json")))["figures"]
                ["victims_resident"]["value"]
                .as_u64()
                .expect("value")
        })
        .sum();
    assert_eq!(whole["figures"]["victims_resident"]["value"], sum);
}

/// A small project whose batch has five good values and one that fails
/// (`tests/projects/_batch-one-broken/`).
fn five_good_one_broken() -> Project {
    Project::fixture("_batch-one-broken")
}

#[test]
fn one_broken_value_fails_alone_and_keeps_its_old_outputs() {
    let p = five_good_one_broken();
    p.write("out/case-nowhere.pdf", "last year's paper");
    let run = p.run(&["build", "report.toml", "--for-each"]);
    let stderr = run.failure(1);
    let stdout = run.stdout();
    assert!(stdout.contains("5 of 6 papers built, 1 failed"), "{stdout}");
    assert!(stdout.contains("FAILED  Nowhere"), "{stdout}");
    assert!(stderr.contains("district = Nowhere"), "{stderr}");
    for slug in ["north", "south", "east", "west", "centre"] {
        let m = manifest(&p.path(&format!("out/case-{slug}.manifest.json")));
        assert_eq!(m["batch"]["slug"], slug);
        assert!(p.path(&format!("out/case-{slug}.pdf")).exists());
    }
    assert_eq!(p.read("out/case-nowhere.pdf"), "last year's paper");
    let batch = manifest(&p.path("out/case.batch.json"));
    assert_eq!(batch["built"], 5);
    assert_eq!(batch["failed"], 1);
    let nowhere = &batch["papers"][4];
    assert_eq!(nowhere["value"], "Nowhere");
    assert_eq!(nowhere["status"], "failed");
    assert!(nowhere["error"].as_str().is_some_and(|e| !e.is_empty()));
}

#[test]
fn a_batch_param_set_twice_or_a_missing_batch_is_a_usage_error() {
    let p = five_good_one_broken();
    let err = p
        .run(&[
            "build",
            "report.toml",
            "--for-each",
            "--set",
            "district=North",
        ])
        .failure(2);
    assert!(err.contains("both set it"), "{err}");
    let err = p
        .run(&["build", "report.toml", "--for-each", "category"])
        .failure(2);
    assert!(err.contains("batch is over `district`"), "{err}");
    p.remove_toml("report.toml", "batch");
    let err = p
        .run(&["build", "report.toml", "--for-each", "district"])
        .failure(2);
    assert!(err.contains("needs a `[batch]` section"), "{err}");
    assert!(err.contains("for_each = \"district\""), "{err}");
}

/// Every file of `p`'s output and (if any) private folders, by folder and
/// name.
fn all_outputs(p: &Project) -> Vec<(String, Vec<u8>)> {
    ["out", "out.private"]
        .iter()
        .filter(|dir| p.path(dir).exists())
        .flat_map(|dir| {
            p.outputs(dir)
                .into_iter()
                .map(move |(name, bytes)| (format!("{dir}/{name}"), bytes))
        })
        .collect()
}

#[test]
fn papers_built_at_once_are_the_papers_built_one_at_a_time() {
    // The same batch built by one worker and by four (its papers then lay
    // out and export side by side, and finish in any order), each in a
    // fresh copy: every file, every byte, and what is printed, in value
    // order, must be the same.
    type Files = Vec<(String, Vec<u8>)>;
    let runs: Vec<(Files, String, String)> = ["1", "4"]
        .iter()
        .map(|workers| {
            let p = five_good_one_broken();
            let run = p.run_with(
                &["build", "report.toml", "--for-each"],
                &[("BOARDPACK_TEST_BATCH_WORKERS", workers)],
            );
            let stderr = run.failure(1);
            (all_outputs(&p), run.stdout(), stderr)
        })
        .collect();
    let (one, four) = (&runs[0], &runs[1]);
    let names = |r: &[(String, Vec<u8>)]| r.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&one.0), names(&four.0));
    for ((name, a), (_, b)) in one.0.iter().zip(&four.0) {
        assert!(a == b, "{name} differs between one worker and four");
    }
    assert_eq!(one.1, four.1, "stdout");
    assert_eq!(one.2, four.2, "stderr");
    let order: Vec<&str> = one
        .1
        .lines()
        .filter_map(|l| l.strip_prefix("built   ").or(l.strip_prefix("FAILED  ")))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        order,
        ["North", "South", "East", "West", "Nowhere", "Centre"]
    );
    // Each paper holds its own district, not a neighbour's: the busiest
    // district of its table, and the only district its PDF names.
    let files: BTreeMap<&str, &[u8]> = four.0.iter().map(|(n, b)| (n.as_str(), &b[..])).collect();
    for district in ["North", "South", "East", "West", "Centre"] {
        let slug = district.to_lowercase();
        let m: serde_json::Value =
            serde_json::from_slice(files[format!("out/case-{slug}.manifest.json").as_str()])
                .expect("json");
        assert_eq!(m["params"]["district"], district);
        assert_eq!(
            m["figures"]["busiest_district"]["value"], district,
            "{slug}"
        );
        let pdf = crate::support::pdf_text(files[format!("out/case-{slug}.pdf").as_str()]);
        for other in ["North", "South", "East", "West", "Centre"] {
            assert_eq!(
                pdf.contains(other),
                other == district,
                "{slug} PDF, {other}: {pdf}"
            );
        }
    }
}
