//! The redline: last year's paper against this year's as a Word file with
//! real tracked changes, made from the two manifests' `content` (the
//! published content tree each build records), matched by identity rather
//! than by position (see [`pairing`] for how):
//!
//! - a paired paragraph shows only its changed words: a changed number is
//!   one small deletion and one insertion;
//! - a moved paragraph is a move (`w:moveFrom`/`w:moveTo`), a new or
//!   removed one an insertion or deletion, paragraph mark included;
//! - table rows pair by their key columns, so a row that changed shows its
//!   changed cells, and a row added or dropped is a tracked row;
//! - charts pair by name: their caption and alternative text (which states
//!   their numbers) are compared; the pictures are not in the redline.
//!
//! Every change is by the later paper's author (`report.from`) on the later
//! paper's date at midnight UTC, so the same two manifests give the same
//! bytes. Accepting every change gives this year's text, rejecting every
//! change last year's.

mod docx;
mod pairing;
mod words;

use std::path::Path;

pub use crate::manifest::content::{Block, Caption, Content, Definition, Meta, Run};

use crate::manifest::content;

use crate::error::{Error, ErrorKind, Result};
use crate::manifest::Manifest;
use pairing::{Op, Unit};

/// A redline, ready to write, with what it paired.
#[derive(Debug, Clone)]
pub struct Redline {
    /// The `.docx` file.
    pub bytes: Vec<u8>,
    /// What was paired and what could not be, for people.
    pub summary: String,
}

impl Redline {
    /// Writes the `.docx` atomically (a failed write leaves any old file).
    pub fn write(&self, path: &Path) -> Result<()> {
        crate::output::write_file(path, &self.bytes)
    }
}

/// The redline of two manifest files, `a` the older paper, `b` the newer.
/// Every problem with either file is reported at once.
pub fn from_files(a: &Path, b: &Path) -> Result<Redline> {
    let (x, y) = (Manifest::read(a), Manifest::read(b));
    let problems = [(&x, a), (&y, b)]
        .into_iter()
        .filter_map(|(m, path)| match m {
            Err(e) => Some(e.clone()),
            Ok(m) => without_content(m, path),
        });
    Error::collect(problems.collect())?;
    match (x, y) {
        (Ok(x), Ok(y)) => redline(&x, &y),
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// The error for a manifest that records no content (written by an older
/// boardpack, or the copy embedded in a PDF).
fn without_content(m: &Manifest, path: &Path) -> Option<Error> {
    m.content.is_none().then(|| {
        Error::new(
            ErrorKind::Spec,
            "this manifest records no content, so no redline can be made from it",
        )
        .in_file(path)
        .with_hint(
            "it was written by a boardpack older than the redline (or is the copy inside a PDF); build that paper again with this boardpack, e.g. `boardpack build SPEC --set period=2019/20 --out last-year`, and pass the `.manifest.json` it writes",
        )
    })
}

/// The redline of two manifests that record their content.
pub fn redline(a: &Manifest, b: &Manifest) -> Result<Redline> {
    let empty = Content::default();
    let (ca, cb) = (
        a.content.as_ref().unwrap_or(&empty),
        b.content.as_ref().unwrap_or(&empty),
    );
    let (ua, ub) = (pairing::units(ca), pairing::units(cb));
    let pairs = pairing::pair(&ua, &ub);
    let ops = pairing::sequence(ua.len(), ub.len(), &pairs, |i| {
        matches!(ua[i], Unit::Para(_))
    });
    let marks = docx::Marks {
        author: cb.meta.from.clone(),
        date: format!("{}T00:00:00Z", b.date),
    };
    let body = docx::body(&ua, &ub, &ops, &marks);
    let meta = crate::doc::Meta {
        title: cb.meta.title.clone(),
        from: cb.meta.from.clone(),
        to: cb.meta.to.clone(),
        date_display: cb.meta.date.clone(),
        date_iso: cb.meta.date_iso.clone(),
        summary_title: format!("{}: changes since {}", cb.meta.title, label(a)),
        language: String::new(),
    };
    // The later paper's marking, else the earlier one's: the redline shows
    // both papers' content, so it is marked as they were.
    let marking = cb.meta.marking.clone().or_else(|| ca.meta.marking.clone());
    let options = crate::backend::docx::DocxOptions {
        timestamp: midnight(&b.date)?,
        style: crate::backend::docx::WordStyle {
            marking,
            ..Default::default()
        },
        ..Default::default()
    };
    let bytes = crate::backend::docx::render_body(&meta, &body.xml, body.ordered_lists, &options)?;
    Ok(Redline {
        bytes,
        summary: summary(&ua, &ub, &ops, (&label(a), &label(b))),
    })
}

/// A paper's name in messages: its period, else its date.
fn label(m: &Manifest) -> String {
    m.params
        .get("period")
        .cloned()
        .unwrap_or_else(|| m.date.clone())
}

/// The report date at midnight UTC: the changes' and the file's time.
fn midnight(date: &str) -> Result<jiff::Timestamp> {
    let d: jiff::civil::Date = date.parse().map_err(|e| {
        Error::new(
            ErrorKind::Spec,
            format!("the manifest's report date `{date}` is not a date: {e}"),
        )
    })?;
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| Error::new(ErrorKind::Spec, format!("`{date}`: {e}")))
}

/// What was paired, for people: counts of paragraphs and tables kept,
/// changed, moved, removed and added, and each unpaired paragraph's start.
fn summary(a: &[Unit], b: &[Unit], ops: &[Op], (la, lb): (&str, &str)) -> String {
    let text = |u: &Unit| match u {
        Unit::Para(p) => content::plain(&p.runs),
        Unit::Table(t) => format!("table `{}`", t.key.replace('\u{1f}', " | ")),
    };
    let short = |u: &Unit| {
        let t = text(u);
        match t.char_indices().nth(60) {
            Some((i, _)) => format!("{}…", &t[..i]),
            None => t,
        }
    };
    let (mut same, mut changed, mut moved) = (0, 0, 0);
    let (mut deleted, mut inserted) = (Vec::new(), Vec::new());
    for op in ops {
        match *op {
            Op::Same(i, j) if unchanged(&a[i], &b[j]) => same += 1,
            Op::Same(..) => changed += 1,
            Op::MovedTo(..) => moved += 1,
            Op::MovedFrom(..) => {}
            Op::Deleted(i) => deleted.push(short(&a[i])),
            Op::Inserted(j) => inserted.push(short(&b[j])),
        }
    }
    let mut out = format!(
        "redline {la} → {lb}: {same} paragraphs and tables unchanged, {changed} changed, {moved} moved, {} only in {la} (deleted), {} only in {lb} (inserted)\n",
        deleted.len(),
        inserted.len()
    );
    for d in &deleted {
        out += &format!("  only in {la}: {d}\n");
    }
    for i in &inserted {
        out += &format!("  only in {lb}: {i}\n");
    }
    out
}

fn unchanged(a: &Unit, b: &Unit) -> bool {
    match (a, b) {
        (Unit::Table(x), Unit::Table(y)) => {
            (&x.columns, &x.rows, &x.totals) == (&y.columns, &y.rows, &y.totals)
        }
        (Unit::Para(x), Unit::Para(y)) => content::plain(&x.runs) == content::plain(&y.runs),
        _ => false,
    }
}
