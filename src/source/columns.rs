//! Typed column buffers (every reader's: CSV, Excel, Parquet text), filled straight from the cells' bytes and frozen
//! into Arrow arrays with no copy: numbers, dates (days since 1970-01-01)
//! and date-times (µs) in plain vectors, `bool`s in a bitmap, text as
//! Arrow string views (a value of up to 12 bytes inside its view, a longer
//! one in one contiguous buffer per column and part, stored once while it
//! repeats: categorical text then costs its 16-byte view a row). A validity bitmap is
//! made only once a column meets its first null.
//!
//! Polars' own builders do the same with a check, a view and often a
//! reallocation per value (benches/RESULTS.md, 27 November): here each
//! value is a parse and a push.

use polars::prelude::{ArrayRef, Column as PlColumn, DataType, PlSmallStr, Series, TimeUnit};
use polars_arrow::array::{BooleanArray, PrimitiveArray, Utf8ViewArray, View};
use polars_arrow::bitmap::MutableBitmap;
use polars_arrow::datatypes::ArrowDataType;
use polars_arrow::types::NativeType;
use polars_buffer::Buffer;

use super::cell::{self, Value};
use super::csv::ColumnRule;
use crate::spec::ColumnType;

/// The Polars type a declared column type is loaded as (every reader's,
/// and a database source's empty frame).
pub(crate) fn polars_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::String => DataType::String,
        ColumnType::Int => DataType::Int64,
        ColumnType::Float => DataType::Float64,
        ColumnType::Bool => DataType::Boolean,
        ColumnType::Date => DataType::Date,
        ColumnType::Datetime => DataType::Datetime(TimeUnit::Microseconds, None),
    }
}

/// What a column does with each cell's text.
pub(crate) trait Sink {
    /// Appends the value `text` stands for; `false` (nothing appended) if
    /// it is not a value of the column's type.
    fn value(&mut self, text: &str) -> bool;
    /// Appends a null.
    fn null(&mut self);
    /// Whether `text` is a value of the column's type (appending nothing:
    /// a row the reader does not keep is checked all the same).
    fn valid(text: &str) -> bool;
}

/// One typed column of one part of a file.
pub(crate) enum Column {
    Str(Strings),
    Int(Values<Int>),
    Float(Values<Float>),
    Bool(Bools),
    Date(Values<Date>),
    Datetime(Values<Datetime>),
}

impl Column {
    /// An empty column for `rule`, with room for `rows` values.
    pub(crate) fn new(rule: &ColumnRule, rows: usize) -> Column {
        match rule.ty {
            ColumnType::String => Column::Str(Strings {
                views: Vec::with_capacity(rows),
                ..Strings::default()
            }),
            ColumnType::Int => Column::Int(Values::new(rows)),
            ColumnType::Float => Column::Float(Values::new(rows)),
            ColumnType::Bool => Column::Bool(Bools {
                values: MutableBitmap::with_capacity(rows),
                validity: Validity::default(),
            }),
            ColumnType::Date => Column::Date(Values::new(rows)),
            ColumnType::Datetime => Column::Datetime(Values::new(rows)),
        }
    }

    /// The Polars type of `rule`'s column.
    pub(crate) fn dtype(rule: &ColumnRule) -> DataType {
        polars_type(rule.ty)
    }

    /// The filled column as one Arrow array (the physical type of
    /// [`Column::dtype`]).
    pub(crate) fn finish(self) -> ArrayRef {
        match self {
            Column::Str(c) => c.finish(),
            Column::Int(c) => c.finish(),
            Column::Float(c) => c.finish(),
            Column::Bool(c) => c.finish(),
            Column::Date(c) => c.finish(),
            Column::Datetime(c) => c.finish(),
        }
    }

