//! Bytes to the places an editor shows, worked out only for what is
//! reported: the reader's hot loop keeps byte offsets (and a line count per
//! record, which costs one addition); the column of a bad cell, the line
//! of a part's first record and the header's line are found here, from the
//! file's bytes, when they are needed.

use std::path::Path;

use crate::error::{Error, ErrorKind, Result};

/// The line breaks in `bytes[..end]` as an editor counts them: each `\n`,
/// and each `\r` not followed by one (a file saved as "CSV (Macintosh)"
/// ends its lines with `\r` alone).
pub(super) fn line_breaks(bytes: &[u8], end: usize) -> u64 {
    let lf = memchr::memchr_iter(b'\n', &bytes[..end]).count();
    let cr = memchr::memchr_iter(b'\r', &bytes[..end]);
    let lone = cr.filter(|&i| bytes.get(i + 1) != Some(&b'\n')).count();
    (lf + lone) as u64
}

/// The line of the first record at or after byte `at` (past any blank
/// lines): 1 + the line breaks before it.
pub(super) fn line_at(bytes: &[u8], mut at: usize, file: &Path) -> Result<u32> {
    while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
        at += 1;
    }
    let line = 1 + line_breaks(bytes, at.min(bytes.len()));
    u32::try_from(line).map_err(|_| too_many_lines(file))
}

/// The error for a file with more lines than a row's line number holds.
pub(super) fn too_many_lines(file: &Path) -> Error {
    Error::new(
        ErrorKind::Data,
        "the file has more than 4,294,967,295 lines",
    )
    .in_file(file)
    .with_hint("split the file; one source reads at most 4,294,967,295 lines")
}

/// Where field `field` of the record that starts at byte `start` of
/// `bytes` (on line `line`) starts as an editor shows it: (line, column),
/// both 1-based; the column counts characters. A quoted value holding line
/// breaks moves the fields after it to later lines.
///
/// The record is walked as `csv_core` splits it (see [`Walk`]), so the walk
/// ends where the record does: a `"` inside an unquoted value is a
/// character, not the start of a quoted one, and no byte past the record
/// is read (a reader that holds one block of the file places a cell
/// exactly as one that holds the whole file). `(line, 1)` if the record
/// has no such field.
pub(super) fn place(bytes: &[u8], start: usize, line: u32, field: usize) -> (u32, u32) {
    let (mut at_line, mut line_start, mut at) = (line, start, 0);
    let mut walk = Walk::FieldStart;
    let mut i = start;
    while at < field && i < bytes.len() {
        let b = bytes[i];
        walk = match (walk, b) {
            (Walk::Quoted, b'"') => Walk::QuoteInQuoted,
            (Walk::Quoted, b'\n' | b'\r') => {
                // `\r\n` is one line break, counted at its `\n`.
                if b == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
                    at_line += 1;
                    line_start = i + 1;
                }
                Walk::Quoted
            }
            (Walk::Quoted, _) => Walk::Quoted,
            (Walk::FieldStart, b'"') | (Walk::QuoteInQuoted, b'"') => Walk::Quoted,
            (_, b',') => {
                at += 1;
                Walk::FieldStart
            }
            // The record's terminator.
            (_, b'\n' | b'\r') => break,
            _ => Walk::Unquoted,
        };
        i += 1;
    }
    if at < field {
        return (line, 1);
    }
    let col = String::from_utf8_lossy(&bytes[line_start..i])
        .chars()
        .count();
    (at_line, u32::try_from(col + 1).unwrap_or(u32::MAX))
}

/// Where [`place`] is in a record, as `csv_core` reads one (`"` quoting
/// with `""` inside): a `"` opens a quoted value only as a field's first
/// byte, and after the closing `"` the rest of the field is read as
/// unquoted text (`"ab"c` is `abc`).
#[derive(Clone, Copy)]
enum Walk {
    FieldStart,
    Unquoted,
    Quoted,
    /// A `"` inside a quoted value: it closes it, or a second `"` follows.
    QuoteInQuoted,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_count_characters_and_quoted_line_breaks() {
        let text = "h\n\"a\r\nb\",é,x\n".as_bytes();
        assert_eq!(place(text, 2, 2, 0), (2, 1));
        assert_eq!(place(text, 2, 2, 1), (3, 4));
        assert_eq!(place(text, 2, 2, 2), (3, 6), "é is one character");
        assert_eq!(place(text, 2, 2, 5), (2, 1), "no such field");
        assert_eq!(line_breaks(b"a\rb\r\nc\n", 7), 3);
        assert_eq!(line_at(b"\r\n\nh", 0, Path::new("f")).unwrap(), 3);
    }

    #[test]
    fn places_read_a_record_as_csv_core_splits_it_and_no_further() {
        // A `"` inside an unquoted value, and text after a closing quote.
        let text = "a\"b,\"x\ry\",z\n\"c\"d,é\n".as_bytes();
        assert_eq!(place(text, 0, 2, 1), (2, 5));
        assert_eq!(place(text, 0, 2, 2), (3, 4), "after a quoted lone \\r");
        assert_eq!(place(text, 0, 2, 3), (2, 1), "the record has 3 fields");
        assert_eq!(place(text, 12, 4, 1), (4, 6));
        // Only the record's own bytes are read: a reader holding the file
        // up to the record's end places it the same.
        let end = 12;
        for field in 0..4 {
            assert_eq!(place(&text[..end], 0, 2, field), place(text, 0, 2, field));
        }
    }
}
