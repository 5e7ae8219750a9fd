//! `boardpack diff A.manifest.json B.manifest.json`: what changed between two
//! builds (typically last year's paper and this year's), as a readable table
//! of figures with old value, new value and change, then the params, inputs
//! and tables that differ.

use std::collections::BTreeSet;

use crate::compute::Value;
use crate::format::format_cell;
use crate::format::format_number;
use crate::format::{parse_format, Format};
use crate::manifest::Manifest;

/// One row of a comparison table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Figure name.
    pub name: String,
    /// The old value (absent if the figure is new).
    pub old: Option<serde_json::Value>,
    /// The new value (absent if the figure was removed).
    pub new: Option<serde_json::Value>,
    /// The figure's declared format (`percent:1`), if any.
    pub format: Option<String>,
}

/// The differences between two manifests, for people.
pub fn diff(a: &Manifest, b: &Manifest) -> String {
    let mut out = String::new();
    let (la, lb) = labels(a, b);
    let (changed, same): (Vec<Row>, Vec<Row>) =
        figure_rows(a, b).into_iter().partition(|r| r.old != r.new);
    if a.report != b.report {
        out += &format!("reports: {} → {}\n", a.report, b.report);
    }
    if changed.is_empty() {
        out += "figures: none changed\n";
    } else {
        out += &format!(
            "figures that changed ({} of {}):\n",
            changed.len(),
            changed.len() + same.len()
        );
        out += &table(&changed, &la, &lb);
    }
    if !same.is_empty() {
        let names: Vec<&str> = same.iter().map(|r| r.name.as_str()).collect();
        out += &format!("unchanged: {}\n", names.join(", "));
    }
    let moved = changed_params(a, b);
    if !moved.is_empty() {
        out += &format!("params: {}\n", moved.join("; "));
    }
    let inputs = changed_inputs(a, b);
    if !inputs.is_empty() {
        out += &format!("inputs that differ: {}\n", inputs.join(", "));
    }
    let tables = changed_tables(a, b);
    if !tables.is_empty() {
        out += &format!("tables that differ: {}\n", tables.join(", "));
    }
    out
}

/// The two papers' column labels: their periods, or "A" and "B", told
/// apart when they are the same.
fn labels(a: &Manifest, b: &Manifest) -> (String, String) {
    let label = |m: &Manifest, fallback: &str| {
        m.params
            .get("period")
            .cloned()
            .unwrap_or_else(|| fallback.to_string())
    };
    let (la, lb) = (label(a, "A"), label(b, "B"));
    if la == lb {
        (format!("{la} (A)"), format!("{lb} (B)"))
    } else {
        (la, lb)
    }
}

/// One row per figure in either manifest, by name.
fn figure_rows(a: &Manifest, b: &Manifest) -> Vec<Row> {
    let names: BTreeSet<&String> = a.figures.keys().chain(b.figures.keys()).collect();
    names
        .into_iter()
        .map(|n| Row {
            name: n.clone(),
            old: a.figures.get(n).map(|f| f.value.clone()),
            new: b.figures.get(n).map(|f| f.value.clone()),
            format: b
                .figures
                .get(n)
                .or_else(|| a.figures.get(n))
                .and_then(|f| f.format.clone()),
        })
        .collect()
}

/// The parameters whose values differ, each as `name old → new`.
fn changed_params(a: &Manifest, b: &Manifest) -> Vec<String> {
    let params: BTreeSet<&String> = a.params.keys().chain(b.params.keys()).collect();
    params
        .into_iter()
        .filter(|k| a.params.get(*k) != b.params.get(*k))
        .map(|k| {
            format!(
                "{k} {} → {}",
                or_none(a.params.get(k)),
                or_none(b.params.get(k))
            )
        })
        .collect()
}

