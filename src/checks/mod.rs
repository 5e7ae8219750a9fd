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

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{line_col, Diagnostics, Error, ErrorKind, Result};
use crate::source::{first_line, Source};
use crate::spec::{CheckDecl, ChecksPart};
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

/// One pass over a source's rows for all its checks: for each check, a
/// number that is 0 only if no row fails it (`None` where the check cannot
/// be screened, e.g. a spec problem [`run_one`] will report). A source's
/// checks pass on almost every build, so the passing case costs one
/// parallel scan of the columns checked, not a scan per check; only a
/// check that may fail is run again to count and locate its rows.
/// `unique` is screened by hashing each row's combination (see
/// [`rules::repeats_possible`]).
fn screen(
    spec: ChecksPart<'_>,
    checks: &[Spanned<CheckDecl>],
    subject: &Subject,
    frame: &DataFrame,
    target: &dyn Fn(&str) -> Option<DataFrame>,
) -> Vec<Option<u64>> {
    let owner = subject.owner();
    let found: Vec<&str> = frame
        .get_column_names()
        .into_iter()
        .map(|n| n.as_str())
        .collect();
    let (slots, exprs) = plan_screen(spec, checks, &owner, frame, &found, target);
    // The row hashing of `unique` and the matching of `pattern` and `values`
    // run on threads of their own while Polars evaluates the other rules on
    // its pool.
    let (counts, unique, patterns) = std::thread::scope(|scope| {
        let hashing = scope.spawn(|| {
            slots
                .iter()
                .map(|slot| match slot {
                    Some(Slot::Unique(cols)) => rules::repeats_possible(frame, cols).map(u64::from),
                    _ => None,
                })
                .collect::<Vec<_>>()
        });
        let matching = scope.spawn(|| {
            slots
                .iter()
                .map(|slot| match slot {
                    Some(Slot::Pattern(c, p)) => rules::mismatches(frame, c, p),
                    Some(Slot::Values(c, texts)) => lookup::outside(frame, c, texts),
                    _ => None,
                })
                .collect::<Vec<_>>()
        });
        let counts = match exprs.is_empty() {
            true => None,
            false => frame.clone().lazy().select(exprs).collect().ok(),
        };
        let join = |h: std::thread::ScopedJoinHandle<'_, Vec<Option<u64>>>| {
            h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
        };
        (counts, join(hashing), join(matching))
    });
    slots
        .iter()
        .zip(unique.into_iter().zip(patterns))
        .map(|(slot, (unique, pattern))| match slot.as_ref()? {
            Slot::Unique(_) => unique,
            Slot::NotNull(nulls) => Some(*nulls),
            Slot::Pattern(..) | Slot::Values(..) => pattern,
            Slot::Expr(i) => counts
                .as_ref()?
                .columns()
                .get(*i)?
                .get(0)
                .ok()?
                .extract::<u64>(),
        })
        .collect()
}

/// How a check is screened: by the Polars pass (its column there), by
/// hashing rows (`unique`, its columns), by the columns' null counts
/// (`not_null`, kept by Arrow: no scan), by matching each text on a
/// thread of its own (`pattern`), by looking each text's view up among
/// the allowed values' (`values` on text, on the same thread:
/// [`lookup`]), or not at all.
enum Slot {
    Expr(usize),
    Unique(Vec<String>),
    NotNull(u64),
    Pattern(String, String),
    Values(String, Vec<String>),
}
/// How each check is screened (`None`: it is not), and the Polars
/// expressions of those screened by the one Polars pass.
fn plan_screen(
    spec: ChecksPart<'_>,
    checks: &[Spanned<CheckDecl>],
    owner: &str,
    frame: &DataFrame,
    found: &[&str],
    target: &dyn Fn(&str) -> Option<DataFrame>,
) -> (Vec<Option<Slot>>, Vec<Expr>) {
    let mut exprs = Vec::new();
    let mut slots = Vec::with_capacity(checks.len());
    for check in checks {
        let slot = rules::parse(spec, check, owner)
            .ok()
            .filter(|rule| rules::unknown_columns(spec, check, rule, found, owner).is_empty())
            .and_then(|rule| {
                let fk = match &rule {
                    Rule::ForeignKey(_, t, k) => {
                        Some(foreign_frame(spec, check, t, k, target, owner).ok()?)
                    }
                    _ => None,
                };
                match rule {
                    Rule::Unique(cols) => return Some(Slot::Unique(cols)),
                    Rule::NotNull(cols) => return Some(Slot::NotNull(rules::nulls(frame, &cols)?)),
                    Rule::Pattern(c, p) => return Some(Slot::Pattern(c, p)),
                    Rule::Values(ref c, ref v) if is_text(frame, c) => {
                        if let Some(texts) = rules::allowed_texts(v) {
                            return Some(Slot::Values(c.clone(), texts));
                        }
                    }
                    _ => {}
                }
                let e = rules::screening(&rule, fk.as_ref()).ok()?;
                exprs.push(
                    e.cast(DataType::UInt64)
                        .alias(format!("__check{}", exprs.len())),
                );
                Some(Slot::Expr(exprs.len() - 1))
            });
        slots.push(slot);
    }
    (slots, exprs)
}

