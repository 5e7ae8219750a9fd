//! The reader in blocks against the reader in one pass, at tiny block
//! sizes (in production a block is [`BLOCK`]: no user sets it), so that
//! every block boundary falls at every byte of each file: inside a quoted
//! line break, between `\r` and `\n`, on a lone `\r`, inside a byte-order
//! mark or a multi-byte character, inside a record longer than a block.

use std::path::Path;

use super::super::tests::{absent, big, cols, in_parts};
use super::super::{read_in_blocks, Table};
use super::BLOCK;
use crate::error::Result;

/// The problems of a read as `LINE:COLUMN column` (or the whole message,
/// for one that names no cell), in the order reported (column by
/// column), or the table's lines.
fn located(r: Result<Table>) -> Vec<String> {
    match r {
        Ok(t) => t.lines.iter().map(|l| format!("row {l}")).collect(),
        Err(e) => e
            .all()
            .map(|e| {
                let e = e.to_string();
                match e.split_once(": column `") {
                    Some((at, rest)) => {
                        let name = rest.split('`').next().unwrap_or_default();
                        format!("{} {name}", at.trim_start_matches("d.csv:"))
                    }
                    None => e,
                }
            })
            .collect(),
    }
}

fn in_blocks(text: &[u8], block: usize, n: usize) -> Result<Table> {
    read_in_blocks(text, Path::new("d.csv"), &cols(), &absent, None, (block, n))
}

/// `text` read whole and in blocks of every size up to its length (and
/// one past it), in one to three parts a block: every read locates its
/// problems (or keeps its rows) as `expected` says.
fn every_block_size_locates(text: &[u8], expected: &[&str]) {
    let one = located(in_parts(text, 1));
    assert_eq!(one, expected, "one pass");
    for block in 1..=text.len() + 1 {
        for n in 1..=3 {
            let got = located(in_blocks(text, block, n));
            assert_eq!(got, expected, "block {block}, {n} parts");
        }
    }
}

#[test]
fn a_block_is_large_and_fixed() {
    // Not a user's knob: large enough that a block splits into a part
    // per core, small beside the frame built from it.
    assert_eq!(BLOCK, 64 << 20);
}

#[test]
fn quoted_line_breaks_cut_by_a_block_keep_their_lines() {
    let text = b"id,age,when\n\"a\nb\nc\",x,2019-04-01\nd,y,2019-04-01\n";
    every_block_size_locates(text, &["4:4 age", "5:3 age"]);
    let text = b"id,age,when\n\"a\r\nb\",1,2019-02-30\r\nd,y,2019-04-01\r\n";
    every_block_size_locates(text, &["4:3 age", "3:6 when"]);
}

#[test]
fn a_crlf_cut_between_its_bytes_is_one_line_break() {
    let text = b"id,age,when\r\na,x,2019-04-01\r\n\r\nb,y,2019-04-01\r\nc,1,2019-04-01\r\n";
    every_block_size_locates(text, &["2:3 age", "4:3 age"]);
    every_block_size_locates(
        b"id,age,when\r\na,1,2019-04-01\r\n\r\nb,2,2019-04-01\r\n",
        &["row 2", "row 4"],
    );
}

#[test]
fn a_lone_cr_ends_a_line_at_any_block_boundary() {
    // A file saved as "CSV (Macintosh)": `\r` alone, blank lines too.
    let text = b"id,age,when\ra,x,2019-04-01\r\rb,y,2019-04-01\r";
    every_block_size_locates(text, &["2:3 age", "4:3 age"]);
    // Inside quotes a lone `\r` is a line break in the value; a `\r`
    // ending the file, or a block, may be followed by a `\n` or not.
    let text = b"id,age,when\r\n\"q\rr\",x,2019-04-01\r\"s\r\r\n\",y,2019-04-01\r";
    every_block_size_locates(text, &["3:4 age", "6:3 age"]);
    every_block_size_locates(b"id,age,when\ra,1,2019-04-01\r", &["row 2"]);
}

#[test]
fn a_byte_order_mark_cut_by_a_block_is_still_the_header_s() {
    let text = b"\xEF\xBB\xBFid,age,when\na,x,2019-04-01\n";
    every_block_size_locates(text, &["2:3 age"]);
    // On a data row it is part of the value (one character); after blank
    // lines it is part of the header's first name (as the `csv` crate
    // reads it), which then names no declared column.
    let text = b"\xEF\xBB\xBFid,age,when\r\n\xEF\xBB\xBFa,x,2019-04-01\n";
    every_block_size_locates(text, &["2:4 age"]);
    let text = b"\r\n\n\xEF\xBB\xBFid,age,when\r\na,x,2019-04-01\n";
    every_block_size_locates(text, &["absent 0"]);
}

