//! en-GB formatting for figures, as MiniJinja filters and plain functions.
//!
//! Formatting is done here, never by the process locale, so the same figure
//! reads the same on every machine: `36,845`, `16.4%`, `120,000`,
//! `British, Polish and Romanian`, `26 November 2020`.

use minijinja::value::{from_args, Kwargs, Rest, Value, ValueKind};
use minijinja::{Error, ErrorKind, State};

use super::figure::{unwrap, FigureObject, PreviousValue};
use super::value::Missing;
pub(crate) use crate::format::{
    format_date, format_number, format_percent, join_prose, round_significant,
};
use crate::params::FinancialYear;

/// Registers every boardpack filter on `env`.
pub(crate) fn register(env: &mut minijinja::Environment<'_>) {
    env.add_filter("number", number);
    env.add_filter("percent", percent);
    env.add_filter("approx", approx);
    env.add_filter("prose_list", prose_list);
    env.add_filter("date", date);
    env.add_filter("table", super::table::table_filter);
    env.add_filter("change", change);
    env.add_filter("direction", direction);
    env.add_filter("map", map);
}

/// MiniJinja's `map`, except that `map(attribute="x")` without a `default`
/// fails on an item that has no `x` (the built-in yields undefined values,
/// which a list prints as nothing: a misspelt column became a blank).
fn map(state: &State, value: Value, args: Rest<Value>) -> Result<Vec<Value>, Error> {
    let (positional, kwargs): (&[Value], Kwargs) = from_args(&args)?;
    let attribute: Option<String> = match kwargs.has("default") {
        true => None,
        false => kwargs.peek("attribute").ok(),
    };
    let Some(path) = attribute.filter(|_| positional.is_empty()) else {
        return minijinja::filters::map(state, value, args);
    };
    let _: Option<Value> = kwargs.get("attribute")?;
    kwargs.assert_all_used()?;
    let items = value
        .try_iter()
        .map_err(|_| invalid("map", &value, "a list"))?;
    let mut out = Vec::new();
    for (i, item) in items.enumerate() {
        let mut v = item.clone();
        for part in path.split('.') {
            v = match part.parse::<usize>() {
                Ok(n) => v.get_item_by_index(n)?,
                Err(_) => v.get_attr(part)?,
            };
            if v.is_undefined() {
                return Err(no_attribute(&path, part, i));
            }
        }
        out.push(v);
    }
    Ok(out)
}

