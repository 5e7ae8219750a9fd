//! Report parameters: declared in the spec with a type and a default, and
//! overridable from the command line with `--set NAME=VALUE`.
//!
//! Parameters reach queries as values (a one-row `params` table and the
//! engine's period filter), never spliced into SQL text.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use jiff::civil::Date;
use minijinja::value::{Enumerator, Object, Value};
use serde::Deserialize;
use toml::Spanned;

use crate::error::{suggest, Error, ErrorKind, Result};

/// `[params.NAME]`: a declared parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamDecl {
    /// `financial-year`, `string`, `number`, `integer` or `date`.
    #[serde(rename = "type")]
    pub kind: ParamKind,
    /// The value used unless `--set` overrides it.
    pub default: toml::Value,
    /// What the parameter means.
    #[serde(default)]
    pub description: Option<String>,
}

/// The type of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParamKind {
    /// A UK financial year such as `2019/20` (1 April – 31 March).
    FinancialYear,
    /// Free text.
    String,
    /// A decimal number.
    Number,
    /// A whole number.
    Integer,
    /// An ISO date.
    Date,
}

/// A resolved parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// A financial year.
    FinancialYear(FinancialYear),
    /// Text.
    String(String),
    /// A decimal number.
    Number(f64),
    /// A whole number.
    Integer(i64),
    /// A date.
    Date(Date),
}

/// A UK financial year, e.g. 2019/20 = 2019-04-01 ..= 2020-03-31.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FinancialYear {
    /// The calendar year in which it starts.
    pub start_year: i16,
}

impl FinancialYear {
    /// Parses `2019/20` (also `2019-20` and `2019/2020`).
    pub fn parse(s: &str) -> Option<FinancialYear> {
        let (a, b) = s.trim().split_once(['/', '-'])?;
        let start: i16 = a.parse().ok()?;
        let end: i16 = b.parse().ok()?;
        let next = start.checked_add(1)?;
        let ok = (b.len() == 2 && end == next % 100) || (b.len() == 4 && end == next);
        (a.len() == 4 && ok && (1900..=2200).contains(&start))
            .then_some(FinancialYear { start_year: start })
    }

    /// First day (1 April).
    pub fn start(&self) -> Date {
        jiff::civil::date(self.start_year, 4, 1)
    }

    /// Last day (31 March of the next year).
    pub fn end(&self) -> Date {
        jiff::civil::date(self.start_year + 1, 3, 31)
    }

    /// The first day of month `i` of the year (0 = April; 12 = the next
    /// year's 1 April).
    pub fn month(&self, i: i8) -> Date {
        jiff::civil::date(self.start_year + i16::from(i + 3) / 12, (i + 3) % 12 + 1, 1)
    }

    /// The year before.
    pub fn previous(&self) -> FinancialYear {
        FinancialYear {
            start_year: self.start_year - 1,
        }
    }

    /// The year after.
    pub fn next(&self) -> FinancialYear {
        FinancialYear {
            start_year: self.start_year + 1,
        }
    }

    /// Short label, e.g. `19/20`.
    pub fn short(&self) -> String {
        format!(
            "{:02}/{:02}",
            self.start_year % 100,
            (self.start_year + 1) % 100
        )
    }

    /// File-name-safe label, e.g. `2019-20`.
    pub fn slug(&self) -> String {
        format!("{}-{:02}", self.start_year, (self.start_year + 1) % 100)
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.start_year, (self.start_year + 1) % 100)
    }
}

/// Every parameter's resolved value, in name order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    /// Name → value.
    pub values: BTreeMap<String, ParamValue>,
}

