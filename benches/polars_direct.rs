//! The example's queries run through Polars directly: the yardstick for
//! boardpack's aggregation time (issue 11: within 1.5× of this).
//!
//! `cargo bench --bench polars_direct -- [DATA_DIR]` (default `data/`; e.g.
//! a folder written by `make-data DIR --victims-rows 10000000`). The SQL is
//! read from `reports/needs-assessment/report.toml`, so the queries are the
//! very ones boardpack runs, for the report period and the one before; here
//! they run with no validation, no checks, no documents. Prints:
//! - `scan+queries`: lazy CSV scans (schema given, period filter pushed into
//!   the scan) and every view, table and figure, collected as boardpack does;
//! - with `--eager-only` (as `benches/run.sh` runs it, timing the whole
//!   process): only the eager read and both periods' queries;
//! - `eager load` and `queries`: the same after reading every row and
//!   column into memory first — `queries` is the figure to compare with
//!   boardpack's `compute` stage (`BOARDPACK_TIMINGS=1`), and the loaded
//!   frames' size is "the data loaded eagerly".

use std::path::{Path, PathBuf};
use std::time::Instant;

use polars::prelude::*;
use polars::sql::SQLContext;

type Queries = Vec<(String, String, bool)>;

fn main() -> PolarsResult<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map_or_else(|| root.join("data"), PathBuf::from);
    let spec: toml::Table =
        std::fs::read_to_string(root.join("reports/needs-assessment/report.toml"))
            .expect("the example spec")
            .parse()
            .expect("TOML");
    let queries = queries(&spec);
    if std::env::args().any(|a| a == "--eager-only") {
        // `benches/run.sh`'s bare-Polars run, timed as a whole process:
        // every row and column read (as boardpack reads them, but with no
        // check), then every query for both periods.
        return eager_then_queries(&data, &queries);
    }
    let t = Instant::now();
    for year in [2019, 2018] {
        run(&queries, scans(&data, year)?, year)?;
    }
    println!("scan+queries (both periods): {:>8.1} ms", ms(t));
    let t = Instant::now();
    let eager: Vec<(&str, DataFrame)> = scans(&data, 0)?
        .into_iter()
        .map(|(n, lf)| lf.collect().map(|df| (n, df)))
        .collect::<PolarsResult<_>>()?;
    println!("eager load:                  {:>8.1} ms", ms(t));
    let bytes: usize = eager.iter().map(|(_, df)| df.estimated_size()).sum();
    println!(
        "eager frames:                {:>8.1} MB",
        bytes as f64 / 1e6
    );
    let t = Instant::now();
    for year in [2019, 2018] {
        let frames = eager
            .iter()
            .map(|(n, df)| (*n, period(n, df.clone().lazy(), year)));
        run(&queries, frames.collect(), year)?;
    }
    println!("queries (both periods):      {:>8.1} ms", ms(t));
    Ok(())
}

