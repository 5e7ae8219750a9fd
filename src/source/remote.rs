//! Loading a database source (`[sources.NAME] postgres = { … }`): the
//! connection URL from the environment, the declared schema checked against
//! what the database says the table or query returns, nulls counted in
//! required columns, and the rows streamed in only when some query must run
//! in Polars (see `source::pushdown`). The URL never appears in a message:
//! errors name the environment variable and the host and database.

use std::sync::Arc;

use polars::prelude::*;
use toml::Spanned;

use super::database::{self, Database, DbError, DbRows, DbType, DbValue, Dialect};
use super::postgres::{describe_url, Postgres, PostgresDialect};
use super::pushdown::{rows_needed, Need, Pushdown};
use super::Source;
use crate::error::{Error, ErrorKind, Result};
use crate::params::{FinancialYear, Params};
use crate::spec::{ColumnType, DatabaseDecl, PeriodFilter, SourceDecl, SourcesPart};

/// What a database source is, kept with its loaded rows for the queries
/// pushed down to it.
#[derive(Debug)]
pub struct Remote {
    /// The environment variable holding the URL.
    pub url_env: String,
    url: Url,
    /// The source's rows in the database's SQL: `"victims"` or `(SELECT …)`.
    relation: String,
    /// Declared columns in the frame's order.
    columns: Vec<(String, ColumnType)>,
    /// The period filter, if the source has one.
    period: Option<(String, PeriodFilter)>,
    /// Which rows `Source::frame` holds.
    pub fetched: Fetched,
    /// Rows in the report period and the first and last date, when the
    /// frame does not hold every row.
    pub coverage: Option<Coverage>,
}

/// The connection URL; never printed.
struct Url(String);

impl std::fmt::Debug for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Which rows of a database source were streamed into its frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetched {
    /// None: every query reading it ran in the database.
    Nothing,
    /// Only those in the period (the period filter ran in the database).
    Period(FinancialYear),
    /// Every row (declared checks run on the whole source, as for files).
    All,
}

/// A database source's rows in the period, counted by the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Rows in the period.
    pub in_period: u64,
    /// The first and last date of the period column over every row.
    pub range: Option<(String, String)>,
    /// Bit `i` set when month `i` of the period (April = 0) has a row.
    pub months: u16,
}

const DIALECT: PostgresDialect = PostgresDialect;

/// The SQL dialect of database sources, for the pushdown translator.
pub(crate) fn dialect() -> &'static dyn Dialect {
    &DIALECT
}

/// Loads database source `name` for `params`.
pub(super) fn load(
    spec: SourcesPart<'_>,
    name: &str,
    decl: &SourceDecl,
    params: &Params,
) -> Result<Source> {
    let db = decl.postgres.as_ref().expect("a database source");
    let url = url(spec, name, db)?;
    let relation = relation(db.get_ref());
    let columns: Vec<(String, ColumnType)> = decl
        .columns
        .iter()
        .map(|(k, v)| (k.get_ref().clone(), v.get_ref().ty))
        .collect();
    let mut remote = Remote {
        url_env: db.get_ref().url_env.get_ref().clone(),
        url: Url(url),
        relation,
        columns,
        period: decl
            .period_column
            .as_ref()
            .map(|c| (c.get_ref().clone(), decl.period_filter)),
        fetched: Fetched::Nothing,
        coverage: None,
    };
    let ctx = Ctx {
        spec,
        name,
        decl,
        db,
    };
    let found = remote
        .session(|d| d.describe(&format!("SELECT * FROM {} AS \"t\"", remote.relation)))
        .map_err(|e| ctx.db_error(&remote, &e))?;
    ctx.check_schema(&found)?;
    let period = params.period();
    remote.fetched = match (rows_needed(&spec, name, dialect()), period) {
        (Need::Nothing, _) => Fetched::Nothing,
        (Need::Period, Some(fy)) if remote.period.is_some() => Fetched::Period(fy),
        _ => Fetched::All,
    };
    let frame = if remote.fetched == Fetched::Nothing {
        empty_frame(&remote.columns)
    } else {
        let (sql, bounds) = remote.rows_sql(period, remote.fetched == Fetched::All);
        let rows = remote
            .session(|d| d.query(&sql, &bounds))
            .map_err(|e| ctx.db_error(&remote, &e))?;
        ctx.frame(rows)?
    };
    if remote.fetched != Fetched::All {
        remote.coverage = ctx.profile(&remote, period)?;
    }
    let blake3 = database::frame_hash(&frame);
    let lines: Vec<u32> = (1..=frame.height() as u32).collect();
    Ok(Source {
        name: name.to_string(),
        path: format!("postgres:{name}").into(),
        frame,
        lines: lines.into(),
        period_column: remote.period.clone(),
        blake3,
        // No file: the manifest lists the rows fetched (canonical hash).
        files: Vec::new(),
        remote: Some(Arc::new(remote)),
        // The database filters to the period itself.
        keep: None,
        extent: Default::default(),
    })
}

