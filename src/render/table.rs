//! Computed values as MiniJinja objects, and the Markdown escaping that keeps
//! data from ever becoming markup.

use std::sync::{Arc, Mutex};

use minijinja::value::{Enumerator, Object, Value};
use minijinja::{Error, ErrorKind};

use super::value::{cell_value, Missing, MissingUses};
use crate::compute;
use crate::doc;
use crate::format::Format;
use crate::params::FinancialYear;
use crate::publish::{Cell, PublishedTable};
use crate::value::Value as Computed;

/// A published table as templates see it: `t.rows` (maps by column name),
/// `t.columns` (names), `t.previous` (the same table for the previous period)
/// and `t | table` (the typed table, placed in the document).
#[derive(Debug)]
pub(crate) struct TableObject {
    /// The table's name.
    pub name: String,
    /// This period's published rows and totals.
    pub table: PublishedTable,
    /// The previous period's table, `Err` if that period has no data,
    /// `None` if the report has no period.
    pub previous: Option<Result<PublishedTable, FinancialYear>>,
    /// Where uses of a missing previous table are recorded.
    pub uses: MissingUses,
    /// Caption and size from the spec.
    pub display: Arc<TableDisplay>,
    /// Where `| table` puts the typed tables it places.
    pub placed: PlacedTables,
}

/// How the spec asks for a table to be shown.
#[derive(Debug, Clone, Default)]
pub(crate) struct TableDisplay {
    /// The rendered caption text (numbered "Table N" once the whole
    /// document is assembled).
    pub caption: Option<String>,
    /// The totals row's label.
    pub total_label: String,
    /// Smaller font.
    pub small: bool,
    /// On a landscape page.
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
                    placed: self.placed.clone(),
                })),
                Err(_) => {
                    self.uses.record(format!("tables.{}.previous", self.name));
                    Some(Value::from_object(Missing))
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
                            .map(|(c, v)| (c.name.clone(), cell_value(v)));
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

/// `{{ tables.x | table }}`: places the published table in the document as
/// a typed table ([`doc::Table`]: declared labels, en-GB formats, numbers
/// right-aligned, the totals row the publish stage computed). The Markdown
/// gets only a placeholder (`![](boardpack:table/N)`, which data cannot
/// forge: `!`, `[` and `(` in values are escaped) that the Markdown pass
/// swaps for table `N` of [`PlacedTables`].
pub(crate) fn table_filter(value: Value) -> Result<Value, Error> {
    let Some(t) = value.downcast_object_ref::<TableObject>() else {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "filter `table` expects a table from `tables`, e.g. `tables.rates_by_district | table`",
        ));
    };
    if t.table.rows.is_empty() {
        // A table of only headers (and a total of 0) reads as a finding;
        // an empty result is almost always a filter that matched nothing.
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "table `{name}` has no rows (its query returned none), so it would print as headers only; check the query's filter, or place it only when there are rows: `{{% if tables.{name}.rows %}}{{{{ tables.{name} | table }}}}{{% else %}}…{{% endif %}}`",
                name = t.name
            ),
        ));
    }
    let mut typed = typed_table(&t.table, &t.display);
    typed.source = Some(t.name.clone());
    let index = t.placed.push(typed);
    Ok(Value::from_safe_string(format!(
        "\n\n![]({}{index})\n\n",
        super::markdown::TABLE_MARKER
    )))
}

/// The typed tables `table` placed, in the order templates placed them
/// (shared by the body and the summary, so placeholders are unique).
#[derive(Debug, Clone, Default)]
pub(crate) struct PlacedTables(Arc<Mutex<Vec<doc::Table>>>);

impl PlacedTables {
    /// Adds a table; returns its index for the placeholder.
    fn push(&self, t: doc::Table) -> usize {
        let mut tables = self.0.lock().unwrap_or_else(|e| e.into_inner());
        tables.push(t);
        tables.len() - 1
    }

