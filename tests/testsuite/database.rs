//! PostgreSQL sources against a real server: `.ci/postgres.sh` starts one,
//! loads the example's `data/*.csv` and exports `BOARDPACK_PG_URL` (CI
//! sources it before the tests). Without it these tests fail, never skip.
//!
//! A county paper over the example's data built from the database gives
//! the CSV build's figures and tables exactly; queries over one database source run inside it (only the
//! aggregate comes back, the period bound as `$1`/`$2`); `verify` notices
//! when the database's data changed; the URL appears nowhere.

use std::collections::BTreeMap;

use boardpack::manifest::{Manifest, WITHHELD};

use crate::support::Project;

const URL_ENV: &str = "BOARDPACK_PG_URL";

/// The test server's URL; a clear failure without one.
fn url() -> String {
    match std::env::var(URL_ENV) {
        Ok(u) if !u.is_empty() => u,
        _ => panic!(
            "`{URL_ENV}` is not set: the PostgreSQL tests need a server. \
             Run `source .ci/postgres.sh` first (CI does); these tests never skip"
        ),
    }
}

fn client() -> postgres::Client {
    postgres::Client::connect(&url(), postgres::NoTls).unwrap_or_else(|e| {
        panic!("cannot reach the PostgreSQL test server from `{URL_ENV}` ({e}): run `source .ci/postgres.sh`")
    })
}

fn manifest(p: &Project, rel: &str) -> Manifest {
    Manifest::read(&p.path(rel)).expect("manifest parses")
}

const OUT: &str = "out";

/// A county paper over the example's `victims` and `population` data (the
/// tables `.ci/postgres.sh` loads), with each source's `path`/`postgres`
/// line made by `source`: data checks of every kind, a view grouping one
/// source (pushed down to the database), figures, a rates table with a
/// foreign-key check and a two-way table with suppressed cells.
fn county(p: &Project, source: impl Fn(&str) -> String) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for f in ["data/victims.csv", "data/population.csv"] {
        std::fs::create_dir_all(p.path("data")).unwrap();
        std::fs::copy(root.join(f), p.path(f)).unwrap();
    }
    let spec = crate::support::small_spec("County paper", "")
        + &format!(
            r#"
[disclosure]
threshold = 5
marker = "[c]"
apply_to = ["tables.*"]

[sources.victims]
{victims}
period_column = "offence_date"

[sources.victims.columns]
crime_id = "string"
victim_id = "string"
offence_date = "date"
offence_group = "string"
district = "string"
victim_age = "int"
victim_sex = "string"
domestic_abuse = "bool"
resident_in_county = "bool"

[[sources.victims.checks]]
unique = ["crime_id", "victim_id"]

[[sources.victims.checks]]
not_null = ["crime_id", "victim_id", "offence_date", "district"]

[[sources.victims.checks]]
column = "crime_id"
pattern = "CR-[0-9]{{7}}"

[[sources.victims.checks]]
column = "victim_age"
range = [0, 120]

[sources.population]
{population}

[sources.population.columns]
district = "string"
age_band = "string"
population = "int"

[views.county_victims]
sql = """
SELECT victim_id, MIN(district) AS district, MIN(victim_age) AS age,
       MAX(CAST(domestic_abuse AS INT)) AS domestic_abuse, COUNT(*) AS records
FROM victims
WHERE resident_in_county
GROUP BY victim_id
"""

[figures.victims_resident]
format = "integer"
sql = "SELECT COUNT(*) AS victims FROM county_victims"

[figures.domestic_abuse_share]
format = "percent:1"
sql = "SELECT AVG(CAST(domestic_abuse AS DOUBLE)) AS share FROM county_victims"

[tables.rates_by_district]
sql = """
WITH v AS (SELECT district, COUNT(*) AS victims FROM county_victims GROUP BY district),
     p AS (SELECT district, SUM(population) AS population FROM population GROUP BY district)
SELECT v.district, v.victims, p.population, 1000.0 * v.victims / p.population AS rate_per_1000
FROM v JOIN p ON v.district = p.district
ORDER BY rate_per_1000 DESC
"""
caption = "Resident victims by district, {{{{ period }}}}"
totals = ["victims", "population"]
protect = {{ counts = ["victims"], derived = {{ rate_per_1000 = "victims" }}, public = ["population"] }}

[[tables.rates_by_district.checks]]
column = "district"
foreign_key = "population.district"

[tables.robbery_by_age]
sql = """
WITH robbed AS (SELECT DISTINCT victim_id FROM victims
                WHERE resident_in_county AND offence_group = 'Robbery'),
     banded AS (SELECT r.district,
                       CASE WHEN r.age < 18 THEN '0-17' WHEN r.age < 25 THEN '18-24'
                            WHEN r.age < 40 THEN '25-39' WHEN r.age < 65 THEN '40-64'
                            ELSE '65+' END AS age_band
                FROM county_victims r JOIN robbed ON r.victim_id = robbed.victim_id)
SELECT district, age_band, COUNT(*) AS victims
FROM banded
GROUP BY district, age_band
ORDER BY district, age_band
"""
caption = "Resident victims of robbery by district and age band, {{{{ period }}}}"
protect = {{ rows = "district", columns = "age_band", value = "victims" }}
"#,
            victims = source("victims"),
            population = source("population"),
        );
    let text = "{{ figures.victims_resident | number }} resident victims \
                ({{ figures.domestic_abuse_share }} domestic abuse).\n\n\
                {{ tables.rates_by_district | table }}\n\n{{ tables.robbery_by_age | table }}\n";
    crate::support::write_small_project(p, &spec, text, text);
    p.set_toml("report.toml", "[params.period]\ndefault = \"2019/20\"");
}

