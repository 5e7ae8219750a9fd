//! The CSV reader alone against Polars' own CSV read of the same bytes
//! (issue 23: boardpack's reader within 1.5× of Polars').
//!
//! `cargo bench --bench reader -- [FILE] [RUNS]` (default: the 1.1 M-row
//! victims extract of `make-data /tmp/boardpack-bench/rows-1105350/data
//! --victims-rows 1105350`, 9 runs). The file is read into memory once;
//! then, alternating, boardpack's reader (every cell of the ten declared
//! columns checked, lines kept) and Polars' `CsvReader` with the same
//! schema (no inference, no checks) parse the same bytes. Prints the
//! median wall and CPU (user + sys, all threads) time of each, and their
//! ratio. Both use every core (`POLARS_MAX_THREADS` sets Polars' pool).

use std::io::Cursor;
use std::time::{Duration, Instant};

use boardpack::stages::read_csv;
use polars::prelude::*;

/// The example's victims columns, as `reports/needs-assessment` declares them.
const COLUMNS: [(&str, &str); 10] = [
    ("crime_id", "string"),
    ("victim_id", "string"),
    ("offence_date", "date"),
    ("offence_group", "string"),
    ("district", "string"),
    ("victim_age", "int"),
    ("victim_sex", "string"),
    ("victim_nationality", "string"),
    ("domestic_abuse", "bool"),
    ("resident_in_county", "bool"),
];

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let file = args
        .next()
        .unwrap_or_else(|| "/tmp/boardpack-bench/rows-1105350/data/victims.csv".into());
    let runs: usize = args.next().map_or(9, |r| r.parse().expect("RUNS"));
    let bytes = std::fs::read(&file).expect("the CSV file");
    let schema: Schema = COLUMNS
        .iter()
        .map(|(name, ty)| Field::new((*name).into(), dtype(ty)))
        .collect();
    let schema = Arc::new(schema);
    // The reader as it was, if built in (`--features reader-oracle`).
    let before = read_csv(b"a\n1\n", &[("a", "int")], true).is_ok();
    let (mut ours, mut old, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        ours.push(timed(|| {
            read_csv(&bytes, &COLUMNS, false).expect("boardpack reads it")
        }));
        if before {
            old.push(timed(|| {
                read_csv(&bytes, &COLUMNS, true).expect("the oracle reads it")
            }));
        }
        theirs.push(timed(|| polars_read(&bytes, &schema)));
    }
    println!(
        "{} ({:.1} MB), {runs} alternating runs, medians:",
        file,
        bytes.len() as f64 / 1e6
    );
    let (tw, tc) = medians(&theirs);
    for (name, times) in [("boardpack reader", &ours), ("reader before", &old)] {
        if times.is_empty() {
            continue;
        }
        let (w, c) = medians(times);
        println!(
            "{name:<17} wall {w:>7.1} ms  CPU {c:>7.1} ms  ({:.2}× / {:.2}× Polars)",
            w / tw,
            c / tc
        );
    }
    println!("polars CsvReader  wall {tw:>7.1} ms  CPU {tc:>7.1} ms");
}

fn dtype(ty: &str) -> DataType {
    match ty {
        "string" => DataType::String,
        "date" => DataType::Date,
        "int" => DataType::Int64,
        _ => DataType::Boolean,
    }
}

fn polars_read(bytes: &[u8], schema: &SchemaRef) -> usize {
    CsvReadOptions::default()
        .with_has_header(true)
        .with_schema(Some(schema.clone()))
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .expect("Polars reads it")
        .height()
}

/// Wall and CPU time of `f` (which returns the rows read, kept alive to
/// the end of the timing so freeing counts for neither).
fn timed(f: impl FnOnce() -> usize) -> (Duration, Duration) {
    let cpu = cpu_time();
    let t = Instant::now();
    let rows = std::hint::black_box(f());
    assert!(rows > 0);
    (t.elapsed(), cpu_time() - cpu)
}

fn cpu_time() -> Duration {
    // SAFETY: getrusage writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn medians(times: &[(Duration, Duration)]) -> (f64, f64) {
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64() * 1000.0
    };
    (
        median(times.iter().map(|t| t.0).collect()),
        median(times.iter().map(|t| t.1).collect()),
    )
}
