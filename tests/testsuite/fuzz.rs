//! Mutational fuzzing of the readers that take untrusted files: the CSV
//! reader, the Excel reader, the spec loader and the reference Word
//! template. Each target starts from a valid seed (a small project that
//! builds), mutates the one file under test (bytes flipped, inserted,
//! deleted, duplicated and spliced, plus tokens that mean something to the
//! format: quotes and line ends for CSV, DTDs, entities, external
//! relationships, macro parts and huge row numbers for the zipped XML of
//! `.xlsx`/`.docx`, limits and odd values for the spec), and runs the real
//! `boardpack` command on it.
//!
//! The oracle, for every input: the command ends (no hang: 60 s), with
//! exit 0 or 1 (never a panic, an abort or a signal); a failure names a
//! file; a built Word file is a package whose every XML part parses, with
//! no external target and no macro part.
//!
//! Why not cargo-fuzz: it needs a nightly toolchain and a second,
//! instrumented build of Polars and Typst, which this project's 2-core
//! machines cannot afford in CI. These harnesses are not coverage-guided;
//! they make up for it with format-aware mutations. `cargo test` runs a
//! few deterministic cases per target; `BOARDPACK_FUZZ_SECONDS=600` runs
//! each target for that long with fresh seeds (and prints the cases run),
//! `BOARDPACK_FUZZ_TARGET=csv|xlsx|spec|docx` picks one. A failing input is
//! saved under the system temp folder and its path printed.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::Project;

/// One fuzz target: the file it mutates and how a case is run.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Csv,
    Xlsx,
    Spec,
    Docx,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Csv => "csv",
            Target::Xlsx => "xlsx",
            Target::Spec => "spec",
            Target::Docx => "docx",
        }
    }

    /// The file under test, relative to the project.
    fn file(self) -> &'static str {
        match self {
            Target::Csv => "data/incidents.csv",
            Target::Xlsx => "data/incidents.xlsx",
            Target::Spec => "report.toml",
            Target::Docx => "house.docx",
        }
    }

    /// `check` reads and validates everything without the layout; the
    /// reference template is only read by `build`.
    fn command(self) -> &'static str {
        match self {
            Target::Docx => "build",
            _ => "check",
        }
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_inputs")
}

/// The seed project of a target: the bad-input base (which builds), with
/// the target's file in a form that builds too.
fn seed_project(target: Target) -> (Project, Vec<u8>) {
    let p = Project::empty();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join("templates/board-paper.typ"), p.path("layout.typ")).expect("layout");
    for f in [
        "report.toml",
        "paper.md",
        "summary.md",
        "data/incidents.csv",
    ] {
        let to = p.path(f);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(fixtures().join("_base").join(f), to).expect("copy base");
    }
    match target {
        Target::Csv | Target::Spec => {}
        Target::Xlsx => {
            let csv = p.read("data/incidents.csv");
            std::fs::write(p.path("data/incidents.xlsx"), workbook(&csv)).expect("xlsx");
            p.set_toml(
                "report.toml",
                "[sources.incidents]\npath = \"data/incidents.xlsx\"\nsheet = \"Incidents\"",
            );
        }
        Target::Docx => {
            let docx = std::fs::read(fixtures().join("../fixtures/word/foreign.docx"))
                .expect("reference docx");
            std::fs::write(p.path("house.docx"), docx).expect("docx");
            p.set_toml("report.toml", "[style]\nreference_docx = \"house.docx\"");
        }
    }
    let seed = std::fs::read(p.path(target.file())).expect("seed");
    (p, seed)
}

