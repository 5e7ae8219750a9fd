//! en-GB formatting of numbers, percentages, lists and dates, shared by the
//! template filters, tables, charts and the command line's reports.
//!
//! Formatting is done here, never by the process locale, so the same figure
//! reads the same on every machine: `36,845`, `16.4%`, `120,000`,
//! `British, Polish and Romanian`, `26 November 2020`. Negative numbers use
//! an ASCII hyphen and never read "-0".

use num_format::{Locale, ToFormattedString};

use crate::value::Value;

/// Largest number of decimal places honoured (more is clamped).
pub(crate) const MAX_DECIMALS: u8 = 9;

/// How a table column is displayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// As written (text left-aligned).
    #[default]
    Text,
    /// Whole number with thousands separators.
    Integer,
    /// Number with N decimal places.
    Decimal(u8),
    /// A ratio shown as a percentage with N decimal places.
    Percent(u8),
}

impl Format {
    /// The format for a number that must read as one (a chart's axis and
    /// value labels): `Text` reads as a whole number.
    pub(crate) fn numeric(self) -> Format {
        match self {
            Format::Text => Format::Integer,
            other => other,
        }
    }
}

/// Parses `text`, `integer`, `decimal:N`, `percent:N`.
pub(crate) fn parse_format(s: &str) -> Option<Format> {
    let (kind, digits) = s.split_once(':').unwrap_or((s, ""));
    let n = if digits.is_empty() {
        Some(0)
    } else {
        digits.parse::<u8>().ok().filter(|n| *n <= 6)
    };
    match kind {
        "text" if digits.is_empty() => Some(Format::Text),
        "integer" if digits.is_empty() => Some(Format::Integer),
        "decimal" => n.map(Format::Decimal),
        "percent" => n.map(Format::Percent),
        _ => None,
    }
}

/// The one formatter: how a value reads under its declared format, in a
/// table cell, a figure, a chart (see [`format_figure`]), `diff` and
/// `explain`.
pub(crate) fn format_cell(value: &Value, format: Format) -> String {
    use Value as V;
    let number = match value {
        V::Int(i) => Some(*i as f64),
        V::Float(f) => Some(*f),
        _ => None,
    };
    match (format, number) {
        (Format::Integer, Some(x)) => format_number(x, 0),
        (Format::Decimal(n), Some(x)) => format_number(x, n),
        (Format::Percent(n), Some(x)) => format_percent(x, n),
        _ => match value {
            V::Null => String::new(),
            V::Bool(b) => if *b { "Yes" } else { "No" }.to_string(),
            V::Int(i) => i.to_string(),
            V::Float(f) => f.to_string(),
            V::Text(s) => s.clone(),
            V::Date(d) => format_date(*d),
        },
    }
}

/// A number as a chart shows it: [`format_cell`] with the format made
/// [`numeric`](Format::numeric).
pub(crate) fn format_figure(x: f64, format: Format) -> String {
    format_cell(&Value::Float(x), format.numeric())
}

