//! One table published: totals, and for a controlled table its count cells
//! protected (one-way: each count column under its total; two-way: the
//! long-form query pivoted into rows × columns with both margins).

use std::collections::BTreeMap;
use std::ops::Range;

use super::suppress::{self, Failure, Margins, Rule};
use super::{column_total, Cell, Disclosure, ProtectedCell, PublishedTable};
use crate::compute::{Table, TableColumn, Value};
use crate::error::{suggest, Error, ErrorKind, Result};
use crate::format::format_cell;
use crate::format::Format;
use crate::spec::{ProtectDecl, PublishPart, TableDecl};
use toml::Spanned;

/// The table with its declared totals (from the true values).
pub(super) fn with_totals(
    spec: PublishPart<'_>,
    name: &str,
    decl: &TableDecl,
    table: &Table,
) -> Result<PublishedTable> {
    let mut t = table.map(|v| Cell::Value(v.clone()));
    for col in &super::totals::summed(decl) {
        if decl.hidden.iter().any(|h| h.get_ref() == col.get_ref()) {
            return Err(spec
                .error_at(ErrorKind::Spec, format!("table `{name}` totals `{}`, a hidden column", col.get_ref()), col.span())
                .with_hint("a hidden column is never printed, nor is its total: show the column, or total another"));
        }
        let i = index(spec, name, table, col, "total")?;
        let total = column_total(table, i).ok_or_else(|| {
            spec.error_at(ErrorKind::Spec, format!("table `{name}` cannot total `{}`: not every row holds a number", col.get_ref()), col.span())
                .with_hint("total only numeric columns with a value in every row (use `COALESCE(x, 0)` in the query where none means zero)")
        })?;
        t.totals.insert(col.get_ref().clone(), Cell::Value(total));
    }
    Ok(t)
}

/// Protects a controlled table; returns it as published and its
/// suppressed cells.
pub(super) fn protect(
    spec: PublishPart<'_>,
    name: &str,
    decl: &TableDecl,
    protect: &ProtectDecl,
    table: &Table,
    d: &Disclosure,
) -> Result<(PublishedTable, Vec<ProtectedCell>)> {
    let rule = Rule {
        threshold: d.threshold,
        zero_safe: spec
            .disclosure
            .as_ref()
            .is_none_or(|s| s.get_ref().zero_safe),
        secondary: protect.secondary,
    };
    let here = decl
        .protect
        .as_ref()
        .map_or_else(|| decl.sql.span(), |p| p.span());
    if d.round_to.is_some() && !protect.derived.is_empty() {
        return Err(spec
            .error_at(ErrorKind::Spec, format!("table `{name}` has derived columns, which `disclosure.round_to` cannot round"), here)
            .with_hint("a rate computed from an unrounded count would reveal it: drop `round_to`, or the derived columns"));
    }
    let ctx = Ctx {
        spec,
        name,
        rule,
        d,
        here,
    };
    if protect.rows.is_some() || protect.columns.is_some() || protect.value.is_some() {
        ctx.two_way(decl, protect, table)
    } else {
        ctx.one_way(decl, protect, table)
    }
}

/// What every step of protecting one table needs.
struct Ctx<'a> {
    spec: PublishPart<'a>,
    name: &'a str,
    rule: Rule,
    d: &'a Disclosure,
    here: Range<usize>,
}

