//! Screening a source's checks: one parallel pass over its rows that says,
//! for each check, whether any row may fail it, so that only a check that
//! may fail is run again to count and locate its rows (see `run`).

use polars::prelude::*;
use toml::Spanned;

use super::run::foreign_frame;
use super::{lookup, rules, Rule, Subject};
use crate::spec::{CheckDecl, ChecksPart};

/// One pass over a source's rows for all its checks: for each check, a
/// number that is 0 only if no row fails it (`None` where the check cannot
/// be screened, e.g. a spec problem [`run_one`](super::run::run_one) will
/// report). A source's checks pass on almost every build, so the passing
/// case costs one parallel scan of the columns checked, not a scan per
/// check; only a check that may fail is run again to count and locate its
/// rows.
/// `unique` is screened by hashing each row's combination (see
/// [`rules::repeats_possible`]).
pub(super) fn screen(
    spec: ChecksPart<'_>,
    checks: &[Spanned<CheckDecl>],
    subject: &Subject,
    frame: &DataFrame,
    target: &dyn Fn(&str) -> Option<DataFrame>,
) -> Vec<Option<u64>> {
    let owner = subject.owner();
    let found: Vec<&str> = frame
        .get_column_names()
        .into_iter()
        .map(|n| n.as_str())
        .collect();
    let (slots, exprs) = plan_screen(spec, checks, &owner, frame, &found, target);
    // The row hashing of `unique` and the matching of `pattern` and `values`
    // run on threads of their own while Polars evaluates the other rules on
    // its pool.
    let (counts, unique, patterns) = std::thread::scope(|scope| {
        let hashing = scope.spawn(|| {
            slots
                .iter()
                .map(|slot| match slot {
                    Some(Slot::Unique(cols)) => rules::repeats_possible(frame, cols).map(u64::from),
                    _ => None,
                })
                .collect::<Vec<_>>()
        });
        let matching = scope.spawn(|| {
            slots
                .iter()
                .map(|slot| match slot {
                    Some(Slot::Pattern(c, p)) => rules::mismatches(frame, c, p),
                    Some(Slot::Values(c, texts)) => lookup::outside(frame, c, texts),
                    _ => None,
                })
                .collect::<Vec<_>>()
        });
        let counts = match exprs.is_empty() {
            true => None,
            false => frame.clone().lazy().select(exprs).collect().ok(),
        };
        let join = |h: std::thread::ScopedJoinHandle<'_, Vec<Option<u64>>>| {
            h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
        };
        (counts, join(hashing), join(matching))
    });
    slots
        .iter()
        .zip(unique.into_iter().zip(patterns))
        .map(|(slot, (unique, pattern))| match slot.as_ref()? {
            Slot::Unique(_) => unique,
            Slot::NotNull(nulls) => Some(*nulls),
            Slot::Pattern(..) | Slot::Values(..) => pattern,
            Slot::Expr(i) => counts
                .as_ref()?
                .columns()
                .get(*i)?
                .get(0)
                .ok()?
                .extract::<u64>(),
        })
        .collect()
}

/// How a check is screened: by the Polars pass (its column there), by
/// hashing rows (`unique`, its columns), by the columns' null counts
/// (`not_null`, kept by Arrow: no scan), by matching each text on a
/// thread of its own (`pattern`), by looking each text's view up among
/// the allowed values' (`values` on text, on the same thread:
/// [`lookup`]), or not at all.
enum Slot {
    Expr(usize),
    Unique(Vec<String>),
    NotNull(u64),
    Pattern(String, String),
    Values(String, Vec<String>),
}
/// How each check is screened (`None`: it is not), and the Polars
/// expressions of those screened by the one Polars pass.
fn plan_screen(
    spec: ChecksPart<'_>,
    checks: &[Spanned<CheckDecl>],
    owner: &str,
    frame: &DataFrame,
    found: &[&str],
    target: &dyn Fn(&str) -> Option<DataFrame>,
) -> (Vec<Option<Slot>>, Vec<Expr>) {
    let mut exprs = Vec::new();
    let mut slots = Vec::with_capacity(checks.len());
    for check in checks {
        let slot = rules::parse(spec, check, owner)
            .ok()
            .filter(|rule| rules::unknown_columns(spec, check, rule, found, owner).is_empty())
            .and_then(|rule| {
                let fk = match &rule {
                    Rule::ForeignKey(_, t, k) => {
                        Some(foreign_frame(spec, check, t, k, target, owner).ok()?)
                    }
                    _ => None,
                };
                match rule {
                    Rule::Unique(cols) => return Some(Slot::Unique(cols)),
                    Rule::NotNull(cols) => return Some(Slot::NotNull(rules::nulls(frame, &cols)?)),
                    Rule::Pattern(c, p) => return Some(Slot::Pattern(c, p)),
                    Rule::Values(ref c, ref v) if is_text(frame, c) => {
                        if let Some(texts) = rules::allowed_texts(v) {
                            return Some(Slot::Values(c.clone(), texts));
                        }
                    }
                    _ => {}
                }
                let e = rules::screening(&rule, fk.as_ref()).ok()?;
                exprs.push(
                    e.cast(DataType::UInt64)
                        .alias(format!("__check{}", exprs.len())),
                );
                Some(Slot::Expr(exprs.len() - 1))
            });
        slots.push(slot);
    }
    (slots, exprs)
}

fn is_text(frame: &DataFrame, column: &str) -> bool {
    frame
        .column(column)
        .is_ok_and(|c| c.dtype() == &DataType::String)
}
