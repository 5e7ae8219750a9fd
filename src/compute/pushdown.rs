//! Query pushdown: a view, table or figure whose SQL reads one database
//! source runs **inside the database**, so only its result comes back.
//!
//! The query is parsed with the parser Polars SQL uses and translated from
//! its syntax tree, never by editing text. Only constructs whose result is
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

use std::collections::BTreeMap;

use polars::prelude::*;
use polars::sql::SQLContext;
use sqlparser::ast::{
    BinaryOperator, CastKind, DataType, DuplicateTreatment, Expr, FunctionArg, FunctionArgExpr,
    FunctionArguments, GroupByExpr, LimitClause, OrderByKind, Query, Select, SelectItem, SetExpr,
    Statement, TableFactor, UnaryOperator, Value,
};

use super::value::DatabaseResult;
use crate::error::{ErrorKind, Result};
use crate::params::Params;
use crate::source::database::{self, Dialect};
use crate::source::Source;
use crate::spec::{ColumnType, SourceDecl, Spec};

/// Runs `sql` inside the database if it can be pushed down (see the module
/// docs), returning its result cast to the types Polars would give and
/// recording what was sent in `log`; `Ok(None)` means "run it in Polars".
pub(super) fn run(
    spec: &Spec,
    sources: &BTreeMap<String, Source>,
    params: &Params,
    (sql, what): (&toml::Spanned<String>, &str),
    log: &mut Vec<DatabaseResult>,
) -> Result<Option<DataFrame>> {
    let dialect = crate::source::remote::dialect();
    let Some(p) = translate(spec, sql.get_ref(), dialect) else {
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
        .execute(&super::sql::expand(sql.get_ref()))
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
pub(crate) fn translate(spec: &Spec, sql: &str, dialect: &dyn Dialect) -> Option<Pushdown> {
    let statements = super::sql::parse(sql).ok()?;
    let [Statement::Query(query)] = statements.as_slice() else {
        return None;
    };
    let tail = tail(query)?;
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    let (source, alias) = single_source(spec, select)?;
    let decl = &spec.sources[&source];
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
    let reads = |sql: &str| match super::sql::relations(sql) {
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
        .any(|s| translate(spec, s, dialect).is_none_or(|p| p.source != name));
    if checks || polars {
        Need::Period
    } else {
        Need::Nothing
    }
}

/// A value's type and whether it is an aggregate.
type Typed = (Ty, bool);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Int,
    Float,
    Str,
    Bool,
    Date,
    Datetime,
}

impl From<ColumnType> for Ty {
    fn from(t: ColumnType) -> Ty {
        match t {
            ColumnType::Int => Ty::Int,
            ColumnType::Float => Ty::Float,
            ColumnType::String => Ty::Str,
            ColumnType::Bool => Ty::Bool,
            ColumnType::Date => Ty::Date,
            ColumnType::Datetime => Ty::Datetime,
        }
    }
}

struct Scope<'a> {
    /// Declared column → (type, nullable).
    columns: BTreeMap<String, (ColumnType, bool)>,
    /// The source's name and alias, which may qualify a column.
    names: Vec<String>,
    dialect: &'a dyn Dialect,
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
fn single_source(spec: &Spec, s: &Select) -> Option<(String, Option<String>)> {
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
    let decl = spec.sources.get(&table)?;
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

impl Scope<'_> {
    /// The declared column an identifier names.
    fn column_name(&self, e: &Expr) -> Option<String> {
        let name = match e {
            Expr::Identifier(id) => &id.value,
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, c] if self.names.contains(&q.value) => &c.value,
                _ => return None,
            },
            _ => return None,
        };
        self.columns.contains_key(name).then(|| name.clone())
    }

    /// `e` in the database's SQL, with its type, if provably the same there.
    fn expr(&self, e: &Expr) -> Option<(String, Typed)> {
        if let Some(c) = self.column_name(e) {
            let ty = Ty::from(self.columns[&c].0);
            return Some((self.dialect.ident(&c), (ty, false)));
        }
        match e {
            Expr::Nested(inner) => {
                let (sql, ty) = self.expr(inner)?;
                Some((format!("({sql})"), ty))
            }
            Expr::Value(v) => literal(&v.value).map(|(s, t)| (s, (t, false))),
            Expr::IsNull(inner) | Expr::IsNotNull(inner) => {
                let (sql, (_, agg)) = self.expr(inner)?;
                let not = if matches!(e, Expr::IsNotNull(_)) {
                    " NOT"
                } else {
                    ""
                };
                (!agg).then(|| (format!("({sql} IS{not} NULL)"), (Ty::Bool, false)))
            }
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => {
                let (sql, ty) = self.expr(expr)?;
                (ty == (Ty::Bool, false)).then(|| (format!("(NOT {sql})"), ty))
            }
            Expr::BinaryOp { left, op, right } => self.binary(left, op, right),
            Expr::InList {
                expr,
                list,
                negated,
            } => self.in_list(expr, list, *negated),
            Expr::Cast {
                kind: CastKind::Cast,
                expr,
                data_type,
                format: None,
                array: false,
            } => self.cast(expr, data_type),
            Expr::Function(_) => self.aggregate(e),
            _ => None,
        }
    }

    fn binary(&self, left: &Expr, op: &BinaryOperator, right: &Expr) -> Option<(String, Typed)> {
        let (l, lt) = self.expr(left)?;
        let (r, rt) = self.expr(right)?;
        if lt.1 || rt.1 {
            return None;
        }
        let word = match op {
            BinaryOperator::And | BinaryOperator::Or => {
                let both = lt.0 == Ty::Bool && rt.0 == Ty::Bool;
                let word = if *op == BinaryOperator::And {
                    "AND"
                } else {
                    "OR"
                };
                return both.then(|| (format!("({l} {word} {r})"), (Ty::Bool, false)));
            }
            BinaryOperator::Eq => "=",
            BinaryOperator::NotEq => "<>",
            BinaryOperator::Lt => "<",
            BinaryOperator::LtEq => "<=",
            BinaryOperator::Gt => ">",
            BinaryOperator::GtEq => ">=",
            _ => return None,
        };
        // A column on at least one side, the same type on both, no floats.
        let column = self.column_name(left).is_some() || self.column_name(right).is_some();
        if !column || lt.0 != rt.0 || lt.0 == Ty::Float {
            return None;
        }
        let (l, r) = if lt.0 == Ty::Str {
            (self.dialect.binary_text(&l), self.dialect.binary_text(&r))
        } else {
            (l, r)
        };
        Some((format!("({l} {word} {r})"), (Ty::Bool, false)))
    }

    fn in_list(&self, expr: &Expr, list: &[Expr], negated: bool) -> Option<(String, Typed)> {
        let c = self.column_name(expr)?;
        let (ty, nullable) = self.columns[&c];
        if nullable || ty == ColumnType::Float || list.is_empty() {
            return None;
        }
        let mut items = Vec::new();
        for e in list {
            let Expr::Value(v) = e else { return None };
            let (sql, t) = literal(&v.value)?;
            if t != Ty::from(ty) {
                return None;
            }
            items.push(sql);
        }
        let not = if negated { "NOT " } else { "" };
        let col = self.dialect.ident(&c);
        Some((
            format!("({col} {not}IN ({}))", items.join(", ")),
            (Ty::Bool, false),
        ))
    }

    fn cast(&self, expr: &Expr, to: &DataType) -> Option<(String, Typed)> {
        let (sql, (ty, agg)) = self.expr(expr)?;
        let target = match to {
            DataType::Int(None) | DataType::Integer(None) | DataType::Int4(None) => "integer",
            DataType::BigInt(None) | DataType::Int8(None) | DataType::Int64 => "bigint",
            _ => return None,
        };
        (ty == Ty::Bool && !agg && self.column_name(expr).is_some())
            .then(|| (format!("CAST({sql} AS {target})"), (Ty::Int, false)))
    }

    fn aggregate(&self, e: &Expr) -> Option<(String, Typed)> {
        let Expr::Function(f) = e else { return None };
        let plain = f.filter.is_none()
            && f.over.is_none()
            && f.null_treatment.is_none()
            && f.within_group.is_empty()
            && matches!(f.parameters, FunctionArguments::None)
            && !f.uses_odbc_syntax;
        let FunctionArguments::List(list) = &f.args else {
            return None;
        };
        let [FunctionArg::Unnamed(arg)] = list.args.as_slice() else {
            return None;
        };
        if !plain || !list.clauses.is_empty() {
            return None;
        }
        let [name] = f.name.0.as_slice() else {
            return None;
        };
        let name = name.as_ident()?.value.to_ascii_uppercase();
        let distinct = matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct));
        match (name.as_str(), arg) {
            ("COUNT", FunctionArgExpr::Wildcard) if !distinct => {
                Some(("COUNT(*)".into(), (Ty::Int, true)))
            }
            ("COUNT", FunctionArgExpr::Expr(inner)) => {
                // Polars and PostgreSQL agree on non-null values only.
                let c = self.column_name(inner)?;
                let (_, nullable) = self.columns[&c];
                let d = if distinct { "DISTINCT " } else { "" };
                (!nullable).then(|| {
                    let col = self.dialect.ident(&c);
                    (format!("COUNT({d}{col})"), (Ty::Int, true))
                })
            }
            ("MIN" | "MAX", FunctionArgExpr::Expr(inner)) if !distinct => {
                let (sql, (ty, agg)) = self.expr(inner)?;
                let sql = match ty {
                    _ if agg => return None,
                    Ty::Int | Ty::Date => sql,
                    Ty::Str => self.dialect.binary_text(&sql),
                    Ty::Float | Ty::Bool | Ty::Datetime => return None,
                };
                Some((format!("{name}({sql})"), (ty, true)))
            }
            _ => None,
        }
    }
}