/// Formats a number with en-GB thousands separators and `decimals` places.
pub(crate) fn format_number(x: f64, decimals: u8) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let decimals = decimals.min(MAX_DECIMALS);
    let fixed = round_half_away(x.abs(), decimals);
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let grouped = int
        .parse::<u64>()
        .map(|n| n.to_formatted_string(&Locale::en_GB))
        .unwrap_or_else(|_| int.to_string());
    let zero = fixed.chars().all(|c| c == '0' || c == '.');
    let sign = if x < 0.0 && !zero { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// `x` (finite, not negative) as a decimal string with `decimals` places,
/// rounded as Excel's ROUND and an analyst checking by hand round: the
/// value is first taken to 15 significant digits (all a spreadsheet keeps,
/// so 2.675, stored in binary as 2.67499999…, is 2.675), then a half
/// rounds away from zero (234.5 → 235, 0.125 → 0.13). Rust's own `{:.N}`
/// rounds the exact binary value half to even (234.5 → 234), which is
/// why this is done by hand: on the 15 decimal digits, in integers.
fn round_half_away(x: f64, decimals: u8) -> String {
    // `d.dddddddddddddde±N`: the 15 significant digits and the exponent.
    let sci = format!("{x:.14e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: u128 = mantissa.replace('.', "").parse().unwrap_or(0);
    let exp: i32 = exp.parse().unwrap_or(0);
    // x × 10^decimals = digits × 10^shift.
    let shift = exp - 14 + i32::from(decimals);
    let scaled = if shift >= 0 {
        match 10u128
            .checked_pow(shift.unsigned_abs())
            .and_then(|p| digits.checked_mul(p))
        {
            Some(n) => n,
            // Beyond 10^38: no report prints such a number; fall back to
            // the exact binary value rather than overflow.
            None => return format!("{:.*}", usize::from(decimals), x),
        }
    } else if shift < -16 {
        0
    } else {
        let p = 10u128.pow(shift.unsigned_abs());
        digits / p + u128::from(digits % p * 2 >= p)
    };
    let unit = 10u128.pow(u32::from(decimals));
    let (int, frac) = (scaled / unit, scaled % unit);
    if decimals == 0 {
        int.to_string()
    } else {
        format!("{int}.{frac:0width$}", width = usize::from(decimals))
    }
}

/// Formats a ratio (0.164) as a percentage ("16.4%").
pub(crate) fn format_percent(ratio: f64, decimals: u8) -> String {
    format!("{}%", format_number(ratio * 100.0, decimals))
}

/// Rounds to `sig` significant figures (36,845 × 3.26 → 120,000 at two).
pub(crate) fn round_significant(x: f64, sig: u8) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let magnitude = x.abs().log10().floor() as i32;
    let scale = 10f64.powi(magnitude + 1 - i32::from(sig.max(1)));
    (x / scale).round() * scale
}

/// Joins items as English prose: "A", "A and B", "A, B and C".
pub(crate) fn join_prose(items: &[String], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

/// Formats a date the en-GB way: "26 November 2020".
pub(crate) fn format_date(d: jiff::civil::Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_en_gb_separators() {
        assert_eq!(format_number(36845.0, 0), "36,845");
        assert_eq!(format_number(1234567.891, 2), "1,234,567.89");
        assert_eq!(format_number(-312.0, 0), "-312");
        assert_eq!(format_number(-0.01, 1), "0.0");
        assert_eq!(format_number(f64::NAN, 0), "–");
        assert_eq!(format_number(1_234_567.0, 0), "1,234,567");
        assert_eq!(format_number(24.94, 1), "24.9");
        assert_eq!(format_number(-1234.5, 1), "-1,234.5");
        assert_eq!(format_number(f64::NAN, 1), "–");
    }

    #[test]
    fn halves_round_away_from_zero_as_excel_does() {
        // Excel: ROUND(234.5,0)=235, ROUND(-234.5,0)=-235, ROUND(0.125,2)=0.13,
        // ROUND(2.675,2)=2.68 (2.675 is 2.67499999… in binary).
        assert_eq!(format_number(234.5, 0), "235");
        assert_eq!(format_number(-234.5, 0), "-235");
        assert_eq!(format_number(233.5, 0), "234");
        assert_eq!(format_number(0.5, 0), "1");
        assert_eq!(format_number(0.125, 2), "0.13");
        assert_eq!(format_number(2.675, 2), "2.68");
        assert_eq!(format_number(1.005, 2), "1.01");
        assert_eq!(format_number(12_344.5, 0), "12,345");
        assert_eq!(format_number(0.049_999, 1), "0.0");
        assert_eq!(format_number(-0.04, 1), "0.0");
        assert_eq!(format_number(999.95, 1), "1,000.0");
        assert_eq!(format_number(1e-20, 2), "0.00");
        assert_eq!(format_number(123_456_789_012.5, 0), "123,456,789,013");
        assert_eq!(format_percent(0.1645, 1), "16.5%");
        assert_eq!(format_percent(0.0005, 1), "0.1%");
    }

    #[test]
    fn chart_figures_read_as_numbers() {
        assert_eq!(format_figure(0.164, Format::Percent(1)), "16.4%");
        assert_eq!(format_figure(0.82, Format::Percent(0)), "82%");
        assert_eq!(format_figure(412.0, Format::Integer), "412");
        assert_eq!(format_figure(1234567.0, Format::Integer), "1,234,567");
        assert_eq!(format_figure(31.25, Format::Decimal(2)), "31.25");
        // A chart's `text` column reads as a whole number; a table cell's
        // as written.
        assert_eq!(format_figure(1234.5, Format::Text), "1,235");
        assert_eq!(format_cell(&Value::Float(1234.5), Format::Text), "1234.5");
    }

    #[test]
    fn percent_from_ratio() {
        assert_eq!(format_percent(6043.0 / 36845.0, 1), "16.4%");
        assert_eq!(format_percent(0.5, 0), "50%");
    }

    #[test]
    fn approx_rounds_to_significant_figures() {
        assert_eq!(
            format_number(round_significant(36845.0 * 3.26, 2), 0),
            "120,000"
        );
        assert_eq!(format_number(round_significant(36845.0, 3), 0), "36,800");
        assert_eq!(round_significant(0.0, 2), 0.0);
    }

    #[test]
    fn prose_lists() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(join_prose(&v(&[]), "and"), "");
        assert_eq!(join_prose(&v(&["A"]), "and"), "A");
        assert_eq!(join_prose(&v(&["A", "B"]), "and"), "A and B");
        assert_eq!(
            join_prose(
                &v(&["British", "Polish", "Lithuanian", "Romanian", "Portuguese"]),
                "and"
            ),
            "British, Polish, Lithuanian, Romanian and Portuguese"
        );
    }

    #[test]
    fn dates_are_written_out() {
        assert_eq!(
            format_date(jiff::civil::date(2020, 11, 26)),
            "26 November 2020"
        );
        assert_eq!(format_date(jiff::civil::date(2021, 3, 1)), "1 March 2021");
    }
}
