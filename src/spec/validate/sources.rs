//! `[sources]`: one namespace with views and tables, a period column
//! that is a required date, exactly one of a file and a database.

use crate::spec::Spec;
use std::collections::BTreeMap;

use crate::error::{suggest, Error, ErrorKind};
use crate::spec::ColumnType;

/// Sources, views and tables share one SQL namespace (with `params`), so
/// a name used twice would silently hide one of them.
pub(super) fn check_table_names(spec: &Spec, errors: &mut Vec<Error>) {
    let raw = spec;
    let mut seen: BTreeMap<&str, &str> = BTreeMap::from([("params", "the parameters table")]);
    let named = raw
        .sources
        .keys()
        .map(|n| (n, "source"))
        .chain(raw.views.keys().map(|n| (n, "view")))
        .chain(raw.tables.keys().map(|n| (n, "table")));
    for (name, what) in named {
        if let Some(first) = seen.insert(name, what) {
            let key = format!("{what}s.{name}");
            let at = spec
                .file
                .text()
                .find(&key)
                .map_or(0..0, |i| i..i + key.len());
            errors.push(
                spec.error_at(
                    ErrorKind::Spec,
                    format!("{what} `{name}` has the same name as {first} `{name}`"),
                    at,
                )
                .with_hint(
                    "sources, views and tables are tables in one SQL namespace: rename one of them",
                ),
            );
        }
    }
}

pub(super) fn check_period_columns(spec: &Spec, errors: &mut Vec<Error>) {
    for (name, source) in &spec.sources {
        if let Some(why) = source
            .sparse
            .as_ref()
            .filter(|w| w.get_ref().trim().is_empty())
        {
            errors.push(
                spec.error_at(
                    ErrorKind::Spec,
                    format!("`sparse` of source `{name}` gives no reason"),
                    why.span(),
                )
                .with_hint("say why a month of the period may have no rows, e.g. `sparse = \"homicides: most months have none\"`; it is recorded in the manifest"),
            );
        }
        let Some(col) = &source.period_column else {
            continue;
        };
        let declared = source
            .columns
            .iter()
            .find(|(k, _)| k.get_ref() == col.get_ref());
        if let Some((_, t)) = declared.filter(|(_, t)| t.get_ref().nullable) {
            errors.push(
                spec.error_at(
                    ErrorKind::Spec,
                    format!("`period_column` of source `{name}` must not be nullable"),
                    t.span(),
                )
                .with_hint("a row without a date would silently drop out of every period; remove `nullable = true` and fill in the dates"),
            );
        } else if !matches!(declared, Some((_, t)) if matches!(t.get_ref().ty, ColumnType::Date | ColumnType::Datetime))
        {
            let names: Vec<&str> = source
                .columns
                .keys()
                .map(|k| k.get_ref().as_str())
                .collect();
            errors.push(
                spec.error_at(
                    ErrorKind::Spec,
                    format!("`period_column` of source `{name}` must name a `date` or `datetime` column"),
                    col.span(),
                )
                .with_hint(suggest(
                    col.get_ref(),
                    &names,
                    "declared columns",
                )),
            );
        }
    }
}

/// Each source has exactly one of `path` and `postgres`, and a database
/// source exactly one of `table` and `query`.
pub(super) fn check_source_kinds(spec: &Spec, errors: &mut Vec<Error>) {
    for (name, source) in &spec.sources {
        let header = format!("[sources.{name}]");
        let at = spec
            .file
            .text()
            .find(&header)
            .map_or(0..0, |i| i..i + header.len());
        let has_path = !source.path.get_ref().is_empty() || source.path.span() != (0..0);
        let Some(db) = &source.postgres else {
            if !has_path {
                errors.push(
                    spec.error_at(ErrorKind::Spec, format!("source `{name}` has neither `path` nor `postgres`"), at)
                        .with_hint("add `path = \"data/FILE.csv\"`, or `postgres = { url_env = \"BOARDPACK_PG_URL\", table = \"TABLE\" }`"),
                );
            }
            continue;
        };
        if has_path {
            errors.push(
                spec.error_at(
                    ErrorKind::Spec,
                    format!("source `{name}` has both `path` and `postgres`"),
                    db.span(),
                )
                .with_hint(
                    "a source reads one thing: keep either the file `path` or the `postgres` table",
                ),
            );
        }
        let db = db.get_ref();
        if db.table.is_some() == db.query.is_some() {
            let both = db.table.is_some();
            let span = db.query.as_ref().map_or(at.clone(), |q| q.span());
            errors.push(
                spec.error_at(
                    ErrorKind::Spec,
                    format!(
                        "the `postgres` source `{name}` needs exactly one of `table` and `query`, found {}",
                        if both { "both" } else { "neither" }
                    ),
                    if both { span } else { at.clone() },
                )
                .with_hint("write `table = \"victims\"` for a whole table, or `query = \"SELECT …\"` for a query's result"),
            );
        }
        let var = db.url_env.get_ref();
        let valid = !var.is_empty() && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            errors.push(
                spec.error_at(ErrorKind::Spec, format!("`url_env` of source `{name}` must name an environment variable (letters, digits and `_`)"), db.url_env.span())
                    // Never echoed: it may be a pasted URL with a password.
                    .with_hint("name the variable holding the connection URL, e.g. `url_env = \"BOARDPACK_PG_URL\"`; never write the URL itself in the spec"),
            );
        }
    }
}