/// The result of a pushed-down query: its rows and what was sent.
pub(crate) struct Pulled {
    /// The returned columns.
    pub rows: DbRows,
    /// The SQL sent (parameters as `$n`).
    pub sql: String,
    /// The values bound to `$1…`, as text.
    pub params: Vec<String>,
}

impl Remote {
    /// Runs `f` on this source's database session.
    fn session<T>(
        &self,
        f: impl FnOnce(&mut dyn Database) -> std::result::Result<T, DbError>,
    ) -> std::result::Result<T, DbError> {
        let url = &self.url.0;
        database::with_connection(
            url,
            || Postgres::connect(url).map(|p| Box::new(p) as Box<dyn Database>),
            f,
        )
    }

    /// The source's declared columns, filtered to `period` unless `all`.
    fn rows_sql(&self, period: Option<FinancialYear>, all: bool) -> (String, Vec<DbValue>) {
        let (mut sql, bounds) = self.relation_sql(period, all);
        // A fixed row order (text byte-wise): the same rows give the same
        // frame, hash and row numbers on every build.
        let order: Vec<String> = self
            .columns
            .iter()
            .map(|(c, t)| match t {
                ColumnType::String => DIALECT.binary_text(&DIALECT.ident(c)),
                _ => DIALECT.ident(c),
            })
            .collect();
        sql += &format!(" ORDER BY {}", order.join(", "));
        (sql, bounds)
    }

    /// `column` as the calendar day its value falls on, in SQL: a
    /// `timestamp` compared with a date would be compared with its
    /// midnight and lose the period's last day (a period is
    /// `[start 00:00, end + 1 day 00:00)`).
    fn day_sql(&self, column: &str) -> String {
        let c = DIALECT.ident(column);
        let datetime = self
            .columns
            .iter()
            .any(|(n, t)| n == column && *t == ColumnType::Datetime);
        if datetime {
            format!("CAST({c} AS date)")
        } else {
            c
        }
    }

    /// The period's coverage, as items for the profile's one `SELECT` and
    /// their parameters: rows in the period, the first and last day, and
    /// the rows in each month (`None` without a period filter).
    fn coverage_sql(&self, period: Option<FinancialYear>) -> Option<(Vec<String>, Vec<DbValue>)> {
        let (Some((column, PeriodFilter::Period)), Some(fy)) = (&self.period, period) else {
            return None;
        };
        let mut items = Vec::new();
        let c = self.day_sql(column);
        items.push(format!(
            "COUNT(*) FILTER (WHERE {c} >= CAST({} AS date) AND {c} <= CAST({} AS date))",
            DIALECT.param(1),
            DIALECT.param(2)
        ));
        items.push(format!("CAST(MIN({c}) AS text)"));
        items.push(format!("CAST(MAX({c}) AS text)"));
        let mut bounds = vec![DbValue::Date(fy.start()), DbValue::Date(fy.end())];
        // The rows in each month of the period (parameters 3 to 15:
        // the first day of each month, and of the next period).
        for i in 0..12 {
            items.push(format!(
                    "COUNT(*) FILTER (WHERE {c} >= CAST({} AS date) AND {c} < CAST({} AS date) AND {c} <= CAST({} AS date))",
                    DIALECT.param(3 + i),
                    DIALECT.param(4 + i),
                    DIALECT.param(2)
                ));
        }
        bounds.extend((0..=12).map(|i| DbValue::Date(fy.month(i))));
        Some((items, bounds))
    }

