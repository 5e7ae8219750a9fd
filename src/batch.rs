//! Many papers from one spec: `boardpack build SPEC --for-each district`
//! builds one paper per value of a parameter (`[batch]`).
//!
//! The spec, the input registry and every source are read and parsed once
//! for the whole batch; each paper then runs compute → publish → render →
//! backends (its Typst layout and PDF export included) with its own value,
//! on a pool of one worker per core, at most [`MAX_WORKERS`] (a worker's
//! charts are drawn one after another, and Polars shares its one pool, so
//! the machine is not oversubscribed). Papers share no temporary state:
//! each is a [`Build`] in memory until the batch writes them all as one
//! output set, in value order whatever order they finish in. A paper that
//! fails is reported with its error while the others complete; its previous
//! outputs stay as they were.
//!
//! What the papers' threads do share is process-wide and keyed by
//! everything its result depends on, so no paper can see another's
//! content: Typst's memoised evaluation and layout (comemo: a result is
//! reused only when every file, font and input it read of the asking
//! paper's own world hashes the same), the chart rasters (`chart::png`, by
//! SVG, resolution and fonts) and text widths (`chart::fonts`, bundled
//! fonts only). Typst's memo is aged after every paper ([`forget_unused`])
//! so a long batch holds the memo of the last few papers, not of all.
//!
//! Test hook (documented, not for users): `BOARDPACK_TEST_BATCH_WORKERS=N`
//! builds with `N` workers (still at most one per paper and at most
//! [`MAX_WORKERS`]) instead of one per core, so a test can compare a
//! batch built one paper at a time with one built several at once.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde::Serialize;

use crate::build::{build_with, Build, BuildOptions, Shared};
use crate::context::BuildContext;
use crate::error::{Error, ErrorKind, Result};
use crate::manifest::{self, BatchRecord};
use crate::params::Params;
use crate::spec::Spec;
use crate::timings::{self, Stage as T};
use crate::{chart, checks, compute, source};

/// A finished batch: every paper's build or error, in value order.
#[derive(Debug)]
pub struct Batch {
    /// The report's name.
    pub report: String,
    /// The param the batch varies.
    pub for_each: String,
    /// One entry per value, in the order the values were given.
    pub papers: Vec<Paper>,
    /// Where outputs go.
    pub out_dir: std::path::PathBuf,
}

/// One paper of a batch.
#[derive(Debug)]
pub struct Paper {
    /// The param's value for this paper.
    pub value: String,
    /// The value as it appears in file names.
    pub slug: String,
    /// The paper, or why it could not be built.
    pub result: Result<Box<Build>>,
}

/// The batch record written beside the papers (`NAME.batch.json`).
#[derive(Debug, Serialize)]
struct Record<'a> {
    report: &'a str,
    for_each: &'a str,
    built: usize,
    failed: usize,
    papers: Vec<PaperRecord<'a>>,
}

#[derive(Debug, Serialize)]
struct PaperRecord<'a> {
    value: &'a str,
    slug: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    outputs: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Builds one paper per value of the batch param, in memory; writes
