//! Running the spec's queries: dependency order, execution, and errors that
//! point at the query (or the misspelt column) in the spec.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use polars::sql::SQLContext;
use toml::Spanned;

use crate::error::{suggest, Error, ErrorKind, Result};
use crate::source::{first_line, Source};
use crate::spec::ComputePart;

use super::order::{self, Order};
use crate::sql::{self, Problem};

/// Every query's name, SQL and what it is (`view`, `table`, `figure`).
fn queries(spec: ComputePart<'_>) -> Vec<(&str, &Spanned<String>, &'static str)> {
    let raw = spec;
    let views = raw.views.iter().map(|(n, v)| (n.as_str(), &v.sql, "view"));
    let tables = raw
        .tables
        .iter()
        .map(|(n, t)| (n.as_str(), &t.sql, "table"));
    let figures = raw
        .figures
        .iter()
        .map(|(n, f)| (n.as_str(), &f.sql, "figure"));
    let batch = raw
        .batch
        .iter()
        .filter_map(|b| b.get_ref().query.as_ref())
        .map(|q| ("batch", q, "batch query"));
    views.chain(tables).chain(figures).chain(batch).collect()
}

/// Which views and tables each query selects from.
#[derive(Debug, Default)]
pub(super) struct Deps<'a> {
    /// Each view's and table's, keyed by its name: the order they run in.
    pub between: BTreeMap<&'a str, Vec<&'a str>>,
    /// Each figure's, keyed by its name.
    pub figures: BTreeMap<&'a str, Vec<&'a str>>,
}

