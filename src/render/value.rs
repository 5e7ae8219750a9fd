//! The leaf every template object builds on: computed values as MiniJinja
//! values, and the missing previous-period value and its record. Figures,
//! tables and filters all use it; it uses none of them.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Mutex};

use minijinja::value::{Object, Value};

use crate::publish::Cell;
use crate::value as computed;

/// A computed value as a template value (dates as ISO strings).
pub(crate) fn to_value(v: &computed::Value) -> Value {
    match v {
        computed::Value::Null => Value::from(()),
        computed::Value::Bool(b) => Value::from(*b),
        computed::Value::Int(i) => Value::from(*i),
        computed::Value::Float(f) => Value::from(*f),
        computed::Value::Text(s) => Value::from(s.as_str()),
        computed::Value::Date(d) => Value::from(d.to_string()),
    }
}

/// A published table cell as a template value: a withheld one is its
/// marker.
pub(crate) fn cell_value(c: &Cell) -> Value {
    match c {
        Cell::Value(v) => to_value(v),
        Cell::Suppressed(marker) => Value::from(marker.as_str()),
    }
}

/// The uses of missing previous-period values during one render.
#[derive(Debug, Clone, Default)]
pub(crate) struct MissingUses(Arc<Mutex<BTreeSet<String>>>);

impl MissingUses {
    /// Records that `what` (e.g. `figures.x.previous`) was used.
    pub(crate) fn record(&self, what: String) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(what);
        }
    }

    /// Takes every recorded use, in name order.
    pub(crate) fn take(&self) -> Vec<String> {
        self.0
            .lock()
            .map(|mut set| std::mem::take(&mut *set).into_iter().collect())
            .unwrap_or_default()
    }
}

/// A previous-period value that does not exist: prints as "n/a", is false.
#[derive(Debug)]
pub(crate) struct Missing;

impl Object for Missing {
    fn is_true(self: &Arc<Self>) -> bool {
        false
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("n/a")
    }
}

/// Marks a figure as printed in the body or summary Markdown:
/// `OPEN name SEP text CLOSE`, read back by the Markdown parser into
/// [`crate::doc::Inline::Number`]. Private-use characters: a printed value
/// that holds one is refused (see the formatter), so data cannot forge a
/// mark.
pub(crate) const OPEN: char = '\u{E000}';
/// Between the figure's name and its text (see [`OPEN`]).
pub(crate) const SEP: char = '\u{E001}';
/// Ends a marked figure (see [`OPEN`]).
pub(crate) const CLOSE: char = '\u{E002}';

/// Whether `c` is one of the figure marks.
pub(crate) fn is_mark(c: char) -> bool {
    matches!(c, OPEN | SEP | CLOSE)
}

/// A figure formatted by a filter (`{{ figures.x | number }}`): prints as
/// its text, and remembers the figure it shows so the body and summary can
/// tie the printed number to its source.
#[derive(Debug)]
pub(crate) struct Traced {
    /// The figure's name.
    pub figure: String,
    /// The text as formatted.
    pub text: String,
}

impl Object for Traced {
    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.text.is_empty()
    }
}
