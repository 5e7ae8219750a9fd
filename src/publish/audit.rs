//! The audit: for every suppressed cell of a published table, the range of
//! values it could take given everything published (the other cells, the
//! row totals, the column totals and the grand total) and that counts are
//! whole and never negative.
//!
//! Method (exact, no LP solver): with both margins published, the unknown
//! cells of a two-way table are a transportation problem. Each row's
//! residual (its total less its published cells) flows through the
//! suppressed cells to the columns' residuals. One max-flow finds a
//! feasible flow `f` (or proves there is none). Every other feasible flow
//! differs from `f` by a circulation through the suppressed cells that
//! never takes a cell below zero, so cell (i, j) can rise by as much as
//! can flow from column j back to row i (through other cells: upwards
//! without limit, downwards by at most their value in `f`), and fall by
//! as much as can flow from row i to column j, at most `f(i, j)`: two more
//! max-flows per cell give both ends. The transportation polytope has
//! whole-number vertices, so these integer ends are also the
//! linear-programming bounds. (A bisection over "is there a flow with the
//! cell at t" gives the same ends with a dozen max-flows a cell; the unit
//! tests keep it as the oracle.) With one margin only (a one-way
//! table with a totals row), each column is independent: a lone suppressed
//! cell equals its residual, two or more range over `[0, residual]`. With no
//! margin nothing bounds a suppressed cell from above.

/// A table as published: `None` is a suppressed cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedGrid {
    /// Interior cells by row, then column.
    pub cells: Vec<Vec<Option<i64>>>,
    /// Published row totals, if any.
    pub row_totals: Option<Vec<i64>>,
    /// Published column totals, if any.
    pub column_totals: Option<Vec<i64>>,
}

/// The values a suppressed cell could take: `lo..=hi`, `hi` `None` when
/// nothing published bounds it from above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    /// The least feasible value.
    pub lo: i64,
    /// The greatest feasible value, if bounded.
    pub hi: Option<i64>,
}

impl Interval {
    /// Whether the interval is at least `range` wide: an intruder cannot
    /// pin the cell down closer than `range` (a bound-less interval always is).
    pub fn protects(&self, range: i64) -> bool {
        self.hi.is_none_or(|hi| hi - self.lo >= range)
    }
}

/// Why the published numbers cannot be audited at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditError {
    /// Published cells exceed a published total (row or column index).
    Inconsistent(String),
}

impl std::fmt::Display for AuditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditError::Inconsistent(what) => {
                write!(f, "the published numbers are inconsistent: {what}")
            }
        }
    }
}

/// A cell of a grid: (row, column), 0-based.
pub(crate) type Cell = (usize, usize);

/// The feasible interval of every suppressed cell, as `((row, column),
/// interval)` in row-major order.
pub fn intervals(grid: &PublishedGrid) -> Result<Vec<(Cell, Interval)>, AuditError> {
    intervals_of(grid, None)
}

/// The feasible interval of the one suppressed cell `at` (`None` if it is
/// published): what [`intervals`] gives for it, without the others.
pub(crate) fn interval_at(grid: &PublishedGrid, at: Cell) -> Result<Option<Interval>, AuditError> {
    Ok(intervals_of(grid, Some(at))?.pop().map(|(_, iv)| iv))
}

/// [`intervals`], for every suppressed cell or only `only`.
fn intervals_of(
    grid: &PublishedGrid,
    only: Option<Cell>,
) -> Result<Vec<(Cell, Interval)>, AuditError> {
    let unknown: Vec<(usize, usize)> = grid
        .cells
        .iter()
        .enumerate()
        .flat_map(|(i, row)| {
            row.iter()
                .enumerate()
                .filter(|(_, c)| c.is_none())
                .map(move |(j, _)| (i, j))
        })
        .collect();
    let rows = grid
        .row_totals
        .as_ref()
        .map(|t| residuals(t, &grid.cells, |i, j, g| g.get(i).and_then(|r| r.get(j))));
    let cols = grid
        .column_totals
        .as_ref()
        .map(|t| residuals(t, &grid.cells, |j, i, g| g.get(i).and_then(|r| r.get(j))));
    let rows = rows.transpose()?;
    let cols = cols.transpose()?;
    let one_margin = |res: &[i64], line: usize, others: usize| Interval {
        lo: if others > 1 { 0 } else { res[line] },
        hi: Some(res[line]),
    };
    // With both margins, one feasible flow serves every cell (none needed,
    // and nothing to check, when nothing is suppressed).
    let flow = match (&rows, &cols) {
        (Some(r), Some(c)) if !unknown.is_empty() => Some(feasible_flow(r, c, &unknown)?),
        _ => None,
    };
    let mut out = Vec::new();
    for (k, &(i, j)) in unknown.iter().enumerate() {
        if only.is_some_and(|at| at != (i, j)) {
            continue;
        }
        let interval = match (&rows, &cols, &flow) {
            (Some(r), Some(_), Some(flow)) => two_way(r.len(), &unknown, flow, k),
            (Some(r), None, _) => {
                one_margin(&r[..], i, unknown.iter().filter(|u| u.0 == i).count())
            }
            (None, Some(c), _) => {
                one_margin(&c[..], j, unknown.iter().filter(|u| u.1 == j).count())
            }
            // (Both margins and no flow only when nothing is suppressed:
            // this loop does not run then.)
            (Some(_), Some(_), None) | (None, None, _) => Interval { lo: 0, hi: None },
        };
        out.push(((i, j), interval));
    }
    Ok(out)
}

