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
use crate::manifest::content::{self, Block, Content, Run};

/// One paragraph or table of a paper, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Unit {
    /// A paragraph (heading, list item, caption, …).
    Para(Para),
    /// A table's grid (its caption is the paragraph before it).
    Table(Grid),
}

/// A paragraph and what identifies it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Para {
    /// How it is shown.
    pub style: Style,
    /// Its text.
    pub runs: Vec<Run>,
    /// A name that identifies it in either paper (front matter, charts).
    pub key: Option<String>,
    /// Its place: `body 2.1 ¶3`.
    pub place: String,
}

/// How a paragraph is shown; paragraphs pair only with the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// The paper's or the summary's title.
    Title,
    /// Running text (front matter lines, definitions too).
    Plain,
    /// A heading of this level.
    Heading(u8),
    /// A list item's first paragraph: numbered or not, nesting level, and
    /// which list of its paper it belongs to.
    Item {
        /// Numbered list.
        ordered: bool,
        /// Nesting, from 0.
        level: usize,
        /// The list's number in its paper.
        list: usize,
    },
    /// A list item's later paragraph, indented to this nesting level.
    Continued(usize),
    /// A table's or chart's caption.
    Caption,
    /// A chart's alternative text (standing in for the picture).
    Alt,
}

impl Style {
    fn kind(self) -> u8 {
        match self {
            Style::Title => 0,
            Style::Plain | Style::Continued(_) => 1,
            Style::Heading(_) => 2,
            Style::Item { .. } => 3,
            Style::Caption => 4,
            Style::Alt => 5,
        }
    }
}

/// A table's cells.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grid {
    /// Its caption without the number, or else its header.
    pub key: String,
    /// The header row.
    pub columns: Vec<String>,
    /// Body rows.
    pub rows: Vec<Vec<String>>,
    /// The totals row.
    pub totals: Option<Vec<String>>,
}

/// A paper's paragraphs and tables in reading order: title, "To:",
/// "From:", "Date:", the body, the summary's title, the summary.
pub(crate) fn units(c: &Content) -> Vec<Unit> {
    let mut w = Walk::default();
    let m = &c.meta;
    w.meta(Style::Title, "title", &m.title);
    w.meta(Style::Plain, "to", &format!("To: {}", m.to));
    w.meta(Style::Plain, "from", &format!("From: {}", m.from));
    w.meta(Style::Plain, "date", &format!("Date: {}", m.date));
    w.part = "body";
    w.blocks(&c.body, 0);
    w.meta(Style::Title, "summary", &m.summary_title);
    w.part = "summary";
    w.section = Vec::new();
    w.blocks(&c.summary, 0);
    w.out
}

/// The walk's state: where it is and what it has made.
#[derive(Default)]
struct Walk {
    out: Vec<Unit>,
    part: &'static str,
    /// Numbered heading counters by level.
    section: Vec<u32>,
    /// Paragraphs since the last heading.
    paragraph: u32,
    lists: usize,
}

impl Walk {
    fn meta(&mut self, style: Style, key: &str, text: &str) {
        self.push(style, plain_runs(text), Some(format!("meta {key}")));
    }

    fn push(&mut self, style: Style, runs: Vec<Run>, key: Option<String>) {
        self.paragraph += 1;
        let numbers: Vec<String> = self.section.iter().map(u32::to_string).collect();
        let place = format!("{} {} ¶{}", self.part, numbers.join("."), self.paragraph);
        self.out.push(Unit::Para(Para {
            style,
            runs,
            key,
            place,
        }));
    }

    fn blocks(&mut self, blocks: &[Block], level: usize) {
        for b in blocks {
            self.block(b, level);
        }
    }

    fn block(&mut self, block: &Block, level: usize) {
        match block {
            Block::Heading {
                level: l,
                numbered,
                text,
            } => {
                let depth = usize::from((*l).max(1));
                if *numbered {
                    self.section.resize(depth, 0);
                    self.section[depth - 1] += 1;
                }
                self.paragraph = 0;
                self.push(Style::Heading(*l), text.clone(), None);
            }
            Block::Paragraph { text } if level > 0 => {
                self.push(Style::Continued(level - 1), text.clone(), None)
            }
            Block::Paragraph { text } => self.push(Style::Plain, text.clone(), None),
            Block::List { ordered, items } => {
                self.lists += 1;
                let list = self.lists;
                for item in items {
                    self.item(*ordered, level, list, item);
                }
            }
            Block::Table {
                caption,
                columns,
                rows,
                totals,
            } => {
                if let Some(c) = caption {
                    let key = format!("table {}", without_numbers(&c.text));
                    self.push(Style::Caption, plain_runs(&c.shown()), Some(key));
                }
                let key = match caption {
                    Some(c) => without_numbers(&c.text),
                    None => columns.join("\u{1f}"),
                };
                self.out.push(Unit::Table(Grid {
                    key,
                    columns: columns.clone(),
                    rows: rows.clone(),
                    totals: totals.clone(),
                }));
            }
            Block::Figure { name, caption, alt } => {
                self.push(
                    Style::Alt,
                    plain_runs(alt),
                    Some(format!("chart {name} alt")),
                );
                let key = Some(format!("chart {name} caption"));
                self.push(Style::Caption, plain_runs(&caption.shown()), key);
            }
            Block::Definitions { items } => {
                for d in items {
                    self.push(Style::Plain, d.term.clone(), None);
                    for e in &d.entries {
                        self.push(Style::Plain, e.clone(), None);
                    }
                }
            }
        }
    }

