//! A file's blocks read on a thread of their own, one block ahead of the
//! parse: the read (and the registry's hash of every byte, done as the
//! stream is read) of block `k + 1` runs while block `k` is parsed, where
//! before the parse waited for each block. At ten million rows (928 MB)
//! the parse had waited 0.4 s of the reader's 1.9 s for the reads, the
//! copies out of the page cache and the hash (benches/RESULTS.md).
//!
//! The reading thread is handed blocks by rendezvous: it reads one block
//! ahead and waits, so at most two blocks are in memory (the one being
//! parsed and the next), and their buffers are handed back to be read into
//! again, not freed and mapped afresh. Each block is read with room before
//! its bytes, where the few bytes the last block left (a record that goes
//! on) are put, so a block's bytes are never copied.
//!
//! Written by hand: a bounded channel and a scoped thread are all it
//! needs; the order of the bytes (and so the hash) is the stream's own,
//! since one thread reads them all, in order.

use std::io::{self, Read};
use std::sync::mpsc::{self, Receiver, SyncSender};

/// At most this much room before a block's bytes, for what the last block
/// left (a record rarely runs longer; if it does, the bytes are copied).
const ROOM: usize = 1 << 20;

/// A block as the reading thread hands it over: `bytes[at..]` was read;
/// `bytes[..at]` is room.
struct Block {
    bytes: Vec<u8>,
    at: usize,
    /// The file ended in (or right after) this block.
    last: bool,
    /// A NUL byte was read in it.
    nul: bool,
}

/// The bytes fed so far and not yet let go: `buf[start..]`.
pub(super) struct Fed {
    blocks: Receiver<io::Result<Block>>,
    /// Buffers let go of, for the reading thread to read into again.
    spent: SyncSender<Vec<u8>>,
    buf: Vec<u8>,
    start: usize,
    eof: bool,
    nul: bool,
}

/// Runs `parse` over the bytes of `source`, read `block` bytes at a time
/// on a thread of its own; `parse` must read to the end (its bytes are
/// then all of `source`'s, in order). The thread ends with the file, or
/// with a read error, which `parse` is given.
pub(super) fn feeding<T>(
    source: &mut (dyn Read + Send),
    block: usize,
    parse: impl FnOnce(Fed) -> T,
) -> T {
    let room = ROOM.min(block);
    let (to_parse, blocks) = mpsc::sync_channel(0);
    // Two buffers go round: the one parsed and the one read ahead.
    let (spent, to_reuse) = mpsc::sync_channel(2);
    std::thread::scope(|scope| {
        scope.spawn(move || read_ahead(source, (block, room), &to_parse, &to_reuse));
        parse(Fed {
            blocks,
            spent,
            buf: Vec::new(),
            start: 0,
            eof: false,
            nul: false,
        })
    })
}

/// The reading thread: block after block into a reused buffer (or a new
/// one), each handed over when asked for, until the file ends, a read
/// fails or the parse is gone.
fn read_ahead(
    source: &mut (dyn Read + Send),
    (block, room): (usize, usize),
    to_parse: &SyncSender<io::Result<Block>>,
    to_reuse: &Receiver<Vec<u8>>,
) {
    loop {
        let mut bytes = to_reuse
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(room + block));
        bytes.clear();
        bytes.resize(room, 0);
        bytes.reserve_exact(block);
        let read = (&mut *source).take(block as u64).read_to_end(&mut bytes);
        let sent = read.map(|n| Block {
            nul: memchr::memchr(0, &bytes[room..]).is_some(),
            last: n < block,
            bytes,
            at: room,
        });
        let go_on = matches!(&sent, Ok(b) if !b.last);
        if to_parse.send(sent).is_err() || !go_on {
            return;
        }
    }
}

impl Fed {
    /// The bytes fed and not yet let go.
    pub(super) fn bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// Whether the bytes run to the end of the file.
    pub(super) fn at_end(&self) -> bool {
        self.eof
    }

    /// Whether a NUL byte was read: the file is not text.
    pub(super) fn binary(&self) -> bool {
        self.nul
    }

    /// Lets go of the first `n` bytes.
    pub(super) fn consume(&mut self, n: usize) {
        self.start += n;
    }

