//! Times each stage of the example build and reports peak memory.
//!
//! `cargo bench --bench build` (release profile, shares the build with the
//! tests). Prints the median of several runs per stage; no assertions: speed
//! is measured here, never asserted in tests.

use std::path::Path;
use std::time::{Duration, Instant};

use boardpack::docx;
use boardpack::stages::{self, Fonts};
use boardpack::Spec;

const RUNS: usize = 7;

fn main() {
    let spec_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/needs-assessment/report.toml");
    let mut stages: Vec<(&str, Vec<Duration>)> = Vec::new();
    let mut record =
        |name: &'static str, d: Duration| match stages.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => v.push(d),
            None => stages.push((name, vec![d])),
        };
    for _ in 0..RUNS {
        let t = Instant::now();
        let spec = Spec::load(&spec_path).expect("spec");
        let ctx = stages::context(&spec, &[]).expect("params");
        let params = ctx.params();
        record("spec + params", t.elapsed());
        let t = Instant::now();
        let sources = stages::load_all(&spec, &ctx, params, &Default::default()).expect("sources");
        record("sources (CSV → Polars)", t.elapsed());
        let t = Instant::now();
        let computed = stages::compute(spec.compute_part(), &sources, params).expect("compute");
        record("compute (Polars SQL)", t.elapsed());
        let t = Instant::now();
        let load = |p: &_| stages::load_all(&spec, &ctx, p, &sources);
        let (previous, _) = stages::previous(spec.compute_part(), load, params).expect("previous");
        record("compute previous period", t.elapsed());
        let t = Instant::now();
        let published =
            stages::publish(spec.publish_part(), &computed, &previous).expect("publish");
        record("publish (totals, disclosure audit)", t.elapsed());
        let t = Instant::now();
        let fonts = Fonts::new(&[]);
        let rendered =
            stages::render(spec.render_part(), &ctx, &published, &fonts).expect("render");
        record("render (MiniJinja + Markdown)", t.elapsed());
        let t = Instant::now();
        let options = docx::DocxOptions {
            timestamp: jiff::Timestamp::UNIX_EPOCH,
            ..Default::default()
        };
        docx::render(&rendered.document, &options).expect("docx");
        record("docx backend", t.elapsed());
        let t = Instant::now();
        let options = boardpack::BuildOptions {
            spec: spec_path.clone(),
            ..Default::default()
        };
        boardpack::build(&options).expect("build");
        record("whole build (all stages + Typst)", t.elapsed());
    }
    println!("{:<32} {:>12} {:>12}", "stage", "median", "min");
    for (name, mut times) in stages {
        times.sort();
        println!(
            "{name:<32} {:>10.1}ms {:>10.1}ms",
            ms(times[times.len() / 2]),
            ms(times[0])
        );
    }
    println!("peak resident memory: {}", peak_rss());
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Peak resident set size from `/proc/self/status` (Linux), if available.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l["VmHWM:".len()..].trim().to_string())
        })
        .unwrap_or_else(|| "unavailable on this platform".to_string())
}
