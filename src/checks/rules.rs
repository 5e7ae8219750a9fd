//! The declared rules: parsed from the spec (every problem collected) and
//! turned into Polars expressions that are true on a failing row.

use polars::prelude::*;
use toml::Spanned;

use crate::error::{suggest, Error, ErrorKind};
use crate::spec::{CheckDecl, ChecksPart};

/// One rule of a `[[sources.NAME.checks]]` / `[[tables.NAME.checks]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Rule {
    /// The combination of these columns occurs once.
    Unique(Vec<String>),
    /// These columns have a value in every row.
    NotNull(Vec<String>),
    /// The column's values are among these (text or whole numbers).
    Values(String, Vec<toml::Value>),
    /// The column's numbers lie in `[min, max]`.
    Range(String, f64, f64),
    /// The column's text matches the regular expression in full.
    Pattern(String, String),
    /// The column's values occur in `table.column`.
    ForeignKey(String, String, String),
}

impl Rule {
    /// The columns of the checked frame the rule reads.
    pub(crate) fn columns(&self) -> Vec<&str> {
        match self {
            Rule::Unique(c) | Rule::NotNull(c) => c.iter().map(String::as_str).collect(),
            Rule::Values(c, _)
            | Rule::Range(c, ..)
            | Rule::Pattern(c, _)
            | Rule::ForeignKey(c, ..) => vec![c.as_str()],
        }
    }

    /// The rule as the manifest records it: `unique(crime_id, victim_id)`.
    pub(crate) fn name(&self) -> String {
        match self {
            Rule::Unique(c) => format!("unique({})", c.join(", ")),
            Rule::NotNull(c) => format!("not_null({})", c.join(", ")),
            Rule::Values(c, v) => format!("values({c}: {})", list(v)),
            Rule::Range(c, lo, hi) => format!("range({c}: {lo} to {hi})"),
            Rule::Pattern(c, p) => format!("pattern({c}: {p})"),
            Rule::ForeignKey(c, t, k) => format!("foreign_key({c} → {t}.{k})"),
        }
    }

    /// The rule in words, for messages: "`victim_age` must be between 0 and 120".
    pub(crate) fn words(&self) -> String {
        let cols = |c: &[String]| {
            let v: Vec<String> = c.iter().map(|c| format!("`{c}`")).collect();
            crate::format::join_prose(&v, "and")
        };
        match self {
            Rule::Unique(c) if c.len() == 1 => format!("{} must not repeat", cols(c)),
            Rule::Unique(c) => format!("the combination of {} must not repeat", cols(c)),
            Rule::NotNull(c) => format!("{} must not be empty", cols(c)),
            Rule::Values(c, v) => format!("`{c}` must be one of {}", list(v)),
            Rule::Range(c, lo, hi) => format!("`{c}` must be between {lo} and {hi}"),
            Rule::Pattern(c, p) => format!("`{c}` must match `{p}`"),
            Rule::ForeignKey(c, t, k) => format!("every `{c}` must occur in `{t}.{k}`"),
        }
    }
}

fn list(values: &[toml::Value]) -> String {
    let v: Vec<String> = values.iter().map(value_text).collect();
    v.join(", ")
}

fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Parses a check entry into its rule, or every problem with it.
pub(super) fn parse(
    spec: ChecksPart<'_>,
    check: &Spanned<CheckDecl>,
    owner: &str,
) -> Result<Rule, Vec<Error>> {
    let d = check.get_ref();
    let at = |span: std::ops::Range<usize>, msg: String, hint: &str| {
        spec.error_at(ErrorKind::Spec, msg, span).with_hint(hint)
    };
    let names = |c: &[Spanned<String>]| c.iter().map(|c| c.get_ref().clone()).collect::<Vec<_>>();
    let mut rules = Vec::new();
    if let Some(c) = &d.unique {
        rules.push(Some(Rule::Unique(names(c))));
    }
    if let Some(c) = &d.not_null {
        rules.push(Some(Rule::NotNull(names(c))));
    }
    let set_rules = rules.len();
    let mut errors = Vec::new();
    rules.extend(column_rules(spec, d, owner, &mut errors));
    match (&d.column, rules.len() > set_rules) {
        (None, true) => errors.push(at(
            check.span(),
            format!("this check on {owner} needs a `column`"),
            "`values`, `range`, `pattern` and `foreign_key` test one column: add `column = \"NAME\"`",
        )),
        (Some(c), false) if set_rules > 0 => errors.push(at(
            c.span(),
            format!("`column` does not apply to `unique` or `not_null` (check on {owner})"),
            "list the columns in the rule instead: `unique = [\"a\", \"b\"]`",
        )),
        _ => {}
    }
    if rules.len() != 1 {
        errors.push(at(
            check.span(),
            format!("a check on {owner} must have exactly one rule, found {}", rules.len()),
            "use one of `unique`, `not_null`, `values`, `range`, `pattern`, `foreign_key` per `[[…checks]]` entry",
        ));
    }
    if [&d.unique, &d.not_null]
        .into_iter()
        .flatten()
        .any(Vec::is_empty)
    {
        errors.push(at(
            check.span(),
            format!("a `unique` or `not_null` check on {owner} lists no columns"),
            "list at least one column",
        ));
    }
    match (errors.is_empty(), rules.pop().flatten()) {
        (true, Some(rule)) => Ok(rule),
        _ => Err(errors),
    }
}

