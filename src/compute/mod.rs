//! Figures and tables: the spec's Polars SQL queries, run over the sources
//! filtered to the report period, with parameters bound as a one-row
//! `params` table (values, never SQL text).
//!
//! [`period`] prepares the inputs, [`query`] orders and runs the queries,
//! [`value`] turns Polars results into the values templates see.

mod order;
mod period;
mod pushdown;
mod query;
mod shared;
mod split;
mod value;

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use polars::sql::SQLContext;

use crate::error::{Error, ErrorKind, Result};
use crate::params::{FinancialYear, Params};
use crate::source::Source;
use crate::spec::{ComputePart, PeriodFilter};

use crate::sql::{self, Frames};
pub(crate) use shared::{share, Results as SharedResults, SharedQueries};
pub(crate) use split::split_periods;
pub(crate) use value::Value;
pub(crate) use value::{Computed, DatabaseResult, Table, TableColumn};

/// The previous period's figures and tables, for comparisons, or why there
/// are none; as published, `T` is the published period.
#[derive(Debug, Clone, PartialEq)]
pub enum Previous<T = Computed> {
    /// The report has no `period` parameter.
    NotApplicable,
    /// The previous period has no data; `reason` says which file or source.
    Missing {
        /// The previous period.
        period: FinancialYear,
        /// Why there is nothing to compare with.
        reason: String,
    },
    /// Every figure and table, computed by the same queries.
    Computed {
        /// The previous period.
        period: FinancialYear,
        /// Its figures and tables.
        computed: Box<T>,
    },
}

impl<T> Previous<T> {
    /// The previous period, if the report has one.
    pub fn period(&self) -> Option<FinancialYear> {
        match self {
            Previous::NotApplicable => None,
            Previous::Missing { period, .. } | Previous::Computed { period, .. } => Some(*period),
        }
    }

    /// The previous period's results, if there are data for it.
    pub fn computed(&self) -> Option<&T> {
        match self {
            Previous::Computed { computed, .. } => Some(computed),
            _ => None,
        }
    }
}

/// Runs every query again for the period before `params`' period: the same
/// SQL over the sources filtered (or, for period-templated paths, read) for
/// that period, which `load` reads (given that period's params). Missing
/// data there is not an error, only a `Missing`. Returns the previous
/// period's sources too (for the manifest), so no file is read twice.
pub fn previous(
    spec: ComputePart<'_>,
    load: impl FnOnce(&Params) -> Result<BTreeMap<String, Source>>,
    params: &Params,
) -> Result<(Previous, BTreeMap<String, Source>)> {
    previous_sharing(spec, load, params, &SharedQueries::default())
}

/// [`previous`], taking what a batch `shared` (see [`SharedQueries`]).
pub(crate) fn previous_sharing(
    spec: ComputePart<'_>,
    load: impl FnOnce(&Params) -> Result<BTreeMap<String, Source>>,
    params: &Params,
    shared: &SharedQueries,
) -> Result<(Previous, BTreeMap<String, Source>)> {
    let loaded = previous_sources(load, params)?;
    previous_computed(spec, loaded, params, shared)
}

/// The previous period's sources, loaded (not yet computed): the first
/// half of [`previous`], so that a build can make both periods' frames of
/// a file in one pass ([`split_periods`]) before either computes.
#[derive(Debug)]
pub(crate) enum PreviousSources {
    /// The report has no `period` parameter.
    NotApplicable,
    /// The previous period's data could not be loaded (not an error).
    Missing(Previous),
    /// Loaded for `period`.
    Loaded {
        /// The previous period.
        period: FinancialYear,
        /// Its sources (most share the current period's files).
        sources: BTreeMap<String, Source>,
    },
}

impl PreviousSources {
    /// The loaded sources, if any.
    pub(crate) fn sources_mut(&mut self) -> Option<(FinancialYear, &mut BTreeMap<String, Source>)> {
        match self {
            PreviousSources::Loaded { period, sources } => Some((*period, sources)),
            _ => None,
        }
    }
}

