//! Source kinds end to end: the board-paper fixture project
//! (`tests/projects/board-paper/`) built from CSV, Parquet and Excel gives
//! the same figures and tables; globs read several files as one
//! source; data folders outside the project are named, never by their
//! absolute path.

use std::path::Path;
use std::time::Instant;

use boardpack::manifest::{hash, Manifest};
use polars::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::support::Project;

const SPEC: &str = "report.toml";
const MANIFEST: &str = "out/paper.manifest.json";
const SOURCES: [&str; 2] = ["victims", "population"];
/// The data rows of the fixture's `data/victims.csv`.
const VICTIM_ROWS: u64 = 101;
/// Those the paper keeps: 2023/24 and 2024/25 (three are of June 2022,
/// one in each third of the file).
const VICTIM_ROWS_KEPT: u64 = 98;

/// The board-paper fixture, built.
fn built_paper() -> Project {
    let p = Project::fixture("board-paper");
    p.run(&["build", SPEC]).success();
    p
}

fn manifest(p: &Project) -> Manifest {
    Manifest::read(&p.path(MANIFEST)).expect("manifest parses")
}

/// A CSV of the project read by Polars on its own (types inferred, dates
/// parsed), independently of boardpack's reader.
fn frame(p: &Project, name: &str) -> DataFrame {
    CsvReadOptions::default()
        .with_parse_options(CsvParseOptions::default().with_try_parse_dates(true))
        .try_into_reader_with_file_path(Some(p.path(&format!("data/{name}.csv"))))
        .expect("csv reader")
        .finish()
        .expect("csv parses")
}

fn write_parquet(p: &Project, name: &str) {
    let mut df = frame(p, name);
    let file = std::fs::File::create(p.path(&format!("data/{name}.parquet"))).expect("create");
    ParquetWriter::new(file)
        .finish(&mut df)
        .expect("parquet written");
}

/// Writes a data frame to a sheet `Data`, with a title row above the
/// header (so the spec needs `range`) and dates as Excel dates.
fn write_xlsx(p: &Project, name: &str) {
    let df = frame(p, name);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Data").expect("sheet");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    ws.write_string(0, 0, format!("{name} extract"))
        .expect("title");
    for (c, column) in df.columns().iter().enumerate() {
        let c = c as u16;
        ws.write_string(1, c, column.name().as_str())
            .expect("header");
        let s = column.as_materialized_series();
        for (i, v) in s.iter().enumerate() {
            let r = 2 + i as u32;
            match v {
                AnyValue::Null => Ok(&mut *ws),
                AnyValue::String(t) => ws.write_string(r, c, t),
                AnyValue::Boolean(b) => ws.write_boolean(r, c, b),
                AnyValue::Int64(n) => ws.write_number(r, c, n as f64),
                AnyValue::Date(days) => {
                    let d = jiff::civil::date(1970, 1, 1)
                        .checked_add(jiff::Span::new().days(i64::from(days)))
                        .expect("date");
                    let d =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .expect("date");
                    ws.write_datetime_with_format(r, c, &d, &date)
                }
                other => panic!("unexpected value {other:?} in {name}"),
            }
            .expect("cell written");
        }
    }
    wb.save(p.path(&format!("data/{name}.xlsx")))
        .expect("xlsx saved");
}

/// Points every source of the project at `data/NAME.EXT`, with the keys
/// `extra` (TOML lines) added to each source.
fn use_kind(p: &Project, ext: &str, extra: &str) {
    for name in SOURCES {
        p.set_toml(
            SPEC,
            &format!("[sources.{name}]\npath = \"data/{name}.{ext}\"\n{extra}"),
        );
    }
}

/// Figures and table hashes, the part of the manifest that must not depend
/// on the kind of file the data came from.
fn results(m: &Manifest) -> String {
    let figures = serde_json::to_string(&m.figures).expect("json");
    let tables = serde_json::to_string(&m.tables).expect("json");
    format!("{figures}\n{tables}")
}