#[test]
fn a_county_paper_from_postgres_gives_the_csv_figures_and_tables() {
    let _ = client();
    let p = Project::empty();
    county(&p, |name| format!("path = \"data/{name}.csv\""));
    p.run(&["build", "report.toml"]).success();
    let csv = manifest(&p, &format!("{OUT}.private/case.manifest.private.json"));
    county(&p, |name| {
        format!("postgres = {{ url_env = \"{URL_ENV}\", table = \"{name}\" }}")
    });
    let run = p.run(&["build", "report.toml"]);
    run.success();
    let db = manifest(&p, &format!("{OUT}.private/case.manifest.private.json"));
    assert!(!csv.figures.is_empty() && !csv.tables.is_empty());
    assert_eq!(
        db.figures, csv.figures,
        "figures (this and the previous period)"
    );
    assert_eq!(db.tables, csv.tables, "published tables");
    let (a, b) = (csv.private.as_ref().unwrap(), db.private.as_ref().unwrap());
    assert_eq!(b.computed_tables, a.computed_tables, "tables as computed");
    assert_eq!(b.suppressed, a.suppressed);
    // The same checks fail on the same number of rows (row numbers differ:
    // data lines of a file, rows of the ordered result of a query).
    let outcome = |m: &Manifest| -> Vec<(String, String, u64)> {
        m.checks
            .iter()
            .map(|c| (c.target.clone(), c.rule.clone(), c.failing))
            .collect()
    };
    assert_eq!(outcome(&db), outcome(&csv));

    // The county-victims view (one source, grouped) ran inside PostgreSQL, for both periods.
    let view = db
        .inputs
        .iter()
        .find(|i| i.path == "postgres:victims/view.county_victims")
        .expect("the view was pushed down");
    let sql = view.sql.as_deref().unwrap();
    assert!(sql.contains("$1") && sql.contains("$2"), "{sql}");
    assert!(
        !sql.contains("2019-04-01"),
        "the period is bound, not spliced: {sql}"
    );
    assert_eq!(view.params, ["2019-04-01", "2020-03-31"]);
    assert!(db
        .inputs
        .iter()
        .any(|i| i.path == "postgres:victims/view.county_victims@2018/19"
            && i.params == ["2018-04-01", "2019-03-31"]));
    // The public manifest withholds result hashes of a controlled report.
    let public = manifest(&p, &format!("{OUT}/case.manifest.json"));
    let v = public.inputs.iter().find(|i| i.path == view.path).unwrap();
    assert_eq!(v.blake3, WITHHELD);
    assert_ne!(view.blake3, WITHHELD);
    // No trace of the connection URL or its password anywhere.
    let password = url_password();
    for f in std::fs::read_dir(p.path(OUT)).unwrap() {
        let path = f.unwrap().path();
        if path.is_dir() {
            continue; // the build cache
        }
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&url()), "URL in an output");
        if let Some(pw) = &password {
            assert!(!text.contains(&format!(":{pw}@")), "password in an output");
        }
    }
    assert!(!run.stderr().contains(&url()) && !run.stdout().contains(&url()));
}

fn url_password() -> Option<String> {
    let u = url();
    let auth = u.split_once("://")?.1.split_once('@')?.0.to_string();
    auth.split_once(':').map(|(_, pw)| pw.to_string())
}

/// A small report over the `victims` table: no checks, so every query can
/// run inside the database and no row need come back.
fn small(p: &Project, source: &str) {
    let layout = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/board-paper.typ");
    std::fs::copy(layout, p.path("layout.typ")).unwrap();
    p.write("paper.md", "# Findings\n\n{{ figures.records | number }} records; most in {{ figures.first_district }}.\n\n{{ tables.by_district | table }}\n");
    p.write(
        "summary.md",
        "# Summary\n\n- {{ figures.records | number }} records.\n",
    );
    p.write(
        "report.toml",
        &format!(
            r#"[report]
name = "small"
title = "Small"
to = "Board"
from = "Analyst"
date = 2020-11-26
layout = "layout.typ"

[content]
body = "paper.md"
summary = "summary.md"

[params.period]
type = "financial-year"
default = "2019/20"

[sources.victims]
{source}
period_column = "offence_date"

[sources.victims.columns]
crime_id = "string"
offence_date = "date"
district = "string"
victim_age = "int"
resident_in_county = "bool"

[figures.records]
sql = "SELECT COUNT(*) AS records FROM victims WHERE resident_in_county"

[figures.first_district]
sql = "SELECT MIN(district) AS d FROM victims v WHERE v.victim_age >= 18"

[tables.by_district]
sql = """
SELECT district, COUNT(*) AS records, MAX(victim_age) AS oldest
FROM victims
WHERE district <> 'Out of county'
GROUP BY district
ORDER BY records DESC, district
"""
"#
        ),
    );
}

