//! Parsed data files in the cache ([`crate::cache`], which knows nothing
//! of sources): a source file's typed frame (stored as
//! uncompressed Parquet, which keeps every Polars type and null) and the
//! editor line of each row, the rows read and the period column's extent,
//! keyed by the file's BLAKE3, the declared column rules and the rows kept
//! (a frame kept for one period is never served for another). Only a file
//! that parsed without a problem is stored; errors are always found by
//! parsing.

use std::io::Cursor;
use std::sync::Arc;

use polars::prelude::*;

use super::csv::Table;
use super::keep::Extent;
use crate::cache::{Cache, Fields, Key, Record};
use crate::error::Result;

/// The parsed CSV for `file_hash` under `rules` from `cache`, or `parse`d
/// (and kept for the next build).
pub(crate) fn csv(
    cache: &Cache,
    file_hash: &str,
    rules: &impl std::fmt::Debug,
    parse: impl FnOnce() -> Result<Table>,
) -> Result<Table> {
    if !cache.enabled() {
        return parse();
    }
    let key = Key::builder("csv")
        .add("file", file_hash.as_bytes())
        .debug("rules", rules)
        .finish();
    if let Some(table) = cache.get(&key).and_then(|entry| decode(&entry)) {
        return Ok(table);
    }
    let table = parse()?;
    if let Some(entry) = encode(&table) {
        cache.put(&key, entry);
    }
    Ok(table)
}

fn encode(table: &Table) -> Option<Vec<u8>> {
    let mut parquet = Vec::new();
    ParquetWriter::new(&mut parquet)
        .with_compression(ParquetCompression::Uncompressed)
        .finish(&mut table.frame.clone())
        .ok()?;
    let lines: Vec<u8> = table.lines.iter().flat_map(|l| l.to_le_bytes()).collect();
    let mut counts = (table.read as u64).to_le_bytes().to_vec();
    if let Some((first, last)) = table.extent.0 {
        counts.extend(first.to_le_bytes());
        counts.extend(last.to_le_bytes());
    }
    let mut r = Record::new();
    r.field(format!("{:?}", table.frame.schema()).as_bytes())
        .field(&parquet)
        .field(&lines)
        .field(&counts);
    Some(r.into_bytes())
}

/// The table back, only if it is exactly what was stored: the same schema
/// (names and types), one line number per row.
fn decode(entry: &[u8]) -> Option<Table> {
    let mut f = Fields::new(entry);
    let schema = f.text()?;
    let parquet = f.bytes()?;
    let lines = f.bytes()?;
    let counts = f.bytes()?;
    if !f.is_done() || lines.len() % 4 != 0 {
        return None;
    }
    let word = |i: usize| Some(u64::from_le_bytes(counts.get(i..i + 8)?.try_into().ok()?));
    let read = usize::try_from(word(0)?).ok()?;
    let extent = match counts.len() {
        8 => Extent(None),
        24 => Extent(Some((word(8)? as i64, word(16)? as i64))),
        _ => return None,
    };
    let frame = ParquetReader::new(Cursor::new(parquet)).finish().ok()?;
    let lines: Arc<[u32]> = lines
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let same = format!("{:?}", frame.schema()) == schema
        && frame.height() == lines.len()
        && lines.len() <= read;
    same.then_some(Table {
        frame,
        lines,
        read,
        extent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_type_and_null_round_trips_exactly() {
        let date = |d: i32| d;
        let frame = df!(
            "s" => [Some("a"), None, Some("ü\u{202e}")],
            "i" => [Some(1i64), Some(-7), None],
            "f" => [Some(0.1f64), None, Some(f64::MAX)],
            "b" => [Some(true), Some(false), None],
            "d" => [Some(date(18353)), None, Some(date(-1))],
        )
        .unwrap()
        .lazy()
        .with_column(col("d").cast(DataType::Date))
        .collect()
        .unwrap();
        let table = Table {
            frame,
            lines: Arc::from(vec![2u32, 3, 5]),
            read: 7,
            extent: Extent(Some((-1, 18353))),
        };
        let entry = encode(&table).unwrap();
        let back = decode(&entry).unwrap();
        assert!(back.frame.equals_missing(&table.frame));
        assert_eq!(back.frame.schema(), table.frame.schema());
        assert_eq!(back.lines, table.lines);
        assert_eq!((back.read, back.extent), (7, table.extent));
        let whole = Table::new(table.frame.clone(), table.lines.clone());
        let back = decode(&encode(&whole).unwrap()).unwrap();
        assert_eq!((back.read, back.extent), (3, Extent(None)));
    }

    #[test]
    fn a_hit_skips_the_parse_and_a_miss_parses() {
        let dir = tempfile::tempdir().unwrap();
        let table = || Table::new(df!("x" => [1i64, 2]).unwrap(), Arc::from(vec![2u32, 3]));
        let cache = crate::cache::for_tests(dir.path());
        let first = csv(&cache, "h", &"rules", || Ok(table())).unwrap();
        cache.flush();
        let cache = crate::cache::for_tests(dir.path());
        let again = csv(&cache, "h", &"rules", || panic!("parsed again")).unwrap();
        assert!(again.frame.equals_missing(&first.frame));
        let mut parsed = false;
        csv(&cache, "h", &"other rules", || {
            parsed = true;
            Ok(table())
        })
        .unwrap();
        assert!(parsed, "other rules are another key");
    }
}
