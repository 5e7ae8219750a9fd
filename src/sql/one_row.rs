//! A cross join with a one-row frame (`FROM t CROSS JOIN params` or
//! `FROM t, params WHERE …`, the way a spec's query reads its parameters),
//! run as `t` with that row's values added as constant columns (and its
//! conditions as a filter).
//!
//! Polars makes a cross join by gathering both sides to the product's
//! height: with one row on the right that is a copy of every column on
//! the left, and of the right's values once per row. At 10 M rows the
//! example's `resident_victims` (`county_victims CROSS JOIN params`) so
//! copied ~200 MB and took ~100 ms in each period. A constant column is
//! one value, broadcast. The rows, their order, and the columns' names (a
//! name both sides have takes the join's suffix: `district:params`) and
//! types are the join's: they are read from the join's own schema, and a
//! join whose schema cannot be worked out is left as it is, so its error
//! is Polars' own.

use std::sync::Arc;

use polars::prelude::*;

/// `plan`, if it is a plain cross join whose right side is an in-memory
/// frame of one row, becomes its left side with that row's values as
/// constant columns; any other plan is left as it is.
pub(super) fn constant_columns(plan: &mut DslPlan) {
    if let Some(with_constants) = rewritten(plan) {
        *plan = with_constants;
    }
}

fn rewritten(plan: &DslPlan) -> Option<DslPlan> {
    let DslPlan::Join {
        input_left,
        input_right,
        left_on,
        right_on,
        predicates,
        options,
    } = plan
    else {
        return None;
    };
    let DslPlan::DataFrameScan { df: row, .. } = converted(input_right) else {
        return None;
    };
    // A cross join, or the inner join without keys that Polars makes of
    // `FROM t, params WHERE …` (the conditions are its `predicates`).
    let cross = match options.args.how {
        JoinType::Cross => true,
        JoinType::Inner => !predicates.is_empty(),
        _ => false,
    };
    let cross = cross && options.args.slice.is_none() && left_on.is_empty() && right_on.is_empty();
    if !cross || row.height() != 1 {
        return None;
    }
    let joined = LazyFrame::from(plan.clone()).collect_schema().ok()?;
    let left = LazyFrame::from(Arc::unwrap_or_clone(input_left.clone()));
    let left_schema = left.clone().collect_schema().ok()?;
    let n = left_schema.len();
    if joined.len() != n + row.width() || joined.iter().take(n).ne(left_schema.iter()) {
        return None;
    }
    // The conditions are kept as a filter when every column they name is
    // one side's alone (a name both sides have is not rewritten).
    let unambiguous = |e: &Expr| match e {
        Expr::Column(name) => {
            joined.contains(name) && !(left_schema.contains(name) && row.schema().contains(name))
        }
        Expr::Selector(_) | Expr::DataTypeFunction(_) => false,
        _ => true,
    };
    if !predicates
        .iter()
        .flat_map(|p| p.into_iter())
        .all(unambiguous)
    {
        return None;
    }
    let constants = row
        .columns()
        .iter()
        .zip(joined.iter().skip(n))
        .map(|(column, (name, dtype))| {
            let value = column.get(0).ok()?.into_static();
            (column.dtype() == dtype)
                .then(|| lit(Scalar::new(dtype.clone(), value)).alias(name.clone()))
        })
        .collect::<Option<Vec<_>>>()?;
    let with_constants = left.with_columns(constants);
    let kept = predicates
        .iter()
        .fold(with_constants, |rows, p| rows.filter(p.clone()));
    Some(kept.logical_plan)
}

/// `plan` without the wrappers of parts Polars has already converted
/// (its SQL interface converts a table's plan to learn its schema).
fn converted(mut plan: &DslPlan) -> &DslPlan {
    while let DslPlan::IR { dsl, .. } = plan {
        plan = dsl;
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::sql::SQLContext;

    fn context(params: DataFrame) -> SQLContext {
        let ctx = SQLContext::new();
        let t = df!(
            "district" => ["Cambridge", "Fenland", "Cambridge", "Peterborough"],
            "age" => [Some(31i64), None, Some(7), Some(64)],
        )
        .expect("frame");
        ctx.register("t", t.lazy());
        ctx.register("params", params.lazy());
        ctx
    }

    fn params(district: &str) -> DataFrame {
        let date = Series::new("start".into(), [18_352i32])
            .cast(&DataType::Date)
            .expect("date");
        let mut row = df!("district" => [district], "cap" => [Some(40i64)]).expect("row");
        row.with_column(date.into()).expect("column");
        row
    }

    /// The query's result as Polars gives it, and as it runs in a build
    /// (through [`stable`](super::super::stable::stable), which calls the
    /// rewrite at every join), and whether the plan that runs holds a join.
    fn both(ctx: &mut SQLContext, sql: &str) -> (DataFrame, DataFrame, bool) {
        let plain = ctx.execute(sql).and_then(LazyFrame::collect).expect("runs");
        let ours = super::super::stable::stable(ctx.execute(sql).expect("plans"));
        let joins = ours.describe_plan().expect("plan").contains("JOIN");
        (plain, ours.collect().expect("runs"), joins)
    }

    #[test]
    fn a_one_row_cross_join_gives_the_joins_rows_names_and_types_without_a_join() {
        for district in ["All districts", "Cambridge", "Nowhere"] {
            let mut ctx = context(params(district));
            for sql in [
                "SELECT t.* FROM t CROSS JOIN params \
                 WHERE params.district = 'All districts' OR t.district = params.district",
                "SELECT * FROM t CROSS JOIN params",
                "SELECT t.* FROM t, params \
                 WHERE params.district = 'All districts' OR t.district = params.district \
                 ORDER BY t.age",
                "SELECT t.age, params.cap, params.start, params.district FROM t, params \
                 WHERE t.age < params.cap ORDER BY t.age",
                "SELECT t.*, params.start FROM t, params WHERE t.age + 30 >= params.cap ORDER BY age",
                "SELECT district, COUNT(*) AS n FROM (SELECT t.* FROM t CROSS JOIN params \
                 WHERE t.age IS NULL OR t.age < params.cap) GROUP BY district ORDER BY district",
            ] {
                let (plain, ours, joins) = both(&mut ctx, sql);
                assert_eq!(ours, plain, "{sql} ({district})");
                assert_eq!(ours.schema(), plain.schema(), "{sql}");
                assert!(!joins, "{sql}: still a join");
            }
        }
    }

    #[test]
    fn an_empty_left_side_gives_no_rows() {
        let mut ctx = context(params("Cambridge"));
        let sql = "SELECT * FROM (SELECT * FROM t WHERE age > 200) u CROSS JOIN params";
        let (plain, ours, joins) = both(&mut ctx, sql);
        assert_eq!(ours.height(), 0);
        assert_eq!(ours, plain);
        assert!(!joins);
    }

    #[test]
    fn other_cross_joins_stay_joins() {
        let two = df!("district" => ["a", "b"], "cap" => [1i64, 2]).expect("frame");
        let none =
            df!("district" => Vec::<String>::new(), "cap" => Vec::<i64>::new()).expect("frame");
        for params in [two, none] {
            let mut ctx = context(params);
            let (plain, ours, joins) = both(&mut ctx, "SELECT * FROM t CROSS JOIN params");
            assert_eq!(ours, plain);
            assert!(joins);
        }
        // A one-row frame on the left: the right side is the one copied.
        let mut ctx = context(params("Cambridge"));
        let (plain, ours, joins) = both(&mut ctx, "SELECT * FROM params CROSS JOIN t");
        assert_eq!(ours, plain);
        assert!(joins);
    }
}
