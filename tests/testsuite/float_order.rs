//! Same inputs, same figures to the last bit: a sum or a mean of decimals
//! over grouped rows does not depend on the order Polars' hash tables (seeded
//! anew in every process) give the groups in (see `sql::stable`).

use crate::support::{small_project, small_spec, Project};

const SPEC: &str = r#"
[sources.readings]
path = "data/readings.csv"
period_column = "date"

[sources.readings.columns]
date = "date"
area = "string"
x = "float"

[figures.total_of_sums]
sql = "SELECT SUM(s) AS total FROM (SELECT area, SUM(x) AS s FROM readings GROUP BY area)"

[figures.mean_of_means]
sql = "SELECT AVG(m) AS mean FROM (SELECT area, AVG(x) AS m FROM readings GROUP BY area)"

[figures.spread]
sql = "SELECT SUM(sd) AS spread FROM (SELECT area, STDDEV(x) AS sd FROM readings GROUP BY area)"
"#;

/// 2024/25, `rows` readings: 200 areas, values whose float sums depend on
/// the order they are added in (and, over many rows, on where the column's
/// chunks break).
fn readings(rows: u64) -> String {
    let mut csv = String::from("date,area,x\n");
    for i in 0..rows {
        let month = i % 12 + 1;
        let year = if month <= 3 { 2025 } else { 2024 };
        let day = i % 28 + 1;
        let area = (i * 7_919) % 200;
        let x = (i * 2_654_435_761 % 1_000_003) as f64 / 7.0 + 0.1;
        csv += &format!("{year}-{month:02}-{day:02},A{area},{x}\n");
    }
    csv
}

/// The figures' values in a manifest, one line each.
fn figure_values(manifest: &str) -> Vec<String> {
    manifest
        .lines()
        .filter(|l| l.contains("\"value\""))
        .map(str::to_string)
        .collect()
}

fn project() -> Project {
    let spec = small_spec("Float order case", "") + SPEC;
    let text = "Total {{ figures.total_of_sums }}; mean {{ figures.mean_of_means }}; spread {{ figures.spread }}.\n";
    let p = small_project(&spec, text, text);
    p.write("data/readings.csv", &readings(40_000));
    p
}

#[test]
fn float_figures_over_groups_are_the_same_in_every_build() {
    let p = project();
    let manifests: Vec<String> = (0..4)
        .map(|_| {
            p.run(&["build", "report.toml", "--no-cache"]).success();
            p.read("out/case.manifest.json")
        })
        .collect();
    let first = figure_values(&manifests[0]);
    assert_eq!(first.len(), 3, "three figures: {}", manifests[0]);
    for m in &manifests[1..] {
        assert_eq!(
            figure_values(m),
            first,
            "a figure changed between two builds"
        );
        assert_eq!(m, &manifests[0], "the manifest changed between two builds");
    }
}

#[test]
fn float_figures_are_the_same_on_one_core_and_on_every_core() {
    // A CSV file is read in one part per core, so its columns are chunked
    // at other rows on a machine with other cores; Polars adds a float
    // column up chunk by chunk. The figures (to the last bit) must not
    // depend on it. One core is had with `taskset` (util-linux).
    let extra = r#"
[figures.scaled]
sql = "SELECT SUM(x * 1.5) AS total FROM readings"

[figures.plain_total]
sql = "SELECT SUM(x) AS total FROM readings"

[figures.windowed]
sql = "SELECT SUM(m) AS total FROM (SELECT area, AVG(x) OVER (PARTITION BY area) AS m FROM readings)"
"#;
    let p = project();
    p.write(
        "report.toml",
        &(small_spec("Float order case", "") + SPEC + extra),
    );
    // About 10 MB: read in one part per core.
    p.write("data/readings.csv", &readings(300_000));
    let figures = |one_core: bool| -> String {
        let mut cmd = if one_core {
            let mut c = std::process::Command::new("taskset");
            c.args(["-c", "0", env!("CARGO_BIN_EXE_boardpack")]);
            c
        } else {
            std::process::Command::new(env!("CARGO_BIN_EXE_boardpack"))
        };
        let out = cmd
            .args(["build", "report.toml", "--no-cache"])
            .current_dir(p.root())
            .env_remove("SOURCE_DATE_EPOCH")
            .output()
            .expect("taskset and boardpack run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let manifest = p.read("out/case.manifest.json");
        let values = figure_values(&manifest);
        assert_eq!(values.len(), 6, "{manifest}");
        values.join("\n")
    };
    assert_eq!(figures(true), figures(false));
}