impl Ctx<'_> {
    fn one_way(
        &self,
        decl: &TableDecl,
        protect: &ProtectDecl,
        table: &Table,
    ) -> Result<(PublishedTable, Vec<ProtectedCell>)> {
        let (spec, name) = (self.spec, self.name);
        let counts = if protect.counts.is_empty() {
            &decl.totals
        } else {
            &protect.counts
        };
        if counts.is_empty() {
            return Err(spec
                .error_at(ErrorKind::Spec, format!("table `{name}` is under disclosure control but declares no count columns"), self.here.clone())
                .with_hint(format!("add `[tables.{name}.protect]` with `counts = [\"…\"]` (or two-way `rows`, `columns`, `value`), or opt out with `disclosure = false` and a `disclosure_reason`")));
        }
        let mut errors = Vec::new();
        let mut found =
            |col: &Spanned<String>, what: &str| match index(spec, name, table, col, what) {
                Ok(i) => Some(i),
                Err(e) => {
                    errors.push(e);
                    None
                }
            };
        let count_ix: Vec<usize> = counts.iter().filter_map(|c| found(c, "count")).collect();
        let public_ix: Vec<usize> = protect
            .public
            .iter()
            .filter_map(|c| found(c, "public column"))
            .collect();
        let mut derived_ix = Vec::new();
        for (col, source) in &protect.derived {
            let key = Spanned::new(source.span(), col.clone());
            if let (Some(i), Some(s)) = (found(&key, "derived column"), found(source, "count")) {
                derived_ix.push((i, s));
            }
        }
        Error::collect(errors)?;
        self.check_classified(decl, table, &count_ix, &public_ix, &derived_ix)?;
        let mut t = with_totals(spec, name, decl, table)?;
        let mut cells = Vec::new();
        for &ci in &count_ix {
            let column = &table.columns[ci].name;
            let values = table
                .rows
                .iter()
                .enumerate()
                .map(|(r, row)| Ok(vec![self.count(&row[ci], r, column)?]))
                .collect::<Result<Vec<_>>>()?;
            let margins = Margins {
                rows: false,
                columns: t.totals.contains_key(column),
            };
            let p = suppress::protect(&values, margins, self.rule)
                .map_err(|f| self.failure(f, &|r, _| row_label(table, r), &|_| column.clone()))?;
            for ((r, _), interval) in p.intervals {
                let reason = p.reasons[r][0].unwrap_or(suppress::Reason::Primary);
                t.rows[r][ci] = Cell::Suppressed(self.d.marker.clone());
                for &(di, _) in derived_ix.iter().filter(|(_, s)| *s == ci) {
                    t.rows[r][di] = Cell::Suppressed(self.d.marker.clone());
                }
                cells.push(ProtectedCell {
                    row: row_label(table, r),
                    column: column.clone(),
                    reason,
                    value: values[r][0],
                    interval,
                });
            }
            self.round(&mut t, ci);
        }
        Ok((t, cells))
    }

    /// Every numeric column of a controlled table must be declared: a
    /// count, derived from one, or public; and derived columns are never
    /// totalled (their sum would give a suppressed one away).
    fn check_classified(
        &self,
        decl: &TableDecl,
        table: &Table,
        counts: &[usize],
        public: &[usize],
        derived: &[(usize, usize)],
    ) -> Result<()> {
        let (spec, name) = (self.spec, self.name);
        let mut errors = Vec::new();
        for (i, c) in table.columns.iter().enumerate() {
            let declared =
                counts.contains(&i) || public.contains(&i) || derived.iter().any(|(d, _)| *d == i);
            let numeric = table
                .rows
                .iter()
                .any(|r| matches!(r[i], Value::Int(_) | Value::Float(_)));
            if numeric && !declared {
                errors.push(spec
                    .error_at(ErrorKind::Spec, format!("table `{name}` is under disclosure control, but its numeric column `{}` is neither a count, derived from one, nor public", c.name), column_span(decl, &c.name).unwrap_or(self.here.clone()))
                    .with_hint(format!("in `[tables.{name}.protect]` list it in `counts`, in `derived = {{ {} = \"COUNT\" }}` if it is computed from a count, or in `public` if it is not about people", c.name)));
            }
            if derived.iter().any(|(d, _)| *d == i) {
                if let Some(t) = decl.totals.iter().find(|t| *t.get_ref() == c.name) {
                    errors.push(spec
                        .error_at(ErrorKind::Spec, format!("table `{name}` totals `{}`, a column derived from a count", c.name), t.span())
                        .with_hint("a total of rates or shares would let a suppressed one be worked out: total the counts only"));
                }
            }
        }
        Error::collect(errors)
    }

    fn two_way(
        &self,
        decl: &TableDecl,
        protect: &ProtectDecl,
        table: &Table,
    ) -> Result<(PublishedTable, Vec<ProtectedCell>)> {
        let (spec, name) = (self.spec, self.name);
        let (Some(rows), Some(columns), Some(value)) =
            (&protect.rows, &protect.columns, &protect.value)
        else {
            return Err(spec
                .error_at(ErrorKind::Spec, format!("table `{name}` declares part of a two-way shape"), self.here.clone())
                .with_hint("a two-way table names all of `rows`, `columns` and `value` (the query returns one row per cell); a one-way table names `counts`"));
        };
        if let Some(t) = decl.totals.first() {
            return Err(spec
                .error_at(
                    ErrorKind::Spec,
                    format!(
                        "table `{name}` is two-way: its row and column totals are always shown"
                    ),
                    t.span(),
                )
                .with_hint("remove `totals` from this table"));
        }
        let (ri, ci, vi) = (
            index(spec, name, table, rows, "rows")?,
            index(spec, name, table, columns, "columns")?,
            index(spec, name, table, value, "value")?,
        );
        if let Some(extra) = (0..table.columns.len()).find(|i| ![ri, ci, vi].contains(i)) {
            return Err(spec
                .error_at(ErrorKind::Spec, format!("two-way table `{name}` also shows `{}`, which is not its rows, columns or value", table.columns[extra].name), self.here.clone())
                .with_hint("list only the `rows`, `columns` and `value` columns in `columns` (or select only those)"));
        }
        let pivot = self.pivot(table, (ri, ci, vi))?;
        let margins = Margins {
            rows: true,
            columns: true,
        };
        let p = suppress::protect(&pivot.values, margins, self.rule).map_err(|f| {
            self.failure(f, &|r, _| pivot.row_keys[r].1.clone(), &|c| {
                pivot.col_keys[c].clone()
            })
        })?;
        let cells = p
            .intervals
            .iter()
            .map(|&((r, c), interval)| ProtectedCell {
                row: pivot.row_keys[r].1.clone(),
                column: pivot.col_keys[c].clone(),
                reason: p.reasons[r][c].unwrap_or(suppress::Reason::Primary),
                value: pivot.values[r][c],
                interval,
            })
            .collect();
        Ok((
            self.pivoted(decl, table, (ri, vi), &pivot, &p.reasons),
            cells,
        ))
    }

    /// The long-form table as a grid of counts, rows and columns in order
    /// of first appearance (the query's `ORDER BY` decides), missing
    /// combinations zero.
    fn pivot(&self, table: &Table, (ri, ci, vi): (usize, usize, usize)) -> Result<Pivot> {
        let mut row_keys: Vec<(Value, String)> = Vec::new();
        let mut col_keys: Vec<String> = Vec::new();
        let mut seen = BTreeMap::new();
        for (n, row) in table.rows.iter().enumerate() {
            let rk = format_cell(&row[ri], Format::Text);
            let ck = format_cell(&row[ci], Format::Text);
            let r = position(&mut row_keys, &rk, || (row[ri].clone(), rk.clone()));
            let c = col_keys.iter().position(|k| *k == ck).unwrap_or_else(|| {
                col_keys.push(ck.clone());
                col_keys.len() - 1
            });
            let v = self.count(&row[vi], n, &table.columns[vi].name)?;
            if seen.insert((r, c), v).is_some() {
                return Err(self
                    .spec
                    .error_at(
                        ErrorKind::Data,
                        format!(
                            "two-way table `{}` has two rows for `{rk}` × `{ck}`",
                            self.name
                        ),
                        self.here.clone(),
                    )
                    .with_hint(
                        "the query must return one row per cell: `GROUP BY` the rows and columns",
                    ));
            }
        }
        let values = (0..row_keys.len())
            .map(|r| {
                (0..col_keys.len())
                    .map(|c| seen.get(&(r, c)).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        Ok(Pivot {
            row_keys,
            col_keys,
            values,
        })
    }

    /// The published two-way table: a row per row key, a column per column
    /// key, a row-total column and a totals row.
    fn pivoted(
        &self,
        decl: &TableDecl,
        table: &Table,
        (ri, vi): (usize, usize),
        p: &Pivot,
        reasons: &[Vec<Option<suppress::Reason>>],
    ) -> PublishedTable {
        let format = table.columns[vi].format;
        let total_label = decl.total_label.clone().unwrap_or_else(|| "Total".into());
        let mut columns = vec![TableColumn {
            format: Format::Text,
            ..table.columns[ri].clone()
        }];
        columns.extend(p.col_keys.iter().map(|k| TableColumn {
            name: k.clone(),
            label: k.clone(),
            format,
        }));
        columns.push(TableColumn {
            name: "total".into(),
            label: total_label,
            format,
        });
        let shown = |v: i64| Cell::Value(Value::Int(self.rounded(v)));
        let rows = p
            .values
            .iter()
            .zip(reasons)
            .zip(&p.row_keys)
            .map(|((vals, rs), (key, _))| {
                let mut row = vec![Cell::Value(key.clone())];
                row.extend(vals.iter().zip(rs).map(|(v, r)| match r {
                    Some(_) => Cell::Suppressed(self.d.marker.clone()),
                    None => shown(*v),
                }));
                row.push(shown(vals.iter().sum()));
                row
            })
            .collect();
        let mut totals: BTreeMap<String, Cell> = p
            .col_keys
            .iter()
            .enumerate()
            .map(|(c, k)| (k.clone(), shown(p.values.iter().map(|r| r[c]).sum())))
            .collect();
        totals.insert("total".into(), shown(p.values.iter().flatten().sum()));
        Table {
            columns,
            rows,
            totals,
        }
    }

    /// A count cell as a whole, non-negative number, or an error naming
    /// the table, row and column.
    fn count(&self, v: &Value, row: usize, column: &str) -> Result<i64> {
        match v {
            Value::Int(n) if *n >= 0 => Ok(*n),
            Value::Float(f) if *f >= 0.0 && f.fract() == 0.0 && *f < 9.0e15 => Ok(*f as i64),
            other => Err(self.spec
                .error_at(ErrorKind::Data, format!("table `{}` row {} has `{}` in count column `{column}`; a count must be a whole number, zero or more", self.name, row + 1, format_cell(other, Format::Text)), self.here.clone())
                .with_hint("check the query: counts come from `COUNT(…)` or `SUM` of whole numbers (use `COALESCE(x, 0)` where none means zero)")),
        }
    }

    fn rounded(&self, v: i64) -> i64 {
        match self.d.round_to {
            Some(b) if b > 1 => (v + b / 2) / b * b,
            _ => v,
        }
    }

    /// Rounds a one-way count column's published cells and total.
    fn round(&self, t: &mut PublishedTable, ci: usize) {
        for row in &mut t.rows {
            if let Cell::Value(Value::Int(n)) = row[ci] {
                row[ci] = Cell::Value(Value::Int(self.rounded(n)));
            }
        }
        if let Some(Cell::Value(Value::Int(n))) = t.totals.get_mut(&t.columns[ci].name) {
            *n = self.rounded(*n);
        }
    }

    /// The build error for a table that cannot be protected.
    fn failure(
        &self,
        f: Failure,
        row: &dyn Fn(usize, usize) -> String,
        col: &dyn Fn(usize) -> String,
    ) -> Error {
        let (spec, name) = (self.spec, self.name);
        match f {
            Failure::Exposed((r, c), iv) => {
                let range = match iv.hi {
                    Some(hi) if hi == iv.lo => format!("exactly {hi}"),
                    Some(hi) => format!("{} to {hi}", iv.lo),
                    None => format!("at least {}", iv.lo),
                };
                spec.error_at(ErrorKind::Disclosure, format!("table `{name}` would disclose a suppressed count: the published cells and totals pin row `{}`, column `{}` to {range}, narrower than the threshold {}", row(r, c), col(c), self.rule.threshold), self.here.clone())
                    .with_hint(if self.rule.secondary {
                        "no complementary cell can protect it: group the rows or columns more coarsely, or drop the totals".to_string()
                    } else {
                        "remove `secondary = false` so that boardpack adds complementary cells, or group the rows or columns more coarsely".to_string()
                    })
            }
            Failure::Audit(e) => spec
                .error_at(
                    ErrorKind::Internal,
                    format!("table `{name}` cannot be audited: {e}"),
                    self.here.clone(),
                )
                .with_hint("this is a bug in boardpack's totals: please report it with the spec"),
        }
    }
}

/// A two-way table's counts, pivoted.
struct Pivot {
    /// Row key values (as the query returned them) and their text.
    row_keys: Vec<(Value, String)>,
    /// Column key texts.
    col_keys: Vec<String>,
    /// Counts by row, then column.
    values: Vec<Vec<i64>>,
}

fn position(
    keys: &mut Vec<(Value, String)>,
    key: &str,
    make: impl FnOnce() -> (Value, String),
) -> usize {
    keys.iter().position(|(_, k)| k == key).unwrap_or_else(|| {
        keys.push(make());
        keys.len() - 1
    })
}

/// Removes the table's hidden columns (used only to protect the others)
/// before anything prints or records it.
pub(super) fn drop_hidden<C>(decl: &TableDecl, t: &mut Table<C>) {
    let hidden = |n: &str| decl.hidden.iter().any(|h| h.get_ref() == n);
    let keep: Vec<bool> = t.columns.iter().map(|c| !hidden(&c.name)).collect();
    t.columns.retain(|c| !hidden(&c.name));
    for row in &mut t.rows {
        let mut k = keep.iter();
        row.retain(|_| k.next().copied().unwrap_or(true));
    }
    t.totals.retain(|n, _| !hidden(n));
}

/// Where the spec declares a displayed column, if it does.
fn column_span(decl: &TableDecl, name: &str) -> Option<Range<usize>> {
    decl.columns
        .iter()
        .find(|c| c.name.get_ref() == name)
        .map(|c| c.name.span())
}

/// A row's label: its first column as text.
fn row_label(table: &Table, r: usize) -> String {
    let first = table.columns.first().map_or(Format::Text, |c| c.format);
    table.rows[r]
        .first()
        .map_or_else(|| format!("row {}", r + 1), |v| format_cell(v, first))
}

/// The index of a column named in the spec, or an error at its name.
fn index(
    spec: PublishPart<'_>,
    name: &str,
    table: &Table,
    col: &Spanned<String>,
    what: &str,
) -> Result<usize> {
    table
        .columns
        .iter()
        .position(|c| c.name == *col.get_ref())
        .ok_or_else(|| {
            let cols: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
            spec.error_at(
                ErrorKind::Spec,
                format!(
                    "table `{name}` has no column `{}` (named as its {what})",
                    col.get_ref()
                ),
                col.span(),
            )
            .with_hint(format!(
                "{}; a column the query returns but the table should not show can be declared `hidden = [\"{}\"]` on the table and named here",
                suggest(col.get_ref(), &cols, "shown and `hidden` columns"),
                col.get_ref()
            ))
        })
}
