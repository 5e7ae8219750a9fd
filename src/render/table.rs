//! Computed values as MiniJinja objects, and the Markdown escaping that keeps
//! data from ever becoming markup.

use std::sync::Arc;

use minijinja::value::{Enumerator, Object, Value};
use minijinja::{Error, ErrorKind};

use super::figure::{Missing, MissingUses};
use super::filters::format_cell;
use crate::compute::{self, Format};
use crate::params::FinancialYear;

/// A published table as templates see it: `t.rows` (maps by column name),
/// `t.columns` (names), `t.previous` (the same table for the previous period)
/// and `t | table` (a formatted Markdown table).
#[derive(Debug)]
pub struct TableObject {
    /// The table's name.
    pub name: String,
    /// This period's published rows and totals.
    pub table: compute::Table,
    /// The previous period's table, `Err` if that period has no data,
    /// `None` if the report has no period.
    pub previous: Option<Result<compute::Table, FinancialYear>>,
    /// Where uses of a missing previous table are recorded.
    pub uses: MissingUses,
    /// Caption and size from the spec.
    pub display: Arc<TableDisplay>,
}

/// How the spec asks for a table to be shown.
#[derive(Debug, Clone, Default)]
pub struct TableDisplay {
    /// The rendered caption (numbered "Table N:" when the document is built).
    pub caption: Option<String>,
    /// The totals row's label.
    pub total_label: String,
    /// Smaller font.
    pub small: bool,
    /// On a landscape page of its own.
    pub landscape: bool,
}

impl Object for TableObject {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let t = &self.table;
        match key.as_str()? {
            "previous" => match self.previous.as_ref()? {
                Ok(p) => Some(Value::from_object(TableObject {
                    name: self.name.clone(),
                    table: p.clone(),
                    previous: None,
                    uses: self.uses.clone(),
                    display: self.display.clone(),
                })),
                Err(fy) => {
                    self.uses.record(format!("tables.{}.previous", self.name));
                    Some(Value::from_object(Missing(*fy)))
                }
            },
            "rows" => Some(Value::from(
                t.rows
                    .iter()
                    .map(|row| {
                        let pairs = t
                            .columns
                            .iter()
                            .zip(row)
                            .map(|(c, v)| (c.name.clone(), to_value(v)));
                        Value::from_iter(pairs)
                    })
                    .collect::<Vec<_>>(),
            )),
            "columns" => Some(Value::from_iter(t.columns.iter().map(|c| c.name.clone()))),
            "height" => Some(Value::from(t.rows.len())),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["rows", "columns", "height", "previous"])
    }
}

/// A computed value as a template value (dates as ISO strings).
pub fn to_value(v: &compute::Value) -> Value {
    match v {
        compute::Value::Null => Value::from(()),
        compute::Value::Bool(b) => Value::from(*b),
        compute::Value::Int(i) => Value::from(*i),
        compute::Value::Float(f) => Value::from(*f),
        compute::Value::Text(s) => Value::from(s.as_str()),
        compute::Value::Date(d) => Value::from(d.to_string()),
        compute::Value::Suppressed(marker) => Value::from(marker.as_str()),
    }
}

/// `{{ tables.x | table }}`: a GFM table with the declared labels, en-GB
/// number formats and right-aligned numeric columns, and the totals row the
/// publish stage computed. Cells are escaped.
pub fn table_filter(value: Value) -> Result<Value, Error> {
    let Some(t) = value.downcast_object_ref::<TableObject>() else {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "filter `table` expects a table from `tables`, e.g. `tables.rates_by_district | table`",
        ));
    };
    let display = &t.display;
    let t = &t.table;
    let mut md = String::from("\n|");
    for c in &t.columns {
        md += &format!(" {} |", escape_markdown(&c.label));
    }
    md += "\n|";
    for c in &t.columns {
        md += if c.format == Format::Text {
            " :-- |"
        } else {
            " --: |"
        };
    }
    for row in &t.rows {
        md += "\n|";
        for (c, v) in t.columns.iter().zip(row) {
            md += &format!(" {} |", escape_markdown(&format_cell(v, c.format)));
        }
    }
    if !t.totals.is_empty() {
        md += "\n|";
        for (i, c) in t.columns.iter().enumerate() {
            let cell = if let Some(total) = t.totals.get(&c.name) {
                format_cell(total, c.format)
            } else if i == 0 {
                display.total_label.clone()
            } else {
                String::new()
            };
            md += &format!(" {} |", escape_markdown(&cell));
        }
    }
    md += "\n\n";
    // Caption, totals and size travel to the document as an image marker
    // right after the table (data cannot forge one: `!`, `[` and `(` in
    // values are escaped).
    let mut flags = Vec::new();
    if !t.totals.is_empty() {
        flags.push("totals");
    }
    if display.small {
        flags.push("small");
    }
    if display.landscape {
        flags.push("landscape");
    }
    if display.caption.is_some() || !flags.is_empty() {
        md += &format!(
            "![{}]({}{})\n\n",
            escape_markdown(display.caption.as_deref().unwrap_or_default()),
            super::markdown::TABLE_MARKER,
            flags.join("+")
        );
    }
    Ok(Value::from_safe_string(md))
}

/// Escapes text so that Markdown shows it literally: every ASCII punctuation
/// character is backslash-escaped, line breaks become spaces and control
/// characters (other than tab) are dropped.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_characters() {
        assert_eq!(
            escape_markdown("*a* #1 <b> | [x](y)"),
            r"\*a\* \#1 \<b\> \| \[x\]\(y\)"
        );
        assert_eq!(escape_markdown("a\nb\u{7}c"), "a bc");
        assert_eq!(escape_markdown("שלום 🙂"), "שלום 🙂");
    }
}
