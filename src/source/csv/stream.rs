//! The reader's outer loop: a file a block at a time, so its bytes are
//! never all in memory at once.
//!
//! Each block (the bytes left over from the last, then up to
//! [`BLOCK`] more) is read in parts on parallel threads ([`super::parts`]).
//! The last part stops before a record that may go on past the block's
//! end (one that reaches the end, or a `\r` there that a `\n` may follow),
//! and those bytes are carried into the next block, so every record is
//! split from its first byte to its terminator exactly as in one pass over
//! the whole file, quoted line breaks included. Lines carry over by count;
//! a bad cell is placed (line, column) while its block is in memory.
//!
//! A file already in memory is one block.

use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;

use self::feed::Fed;
use super::part::{self, Context, Part};
use super::Table;
use super::{csv_reader, finish, locate, next_record, parts, unclosed_quote, ColumnRule, Header};
use crate::error::{Error, ErrorKind, Result};
use crate::source::keep::KeepRows;

/// How much is read at a time: large enough that each block splits into
/// a part per core and its chunks stay few (a ten-million-row file of a
/// gigabyte makes fifteen), small beside the frame built from it.
pub(crate) const BLOCK: usize = 64 << 20;

/// Where the bytes come from: all of them at once, or a reader read a
/// block at a time (on a thread of its own, a block ahead of the parse:
/// see [`feed`]).
pub(super) enum Input<'a> {
    Whole(&'a [u8]),
    Blocks {
        source: &'a mut (dyn Read + Send),
        block: usize,
    },
}

impl<'a> Input<'a> {
    /// `source` read `block` bytes at a time (at least one).
    pub(super) fn blocks(source: &'a mut (dyn Read + Send), block: usize) -> Input<'a> {
        Input::Blocks {
            source,
            block: block.max(1),
        }
    }
}

/// The bytes being read: a whole file, or the blocks fed so far and not
/// yet let go.
enum Held<'a> {
    Whole(&'a [u8]),
    Fed(Fed),
}

impl Held<'_> {
    /// The bytes read and not yet let go.
    fn bytes(&self) -> &[u8] {
        match self {
            Held::Whole(bytes) => bytes,
            Held::Fed(fed) => fed.bytes(),
        }
    }

    /// Whether the bytes run to the end of the file.
    fn at_end(&self) -> bool {
        match self {
            Held::Whole(_) => true,
            Held::Fed(fed) => fed.at_end(),
        }
    }

    /// Whether a NUL byte was read: the file is not text.
    fn binary(&self) -> bool {
        match self {
            Held::Whole(bytes) => memchr::memchr(0, bytes).is_some(),
            Held::Fed(fed) => fed.binary(),
        }
    }

    /// Adds the next block to the end of the bytes (at least as much as
    /// is held, so a record longer than a block is read in doublings, not
    /// re-split once per block).
    fn more(&mut self) -> io::Result<()> {
        match self {
            Held::Whole(_) => Ok(()),
            Held::Fed(fed) => fed.more(),
        }
    }

    /// Lets go of the first `n` bytes.
    fn consume(&mut self, n: usize) {
        if let Held::Fed(fed) = self {
            fed.consume(n);
        }
    }

    /// Reads the rest of the file (the hash needs every byte, and a NUL
    /// byte anywhere means the file is not text), keeping none of it.
    fn drain(&mut self) -> io::Result<()> {
        while !self.at_end() {
            let held = self.bytes().len();
            self.consume(held);
            self.more()?;
        }
        Ok(())
    }
}

/// Reads the CSV file `input` (see [`super::read`]) in blocks, each in up
/// to `threads` parts of at least `min_part` bytes. A file read from a
/// reader is read on a thread of its own, the next block while this one is
/// parsed.
pub(super) fn read(
    input: Input,
    file: &Path,
    columns: &[ColumnRule],
    absent: &dyn Fn(usize, &[&str]) -> Error,
    keep: Option<&KeepRows>,
    split: (usize, usize),
) -> Result<Table> {
    let declared = (file, columns, absent, keep);
    match input {
        Input::Whole(bytes) => read_held(Held::Whole(bytes), declared, split),
        Input::Blocks { source, block } => feed::feeding(source, block, |fed| {
            read_held(Held::Fed(fed), declared, split)
        }),
    }
}

/// [`read`] from the bytes `held`.
fn read_held(mut held: Held, declared: Declared, split: (usize, usize)) -> Result<Table> {
    let file = declared.0;
    let mut signature = None;
    let read = read_blocks(&mut held, &mut signature, declared, split);
    // Whatever was found, the file is read to its end: a NUL byte anywhere
    // makes it "not a CSV file", which is said instead of anything else.
    let drained = held.drain();
    if let Some(what) = signature.or(held.binary().then_some("a binary file")) {
        return Err(super::not_csv_error(what, file));
    }
    drained.map_err(|e| unreadable(file, &e))?;
    read
}

/// The file, its declared columns, the error for one that is absent and
/// the rows to keep.
type Declared<'a> = (
    &'a Path,
    &'a [ColumnRule],
    &'a dyn Fn(usize, &[&str]) -> Error,
    Option<&'a KeepRows>,
);