/// An integer, plain string or boolean literal in the database's SQL.
fn literal(v: &Value) -> Option<(String, Ty)> {
    match v {
        Value::Number(n, false) => {
            let i: i64 = n.parse().ok()?;
            Some((i.to_string(), Ty::Int))
        }
        Value::SingleQuotedString(s) if !s.contains('\\') => {
            Some((format!("'{}'", s.replace('\'', "''")), Ty::Str))
        }
        Value::Boolean(b) => Some((b.to_string().to_uppercase(), Ty::Bool)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::postgres::PostgresDialect;

    fn spec() -> Spec {
        crate::spec::SpecBuilder::new()
            .source(
                "victims",
                "postgres = { url_env = \"PG\", table = \"victims\" }\nperiod_column = \"day\"\n\
                 [sources.victims.columns]\nid = \"string\"\nday = \"date\"\nage = \"int\"\nrate = \"float\"\nda = \"bool\"\nnote = { type = \"string\", nullable = true }",
            )
            .source("pop", "path = \"p.csv\"\ncolumns = { id = \"string\" }")
            .build()
    }

    fn pushed(sql: &str) -> Option<Pushdown> {
        translate(&spec(), sql, &PostgresDialect)
    }

    #[test]
    fn aggregates_filters_and_groups_are_translated() {
        let p = pushed(
            "SELECT id, MIN(age) AS age, MAX(CAST(da AS INT)) AS da, COUNT(*) AS n \
             FROM victims v WHERE v.da AND note IS NULL AND id <> 'x' GROUP BY id",
        )
        .unwrap();
        assert_eq!(p.source, "victims");
        assert_eq!(
            p.sql("R"),
            "SELECT \"id\" AS \"c1\", MIN(\"age\") AS \"c2\", MAX(CAST(\"da\" AS integer)) AS \"c3\", \
             COUNT(*) AS \"c4\" FROM R WHERE ((\"da\" AND (\"note\" IS NULL)) AND \
             ((\"id\" COLLATE \"C\") <> ('x' COLLATE \"C\"))) GROUP BY \"id\""
        );
        assert_eq!(p.tail, None);
        let p = pushed("SELECT COUNT(DISTINCT id) AS n FROM victims").unwrap();
        assert_eq!(p.sql("R"), "SELECT COUNT(DISTINCT \"id\") AS \"c1\" FROM R");
    }

    #[test]
    fn order_and_limit_run_in_polars_afterwards() {
        let p =
            pushed("SELECT id, COUNT(*) AS n FROM victims GROUP BY id ORDER BY n DESC, id LIMIT 5")
                .unwrap();
        assert_eq!(p.tail.as_deref(), Some("ORDER BY n DESC, id LIMIT 5"));
        // Ordering by something not returned cannot be done afterwards.
        assert!(pushed("SELECT id FROM victims ORDER BY age").is_none());
        assert!(
            pushed("SELECT id FROM victims LIMIT 5").is_none(),
            "no order"
        );
    }

    #[test]
    fn anything_that_could_differ_stays_in_polars() {
        for sql in [
            "SELECT AVG(age) FROM victims",
            "SELECT SUM(age) FROM victims",
            "SELECT age / 2 FROM victims",
            "SELECT COUNT(*) FROM victims WHERE rate > 1.5",
            "SELECT MIN(rate) FROM victims",
            "SELECT COUNT(note) FROM victims",
            "SELECT COUNT(*) FROM victims JOIN pop ON victims.id = pop.id",
            "SELECT COUNT(*) FROM pop",
            "SELECT * FROM victims",
            "SELECT DISTINCT id FROM victims",
            "WITH t AS (SELECT * FROM victims) SELECT COUNT(*) FROM t",
            "SELECT id, COUNT(*) FROM victims GROUP BY id HAVING COUNT(*) > 1",
            "SELECT age, COUNT(*) FROM victims GROUP BY id",
            "SELECT ROUND(age) FROM victims",
            "SELECT COUNT(*) FROM victims WHERE day >= '2020-01-01'",
            "SELECT COUNT(*) FROM victims WHERE id = 'a\\b'",
            "SELECT COUNT(*) FROM victims CROSS JOIN params",
        ] {
            assert_eq!(pushed(sql), None, "{sql}");
        }
    }
}