fn is_text(frame: &DataFrame, column: &str) -> bool {
    frame
        .column(column)
        .is_ok_and(|c| c.dtype() == &DataType::String)
}

/// Runs one check. `screened` is its result from [`screen`], if any: 0
/// means it passed, and the rows are not scanned again.
fn run_one(
    spec: ChecksPart<'_>,
    check: &Spanned<CheckDecl>,
    subject: &Subject,
    frame: &DataFrame,
    target: &dyn Fn(&str) -> Option<DataFrame>,
    screened: Option<u64>,
) -> std::result::Result<Outcome, Vec<Error>> {
    let owner = subject.owner();
    let rule = rules::parse(spec, check, &owner)?;
    let found: Vec<&str> = frame
        .get_column_names()
        .into_iter()
        .map(|n| n.as_str())
        .collect();
    let unknown = rules::unknown_columns(spec, check, &rule, &found, &owner);
    if !unknown.is_empty() {
        return Err(unknown);
    }
    let fk_frame = match &rule {
        Rule::ForeignKey(_, t, k) => Some(foreign_frame(spec, check, t, k, target, &owner)?),
        _ => None,
    };
    let d = check.get_ref();
    let message = d.message.clone().unwrap_or_else(|| rule.words());
    let run_error = |e: PolarsError| {
        vec![spec
            .error_at(ErrorKind::Spec, format!("check on {owner} cannot run: {}", first_line(&e)), check.span())
            .with_hint("check the column's type: `range` needs numbers, `pattern` text, and `values`/`foreign_key` the column's own type")]
    };
    // Screened as passing: nothing to build or scan again.
    if screened == Some(0) {
        return Ok(Outcome {
            target: subject.target(),
            rule: rule.name(),
            level: d.level,
            message,
            failing: 0,
            lines: Vec::new(),
            report: None,
        });
    }
    let (failing, first) = failing_rows(&rule, fk_frame.as_ref(), frame).map_err(run_error)?;
    let rows = first_rows(&first);
    let lines: Vec<u64> = rows.iter().map(|(r, _)| subject.line(*r)).collect();
    let mut outcome = Outcome {
        target: subject.target(),
        rule: rule.name(),
        level: d.level,
        message,
        failing,
        lines,
        report: None,
    };
    if failing > 0 {
        outcome.report = Some(failure_report(
            spec,
            check,
            subject,
            &rule,
            &outcome,
            &rows,
            frame.height(),
        ));
    }
    Ok(outcome)
}

/// How many rows of `frame` fail `rule`, and the first [`FIRST_ROWS`] of
/// them (with their row numbers in `__row`).
fn failing_rows(
    rule: &Rule,
    fk_frame: Option<&DataFrame>,
    frame: &DataFrame,
) -> std::result::Result<(u64, DataFrame), PolarsError> {
    let fails = rules::failing(rule, fk_frame)?;
    let cols: Vec<Expr> = rule.columns().into_iter().map(col).collect();
    let mut selected = vec![col("__row")];
    selected.extend(cols);
    let lf = frame
        .clone()
        .lazy()
        .with_row_index("__row", None)
        .filter(fails);
    let count = lf.clone().select([len()]).collect()?;
    let failing = count.columns()[0]
        .get(0)
        .ok()
        .and_then(|v| v.extract::<u64>())
        .unwrap_or(0);
    let first = lf.select(selected).limit(FIRST_ROWS as IdxSize).collect()?;
    Ok((failing, first))
}

fn foreign_frame(
    spec: ChecksPart<'_>,
    check: &Spanned<CheckDecl>,
    table: &str,
    column: &str,
    target: &dyn Fn(&str) -> Option<DataFrame>,
    owner: &str,
) -> std::result::Result<DataFrame, Vec<Error>> {
    let span = check
        .get_ref()
        .foreign_key
        .as_ref()
        .map_or(check.span(), |f| f.span());
    let Some(df) = target(table) else {
        let mut names: Vec<&str> = spec.sources.keys().map(String::as_str).collect();
        names.extend(spec.tables.keys().map(String::as_str));
        return Err(vec![spec
            .error_at(ErrorKind::Spec, format!("the foreign key of a check on {owner} names `{table}`, which is not a source or table"), span)
            .with_hint(crate::error::suggest(table, &names, "declared sources and tables"))]);
    };
    let cols: Vec<&str> = df
        .get_column_names()
        .into_iter()
        .map(|n| n.as_str())
        .collect();
    if !cols.contains(&column) {
        return Err(vec![spec
            .error_at(ErrorKind::Spec, format!("the foreign key of a check on {owner} names `{table}.{column}`, but `{table}` has no column `{column}`"), span)
            .with_hint(crate::error::suggest(column, &cols, "declared columns"))]);
    }
    Ok(df)
}