/// Each line's total less its published cells; `cell(line, k, cells)`
/// reads the k-th cell of a line.
fn residuals(
    totals: &[i64],
    cells: &[Vec<Option<i64>>],
    cell: impl for<'a> Fn(usize, usize, &'a [Vec<Option<i64>>]) -> Option<&'a Option<i64>>,
) -> Result<Vec<i64>, AuditError> {
    let mut out = Vec::with_capacity(totals.len());
    for (line, total) in totals.iter().enumerate() {
        let mut known = 0i64;
        let mut k = 0;
        while let Some(c) = cell(line, k, cells) {
            known += c.unwrap_or(0);
            k += 1;
        }
        if known > *total {
            return Err(AuditError::Inconsistent(format!(
                "line {} adds up to {known}, more than its total {total}",
                line + 1
            )));
        }
        out.push(total - known);
    }
    Ok(out)
}

/// A flow through the suppressed cells (`edges`, as (row, column)) that
/// meets every row and column residual exactly: the amount on each edge,
/// in order. An error if the totals disagree or no such flow exists.
fn feasible_flow(rows: &[i64], cols: &[i64], edges: &[Cell]) -> Result<Vec<i64>, AuditError> {
    let need: i64 = rows.iter().sum();
    if need != cols.iter().sum::<i64>() {
        return Err(AuditError::Inconsistent(
            "the row totals and the column totals add up to different grand totals".into(),
        ));
    }
    let (source, sink) = (0, 1);
    let row_node = |i: usize| 2 + i;
    let col_node = |j: usize| 2 + rows.len() + j;
    let mut g = FlowGraph::new(2 + rows.len() + cols.len());
    for (i, r) in rows.iter().enumerate() {
        g.add(source, row_node(i), *r);
    }
    for (j, c) in cols.iter().enumerate() {
        g.add(col_node(j), sink, *c);
    }
    let ids: Vec<EdgeId> = edges
        .iter()
        .map(|&(i, j)| g.add(row_node(i), col_node(j), need))
        .collect();
    if g.max_flow(source, sink) != need {
        return Err(AuditError::Inconsistent(
            "no whole, non-negative values fit the published totals".into(),
        ));
    }
    Ok(ids.into_iter().map(|id| need - g.left(id)).collect())
}

/// The exact interval of suppressed cell `edges[k]` in a table with both
/// margins and `rows` rows, given a feasible `flow` over `edges`.
fn two_way(rows: usize, edges: &[Cell], flow: &[i64], k: usize) -> Interval {
    let (a, b) = edges[k];
    let row_node = |i: usize| i;
    let col_node = |j: usize| rows + j;
    let nodes = rows + edges.iter().map(|e| e.1 + 1).max().unwrap_or(0);
    // Room to change the other cells: up without limit, down to zero.
    let unlimited: i64 = flow.iter().sum::<i64>() + 1;
    let residual = || {
        let mut g = FlowGraph::new(nodes);
        for (m, &(i, j)) in edges.iter().enumerate() {
            if m != k {
                g.add(row_node(i), col_node(j), unlimited);
                g.add(col_node(j), row_node(i), flow[m]);
            }
        }
        g
    };
    let up = residual().max_flow(col_node(b), row_node(a));
    let down = residual().max_flow(row_node(a), col_node(b));
    Interval {
        lo: flow[k] - down.min(flow[k]),
        hi: Some(flow[k] + up),
    }
}

/// A small residual graph for Edmonds–Karp max-flow.
struct FlowGraph {
    /// (to, capacity left, index of the reverse edge in `to`'s list).
    adj: Vec<Vec<(usize, i64, usize)>>,
}

/// An edge of a [`FlowGraph`]: its tail and its place in the tail's list.
type EdgeId = (usize, usize);

impl FlowGraph {
    fn new(n: usize) -> Self {
        FlowGraph {
            adj: vec![Vec::new(); n],
        }
    }