/// The input files that differ or are in one manifest only.
fn changed_inputs(a: &Manifest, b: &Manifest) -> Vec<String> {
    let inputs: BTreeSet<&String> = a.inputs.iter().chain(&b.inputs).map(|i| &i.path).collect();
    let find = |m: &Manifest, p: &str| {
        m.inputs
            .iter()
            .find(|i| i.path == p)
            .map(|i| i.blake3.clone())
    };
    inputs
        .into_iter()
        .filter_map(|p| match (find(a, p), find(b, p)) {
            (Some(x), Some(y)) if x == y => None,
            (Some(_), Some(_)) => Some(format!("{p} (changed)")),
            (Some(_), None) => Some(format!("{p} (only in A)")),
            _ => Some(format!("{p} (only in B)")),
        })
        .collect()
}

/// The tables that differ (with their row counts where those changed) or
/// are in one manifest only.
fn changed_tables(a: &Manifest, b: &Manifest) -> Vec<String> {
    let tables: BTreeSet<&String> = a.tables.keys().chain(b.tables.keys()).collect();
    tables
        .into_iter()
        .filter_map(|t| match (a.tables.get(t), b.tables.get(t)) {
            (Some(x), Some(y)) if x == y => None,
            (Some(x), Some(y)) if x.rows != y.rows => {
                Some(format!("{t} ({} → {} rows)", x.rows, y.rows))
            }
            (Some(_), Some(_)) => Some(t.to_string()),
            (Some(_), None) => Some(format!("{t} (only in A)")),
            _ => Some(format!("{t} (only in B)")),
        })
        .collect()
}

/// An aligned text table: figure, old, new, change.
pub fn table(rows: &[Row], old_label: &str, new_label: &str) -> String {
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.old.as_ref().map_or("–".into(), |v| display_as(v, fmt(r))),
                r.new.as_ref().map_or("–".into(), |v| display_as(v, fmt(r))),
                change_as(r.old.as_ref(), r.new.as_ref(), fmt(r)),
            ]
        })
        .collect();
    let header = [
        "figure".to_string(),
        old_label.to_string(),
        new_label.to_string(),
        "change".to_string(),
    ];
    let width = |i: usize| {
        cells
            .iter()
            .chain(std::iter::once(&header))
            .map(|c| c[i].chars().count())
            .max()
            .unwrap_or(0)
    };
    let w = [width(0), width(1), width(2)];
    let line = |c: &[String; 4]| {
        format!(
            "  {:<w0$}  {:>w1$}  {:>w2$}  {}\n",
            c[0],
            c[1],
            c[2],
            c[3],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2]
        )
        .trim_end()
        .to_string()
            + "\n"
    };
    let mut out = line(&header);
    for c in &cells {
        out += &line(c);
    }
    out
}

fn fmt(r: &Row) -> Option<Format> {
    r.format.as_deref().and_then(parse_format)
}

/// A figure's value in its declared format (`16.5%`), else as [`display`]
/// shows it. The one formatter (`format_cell`) the paper uses.
pub(crate) fn display_as(v: &serde_json::Value, format: Option<Format>) -> String {
    match (format, v.as_f64()) {
        (Some(f @ (Format::Integer | Format::Decimal(_) | Format::Percent(_))), Some(x)) => {
            format_cell(&Value::Float(x), f)
        }
        _ => display(v),
    }
}

/// [`change`] in a figure's format: a percentage's change is in percentage
/// points (`up 8.3 percentage points`), a decimal's at its places.
pub(crate) fn change_as(
    old: Option<&serde_json::Value>,
    new: Option<&serde_json::Value>,
    format: Option<Format>,
) -> String {
    let numbers = old
        .and_then(|v| v.as_f64())
        .zip(new.and_then(|v| v.as_f64()));
    match (format, numbers) {
        (Some(Format::Percent(n)), Some((a, b))) if a != b => {
            let dir = if b > a { "up" } else { "down" };
            let points = format_number((b - a).abs() * 100.0, n);
            let unit = if points == "1" { "point" } else { "points" };
            format!("{dir} {points} percentage {unit}")
        }
        (Some(f @ (Format::Decimal(_) | Format::Integer)), Some((a, b))) if a != b => {
            let dir = if b > a { "up" } else { "down" };
            let places = if let Format::Decimal(n) = f { n } else { 0 };
            let by = format_number((b - a).abs(), places);
            match a != 0.0 {
                true => format!("{dir} {by} ({})", relative(a, b)),
                false => format!("{dir} {by}"),
            }
        }
        _ => change(old, new),
    }
}

