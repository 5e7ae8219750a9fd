//! Computed → published: table totals, statistical disclosure control and
//! its audit. Everything after this stage (templates, tables, charts,
//! `.previous`, `change`, the public manifest) sees published values only.
//!
//! A controlled table (`[disclosure] apply_to`, or `disclosure = true` on
//! the table) has its small counts suppressed ([`suppress`]), complementary
//! cells added until the [`audit`] proves that no suppressed count can be
//! worked out from what is published (the other cells and every total),
//! and every rate or share derived from a suppressed count suppressed too.
//! Totals are computed here from the true values; the audit is what shows
//! they give nothing away.

pub(crate) mod audit;
mod cell;
pub(crate) mod suppress;
mod tables;
mod totals;

use std::collections::BTreeMap;

use crate::compute::{Computed, Previous, Table, Value};
use crate::error::{Error, ErrorKind, Result};
use crate::spec::{ProtectDecl, PublishPart, TableDecl};
use audit::Interval;
pub(crate) use cell::{Cell, Period, PublishedPrevious, PublishedTable};
use suppress::Reason;

/// Published figures and tables for this period and the previous one, and
/// the record of how each table was protected.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// This period's published values (suppressed cells are
    /// [`Cell::Suppressed`]; tables carry their totals).
    pub current: Period,
    /// The previous period's, published the same way.
    pub previous: PublishedPrevious,
    /// How this period's tables were protected, if `[disclosure]` is set.
    pub disclosure: Option<Disclosure>,
}

/// The disclosure control applied to one period's tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    /// Counts below this are suppressed; intervals must be this wide.
    pub threshold: i64,
    /// What a suppressed cell shows.
    pub marker: String,
    /// The rounding base, if any.
    pub round_to: Option<i64>,
    /// Each controlled or opted-out table.
    pub tables: BTreeMap<String, TableControl>,
}

/// What disclosure control did to one table.
#[derive(Debug, Clone, PartialEq)]
pub enum TableControl {
    /// Opted out with `disclosure = false`, for this reason.
    OptedOut(String),
    /// Protected: every suppressed cell and its audited interval.
    Protected(Vec<ProtectedCell>),
}

/// One suppressed cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedCell {
    /// The row's label (its first column).
    pub row: String,
    /// The column's name.
    pub column: String,
    /// Why it is suppressed.
    pub reason: Reason,
    /// The true value (private).
    pub value: i64,
    /// What an intruder could narrow it to from the published table.
    pub interval: Interval,
}

/// Publishes this period's and the previous period's results.
pub fn publish(
    spec: PublishPart<'_>,
    computed: &Computed,
    previous: &Previous,
) -> Result<Published> {
    let (current, disclosure) = publish_period(spec, computed)?;
    let previous = match previous {
        Previous::Computed { period, computed } => Previous::Computed {
            period: *period,
            computed: Box::new(publish_period(spec, computed)?.0),
        },
        Previous::NotApplicable => Previous::NotApplicable,
        Previous::Missing { period, reason } => Previous::Missing {
            period: *period,
            reason: reason.clone(),
        },
    };
    Ok(Published {
        current,
        previous,
        disclosure,
    })
}

/// How the spec controls one table.
enum Control<'a> {
    /// No disclosure control.
    None,
    /// `disclosure = false`, with its reason.
    OptedOut(String),
    /// Under control, with its declaration (possibly all defaults).
    Protected(ProtectDecl, &'a TableDecl),
}

fn publish_period(
    spec: PublishPart<'_>,
    computed: &Computed,
) -> Result<(Period, Option<Disclosure>)> {
    let mut out = Period {
        figures: computed.figures.clone(),
        tables: BTreeMap::new(),
        checks: computed.checks.clone(),
        database: computed.database.clone(),
    };
    let mut record = spec.disclosure.as_ref().map(|d| {
        let d = d.get_ref();
        Disclosure {
            threshold: *d.threshold.get_ref(),
            marker: d.marker.clone(),
            round_to: d.round_to.as_ref().map(|r| *r.get_ref()),
            tables: BTreeMap::new(),
        }
    });
    let mut errors = check_section(spec);
    errors.extend(check_figures(spec, computed, record.as_ref()));
    for (name, table) in &computed.tables {
        let decl = &spec.tables[name];
        let result = match (control(spec, name, decl), &record) {
            (Err(e), _) => Err(e),
            (Ok(Control::Protected(protect, decl)), Some(d)) => {
                tables::protect(spec, name, decl, &protect, table, d)
                    .map(|(t, cells)| (t, Some(TableControl::Protected(cells))))
            }
            (Ok(Control::OptedOut(reason)), _) => tables::with_totals(spec, name, decl, table)
                .map(|t| (t, Some(TableControl::OptedOut(reason)))),
            (Ok(_), _) => tables::with_totals(spec, name, decl, table).map(|t| (t, None)),
        };
        let result = result.and_then(|(mut t, control)| {
            let rounded = matches!(control, Some(TableControl::Protected(_)))
                && record.as_ref().is_some_and(|r| r.round_to.is_some());
            totals::rate_totals(spec, name, decl, &mut t, rounded)?;
            tables::drop_hidden(decl, &mut t);
            Ok((t, control))
        });
        match result {
            Ok((t, control)) => {
                if let (Some(c), Some(r)) = (control, record.as_mut()) {
                    r.tables.insert(name.clone(), c);
                }
                out.tables.insert(name.clone(), t);
            }
            Err(e) => errors.push(e),
        }
    }
    Error::collect(errors)?;
    Ok((out, record))
}

