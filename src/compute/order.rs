//! Row order. A table's rows are printed in order, so the order must be the
//! same in every build: same inputs, same bytes out.
//!
//! Polars returns the groups of a `GROUP BY` (and the rows of a `DISTINCT`,
//! a join or a `UNION`) in an order that changes from run to run, and its
//! `ORDER BY` does not keep the order of rows that tie on the keys. So:
//!
//! - a table's query must say its order (`ORDER BY`) unless it is a plain
//!   `SELECT … FROM` one source, table or such view, which keeps that
//!   relation's order (a file's is its line order); checked with the other
//!   query checks, before any data is read ([`unordered`]);
//! - rows that tie on the `ORDER BY` keys are ordered by their columns, left
//!   to right ([`total`]): the query runs with every output column appended
//!   to its `ORDER BY`, so the order is total and the same every build. The
//!   columns are appended by name (quoted), which both Polars and a
//!   database the query is pushed down to understand.

use sqlparser::ast::{
    Expr, GroupByExpr, Ident, OrderByExpr, OrderByKind, OrderByOptions, Query, SetExpr, Statement,
    TableFactor,
};

/// How a query orders its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Order {
    /// It has an `ORDER BY`.
    Sorted,
    /// A plain `SELECT … FROM name` (no grouping, `DISTINCT`, join or set
    /// operation): the rows keep `name`'s order.
    As(String),
    /// Neither: the order is whatever Polars returns.
    Undefined,
}

fn parse(sql: &str) -> Option<Box<Query>> {
    match crate::sql::parse(sql).ok()?.into_iter().next() {
        Some(Statement::Query(q)) => Some(q),
        _ => None,
    }
}

/// How `sql` orders its rows; `None` if it does not parse (the sandbox
/// check reports that).
pub(super) fn order_of(sql: &str) -> Option<Order> {
    let q = parse(sql)?;
    if q.order_by.is_some() {
        return Some(Order::Sorted);
    }
    let SetExpr::Select(select) = q.body.as_ref() else {
        return Some(Order::Undefined);
    };
    let grouped = match &select.group_by {
        GroupByExpr::All(_) => true,
        GroupByExpr::Expressions(keys, _) => !keys.is_empty(),
    };
    let plain = q.with.is_none()
        && !grouped
        && select.distinct.is_none()
        && select.from.len() == 1
        && select.from[0].joins.is_empty();
    Some(match (&select.from[..], plain) {
        ([from], true) => match &from.relation {
            TableFactor::Table { name, .. } => Order::As(name.to_string()),
            _ => Order::Undefined,
        },
        _ => Order::Undefined,
    })
}

/// Whether `sql` keeps only some of its rows (`LIMIT`, `OFFSET`, `FETCH`),
/// which ones depending on their order.
pub(super) fn limited(sql: &str) -> bool {
    parse(sql).is_some_and(|q| q.limit_clause.is_some() || q.fetch.is_some())
}

/// `sql` with its output columns (`names()`, in order; asked for only
/// when needed) appended to its `ORDER BY` list, so rows that tie on the
/// keys are ordered by their values; `None` if it has no `ORDER BY` list
/// (nothing to complete) or `names()` gives none.
pub(super) fn total(sql: &str, names: impl FnOnce() -> Option<Vec<String>>) -> Option<String> {
    let mut q = parse(sql)?;
    let Some(OrderByKind::Expressions(keys)) = q.order_by.as_mut().map(|o| &mut o.kind) else {
        return None;
    };
    let names = names()?;
    keys.extend(names.iter().map(|name| OrderByExpr {
        expr: Expr::Identifier(Ident::with_quote('"', name.as_str())),
        options: OrderByOptions {
            asc: None,
            nulls_first: None,
        },
        with_fill: None,
    }));
    Some(q.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_select_from_one_relation_keeps_an_order() {
        let order = |sql: &str| order_of(sql).unwrap();
        assert_eq!(order("SELECT a FROM t ORDER BY a"), Order::Sorted);
        assert_eq!(
            order("SELECT a, b FROM t WHERE a > 1 LIMIT 5"),
            Order::As("t".into())
        );
        assert_eq!(order("SELECT COUNT(*) AS n FROM t"), Order::As("t".into()));
        for unordered in [
            "SELECT a, COUNT(*) FROM t GROUP BY a",
            "SELECT DISTINCT a FROM t",
            "SELECT t.a FROM t JOIN u ON t.a = u.a",
            "SELECT a FROM t, u",
            "SELECT a FROM t UNION ALL SELECT a FROM u",
            "WITH x AS (SELECT a FROM t GROUP BY a) SELECT a FROM x",
            "SELECT a FROM (SELECT a FROM t GROUP BY a)",
        ] {
            assert_eq!(order(unordered), Order::Undefined, "{unordered}");
        }
        assert_eq!(order_of("SELEC nonsense"), None);
        assert!(limited("SELECT a FROM t LIMIT 1"));
        assert!(!limited("SELECT a FROM (SELECT a FROM t LIMIT 1)"));
    }

    #[test]
    fn ties_are_broken_by_every_output_column_in_turn() {
        let sql = "SELECT a, COUNT(*) AS n FROM t GROUP BY a ORDER BY n DESC LIMIT 3";
        assert_eq!(
            total(sql, || Some(vec!["a".into(), "n".into()])).unwrap(),
            r#"SELECT a, COUNT(*) AS n FROM t GROUP BY a ORDER BY n DESC, "a", "n" LIMIT 3"#
        );
        let asked = std::cell::Cell::new(false);
        let names = || {
            asked.set(true);
            Some(vec!["a".to_string()])
        };
        assert_eq!(total("SELECT a FROM t", names), None);
        assert!(
            !asked.get(),
            "no ORDER BY: the query is not planned for its columns"
        );
    }
}