/// The one-column rules an entry declares (`None` where `column` is missing
/// or the rule is malformed; the problem is pushed to `errors`).
fn column_rules(
    spec: ChecksPart<'_>,
    d: &CheckDecl,
    owner: &str,
    errors: &mut Vec<Error>,
) -> Vec<Option<Rule>> {
    let at = |span: std::ops::Range<usize>, msg: String, hint: &str| {
        spec.error_at(ErrorKind::Spec, msg, span).with_hint(hint)
    };
    let column = d.column.as_ref().map(|c| c.get_ref().clone());
    let mut rules = Vec::new();
    if let Some(v) = &d.values {
        let ok = v
            .get_ref()
            .iter()
            .all(|x| matches!(x, toml::Value::String(_) | toml::Value::Integer(_)));
        if !ok || v.get_ref().is_empty() {
            errors.push(at(
                v.span(),
                format!("`values` of a check on {owner} must list text or whole numbers"),
                "write e.g. `values = [\"Cambridge\", \"Peterborough\"]`",
            ));
        }
        rules.push(column.clone().map(|c| Rule::Values(c, v.get_ref().clone())));
    }
    if let Some(r) = &d.range {
        let rule = match r.get_ref().as_slice() {
            [lo, hi] if lo <= hi => column.clone().map(|c| Rule::Range(c, *lo, *hi)),
            _ => {
                errors.push(at(
                    r.span(),
                    format!("`range` of a check on {owner} must be `[min, max]` with min ≤ max"),
                    "write e.g. `range = [0, 120]` (both ends allowed)",
                ));
                None
            }
        };
        rules.push(rule);
    }
    if let Some(p) = &d.pattern {
        if let Err(e) = regex::Regex::new(p.get_ref()) {
            let last = e
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .trim_start_matches("error: ")
                .to_string();
            errors.push(at(
                p.span(),
                format!("`pattern` of a check on {owner} is not a valid regular expression: {last}"),
                "use Rust regex syntax, e.g. `pattern = \"C[0-9]{6}\"`; it must match the whole value",
            ));
        }
        rules.push(
            column
                .clone()
                .map(|c| Rule::Pattern(c, p.get_ref().clone())),
        );
    }
    if let Some(fk) = &d.foreign_key {
        let rule = match fk.get_ref().split_once('.') {
            Some((t, k)) if !t.is_empty() && !k.is_empty() => column
                .clone()
                .map(|c| Rule::ForeignKey(c, t.to_string(), k.to_string())),
            _ => {
                errors.push(at(
                    fk.span(),
                    format!("`foreign_key` of a check on {owner} must be `TABLE.COLUMN`"),
                    "write e.g. `foreign_key = \"population.district\"`",
                ));
                None
            }
        };
        rules.push(rule);
    }
    rules
}

/// Problems with the columns a rule names, given the checked frame's
/// columns: each points at the misspelt name with a "did you mean".
pub(super) fn unknown_columns(
    spec: ChecksPart<'_>,
    check: &Spanned<CheckDecl>,
    rule: &Rule,
    found: &[&str],
    owner: &str,
) -> Vec<Error> {
    let d = check.get_ref();
    let spanned: Vec<&Spanned<String>> = d
        .unique
        .iter()
        .chain(d.not_null.iter())
        .flatten()
        .chain(d.column.iter())
        .collect();
    rule.columns()
        .into_iter()
        .filter(|c| !found.contains(c))
        .map(|c| {
            let span = spanned
                .iter()
                .find(|s| s.get_ref() == c)
                .map_or(check.span(), |s| s.span());
            spec.error_at(
                ErrorKind::Spec,
                format!("check on {owner} names column `{c}`, which {owner} does not have"),
                span,
            )
            .with_hint(suggest(c, found, &format!("columns of {owner}")))
        })
        .collect()
}