impl Params {
    /// Resolves the declared defaults (`decls`, the spec's `[params]`) and
    /// applies `--set` overrides. `at` makes an error pointing at a span of
    /// the spec (at `spec`, its path); params know nothing else of the spec,
    /// which depends on them, not the other way round.
    pub fn resolve(
        decls: &BTreeMap<String, Spanned<ParamDecl>>,
        overrides: &[(String, String)],
        (spec, at): (&Path, &dyn Fn(ErrorKind, String, Range<usize>) -> Error),
    ) -> Result<Params> {
        let mut values = BTreeMap::new();
        for (name, decl) in decls {
            let d = decl.get_ref();
            let text = match &d.default {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let value = parse_value(d.kind, &text).ok_or_else(|| {
                at(
                    ErrorKind::Spec,
                    format!(
                        "default of param `{name}` is not a valid {}",
                        kind_name(d.kind)
                    ),
                    decl.span(),
                )
                .with_hint(example(d.kind))
            })?;
            values.insert(name.clone(), value);
        }
        for (name, text) in overrides {
            let Some(decl) = decls.get(name) else {
                let names: Vec<&str> = decls.keys().map(String::as_str).collect();
                return Err(Error::new(
                    ErrorKind::Usage,
                    format!("unknown param `{name}` in `--set`"),
                )
                .in_file(spec)
                .with_hint(suggest(name, &names, "declared params")));
            };
            let kind = decl.get_ref().kind;
            let value = parse_value(kind, text).ok_or_else(|| {
                Error::new(
                    ErrorKind::Usage,
                    format!("`--set {name}={text}` is not a valid {}", kind_name(kind)),
                )
                .with_hint(example(kind))
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

fn parse_value(kind: ParamKind, text: &str) -> Option<ParamValue> {
    Some(match kind {
        ParamKind::FinancialYear => ParamValue::FinancialYear(FinancialYear::parse(text)?),
        ParamKind::String => ParamValue::String(text.to_string()),
        ParamKind::Number => {
            ParamValue::Number(text.trim().parse::<f64>().ok().filter(|f| f.is_finite())?)
        }
        ParamKind::Integer => ParamValue::Integer(text.trim().parse().ok()?),
        ParamKind::Date => ParamValue::Date(text.trim().parse().ok()?),
    })
}

fn kind_name(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::FinancialYear => "financial year",
        ParamKind::String => "string",
        ParamKind::Number => "number",
        ParamKind::Integer => "whole number",
        ParamKind::Date => "date",
    }
}

fn example(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::FinancialYear => "write a UK financial year like `2019/20`",
        ParamKind::String => "any text is accepted",
        ParamKind::Number => "write a number like `3.26`",
        ParamKind::Integer => "write a whole number like `5`",
        ParamKind::Date => "write a date like `2020-11-26`",
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
    fn financial_year_bounds_and_labels() {
        let fy = FinancialYear::parse("2019/20").unwrap();
        assert_eq!(fy.start().to_string(), "2019-04-01");
        assert_eq!(fy.end().to_string(), "2020-03-31");
        assert_eq!(fy.to_string(), "2019/20");
        assert_eq!(fy.short(), "19/20");
        assert_eq!(fy.slug(), "2019-20");
        assert_eq!(fy.previous().to_string(), "2018/19");
        assert_eq!(
            FinancialYear::parse("1999/00").unwrap().next().to_string(),
            "2000/01"
        );
    }

    #[test]
    fn financial_year_months_start_in_april_and_cross_the_new_year() {
        let fy = FinancialYear::parse("2019/20").unwrap();
        let d = |y, m| jiff::civil::date(y, m, 1);
        assert_eq!(fy.month(0), fy.start());
        assert_eq!(fy.month(8), d(2019, 12));
        assert_eq!(fy.month(9), d(2020, 1));
        assert_eq!(fy.month(11), d(2020, 3));
        assert_eq!(fy.month(12), fy.end().tomorrow().unwrap());
    }

    #[test]
    fn financial_year_rejects_non_consecutive() {
        assert_eq!(FinancialYear::parse("2019/21"), None);
        assert_eq!(FinancialYear::parse("19/20"), None);
        assert!(FinancialYear::parse("2019/2020").is_some());
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