    /// Adds blocks to the end of the bytes until at least as much as was
    /// held has come (one block, unless a record is longer than a block)
    /// or the file ends. After a failed read the file reads as ended (as
    /// the registry's stream does), so the failure is said once.
    pub(super) fn more(&mut self) -> io::Result<()> {
        let held = self.bytes().len();
        let mut got = 0;
        while !self.eof && (got == 0 || got < held) {
            let block = self
                .blocks
                .recv()
                .unwrap_or_else(|_| Err(io::Error::other("the file's reader stopped")))
                .inspect_err(|_| self.eof = true)?;
            self.eof = block.last;
            self.nul |= block.nul;
            got += block.bytes.len() - block.at;
            self.append(block);
        }
        Ok(())
    }

    /// Puts `block`'s bytes after the held ones: the held bytes into the
    /// room before the block's when they fit (the block is not copied),
    /// else the block's onto the end of the held.
    fn append(&mut self, block: Block) {
        let held = self.buf.len() - self.start;
        let spent = if held <= block.at {
            let mut bytes = block.bytes;
            let start = block.at - held;
            bytes[start..block.at].copy_from_slice(&self.buf[self.start..]);
            self.start = start;
            std::mem::replace(&mut self.buf, bytes)
        } else {
            self.buf.drain(..self.start);
            self.start = 0;
            self.buf.extend_from_slice(&block.bytes[block.at..]);
            block.bytes
        };
        // The reading thread may have two already, or be gone: then the
        // buffer is freed.
        let _ = self.spent.try_send(spent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte of `text`, read through [`feeding`] in blocks of `block`
    /// bytes, keeping `keep` bytes of each block's end for the next (as a
    /// record that goes on would be).
    fn fed(text: &[u8], block: usize, keep: usize) -> Vec<u8> {
        let mut source = text;
        feeding(&mut source, block, |mut fed| {
            let mut out = Vec::new();
            fed.more().unwrap();
            loop {
                let held = fed.bytes().len();
                let done = if fed.at_end() {
                    held
                } else {
                    held - keep.min(held)
                };
                out.extend_from_slice(&fed.bytes()[..done]);
                fed.consume(done);
                if fed.at_end() {
                    return out;
                }
                fed.more().unwrap();
            }
        })
    }

    #[test]
    fn every_byte_comes_once_in_order_whatever_is_carried_over() {
        let text: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
        for block in [1, 2, 3, 7, 64, 4999, 5000, 5001, 1 << 20] {
            // Carried bytes that fit the room before a block, and more.
            for keep in [0, 1, 2, 5, 100, 3000] {
                assert_eq!(fed(&text, block, keep), text, "block {block}, keep {keep}");
            }
        }
        assert_eq!(fed(b"", 8, 0), b"");
    }

    #[test]
    fn a_nul_byte_in_any_block_is_seen() {
        let mut text = [b'a'; 100];
        text[77] = 0;
        let mut source = &text[..];
        let nul = feeding(&mut source, 10, |mut fed| {
            while !fed.at_end() {
                let held = fed.bytes().len();
                fed.consume(held);
                fed.more().unwrap();
            }
            fed.binary()
        });
        assert!(nul);
    }

    /// Reads `good` bytes, then fails.
    struct Failing {
        good: usize,
    }

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.good == 0 {
                return Err(io::Error::other("disk on fire"));
            }
            let n = buf.len().min(self.good);
            buf[..n].fill(b'x');
            self.good -= n;
            Ok(n)
        }
    }

    #[test]
    fn a_failed_read_is_the_parse_s_error_after_the_bytes_before_it() {
        let mut source = Failing { good: 25 };
        let (bytes, error) = feeding(&mut source, 10, |mut fed| {
            let mut bytes = 0;
            loop {
                if let Err(e) = fed.more() {
                    return (bytes, e.to_string());
                }
                bytes += fed.bytes().len();
                let held = fed.bytes().len();
                fed.consume(held);
            }
        });
        assert_eq!((bytes, error.as_str()), (20, "disk on fire"));
        // Then the file reads as ended: the failure is said once.
        let mut source = Failing { good: 5 };
        let after = feeding(&mut source, 10, |mut fed| {
            let failed = fed.more().is_err();
            (failed, fed.at_end(), fed.more().is_ok(), fed.bytes().len())
        });
        assert_eq!(after, (true, true, true, 0));
    }
}
