//! One Excel cell: its value as calamine gives it, its text, and how it
//! is checked against its column's type and appended to the column.

use std::borrow::Cow;

use calamine::{Data, DataRef};

use crate::source::cell::{self, Parsed, Value};
use crate::source::columns::Column;
use crate::source::csv::ColumnRule;
use crate::source::problems::{Problems, Rule};
use crate::spec::ColumnType;

/// One cell's value, borrowed where calamine lends it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum XCell<'a> {
    Empty,
    Int(i64),
    Float(f64),
    Text(Cow<'a, str>),
    Bool(bool),
    /// A date-time cell: (year, month, day) and (hour, minute, second,
    /// millisecond), all zero at midnight.
    Date((u16, u8, u8), (u8, u8, u8, u16)),
    /// An ISO 8601 date or date-time (OpenDocument).
    Iso(Cow<'a, str>),
    /// An Excel error (`#N/A`) or a duration: never a value.
    Error(String),
}

impl<'a> XCell<'a> {
    pub(super) fn from_ref(v: &'a DataRef<'a>) -> XCell<'a> {
        match v {
            DataRef::Int(i) => XCell::Int(*i),
            DataRef::Float(f) => XCell::Float(*f),
            DataRef::String(s) => XCell::Text(Cow::Borrowed(s)),
            DataRef::SharedString(s) => XCell::Text(Cow::Borrowed(s)),
            DataRef::Bool(b) => XCell::Bool(*b),
            DataRef::DateTime(d) => date_time(d),
            DataRef::DateTimeIso(s) => XCell::Iso(Cow::Borrowed(s)),
            DataRef::DurationIso(s) => XCell::Error(format!("the duration {s}")),
            DataRef::Error(e) => XCell::Error(e.to_string()),
            DataRef::Empty => XCell::Empty,
        }
    }

    pub(super) fn from_data(v: &'a Data) -> XCell<'a> {
        match v {
            Data::Int(i) => XCell::Int(*i),
            Data::Float(f) => XCell::Float(*f),
            Data::String(s) => XCell::Text(Cow::Borrowed(s)),
            Data::Bool(b) => XCell::Bool(*b),
            Data::DateTime(d) => date_time(d),
            Data::DateTimeIso(s) => XCell::Iso(Cow::Borrowed(s)),
            Data::DurationIso(s) => XCell::Error(format!("the duration {s}")),
            Data::Error(e) => XCell::Error(e.to_string()),
            Data::Empty => XCell::Empty,
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        matches!(self, XCell::Empty) || matches!(self, XCell::Text(t) if t.is_empty())
    }

    /// The cell as text: what a `string` column holds and messages show.
    pub(super) fn text(&self) -> Cow<'a, str> {
        match self {
            XCell::Empty => Cow::Borrowed(""),
            XCell::Int(i) => Cow::Owned(i.to_string()),
            XCell::Float(f) => Cow::Owned(number_text(*f)),
            XCell::Text(t) => t.clone(),
            XCell::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            XCell::Date((y, m, d), (0, 0, 0, 0)) => Cow::Owned(format!("{y:04}-{m:02}-{d:02}")),
            XCell::Date((y, m, d), (h, min, s, 0)) => {
                Cow::Owned(format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}"))
            }
            XCell::Date((y, m, d), (h, min, s, ms)) => Cow::Owned(format!(
                "{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}.{ms:03}"
            )),
            XCell::Iso(s) => s.clone(),
            XCell::Error(e) => Cow::Owned(e.clone()),
        }
    }

    /// The value of a cell whose own Excel type fits the column's type;
    /// `None` to fall back to the text rules (text cells) or report it.
    pub(super) fn native(&self, ty: ColumnType) -> Option<Value<'static>> {
        match (self, ty) {
            (XCell::Int(i), ColumnType::Int) => Some(Value::Int(*i)),
            (XCell::Int(i), ColumnType::Float) => Some(Value::Float(*i as f64)),
            (XCell::Float(f), ColumnType::Int) => whole(*f).map(Value::Int),
            (XCell::Float(f), ColumnType::Float) => Some(Value::Float(*f)),
            (XCell::Bool(b), ColumnType::Bool) => Some(Value::Bool(*b)),
            (XCell::Date(_, (0, 0, 0, 0)), ColumnType::Date) => {
                cell::parse_date(&self.text()).map(Value::Date)
            }
            (XCell::Iso(s), ColumnType::Date) => {
                let day = s.strip_suffix("T00:00:00").unwrap_or(s);
                cell::parse_date(day).map(Value::Date)
            }
            // Any date or date-time cell: Excel stores a time of day to the
            // millisecond, which `text` shows in full.
            (XCell::Date(..) | XCell::Iso(_), ColumnType::Datetime) => {
                cell::parse_datetime(&self.text()).map(Value::Datetime)
            }
            _ => None,
        }
    }
}

