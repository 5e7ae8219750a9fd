//! en-GB formatting for figures, as MiniJinja filters and plain functions.
//!
//! Formatting is done here, never by the process locale, so the same figure
//! reads the same on every machine: `36,845`, `16.4%`, `120,000`,
//! `British, Polish and Romanian`, `26 November 2020`.

use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::{Error, ErrorKind};
use num_format::{Locale, ToFormattedString};

use super::figure::{unwrap, FigureObject, PreviousValue};
use crate::compute::Format;
use crate::params::FinancialYear;

/// Registers every boardpack filter on `env`.
pub fn register(env: &mut minijinja::Environment<'_>) {
    env.add_filter("number", number);
    env.add_filter("percent", percent);
    env.add_filter("approx", approx);
    env.add_filter("prose_list", prose_list);
    env.add_filter("date", date);
    env.add_filter("table", super::table::table_filter);
    env.add_filter("change", change);
    env.add_filter("direction", direction);
}

/// `{{ figures.x | change }}`: the change on the previous period in words,
/// "up 4.2% on 2018/19". `by="number"` gives "down 312 on 2018/19",
/// `by="points"` (for ratios) "up 1.7 percentage points on 2018/19";
/// `decimals=N` sets the places and `on=false` drops " on 2018/19".
fn change(value: Value, kwargs: Kwargs) -> Result<String, Error> {
    let by: Option<String> = kwargs.get("by")?;
    let decimals: Option<u8> = kwargs.get("decimals")?;
    let on: Option<bool> = kwargs.get("on")?;
    kwargs.assert_all_used()?;
    let fig = figure(&value, "change")?;
    let Some((fy, old, new)) = comparison(fig, "change")? else {
        return Ok("n/a".to_string());
    };
    let by = by.as_deref().unwrap_or("percent");
    let (magnitude, unit, default_decimals) = match by {
        "percent" if old != 0.0 => (((new - old) / old * 100.0).abs(), "%", 1),
        "percent" | "number" => ((new - old).abs(), "", 0),
        "points" => (((new - old) * 100.0).abs(), " percentage points", 1),
        other => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("filter `change` has no `by=\"{other}\"`; use \"percent\", \"number\" or \"points\""),
            ))
        }
    };
    let decimals = decimals.unwrap_or(default_decimals);
    let shown = format_number(magnitude, decimals);
    let words = if new == old {
        "unchanged".to_string()
    } else {
        let dir = if new > old { "up" } else { "down" };
        if shown.chars().all(|c| !c.is_ascii_digit() || c == '0') {
            let least = format_number(10f64.powi(-i32::from(decimals)), decimals);
            format!("{dir} less than {least}{unit}")
        } else {
            format!("{dir} {shown}{unit}")
        }
    };
    Ok(match (on.unwrap_or(true), new == old) {
        (false, _) => words,
        (true, false) => format!("{words} on {fy}"),
        (true, true) => format!("{words} from {fy}"),
    })
}

/// `{{ figures.x | direction("rose", "fell", "held steady") }}`: the word for
/// the change on the previous period, computed so the prose cannot contradict
/// the data. Defaults: "increased", "decreased", "was unchanged".
fn direction(
    value: Value,
    up: Option<String>,
    down: Option<String>,
    same: Option<String>,
) -> Result<String, Error> {
    let fig = figure(&value, "direction")?;
    let Some((_, old, new)) = comparison(fig, "direction")? else {
        return Ok("n/a".to_string());
    };
    Ok(match new.partial_cmp(&old) {
        Some(std::cmp::Ordering::Greater) => up.unwrap_or_else(|| "increased".into()),
        Some(std::cmp::Ordering::Less) => down.unwrap_or_else(|| "decreased".into()),
        _ => same.unwrap_or_else(|| "was unchanged".into()),
    })
}

fn figure<'a>(value: &'a Value, filter: &str) -> Result<&'a FigureObject, Error> {
    value.downcast_object_ref::<FigureObject>().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("filter `{filter}` expects a figure, e.g. `figures.victims_resident | {filter}`, got `{value}`"),
        )
    })
}

