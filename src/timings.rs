//! `boardpack build --timings` (or `BOARDPACK_TIMINGS=1`): where a build's
//! wall time goes, stage by stage, printed to stderr after the build.
//!
//! A diagnostic for people, never an output: nothing here reaches a file,
//! and tests never assert a time. Stages record themselves with [`time`];
//! when timings are off that is one relaxed atomic load. The report lists
//! the records in the pipeline's order ([`Stage`]), then by the paper and
//! period they belong to ([`scoped`]), then in the order each thread made
//! them, so two runs print the same lines in the same order even though
//! the two periods (and a batch's papers, and the backends) run at once.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// The pipeline's stages, in the order the report lists them. Some hold
/// others (the sources stage includes reading and hashing the files; the
/// render stage includes the charts): the report says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stage {
    /// Loading the spec, resolving the params, checking the queries.
    Spec,
    /// Reading one input file and hashing its bytes.
    ReadHash,
    /// Loading every source: reading, hashing and the checking reader.
    Sources,
    /// The declared data checks of the sources, tables and `[[checks]]`.
    Checks,
    /// One source filtered to one period.
    Period,
    /// One view, table or figure query.
    Query,
    /// Totals and disclosure control.
    Publish,
    /// Templates and charts into the content tree.
    Render,
    /// Every chart drawn (part of render).
    Charts,
    /// The provenance manifest and the sources appendix.
    Manifest,
    /// One output format (PDF, Word, HTML), run at once with the others.
    Backend,
    /// Writing the output set.
    Outputs,
}

impl Stage {
    fn name(self) -> &'static str {
        match self {
            Stage::Spec => "spec",
            Stage::ReadHash => "read+hash",
            Stage::Sources => "sources",
            Stage::Checks => "data checks",
            Stage::Period => "period filter",
            Stage::Query => "query",
            Stage::Publish => "publish",
            Stage::Render => "render",
            Stage::Charts => "charts",
            Stage::Manifest => "manifest",
            Stage::Backend => "backend",
            Stage::Outputs => "outputs",
        }
    }
}

static ON: AtomicBool = AtomicBool::new(false);
static RECORDS: Mutex<Vec<Record>> = Mutex::new(Vec::new());

thread_local! {
    /// What the current thread's records belong to: "" for the build (or
    /// the current period), `previous period`, `paper fenland`, ….
    static SCOPE: RefCell<String> = const { RefCell::new(String::new()) };
}

#[derive(Debug, Clone)]
struct Record {
    stage: Stage,
    scope: String,
    what: String,
    /// The order records were made in (per process; a tie-breaker that is
    /// deterministic within one thread).
    seq: usize,
    ms: f64,
}

/// Turns timings on for the rest of the process (`--timings`), or if
/// `BOARDPACK_TIMINGS=1` is set.
pub fn enable(on: bool) {
    let env = std::env::var_os("BOARDPACK_TIMINGS").is_some_and(|v| v == "1");
    ON.store(on || env, Ordering::Relaxed);
}

/// Whether timings are being recorded.
pub(crate) fn enabled() -> bool {
    ON.load(Ordering::Relaxed)
}

/// Runs `f`, recording its wall time under `stage` and `what` (made only
/// when timings are on).
pub(crate) fn time<T>(stage: Stage, what: impl FnOnce() -> String, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let start = Instant::now();
    let out = f();
    record(stage, what(), start.elapsed().as_secs_f64() * 1000.0);
    out
}

/// A stage timed until the value is dropped (see [`span`]).
pub(crate) struct Span(Option<(Stage, String, Instant)>);

/// Starts timing `stage` and `what` (made only when timings are on); the
/// time is recorded when the returned [`Span`] is dropped.
pub(crate) fn span(stage: Stage, what: impl FnOnce() -> String) -> Span {
    Span(enabled().then(|| (stage, what(), Instant::now())))
}

impl Drop for Span {
    fn drop(&mut self) {
        if let Some((stage, what, start)) = self.0.take() {
            record(stage, what, start.elapsed().as_secs_f64() * 1000.0);
        }
    }
}

/// Records the wall time since `start` under `stage` and `what` (for a
/// stage that is not one call).
pub(crate) fn record_since(stage: Stage, what: &str, start: Instant) {
    if enabled() {
        record(
            stage,
            what.to_string(),
            start.elapsed().as_secs_f64() * 1000.0,
        );
    }
}

fn record(stage: Stage, what: String, ms: f64) {
    let scope = SCOPE.with(|s| s.borrow().clone());
    let mut records = RECORDS.lock().unwrap_or_else(|e| e.into_inner());
    let seq = records.len();
    records.push(Record {
        stage,
        scope,
        what,
        seq,
        ms,
    });
}