/// The CSV's rows as a workbook written by another library than ours.
fn workbook(csv: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Incidents").expect("name");
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (r, line) in csv.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let (r, c) = (r as u32, c as u16);
            let parts: Vec<u16> = cell.split('-').filter_map(|s| s.parse().ok()).collect();
            if r > 0 && c == 0 && parts.len() == 3 {
                let d = rust_xlsxwriter::ExcelDateTime::from_ymd(
                    parts[0],
                    parts[1] as u8,
                    parts[2] as u8,
                )
                .expect("date");
                sheet
                    .write_datetime_with_format(r, c, &d, &date)
                    .expect("write");
            } else {
                sheet.write_string(r, c, cell).expect("write");
            }
        }
    }
    book.save_to_buffer().expect("save workbook")
}

/// Tokens that mean something to each format, inserted at random places.
fn tokens(target: Target) -> &'static [&'static str] {
    match target {
        Target::Csv => &[
            "\"", "\"\"", ",", "\n", "\r", "\r\n", "\u{feff}", "NA", "", "2019-13-45",
            "\u{fffe}", "\0", "99999999999999999999", "-0", "1e308", "\u{202e}", " ,\"a\nb\",",
            "2024-02-29", "date,district,category\n",
        ],
        Target::Xlsx | Target::Docx => &[
            "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]>",
            "&b;", "&undefined;", "&#0;", "&#x1F600;", "<row r=\"2\">", "<row r=\"1048576\">",
            "<c r=\"XFD1048576\" t=\"s\"><v>999999999</v></c>", "<si><t>x</t></si>",
            " TargetMode=\"External\"", "Target=\"file:///etc/passwd\"",
            "Target=\"\\\\server\\share\\x.dotm\"", "Target=\"../../../x\"",
            "<Override PartName=\"/word/vbaProject.bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/>",
            "<dimension ref=\"A1:XFD1048576\"/>", "count=\"4294967295\"", "<w:t>OFFICIAL-SENSITIVE</w:t>",
            "<w:fldSimple w:instr=\"INCLUDETEXT c:\\\\x\"/>", "</", "<", "\"", "xmlns:w=\"x\"",
        ],
        Target::Spec => &[
            "[limits]\nmemory_mb = 0\n", "[limits]\nmarkdown_depth = 1000000\n",
            "[limits]\nsheet_cells = -1\n", "path = \"../../../etc/passwd\"\n",
            "path = \"/etc/passwd\"\n", "path = \"data/**/*.csv\"\n",
            "sql = \"SELECT * FROM read_csv('/etc/passwd')\"\n", "\"\"\"", "[[", "]]", "=",
            "{{ ", " }}", "{% if x %}", "\u{0}", "9223372036854775807", "1e999", "nan", "inf",
            "[report]\nout_dir = \"../..\"\n", "[batch]\nfor_each = \"period\"\n",
        ],
    }
}

/// One random edit of `bytes`.
fn mutate_bytes(rng: &mut fastrand::Rng, bytes: &mut Vec<u8>, tokens: &[&str]) {
    let len = bytes.len();
    let at = if len == 0 { 0 } else { rng.usize(0..=len) };
    match rng.u8(0..6) {
        0 if len > 0 => {
            let i = rng.usize(0..len);
            bytes[i] ^= 1 << rng.u8(0..8);
        }
        1 => bytes.insert(at, rng.u8(..)),
        2 if len > 0 => {
            let end = (at + rng.usize(1..64)).min(len);
            bytes.drain(at.min(end)..end);
        }
        3 if len > 0 => {
            let start = rng.usize(0..len);
            let end = (start + rng.usize(1..256)).min(len);
            let chunk = bytes[start..end].to_vec();
            let at = rng.usize(0..=bytes.len());
            bytes.splice(at..at, chunk);
        }
        _ => {
            let token = tokens[rng.usize(0..tokens.len())].as_bytes();
            let at = if rng.bool() {
                at
            } else {
                near_markup(rng, bytes)
            };
            bytes.splice(at..at, token.iter().copied());
        }
    }
}

/// A place just after a `>` or a newline, where markup tokens do most.
fn near_markup(rng: &mut fastrand::Rng, bytes: &[u8]) -> usize {
    let marks: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'>' || b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    if marks.is_empty() {
        0
    } else {
        marks[rng.usize(0..marks.len())]
    }
}

