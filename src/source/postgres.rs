//! The PostgreSQL driver behind [`Database`]: the synchronous `postgres`
//! client over plain TCP (`NoTls`: the server is expected on a trusted
//! network or localhost), a 10-second connect timeout and a 10-minute
//! statement timeout on every session.
//!
//! Bound parameters are sent as text and cast in the SQL
//! (`CAST($1 AS date)`), so no date library crosses the wire and an ISO date
//! means the same under any `DateStyle`. Dates come back in PostgreSQL's
//! binary form (days since 2000-01-01).

use std::error::Error as StdError;
use std::time::Duration;

use postgres::types::{FromSql, Type};
use postgres::{Client, Config, NoTls};

use super::database::{Database, DbColumn, DbError, DbRows, DbType, DbValue, Dialect};

/// How long connecting may take before the build gives up.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one statement may run before the server cancels it.
pub(crate) const STATEMENT_TIMEOUT: &str = "10min";

/// A PostgreSQL session.
pub(crate) struct Postgres {
    client: Client,
}

/// Where a connection URL points, for messages: host, port and database,
/// never the user's password.
pub(crate) fn describe_url(url: &str) -> Option<String> {
    let config: Config = url.parse().ok()?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or("(default)");
    Some(format!("database `{db}` on {host}:{port}"))
}

impl Postgres {
    /// Connects to `url` (a `postgresql://` URL or `key=value` string).
    pub(crate) fn connect(url: &str) -> Result<Postgres, DbError> {
        let mut config: Config = url.parse().map_err(|_| DbError {
            message: "not a valid PostgreSQL connection URL".into(),
            code: None,
            connection: true,
        })?;
        config.connect_timeout(CONNECT_TIMEOUT);
        config.application_name("boardpack");
        let mut client = config.connect(NoTls).map_err(convert)?;
        client
            .batch_execute(&format!(
                "SET statement_timeout = '{STATEMENT_TIMEOUT}'; SET TIME ZONE 'UTC'"
            ))
            .map_err(convert)?;
        Ok(Postgres { client })
    }
}

impl Database for Postgres {
    fn describe(&mut self, sql: &str) -> Result<Vec<(String, DbType)>, DbError> {
        let stmt = self
            .client
            .prepare_typed(sql, &text_params(sql))
            .map_err(convert)?;
        Ok(stmt
            .columns()
            .iter()
            .map(|c| (c.name().to_string(), db_type(c.type_())))
            .collect())
    }

    fn query(&mut self, sql: &str, params: &[DbValue]) -> Result<DbRows, DbError> {
        let stmt = self
            .client
            .prepare_typed(sql, &text_params(sql))
            .map_err(convert)?;
        let mut columns = Vec::new();
        for c in stmt.columns() {
            let ty = db_type(c.type_());
            let Some(empty) = DbColumn::for_type(&ty) else {
                return Err(DbError {
                    message: format!(
                        "column `{}` has type `{}`, which boardpack does not read",
                        c.name(),
                        c.type_().name()
                    ),
                    code: None,
                    connection: false,
                });
            };
            columns.push((c.name().to_string(), empty));
        }
        let texts: Vec<String> = params.iter().map(ToString::to_string).collect();
        let mut rows = self.client.query_raw(&stmt, &texts).map_err(convert)?;
        while let Some(row) =
            postgres::fallible_iterator::FallibleIterator::next(&mut rows).map_err(convert)?
        {
            for (i, (_, column)) in columns.iter_mut().enumerate() {
                push(column, &row, i).map_err(convert)?;
            }
        }
        Ok(columns)
    }
}

/// Every `$n` parameter is sent as text (and cast in the SQL).
fn text_params(sql: &str) -> Vec<Type> {
    let count = (1..=99)
        .take_while(|n| sql.contains(&format!("${n}")))
        .count();
    vec![Type::TEXT; count]
}

fn push(column: &mut DbColumn, row: &postgres::Row, i: usize) -> Result<(), postgres::Error> {
    match column {
        DbColumn::Int(v) => v.push(match *row.columns()[i].type_() {
            Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map(i64::from),
            Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map(i64::from),
            _ => row.try_get::<_, Option<i64>>(i)?,
        }),
        DbColumn::Float(v) => v.push(match *row.columns()[i].type_() {
            Type::FLOAT4 => row.try_get::<_, Option<f32>>(i)?.map(f64::from),
            _ => row.try_get::<_, Option<f64>>(i)?,
        }),
        DbColumn::Text(v) => v.push(row.try_get::<_, Option<String>>(i)?),
        DbColumn::Bool(v) => v.push(row.try_get::<_, Option<bool>>(i)?),
        DbColumn::Date(v) => v.push(row.try_get::<_, Option<Days>>(i)?.map(|d| d.0)),
        DbColumn::Timestamp(v) => v.push(row.try_get::<_, Option<Micros>>(i)?.map(|t| t.0)),
    }
    Ok(())
}

