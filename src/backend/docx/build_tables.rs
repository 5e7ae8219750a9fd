//! Tables and definition lists as Word tables.

use super::*;

/// The definition list's label column takes 30 % of the text width.
const TERM_SHARE: usize = 30;

/// Twips per character of a table's text at the body size (11pt Arial):
/// 0.55 em, a little over Arial's average advance, so measured text fits.
const CHAR_TWIPS: usize = 121;
/// The same for `small` tables (9pt).
const SMALL_CHAR_TWIPS: usize = 99;
/// A cell's left and right margins together (Word's default 0.19 cm each).
const CELL_PADDING: usize = 216;
/// No column is narrower than this (about 1 cm).
const MIN_COLUMN: usize = 567;

impl Builder {
    /// A full-width table in the `TableGrid` style, fixed layout, with column
    /// widths from its content (see [`column_widths`]); the header row is
    /// bold and (via the passes) repeats on each page, the totals row is
    /// bold, each column aligned as declared (numbers right).
    pub(super) fn table(&mut self, table: &Table) -> WordTable {
        let align: Vec<Align> = table.columns.iter().map(|c| c.align).collect();
        let widths = column_widths(table);
        let plain = Runs {
            small: table.small,
            ..Runs::default()
        };
        let bold = Runs {
            bold: true,
            ..plain
        };
        let header: Vec<&[Inline]> = table.columns.iter().map(|c| c.label.as_slice()).collect();
        fn cells(row: &[Cell]) -> Vec<&[Inline]> {
            row.iter().map(|c| c.text.as_slice()).collect()
        }
        let mut rows = vec![self.row(&header, &align, &widths, bold)];
        for row in &table.rows {
            rows.push(self.row(&cells(row), &align, &widths, plain));
        }
        if let Some(totals) = &table.totals {
            rows.push(self.row(&cells(totals), &align, &widths, bold));
        }
        self.header_tables.push(true);
        full_width(rows, widths).layout(TableLayoutType::Fixed)
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
        cells: &[&[Inline]],
        align: &[Align],
        widths: &[usize],
        runs: Runs,
    ) -> TableRow {
        let cells = (0..widths.len())
            .map(|i| {
                let content = cells.get(i).copied().unwrap_or(&[]);
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

/// Column widths in twips that add up to the text width: each column gets
/// its natural width (its width hint in characters, plus the cell margins)
/// and the room left over is shared in proportion, so short labels such as
/// "South Cambridgeshire" never wrap when the page has room. When the
/// natural widths do not fit, columns narrower than an equal share of what
/// remains keep their width and only the wider ones are narrowed.
pub(super) fn column_widths(table: &Table) -> Vec<usize> {
    let per_char = if table.small {
        SMALL_CHAR_TWIPS
    } else {
        CHAR_TWIPS
    };
    let natural: Vec<usize> = table
        .columns
        .iter()
        .map(|c| (c.width * per_char + CELL_PADDING).max(MIN_COLUMN))
        .collect();
    if natural.is_empty() {
        return vec![TEXT_WIDTH];
    }
    let total: usize = natural.iter().sum();
    let mut widths = if total <= TEXT_WIDTH {
        let spare = TEXT_WIDTH - total;
        natural.iter().map(|w| w + spare * w / total).collect()
    } else {
        shrink(&natural, TEXT_WIDTH)
    };
    // Rounding leaves a few twips; the last column takes them.
    let sum: usize = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last = (*last + TEXT_WIDTH).saturating_sub(sum);
    }
    widths
}

/// Fits `natural` widths into `room`: columns that fit an equal share keep
/// their width; the others share what is left equally.
fn shrink(natural: &[usize], room: usize) -> Vec<usize> {
    let mut fixed = vec![false; natural.len()];
    loop {
        let left = room
            - natural
                .iter()
                .zip(&fixed)
                .filter(|(_, f)| **f)
                .map(|(w, _)| w)
                .sum::<usize>();
        let open = fixed.iter().filter(|f| !**f).count().max(1);
        let share = left / open;
        let mut changed = false;
        for (i, w) in natural.iter().enumerate() {
            if !fixed[i] && *w <= share {
                fixed[i] = true;
                changed = true;
            }
        }
        if !changed {
            return natural
                .iter()
                .zip(&fixed)
                .map(|(w, f)| if *f { *w } else { share })
                .collect();
        }
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

/// A table spanning the text width, borders from the table style rather
/// than direct formatting.
fn full_width(rows: Vec<TableRow>, widths: Vec<usize>) -> WordTable {
    WordTable::without_borders(rows)
        .style("TableGrid")
        .width(widths.iter().sum(), WidthType::Dxa)
        .set_grid(widths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Column;

    fn table(widths: &[usize]) -> Table {
        Table {
            columns: widths
                .iter()
                .map(|&width| Column {
                    width,
                    ..Column::default()
                })
                .collect(),
            ..Table::default()
        }
    }

    #[test]
    fn widths_fill_the_text_width_and_fit_the_longest_text() {
        let w = column_widths(&table(&[20, 7, 9, 6]));
        assert_eq!(w.iter().sum::<usize>(), TEXT_WIDTH);
        // "South Cambridgeshire" (20 characters) fits without wrapping.
        assert!(w[0] >= 20 * CHAR_TWIPS + CELL_PADDING, "{w:?}");
        assert!(w[0] > w[1] && w[2] > w[1], "{w:?}");
    }

    #[test]
    fn too_wide_tables_narrow_only_the_widest_columns() {
        let w = column_widths(&table(&[120, 5, 5]));
        assert_eq!(w.iter().sum::<usize>(), TEXT_WIDTH);
        assert_eq!(w[1], 5 * CHAR_TWIPS + CELL_PADDING);
        assert_eq!(w[2], 5 * CHAR_TWIPS + CELL_PADDING);
    }
}
