//! Tests of the build pipeline's own decisions (a batch's shared checks).

use std::collections::BTreeMap;

use super::*;
use crate::{checks, source};

fn source(path: &str, blake3: &str) -> source::Source {
    source::Source {
        name: "v".into(),
        path: path.into(),
        frame: polars::prelude::DataFrame::empty(),
        lines: Vec::new().into(),
        period_column: None,
        blake3: blake3.into(),
        files: Vec::new(),
        remote: None,
        keep: None,
        extent: Default::default(),
    }
}

#[test]
fn a_batch_s_source_checks_serve_only_papers_reading_the_same_files() {
    let outcome = checks::Outcome {
        target: "source v".into(),
        rule: "not_null(a)".into(),
        level: checks::CheckLevel::Error,
        message: "m".into(),
        failing: 0,
        lines: Vec::new(),
        report: None,
    };
    let shared = Shared {
        sources: BTreeMap::from([("v".to_string(), source("d/v.csv", "h1"))]),
        source_checks: Some(vec![outcome.clone()]),
        ..Shared::default()
    };
    let same = BTreeMap::from([("v".to_string(), source("d/v.csv", "h1"))]);
    assert_eq!(shared.checks_for(&same), Some(&[outcome][..]));
    // The paper read another file, or the same file changed: its own checks.
    let other = BTreeMap::from([("v".to_string(), source("d/fenland.csv", "h1"))]);
    assert_eq!(shared.checks_for(&other), None);
    let changed = BTreeMap::from([("v".to_string(), source("d/v.csv", "h2"))]);
    assert_eq!(shared.checks_for(&changed), None);
    assert_eq!(Shared::default().checks_for(&same), None);
}