/// A mutated copy of a zip package: usually one part's XML edited and the
/// package written again; sometimes the raw bytes, a renamed or an added
/// part.
fn mutate_zip(rng: &mut fastrand::Rng, seed: &[u8], tokens: &[&str]) -> Vec<u8> {
    if rng.u8(0..10) == 0 {
        let mut raw = seed.to_vec();
        mutate_bytes(rng, &mut raw, tokens);
        return raw;
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(seed)).expect("seed is a zip");
    let mut parts: Vec<(String, Vec<u8>)> = (0..zip.len())
        .map(|i| {
            let mut part = zip.by_index(i).expect("part");
            let mut bytes = Vec::new();
            part.read_to_end(&mut bytes).expect("read part");
            (part.name().to_string(), bytes)
        })
        .collect();
    let i = rng.usize(0..parts.len());
    match rng.u8(0..12) {
        0 => {
            parts[i].0 = [
                "../../x.xml",
                "/abs.xml",
                "word\\..\\y.xml",
                "word/vbaProject.bin",
            ][rng.usize(0..4)]
            .to_string()
        }
        1 => parts.push((
            "word/vbaProject.bin".into(),
            b"\xd0\xcf\x11\xe0macro".to_vec(),
        )),
        2 => {
            let copy = parts[i].clone();
            parts.push(copy);
        }
        _ => {
            for _ in 0..rng.usize(1..4) {
                mutate_bytes(rng, &mut parts[i].1, tokens);
            }
        }
    }
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        if out.start_file(name, options).is_err() {
            continue;
        }
        out.write_all(&bytes).expect("write part");
    }
    out.finish().expect("finish zip").into_inner()
}

/// A mutated input of `target`.
fn mutate(target: Target, rng: &mut fastrand::Rng, seed: &[u8]) -> Vec<u8> {
    let tokens = tokens(target);
    match target {
        Target::Xlsx | Target::Docx => mutate_zip(rng, seed, tokens),
        Target::Csv | Target::Spec => {
            let mut bytes = seed.to_vec();
            for _ in 0..rng.usize(1..6) {
                mutate_bytes(rng, &mut bytes, tokens);
            }
            bytes
        }
    }
}

/// Runs one case; `Err` says what broke the oracle.
fn run_case(target: Target, p: &Project, input: &[u8]) -> Result<(), String> {
    std::fs::write(p.path(target.file()), input).expect("write case");
    let _ = std::fs::remove_dir_all(p.path("out"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_boardpack"))
        .args([target.command(), "report.toml"])
        .current_dir(p.root())
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run boardpack");
    let mut stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("did not finish within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stderr = reader.join().expect("stderr reader");
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        return Err(format!("panicked:\n{stderr}"));
    }
    match status.code() {
        Some(0) if target == Target::Docx => check_docx(&p.path("out/case-summary.docx")),
        Some(0) => Ok(()),
        Some(1) => {
            // A file named in a message's header or its source excerpt.
            let named = [
                target.file(),
                "report.toml",
                "incidents",
                "house.docx",
                ".md",
                ".typ",
                "┌─ ",
            ]
            .iter()
            .any(|f| stderr.contains(f));
            if named {
                Ok(())
            } else {
                Err(format!("an error that names no file:\n{stderr}"))
            }
        }
        code => Err(format!(
            "exit {code:?} (a crash, a signal or a usage error):\n{stderr}"
        )),
    }
}

/// A built Word file: every XML part parses, no external target, no
/// macro part, no part name outside the package.
fn check_docx(path: &Path) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("no Word output: {e}"))?;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| e.to_string())?;
        let name = part.name().to_string();
        let lower = name.to_ascii_lowercase();
        if name.starts_with('/') || name.contains("..") || name.contains('\\') {
            return Err(format!("output part name {name:?} escapes the package"));
        }
        if lower.contains("vba") || lower.contains("activex") || lower.ends_with(".bin") {
            return Err(format!("output carries macro or binary part {name}"));
        }
        if !(lower.ends_with(".xml") || lower.ends_with(".rels")) {
            continue;
        }
        let mut text = String::new();
        part.read_to_string(&mut text)
            .map_err(|e| format!("{name} is not UTF-8: {e}"))?;
        if lower.ends_with(".rels") && fetched_target(&text) {
            return Err(format!("{name} keeps an external target"));
        }
        if text.contains("<!DOCTYPE") || text.contains("<!ENTITY") {
            return Err(format!("{name} keeps a DTD"));
        }
        parses(&text).map_err(|e| format!("{name} does not parse: {e}"))?;
    }
    Ok(())
}