/// The current thread's scope, to hand to a thread it spawns.
pub(crate) fn scope() -> String {
    SCOPE.with(|s| s.borrow().clone())
}

/// Runs `f` with the thread's records under `scope` (appended to the
/// current one with `, `), then restores the thread's scope.
pub(crate) fn scoped<T>(scope: &str, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let before = SCOPE.with(|s| s.borrow().clone());
    let new = match (before.is_empty(), scope.is_empty()) {
        (_, true) => before.clone(),
        (true, false) => scope.to_string(),
        (false, false) => format!("{before}, {scope}"),
    };
    SCOPE.with(|s| *s.borrow_mut() = new);
    let out = f();
    SCOPE.with(|s| *s.borrow_mut() = before);
    out
}

/// Takes every record so far and formats the report; empty when timings
/// are off. `total_ms` is the whole command's wall time.
pub fn report(total_ms: f64) -> String {
    if !enabled() {
        return String::new();
    }
    let mut records = std::mem::take(&mut *RECORDS.lock().unwrap_or_else(|e| e.into_inner()));
    format(&mut records, total_ms, (cpu_ms(), peak_mb()))
}

fn format(records: &mut [Record], total_ms: f64, (cpu, peak): (f64, f64)) -> String {
    // Scope first within a stage, then the thread's own order. Records of
    // one scope are made by one thread at a time, so `seq` orders them
    // the same way every run.
    // Stages whose records race each other within one scope (the
    // backends run at once; files may be read from several threads) are
    // listed by name.
    let key = |r: &Record| {
        let name = matches!(r.stage, Stage::Backend | Stage::ReadHash).then(|| r.what.clone());
        (r.stage, r.scope.clone(), name, r.seq)
    };
    records.sort_by_cached_key(key);
    let mut out = String::from(
        "timings (wall ms; read+hash is part of sources, charts of render; the two periods, \
         the backends and a batch's papers run at once):\n",
    );
    for r in records.iter() {
        let mut what = r.what.clone();
        if !r.scope.is_empty() {
            what = format!("{what} [{}]", r.scope);
        }
        out.push_str(&format!(
            "timing: {:<13} {:<56} {:>9.1} ms\n",
            r.stage.name(),
            what,
            r.ms
        ));
    }
    out.push_str(&format!(
        "timing: {:<13} {:<56} {:>9.1} ms wall, {:.1} ms cpu (all threads), {:.0} MB peak\n",
        "total", "", total_ms, cpu, peak
    ));
    out
}

/// The process's resource usage so far (`getrusage`), if available.
#[cfg(unix)]
fn rusage() -> Option<libc::rusage> {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    (unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0).then_some(usage)
}

/// CPU time used by the process so far (user + system, all threads), ms.
#[cfg(unix)]
fn cpu_ms() -> f64 {
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    rusage().map_or(0.0, |u| ms(u.ru_utime) + ms(u.ru_stime))
}

/// The process's peak resident memory so far, MB (Linux reports KB).
#[cfg(unix)]
fn peak_mb() -> f64 {
    rusage().map_or(0.0, |u| u.ru_maxrss as f64 / 1024.0)
}

#[cfg(not(unix))]
fn cpu_ms() -> f64 {
    0.0
}

#[cfg(not(unix))]
fn peak_mb() -> f64 {
    0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(stage: Stage, scope: &str, what: &str, seq: usize) -> Record {
        Record {
            stage,
            scope: scope.into(),
            what: what.into(),
            seq,
            ms: 1.0,
        }
    }

    #[test]
    fn the_report_follows_the_pipeline_not_the_threads() {
        // Made in the order threads happened to finish.
        let mut records = vec![
            rec(Stage::Query, "previous period", "prev-b", 0),
            rec(Stage::Backend, "", "pdf", 1),
            rec(Stage::Query, "", "cur-a", 2),
            rec(Stage::Sources, "", "all-sources", 3),
            rec(Stage::Query, "previous period", "prev-a", 4),
            rec(Stage::Query, "", "cur-b", 5),
            rec(Stage::Backend, "", "docx", 6),
        ];
        let text = format(&mut records, 10.0, (5.0, 1.0));
        let lines: Vec<&str> = text.lines().skip(1).collect();
        let order = [
            "all-sources",
            "cur-a",
            "cur-b",
            "prev-b [previous period]",
            "prev-a [previous period]",
            "docx",
            "pdf",
        ];
        for (line, what) in lines.iter().zip(order) {
            assert!(line.contains(what), "{what} in {line}\n{text}");
        }
        assert!(lines[7].starts_with("timing: total"), "{text}");
    }
}
