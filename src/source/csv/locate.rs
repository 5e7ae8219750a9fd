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
pub(super) fn place(bytes: &[u8], start: usize, line: u32, field: usize) -> (u32, u32) {
    let (mut at_line, mut line_start, mut at) = (line, start, 0);
    let mut quoted = false;
    let mut i = start;
    while at < field && i < bytes.len() {
        match bytes[i] {
            b'"' => quoted = !quoted,
            b',' if !quoted => at += 1,
            b'\n' if quoted => {
                at_line += 1;
                line_start = i + 1;
            }
            b'\r' if quoted && bytes.get(i + 1) != Some(&b'\n') => {
                at_line += 1;
                line_start = i + 1;
            }
            b'\n' => break,
            _ => {}
        }
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
}