    /// Appends a value already parsed by [`cell::parse`] (of this column's
    /// type) or, for `None` or a value of another type, a null.
    pub(crate) fn push(&mut self, value: Option<Value>) {
        match (self, value) {
            (Column::Str(c), Some(Value::Str(s))) => {
                c.value(s);
            }
            (Column::Int(c), Some(Value::Int(v))) => c.push(v),
            (Column::Float(c), Some(Value::Float(v))) => c.push(v),
            (Column::Bool(c), Some(Value::Bool(v))) => c.push(v),
            (Column::Date(c), Some(Value::Date(v))) => c.push(v),
            (Column::Datetime(c), Some(Value::Datetime(v))) => c.push(v),
            (Column::Str(c), _) => c.null(),
            (Column::Int(c), _) => c.null(),
            (Column::Float(c), _) => c.null(),
            (Column::Bool(c), _) => c.null(),
            (Column::Date(c), _) => c.null(),
            (Column::Datetime(c), _) => c.null(),
        }
    }

    /// The filled column as a one-chunk Polars column named by `rule`.
    pub(crate) fn into_polars(self, rule: &ColumnRule) -> PlColumn {
        into_polars(rule, vec![self.finish()])
    }
}

/// `chunks` (arrays made by [`Column::finish`] for `rule`) as one Polars
/// column, without copying.
pub(crate) fn into_polars(rule: &ColumnRule, chunks: Vec<ArrayRef>) -> PlColumn {
    let name = PlSmallStr::from(rule.name.as_str());
    // SAFETY: each chunk is the physical array of the column's type (see
    // `Column::finish`).
    let series =
        unsafe { Series::from_chunks_and_dtype_unchecked(name, chunks, &Column::dtype(rule)) };
    PlColumn::from(series)
}

/// Which values are present: `None` while every one is.
#[derive(Default)]
pub(crate) struct Validity(Option<MutableBitmap>);

impl Validity {
    #[inline]
    fn valid(&mut self) {
        if let Some(bits) = &mut self.0 {
            bits.push(true);
        }
    }

    /// A null after `len` values.
    #[inline]
    fn null(&mut self, len: usize) {
        self.0
            .get_or_insert_with(|| MutableBitmap::from_len_set(len))
            .push(false);
    }
}

/// How one fixed-width type reads a cell (the rules of [`cell`]).
pub(crate) trait Parse {
    type T: NativeType;
    const ARROW: ArrowDataType;
    fn parse(text: &str) -> Option<Self::T>;
}

pub(crate) struct Int;
pub(crate) struct Float;
pub(crate) struct Date;
pub(crate) struct Datetime;

impl Parse for Int {
    type T = i64;
    const ARROW: ArrowDataType = ArrowDataType::Int64;
    #[inline]
    fn parse(text: &str) -> Option<i64> {
        cell::parse_int(text)
    }
}

impl Parse for Float {
    type T = f64;
    const ARROW: ArrowDataType = ArrowDataType::Float64;
    #[inline]
    fn parse(text: &str) -> Option<f64> {
        cell::parse_float(text)
    }
}

impl Parse for Date {
    type T = i32;
    const ARROW: ArrowDataType = ArrowDataType::Int32;
    #[inline]
    fn parse(text: &str) -> Option<i32> {
        cell::parse_date(text)
    }
}

impl Parse for Datetime {
    type T = i64;
    const ARROW: ArrowDataType = ArrowDataType::Int64;
    #[inline]
    fn parse(text: &str) -> Option<i64> {
        cell::parse_datetime(text)
    }
}

/// A column of fixed-width values.
pub(crate) struct Values<P: Parse> {
    values: Vec<P::T>,
    validity: Validity,
}

impl<P: Parse> Values<P> {
    fn new(rows: usize) -> Self {
        Values {
            values: Vec::with_capacity(rows),
            validity: Validity::default(),
        }
    }

    /// Appends a value already parsed.
    #[inline]
    fn push(&mut self, v: P::T) {
        self.values.push(v);
        self.validity.valid();
    }

    fn finish(self) -> ArrayRef {
        let validity = self.validity.0.map(Into::into);
        Box::new(PrimitiveArray::new(P::ARROW, self.values.into(), validity))
    }
}