/// (previous period, old, new), or `None` if the previous period has no data
/// (recorded for the build's warning).
fn comparison(
    fig: &FigureObject,
    filter: &str,
) -> Result<Option<(FinancialYear, f64, f64)>, Error> {
    let not_number = |what: &str| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "filter `{filter}` needs a number, but {what} of figure `{}` is not one",
                fig.name
            ),
        )
    };
    match fig.previous_number() {
        Err(_) => {
            fig.note_missing(&format!(" | {filter}"));
            Ok(None)
        }
        Ok(None) if matches!(fig.previous, PreviousValue::NotApplicable) => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("filter `{filter}` compares with the previous period, but the report has no `period` parameter"),
        )),
        Ok(None) => Err(not_number("the previous period's value")),
        Ok(Some((fy, old))) => {
            let new = fig.number().ok_or_else(|| not_number("the value"))?;
            Ok(Some((fy, old, new)))
        }
    }
}

/// `{{ x | number }}`, `{{ x | number(1) }}`: thousands separators and a
/// fixed number of decimals.
fn number(value: Value, decimals: Option<u8>) -> Result<String, Error> {
    Ok(format_number(
        as_f64(&value, "number")?,
        decimals.unwrap_or(0),
    ))
}

/// `{{ ratio | percent }}` (one decimal) or `percent(0)`: a ratio as a percentage.
fn percent(value: Value, decimals: Option<u8>) -> Result<String, Error> {
    Ok(format_percent(
        as_f64(&value, "percent")?,
        decimals.unwrap_or(1),
    ))
}

/// `{{ x | approx }}`: rounded to two significant figures (`approx(3)` for three).
fn approx(value: Value, significant: Option<u8>) -> Result<String, Error> {
    let x = as_f64(&value, "approx")?;
    Ok(format_number(
        round_significant(x, significant.unwrap_or(2)),
        0,
    ))
}

/// `{{ names | prose_list }}`: "A, B and C"; `prose_list(conjunction="or")`.
fn prose_list(value: Value, kwargs: Kwargs) -> Result<String, Error> {
    let conj: Option<String> = kwargs.get("conjunction")?;
    kwargs.assert_all_used()?;
    let items: Vec<String> = value
        .try_iter()
        .map_err(|_| invalid("prose_list", &value, "a list"))?
        .map(|v| v.to_string())
        .collect();
    Ok(join_prose(&items, conj.as_deref().unwrap_or("and")))
}

/// `{{ d | date }}`: an ISO date as "26 November 2020".
fn date(value: Value) -> Result<String, Error> {
    let text = value
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| value.to_string());
    let d: jiff::civil::Date = text
        .parse()
        .map_err(|_| invalid("date", &value, "a date like `2020-11-26`"))?;
    Ok(format_date(d))
}

/// Formats a number with en-GB thousands separators and `decimals` places.
pub fn format_number(x: f64, decimals: u8) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let fixed = format!("{:.*}", usize::from(decimals), x.abs());
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

/// Formats a ratio (0.164) as a percentage ("16.4%").
pub fn format_percent(ratio: f64, decimals: u8) -> String {
    format!("{}%", format_number(ratio * 100.0, decimals))
}

/// Rounds to `sig` significant figures (36,845 × 3.26 → 120,000 at two).
pub fn round_significant(x: f64, sig: u8) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let magnitude = x.abs().log10().floor() as i32;
    let scale = 10f64.powi(magnitude + 1 - i32::from(sig.max(1)));
    (x / scale).round() * scale
}

/// Joins items as English prose: "A", "A and B", "A, B and C".
pub fn join_prose(items: &[String], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

/// Formats a date the en-GB way: "26 November 2020".
pub fn format_date(d: jiff::civil::Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

/// Formats a table cell according to its column's declared format.
pub fn format_cell(value: &crate::compute::Value, format: Format) -> String {
    use crate::compute::Value as V;
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

fn as_f64(value: &Value, filter: &str) -> Result<f64, Error> {
    let value = &unwrap(value);
    match value.kind() {
        ValueKind::Number => {
            f64::try_from(value.clone()).map_err(|_| invalid(filter, value, "a number"))
        }
        _ => Err(invalid(filter, value, "a number")),
    }
}

fn invalid(filter: &str, value: &Value, expected: &str) -> Error {
    if value.is_undefined() {
        return Error::new(
            ErrorKind::UndefinedError,
            format!("filter `{filter}` was given an undefined value"),
        );
    }
    Error::new(
        ErrorKind::InvalidOperation,
        format!("filter `{filter}` expects {expected}, got `{value}`"),
    )
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