    /// The declared columns, filtered to `period` unless `all`, unordered.
    fn relation_sql(&self, period: Option<FinancialYear>, all: bool) -> (String, Vec<DbValue>) {
        let cols: Vec<String> = self.columns.iter().map(|(c, _)| DIALECT.ident(c)).collect();
        let mut sql = format!("SELECT {} FROM {} AS \"t\"", cols.join(", "), self.relation);
        let mut bounds = Vec::new();
        if let (false, Some(fy), Some((column, filter))) = (all, period, &self.period) {
            // Compared as days, so a date-time on the period's last day is in.
            let c = self.day_sql(column);
            if *filter == PeriodFilter::Period {
                bounds.push(DbValue::Date(fy.start()));
                sql += &format!(
                    " WHERE {c} >= CAST({} AS date) AND {c} <= CAST({} AS date)",
                    DIALECT.param(1),
                    DIALECT.param(2)
                );
            } else {
                sql += &format!(" WHERE {c} <= CAST({} AS date)", DIALECT.param(1));
            }
            bounds.push(DbValue::Date(fy.end()));
        }
        (sql, bounds)
    }

    /// Runs a translated query over this source's rows in `period`.
    pub(crate) fn pull(
        &self,
        name: &str,
        query: &Pushdown,
        period: Option<FinancialYear>,
    ) -> std::result::Result<Pulled, DbError> {
        let (rows, bounds) = self.relation_sql(period, false);
        let relation = format!("({rows}) AS {}", DIALECT.ident(name));
        let sql = query.sql(&relation);
        let result = self.session(|d| d.query(&sql, &bounds))?;
        Ok(Pulled {
            rows: result,
            sql,
            params: bounds.iter().map(ToString::to_string).collect(),
        })
    }
}

/// What a database source's errors point at.
struct Ctx<'a> {
    spec: SourcesPart<'a>,
    name: &'a str,
    decl: &'a SourceDecl,
    db: &'a Spanned<DatabaseDecl>,
}