#[test]
fn a_paper_gives_the_same_figures_and_tables_from_csv_parquet_and_xlsx() {
    let csv = built_paper();
    let expected = results(&manifest(&csv));
    assert!(expected.contains("victims_resident"), "{expected}");

    let pq = Project::fixture("board-paper");
    for name in SOURCES {
        write_parquet(&pq, name);
    }
    use_kind(&pq, "parquet", "");
    pq.run(&["build", SPEC]).success();
    let m = manifest(&pq);
    assert_eq!(results(&m), expected, "Parquet gives other numbers");
    let victims = m.inputs.iter().find(|i| i.path == "data/victims.parquet");
    let victims = victims.expect("the Parquet file is an input");
    assert_eq!(
        victims.blake3,
        hash(&std::fs::read(pq.path("data/victims.parquet")).unwrap())
    );
    assert_eq!(victims.rows, Some(VICTIM_ROWS));
    assert_eq!(victims.rows_kept, Some(VICTIM_ROWS_KEPT));

    let xl = Project::fixture("board-paper");
    let start = Instant::now();
    for name in SOURCES {
        write_xlsx(&xl, name);
    }
    eprintln!(
        "writing the paper's data as XLSX took {:?}",
        start.elapsed()
    );
    use_kind(&xl, "xlsx", "sheet = \"Data\"\nrange = \"A2:Z1048576\"");
    let start = Instant::now();
    xl.run(&["build", SPEC]).success();
    eprintln!("building the paper from XLSX took {:?}", start.elapsed());
    let m = manifest(&xl);
    assert_eq!(results(&m), expected, "XLSX gives other numbers");
    let victims = m.inputs.iter().find(|i| i.path == "data/victims.xlsx");
    let victims = victims.expect("the workbook is an input");
    assert_eq!(
        (victims.rows, victims.rows_kept),
        (Some(VICTIM_ROWS), Some(VICTIM_ROWS_KEPT))
    );
}

#[test]
fn a_committed_workbook_made_by_another_tool_reads() {
    // tests/fixtures/openpyxl.xlsx, written by openpyxl (`tests/fixtures/openpyxl.py`).
    let p = Project::empty();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openpyxl.xlsx");
    std::fs::create_dir_all(p.path("data")).unwrap();
    std::fs::copy(fixture, p.path("data/incidents.xlsx")).unwrap();
    // Six rows: most months of the period have none, said with `sparse`.
    small_project(
        &p,
        "path = \"data/incidents.xlsx\"\nsheet = \"Incidents\"\nsparse = \"a six-row sample\"",
    );
    p.run(&["build", "report.toml"]).success();
    let m = Manifest::read(&p.path("out/case.manifest.json")).unwrap();
    assert_eq!(m.figures["incidents"].value, serde_json::json!(5));
    assert_eq!(
        m.figures["busiest_district"].value,
        serde_json::json!("Fenland")
    );
    let input = m
        .inputs
        .iter()
        .find(|i| i.path == "data/incidents.xlsx")
        .unwrap();
    assert_eq!(
        input.rows,
        Some(6),
        "every row is read; the period filter comes later"
    );
    assert_eq!(input.sparse.as_deref(), Some("a six-row sample"));
}

/// The bad-input base project (incidents by district), with `source` as
/// the `[sources.incidents]` lines before its columns.
fn small_project(p: &Project, source: &str) {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs/_base");
    let spec = std::fs::read_to_string(base.join("report.toml")).unwrap();
    p.write("report.toml", &spec);
    p.set_toml("report.toml", &format!("[sources.incidents]\n{source}"));
    for f in ["paper.md", "summary.md"] {
        p.write(f, &std::fs::read_to_string(base.join(f)).unwrap());
    }
    let layout = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/board-paper.typ");
    std::fs::copy(layout, p.path("layout.typ")).unwrap();
}

