//! What publishing hands on: a period's figures and tables whose cells are
//! values or withheld counts. Withheld is a publish idea: compute's
//! [`Value`] has no such case, and every stage after this one reads these
//! types, so a raw count cannot reach a document by mistake.

use crate::compute::{Computed, Previous, Table};
use crate::format::{format_cell, Format};
use crate::value::Value;

/// One published table cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A value as computed (or rounded, or totalled from true values).
    Value(Value),
    /// A count withheld by disclosure control (or a value derived from
    /// one): shows as the marker, never as a number.
    Suppressed(String),
}

/// A published table.
pub(crate) type PublishedTable = Table<Cell>;

/// One period's published figures and tables.
pub(crate) type Period = Computed<Cell>;

/// The previous period as published, or why there is none.
pub(crate) type PublishedPrevious = Previous<Period>;

impl From<Value> for Cell {
    fn from(v: Value) -> Cell {
        Cell::Value(v)
    }
}

impl Cell {
    /// The value shown, unless withheld.
    pub(crate) fn value(&self) -> Option<&Value> {
        match self {
            Cell::Value(v) => Some(v),
            Cell::Suppressed(_) => None,
        }
    }

    /// The number shown, if the cell shows one.
    pub(crate) fn number(&self) -> Option<f64> {
        match self.value()? {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The cell as printed: its value by the one formatter
    /// ([`format_cell`]), or the marker.
    pub(crate) fn format(&self, format: Format) -> String {
        match self {
            Cell::Value(v) => format_cell(v, format),
            Cell::Suppressed(marker) => marker.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_withheld_cell_prints_its_marker_and_has_no_number() {
        let c = Cell::Suppressed("[c]".into());
        assert_eq!(c.format(Format::Integer), "[c]");
        assert_eq!(c.number(), None);
        assert_eq!(c.value(), None);
        let v = Cell::from(Value::Int(36_845));
        assert_eq!(v.format(Format::Integer), "36,845");
        assert_eq!(v.number(), Some(36_845.0));
    }
}