impl Ctx<'_> {
    /// A database failure, pointing at the `table`/`query` it concerns (or
    /// the `postgres` entry for a connection failure), naming the variable
    /// and the host and database, never the URL.
    fn db_error(&self, remote: &Remote, e: &DbError) -> Error {
        let d = self.db.get_ref();
        let at = d
            .table
            .as_ref()
            .or(d.query.as_ref())
            .map_or(self.db.span(), |s| s.span());
        let var = &remote.url_env;
        let place = describe_url(&remote.url.0).unwrap_or_else(|| "the database".into());
        let message = redact(&e.message, &remote.url.0);
        let name = self.name;
        let (message, hint, at) = if e.connection {
            (
                format!("cannot connect to {place} for source `{name}`: {message}"),
                format!("the connection URL comes from `{var}`: check that the server is running and reachable and that the URL's host, port, database, user and password are right"),
                self.db.span(),
            )
        } else if e.code.as_deref() == Some("42P01") {
            (
                format!("PostgreSQL cannot read source `{name}`: {message}"),
                "check `table`: a table or view the connecting user can read, optionally `schema.table`".to_string(),
                at,
            )
        } else {
            (
                format!("PostgreSQL cannot read source `{name}`: {message}"),
                "check the source's `table` or `query` (its SQL runs in PostgreSQL)".to_string(),
                at,
            )
        };
        self.spec
            .error_at(ErrorKind::Data, message, at)
            .with_hint(hint)
    }

    /// Every declared column exists in the result, with a type that holds it.
    fn check_schema(&self, found: &[(String, DbType)]) -> Result<()> {
        let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        let mut errors = Vec::new();
        for (col, ty) in &self.decl.columns {
            let declared = ty.get_ref().ty;
            let (message, hint, at) = match found.iter().find(|(n, _)| n == col.get_ref()) {
                None => (
                    format!("column `{}` is declared for source `{}` but PostgreSQL returns no such column", col.get_ref(), self.name),
                    match crate::error::did_you_mean(col.get_ref(), names.iter().copied()) {
                        Some(c) => format!("did you mean `{c}`?"),
                        None => format!("PostgreSQL returns {}", names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")),
                    },
                    col.span(),
                ),
                Some((_, t)) if !t.fits(declared) => (
                    format!("column `{}` of source `{}` is `{}` in PostgreSQL, which cannot hold a declared `{}`", col.get_ref(), self.name, t.name(), type_word(declared)),
                    format!("declare the type that matches, or cast it in a `query` (e.g. `CAST({} AS {})`)", col.get_ref(), pg_type(declared)),
                    ty.span(),
                ),
                Some(_) => continue,
            };
            errors.push(
                self.spec
                    .error_at(ErrorKind::Data, message, at)
                    .with_hint(hint),
            );
        }
        Error::collect(errors)
    }

    /// The streamed rows as the declared frame; a null in a required column
    /// is an error naming the column and the first rows holding one.
    fn frame(&self, rows: DbRows) -> Result<DataFrame> {
        let mut errors = Vec::new();
        let mut columns = Vec::new();
        for ((name, column), (key, ty)) in rows.into_iter().zip(&self.decl.columns) {
            let nulls = column.nulls();
            if !ty.get_ref().nullable && !nulls.is_empty() {
                let first: Vec<String> =
                    nulls.iter().take(5).map(|i| (i + 1).to_string()).collect();
                errors.push(self.null_error(key, nulls.len() as u64, Some(first.as_slice())));
            }
            columns.push(column.into_series(&name).map_err(internal)?.into_column());
        }
        Error::collect(errors)?;
        DataFrame::new_infer_height(columns).map_err(internal)
    }

    fn null_error(&self, key: &Spanned<String>, count: u64, rows: Option<&[String]>) -> Error {
        let c = key.get_ref();
        let at = rows.map_or(String::new(), |r| {
            format!(" (rows {} of the ordered result)", r.join(", "))
        });
        self.spec
            .error_at(
                ErrorKind::Data,
                format!("column `{c}` of source `{}` has {count} null value(s){at} but is not declared nullable", self.name),
                key.span(),
            )
            .with_hint(format!("declare `{c} = {{ type = \"…\", nullable = true }}` if a missing value is allowed, or fill them in (`SELECT * FROM … WHERE {c} IS NULL` finds them)"))
    }

    /// Nulls in required columns over every row, and the period's coverage,
    /// counted by the database in one pass.
    fn profile(&self, remote: &Remote, period: Option<FinancialYear>) -> Result<Option<Coverage>> {
        let required: Vec<&Spanned<String>> = self
            .decl
            .columns
            .iter()
            .filter(|(_, t)| !t.get_ref().nullable)
            .map(|(k, _)| k)
            .collect();
        let mut items: Vec<String> = required
            .iter()
            .map(|k| {
                format!(
                    "COUNT(*) FILTER (WHERE {} IS NULL)",
                    DIALECT.ident(k.get_ref())
                )
            })
            .collect();
        let (coverage, bounds) = match remote.coverage_sql(period) {
            Some((sql, bounds)) => {
                items.extend(sql);
                (true, bounds)
            }
            None => (false, Vec::new()),
        };
        if items.is_empty() {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {} FROM {} AS \"t\"",
            items.join(", "),
            remote.relation
        );
        let rows = remote
            .session(|d| d.query(&sql, &bounds))
            .map_err(|e| self.db_error(remote, &e))?;
        let value = |i: usize| -> Option<String> {
            match &rows.get(i)?.1 {
                database::DbColumn::Int(v) => v.first()?.map(|n| n.to_string()),
                database::DbColumn::Text(v) => v.first()?.clone(),
                _ => None,
            }
        };
        let mut errors = Vec::new();
        for (i, key) in required.iter().enumerate() {
            let n: u64 = value(i).and_then(|v| v.parse().ok()).unwrap_or(0);
            if n > 0 {
                errors.push(self.null_error(key, n, None));
            }
        }
        Error::collect(errors)?;
        if !coverage {
            return Ok(None);
        }
        let k = required.len();
        let in_period = value(k).and_then(|v| v.parse().ok()).unwrap_or(0);
        let range = value(k + 1).zip(value(k + 2));
        let months = (0..12)
            .filter(|&i| {
                value(k + 3 + i)
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0)
                    > 0
            })
            .fold(0u16, |bits, i| bits | 1 << i);
        Ok(Some(Coverage {
            in_period,
            range,
            months,
        }))
    }
}