/// Polars' eager CSV read of every source, then both periods' queries over
/// the loaded frames: what boardpack's sources and compute stages do,
/// without checking a cell or making a document.
fn eager_then_queries(data: &Path, queries: &Queries) -> PolarsResult<()> {
    let t = Instant::now();
    let eager: Vec<(&str, DataFrame)> = scans(data, 0)?
        .into_iter()
        .map(|(n, lf)| lf.collect().map(|df| (n, df)))
        .collect::<PolarsResult<_>>()?;
    let read = ms(t);
    for year in [2019, 2018] {
        let frames = eager
            .iter()
            .map(|(n, df)| (*n, period(n, df.clone().lazy(), year)));
        run(queries, frames.collect(), year)?;
    }
    println!(
        "eager load {read:.1} ms, then queries: {:.1} ms in all",
        ms(t)
    );
    Ok(())
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Every view (`true`) and table, then every figure, with its SQL.
fn queries(spec: &toml::Table) -> Queries {
    let mut out = Vec::new();
    for (section, view) in [("views", true), ("tables", false), ("figures", false)] {
        for (name, decl) in spec[section].as_table().expect("a table") {
            let sql = decl["sql"].as_str().expect("sql").to_string();
            out.push((name.clone(), sql, view || section == "tables"));
        }
    }
    out
}

/// Each source scanned with its schema (no inference), filtered to the
/// financial year starting in `year` (0: no filter).
fn scans(data: &Path, year: i32) -> PolarsResult<Vec<(&'static str, LazyFrame)>> {
    use DataType::*;
    let sources: [(&str, &[(&str, DataType)]); 4] = [
        (
            "victims",
            &[
                ("crime_id", String),
                ("victim_id", String),
                ("offence_date", Date),
                ("offence_group", String),
                ("district", String),
                ("victim_age", Int64),
                ("victim_sex", String),
                ("victim_nationality", String),
                ("domestic_abuse", Boolean),
                ("resident_in_county", Boolean),
            ],
        ),
        (
            "population",
            &[
                ("district", String),
                ("age_band", String),
                ("population", Int64),
            ],
        ),
        (
            "offenders",
            &[
                ("offender_id", String),
                ("assessment_date", Date),
                ("need", String),
            ],
        ),
        (
            "first_time_entrants",
            &[
                ("year_start", Date),
                ("financial_year", String),
                ("first_time_entrants", Int64),
            ],
        ),
    ];
    let mut out = Vec::new();
    for (name, columns) in sources {
        let schema: Schema = columns
            .iter()
            .map(|(c, t)| Field::new((*c).into(), t.clone()))
            .collect();
        let path = data.join(format!("{name}.csv"));
        let lf = LazyCsvReader::new(PlRefPath::new(path.to_str().expect("UTF-8 path")))
            .with_has_header(true)
            .with_schema(Some(Arc::new(schema)))
            .finish()?;
        out.push((
            name,
            if year == 0 {
                lf
            } else {
                period(name, lf, year)
            },
        ));
    }
    Ok(out)
}

/// The period filter boardpack applies (`period_column`, `period_filter`).
fn period(name: &str, lf: LazyFrame, year: i32) -> LazyFrame {
    let day = |y, m, d| lit(days(y, m, d)).cast(DataType::Date);
    let (start, end) = (day(year, 4, 1), day(year + 1, 3, 31));
    let within = |c: &str| col(c).gt_eq(start.clone()).and(col(c).lt_eq(end.clone()));
    match name {
        "victims" => lf.filter(within("offence_date")),
        "offenders" => lf.filter(within("assessment_date")),
        "first_time_entrants" => lf.filter(col("year_start").lt_eq(end)),
        _ => lf,
    }
}

/// Registers the sources and `params`, then runs every query in an order
/// where each comes after what it reads.
fn run(queries: &Queries, frames: Vec<(&str, LazyFrame)>, year: i32) -> PolarsResult<()> {
    let mut ctx = SQLContext::new();
    for (name, lf) in frames {
        ctx.register(name, lf);
    }
    // As boardpack's `params` table: every declared param at its default,
    // and the period's label, first and last day.
    let params = df!(
        "period" => [format!("{year}/{:02}", (year + 1) % 100)],
        "period_start" => [days(year, 4, 1)],
        "period_end" => [days(year + 1, 3, 31)],
        "area" => ["Cambridgeshire & Peterborough"],
        "district" => ["All districts"],
        "csew_multiplier" => [3.26],
    )?
    .lazy()
    .with_columns([
        col("period_start").cast(DataType::Date),
        col("period_end").cast(DataType::Date),
    ])
    .collect()?;
    ctx.register("params", params.lazy());
    let mut pending: Vec<&(String, String, bool)> = queries.iter().collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut failed = None;
        pending.retain(|(name, sql, register)| {
            match ctx.execute(sql).and_then(LazyFrame::collect) {
                Ok(df) => {
                    if *register {
                        ctx.register(name, df.lazy());
                    }
                    false
                }
                Err(e) => {
                    failed = Some(e);
                    true
                }
            }
        });
        if pending.len() == before {
            return Err(failed.expect("a query failed"));
        }
    }
    Ok(())
}

/// Days since 1970-01-01.
fn days(y: i32, m: i32, d: i32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}