/// (frame row, the checked values as text) of each failing row brought back.
fn first_rows(df: &DataFrame) -> Vec<(u64, Vec<String>)> {
    (0..df.height())
        .map(|i| {
            let mut cells = df
                .columns()
                .iter()
                .map(|c| c.get(i).map(cell_text).unwrap_or_default());
            let row = cells.next().and_then(|r| r.parse().ok()).unwrap_or(0);
            (row, cells.collect())
        })
        .collect()
}

fn cell_text(v: AnyValue) -> String {
    match v {
        AnyValue::Null => "(empty)".into(),
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        other => other.to_string(),
    }
}

fn failure_report(
    spec: ChecksPart<'_>,
    check: &Spanned<CheckDecl>,
    subject: &Subject,
    rule: &Rule,
    o: &Outcome,
    rows: &[(u64, Vec<String>)],
    total: usize,
) -> Error {
    let (line, _) = line_col(spec.file.text(), check.span().start);
    let what = match subject {
        Subject::Source(_) => "line",
        Subject::Table(_) => "row",
    };
    let shown: Vec<String> = rows
        .iter()
        .zip(&o.lines)
        .map(|((_, vals), l)| format!("{what} {l} (`{}`)", vals.join("`, `")))
        .collect();
    let more = if o.failing as usize > rows.len() {
        ", …"
    } else {
        ""
    };
    let message = format!(
        "check failed on {} of {} rows of {}: {}",
        crate::format::format_number(o.failing as f64, 0),
        crate::format::format_number(total as f64, 0),
        subject.owner(),
        o.message
    );
    let hint = format!(
        "found at {}{more}; fix the data, or the check at `{}` line {line}",
        shown.join(", "),
        crate::error::display_path(spec.file.path())
    );
    let column = rule.columns().first().map(|c| c.to_string());
    let err = Error::new(ErrorKind::Data, message).with_hint(hint);
    match subject {
        Subject::Source(s) => {
            // A glob's rows come from several files: name the first
            // failing row's.
            let first = rows.first().map_or(0, |(r, _)| *r as usize);
            err.in_file(s.file_of(first)).at_row(
                o.lines.first().copied().unwrap_or(2) as usize,
                column.as_deref(),
            )
        }
        Subject::Table(_) => spec
            .error_at(ErrorKind::Data, err.message().to_string(), check.span())
            .with_hint(err.hint().unwrap_or_default().to_string()),
    }
}

/// A `[[checks]]` entry: its query must return no rows.
fn run_sql(
    spec: ChecksPart<'_>,
    check: &Spanned<crate::spec::SqlCheckDecl>,
    i: usize,
    frames: &mut Frames,
) -> Result<Outcome> {
    let d = check.get_ref();
    if let Some(e) = &d.expect {
        if e.get_ref() != "no rows" {
            return Err(spec
                .error_at(
                    ErrorKind::Spec,
                    format!("unknown expectation `{}` for `checks[{i}]`", e.get_ref()),
                    e.span(),
                )
                .with_hint(
                    "the only expectation is `expect = \"no rows\"`: select the offending rows",
                ));
        }
    }
    let df = frames
        .ctx
        .execute(&crate::sql::expand(d.sql.get_ref()))
        .and_then(LazyFrame::collect)
        .map_err(|e| {
            spec.error_at(ErrorKind::Query, format!("check `checks[{i}]` failed to run: {}", first_line(&e)), d.sql.span())
                .with_hint("check the SQL; it can select from `[sources]` (filtered to the period), `[views]`, `[tables]` and `params`")
        })?;
    let failing = df.height() as u64;
    let mut outcome = Outcome {
        target: format!("checks[{i}]"),
        rule: "sql".into(),
        level: d.level,
        message: d.message.clone(),
        failing,
        lines: Vec::new(),
        report: None,
    };
    if failing > 0 {
        let rows: Vec<String> = (0..df.height().min(FIRST_ROWS))
            .map(|r| {
                let cells: Vec<String> = df
                    .columns()
                    .iter()
                    .map(|c| c.get(r).map(cell_text).unwrap_or_default())
                    .collect();
                format!("({})", cells.join(", "))
            })
            .collect();
        let more = if df.height() > FIRST_ROWS {
            ", …"
        } else {
            ""
        };
        outcome.report = Some(
            spec.error_at(
                ErrorKind::Data,
                format!("check failed: {} ({failing} rows)", d.message),
                d.sql.span(),
            )
            .with_hint(format!(
                "the query returned {}{more}; it must return no rows",
                rows.join(", ")
            )),
        );
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests;
