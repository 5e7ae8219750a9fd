//! The data stages of a build: sources → compute (with every declared
//! check, beside the previous period) → publish, what a batch shares
//! between its papers, and what `watch` may take over from the last build.

use std::collections::BTreeMap;

use super::Build;
use crate::context::BuildContext;
use crate::error::{Diagnostics, Result};
use crate::guard::{self, Stage};
use crate::params::Params;
use crate::spec::Spec;
use crate::timings::{self, Stage as T};
use crate::{checks, compute, publish, source};

use crate::compute::{Computed, Previous};

/// What a batch reads and checks once for all its papers.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// The sources, read and parsed once.
    pub(crate) sources: BTreeMap<String, source::Source>,
    /// Their declared checks' outcomes: they depend on the sources alone,
    /// so a paper whose sources are these very ones does not run them again.
    pub(crate) source_checks: Option<Vec<checks::Outcome>>,
    /// The results of the queries that read no parameter, per period
    /// (see [`compute::SharedQueries`]).
    pub(crate) queries: compute::SharedQueries,
}

impl Shared {
    /// The shared source checks, if `sources` are the shared sources (the
    /// same names, files and hashes; a paper whose path names its batch
    /// value reads a file of its own, and checks it).
    pub(super) fn checks_for(
        &self,
        sources: &BTreeMap<String, source::Source>,
    ) -> Option<&[checks::Outcome]> {
        let same = sources.len() == self.sources.len()
            && sources.iter().all(|(name, s)| {
                self.sources
                    .get(name)
                    .is_some_and(|t| t.path == s.path && t.blake3 == s.blake3 && t.keep == s.keep)
            });
        self.source_checks.as_deref().filter(|_| same)
    }
}

/// What the data stages produce: the loaded sources of both periods, the
/// figures and tables with their checks, and what may be published.
pub(super) struct DataStages {
    pub(super) sources: BTreeMap<String, source::Source>,
    pub(super) previous_sources: BTreeMap<String, source::Source>,
    pub(super) computed: Computed,
    pub(super) check_warnings: Diagnostics,
    pub(super) previous: Previous,
    pub(super) published: publish::Published,
}

/// Sources → compute (with every data check, beside the previous period)
/// → publish, each stage timed.
pub(super) fn data_stages(
    spec: &Spec,
    ctx: &BuildContext,
    strict: bool,
    shared: &Shared,
) -> Result<DataStages> {
    let params = &ctx.params;
    // Queries may only read declared tables: refuse before reading any data.
    timings::time(
        T::Spec,
        || "query check".into(),
        || compute::check_queries(spec.compute_part()),
    )?;
    guard::enter(Stage::Sources);
    let sources = timings::time(
        T::Sources,
        || "every source (read, hash, reader)".into(),
        || source::load_all(spec.sources_part(), ctx, params, &shared.sources),
    )?;
    let checked = shared.checks_for(&sources);
    guard::enter(Stage::Queries);
    let (outcomes, mut previous_load) = checks_beside_previous(spec, ctx, &sources, checked);
    let outcomes = outcomes?;
    checks::settle(&outcomes, strict)?;
    let mut sources = sources;
    // Both periods' frames in one pass, and the frames of every kept row
    // let go (a table's foreign key reads its source whole).
    if let (Some(fy), Ok(previous)) = (params.period(), previous_load.as_mut()) {
        let whole = checks::read_after_queries(spec.checks_part());
        compute::split_periods((&mut sources, fy), previous.sources_mut(), &whole)?;
    }
    // The previous period's queries run alongside the current ones, or
    // after them when the periods' frames are large.
    let beside = frames_bytes(&sources) < one_period_at_a_time_from();
    let (current, previous) = std::thread::scope(|s| {
        let scope = timings::scope();
        let previous = move || {
            timings::scoped(&scope, || {
                timings::scoped("previous period", || {
                    let loaded = previous_load?;
                    compute::previous_computed(spec.compute_part(), loaded, params, &shared.queries)
                })
            })
        };
        let current =
            || compute_checked(spec, &sources, params, (strict, outcomes), &shared.queries);
        if beside {
            let previous = s.spawn(previous);
            let current = current();
            let previous = previous
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (current, previous)
        } else {
            let current = current();
            (current, previous())
        }
    });
    let (computed, check_warnings) = current?;
    let (previous, previous_sources) = previous?;
    let published = timings::time(
        T::Publish,
        || "publish".into(),
        || publish::publish(spec.publish_part(), &computed, &previous),
    )?;
    Ok(DataStages {
        sources,
        previous_sources,
        computed,
        check_warnings,
        previous,
        published,
    })
}

/// From this many bytes in the current period's frames (Polars' estimate),
/// the previous period's queries run after the current period's instead of
/// beside them: two large groupings at once hold two working sets.
/// Measured on two cores with the example's spec: at 10 M rows (240 MB of
/// frames a period) one period after the other takes the same wall time
/// and peaks at 1.74–1.83 GB instead of 2.26–2.28 GB; at 1.1 M rows (26 MB)
/// the periods side by side are ~5 % faster, for 70 MB more.
const ONE_PERIOD_AT_A_TIME_FROM: usize = 100 << 20;

