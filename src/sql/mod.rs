//! The SQL sandbox: every query is parsed (with the parser and dialect
//! Polars SQL uses) and its syntax tree walked **before** anything runs.
//!
//! The walk finds every relation a query reads. A query may read only the
//! spec's sources, views and tables, the `params` table and the common
//! table expressions (`WITH name AS …`) it defines itself: table functions
//! such as `read_csv('/etc/passwd')`, qualified names (`other.table`) and
//! statements other than one `SELECT` are refused. The same walk gives each
//! query's dependencies, so string literals, column names and aliases never
//! create false edges between queries.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{Query, Statement, TableFactor, Visit, Visitor};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::{Parser, ParserError, ParserOptions};

/// What the queries ran over, kept for the declared checks (which run
/// their own SQL in it): the SQL context (sources filtered to the period,
/// `params`, views and tables registered) and each table's frame. Compute
/// fills it; the checks read it.
pub(crate) struct Frames {
    /// The context every query ran in.
    pub ctx: polars::sql::SQLContext,
    /// Each computed table, as the query returned it.
    pub tables: std::collections::BTreeMap<String, polars::prelude::DataFrame>,
}

mod one_row;
mod stable;

/// Runs one of the spec's queries (a view, table, figure or SQL check) in
/// `ctx`: its helpers written out ([`expand`]) and its plan made
/// independent of hash order ([`stable`]), so the same inputs give the
/// same rows and the same figures, to the last bit, in every build.
pub(crate) fn run(
    ctx: &mut polars::sql::SQLContext,
    sql: &str,
) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
    ctx.execute(&expand(sql))
        .and_then(|query| stable::stable(query).collect())
}

/// What a query reads, or why it may not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// The text is not SQL the parser understands.
    Syntax(String),
    /// Not exactly one `SELECT` (e.g. `CREATE TABLE`, `DROP`, two statements).
    NotOneSelect(String),
    /// A table function (`read_csv(...)`) or other computed relation.
    TableFunction(String),
    /// A relation name with a schema or database part (`a.b`).
    Qualified(String),
}

/// Parses `sql` with the parser, dialect and options Polars SQL uses, so
/// every walk of a query (the sandbox, row order, pushdown) sees the tree
/// that will run.
pub(crate) fn parse(sql: &str) -> Result<Vec<Statement>, ParserError> {
    Parser::new(&GenericDialect)
        .with_options(ParserOptions {
            trailing_commas: true,
            ..Default::default()
        })
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements())
}

/// Parses `sql` as Polars SQL does and returns the relation names it reads
/// (sorted, without its own CTE names), or every problem found.
pub(crate) fn relations(sql: &str) -> Result<BTreeSet<String>, Vec<Problem>> {
    let statements = parse(sql).map_err(|e| vec![Problem::Syntax(e.to_string())])?;
    let mut walk = Walk::default();
    match statements.as_slice() {
        [Statement::Query(q)] => {
            let _ = q.visit(&mut walk);
        }
        [other] => walk
            .problems
            .push(Problem::NotOneSelect(statement_word(other))),
        _ => walk.problems.push(Problem::NotOneSelect(format!(
            "{} statements",
            statements.len()
        ))),
    }
    if !walk.problems.is_empty() {
        return Err(walk.problems);
    }
    let ctes = walk.ctes;
    Ok(walk
        .relations
        .into_iter()
        .filter(|r| !ctes.contains(r))
        .collect())
}

/// Whether `sql` names the relation `name` anywhere, even where a common
/// table expression of that name shadows it: a conservative "may read",
/// `true` if the query does not parse.
pub(crate) fn names_relation(sql: &str, name: &str) -> bool {
    let Ok(statements) = parse(sql) else {
        return true;
    };
    let mut walk = Walk::default();
    let _ = statements.visit(&mut walk);
    walk.relations.contains(name)
}

/// The name of the financial-quarter helper: `fy_quarter(date)` is 1 for
/// April to June … 4 for January to March, NULL for a NULL date.
pub(crate) const FY_QUARTER: &str = "fy_quarter";

/// `sql` with every `fy_quarter(x)` written out as plain SQL (a `CASE` over
/// `EXTRACT(MONTH FROM x)`, which Polars and PostgreSQL both run), so the
/// helper needs no function of the engine's own; other queries are
/// returned as they are. A query that does not parse is returned as it is
/// (the engine reports its error).
pub(crate) fn expand(sql: &str) -> std::borrow::Cow<'_, str> {
    use sqlparser::ast::{
        visit_expressions_mut, Expr, FunctionArg, FunctionArgExpr, FunctionArguments,
    };
    if !sql.to_ascii_lowercase().contains(FY_QUARTER) {
        return sql.into();
    }
    let Ok(mut statements) = parse(sql) else {
        return sql.into();
    };
    let _ = visit_expressions_mut(&mut statements, |e| {
        let Expr::Function(f) = e else {
            return ControlFlow::<()>::Continue(());
        };
        let named = f.name.0.len() == 1 && f.name.to_string().eq_ignore_ascii_case(FY_QUARTER);
        let arg = match &f.args {
            FunctionArguments::List(l) if named && l.args.len() == 1 => match &l.args[0] {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(a)) => a.to_string(),
                _ => return ControlFlow::Continue(()),
            },
            _ => return ControlFlow::Continue(()),
        };
        let m = format!("EXTRACT(MONTH FROM {arg})");
        let case = format!(
            "(CASE WHEN {m} BETWEEN 4 AND 6 THEN 1 WHEN {m} BETWEEN 7 AND 9 THEN 2 \
             WHEN {m} BETWEEN 10 AND 12 THEN 3 WHEN {m} BETWEEN 1 AND 3 THEN 4 END)"
        );
        if let Ok(expr) = Parser::new(&GenericDialect)
            .try_with_sql(&case)
            .and_then(|mut p| p.parse_expr())
        {
            *e = expr;
        }
        ControlFlow::Continue(())
    });
    statements
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
        .into()
}