pub(super) fn date_time(d: &calamine::ExcelDateTime) -> XCell<'static> {
    if d.is_duration() {
        return XCell::Error(format!("a duration of {} days", d.as_f64()));
    }
    let (y, m, day, h, min, s, ms) = d.to_ymd_hms_milli();
    XCell::Date((y, m, day), (h, min, s, ms))
}

/// A float as Excel's General format shows it: whole numbers without `.0`.
pub(super) fn number_text(f: f64) -> String {
    match whole(f) {
        Some(i) => i.to_string(),
        None => f.to_string(),
    }
}

/// `f` as an integer if it is whole and exactly representable.
pub(super) fn whole(f: f64) -> Option<i64> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    (f.fract() == 0.0 && f.abs() <= EXACT).then_some(f as i64)
}

/// Checks one cell by its column's rules and appends it (or reports it).
pub(super) fn put(
    value: &XCell,
    rule: &ColumnRule,
    b: &mut Column,
    problems: &mut Problems,
    i: usize,
    line: u32,
) {
    if let XCell::Error(e) = value {
        problems.add(Rule::Type, Some(i), line, || {
            format!("the cell holds {e}, not {}", cell::type_phrase(rule.ty))
        });
        return;
    }
    let text = value.text();
    let native = value.native(rule.ty);
    let parsed = match (&native, value) {
        _ if rule.missing.iter().any(|m| *m == *text) => cell::parse(&text, rule),
        (Some(v), _) => Parsed::Value(*v),
        (None, XCell::Text(_)) => cell::parse(&text, rule),
        (None, _) if rule.ty == ColumnType::String => Parsed::Value(Value::Str(&text)),
        (None, _) => Parsed::NotA,
    };
    match parsed {
        Parsed::Value(v) => {
            if let Value::Str(s) = v {
                if let Err(why) = crate::text::check_text(s) {
                    problems.add(Rule::NotText, Some(i), line, || {
                        format!("the cell holds {why}")
                    });
                    return;
                }
            }
            b.push(Some(v));
        }
        Parsed::Null => b.push(None),
        Parsed::MissingButRequired => problems.add(Rule::Missing, Some(i), line, || {
            cell::missing_message(&text)
        }),
        Parsed::NotA => problems.add(Rule::Type, Some(i), line, || not_a(value, &text, rule.ty)),
    }
}

/// Why a cell is not of its column's type, in Excel's terms.
pub(super) fn not_a(value: &XCell, text: &str, ty: ColumnType) -> String {
    match (value, ty) {
        (XCell::Float(_), ColumnType::Int) => format!("the number {text} is not a whole number"),
        (XCell::Date(..), ColumnType::Date) => {
            format!("the date-time {text} has a time of day; a `date` column holds whole days (declare the column `datetime` to keep the time)")
        }
        (XCell::Date(..), _) => format!("the date {text} is not {}", cell::type_phrase(ty)),
        (XCell::Int(_) | XCell::Float(_), _) => {
            format!("the number {text} is not {}", cell::type_phrase(ty))
        }
        (XCell::Bool(_), _) => format!(
            "the {} cell is not {}",
            text.to_uppercase(),
            cell::type_phrase(ty)
        ),
        _ => cell::type_message(text, ty),
    }
}

/// Owns a cell's borrowed text (only declared cells are kept).
pub(super) fn owned(v: XCell) -> XCell<'static> {
    match v {
        XCell::Text(t) => XCell::Text(Cow::Owned(t.into_owned())),
        XCell::Iso(s) => XCell::Iso(Cow::Owned(s.into_owned())),
        XCell::Empty => XCell::Empty,
        XCell::Int(i) => XCell::Int(i),
        XCell::Float(f) => XCell::Float(f),
        XCell::Bool(b) => XCell::Bool(b),
        XCell::Date(d, m) => XCell::Date(d, m),
        XCell::Error(e) => XCell::Error(e),
    }
}