/// Parses every query and checks what it reads **before** any runs: only
/// declared sources, views, tables and `params` (see [`sql`]). Returns the
/// views and tables each query reads, or every refused query at once.
pub(super) fn check(spec: ComputePart<'_>) -> Result<Deps<'_>> {
    let raw = spec;
    let declared: BTreeSet<&str> = raw
        .sources
        .keys()
        .chain(raw.views.keys())
        .chain(raw.tables.keys())
        .map(String::as_str)
        .chain(["params"])
        .collect();
    let mut errors = Vec::new();
    let mut deps = Deps::default();
    let mut refused = BTreeSet::new();
    for (name, sql, what) in queries(spec) {
        let before = errors.len();
        let read = relations(spec, &declared, (name, sql, what), &mut errors);
        if errors.len() > before {
            refused.insert((what, name));
        }
        let Some(read) = read else {
            continue;
        };
        let on: Vec<&str> = read
            .iter()
            .filter_map(|r| {
                let view = raw.views.get_key_value(r).map(|(k, _)| k);
                view.or_else(|| raw.tables.get_key_value(r).map(|(k, _)| k))
            })
            .map(String::as_str)
            // A view or table named in its own query is an alias; a figure
            // has its own namespace, so `recent` may read the view `recent`.
            .filter(|d| what == "figure" || *d != name)
            .collect();
        match what {
            "view" | "table" => {
                deps.between.insert(name, on);
            }
            "figure" => {
                deps.figures.insert(name, on);
            }
            _ => {}
        }
    }
    // `[[checks]]` queries run in the same context: the same sandbox.
    for (i, check) in raw.checks.iter().enumerate() {
        let name = (i + 1).to_string();
        relations(
            spec,
            &declared,
            (&name, &check.get_ref().sql, "check"),
            &mut errors,
        );
    }
    // A refused table's order is beside the point.
    errors.extend(
        unordered(spec)
            .into_iter()
            .filter(|(what, name, _)| !refused.contains(&(*what, *name)))
            .map(|(_, _, e)| e),
    );
    errors.sort_by_key(Error::line_col);
    Error::collect(errors)?;
    Ok(deps)
}

/// Every table whose row order is not defined (see [`order`]): it would
/// print its rows in a different order from build to build; and every
/// figure that picks rows with `LIMIT` from rows in no defined order.
fn unordered(spec: ComputePart<'_>) -> Vec<(&'static str, &str, Error)> {
    let raw = spec;
    // Whether `name` (a source, table or view) has an order a plain
    // `SELECT … FROM name` keeps; views are followed, at most once each.
    let keeps_order = |name: &str| {
        let mut name = name.to_string();
        for _ in 0..=raw.views.len() {
            if raw.sources.contains_key(&name) || raw.tables.contains_key(&name) {
                return true;
            }
            match raw
                .views
                .get(&name)
                .and_then(|v| order::order_of(v.sql.get_ref()))
            {
                Some(Order::Sorted) => return true,
                Some(Order::As(from)) => name = from,
                _ => return false,
            }
        }
        false
    };
    let undefined = |sql: &str| match order::order_of(sql) {
        Some(Order::As(from)) => !keeps_order(&from),
        Some(Order::Undefined) => true,
        Some(Order::Sorted) | None => false,
    };
    let tables = raw
        .tables
        .iter()
        .filter(|(_, t)| undefined(t.sql.get_ref()))
        .map(|(name, t)| {
            let e = spec.error_at(
                ErrorKind::Query,
                format!("table `{name}` has no ORDER BY, so its rows could come out in a different order in each build"),
                t.sql.span(),
            )
            .with_hint("end the query with `ORDER BY` the columns that set the order, e.g. `ORDER BY incidents DESC, district`; rows that tie are then ordered by their columns, left to right");
            ("table", name.as_str(), e)
        });
    // A figure that picks rows with LIMIT picks by their order.
    let figures = raw
        .figures
        .iter()
        .filter(|(_, f)| order::limited(f.sql.get_ref()) && undefined(f.sql.get_ref()))
        .map(|(name, f)| {
            let e = spec.error_at(
                ErrorKind::Query,
                format!("figure `{name}` picks rows with LIMIT, but their order is not defined, so it could pick different rows in each build"),
                f.sql.span(),
            )
            .with_hint("add `ORDER BY` before the LIMIT (e.g. `ORDER BY incidents DESC, district LIMIT 1`), or select from a table, which has an order");
            ("figure", name.as_str(), e)
        });
    tables.chain(figures).collect()
}

/// What one query reads, or `None` with its refusals added to `errors`.
fn relations(
    spec: ComputePart<'_>,
    declared: &BTreeSet<&str>,
    (name, sql, what): (&str, &Spanned<String>, &str),
    errors: &mut Vec<Error>,
) -> Option<BTreeSet<String>> {
    let read = match sql::relations(sql.get_ref()) {
        Ok(read) => read,
        Err(problems) => {
            errors.extend(problems.iter().map(|p| refusal(spec, sql, what, name, p)));
            return None;
        }
    };
    for r in read.iter().filter(|r| !declared.contains(r.as_str())) {
        errors.push(undeclared(spec, sql, what, name, r, declared));
    }
    Some(read)
}

/// The byte range of `needle` inside the query's text in the spec (the
/// whole query if it cannot be found, e.g. behind an escape).
fn span_of(spec: ComputePart<'_>, sql: &Spanned<String>, needle: &str) -> std::ops::Range<usize> {
    let span = sql.span();
    let at = spec
        .file
        .text()
        .get(span.clone())
        .and_then(|t| t.find(needle));
    at.map_or(span.clone(), |i| {
        span.start + i..span.start + i + needle.len()
    })
}

fn refusal(
    spec: ComputePart<'_>,
    sql: &Spanned<String>,
    what: &str,
    name: &str,
    p: &Problem,
) -> Error {
    let (message, at, hint) = match p {
        Problem::Syntax(e) => (
            format!("cannot parse the SQL of {what} `{name}`: {e}"),
            sql.span(),
            "check the SQL syntax".to_string(),
        ),
        Problem::NotOneSelect(found) => (
            format!("{what} `{name}` must be one `SELECT` query, found `{found}`"),
            sql.span(),
            "queries only read: write a single `SELECT … FROM …` (a `WITH` clause is fine)"
                .to_string(),
        ),
        Problem::TableFunction(f) => (
            format!("{what} `{name}` calls the table function `{f}`: queries may only read declared sources"),
            span_of(spec, sql, f),
            "declare the file as a source under `[sources.NAME]` (with its columns) and select from `NAME`".to_string(),
        ),
        Problem::Qualified(q) => (
            format!("{what} `{name}` reads `{q}`, which is not a declared source"),
            span_of(spec, sql, q),
            "name a source, view or table without a prefix".to_string(),
        ),
    };
    spec.error_at(ErrorKind::Query, message, at).with_hint(hint)
}

fn undeclared(
    spec: ComputePart<'_>,
    sql: &Spanned<String>,
    what: &str,
    name: &str,
    relation: &str,
    declared: &BTreeSet<&str>,
) -> Error {
    let names: Vec<&str> = declared.iter().copied().collect();
    let hint = match crate::error::did_you_mean(relation, names.iter().copied()) {
        Some(c) => format!("did you mean `{c}`? Queries may only read declared sources, views, tables and `params`"),
        None => format!(
            "declare `{relation}` under `[sources]`, `[views]` or `[tables]`; {}",
            suggest(relation, &names, "names a query may read")
        ),
    };
    spec.error_at(
        ErrorKind::Query,
        format!("{what} `{name}` reads `{relation}`, which is not declared: queries may only read declared sources, views and tables"),
        span_of(spec, sql, relation),
    )
    .with_hint(hint)
}

/// Views and tables in an order where each comes after those it selects
/// from (`true` marks a view), given each one's dependencies from
/// [`check`]. Ties break by name, so the order is stable.
pub(super) fn query_order<'a>(
    spec: ComputePart<'a>,
    deps: &BTreeMap<&'a str, Vec<&'a str>>,
) -> Result<Vec<(&'a str, bool)>> {
    let mut done: Vec<(&str, bool)> = Vec::new();
    while done.len() < deps.len() {
        let ready = deps.keys().copied().find(|n| {
            !done.iter().any(|(d, _)| d == n)
                && deps[n].iter().all(|d| done.iter().any(|(x, _)| x == d))
        });
        let Some(next) = ready else {
            let name = deps
                .keys()
                .find(|n| !done.iter().any(|(d, _)| d == *n))
                .expect("a node is left");
            let sql = spec
                .views
                .get(*name)
                .map_or_else(|| &spec.tables[*name].sql, |v| &v.sql);
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
        done.push((next, spec.views.contains_key(next)));
    }
    Ok(done)
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
    spec: ComputePart<'_>,
    ctx: &mut SQLContext,
    sql: &Spanned<String>,
    columns: &[String],
    what: &str,
) -> Result<DataFrame> {
    crate::sql::run(ctx, sql.get_ref()).map_err(|e| query_error(spec, sql, columns, what, &e))
}

/// Turns a Polars error into one that points at the query in the spec and,
/// for a misspelt column (in any clause, however Polars wraps the error),
/// at the name itself with a "did you mean" and the columns there are.
pub(super) fn query_error(
    spec: ComputePart<'_>,
    sql: &Spanned<String>,
    columns: &[String],
    what: &str,
    e: &PolarsError,
) -> Error {
    let msg = first_line(e);
    let span = sql.span();
    if let PolarsError::ColumnNotFound(inner) = innermost(e) {
        if let Some(name) = quoted(inner) {
            let names: Vec<&str> = columns.iter().map(String::as_str).collect();
            let at = spec
                .file
                .text()
                .get(span.clone())
                .and_then(|t| identifier_at(t, &name));
            let range = at.map_or(span.clone(), |i| {
                span.start + i..span.start + i + name.len()
            });
            let valid = valid_columns(inner);
            let hint = if names.contains(&name.as_str()) {
                format!("`{name}` is a column of another source or view: check the `FROM` clause")
            } else {
                match (
                    crate::error::did_you_mean(&name, names.iter().copied()),
                    &valid,
                ) {
                    (Some(c), Some(v)) => format!("did you mean `{c}`? the columns there are {v}"),
                    (None, Some(v)) => format!("the columns there are {v}"),
                    (_, None) => suggest(&name, &names, "declared columns"),
                }
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

/// The error under Polars' context wrappers (a `WHERE` clause's unknown
/// column arrives wrapped; a `SELECT` list's does not).
fn innermost(e: &PolarsError) -> &PolarsError {
    match e {
        PolarsError::Context { error, .. } | PolarsError::ExprContext { error, .. } => {
            innermost(error)
        }
        e => e,
    }
}

/// Where `name` stands as a whole identifier in `sql` (not inside a longer
/// name or a `'string'`); the first such place.
fn identifier_at(sql: &str, name: &str) -> Option<usize> {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '\'');
    sql.match_indices(name).map(|(i, _)| i).find(|&i| {
        !word(sql[..i].chars().next_back()) && !word(sql[i + name.len()..].chars().next())
    })
}

/// The columns Polars lists as valid (`valid columns: ["a", "b"]`), quoted
/// for the hint; `None` if it lists none.
fn valid_columns(e: &impl std::fmt::Display) -> Option<String> {
    let text = e.to_string();
    let list = text.split("valid columns: [").nth(1)?.split(']').next()?;
    let names: Vec<String> = list
        .split(',')
        .map(|n| n.trim().trim_matches('"'))
        .filter(|n| !n.is_empty())
        .map(|n| format!("`{n}`"))
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

fn quoted(msg: &impl std::fmt::Display) -> Option<String> {
    let msg = msg.to_string();
    let start = msg.find('"')? + 1;
    let len = msg[start..].find('"')?;
    Some(msg[start..start + len].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;

    fn spec(queries: &str) -> Spec {
        crate::spec::SpecBuilder::new()
            .source("victims", "path = \"v.csv\"\ncolumns = { a = \"string\" }")
            .section(queries)
            .build()
    }

    #[test]
    fn a_string_literal_or_alias_makes_no_edge() {
        let s = spec(
            "[views.age_risk]\nsql = \"SELECT 'totals' AS totals FROM victims\"\n\
             [tables.totals]\nsql = \"SELECT 'age_risk' AS age_risk FROM victims AS age_risk\"\n",
        );
        let deps = check(s.compute_part()).unwrap().between;
        assert!(deps["totals"].is_empty(), "{deps:?}");
        assert!(deps["age_risk"].is_empty(), "{deps:?}");
        let s = spec(
            "[views.v]\nsql = \"SELECT a FROM victims\"\n[tables.t]\nsql = \"SELECT a FROM v\"\n",
        );
        let deps = check(s.compute_part()).unwrap().between;
        assert_eq!(deps["t"], ["v"]);
        assert_eq!(
            query_order(s.compute_part(), &deps).unwrap(),
            [("v", true), ("t", false)]
        );
    }

    #[test]
    fn an_unknown_column_is_found_as_a_whole_name_outside_strings() {
        let sql = "SELECT district_name FROM t WHERE name = 'district' AND district > 1";
        let at = identifier_at(sql, "district").unwrap();
        assert_eq!(&sql[at..at + 12], "district > 1");
        let e = || {
            PolarsError::ColumnNotFound(
                "unable to find column \"distrct\"; valid columns: [\"category\", \"district\"]"
                    .into(),
            )
        };
        let wrapped = e().context("in WHERE".into());
        assert!(matches!(
            innermost(&wrapped),
            PolarsError::ColumnNotFound(_)
        ));
        assert_eq!(
            valid_columns(&e()).as_deref(),
            Some("`category`, `district`")
        );
    }

    #[test]
    fn every_refused_query_is_reported_at_its_line() {
        let s = spec(
            "[tables.os]\nsql = \"SELECT * FROM read_csv('/etc/os-release')\"\n\
             [figures.pw]\nsql = \"SELECT count(*) FROM passwd\"\n",
        );
        let e = check(s.compute_part()).unwrap_err();
        assert_eq!(e.count(), 2, "{}", e.render());
        let lines: Vec<_> = e.all().map(|e| e.line_col().unwrap().0).collect();
        assert_eq!(lines, [15, 17]);
        assert!(e.message().contains("read_csv"), "{}", e.message());
        assert!(e.all().all(|e| e.kind() == ErrorKind::Query));
    }
}
