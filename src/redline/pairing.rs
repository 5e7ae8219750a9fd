//! Pairs last year's content with this year's by identity, not position.
//!
//! Both papers are read as one sequence of paragraphs and tables
//! ([`units`]). Pairs are found in this order:
//! 1. by name: the front matter's fields, a chart's caption and
//!    alternative text by the chart's name, a table by its caption (without
//!    its number) or else its header;
//! 2. by identical text found once in each paper (a moved paragraph);
//! 3. by place: the remaining paragraphs are aligned in reading order, a
//!    pair scoring by the words they share, more if they hold the same place
//!    (section number and paragraph within it);
//! 4. by likeness: what is left pairs with the most alike paragraph
//!    anywhere (half its words or more shared), a moved and edited one.
//!
//! Pairs that keep their order are kept in place; the others are moves
//! ([`sequence`]). Table rows pair by their key columns ([`pair_rows`]).

use std::collections::BTreeMap;

use super::words::similarity;
use crate::manifest::content;

#[cfg(test)]
mod tests;
mod units;

pub(crate) use units::{units, Grid, Para, Style, Unit};

/// The text of a unit, for pairing by identical text.
fn text(u: &Unit) -> Option<String> {
    match u {
        Unit::Para(p) => Some(content::plain(&p.runs)).filter(|t| !t.trim().is_empty()),
        Unit::Table(_) => None,
    }
}

/// A name that identifies a unit in either paper.
fn key(u: &Unit) -> Option<String> {
    match u {
        Unit::Para(p) => p.key.clone(),
        Unit::Table(t) => Some(format!("grid {}", t.key)),
    }
}

fn same_kind(a: &Unit, b: &Unit) -> bool {
    match (a, b) {
        (Unit::Para(x), Unit::Para(y)) => x.style.kind() == y.style.kind(),
        (Unit::Table(_), Unit::Table(_)) => true,
        _ => false,
    }
}

/// How well two units pair in place: shared words, plus a half for the
/// same place; `None` if they are of different kinds or too unlike. The
/// same place alone never pairs: a paragraph sharing under a quarter of its
/// words with last year's in its place replaced it (a deletion and an
/// insertion, not a rewrite of one into the other).
fn score(a: &Unit, b: &Unit) -> Option<f64> {
    if !same_kind(a, b) {
        return None;
    }
    match (a, b) {
        (Unit::Para(x), Unit::Para(y)) => {
            let words = similarity(&x.runs, &y.runs);
            let place = if x.place == y.place { 0.5 } else { 0.0 };
            (words >= 0.5 || (words >= 0.25 && place > 0.0)).then_some(words + place)
        }
        (Unit::Table(x), Unit::Table(y)) => (x.columns == y.columns).then_some(1.0),
        _ => None,
    }
}

/// Pairs of (index in `a`, index in `b`), sorted by `a`.
pub(crate) fn pair(a: &[Unit], b: &[Unit]) -> Vec<(usize, usize)> {
    let mut pa: Vec<Option<usize>> = vec![None; a.len()];
    let mut pb: Vec<Option<usize>> = vec![None; b.len()];
    let link = |i: usize, j: usize, pa: &mut [Option<usize>], pb: &mut [Option<usize>]| {
        pa[i] = Some(j);
        pb[j] = Some(i);
    };
    for ident in [key, text] {
        for (i, j) in unique_matches(a, b, &pa, &pb, ident) {
            if same_kind(&a[i], &b[j]) {
                link(i, j, &mut pa, &mut pb);
            }
        }
    }
    let free_a: Vec<usize> = (0..a.len()).filter(|&i| pa[i].is_none()).collect();
    let free_b: Vec<usize> = (0..b.len()).filter(|&j| pb[j].is_none()).collect();
    for (i, j) in align(&free_a, &free_b, |i, j| score(&a[i], &b[j])) {
        link(i, j, &mut pa, &mut pb);
    }
    // Moved and edited: the most alike paragraph left anywhere.
    for i in 0..a.len() {
        let Unit::Para(x) = &a[i] else { continue };
        if pa[i].is_some() {
            continue;
        }
        let best = (0..b.len())
            .filter(|&j| pb[j].is_none() && same_kind(&a[i], &b[j]))
            .filter_map(|j| match &b[j] {
                Unit::Para(y) => Some((similarity(&x.runs, &y.runs), j)),
                Unit::Table(_) => None,
            })
            .filter(|(s, _)| *s >= 0.5)
            .max_by(|p, q| p.0.total_cmp(&q.0).then(q.1.cmp(&p.1)));
        if let Some((_, j)) = best {
            link(i, j, &mut pa, &mut pb);
        }
    }
    pa.iter()
        .enumerate()
        .filter_map(|(i, j)| j.map(|j| (i, j)))
        .collect()
}

/// Unpaired units whose identity (`ident`) occurs exactly once among the
/// unpaired units of each paper.
fn unique_matches(
    a: &[Unit],
    b: &[Unit],
    pa: &[Option<usize>],
    pb: &[Option<usize>],
    ident: fn(&Unit) -> Option<String>,
) -> Vec<(usize, usize)> {
    let index = |units: &[Unit], paired: &[Option<usize>]| {
        let mut map: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, u) in units.iter().enumerate() {
            if let (None, Some(k)) = (paired[i], ident(u)) {
                map.entry(k).or_default().push(i);
            }
        }
        map
    };
    let (ia, ib) = (index(a, pa), index(b, pb));
    let mut out: Vec<(usize, usize)> = ia
        .iter()
        .filter_map(
            |(k, xs)| match (xs.as_slice(), ib.get(k).map(Vec::as_slice)) {
                ([i], Some([j])) => Some((*i, *j)),
                _ => None,
            },
        )
        .collect();
    out.sort_unstable();
    out
}

