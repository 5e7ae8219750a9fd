//! The `[[checks]]` SQL checks: a Polars SQL query over what the queries
//! see, which must return no rows.

use toml::Spanned;

use super::run::cell_text;
use super::{Outcome, FIRST_ROWS};
use crate::error::{ErrorKind, Result};
use crate::source::first_line;
use crate::spec::{ChecksPart, SqlCheckDecl};
use crate::sql::Frames;

/// A `[[checks]]` entry: its query must return no rows.
pub(super) fn run_sql(
    spec: ChecksPart<'_>,
    check: &Spanned<SqlCheckDecl>,
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
    let df = crate::sql::run(&mut frames.ctx, d.sql.get_ref())
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
