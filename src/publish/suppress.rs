//! Choosing which cells to suppress: primary suppression of small counts,
//! then complementary (secondary) cells until the audit finds every
//! suppressed cell protected.
//!
//! The heuristic: take the first exposed cell (row-major), try every
//! published cell in its row and column (along the margins that are
//! published; any published cell once those are used up), and add the one that protects it at the least cost (the
//! smallest value); if none does alone, the one that widens its interval
//! most. Repeat until the audit passes. The audit, not the heuristic, is
//! what proves the table safe.

use super::audit::{interval_at, intervals, AuditError, Interval, PublishedGrid};

/// The rule a table is protected by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rule {
    /// Counts `1..threshold` are suppressed; a suppressed cell's feasible
    /// interval must be at least this wide.
    pub threshold: i64,
    /// Whether a zero may be published.
    pub zero_safe: bool,
    /// Whether complementary cells may be added (false: the table's
    /// pattern must pass the audit as it is).
    pub secondary: bool,
}

/// Why a cell is suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// A small count.
    Primary,
    /// A complementary cell, so that others cannot be recovered.
    Secondary,
}

impl Reason {
    /// `primary` or `secondary`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Primary => "primary",
            Reason::Secondary => "secondary",
        }
    }
}

/// Which margins the table publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Margins {
    /// A total for each row.
    pub rows: bool,
    /// A total for each column.
    pub columns: bool,
}

/// A protected table: each cell's reason for suppression, if any, and the
/// audited interval of every suppressed cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Protected {
    /// By row, then column.
    pub reasons: Vec<Vec<Option<Reason>>>,
    /// Row-major.
    pub intervals: Vec<((usize, usize), Interval)>,
}

/// Why a table cannot be protected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The cell's value can still be narrowed to this interval.
    Exposed((usize, usize), Interval),
    /// The numbers do not add up.
    Audit(AuditError),
}

/// The grid as it would be published with `reasons` applied.
pub(crate) fn published(
    values: &[Vec<i64>],
    reasons: &[Vec<Option<Reason>>],
    m: Margins,
) -> PublishedGrid {
    let width = values.first().map_or(0, Vec::len);
    let cells = values
        .iter()
        .zip(reasons)
        .map(|(row, rs)| {
            row.iter()
                .zip(rs)
                .map(|(v, r)| r.is_none().then_some(*v))
                .collect()
        })
        .collect();
    PublishedGrid {
        cells,
        row_totals: m
            .rows
            .then(|| values.iter().map(|r| r.iter().sum()).collect()),
        column_totals: m.columns.then(|| {
            (0..width)
                .map(|j| values.iter().map(|r| r[j]).sum())
                .collect()
        }),
    }
}

/// Suppresses small counts, adds complementary cells as needed and audits
/// the result.
pub(crate) fn protect(values: &[Vec<i64>], m: Margins, rule: Rule) -> Result<Protected, Failure> {
    let mut reasons: Vec<Vec<Option<Reason>>> = values
        .iter()
        .map(|row| {
            row.iter()
                .map(|&v| {
                    let small = (1..rule.threshold).contains(&v) || (v == 0 && !rule.zero_safe);
                    small.then_some(Reason::Primary)
                })
                .collect()
        })
        .collect();
    // Each round suppresses one more cell, so this ends.
    loop {
        let audited = intervals(&published(values, &reasons, m)).map_err(Failure::Audit)?;
        let Some(&(cell, interval)) = audited.iter().find(|(_, iv)| !iv.protects(rule.threshold))
        else {
            return Ok(Protected {
                reasons,
                intervals: audited,
            });
        };
        let best = if rule.secondary {
            complement(values, &reasons, m, rule, cell)
        } else {
            None
        };
        match best {
            Some((i, j)) => reasons[i][j] = Some(Reason::Secondary),
            None => return Err(Failure::Exposed(cell, interval)),
        }
    }
}

