//! Declared data checks, as analysts know them from data-validation tools:
//! `unique`, `not_null`, `values`, `range`, `pattern` and `foreign_key` on a
//! source's rows (`[[sources.NAME.checks]]`, the rows the source keeps: those
//! of the periods the build computes, see `source::keep`) or a
//! table's (`[[tables.NAME.checks]]`), and custom Polars SQL
//! (`[[checks]] sql = "…"`, over what the queries see) that must return no
//! rows. Each check is `error` (the build fails, all failures reported at
//! once) or `warning` (printed, listed to templates as `warnings`, fatal
//! under `--strict`). Every result goes into the manifest.
//!
//! The rules are Polars expressions over the whole frame; only the first
//! few failing rows are brought back, with their data lines.

mod lookup;
mod rules;
mod run;
mod screen;
mod sql;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use self::run::run_one;
use self::screen::screen;
use self::sql::run_sql;
use crate::error::{Diagnostics, Error, ErrorKind, Result};
use crate::source::Source;
use crate::spec::ChecksPart;
use crate::sql::Frames;

pub(crate) use crate::spec::CheckLevel;
pub(crate) use rules::Rule;

/// How many failing rows a result names.
pub(crate) const FIRST_ROWS: usize = 5;

/// The result of one declared check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// What was checked: `source victims`, `table age_risk`, `checks[0]`.
    pub target: String,
    /// The rule: `unique(crime_id, victim_id)`, `sql`.
    pub rule: String,
    /// `error` or `warning`.
    pub level: CheckLevel,
    /// What a failure means, in words.
    pub message: String,
    /// How many rows fail (0: the check passed).
    pub failing: u64,
    /// The first failing rows: data lines for sources (header = line 1),
    /// row numbers for tables, none for SQL checks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<u64>,
    /// The failure for people (file, line, values, hint); not recorded.
    #[serde(skip)]
    pub report: Option<Error>,
}

impl Outcome {
    /// Whether the check failed.
    pub fn failed(&self) -> bool {
        self.failing > 0
    }
}

/// The editor line of row `row` (0-based) of a source's frame. The one place
/// that maps frame rows to data lines.
pub(crate) fn source_line(source: &Source, row: u64) -> u64 {
    usize::try_from(row)
        .ok()
        .and_then(|r| source.lines.get(r))
        .map_or(row + 2, |&line| u64::from(line))
}

/// Runs every source's declared checks over the rows it keeps (every cell
/// of every row was already type-checked by its reader). Spec
/// problems (an unknown column, a bad pattern) are errors, all at once.
pub(crate) fn check_sources(
    spec: ChecksPart<'_>,
    sources: &BTreeMap<String, Source>,
) -> Result<Vec<Outcome>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (name, decl) in spec.sources {
        let Some(source) = sources.get(name) else {
            continue;
        };
        let subject = Subject::Source(source);
        let target = |t: &str| sources.get(t).map(|s| s.frame.clone());
        let screened = screen(spec, &decl.checks, &subject, &source.frame, &target);
        for (check, screened) in decl.checks.iter().zip(screened) {
            match run_one(spec, check, &subject, &source.frame, &target, screened) {
                Ok(o) => out.push(o),
                Err(e) => errors.extend(e),
            }
        }
    }
    Error::collect(errors)?;
    Ok(out)
}

/// The sources a table's check reads whole after the queries ran: each
/// named by a `foreign_key` (`TABLE.COLUMN`) of a check on a table.
pub(crate) fn read_after_queries<'a>(spec: ChecksPart<'a>) -> BTreeSet<&'a str> {
    let keys = spec.tables.values().flat_map(|t| &t.checks);
    keys.filter_map(|c| c.get_ref().foreign_key.as_ref())
        .filter_map(|fk| fk.get_ref().split_once('.').map(|(t, _)| t))
        .filter(|t| spec.sources.contains_key(*t))
        .collect()
}

/// Runs every table's declared checks and the `[[checks]]` SQL checks.
pub(crate) fn check_computed(
    spec: ChecksPart<'_>,
    sources: &BTreeMap<String, Source>,
    frames: &mut Frames,
) -> Result<Vec<Outcome>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (name, decl) in spec.tables {
        let Some(frame) = frames.tables.get(name) else {
            continue;
        };
        let subject = Subject::Table(name);
        for check in &decl.checks {
            let target = |t: &str| {
                frames
                    .tables
                    .get(t)
                    .cloned()
                    .or_else(|| sources.get(t).map(|s| s.frame.clone()))
            };
            match run_one(spec, check, &subject, frame, &target, None) {
                Ok(o) => out.push(o),
                Err(e) => errors.extend(e),
            }
        }
    }
    for (i, check) in spec.checks.iter().enumerate() {
        match run_sql(spec, check, i, frames) {
            Ok(o) => out.push(o),
            Err(e) => errors.push(e),
        }
    }
    Error::collect(errors)?;
    Ok(out)
}

/// Fails the build on every failed `error` check (and, under `--strict`,
/// every failed `warning`), reporting all at once; otherwise returns the
/// warnings, each with its place.
pub(crate) fn settle(outcomes: &[Outcome], strict: bool) -> Result<Diagnostics> {
    let failed = outcomes.iter().filter(|o| o.failed());
    let (fatal, warn): (Vec<&Outcome>, Vec<&Outcome>) =
        failed.partition(|o| o.level == CheckLevel::Error || strict);
    let report = |o: &Outcome| {
        o.report
            .clone()
            .unwrap_or_else(|| Error::new(ErrorKind::Data, o.message.clone()))
    };
    let mut errors: Vec<Error> = fatal.iter().map(|o| report(o)).collect();
    if strict {
        errors = errors
            .into_iter()
            .map(|e| {
                let hint = e.hint().unwrap_or_default().to_string();
                e.with_hint(format!("{hint} (a warning, made an error by `--strict`)"))
            })
            .collect();
    }
    Error::collect(errors)?;
    Ok(warn
        .iter()
        .flat_map(|o| report(o).into_warnings())
        .collect())
}

/// The failed warning-level checks, as templates list them (`warnings`).
pub(crate) fn warnings(outcomes: &[Outcome]) -> Vec<&Outcome> {
    outcomes
        .iter()
        .filter(|o| o.failed() && o.level == CheckLevel::Warning)
        .collect()
}

/// What a declared check runs over.
enum Subject<'a> {
    Source(&'a Source),
    Table(&'a str),
}

impl Subject<'_> {
    fn owner(&self) -> String {
        match self {
            Subject::Source(s) => format!("source `{}`", s.name),
            Subject::Table(t) => format!("table `{t}`"),
        }
    }

    fn target(&self) -> String {
        match self {
            Subject::Source(s) => format!("source {}", s.name),
            Subject::Table(t) => format!("table {t}"),
        }
    }

    /// The line (source) or 1-based row number (table) of frame row `row`.
    fn line(&self, row: u64) -> u64 {
        match self {
            Subject::Source(s) => source_line(s, row),
            Subject::Table(_) => row + 1,
        }
    }
}

#[cfg(test)]
mod tests;