/// [`ONE_PERIOD_AT_A_TIME_FROM`]. Test hook (documented, not for users):
/// `BOARDPACK_TEST_ONE_PERIOD_AT_A_TIME=1` runs the periods one after the
/// other whatever their size, so a test can compare the two ways on a small
/// project.
fn one_period_at_a_time_from() -> usize {
    match std::env::var_os("BOARDPACK_TEST_ONE_PERIOD_AT_A_TIME") {
        Some(_) => 0,
        None => ONE_PERIOD_AT_A_TIME_FROM,
    }
}

/// The bytes held by `sources`' frames (Polars' estimate).
fn frames_bytes(sources: &BTreeMap<String, source::Source>) -> usize {
    sources.values().map(|s| s.frame.estimated_size()).sum()
}

/// The sources' checks, beside the previous period's sources being loaded
/// (no file is read twice: most are the current period's).
fn checks_beside_previous(
    spec: &Spec,
    ctx: &BuildContext,
    sources: &BTreeMap<String, source::Source>,
    checked: Option<&[checks::Outcome]>,
) -> (
    Result<Vec<checks::Outcome>>,
    Result<compute::PreviousSources>,
) {
    let params = &ctx.params;
    std::thread::scope(|s| {
        let scope = timings::scope();
        let previous = s.spawn(move || {
            timings::scoped(&scope, || {
                timings::scoped("previous period", || {
                    let load = |p: &Params| source::load_all(spec.sources_part(), ctx, p, sources);
                    compute::previous_sources(load, params)
                })
            })
        });
        let outcomes = source_checks(spec, sources, checked);
        let previous = previous
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (outcomes, previous)
    })
}

/// The data stages' results, taken over from `last` if nothing they read
/// changed (see [`rebuild`](super::rebuild)); their data files are read again through
/// `spec`'s registry, so the new build lists (and `watch` watches) them.
pub(super) fn reusable(
    last: &Build,
    spec: &Spec,
    ctx: &BuildContext,
    strict: bool,
) -> Option<DataStages> {
    let same = last.spec.file.text() == spec.file.text()
        && last.params == ctx.params
        && last.data.strict == strict
        && !matches!(last.previous, Previous::Missing { .. });
    if !same {
        return None;
    }
    let d = &last.data;
    for (name, s) in d.sources.iter().chain(&d.previous_sources) {
        // Hashed a block at a time: the bytes are not kept.
        let blake3 = ctx
            .inputs
            .hash_data(&s.path, &format!("source {name}"))
            .ok()?;
        if blake3 != s.blake3 {
            return None;
        }
    }
    Some(DataStages {
        sources: d.sources.clone(),
        previous_sources: d.previous_sources.clone(),
        computed: last.computed.clone(),
        check_warnings: d.check_warnings.clone(),
        previous: last.previous.clone(),
        published: last.published.clone(),
    })
}

/// What [`rebuild`](super::rebuild) needs of a build besides its public results.
#[derive(Debug, Clone)]
pub struct DataInputs {
    pub(super) sources: std::collections::BTreeMap<String, source::Source>,
    pub(super) previous_sources: std::collections::BTreeMap<String, source::Source>,
    pub(super) check_warnings: Diagnostics,
    pub(super) strict: bool,
}

/// The sources' declared checks' outcomes: those a batch already ran
/// (`checked`), or run now.
pub(super) fn source_checks(
    spec: &Spec,
    sources: &std::collections::BTreeMap<String, source::Source>,
    checked: Option<&[checks::Outcome]>,
) -> Result<Vec<checks::Outcome>> {
    match checked {
        Some(outcomes) => Ok(outcomes.to_vec()),
        None => timings::time(
            T::Checks,
            || "sources' checks".into(),
            || checks::check_sources(spec.checks_part(), sources),
        ),
    }
}

/// Computes the figures and tables and runs the declared data checks
/// after the sources' (`outcomes`, settled: a failed one explains a query
/// failure after it): the tables' and the SQL checks. Returns the warnings
/// of failed `warning` checks.
pub(super) fn compute_checked(
    spec: &Spec,
    sources: &std::collections::BTreeMap<String, source::Source>,
    params: &Params,
    (strict, mut outcomes): (bool, Vec<checks::Outcome>),
    queries: &compute::SharedQueries,
) -> Result<(Computed, Diagnostics)> {
    let (mut computed, mut frames) =
        compute::compute_frames(spec.compute_part(), sources, params, queries)?;
    outcomes.extend(timings::time(
        T::Checks,
        || "tables' and SQL checks".into(),
        || checks::check_computed(spec.checks_part(), sources, &mut frames),
    )?);
    let warnings = checks::settle(&outcomes, strict)?;
    computed.checks = outcomes;
    Ok((computed, warnings))
}