#[test]
fn a_glob_reads_every_matching_file_as_one_source() {
    let p = built_paper();
    let expected = results(&manifest(&p));
    // Split the victims extract into three files by line.
    let text = p.read("data/victims.csv");
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let parts = rows.chunks(rows.len() / 3 + 1);
    for (i, part) in parts.enumerate() {
        p.write(
            &format!("data/victims/part-{i}.csv"),
            &format!("{header}\n{}\n", part.join("\n")),
        );
    }
    std::fs::remove_file(p.path("data/victims.csv")).unwrap();
    p.set_toml(SPEC, "[sources.victims]\npath = \"data/victims/*.csv\"");
    p.run(&["build", SPEC]).success();
    let m = manifest(&p);
    assert_eq!(results(&m), expected);
    let parts: Vec<_> = m
        .inputs
        .iter()
        .filter(|i| i.role == "source victims")
        .collect();
    assert_eq!(parts.len(), 3, "each file is listed");
    assert_eq!(parts[0].path, "data/victims/part-0.csv");
    let rows: u64 = parts.iter().map(|i| i.rows.unwrap()).sum();
    assert_eq!(rows, VICTIM_ROWS);
    let kept: u64 = parts.iter().map(|i| i.rows_kept.unwrap()).sum();
    assert_eq!(kept, VICTIM_ROWS_KEPT);
    for part in parts {
        assert_eq!(
            part.blake3,
            hash(&std::fs::read(p.path(&part.path)).unwrap())
        );
    }
    // A bad cell is named in its own file.
    let part = p.read("data/victims/part-1.csv");
    let at = part.find(",true\n").expect("a resident victim in part 1");
    p.write(
        "data/victims/part-1.csv",
        &format!("{},yes\n{}", &part[..at], &part[at + 6..]),
    );
    let err = p.run(&["build", SPEC]).failure(1);
    assert!(err.contains("--> data/victims/part-1.csv:"), "{err}");
    p.write("data/victims/part-1.csv", &part);
    // A failed check names the file and line of the row: the first kept
    // row of the third file (each earlier file left one row out).
    let third = p.read("data/victims/part-2.csv");
    let (head, rest) = third.split_once('\n').unwrap();
    let (first, tail) = rest.split_once('\n').unwrap();
    let mut cells: Vec<&str> = first.split(',').collect();
    assert!(!cells[2].starts_with("2022"), "{first}");
    cells[5] = "200";
    p.write(
        "data/victims/part-2.csv",
        &format!("{head}\n{}\n{tail}", cells.join(",")),
    );
    let err = p.run(&["build", SPEC]).failure(1);
    assert!(err.contains("data/victims/part-2.csv:2"), "{err}");
}

#[test]
fn a_frame_cached_for_one_period_is_not_served_for_another() {
    // 2023/24 keeps April 2022 to March 2024; 2024/25 needs rows after
    // that, which the first build's frame left out.
    let p = Project::fixture("board-paper");
    p.run(&["build", SPEC, "--set", "period=2023/24"]).success();
    let m = manifest(&p);
    let victims = m.inputs.iter().find(|i| i.path == "data/victims.csv");
    assert_eq!(victims.unwrap().rows_kept, Some(36), "2022/23 and 2023/24");
    p.run(&["build", SPEC]).success();
    let cached = results(&manifest(&p));
    let fresh = built_paper();
    assert_eq!(cached, results(&manifest(&fresh)));
    assert!(
        cached.contains("\"victims_resident\":{\"value\":63"),
        "{cached}"
    );
}

