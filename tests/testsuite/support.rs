//! Test harness: a temporary copy of the project, the CLI, and readers for
//! the PDF (lopdf) and DOCX (zip + XML) it writes.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "../ooxml/mod.rs"]
mod ooxml;
pub(crate) use ooxml::{assert_valid_docx, validate_docx};

/// The example spec, relative to a project root.
pub(crate) const EXAMPLE: &str = "reports/needs-assessment/report.toml";

/// A temporary project: a copy of the example report, templates and data.
pub(crate) struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    /// Copies `reports/`, `templates/` and `data/` into a fresh temp folder.
    pub(crate) fn example() -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        let src = Path::new(env!("CARGO_MANIFEST_DIR"));
        for sub in ["reports/needs-assessment", "templates", "data"] {
            copy_dir(&src.join(sub), &dir.path().join(sub));
        }
        // Outputs of a developer's own build must not leak into tests.
        let _ = std::fs::remove_dir_all(dir.path().join("reports/needs-assessment/out"));
        Project { dir }
    }

    /// A copy of the fixture project `tests/projects/NAME` (without its
    /// `expect.toml` and snapshots), with the bundled house style as
    /// `layout.typ` unless the fixture has its own.
    pub(crate) fn fixture(name: &str) -> Project {
        let p = Project::empty();
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/projects")
            .join(name);
        assert!(from.is_dir(), "no fixture project {}", from.display());
        copy_fixture(&from, p.root());
        if !p.path("layout.typ").exists() {
            let layout = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/board-paper.typ");
            std::fs::copy(layout, p.path("layout.typ")).expect("layout");
        }
        p
    }

    /// Copies the files of the folder `dir` over the project's (leaving
    /// out expectations: `expect.toml`, snapshots).
    pub(crate) fn overlay(&self, dir: &Path) {
        copy_fixture(dir, self.root());
    }

    /// Sets keys in the TOML file `rel` (a spec): every key of `toml` is
    /// set at its path, tables merged key by key, other values replaced,
    /// so a case states what it changes instead of editing the text.
    pub(crate) fn set_toml(&self, rel: &str, toml: &str) {
        let mut doc: toml_edit::DocumentMut = self.read(rel).parse().expect("the spec is TOML");
        let add: toml_edit::DocumentMut = toml.parse().expect("the keys are TOML");
        merge(doc.as_table_mut(), add.as_table());
        self.write(rel, &doc.to_string());
    }

    /// Removes the key at the dotted path `key` (e.g. `report.outputs.pdf`)
    /// from the TOML file `rel`, asserting it was there.
    pub(crate) fn remove_toml(&self, rel: &str, key: &str) {
        let mut doc: toml_edit::DocumentMut = self.read(rel).parse().expect("the spec is TOML");
        let (parents, last) = key.rsplit_once('.').map_or(("", key), |(a, b)| (a, b));
        let mut table: &mut dyn toml_edit::TableLike = doc.as_table_mut();
        for part in parents.split('.').filter(|s| !s.is_empty()) {
            table = table
                .get_mut(part)
                .and_then(|i| i.as_table_like_mut())
                .unwrap_or_else(|| panic!("no table `{part}` in {rel}"));
        }
        assert!(table.remove(last).is_some(), "no `{key}` in {rel}");
        self.write(rel, &doc.to_string());
    }

    /// An empty temporary project.
    pub(crate) fn empty() -> Project {
        Project {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The project's root folder.
    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the project.
    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file (creating folders).
    pub(crate) fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    /// Reads a text file.
    pub(crate) fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).expect("read")
    }

    /// Replaces `from` with `to` in a file, asserting `from` was there.
    pub(crate) fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "`{from}` not found in {rel}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Runs `boardpack ARGS` in the project root.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    /// Runs `boardpack ARGS` with extra environment variables.
    pub(crate) fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_boardpack"))
            .args(args)
            .current_dir(self.root())
            .env_remove("SOURCE_DATE_EPOCH")
            .envs(env.iter().copied())
            .output()
            .expect("run boardpack");
        Run(out)
    }

    /// Every file in the folder `rel` but the build cache (which is not an
    /// output, see `boardpack::cache`), with its bytes, in name order.
    pub(crate) fn outputs(&self, rel: &str) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(self.path(rel))
            .unwrap_or_else(|e| panic!("{rel}: {e}"))
            .map(|e| e.expect("dir entry"))
            .filter(|e| e.file_name() != ".boardpack-cache")
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (name, std::fs::read(e.path()).expect("read"))
            })
            .collect();
        files.sort();
        files
    }

    /// Builds the example, asserting success; returns (pdf, docx) bytes.
    pub(crate) fn build_example(&self, extra: &[&str]) -> (Vec<u8>, Vec<u8>) {
        let mut args = vec!["build", EXAMPLE];
        args.extend_from_slice(extra);
        self.run(&args).success();
        let out = self.path("reports/needs-assessment/out");
        (
            std::fs::read(out.join("needs-assessment.pdf")).expect("pdf"),
            std::fs::read(out.join("needs-assessment-summary.docx")).expect("docx"),
        )
    }
}

