//! What a cell means: the parse rule of each column type and what counts as
//! missing (the column buffers the readers fill are in [`super::columns`]).
//!
//! These rules are the only ones: the reader checks a cell and loads it with
//! the same call, so what is reported and what is loaded cannot disagree.
//! - `string`: any text;
//! - `int`: an optional sign and ASCII digits, within ±9,223,372,036,854,775,807;
//! - `float`: a decimal number (`1.5`, `-2`, `1e6`), finite (no `NaN`, `inf`);
//! - `bool`: exactly `true` or `false`;
//! - `date`: `YYYY-MM-DD`, a real calendar date;
//! - `datetime`: `YYYY-MM-DD HH:MM`, `:SS` and up to six decimals of a
//!   second optional (`T` may stand for the space; more decimals only if
//!   they are zeros), a local wall-clock time: a time zone (`Z`, `+01:00`)
//!   is refused rather than guessed at. A bare date is its midnight.
//!
//! No cell is trimmed: `" 5"` is not a whole number.

use super::csv::ColumnRule;
use crate::spec::ColumnType;

/// The hint for text that is not UTF-8.
pub(super) const UTF8_HINT: &str =
    "re-save the file as UTF-8 (in Excel: Save As, then \"CSV UTF-8 (Comma delimited)\")";

/// One parsed cell value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Value<'a> {
    /// Text.
    Str(&'a str),
    /// A whole number.
    Int(i64),
    /// A finite number.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// Days since 1970-01-01 (Polars' date representation).
    Date(i32),
    /// Microseconds since 1970-01-01 00:00 (Polars' date-time
    /// representation, no time zone).
    Datetime(i64),
}

/// What a cell's text means in its column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Parsed<'a> {
    /// A value of the column's type.
    Value(Value<'a>),
    /// A missing value in a nullable column.
    Null,
    /// A missing value in a required column (an error).
    MissingButRequired,
    /// Text that is not a value of the column's type (an error).
    NotA,
}

/// Parses `text` by `rule`: missing first (exact match against the
/// column's `missing` texts), then the type's rule.
pub(super) fn parse<'a>(text: &'a str, rule: &ColumnRule) -> Parsed<'a> {
    if rule.missing.iter().any(|m| m == text) {
        return if rule.nullable {
            Parsed::Null
        } else {
            Parsed::MissingButRequired
        };
    }
    let value = match rule.ty {
        ColumnType::String => Some(Value::Str(text)),
        ColumnType::Int => parse_int(text).map(Value::Int),
        ColumnType::Float => parse_float(text).map(Value::Float),
        ColumnType::Bool => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        ColumnType::Date => parse_date(text).map(Value::Date),
        ColumnType::Datetime => parse_datetime(text).map(Value::Datetime),
    };
    value.map_or(Parsed::NotA, Parsed::Value)
}

pub(super) fn parse_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text).as_bytes();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Up to 18 digits cannot overflow: summed here, the common case.
    if digits.len() > 18 {
        return text.parse().ok();
    }
    let v = digits
        .iter()
        .fold(0i64, |v, &d| v * 10 + i64::from(d - b'0'));
    Some(if text.starts_with('-') { -v } else { v })
}

pub(super) fn parse_float(text: &str) -> Option<f64> {
    // Rust also accepts `inf` and `NaN`; a figure computed from them would
    // print as nonsense, so only finite decimal numbers pass.
    let ok = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !ok {
        return None;
    }
    let x: f64 = text.parse().ok()?;
    x.is_finite().then_some(x)
}