impl<P: Parse> Sink for Values<P> {
    #[inline]
    fn value(&mut self, text: &str) -> bool {
        let Some(v) = P::parse(text) else {
            return false;
        };
        self.push(v);
        true
    }

    #[inline]
    fn null(&mut self) {
        self.validity.null(self.values.len());
        self.values.push(P::T::default());
    }

    #[inline]
    fn valid(text: &str) -> bool {
        P::parse(text).is_some()
    }
}

/// A `bool` column.
pub(crate) struct Bools {
    values: MutableBitmap,
    validity: Validity,
}

impl Bools {
    #[inline]
    fn push(&mut self, v: bool) {
        self.values.push(v);
        self.validity.valid();
    }

    fn finish(self) -> ArrayRef {
        let validity = self.validity.0.map(Into::into);
        let values = self.values.into();
        Box::new(BooleanArray::new(ArrowDataType::Boolean, values, validity))
    }
}

impl Sink for Bools {
    #[inline]
    fn value(&mut self, text: &str) -> bool {
        let v = match text {
            "true" => true,
            "false" => false,
            _ => return false,
        };
        self.push(v);
        true
    }

    #[inline]
    fn null(&mut self) {
        self.validity.null(self.values.len());
        self.values.push(false);
    }

    #[inline]
    fn valid(text: &str) -> bool {
        matches!(text, "true" | "false")
    }
}

/// A `string` column: Arrow views, the longer values in `buffer` (and,
/// past 4 GiB, in earlier buffers: a view's offset is 32 bits), each
/// repeated long value stored once while it stays in `recent`.
#[derive(Default)]
pub(crate) struct Strings {
    views: Vec<View>,
    buffer: Vec<u8>,
    full: Vec<Buffer<u8>>,
    validity: Validity,
    /// The values' total length in bytes (Arrow keeps it with the array).
    bytes: usize,
    /// The long values last stored in `buffer`, as (offset, length),
    /// direct-mapped by [`recent_slot`]; length 0 marks an empty slot.
    /// Empty until the first long value.
    recent: Vec<(u32, u32)>,
}

/// How many long values [`Strings`] remembers: categorical text (a
/// district, an offence group) has a few dozen distinct values, so a
/// repeat nearly always finds its first copy; 2 KiB per column and part.
const RECENT: usize = 256;

/// The slot of long value `b` (more than 12 bytes) in [`Strings::recent`]:
/// its length and first and last 8 bytes, multiplied and shifted
/// (Fibonacci hashing). A cheap hash: two values that share a slot only
/// replace each other's entry, and a hit is confirmed byte by byte.
#[inline]
fn recent_slot(b: &[u8]) -> usize {
    let n = b.len();
    let word = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or_default());
    let mixed = word(0) ^ word(n - 8).rotate_left(29) ^ n as u64;
    (mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - RECENT.trailing_zeros())) as usize
}

impl Strings {
    /// The offset in `buffer` of long value `b`: of its earlier copy if
    /// `recent` remembers one, otherwise of a new copy (remembered in
    /// place of whatever shared its slot).
    #[inline]
    fn store(&mut self, b: &[u8]) -> u32 {
        if self.buffer.len() + b.len() > u32::MAX as usize {
            self.full.push(std::mem::take(&mut self.buffer).into());
            // The remembered copies are in the buffer just frozen.
            self.recent.clear();
        }
        if self.recent.is_empty() {
            self.recent = vec![(0, 0); RECENT];
        }
        let slot = recent_slot(b);
        let (at, len) = self.recent[slot];
        if len as usize == b.len() && &self.buffer[at as usize..][..b.len()] == b {
            return at;
        }
        let offset = self.buffer.len() as u32;
        self.buffer.extend_from_slice(b);
        self.recent[slot] = (offset, b.len() as u32);
        offset
    }