#[test]
fn data_outside_the_project_is_read_from_a_declared_folder() {
    let p = Project::fixture("board-paper");
    let shared = tempfile::tempdir().unwrap();
    for name in SOURCES {
        let file = format!("{name}.csv");
        std::fs::rename(p.path(&format!("data/{file}")), shared.path().join(&file)).unwrap();
        p.set_toml(
            SPEC,
            &format!("[sources.{name}]\npath = \"@shared/{file}\""),
        );
    }
    p.set_toml(
        SPEC,
        "[report.data_dirs]\nshared = { env = \"BOARDPACK_TEST_SHARED\" }",
    );
    let folder = shared.path().to_string_lossy().into_owned();
    let env = [("BOARDPACK_TEST_SHARED", folder.as_str())];
    let out = p.run_with(&["build", SPEC], &env);
    out.success();
    let m = manifest(&p);
    let victims = m
        .inputs
        .iter()
        .find(|i| i.role == "source victims")
        .unwrap();
    assert_eq!(victims.path, "@shared/victims.csv");
    assert_eq!(
        victims.blake3,
        hash(&std::fs::read(shared.path().join("victims.csv")).unwrap())
    );
    for file in ["paper.pdf", "paper-summary.docx", "paper.manifest.json"] {
        let bytes = std::fs::read(p.path(&format!("out/{file}"))).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&folder), "{file} holds the absolute path");
    }
    // `verify` finds the file through the same declaration.
    let verified = p.run_with(&["verify", MANIFEST], &env);
    verified.success();
    // Without the variable, the spec says what to set.
    let err = p.run(&["build", SPEC]).failure(1);
    assert!(
        err.contains("`BOARDPACK_TEST_SHARED`, which is not set"),
        "{err}"
    );
}

/// Issue 22: a folder link making a loop under `**` counted one file 41
/// times; two self-links hung the build. Each real file counts once, a
/// loop is refused naming the link, a link to nothing matching the
/// pattern is refused, and the figures stay right.
#[cfg(unix)]
#[test]
fn a_glob_counts_each_real_file_once_and_refuses_loops() {
    use std::os::unix::fs::symlink;
    let p = Project::empty();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs/_base");
    let data = std::fs::read_to_string(base.join("data/incidents.csv")).unwrap();
    p.write("data/incidents/a/part.csv", &data);
    small_project(&p, "path = \"data/incidents/**/*.csv\"");
    p.run(&["build", "report.toml"]).success();
    let figure = |p: &Project| {
        let m = Manifest::read(&p.path("out/case.manifest.json")).unwrap();
        let files = m.inputs.iter().filter(|i| i.role == "source incidents");
        let files: Vec<_> = files.map(|i| i.path.clone()).collect();
        (m.figures["incidents"].value.clone(), files)
    };
    let once = figure(&p);
    assert_eq!(once.1, ["data/incidents/a/part.csv"]);
    // Two harmless routes to the same file, and a link to itself that the
    // pattern does not match: the same figures, the same one file.
    symlink("a", p.path("data/incidents/b")).unwrap();
    symlink("part.csv", p.path("data/incidents/a/same.csv")).unwrap();
    symlink("self", p.path("data/incidents/a/self")).unwrap();
    symlink("loop", p.path("data/incidents/loop")).unwrap();
    p.run(&["build", "report.toml"]).success();
    assert_eq!(figure(&p), once);
    // A link back up the tree is a loop.
    symlink("..", p.path("data/incidents/a/up")).unwrap();
    let err = p.run(&["build", "report.toml"]).failure(1);
    assert!(
        err.contains("`data/incidents/a/up` leads back to `data/incidents`, a folder above it, while matching `data/incidents/**/*.csv`"),
        "{err}"
    );
    std::fs::remove_file(p.path("data/incidents/a/up")).unwrap();
    // A link the pattern matches that leads nowhere is not skipped.
    symlink("gone.csv", p.path("data/incidents/a/late.csv")).unwrap();
    let err = p.run(&["check", "report.toml"]).failure(1);
    assert!(
        err.contains("`data/incidents/a/late.csv` matches the path of source `incidents` but is a link to a file that does not exist"),
        "{err}"
    );
}
