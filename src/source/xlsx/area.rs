//! Cell ranges: `range = "A1:J50000"` and the sheet's declared size.

use super::Request;
use crate::error::{ErrorKind, Result};

/// A rectangle of cells, 0-based (row, column), both corners included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Area {
    pub(super) first: (u32, u32),
    pub(super) last: (u32, u32),
}

impl Area {
    /// The declared `range`, if any; a malformed one is an error at it.
    pub(super) fn of(r: &Request) -> Result<Option<Area>> {
        let Some(range) = &r.decl.range else {
            return Ok(None);
        };
        parse_range(range.get_ref()).map(Some).ok_or_else(|| {
            r.spec
                .error_at(
                    ErrorKind::Spec,
                    format!("`{}` is not a cell range", range.get_ref()),
                    range.span(),
                )
                .with_hint("write the top-left and bottom-right cells, like `range = \"A1:J50000\"`; its first row holds the column names")
        })
    }

    /// This area cut to `range`, if one is given.
    pub(super) fn within(self, range: Option<Area>) -> Area {
        let Some(b) = range else { return self };
        let first = (self.first.0.max(b.first.0), self.first.1.max(b.first.1));
        let last = (self.last.0.min(b.last.0), self.last.1.min(b.last.1));
        Area { first, last }
    }

    pub(super) fn cells(&self) -> u64 {
        let rows = u64::from(self.last.0.saturating_sub(self.first.0)) + 1;
        let cols = u64::from(self.last.1.saturating_sub(self.first.1)) + 1;
        if self.last.0 < self.first.0 || self.last.1 < self.first.1 {
            0
        } else {
            rows * cols
        }
    }

    pub(super) fn contains(&self, row: u32, col: u32) -> bool {
        (self.first.0..=self.last.0).contains(&row) && (self.first.1..=self.last.1).contains(&col)
    }
}

/// `A1:J50000` (with or without `$`) as an area.
pub(super) fn parse_range(text: &str) -> Option<Area> {
    let (a, b) = text.split_once(':')?;
    let (first, last) = (parse_cell(a)?, parse_cell(b)?);
    (first.0 <= last.0 && first.1 <= last.1).then_some(Area { first, last })
}

/// `C1234` as 0-based (row, column).
pub(super) fn parse_cell(text: &str) -> Option<(u32, u32)> {
    let text: String = text.chars().filter(|&c| c != '$').collect();
    let split = text.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut col: u32 = 0;
    for b in letters.bytes() {
        if !b.is_ascii_alphabetic() {
            return None;
        }
        col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1;
    }
    let row: u32 = digits.parse().ok()?;
    ((1..=1_048_576).contains(&row) && col <= 16_384).then_some((row - 1, col - 1))
}
