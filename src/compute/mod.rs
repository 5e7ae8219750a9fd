//! Figures and tables: the spec's Polars SQL queries, run over the sources
//! filtered to the report period, with parameters bound as a one-row
//! `params` table (values, never SQL text).
//!
//! [`period`] prepares the inputs, [`query`] orders and runs the queries,
//! [`value`] turns Polars results into the values templates see.

mod period;
mod query;
mod value;

use std::collections::BTreeMap;

use polars::prelude::*;
use polars::sql::SQLContext;

use crate::error::{ErrorKind, Result};
use crate::params::Params;
use crate::source::Source;
use crate::spec::{PeriodFilter, Spec};

pub use value::{parse_format, Computed, Format, Table, TableColumn, Value};

/// Runs every figure and table query for `params`.
pub fn compute(
    spec: &Spec,
    sources: &BTreeMap<String, Source>,
    params: &Params,
) -> Result<Computed> {
    let mut ctx = SQLContext::new();
    for (name, source) in sources {
        let frame = period::period_frame(source, params.period());
        if let (Some(fy), Some((column, PeriodFilter::Period))) =
            (params.period(), &source.period_column)
        {
            period::ensure_rows(source, column, fy, frame.clone())?;
        }
        ctx.register(name, frame);
    }
    ctx.register("params", period::params_frame(params).lazy());
    let columns = query::known_columns(sources);
    let mut out = Computed::default();
    for (name, is_view) in query::query_order(spec)? {
        if is_view {
            let sql = &spec.raw.views[name].sql;
            let df = query::run(spec, &mut ctx, sql, &columns, &format!("view `{name}`"))?;
            ctx.register(name, df.lazy());
        } else {
            let decl = &spec.raw.tables[name];
            let df = query::run(
                spec,
                &mut ctx,
                &decl.sql,
                &columns,
                &format!("table `{name}`"),
            )?;
            out.tables
                .insert(name.to_string(), value::to_table(spec, name, decl, &df)?);
            ctx.register(name, df.lazy());
        }
    }
    for (name, decl) in &spec.raw.figures {
        let df = query::run(
            spec,
            &mut ctx,
            &decl.sql,
            &columns,
            &format!("figure `{name}`"),
        )?;
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
        out.figures.insert(name.clone(), value);
    }
    Ok(out)
}