/// The best published cell to suppress alongside the exposed `cell`: one
/// in its row or column (along a published margin), else any.
fn complement(
    values: &[Vec<i64>],
    reasons: &[Vec<Option<Reason>>],
    m: Margins,
    rule: Rule,
    cell: (usize, usize),
) -> Option<(usize, usize)> {
    let (a, b) = cell;
    let open = |&(i, j): &(usize, usize)| reasons[i][j].is_none();
    let in_row = (0..values[a].len()).map(|j| (a, j)).filter(|_| m.rows);
    let in_col = (0..values.len()).map(|i| (i, b)).filter(|_| m.columns);
    let mut candidates: Vec<(usize, usize)> = in_row.chain(in_col).filter(open).collect();
    if candidates.is_empty() {
        // Its row and column are used up: any published cell may close
        // the gap (e.g. the fourth corner of a 2×2 table).
        candidates = (0..values.len())
            .flat_map(|i| (0..values[i].len()).map(move |j| (i, j)))
            .filter(open)
            .collect();
    }
    let mut best: Option<((bool, i64, i64), super::audit::Cell)> = None;
    for (i, j) in candidates {
        let mut trial = reasons.to_vec();
        trial[i][j] = Some(Reason::Secondary);
        let Ok(Some(iv)) = interval_at(&published(values, &trial, m), cell) else {
            continue;
        };
        let width = iv.hi.map_or(i64::MAX, |hi| hi - iv.lo);
        let protects = iv.protects(rule.threshold);
        // Protecting beats not; then the cheaper cell (or, if none
        // protects, the wider interval); first found wins ties.
        let score = (protects, if protects { 0 } else { width }, -values[i][j]);
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, (i, j)));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: Rule = Rule {
        threshold: 5,
        zero_safe: true,
        secondary: true,
    };
    const BOTH: Margins = Margins {
        rows: true,
        columns: true,
    };

    fn v(rows: &[&[i64]]) -> Vec<Vec<i64>> {
        rows.iter().map(|r| r.to_vec()).collect()
    }

    #[test]
    fn small_counts_are_suppressed_and_complemented_until_the_audit_passes() {
        let values = v(&[&[2, 40, 50, 30], &[20, 30, 60, 7], &[15, 3, 25, 40]]);
        let p = protect(&values, BOTH, RULE).unwrap();
        assert_eq!(p.reasons[0][0], Some(Reason::Primary));
        assert_eq!(p.reasons[2][1], Some(Reason::Primary));
        assert!(p
            .reasons
            .iter()
            .flatten()
            .any(|r| *r == Some(Reason::Secondary)));
        // Re-audit from the published grid alone.
        let again = intervals(&published(&values, &p.reasons, BOTH)).unwrap();
        assert!(again.iter().all(|(_, iv)| iv.protects(5)), "{again:?}");
        assert_eq!(again, p.intervals);
    }

    #[test]
    fn zero_is_safe_unless_declared() {
        let values = v(&[&[0, 40], &[20, 30]]);
        let p = protect(&values, BOTH, RULE).unwrap();
        assert!(p.reasons.iter().flatten().all(Option::is_none));
        let strict = Rule {
            zero_safe: false,
            ..RULE
        };
        let p = protect(&values, BOTH, strict).unwrap();
        assert_eq!(p.reasons[0][0], Some(Reason::Primary));
    }

    #[test]
    fn a_lone_suppression_in_a_row_with_a_total_fails_without_complements() {
        let values = v(&[&[3, 40, 50], &[20, 30, 60]]);
        let hand = Rule {
            secondary: false,
            ..RULE
        };
        assert_eq!(
            protect(&values, BOTH, hand),
            Err(Failure::Exposed((0, 0), Interval { lo: 3, hi: Some(3) }))
        );
    }

    #[test]
    fn a_table_too_small_to_protect_fails() {
        // One row under a total: nothing can hide the 2.
        let m = Margins {
            rows: false,
            columns: true,
        };
        assert_eq!(
            protect(&v(&[&[2]]), m, RULE),
            Err(Failure::Exposed((0, 0), Interval { lo: 2, hi: Some(2) }))
        );
    }

    #[test]
    fn one_way_complements_come_from_the_same_column() {
        let values = v(&[&[2], &[40], &[3], &[100]]);
        let m = Margins {
            rows: false,
            columns: true,
        };
        let p = protect(&values, m, RULE).unwrap();
        // 2 and 3 together span 0..5: protected without a large cell.
        assert_eq!(
            p.reasons.iter().flatten().filter(|r| r.is_some()).count(),
            2
        );
        assert!(p.intervals.iter().all(|(_, iv)| iv.protects(5)));
    }
}