/// What a small project's build wrote (`out/case.*`, see `small_spec`).
pub(crate) struct CaseOutputs {
    pub(crate) pdf: Vec<u8>,
    pub(crate) docx: Vec<u8>,
    pub(crate) html: String,
    pub(crate) manifest: boardpack::manifest::Manifest,
}

impl Project {
    /// Builds a small project (`boardpack build report.toml`), asserting
    /// success, and reads the outputs and the manifest.
    pub(crate) fn build_case(&self) -> CaseOutputs {
        self.run(&["build", "report.toml"]).success();
        let read = |ext: &str| {
            std::fs::read(self.path(&format!("out/case.{ext}")))
                .unwrap_or_else(|e| panic!("out/case.{ext}: {e}"))
        };
        let manifest = self.path("out/case.manifest.json");
        CaseOutputs {
            pdf: read("pdf"),
            docx: read("docx"),
            html: String::from_utf8(read("html")).expect("the page is UTF-8"),
            manifest: boardpack::manifest::Manifest::read(&manifest).expect("the manifest reads"),
        }
    }
}

/// A finished CLI run.
pub(crate) struct Run(pub Output);

impl Run {
    /// Asserts exit code 0 and returns stdout.
    pub(crate) fn success(&self) -> String {
        assert!(
            self.0.status.success(),
            "boardpack failed:\n{}",
            self.stderr()
        );
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    /// Asserts the given non-zero exit code and returns stderr.
    pub(crate) fn failure(&self, code: i32) -> String {
        assert_eq!(
            self.0.status.code(),
            Some(code),
            "stdout: {}\nstderr: {}",
            self.stdout(),
            self.stderr()
        );
        self.stderr()
    }

    /// Standard error as text.
    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    /// Standard output as text.
    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
}

/// Merges `add` into `into`: tables key by key, anything else replaced.
fn merge(into: &mut toml_edit::Table, add: &toml_edit::Table) {
    for (key, item) in add.iter() {
        if let (Some(toml_edit::Item::Table(old)), toml_edit::Item::Table(new)) =
            (into.get_mut(key), item)
        {
            merge(old, new);
            continue;
        }
        into.insert(key, item.clone());
    }
}

/// Copies a fixture folder, leaving out its expectations (`expect.toml`,
/// `args.txt`, `exit.txt`, insta snapshots).
fn copy_fixture(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if matches!(name.as_str(), "expect.toml" | "args.txt" | "exit.txt")
            || name.contains(".snap")
        {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().expect("type").is_dir() {
            copy_fixture(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// The PDF's text, page by page.
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    crate::pdf::text(pdf)
}

/// A part of the DOCX package as text, e.g. `word/document.xml`.
pub(crate) fn docx_part(docx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("DOCX is a zip");
    let mut part = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("DOCX has no {name}"));
    let mut text = String::new();
    part.read_to_string(&mut text).expect("UTF-8 part");
    text
}

/// A part of the DOCX package as bytes (e.g. a picture).
pub(crate) fn docx_bytes(docx: &[u8], name: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("DOCX is a zip");
    let mut part = zip
        .by_name(name)
        .unwrap_or_else(|_| panic!("DOCX has no {name}"));
    let mut bytes = Vec::new();
    part.read_to_end(&mut bytes).expect("read part");
    bytes
}

/// Rewrites one part of a DOCX package (the other parts are copied as is).
pub(crate) fn replace_docx_part(docx: &[u8], name: &str, edit: impl Fn(&str) -> String) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("DOCX is a zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).expect("part");
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).expect("read part");
        if part.name() == name {
            bytes = edit(std::str::from_utf8(&bytes).expect("UTF-8")).into_bytes();
        }
        out.start_file(part.name(), zip::write::SimpleFileOptions::default())
            .expect("start");
        std::io::Write::write_all(&mut out, &bytes).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

/// All the visible text of the DOCX body (`w:t` runs), concatenated.
pub(crate) fn docx_text(docx: &[u8]) -> String {
    let xml = docx_part(docx, "word/document.xml");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut text = String::new();
    let mut in_t = false;
    loop {
        match reader.read_event().expect("XML parses") {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"w:t" => in_t = true,
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"w:t" => in_t = false,
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"w:p" => text.push('\n'),
            quick_xml::events::Event::Text(t) if in_t => {
                text.push_str(&t.xml_content().expect("text"))
            }
            quick_xml::events::Event::GeneralRef(r) if in_t => {
                text.push_str(xml_entity(&String::from_utf8_lossy(&r)).unwrap_or("?"));
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    text
}

/// The text LibreOffice lays out for `docx` (converted to PDF headless,
/// then read with `pdftotext`; pages end with a form feed). A Word file no
/// client opened is not a passing one, so this never skips: without
/// `soffice` or `pdftotext` it fails (`.ci/run` installs both with
/// `.ci/libreoffice.sh`).
pub(crate) fn libreoffice_text(docx: &Path) -> String {
    let (Some(soffice), Some(pdftotext)) = (program("soffice"), program("pdftotext")) else {
        panic!("`soffice` or `pdftotext` is not installed: run `bash .ci/libreoffice.sh` (CI does); this check never skips");
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let out = Command::new(soffice)
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(docx)
        .output()
        .expect("run soffice");
    let pdf = dir
        .path()
        .join(docx.file_stem().expect("stem"))
        .with_extension("pdf");
    assert!(
        pdf.is_file(),
        "LibreOffice wrote no PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = Command::new(pdftotext)
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    String::from_utf8_lossy(&text.stdout).into_owned()
}

/// A program on `PATH`.
fn program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The front of a small project's spec: `[report]` (title `title`, then
/// the lines `report_extra`), all three outputs as `case.*`, the content
/// files `paper.md` and `summary.md`, and a financial-year `period`
/// defaulting to 2024/25. A case appends its sources, figures and tables.
pub(crate) fn small_spec(title: &str, report_extra: &str) -> String {
    format!(
        r#"[report]
name = "case"
title = "{title}"
to = "Board"
from = "Chief Executive"
date = 2025-06-30
layout = "layout.typ"
{report_extra}
[report.outputs]
pdf = "case.pdf"
docx = "case.docx"
html = "case.html"

[content]
body = "paper.md"
summary = "summary.md"

[params.period]
type = "financial-year"
default = "2024/25"
"#
    )
}

/// A small project: `spec` as `report.toml`, the bundled house style as
/// `layout.typ`, and `paper` and `summary` under a heading each.
pub(crate) fn small_project(spec: &str, paper: &str, summary: &str) -> Project {
    let p = Project::empty();
    write_small_project(&p, spec, paper, summary);
    p
}

/// Writes the files of `small_project` into `p` (replacing its own).
pub(crate) fn write_small_project(p: &Project, spec: &str, paper: &str, summary: &str) {
    p.write("report.toml", spec);
    p.write("paper.md", &format!("# Findings\n\n{paper}"));
    p.write("summary.md", &format!("# Summary\n\n{summary}"));
    let layout = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/board-paper.typ");
    std::fs::copy(layout, p.path("layout.typ")).expect("layout");
}

/// A small project's `[sources.amounts]`: `data/amounts.csv` (see
/// `amounts_csv`), an amount a day by district.
pub(crate) const AMOUNTS_SOURCE: &str = r#"
[sources.amounts]
path = "data/amounts.csv"
period_column = "date"
sparse = "a test extract: a few rows chosen for their means and shares"

[sources.amounts.columns]
date = "date"
district = "string"
amount = "int"
"#;

/// `data/amounts.csv`: in 2024/25, North 234 and 235 (a mean of 234.5),
/// the rows `extra`, and East one negative amount in sixteen (a share of
/// 0.0625). Both are exact in binary, so only the rounding rule decides
/// how they print.
pub(crate) fn amounts_csv(extra: &str) -> String {
    let mut rows =
        String::from("date,district,amount\n2024-05-01,North,234\n2024-05-02,North,235\n");
    rows.push_str(extra);
    for day in 1..=16 {
        let amount = if day == 1 { -1 } else { 0 };
        rows.push_str(&format!("2024-06-{day:02},East,{amount}\n"));
    }
    rows
}

/// Runs of whitespace as one space, so line breaks in a PDF (or a page's
/// layout) do not matter.
pub(crate) fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of an HTML page's `<body>`: tags dropped (each a space),
/// the predefined entities decoded.
pub(crate) fn html_text(html: &str) -> String {
    let body = html.find("<body").map_or(html, |at| &html[at..]);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The character an XML predefined entity (`amp`, `lt`, …) stands for.
pub(crate) fn xml_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

/// The case folders under `tests/NAME` (one fixture project each), in name
/// order; folders starting with `_` are shared parts, not cases.
pub(crate) fn case_folders(name: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("tests/{name}: {e}"))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('_'))
        .collect();
    cases.sort();
    cases
}