/// `YYYY-MM-DD` as days since 1970-01-01, if it is a real date.
pub(super) fn parse_date(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i32> {
        b[r].iter().try_fold(0, |v, &c| {
            c.is_ascii_digit().then(|| v * 10 + i32::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=days_in_month(y, m)).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Microseconds in a day.
pub(super) const MICROS_PER_DAY: i64 = 86_400_000_000;

/// An ISO 8601 local date-time (see the module comment) as microseconds
/// since 1970-01-01 00:00, if it is a real date and time of day.
pub(super) fn parse_datetime(text: &str) -> Option<i64> {
    let day = i64::from(parse_date(text.get(..10)?)?);
    let rest = &text[10..];
    if rest.is_empty() {
        return Some(day * MICROS_PER_DAY);
    }
    let time = rest.strip_prefix([' ', 'T'])?;
    let b = time.as_bytes();
    let two = |i: usize| -> Option<i64> {
        let s = time.get(i..i + 2)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (h, m) = (two(0)?, two(3)?);
    if b.get(2) != Some(&b':') || h > 23 || m > 59 {
        return None;
    }
    let (mut sec, mut micros) = (0, 0);
    match b.len() {
        5 => {}
        8.. if b[5] == b':' => {
            sec = two(6)?;
            if sec > 59 {
                return None;
            }
            if b.len() > 8 {
                micros = fraction(&time[8..])?;
            }
        }
        _ => return None,
    }
    Some(day * MICROS_PER_DAY + ((h * 60 + m) * 60 + sec) * 1_000_000 + micros)
}

/// `.f` to `.fffffffff` as microseconds; digits past the sixth must be
/// zeros (a database's `.1234560` is exact; `.1234567` would be cut).
fn fraction(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('.')?;
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (kept, rest) = digits.split_at(digits.len().min(6));
    if rest.bytes().any(|c| c != b'0') {
        return None;
    }
    let scale = 10i64.pow(6 - kept.len() as u32);
    Some(kept.parse::<i64>().ok()? * scale)
}

fn days_in_month(y: i32, m: i32) -> i32 {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a valid proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The message for a missing value in a required column.
pub(super) fn missing_message(text: &str) -> String {
    if text.is_empty() {
        "empty cell in a required column".to_string()
    } else {
        format!(
            "{} marks a missing value in a required column",
            quoted(text)
        )
    }
}

/// The message for a cell that is not of its column's type.
pub(super) fn type_message(text: &str, ty: ColumnType) -> String {
    format!("{} is not {}", quoted(text), type_phrase(ty))
}

/// How a type is named in messages ("not a whole number").
pub(super) fn type_phrase(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::String => "text",
        ColumnType::Int => "a whole number",
        ColumnType::Float => "a number",
        ColumnType::Bool => "`true` or `false`",
        ColumnType::Date => "a date like 2019-04-01",
        ColumnType::Datetime => "a local date-time like 2019-04-01 13:45:00 (no time zone)",
    }
}

/// A cell's text as shown in a message: in double quotes, control
/// characters escaped, cut at 40 characters.
pub(super) fn quoted(text: &str) -> String {
    if text.chars().count() <= 40 {
        return format!("{text:?}");
    }
    let cut: String = text.chars().take(40).collect();
    let escaped = format!("{cut:?}");
    format!("{}…\"", &escaped[..escaped.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(ty: ColumnType, nullable: bool) -> ColumnRule {
        ColumnRule {
            name: "c".into(),
            ty,
            nullable,
            missing: vec![String::new(), "NA".into()],
        }
    }

    #[test]
    fn each_type_has_one_rule() {
        let int = rule(ColumnType::Int, false);
        assert_eq!(parse("-12", &int), Parsed::Value(Value::Int(-12)));
        assert_eq!(parse("+7", &int), Parsed::Value(Value::Int(7)));
        for bad in [
            " 5",
            "5 ",
            "1.0",
            "1,000",
            "9223372036854775808",
            "-",
            "abc",
        ] {
            assert_eq!(parse(bad, &int), Parsed::NotA, "{bad}");
        }
        let float = rule(ColumnType::Float, false);
        assert_eq!(parse("1e3", &float), Parsed::Value(Value::Float(1000.0)));
        for bad in ["NaN", "inf", "1,5", "", "1e999"] {
            assert!(
                matches!(
                    parse(bad, &float),
                    Parsed::NotA | Parsed::MissingButRequired
                ),
                "{bad}"
            );
        }
        let boolean = rule(ColumnType::Bool, false);
        assert_eq!(parse("true", &boolean), Parsed::Value(Value::Bool(true)));
        assert_eq!(parse("True", &boolean), Parsed::NotA);
    }

    #[test]
    fn dates_are_real_calendar_days() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2019-04-01"), Some(17_987));
        assert_eq!(parse_date("1969-12-31"), Some(-1));
        assert_eq!(parse_date("2000-02-29"), Some(11_016));
        for bad in [
            "1900-02-29",
            "2019-13-01",
            "2019-04-31",
            "2019-4-01",
            "2019/04/01",
            "+019-04-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn date_times_are_local_wall_clock_times() {
        let at = |d: &str, h: i64, m: i64, s: i64, us: i64| {
            i64::from(parse_date(d).unwrap()) * MICROS_PER_DAY
                + ((h * 60 + m) * 60 + s) * 1_000_000
                + us
        };
        assert_eq!(
            parse_datetime("2019-04-01"),
            Some(at("2019-04-01", 0, 0, 0, 0))
        );
        assert_eq!(
            parse_datetime("2019-04-01 13:45"),
            Some(at("2019-04-01", 13, 45, 0, 0))
        );
        assert_eq!(
            parse_datetime("2019-04-01T13:45:07"),
            Some(at("2019-04-01", 13, 45, 7, 0))
        );
        assert_eq!(
            parse_datetime("2019-04-01 23:59:59.5"),
            Some(at("2019-04-01", 23, 59, 59, 500_000))
        );
        assert_eq!(parse_datetime("1969-12-31 23:00:00"), Some(-3_600_000_000));
        assert_eq!(
            parse_datetime("2019-04-01 00:00:00.1234560"),
            Some(at("2019-04-01", 0, 0, 0, 123_456))
        );
        for bad in [
            "2019-04-01 24:00",
            "2019-04-01 12:60",
            "2019-04-01 12:00:60",
            "2019-04-01 12:00Z",
            "2019-04-01T12:00:00+01:00",
            "2019-04-01T12:00:00Z",
            "2019-04-01 1:00",
            "2019-04-01  12:00",
            "2019-04-01 12",
            "2019-04-01 12:00:00.",
            "2019-04-01 12:00:00.1234567",
            "2019-02-30 12:00",
            "2019-04-01x",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn missing_is_null_only_where_allowed() {
        assert_eq!(parse("NA", &rule(ColumnType::Int, true)), Parsed::Null);
        assert_eq!(
            parse("", &rule(ColumnType::String, false)),
            Parsed::MissingButRequired
        );
        assert_eq!(
            parse("n/a", &rule(ColumnType::String, false)),
            Parsed::Value(Value::Str("n/a"))
        );
    }

    #[test]
    fn quoted_escapes_and_cuts() {
        assert_eq!(quoted("a\"b\n"), r#""a\"b\n""#);
        assert_eq!(quoted(&"x".repeat(50)), format!("\"{}…\"", "x".repeat(40)));
    }
}