/// Checks the `[disclosure]` section's own values.
fn check_section(spec: PublishPart<'_>) -> Vec<Error> {
    let Some(d) = &spec.disclosure else {
        return Vec::new();
    };
    let d = d.get_ref();
    let mut errors = Vec::new();
    if *d.threshold.get_ref() < 1 {
        errors.push(
            spec.error_at(ErrorKind::Spec, "`disclosure.threshold` must be at least 1", d.threshold.span())
                .with_hint("counts from 1 up to the threshold less one are suppressed: `threshold = 5` is usual"),
        );
    }
    if let Some(r) = d.round_to.as_ref().filter(|r| *r.get_ref() < 1) {
        errors.push(
            spec.error_at(
                ErrorKind::Spec,
                "`disclosure.round_to` must be at least 1",
                r.span(),
            )
            .with_hint("round to a base such as 5, or remove `round_to`"),
        );
    }
    if d.marker.trim().is_empty() {
        errors.push(
            spec.error_at(
                ErrorKind::Spec,
                "`disclosure.marker` is empty",
                spec_span(spec, "marker"),
            )
            .with_hint("use `[c]`, the UK government statistics symbol for confidential"),
        );
    }
    errors
}

/// Figures declared `count = true` are quoted in prose, where a marker
/// cannot stand: a small count there fails the build.
fn check_figures(spec: PublishPart<'_>, computed: &Computed, d: Option<&Disclosure>) -> Vec<Error> {
    let Some(d) = d else {
        return Vec::new();
    };
    let zero_safe = spec
        .disclosure
        .as_ref()
        .is_none_or(|s| s.get_ref().zero_safe);
    let mut errors = Vec::new();
    for (name, decl) in spec.figures.iter().filter(|(_, f)| f.count) {
        let n = match computed.figures.get(name) {
            Some(Value::Int(n)) => *n,
            Some(Value::Float(f)) if f.fract() == 0.0 => *f as i64,
            _ => {
                errors.push(spec
                    .error_at(ErrorKind::Spec, format!("figure `{name}` is declared a count but is not a whole number"), decl.sql.span())
                    .with_hint("a count comes from `COUNT(…)`; remove `count = true` if the figure is not one"));
                continue;
            }
        };
        if (1..d.threshold).contains(&n) || (n == 0 && !zero_safe) {
            errors.push(spec
                .error_at(ErrorKind::Disclosure, format!("figure `{name}` is a count below the disclosure threshold {}", d.threshold), decl.sql.span())
                .with_hint("do not quote it: widen the group it counts, or word the text without the number"));
        }
    }
    errors
}

/// Whether and how `[disclosure]` controls table `name`.
fn control<'a>(spec: PublishPart<'_>, name: &str, decl: &'a TableDecl) -> Result<Control<'a>> {
    let flag = decl.disclosure.as_ref().map(|f| *f.get_ref());
    let Some(section) = &spec.disclosure else {
        if flag == Some(true) || decl.protect.is_some() {
            let span = decl
                .protect
                .as_ref()
                .map_or_else(|| decl.sql.span(), |p| p.span());
            return Err(spec
                .error_at(ErrorKind::Spec, format!("table `{name}` asks for disclosure control, but the spec has no `[disclosure]` section"), span)
                .with_hint("add `[disclosure]` with `threshold = 5` (and `marker`, `apply_to` as needed)"));
        }
        return Ok(Control::None);
    };
    let applies = section
        .get_ref()
        .apply_to
        .iter()
        .any(|p| glob(p.get_ref(), &format!("tables.{name}")));
    match flag {
        Some(false) => match decl.disclosure_reason.as_deref().map(str::trim) {
            Some(reason) if !reason.is_empty() => Ok(Control::OptedOut(reason.to_string())),
            _ => Err(spec
                .error_at(ErrorKind::Spec, format!("table `{name}` opts out of disclosure control without a reason"), decl.disclosure.as_ref().map_or(0..0, |f| f.span()))
                .with_hint("add `disclosure_reason = \"…\"` saying why its counts are safe to publish (it is recorded in the manifest)")),
        },
        Some(true) => Ok(Control::Protected(protect_decl(decl), decl)),
        None if applies => Ok(Control::Protected(protect_decl(decl), decl)),
        None => Ok(Control::None),
    }
}

