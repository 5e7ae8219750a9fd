use polars::prelude::*;

use super::rules::{failing, parse};
use super::*;

fn frame() -> DataFrame {
    polars::df! {
        "crime_id" => ["C1", "C1", "C2", "X3", "C4"],
        "victim_id" => ["V1", "V1", "V2", "V3", "V4"],
        "age" => [Some(30i64), Some(30), Some(130), None, Some(-1)],
        "district" => ["Cambridge", "Cambridge", "Fenland", "Atlantis", "Fenland"],
    }
    .unwrap()
}

/// Frame rows (0-based) failing `rule`.
fn rows(rule: &Rule, target: Option<&DataFrame>) -> Vec<u32> {
    let df = frame()
        .lazy()
        .with_row_index("__row", None)
        .filter(failing(rule, target).unwrap())
        .collect()
        .unwrap();
    let idx = df.column("__row").unwrap().idx().unwrap().clone();
    idx.into_no_null_iter().collect()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn unique_flags_every_repeated_combination() {
    assert_eq!(
        rows(&Rule::Unique(s(&["crime_id", "victim_id"])), None),
        [0, 1]
    );
    assert_eq!(rows(&Rule::Unique(s(&["district"])), None), [0, 1, 2, 4]);
}

#[test]
fn not_null_flags_empty_cells() {
    assert_eq!(rows(&Rule::NotNull(s(&["age", "crime_id"])), None), [3]);
}

#[test]
fn range_is_inclusive_and_nulls_pass() {
    assert_eq!(rows(&Rule::Range("age".into(), 0.0, 120.0), None), [2, 4]);
    assert_eq!(
        rows(&Rule::Range("age".into(), -1.0, 130.0), None),
        Vec::<u32>::new()
    );
}

#[test]
fn values_allows_only_the_list() {
    let allowed = vec![toml::Value::from("Cambridge"), toml::Value::from("Fenland")];
    assert_eq!(rows(&Rule::Values("district".into(), allowed), None), [3]);
    let ages = vec![toml::Value::from(30), toml::Value::from(130)];
    assert_eq!(rows(&Rule::Values("age".into(), ages), None), [4]);
}

#[test]
fn pattern_must_match_the_whole_value() {
    assert_eq!(
        rows(&Rule::Pattern("crime_id".into(), "C[0-9]".into()), None),
        [3]
    );
    // Unanchored, `[0-9]` would match inside `X3`.
    assert_eq!(
        rows(&Rule::Pattern("crime_id".into(), "[0-9]".into()), None),
        [0, 1, 2, 3, 4]
    );
}

#[test]
fn foreign_key_needs_the_value_in_the_other_table() {
    let population = polars::df! { "district" => ["Cambridge", "Fenland", "Fenland"] }.unwrap();
    let rule = Rule::ForeignKey("district".into(), "population".into(), "district".into());
    assert_eq!(rows(&rule, Some(&population)), [3]);
}

fn parse_checks(extra: &str) -> Vec<std::result::Result<Rule, Vec<Error>>> {
    let spec = crate::spec::SpecBuilder::new()
        .source("v", "path = \"v.csv\"\ncolumns = { age = \"int\" }")
        .section(extra)
        .build();
    spec.sources["v"]
        .checks
        .iter()
        .map(|c| parse(spec.checks_part(), c, "source `v`"))
        .collect()
}

#[test]
fn parses_one_rule_per_check() {
    let parsed = parse_checks("[[sources.v.checks]]\ncolumn = \"age\"\nrange = [0, 120]\nlevel = \"warning\"\n[[sources.v.checks]]\nunique = [\"age\"]\n");
    assert_eq!(
        parsed[0].as_ref().unwrap(),
        &Rule::Range("age".into(), 0.0, 120.0)
    );
    assert_eq!(parsed[1].as_ref().unwrap(), &Rule::Unique(s(&["age"])));
}

#[test]
fn rejects_two_rules_a_missing_column_and_a_bad_pattern() {
    let parsed = parse_checks("[[sources.v.checks]]\nunique = [\"age\"]\nnot_null = [\"age\"]\n[[sources.v.checks]]\nrange = [0, 120]\n[[sources.v.checks]]\ncolumn = \"age\"\npattern = \"(\"\n[[sources.v.checks]]\ncolumn = \"age\"\nrange = [5, 1]\n");
    let messages: Vec<String> = parsed
        .into_iter()
        .map(|r| {
            r.unwrap_err()
                .iter()
                .map(|e| e.message().to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect();
    assert!(
        messages[0].contains("exactly one rule, found 2"),
        "{messages:?}"
    );
    assert!(messages[1].contains("needs a `column`"), "{messages:?}");
    assert!(
        messages[2].contains("not a valid regular expression"),
        "{messages:?}"
    );
    assert!(messages[3].contains("min ≤ max"), "{messages:?}");
}

#[test]
fn settle_fails_on_errors_and_warns_otherwise() {
    let outcome = |level, failing| Outcome {
        target: "source v".into(),
        rule: "range(age: 0 to 120)".into(),
        level,
        message: "`age` must be between 0 and 120".into(),
        failing,
        lines: vec![4],
        report: None,
    };
    let warn = [
        outcome(CheckLevel::Warning, 2),
        outcome(CheckLevel::Error, 0),
    ];
    assert_eq!(settle(&warn, false).unwrap().len(), 1);
    let strict = settle(&warn, true).unwrap_err();
    assert!(strict.hint().unwrap().contains("--strict"), "{strict}");
    let both = [outcome(CheckLevel::Error, 1), outcome(CheckLevel::Error, 3)];
    assert_eq!(settle(&both, false).unwrap_err().count(), 2);
}
