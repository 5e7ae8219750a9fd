//! Running the spec's queries: dependency order, execution, and errors that
//! point at the query (or the misspelt column) in the spec.

use std::collections::BTreeMap;

use polars::prelude::*;
use polars::sql::SQLContext;
use toml::Spanned;

use crate::error::{suggest, Error, ErrorKind, Result};
use crate::source::{first_line, Source};
use crate::spec::Spec;

/// Views and tables in an order where each comes after those it selects
/// from (`true` marks a view). Ties break by name, so the order is stable.
pub(super) fn query_order(spec: &Spec) -> Result<Vec<(&str, bool)>> {
    let raw = &spec.raw;
    let nodes: BTreeMap<&str, (&Spanned<String>, bool)> = raw
        .views
        .iter()
        .map(|(n, v)| (n.as_str(), (&v.sql, true)))
        .chain(
            raw.tables
                .iter()
                .map(|(n, t)| (n.as_str(), (&t.sql, false))),
        )
        .collect();
    let deps: BTreeMap<&str, Vec<&str>> = nodes
        .iter()
        .map(|(n, (sql, _))| {
            (
                *n,
                nodes
                    .keys()
                    .copied()
                    .filter(|d| d != n && mentions(sql.get_ref(), d))
                    .collect(),
            )
        })
        .collect();
    let mut done: Vec<(&str, bool)> = Vec::new();
    while done.len() < nodes.len() {
        let ready = nodes.keys().copied().find(|n| {
            !done.iter().any(|(d, _)| d == n)
                && deps[n].iter().all(|d| done.iter().any(|(x, _)| x == d))
        });
        let Some(next) = ready else {
            let (name, (sql, _)) = nodes
                .iter()
                .find(|(n, _)| !done.iter().any(|(d, _)| d == *n))
                .expect("a node is left");
            return Err(spec
                .error_at(
                    ErrorKind::Spec,
                    format!("`{name}` selects from itself through other views or tables"),
                    sql.span(),
                )
                .with_hint(
                    "views and tables may only select from sources and each other without cycles",
                ));
        };
        done.push((next, nodes[next].1));
    }
    Ok(done)
}

/// Whether `sql` names `table` as a whole identifier.
fn mentions(sql: &str, table: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    sql.match_indices(table).any(|(i, _)| {
        let before = sql[..i].chars().next_back();
        let after = sql[i + table.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

pub(super) fn known_columns(sources: &BTreeMap<String, Source>) -> Vec<String> {
    let mut cols: Vec<String> = sources
        .values()
        .flat_map(|s| {
            s.frame
                .get_column_names()
                .into_iter()
                .map(|n| n.to_string())
        })
        .collect();
    cols.sort();
    cols.dedup();
    cols
}

pub(super) fn run(
    spec: &Spec,
    ctx: &mut SQLContext,
    sql: &Spanned<String>,
    columns: &[String],
    what: &str,
) -> Result<DataFrame> {
    ctx.execute(sql.get_ref())
        .and_then(LazyFrame::collect)
        .map_err(|e| query_error(spec, sql, columns, what, &e))
}

/// Turns a Polars error into one that points at the query in the spec and,
/// for a misspelt column, at the name itself with a "did you mean".
fn query_error(
    spec: &Spec,
    sql: &Spanned<String>,
    columns: &[String],
    what: &str,
    e: &PolarsError,
) -> Error {
    let msg = first_line(e);
    let span = sql.span();
    if let PolarsError::ColumnNotFound(_) = e {
        if let Some(name) = quoted(&msg) {
            let names: Vec<&str> = columns.iter().map(String::as_str).collect();
            let at = spec.text.get(span.clone()).and_then(|t| t.find(&name));
            let range = at.map_or(span.clone(), |i| {
                span.start + i..span.start + i + name.len()
            });
            let hint = if names.contains(&name.as_str()) {
                format!("`{name}` is a column of another source or view: check the `FROM` clause")
            } else {
                suggest(&name, &names, "columns")
            };
            return spec
                .error_at(
                    ErrorKind::Query,
                    format!("unknown column `{name}` in {what}"),
                    range,
                )
                .with_hint(hint);
        }
    }
    spec.error_at(ErrorKind::Query, format!("{what} failed: {msg}"), span)
        .with_hint(
            "check the SQL; it can select from `[sources]`, `[views]`, `[tables]` and `params`",
        )
}

fn quoted(msg: &str) -> Option<String> {
    let start = msg.find('"')? + 1;
    let len = msg[start..].find('"')?;
    Some(msg[start..start + len].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_matches_whole_identifiers() {
        assert!(mentions("SELECT * FROM age_risk LIMIT 1", "age_risk"));
        assert!(!mentions("SELECT * FROM age_risk_2", "age_risk"));
        assert!(!mentions("SELECT my_age_risk FROM t", "age_risk"));
    }
}
