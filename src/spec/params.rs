//! `[params]` as validated: each parameter's type and its default, parsed;
//! the types a parameter may have and their values. (The resolved values
//! of one build, `--set` applied, are `params::Params`.)

use std::fmt;

use jiff::civil::Date;
use serde::Deserialize;

/// `[params.NAME]`: a declared parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDecl {
    /// `financial-year`, `string`, `number`, `integer` or `date`.
    pub kind: ParamKind,
    /// The value used unless `--set` overrides it (checked against `kind`).
    pub default: ParamValue,
    /// What the parameter means.
    pub description: Option<String>,
}

/// `[params.NAME]` as written: the default not yet checked against the type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawParamDecl {
    #[serde(rename = "type")]
    kind: ParamKind,
    default: toml::Value,
    #[serde(default)]
    description: Option<String>,
}

impl RawParamDecl {
    /// The declaration with its default parsed, or why the default is not
    /// a value of the declared type (message, hint).
    pub(super) fn resolve(self, name: &str) -> Result<ParamDecl, (String, &'static str)> {
        let text = match &self.default {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let default = self.kind.parse(&text).ok_or_else(|| {
            let message = format!(
                "default of param `{name}` is not a valid {}",
                self.kind.name()
            );
            (message, self.kind.example())
        })?;
        Ok(ParamDecl {
            kind: self.kind,
            default,
            description: self.description,
        })
    }
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

impl ParamKind {
    /// `text` as a value of this type.
    pub fn parse(self, text: &str) -> Option<ParamValue> {
        let kind = self;
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

    /// The type in words (`financial year`).
    pub fn name(self) -> &'static str {
        match self {
            ParamKind::FinancialYear => "financial year",
            ParamKind::String => "string",
            ParamKind::Number => "number",
            ParamKind::Integer => "whole number",
            ParamKind::Date => "date",
        }
    }

    /// How to write a value of this type.
    pub fn example(self) -> &'static str {
        match self {
            ParamKind::FinancialYear => "write a UK financial year like `2019/20`",
            ParamKind::String => "any text is accepted",
            ParamKind::Number => "write a number like `3.26`",
            ParamKind::Integer => "write a whole number like `5`",
            ParamKind::Date => "write a date like `2020-11-26`",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
