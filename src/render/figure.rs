//! Figures as templates see them: a value that prints as itself and also
//! knows the previous period's value, so `{{ figures.x.previous }}` and
//! `{{ figures.x | change }}` need no second query.
//!
//! When the previous period has no data, `.previous` is a [`Missing`] value:
//! it prints as "n/a", is false in `{% if %}`, and the use is recorded so the
//! build can warn (or fail under `--strict`).

use std::cmp::Ordering;

use std::fmt;
use std::sync::Arc;

use minijinja::value::{DynObject, Enumerator, Object, Value};

use super::value::{to_value, Missing, MissingUses};
use crate::format::Format;
use crate::params::FinancialYear;
use crate::value as computed;

/// The attributes a figure has in templates (`figures.x.previous`, …).
pub(crate) const FIGURE_ATTRIBUTES: &[&str] = &[
    "value",
    "previous",
    "has_previous",
    "previous_period",
    "difference",
    "ratio",
];

/// The previous period as figures see it.
#[derive(Debug, Clone)]
pub(crate) enum PreviousValue {
    /// No period parameter: nothing to compare with.
    NotApplicable,
    /// No data for the previous period.
    Missing(FinancialYear),
    /// The previous period's value.
    Value(FinancialYear, computed::Value),
}

/// A computed figure: prints as its value; `.value`, `.previous`,
/// `.previous_period`, `.has_previous`, `.difference`, `.ratio` (new ÷ old).
#[derive(Debug)]
pub(crate) struct FigureObject {
    /// The figure's name.
    pub name: String,
    /// This period's value.
    pub value: computed::Value,
    /// The previous period's value.
    pub previous: PreviousValue,
    /// Where uses of a missing previous value are recorded.
    pub uses: MissingUses,
    /// The declared format (`percent:1`): how `{{ figures.x }}` prints.
    pub format: Option<Format>,
}

impl FigureObject {
    /// Whether the value would print as nothing (NULL or empty text): an
    /// error where a figure is expected, never a blank in the paper.
    pub(crate) fn is_empty(&self) -> bool {
        match &self.value {
            computed::Value::Null => true,
            computed::Value::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// This period's value as a number, if it is one.
    pub(crate) fn number(&self) -> Option<f64> {
        as_number(&self.value)
    }

    /// The previous value as a number; `Err` names the missing period.
    pub(crate) fn previous_number(&self) -> Result<Option<(FinancialYear, f64)>, FinancialYear> {
        match &self.previous {
            PreviousValue::NotApplicable => Ok(None),
            PreviousValue::Missing(fy) => Err(*fy),
            PreviousValue::Value(fy, v) => Ok(as_number(v).map(|x| (*fy, x))),
        }
    }

    /// Records (for the warning) that the missing previous value was used.
    pub(crate) fn note_missing(&self, what: &str) {
        self.uses.record(format!("figures.{}{what}", self.name));
    }

    fn missing(&self, what: &str) -> Value {
        self.note_missing(what);
        Value::from_object(Missing)
    }
}

impl Object for FigureObject {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        let prev = |f: &dyn Fn(&computed::Value) -> Value| match &self.previous {
            PreviousValue::NotApplicable => None,
            PreviousValue::Missing(_) => Some(self.missing(&format!(".{key}"))),
            PreviousValue::Value(_, v) => Some(f(v)),
        };
        match key {
            "value" => Some(to_value(&self.value)),
            "previous" => prev(&to_value),
            "has_previous" => Some(Value::from(matches!(
                self.previous,
                PreviousValue::Value(..)
            ))),
            "previous_period" => match &self.previous {
                PreviousValue::NotApplicable => None,
                PreviousValue::Missing(fy) | PreviousValue::Value(fy, _) => {
                    Some(Value::from(fy.to_string()))
                }
            },
            "difference" => prev(&|v| match (self.number(), as_number(v)) {
                (Some(a), Some(b)) => Value::from(a - b),
                _ => Value::from(()),
            }),
            "ratio" => prev(&|v| match (self.number(), as_number(v)) {
                (Some(a), Some(b)) if b != 0.0 => Value::from(a / b),
                _ => Value::from(()),
            }),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(FIGURE_ATTRIBUTES)
    }

    fn is_true(self: &Arc<Self>) -> bool {
        to_value(&self.value).is_true()
    }

    fn custom_cmp(self: &Arc<Self>, other: &DynObject) -> Option<Ordering> {
        let other = other.downcast_ref::<FigureObject>()?;
        to_value(&self.value).partial_cmp(&to_value(&other.value))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.format, as_number(&self.value)) {
            (Some(format), Some(_)) if format != Format::Text => {
                f.write_str(&crate::format::format_cell(&self.value, format))
            }
            _ => write!(f, "{}", to_value(&self.value)),
        }
    }
}

/// The number in a value, if any.
pub(crate) fn as_number(v: &computed::Value) -> Option<f64> {
    match v {
        computed::Value::Int(i) => Some(*i as f64),
        computed::Value::Float(f) if f.is_finite() => Some(*f),
        _ => None,
    }
}

/// The value a filter should format: a figure's current value, else itself.
pub(crate) fn unwrap(value: &Value) -> Value {
    match value.downcast_object_ref::<FigureObject>() {
        Some(fig) => to_value(&fig.value),
        None => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(value: i64, previous: PreviousValue) -> (Value, MissingUses) {
        let uses = MissingUses::default();
        let fig = FigureObject {
            name: "victims".into(),
            value: computed::Value::Int(value),
            previous,
            uses: uses.clone(),
            format: None,
        };
        (Value::from_object(fig), uses)
    }

    fn fy(s: &str) -> FinancialYear {
        FinancialYear::parse(s).unwrap()
    }

    #[test]
    fn prints_as_value_and_knows_previous() {
        let (v, uses) = figure(
            36845,
            PreviousValue::Value(fy("2018/19"), computed::Value::Int(35912)),
        );
        assert_eq!(v.to_string(), "36845");
        assert_eq!(v.get_attr("previous").unwrap().to_string(), "35912");
        assert_eq!(v.get_attr("difference").unwrap().to_string(), "933.0");
        assert_eq!(
            v.get_attr("previous_period").unwrap().to_string(),
            "2018/19"
        );
        assert!(uses.take().is_empty());
    }

    #[test]
    fn missing_previous_is_na_false_and_recorded() {
        let (v, uses) = figure(36845, PreviousValue::Missing(fy("2017/18")));
        let p = v.get_attr("previous").unwrap();
        assert_eq!(p.to_string(), "n/a");
        assert!(!p.is_true());
        assert!(!v.get_attr("has_previous").unwrap().is_true());
        assert_eq!(uses.take(), vec!["figures.victims.previous".to_string()]);
    }

    #[test]
    fn prints_in_its_declared_format() {
        let fig = FigureObject {
            name: "share".into(),
            value: computed::Value::Float(0.16474),
            previous: PreviousValue::NotApplicable,
            uses: MissingUses::default(),
            format: crate::format::parse_format("percent:1"),
        };
        assert!(!fig.is_empty());
        assert_eq!(Value::from_object(fig).to_string(), "16.5%");
    }

    #[test]
    fn figures_compare_with_each_other() {
        let (a, _) = figure(1, PreviousValue::NotApplicable);
        let (b, _) = figure(2, PreviousValue::NotApplicable);
        assert!(a < b);
        assert!(a.get_attr("previous").unwrap().is_undefined());
    }
}
