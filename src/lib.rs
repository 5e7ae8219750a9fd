//! boardpack: a report spec (TOML) → figures computed by Polars → content
//! rendered by MiniJinja → a PDF board paper (Typst) and an editable Word
//! executive summary (docx-rs), reproducibly.
//!
//! Every file any stage reads comes through one registry, `inputs`
//! (inside the project root, links resolved, read once, hashed).
//!
//! The pipeline itself is `build` (re-exported here: [`build()`],
//! [`Build`], [`BuildOptions`]).
//!
//! The modules follow the data, in the one order `MODULE_ORDER` below
//! states (and a test enforces): the shared vocabulary (values, the one
//! formatter, the escapers, diagnostics) at the ground, then `inputs` →
//! `spec` (the validated model) → `params` → `context` (one build's
//! registry, cache and diagnostics) → `source` → `checks` → `compute`
//! (`Computed`) → `publish` (totals, disclosure control: `Published`,
//! whose cells may be withheld) → `chart` → `render` (into the shared
//! [`doc`] tree) → `backend` (Typst, Word, HTML: bytes) → `output`, with
//! [`manifest`] recording provenance. They are private but [`doc`] (the
//! typed content tree every backend renders); the interface is what this
//! page re-exports.
//! Around the build: [`refresh`] (next year's paper), [`verify`] and
//! [`diff`] (over manifests), [`init`] (a new report), [`batch`] (one
//! paper per district), [`watch`] (rebuild on every save) and `cache`
//! (reuse what unchanged inputs gave).

/// The modules in the order the data flows, written once: a module may
/// import only modules before it (checked by a test that reads every
/// `crate::` path, `src/import_order.rs`).
///
/// - the ground vocabulary every stage shares: values, display formats
///   and the one formatter, text checks and the escapers, the SQL sandbox,
///   colours, the bundled fonts, errors, limits, paths;
/// - the stages: the input registry, the cache of what unchanged inputs
///   gave, the spec, parameters, the build context, the house style, sources,
///   declared checks, compute (→ `Computed`), publish (→ `Published`: disclosure
///   control, totals), charts (drawing), the content tree (`doc`), render
///   (→ `doc::Document`), backends (→ bytes), the output folder, the
///   manifest (provenance);
/// - the commands over manifests the build also uses (diff, explain's
///   appendix, the redline), the build itself, then the commands around it.
#[cfg_attr(not(test), allow(dead_code))]
const MODULE_ORDER: &[&str] = &[
    // The ground.
    "value",
    "format",
    "text",
    "escape",
    "sql",
    "colour",
    "font_files",
    "diagnostic",
    "error",
    "guard",
    "image_limit",
    "paths",
    "limits",
    "timings",
    // The stages.
    "inputs",
    "cache",
    "spec",
    "params",
    "context",
    "style",
    "source",
    "checks",
    "compute",
    "publish",
    "chart",
    "doc",
    "render",
    "backend",
    "output",
    "manifest",
    // Read manifests; the build uses them too.
    "diff",
    "explain",
    "redline",
    "build",
    // The commands around the build.
    "init",
    "batch",
    "watch",
    "verify",
    "refresh",
];

// The stages (private: the interface is the re-exports below and the
// command modules).
mod backend;
mod build;
mod cache;
mod chart;
mod checks;
mod colour;
mod compute;
mod context;
mod diagnostic;
pub mod doc;
mod error;
mod escape;
mod font_files;
mod format;
mod guard;
mod image_limit;
mod inputs;
mod limits;
mod output;
mod params;
mod paths;
mod publish;
mod render;
mod source;
mod spec;
mod sql;
mod style;
mod text;
mod timings;
mod value;

// The commands around the build, and the manifest they read.
pub mod batch;
pub mod diff;
pub mod explain;
pub mod init;
pub mod manifest;
pub mod redline;
pub mod refresh;
pub mod verify;
pub mod watch;

#[cfg(test)]
mod import_order;

pub use backend::{docx, typst, Format, Output};
pub use build::{build, build_spec, rebuild, Build, BuildOptions, DataInputs, OutputNames};
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use error::{display_path, Error, ErrorKind, Result};
pub use guard::enforce as enforce_memory_limit;
pub use params::parse_assignment;
pub use spec::Spec;
pub use timings::{enable as enable_timings, report as timings_report};

/// Each stage of the pipeline as one call, for the stage benchmark
/// (`benches/build.rs`) and the property tests of the backends and the
/// disclosure audit. Not a stable interface: [`build()`] is.
#[doc(hidden)]
pub mod stages {
    pub use crate::build::stage_context as context;
    pub use crate::chart::Fonts;
    pub use crate::compute::{compute, previous};
    pub use crate::context::BuildContext;
    pub use crate::inputs::Inputs;
    pub use crate::publish::audit::{intervals, PublishedGrid};
    pub use crate::publish::publish;
    pub use crate::render::{check_accessible, markdown, render};
    #[doc(hidden)]
    pub use crate::source::csv::read_csv;
    pub use crate::source::load_all;
}