#[test]
fn a_character_cut_by_a_block_counts_as_one_column() {
    let text = "id,age,when\ncafé,x,2019-04-01\n\"é\nüé\",y,2019-04-01\n€€€,1,2019-02-30\n";
    every_block_size_locates(text.as_bytes(), &["2:6 age", "4:5 age", "5:7 when"]);
}

#[test]
fn a_record_longer_than_a_block_is_read_whole() {
    let long = "z".repeat(300);
    let text = format!("id,age,when\n\"{long}\n{long}\",x,2019-04-01\n{long},y,2019-04-01\n");
    every_block_size_locates(text.as_bytes(), &["3:303 age", "4:302 age"]);
}

#[test]
fn a_quote_inside_an_unquoted_value_opens_nothing() {
    // `a"b` is a value with a quote in it: the fields after it are on its
    // line, and placing them never reads past the record (the next block).
    let text = b"id,age,when\na\"b,\"x\ry\",2019-13-01\nc\"\",z,2019-04-01\nd,1,2019-04-01\n";
    every_block_size_locates(text, &["2:5 age", "4:5 age", "3:4 when"]);
}

#[test]
fn blocks_of_any_size_give_what_one_pass_gives() {
    let render = |r: Result<Table>| match r {
        Ok(t) => format!("{:?} {:?}", t.frame, t.lines),
        Err(e) => {
            let all: Vec<String> = e.all().map(ToString::to_string).collect();
            format!("{all:?} {}", e.count())
        }
    };
    let mut quoted = big(400, 0);
    quoted.extend_from_slice(b"\"q\r\nr\",1,2019-04-01\r\n\r\rs,2,2019-04-02\r");
    let mut broken = big(400, 13);
    broken.extend_from_slice(b"z,1,\"2019-04-01\nz,2,2019-04-02\n\n\n");
    let header = b"\n\r\n\xEF\xBB\xBF\"id\",\"a\nge\",when\r\n\r\nx,1,2019-04-01".to_vec();
    for text in [
        big(300, 0),
        quoted,
        broken,
        header,
        b"".to_vec(),
        b"\n\n".to_vec(),
    ] {
        let one = render(in_parts(&text, 1));
        for block in [1, 2, 3, 7, 64, 1000, 1 << 20] {
            for n in [1, 2, 3] {
                let got = render(in_blocks(&text, block, n));
                assert_eq!(got, one, "block {block}, {n} parts");
            }
        }
    }
}

#[test]
fn a_binary_or_foreign_file_is_named_whatever_else_is_wrong() {
    let mut text = b"id,age,when\nx,y,z\n".to_vec();
    text.extend(std::iter::repeat_n(b'a', 500));
    text.extend_from_slice(b"\0\n");
    for block in [4, 16, 1 << 20] {
        let e = in_blocks(&text, block, 2).unwrap_err().to_string();
        assert!(e.contains("it looks like a binary file"), "{block}: {e}");
        let e = in_blocks(b"PAR1\0abc", 3, 1).unwrap_err().to_string();
        assert!(e.contains("a Parquet file"), "{e}");
    }
}

/// Gives `good` bytes of `text`, then fails.
struct FailsAfter<'a> {
    text: &'a [u8],
    good: usize,
}

impl std::io::Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.good).min(self.text.len());
        if n == 0 && self.good == 0 {
            return Err(std::io::Error::other("disk on fire"));
        }
        buf[..n].copy_from_slice(&self.text[..n]);
        (self.text, self.good) = (&self.text[n..], self.good - n);
        Ok(n)
    }
}

#[test]
fn a_read_that_fails_part_way_is_said_once_whatever_the_block() {
    let text = big(300, 0);
    for good in [0, 5, 100, text.len() / 2] {
        for block in [7, 64, 1 << 20] {
            let mut source = FailsAfter { text: &text, good };
            let input = super::Input::blocks(&mut source, block);
            let e = super::read(input, Path::new("d.csv"), &cols(), &absent, None, (2, 1));
            let e = e.unwrap_err();
            let all: Vec<String> = e.all().map(ToString::to_string).collect();
            assert_eq!(
                all,
                ["d.csv: cannot read the file: disk on fire"],
                "{good} {block}"
            );
        }
    }
}
