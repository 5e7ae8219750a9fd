//! Queries whose results do not depend on hash order.
//!
//! Polars groups (`GROUP BY`), de-duplicates (`DISTINCT`) and joins with
//! hash tables seeded at random for each process, and by default gives
//! their rows in whatever order the table yields them. A query that then
//! adds up floating-point values over such rows (`SUM` of a grouped
//! subquery's sums, an average over a join) adds them in a different order
//! in each build, and the last digits of the figure change: the manifest,
//! `verify` and a figure printed to full precision would differ between two
//! builds of the same inputs. Before a query runs, every grouping,
//! de-duplication and join in its plan is told to keep its input's order,
//! so the rows (and every sum over them) come out the same in every build.

use std::sync::Arc;

use polars::prelude::*;

/// `query` with every `GROUP BY`, `DISTINCT` and join keeping row order,
/// and its means and variances computed as sums in row order.
/// Polars' optimizer would drop that order again where it thinks nothing
/// downstream sees it (a `SUM` over the rows: true of integers, not of
/// floating-point values), so that optimization is turned off.
///
/// The means are rewritten only where that changes no output column's
/// type: `AVG` of a date is a date in Polars, and stays Polars' own.
///
/// Polars' common-subexpression pass is turned off too: it makes an
/// expression used twice (SQL's `SUM(x * 1.5)` reads `x * 1.5` for its
/// null count and for its sum) a column of its own first, and a sum over
/// that column changed in its last bit between runs on two threads (64
/// of 500); computed where it is used, in none of 1,500.
pub(super) fn stable(query: LazyFrame) -> LazyFrame {
    let flags = query.get_current_optimizations();
    let plan = query.logical_plan;
    let make = |aggregates: bool| {
        let mut plan = plan.clone();
        visit(&mut plan, aggregates);
        LazyFrame::from(plan)
            .with_optimizations(flags & !OptFlags::COMM_SUBEXPR_ELIM)
            .with_check_order(false)
    };
    let (ordered, rewritten) = (make(false), make(true));
    let same_types = match (
        ordered.clone().collect_schema(),
        rewritten.clone().collect_schema(),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same_types {
        make(true)
    } else {
        make(false)
    }
}

/// `AVG`, `STDDEV` and `VARIANCE` written as sums over the rows: Polars'
/// own parallel mean and variance over groups combine partial results in
/// the order threads finish, so their last digits change between runs;
/// a sum over a group's rows adds them in row order.
fn ordered_aggregates(expr: Expr) -> Expr {
    expr.map_expr(|e| match e {
        Expr::Agg(AggExpr::Mean(x)) => mean(&x),
        Expr::Agg(AggExpr::Var(x, ddof)) => variance(&x, ddof),
        Expr::Agg(AggExpr::Std(x, ddof)) => variance(&x, ddof).sqrt(),
        e => e,
    })
}

/// The mean of the non-null values, NULL if there are none (as SQL's `AVG`).
fn mean(x: &Expr) -> Expr {
    let x = x.clone().cast(DataType::Float64);
    let n = x.clone().count();
    when(n.clone().gt(lit(0)))
        .then(x.sum() / n.cast(DataType::Float64))
        .otherwise(lit(NULL).cast(DataType::Float64))
}

/// The variance with `ddof` degrees of freedom lost, NULL if too few values.
fn variance(x: &Expr, ddof: u8) -> Expr {
    let x = x.clone().cast(DataType::Float64);
    let n = x.clone().count();
    let deviation = x.clone() - mean(&x);
    let squares = (deviation.clone() * deviation).sum();
    when(n.clone().gt(lit(ddof as u32)))
        .then(squares / (n.cast(DataType::Float64) - lit(ddof as f64)))
        .otherwise(lit(NULL).cast(DataType::Float64))
}

fn exprs(list: &mut [Expr], aggregates: bool) {
    if !aggregates {
        return;
    }
    for e in list {
        *e = ordered_aggregates(std::mem::take(e));
    }
}

/// Every `SUM` over a whole column added up in one pass over one
/// contiguous array, on one thread.
///
/// Polars adds a float column up chunk by chunk, pairwise within each, so
/// the last digit depends on where the chunks break, and a column read
/// from a file has one chunk per part the reader split it into, as many
/// as the machine has cores. And a `SUM` over 100,000 rows or more is
/// split again into one slice per thread, whose sums are then added,
/// unless the thread evaluating it has other work queued at that moment:
/// so the same query gave one answer on one core and another on two, and
/// on two cores changed between runs (the sum of a window's column, or of
/// a computed one, evaluated beside SQL's `NULL`-if-empty test). Summed
/// whole, it depends on the values alone, on any machine (tested by
/// `float_order.rs` on one core and on all, and below). A `SUM … OVER`
/// is Polars' own: a window adds each group's rows in order, on one
/// thread.
fn contiguous_sums(list: &mut [Expr]) {
    for e in list {
        *e = std::mem::take(e).map_expr(|e| match e {
            Expr::Agg(AggExpr::Sum(x)) => whole_sum(Arc::unwrap_or_clone(x)),
            Expr::Over {
                function,
                partition_by,
                order_by,
                mapping,
            } => Expr::Over {
                function: Arc::new(polars_sums(Arc::unwrap_or_clone(function))),
                partition_by,
                order_by,
                mapping,
            },
            e => e,
        });
    }
}

/// What [`whole_sum`] calls itself in a plan.
const WHOLE_SUM: &str = "sum (whole column)";

/// `x`'s sum, as Polars' `sum` gives it on one thread: its type is the
/// type Polars' own sum of `x` has (read off an empty column of `x`'s
/// type, so the two cannot disagree).
fn whole_sum(x: Expr) -> Expr {
    x.agg_with_fmt_str(
        |c: Column| {
            let sum = c.rechunk().sum_reduce()?;
            Ok(sum.into_column(c.name().clone()))
        },
        |_: &Schema, field: &Field| {
            let empty = Series::new_empty(field.name().clone(), field.dtype());
            let dtype = empty.sum_reduce()?.dtype().clone();
            Ok(Field::new(field.name().clone(), dtype))
        },
        WHOLE_SUM,
    )
}

/// `window` with every [`whole_sum`] in it Polars' own `sum` again.
fn polars_sums(window: Expr) -> Expr {
    window.map_expr(|e| match e {
        Expr::AnonymousFunction { input, fmt_str, .. }
            if fmt_str.as_str() == WHOLE_SUM && input.len() == 1 =>
        {
            let x = input.into_iter().next().unwrap_or_default();
            x.sum()
        }
        e => e,
    })
}

fn visit(plan: &mut DslPlan, aggregates: bool) {
    let visit_arc = |plan: &mut Arc<DslPlan>| visit(Arc::make_mut(plan), aggregates);
    let visit = |plan: &mut DslPlan| visit(plan, aggregates);
    let exprs = |list: &mut [Expr]| exprs(list, aggregates);
    match plan {
        DslPlan::Select { expr, input, .. } => {
            exprs(expr);
            contiguous_sums(expr);
            visit_arc(input);
        }
        DslPlan::HStack {
            exprs: list, input, ..
        } => {
            exprs(list);
            contiguous_sums(list);
            visit_arc(input);
        }
        DslPlan::Filter { predicate, input } => {
            exprs(std::slice::from_mut(predicate));
            visit_arc(input);
        }
        DslPlan::GroupBy {
            input,
            aggs,
            predicates,
            maintain_order,
            ..
        } => {
            *maintain_order = true;
            exprs(aggs);
            exprs(predicates);
            visit_arc(input);
        }
        DslPlan::Distinct { input, options } => {
            options.maintain_order = true;
            visit_arc(input);
        }
        DslPlan::Join {
            input_left,
            input_right,
            options,
            ..
        } => {
            if options.args.maintain_order == MaintainOrderJoin::None {
                Arc::make_mut(options).args.maintain_order = MaintainOrderJoin::Left;
            }
            visit_arc(input_left);
            visit_arc(input_right);
            super::one_row::constant_columns(plan);
        }
        DslPlan::Cache { input, .. }
        | DslPlan::MatchToSchema { input, .. }
        | DslPlan::Sort { input, .. }
        | DslPlan::Slice { input, .. }
        | DslPlan::MapFunction { input, .. }
        | DslPlan::Sink { input, .. } => visit_arc(input),
        DslPlan::Gather { input, idxs, .. } => {
            visit_arc(input);
            visit_arc(idxs);
        }
        DslPlan::ExtContext { input, contexts } => {
            visit_arc(input);
            contexts.iter_mut().for_each(visit);
        }
        DslPlan::Union { inputs, .. }
        | DslPlan::HConcat { inputs, .. }
        | DslPlan::SinkMultiple { inputs } => inputs.iter_mut().for_each(visit),
        // A part of the plan Polars has already converted: its source plan
        // is changed, and the conversion dropped so that it is made again.
        DslPlan::IR { dsl, node, .. } => {
            visit_arc(dsl);
            *node = None;
        }
        // Leaves (scans of frames) and plans the SQL interface does not make.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::sql::SQLContext;

    /// Values whose float sum depends on the order they are added in.
    fn frame() -> DataFrame {
        let n = 200_000;
        let key: Vec<String> = (0..n).map(|i| format!("k{}", (i * 7919) % 97)).collect();
        let x: Vec<f64> = (0..n)
            .map(|i| ((i * 2_654_435_761_u64 as usize) % 1_000_003) as f64 / 7.0 + 0.1)
            .collect();
        df!("key" => key, "x" => x).expect("frame")
    }

    fn run(ctx: &mut SQLContext, sql: &str, stabilise: bool) -> String {
        let mut lf = ctx.execute(sql).expect("plans");
        if stabilise {
            lf = stable(lf);
        }
        let out = lf.collect().expect("runs");
        let total = out
            .column("total")
            .expect("total")
            .f64()
            .expect("f64")
            .get(0);
        format!("{:?}", total.map(f64::to_bits))
    }

    #[test]
    fn sums_over_groups_joins_and_distinct_rows_are_the_same_every_run() {
        let mut ctx = SQLContext::new();
        ctx.register("t", frame().lazy());
        for sql in [
            "SELECT SUM(s) AS total FROM (SELECT key, SUM(x) AS s FROM t GROUP BY key)",
            "SELECT SUM(x) AS total FROM (SELECT DISTINCT key, x FROM t)",
            "SELECT SUM(m) AS total FROM (SELECT key, AVG(x) AS m FROM t GROUP BY key)",
            "SELECT SUM(m) AS total FROM (SELECT key, STDDEV(x) + VARIANCE(x) AS m FROM t GROUP BY key)",
            "SELECT SUM(a.s * b.s) AS total FROM (SELECT key, SUM(x) AS s FROM t GROUP BY key) a \
             JOIN (SELECT key, AVG(x) AS s FROM t GROUP BY key) b ON a.key = b.key",
        ] {
            let first = run(&mut ctx, sql, true);
            for _ in 0..30 {
                assert_eq!(run(&mut ctx, sql, true), first, "{sql}");
            }
        }
    }

    #[test]
    fn a_mean_of_dates_stays_polars_own() {
        let mut ctx = SQLContext::new();
        let d = Series::new("d".into(), [1i32, 3, 8])
            .cast(&DataType::Date)
            .expect("dates");
        ctx.register(
            "t",
            DataFrame::new(3, vec![d.into()]).expect("frame").lazy(),
        );
        let sql = "SELECT AVG(d) AS m FROM t";
        let plain = ctx.execute(sql).and_then(LazyFrame::collect).expect("runs");
        let ours = stable(ctx.execute(sql).expect("plans"))
            .collect()
            .expect("runs");
        assert_eq!(ours, plain);
        assert!(!ours.column("m").expect("m").dtype().is_float());
    }

    /// The distinct answers of `sql` over [`frame`] in `runs` runs.
    fn answers(sql: &str, runs: usize, stabilise: bool) -> std::collections::BTreeSet<String> {
        let mut ctx = SQLContext::new();
        ctx.register("t", frame().lazy());
        (0..runs).map(|_| run(&mut ctx, sql, stabilise)).collect()
    }

    #[test]
    fn a_sum_of_a_computed_column_is_the_same_every_run() {
        // With Polars' common-subexpression pass, `x * 1.5` became a column
        // of its own and its sum changed in the last bit in 64 of 500 runs
        // on two threads; without it, in none of 1,500.
        let answers = answers("SELECT SUM(x * 1.5) AS total FROM t", 200, true);
        assert_eq!(answers.len(), 1, "{answers:?}");
    }

    #[test]
    fn sums_of_window_and_computed_columns_are_the_whole_columns_sums_every_run() {
        // Polars split these sums into one slice per thread whenever the
        // thread had nothing else queued: two answers in 400 runs.
        for (sql, column) in [
            (
                "SELECT SUM(m) AS total FROM (SELECT MAX(x) OVER (PARTITION BY key) AS m FROM t)",
                "SELECT MAX(x) OVER (PARTITION BY key) AS m FROM t",
            ),
            (
                "SELECT SUM(m) AS total FROM (SELECT x * 1.5 AS m FROM t)",
                "SELECT x * 1.5 AS m FROM t",
            ),
        ] {
            let answers = answers(sql, 300, true);
            let mut ctx = SQLContext::new();
            ctx.register("t", frame().lazy());
            let m = ctx
                .execute(column)
                .and_then(LazyFrame::collect)
                .expect("runs");
            let m = m.column("m").expect("m").as_materialized_series().rechunk();
            // On one thread, in one piece: what one core gives.
            let whole = format!("{:?}", m.sum::<f64>().ok().map(f64::to_bits));
            assert_eq!(answers, [whole].into(), "{sql}");
        }
    }

    #[test]
    fn sums_keep_polars_types_nulls_and_windows() {
        let mut ctx = SQLContext::new();
        let t = df!(
            "key" => ["a", "b", "a", "c"],
            "i" => [Some(1i64), None, Some(-4), Some(9)],
            "small" => [1i32, 2, 3, 4],
            "x" => [Some(0.5f64), Some(2.25), None, Some(-1.0)],
            "none" => [None::<f64>, None, None, None],
        )
        .expect("frame");
        ctx.register("t", t.lazy());
        for sql in [
            "SELECT SUM(i) AS a, SUM(small) AS b, SUM(x) AS c, SUM(none) AS d FROM t",
            "SELECT SUM(x) AS c FROM t WHERE key = 'nowhere'",
            "SELECT key, x, SUM(x) OVER (PARTITION BY key) AS s FROM t ORDER BY key, x",
            "SELECT key, i * 2 AS j, i / SUM(i) OVER () AS share FROM t ORDER BY key, j",
            "SELECT key, SUM(x) AS s FROM t GROUP BY key ORDER BY key",
        ] {
            let plain = ctx.execute(sql).and_then(LazyFrame::collect).expect("runs");
            let ours = stable(ctx.execute(sql).expect("plans"))
                .collect()
                .expect("runs");
            assert_eq!(ours, plain, "{sql}");
            assert_eq!(ours.schema(), plain.schema(), "{sql}");
        }
    }

    #[test]
    fn without_it_the_order_and_so_the_sum_can_change() {
        // The reason for this module: the same query, unchanged, gives
        // more than one answer in one process.
        let sql = "SELECT SUM(s) AS total FROM (SELECT key, SUM(x) AS s FROM t GROUP BY key)";
        let answers = answers(sql, 30, false);
        assert!(answers.len() > 1, "{answers:?}");
    }
}