fn protect_decl(decl: &TableDecl) -> ProtectDecl {
    decl.protect
        .as_ref()
        .map(|p| p.get_ref().clone())
        .unwrap_or_else(|| ProtectDecl {
            secondary: true,
            ..ProtectDecl::default()
        })
}

/// The span of `key` inside the spec's `[disclosure]` section, for errors.
fn spec_span(spec: PublishPart<'_>, key: &str) -> std::ops::Range<usize> {
    let section = spec.disclosure.as_ref().map_or(0..0, |d| d.span());
    spec.file
        .text()
        .get(section.clone())
        .and_then(|t| t.find(key))
        .map_or(section.clone(), |i| {
            section.start + i..section.start + i + key.len()
        })
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(tail) = text.strip_prefix(head) else {
                return false;
            };
            (0..=tail.len())
                .filter(|i| tail.is_char_boundary(*i))
                .any(|i| glob(rest, &tail[i..]))
        }
    }
}

/// The sum of a column's numbers (whole if every value is whole); `None`
/// if a cell is not a number.
pub(crate) fn column_total(t: &Table, i: usize) -> Option<Value> {
    let mut int: Option<i64> = Some(0);
    let mut float = 0.0;
    for row in &t.rows {
        match row.get(i)? {
            Value::Int(n) => {
                int = int.and_then(|s| s.checked_add(*n));
                float += *n as f64;
            }
            Value::Float(f) => {
                int = None;
                float += f;
            }
            _ => return None,
        }
    }
    Some(match int {
        Some(n) => Value::Int(n),
        None => Value::Float(float),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::TableColumn;
    use crate::format::Format;
    use crate::spec::Spec;

    fn spec(tables: &str) -> Spec {
        crate::spec::SpecBuilder::new()
            .disclosure(5)
            .section(tables)
            .build()
    }

    fn table(columns: &[(&str, Format)], rows: Vec<Vec<Value>>) -> Table {
        let columns = columns
            .iter()
            .map(|(n, f)| TableColumn {
                name: n.to_string(),
                label: n.to_string(),
                format: *f,
            })
            .collect();
        Table {
            columns,
            rows,
            ..Table::default()
        }
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    fn publish_one(spec: &Spec, name: &str, t: Table) -> Result<Published> {
        let computed = Computed {
            tables: BTreeMap::from([(name.to_string(), t)]),
            ..Computed::default()
        };
        publish(spec.publish_part(), &computed, &Previous::NotApplicable)
    }

    fn suppressed() -> Cell {
        Cell::Suppressed("[c]".into())
    }

    fn shown(v: Value) -> Cell {
        Cell::Value(v)
    }

    #[test]
    fn one_way_counts_and_their_rates_are_suppressed_and_totalled_from_true_values() {
        let s = spec(
            "[tables.d]\nsql = \"SELECT 1\"\ntotals = [\"victims\"]\n\
             protect = { derived = { rate = \"victims\" } }\n",
        );
        let rows = [
            ("A", 2, 0.5),
            ("B", 40, 2.0),
            ("C", 3, 0.7),
            ("D", 100, 3.0),
        ]
        .iter()
        .map(|(d, v, r)| vec![text(d), Value::Int(*v), Value::Float(*r)])
        .collect();
        let t = table(
            &[
                ("district", Format::Text),
                ("victims", Format::Integer),
                ("rate", Format::Decimal(1)),
            ],
            rows,
        );
        let p = publish_one(&s, "d", t).unwrap();
        let out = &p.current.tables["d"];
        assert_eq!(
            out.rows[0],
            vec![shown(text("A")), suppressed(), suppressed()]
        );
        assert_eq!(
            out.rows[1],
            [text("B"), Value::Int(40), Value::Float(2.0)].map(shown)
        );
        assert_eq!(out.rows[2][1], suppressed());
        assert_eq!(out.totals["victims"], shown(Value::Int(145)));
        let Some(TableControl::Protected(cells)) = &p.disclosure.as_ref().unwrap().tables.get("d")
        else {
            panic!("protected")
        };
        assert_eq!(
            cells
                .iter()
                .map(|c| (c.row.as_str(), c.value))
                .collect::<Vec<_>>(),
            [("A", 2), ("C", 3)]
        );
        assert!(cells
            .iter()
            .all(|c| c.interval == Interval { lo: 0, hi: Some(5) }));
    }

    #[test]
    fn two_way_tables_are_pivoted_with_both_margins() {
        let s = spec("[tables.x]\nsql = \"SELECT 1\"\nprotect = { rows = \"d\", columns = \"g\", value = \"n\" }\n");
        let long = [
            ("P", "a", 10),
            ("P", "b", 20),
            ("Q", "a", 30),
            ("R", "b", 7),
        ];
        let rows = long
            .iter()
            .map(|(d, g, n)| vec![text(d), text(g), Value::Int(*n)])
            .collect();
        let t = table(
            &[
                ("d", Format::Text),
                ("g", Format::Text),
                ("n", Format::Integer),
            ],
            rows,
        );
        let p = publish_one(&s, "x", t).unwrap();
        let out = &p.current.tables["x"];
        let names: Vec<&str> = out.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["d", "a", "b", "total"]);
        // Q × b is a true zero: published (zero is safe).
        assert_eq!(
            out.rows[1],
            [text("Q"), Value::Int(30), Value::Int(0), Value::Int(30)].map(shown)
        );
        assert_eq!(out.totals["a"], shown(Value::Int(40)));
        assert_eq!(out.totals["total"], shown(Value::Int(67)));
    }

    #[test]
    fn an_exposed_hand_made_pattern_fails_with_the_cell_named() {
        let s = spec(
            "[tables.x]\nsql = \"SELECT 1\"\n\
             protect = { rows = \"d\", columns = \"g\", value = \"n\", secondary = false }\n",
        );
        let long = [
            ("P", "a", 3),
            ("P", "b", 20),
            ("Q", "a", 30),
            ("Q", "b", 40),
        ];
        let rows = long
            .iter()
            .map(|(d, g, n)| vec![text(d), text(g), Value::Int(*n)])
            .collect();
        let t = table(
            &[
                ("d", Format::Text),
                ("g", Format::Text),
                ("n", Format::Integer),
            ],
            rows,
        );
        let e = publish_one(&s, "x", t).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Disclosure);
        assert!(
            e.message().contains("row `P`, column `a` to exactly 3"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn undeclared_numbers_and_reasonless_opt_outs_are_all_reported() {
        let s = spec(
            "[tables.d]\nsql = \"SELECT 1\"\nprotect = { counts = [\"victims\"] }\n\
             [tables.e]\nsql = \"SELECT 1\"\ndisclosure = false\n",
        );
        let rows = vec![vec![text("A"), Value::Int(40), Value::Float(0.5)]];
        let t = table(
            &[
                ("district", Format::Text),
                ("victims", Format::Integer),
                ("rate", Format::Decimal(1)),
            ],
            rows,
        );
        let computed = Computed {
            tables: BTreeMap::from([("d".to_string(), t.clone()), ("e".to_string(), t)]),
            ..Computed::default()
        };
        let e = publish(s.publish_part(), &computed, &Previous::NotApplicable).unwrap_err();
        let messages: Vec<&str> = e.all().map(|e| e.message()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("numeric column `rate`"),
            "{messages:?}"
        );
        assert!(messages[1].contains("without a reason"), "{messages:?}");
    }

    #[test]
    fn a_small_count_figure_fails_the_build() {
        let s = spec("[figures.few]\nsql = \"SELECT 3\"\ncount = true\n[figures.many]\nsql = \"SELECT 30\"\ncount = true\n");
        let figures = BTreeMap::from([
            ("few".to_string(), Value::Int(3)),
            ("many".to_string(), Value::Int(30)),
        ]);
        let computed = Computed {
            figures,
            ..Computed::default()
        };
        let e = publish(s.publish_part(), &computed, &Previous::NotApplicable).unwrap_err();
        assert_eq!(e.count(), 1);
        assert_eq!(e.kind(), ErrorKind::Disclosure);
        assert!(e.message().contains("figure `few`"), "{}", e.message());
    }

    #[test]
    fn globs_match_table_names() {
        assert!(glob("tables.*", "tables.victims"));
        assert!(glob("tables.victims_*", "tables.victims_by_age"));
        assert!(!glob("tables.victims_*", "tables.offenders"));
        assert!(glob("tables.x", "tables.x"));
        assert!(!glob("tables.x", "tables.xy"));
    }
}