    fn add(&mut self, from: usize, to: usize, cap: i64) -> EdgeId {
        let rev_from = self.adj[to].len();
        let rev_to = self.adj[from].len();
        self.adj[from].push((to, cap, rev_from));
        self.adj[to].push((from, 0, rev_to));
        (from, rev_to)
    }

    /// The capacity edge `id` has left.
    fn left(&self, id: EdgeId) -> i64 {
        self.adj[id.0][id.1].1
    }

    fn max_flow(&mut self, s: usize, t: usize) -> i64 {
        let mut total = 0;
        loop {
            // Breadth-first search for a shortest augmenting path.
            let mut prev: Vec<Option<(usize, usize)>> = vec![None; self.adj.len()];
            let mut queue = std::collections::VecDeque::from([s]);
            while let Some(u) = queue.pop_front() {
                for (k, &(v, cap, _)) in self.adj[u].iter().enumerate() {
                    if cap > 0 && v != s && prev[v].is_none() {
                        prev[v] = Some((u, k));
                        queue.push_back(v);
                    }
                }
            }
            if prev[t].is_none() {
                return total;
            }
            let mut push = i64::MAX;
            let mut v = t;
            while let Some((u, k)) = prev[v] {
                push = push.min(self.adj[u][k].1);
                v = u;
            }
            let mut v = t;
            while let Some((u, k)) = prev[v] {
                self.adj[u][k].1 -= push;
                let (_, _, rev) = self.adj[u][k];
                self.adj[v][rev].1 += push;
                v = u;
            }
            total += push;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grid from true values, a suppression mask and both margins.
    fn grid(values: &[&[i64]], hidden: &[(usize, usize)]) -> PublishedGrid {
        let rows = values.iter().map(|r| r.iter().sum()).collect();
        let width = values[0].len();
        let cols = (0..width)
            .map(|j| values.iter().map(|r| r[j]).sum())
            .collect();
        let cells = values
            .iter()
            .enumerate()
            .map(|(i, r)| {
                r.iter()
                    .enumerate()
                    .map(|(j, v)| (!hidden.contains(&(i, j))).then_some(*v))
                    .collect()
            })
            .collect();
        PublishedGrid {
            cells,
            row_totals: Some(rows),
            column_totals: Some(cols),
        }
    }

    fn interval(g: &PublishedGrid, at: (usize, usize)) -> Interval {
        intervals(g)
            .unwrap()
            .into_iter()
            .find(|(c, _)| *c == at)
            .unwrap()
            .1
    }

    #[test]
    fn a_lone_suppressed_cell_in_a_row_with_a_total_is_exact() {
        let g = grid(&[&[3, 40, 50], &[20, 30, 60]], &[(0, 0)]);
        assert_eq!(interval(&g, (0, 0)), Interval { lo: 3, hi: Some(3) });
        assert!(!interval(&g, (0, 0)).protects(5));
    }

    #[test]
    fn a_two_by_two_block_ranges_over_the_smallest_swap() {
        // Moving t from (0,0),(1,1) to (0,1),(1,0) keeps every margin.
        let g = grid(
            &[&[2, 9, 50], &[8, 3, 60], &[10, 10, 10]],
            &[(0, 0), (0, 1), (1, 0), (1, 1)],
        );
        // (0,0) = 2 can go down by min(2, 3) and up by min(9, 8).
        assert_eq!(
            interval(&g, (0, 0)),
            Interval {
                lo: 0,
                hi: Some(10)
            }
        );
        assert_eq!(
            interval(&g, (1, 1)),
            Interval {
                lo: 1,
                hi: Some(11)
            }
        );
    }

    #[test]
    fn two_blocks_linked_by_one_cell_leak_that_cell() {
        // Every row and column has at least two suppressed cells, yet the
        // link (1, 2) is rows {0, 1} less columns {0, 1}: exactly known.
        let values: &[&[i64]] = &[
            &[2, 7, 20, 20, 30],
            &[6, 3, 4, 20, 30],
            &[20, 20, 1, 8, 30],
            &[20, 20, 9, 2, 30],
        ];
        let hidden = [
            (0, 0),
            (0, 1),
            (1, 0),
            (1, 1),
            (1, 2),
            (2, 2),
            (2, 3),
            (3, 2),
            (3, 3),
        ];
        let g = grid(values, &hidden);
        for (i, row) in g.cells.iter().enumerate() {
            assert!(row.iter().filter(|c| c.is_none()).count() >= 2, "row {i}");
        }
        let link = interval(&g, (1, 2));
        assert_eq!(link, Interval { lo: 4, hi: Some(4) });
        assert!(!link.protects(5));
        // The blocks' own cells are not exact.
        assert!(interval(&g, (0, 0)).hi > Some(interval(&g, (0, 0)).lo));
    }

    #[test]
    fn one_margin_tables_bound_by_the_column_total() {
        let g = PublishedGrid {
            cells: vec![vec![Some(40)], vec![None], vec![None], vec![Some(12)]],
            row_totals: None,
            column_totals: Some(vec![60]),
        };
        let all = intervals(&g).unwrap();
        assert_eq!(all[0], ((1, 0), Interval { lo: 0, hi: Some(8) }));
        assert!(all[0].1.protects(5));
        let lone = PublishedGrid {
            cells: vec![vec![Some(40)], vec![None]],
            ..g.clone()
        };
        assert_eq!(
            intervals(&lone).unwrap()[0].1,
            Interval {
                lo: 20,
                hi: Some(20)
            }
        );
        let free = PublishedGrid {
            column_totals: None,
            ..lone
        };
        assert_eq!(intervals(&free).unwrap()[0].1, Interval { lo: 0, hi: None });
    }

    #[test]
    fn inconsistent_totals_are_reported() {
        let g = PublishedGrid {
            cells: vec![vec![Some(9), None]],
            row_totals: Some(vec![5]),
            column_totals: Some(vec![9, 0]),
        };
        assert!(matches!(intervals(&g), Err(AuditError::Inconsistent(_))));
    }

    /// The audit's first method, kept as the oracle: bisection over "is
    /// there a flow with the cell at (at least) t", one max-flow each.
    fn by_bisection(rows: &[i64], cols: &[i64], unknown: &[Cell], at: Cell) -> Interval {
        let (a, b) = at;
        let others: Vec<Cell> = unknown.iter().copied().filter(|u| *u != at).collect();
        let shifted = |t: i64| {
            let (mut r, mut c) = (rows.to_vec(), cols.to_vec());
            r[a] -= t;
            c[b] -= t;
            (r, c)
        };
        let fixed = |t: i64| {
            let (r, c) = shifted(t);
            r[a] >= 0 && c[b] >= 0 && saturates(&r, &c, &others)
        };
        let at_least = |t: i64| {
            let (r, c) = shifted(t);
            saturates(&r, &c, unknown)
        };
        let hi = last_true(0, rows[a].min(cols[b]), at_least);
        Interval {
            lo: first_true(0, hi, fixed),
            hi: Some(hi),
        }
    }

    fn saturates(rows: &[i64], cols: &[i64], edges: &[Cell]) -> bool {
        rows.iter().chain(cols).all(|x| *x >= 0) && feasible_flow(rows, cols, edges).is_ok()
    }

    fn last_true(mut lo: i64, mut hi: i64, ok: impl Fn(i64) -> bool) -> i64 {
        while lo < hi {
            let mid = lo + (hi - lo + 1) / 2;
            if ok(mid) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        lo
    }

    fn first_true(mut lo: i64, mut hi: i64, ok: impl Fn(i64) -> bool) -> i64 {
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if ok(mid) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        hi
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        /// Every suppressed cell's interval is the bisection oracle's, on
        /// random tables and suppression patterns (and `interval_at`
        /// agrees with `intervals`).
        #[test]
        fn the_flow_method_agrees_with_bisection(
            values in proptest::collection::vec(proptest::collection::vec(0i64..30, 1..5), 1..5),
            mask in proptest::collection::vec(proptest::bool::weighted(0.45), 25),
        ) {
            let width = values.iter().map(Vec::len).min().unwrap_or(1);
            let values: Vec<Vec<i64>> = values.iter().map(|r| r[..width].to_vec()).collect();
            let refs: Vec<&[i64]> = values.iter().map(Vec::as_slice).collect();
            let hidden: Vec<Cell> = (0..values.len())
                .flat_map(|i| (0..width).map(move |j| (i, j)))
                .filter(|&(i, j)| mask[(i * 5 + j) % 25])
                .collect();
            let g = grid(&refs, &hidden);
            let rows = residuals(g.row_totals.as_ref().unwrap(), &g.cells, |i, j, g| g.get(i).and_then(|r| r.get(j))).unwrap();
            let cols = residuals(g.column_totals.as_ref().unwrap(), &g.cells, |j, i, g| g.get(i).and_then(|r| r.get(j))).unwrap();
            let all = intervals(&g).unwrap();
            proptest::prop_assert_eq!(all.len(), hidden.len());
            for (cell, iv) in all {
                proptest::prop_assert_eq!(iv, by_bisection(&rows, &cols, &hidden, cell), "cell {:?}", cell);
                proptest::prop_assert_eq!(interval_at(&g, cell).unwrap(), Some(iv));
            }
        }
    }

    #[test]
    fn bisection_finds_both_ends() {
        assert_eq!(last_true(0, 10, |t| t <= 7), 7);
        assert_eq!(first_true(0, 10, |t| t >= 3), 3);
    }
}
