//! Query pushdown, the planning half: a view, table or figure whose SQL reads one database
//! source runs **inside the database**, so only its result comes back.
//!
//! The query is parsed with the parser Polars SQL uses and translated from
//! its syntax tree, never by editing text (the query runs from
//! `compute::pushdown`; which rows a source must fetch is decided here). Only constructs whose result is
//! provably the same in PostgreSQL and in Polars are translated; any other
//! query returns `None` here and runs in Polars over the source's rows (which
//! are then streamed in, still filtered to the period by the database). What
//! is pushed down:
//!
//! - one `SELECT` from the one source (an alias is fine), no joins, `WITH`,
//!   `DISTINCT`, `HAVING`, window functions or subqueries;
//! - `WHERE`: `AND`/`OR`/`NOT`, a `bool` column, `IS [NOT] NULL`,
//!   `=`/`<>`/`<`/`<=`/`>`/`>=` between a column and a column or literal of
//!   the same type (`int`, `date`, `bool`, or `string` compared byte-wise as
//!   Polars does, with `COLLATE "C"`), `IN (…)` of literals on a required
//!   column; integer and plain string literals only (a `1.5` is `numeric` in
//!   PostgreSQL and a float in Polars);
//! - `GROUP BY` plain columns; output columns that are grouped columns or
//!   `COUNT(*)`, `COUNT([DISTINCT] column)` of a required column,
//!   `MIN`/`MAX` of an `int`, `date` or `string` column (byte-wise) or of
//!   `CAST(bool_column AS INT)`;
//! - `ORDER BY` output columns and `LIMIT n` (with an `ORDER BY`), which
//!   then run in Polars over the returned rows, so ties and nulls order
//!   exactly as in the file path.
//!
//! No arithmetic (integer division, overflow), `AVG`/`SUM` (`numeric`
//! results), `ROUND`, float comparisons or text functions are pushed down.
//! The period filter becomes `period_column >= CAST($1 AS date) AND
//! period_column <= CAST($2 AS date)` on the source's rows, with the bounds
//! bound as parameters. Result types are then cast to the types Polars
//! gives the same query over an empty frame of the declared schema (a
//! `COUNT` is `bigint` in PostgreSQL and `u32` in Polars).

mod expr;

use std::collections::BTreeMap;

use sqlparser::ast::{
    Expr, GroupByExpr, LimitClause, OrderByKind, Query, Select, SelectItem, SetExpr, Statement,
    TableFactor, Value,
};

use self::expr::{Scope, Ty};
use super::database::Dialect;
use crate::spec::{ColumnType, SourceDecl, SourcesPart, Spec};

/// A query translated for the database.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pushdown {
    /// The database source it reads.
    pub source: String,
    /// The translated output columns (after `SELECT`).
    select: String,
    /// What follows the relation: ` WHERE …`, ` GROUP BY …`.
    rest: String,
    /// `ORDER BY …` / `LIMIT n`, run in Polars over the returned rows as
    /// `SELECT * FROM __pushed …`.
    pub tail: Option<String>,
}

impl Pushdown {
    /// The SQL sent, reading `relation` (a parenthesised subquery with an
    /// alias, e.g. `(SELECT … FROM "victims" WHERE …) AS "victims"`).
    pub(crate) fn sql(&self, relation: &str) -> String {
        format!("SELECT {} FROM {relation}{}", self.select, self.rest)
    }
}

/// Translates `sql` for the database if it reads exactly one database
/// source of `spec` (and nothing else) using only constructs listed in the
/// module docs; `None` means "run it in Polars".
pub(crate) fn translate(part: &SourcesPart, sql: &str, dialect: &dyn Dialect) -> Option<Pushdown> {
    let statements = crate::sql::parse(sql).ok()?;
    let [Statement::Query(query)] = statements.as_slice() else {
        return None;
    };
    let tail = tail(query)?;
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    let (source, alias) = single_source(part.sources, select)?;
    let decl = &part.sources[&source];
    let scope = Scope {
        columns: columns(decl),
        names: [Some(source.clone()), alias]
            .into_iter()
            .flatten()
            .collect(),
        dialect,
    };
    let (items, names) = projection(&scope, select)?;
    if let Some(order) = &tail.1 {
        // Only output columns can be ordered in Polars afterwards.
        if !order
            .iter()
            .all(|n| names.iter().any(|o| o.as_deref() == Some(n)))
        {
            return None;
        }
    }
    let mut rest = String::new();
    if let Some(w) = &select.selection {
        let (w, ty) = scope.expr(w)?;
        if ty != (Ty::Bool, false) {
            return None;
        }
        rest += &format!(" WHERE {w}");
    }
    if let Some(g) = group_by(&scope, select)? {
        rest += &format!(" GROUP BY {g}");
    }
    Some(Pushdown {
        source,
        select: items.join(", "),
        rest,
        tail: tail.0,
    })
}