/// nothing. `for_each` is the param named on the command line (it must be
/// the one `[batch]` declares). Errors that stop every paper (the spec, the
/// sources, the values) are returned; a paper's own error is kept in its
/// [`Paper`].
pub fn build_batch(options: &BuildOptions, for_each: Option<&str>) -> Result<Batch> {
    // One registry for the batch: every paper reads through it.
    let (spec, inputs) = crate::build::load(&options.spec)?;
    let param = batch_param(&spec, for_each)?;
    if options.overrides.iter().any(|(n, _)| *n == param) {
        return Err(Error::new(
            ErrorKind::Usage,
            format!("`--set {param}=…` and a batch over `{param}` both set it"),
        )
        .with_hint(format!(
            "drop `--for-each` to build the one paper for that {param}, or drop the `--set`"
        )));
    }
    let params = Params::resolve(spec.params_part(), &options.overrides)?;
    // The batch's own context, for the work all papers share (no cache:
    // each paper's build has its own).
    let cache = std::sync::Arc::new(crate::cache::Cache::disabled());
    let ctx = BuildContext::new(&spec.limits, inputs.clone(), cache, params.clone());
    compute::check_queries(spec.compute_part())?;
    let sources = timings::time(
        T::Sources,
        || "every source, once for the batch".into(),
        || source::load_all(spec.sources_part(), &ctx, &params, &BTreeMap::new()),
    )?;
    let (values, source_checks, queries) = shared_work(&spec, &ctx, &sources)?;
    let shared = Shared {
        source_checks: Some(source_checks),
        sources,
        queries,
    };
    let slugs = slugs(&spec, &values)?;
    let out_dir = spec.out_dir(options.out_dir.as_deref());
    let jobs: Vec<(String, String)> = values.into_iter().zip(slugs).collect();
    let workers = workers(jobs.len());
    let results = run_parallel(&jobs, workers, |(value, slug)| {
        let mut opts = options.clone();
        opts.overrides.push((param.clone(), value.clone()));
        opts.batch = Some(BatchRecord {
            for_each: param.clone(),
            value: value.clone(),
            slug: slug.clone(),
        });
        let paper = timings::scoped(&format!("paper {slug}"), || {
            build_with(spec.clone(), inputs.clone(), &opts, &shared).map(Box::new)
        });
        forget_unused(workers);
        paper
    });
    let papers = jobs
        .into_iter()
        .zip(results)
        .map(|((value, slug), result)| Paper {
            value,
            slug,
            result,
        })
        .collect();
    Ok(Batch {
        report: spec.report.name.clone(),
        for_each: param,
        papers,
        out_dir,
    })
}

/// The work every paper shares, done once for the batch on two threads:
/// the batch's values, the sources' checks (they depend on the sources
/// alone) and the queries that read no parameter, in both periods.
fn shared_work(
    spec: &Spec,
    ctx: &BuildContext,
    sources: &BTreeMap<String, source::Source>,
) -> Result<(Vec<String>, Vec<checks::Outcome>, compute::SharedQueries)> {
    let params = &ctx.params;
    let scope = timings::scope();
    std::thread::scope(|s| {
        let other = s.spawn(|| {
            timings::scoped(&scope, || {
                let checks = timings::time(
                    T::Checks,
                    || "sources' checks, once for the batch".into(),
                    || checks::check_sources(spec.checks_part(), sources),
                );
                (checks, previous_share(spec, ctx, sources))
            })
        });
        let mut queries = compute::SharedQueries::default();
        let current = compute::share(spec.compute_part(), sources, params);
        queries.insert(params.period(), current);
        let values = timings::time(
            T::Query,
            || "the batch's values".into(),
            || compute::batch_values(spec.compute_part(), sources, params, &queries),
        );
        let (checks, previous) = other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        if let Some((period, results)) = previous {
            queries.insert(Some(period), results);
        }
        Ok((values?, checks?, queries))
    })
}

/// The previous period's shared results, when every source of that period
/// is the current one's file (no path names a parameter, no database
/// source, which would be asked again): then nothing is read for them.
fn previous_share(
    spec: &Spec,
    ctx: &BuildContext,
    sources: &BTreeMap<String, source::Source>,
) -> Option<(crate::params::FinancialYear, compute::SharedResults)> {
    let period = ctx.params.period()?.previous();
    let fixed = spec.sources.values().all(|d| {
        let path = d.path.get_ref();
        !d.is_database() && !path.contains("{{") && !path.contains("{%")
    });
    if !fixed {
        return None;
    }
    let p = ctx.params.with_period(period);
    let loaded = source::load_all(spec.sources_part(), ctx, &p, sources).ok()?;
    let results = timings::scoped("previous period", || {
        compute::share(spec.compute_part(), &loaded, &p)
    });
    Some((period, results))
}