/// An expression that is true on every row failing `rule` (nulls pass every
/// rule but `not_null`). `target` is the frame a foreign key points at.
pub(super) fn failing(rule: &Rule, target: Option<&DataFrame>) -> PolarsResult<Expr> {
    let e = match rule {
        Rule::Unique(cols) => {
            let by: Vec<Expr> = cols.iter().map(|c| col(c.as_str())).collect();
            len().over(by)?.gt(lit(1))
        }
        Rule::NotNull(cols) => cols
            .iter()
            .map(|c| col(c.as_str()).is_null())
            .reduce(Expr::or)
            .unwrap_or(lit(false)),
        Rule::Values(c, values) => col(c.as_str())
            .is_in(lit(allowed(values)).implode(false), false)
            .not(),
        Rule::Range(c, lo, hi) => {
            let x = col(c.as_str()).cast(DataType::Float64);
            x.clone().lt(lit(*lo)).or(x.gt(lit(*hi)))
        }
        Rule::Pattern(c, p) => col(c.as_str())
            .str()
            .contains(lit(format!("^(?:{p})$")), true)
            .not(),
        Rule::ForeignKey(c, _, k) => {
            let keys = match target {
                Some(df) => df.column(k)?.as_materialized_series().unique()?,
                None => Series::new_empty(k.as_str().into(), &DataType::String),
            };
            col(c.as_str()).is_in(lit(keys).implode(false), false).not()
        }
    };
    Ok(e.fill_null(lit(false)))
}

/// An aggregate that is 0 exactly when no row fails `rule` (see
/// `checks::screen`): the number of failing rows.
pub(super) fn screening(rule: &Rule, target: Option<&DataFrame>) -> PolarsResult<Expr> {
    Ok(failing(rule, target)?.sum())
}

/// Whether two rows of `frame` might share their values of `cols` (the
/// `unique` rule): `false` proves every combination occurs once. Each
/// row's combination is hashed to 64 bits (foldhash, fixed seed, per
/// column, nulls as their own value); distinct hashes mean distinct
/// combinations, and equal hashes (a repeat, or a one-in-10^10 collision)
/// send the check to the exact count. `None` for a column type it does
/// not hash. Grouping 1.1 M pairs of strings in Polars took ~0.6 s; this
/// takes a tenth of that.
pub(super) fn repeats_possible(frame: &DataFrame, cols: &[String]) -> Option<bool> {
    use std::hash::{BuildHasher, Hash, Hasher};
    fn mix<T: Hash>(acc: &mut [u64], values: impl Iterator<Item = Option<T>>) {
        let state = foldhash::quality::FixedState::with_seed(0x0062_6f61_7264_706b);
        for (a, v) in acc.iter_mut().zip(values) {
            let mut h = state.build_hasher();
            a.hash(&mut h);
            v.hash(&mut h);
            *a = h.finish();
        }
    }
    let mut acc = vec![0u64; frame.height()];
    for c in cols {
        let s = frame.column(c).ok()?.as_materialized_series();
        match s.dtype() {
            DataType::String => mix(&mut acc, s.str().ok()?.iter()),
            DataType::Int64 => mix(&mut acc, s.i64().ok()?.iter()),
            DataType::Int32 => mix(&mut acc, s.i32().ok()?.iter()),
            DataType::Boolean => mix(&mut acc, s.bool().ok()?.iter()),
            DataType::Date => mix(&mut acc, s.date().ok()?.physical().iter()),
            DataType::Datetime(..) => mix(&mut acc, s.datetime().ok()?.physical().iter()),
            // -0.0 and 0.0 (and every NaN) are one value to Polars too.
            DataType::Float64 => {
                let bits = |x: f64| if x.is_nan() { f64::NAN } else { x + 0.0 }.to_bits();
                mix(&mut acc, s.f64().ok()?.iter().map(|v| v.map(bits)))
            }
            _ => return None,
        }
    }
    acc.sort_unstable();
    Some(acc.windows(2).any(|w| w[0] == w[1]))
}

/// A number that is 0 exactly when no row of `frame` has a null in one of
/// `cols` (the `not_null` rule): their null counts, which Arrow keeps, so
/// nothing is scanned. `None` if a column is missing.
pub(super) fn nulls(frame: &DataFrame, cols: &[String]) -> Option<u64> {
    cols.iter()
        .map(|c| frame.column(c).ok().map(|c| c.null_count() as u64))
        .sum()
}

/// A number that is 0 exactly when every text of `column` matches
/// `pattern` in full (nulls pass), as the `pattern` rule's Polars
/// expression decides it (the same `regex` crate, the same anchored
/// pattern), but one tight loop over the strings: Polars' `str.contains`
/// took ~170 ms over 1.1 M identifiers, this a fraction of it. `None` for
/// a column that is not text or a pattern that does not compile (the
/// exact rule then reports it).
pub(super) fn mismatches(frame: &DataFrame, column: &str, pattern: &str) -> Option<u64> {
    let re = regex::Regex::new(&format!("^(?:{pattern})$")).ok()?;
    let texts = frame
        .column(column)
        .ok()?
        .as_materialized_series()
        .str()
        .ok()?
        .clone();
    let failing = texts
        .downcast_iter()
        .flat_map(|chunk| chunk.iter())
        .flatten()
        .filter(|t| !re.is_match(t))
        .count();
    Some(failing as u64)
}