/// Which rows of a database source the build needs in Polars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// None: every query reading it runs inside the database.
    Nothing,
    /// Those in the period: some query reading it runs in Polars.
    Period,
    /// Every row: declared checks (or a foreign key) read it.
    All,
}

/// Which rows of database source `name` must come back, given which
/// queries and checks read it.
pub(crate) fn rows_needed(spec: &Spec, name: &str, dialect: &dyn Dialect) -> Need {
    let raw = spec;
    let prefix = format!("{name}.");
    let foreign = raw
        .tables
        .values()
        .flat_map(|t| &t.checks)
        .chain(raw.sources.values().flat_map(|s| &s.checks))
        .filter_map(|c| c.get_ref().foreign_key.as_ref())
        .any(|f| f.get_ref().starts_with(&prefix));
    if foreign || !raw.sources[name].checks.is_empty() {
        return Need::All;
    }
    let reads = |sql: &str| match crate::sql::relations(sql) {
        Ok(r) => r.contains(name),
        Err(_) => true,
    };
    // `[[checks]]` read the period's rows in Polars.
    let checks = raw.checks.iter().any(|c| reads(c.get_ref().sql.get_ref()));
    let views = raw.views.values().map(|v| &v.sql);
    let tables = raw.tables.values().map(|t| &t.sql);
    let figures = raw.figures.values().map(|f| &f.sql);
    let polars = views
        .chain(tables)
        .chain(figures)
        .map(|s| s.get_ref())
        .filter(|s| reads(s))
        .any(|s| translate(&spec.sources_part(), s, dialect).is_none_or(|p| p.source != name));
    if checks || polars {
        Need::Period
    } else {
        Need::Nothing
    }
}

fn columns(decl: &SourceDecl) -> BTreeMap<String, (ColumnType, bool)> {
    decl.columns
        .iter()
        .map(|(k, v)| (k.get_ref().clone(), (v.get_ref().ty, v.get_ref().nullable)))
        .collect()
}

/// `(ORDER BY … LIMIT …, the ordered names)`, `Some((None, None))` without
/// either; `None` if the query has anything else around its `SELECT`.
#[allow(clippy::type_complexity)]
fn tail(q: &Query) -> Option<(Option<String>, Option<Vec<String>>)> {
    let plain = q.with.is_none()
        && q.fetch.is_none()
        && q.locks.is_empty()
        && q.for_clause.is_none()
        && q.settings.is_none()
        && q.format_clause.is_none()
        && q.pipe_operators.is_empty();
    if !plain {
        return None;
    }
    let mut names = None;
    let mut text = String::new();
    if let Some(order) = &q.order_by {
        let OrderByKind::Expressions(exprs) = &order.kind else {
            return None;
        };
        if order.interpolate.is_some() {
            return None;
        }
        let mut ordered = Vec::new();
        for e in exprs {
            match &e.expr {
                Expr::Identifier(id) if e.with_fill.is_none() => ordered.push(id.value.clone()),
                _ => return None,
            }
        }
        names = Some(ordered);
        text += &order.to_string();
    }
    if let Some(limit) = &q.limit_clause {
        let LimitClause::LimitOffset {
            limit: Some(Expr::Value(v)),
            offset: None,
            limit_by,
        } = limit
        else {
            return None;
        };
        let whole = matches!(&v.value, Value::Number(n, _) if n.parse::<u64>().is_ok());
        if !whole || !limit_by.is_empty() || names.is_none() {
            return None;
        }
        text += &format!(" LIMIT {}", v.value);
    }
    Some(((!text.is_empty()).then_some(text), names))
}

