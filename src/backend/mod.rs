//! Backends lay out the one shared content tree: Typst for the PDF board
//! paper, docx-rs (plus our XML layer) for the editable Word summary.

pub mod docx;
pub mod typst;