/// The allowed texts of a `values` rule on a text column, as
/// [`allowed`] lists them; `None` when every value is a whole number (the
/// list is then of numbers, not text).
pub(super) fn allowed_texts(values: &[toml::Value]) -> Option<Vec<String>> {
    match values.iter().all(|v| v.as_integer().is_some()) {
        true => None,
        false => Some(values.iter().map(value_text).collect()),
    }
}

fn allowed(values: &[toml::Value]) -> Series {
    let ints: Option<Vec<i64>> = values.iter().map(|v| v.as_integer()).collect();
    match ints {
        Some(i) => Series::new("allowed".into(), i),
        None => Series::new(
            "allowed".into(),
            values.iter().map(value_text).collect::<Vec<_>>(),
        ),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Rows failing `rule` by the exact Polars expression.
    /// How many rows the exact Polars rule finds failing.
    pub(in crate::checks) fn exact(df: &DataFrame, rule: &Rule) -> u64 {
        let counted = df
            .clone()
            .lazy()
            .select([failing(rule, None).unwrap().sum()])
            .collect()
            .unwrap();
        counted.columns()[0]
            .get(0)
            .unwrap()
            .extract::<u64>()
            .unwrap()
    }

    #[test]
    fn the_screens_of_not_null_and_pattern_agree_with_the_exact_rules() {
        let df = df!(
            "id" => [Some("CR-0000001"), Some("CR-12"), None, Some("cr-0000002"), Some("CR-0000003\n")],
            "ok" => [Some("a"), Some("b"), Some("c"), Some("d"), Some("e")],
            "n" => [Some(1i64), None, Some(3), None, Some(5)]
        )
        .unwrap();
        for p in [
            "CR-[0-9]{7}",
            "CR-[0-9]+|cr-.*",
            ".*",
            "[a-e]",
            "CR-[0-9]{7}\n?",
        ] {
            let rule = Rule::Pattern("id".into(), p.into());
            assert_eq!(mismatches(&df, "id", p), Some(exact(&df, &rule)), "{p}");
            let rule = Rule::Pattern("ok".into(), p.into());
            assert_eq!(
                mismatches(&df, "ok", p),
                Some(exact(&df, &rule)),
                "{p} on ok"
            );
        }
        // Not text, or not a pattern: left to the exact rule to report.
        assert_eq!(mismatches(&df, "n", "1"), None);
        assert_eq!(mismatches(&df, "id", "("), None);
        for cols in [&["ok"][..], &["id"], &["id", "n"], &["ok", "n"]] {
            let cols: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
            let screened = nulls(&df, &cols).unwrap();
            let failing = exact(&df, &Rule::NotNull(cols.clone()));
            assert_eq!(screened == 0, failing == 0, "{cols:?}");
        }
        assert_eq!(nulls(&df, &["missing".to_string()]), None);
    }

    #[test]
    fn repeats_are_never_missed_and_distinct_rows_pass() {
        let df = df!(
            "a" => [Some("x"), Some("x"), None, None],
            "b" => [Some(1i64), Some(2), Some(1), Some(2)],
            "f" => [0.0f64, -0.0, 1.5, 2.5]
        )
        .unwrap();
        let cols = |c: &[&str]| c.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(repeats_possible(&df, &cols(&["a", "b"])), Some(false));
        assert_eq!(repeats_possible(&df, &cols(&["a"])), Some(true));
        assert_eq!(repeats_possible(&df, &cols(&["b"])), Some(true));
        // -0.0 equals 0.0, as the exact count groups them.
        assert_eq!(repeats_possible(&df, &cols(&["f"])), Some(true));
        assert_eq!(repeats_possible(&df, &cols(&["a", "f"])), Some(true));
        assert_eq!(repeats_possible(&df, &cols(&["b", "f"])), Some(false));
        // Agrees with the exact rule on every combination.
        for c in [
            &["a"][..],
            &["b"],
            &["f"],
            &["a", "b"],
            &["a", "f"],
            &["b", "f"],
        ] {
            let exact = df
                .clone()
                .lazy()
                .select([failing(&Rule::Unique(cols(c)), None).unwrap().sum()])
                .collect()
                .unwrap();
            let failing = exact.columns()[0].get(0).unwrap().extract::<u64>().unwrap();
            assert_eq!(repeats_possible(&df, &cols(c)), Some(failing > 0), "{c:?}");
        }
    }
}