/// The one database source a `SELECT` reads, and its alias.
fn single_source(
    sources: &BTreeMap<String, SourceDecl>,
    s: &Select,
) -> Option<(String, Option<String>)> {
    let plain = s.distinct.is_none()
        && s.top.is_none()
        && s.into.is_none()
        && s.exclude.is_none()
        && s.lateral_views.is_empty()
        && s.prewhere.is_none()
        && s.connect_by.is_empty()
        && s.cluster_by.is_empty()
        && s.distribute_by.is_empty()
        && s.sort_by.is_empty()
        && s.having.is_none()
        && s.named_window.is_empty()
        && s.qualify.is_none()
        && s.value_table_mode.is_none();
    let [from] = s.from.as_slice() else {
        return None;
    };
    if !plain || !from.joins.is_empty() {
        return None;
    }
    let TableFactor::Table {
        name,
        alias,
        args: None,
        with_hints,
        version: None,
        partitions,
        sample: None,
        index_hints,
        ..
    } = &from.relation
    else {
        return None;
    };
    if !with_hints.is_empty() || !partitions.is_empty() || !index_hints.is_empty() {
        return None;
    }
    let [part] = name.0.as_slice() else {
        return None;
    };
    let table = part.as_ident()?.value.clone();
    let decl = sources.get(&table)?;
    if !decl.is_database() {
        return None;
    }
    let alias = match alias {
        Some(a) if !a.columns.is_empty() => return None,
        Some(a) => Some(a.name.value.clone()),
        None => None,
    };
    Some((table, alias))
}

/// The translated output columns and each one's name (alias or column).
#[allow(clippy::type_complexity)]
fn projection(scope: &Scope, s: &Select) -> Option<(Vec<String>, Vec<Option<String>>)> {
    let grouped = group_columns(s)?;
    let mut items = Vec::new();
    let mut names = Vec::new();
    for item in &s.projection {
        let (e, alias) = match item {
            SelectItem::UnnamedExpr(e) => (e, None),
            SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.clone())),
            _ => return None,
        };
        let (sql, (_, agg)) = scope.expr(e)?;
        let column = scope.column_name(e);
        if !agg {
            // Without aggregates nothing may be grouped; with them a plain
            // column must be a grouped one.
            let ok = match (&grouped, &column) {
                (Some(g), Some(c)) => g.contains(c),
                (None, _) => true,
                (Some(_), None) => false,
            };
            if !ok {
                return None;
            }
        }
        let i = items.len() + 1;
        items.push(format!(
            "{sql} AS {}",
            scope.dialect.ident(&format!("c{i}"))
        ));
        names.push(alias.or(column));
    }
    let aggs = s
        .projection
        .iter()
        .filter_map(|i| match i {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                scope.expr(e).map(|(_, (_, agg))| agg)
            }
            _ => None,
        })
        .filter(|a| *a)
        .count();
    // A plain column beside an aggregate without GROUP BY is an error in
    // both; leave it to Polars to say so.
    if grouped.is_none() && aggs != 0 && aggs != items.len() {
        return None;
    }
    Some((items, names))
}

/// The grouped column names (`None` without `GROUP BY`).
fn group_columns(s: &Select) -> Option<Option<Vec<String>>> {
    match &s.group_by {
        GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => {
            if exprs.is_empty() {
                return Some(None);
            }
            let mut names = Vec::new();
            for e in exprs {
                match e {
                    Expr::Identifier(id) => names.push(id.value.clone()),
                    Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                        names.push(parts[1].value.clone())
                    }
                    _ => return None,
                }
            }
            Some(Some(names))
        }
        _ => None,
    }
}

fn group_by(scope: &Scope, s: &Select) -> Option<Option<String>> {
    let GroupByExpr::Expressions(exprs, _) = &s.group_by else {
        return None;
    };
    if exprs.is_empty() {
        return Some(None);
    }
    let mut out = Vec::new();
    for e in exprs {
        let (sql, (_, agg)) = scope.expr(e)?;
        if agg || scope.column_name(e).is_none() {
            return None;
        }
        out.push(sql);
    }
    Some(Some(out.join(", ")))
}

#[cfg(test)]
#[path = "pushdown_tests.rs"]
mod tests;