    fn finish(mut self) -> ArrayRef {
        if !self.buffer.is_empty() {
            self.full.push(std::mem::take(&mut self.buffer).into());
        }
        let total_buffer_len = self.full.iter().map(Buffer::len).sum();
        let validity = self.validity.0.map(Into::into);
        // SAFETY: every value is UTF-8 (a `&str`),
        // and every view longer than 12 bytes points at bytes in `full`
        // equal to its value (its own copy or an earlier one: see
        // `store`).
        let array = unsafe {
            Utf8ViewArray::new_unchecked(
                ArrowDataType::Utf8View,
                self.views.into(),
                self.full.into(),
                validity,
                Some(self.bytes),
                total_buffer_len,
            )
        };
        Box::new(array)
    }
}

impl Sink for Strings {
    #[inline]
    fn value(&mut self, text: &str) -> bool {
        let b = text.as_bytes();
        let view = if b.len() <= View::MAX_INLINE_SIZE as usize {
            View::new_inline(b)
        } else {
            let offset = self.store(b);
            // SAFETY: longer than the inline size, as the branch says.
            unsafe { View::new_noninline_unchecked(b, self.full.len() as u32, offset) }
        };
        self.views.push(view);
        self.bytes += b.len();
        self.validity.valid();
        true
    }

    #[inline]
    fn null(&mut self) {
        self.validity.null(self.views.len());
        self.views.push(View::default());
    }

    #[inline]
    fn valid(_: &str) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: &[Option<&str>]) -> (Vec<Option<String>>, usize) {
        let mut s = Strings::default();
        for v in values {
            match v {
                Some(t) => assert!(s.value(t)),
                None => s.null(),
            }
        }
        let array = s.finish();
        let array = array.as_any().downcast_ref::<Utf8ViewArray>().unwrap();
        let back = array.iter().map(|v| v.map(str::to_string)).collect();
        (back, array.total_buffer_len())
    }

    #[test]
    fn a_repeated_long_value_is_stored_once_and_reads_back() {
        let long = "Stalking and harassment";
        let other = "East Cambridgeshire";
        let values = [
            Some(long),
            Some(other),
            None,
            Some("Fenland"),
            Some(long),
            Some("exactly12byt"),
            Some(other),
            Some("exactly13byte"),
            Some(long),
            Some("exactly13byte"),
            Some("é long accented valué"),
            Some("é long accented valué"),
        ];
        let (back, buffered) = strings(&values);
        let expect: Vec<Option<String>> = values.iter().map(|v| v.map(str::to_string)).collect();
        assert_eq!(back, expect);
        // Each distinct long value once; the 12-byte one is inline.
        let distinct = long.len() + other.len() + 13 + "é long accented valué".len();
        assert_eq!(buffered, distinct);
    }

    #[test]
    fn values_sharing_a_slot_are_kept_apart() {
        // Same length, first and last 8 bytes: the same slot, other bytes.
        let a = "prefix--A--suffix!!";
        let b = "prefix--B--suffix!!";
        assert_eq!(recent_slot(a.as_bytes()), recent_slot(b.as_bytes()));
        let values = [Some(a), Some(b), Some(a), Some(a), Some(b)];
        let (back, buffered) = strings(&values);
        let expect: Vec<Option<String>> = values.iter().map(|v| v.map(str::to_string)).collect();
        assert_eq!(back, expect);
        // a, b, a (b took its slot), then a repeat, then b again.
        assert_eq!(buffered, 4 * a.len());
    }

    #[test]
    fn many_distinct_long_values_read_back() {
        let values: Vec<String> = (0..5000)
            .map(|i| format!("district number {}", i % 700))
            .collect();
        let refs: Vec<Option<&str>> = values.iter().map(|v| Some(v.as_str())).collect();
        let (back, buffered) = strings(&refs);
        let expect: Vec<Option<String>> = values.into_iter().map(Some).collect();
        assert_eq!(back, expect);
        assert!(buffered < expect.iter().flatten().map(String::len).sum::<usize>());
    }
}
