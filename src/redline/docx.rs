//! The merged content as WordprocessingML with tracked changes: `w:del`
//! and `w:ins` around the changed words, `w:moveFrom`/`w:moveTo` (inside
//! named `moveFromRange`/`moveToRange` marks) for moved paragraphs, the
//! paragraph mark of a deleted, inserted or moved paragraph marked too, and
//! a table row added or removed as a tracked row (`w:trPr`).
//!
//! The body is written here rather than through docx-rs: docx-rs has no
//! move ranges and no move mark on a paragraph mark, numbers every change
//! from one process-wide counter (two redlines made at once would differ)
//! and writes a row's change before its other properties, against the
//! schema. The package around it (styles, numbering, properties, the
//! deterministic zip) is the Word backend's, docx-rs included.

use std::collections::BTreeMap;

use super::pairing::{pair_rows, sequence, Grid, Op, Para, Style, Unit};
use super::words::{diff, Edit};
use crate::manifest::content::Run;

/// Who made the changes and when, as every change records it.
pub(crate) struct Marks {
    /// `w:author`.
    pub author: String,
    /// `w:date`, `yyyy-mm-ddT00:00:00Z`.
    pub date: String,
}

/// The body's XML and how many numbered lists it has.
pub(crate) struct Body {
    /// Block-level WordprocessingML (paragraphs and tables).
    pub xml: String,
    /// Numbered lists, each needing a numbering instance of its own.
    pub ordered_lists: usize,
}

/// Writes the merged sequence `ops` of the old units `a` and new units `b`.
pub(crate) fn body(a: &[Unit], b: &[Unit], ops: &[Op], marks: &Marks) -> Body {
    let mut w = Writer {
        out: String::new(),
        author: escape(&marks.author),
        date: escape(&marks.date),
        id: 0,
        lists: BTreeMap::new(),
        columns: 1,
    };
    for op in ops {
        match *op {
            Op::Same(i, j) => match (&a[i], &b[j]) {
                (Unit::Para(x), Unit::Para(y)) => {
                    w.open(y.style, true, Change::None);
                    w.edits(&diff(&x.runs, &y.runs), Change::None);
                    w.out += "</w:p>";
                }
                (Unit::Table(x), Unit::Table(y)) => w.table_pair(x, y),
                (x, y) => {
                    w.unit(x, false, Change::Del);
                    w.unit(y, true, Change::Ins);
                }
            },
            Op::Deleted(i) => w.unit(&a[i], false, Change::Del),
            Op::Inserted(j) => w.unit(&b[j], true, Change::Ins),
            Op::MovedFrom(i, n) => {
                if let Unit::Para(x) = &a[i] {
                    w.moved(x, None, n);
                }
            }
            Op::MovedTo(i, j, n) => {
                if let (Unit::Para(x), Unit::Para(y)) = (&a[i], &b[j]) {
                    w.moved(x, Some(y), n);
                }
            }
        }
    }
    let ordered_lists = w.lists.len();
    Body {
        xml: w.out,
        ordered_lists,
    }
}

/// What a piece of text is, as a tracked change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    None,
    Del,
    Ins,
    MoveFrom,
    MoveTo,
}

impl Change {
    fn tag(self) -> Option<&'static str> {
        match self {
            Change::None => None,
            Change::Del => Some("w:del"),
            Change::Ins => Some("w:ins"),
            Change::MoveFrom => Some("w:moveFrom"),
            Change::MoveTo => Some("w:moveTo"),
        }
    }
}

struct Writer {
    out: String,
    /// Escaped author and date.
    author: String,
    date: String,
    /// The last change id given (ids are unique in the document).
    id: u32,
    /// Numbering instance of each numbered list: (newer paper, list).
    lists: BTreeMap<(bool, usize), usize>,
    /// The open table's number of columns.
    columns: usize,
}

/// Numbering instances of the Word backend's numbering part: the bulleted
/// lists' one, then the numbered lists' from 3 on (see `styles`).
const BULLETS: usize = 1;
const FIRST_NUMBERED: usize = 3;
/// A list level's indent, as the backend's numbering has it.
const INDENT: usize = 360;
/// The text column's width in twentieths of a point (A4, 2.54 cm margins).
const TEXT_WIDTH: usize = 9026;

