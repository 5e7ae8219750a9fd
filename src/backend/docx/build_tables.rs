//! Tables and definition lists as Word tables.

use super::*;

/// The definition list's label column takes 30 % of the text width.
const TERM_SHARE: usize = 30;

impl Builder {
    /// A full-width table in the `TableGrid` style with equal columns; the
    /// header row is bold and (via the passes) repeats on each page.
    pub(super) fn table(&mut self, table: &Table) -> WordTable {
        let columns = table
            .rows
            .iter()
            .map(Vec::len)
            .chain([table.align.len(), table.header.len()])
            .max()
            .unwrap_or(0)
            .max(1);
        let widths = vec![TEXT_WIDTH / columns; columns];
        let plain = Runs {
            small: table.small,
            ..Runs::default()
        };
        let bold = Runs {
            bold: true,
            ..plain
        };
        let mut rows = vec![self.row(&table.header, &table.align, &widths, bold)];
        for row in &table.rows {
            rows.push(self.row(row, &table.align, &widths, plain));
        }
        if let Some(totals) = &table.totals {
            rows.push(self.row(totals, &table.align, &widths, bold));
        }
        self.header_tables.push(true);
        full_width(rows, widths)
    }

    /// A two-column table (term | entries, one paragraph per entry) with no
    /// header row, for the bibliography and contact rows.
    pub(super) fn definitions(&mut self, defs: &[Definition]) -> WordTable {
        let term = TEXT_WIDTH * TERM_SHARE / 100;
        let widths = vec![term, TEXT_WIDTH - term];
        let mut rows = Vec::new();
        for def in defs {
            let label = self.paragraph(&def.term, Runs::default());
            let mut entries = TableCell::new().width(widths[1], WidthType::Dxa);
            for entry in &def.entries {
                entries = entries.add_paragraph(self.paragraph(entry, Runs::default()));
            }
            if def.entries.is_empty() {
                // A cell must hold at least one paragraph.
                entries = entries.add_paragraph(Paragraph::new());
            }
            let label = TableCell::new()
                .width(widths[0], WidthType::Dxa)
                .add_paragraph(label);
            rows.push(TableRow::new(vec![label, entries]));
        }
        self.header_tables.push(false);
        full_width(rows, widths)
    }

    /// One row with exactly `widths.len()` cells (short rows are padded), each
    /// cell's paragraph aligned as its column.
    fn row(
        &mut self,
        cells: &[Vec<Inline>],
        align: &[Align],
        widths: &[usize],
        runs: Runs,
    ) -> TableRow {
        let cells = (0..widths.len())
            .map(|i| {
                let content = cells.get(i).map(Vec::as_slice).unwrap_or(&[]);
                let mut p = self.paragraph(content, runs);
                if let Some(jc) = alignment(align.get(i).copied().unwrap_or_default()) {
                    p = p.align(jc);
                }
                TableCell::new()
                    .width(widths[i], WidthType::Dxa)
                    .add_paragraph(p)
            })
            .collect();
        TableRow::new(cells)
    }
}

/// Word's paragraph alignment for a column; left is the default and is not
/// written.
fn alignment(align: Align) -> Option<AlignmentType> {
    match align {
        Align::Left => None,
        Align::Center => Some(AlignmentType::Center),
        Align::Right => Some(AlignmentType::Right),
    }
}

/// A table spanning the text width (100 % = 5000 fiftieths of a percent),
/// borders from the table style rather than direct formatting.
fn full_width(rows: Vec<TableRow>, widths: Vec<usize>) -> WordTable {
    WordTable::without_borders(rows)
        .style("TableGrid")
        .width(5000, WidthType::Pct)
        .set_grid(widths)
}
