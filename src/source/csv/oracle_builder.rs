//! The test oracle's column builders: Polars' generic builders, as the
//! readers used them before `crate::source::columns`. Only the oracle
//! uses them (tests, and benches with `reader-oracle`), so the differential
//! tests compare the typed buffers against an independent build.

use polars::prelude::*;

use super::ColumnRule;
use crate::source::cell::Value;
use crate::spec::ColumnType;

/// A typed column being filled, one value (or null) per record.
pub(crate) enum Builder {
    /// A `string` column.
    Str(StringChunkedBuilder),
    /// An `int` column.
    Int(PrimitiveChunkedBuilder<Int64Type>),
    /// A `float` column.
    Float(PrimitiveChunkedBuilder<Float64Type>),
    /// A `bool` column.
    Bool(BooleanChunkedBuilder),
    /// A `date` column (days since 1970-01-01).
    Date(PrimitiveChunkedBuilder<Int32Type>),
    /// A `datetime` column (microseconds since 1970-01-01 00:00).
    Datetime(PrimitiveChunkedBuilder<Int64Type>),
}

impl Builder {
    /// An empty column for `rule`, with room for `rows` values.
    pub(crate) fn new(rule: &ColumnRule, rows: usize) -> Builder {
        let name = PlSmallStr::from(rule.name.as_str());
        match rule.ty {
            ColumnType::String => Builder::Str(StringChunkedBuilder::new(name, rows)),
            ColumnType::Int => Builder::Int(PrimitiveChunkedBuilder::new(name, rows)),
            ColumnType::Float => Builder::Float(PrimitiveChunkedBuilder::new(name, rows)),
            ColumnType::Bool => Builder::Bool(BooleanChunkedBuilder::new(name, rows)),
            ColumnType::Date => Builder::Date(PrimitiveChunkedBuilder::new(name, rows)),
            ColumnType::Datetime => Builder::Datetime(PrimitiveChunkedBuilder::new(name, rows)),
        }
    }

    /// Appends a value (of this column's type, as [`parse`] made it) or a
    /// null.
    pub(crate) fn push(&mut self, value: Option<Value>) {
        match (self, value) {
            (Builder::Str(b), Some(Value::Str(s))) => b.append_value(s),
            (Builder::Int(b), Some(Value::Int(v))) => b.append_value(v),
            (Builder::Float(b), Some(Value::Float(v))) => b.append_value(v),
            (Builder::Bool(b), Some(Value::Bool(v))) => b.append_value(v),
            (Builder::Date(b), Some(Value::Date(v))) => b.append_value(v),
            (Builder::Datetime(b), Some(Value::Datetime(v))) => b.append_value(v),
            (Builder::Str(b), _) => b.append_null(),
            (Builder::Int(b), _) => b.append_null(),
            (Builder::Float(b), _) => b.append_null(),
            (Builder::Bool(b), _) => b.append_null(),
            (Builder::Date(b), _) => b.append_null(),
            (Builder::Datetime(b), _) => b.append_null(),
        }
    }

    /// The finished column.
    pub(crate) fn finish(self) -> Column {
        let series = match self {
            Builder::Str(b) => b.finish().into_series(),
            Builder::Int(b) => b.finish().into_series(),
            Builder::Float(b) => b.finish().into_series(),
            Builder::Bool(b) => b.finish().into_series(),
            Builder::Date(b) => b.finish().into_date().into_series(),
            Builder::Datetime(b) => b
                .finish()
                .into_datetime(TimeUnit::Microseconds, None)
                .into_series(),
        };
        Column::from(series)
    }
}
