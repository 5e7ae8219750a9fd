//! Report parameters' values: the defaults the spec declares (see
//! `spec::params`), overridable from the command line with `--set NAME=VALUE`.
//!
//! Parameters reach queries as values (a one-row `params` table and the
//! engine's period filter), never spliced into SQL text.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, Value};

use crate::error::{suggest, Error, ErrorKind, Result};
use crate::spec::ParamsPart;
pub(crate) use crate::spec::{FinancialYear, ParamValue};

/// Every parameter's resolved value, in name order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    /// Name → value.
    pub values: BTreeMap<String, ParamValue>,
}

impl Params {
    /// The declared defaults (the spec's `[params]`, already checked
    /// against their types) with the `--set` overrides applied.
    pub fn resolve(spec: ParamsPart<'_>, overrides: &[(String, String)]) -> Result<Params> {
        let decls = spec.params;
        let mut values: BTreeMap<String, ParamValue> = decls
            .iter()
            .map(|(name, d)| (name.clone(), d.get_ref().default.clone()))
            .collect();
        for (name, text) in overrides {
            let Some(decl) = decls.get(name) else {
                let names: Vec<&str> = decls.keys().map(String::as_str).collect();
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!("unknown param `{name}` in `--set`"),
                )
                .in_file(spec.file.path())
                .with_hint(suggest(name, &names, "declared params")));
            };
            let kind = decl.get_ref().kind;
            let value = kind.parse(text).ok_or_else(|| {
                Error::new(
                    ErrorKind::Usage,
                    format!("`--set {name}={text}` is not a valid {}", kind.name()),
                )
                .with_hint(kind.example())
            })?;
            values.insert(name.clone(), value);
        }
        Ok(Params { values })
    }

    /// The same parameters with `period` set to `fy` (for the previous
    /// period's comparison figures).
    pub fn with_period(&self, fy: FinancialYear) -> Params {
        let mut values = self.values.clone();
        values.insert("period".to_string(), ParamValue::FinancialYear(fy));
        Params { values }
    }

    /// The values as templates see them: `period` prints as `2019/20` and
    /// has `.slug`, `.start`, …; dates are ISO strings.
    pub fn template_values(&self) -> BTreeMap<String, Value> {
        self.values
            .iter()
            .map(|(name, v)| {
                let value = match v {
                    ParamValue::FinancialYear(fy) => Value::from_object(PeriodObject(*fy)),
                    ParamValue::String(s) => Value::from(s.as_str()),
                    ParamValue::Number(f) => Value::from(*f),
                    ParamValue::Integer(i) => Value::from(*i),
                    ParamValue::Date(d) => Value::from(d.to_string()),
                };
                (name.clone(), value)
            })
            .collect()
    }

    /// The `period` parameter, if the report declares one.
    pub fn period(&self) -> Option<FinancialYear> {
        match self.values.get("period") {
            Some(ParamValue::FinancialYear(fy)) => Some(*fy),
            _ => None,
        }
    }
}

/// Parses `NAME=VALUE` from `--set`.
pub fn parse_assignment(s: &str) -> std::result::Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected `NAME=VALUE`, found `{s}`")),
    }
}

/// The report period as templates see it: prints as `2019/20`; has `.start`,
/// `.end` (ISO dates), `.short` (`19/20`), `.slug`, `.previous`, `.next`.
#[derive(Debug)]
pub(crate) struct PeriodObject(pub FinancialYear);

impl Object for PeriodObject {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let fy = self.0;
        Some(match key.as_str()? {
            "label" => Value::from(fy.to_string()),
            "start" => Value::from(fy.start().to_string()),
            "end" => Value::from(fy.end().to_string()),
            "short" => Value::from(fy.short()),
            "slug" => Value::from(fy.slug()),
            "previous" => Value::from(fy.previous().to_string()),
            "next" => Value::from(fy.next().to_string()),
            "quarters" => Value::from(quarters(fy)),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&[
            "label", "start", "end", "short", "slug", "previous", "next", "quarters",
        ])
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The year's four quarters as templates see them (Q1 = April to June),
/// numbered as SQL's `fy_quarter(date)` numbers them.
fn quarters(fy: FinancialYear) -> Vec<Value> {
    const MONTHS: [&str; 4] = [
        "April to June",
        "July to September",
        "October to December",
        "January to March",
    ];
    (0..4i8)
        .map(|q| {
            let end = fy.month(3 * q + 3).yesterday().unwrap_or(fy.end());
            Value::from_iter([
                ("number", Value::from(q + 1)),
                ("label", Value::from(format!("Q{}", q + 1))),
                ("months", Value::from(MONTHS[q as usize])),
                ("start", Value::from(fy.month(3 * q).to_string())),
                ("end", Value::from(end.to_string())),
            ])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_start_in_april_and_end_with_the_year() {
        let fy = FinancialYear::parse("2019/20").unwrap();
        let q = quarters(fy);
        let field = |i: usize, k: &str| q[i].get_attr(k).unwrap().to_string();
        assert_eq!(field(0, "label"), "Q1");
        assert_eq!(field(0, "start"), "2019-04-01");
        assert_eq!(field(0, "end"), "2019-06-30");
        assert_eq!(field(2, "end"), "2019-12-31");
        assert_eq!(field(3, "start"), "2020-01-01");
        assert_eq!(field(3, "end"), "2020-03-31");
        assert_eq!(field(3, "months"), "January to March");
    }

    #[test]
    fn assignment_needs_a_name() {
        assert_eq!(
            parse_assignment("a=b=c").unwrap(),
            ("a".into(), "b=c".into())
        );
        assert!(parse_assignment("=x").is_err());
    }
}