/// Whether a relationships part points outside the package at anything
/// but a web or mail hyperlink (read as XML: the same words as text are
/// harmless).
fn fetched_target(rels: &str) -> bool {
    let mut reader = quick_xml::Reader::from_str(rels);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                let attr = |name: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == name.as_bytes())
                        .map(|a| String::from_utf8_lossy(&a.value).to_ascii_lowercase())
                };
                if attr("TargetMode").as_deref() == Some("external") {
                    let target = attr("Target").unwrap_or_default();
                    let web = ["http://", "https://", "mailto:"]
                        .iter()
                        .any(|p| target.starts_with(p));
                    let link = attr("Type").is_some_and(|t| t.ends_with("/hyperlink"));
                    if !(web && link) {
                        return true;
                    }
                }
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

/// Whether `xml` is well-formed (quick-xml, checking end names and
/// resolving every entity reference).
fn parses(xml: &str) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => return Ok(()),
            Ok(quick_xml::events::Event::Text(t)) => {
                t.decode().map_err(|e| e.to_string())?;
                let raw = String::from_utf8_lossy(&t).into_owned();
                quick_xml::escape::unescape(&raw).map_err(|e| e.to_string())?;
            }
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Runs `target`: a few deterministic cases, or batches until
/// `BOARDPACK_FUZZ_SECONDS` have passed.
fn fuzz(target: Target) {
    let wanted = std::env::var("BOARDPACK_FUZZ_TARGET").ok();
    if wanted.as_deref().is_some_and(|w| w != target.name()) {
        return;
    }
    let seconds: Option<u64> = std::env::var("BOARDPACK_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok());
    let (p, seed) = seed_project(target);
    // The seed itself must pass, or every mutation tests nothing.
    run_case(target, &p, &seed).unwrap_or_else(|e| panic!("{} seed: {e}", target.name()));
    let mut rng = match seconds {
        None => fastrand::Rng::with_seed(20261203),
        Some(_) => fastrand::Rng::new(),
    };
    let start = Instant::now();
    let mut cases = 0u64;
    loop {
        let input = mutate(target, &mut rng, &seed);
        cases += 1;
        if let Err(e) = run_case(target, &p, &input) {
            let saved = std::env::temp_dir().join(format!(
                "boardpack-fuzz-{}-{cases}-{}",
                target.name(),
                Path::new(target.file())
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
            ));
            std::fs::write(&saved, &input).expect("save failing input");
            panic!("{} case {cases} ({}): {e}", target.name(), saved.display());
        }
        let done = match seconds {
            None => cases >= 6,
            Some(s) => start.elapsed() >= Duration::from_secs(s),
        };
        if done {
            break;
        }
    }
    if seconds.is_some() {
        eprintln!(
            "fuzz {}: {cases} cases in {:.0?}, no failure",
            target.name(),
            start.elapsed()
        );
    }
}

#[test]
fn fuzz_csv_reader() {
    fuzz(Target::Csv);
}

#[test]
fn fuzz_xlsx_reader() {
    fuzz(Target::Xlsx);
}

#[test]
fn fuzz_spec_loader() {
    fuzz(Target::Spec);
}

#[test]
fn fuzz_reference_docx() {
    fuzz(Target::Docx);
}
