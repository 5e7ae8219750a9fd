//! The memory limit (`[limits] memory_mb`): a build that would exhaust the
//! machine stops with an error naming the stage, instead of being killed by
//! the kernel (or swapping the machine to a standstill) after minutes.
//!
//! Fuel and output caps bound what a template *does*; they cannot bound what
//! one step *allocates*: a string doubled forty times in a loop is forty
//! steps and a terabyte, and a query that joins a table with itself without
//! a condition is one step. So the CLI watches the process's resident memory
//! from a thread of its own ([`enforce`]), every 10 ms, and when it passes
//! the limit prints the error and exits with status 1. Nothing is lost: the
//! outputs are only ever replaced as one set at the very end (see
//! `output`), so the last good PDF, Word file and manifest stay as they were.
//!
//! Exiting from a watchdog is the only way to stop a step that is already
//! running (Rust cannot interrupt a thread, and an allocator may not fail
//! with an error); it is why the library never starts the watchdog itself.
//! Linux only (it reads `/proc/self/statm`); elsewhere there is no limit.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Once;
use std::time::Duration;

use crate::error::{Error, ErrorKind};

/// What the build is doing, for the error's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Before the data stages.
    Starting = 0,
    /// Reading and checking the data files (or the database).
    Sources,
    /// Running the views, tables, figures and checks, both periods.
    Queries,
    /// Rendering the templates and drawing the charts.
    Render,
    /// The Typst layout and writing the PDF, Word and HTML files.
    Outputs,
}

const STAGES: [&str; 5] = [
    "starting the build",
    "reading the sources",
    "running the queries and checks",
    "rendering the templates and charts",
    "laying out and writing the outputs",
];

/// The limit in MB; 0 until a build sets it.
static LIMIT_MB: AtomicU64 = AtomicU64::new(0);
static STAGE: AtomicUsize = AtomicUsize::new(0);
static WATCHDOG: Once = Once::new();

/// Sets the limit for the build about to run (`limits.memory_mb`).
pub(crate) fn limit(mb: u64) {
    LIMIT_MB.store(mb, Ordering::Relaxed);
    STAGE.store(Stage::Starting as usize, Ordering::Relaxed);
}

/// Records what the build is doing now.
pub(crate) fn enter(stage: Stage) {
    STAGE.store(stage as usize, Ordering::Relaxed);
}

/// Starts the watchdog that enforces `limits.memory_mb` by exiting the
/// process (see the module docs); for the command-line program only. Calling
/// it again does nothing.
pub fn enforce() {
    WATCHDOG.call_once(|| {
        let _ = std::thread::Builder::new()
            .name("memory-limit".into())
            .stack_size(64 << 10)
            .spawn(watch);
    });
}

fn watch() {
    loop {
        std::thread::sleep(Duration::from_millis(10));
        let limit = LIMIT_MB.load(Ordering::Relaxed);
        let Some(used) = resident_mb() else {
            return;
        };
        if limit > 0 && used > limit {
            let stage = STAGES[STAGE.load(Ordering::Relaxed).min(STAGES.len() - 1)];
            eprint!("{}", over_limit(limit, stage).render());
            std::process::exit(1);
        }
    }
}

/// The error printed when the limit is passed.
fn over_limit(limit: u64, stage: &str) -> Error {
    let mb = crate::format::format_number(limit as f64, 0);
    Error::new(
        ErrorKind::Limit,
        format!("the build used more than {mb} MB of memory while {stage} (`limits.memory_mb`); it was stopped and the previous outputs are unchanged"),
    )
    .with_hint("look for a query that joins a table to itself without a condition, or a template loop that keeps doubling a string; if the report really needs more, raise `memory_mb` under `[limits]` in the spec")
}

/// The process's resident memory, MB.
#[cfg(target_os = "linux")]
fn resident_mb() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page).ok()? / (1 << 20))
}

#[cfg(not(target_os = "linux"))]
fn resident_mb() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_memory_is_read_and_grows_with_an_allocation() {
        // Other tests in this process allocate and free at the same time,
        // so one reading may be masked by their frees: any of five will do.
        let mut seen = Vec::new();
        for _ in 0..5 {
            let before = resident_mb().expect("Linux reports resident memory");
            let block = std::hint::black_box(vec![1u8; 64 << 20]);
            let after = resident_mb().unwrap();
            assert_eq!(std::hint::black_box(&block)[12345], 1);
            if after >= before + 60 {
                return;
            }
            seen.push(format!("{before} MB, then {after} MB"));
        }
        panic!("resident memory did not grow by 64 MB: {seen:?}");
    }

    #[test]
    fn the_error_names_the_limit_and_the_stage() {
        let e = over_limit(2048, STAGES[Stage::Render as usize]);
        assert_eq!(e.kind(), ErrorKind::Limit);
        assert!(
            e.message().contains("more than 2,048 MB"),
            "{}",
            e.message()
        );
        assert!(
            e.message().contains("while rendering the templates"),
            "{}",
            e.message()
        );
        assert!(e.hint().unwrap().contains("memory_mb"));
    }
}
