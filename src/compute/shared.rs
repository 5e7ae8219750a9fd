//! What a batch's papers share: the views, tables and figures that read no
//! parameter, computed once per period for the whole batch and taken by
//! every paper instead of running them again.
//!
//! A query is shared only when nothing a paper's value can change reaches
//! it: it does not name `params` (anywhere, even shadowed by a `WITH
//! params AS …`), nor a database source (its rows depend on what the
//! database returns for the paper's query), nor a view or table that is not
//! shared itself. The period is the other parameter every query reads
//! (through the period filter), so the results are kept per period; and a
//! paper takes them only when its sources are the very files the batch read
//! (a source whose path names the batch value is a file of its own).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use polars::prelude::*;

use super::query::{self, Deps};
use super::value::{self, Table, Value};
use crate::params::{FinancialYear, Params};
use crate::source::Source;
use crate::spec::ComputePart;
use crate::timings::{self, Stage as T};

/// The shared results of each period a batch computed.
#[derive(Debug, Default)]
pub(crate) struct SharedQueries {
    periods: Vec<(Option<FinancialYear>, Results)>,
}

/// The shared results of one period.
#[derive(Debug, Default)]
pub(crate) struct Results {
    /// Each source they were computed from: its file and hash.
    sources: BTreeMap<String, (PathBuf, String)>,
    /// Each shared view's and table's frame.
    frames: BTreeMap<String, DataFrame>,
    /// Each shared table, as compute gives it.
    tables: BTreeMap<String, Table>,
    /// Each shared figure.
    figures: BTreeMap<String, Value>,
}

impl SharedQueries {
    /// Keeps `results`, computed for `period`.
    pub(crate) fn insert(&mut self, period: Option<FinancialYear>, results: Results) {
        self.periods.push((period, results));
    }

    /// The results computed for `period` from these very `sources` (the
    /// same names, files and hashes), if any.
    pub(super) fn for_run(
        &self,
        period: Option<FinancialYear>,
        sources: &BTreeMap<String, Source>,
    ) -> Option<&Results> {
        let same = |r: &Results| {
            r.sources.len() == sources.len()
                && sources.iter().all(|(name, s)| {
                    r.sources
                        .get(name)
                        .is_some_and(|(path, hash)| *path == s.path && *hash == s.blake3)
                })
        };
        self.periods
            .iter()
            .find(|(p, r)| *p == period && same(r))
            .map(|(_, r)| r)
    }
}

impl Results {
    /// The shared frame of view or table `name`, and its table.
    pub(super) fn frame(&self, name: &str) -> Option<(&DataFrame, Option<&Table>)> {
        let df = self.frames.get(name)?;
        Some((df, self.tables.get(name)))
    }

    /// The shared value of figure `name`.
    pub(super) fn figure(&self, name: &str) -> Option<&Value> {
        self.figures.get(name)
    }
}

/// The views and tables (`between`) and the figures that read no
/// parameter, given what each query reads ([`query::check`]) and the order
/// views and tables run in.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Independent<'a> {
    pub between: BTreeSet<&'a str>,
    pub figures: BTreeSet<&'a str>,
}

/// Which queries read no parameter (see the module docs); `remote` names
/// the database sources.
pub(super) fn independent<'a>(
    spec: ComputePart<'a>,
    deps: &Deps<'a>,
    order: &[(&'a str, bool)],
    remote: &BTreeSet<&str>,
) -> Independent<'a> {
    let free = |sql: &str| {
        !crate::sql::names_relation(sql, "params")
            && !remote.iter().any(|r| crate::sql::names_relation(sql, r))
    };
    let mut out = Independent::default();
    for &(name, is_view) in order {
        let sql = match is_view {
            true => &spec.views[name].sql,
            false => &spec.tables[name].sql,
        };
        let on = &deps.between[name];
        if on.iter().all(|d| out.between.contains(d)) && free(sql.get_ref()) {
            out.between.insert(name);
        }
    }
    for (name, decl) in spec.figures {
        let on = &deps.figures[name.as_str()];
        if on.iter().all(|d| out.between.contains(d)) && free(decl.sql.get_ref()) {
            out.figures.insert(name.as_str());
        }
    }
    out
}