impl Writer {
    /// The attributes of a new change: id, author, date.
    fn attrs(&mut self) -> String {
        self.id += 1;
        format!(
            r#"w:id="{}" w:author="{}" w:date="{}""#,
            self.id, self.author, self.date
        )
    }

    /// Opens a paragraph in `style` with its mark tracked as `mark`.
    fn open(&mut self, style: Style, newer: bool, mark: Change) {
        let mut ppr = String::new();
        let style_id = match style {
            Style::Title => Some("Title".to_string()),
            Style::Heading(l) => Some(format!("Heading{}", l.clamp(1, 3))),
            Style::Item { ordered, .. } if ordered => Some("ListNumber".into()),
            Style::Item { .. } => Some("ListBullet".into()),
            Style::Caption => Some("Caption".into()),
            Style::Plain | Style::Continued(_) | Style::Alt => None,
        };
        if let Some(id) = style_id {
            ppr += &format!(r#"<w:pStyle w:val="{id}"/>"#);
        }
        match style {
            Style::Item {
                ordered,
                level,
                list,
            } => {
                let num = if ordered {
                    let next = FIRST_NUMBERED + self.lists.len();
                    *self.lists.entry((newer, list)).or_insert(next)
                } else {
                    BULLETS
                };
                let level = level.min(8);
                ppr += &format!(
                    r#"<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr>"#
                );
            }
            Style::Continued(level) => {
                ppr += &format!(r#"<w:ind w:left="{}"/>"#, INDENT * (level.min(8) + 1));
            }
            _ => {}
        }
        self.mark_and_open(ppr, mark);
    }

    /// Writes `<w:p>` with the properties `ppr` and the paragraph mark's change.
    fn mark_and_open(&mut self, mut ppr: String, mark: Change) {
        if let Some(tag) = mark.tag() {
            let attrs = self.attrs();
            ppr += &format!("<w:rPr><{tag} {attrs}/></w:rPr>");
        }
        self.out += "<w:p>";
        if !ppr.is_empty() {
            self.out += &format!("<w:pPr>{ppr}</w:pPr>");
        }
    }

    /// A whole unit, deleted or inserted.
    fn unit(&mut self, u: &Unit, newer: bool, change: Change) {
        match u {
            Unit::Para(p) => {
                self.open(p.style, newer, change);
                self.runs(&p.runs, change);
                self.out += "</w:p>";
            }
            Unit::Table(t) => self.table_whole(t, change),
        }
    }

    /// A moved paragraph: its old place (`new` is `None`) or its new place,
    /// where words it gained are insertions (and words it lost are shown
    /// only at its old place).
    fn moved(&mut self, old: &Para, new: Option<&Para>, n: u32) {
        let (kind, change, style) = match new {
            None => ("moveFrom", Change::MoveFrom, old.style),
            Some(p) => ("moveTo", Change::MoveTo, p.style),
        };
        self.open(style, new.is_some(), change);
        let attrs = self.attrs();
        let range = self.id;
        self.out += &format!(r#"<w:{kind}RangeStart {attrs} w:name="move{n}"/>"#);
        match new {
            None => self.runs(&old.runs, Change::MoveFrom),
            Some(p) => {
                for e in diff(&old.runs, &p.runs) {
                    match e {
                        Edit::Same(r) => self.runs(&r, Change::MoveTo),
                        Edit::Inserted(r) => self.runs(&r, Change::Ins),
                        Edit::Deleted(_) => {}
                    }
                }
            }
        }
        self.out += &format!(r#"<w:{kind}RangeEnd w:id="{range}"/></w:p>"#);
    }

    fn edits(&mut self, edits: &[Edit], same: Change) {
        for e in edits {
            match e {
                Edit::Same(r) => self.runs(r, same),
                Edit::Deleted(r) => self.runs(r, Change::Del),
                Edit::Inserted(r) => self.runs(r, Change::Ins),
            }
        }
    }

    /// Runs (adjacent ones of one formatting merged), wrapped in `change`.
    fn runs(&mut self, runs: &[Run], change: Change) {
        if runs.iter().all(|r| r.text.is_empty()) {
            return;
        }
        if let Some(tag) = change.tag() {
            let attrs = self.attrs();
            self.out += &format!("<{tag} {attrs}>");
        }
        let mut merged: Vec<Run> = Vec::new();
        for r in runs {
            match merged.last_mut() {
                Some(m)
                    if (m.strong, m.emph, m.code, &m.link)
                        == (r.strong, r.emph, r.code, &r.link) =>
                {
                    m.text.push_str(&r.text)
                }
                _ => merged.push(r.clone()),
            }
        }
        for r in &merged {
            self.out += &run(r, change == Change::Del);
        }
        if let Some(tag) = change.tag() {
            self.out += &format!("</{tag}>");
        }
    }

    /// Two paired tables: rows paired by their key columns, each paired
    /// cell with its word differences; a row only in one table is a
    /// tracked row. Tables of different widths are replaced whole.
    fn table_pair(&mut self, a: &Grid, b: &Grid) {
        if a.columns.len() != b.columns.len() {
            self.table_whole(a, Change::Del);
            self.table_whole(b, Change::Ins);
            return;
        }
        let numeric = numeric_columns(b);
        self.table_open(b.columns.len());
        let header = cells_diff(&a.columns, &b.columns);
        self.row(&header, Row::Header, Change::None, &numeric);
        let pairs = pair_rows(&a.rows, &b.rows);
        for op in sequence(a.rows.len(), b.rows.len(), &pairs, |_| false) {
            match op {
                Op::Same(i, j) => {
                    let cells = cells_diff(&a.rows[i], &b.rows[j]);
                    self.row(&cells, Row::Body, Change::None, &numeric);
                }
                Op::Deleted(i) | Op::MovedFrom(i, _) => {
                    self.row_whole(&a.rows[i], Change::Del, &numeric, Row::Body)
                }
                Op::Inserted(j) | Op::MovedTo(_, j, _) => {
                    self.row_whole(&b.rows[j], Change::Ins, &numeric, Row::Body)
                }
            }
        }
        match (&a.totals, &b.totals) {
            (Some(x), Some(y)) => {
                let cells = cells_diff(x, y);
                self.row(&cells, Row::Totals, Change::None, &numeric);
            }
            (Some(x), None) => self.row_whole(x, Change::Del, &numeric, Row::Totals),
            (None, Some(y)) => self.row_whole(y, Change::Ins, &numeric, Row::Totals),
            (None, None) => {}
        }
        self.table_close();
    }

    /// A table deleted or inserted whole: every row tracked.
    fn table_whole(&mut self, t: &Grid, change: Change) {
        let numeric = numeric_columns(t);
        let width = t
            .rows
            .iter()
            .chain(&t.totals)
            .map(Vec::len)
            .chain([t.columns.len()])
            .max();
        self.table_open(width.unwrap_or(1).max(1));
        self.row_whole(&t.columns, change, &numeric, Row::Header);
        for r in &t.rows {
            self.row_whole(r, change, &numeric, Row::Body);
        }
        if let Some(totals) = &t.totals {
            self.row_whole(totals, change, &numeric, Row::Totals);
        }
        self.table_close();
    }

    fn table_open(&mut self, columns: usize) {
        self.columns = columns;
        let w = TEXT_WIDTH / columns;
        self.out += &format!(
            r#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{}" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#,
            w * columns
        );
        for _ in 0..columns {
            self.out += &format!(r#"<w:gridCol w:w="{w}"/>"#);
        }
        self.out += "</w:tblGrid>";
    }

    /// Ends a table, and adds the empty paragraph Word keeps after one
    /// (tables that touch merge into one).
    fn table_close(&mut self) {
        self.out += "</w:tbl><w:p/>";
    }

    fn row_whole(&mut self, cells: &[String], change: Change, numeric: &[bool], kind: Row) {
        let edits: Vec<Vec<Edit>> = cells
            .iter()
            .map(|c| {
                let runs = text_runs(c);
                vec![match change {
                    Change::Del => Edit::Deleted(runs),
                    _ => Edit::Inserted(runs),
                }]
            })
            .collect();
        self.row(&edits, kind, change, numeric);
    }

    /// One row of `self.columns` cells (short rows padded), tracked as
    /// `change`; header and totals rows bold, the header repeated on each
    /// page, numeric columns right-aligned.
    fn row(&mut self, cells: &[Vec<Edit>], kind: Row, change: Change, numeric: &[bool]) {
        // A row's change must follow at least one row property (the
        // schema's `CT_TrPrBase` choice is not optional); a row kept on one
        // page is one, and right for a redline's rows.
        let mut trpr = String::from("<w:cantSplit/>");
        if kind == Row::Header {
            trpr += "<w:tblHeader/>";
        }
        if let Some(tag) = change.tag() {
            let attrs = self.attrs();
            trpr += &format!("<{tag} {attrs}/>");
        }
        self.out += &format!("<w:tr><w:trPr>{trpr}</w:trPr>");
        let w = TEXT_WIDTH / self.columns;
        let empty = Vec::new();
        for k in 0..self.columns {
            self.out += &format!(r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>"#);
            let jc = if numeric.get(k).copied().unwrap_or(false) && kind != Row::Header {
                r#"<w:jc w:val="right"/>"#
            } else {
                ""
            };
            self.mark_and_open(jc.to_string(), Change::None);
            let edits = cells.get(k).unwrap_or(&empty);
            let bold = kind != Row::Body;
            let edits: Vec<Edit> = edits.iter().map(|e| emboldened(e, bold)).collect();
            self.edits(&edits, Change::None);
            self.out += "</w:p></w:tc>";
        }
        self.out += "</w:tr>";
    }
}

/// Which row of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Header,
    Body,
    Totals,
}

fn emboldened(e: &Edit, bold: bool) -> Edit {
    let set = |runs: &[Run]| -> Vec<Run> {
        runs.iter()
            .map(|r| Run {
                strong: r.strong || bold,
                ..r.clone()
            })
            .collect()
    };
    match e {
        Edit::Same(r) => Edit::Same(set(r)),
        Edit::Deleted(r) => Edit::Deleted(set(r)),
        Edit::Inserted(r) => Edit::Inserted(set(r)),
    }
}

/// Each pair of cells' word differences.
fn cells_diff(a: &[String], b: &[String]) -> Vec<Vec<Edit>> {
    let n = a.len().max(b.len());
    (0..n)
        .map(|k| {
            let x = a.get(k).map(|s| text_runs(s)).unwrap_or_default();
            let y = b.get(k).map(|s| text_runs(s)).unwrap_or_default();
            diff(&x, &y)
        })
        .collect()
}

fn text_runs(text: &str) -> Vec<Run> {
    vec![Run {
        text: text.to_string(),
        ..Run::default()
    }]
}

/// Columns whose body cells are all numbers (or empty, or a suppression
/// marker-free number with `,` `%` `.`): right-aligned, as the paper shows them.
fn numeric_columns(t: &Grid) -> Vec<bool> {
    let number = |s: &str| {
        let s = s.trim().trim_end_matches('%').replace(',', "");
        s.is_empty() || s.parse::<f64>().is_ok()
    };
    (0..t.columns.len())
        .map(|k| {
            let mut cells = t.rows.iter().filter_map(|r| r.get(k)).peekable();
            cells.peek().is_some() && cells.all(|c| number(c))
        })
        .collect()
}

/// One run: formatting, then its text with line breaks and tabs; deleted
/// text is `w:delText`.
fn run(r: &Run, deleted: bool) -> String {
    let mut rpr = String::new();
    if r.link.is_some() {
        rpr += r#"<w:rStyle w:val="Hyperlink"/>"#;
    }
    if r.code {
        rpr += r#"<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/>"#;
    }
    if r.strong {
        rpr += "<w:b/><w:bCs/>";
    }
    if r.emph {
        rpr += "<w:i/><w:iCs/>";
    }
    let mut out = String::from("<w:r>");
    if !rpr.is_empty() {
        out += &format!("<w:rPr>{rpr}</w:rPr>");
    }
    let t = if deleted { "w:delText" } else { "w:t" };
    for (i, line) in r.text.split('\n').enumerate() {
        if i > 0 {
            out += "<w:br/>";
        }
        for (k, part) in line.split('\t').enumerate() {
            if k > 0 {
                out += "<w:tab/>";
            }
            if !part.is_empty() {
                out += &format!(r#"<{t} xml:space="preserve">{}</{t}>"#, escape(part));
            }
        }
    }
    out + "</w:r>"
}

use crate::escape::xml as escape;
