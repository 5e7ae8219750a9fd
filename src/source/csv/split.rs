//! Records into fields: byte offsets only.
//!
//! A line with no `"` and no stray `\r` is split at its commas in place;
//! any other record is parsed by `csv_core` (the `csv` crate's own parser,
//! same dialect: `,`, `"` quoting with `""` inside, `\r`, `\n` or `\r\n`
//! ending a record) into a buffer. The loop sees only bytes and offsets;
//! the caller adds a record's line breaks (`Record::lines`) to its count.

use super::locate::line_breaks;

/// One record, split into fields: `text[bounds[i].0..bounds[i].1]` is field
/// `i`'s value (quotes removed); `len` bytes and `lines` line breaks read.
pub(super) struct Record<'a> {
    pub(super) text: &'a [u8],
    pub(super) bounds: &'a [(usize, usize)],
    pub(super) len: usize,
    pub(super) lines: u64,
    /// Whether `text` is the file's own bytes (a plain line) rather than
    /// the parser's copy (a record with quotes).
    pub(super) plain: bool,
}

/// Splits records, one at a time (see the module comment). Most extracts
/// take the plain road for every line: a search for line breaks and
/// commas, with no copy.
pub(super) struct Splitter {
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    bounds: Vec<(usize, usize)>,
}

impl Splitter {
    pub(super) fn new() -> Splitter {
        let mut core = csv_core::Reader::new();
        // A fresh parser strips a byte-order mark from its first record;
        // past the header, one is part of the value (as one pass reads
        // it). A blank line is read first: it is no record, and the parser
        // is then no longer fresh.
        let _ = core.read_record(b"\n", &mut [], &mut []);
        Splitter {
            core,
            out: vec![0; 1 << 12],
            ends: vec![0; 64],
            bounds: Vec::with_capacity(64),
        }
    }

    /// The record that starts `rest` (which does not start with a line
    /// break).
    pub(super) fn next<'s, 'b: 's>(&'s mut self, rest: &'b [u8]) -> Record<'s> {
        if let Some(eol) = self.plain(rest) {
            let body = &rest[..eol.unwrap_or(rest.len())];
            let text = body.strip_suffix(b"\r").unwrap_or(body);
            let from = self.bounds.last().map_or(0, |&(_, b)| b + 1);
            self.bounds.push((from, text.len()));
            return Record {
                text,
                bounds: &self.bounds,
                len: eol.map_or(rest.len(), |i| i + 1),
                lines: u64::from(eol.is_some()),
                plain: true,
            };
        }
        let (len, out) = self.parse(rest);
        Record {
            text: &self.out[..out],
            bounds: &self.bounds,
            len,
            lines: line_breaks(rest, len),
            plain: false,
        }
    }

    /// If the line at the start of `rest` is plain (no `"`, a `\r` only
    /// right before its `\n` or at the very end): `Some(where its `\n` is)`,
    /// with `bounds` holding every field but the last.
    fn plain(&mut self, rest: &[u8]) -> Option<Option<usize>> {
        self.bounds.clear();
        #[cfg(target_arch = "x86_64")]
        {
            let (done, from) = simd::plain(rest, &mut self.bounds)?;
            if let Some(eol) = done {
                return Some(Some(eol));
            }
            self.plain_from(rest, from)
        }
        #[cfg(not(target_arch = "x86_64"))]
        self.plain_from(rest, (0, 0))
    }

    /// [`Splitter::plain`] from byte `at`, the current field starting at
    /// `from`: a byte loop (fields are short: it beats a search per comma).
    fn plain_from(&mut self, rest: &[u8], (at, mut from): (usize, usize)) -> Option<Option<usize>> {
        for (i, &b) in rest.iter().enumerate().skip(at) {
            // Most bytes are none of the four: one test for them.
            if b > b',' {
                continue;
            }
            match b {
                b',' => {
                    self.bounds.push((from, i));
                    from = i + 1;
                }
                b'\n' => return Some(Some(i)),
                b'"' => return None,
                b'\r' if rest.get(i + 1).is_some_and(|&n| n != b'\n') => return None,
                _ => {}
            }
        }
        Some(None)
    }