fn db_type(ty: &Type) -> DbType {
    match *ty {
        Type::INT2 => DbType::Int("smallint"),
        Type::INT4 => DbType::Int("integer"),
        Type::INT8 => DbType::Int("bigint"),
        Type::FLOAT4 | Type::FLOAT8 => DbType::Float,
        Type::TEXT | Type::VARCHAR | Type::NAME => DbType::Text,
        Type::BOOL => DbType::Bool,
        Type::DATE => DbType::Date,
        // `timestamptz` is left out on purpose: which day an instant falls
        // on depends on a time zone the spec does not name.
        Type::TIMESTAMP => DbType::Timestamp,
        // `char(n)` pads and compares ignoring trailing blanks: not text
        // as Polars sees it, so it must be cast in the source's `query`.
        _ => DbType::Other(ty.name().to_string()),
    }
}

/// A date as days since 1970-01-01, read from PostgreSQL's binary form.
struct Days(i32);

/// 2000-01-01 (PostgreSQL's date epoch) in days since 1970-01-01.
const PG_EPOCH_DAYS: i32 = 10_957;

impl<'a> FromSql<'a> for Days {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        let bytes: [u8; 4] = raw.try_into().map_err(|_| "a date is 4 bytes")?;
        let days = i32::from_be_bytes(bytes);
        if days == i32::MAX || days == i32::MIN {
            return Err("an infinite date ('infinity') is not a calendar date".into());
        }
        days.checked_add(PG_EPOCH_DAYS)
            .map(Days)
            .ok_or_else(|| "date out of range".into())
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::DATE
    }
}

/// A `timestamp` as microseconds since 1970-01-01 00:00, read from
/// PostgreSQL's binary form (microseconds since 2000-01-01 00:00).
struct Micros(i64);

impl<'a> FromSql<'a> for Micros {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        let bytes: [u8; 8] = raw.try_into().map_err(|_| "a timestamp is 8 bytes")?;
        let micros = i64::from_be_bytes(bytes);
        if micros == i64::MAX || micros == i64::MIN {
            return Err("an infinite timestamp ('infinity') is not a date and time".into());
        }
        micros
            .checked_add(i64::from(PG_EPOCH_DAYS) * 86_400_000_000)
            .map(Micros)
            .ok_or_else(|| "timestamp out of range".into())
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TIMESTAMP
    }
}

/// A `postgres` error as a [`DbError`]: the server's message and SQLSTATE,
/// or the connection failure (whose text names no password).
fn convert(e: postgres::Error) -> DbError {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        // Connection exceptions (08), a refused login (28) or no such
        // database (3D000) are failures to connect.
        let connection = code.starts_with("08") || code.starts_with("28") || code == "3D000";
        return DbError {
            message: db.message().to_string(),
            code: Some(code.to_string()),
            connection,
        };
    }
    let connection = e.is_closed() || e.source().is_some_and(|s| s.is::<std::io::Error>());
    let mut message = e.to_string();
    if let Some(source) = e.source() {
        let s = source.to_string();
        if !message.contains(&s) {
            message = format!("{message}: {s}");
        }
    }
    DbError {
        message,
        code: None,
        connection,
    }
}

/// PostgreSQL's SQL: double-quoted identifiers, `$n` parameters, `COLLATE
/// "C"` for byte-wise text order.
pub(crate) struct PostgresDialect;

impl Dialect for PostgresDialect {
    fn ident(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    fn param(&self, n: usize) -> String {
        format!("${n}")
    }

    fn binary_text(&self, expr: &str) -> String {
        format!("({expr} COLLATE \"C\")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_is_described_without_its_password() {
        let d = describe_url("postgresql://analyst:s3cret@db.example:6543/force").unwrap();
        assert_eq!(d, "database `force` on db.example:6543");
        assert!(!d.contains("s3cret"));
        assert!(describe_url("not a url at all ==").is_none());
    }

    #[test]
    fn dates_read_from_the_binary_form() {
        let day = |n: i32| Days::from_sql(&Type::DATE, &n.to_be_bytes()).map(|d| d.0);
        assert_eq!(day(0).unwrap(), 10_957, "2000-01-01");
        assert_eq!(day(-10_957).unwrap(), 0, "1970-01-01");
        assert!(day(i32::MAX).is_err(), "infinity is refused");
    }

    #[test]
    fn parameters_are_counted_from_the_text() {
        assert_eq!(text_params("SELECT 1").len(), 0);
        assert_eq!(
            text_params("WHERE d >= CAST($1 AS date) AND d <= CAST($2 AS date)").len(),
            2
        );
        assert_eq!(PostgresDialect.ident("a\"b"), "\"a\"\"b\"");
    }
}