/// The header, then every block's records: the table or every problem.
/// Stops early (with any error: [`read`] says what the file is instead)
/// once the file is known not to be text.
fn read_blocks(
    input: &mut Held,
    signature: &mut Option<&'static str>,
    (file, columns, absent, keep): Declared,
    split: (usize, usize),
) -> Result<Table> {
    let not_text = || Error::new(ErrorKind::Data, "not text");
    while input.bytes().len() < 8 && !input.at_end() {
        input.more().map_err(|e| unreadable(file, &e))?;
    }
    *signature = super::signature(input.bytes());
    if signature.is_some() || input.binary() {
        return Err(not_text());
    }
    let (header, mut last, mut at, mut line) = loop {
        let bytes = input.bytes();
        let mut reader = csv_reader(bytes);
        let mut record = ::csv::ByteRecord::new();
        let found = next_record(&mut reader, &mut record, file)?;
        let end = reader.position().byte() as usize;
        // The header may go on in the next block.
        if !input.at_end() && (!found || end >= bytes.len()) {
            input.more().map_err(|e| unreadable(file, &e))?;
            if input.binary() {
                return Err(not_text());
            }
            continue;
        }
        if !found {
            return Err(Error::new(ErrorKind::Data, "the file is empty")
                .in_file(file)
                .with_hint("a CSV source needs a header row naming its columns"));
        }
        let header = Header::read((&record, bytes), file, columns, absent)?;
        let (byte, line) = record
            .position()
            .map_or((0, 1), |p| (p.byte() as usize, p.line()));
        let last = (line, unclosed_quote(&bytes[byte..end]));
        // The records start where the header's reader stopped.
        break (header, last, end, 1 + locate::line_breaks(bytes, end));
    };
    let mut done = Vec::new();
    loop {
        let more = !input.at_end();
        let bytes = input.bytes();
        let cx = Context {
            bytes,
            file,
            header: &header,
            columns,
            more,
            keep: part::Keep::of(columns, keep),
        };
        let read = read_block(&cx, at, line, split)?;
        for part in &read {
            if let Some((byte, line)) = part.last {
                last = (line, unclosed_quote(&bytes[byte as usize..part.stop.0]));
            }
        }
        let stop = read.last().map_or((at, line), |p| p.stop);
        done.extend(read);
        if !more {
            break;
        }
        input.consume(stop.0);
        (at, line) = (0, stop.1);
        input.more().map_err(|e| unreadable(file, &e))?;
        if input.binary() {
            return Err(not_text());
        }
    }
    finish(done, Some(last), file, columns)
}

/// Reads the records of `cx.bytes` from byte `at` (on line `line`) in up
/// to `threads` parts of at least `min_part` bytes, on parallel threads.
fn read_block(
    cx: &Context,
    at: usize,
    line: u64,
    (threads, min_part): (usize, usize),
) -> Result<Vec<Part>> {
    let text = &cx.bytes[at..];
    let n = threads.min(text.len() / min_part.max(1));
    let ranges: Vec<Range<usize>> = parts(text, n)
        .into_iter()
        .map(|r| r.start + at..r.end + at)
        .collect();
    // The other parts are read on their own threads while this one reads
    // the first; see [`parts`] for why each starts exactly at a record.
    std::thread::scope(|scope| {
        let others: Vec<_> = ranges[1..]
            .iter()
            .map(|range| {
                scope.spawn(move || {
                    // Its lines start that many line breaks later.
                    let before = locate::line_breaks(text, range.start - at);
                    part::read(cx, range.clone(), (0, line + before))
                })
            })
            .collect();
        let mut done = vec![part::read(cx, ranges[0].clone(), (0, line))?];
        for other in others {
            done.push(
                other
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))?,
            );
        }
        Ok(done)
    })
}

/// A read that failed part-way (the registry names the file's problem
/// when the reader was its stream).
fn unreadable(file: &Path, e: &io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("cannot read the file: {e}")).in_file(file)
}

/// Reads the CSV file at `path` through the input registry a block at a
/// time (its checks at open, its refusals made errors by `refused`) with
/// `read`, and gives the table and the file's BLAKE3, recorded by the
/// registry. The frames cache is keyed by that hash, so with the cache on
/// the file is hashed first (read through once, not kept) and parsed only
/// on a miss; the parse hashes what it reads again, and a file that
/// changed in between is refused.
pub(crate) fn read_registered(
    (inputs, cache): (&crate::inputs::Inputs, &crate::cache::Cache),
    (path, role): (&Path, &str),
    refused: &dyn Fn(crate::inputs::Refusal) -> Error,
    key: &impl std::fmt::Debug,
    read: &dyn Fn(&mut (dyn Read + Send)) -> Result<Table>,
) -> Result<(Table, String)> {
    let parse = || -> Result<(Table, String)> {
        let mut stream = inputs.open_data(path, role).map_err(refused)?;
        let table = read(&mut stream);
        // The registry's refusal (a failed read) comes before the reader's.
        let hash = inputs.close_data(stream).map_err(refused)?;
        Ok((table?, hash))
    };
    if !cache.enabled() {
        return parse();
    }
    let hash = inputs.hash_data(path, role).map_err(refused)?;
    let table = super::super::cached::csv(cache, &hash, key, || parse().map(|(t, _)| t))?;
    Ok((table, hash))
}

mod feed;
#[cfg(test)]
mod tests;