    /// Parses the record at the start of `rest` with `csv_core`: the bytes
    /// it took (up to its terminator), and its text's length in `out`.
    fn parse(&mut self, rest: &[u8]) -> (usize, usize) {
        use csv_core::ReadRecordResult as R;
        let (mut taken, mut out, mut ends) = (0, 0, 0);
        loop {
            let (result, i, o, e) =
                self.core
                    .read_record(&rest[taken..], &mut self.out[out..], &mut self.ends[ends..]);
            (taken, out, ends) = (taken + i, out + o, ends + e);
            match result {
                // At the end of the part (an empty input is the end of
                // input): the record ends there.
                R::InputEmpty if i == 0 && taken == rest.len() => {}
                R::InputEmpty => continue,
                R::OutputFull => {
                    let n = self.out.len() * 2;
                    self.out.resize(n, 0);
                    continue;
                }
                R::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                    continue;
                }
                R::Record | R::End => {}
            }
            break;
        }
        self.bounds.clear();
        let mut from = 0;
        for &end in &self.ends[..ends] {
            self.bounds.push((from, end));
            from = end;
        }
        (taken, out)
    }
}

#[cfg(test)]
/// Calls `each` with every record of `part` from `(byte, line)` (the byte
/// where its first record starts and that byte's line in the file), its
/// line and its first byte in `part`. Blank lines are not records (as the
/// `csv` crate reads them).
pub(super) fn each_record<E>(
    part: &[u8],
    (mut at, mut line): (usize, u64),
    mut each: impl FnMut(&Record, u64, usize) -> Result<(), E>,
) -> Result<(), E> {
    let mut splitter = Splitter::new();
    while at < part.len() {
        match part[at] {
            b'\n' => line += 1,
            b'\r' => line += u64::from(part.get(at + 1) != Some(&b'\n')),
            _ => {
                let record = splitter.next(&part[at..]);
                each(&record, line, at)?;
                line += record.lines;
                at += record.len;
                continue;
            }
        }
        at += 1;
    }
    Ok(())
}

/// The plain-line scan 16 bytes at a time (SSE2, which every x86-64 has):
/// one comparison per byte class gives a bit per byte; the commas' bits
/// become field bounds, a quote or a stray `\r` ends the plain road.
#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };

    /// Scans whole 16-byte blocks of `rest`: `None` if the line is not
    /// plain; else `(Some(its \n), _)` if found, or `(None, (where the
    /// blocks end, where the current field starts))` for the byte loop.
    pub(super) fn plain(
        rest: &[u8],
        bounds: &mut Vec<(usize, usize)>,
    ) -> Option<(Option<usize>, (usize, usize))> {
        let (mut base, mut from) = (0, 0);
        while base + 16 <= rest.len() {
            // SAFETY: SSE2 is part of x86-64; the load reads
            // `rest[base..base + 16]`, in bounds by the loop's test.
            let (nl, comma, special) = unsafe {
                let v = _mm_loadu_si128(rest.as_ptr().add(base).cast::<__m128i>());
                let eq =
                    |b: u8| _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8))) as u32;
                (eq(b'\n'), eq(b','), eq(b'"') | eq(b'\r'))
            };
            // Only the bytes before the line break count.
            let before = if nl == 0 {
                0xFFFF
            } else {
                (1 << nl.trailing_zeros()) - 1
            };
            let mut special = special & before;
            while special != 0 {
                let i = base + special.trailing_zeros() as usize;
                if rest[i] == b'"' || rest.get(i + 1).is_some_and(|&n| n != b'\n') {
                    return None;
                }
                special &= special - 1;
            }
            let mut comma = comma & before;
            while comma != 0 {
                let i = base + comma.trailing_zeros() as usize;
                bounds.push((from, i));
                from = i + 1;
                comma &= comma - 1;
            }
            if nl != 0 {
                return Some((Some(base + nl.trailing_zeros() as usize), (0, 0)));
            }
            base += 16;
        }
        Some((None, (base, from)))
    }
}
