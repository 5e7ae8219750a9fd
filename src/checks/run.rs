//! Running one declared check (`unique`, `not_null`, `values`, `range`,
//! `pattern`, `foreign_key`) over a frame: how many rows fail, the first
//! few with their lines, and the failure as the user reads it.

use polars::prelude::*;
use toml::Spanned;

use super::{rules, Outcome, Rule, Subject, FIRST_ROWS};
use crate::error::{line_col, Error, ErrorKind};
use crate::source::first_line;
use crate::spec::{CheckDecl, ChecksPart};

/// Runs one check. `screened` is its result from
/// [`screen`](super::screen::screen), if any: 0 means it passed, and the
/// rows are not scanned again.
pub(super) fn run_one(
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

pub(super) fn foreign_frame(
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

pub(super) fn cell_text(v: AnyValue) -> String {
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