#[test]
fn a_query_over_one_database_source_runs_inside_it() {
    let _ = client();
    let p = Project::example();
    small(&p, "path = \"data/victims.csv\"");
    p.run(&["build", "report.toml"]).success();
    let csv = manifest(&p, "out/small.manifest.json");
    small(
        &p,
        &format!("postgres = {{ url_env = \"{URL_ENV}\", table = \"victims\" }}"),
    );
    p.run(&["build", "report.toml"]).success();
    let db = manifest(&p, "out/small.manifest.json");
    assert_eq!(db.figures, csv.figures);
    assert_eq!(db.tables, csv.tables);
    let inputs: BTreeMap<&str, &boardpack::manifest::Input> =
        db.inputs.iter().map(|i| (i.path.as_str(), i)).collect();
    // No row of the source came back: only the aggregates.
    let source = inputs["postgres:victims"];
    assert_eq!(source.rows, None, "{source:?}");
    assert!(source.role.contains("no rows fetched"), "{}", source.role);
    assert_eq!(inputs["postgres:victims/figure.records"].rows, Some(1));
    assert_eq!(
        inputs["postgres:victims/figure.first_district"].rows,
        Some(1)
    );
    assert_eq!(inputs["postgres:victims/table.by_district"].rows, Some(6));
    for (path, i) in &inputs {
        if let Some(sql) = &i.sql {
            assert!(
                sql.contains("CAST($1 AS date)") && sql.contains("CAST($2 AS date)"),
                "{path}: {sql}"
            );
            assert!(
                !sql.contains("2019-04-01") && !sql.contains("2020-03-31"),
                "{path}: {sql}"
            );
            assert!(i.query_blake3.is_some());
        }
    }
    let sql = inputs["postgres:victims/table.by_district"]
        .sql
        .as_deref()
        .unwrap();
    assert!(sql.contains("GROUP BY \"district\""), "{sql}");
    assert!(!sql.contains("ORDER BY"), "ordering runs in Polars: {sql}");
}

#[test]
fn verify_says_when_the_database_changed() {
    let mut db = client();
    let table = format!("bp_verify_{}", std::process::id());
    db.batch_execute(&format!(
        "DROP TABLE IF EXISTS {table}; CREATE TABLE {table} AS SELECT * FROM victims"
    ))
    .unwrap();
    let p = Project::example();
    small(
        &p,
        &format!("postgres = {{ url_env = \"{URL_ENV}\", table = \"{table}\" }}"),
    );
    p.run(&["build", "report.toml"]).success();
    let ok = p.run(&["verify", "out/small.manifest.json"]);
    let text = ok.success();
    assert!(text.contains("verified"), "{text}");
    // One resident victim in the period disappears from the database.
    let gone = db
        .execute(
            &format!(
                "DELETE FROM {table} WHERE crime_id = (SELECT MIN(crime_id) FROM {table} \
                 WHERE resident_in_county AND offence_date >= '2019-04-01' AND offence_date <= '2020-03-31')"
            ),
            &[],
        )
        .unwrap();
    assert_eq!(gone, 1);
    let run = p.run(&["verify", "out/small.manifest.json"]);
    let out = format!("{}{}", run.stdout(), run.stderr());
    db.batch_execute(&format!("DROP TABLE {table}")).unwrap();
    assert_eq!(run.0.status.code(), Some(1), "{out}");
    assert!(
        out.contains("CHANGED  postgres:victims/figure.records"),
        "{out}"
    );
    assert!(out.contains("the data in the database changed"), "{out}");
    assert!(
        out.contains("records"),
        "the figure that moved is named: {out}"
    );
}

#[test]
fn a_connection_failure_names_the_variable_and_host_never_the_password() {
    let p = Project::example();
    small(
        &p,
        "postgres = { url_env = \"BOARDPACK_TEST_BAD_PG_URL\", table = \"victims\" }",
    );
    let run = p.run_with(
        &["build", "report.toml"],
        &[(
            "BOARDPACK_TEST_BAD_PG_URL",
            "postgresql://analyst:hunter2@127.0.0.1:9/force",
        )],
    );
    let err = run.failure(1);
    assert!(
        err.contains("cannot connect to database `force` on 127.0.0.1:9"),
        "{err}"
    );
    assert!(err.contains("`BOARDPACK_TEST_BAD_PG_URL`"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}