/// Computes, for `params`' period, every query that reads no parameter,
/// exactly as a paper would (the same context, order and row order). A
/// query that fails is left out (each paper runs it and reports its
/// error), and so is all that reads it; so is everything if the period's
/// data are refused.
pub(crate) fn share(
    spec: ComputePart<'_>,
    sources: &BTreeMap<String, Source>,
    params: &Params,
) -> Results {
    let mut out = Results {
        sources: sources
            .iter()
            .map(|(n, s)| (n.clone(), (s.path.clone(), s.blake3.clone())))
            .collect(),
        ..Results::default()
    };
    let Ok(deps) = query::check(spec) else {
        return out;
    };
    let Ok(order) = query::query_order(spec, &deps.between) else {
        return out;
    };
    let remote: BTreeSet<&str> = sources
        .iter()
        .filter(|(_, s)| s.remote.is_some())
        .map(|(n, _)| n.as_str())
        .collect();
    let free = independent(spec, &deps, &order, &remote);
    if free.between.is_empty() && free.figures.is_empty() {
        return out;
    }
    let Ok(mut ctx) = super::period_context(spec, sources, params) else {
        return out;
    };
    let columns = query::known_columns(sources);
    for (name, is_view) in order {
        let ready = deps.between[name]
            .iter()
            .all(|d| out.frames.contains_key(*d));
        if !free.between.contains(name) || !ready {
            continue;
        }
        let (sql, what) = match is_view {
            true => (&spec.views[name].sql, format!("view `{name}`")),
            false => (&spec.tables[name].sql, format!("table `{name}`")),
        };
        let total = super::total_order(&mut ctx, sql);
        let sql = total.as_ref().unwrap_or(sql);
        let Some(df) = run(spec, sources, params, (&mut ctx, &columns), (sql, &what)) else {
            continue;
        };
        if !is_view {
            let Ok(table) = value::to_table(spec, name, &spec.tables[name], &df) else {
                continue;
            };
            out.tables.insert(name.to_string(), table);
        }
        ctx.register(name, df.clone().lazy());
        out.frames.insert(name.to_string(), df);
    }
    for (name, decl) in spec.figures {
        let ready = deps.figures[name.as_str()]
            .iter()
            .all(|d| out.frames.contains_key(*d));
        if !free.figures.contains(name.as_str()) || !ready {
            continue;
        }
        let what = format!("figure `{name}`");
        let total = super::total_order(&mut ctx, &decl.sql);
        let sql = total.as_ref().unwrap_or(&decl.sql);
        let value = run(spec, sources, params, (&mut ctx, &columns), (sql, &what))
            .and_then(|df| super::figure_value(spec, name, decl, &df).ok());
        if let Some(value) = value {
            out.figures.insert(name.clone(), value);
        }
    }
    out
}

/// One query as a paper runs it, or `None` if it fails (or, which cannot
/// happen for a query that reads no database source, ran in a database).
fn run(
    spec: ComputePart<'_>,
    sources: &BTreeMap<String, Source>,
    params: &Params,
    on: (&mut polars::sql::SQLContext, &[String]),
    (sql, what): (&toml::Spanned<String>, &str),
) -> Option<DataFrame> {
    let mut database = Vec::new();
    let what = format!("{what}, once for the batch");
    let df = super::run(spec, sources, params, on, (sql, &what), &mut database).ok()?;
    database.is_empty().then_some(df)
}

/// The timing line of a result a paper took from the batch.
pub(super) fn taken(what: &str) -> timings::Span {
    timings::span(T::Query, || format!("{what}, the batch's (computed once)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;

    fn spec(queries: &str) -> Spec {
        crate::spec::SpecBuilder::new()
            .source(
                "victims",
                "path = \"v.csv\"\ncolumns = { district = \"string\" }",
            )
            .section("[params.district]\ntype = \"string\"\ndefault = \"All\"\n")
            .section(queries)
            .build()
    }

    fn free(part: ComputePart<'_>, remote: &[&str]) -> (Vec<String>, Vec<String>) {
        let deps = query::check(part).unwrap();
        let order = query::query_order(part, &deps.between).unwrap();
        let remote: BTreeSet<&str> = remote.iter().copied().collect();
        let i = independent(part, &deps, &order, &remote);
        let names = |set: BTreeSet<&str>| set.into_iter().map(String::from).collect();
        (names(i.between), names(i.figures))
    }

    #[test]
    fn a_query_that_reads_params_is_never_shared_nor_anything_that_reads_it() {
        let s = spec(
            "[views.county]\nsql = \"SELECT district FROM victims\"\n\
             [views.mine]\nsql = \"SELECT county.* FROM county CROSS JOIN params WHERE county.district = params.district\"\n\
             [views.banded]\nsql = \"SELECT * FROM mine\"\n\
             [views.deeper]\nsql = \"SELECT * FROM (SELECT * FROM banded) AS b\"\n\
             [tables.t]\nsql = \"SELECT district FROM deeper ORDER BY district\"\n\
             [tables.whole]\nsql = \"SELECT district FROM county ORDER BY district\"\n\
             [figures.n]\nsql = \"SELECT COUNT(*) AS n FROM deeper\"\n\
             [figures.all]\nsql = \"SELECT COUNT(*) AS n FROM county\"\n\
             [figures.scaled]\nsql = \"SELECT COUNT(*) * (SELECT COUNT(*) FROM params) AS n FROM county\"\n",
        );
        let (between, figures) = free(s.compute_part(), &[]);
        assert_eq!(between, ["county", "whole"]);
        assert_eq!(figures, ["all"]);
    }

    #[test]
    fn a_cte_named_params_or_a_database_source_is_not_shared() {
        let s = spec(
            "[views.shadow]\nsql = \"WITH params AS (SELECT district FROM victims) SELECT * FROM params\"\n\
             [views.plain]\nsql = \"SELECT district FROM victims\"\n",
        );
        assert_eq!(free(s.compute_part(), &[]).0, ["plain"]);
        assert!(free(s.compute_part(), &["victims"]).0.is_empty());
    }
}
