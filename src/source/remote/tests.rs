//! Tests of the database source: declarations, URLs, quoting.

use super::*;
use crate::spec::Spec;

fn spec(source: &str) -> std::result::Result<Spec, Error> {
    crate::spec::SpecBuilder::new()
        .source(
            "v",
            &format!("{source}\n[sources.v.columns]\nid = \"string\""),
        )
        .load()
}

#[test]
fn a_source_reads_a_file_or_a_database_table_or_query() {
    assert!(spec("postgres = { url_env = \"PG\", table = \"v\" }").is_ok());
    assert!(spec("postgres = { url_env = \"PG\", query = \"SELECT 1\" }").is_ok());
    let cases = [
        ("", "has neither `path` nor `postgres`", 11),
        (
            "path = \"v.csv\"\npostgres = { url_env = \"PG\", table = \"v\" }",
            "has both `path` and `postgres`",
            13,
        ),
        (
            "postgres = { url_env = \"PG\" }",
            "exactly one of `table` and `query`, found neither",
            11,
        ),
        (
            "postgres = { url_env = \"PG\", table = \"v\", query = \"SELECT 1\" }",
            "found both",
            12,
        ),
        (
            "postgres = { url_env = \"postgresql://u:p@h/db\", table = \"v\" }",
            "must name an environment variable",
            12,
        ),
    ];
    for (source, message, line) in cases {
        let e = spec(source).unwrap_err();
        assert!(e.message().contains(message), "{source}: {}", e.message());
        assert_eq!(e.kind(), ErrorKind::Spec);
        assert_eq!(e.line_col().map(|(l, _)| l), Some(line), "{source}");
    }
}

#[test]
fn passwords_are_blanked() {
    let url = "postgresql://analyst:s3cret@db:5432/force";
    assert_eq!(redact("failed for s3cret", url), "failed for ***");
    assert_eq!(redact(&format!("bad {url}"), url), "bad <url>");
    assert_eq!(redact("nothing", "postgresql://db/force"), "nothing");
}

#[test]
fn tables_are_quoted_and_queries_wrapped() {
    let decl: DatabaseDecl = toml::from_str("url_env = \"X\"\ntable = \"public.victims\"").unwrap();
    assert_eq!(relation(&decl), "\"public\".\"victims\"");
    let decl: DatabaseDecl = toml::from_str("url_env = \"X\"\nquery = \"SELECT 1 AS a;\"").unwrap();
    assert_eq!(relation(&decl), "(SELECT 1 AS a)");
}
