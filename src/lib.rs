//! boardpack: a report spec (TOML) → figures computed by Polars → content
//! rendered by MiniJinja → a PDF board paper (Typst) and an editable Word
//! executive summary (docx-rs), reproducibly.
//!
//! Every file any stage reads comes through one registry, [`inputs`]
//! (inside the project root, links resolved, read once, hashed).
//!
//! The pipeline itself is `build` (re-exported here: [`build()`],
//! [`Build`], [`BuildOptions`]).
//!
//! The modules follow the data: [`spec`] → [`params`] → [`source`] →
//! [`compute`] → [`publish`] (totals, disclosure control) → [`render`]
//! (into the shared [`doc`] tree) → [`backend`]
//! (Typst, Word) → [`output`], with [`manifest`] recording provenance.
//! Around the build: [`refresh`] (next year's paper), [`verify`] and
//! [`diff`] (over manifests), [`init`] (a new report), [`batch`] (one
//! paper per district), [`watch`] (rebuild on every save) and [`cache`]
//! (reuse what unchanged inputs gave).

pub mod backend;
pub mod batch;
mod build;
pub mod cache;
pub mod chart;
pub mod checks;
pub mod compute;
pub mod diff;
pub mod doc;
pub mod error;
pub mod format;
pub mod init;
pub mod inputs;
pub mod manifest;
pub mod output;
pub mod params;
pub mod publish;
pub mod refresh;
pub mod render;
pub mod source;
pub mod spec;
pub mod style;
pub mod text;
pub mod verify;
pub mod watch;

pub use build::{build, build_spec, rebuild, Build, BuildOptions, DataInputs, OutputNames};
pub use error::{Error, ErrorKind, Result};
pub use spec::Spec;