/// The first word of a statement (`CREATE`, `DROP`…), for messages.
fn statement_word(s: &Statement) -> String {
    let text = s.to_string();
    let words: Vec<&str> = text.split_whitespace().take(2).collect();
    words.join(" ")
}

#[derive(Default)]
struct Walk {
    ctes: BTreeSet<String>,
    relations: BTreeSet<String>,
    problems: Vec<Problem>,
}

impl Visitor for Walk {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.ctes.insert(cte.alias.name.value.clone());
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        match factor {
            TableFactor::Table { name, args, .. } => {
                let parts: Vec<_> = name.0.iter().map(|p| p.as_ident()).collect();
                match (args, parts.as_slice()) {
                    (Some(_), _) => self.problems.push(Problem::TableFunction(name.to_string())),
                    (None, [Some(ident)]) => {
                        self.relations.insert(ident.value.clone());
                    }
                    (None, _) => self.problems.push(Problem::Qualified(name.to_string())),
                }
            }
            // Subqueries, joins, pivots and UNNEST of literals read nothing
            // themselves; the relations inside them are visited in turn.
            TableFactor::Derived { .. }
            | TableFactor::NestedJoin { .. }
            | TableFactor::Pivot { .. }
            | TableFactor::Unpivot { .. }
            | TableFactor::UNNEST { .. } => {}
            TableFactor::Function { name, .. } => {
                self.problems.push(Problem::TableFunction(name.to_string()))
            }
            TableFactor::TableFunction { expr, .. } => self
                .problems
                .push(Problem::TableFunction(function_name(expr))),
            other => self
                .problems
                .push(Problem::TableFunction(first_word(other))),
        }
        ControlFlow::Continue(())
    }
}

fn function_name(expr: &sqlparser::ast::Expr) -> String {
    match expr {
        sqlparser::ast::Expr::Function(f) => f.name.to_string(),
        other => other.to_string(),
    }
}

fn first_word(factor: &TableFactor) -> String {
    let text = factor.to_string();
    text.split(|c: char| c == '(' || c.is_whitespace())
        .next()
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fy_quarter_is_written_out_and_other_queries_are_untouched() {
        let plain = "SELECT a FROM t";
        assert!(matches!(expand(plain), std::borrow::Cow::Borrowed(_)));
        let q =
            expand("SELECT FY_Quarter(v.date) AS q, COUNT(*) FROM v GROUP BY fy_quarter(v.date)");
        assert!(!q.to_ascii_lowercase().contains("fy_quarter"), "{q}");
        assert_eq!(
            q.matches("EXTRACT(MONTH FROM v.date) BETWEEN 4 AND 6 THEN 1")
                .count(),
            2,
            "{q}"
        );
        assert!(q.contains("BETWEEN 1 AND 3 THEN 4 END"), "{q}");
        // A column of that name is not the helper.
        assert_eq!(
            expand("SELECT fy_quarter FROM t"),
            "SELECT fy_quarter FROM t"
        );
    }

    fn names(sql: &str) -> Vec<String> {
        relations(sql).unwrap().into_iter().collect()
    }

    #[test]
    fn finds_relations_in_joins_subqueries_and_ctes() {
        let sql = "WITH t AS (SELECT * FROM victims) \
                   SELECT * FROM t JOIN population p ON t.d = p.d \
                   WHERE x IN (SELECT x FROM offenders) AND y > (SELECT max(y) FROM params)";
        assert_eq!(names(sql), ["offenders", "params", "population", "victims"]);
    }

    #[test]
    fn string_literals_aliases_and_columns_are_not_relations() {
        let sql = "SELECT 'age_risk' AS age_risk, t.tables FROM victims AS t";
        assert_eq!(names(sql), ["victims"]);
        let sql = "SELECT count(*) AS population FROM victims WHERE district = 'offenders'";
        assert_eq!(names(sql), ["victims"]);
    }

    #[test]
    fn table_functions_are_refused() {
        for (sql, name) in [
            ("SELECT * FROM read_csv('/etc/os-release')", "read_csv"),
            (
                "SELECT count(*) FROM read_parquet('x.parquet')",
                "read_parquet",
            ),
            (
                "SELECT * FROM victims WHERE x IN (SELECT a FROM read_json('y'))",
                "read_json",
            ),
        ] {
            let err = relations(sql).unwrap_err();
            assert_eq!(err, [Problem::TableFunction(name.into())], "{sql}");
        }
    }

    #[test]
    fn other_statements_and_qualified_names_are_refused() {
        assert!(matches!(
            relations("DROP TABLE victims").unwrap_err()[..],
            [Problem::NotOneSelect(_)]
        ));
        assert!(matches!(
            relations("SELECT 1; SELECT 2").unwrap_err()[..],
            [Problem::NotOneSelect(_)]
        ));
        assert_eq!(
            relations("SELECT * FROM other.victims").unwrap_err(),
            [Problem::Qualified("other.victims".into())]
        );
        assert!(matches!(
            relations("SELEC 1").unwrap_err()[..],
            [Problem::Syntax(_)]
        ));
    }
}
