//! The values every stage shares: a computed scalar or table cell, as it
//! reaches templates, tables, charts, the content tree and the manifest.
//! At the ground of the module order so no stage imports a later one to
//! name a value.

/// A computed scalar, as it reaches templates.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Missing.
    Null,
    /// A boolean.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A decimal number.
    Float(f64),
    /// Text.
    Text(String),
    /// A calendar date.
    Date(jiff::civil::Date),
}