/// Loads the previous period's sources with `load` (given that period's
/// params). Missing data is not an error, only a [`Previous::Missing`].
pub(crate) fn previous_sources(
    load: impl FnOnce(&Params) -> Result<BTreeMap<String, Source>>,
    params: &Params,
) -> Result<PreviousSources> {
    let Some(fy) = params.period() else {
        return Ok(PreviousSources::NotApplicable);
    };
    let period = fy.previous();
    match load(&params.with_period(period)) {
        Ok(sources) => Ok(PreviousSources::Loaded { period, sources }),
        Err(e) if e.kind() == ErrorKind::Data => Ok(PreviousSources::Missing(Previous::Missing {
            period,
            reason: e.message().to_string(),
        })),
        Err(e) => Err(e),
    }
}

/// Runs every query again for the previous period over its `loaded`
/// sources (the second half of [`previous`]).
pub(crate) fn previous_computed(
    spec: ComputePart<'_>,
    loaded: PreviousSources,
    params: &Params,
    shared: &SharedQueries,
) -> Result<(Previous, BTreeMap<String, Source>)> {
    let (period, previous_sources) = match loaded {
        PreviousSources::NotApplicable => return Ok((Previous::NotApplicable, BTreeMap::new())),
        PreviousSources::Missing(missing) => return Ok((missing, BTreeMap::new())),
        PreviousSources::Loaded { period, sources } => (period, sources),
    };
    let p = params.with_period(period);
    let previous = match compute_frames(spec, &previous_sources, &p, shared) {
        Ok((computed, _)) => Previous::Computed {
            period,
            computed: Box::new(computed),
        },
        Err(e) if e.kind() == ErrorKind::Data => Previous::Missing {
            period,
            reason: e.message().to_string(),
        },
        Err(e) => return Err(e),
    };
    Ok((previous, previous_sources))
}

/// The values a `[batch]` builds papers for: its `values`, or its `query`
/// run over the sources, views and tables computed for `params` (first
/// column, every row, in the query's order). Nulls and duplicates are
/// errors: each value is one paper.
pub(crate) fn batch_values(
    spec: ComputePart<'_>,
    sources: &BTreeMap<String, Source>,
    params: &Params,
    shared: &SharedQueries,
) -> Result<Vec<String>> {
    let Some(batch) = spec.batch else {
        return Ok(Vec::new());
    };
    let b = batch.get_ref();
    let (values, span) = match (&b.values, &b.query) {
        (Some(v), _) => (v.get_ref().clone(), v.span()),
        (None, Some(sql)) => {
            let (_, mut frames) = compute_frames(spec, sources, params, shared)?;
            let columns = query::known_columns(sources);
            let df = query::run(spec, &mut frames.ctx, sql, &columns, "the batch query")?;
            let Some(column) = df.columns().first() else {
                return Err(spec
                    .error_at(ErrorKind::Query, "the batch query returns no column", sql.span())
                    .with_hint("select the values, e.g. `SELECT DISTINCT district FROM … ORDER BY district`"));
            };
            let mut values = Vec::new();
            for i in 0..column.len() {
                let text = match column.get(i).map(value::to_value) {
                    Ok(Value::Text(s)) => Some(s),
                    Ok(Value::Int(n)) => Some(n.to_string()),
                    Ok(Value::Date(d)) => Some(d.to_string()),
                    Ok(Value::Bool(b)) => Some(b.to_string()),
                    _ => None,
                };
                match text {
                    None => {
                        return Err(spec
                            .error_at(ErrorKind::Query, format!("the batch query's row {} is null or a decimal number", i + 1), sql.span())
                            .with_hint("select text, whole numbers or dates, and filter nulls out (`WHERE … IS NOT NULL`): every value names one paper"))
                    }
                    Some(s) => values.push(s),
                }
            }
            (values, sql.span())
        }
        (None, None) => (Vec::new(), batch.span()),
    };
    if values.is_empty() {
        return Err(spec
            .error_at(
                ErrorKind::Data,
                "the batch has no values: no paper to build",
                span,
            )
            .with_hint("check the batch query's filter, or list `values`"));
    }
    Ok(values)
}