/// The in-order pairing of `xs` with `ys` that maximises the summed score
/// (pairs scoring `None` are never made).
fn align(
    xs: &[usize],
    ys: &[usize],
    score: impl Fn(usize, usize) -> Option<f64>,
) -> Vec<(usize, usize)> {
    let (n, m) = (xs.len(), ys.len());
    let w = m + 1;
    let mut best = vec![0.0f64; (n + 1) * w];
    let mut scores = vec![None; n * m];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let s = score(xs[i], ys[j]);
            scores[i * m + j] = s;
            let take = s.map_or(f64::MIN, |s| s + best[(i + 1) * w + j + 1]);
            best[i * w + j] = take.max(best[(i + 1) * w + j]).max(best[i * w + j + 1]);
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        let here = best[i * w + j];
        match scores[i * m + j] {
            Some(s) if here == s + best[(i + 1) * w + j + 1] => {
                out.push((xs[i], ys[j]));
                (i, j) = (i + 1, j + 1);
            }
            _ if here == best[(i + 1) * w + j] => i += 1,
            _ => j += 1,
        }
    }
    out
}

/// One step of the merged document, in the order the redline shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Paired and in order: shown once, with the differences inside.
    Same(usize, usize),
    /// Only in the older paper.
    Deleted(usize),
    /// Only in the newer paper.
    Inserted(usize),
    /// Paired but moved: its old place (move number from 1).
    MovedFrom(usize, u32),
    /// Paired but moved: its new place (old index, new index, move number).
    MovedTo(usize, usize, u32),
}

/// The merged order of `n_a` old and `n_b` new items given their pairs:
/// the longest run of pairs in the same order stays in place; the other
/// pairs are moves if `movable` says so (by old index), else a deletion
/// and an insertion.
pub(crate) fn sequence(
    n_a: usize,
    n_b: usize,
    pairs: &[(usize, usize)],
    movable: impl Fn(usize) -> bool,
) -> Vec<Op> {
    let kept = in_order(pairs);
    let mut old_of = vec![None; n_b];
    let mut moved_number = BTreeMap::new();
    let mut moves: Vec<(usize, usize)> = pairs
        .iter()
        .filter(|p| !kept.contains(p) && movable(p.0))
        .copied()
        .collect();
    moves.sort_by_key(|p| p.1);
    for (n, &(i, j)) in moves.iter().enumerate() {
        old_of[j] = Some(i);
        moved_number.insert(i, n as u32 + 1);
    }
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    for &(x, y) in kept.iter().chain(std::iter::once(&(n_a, n_b))) {
        ops.extend((i..x).map(|k| match moved_number.get(&k) {
            Some(&n) => Op::MovedFrom(k, n),
            None => Op::Deleted(k),
        }));
        ops.extend((j..y).map(|k| match old_of[k] {
            Some(o) => Op::MovedTo(o, k, moved_number[&o]),
            None => Op::Inserted(k),
        }));
        if x < n_a {
            ops.push(Op::Same(x, y));
        }
        (i, j) = (x + 1, y + 1);
    }
    ops
}

/// The longest subsequence of `pairs` (sorted by old index) whose new
/// indices increase.
fn in_order(pairs: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut sorted = pairs.to_vec();
    sorted.sort_unstable();
    // Patience sorting: tails[k] = index of the smallest tail of a run of k+1.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev = vec![None; sorted.len()];
    for (k, &(_, y)) in sorted.iter().enumerate() {
        let pos = tails.partition_point(|&t| sorted[t].1 < y);
        prev[k] = pos.checked_sub(1).map(|p| tails[p]);
        if pos == tails.len() {
            tails.push(k);
        } else {
            tails[pos] = k;
        }
    }
    let mut out = Vec::new();
    let mut at = tails.last().copied();
    while let Some(k) = at {
        out.push(sorted[k]);
        at = prev[k];
    }
    out.reverse();
    out
}

/// Pairs table rows by their key: the fewest leading columns whose text is
/// different in every row of each table (the first column, the label,
/// usually). Without such columns, rows pair where they are identical.
pub(crate) fn pair_rows(a: &[Vec<String>], b: &[Vec<String>]) -> Vec<(usize, usize)> {
    let width = a.iter().chain(b).map(Vec::len).min().unwrap_or(0);
    let keyed = |rows: &[Vec<String>], k: usize| -> Option<BTreeMap<Vec<String>, usize>> {
        let mut map = BTreeMap::new();
        for (i, r) in rows.iter().enumerate() {
            if map.insert(r[..k].to_vec(), i).is_some() {
                return None;
            }
        }
        Some(map)
    };
    for k in 1..=width {
        if let (Some(ka), Some(kb)) = (keyed(a, k), keyed(b, k)) {
            let mut out: Vec<(usize, usize)> = ka
                .iter()
                .filter_map(|(key, i)| kb.get(key).map(|j| (*i, *j)))
                .collect();
            out.sort_unstable();
            return out;
        }
    }
    let xs: Vec<usize> = (0..a.len()).collect();
    let ys: Vec<usize> = (0..b.len()).collect();
    align(&xs, &ys, |i, j| (a[i] == b[j]).then_some(1.0))
}
