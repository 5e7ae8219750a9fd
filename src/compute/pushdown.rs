//! Query pushdown, the running half: a query the translator
//! ([`crate::source::pushdown`], which also says what is pushed down) could
//! translate runs inside the database, and its result is cast to the types
//! Polars gives the same query over the declared schema.

use std::collections::BTreeMap;

use polars::prelude::*;
use polars::sql::SQLContext;

use super::value::DatabaseResult;
use crate::error::{ErrorKind, Result};
use crate::params::Params;
use crate::source::database;
use crate::source::pushdown::translate;
use crate::source::Source;
use crate::spec::ComputePart;

/// Runs `sql` inside the database if it can be pushed down (see the module
/// docs), returning its result cast to the types Polars would give and
/// recording what was sent in `log`; `Ok(None)` means "run it in Polars".
pub(super) fn run(
    spec: ComputePart<'_>,
    sources: &BTreeMap<String, Source>,
    params: &Params,
    (sql, what): (&toml::Spanned<String>, &str),
    log: &mut Vec<DatabaseResult>,
) -> Result<Option<DataFrame>> {
    // Only a database source can take a query: without one, the query is
    // not parsed again to find out (a paper runs some forty).
    if sources.values().all(|s| s.remote.is_none()) {
        return Ok(None);
    }
    let dialect = crate::source::remote::dialect();
    let Some(p) = translate(&spec.sources_part(), sql.get_ref(), dialect) else {
        return Ok(None);
    };
    let Some((source, remote)) = sources
        .get(&p.source)
        .and_then(|s| s.remote.as_ref().map(|r| (s, r)))
    else {
        return Ok(None);
    };
    // The types (and names) Polars gives the same query over the declared
    // schema; its errors are the file path's errors, word for word.
    let mut ctx = SQLContext::new();
    ctx.register(&p.source, source.frame.clear().lazy());
    ctx.register("params", super::period::params_frame(params).lazy());
    let columns = super::query::known_columns(sources);
    let schema = ctx
        .execute(&crate::sql::expand(sql.get_ref()))
        .and_then(|mut lf| lf.collect_schema())
        .map_err(|e| super::query::query_error(spec, sql, &columns, what, &e))?;
    let pulled = remote.pull(&p.source, &p, params.period()).map_err(|e| {
        spec.error_at(
            ErrorKind::Query,
            format!("{what} failed in PostgreSQL: {}", e.message),
            sql.span(),
        )
        .with_hint(format!(
            "it ran inside the database of source `{}`; check the server (`{}`) and the query",
            p.source, remote.url_env
        ))
    })?;
    let mut df = database::to_frame(pulled.rows, &schema).map_err(|e| {
        spec.error_at(
            ErrorKind::Internal,
            format!(
                "{what}: PostgreSQL's result does not fit the types Polars gives it: {}",
                crate::source::first_line(&e)
            ),
            sql.span(),
        )
    })?;
    let rows = df.height() as u64;
    if let Some(tail) = &p.tail {
        let mut ctx = SQLContext::new();
        ctx.register("__pushed", df.lazy());
        df = ctx
            .execute(&format!("SELECT * FROM __pushed {tail}"))
            .and_then(LazyFrame::collect)
            .map_err(|e| super::query::query_error(spec, sql, &columns, what, &e))?;
    }
    log.push(DatabaseResult {
        source: p.source.clone(),
        query: what.replace('`', ""),
        sql: pulled.sql,
        params: pulled.params,
        rows,
        blake3: database::result_hash(&df),
    });
    Ok(Some(df))
}