/// The param the batch varies: the one `[batch]` declares, which the
/// command line may name again.
fn batch_param(spec: &Spec, named: Option<&str>) -> Result<String> {
    let Some(batch) = &spec.batch else {
        let p = named.unwrap_or("district");
        return Err(Error::new(
            ErrorKind::Usage,
            format!("`--for-each {p}` needs a `[batch]` section in the spec saying which values to build"),
        )
        .in_file(spec.file.path())
        .with_hint(format!(
            "add\n\n[batch]\nfor_each = \"{p}\"\nquery = \"SELECT DISTINCT {p} FROM … ORDER BY {p}\"   # or values = [\"…\", \"…\"]\n"
        )));
    };
    let declared = batch.get_ref().for_each.get_ref();
    match named {
        Some(n) if n != declared => Err(spec
            .error_at(
                ErrorKind::Usage,
                format!("`--for-each {n}`, but the spec's batch is over `{declared}`"),
                batch.get_ref().for_each.span(),
            )
            .with_hint(format!(
                "run `--for-each {declared}`, or change `[batch] for_each`"
            ))),
        _ => Ok(declared.clone()),
    }
}

/// A file-name-safe form of each value: lower case, letters and digits,
/// other runs as one `-`. Two values with the same slug are an error (their
/// papers would overwrite each other).
fn slugs(spec: &Spec, values: &[String]) -> Result<Vec<String>> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for value in values {
        let slug = cap_slug(slugify(value), value);
        let span = spec.batch.as_ref().map_or(0..0, |b| b.span());
        if slug.is_empty() {
            errors.push(
                spec.error_at(
                    ErrorKind::Data,
                    format!("batch value `{value}` has no letters or digits to name its files by"),
                    span,
                )
                .with_hint("give every value letters or digits"),
            );
        } else if let Some(first) = seen.insert(slug.clone(), value) {
            let message = if first == value {
                format!("batch value `{value}` appears twice")
            } else {
                format!("batch values `{first}` and `{value}` would both be named `{slug}`")
            };
            errors.push(spec.error_at(ErrorKind::Data, message, span).with_hint(
                "each value builds one paper: make the values distinct (`SELECT DISTINCT …`)",
            ));
        }
        out.push(slug);
    }
    Error::collect(errors)?;
    Ok(out)
}

/// The longest file name most file systems allow, in bytes.
const NAME_MAX: usize = 255;

/// The longest slug, in bytes: with the stem and an extension a paper's
/// file name stays far under the 255 bytes file systems allow.
const SLUG_MAX: usize = 80;

/// `slug` cut to [`SLUG_MAX`] bytes at a character boundary; a cut one ends
/// in a short hash of the whole `value`, so two long values that share
/// their first 70 bytes still get files of their own (and the same value
/// always the same name).
fn cap_slug(slug: String, value: &str) -> String {
    if slug.len() <= SLUG_MAX {
        return slug;
    }
    let hash = blake3::hash(value.as_bytes()).to_hex();
    let tag = &hash.as_str()[..8];
    let mut cut = SLUG_MAX - tag.len() - 1;
    while !slug.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}-{tag}", slug[..cut].trim_end_matches('-'))
}