/// Runs one query: inside the database when it reads one database source
/// alone (see [`pushdown`]), else in Polars over the registered frames.
fn run(
    spec: ComputePart<'_>,
    sources: &BTreeMap<String, Source>,
    params: &Params,
    (ctx, columns): (&mut SQLContext, &[String]),
    (sql, what): (&toml::Spanned<String>, &str),
    database: &mut Vec<DatabaseResult>,
) -> Result<DataFrame> {
    let _timed = crate::timings::span(crate::timings::Stage::Query, || what.to_string());
    match pushdown::run(spec, sources, params, (sql, what), database)? {
        Some(df) => Ok(df),
        None => {
            // Never over a database source whose rows were left in the
            // database: that would be an empty table, not its data.
            let unfetched = |s: &Source| {
                let r = s.remote.as_ref();
                r.is_some_and(|r| r.fetched == crate::source::remote::Fetched::Nothing)
            };
            // Parsed again only when such a source exists (rarely).
            let left = sources
                .iter()
                .filter(|(_, s)| unfetched(s))
                .find(|(name, _)| {
                    sql::relations(sql.get_ref()).is_ok_and(|r| r.contains(name.as_str()))
                });
            if let Some((name, _)) = left {
                return Err(spec
                    .error_at(
                        ErrorKind::Internal,
                        format!("{what} reads database source `{name}`, whose rows stayed in the database, but could not run there"),
                        sql.span(),
                    )
                    .with_hint("this is a bug in boardpack; please report it with the spec"));
            }
            query::run(spec, ctx, sql, columns, what)
        }
    }
}

/// Checks every query before anything is read or run: each may only read
/// declared sources, views, tables and `params`; all refusals at once.
pub(crate) fn check_queries(spec: ComputePart<'_>) -> Result<()> {
    query::check(spec).map(|_| ())
}

/// Runs every figure and table query for `params`.
pub fn compute(
    spec: ComputePart<'_>,
    sources: &BTreeMap<String, Source>,
    params: &Params,
) -> Result<Computed> {
    compute_frames(spec, sources, params, &SharedQueries::default()).map(|(computed, _)| computed)
}

/// [`compute`], also returning the [`Frames`] the queries ran over; a
/// query whose result a batch `shared` (for this period and these very
/// sources) is taken from there instead of running again.
pub(crate) fn compute_frames(
    spec: ComputePart<'_>,
    sources: &BTreeMap<String, Source>,
    params: &Params,
    shared: &SharedQueries,
) -> Result<(Computed, Frames)> {
    // Nothing runs until every query has been checked.
    let deps = query::check(spec)?;
    let mut ctx = period_context(spec, sources, params)?;
    let columns = query::known_columns(sources);
    let mut out = Computed::default();
    let mut tables = BTreeMap::new();
    let reuse = shared.for_run(params.period(), sources);
    // Every broken query is reported at once. One that reads a broken view
    // or table is not run: its error would only repeat the first.
    let mut errors = Vec::new();
    let mut broken = BTreeSet::new();
    let reads_broken = |on: &[&str], broken: &BTreeSet<&str>| on.iter().any(|d| broken.contains(d));
    for (name, is_view) in query::query_order(spec, &deps.between)? {
        if reads_broken(&deps.between[name], &broken) {
            broken.insert(name);
            continue;
        }
        let (sql, what) = match is_view {
            true => (&spec.views[name].sql, format!("view `{name}`")),
            false => (&spec.tables[name].sql, format!("table `{name}`")),
        };
        if let Some(taken) = reuse.and_then(|r| r.frame(name)) {
            take(name, &what, taken, &mut ctx, (&mut out, &mut tables));
            continue;
        }
        // Ties broken by the columns: the same order (and the same rows
        // under a LIMIT) every build.
        let total = total_order(&mut ctx, sql);
        let sql = total.as_ref().unwrap_or(sql);
        let db = &mut out.database;
        let result = run(
            spec,
            sources,
            params,
            (&mut ctx, &columns),
            (sql, &what),
            db,
        )
        .and_then(|df| match is_view {
            true => Ok((df, None)),
            false => {
                let table = value::to_table(spec, name, &spec.tables[name], &df)?;
                Ok((df, Some(table)))
            }
        });
        match result {
            Ok((df, table)) => {
                ctx.register(name, df.clone().lazy());
                if let Some(table) = table {
                    out.tables.insert(name.to_string(), table);
                    tables.insert(name.to_string(), df);
                }
            }
            Err(e) => {
                errors.push(e);
                broken.insert(name);
            }
        }
    }
    let run_on = (&mut ctx, &columns[..]);
    compute_figures(
        spec,
        sources,
        params,
        run_on,
        (&deps, &broken, reuse),
        &mut out,
        &mut errors,
    );
    errors.sort_by_key(Error::line_col);
    Error::collect(errors)?;
    Ok((out, Frames { ctx, tables }))
}

