//! What one build holds besides the spec: the input registry every file
//! comes through, the cache, the resolved parameters, the limits and the
//! warnings so far.
//!
//! `build` (or `batch`, for the work a batch shares) creates the one
//! [`BuildContext`] of a build and passes it down; no stage creates or
//! fills one, so which registry and cache a build used is decided in one
//! place. The spec itself stays a runtime-free model (`spec::Spec`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use toml::Spanned;

use crate::cache::Cache;
use crate::error::{Diagnostic, Diagnostics, ErrorKind, Result};
use crate::inputs::{InputFile, Inputs};
use crate::limits::Limits;
use crate::params::{FinancialYear, Params};
use crate::spec::SpecFile;

/// One build's runtime: made by `build` (or `batch`), lent to the stages.
#[derive(Debug)]
pub struct BuildContext {
    /// Every file the build reads, the spec first.
    pub(crate) inputs: Arc<Inputs>,
    /// The build cache (disabled unless asked for).
    pub(crate) cache: Arc<Cache>,
    /// The resolved parameters (`[params]` with `--set` applied).
    pub(crate) params: Params,
    /// The periods the build computes (its period and the previous one;
    /// a batch cannot vary the period, so its papers share them): the
    /// sources keep only their rows. `None` (no period): every row is kept.
    pub(crate) periods: Option<Vec<FinancialYear>>,
    /// `[limits]`, as the spec declares them.
    pub(crate) limits: Limits,
    /// Warnings so far, in the order they arose, each with its place.
    pub(crate) diagnostics: Sink,
}

impl BuildContext {
    /// The context of a build under the spec's `limits`, reading through
    /// `inputs`.
    pub(crate) fn new(
        limits: &Limits,
        inputs: Arc<Inputs>,
        cache: Arc<Cache>,
        params: Params,
    ) -> Self {
        BuildContext {
            inputs,
            cache,
            periods: params.period().map(|fy| vec![fy, fy.previous()]),
            params,
            limits: limits.clone(),
            diagnostics: Sink::default(),
        }
    }

    /// The resolved parameters.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Reads a file the spec names (`value`, relative to the spec's
    /// folder) through the registry; errors point at `value`.
    pub(crate) fn read(
        &self,
        spec: &SpecFile,
        value: &Spanned<String>,
        role: &str,
    ) -> Result<Arc<InputFile>> {
        let path = self.resolve(spec, value)?;
        self.inputs
            .read(&path, role)
            .map_err(|r| spec.refused(ErrorKind::Io, &r, value))
    }

    /// Resolves a path written in the spec, refusing anything that leaves
    /// the project root (see `SpecFile::resolve`).
    pub(crate) fn resolve(&self, spec: &SpecFile, value: &Spanned<String>) -> Result<PathBuf> {
        spec.resolve(&*self.inputs, value)
    }
}

/// The diagnostics of one build, collected from every stage (stages may
/// run on several threads, hence the lock), returned with the build.
#[derive(Debug, Default)]
pub(crate) struct Sink(Mutex<Diagnostics>);

impl Sink {
    /// Adds one.
    pub(crate) fn push(&self, diagnostic: Diagnostic) {
        self.extend([diagnostic]);
    }

    /// Adds each, in order.
    pub(crate) fn extend(&self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(diagnostics);
    }

    /// Every diagnostic so far, in order.
    pub(crate) fn all(&self) -> Diagnostics {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::SpecBuilder;

    #[test]
    fn a_file_the_spec_names_is_read_through_the_registry_and_errors_point_at_it() {
        let spec = SpecBuilder::new().build();
        let ctx = crate::build::stage_context(&spec, &[]).unwrap();
        let e = ctx
            .read(&spec.file, &spec.content.body, "template body")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert_eq!(e.message(), "`b.md` does not exist");
        assert_eq!(e.line_col().map(|l| l.0), Some(9));
        // The registry holds the spec itself, recorded when it was made.
        let files = ctx.inputs.files();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].role, "spec");
    }

    #[test]
    fn warnings_keep_their_order() {
        let d = Sink::default();
        d.push(Diagnostic::warning(ErrorKind::Data, "first"));
        d.extend([Diagnostic::warning(ErrorKind::Io, "second")]);
        let all = d.all();
        let messages: Vec<&str> = all.iter().map(Diagnostic::message).collect();
        assert_eq!(messages, ["first", "second"]);
    }
}
