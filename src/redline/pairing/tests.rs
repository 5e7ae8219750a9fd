use super::units::{plain_runs, without_numbers};
use super::*;
use crate::manifest::content::{Block, Content};

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