/// A view's or table's result a batch shared, registered and kept as if
/// it had run here.
fn take(
    name: &str,
    what: &str,
    (df, table): (&DataFrame, Option<&Table>),
    ctx: &mut SQLContext,
    (out, tables): (&mut Computed, &mut BTreeMap<String, DataFrame>),
) {
    let _timed = shared::taken(what);
    ctx.register(name, df.clone().lazy());
    if let Some(table) = table {
        out.tables.insert(name.to_string(), table.clone());
        tables.insert(name.to_string(), df.clone());
    }
}

/// Each figure's query, run over the views and tables `ctx` holds, into
/// `out`; every failure into `errors`. A figure that reads a broken view or
/// table is not run: its error would only repeat that one's.
#[allow(clippy::too_many_arguments)]
fn compute_figures(
    spec: ComputePart<'_>,
    sources: &BTreeMap<String, Source>,
    params: &Params,
    (ctx, columns): (&mut SQLContext, &[String]),
    (deps, broken, reuse): (&query::Deps, &BTreeSet<&str>, Option<&shared::Results>),
    out: &mut Computed,
    errors: &mut Vec<Error>,
) {
    for (name, decl) in spec.figures {
        if deps.figures[name.as_str()]
            .iter()
            .any(|d| broken.contains(d))
        {
            continue;
        }
        let what = format!("figure `{name}`");
        if let Some(value) = reuse.and_then(|r| r.figure(name)) {
            let _timed = shared::taken(&what);
            out.figures.insert(name.clone(), value.clone());
            continue;
        }
        let total = total_order(ctx, &decl.sql);
        let value = run(
            spec,
            sources,
            params,
            (&mut *ctx, columns),
            (total.as_ref().unwrap_or(&decl.sql), &what),
            &mut out.database,
        )
        .and_then(|df| figure_value(spec, name, decl, &df));
        match value {
            Ok(value) => {
                out.figures.insert(name.clone(), value);
            }
            Err(e) => errors.push(e),
        }
    }
}

/// A query with every output column appended to its `ORDER BY`
/// (see [`order`]); `None` if it has no `ORDER BY` list, or does not run
/// (its error is reported from the query as written).
fn total_order(ctx: &mut SQLContext, sql: &toml::Spanned<String>) -> Option<toml::Spanned<String>> {
    // The columns are planned for only when there is an ORDER BY to complete.
    let names = || {
        let schema = ctx
            .execute(&crate::sql::expand(sql.get_ref()))
            .ok()?
            .collect_schema()
            .ok()?;
        Some(schema.iter_names().map(|n| n.to_string()).collect())
    };
    order::total(sql.get_ref(), names).map(|t| toml::Spanned::new(sql.span(), t))
}