/// The connection URL from the variable `url_env` names.
fn url(spec: SourcesPart<'_>, name: &str, db: &Spanned<DatabaseDecl>) -> Result<String> {
    let var = db.get_ref().url_env.get_ref();
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Ok(url),
        _ => Err(spec
            .error_at(
                ErrorKind::Data,
                format!("source `{name}` reads PostgreSQL, but the environment variable `{var}` is not set"),
                db.get_ref().url_env.span(),
            )
            .with_hint(format!("set `{var}` to the connection URL, e.g. `export {var}=postgresql://USER:PASSWORD@HOST:5432/DATABASE`; credentials never go in the spec"))),
    }
}

/// The source's rows in SQL: a quoted (optionally schema-qualified) table,
/// or the declared query in parentheses.
fn relation(db: &DatabaseDecl) -> String {
    match (&db.table, &db.query) {
        (Some(t), _) => t
            .get_ref()
            .split('.')
            .map(|p| DIALECT.ident(p))
            .collect::<Vec<_>>()
            .join("."),
        (None, Some(q)) => format!("({})", q.get_ref().trim().trim_end_matches(';')),
        (None, None) => String::new(),
    }
}

/// An empty frame of the declared schema.
fn empty_frame(columns: &[(String, ColumnType)]) -> DataFrame {
    let cols: Vec<Column> = columns
        .iter()
        .map(|(n, t)| Column::new_empty(n.as_str().into(), &super::columns::polars_type(*t)))
        .collect();
    DataFrame::new_infer_height(cols).unwrap_or_default()
}

fn type_word(t: ColumnType) -> &'static str {
    match t {
        ColumnType::String => "string",
        ColumnType::Int => "int",
        ColumnType::Float => "float",
        ColumnType::Bool => "bool",
        ColumnType::Date => "date",
        ColumnType::Datetime => "datetime",
    }
}

fn pg_type(t: ColumnType) -> &'static str {
    match t {
        ColumnType::String => "text",
        ColumnType::Int => "bigint",
        ColumnType::Float => "double precision",
        ColumnType::Bool => "boolean",
        ColumnType::Date => "date",
        ColumnType::Datetime => "timestamp",
    }
}

/// `message` with the URL and its password blanked, whatever a driver put
/// in it.
pub(crate) fn redact(message: &str, url: &str) -> String {
    let mut out = message.replace(url, "<url>");
    if let Some(password) = url
        .split_once("://")
        .and_then(|(_, rest)| rest.split('@').next().filter(|_| rest.contains('@')))
        .and_then(|auth| auth.split_once(':'))
        .map(|(_, p)| p)
        .filter(|p| !p.is_empty())
    {
        out = out.replace(password, "***");
    }
    out
}

fn internal(e: PolarsError) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!(
            "cannot build a frame from database rows: {}",
            super::first_line(&e)
        ),
    )
}

#[cfg(test)]
mod tests;