    /// A list item: its first paragraph carries the bullet or number.
    fn item(&mut self, ordered: bool, level: usize, list: usize, item: &[Block]) {
        for (i, b) in item.iter().enumerate() {
            match b {
                Block::Paragraph { text } if i == 0 => {
                    let style = Style::Item {
                        ordered,
                        level,
                        list,
                    };
                    self.push(style, text.clone(), None)
                }
                other => self.block(other, level + 1),
            }
        }
    }
}

/// A caption as a table's name: its numbers (the period, mostly) as `#`,
/// so "Victims by district, 2019/20" pairs with its 2020/21 successor.
fn without_numbers(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c.is_ascii_digit() {
            true if out.ends_with('#') => {}
            true => out.push('#'),
            false => out.push(c),
        }
    }
    out
}

fn plain_runs(text: &str) -> Vec<Run> {
    vec![Run {
        text: text.to_string(),
        ..Run::default()
    }]
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn para(t: &str) -> Block {
        Block::Paragraph {
            text: plain_runs(t),
        }
    }

    fn heading(t: &str) -> Block {
        Block::Heading {
            level: 1,
            numbered: true,
            text: plain_runs(t),
        }
    }

    fn paper(body: Vec<Block>) -> Vec<Unit> {
        units(&Content {
            body,
            ..Content::default()
        })
    }

    /// The ops with the units' texts, for reading.
    fn merged(a: &[Unit], b: &[Unit]) -> Vec<String> {
        let t = |u: &Unit| text(u).unwrap_or_default();
        let pairs = pair(a, b);
        sequence(a.len(), b.len(), &pairs, |i| matches!(a[i], Unit::Para(_)))
            .into_iter()
            .filter_map(|op| match op {
                Op::Same(i, j) if t(&a[i]) == t(&b[j]) => None,
                Op::Same(i, j) => Some(format!("~ {} => {}", t(&a[i]), t(&b[j]))),
                Op::Deleted(i) => Some(format!("- {}", t(&a[i]))),
                Op::Inserted(j) => Some(format!("+ {}", t(&b[j]))),
                Op::MovedFrom(i, n) => Some(format!("<{n} {}", t(&a[i]))),
                Op::MovedTo(i, j, n) => Some(format!(">{n} {} => {}", t(&a[i]), t(&b[j]))),
            })
            .collect()
    }

    #[test]
    fn a_moved_paragraph_is_a_move_not_a_deletion_and_insertion() {
        let a = paper(vec![
            heading("Purpose"),
            para("The first paragraph stays where it is."),
            para("This paragraph moves to the end of the paper."),
            heading("Findings"),
            para("Victims rose by 2,549 in the year."),
        ]);
        let b = paper(vec![
            heading("Purpose"),
            para("The first paragraph stays where it is."),
            heading("Findings"),
            para("Victims rose by 933 in the year."),
            para("This paragraph moves to the end of the paper."),
        ]);
        assert_eq!(
            merged(&a, &b),
            [
                "<1 This paragraph moves to the end of the paper.",
                "~ Victims rose by 2,549 in the year. => Victims rose by 933 in the year.",
                ">1 This paragraph moves to the end of the paper. => This paragraph moves to the end of the paper.",
            ]
        );
    }

    #[test]
    fn an_inserted_paragraph_does_not_shift_the_pairs_after_it() {
        let a = paper(vec![
            para("Alpha one two three."),
            para("Beta four five six 10."),
            para("Gamma seven eight nine."),
        ]);
        let b = paper(vec![
            para("Alpha one two three."),
            para("A wholly new paragraph here."),
            para("Beta four five six 11."),
            para("Gamma seven eight nine."),
        ]);
        assert_eq!(
            merged(&a, &b),
            [
                "+ A wholly new paragraph here.",
                "~ Beta four five six 10. => Beta four five six 11."
            ]
        );
    }

    #[test]
    fn a_paragraph_replaced_in_its_place_is_a_deletion_and_an_insertion() {
        let a = paper(vec![
            heading("Background"),
            para("The Office of the Commissioner commissioned an update."),
            para("Victims rose by 2,549 in the year."),
        ]);
        let b = paper(vec![
            heading("Background"),
            para("This year adds a chapter on fraud."),
            para("Victims rose by 933 in the year."),
        ]);
        assert_eq!(
            merged(&a, &b),
            [
                "- The Office of the Commissioner commissioned an update.",
                "+ This year adds a chapter on fraud.",
                "~ Victims rose by 2,549 in the year. => Victims rose by 933 in the year.",
            ]
        );
    }

    #[test]
    fn charts_pair_by_name_and_tables_by_caption() {
        let fig = |name: &str, n: u32, alt: &str| Block::Figure {
            name: name.into(),
            caption: content::Caption {
                label: format!("Figure {n}"),
                text: name.to_uppercase(),
            },
            alt: alt.into(),
        };
        let a = paper(vec![fig("x", 1, "X is 10."), fig("y", 2, "Y is 20.")]);
        let b = paper(vec![fig("y", 1, "Y is 25."), fig("x", 2, "X is 10.")]);
        let pairs = pair(&a, &b);
        let find = |key: &str| {
            let i = a
                .iter()
                .position(|u| matches!(u, Unit::Para(p) if p.key.as_deref() == Some(key)))
                .unwrap();
            pairs
                .iter()
                .find(|p| p.0 == i)
                .map(|p| text(&b[p.1]).unwrap())
        };
        assert_eq!(find("chart y alt").as_deref(), Some("Y is 25."));
        assert_eq!(find("chart y caption").as_deref(), Some("Figure 1: Y"));
        assert_eq!(find("chart x caption").as_deref(), Some("Figure 2: X"));
    }

    #[test]
    fn a_table_whose_caption_names_another_year_pairs_by_its_caption() {
        let table = |n: u32, caption: &str, header: &str| Block::Table {
            caption: Some(content::Caption {
                label: format!("Table {n}"),
                text: caption.into(),
            }),
            columns: vec!["District".into(), header.into()],
            rows: vec![vec!["Ely".into(), "1".into()]],
            totals: None,
        };
        let a = paper(vec![table(
            1,
            "Victims by district, 2019/20",
            "Victims 2019/20",
        )]);
        let b = paper(vec![
            table(1, "Offenders by district, 2020/21", "Offenders"),
            table(2, "Victims by district, 2020/21", "Victims 2020/21"),
        ]);
        let grids = |u: &[Unit]| -> Vec<usize> {
            (0..u.len())
                .filter(|&i| matches!(u[i], Unit::Table(_)))
                .collect()
        };
        let pairs = pair(&a, &b);
        // The header changed too: only the caption without its year pairs them.
        assert!(pairs.contains(&(grids(&a)[0], grids(&b)[1])), "{pairs:?}");
        assert_eq!(
            without_numbers("Victims, 2019/20 (1,040)"),
            "Victims, #/# (#,#)"
        );
    }

    #[test]
    fn reordered_rows_pair_by_their_key_column() {
        let row = |k: &str, v: &str| vec![k.to_string(), v.to_string()];
        let a = [
            row("Cambridge", "10"),
            row("Fenland", "20"),
            row("Ely", "30"),
        ];
        let b = [
            row("Fenland", "21"),
            row("Ely", "30"),
            row("Cambridge", "10"),
            row("March", "5"),
        ];
        assert_eq!(pair_rows(&a, &b), [(0, 2), (1, 0), (2, 1)]);
        // A duplicated first column makes the first two the key.
        let a = [row("A", "1"), row("A", "2")];
        let b = [row("A", "2"), row("A", "1")];
        assert_eq!(pair_rows(&a, &b), [(0, 1), (1, 0)]);
        // Rows that cannot be told apart pair only where identical, in order.
        let a = [row("A", "1"), row("A", "1")];
        let b = [row("A", "1"), row("B", "2")];
        assert_eq!(pair_rows(&a, &b), [(0, 0)]);
    }

    #[test]
    fn pairs_out_of_order_are_moves_or_deletions_and_insertions() {
        let pairs = [(0, 1), (1, 2), (2, 0)];
        assert_eq!(
            sequence(3, 3, &pairs, |_| true),
            [
                Op::MovedTo(2, 0, 1),
                Op::Same(0, 1),
                Op::Same(1, 2),
                Op::MovedFrom(2, 1)
            ]
        );
        assert_eq!(
            sequence(3, 3, &pairs, |_| false),
            [
                Op::Inserted(0),
                Op::Same(0, 1),
                Op::Same(1, 2),
                Op::Deleted(2)
            ]
        );
    }
}