/// The context the queries run in: every source filtered to the period,
/// and `params`; or, if a period-filtered source has no rows in the
/// period, the error naming every such file; or, if one has months of the
/// period without rows (and is not declared `sparse`), an error for each.
fn period_context(
    spec: ComputePart<'_>,
    sources: &BTreeMap<String, Source>,
    params: &Params,
) -> Result<SQLContext> {
    let ctx = SQLContext::new();
    let mut empty = Vec::new();
    let mut gaps = Vec::new();
    for (name, source) in sources {
        let (frame, coverage) = period::filtered_once(source, params.period())?;
        if let (Some(fy), Some((column, PeriodFilter::Period)), Some(coverage)) =
            (params.period(), &source.period_column, coverage)
        {
            // A database source's rows were counted by the database.
            let remote = source.remote.as_ref().and_then(|r| r.coverage.as_ref());
            let (covers, coverage) = match remote {
                Some(c) => {
                    let rows = usize::try_from(c.in_period).unwrap_or(usize::MAX);
                    let months = c.months;
                    let counted = period::Coverage { rows, months };
                    (period::remote_empty(source, column, c), counted)
                }
                None => (period::empty_in_period(source, column, coverage), coverage),
            };
            let sparse = spec.sources.get(name).is_some_and(|d| d.sparse.is_some());
            match covers {
                Some(covers) => empty.push((source, covers)),
                None if !sparse => {
                    let months = period::empty_months(coverage, fy);
                    if !months.is_empty() {
                        gaps.push(period::months_missing(fy, source, &months));
                    }
                }
                None => {}
            }
        }
        ctx.register(name, frame);
    }
    if let (Some(fy), false) = (params.period(), empty.is_empty()) {
        return Err(period::no_data(fy, &empty));
    }
    Error::collect(gaps)?;
    ctx.register("params", period::params_frame(params).lazy());
    Ok(ctx)
}

/// A figure's value: its query must return one row and one column (its
/// `format` was resolved as the spec was loaded).
fn figure_value(
    spec: ComputePart<'_>,
    name: &str,
    decl: &crate::spec::FigureDecl,
    df: &DataFrame,
) -> Result<Value> {
    if df.height() != 1 || df.width() != 1 {
        return Err(spec
            .error_at(
                ErrorKind::Query,
                format!(
                    "figure `{name}` must return one row and one column, got {} row(s) × {} column(s)",
                    df.height(),
                    df.width()
                ),
                decl.sql.span(),
            )
            .with_hint("aggregate to a single value, or declare it under `[tables]`"));
    }
    let value = df.columns()[0]
        .get(0)
        .map(value::to_value)
        .unwrap_or(Value::Null);
    if let Value::Float(x) = value {
        if !x.is_finite() {
            return Err(spec
                .error_at(
                    ErrorKind::Query,
                    format!("figure `{name}` is not a finite number ({x})"),
                    decl.sql.span(),
                )
                .with_hint(value::NOT_FINITE_HINT));
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_that_tie_come_out_in_one_order_whatever_order_they_went_in() {
        let sql = toml::Spanned::new(0..0, "SELECT a, b FROM t ORDER BY a DESC".to_string());
        let run = |b: [&str; 3]| {
            let mut ctx = SQLContext::new();
            let t = df!("a" => [1i64, 2, 1], "b" => b).unwrap();
            ctx.register("t", t.lazy());
            let total = total_order(&mut ctx, &sql).expect("it has an ORDER BY list");
            let out = ctx.execute(total.get_ref()).unwrap().collect().unwrap();
            let b = out.column("b").unwrap().str().unwrap();
            b.iter().map(|v| v.unwrap().to_string()).collect::<Vec<_>>()
        };
        // `a` ties on 1: the tied rows are ordered by `b`, however they arrive.
        assert_eq!(run(["y", "m", "x"]), ["m", "x", "y"]);
        assert_eq!(run(["x", "m", "y"]), ["m", "x", "y"]);
    }
}