fn relative(a: f64, b: f64) -> String {
    let pct = (b - a) / a.abs() * 100.0;
    let sign = if pct > 0.0 { "+" } else { "-" };
    format!("{sign}{}%", format_number(pct.abs(), 1))
}

/// A value for people: `36,845`, `0.1640`, `25-29`.
pub fn display(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => format_number(i as f64, 0),
            (None, Some(f)) if f.abs() < 10.0 => trim_zeros(format_number(f, 4)),
            (None, Some(f)) => trim_zeros(format_number(f, 1)),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// The change between two values in words: `up 933 (+2.6%)`, `changed`.
pub fn change(old: Option<&serde_json::Value>, new: Option<&serde_json::Value>) -> String {
    let (Some(old), Some(new)) = (old, new) else {
        return match (old, new) {
            (None, Some(_)) => "new".into(),
            (Some(_), None) => "removed".into(),
            _ => String::new(),
        };
    };
    match (old.as_f64(), new.as_f64()) {
        (Some(a), Some(b)) if a == b => "same".into(),
        (Some(a), Some(b)) => {
            let dir = if b > a { "up" } else { "down" };
            let both_int = old.is_i64() && new.is_i64();
            let by = if both_int {
                format_number((b - a).abs(), 0)
            } else {
                display(&serde_json::Value::from((b - a).abs()))
            };
            if a != 0.0 {
                format!("{dir} {by} ({})", relative(a, b))
            } else {
                format!("{dir} {by}")
            }
        }
        _ if old == new => "same".into(),
        _ => "changed".into(),
    }
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn or_none(v: Option<&String>) -> &str {
    v.map_or("(none)", String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_for_people() {
        assert_eq!(display(&json!(36845)), "36,845");
        assert_eq!(display(&json!(0.16401139910435608)), "0.164");
        assert_eq!(display(&json!(120114.7)), "120,114.7");
        assert_eq!(display(&json!("25-29")), "25-29");
    }

    #[test]
    fn changes_in_words() {
        assert_eq!(
            change(Some(&json!(35912)), Some(&json!(36845))),
            "up 933 (+2.6%)"
        );
        assert_eq!(
            change(Some(&json!(36845)), Some(&json!(34296))),
            "down 2,549 (-6.9%)"
        );
        assert_eq!(change(Some(&json!(4)), Some(&json!(4))), "same");
        assert_eq!(
            change(Some(&json!("18-39")), Some(&json!("16-29"))),
            "changed"
        );
        assert_eq!(change(None, Some(&json!(1))), "new");
    }

    #[test]
    fn figures_show_in_their_format() {
        let pct = parse_format("percent:1");
        assert_eq!(display_as(&json!(0.16474), pct), "16.5%");
        assert_eq!(
            change_as(Some(&json!(0.1647)), Some(&json!(0.2482)), pct),
            // 24.82% - 16.47% = 8.35 points: a half, rounded up as by hand.
            "up 8.4 percentage points"
        );
        assert_eq!(change_as(Some(&json!(0.2)), Some(&json!(0.2)), pct), "same");
        let dec = parse_format("decimal:1");
        assert_eq!(display_as(&json!(989.6), dec), "989.6");
        assert_eq!(
            change_as(Some(&json!(989.6)), Some(&json!(1000.04)), dec),
            "up 10.4 (+1.1%)"
        );
        assert_eq!(display_as(&json!("16-29"), pct), "16-29");
        assert_eq!(
            change_as(
                Some(&json!(120114.7)),
                Some(&json!(111805.0)),
                parse_format("integer")
            ),
            "down 8,310 (-6.9%)"
        );
    }

    #[test]
    fn table_aligns_columns() {
        let rows = vec![Row {
            name: "victims_resident".into(),
            old: Some(json!(36845)),
            new: Some(json!(34296)),
            format: None,
        }];
        let t = table(&rows, "2019/20", "2020/21");
        assert_eq!(
            t,
            "  figure            2019/20  2020/21  change\n  victims_resident   36,845   34,296  down 2,549 (-6.9%)\n"
        );
    }
}