fn no_attribute(path: &str, part: &str, index: usize) -> Error {
    // The "did you mean" comes as the error's hint, from the template line.
    Error::new(
        ErrorKind::UndefinedError,
        format!(
            "`map(attribute=\"{path}\")`: item {} has no `{part}`",
            index + 1
        ),
    )
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
fn number(value: Value, decimals: Option<u8>) -> Result<Value, Error> {
    if is_missing(&value) {
        return Ok("n/a".into());
    }
    let text = format_number(as_f64(&value, "number")?, decimals.unwrap_or(0));
    Ok(traced(&value, text))
}

/// `text`, formatted from `value`: tied to its figure if it is one.
fn traced(value: &Value, text: String) -> Value {
    match value.downcast_object_ref::<FigureObject>() {
        Some(fig) => Value::from_object(super::value::Traced {
            figure: fig.name.clone(),
            text,
        }),
        None => Value::from(text),
    }
}

/// `{{ ratio | percent }}` (one decimal) or `percent(0)`: a ratio as a percentage.
fn percent(value: Value, decimals: Option<u8>) -> Result<Value, Error> {
    if is_missing(&value) {
        return Ok("n/a".into());
    }
    let text = format_percent(as_f64(&value, "percent")?, decimals.unwrap_or(1));
    Ok(traced(&value, text))
}

/// `{{ x | approx }}`: rounded to two significant figures (`approx(3)` for three).
fn approx(value: Value, significant: Option<u8>) -> Result<Value, Error> {
    if is_missing(&value) {
        return Ok("n/a".into());
    }
    let x = as_f64(&value, "approx")?;
    let text = format_number(round_significant(x, significant.unwrap_or(2)), 0);
    Ok(traced(&value, text))
}

/// `{{ names | prose_list }}`: "A, B and C"; `prose_list(conjunction="or")`.
fn prose_list(value: Value, kwargs: Kwargs) -> Result<String, Error> {
    let conj: Option<String> = kwargs.get("conjunction")?;
    kwargs.assert_all_used()?;
    let items: Vec<String> = value
        .try_iter()
        .map_err(|_| invalid("prose_list", &value, "a list"))?
        .enumerate()
        .map(|(i, v)| match v.is_undefined() || v.is_none() {
            true => Err(Error::new(
                ErrorKind::UndefinedError,
                format!("filter `prose_list`: item {} is empty or undefined", i + 1),
            )),
            false => Ok(v.to_string()),
        })
        .collect::<Result<_, _>>()?;
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

/// A previous-period value that does not exist: formatting filters show
/// it as "n/a" (its use is already recorded for the build's warning).
fn is_missing(value: &Value) -> bool {
    value.downcast_object_ref::<Missing>().is_some()
}

fn as_f64(value: &Value, filter: &str) -> Result<f64, Error> {
    let plain = &unwrap(value);
    match plain.kind() {
        ValueKind::Number => {
            f64::try_from(plain.clone()).map_err(|_| invalid(filter, plain, "a number"))
        }
        ValueKind::None => {
            let name = value
                .downcast_object_ref::<FigureObject>()
                .map(|f| f.name.as_str());
            Err(no_value(filter, name, "a number"))
        }
        _ => Err(invalid(filter, plain, "a number")),
    }
}

/// A filter given a null (a figure or cell whose query returned NULL):
/// printing it would put nothing, or a guess, into a sentence.
fn no_value(filter: &str, figure: Option<&str>, expected: &str) -> Error {
    let what = match figure {
        Some(name) => format!("figure `{name}` has no value (its query returned NULL)"),
        None => "the value is null (its query returned NULL)".to_string(),
    };
    Error::new(
        ErrorKind::InvalidOperation,
        format!(
            "filter `{filter}` expects {expected}, but {what}; fix the query, or write the sentence only `{{% if %}}` there is a value"
        ),
    )
}

fn invalid(filter: &str, value: &Value, expected: &str) -> Error {
    if value.is_undefined() {
        return Error::new(
            ErrorKind::UndefinedError,
            format!("filter `{filter}` was given an undefined value"),
        );
    }
    if value.is_none() {
        return no_value(filter, None, expected);
    }
    Error::new(
        ErrorKind::InvalidOperation,
        format!("filter `{filter}` expects {expected}, got `{value}`"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::value::MissingUses;
    use crate::value as computed;

    fn env() -> minijinja::Environment<'static> {
        let mut env = minijinja::Environment::new();
        env.add_filter("percent", percent);
        env.add_filter("number", number);
        env
    }

    #[test]
    fn a_null_figure_through_a_number_filter_names_the_figure() {
        let fig = Value::from_object(FigureObject {
            name: "domestic_abuse_share".into(),
            value: computed::Value::Null,
            previous: PreviousValue::NotApplicable,
            uses: MissingUses::default(),
            format: None,
        });
        let env = env();
        let e = env
            .render_str("{{ f | percent }}", minijinja::context! { f => fig })
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("figure `domestic_abuse_share` has no value (its query returned NULL)"),
            "{text}"
        );
        // A plain null (a table cell) says so too, without a name.
        let e = env
            .render_str(
                "{{ x | number }}",
                minijinja::context! { x => Value::from(()) },
            )
            .unwrap_err();
        assert!(e.to_string().contains("the value is null"), "{e}");
    }
}
