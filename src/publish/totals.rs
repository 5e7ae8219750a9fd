//! Totals-row cells that are not sums: a column declared `total = "rate"`
//! shows its numerator's total ÷ its denominator's total × `per`, computed
//! from the published totals (so a rate total never reveals more than the
//! totals beside it), instead of a blank or a meaningless sum of rates.

use toml::Spanned;

use super::{Cell, PublishedTable};
use crate::compute::Value;
use crate::error::{suggest, Error, ErrorKind, Result};
use crate::spec::{ColumnDecl, PublishPart, TableDecl};

/// What a column's `total` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Total {
    Sum,
    Rate,
    None,
}

/// The columns summed into the totals row: the table's `totals` and every
/// column declared `total = "sum"` (not repeated).
pub(super) fn summed(decl: &TableDecl) -> Vec<Spanned<String>> {
    let mut out = decl.totals.clone();
    for c in &decl.columns {
        let sum = c.total.as_ref().is_some_and(|t| t.get_ref() == "sum");
        if sum && !out.iter().any(|o| o.get_ref() == c.name.get_ref()) {
            out.push(c.name.clone());
        }
    }
    out
}

/// Fills the totals of `total = "rate"` columns in the published table `t`
/// and checks every column's `total` declaration, reporting all problems at
/// once. `rounded` is true when disclosure control rounds this table's
/// counts (a rate from an unrounded total would give the count away).
pub(super) fn rate_totals(
    spec: PublishPart<'_>,
    name: &str,
    decl: &TableDecl,
    t: &mut PublishedTable,
    rounded: bool,
) -> Result<()> {
    let mut errors = Vec::new();
    let mut rates = Vec::new();
    for c in &decl.columns {
        match kind(spec, name, c) {
            Ok(Total::Rate) => match rate(spec, name, decl, c, t, rounded) {
                Ok(v) => rates.push((c.name.get_ref().clone(), v)),
                Err(e) => errors.push(e),
            },
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    Error::collect(errors)?;
    t.totals.extend(rates);
    Ok(())
}

/// The column's `total`, checked: a known word, and rate settings only with
/// `rate`.
fn kind(spec: PublishPart<'_>, name: &str, c: &ColumnDecl) -> Result<Total> {
    let col = c.name.get_ref();
    let total = match c.total.as_ref().map(|t| (t.get_ref().as_str(), t.span())) {
        None => Total::None,
        Some(("sum", _)) => Total::Sum,
        Some(("rate", _)) => Total::Rate,
        Some(("none", _)) => Total::None,
        Some((other, span)) => {
            return Err(spec
                .error_at(
                    ErrorKind::Spec,
                    format!("table `{name}`, column `{col}`: unknown `total = \"{other}\"`"),
                    span,
                )
                .with_hint("use `total = \"sum\"`, `\"rate\"` (with `numerator`, `denominator` and `per`) or `\"none\"`"));
        }
    };
    let stray = [
        c.numerator.as_ref().map(Spanned::span),
        c.denominator.as_ref().map(Spanned::span),
        c.per.as_ref().map(Spanned::span),
    ]
    .into_iter()
    .flatten()
    .next();
    match stray {
        Some(span) if total != Total::Rate => Err(spec
            .error_at(
                ErrorKind::Spec,
                format!("table `{name}`, column `{col}` has a `numerator`, `denominator` or `per` but no `total = \"rate\"`"),
                span,
            )
            .with_hint("add `total = \"rate\"` to the column, or remove the rate settings")),
        _ => Ok(total),
    }
}

/// One rate total: both operands must be totalled and published as numbers.
fn rate(
    spec: PublishPart<'_>,
    name: &str,
    decl: &TableDecl,
    c: &ColumnDecl,
    t: &PublishedTable,
    rounded: bool,
) -> Result<Cell> {
    let col = c.name.get_ref();
    let at = c.total.as_ref().map_or(0..0, Spanned::span);
    let err = |message: String, hint: String| {
        spec.error_at(ErrorKind::Spec, message, at.clone())
            .with_hint(hint)
    };
    if summed(decl).iter().any(|s| s.get_ref() == col) {
        return Err(err(
            format!("table `{name}` both sums and computes a rate total for `{col}`"),
            format!("a sum of rates means nothing: remove `{col}` from `totals`"),
        ));
    }
    if rounded {
        return Err(err(
            format!("table `{name}` has a rate total, which `disclosure.round_to` cannot round"),
            "a rate computed from an unrounded total would reveal it: drop `round_to`, or `total = \"rate\"`".into(),
        ));
    }
    let (Some(num), Some(den)) = (&c.numerator, &c.denominator) else {
        return Err(err(
            format!("table `{name}`, column `{col}`: `total = \"rate\"` needs `numerator` and `denominator`"),
            "name the totalled columns the rate is computed from, e.g. `numerator = \"victims\", denominator = \"population\", per = 1000`".into(),
        ));
    };
    let per = c.per.as_ref().map_or(1.0, |p| *p.get_ref());
    if !(per.is_finite() && per > 0.0) {
        let span = c.per.as_ref().map_or(at.clone(), Spanned::span);
        return Err(spec
            .error_at(
                ErrorKind::Spec,
                format!("table `{name}`, column `{col}`: `per` must be a positive number"),
                span,
            )
            .with_hint("use e.g. `per = 1000` for a rate per 1,000, or leave it out for a share"));
    }
    let operand = |o: &Spanned<String>| rate_operand(spec, name, col, t, o);
    let (n, d) = (operand(num), operand(den));
    Error::collect(
        [&n, &d]
            .into_iter()
            .filter_map(|r| r.as_ref().err().cloned())
            .collect(),
    )?;
    let (Ok(n), Ok(d)) = (n, d) else {
        unreachable!("both operands were checked just above")
    };
    match (n.number(), d.number()) {
        // A suppressed total suppresses the rate computed from it.
        _ if matches!(n, Cell::Suppressed(_)) => Ok(n),
        _ if matches!(d, Cell::Suppressed(_)) => Ok(d),
        (Some(_), Some(0.0)) => Err(Error::new(
            ErrorKind::Data,
            format!("table `{name}`: the total of `{}` is 0, so the rate total of `{col}` cannot be computed", den.get_ref()),
        )
        .with_hint("check the data; or declare `total = \"none\"` on the column")),
        (Some(n), Some(d)) => Ok(Cell::Value(Value::Float(n / d * per))),
        _ => Err(err(
            format!("table `{name}`: the totals of `{}` and `{}` are not both numbers", num.get_ref(), den.get_ref()),
            "a rate total divides two numeric totals".into(),
        )),
    }
}

/// The published total of a rate's operand column `o`; an error naming the
/// column if the table does not show it or does not total it.
fn rate_operand(
    spec: PublishPart<'_>,
    name: &str,
    col: &str,
    t: &PublishedTable,
    o: &Spanned<String>,
) -> Result<Cell> {
    let columns: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    match t.totals.get(o.get_ref()) {
        Some(v) => Ok(v.clone()),
        None if !columns.contains(&o.get_ref().as_str()) => Err(spec
            .error_at(ErrorKind::Spec, format!("table `{name}` has no column `{}` (named in the rate total of `{col}`)", o.get_ref()), o.span())
            .with_hint(suggest(o.get_ref(), &columns, "shown columns"))),
        None => Err(spec
            .error_at(ErrorKind::Spec, format!("table `{name}`: `{}` has no total, so the rate total of `{col}` cannot be computed", o.get_ref()), o.span())
            .with_hint(format!("add `{}` to the table's `totals`", o.get_ref()))),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::compute::{Computed, Previous, Table, TableColumn};
    use crate::error::ErrorKind;
    use crate::format::Format;
    use crate::spec::Spec;

    use super::*;

    fn spec(tables: &str) -> Spec {
        crate::spec::SpecBuilder::new()
            .disclosure(5)
            .section(tables)
            .build()
    }

    /// Districts with victims, population and a rate per 1,000.
    fn rates(victims: [i64; 3]) -> Table {
        let columns = [
            ("district", Format::Text),
            ("victims", Format::Integer),
            ("population", Format::Integer),
            ("rate", Format::Decimal(1)),
        ]
        .iter()
        .map(|(n, f)| TableColumn {
            name: n.to_string(),
            label: n.to_string(),
            format: *f,
        })
        .collect();
        let rows = ["A", "B", "C"]
            .iter()
            .zip(victims)
            .zip([1000, 4000, 5000])
            .map(|((d, v), p)| {
                vec![
                    Value::Text(d.to_string()),
                    Value::Int(v),
                    Value::Int(p),
                    Value::Float(1000.0 * v as f64 / p as f64),
                ]
            })
            .collect();
        Table {
            columns,
            rows,
            ..Table::default()
        }
    }

    const RATE_TABLE: &str = "[tables.d]\nsql = \"SELECT 1\"\ntotals = [\"victims\"]\n\
        protect = { counts = [\"victims\"], derived = { rate = \"victims\" }, public = [\"population\"] }\n\
        columns = [\n  { name = \"district\" },\n  { name = \"victims\", format = \"integer\" },\n\
          { name = \"population\", format = \"integer\", total = \"sum\" },\n\
          { name = \"rate\", format = \"decimal:1\", total = \"rate\", numerator = \"victims\", denominator = \"population\", per = 1000 },\n]\n";

    fn publish(s: &Spec, t: Table) -> crate::error::Result<crate::publish::Published> {
        let computed = Computed {
            tables: BTreeMap::from([("d".to_string(), t)]),
            ..Computed::default()
        };
        crate::publish::publish(s.publish_part(), &computed, &Previous::NotApplicable)
    }

    #[test]
    fn a_rate_total_is_recomputed_from_the_summed_operands() {
        let p = publish(&spec(RATE_TABLE), rates([20, 40, 90])).unwrap();
        let totals = &p.current.tables["d"].totals;
        assert_eq!(totals["victims"], Cell::Value(Value::Int(150)));
        assert_eq!(
            totals["population"],
            Cell::Value(Value::Int(10_000)),
            "total = \"sum\""
        );
        // 150 / 10,000 × 1,000, not the sum (or mean) of the rates.
        assert_eq!(totals["rate"], Cell::Value(Value::Float(15.0)));
    }

    #[test]
    fn rate_settings_are_checked_all_at_once() {
        let s = spec(
            "[tables.d]\nsql = \"SELECT 1\"\ndisclosure = false\ndisclosure_reason = \"test\"\n\
             columns = [\n  { name = \"district\", total = \"avg\" },\n\
               { name = \"victims\", per = 10 },\n\
               { name = \"rate\", total = \"rate\", numerator = \"victims\", denominator = \"population\" },\n]\n",
        );
        let err = publish(&s, rates([20, 40, 90])).unwrap_err();
        let messages: Vec<String> = err.all().map(|e| e.to_string()).collect();
        assert_eq!(err.count(), 4, "{messages:#?}");
        assert!(err.all().all(|e| e.kind() == ErrorKind::Spec));
        let all = messages.join("\n");
        assert!(all.contains("unknown `total = \"avg\"`"), "{all}");
        assert!(all.contains("no `total = \"rate\"`"), "{all}");
        assert!(all.contains("`victims` has no total"), "{all}");
        assert!(all.contains("`population` has no total"), "{all}");
    }

    #[test]
    fn a_zero_denominator_total_fails_the_build() {
        let mut t = rates([20, 40, 90]);
        for row in &mut t.rows {
            row[2] = Value::Int(0);
        }
        let err = publish(&spec(RATE_TABLE), t).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Data);
        assert!(err.to_string().contains("the total of `population` is 0"));
    }

    #[test]
    fn a_suppressed_numerator_total_suppresses_the_rate_total() {
        let mut t = rates([20, 40, 90]).map(|v| Cell::Value(v.clone()));
        t.totals
            .insert("victims".into(), Cell::Suppressed("[c]".into()));
        t.totals
            .insert("population".into(), Cell::Value(Value::Int(10_000)));
        let s = spec(RATE_TABLE);
        let decl = &s.tables["d"];
        rate_totals(s.publish_part(), "d", decl, &mut t, false).unwrap();
        assert_eq!(t.totals["rate"], Cell::Suppressed("[c]".into()));
    }
}