    /// Every table placed so far.
    pub(crate) fn tables(&self) -> Vec<doc::Table> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// A published table as a typed document table: each cell keeps its value
/// and the text its column's format gives it; the totals row (if any) has
/// the label in its first cell unless that column is totalled.
pub(crate) fn typed_table(t: &PublishedTable, display: &TableDisplay) -> doc::Table {
    let columns = t
        .columns
        .iter()
        .map(|c| doc::Column {
            label: vec![doc::Inline::Text(shown(&c.label))],
            align: if c.format == Format::Text {
                doc::Align::Left
            } else {
                doc::Align::Right
            },
            format: c.format,
            width: 0,
        })
        .collect();
    let cell = |v: &Cell, c: &compute::TableColumn| {
        let value = v.value().cloned().unwrap_or(Computed::Null);
        doc::Cell::new(value, shown(&v.format(c.format)))
    };
    let rows = t
        .rows
        .iter()
        .map(|row| t.columns.iter().zip(row).map(|(c, v)| cell(v, c)).collect())
        .collect();
    let totals = (!t.totals.is_empty()).then(|| {
        t.columns
            .iter()
            .enumerate()
            .map(|(i, c)| match t.totals.get(&c.name) {
                Some(total) => cell(total, c),
                None if i == 0 => doc::Cell::new(
                    Computed::Text(display.total_label.clone()),
                    shown(&display.total_label),
                ),
                None => doc::Cell::new(Computed::Null, ""),
            })
            .collect()
    });
    let mut table = doc::Table {
        columns,
        rows,
        totals,
        caption: display
            .caption
            .as_ref()
            .map(|c| doc::Caption::new(doc::CaptionKind::Table, c.clone())),
        landscape: display.landscape,
        small: display.small,
        source: None,
    };
    table.measure();
    table
}

/// Text as a cell shows it: one line (line breaks and tabs become spaces),
/// without control or bidirectional formatting characters, as the Markdown
/// pass cleans all other text ([`super::markdown::clean`]).
fn shown(text: &str) -> String {
    super::markdown::clean(text).replace(['\n', '\t'], " ")
}

/// Escapes text so that Markdown shows it literally: every ASCII punctuation
/// character is backslash-escaped, line breaks become spaces and control
/// characters (other than tab) are dropped.
pub(crate) fn escape_markdown(s: &str) -> String {
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

    fn published() -> PublishedTable {
        let column = |name: &str, format| compute::TableColumn {
            name: name.into(),
            label: format!("{name}\u{202E} label"),
            format,
        };
        PublishedTable {
            columns: vec![
                column("district", Format::Text),
                column("victims", Format::Integer),
                column("rate", Format::Decimal(1)),
            ],
            rows: vec![vec![
                Cell::Value(Computed::Text("South\nCambridgeshire *x*\u{7}".into())),
                Cell::Value(Computed::Int(12_345)),
                Cell::Suppressed("[c]".into()),
            ]],
            totals: [("victims".to_string(), Cell::Value(Computed::Int(12_345)))].into(),
        }
    }

    #[test]
    fn published_tables_become_typed_tables_with_values_and_shown_text() {
        let display = TableDisplay {
            caption: Some("Victims".into()),
            total_label: "All districts".into(),
            ..TableDisplay::default()
        };
        let t = typed_table(&published(), &display);
        let align: Vec<doc::Align> = t.columns.iter().map(|c| c.align).collect();
        assert_eq!(
            align,
            [doc::Align::Left, doc::Align::Right, doc::Align::Right]
        );
        assert_eq!(t.columns[1].format, Format::Integer);
        assert_eq!(doc::plain_text(&t.columns[0].label), "district label");
        let row = &t.rows[0];
        // Data stays literal text on one line, without control characters.
        assert_eq!(row[0].plain(), "South Cambridgeshire *x*");
        assert_eq!(row[1].value, Computed::Int(12_345));
        assert_eq!(row[1].plain(), "12,345");
        assert_eq!(row[2].plain(), "[c]");
        // A withheld cell carries its marker, never a value.
        assert_eq!(row[2].value, Computed::Null);
        let totals: Vec<String> = t
            .totals
            .as_ref()
            .unwrap()
            .iter()
            .map(doc::Cell::plain)
            .collect();
        assert_eq!(totals, ["All districts", "12,345", ""]);
        assert_eq!(
            t.caption.as_ref().map(|c| (c.number, c.text.as_str())),
            Some((0, "Victims"))
        );
        assert_eq!(t.columns[0].width, 24, "the longest shown text");
    }
}
