//! The pushdown translator's tests: what is translated, and what is not.

use super::*;
use crate::source::postgres::PostgresDialect;

fn spec() -> Spec {
    crate::spec::SpecBuilder::new()
        .source(
            "victims",
            "postgres = { url_env = \"PG\", table = \"victims\" }\nperiod_column = \"day\"\n\
             [sources.victims.columns]\nid = \"string\"\nday = \"date\"\nage = \"int\"\nrate = \"float\"\nda = \"bool\"\nnote = { type = \"string\", nullable = true }",
        )
        .source("pop", "path = \"p.csv\"\ncolumns = { id = \"string\" }")
        .build()
}

fn pushed(sql: &str) -> Option<Pushdown> {
    translate(&spec().sources_part(), sql, &PostgresDialect)
}

#[test]
fn aggregates_filters_and_groups_are_translated() {
    let p = pushed(
        "SELECT id, MIN(age) AS age, MAX(CAST(da AS INT)) AS da, COUNT(*) AS n \
         FROM victims v WHERE v.da AND note IS NULL AND id <> 'x' GROUP BY id",
    )
    .unwrap();
    assert_eq!(p.source, "victims");
    assert_eq!(
        p.sql("R"),
        "SELECT \"id\" AS \"c1\", MIN(\"age\") AS \"c2\", MAX(CAST(\"da\" AS integer)) AS \"c3\", \
         COUNT(*) AS \"c4\" FROM R WHERE ((\"da\" AND (\"note\" IS NULL)) AND \
         ((\"id\" COLLATE \"C\") <> ('x' COLLATE \"C\"))) GROUP BY \"id\""
    );
    assert_eq!(p.tail, None);
    let p = pushed("SELECT COUNT(DISTINCT id) AS n FROM victims").unwrap();
    assert_eq!(p.sql("R"), "SELECT COUNT(DISTINCT \"id\") AS \"c1\" FROM R");
}

#[test]
fn order_and_limit_run_in_polars_afterwards() {
    let p = pushed("SELECT id, COUNT(*) AS n FROM victims GROUP BY id ORDER BY n DESC, id LIMIT 5")
        .unwrap();
    assert_eq!(p.tail.as_deref(), Some("ORDER BY n DESC, id LIMIT 5"));
    // Ordering by something not returned cannot be done afterwards.
    assert!(pushed("SELECT id FROM victims ORDER BY age").is_none());
    assert!(
        pushed("SELECT id FROM victims LIMIT 5").is_none(),
        "no order"
    );
}

#[test]
fn anything_that_could_differ_stays_in_polars() {
    for sql in [
        "SELECT AVG(age) FROM victims",
        "SELECT SUM(age) FROM victims",
        "SELECT age / 2 FROM victims",
        "SELECT COUNT(*) FROM victims WHERE rate > 1.5",
        "SELECT MIN(rate) FROM victims",
        "SELECT COUNT(note) FROM victims",
        "SELECT COUNT(*) FROM victims JOIN pop ON victims.id = pop.id",
        "SELECT COUNT(*) FROM pop",
        "SELECT * FROM victims",
        "SELECT DISTINCT id FROM victims",
        "WITH t AS (SELECT * FROM victims) SELECT COUNT(*) FROM t",
        "SELECT id, COUNT(*) FROM victims GROUP BY id HAVING COUNT(*) > 1",
        "SELECT age, COUNT(*) FROM victims GROUP BY id",
        "SELECT ROUND(age) FROM victims",
        "SELECT COUNT(*) FROM victims WHERE day >= '2020-01-01'",
        "SELECT COUNT(*) FROM victims WHERE id = 'a\\b'",
        "SELECT COUNT(*) FROM victims CROSS JOIN params",
    ] {
        assert_eq!(pushed(sql), None, "{sql}");
    }
}