/// `South Cambridgeshire` → `south-cambridgeshire`.
pub(crate) fn slugify(value: &str) -> String {
    let mut slug = String::new();
    for c in value.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// The most papers a batch builds at once, whatever the core count: each
/// paper in flight holds its frames, document and outputs being made, so a
/// batch's memory grows with this, not with its number of papers.
const MAX_WORKERS: usize = 8;

/// How many papers of `papers` to build at once: one per core (or
/// `BOARDPACK_TEST_BATCH_WORKERS`), at most [`MAX_WORKERS`], at most one
/// per paper, at least one.
fn workers(papers: usize) -> usize {
    let wanted = std::env::var("BOARDPACK_TEST_BATCH_WORKERS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    wanted.min(MAX_WORKERS).min(papers).max(1)
}

/// After a paper: Typst's memoised results (process-wide, see the module
/// docs) that no paper has used in the last `2 × workers` papers are
/// dropped. What every paper reuses (the layout file's evaluation, the
/// sources appendix's highlighted SQL) is used again by each paper and
/// stays; one paper's own layout goes once the papers running beside it
/// have finished. Dropping a memoised result never changes an output (it
/// is computed again if asked for), only how much is kept.
fn forget_unused(workers: usize) {
    typst::comemo::evict(2 * workers);
}

/// Runs `job` over `items` on `workers` threads (at most one per item), so
/// at most `workers` jobs are in flight; results in `items`' order, however
/// the jobs finish. A panic in one job is that job's error.
fn run_parallel<T: Sync, R: Send>(
    items: &[T],
    workers: usize,
    job: impl Fn(&T) -> Result<R> + Sync,
) -> Vec<Result<R>> {
    let workers = workers.min(items.len()).max(1);
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Result<R>>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                // One paper per core already: its charts need no threads.
                if workers > 1 {
                    chart::set_draw_in_parallel(false);
                }
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(item)))
                        .unwrap_or_else(|_| {
                            Err(Error::new(ErrorKind::Internal, "building this paper panicked")
                                .with_hint("this is a bug in boardpack; please report it with the spec and data that trigger it"))
                        });
                    if let Ok(mut slot) = results[i].lock() {
                        *slot = Some(r);
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .map(|m| {
            m.into_inner().ok().flatten().unwrap_or_else(|| {
                Err(Error::new(
                    ErrorKind::Internal,
                    "a batch worker stopped early",
                ))
            })
        })
        .collect()
}

impl Batch {
    /// How many papers failed.
    pub fn failed(&self) -> usize {
        self.papers.iter().filter(|p| p.result.is_err()).count()
    }

    /// The batch record file's name: `NAME.batch.json`.
    pub fn record_name(&self) -> String {
        format!("{}.batch.json", self.report)
    }

    /// Every file the batch publishes: each built paper's files and the
    /// batch record. A failed paper writes nothing, so its previous outputs
    /// are carried over unchanged. Private manifests are not among them
    /// (nor their hashes in the record): see [`Batch::private_files`].
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files = Vec::new();
        let mut papers = Vec::new();
        for paper in &self.papers {
            let (status, outputs, error) = match &paper.result {
                Ok(build) => {
                    let own = build.files();
                    let hashes = own
                        .iter()
                        .map(|(n, b)| (n.clone(), manifest::hash(b)))
                        .collect();
                    files.extend(own);
                    ("built", hashes, None)
                }
                Err(e) => ("failed", BTreeMap::new(), Some(e.message().to_string())),
            };
            papers.push(PaperRecord {
                value: &paper.value,
                slug: &paper.slug,
                status,
                outputs,
                error,
            });
        }
        let record = Record {
            report: &self.report,
            for_each: &self.for_each,
            built: self.papers.len() - self.failed(),
            failed: self.failed(),
            papers,
        };
        let mut json = serde_json::to_string_pretty(&record).unwrap_or_default();
        json.push('\n');
        files.push((self.record_name(), json.into_bytes()));
        files
    }

    /// Each built paper's private manifest (under `[disclosure]`).
    pub fn private_files(&self) -> Vec<(String, Vec<u8>)> {
        self.papers
            .iter()
            .filter_map(|p| p.result.as_ref().ok())
            .flat_map(|b| b.private_files())
            .collect()
    }

    /// Writes every built paper and the batch record as one output set,
    /// and the private manifests into the private folder beside it;
    /// nothing is written if any file name is too long. An error names the
    /// paper's value.
    pub fn write(&self) -> Result<Vec<std::path::PathBuf>> {
        let mut owner: BTreeMap<String, &str> = BTreeMap::new();
        let mut errors = Vec::new();
        for paper in &self.papers {
            let Ok(build) = &paper.result else { continue };
            let names: Vec<String> = build.files().into_iter().map(|(n, _)| n).collect();
            // One error per paper: its names all grow with the value.
            if let Some(long) = names
                .iter()
                .max_by_key(|n| n.len())
                .filter(|n| n.len() > NAME_MAX)
            {
                errors.push(self.long_name(&paper.value, long));
            }
            owner.extend(names.into_iter().map(|n| (n, paper.value.as_str())));
        }
        Error::collect(errors)?;
        let dropped: Vec<String> = self
            .papers
            .iter()
            .filter_map(|p| p.result.as_ref().ok())
            .map(|b| b.names().private_manifest.clone())
            .collect();
        let private = self.private_files();
        let _timed = timings::span(T::Outputs, || "write every paper's output set".into());
        crate::build::write_both(&self.out_dir, &self.files(), &private, &dropped).map_err(|e| {
            let name = e
                .file()
                .and_then(|f| f.file_name())
                .map(|n| n.to_string_lossy().into_owned());
            match name.as_deref().and_then(|n| owner.get(n)) {
                Some(value) => {
                    let mut named = Error::new(
                        e.kind(),
                        format!(
                            "cannot write the paper for {} = `{value}`: {}",
                            self.for_each,
                            e.message()
                        ),
                    );
                    if let Some(file) = e.file() {
                        named = named.in_file(file);
                    }
                    e.hints().iter().fold(named, |n, h| n.add_hint(h))
                }
                None => e,
            }
        })
    }

    fn long_name(&self, value: &str, name: &str) -> Error {
        Error::new(
            ErrorKind::Io,
            format!(
                "the paper for {} = `{value}` would be written as a file name of {} bytes; file systems allow {NAME_MAX}",
                self.for_each,
                name.len()
            ),
        )
        .with_hint("name the papers by `{{ slug }}` (at most 80 bytes) rather than `{{ value }}` in `[batch] output`, or shorten `report.name`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_joined_by_dashes() {
        assert_eq!(slugify("South Cambridgeshire"), "south-cambridgeshire");
        assert_eq!(slugify("  Out of county! "), "out-of-county");
        assert_eq!(
            slugify("King's Lynn & West Norfolk"),
            "king-s-lynn-west-norfolk"
        );
        assert_eq!(slugify("Ynys Môn"), "ynys-môn");
        assert_eq!(slugify("—"), "");
    }

    #[test]
    fn long_slugs_are_cut_at_a_character_and_keep_values_apart() {
        let a = "Ynys Môn ".repeat(34) + "A";
        let b = "Ynys Môn ".repeat(34) + "B";
        let (sa, sb) = (cap_slug(slugify(&a), &a), cap_slug(slugify(&b), &b));
        assert!(sa.len() <= SLUG_MAX && sb.len() <= SLUG_MAX, "{sa}");
        assert_ne!(sa, sb);
        assert!(sa.starts_with("ynys-môn-ynys"), "{sa}");
        assert_eq!(sa, cap_slug(slugify(&a), &a), "stable");
        assert_eq!(cap_slug("short".into(), "Short"), "short");
    }

    #[test]
    fn parallel_results_keep_the_items_order_and_a_panic_is_one_error() {
        let items: Vec<u32> = (0..9).collect();
        let out = run_parallel(&items, 3, |&i| {
            if i == 4 {
                panic!("boom");
            }
            Ok(i * 10)
        });
        let got: Vec<Option<u32>> = out.iter().map(|r| r.as_ref().ok().copied()).collect();
        let want: Vec<Option<u32>> = (0..9).map(|i| (i != 4).then_some(i * 10)).collect();
        assert_eq!(got, want);
        assert_eq!(out[4].as_ref().unwrap_err().kind(), ErrorKind::Internal);
    }

    #[test]
    fn at_most_the_workers_asked_for_run_at_once_and_each_item_once() {
        use std::sync::atomic::AtomicUsize;
        let (running, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let items: Vec<u32> = (0..12).collect();
        let out = run_parallel(&items, 3, |&i| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            // Finishing out of order: later items are quicker.
            std::thread::sleep(std::time::Duration::from_millis(u64::from(12 - i)));
            running.fetch_sub(1, Ordering::SeqCst);
            Ok(i)
        });
        let got: Vec<u32> = out.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(got, items, "in the items' order");
        let most = most.load(Ordering::SeqCst);
        assert!((1..=3).contains(&most), "{most} jobs at once");
    }

    #[test]
    fn workers_are_capped_by_papers_and_by_the_maximum() {
        assert_eq!(workers(1), 1);
        assert_eq!(workers(0), 1);
        assert!(workers(1000) <= MAX_WORKERS);
    }
}
